"""Impact metrics: attendance by sector per event, survey results, tips and hotline reports
over time per state, trainings adopted."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx

from graph.analysis.graphs import PARTICIPATION_TYPES, name, participants, sector

TIP_WORDS = ("tip", "hotline", "report")


def _date(value: Any) -> str | None:
    """A date as the text it is: the reports list and sort dates, never compute with them,
    so one that is no date at all (a number written by another tool) sorts, never fails."""
    return None if value is None or value == "" else str(value)


def _metrics(g: nx.MultiDiGraph, scope: str) -> list[dict[str, Any]]:
    return [{"name": g.nodes[m].get("name"), "value": g.nodes[m].get("value"),
             "unit": g.nodes[m].get("unit"), "date": _date(g.nodes[m].get("date")),
             "note": g.nodes[m].get("note")}
            for _, m, t in g.out_edges(scope, data="type") if t == "HAS_METRIC"]


def impact(g: nx.MultiDiGraph) -> dict[str, Any]:
    """Attendance by sector per event (named participants, and the head count the sources
    give), survey results, tips and hotline reports over time per state, trainings."""
    who = participants(g)
    attendance, surveys = [], []
    for n, d in g.nodes(data=True):
        if d.get("label") != "Event":
            continue
        by_sector = Counter(sector(g, a) for a in who.get(n, []))
        metrics = _metrics(g, n)
        head = next((m["value"] for m in metrics if m["name"] == "participants"), None)
        if who.get(n) or head is not None:
            attendance.append({"event": {"id": n, "name": name(g, n)}, "date": _date(d.get("date")),
                               "state": d.get("state"), "named_participants": len(who.get(n,
                                                                                          [])),
                               "participants": head, "by_sector": dict(sorted(
                                   by_sector.items()))})
        survey = [m for m in metrics if "percent" in str(m["unit"] or "")]
        if survey:
            surveys.append({"event": {"id": n, "name": name(g, n)}, "date": _date(d.get("date")),
                            "state": d.get("state"), "results": sorted(
                                survey, key=lambda m: str(m["name"]))})
    tips: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for n, d in g.nodes(data=True):
        if d.get("label") != "Metric" or not any(w in str(d.get("name", "")).lower()
                                                 for w in TIP_WORDS):
            continue
        scope = d.get("scope_id")
        state = g.nodes[scope].get("state") if scope in g else None
        state = state or (scope.removeprefix("state:") if str(scope).startswith("state:")
                          else None)
        tips[state or "unknown"].append({"scope": {"id": scope, "name": name(g, scope)
                                                   if scope in g else scope},
                                         "name": d.get("name"), "value": d.get("value"),
                                         "date": _date(d.get("date")), "note": d.get("note")})
    for rows in tips.values():
        rows.sort(key=lambda r: (r["date"] or "", str(r["name"] or "")))
    trainings = []
    for u, v, d in g.edges(data=True):
        if d.get("type") in ("TRAINED", "ADOPTED", "PLEDGED", "DISTRIBUTES"):
            trainings.append({"entity": {"id": u, "name": name(g, u)},
                              "program": {"id": v, "name": name(g, v)},
                              "kind": d.get("kind") or d["type"].lower(),
                              "count": d.get("count"), "status": d.get("status"),
                              "date": _date(d.get("date"))})
    attendance.sort(key=lambda r: (r["date"] or "", r["event"]["id"]))
    surveys.sort(key=lambda r: (r["date"] or "", r["event"]["id"]))
    trainings.sort(key=lambda r: (r["entity"]["id"], r["program"]["id"], r["kind"]))
    return {"attendance": attendance, "surveys": surveys,
            "tips_and_hotline": dict(sorted(tips.items())), "trainings": trainings,
            "participation_types": sorted(PARTICIPATION_TYPES)}
