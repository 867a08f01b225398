"""Engagement funnel and follow-ups (Phase II: follow up 1, 3 and 6 months after a build).

The schedule comes from the blueprint (:class:`graph.analysis.blueprint.Schedule`): each
build has a point ``months`` after it; a follow-up recorded within ``window_days`` either
side of a point is that point done. The statuses, as of a date:

- ``done``: a recorded follow-up (an event that ``FOLLOWS`` the build) falls in the window;
  each follow-up counts for the nearest point whose window it falls in.
- ``upcoming``: the window has not opened; ``due``: the window is open;
- ``overdue``: the window has closed, the build is less than ``horizon_months`` old;
- ``missed``: past the horizon with nothing recorded: history, not an action;
- ``unknown``: the build's date is too vague to place the point (known only to the year,
  or not at all): said instead of guessed.

A build known to the month is placed: its point runs from the point of the month's first
day to that of its last, and the window widens to match (``approximate``). A year is too
wide (a 1-month point could be any of twelve months): its points are ``unknown``, except
what any day of that year would give alike (``upcoming`` before the earliest window,
``missed`` after the latest horizon when nothing is recorded). A follow-up known to the
month counts at the middle of its month (marked ``approximate``); one known only to the
year, or undated, is listed as unmatched with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import networkx as nx

from graph.analysis.blueprint import Schedule
from graph.analysis.dates import UNUSABLE, add_months, first_day, node_span, shown
from graph.analysis.graphs import (
    COMMITMENT_TYPES,
    TIE_TYPES,
    People,
    credited,
    evidence,
    is_group,
    name,
    outcomes,
)

#: the funnel, in order. "attended" is any part in an event (attended, hosted, spoke,
#: sponsored), or being named among a build's outcomes (OUTCOME_OF) without attending; "committed" (pledged or considering a program) sits between attending and
#: training because commitments are the most common outcome the sources report.
STAGES = ("attended", "committed", "trained", "distributes", "reports tips")
STATUSES = ("overdue", "due", "upcoming", "unknown", "done", "missed")
_UNUSABLE = UNUSABLE


def _why(date: Any) -> str:
    try:
        first_day(date)
    except _UNUSABLE:
        return "is not a date (write YYYY, YYYY-MM or YYYY-MM-DD)"
    return "is too late: its follow-ups would fall after 9999-12-31, the last day there is"


def _problem(g: nx.MultiDiGraph, n: str, problem: str) -> dict[str, Any]:
    value = g.nodes[n].get("date")
    return {"entity": {"id": n, "name": name(g, n)}, "field": "date", "value": str(value),
            "analysis": "followups",
            "problem": f"date {str(value)!r} {problem}; it is left out of the follow-up "
                       "schedule: correct it in the workbook and load it again"}


def _stage(t: str, g: nx.MultiDiGraph, v: str, d: dict[str, Any]) -> tuple[str, str] | None:
    what = name(g, v)
    if t in ("PLEDGED", "CONSIDERING"):
        count = d.get("count_text") or d.get("count")
        return "committed", f"{t.lower()} {what}" + (f" ({count})" if count else "")
    if t in ("TRAINED", "ADOPTED"):
        return "trained", f"{t.lower()} {what}"
    if t == "DISTRIBUTES":
        return "distributes", f"distributes {what}"
    if t == "REPORTED_TIP_TO":
        return "reports tips", f"reported a tip to {what}"
    if t == "HAS_METRIC" and "tip" in str(g.nodes[v].get("name", "")).lower():
        value = g.nodes[v].get("value_text") or g.nodes[v].get("value")
        return "reports tips", f"{g.nodes[v].get('name')}: {value}"
    return None


def stage_of(g: nx.MultiDiGraph, org: str, people: People | None = None,
             took: list[dict[str, Any]] | None = None) -> tuple[str, dict[str, list[str]]]:
    """The furthest funnel stage an actor reached, and the evidence for each stage; an
    organization's people's parts and commitments are its own, named in the evidence."""
    people = people or People(g)
    if took is None:
        took = [r for r in credited(g, people) if r["unit"] == org]
    evidence_: dict[str, list[str]] = {s: [] for s in STAGES}
    evidence_["attended"] = sorted({evidence(g, r) for r in took})
    for who in [org, *people.staff.get(org, [])]:
        via = f"via {people.via(who)}, " if who != org else ""
        for _, v, d in g.out_edges(who, data=True):
            found = _stage(d.get("type"), g, v, d)
            if found:
                evidence_[found[0]].append(via + found[1])
    reached = [s for s in STAGES if evidence_[s]]
    return (reached[-1] if reached else "none"), {k: sorted(v) for k, v in evidence_.items()
                                                  if v}


def engagement_funnel(g: nx.MultiDiGraph) -> dict[str, Any]:
    """For every organization that took part in an event (itself or through its people):
    how far it went, and who stalled (took part, nothing since). ``counts`` is a funnel: how
    many reached *at least* each stage. Organizations that host coalition builds (the
    conveners) are left out. Unnamed groups are listed apart (``unnamed``), not counted.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Organization", name="A"); g.add_node("e", label="Event", name="E")
    >>> g.add_node("p", label="Program", name="TAT training")
    >>> _ = g.add_edge("a", "e", type="ATTENDED"); _ = g.add_edge("a", "p", type="TRAINED")
    >>> f = engagement_funnel(g)
    >>> f["counts"], f["stalled"]
    ({'attended': 1, 'committed': 1, 'trained': 1, 'distributes': 0, 'reports tips': 0}, [])
    """
    people = People(g)
    records = credited(g, people)
    # Hosts of coalition builds convene them (TAT, the trade association, the AG's office):
    # they are followed up with differently and would only crowd the stalled list.
    conveners = {r["unit"] for r in records if r["type"] == "HOSTED"
                 and g.nodes[r["event"]].get("kind") == "coalition build"}
    took: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        took.setdefault(r["unit"], []).append(r)
    # Named among a build's outcomes but not said to have attended: followed up all the same
    for r in outcomes(g, people):
        if r["unit"] not in took or all(x["type"] == "OUTCOME_OF" for x in took[r["unit"]]):
            took.setdefault(r["unit"], []).append(r)
    rows, unnamed = [], []
    for n, recs in sorted(took.items()):
        d = g.nodes[n]
        if is_group(d):
            stage, ev = stage_of(g, n, people, recs)
            unnamed.append({"id": n, "name": name(g, n), "kind": d.get("kind"),
                            "count": d.get("count"), "count_text": d.get("count_text"),
                            "stage": stage, "evidence": ev})
            continue
        if d.get("label") != "Organization" or n in conveners:
            continue
        stage, ev = stage_of(g, n, people, recs)
        rows.append({"id": n, "name": name(g, n), "kind": d.get("kind"), "stage": stage,
                     "evidence": ev})
    rows.sort(key=lambda r: (STAGES.index(r["stage"]), r["name"], r["id"]))
    counts = {s: sum(1 for r in rows if STAGES.index(r["stage"]) >= STAGES.index(s))
              for s in STAGES}
    # "Nothing since" must be true: a tie formed (Moss Adams became a sponsor after
    # attending) or being named among a build's outcomes is something, though no stage.
    stalled = [{"id": r["id"], "name": r["name"], "kind": r["kind"],
                "evidence": r["evidence"]["attended"]}
               for r in rows if r["stage"] == "attended" and not _acted(g, r["id"], people)
               and not any(x["type"] == "OUTCOME_OF" for x in took[r["id"]])]
    committed_only = {n for n, d in g.nodes(data=True) if d.get("label") == "Organization"
                      and n not in took and any(t in COMMITMENT_TYPES for *_, t in
                                                g.out_edges(n, data="type"))}
    return {"stages": list(STAGES), "counts": counts, "organizations": rows,
            "stalled": stalled, "unnamed": unnamed,
            "committed_without_event": len(committed_only),
            "conveners": sorted(conveners)}


#: ties that show nothing done: who one works for or belongs to
_STANDING = frozenset({"WORKS_FOR", "MEMBER_OF"})


def _acted(g: nx.MultiDiGraph, org: str, people: People) -> bool:
    """Has the organization, or one of its people, formed a tie (referred, introduced,
    sponsors, reported a tip...)?"""
    for who in [org, *people.staff.get(org, [])]:
        for _, _, t in [*g.out_edges(who, data="type"), *g.in_edges(who, data="type")]:
            if t in TIE_TYPES and t not in _STANDING:
                return True
    return False


def _later(d: dt.date, months: int, *, clamp: bool) -> dt.date:
    """``d`` plus months, or the last day there is when that is beyond the calendar and
    ``clamp`` (a bound only compared with, never shown as a date)."""
    try:
        return add_months(d, months)
    except _UNUSABLE:
        if clamp:
            return dt.date.max
        raise


def _plus(d: dt.date, days: int, *, clamp: bool) -> dt.date:
    try:
        return d + dt.timedelta(days=days)
    except _UNUSABLE:
        if clamp:
            return dt.date.max if days > 0 else dt.date.min
        raise


def _points(first: dt.date, last: dt.date, s: Schedule, clamp: bool
            ) -> list[dict[str, Any]]:
    """Each point's due range, window and the horizon (raises OverflowError or ValueError
    when one falls beyond the calendar, unless ``clamp``)."""
    horizon = _later(last, s.horizon_months, clamp=clamp)
    out = []
    for months in s.months:
        d0, d1 = _later(first, months, clamp=clamp), _later(last, months, clamp=clamp)
        out.append({"months": months, "d0": d0, "d1": d1,
                    "w0": _plus(d0, -s.window_days, clamp=clamp),
                    "w1": _plus(d1, s.window_days, clamp=clamp), "horizon": horizon})
    return out


def _recorded(g: nx.MultiDiGraph, build: str, problems: list[dict[str, Any]]
              ) -> list[dict[str, Any]]:
    """The follow-ups recorded for a build: ``{"id", "day", "approximate", "why"}``; ``day``
    is None when the follow-up cannot be placed (``why`` says so)."""
    out = []
    for f, _, t in g.in_edges(build, data="type"):
        if t != "FOLLOWS":
            continue
        try:
            sp = node_span(g.nodes[f])
        except _UNUSABLE:
            problems.append(_problem(g, f, _why(g.nodes[f].get("date"))))
            continue
        if sp is None:
            out.append({"id": f, "day": None, "approximate": True,
                        "why": "it has no date: record when it took place"})
        elif sp[2] == "year":
            out.append({"id": f, "day": None, "approximate": True,
                        "why": f"it is dated only to the year {g.nodes[f]['date']}: record "
                               "its month or day"})
        else:
            out.append({"id": f, "day": sp[0] + (sp[1] - sp[0]) // 2,
                        "approximate": sp[2] != "day", "why": None})
    return sorted(out, key=lambda x: x["id"])


def _distance(day: dt.date, p: dict[str, Any]) -> int:
    return 0 if p["d0"] <= day <= p["d1"] else min(abs((day - p["d0"]).days),
                                                    abs((day - p["d1"]).days))


def _plan_of(d: dict[str, Any], plan: Schedule) -> Schedule:
    """The blueprint's schedule, or the build's own months when its programme states them
    (``followup_months``, e.g. a report that follows up "two months after the meeting").

    >>> _plan_of({"followup_months": [2]}, Schedule()).months, _plan_of({}, Schedule()).months
    ((2,), (1, 3, 6))
    """
    own = d.get("followup_months")
    return replace(plan, months=tuple(int(m) for m in own)) if own else plan


def schedule(g: nx.MultiDiGraph, as_of: dt.date, *, plan: Schedule | None = None,
             problems: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Every coalition build's follow-up points as of a date (``points``), and the recorded
    follow-ups that match no point (``unmatched``, each with the reason). Points most urgent
    first: overdue, due, upcoming, unknown, done, missed.

    A build or follow-up whose date cannot be used (not a date, or so late that a follow-up
    would fall after 9999-12-31) is left out, never an error; each one is appended to
    ``problems``, when given, as ``{"entity", "field", "value", "analysis", "problem"}``.
    """
    plan = plan or Schedule()
    problems = [] if problems is None else problems
    points, unmatched = [], []
    for n, d in g.nodes(data=True):
        if d.get("label") != "Event" or d.get("kind") != "coalition build":
            continue
        build_plan = _plan_of(d, plan)
        try:
            sp = node_span(d)
            placed = sp is not None and sp[2] != "year"
            pts = _points(sp[0], sp[1], build_plan, clamp=not placed) if sp else []
        except _UNUSABLE:
            problems.append(_problem(g, n, _why(d.get("date"))))
            continue
        recorded = _recorded(g, n, problems)
        hits: dict[int, list[dict[str, Any]]] = {}
        for f in recorded:
            fits = [p for p in pts if placed and f["day"] is not None
                    and p["w0"] <= f["day"] <= p["w1"]]
            if fits:
                best = min(fits, key=lambda p: (_distance(f["day"], p), p["months"]))
                hits.setdefault(best["months"], []).append(f)
                continue
            why = f["why"] or (
                f"the build {n!r} is dated only to the year: no point can be placed"
                if not placed else
                f"it matches no scheduled point ({', '.join(map(str, build_plan.months))} "
                f"months after the build, {plan.window_days} days either side); if this "
                "programme follows up at other times, set followups.months in the blueprint "
                "or the build's followup_months")
            unmatched.append({"followup": {"id": f["id"], "name": name(g, f["id"])},
                              "event": {"id": n, "name": name(g, n)}, "state": d.get("state"),
                              "date": g.nodes[f["id"]].get("date"), "why": why})
        base = {"event": {"id": n, "name": name(g, n)}, "state": d.get("state"),
                "event_date": d.get("date"), "event_date_precision": sp[2] if sp else None,
                "approximate": not sp or sp[2] != "day",
                **({"own_months": list(build_plan.months)} if build_plan is not plan else {})}
        if not sp:
            for months in build_plan.months:
                points.append({**base, "months": months, "due": None, "due_from": None,
                               "due_to": None, "window_start": None, "window_end": None,
                               "horizon_end": None, "status": "unknown",
                               "days_overdue": None, "followed_up_by": [],
                               "note": "the build has no date: record it to schedule its "
                                       "follow-ups"})
            continue
        for p in pts:
            points.append({**base, **_status(p, placed, as_of, hits.get(p["months"], []),
                                             bool(recorded), d.get("date"), build_plan,
                                             g)})
    order = {s: i for i, s in enumerate(STATUSES)}
    points.sort(key=lambda x: (order[x["status"]], x["due_from"] or "", x["event"]["id"],
                               x["months"]))
    unmatched.sort(key=lambda x: (x["event"]["id"], x["followup"]["id"]))
    return {"points": points, "unmatched": unmatched}


def _iso(d: dt.date) -> str | None:
    return None if d in (dt.date.max, dt.date.min) else d.isoformat()


def _status(p: dict[str, Any], placed: bool, as_of: dt.date, hits: list[dict[str, Any]],
            anything: bool, date: Any, plan: Schedule, g: nx.MultiDiGraph) -> dict[str, Any]:
    due = (p["d0"].isoformat() if p["d0"] == p["d1"] else p["d0"].isoformat()[:7]) \
        if placed else None
    note, days = None, None
    if hits:
        status = "done"
    elif as_of < p["w0"]:
        status = "upcoming"
        if not placed:
            note = (f"the build is dated only to the year {date}; its {p['months']}-month "
                    f"point is not before {_iso(p['d0'])}")
    elif not placed:
        status = "missed" if as_of > p["horizon"] and not anything else "unknown"
        if status == "unknown":
            note = (f"the build is dated only to the year {date}: its {p['months']}-month "
                    f"point falls between {_iso(p['d0'])} and "
                    f"{_iso(p['d1']) or 'the end of the calendar'}; record the build's "
                    "month or day to place it")
    elif as_of <= p["w1"]:
        status = "due"
    elif as_of <= p["horizon"]:
        status = "overdue"
        days = (as_of - p["d1"]).days
    else:
        status = "missed"
    if status == "missed":
        note = (f"past the {plan.horizon_months}-month horizon (ended {_iso(p['horizon'])}) "
                "with no follow-up recorded")
    return {"months": p["months"], "due": due, "due_from": _iso(p["d0"]),
            "due_to": _iso(p["d1"]), "window_start": _iso(p["w0"]),
            "window_end": _iso(p["w1"]), "horizon_end": _iso(p["horizon"]),
            "status": status, "days_overdue": days,
            "followed_up_by": [{"id": f["id"], "name": name(g, f["id"]),
                                "date": shown(g.nodes[f["id"]].get("date"),
                                              g.nodes[f["id"]].get("date_precision")),
                                "approximate": f["approximate"],
                                **_contact(g, f["id"])} for f in hits],
            "note": note}


def _contact(g: nx.MultiDiGraph, f: str) -> dict[str, Any]:
    """How a logged follow-up was made and whom it reached (graph/followup_log.py: its
    ``contact`` and the ``CONTACTED`` ties); nothing for a follow-up without them.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("f", contact="call"); g.add_node("o", name="O")
    >>> _ = g.add_edge("o", "f", type="CONTACTED")
    >>> _contact(g, "f"), _contact(g, "o")
    ({'contact': 'call', 'contacted': [{'id': 'o', 'name': 'O'}]}, {})
    """
    who = sorted({u for u, _, t in g.in_edges(f, data="type") if t == "CONTACTED"})
    out: dict[str, Any] = {}
    if g.nodes[f].get("contact"):
        out["contact"] = g.nodes[f]["contact"]
    if who:
        out["contacted"] = [{"id": u, "name": name(g, u)} for u in who]
    return out


def followups(g: nx.MultiDiGraph, as_of: dt.date, *, plan: Schedule | None = None,
              problems: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The follow-up points of every coalition build, as of a date (see :func:`schedule`).

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("b", label="Event", kind="coalition build", name="B", date="2020-01-16")
    >>> g.add_node("f", label="Event", kind="follow-up", name="F", date="2020-02-20")
    >>> _ = g.add_edge("f", "b", type="FOLLOWS")
    >>> [(x["months"], x["status"]) for x in followups(g, dt.date(2020, 4, 20))]
    [(3, 'due'), (6, 'upcoming'), (1, 'done')]
    >>> [x["status"] for x in followups(g, dt.date(2026, 1, 1))]  # past the 12-month horizon
    ['done', 'missed', 'missed']
    >>> g.add_node("x", label="Event", kind="coalition build", name="X", date="9999-12-31")
    >>> found = []
    >>> len(followups(g, dt.date(2020, 4, 20), problems=found)), found[0]["entity"]["id"]
    (3, 'x')
    """
    return schedule(g, as_of, plan=plan, problems=problems)["points"]

