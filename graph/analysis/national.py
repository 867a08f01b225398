"""The national scope: the whole graph as one coalition of coalitions (issue 11, item 3).

Where the per-state parts of the report look inside one jurisdiction, this part looks across
them: the structure of the whole network, the actors who broker between state coalitions,
how far national organizations reach into states, and coverage summarised by state.

Methods and references:

- structure across states: :func:`graph.analysis.structure.structure` on the whole graph's
  relationship and co-attendance graphs (components, brokers by betweenness, bridges and
  articulation points, Louvain communities), and the *jurisdiction graph*: jurisdictions
  tied by the actor ties that cross them, the quotient graph of the actor graph under the
  partition by jurisdiction (Newman, *Networks*, 2nd ed., 2018, section 14.2.3, on
  blockmodels).
- brokers between state coalitions: actors tied to actors of at least two jurisdictions
  (their own counting), ranked by how many they span, then by betweenness (Freeman, 1977;
  Brandes, 2001) on the whole actor graph: Burt's brokerage across group boundaries
  (Gould & Fernandez, 1989, *Structures of mediation*; Burt, 1992, *Structural Holes*).
- national organizations' reach: the jurisdictions of the events a national, federal or
  stateless organization (or one of its people) took part in, of its commitments and of
  the actors it is tied to.
- coverage by state: :func:`graph.analysis.blueprint.coverage` on each jurisdiction's view.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx

from graph import jurisdictions
from graph.analysis.blueprint import DEFAULT, blueprint_for, coverage, load_blueprint
from graph.analysis.graphs import (
    COMMITMENT_TYPES,
    People,
    co_attendance_graph,
    credited,
    is_actor,
    jurisdictions_of,
    lift,
    name,
    relationship_graph,
    sector,
    state_view,
    states_of,
)
from graph.analysis.structure import exact_betweenness, structure

#: levels of an organization that works across states
NATIONAL_LEVELS = ("national", "federal", "international")
#: brokers and national organizations listed; the rest are counted
TOP = 25


def _country(state: str) -> str:
    try:
        return jurisdictions.jurisdiction(state).country
    except ValueError:
        return ""


def cross_state_brokers(ties: nx.Graph, g: nx.MultiDiGraph, *, top: int = TOP
                        ) -> dict[str, Any]:
    """Actors tied to actors of two or more jurisdictions (their own counting), most
    jurisdictions first, then by betweenness on ``ties``.

    >>> g = nx.MultiDiGraph()
    >>> for n, st in (("a", "IA"), ("b", "NE"), ("c", "SD"), ("tat", None)):
    ...     g.add_node(n, label="Organization", name=n.upper(), state=st, kind="nonprofit")
    >>> ties = nx.Graph([("tat", "a"), ("tat", "b"), ("tat", "c"), ("a", "b")])
    >>> [(b["id"], b["jurisdictions"]) for b in cross_state_brokers(ties, g)["brokers"]]
    [('tat', ['IA', 'NE', 'SD']), ('a', ['IA', 'NE']), ('b', ['IA', 'NE'])]
    """
    bc = exact_betweenness(ties) if ties.number_of_nodes() else {}
    rows = []
    for n in ties:
        spans = set(jurisdictions_of(g.nodes[n]))
        for m in ties[n]:
            spans |= set(jurisdictions_of(g.nodes[m]))
        if len(spans) >= 2:
            rows.append({"id": n, "name": name(g, n), "sector": sector(g, n),
                         "state": g.nodes[n].get("state"), "jurisdictions": sorted(spans),
                         "betweenness": round(bc.get(n, 0.0), 4)})
    rows.sort(key=lambda r: (-len(r["jurisdictions"]), -r["betweenness"], r["id"]))
    return {"brokers": rows[:top], "brokers_not_listed": max(0, len(rows) - top)}


def jurisdiction_links(ties: nx.Graph, g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Pairs of jurisdictions and how many actor ties run between them (an actor of a
    multi-jurisdiction event counts for each of its jurisdictions), most first.

    >>> g = nx.MultiDiGraph()
    >>> for n, st in (("a", "IA"), ("b", "NE"), ("c", "NE")): g.add_node(n, state=st)
    >>> jurisdiction_links(nx.Graph([("a", "b"), ("a", "c"), ("b", "c")]), g)
    [{'a': 'IA', 'b': 'NE', 'ties': 2}]
    """
    count: dict[tuple[str, str], int] = defaultdict(int)
    for u, v in ties.edges():
        for s in jurisdictions_of(g.nodes[u]):
            for t in jurisdictions_of(g.nodes[v]):
                if s != t:
                    count[tuple(sorted((s, t)))] += 1  # type: ignore[index]
    return [{"a": a, "b": b, "ties": n}
            for (a, b), n in sorted(count.items(), key=lambda x: (-x[1], x[0]))]


def reach(g: nx.MultiDiGraph, ties: nx.Graph, people: People, *, top: int = TOP
          ) -> dict[str, Any]:
    """National, federal, international or stateless organizations and the jurisdictions
    they reach: their events', commitments' and tie partners'. Widest reach first.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("tat", label="Organization", name="TAT", level="national")
    >>> g.add_node("e", label="Event", name="Build", state="IA", states=["IA", "NE"])
    >>> _ = g.add_edge("tat", "e", type="HOSTED")
    >>> reach(g, nx.Graph(), People(g))["organizations"][0]["jurisdictions"]
    ['IA', 'NE']
    """
    where: dict[str, set[str]] = defaultdict(set)
    for r in credited(g, people):
        where[r["unit"]] |= set(jurisdictions_of(g.nodes[r["event"]]))
    for u, _, d in g.edges(data=True):
        if d.get("type") in COMMITMENT_TYPES and d.get("state"):
            for unit in people.units(u):
                where[unit].add(str(d["state"]))
    for u, v in ties.edges():
        where[u] |= set(jurisdictions_of(g.nodes[v]))
        where[v] |= set(jurisdictions_of(g.nodes[u]))
    rows = []
    for n, d in g.nodes(data=True):
        if d.get("label") != "Organization":
            continue
        if d.get("state") and d.get("level") not in NATIONAL_LEVELS:
            continue
        spans = sorted(where.get(n, set()) - {d.get("state")})
        if spans:
            rows.append({"id": n, "name": name(g, n), "sector": sector(g, n, people),
                         "level": d.get("level"), "state": d.get("state"),
                         "jurisdictions": spans})
    rows.sort(key=lambda r: (-len(r["jurisdictions"]), r["name"].lower(), r["id"]))
    return {"organizations": rows[:top], "organizations_not_listed": max(0, len(rows) - top)}


def coverage_by_state(g: nx.MultiDiGraph, blueprint: Path = DEFAULT
                      ) -> list[dict[str, Any]]:
    """Each jurisdiction with data, by country (US, then Canada, then the rest), with its
    blueprint coverage (its country's blueprint, :func:`blueprint_for`)."""
    out = []
    for st in states_of(g):
        cov = coverage(state_view(g, st), st, load_blueprint(blueprint_for(st, blueprint)))
        out.append({"state": st, "country": _country(st),
                    "coverage": cov["coverage"], "roles_filled": cov["roles_filled"],
                    "roles_counted": cov["roles_counted"],
                    "missing": [{"id": r["id"], "name": r["name"]} for r in cov["roles"]
                                if r["status"] == "missing"]})
    order = {"US": 0, "CA": 1}
    out.sort(key=lambda r: (order.get(r["country"], 2), r["country"], r["state"]))
    return out


def national(g: nx.MultiDiGraph, *, blueprint: Path = DEFAULT, seed: int = 42
             ) -> dict[str, Any]:
    """The national part of the report, on the whole graph (see the module's docstring)."""
    people = People(g)
    rel = relationship_graph(g)
    co = co_attendance_graph(g)
    ties = lift(nx.compose(rel, nx.Graph(co.edges())), people)
    ties.remove_nodes_from([n for n in list(ties) if not is_actor(g.nodes[n])])
    parts = {part: structure(h, g, seed=seed, weight=weight)
             for part, h, weight in (("relationship", rel, None),
                                     ("co_attendance", co, "weight"))}
    return {"scope": "national", "states": states_of(g),
            "structure": parts, "links": jurisdiction_links(ties, g),
            **cross_state_brokers(ties, g), "reach": reach(g, ties, people),
            "coverage_by_state": coverage_by_state(g, blueprint)}
