"""Analyses: plain functions over networkx graphs (from :mod:`graph.projection`).

Nothing in this package talks to a database. Each function takes the projected
``MultiDiGraph`` (or a graph derived from it here) and returns plain data.
"""
