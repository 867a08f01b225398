"""Impact metrics: attendance by sector per event, survey results, tips and hotline reports
over time per state, trainings adopted.

Attendance counts what coalition reports count. Named participants are units: an
organization once, however many of its people came (they are named in ``via``); a person
without an organization once, under the sector of their role. Unnamed groups ("3 casinos",
"28 energy company representatives") are counted apart, with their bounds ("at least 95"),
and together with the named ones. Counts of unnamed groups are as the source gives them:
organizations or people.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx

from graph.analysis.bounds import quantity, shown, total
from graph.analysis.dates import UNUSABLE, span
from graph.analysis.graphs import (
    PARTICIPATION_TYPES,
    People,
    credited,
    evidence,
    is_group,
    jurisdictions_of,
    name,
    sector,
)

TIP_WORDS = ("tip", "hotline", "report")


def _date(value: Any) -> str | None:
    """A date as the text it is: the reports list and sort dates, never compute with them,
    so one that is no date at all (a number written by another tool) sorts, never fails."""
    return None if value is None or value == "" else str(value)


def _precision(d: dict[str, Any]) -> str | None:
    try:
        sp = span(_date(d.get("date")), d.get("date_precision"))
    except UNUSABLE:
        return None  # listed as the text it is; only the follow-ups compute with dates
    return sp[2] if sp else None


def _dated(d: dict[str, Any]) -> dict[str, Any]:
    p = _precision(d)
    return {"date": _date(d.get("date")), "date_precision": p,
            "approximate": p is not None and p != "day"}


def _metric(g: nx.MultiDiGraph, m: str) -> dict[str, Any]:
    d = g.nodes[m]
    q = quantity(d, "value")
    return {"name": d.get("name"), "value": d.get("value"),
            "value_qualifier": q["qualifier"] if q else None,
            "value_text": q["text"] if q else None, "unit": d.get("unit"), **_dated(d),
            "note": d.get("note")}


def _metrics(g: nx.MultiDiGraph, scope: str) -> list[dict[str, Any]]:
    return sorted((_metric(g, m) for _, m, t in g.out_edges(scope, data="type")
                   if t == "HAS_METRIC"), key=lambda m: (str(m["name"]), m["date"] or ""))


def attendance_of(g: nx.MultiDiGraph, event: str, records: list[dict[str, Any]],
                  people: People) -> dict[str, Any]:
    """One event's attendance by sector: named units, unnamed groups, and both together.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("e", label="Event", name="Build")
    >>> g.add_node("ago", label="Organization", kind="prosecutor", name="AG's Office")
    >>> g.add_node("ag", label="Person", name="AG Lynn", title="Attorney General")
    >>> g.add_node("le", label="Group", kind="law enforcement", count=75,
    ...            count_qualifier="at least", name="at least 75 law enforcement (unnamed)")
    >>> _ = g.add_edge("ag", "ago", type="WORKS_FOR")
    >>> for n in ("ago", "ag", "le"): _ = g.add_edge(n, "e", type="ATTENDED")
    >>> a = attendance_of(g, "e", credited(g), People(g))
    >>> a["by_sector"], a["unnamed_by_sector"]["law enforcement"]["text"]
    ({'law enforcement': 1}, 'at least 75')
    >>> a["total_by_sector"]["law enforcement"]["text"], a["via"]
    ('at least 76', ["AG's Office: via AG Lynn, Attorney General, attended"])
    """
    mine = [r for r in records if r["event"] == event]
    units = sorted({r["unit"] for r in mine if not is_group(g.nodes[r["unit"]])})
    groups = sorted({r["unit"] for r in mine if is_group(g.nodes[r["unit"]])})
    named = Counter(sector(g, u, people) for u in units)
    unnamed: dict[str, list[dict[str, Any] | None]] = defaultdict(list)
    listed = []
    for n in groups:
        d = g.nodes[n]
        q = quantity(d, "count")
        unnamed[sector(g, n, people)].append(q)
        roles = sorted({r["type"] for r in mine if r["unit"] == n})
        listed.append({"id": n, "name": name(g, n), "kind": d.get("kind"),
                       "sector": sector(g, n, people), "count": q["value"] if q else None,
                       "count_qualifier": q["qualifier"] if q else None,
                       "count_text": q["text"] if q else None, "unit": d.get("unit"),
                       "took_part": [t.lower() for t in roles]})
    sectors = sorted(set(named) | set(unnamed))
    unnamed_total = {s: total(unnamed[s]) for s in sorted(unnamed)}
    return {
        "named_participants": len(units),
        "by_sector": dict(sorted(named.items())),
        "unnamed": listed,
        "unnamed_by_sector": unnamed_total,
        "total_by_sector": {s: total([*([named[s]] if s in named else []),
                                      *unnamed.get(s, [])]) for s in sectors},
        "total": total([len(units), *(q for qs in unnamed.values() for q in qs)]),
        "via": sorted({f"{name(g, r['unit'])}: {evidence(g, r, event=False)}" for r in mine
                       if r["via"]}),
    }


def impact(g: nx.MultiDiGraph, *, whole: nx.MultiDiGraph | None = None) -> dict[str, Any]:
    """Attendance by sector per event (named participants, unnamed groups, the head count
    the sources give), survey results, tips and hotline reports over time per state,
    trainings. Every row with a date gives its precision, and ``approximate`` when it is
    not a day.

    ``g`` is one state's view; an event drawing several jurisdictions is reported in each
    of them with its whole attendance, counted in ``whole`` (a graph holding everyone who
    took part in it), never the part that came from this state.
    """
    people = People(g)
    records = credited(g, people)
    wide = whole if whole is not None else g
    wide_people = People(wide) if whole is not None else people
    wide_records = credited(wide, wide_people) if whole is not None else records
    with_parts = {r["event"] for r in records} | {r["event"] for r in wide_records}
    attendance, surveys = [], []
    for n, d in g.nodes(data=True):
        if d.get("label") != "Event":
            continue
        metrics = _metrics(g, n)
        head = next((m for m in metrics if m["name"] == "participants"), None)
        drawn = len(jurisdictions_of(d)) > 1 and n in wide
        if n in with_parts or head is not None:
            attendance.append({"event": {"id": n, "name": name(g, n)}, **_dated(d),
                               "state": d.get("state"),
                               "participants": head["value"] if head else None,
                               "participants_qualifier": head["value_qualifier"] if head
                               else None,
                               "participants_text": head["value_text"] if head else None,
                               **(attendance_of(wide, n, wide_records, wide_people) if drawn
                                  else attendance_of(g, n, records, people))})
        survey = [m for m in metrics if "percent" in str(m["unit"] or "")]
        if survey:
            surveys.append({"event": {"id": n, "name": name(g, n)}, **_dated(d),
                            "state": d.get("state"), "results": survey})
    tips: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for n, d in g.nodes(data=True):
        if d.get("label") != "Metric" or not any(w in str(d.get("name", "")).lower()
                                                 for w in TIP_WORDS):
            continue
        scope = d.get("scope_id")
        state = g.nodes[scope].get("state") if scope in g else None
        state = state or (scope.removeprefix("state:") if str(scope).startswith("state:")
                          else None)
        m = _metric(g, n)
        tips[state or "unknown"].append({"scope": {"id": scope, "name": name(g, scope)
                                                   if scope in g else scope},
                                         **{k: m[k] for k in ("name", "value",
                                                              "value_qualifier", "value_text",
                                                              "date", "date_precision",
                                                              "approximate", "note")}})
    for rows in tips.values():
        rows.sort(key=lambda r: (r["date"] or "", str(r["name"] or "")))
    trainings = []
    for u, v, d in g.edges(data=True):
        if d.get("type") in ("TRAINED", "ADOPTED", "PLEDGED", "DISTRIBUTES"):
            q = quantity(d, "count")
            trainings.append({"entity": {"id": u, "name": name(g, u)},
                              "program": {"id": v, "name": name(g, v)},
                              "kind": d.get("kind") or d["type"].lower(),
                              "count": d.get("count"),
                              "count_qualifier": q["qualifier"] if q else None,
                              "count_text": shown(d.get("count"), q["qualifier"], q["text"])
                              if q else None,
                              "unnamed": is_group(g.nodes[u]),
                              "status": d.get("status"), **_dated(d)})
    attendance.sort(key=lambda r: (r["date"] or "", r["event"]["id"]))
    surveys.sort(key=lambda r: (r["date"] or "", r["event"]["id"]))
    trainings.sort(key=lambda r: (r["entity"]["id"], r["program"]["id"], r["kind"]))
    return {"attendance": attendance, "surveys": surveys,
            "tips_and_hotline": dict(sorted(tips.items())), "trainings": trainings,
            "participation_types": sorted(PARTICIPATION_TYPES)}
