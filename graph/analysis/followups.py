"""Engagement funnel and follow-ups (Phase II: follow up 1, 3 and 6 months after a build)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

import networkx as nx

from graph.analysis.graphs import PARTICIPATION_TYPES, name

#: the funnel, in order. "attended" is any part in an event (attended, hosted, spoke,
#: sponsored); "committed" (pledged or considering a program) sits between attending and
#: training because commitments are the most common outcome the sources report.
STAGES = ("attended", "committed", "trained", "distributes", "reports tips")
FOLLOWUP_MONTHS = (1, 3, 6)
#: a follow-up dated this close to its due date counts for it
WINDOW_BEFORE = dt.timedelta(days=15)
WINDOW_AFTER = dt.timedelta(days=45)
#: a follow-up is "due" from WINDOW_BEFORE before its date until this long after
DUE_GRACE = dt.timedelta(days=14)
#: a full or partial ISO date as the loader writes it (digits only: int() would also take
#: signs, spaces and other scripts' digits)
_ISO = re.compile(r"[0-9]+(-[0-9]+){0,2}")
#: what a date that cannot be used raises: not a date, or beyond the calendar
_UNUSABLE = (ValueError, OverflowError, TypeError)


def first_day(date: str | None) -> dt.date | None:
    """The first day a full or partial ISO date can mean.

    >>> first_day("2020-01-16"), first_day("2014-07"), first_day("2017"), first_day(None)
    (datetime.date(2020, 1, 16), datetime.date(2014, 7, 1), datetime.date(2017, 1, 1), None)

    Raises ValueError for text that is not such a date (``2020-02-30``, ``soon``).
    """
    if not date:
        return None
    text = str(date)
    if not _ISO.fullmatch(text):
        raise ValueError(f"{text!r} is not a date")
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return dt.date(*parts[:3])


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


def add_months(d: dt.date, months: int) -> dt.date:
    """
    >>> add_months(dt.date(2020, 1, 31), 1)
    datetime.date(2020, 2, 29)
    """
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def stage_of(g: nx.MultiDiGraph, org: str) -> tuple[str, dict[str, list[str]]]:
    """The furthest funnel stage an actor reached, and the evidence for each stage."""
    evidence: dict[str, list[str]] = {s: [] for s in STAGES}
    for _, v, d in g.out_edges(org, data=True):
        t = d.get("type")
        what = name(g, v)
        if t in PARTICIPATION_TYPES:
            evidence["attended"].append(f"{t.lower().replace('_', ' ')} {what}")
        elif t in ("PLEDGED", "CONSIDERING"):
            evidence["committed"].append(f"{t.lower()} {what}" +
                                       (f" ({d['count']})" if d.get("count") else ""))
        elif t in ("TRAINED", "ADOPTED"):
            evidence["trained"].append(f"{t.lower()} {what}")
        elif t == "DISTRIBUTES":
            evidence["distributes"].append(f"distributes {what}")
        elif t == "REPORTED_TIP_TO":
            evidence["reports tips"].append(f"reported a tip to {what}")
        elif t == "HAS_METRIC" and "tip" in str(g.nodes[v].get("name", "")).lower():
            evidence["reports tips"].append(
                f"{g.nodes[v].get('name')}: {g.nodes[v].get('value')}")
    reached = [s for s in STAGES if evidence[s]]
    return (reached[-1] if reached else "none"), {k: v for k, v in evidence.items() if v}


def engagement_funnel(g: nx.MultiDiGraph) -> dict[str, Any]:
    """For every organization that took part in an event: how far it went, and who stalled
    (took part, nothing since). ``counts`` is a funnel: how many reached *at least* each
    stage. Organizations that host coalition builds (the conveners) are left out.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Organization", name="A"); g.add_node("e", label="Event", name="E")
    >>> g.add_node("p", label="Program", name="TAT training")
    >>> _ = g.add_edge("a", "e", type="ATTENDED"); _ = g.add_edge("a", "p", type="TRAINED")
    >>> f = engagement_funnel(g)
    >>> f["counts"], f["stalled"]
    ({'attended': 1, 'committed': 1, 'trained': 1, 'distributes': 0, 'reports tips': 0}, [])
    """
    # Hosts of coalition builds convene them (TAT, the trade association, the AG's office):
    # they are followed up with differently and would only crowd the stalled list.
    conveners = {u for u, v, t in g.edges(data="type") if t == "HOSTED"
                 and g.nodes[v].get("kind") == "coalition build"}
    rows = []
    for n, d in g.nodes(data=True):
        if d.get("label") != "Organization" or n in conveners:
            continue
        stage, evidence = stage_of(g, n)
        if "attended" not in evidence:
            continue
        rows.append({"id": n, "name": name(g, n), "kind": d.get("kind"), "stage": stage,
                     "evidence": evidence})
    rows.sort(key=lambda r: (STAGES.index(r["stage"]), r["name"]))
    counts = {s: sum(1 for r in rows if STAGES.index(r["stage"]) >= STAGES.index(s))
              for s in STAGES}
    stalled = [{"id": r["id"], "name": r["name"], "kind": r["kind"],
                "evidence": r["evidence"]["attended"]}
               for r in rows if r["stage"] == "attended"]
    return {"stages": list(STAGES), "counts": counts, "organizations": rows,
            "stalled": stalled}


def _windows(start: dt.date) -> list[tuple[int, dt.date, dt.date, dt.date]]:
    """``(months, due, window start, window end)`` of each follow-up of a build; raises
    OverflowError or ValueError when one falls beyond the calendar (after 9999-12-31)."""
    out = []
    for months in FOLLOWUP_MONTHS:
        due = add_months(start, months)
        out.append((months, due, due - WINDOW_BEFORE, due + WINDOW_AFTER))
    return out


def followups(g: nx.MultiDiGraph, as_of: dt.date, *,
              problems: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The 1-, 3- and 6-month follow-ups of every coalition build, as of a date.

    ``status``: done (a follow-up event FOLLOWS the build, dated within 15 days before to 45
    days after), upcoming, due (from 15 days before to 14 days after), overdue. Builds dated
    only to a month or year are followed up from their first possible day (``approximate``).
    Most urgent first: overdue, due, upcoming, done.

    A build or follow-up whose date cannot be used (not a date, or so late that a follow-up
    would fall after 9999-12-31) is left out, never an error; each one is appended to
    ``problems``, when given, as ``{"entity", "field", "value", "analysis", "problem"}``.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("b", label="Event", kind="coalition build", name="B", date="2020-01-16")
    >>> g.add_node("f", label="Event", kind="follow-up", name="F", date="2020-02-20")
    >>> _ = g.add_edge("f", "b", type="FOLLOWS")
    >>> [(x["months"], x["status"]) for x in followups(g, dt.date(2020, 4, 20))]
    [(3, 'due'), (6, 'upcoming'), (1, 'done')]
    >>> g.add_node("x", label="Event", kind="coalition build", name="X", date="9999-12-31")
    >>> found = []
    >>> len(followups(g, dt.date(2020, 4, 20), problems=found)), found[0]["entity"]["id"]
    (3, 'x')
    """
    problems = [] if problems is None else problems
    out = []
    for n, d in g.nodes(data=True):
        if d.get("label") != "Event" or d.get("kind") != "coalition build":
            continue
        try:
            start = first_day(d.get("date"))
            windows = _windows(start) if start else []
        except _UNUSABLE:
            problems.append(_problem(g, n, _why(d.get("date"))))
            continue
        if start is None:
            continue
        done = []
        for f, _, t in g.in_edges(n, data="type"):
            if t != "FOLLOWS" or not g.nodes[f].get("date"):
                continue
            try:
                done.append((first_day(g.nodes[f]["date"]), f))
            except _UNUSABLE:
                problems.append(_problem(g, f, _why(g.nodes[f]["date"])))
        done.sort()
        for months, due, opens, closes in windows:
            hit = [f for day, f in done if opens <= day <= closes]
            if hit:
                status = "done"
            elif as_of < opens:
                status = "upcoming"
            elif as_of <= due + DUE_GRACE:
                status = "due"
            else:
                status = "overdue"
            out.append({
                "event": {"id": n, "name": name(g, n)}, "state": d.get("state"),
                "event_date": d.get("date"), "months": months, "due": due.isoformat(),
                "approximate": d.get("date_precision", "day") != "day",
                "status": status, "days_overdue": (as_of - due).days if status == "overdue"
                else None,
                "followed_up_by": [{"id": f, "name": name(g, f)} for f in hit],
            })
    order = {"overdue": 0, "due": 1, "upcoming": 2, "done": 3}
    out.sort(key=lambda x: (order[x["status"]], x["due"], x["event"]["id"], x["months"]))
    return out
