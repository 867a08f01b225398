"""Graphs the analyses share, derived from the projected MultiDiGraph.

- the *relationship graph*: actors (organizations, people) tied by relationships (referred,
  introduced, local contact, member of, partners with, reported tip to, works for, sponsors);
  a referral also ties the referred party to the one it was referred to.
- the *co-attendance graph*: actors tied by the events they took part in together, weighted by
  how many.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import networkx as nx

from graph import model

ACTOR_LABELS = ("Organization", "Person")
TIE_TYPES = frozenset(model.RELATIONSHIPS.values())
PARTICIPATION_TYPES = frozenset(model.PARTICIPATION.values())
COMMITMENT_TYPES = frozenset(model.COMMITMENTS.values())
#: events larger than this say little about who knows whom; they stay out of co-attendance
MAX_EVENT_SIZE = 200
LAW_ENFORCEMENT = "law enforcement"


def is_actor(data: dict) -> bool:
    return data.get("label") in ACTOR_LABELS


def sector(g: nx.MultiDiGraph, node: str) -> str:
    """The sector of a node: law enforcement, government, civil society, or the industry kind
    itself (trucking company, truck stop, casino, ...); people take their organization's.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Organization", kind="truck stop")
    >>> g.add_node("b", label="Organization", kind="prosecutor")
    >>> g.add_node("p", label="Person", organization_id="b")
    >>> sector(g, "a"), sector(g, "b"), sector(g, "p")
    ('truck stop', 'law enforcement', 'law enforcement')
    """
    data = g.nodes[node]
    label = data.get("label")
    if label == "Organization":
        kind = data.get("kind", "")
        broad = model.SECTORS.get(kind, "other")
        return kind if broad == "industry" else broad
    if label == "Person":
        org = data.get("organization_id")
        if org in g and g.nodes[org].get("label") == "Organization":
            return sector(g, org)
        return "people"
    return str(label).lower()


def engaged(g: nx.MultiDiGraph, node: str) -> bool:
    """Has the actor taken part: an event, a relationship or a commitment (not merely being
    located somewhere, employing someone or having a metric)?"""
    for _, _, t in g.out_edges(node, data="type"):
        if t in PARTICIPATION_TYPES or t in TIE_TYPES or t in COMMITMENT_TYPES:
            if t != "WORKS_FOR":
                return True
    for _, _, t in g.in_edges(node, data="type"):
        if t in TIE_TYPES and t != "WORKS_FOR":
            return True
    return False


def relationship_graph(g: nx.MultiDiGraph) -> nx.Graph:
    """Undirected actor graph of relationships; edge attribute ``types`` lists why."""
    h = nx.Graph()
    for u, v, d in g.edges(data=True):
        t = d.get("type")
        if t not in TIE_TYPES or not (is_actor(g.nodes[u]) and is_actor(g.nodes[v])):
            continue
        _tie(h, g, u, v, t)
        to = d.get("to_id")
        if to and to in g and is_actor(g.nodes[to]) and to != v:
            _tie(h, g, v, to, f"{t}_TO")
    return h


def _tie(h: nx.Graph, g: nx.MultiDiGraph, u: str, v: str, t: str) -> None:
    for n in (u, v):
        if n not in h:
            h.add_node(n, **{k: g.nodes[n].get(k) for k in ("name", "label", "kind", "state")})
    if h.has_edge(u, v):
        h[u][v]["types"] = sorted(set(h[u][v]["types"]) | {t})
    else:
        h.add_edge(u, v, types=[t])


def participants(g: nx.MultiDiGraph) -> dict[str, list[str]]:
    """Event id -> the actors who took part in it (attended, hosted, spoke, sponsored)."""
    out: dict[str, set[str]] = defaultdict(set)
    for u, v, t in g.edges(data="type"):
        if t in PARTICIPATION_TYPES and is_actor(g.nodes[u]):
            out[v].add(u)
    return {e: sorted(a) for e, a in out.items()}


def co_attendance_graph(g: nx.MultiDiGraph, *, max_event_size: int = MAX_EVENT_SIZE
                        ) -> nx.Graph:
    """Actors tied by shared events; ``weight`` = number of events shared, ``events`` = ids.

    >>> g = nx.MultiDiGraph()
    >>> for n in "abc": g.add_node(n, label="Organization", kind="casino")
    >>> g.add_node("e", label="Event")
    >>> for n in "ab": _ = g.add_edge(n, "e", type="ATTENDED")
    >>> h = co_attendance_graph(g)
    >>> list(h.edges(data="weight"))
    [('a', 'b', 1)]
    """
    h = nx.Graph()
    for event, actors in sorted(participants(g).items()):
        if len(actors) > max_event_size:
            continue
        for a in actors:
            if a not in h:
                h.add_node(a, **{k: g.nodes[a].get(k) for k in ("name", "label", "kind",
                                                                 "state")})
        for a, b in combinations(actors, 2):
            if h.has_edge(a, b):
                h[a][b]["weight"] += 1
                h[a][b]["events"].append(event)
            else:
                h.add_edge(a, b, weight=1, events=[event])
    return h


def state_view(g: nx.MultiDiGraph, state: str) -> nx.MultiDiGraph:
    """The part of a projected graph that belongs to one state, by the rule of
    :class:`graph.projection.Filters`: nodes in the state; their stateless neighbours
    (national organizations, programs, people without a state); and, through those that are
    actors tied to no other state, their stateless neighbours, so that a company met through
    a state's investigator, or the program a stateless company trained with, stays in view.
    Expansion never runs through programs, or through actors tied to other states (TAT
    itself): through such hubs it would pull in the whole country.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("e", label="Event", state="WI"); g.add_node("p", label="Person")
    >>> g.add_node("q", label="Organization"); g.add_node("r", label="Organization")
    >>> _ = g.add_edge("p", "e"); _ = g.add_edge("p", "q"); _ = g.add_edge("q", "r")
    >>> sorted(state_view(g, "WI"))
    ['e', 'p', 'q']
    >>> g.add_node("ca", label="Event", state="CA"); _ = g.add_edge("p", "ca")
    >>> sorted(state_view(g, "WI"))  # p is tied to CA too: national, no expansion through it
    ['e', 'p']
    """
    keep = {n for n, s in g.nodes(data="state") if s == state}
    first = {m for n in keep for m in nx.all_neighbors(g, n) if not g.nodes[m].get("state")}
    local = [n for n in first if is_actor(g.nodes[n]) and not any(
        g.nodes[m].get("state") not in (None, state) for m in nx.all_neighbors(g, n))]
    second = {m for n in local for m in nx.all_neighbors(g, n) if not g.nodes[m].get("state")}
    # A copy, not a view: the analyses iterate it many times, and views filter on every step.
    return g.subgraph(keep | first | second).copy()


def states_of(g: nx.MultiDiGraph) -> list[str]:
    """States that hold at least one organization or event."""
    return sorted({d["state"] for _, d in g.nodes(data=True)
                   if d.get("state") and d.get("label") in ("Organization", "Event")})


def name(g: nx.Graph, n: str) -> str:
    return str(g.nodes[n].get("name") or n)
