"""Hubs: actors and events tied to far more of the graph than is typical.

A national organizer that co-hosted every build is one step from everything: an ego network
or a path that steps through it is the whole graph, or says nothing. Graph explorers treat such
nodes as *supernodes* (Linkurious, Neo4j Bloom): shown, but not expanded until asked. This is
about views only; analyses (betweenness, brokers) see the whole graph as it is.

The rule: a node is a hub when its degree (distinct neighbours) is above both the graph's
``hub_percentile`` (percentile of the degrees of every actor and event, isolated
ones counted as 0) and ``hub_min_ties``. The percentile makes it relative to the graph; the
floor keeps a small graph, where the 99th percentile may be 5 ties, from having hubs at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from graph import queries
from graph.store.base import GraphStore


def percentile(values: Sequence[int], q: float) -> float:
    """The ``q``-th percentile by linear interpolation between order statistics (Hyndman &
    Fan 1996, definition 7: numpy's and R's default). Unlike the nearest rank, it lets the
    top node of a graph of 60 stand above the 99th percentile. 0 for no values.

    >>> percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)
    9.1
    >>> round(percentile([1] * 62 + [31], 99), 2)
    12.4
    >>> percentile([], 99), percentile([7], 99)
    (0.0, 7.0)
    """
    if not values:
        return 0.0
    ordered = sorted(values)
    h = (len(ordered) - 1) * q / 100
    lo = math.floor(h)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])


def hub_threshold(degrees: Sequence[int], *, q: float, min_ties: int) -> float:
    """Degrees above this are hubs.

    >>> degrees = [1] * 95 + [2, 3, 4, 40, 60]
    >>> round(hub_threshold(degrees, q=99, min_ties=25), 1)  # the 99th percentile
    40.2
    >>> hub_threshold([1] * 200 + [5], q=99, min_ties=25)  # the floor
    25
    """
    return max(min_ties, percentile(degrees, q))


def hubs_of(degrees: Mapping[str, int], n_nodes: int, *, percentile: float,
            min_ties: int) -> dict[str, int]:
    """The hubs and their degrees, from the degrees of the nodes that have ties and the
    number of actors and events in all (the rest have degree 0).

    >>> hubs_of({"tat": 60, "a": 2, "b": 1}, 200, percentile=99, min_ties=25)
    {'tat': 60}
    >>> hubs_of({"tat": 20, "a": 2}, 200, percentile=99, min_ties=25)
    {}
    """
    everyone = [*degrees.values(), *[0] * max(0, n_nodes - len(degrees))]
    cut = hub_threshold(everyone, q=percentile, min_ties=min_ties)
    return {n: d for n, d in sorted(degrees.items()) if d > cut}


def find_hubs(store: GraphStore, *, percentile: float, min_ties: int) -> dict[str, int]:
    """The graph's hubs, by the rule above, counted in the database."""
    degrees = {r["id"]: int(r["degree"]) for r in store.read(queries.EXPANDABLE_DEGREES)}
    n_nodes = int(store.read(queries.EXPANDABLE_COUNT)[0]["n"])
    return hubs_of(degrees, n_nodes, percentile=percentile, min_ties=min_ties)
