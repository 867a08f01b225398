"""Graphs the analyses share, derived from the projected MultiDiGraph.

- the *relationship graph*: actors (organizations, people) tied by relationships (referred,
  introduced, local contact, member of, partners with, reported tip to, works for, sponsors);
  a referral also ties the referred party to the one it was referred to.
- the *co-attendance graph*: actors tied by the events they took part in together, weighted by
  how many.

Credit goes through people: an organization took part in an event when it, or any of its
people (``WORKS_FOR``, or a person's ``organization_id``), did. :class:`People` answers "whose
is this person" once per graph; :func:`credited` lists every part taken in an event with the
unit it counts for (the organization, or the person when they have none, or an unnamed
group) and the person it came through.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from typing import Any

import networkx as nx

from graph import model

ACTOR_LABELS = ("Organization", "Person")
TIE_TYPES = frozenset(model.RELATIONSHIPS.values())
#: registered-only is not taking part, so it counts nowhere
PARTICIPATION_TYPES = model.TOOK_PART
COMMITMENT_TYPES = frozenset(model.COMMITMENTS.values())
#: events larger than this say little about who knows whom; they stay out of co-attendance
MAX_EVENT_SIZE = 200
LAW_ENFORCEMENT = "law enforcement"
#: the base label of unnamed groups ("3 casinos"); by string, so this works before and after
#: graph/model.py has it
GROUP = "Group"
#: the sector of a person who has no organization, from their role (first match wins);
#: anyone else without an organization is "other", never a sector called "people"
PERSON_ROLE_SECTORS = (
    (re.compile(r"detective|officer|sheriff|deputy|trooper|investigator|police|marshal",
                re.I), LAW_ENFORCEMENT),
    (re.compile(r"survivor", re.I), "civil society"),
)
#: verbs for parts taken in an event
VERBS = {"ATTENDED": "attended", "HOSTED": "hosted", "SPOKE_AT": "spoke at",
         "SPONSORED": "sponsored", "OUTCOME_OF": "is named among the outcomes of"}


def is_actor(data: dict) -> bool:
    return data.get("label") in ACTOR_LABELS


def is_group(data: dict) -> bool:
    return data.get("label") == GROUP or GROUP in (data.get("labels") or ())


def role_sector(role: Any) -> str:
    """The sector of a person without an organization, from their role.

    >>> role_sector("Detective"), role_sector("survivor-leader"), role_sector("volunteer")
    ('law enforcement', 'civil society', 'other')
    """
    for pattern, sec in PERSON_ROLE_SECTORS:
        if pattern.search(str(role or "")):
            return sec
    return "other"


def kind_sector(kind: Any) -> str:
    """The sector of an organization kind: the broad sector, or the industry kind itself; a
    sector written as the kind (an unnamed group of "industry") is that sector.

    >>> kind_sector("truck stop"), kind_sector("prosecutor"), kind_sector("industry")
    ('truck stop', 'law enforcement', 'industry')
    """
    kind = str(kind or "")
    broad = model.SECTORS.get(kind)
    if broad is not None:
        return kind if broad == "industry" else broad
    return kind if kind in set(model.SECTORS.values()) else "other"


def employers(g: nx.MultiDiGraph, person: str, *, now: bool = False) -> list[str]:
    """The organizations a person works or worked for (``WORKS_FOR``, or
    ``organization_id``) that are in this graph; with ``now``, not those they left (a
    ``WORKS_FOR`` that :func:`graph.analysis.asof.as_of` marked ``ended``).

    >>> g = nx.MultiDiGraph()
    >>> g.add_nodes_from([("a", {"label": "Organization"}), ("b", {"label": "Organization"}),
    ...                   ("p", {"label": "Person", "organization_id": "b"})])
    >>> _ = g.add_edge("p", "a", type="WORKS_FOR")
    >>> _ = g.add_edge("p", "b", type="WORKS_FOR", ended=True)
    >>> employers(g, "p"), employers(g, "p", now=True)
    (['a', 'b'], ['a'])
    """
    out, left = set(), set()
    for _, v, d in g.out_edges(person, data=True):
        if d.get("type") == "WORKS_FOR" and g.nodes[v].get("label") == "Organization":
            (left if d.get("ended") else out).add(v)
    org = g.nodes[person].get("organization_id")
    if org in g and g.nodes[org].get("label") == "Organization" and org not in left:
        out.add(org)
    return sorted(out if now else out | left)


class People:
    """Who works for whom in one graph, computed once: a person's employers, an
    organization's people. By default employment that ended counts (an organization keeps
    the credit for what its people did while there); ``now=True`` asks who works where
    today, for questions about live contacts."""

    def __init__(self, g: nx.MultiDiGraph, *, now: bool = False):
        self.g = g
        self.employers: dict[str, list[str]] = {}
        self.staff: dict[str, list[str]] = defaultdict(list)
        for n, d in g.nodes(data=True):
            if d.get("label") == "Person":
                self.employers[n] = employers(g, n, now=now)
                for org in self.employers[n]:
                    self.staff[org].append(n)
        for people in self.staff.values():
            people.sort()

    def units(self, n: str) -> list[str]:
        """What ``n`` counts as: a person with an organization counts for it (each one, if
        several), anyone else for themselves."""
        return self.employers.get(n) or [n]

    def via(self, person: str) -> str:
        """"<name>, <title>" of a person, for evidence."""
        d = self.g.nodes[person]
        title = d.get("title") or d.get("role")
        return name(self.g, person) + (f", {title}" if title else "")


def sector(g: nx.MultiDiGraph, node: str, people: People | None = None) -> str:
    """The sector of a node: law enforcement, government, civil society, or the industry kind
    itself (trucking company, truck stop, casino, ...); people take their organization's,
    or, without one, their role's (:data:`PERSON_ROLE_SECTORS`); an unnamed group its kind's.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="Organization", kind="truck stop")
    >>> g.add_node("b", label="Organization", kind="prosecutor")
    >>> g.add_node("p", label="Person", organization_id="b")
    >>> g.add_node("q", label="Person", role="detective")
    >>> g.add_node("s", label="Group", kind="casino", count=3)
    >>> [sector(g, n) for n in "abpqs"]
    ['truck stop', 'law enforcement', 'law enforcement', 'law enforcement', 'casino']
    """
    data = g.nodes[node]
    label = data.get("label")
    if label == "Organization":
        return kind_sector(data.get("kind"))
    if label == "Person":
        orgs = people.employers.get(node, []) if people else employers(g, node)
        if orgs:
            return sector(g, orgs[0])
        return role_sector(data.get("role"))
    if is_group(data):
        return kind_sector(data.get("kind"))
    return str(label).lower()


def _takes_part(g: nx.MultiDiGraph, node: str) -> bool:
    return any(t in PARTICIPATION_TYPES or t in COMMITMENT_TYPES
               for _, _, t in g.out_edges(node, data="type"))


def engaged(g: nx.MultiDiGraph, node: str, people: People | None = None, *,
            ties: bool = True) -> bool:
    """Has the actor taken part: an event, a commitment or (with ``ties``) a relationship
    (not merely being located somewhere, employing someone or having a metric)? An
    organization also has when one of its people took part in an event or made a
    commitment; an unnamed group when it took part or committed. Blueprint roles are filled
    without ``ties``: a relationship with a coalition member does not put anyone in the
    room; it makes them a candidate to invite.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("pd", label="Organization", kind="law enforcement")
    >>> g.add_node("chief", label="Person"); g.add_node("e", label="Event")
    >>> _ = g.add_edge("chief", "pd", type="WORKS_FOR")
    >>> engaged(g, "pd")
    False
    >>> _ = g.add_edge("chief", "e", type="SPOKE_AT")
    >>> engaged(g, "pd")
    True
    """
    if _takes_part(g, node):
        return True
    if ties:
        for _, _, t in g.out_edges(node, data="type"):
            if t in TIE_TYPES and t != "WORKS_FOR":
                return True
        for _, _, t in g.in_edges(node, data="type"):
            if t in TIE_TYPES and t != "WORKS_FOR":
                return True
    if g.nodes[node].get("label") == "Organization":
        staff = people.staff.get(node, []) if people else [
            u for u, _, t in g.in_edges(node, data="type") if t == "WORKS_FOR"] + [
            p for p, d in g.nodes(data=True) if d.get("label") == "Person"
            and d.get("organization_id") == node]
        return any(_takes_part(g, p) for p in staff)
    return False


def credited(g: nx.MultiDiGraph, people: People | None = None) -> list[dict[str, Any]]:
    """Every part taken in an event, with the unit it counts for: ``{"event", "unit", "type",
    "role", "via"}``; ``via`` is the person it came through (None when the unit took part
    itself). Unnamed groups are their own units. In event, unit, type order.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("pd", label="Organization", kind="law enforcement", name="PD")
    >>> g.add_node("c", label="Person", name="Chief Ray", title="Chief")
    >>> g.add_node("e", label="Event", name="Build")
    >>> _ = g.add_edge("c", "pd", type="WORKS_FOR"); _ = g.add_edge("c", "e", type="SPOKE_AT")
    >>> [(r["unit"], r["via"]) for r in credited(g)]
    [('pd', 'c')]
    >>> evidence(g, credited(g)[0])
    'via Chief Ray, Chief, spoke at Build'

    Registered only (an attendee import's sign-up not seen there) is no part taken:

    >>> g.add_node("d", label="Person", name="Dee"); _ = g.add_edge("d", "pd", type="WORKS_FOR")
    >>> _ = g.add_edge("d", "e", type="REGISTERED")
    >>> [(r["unit"], r["via"]) for r in credited(g)]
    [('pd', 'c')]
    """
    people = people or People(g)
    out = []
    for u, v, d in g.edges(data=True):
        t = d.get("type")
        if t not in PARTICIPATION_TYPES or g.nodes[v].get("label") != "Event":
            continue
        data = g.nodes[u]
        if data.get("label") == "Person":
            orgs = people.employers.get(u) or []
            for org in orgs:
                out.append({"event": v, "unit": org, "type": t, "role": d.get("role"),
                            "via": u})
            if orgs:
                continue
        if is_actor(data) or is_group(data):
            out.append({"event": v, "unit": u, "type": t, "role": d.get("role"), "via": None})
    out.sort(key=lambda r: (r["event"], r["unit"], r["type"], r["via"] or ""))
    return out


def outcomes(g: nx.MultiDiGraph, people: People) -> list[dict[str, Any]]:
    """The units a report names among an event's outcomes (``OUTCOME_OF``: a commitment or
    tie that came out of it), as records shaped like :func:`credited`'s. Not attendance: a
    report that says "Ergon Trucking has implemented TAT training" after a build says what
    the build led to, not who was in the room; the funnel follows them up all the same.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("o", label="Organization", name="Ergon"); g.add_node("e", label="Event", name="B")
    >>> _ = g.add_edge("o", "e", type="OUTCOME_OF")
    >>> evidence(g, outcomes(g, People(g))[0])
    'is named among the outcomes of B'
    """
    out = []
    for u, v, t in g.edges(data="type"):
        if t != "OUTCOME_OF" or g.nodes[v].get("label") != "Event":
            continue
        data = g.nodes[u]
        units = (people.employers.get(u) or [u]) if data.get("label") == "Person" else [u]
        for unit in units:
            if is_actor(g.nodes[unit]) or is_group(g.nodes[unit]):
                out.append({"event": v, "unit": unit, "type": t, "role": None,
                            "via": u if unit != u else None})
    out.sort(key=lambda r: (r["event"], r["unit"], r["via"] or ""))
    return out


def verb(record: dict[str, Any]) -> str:
    role = record.get("role")
    return str(role) if role in ("co-hosted",) else VERBS.get(record["type"],
                                                              str(record["type"]).lower())


def evidence(g: nx.MultiDiGraph, record: dict[str, Any], *, event: bool = True) -> str:
    """"via <name>, <title>, spoke at <event>", or "hosted <event>" when the unit itself."""
    what = verb(record) + (f" {name(g, record['event'])}" if event else "")
    if record.get("via"):
        d = g.nodes[record["via"]]
        title = d.get("title") or d.get("role")
        return f"via {name(g, record['via'])}" + (f", {title}" if title else "") + f", {what}"
    return what


def how(g: nx.MultiDiGraph, n: str, people: People, took: list[dict[str, Any]]
        ) -> list[str]:
    """What engages ``n``, in words: the parts it took in events (``took``, from
    :func:`credited`), then its commitments and relationships, its people's included; a
    relationship's status is kept ("introduced Nike (planned)" is not an introduction made).
    """
    def said(t: str, other: str, d: dict[str, Any]) -> str:
        status = d.get("status")
        return f"{t.lower().replace('_', ' ')} {other}" + (f" ({status})" if status else "")

    out = sorted({evidence(g, r) for r in took})
    rest = set()
    for who in [n, *people.staff.get(n, [])]:
        via = f"via {people.via(who)}, " if who != n else ""
        for _, v, d in g.out_edges(who, data=True):
            t = d.get("type")
            if t in COMMITMENT_TYPES:
                rest.add(via + said(t, name(g, v), d))
            elif t in TIE_TYPES and t != "WORKS_FOR" and who == n:
                rest.add(said(t, name(g, v), d))
    for u, _, d in g.in_edges(n, data=True):
        t = d.get("type")
        if t in TIE_TYPES and t != "WORKS_FOR":
            rest.add(f"{name(g, u)} {said(t, 'it', d)}")
    return out + sorted(rest)


def lift(ties: nx.Graph, people: People) -> nx.Graph:
    """Ties between the units people count for: a person's ties become their
    organization's (a person without one stays themself)."""
    h = nx.Graph()
    for n in sorted(ties, key=str):
        h.add_nodes_from(people.units(n))
    for a, b in sorted(ties.edges(), key=lambda e: (str(e[0]), str(e[1]))):
        for ua in people.units(a):
            for ub in people.units(b):
                if ua != ub:
                    h.add_edge(ua, ub)
    return h


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

    An event drawing several jurisdictions (``states``, where it was held first) is in each
    one's view; who came from elsewhere is not:

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("r", label="Event", state="IA", states=["IA", "NE"])
    >>> g.add_node("ia", label="Organization", state="IA")
    >>> g.add_node("ne", label="Organization", state="NE")
    >>> _ = g.add_edge("ia", "r"); _ = g.add_edge("ne", "r")
    >>> sorted(state_view(g, "NE")), sorted(state_view(g, "IA"))
    (['ne', 'r'], ['ia', 'r'])
    """
    keep = {n for n, d in g.nodes(data=True) if state in jurisdictions_of(d)}
    # a build's follow-ups are the build's, wherever they were recorded
    keep |= {u for u, v, t in g.edges(data="type") if t == "FOLLOWS" and v in keep}
    first = {m for n in keep for m in nx.all_neighbors(g, n) if not g.nodes[m].get("state")}
    local = [n for n in first if is_actor(g.nodes[n]) and not any(
        jurisdictions_of(g.nodes[m]) and state not in jurisdictions_of(g.nodes[m])
        for m in nx.all_neighbors(g, n))]
    second = {m for n in local for m in nx.all_neighbors(g, n) if not g.nodes[m].get("state")}
    # A copy, not a view: the analyses iterate it many times, and views filter on every step
    # (in the set's order, which changes from run to run: canonical() sorts it).
    return canonical(g, keep | first | second)


def jurisdictions_of(data: dict) -> tuple[str, ...]:
    """The jurisdictions a node is in: the ``states`` an event drawing several lists (where
    it was held first), else its ``state``, else none.

    >>> jurisdictions_of({"state": "IA", "states": ["IA", "NE"]}), jurisdictions_of({"state": "MS"})
    (('IA', 'NE'), ('MS',))
    """
    listed = data.get("states")
    if listed:
        return tuple(str(s) for s in listed)
    return (str(data["state"]),) if data.get("state") else ()


def states_of(g: nx.MultiDiGraph) -> list[str]:
    """States that hold anything: an organization, an event (each jurisdiction it draws), a
    law, a commitment or a metric of the state itself (its ``State`` node), an unnamed
    group."""
    return sorted({s for _, d in g.nodes(data=True) for s in jurisdictions_of(d)})


def _edge_order(e: tuple[Any, Any, Any, dict]) -> tuple[str, str, str, str, str]:
    u, v, k, d = e
    return (str(u), str(v), str(d.get("type")), str(k),
            json.dumps(d, sort_keys=True, default=str))


def canonical(g: nx.MultiDiGraph, nodes: Iterable[Any] | None = None) -> nx.MultiDiGraph:
    """A copy of ``g`` (or of the subgraph on ``nodes``) with nodes in id order and edges in
    (source, target, type, key) order. Louvain, and every analysis that walks the graph,
    follow insertion order: the same data must give the same answer whatever order a store
    returned it in, or a set iterated it in.

    >>> g = nx.MultiDiGraph(); g.add_edge("b", "a", type="X"); g.add_node("c")
    0
    >>> list(canonical(g)), list(canonical(g, ["b", "a"]))
    (['a', 'b', 'c'], ['a', 'b'])
    """
    keep = set(g) if nodes is None else set(nodes)
    h = nx.MultiDiGraph()
    h.graph.update(g.graph)
    for n in sorted(keep, key=str):
        h.add_node(n, **g.nodes[n])
    edges = [(u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True)
             if u in keep and v in keep]
    for u, v, k, d in sorted(edges, key=_edge_order):
        # 'key' may be an attribute too, and is add_edge's own argument: attributes after
        key = h.add_edge(u, v, key=k)
        h.edges[u, v, key].update(d)
    return h


def name(g: nx.Graph, n: str) -> str:
    return str(g.nodes[n].get("name") or n)
