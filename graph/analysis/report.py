"""Assemble every analysis for one or more states into the report (JSON-ready dict).

The shape is documented in docs/analysis.md and docs/analysis.schema.json. Top-level keys:
``generated``, ``coverage``, ``contact_gaps``, ``followups``, ``structure`` (``relationship``
and ``co_attendance``), ``recommendations``, ``mve``, ``laws``, ``metrics``, and, for the
national scope, ``national``. Every per-state
part is a list of objects with a ``state`` field, so one state and fifty have the same
shape. A row an analysis cannot use (an event dated 9999-12-31) is left out and listed in
``generated.data_problems``: one bad row never fails the report.

``as_of`` is a point in time for every analysis: the graph is cut to that day once
(:func:`graph.analysis.asof.as_of`) before any of them runs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import networkx as nx

from graph.analysis.asof import as_of as point_in_time
from graph.analysis.blueprint import (
    DEFAULT,
    blueprint_for,
    coverage,
    load_blueprint,
    load_schedule,
)
from graph.analysis.changes import changes_by_build
from graph.analysis.contacts import contact_gaps, sites
from graph.analysis.followups import engagement_funnel, schedule
from graph.analysis.graphs import (
    People,
    co_attendance_graph,
    jurisdictions_of,
    lift,
    relationship_graph,
    state_view,
    states_of,
)
from graph.analysis.impact import impact
from graph.analysis.laws import laws
from graph.analysis.mve import mve_adoption
from graph.analysis.national import national
from graph.analysis.recommend import basis, introductions, invitations
from graph.analysis.structure import structure

#: 2 (issue 10): credit through people, unnamed groups, levels, bounds, date precision,
#: the blueprint's follow-up schedule with missed and unknown points, laws; see
#: docs/analysis.md, "What changed in version 2"
VERSION = 2
PER_STATE = ("coverage", "contact_gaps", "followups", "recommendations", "mve", "laws",
             "metrics", "build_changes")


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
        out["generated"]["approximations"] += [a for a in p["generated"]["approximations"]
                                               if a not in out["generated"]["approximations"]]
        out["generated"]["data_problems"] += p["generated"].get("data_problems", [])
        for k in PER_STATE:
            out[k] += p[k]
        for k in ("relationship", "co_attendance"):
            out["structure"][k] += p["structure"][k]
    out["generated"]["data_problems"] = _distinct(out["generated"]["data_problems"])
    return out


def national_part(g: nx.MultiDiGraph, *, as_of: dt.date | None = None,
                  blueprint: Path = DEFAULT, seed: int = 42) -> dict[str, Any]:
    """The report's ``national`` part (:mod:`graph.analysis.national`) of the whole graph
    as of ``as_of``."""
    cut = point_in_time(g, as_of or dt.date.today())
    return national(cut, blueprint=Path(blueprint), seed=seed)


def analyze(g: nx.MultiDiGraph, *, states: list[str] | None = None,
            as_of: dt.date | None = None, blueprint: Path = DEFAULT, seed: int = 42,
            national_scope: bool = False, window_months: int | None = None
            ) -> dict[str, Any]:
    """Every analysis for each state (default: every state in the graph that holds
    anything as of ``as_of``; ``[]``: none), and with ``national_scope`` the national part
    of ``g`` (which should then be the whole graph). ``window_months``: what each build
    changed is counted over this many months after it (default: the setting
    ``change_window_months``)."""
    as_of = as_of or dt.date.today()
    if window_months is None:
        from graph.settings import get_settings

        window_months = get_settings().change_window_months
    load_blueprint(Path(blueprint))  # a bad blueprint is refused before any work
    plan = load_schedule(Path(blueprint))
    notes: list[str] = []
    full, g = g, point_in_time(g, as_of, approximations=notes)
    chosen = states if states is not None else states_of(g)
    report: dict[str, Any] = {
        "generated": {"version": VERSION, "as_of": as_of.isoformat(), "states": chosen,
                      "blueprint": str(blueprint), "seed": seed, "approximations": notes,
                      "data_problems": [],
                      "followup_schedule": {"months": list(plan.months),
                                            "window_days": plan.window_days,
                                            "horizon_months": plan.horizon_months}},
        "coverage": [], "contact_gaps": [], "followups": [],
        "structure": {"relationship": [], "co_attendance": []},
        "recommendations": [], "mve": mve_adoption(g, chosen), "laws": [], "metrics": [],
        "build_changes": [],
    }
    # Rows an analysis cannot use are data problems whatever the day: a build dated
    # 9999-12-31 is not merely "not yet" (the cut leaves it out), it is a typo to correct.
    problems: list[dict[str, Any]] = []
    schedule(full, as_of, plan=plan, problems=problems)
    report["generated"]["data_problems"] = _relevant(full, problems, states and chosen)
    for state in chosen:
        v = state_view(g, state)
        rel = relationship_graph(v)
        co = co_attendance_graph(v)
        chosen_blueprint = blueprint_for(state, blueprint)
        cov = coverage(v, state, load_blueprint(chosen_blueprint))
        if chosen_blueprint != Path(blueprint):  # chosen by the jurisdiction's country
            cov["blueprint"] = str(chosen_blueprint)
        gaps = [x for x in contact_gaps(v) if x["state"] == state]
        ties = lift(nx.compose(rel, nx.Graph(co.edges())), People(v))
        report["coverage"].append(cov)
        report["contact_gaps"].append({"state": state, "sites": gaps, **sites(v, state)})
        sched = schedule(v, as_of, plan=plan)

        def here(f: dict[str, Any], state: str = state, v: nx.MultiDiGraph = v) -> bool:
            # a build drawing several jurisdictions is followed up in each of them
            return state in jurisdictions_of(v.nodes[f["event"]["id"]])

        report["followups"].append({
            "state": state, "funnel": engagement_funnel(v),
            "schedule": [f for f in sched["points"] if here(f)],
            "unmatched": [f for f in sched["unmatched"] if here(f)]})
        for part, h, weight in (("relationship", rel, None), ("co_attendance", co, "weight")):
            s = structure(h, v, seed=seed, weight=weight)
            report["generated"]["approximations"] += [f"{state} {part}: {a}"
                                                      for a in s["approximations"]]
            report["structure"][part].append({"state": state, **s})
        report["recommendations"].append({
            "state": state, "introductions": introductions(v, ties, gaps, state),
            "invitations": invitations(v, ties, cov), "basis": basis(v, gaps, state)})
        report["laws"].append(laws(v, state))
        report["metrics"].append({"state": state, **impact(v, whole=g)})
        report["build_changes"].append({
            "state": state, "window_months": window_months,
            "builds": changes_by_build(v, window_months=window_months, state=state)})
    if national_scope:
        report["national"] = national(g, blueprint=blueprint, seed=seed)
    return report


def _relevant(g: nx.MultiDiGraph, problems: list[dict[str, Any]], states: list[str] | None
              ) -> list[dict[str, Any]]:
    """The problems of rows in these states (all, when no states were asked for): a row of
    the state, or a stateless row next to one."""
    if not states:
        return _distinct(problems)
    chosen = set(states)

    def near(n: str) -> bool:
        if g.nodes[n].get("state"):
            return bool(chosen & set(jurisdictions_of(g.nodes[n])))
        return any(chosen & set(jurisdictions_of(g.nodes[m])) for m in nx.all_neighbors(g, n))

    return _distinct([p for p in problems if p["entity"]["id"] in g and near(p["entity"]["id"])])
