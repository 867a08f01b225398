"""``--as-of DATE``: the graph as it stood on a day, before any analysis runs.

One function, :func:`as_of`, applied once to the projected graph: every analysis then sees
only what had happened by that day. Left out: events, metrics and other dated nodes whose
date had certainly not come (their first possible day is after the day), relationships and
commitments dated after it, relationships tied to an event left out (``event_id``), metrics
of a scope left out, and unnamed groups left with nothing. A law dated after the day is
shown with the last status it had reached by then (from its ``introduced``, ``signed`` and
``effective`` dates), or left out when none. Undated items stay: nothing says they came
later. A month or year that contains the day stays too, and ``approximations`` says so.

Ties that hold for a while (``start``, ``end``: a contact protocol that lapsed, a person who
left an agency): a tie that starts after the day is left out like a dated one; a relationship
whose ``end`` had certainly passed (its last possible day is before the day) is left out,
and one whose end month or year contains the day stays, with a note. Ended employment
(``WORKS_FOR``) stays, marked ``ended``: the organization keeps the credit for what the
person did while there, and :class:`graph.analysis.graphs.People` leaves it out of who
works there now.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import networkx as nx

from graph.analysis.dates import UNUSABLE, span
from graph.analysis.graphs import canonical, is_group, name

#: a law's milestones, in the order they happen
LAW_MILESTONES = ("introduced", "signed", "effective")


def _span(value: Any, precision: Any = None) -> tuple[dt.date, dt.date, str] | None:
    try:
        return span(value, precision)
    except UNUSABLE:
        return None  # analyses that compute with dates report it; here it cannot tell


def _law_as_of(d: dict[str, Any], when: dt.date) -> dict[str, Any] | None:
    """A law's properties as they stood on ``when``, or None before its first milestone."""
    sp = _span(d.get("date"), d.get("date_precision"))
    if sp is None or sp[0] <= when:
        return d
    reached = []
    for i, milestone in enumerate(LAW_MILESTONES):
        m = _span(d.get(milestone))
        if m is not None and m[0] <= when:
            reached.append((m[0], i, milestone))
    if not reached:
        return None
    _, _, milestone = max(reached)
    return {**d, "status": milestone, "date": d.get(milestone), "date_precision": None,
            "status_as_of": f"{milestone} by {when.isoformat()}; {d.get('status')} "
                            f"{d.get('date')}, after that day"}


def as_of(g: nx.MultiDiGraph, when: dt.date, *, approximations: list[str] | None = None
          ) -> nx.MultiDiGraph:
    """The graph as of ``when`` (a copy in canonical order; ``g`` is not changed).

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("old", label="Event", date="2015-05-01")
    >>> g.add_node("new", label="Event", date="2018-03-01")
    >>> g.add_node("month", label="Event", date="2016-10", date_precision="month")
    >>> g.add_node("org", label="Organization")
    >>> _ = g.add_edge("org", "new", type="ATTENDED")
    >>> _ = g.add_edge("org", "old", type="PARTNERS_WITH", date="2017-01-01")
    >>> notes = []
    >>> h = as_of(g, dt.date(2016, 10, 15), approximations=notes)
    >>> sorted(h), h.number_of_edges()
    (['month', 'old', 'org'], 0)
    >>> print(*notes)
    as of 2016-10-15: month (dated 2016-10, month only) is kept, though it may fall after that day

    A protocol that lapsed in 2019 holds as of 2018, not as of 2020; ended employment is
    kept, marked:

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("ts", label="Organization")
    >>> g.add_node("pd", label="Organization")
    >>> g.add_node("p", label="Person")
    >>> _ = g.add_edge("ts", "pd", type="LOCAL_CONTACT", start="2016-03", end="2019-06-30")
    >>> _ = g.add_edge("p", "pd", type="WORKS_FOR", end="2019")
    >>> [as_of(g, dt.date(y, 1, 1)).number_of_edges() for y in (2016, 2018, 2020)]
    [1, 2, 1]
    >>> list(as_of(g, dt.date(2020, 1, 1)).edges(data="ended"))
    [('p', 'pd', True)]
    """
    notes = approximations if approximations is not None else []
    keep: dict[Any, dict[str, Any]] = {}
    for n, d in g.nodes(data=True):
        if d.get("label") == "Law":
            law = _law_as_of(d, when)
            if law is not None:
                keep[n] = law
            continue
        sp = _span(d.get("date"), d.get("date_precision"))
        if sp is not None and sp[0] > when:
            continue
        if sp is not None and sp[1] > when:
            notes.append(f"as of {when.isoformat()}: {name(g, n)} (dated {d.get('date')}, "
                         f"{sp[2]} only) is kept, though it may fall after that day")
        keep[n] = d
    for n, d in list(keep.items()):  # a metric of a scope that had not happened yet
        if d.get("label") == "Metric" and d.get("scope_id") in g and d["scope_id"] not in keep:
            del keep[n]
    h = canonical(g, keep)
    for n, d in keep.items():
        if d is not g.nodes[n]:  # a law shown as it stood
            h.nodes[n].clear()
            h.nodes[n].update(d)
    drop = []
    for u, v, k, d in h.edges(keys=True, data=True):
        sp = _span(d["start"]) if d.get("start") else _span(d.get("date"),
                                                            d.get("date_precision"))
        event = d.get("event_id")
        if (sp is not None and sp[0] > when) or (event and event in g and event not in h):
            drop.append((u, v, k))
            continue
        end = _span(d.get("end"))
        if end is None or end[0] > when or (end[1] >= when and end[2] == "day"):
            continue  # not ended yet: it holds through its last day
        if end[1] < when:
            if d.get("type") == "WORKS_FOR":
                h.edges[u, v, k]["ended"] = True
            else:
                drop.append((u, v, k))
        else:
            notes.append(f"as of {when.isoformat()}: the {d.get('type', 'tie')} tie of "
                         f"{name(g, u)} and {name(g, v)} ended {d['end']} ({end[2]} only) and "
                         "is kept, though it may have ended by that day")
    h.remove_edges_from(drop)
    lonely = [n for n, d in h.nodes(data=True) if is_group(d) and h.degree(n) == 0
              and g.degree(n) > 0]
    h.remove_nodes_from(lonely)
    notes.sort()
    return h
