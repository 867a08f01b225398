"""Laws by state, and Phase II goal 6: "Mandate the TAT and BOTL trainings at the CDL
entry-level".

A law (base label ``Law``, from the workbook's laws sheet) has a jurisdiction (``state``), a
``status`` (introduced, passed, signed, effective, failed, repealed) with its date, the
programs it ``MANDATES`` and the people or organizations that ``SPONSORS_BILL`` it.

Goal 6 for a state: ``mandated`` when a law of the state that has passed (passed, signed or
effective) mandates a training program (a program of kind training, or one named for CDL or
entry-level training); ``pending`` when such a law is only introduced; ``not mandated``
when the only such laws failed or were repealed; ``not recorded`` when the graph holds no
such law: that is a gap in the record, never a finding that the state has no mandate.
"""

from __future__ import annotations

import re
from typing import Any

import networkx as nx

from graph.analysis.dates import shown
from graph.analysis.graphs import name

LAW = "Law"
PASSED = ("passed", "signed", "effective")
ENDED = ("failed", "repealed")
CDL = re.compile(r"\bcdl\b|entry.level", re.I)


def _trains(g: nx.MultiDiGraph, program: str) -> bool:
    d = g.nodes[program]
    return d.get("kind") == "training" or bool(CDL.search(f"{program} {d.get('name', '')}"))


def laws(g: nx.MultiDiGraph, state: str) -> dict[str, Any]:
    """The laws of a state and where goal 6 stands.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("law:tx:hb-1", label="Law", state="TX", name="CDL training act",
    ...            bill="HB 1", status="signed", date="2019-06")
    >>> g.add_node("p", label="Program", kind="training", name="TAT training")
    >>> _ = g.add_edge("law:tx:hb-1", "p", type="MANDATES")
    >>> r = laws(g, "TX")
    >>> r["cdl_entry_level"]["status"], r["cdl_entry_level"]["by"][0]["id"]
    ('mandated', 'law:tx:hb-1')
    >>> laws(g, "MS")["cdl_entry_level"]["status"]
    'not recorded'
    """
    rows = []
    for n, d in g.nodes(data=True):
        if d.get("label") != LAW or d.get("state") != state:
            continue
        mandates = sorted(v for _, v, t in g.out_edges(n, data="type") if t == "MANDATES")
        sponsors = sorted(u for u, _, t in g.in_edges(n, data="type") if t == "SPONSORS_BILL")
        rows.append({"id": n, "name": name(g, n), "bill": d.get("bill"),
                     "status": d.get("status"), "date": d.get("date"),
                     "date_shown": shown(d.get("date"), d.get("date_precision")),
                     "status_as_of": d.get("status_as_of"),
                     "citation": d.get("citation"), "note": d.get("note"),
                     "mandates": [{"id": v, "name": name(g, v)} for v in mandates],
                     "sponsors": [{"id": u, "name": name(g, u)} for u in sponsors],
                     "cdl_training": any(_trains(g, v) for v in mandates)})
    rows.sort(key=lambda r: (str(r["date"] or ""), r["id"]))
    relevant = [r for r in rows if r["cdl_training"]]
    status, by = "not recorded", []
    for statuses, word in ((PASSED, "mandated"), (("introduced",), "pending"),
                           (ENDED, "not mandated")):
        found = [r for r in relevant if r["status"] in statuses]
        if found:
            status, by = word, found
            break
    what = {"mandated": "mandated by", "pending": "introduced, not yet passed:",
            "not mandated": "no longer or never in force:"}.get(status)
    note = (f"{what} " + "; ".join(f"{r['bill'] or r['name']} ({r['status']} "
                                   f"{r['date_shown'] or 'undated'})" for r in by)
            if by else f"no law mandating TAT or BOTL training at CDL entry level is "
                       f"recorded for {state}: if there is one, add it to the laws sheet")
    return {"state": state, "laws": rows,
            "cdl_entry_level": {"status": status, "by": [{"id": r["id"], "name": r["name"]}
                                                         for r in by], "note": note}}
