"""Local contact protocol gaps (Phase I goal 3: introduce truck stop and bus terminal owners
to their local law enforcement): every truck stop, bus terminal and casino without a tie to
law enforcement in its county (or its state, where the county is unknown)."""

from __future__ import annotations

from typing import Any

import networkx as nx

from graph.analysis.graphs import LAW_ENFORCEMENT, TIE_TYPES, name, sector

SITE_KINDS = ("truck stop", "bus terminal", "casino")


def law_enforcement_index(g: nx.MultiDiGraph) -> dict[tuple[str, str], list[str]]:
    """Law enforcement organizations by ("county", FIPS) and by ("state", code), built once
    per graph (a scan per site was the slowest part of a state's report)."""
    index: dict[tuple[str, str], list[str]] = {}
    for n, x in g.nodes(data=True):
        if x.get("label") == "Organization" and sector(g, n) == LAW_ENFORCEMENT:
            if x.get("county_fips"):
                index.setdefault(("county", x["county_fips"]), []).append(n)
            if x.get("state"):
                index.setdefault(("state", x["state"]), []).append(n)
    for ids in index.values():
        ids.sort()
    return index


def local_law_enforcement(g: nx.MultiDiGraph, site: str,
                          index: dict[tuple[str, str], list[str]] | None = None) -> list[str]:
    """Law enforcement organizations in the site's county, or its state if no county."""
    index = index if index is not None else law_enforcement_index(g)
    d = g.nodes[site]
    if d.get("county_fips"):
        return index.get(("county", d["county_fips"]), [])
    return index.get(("state", d.get("state") or ""), [])


def contact_gaps(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Sites whose tie to local law enforcement is missing or not a local-contact protocol.

    ``gap`` is ``none`` (no tie to local law enforcement at all) or ``no-protocol`` (tied,
    but not by a LOCAL_CONTACT relationship). Most urgent first.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("ts", label="Organization", kind="truck stop", name="Stop", state="MS")
    >>> g.add_node("pd", label="Organization", kind="law enforcement", name="PD", state="MS")
    >>> [(x["id"], x["gap"], [c["id"] for c in x["local_law_enforcement"]])
    ...  for x in contact_gaps(g)]
    [('ts', 'none', ['pd'])]
    >>> _ = g.add_edge("ts", "pd", type="LOCAL_CONTACT")
    >>> contact_gaps(g)
    []
    """
    out = []
    index = law_enforcement_index(g)
    for n, d in g.nodes(data=True):
        if d.get("label") != "Organization" or d.get("kind") not in SITE_KINDS:
            continue
        local = local_law_enforcement(g, n, index)
        ties = {}
        for u, v, t in list(g.out_edges(n, data="type")) + list(g.in_edges(n, data="type")):
            other = v if u == n else u
            if t in TIE_TYPES and other in g and sector(g, other) == LAW_ENFORCEMENT:
                ties.setdefault(other, set()).add(t)
        protocol = [o for o, ts in ties.items() if "LOCAL_CONTACT" in ts]
        if protocol:
            continue
        gap = "no-protocol" if ties else "none"
        out.append({
            "id": n, "name": name(g, n), "kind": d.get("kind"), "state": d.get("state"),
            "county": d.get("county"), "gap": gap,
            "ties_to_law_enforcement": [{"id": o, "name": name(g, o), "types": sorted(ts)}
                                        for o, ts in sorted(ties.items())],
            "local_law_enforcement": [{"id": o, "name": name(g, o)} for o in local],
            "scope": "county" if d.get("county_fips") else "state",
        })
    out.sort(key=lambda x: (x["gap"] != "none", x["state"] or "", x["name"]))
    return out
