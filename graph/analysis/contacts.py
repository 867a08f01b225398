"""Local contact protocol gaps (Phase I goal 3: introduce truck stop and bus terminal owners
to their local law enforcement): every truck stop, bus terminal and casino without a tie to
law enforcement in its county (or its state, where the county is unknown).

Ties go through people: a site's manager's tie to an officer is the site's tie to the
officer's department, and the evidence names both people.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from graph.analysis.graphs import LAW_ENFORCEMENT, TIE_TYPES, People, is_group, name, sector

SITE_KINDS = ("truck stop", "bus terminal", "casino")
#: levels that are not the local law enforcement of a site (state patrol, federal agencies)
NOT_LOCAL = ("state", "national", "federal", "international")


def law_enforcement_index(g: nx.MultiDiGraph) -> dict[tuple[str, str], list[str]]:
    """Law enforcement organizations by ("county", FIPS) and by ("state", code), built once
    per graph (a scan per site was the slowest part of a state's report). Organizations
    whose recorded level is state or wider are not anyone's local law enforcement."""
    index: dict[tuple[str, str], list[str]] = {}
    for n, x in g.nodes(data=True):
        if x.get("label") == "Organization" and sector(g, n) == LAW_ENFORCEMENT \
                and x.get("level") not in NOT_LOCAL:
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


def _ties(g: nx.MultiDiGraph, site: str, people: People) -> dict[str, dict[str, set[str]]]:
    """Law enforcement units the site (or one of its people) is tied to: unit -> {"types",
    "via"}; ``via`` names the people a tie runs through."""
    ties: dict[str, dict[str, set[str]]] = {}
    for who in [site, *people.staff.get(site, [])]:
        for u, v, t in list(g.out_edges(who, data="type")) + list(g.in_edges(who,
                                                                             data="type")):
            other = v if u == who else u
            if t not in TIE_TYPES or t == "WORKS_FOR" or other == site:
                continue
            for unit in people.units(other):
                if unit == site or sector(g, unit, people) != LAW_ENFORCEMENT:
                    continue
                entry = ties.setdefault(unit, {"types": set(), "via": set()})
                entry["types"].add(t)
                ends = [people.via(x) for x in (who, other) if x not in (site, unit)]
                if ends:
                    entry["via"].add(" and ".join(ends))
    return ties


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
    >>> g.add_node("m", label="Person", name="Ann", title="Manager")
    >>> g.add_node("o", label="Person", name="Bo", title="Officer")
    >>> _ = g.add_edge("m", "ts", type="WORKS_FOR"); _ = g.add_edge("o", "pd", type="WORKS_FOR")
    >>> _ = g.add_edge("m", "o", type="LOCAL_CONTACT")
    >>> contact_gaps(g)
    []
    """
    out = []
    index = law_enforcement_index(g)
    people = People(g, now=True)  # a live contact runs through who works there now
    for n, d in g.nodes(data=True):
        if d.get("label") != "Organization" or d.get("kind") not in SITE_KINDS:
            continue
        local = local_law_enforcement(g, n, index)
        ties = _ties(g, n, people)
        if any("LOCAL_CONTACT" in x["types"] for x in ties.values()):
            continue
        out.append({
            "id": n, "name": name(g, n), "kind": d.get("kind"), "state": d.get("state"),
            "county": d.get("county"), "gap": "no-protocol" if ties else "none",
            "ties_to_law_enforcement": [{"id": o, "name": name(g, o),
                                         "types": sorted(x["types"]),
                                         **({"via": sorted(x["via"])} if x["via"] else {})}
                                        for o, x in sorted(ties.items())],
            "local_law_enforcement": [{"id": o, "name": name(g, o)} for o in local],
            "scope": "county" if d.get("county_fips") else "state",
        })
    out.sort(key=lambda x: (x["gap"] != "none", x["state"] or "", x["name"], x["id"]))
    return out


def sites(g: nx.MultiDiGraph, state: str) -> dict[str, Any]:
    """What the contact gaps could look at in a state: how many named sites are recorded
    there, and the unnamed groups of sites ("3 casinos"), which cannot be checked until
    they are named. An empty list of gaps means nothing without these."""
    named = sorted(n for n, d in g.nodes(data=True) if d.get("label") == "Organization"
                   and d.get("kind") in SITE_KINDS and d.get("state") == state)
    groups = sorted(n for n, d in g.nodes(data=True) if is_group(d)
                    and d.get("kind") in SITE_KINDS and d.get("state") in (state, None))
    return {"sites_recorded": len(named),
            "unnamed_sites": [{"id": n, "name": name(g, n), "kind": g.nodes[n].get("kind"),
                               "count": g.nodes[n].get("count"),
                               "count_text": g.nodes[n].get("count_text")} for n in groups]}
