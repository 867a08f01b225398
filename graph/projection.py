"""Store -> networkx: the whole graph or a filtered part of it, with every property.

The result is a ``networkx.MultiDiGraph``: node attributes are the node's properties plus
``labels`` and ``label`` (its base label); edge attributes are the relationship's properties
plus ``type``; edge keys are the relationships' ``key``. Analyses and views take it from here
and never see the database.

Nodes are added in id order and edges in (source, target, type, key) order, whatever order
the store returned them in: FalkorDB and Neo4j return rows in different orders, and
networkx (Louvain's communities among others) follows insertion order, so without this the
same data gave different analysis JSON on the two stores.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from graph import model, queries
from graph.store.base import GraphStore, batched


@dataclass(frozen=True)
class Filters:
    """Which part of the graph to project. Empty fields mean "no restriction".

    ``states``: nodes in these states, their stateless neighbours (programs, national
    organizations), and the stateless neighbours of those stateless actors that are tied to
    no other state (see graph.analysis.graphs.state_view); ``kinds``: organization kinds,
    sectors or base labels ("truck stop", "industry", "event");
    ``rel_types``: relationship types; ``date_from``/``date_to``: ISO dates, partial dates
    compare by their first day, undated items stay; ``focus`` + ``depth``: the ego network,
    expanding through actors and events (programs, places, metrics are its leaves);
    ``expand``: hubs (graph.hubs) the ego network expands through anyway (the user asked).
    """

    states: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    rel_types: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    focus: str | None = None
    depth: int = 1
    expand: tuple[str, ...] = ()


def _base_label(labels: Iterable[str]) -> str:
    for label in labels:
        if label in model.BASE_LABELS:
            return label
    return "Entity"


def _in_range(date: object, lo: str | None, hi: str | None) -> bool:
    if not date:
        return True
    d = str(date)
    return (lo is None or d >= lo[: len(d)]) and (hi is None or d <= hi)


def _edge_key(r: dict) -> tuple[str, str, str, str]:
    return (str(r["src"]), str(r["dst"]), str(r["type"]), str(r["props"].get("key")))


def _in_edge_order(rows: list[dict]) -> list[dict]:
    """Relationship rows in a fixed order: by ends, type and key, and ties without a key
    between the same two nodes by all their properties (spelling every row's properties
    out as JSON only to break such rare ties was a tenth of an ego network's time)."""
    out: list[dict] = []
    for _, group in itertools.groupby(sorted(rows, key=_edge_key), key=_edge_key):
        same = list(group)
        if len(same) > 1:
            same.sort(key=lambda r: json.dumps(r["props"], sort_keys=True, default=str))
        out += same
    return out


ACTORS = set(model.ACTOR_LABELS)
EXPANDABLE = set(model.EXPANDABLE_LABELS)


def _stateless_neighbours(store: GraphStore, ids: set[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for batch in batched(sorted(ids), store.batch_size):  # type: ignore[arg-type]
        for r in store.read(queries.STATELESS_NEIGHBOUR_IDS, {"ids": batch}):
            out[r["id"]] = r["labels"]
    return out


def _ids_for(store: GraphStore, f: Filters, hubs: Mapping[str, int] | None = None
             ) -> tuple[list[str] | None, set[str]]:
    """The node ids to project (None: all), and the hubs the ego network held back."""
    held: set[str] = set()
    if f.focus:
        # Expand through actors and events only: programs, places and metrics are hubs (a
        # program has every adopter in the country) and stay leaves of the ego network. So
        # do hubs among actors (graph.hubs), unless focused on or asked for.
        stop = set(hubs or ()) - {f.focus} - set(f.expand)
        seen = {f.focus}
        frontier = [f.focus]
        for step in range(max(f.depth, 0)):
            nxt: dict[str, list[str]] = {}
            for batch in batched(frontier, store.batch_size):  # type: ignore[arg-type]
                for r in store.read(queries.NEIGHBOUR_IDS, {"ids": batch}):
                    nxt[r["id"]] = r["labels"]
            new = {i for i, labels in nxt.items() if i not in seen and set(labels) & EXPANDABLE}
            if step < f.depth - 1:  # at the last step nothing is expanded, hub or not
                held |= new & stop
            frontier = sorted(new - stop)
            seen |= set(nxt)
            if not frontier:
                break
        return sorted(seen), held
    if f.states:
        ids = {r["id"] for q in (queries.STATE_NODE_IDS, queries.MULTI_STATE_NODE_IDS)
               for r in store.read(q, {"states": list(f.states)})}
        # a build's follow-ups are the build's, wherever they were recorded
        ids |= {r["id"] for batch in batched(sorted(ids), store.batch_size)  # type: ignore[arg-type]
                for r in store.read(queries.FOLLOWUP_IDS, {"ids": batch})}
        first = _stateless_neighbours(store, ids)
        actors = {i for i, labels in first.items() if set(labels) & ACTORS}
        national: set[str] = set()
        for batch in batched(sorted(actors), store.batch_size):  # type: ignore[arg-type]
            national.update(r["id"] for r in store.read(
                queries.TIED_TO_OTHER_STATES, {"ids": batch, "states": list(f.states)}))
        second = set(_stateless_neighbours(store, actors - national))
        return sorted(ids | set(first) | second), held
    return None, held


def states_in_use(store: GraphStore) -> list[str]:
    """States that hold anything: an organization, an event, a law, a commitment or metric
    of the state itself, an unnamed group (a state holding only a law is analysed too)."""
    return [r["state"] for r in store.read(queries.STATES_IN_USE)]


def project_state(store: GraphStore, state: str, *, include_contacts: bool = False,
                  attendance: bool = False) -> nx.MultiDiGraph:
    """One state's graph (see :class:`Filters`), plus every model program, its parts and
    figures, so a state that has none of a model's components still sees what it lacks; not
    the model's adopters elsewhere (issue 11: they are in their own states' views).

    ``attendance``: also everyone who took part in the events drawing several jurisdictions
    (and their people's employers), whose attendance each jurisdiction's report gives whole;
    the analyses' state views leave them out of everything else.
    """
    ids = set(_ids_for(store, Filters(states=(state,)))[0] or ())
    ids |= {r["id"] for r in store.read(queries.MODEL_IDS)}
    ids |= {r["id"] for r in store.read(queries.MODEL_PART_IDS)}
    if attendance:
        multi = sorted({r["id"] for r in store.read(queries.MULTI_STATE_NODE_IDS,
                                                    {"states": [state]})} & ids)
        around = {r["id"]: r["labels"] for batch in batched(multi, store.batch_size)  # type: ignore[arg-type]
                  for r in store.read(queries.NEIGHBOUR_IDS, {"ids": batch})}
        people = sorted(i for i, labels in around.items() if "Person" in labels)
        employers = {r["id"] for batch in batched(people, store.batch_size)  # type: ignore[arg-type]
                     for r in store.read(queries.NEIGHBOUR_IDS, {"ids": batch})
                     if "Organization" in r["labels"]}
        ids |= set(around) | employers
    return project_ids(store, sorted(ids), include_contacts=include_contacts)


def _rows(store: GraphStore, ids: list[str] | None) -> tuple[list[dict], list[dict]]:
    """Node and relationship rows: everything (``ids`` None) or the subgraph on ``ids``."""
    if ids is None:
        return store.read(queries.ALL_NODES), store.read(queries.ALL_EDGES)
    node_rows: list[dict] = []
    for batch in batched(ids, store.batch_size):  # type: ignore[arg-type]
        node_rows += store.read(queries.NODES_BY_ID, {"ids": batch})
    among = queries.EDGES_AMONG_FEW if len(ids) <= queries.EDGES_AMONG_FEW_MAX \
        else queries.EDGES_AMONG
    return node_rows, store.read(among, {"ids": ids}) if ids else []


def _assemble(node_rows: list[dict], edge_rows: list[dict], f: Filters,
              include_contacts: bool) -> nx.MultiDiGraph:
    kinds = {model.vocab_key(k) for k in f.kinds}
    g = nx.MultiDiGraph()
    hidden = set() if include_contacts else set(model.CONTACT_PROPERTIES)
    for r in sorted(node_rows, key=lambda r: str(r["id"])):
        props = {k: v for k, v in r["props"].items() if k not in hidden}
        label = _base_label(r["labels"])
        if kinds and props.get("kind") not in kinds and label.lower() not in kinds \
                and props.get("sector") not in kinds:
            continue
        if label == "Event" and not _in_range(props.get("date"), f.date_from, f.date_to):
            continue
        g.add_node(r["id"], **props, labels=sorted(r["labels"]), label=label)
    types = set(f.rel_types)
    nodes = set(g)
    edges = []
    for r in _in_edge_order(edge_rows):
        if r["src"] not in nodes or r["dst"] not in nodes:
            continue
        if types and r["type"] not in types:
            continue
        props = r["props"]
        if not _in_range(props.get("date"), f.date_from, f.date_to):
            continue
        # (u, v, key, attributes): 'key' is also add_edge's own argument
        edges.append((r["src"], r["dst"], props.get("key"), {**props, "type": r["type"]}))
    g.add_edges_from(edges)
    return g


def project_ids(store: GraphStore, ids: list[str], *, include_contacts: bool = False
                ) -> nx.MultiDiGraph:
    """The subgraph induced by these node ids."""
    return _assemble(*_rows(store, ids), Filters(), include_contacts)


def project(store: GraphStore, filters: Filters | None = None, *,
            include_contacts: bool = False, hubs: Mapping[str, int] | None = None
            ) -> nx.MultiDiGraph:
    """Project (part of) the store into a MultiDiGraph. See :class:`Filters`.

    With ``hubs`` (graph.hubs), an ego network does not expand through them; each hub it
    held back is marked ``hub_hidden``: how many of its neighbours the page does not show."""
    f = filters or Filters()
    ids, held = _ids_for(store, f, hubs)
    g = _assemble(*_rows(store, ids), f, include_contacts)
    for h in sorted(held & set(g)):
        shown = set(g.predecessors(h)) | set(g.successors(h))
        g.nodes[h]["hub_hidden"] = max(0, hubs[h] - len(shown))  # type: ignore[index]
    return g


def holds(end: object, day: str) -> bool:
    """Whether a tie that ends ``end`` (an ISO date to the day, month or year) still holds
    on ``day`` (ISO): through the whole of its last month or year.

    >>> [holds(e, "2026-12-02") for e in ("2026", "2026-05", "2027-01-01", "2026-12-02")]
    [True, False, True, True]
    """
    e = str(end)
    return e >= day[:len(e)]


def shortest_paths(store: GraphStore, a: str, b: str, *, limit: int = 5, max_depth: int = 6,
                   max_frontier: int = 20000, avoid: Iterable[str] = ()) -> list[list[str]]:
    """Up to ``limit`` shortest paths between two nodes (any direction), found in the
    database by a bidirectional breadth-first search, so a path query never projects the
    whole graph. Like the ego network, paths run through actors and events only: "both
    adopted TAT training" or "both are in Ohio" is not a working relationship, and those hubs
    would put every pair two hops apart. Gives up (returns []) beyond ``max_depth`` hops or
    when a frontier passes ``max_frontier`` nodes. Never steps through a node of ``avoid``
    (other than ``a`` and ``b``), nor over a tie that has ended (``end``, issue 13): a
    lapsed protocol is history, not a way in.
    """
    avoided = sorted(set(avoid) - {a, b})
    if a == b:
        return [[a]]
    today = dt.date.today().isoformat()
    parents: list[dict[str, set[str]]] = [{a: set()}, {b: set()}]
    frontiers: list[set[str]] = [{a}, {b}]
    meet: set[str] = set()
    for _ in range(max_depth):
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        nxt: dict[str, set[str]] = {}
        for batch in batched(sorted(frontiers[side]), store.batch_size):  # type: ignore[arg-type]
            for r in store.read(queries.NEIGHBOUR_PAIRS,
                                  {"ids": batch, "ends": [a, b], "avoid": avoided}):
                if r["end"] and not holds(r["end"], today):
                    continue
                if r["dst"] not in parents[side]:
                    nxt.setdefault(r["dst"], set()).add(r["src"])
        if not nxt or len(nxt) > max_frontier:
            return []
        parents[side].update(nxt)
        frontiers[side] = set(nxt)
        meet = set(nxt) & set(parents[1 - side])
        if meet:
            break
    if not meet:
        return []

    def walks(node: str, side: int) -> list[list[str]]:
        if not parents[side][node]:
            return [[node]]
        return [w + [node] for p in sorted(parents[side][node]) for w in walks(p, side)][:limit]

    out = []
    for m in sorted(meet):
        for left in walks(m, 0):
            for right in walks(m, 1):
                out.append(left + right[::-1][1:])
    shortest = min(len(p) for p in out)
    return [list(p) for p in sorted({tuple(p) for p in out if len(p) == shortest})][:limit]


@dataclass(frozen=True)
class PathChoice:
    """Paths between two nodes and how hubs shaped them."""

    paths: list[list[str]]
    #: hubs on the shortest paths (empty when some shortest path avoids them all)
    hubs: tuple[str, ...] = ()
    #: True when ``paths`` go round those hubs (one hop longer); False when they run
    #: through them because no path round them is at most one hop longer
    went_round: bool = False


def preferred_paths(store: GraphStore, a: str, b: str, *, hubs: Mapping[str, int],
                    through_hubs: bool = False, limit: int = 5) -> PathChoice:
    """Shortest paths, going round hubs (graph.hubs) when that costs at most one extra hop:
    "A - hub - B" says only that both know the national organizer. With ``through_hubs``,
    every shortest path, as :func:`shortest_paths`.
    """
    found = shortest_paths(store, a, b, limit=limit)
    inner = set(hubs) - {a, b}
    via = tuple(sorted({n for p in found for n in p if n in inner}))
    if through_hubs or not via:
        return PathChoice(found)
    # one search round the hubs answers both questions: are there hub-free shortest paths
    # (as long as ``found``), or one a step longer?
    around = shortest_paths(store, a, b, limit=limit, max_depth=len(found[0]), avoid=inner)
    if not around:
        return PathChoice(found, via)
    if len(around[0]) == len(found[0]):
        return PathChoice(around)
    return PathChoice(around, via, went_round=True)
