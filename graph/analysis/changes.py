"""What each build changed: the ties created at or after a coalition build (within a window,
six months by default), the new cross-sector ties (law enforcement <-> industry), the
organizations engaged for the first time, and the coalition's density and cross-sector
share before and after.

The before/after scores are network scores over waves as PARTNER reports them (Varda, D.
M., Chandra, A., Stern, S. A. and Lurie, N., 2008, "Core dimensions of connectivity in
public health collaboratives", Journal of Public Health Management and Practice 14(5),
E1-E7; the PARTNER tool, https://visiblenetworklabs.com/partner-platform/): density is the
share of possible ties among the members that exist; a wave is the network as it stood at
a date. Here wave 1 is the day before the build and wave 2 the end of its window.

Who counts: organizations, and people without an organization; a person with one counts
for it (as everywhere in graph/analysis). Ties are relationships (partners with, referred,
local contact, ...; not works for); attending the same event is participation, not a tie,
so a build does not raise density just by gathering people in a room. A member is anyone
with a dated tie or participation up to the wave's date; a tie that ended (``end``) before a
wave's date is not in it. Undated ties cannot be placed in
a wave: they are counted apart (``undated_ties``), never credited to a build.

Engaged for the first time: an organization whose first dated activity falls in the build's
window, unless that first activity was another coalition build (that build engaged it). A
date known to the month or year is a range, so two builds of 2017 cannot be ordered: an
organization at both is listed at each, with ``order_unknown`` naming the other, and one
that was only at the other build is credited to that build alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import networkx as nx

from graph import model
from graph.analysis.dates import UNUSABLE, add_months, shown, span
from graph.analysis.graphs import (
    LAW_ENFORCEMENT,
    PARTICIPATION_TYPES,
    TIE_TYPES,
    People,
    is_group,
    name,
    sector,
)

BUILD = "coalition build"
#: a tie whose recorded status says it is not made yet ("plans to introduce") is not a tie
#: the build created; such ties are counted apart (``planned_ties``)
NOT_MADE = frozenset({"planned", "proposed", "intended", "pending"})
MEMBER_LABELS = ("Organization", "Person")


def broad_sector(g: nx.MultiDiGraph, n: str, people: People) -> str:
    """Law enforcement, government, civil society, industry (every industry kind), other."""
    s = sector(g, n, people)
    return "industry" if model.SECTORS.get(s) == "industry" else s


def _when(g: nx.MultiDiGraph, u: str, v: str, d: dict[str, Any]
          ) -> tuple[dt.date, dt.date] | None:
    # a tie's own date, else the event it came out of, else the event it is participation in
    sources = [(d["start"], None) if d.get("start") else (d.get("date"),
                                                          d.get("date_precision"))]
    for e in (d.get("event_id"), v, u):
        if e in g and g.nodes[e].get("label") == "Event":
            sources.append((g.nodes[e].get("date"), g.nodes[e].get("date_precision")))
    for date, precision in sources:
        try:
            sp = span(date, precision)
        except UNUSABLE:
            sp = None
        if sp is not None:
            return sp[0], sp[1]
    return None


def _activity(g: nx.MultiDiGraph):
    """Every tie and participation, read through people: (kind, unit a, unit b or event,
    edge type, (first day, last day) or None, the tie's end or None)."""
    people = People(g)
    out = []
    for u, v, d in g.edges(data=True):
        t = d.get("type")
        when = _when(g, u, v, d)
        if t in PARTICIPATION_TYPES:
            for a in people.units(u):
                if g.nodes[a].get("label") in MEMBER_LABELS and not is_group(g.nodes[a]):
                    out.append(("participation", a, v, t, when, None))
        elif t in TIE_TYPES and t != "WORKS_FOR":
            if str(d.get("status") or "").strip().lower() in NOT_MADE:
                out.append(("planned", u, v, t, when, None))
                continue
            for a in people.units(u):
                for b in people.units(v):
                    if a != b and all(g.nodes[x].get("label") in MEMBER_LABELS
                                      and not is_group(g.nodes[x]) for x in (a, b)):
                        out.append(("tie", a, b, t, when, d.get("end")))
    return people, out


def _first_engaged(g: nx.MultiDiGraph, build: str, start: dt.date, end: dt.date,
                   spans: dict[str, list[tuple[dt.date, dt.date, str | None]]]
                   ) -> list[dict[str, Any]]:
    """The organizations ``build`` engaged for the first time (see the module's text).

    ``spans`` holds each member's dated activities: (first day, last day, the event for a
    participation or None for a tie). The activities that may have been an organization's
    first are those that may have begun before every other one had surely begun.
    """
    def other_build(e: str | None) -> bool:
        return (e is not None and e != build and e in g
                and g.nodes[e].get("kind") == BUILD)

    out = []
    for n in sorted(spans):
        if g.nodes[n].get("label") != "Organization":
            continue
        acts = spans[n]
        first_day = min(a[0] for a in acts)
        if not start <= first_day <= end:
            continue
        surely_by = min(a[1] for a in acts)
        maybe_first = [a for a in acts if a[0] <= surely_by]
        if all(other_build(a[2]) for a in maybe_first):
            continue
        entry: dict[str, Any] = {"id": n, "name": name(g, n)}
        unknown = sorted({a[2] for a in maybe_first if other_build(a[2])})
        if unknown:
            entry["order_unknown"] = [{"id": e, "name": name(g, e),
                                       "date": g.nodes[e].get("date")} for e in unknown]
        out.append(entry)
    return out


def _wave(members: set[str], pairs: set[frozenset[str]], sectors: dict[str, str]
          ) -> dict[str, Any]:
    n = len(members)
    possible = n * (n - 1) // 2
    cross = sum(1 for p in pairs if len({sectors[x] for x in p}) == 2)
    return {"members": n, "ties": len(pairs),
            "density": round(len(pairs) / possible, 4) if possible else None,
            "cross_sector_share": round(cross / len(pairs), 4) if pairs else None}


def build_changes(g: nx.MultiDiGraph, build: str, *, window_months: int = 6
                  ) -> dict[str, Any]:
    """What one build changed, within ``window_months`` of its date.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("cb", label="Event", kind="coalition build", name="CB", date="2020-01-16")
    >>> for n, kind in [("a", "trucking company"), ("b", "law enforcement"),
    ...                 ("c", "truck stop"), ("d", "nonprofit")]:
    ...     g.add_node(n, label="Organization", kind=kind, name=n.upper())
    >>> _ = g.add_edge("a", "d", type="PARTNERS_WITH", date="2019-05-01")
    >>> for n in "abc":
    ...     _ = g.add_edge(n, "cb", type="ATTENDED")
    >>> _ = g.add_edge("b", "c", type="LOCAL_CONTACT", date="2020-03-01")
    >>> _ = g.add_edge("a", "b", type="PARTNERS_WITH", date="2020-12-01")  # after the window
    >>> r = build_changes(g, "cb")
    >>> [(t["source"], t["target"]) for t in r["new_ties"]], r["first_time"]
    ([('b', 'c')], [{'id': 'b', 'name': 'B'}, {'id': 'c', 'name': 'C'}])
    >>> r["before"], r["after"]["density"]
    ({'members': 2, 'ties': 1, 'density': 1.0, 'cross_sector_share': 1.0}, 0.3333)
    """
    d = g.nodes[build]
    try:
        sp = span(d.get("date"), d.get("date_precision"))
        start, end = (sp[0], add_months(sp[1], window_months)) if sp else (None, None)
    except UNUSABLE:  # a typo such as year 0 or 9999-12-31: the data problems name it
        sp = None
    if sp is None or start is None:
        return {"id": build, "name": name(g, build), "date": d.get("date"), "undated": True}
    people, acts = _activity(g)
    sectors: dict[str, str] = {}

    def sec(n: str) -> str:
        if n not in sectors:
            sectors[n] = broad_sector(g, n, people)
        return sectors[n]

    first_seen: dict[str, dt.date] = {}
    spans: dict[str, list[tuple[dt.date, dt.date, str | None]]] = {}
    first_tie: dict[frozenset[str], dt.date] = {}
    undated = 0
    new_ties = []
    planned = 0
    #: the last day each pair is tied: None while any of its ties has no end
    tie_end: dict[frozenset[str], dt.date | None] = {}
    for kind, a, b, t, span_, ended in acts:
        when = span_[0] if span_ else None
        if kind == "planned":
            planned += when is not None and start <= when <= end
            continue
        if span_ is None or when is None:
            undated += kind == "tie"
            continue
        ends = (a, b) if kind == "tie" else (a,)
        for x in ends:
            first_seen[x] = min(first_seen.get(x, when), when)
            spans.setdefault(x, []).append(
                (span_[0], span_[1], b if kind == "participation" else None))
        if kind == "tie":
            pair = frozenset((a, b))
            first_tie[pair] = min(first_tie.get(pair, when), when)
            try:
                last = span(ended)[1] if ended else None
            except UNUSABLE:
                last = None
            if pair not in tie_end or tie_end[pair] is not None:
                tie_end[pair] = None if last is None else max(last, tie_end.get(pair) or last)
            if start <= when <= end:
                new_ties.append((a, b, t, when))
    cross = [x for x in new_ties if {sec(x[0]), sec(x[1])} == {LAW_ENFORCEMENT, "industry"}
             and first_tie[frozenset(x[:2])] >= start]

    def waves(day: dt.date) -> dict[str, Any]:
        members = {n for n, w in first_seen.items() if w <= day}
        pairs = {p for p, w in first_tie.items() if w <= day
                 and (tie_end[p] is None or tie_end[p] >= day)}
        return _wave(members, pairs, {n: sec(n) for n in members})

    def tie(x: tuple[str, str, str, dt.date]) -> dict[str, Any]:
        return {"source": x[0], "source_name": name(g, x[0]), "type": x[2],
                "target": x[1], "target_name": name(g, x[1]), "date": x[3].isoformat()}

    first_time = _first_engaged(g, build, start, end, spans)
    unordered = {e["id"]: e for o in first_time for e in o.get("order_unknown", ())}
    return {
        "id": build, "name": name(g, build), "date": d.get("date"), "state": d.get("state"),
        # a build dated to the month or year only: its window runs from the first day it
        # may have been to the window's length after the last, and says so
        "date_shown": shown(d.get("date"), d.get("date_precision")),
        "approximate": sp[2] != "day",
        "window": {"from": start.isoformat(), "to": end.isoformat(), "months": window_months},
        "new_ties": [tie(x) for x in sorted(new_ties, key=lambda x: (x[3], x[0], x[1], x[2]))],
        "new_cross_sector_ties": [tie(x) for x in sorted(cross, key=lambda x: (x[3], x[0]))],
        "first_time": first_time,
        # the other builds some of them were at, whose dates cannot be put before or after
        # this one's: those organizations are listed at each
        "order_unknown": [unordered[k] for k in sorted(unordered)],
        "before": waves(start - dt.timedelta(days=1)), "after": waves(end),
        "undated_ties": undated, "planned_ties": planned,
    }


def changes_by_build(g: nx.MultiDiGraph, *, window_months: int = 6,
                     state: str | None = None) -> list[dict[str, Any]]:
    """:func:`build_changes` for every coalition build (of ``state``), oldest first.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("x", label="Event", kind="coalition build", date="2021", state="IA")
    >>> g.add_node("w", label="Event", kind="webinar", date="2020")
    >>> [b["id"] for b in changes_by_build(g)]
    ['x']
    """
    builds = [n for n, d in g.nodes(data=True) if d.get("label") == "Event"
              and d.get("kind") == BUILD and (state is None or d.get("state") == state)]
    builds.sort(key=lambda n: (str(g.nodes[n].get("date") or "9999"), n))
    return [build_changes(g, b, window_months=window_months) for b in builds]

