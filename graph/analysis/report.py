"""Assemble every analysis for one or more states into the report (JSON-ready dict).

The shape is documented in docs/analysis.md and docs/analysis.schema.json. Top-level keys:
``generated``, ``coverage``, ``contact_gaps``, ``followups``, ``structure`` (``relationship``
and ``co_attendance``), ``recommendations``, ``mve``, ``metrics``. Every per-state part is a
list of objects with a ``state`` field, so one state and fifty have the same shape. A row
an analysis cannot use (an event dated 9999-12-31) is left out and listed in
``generated.data_problems``: one bad row never fails the report.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import networkx as nx

from graph.analysis.blueprint import DEFAULT, coverage, load_blueprint
from graph.analysis.contacts import contact_gaps
from graph.analysis.followups import engagement_funnel, followups
from graph.analysis.graphs import co_attendance_graph, relationship_graph, state_view, states_of
from graph.analysis.impact import impact
from graph.analysis.mve import mve_adoption
from graph.analysis.recommend import introductions, invitations
from graph.analysis.structure import structure

VERSION = 1
PER_STATE = ("coverage", "contact_gaps", "followups", "recommendations", "mve", "metrics")


def _distinct(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each data problem once (a row seen from several states' views), in id order."""
    seen = {(p["analysis"], p["entity"]["id"], p["field"]): p for p in problems}
    return [seen[k] for k in sorted(seen)]


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One report from reports of single states (computed apart, e.g. in parallel)."""
    if not parts:
        raise ValueError("nothing to merge")
    out = {**parts[0], "generated": {**parts[0]["generated"], "states": [],
                                     "approximations": [], "data_problems": []},
           **{k: [] for k in PER_STATE}, "structure": {"relationship": [], "co_attendance": []}}
    for p in sorted(parts, key=lambda r: r["generated"]["states"]):
        out["generated"]["states"] += p["generated"]["states"]
        out["generated"]["approximations"] += p["generated"]["approximations"]
        out["generated"]["data_problems"] += p["generated"].get("data_problems", [])
        for k in PER_STATE:
            out[k] += p[k]
        for k in ("relationship", "co_attendance"):
            out["structure"][k] += p["structure"][k]
    out["generated"]["data_problems"] = _distinct(out["generated"]["data_problems"])
    return out


def analyze(g: nx.MultiDiGraph, *, states: list[str] | None = None,
            as_of: dt.date | None = None, blueprint: Path = DEFAULT, seed: int = 42
            ) -> dict[str, Any]:
    """Every analysis for each state (default: every state in the graph)."""
    as_of = as_of or dt.date.today()
    roles = load_blueprint(Path(blueprint))
    chosen = states or states_of(g)
    report: dict[str, Any] = {
        "generated": {"version": VERSION, "as_of": as_of.isoformat(), "states": chosen,
                      "blueprint": str(blueprint), "seed": seed, "approximations": [],
                      "data_problems": []},
        "coverage": [], "contact_gaps": [], "followups": [],
        "structure": {"relationship": [], "co_attendance": []},
        "recommendations": [], "mve": mve_adoption(g, chosen), "metrics": [],
    }
    problems: list[dict[str, Any]] = []  # rows an analysis could not use, and left out
    for state in chosen:
        v = state_view(g, state)
        rel = relationship_graph(v)
        co = co_attendance_graph(v)
        cov = coverage(v, state, roles)
        gaps = [x for x in contact_gaps(v) if x["state"] == state]
        ties = nx.compose(rel, nx.Graph(co.edges()))
        report["coverage"].append(cov)
        report["contact_gaps"].append({"state": state, "sites": gaps})
        report["followups"].append({
            "state": state, "funnel": engagement_funnel(v),
            "schedule": [f for f in followups(v, as_of, problems=problems)
                         if f["state"] == state]})
        for part, h, weight in (("relationship", rel, None), ("co_attendance", co, "weight")):
            s = structure(h, v, seed=seed, weight=weight)
            report["generated"]["approximations"] += [f"{state} {part}: {a}"
                                                      for a in s["approximations"]]
            report["structure"][part].append({"state": state, **s})
        report["recommendations"].append({
            "state": state, "introductions": introductions(v, ties, gaps, state),
            "invitations": invitations(v, ties, cov)})
        report["metrics"].append({"state": state, **impact(v)})
    report["generated"]["data_problems"] = _distinct(problems)
    return report
