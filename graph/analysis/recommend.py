"""Recommendations: whom to introduce to whom next, and whom to invite for missing roles.

Introductions are scored as ``need + resource_allocation``:

- *need* comes from the blueprint: 1.0 for a truck stop, bus terminal or casino and the law
  enforcement of its county (Phase I goal 3, the local contact protocol); 0.6 for a trucking or
  bus company and a task force in its state (Phase II goal 3: "equip task forces with industry
  stakeholders").
- *resource allocation* is the link-prediction index of Zhou, Lü & Zhang (2009, "Predicting
  missing links via local information"): the sum of 1/degree over the neighbours two actors
  share, on the relationship and co-attendance ties together. Actors who already share
  contacts are easier to introduce.

Invitations rank the entities that match a role the state lacks but are not engaged yet, by
their ties to engaged actors. Ties count for organizations through their people: pass the
relationship and co-attendance ties through :func:`graph.analysis.graphs.lift` first, so
that a department whose chief already knows a truck stop's manager is not introduced to it.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from graph.analysis.contacts import law_enforcement_index, local_law_enforcement
from graph.analysis.graphs import People, engaged, name

CONTACT_NEED = 1.0
TASK_FORCE_NEED = 0.6
INDUSTRY_FOR_TASK_FORCES = ("trucking company", "bus company", "transit agency")


def _pairs(g: nx.MultiDiGraph, gaps: list[dict[str, Any]], state: str | None
           ) -> dict[tuple[str, str], tuple[float, str]]:
    """Candidate pairs -> (need, why kind); reasons are written later, for the top ones."""
    pairs: dict[tuple[str, str], tuple[float, str]] = {}
    index = law_enforcement_index(g)
    for gap in gaps:
        for le in local_law_enforcement(g, gap["id"], index):
            pairs[(gap["id"], le)] = (CONTACT_NEED, gap["scope"])
    task_forces = sorted(n for n, d in g.nodes(data=True) if d.get("label") == "Organization"
                         and d.get("kind") == "task force" and d.get("state") == state)
    for n, d in g.nodes(data=True):
        if d.get("label") != "Organization" or d.get("kind") not in INDUSTRY_FOR_TASK_FORCES:
            continue
        if d.get("state") not in (state, None):  # stateless companies in a state's view count
            continue
        for tf in task_forces:
            pairs.setdefault((n, tf), (TASK_FORCE_NEED, "task force"))
    return pairs


def _reason(g: nx.MultiDiGraph, a: str, b: str, why: str) -> str:
    if why == "task force":
        return (f"{name(g, b)} could be equipped with {name(g, a)} "
                f"({g.nodes[a].get('kind')}) as an industry partner")
    return (f"{name(g, a)} ({g.nodes[a].get('kind')}) has no local contact protocol with law "
            f"enforcement; {name(g, b)} serves its {why}")


def introductions(g: nx.MultiDiGraph, ties: nx.Graph, gaps: list[dict[str, Any]],
                  state: str | None = None, *, top: int = 25) -> list[dict[str, Any]]:
    """Ranked introductions between actors not yet tied, in a state's graph.

    ``ties``: relationship and co-attendance ties together (an undirected graph). Companies
    without a state count for the state whose graph they are in.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("ts", label="Organization", kind="truck stop", name="Stop", state="MS")
    >>> g.add_node("pd", label="Organization", kind="law enforcement", name="PD", state="MS")
    >>> g.add_node("x", label="Organization", kind="nonprofit", name="X", state="MS")
    >>> ties = nx.Graph([("ts", "x"), ("x", "pd")])
    >>> gaps = [{"id": "ts", "kind": "truck stop", "scope": "state"}]
    >>> [(r["a"]["id"], r["b"]["id"], r["score"], r["link_prediction"])
    ...  for r in introductions(g, ties, gaps, "MS")]
    [('ts', 'pd', 1.5, 0.5)]
    """
    pairs = {p: v for p, v in _pairs(g, gaps, state).items() if not ties.has_edge(*p)}
    known = [p for p in pairs if p[0] in ties and p[1] in ties]
    ra = {(u, v): s for u, v, s in nx.resource_allocation_index(ties, known)} if known else {}
    ranked = sorted(pairs, key=lambda p: (-(pairs[p][0] + ra.get(p, 0.0)), p))[:top]
    out = []
    for a, b in ranked:
        need, why = pairs[(a, b)]
        lp = ra.get((a, b), 0.0)
        shared = sorted(nx.common_neighbors(ties, a, b)) if lp else []
        reason = _reason(g, a, b, why) + (
            f"; they already share {len(shared)} contact(s), e.g. {name(g, shared[0])}"
            if shared else "")
        out.append({"a": {"id": a, "name": name(g, a)}, "b": {"id": b, "name": name(g, b)},
                    "score": round(need + lp, 4), "need": need,
                    "link_prediction": round(lp, 4), "index": "resource allocation",
                    "reason": reason})
    return out


def invitations(g: nx.MultiDiGraph, ties: nx.Graph, coverage: dict[str, Any], *,
                per_role: int = 5) -> list[dict[str, Any]]:
    """For each missing, partly filled or only unnamed role: entities already in the graph
    that would fill it, most connected to the engaged coalition first."""
    people = People(g)
    active = {n for n in ties if n in g and engaged(g, n, people)}
    out = []
    for role in coverage["roles"]:
        if role["status"] not in ("missing", "partial", "present, unnamed") \
                or not role["candidates"]:
            continue
        ranked = []
        for c in role["candidates"]:
            n = c["id"]
            links = sorted(m for m in (ties[n] if n in ties else ()) if m in active)
            ranked.append((-len(links), c["name"], n, links))
        ranked.sort()
        notes = {c["id"]: c.get("notes", []) for c in role["candidates"]}
        out.append({"role": {"id": role["id"], "name": role["name"]}, "status": role["status"],
                    "invite": [{"id": n, "name": nm, "ties_to_coalition": -k,
                                **({"notes": notes[n]} if notes[n] else {}),
                                "reason": (f"would fill '{role['name']}'; tied to "
                                           f"{-k} coalition member(s)" +
                                           (f" such as {name(g, links[0])}" if links else "") +
                                           "".join(f" ({x}: check it)" for x in notes[n]))}
                               for k, nm, n, links in ranked[:per_role]]})
    return out


def basis(g: nx.MultiDiGraph, gaps: list[dict[str, Any]], state: str | None
          ) -> dict[str, int]:
    """What introductions could be drawn from in a state: an empty list of introductions
    means "nothing to assess" when these are zero, not "nothing needed"."""
    orgs = [d for _, d in g.nodes(data=True) if d.get("label") == "Organization"]
    return {"sites_without_contact": len(gaps),
            "sites_with_local_law_enforcement": sum(1 for x in gaps
                                                     if x["local_law_enforcement"]),
            "task_forces": sum(1 for d in orgs if d.get("kind") == "task force"
                               and d.get("state") == state),
            "industry_for_task_forces": sum(1 for d in orgs
                                            if d.get("kind") in INDUSTRY_FOR_TASK_FORCES
                                            and d.get("state") in (state, None))}
