"""Structure of a coalition graph: components, sector ties, brokers, single points of failure,
communities.

Methods and references:

- components: connected components (Tarjan, 1972).
- brokers: betweenness centrality (Freeman, 1977; Brandes, 2001), exact (in rustworkx) up
  to ``exact_limit`` nodes, above that estimated from ``k`` seeded pivot samples (Brandes &
  Pich, 2007); Burt's constraint and effective size (Burt, 1992, *Structural Holes*), for the top
  brokers only.
- single points of failure: bridges and articulation points (Tarjan, 1974; Hopcroft & Tarjan,
  1973).
- communities: Louvain modularity optimisation (Blondel, Guillaume, Lambiotte & Lefebvre, 2008)
  with a fixed seed, so the same graph always gives the same communities.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx
import rustworkx as rx

from graph.analysis.graphs import LAW_ENFORCEMENT, name, sector

#: members listed per component or community; the rest are counted
MAX_MEMBERS = 200


def _members(g: nx.MultiDiGraph, nodes: list[str]) -> dict[str, Any]:
    ordered = sorted(nodes, key=lambda n: (name(g, n).lower(), n))
    return {"size": len(nodes),
            "sectors": dict(sorted(Counter(sector(g, n) for n in nodes).items())),
            "members": [{"id": n, "name": name(g, n)} for n in ordered[:MAX_MEMBERS]],
            "members_not_listed": max(0, len(nodes) - MAX_MEMBERS)}


def components(h: nx.Graph, g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Connected components, largest first, with their sector mix."""
    comps = sorted(nx.connected_components(h), key=lambda c: (-len(c), min(c)))
    return [_members(g, list(c)) for c in comps]


def sector_ties(h: nx.Graph, g: nx.MultiDiGraph) -> dict[str, Any]:
    """Sector x sector tie counts, and for each industry sector present, its ties to law
    enforcement (zero is the gap Phase I exists to close).

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("ts", label="Organization", kind="truck stop")
    >>> g.add_node("c", label="Organization", kind="casino")
    >>> g.add_node("pd", label="Organization", kind="law enforcement")
    >>> h = nx.Graph([("ts", "pd"), ("c", "ts")])
    >>> sector_ties(h, g)["law_enforcement_ties"]
    {'casino': 0, 'truck stop': 1}
    """
    matrix: dict[str, Counter[str]] = defaultdict(Counter)
    for u, v in h.edges():
        a, b = sector(g, u), sector(g, v)
        matrix[a][b] += 1
        if a != b:
            matrix[b][a] += 1
    present = sorted({sector(g, n) for n in h})
    industry = [s for s in present if s not in (LAW_ENFORCEMENT, "government", "civil society",
                                                "people", "other")]
    return {"sectors": present,
            "matrix": {a: {b: matrix[a][b] for b in present} for a in present},
            "law_enforcement_ties": {s: matrix[s][LAW_ENFORCEMENT] for s in industry}}


def exact_betweenness(h: nx.Graph) -> dict:
    """Normalised betweenness (Brandes 2001), computed by rustworkx in Rust on every core;
    the same values as ``networkx.betweenness_centrality`` (tests check it on the karate club).

    >>> exact_betweenness(nx.path_graph(3))
    {0: 0.0, 1: 1.0, 2: 0.0}
    """
    nodes = list(h)
    r = rx.PyGraph(multigraph=False)
    r.add_nodes_from(nodes)
    index = {n: i for i, n in enumerate(nodes)}
    r.add_edges_from_no_data([(index[u], index[v]) for u, v in h.edges()])
    scores = rx.graph_betweenness_centrality(r, normalized=True)
    return {n: float(scores[i]) for i, n in enumerate(nodes)}


def brokers(h: nx.Graph, g: nx.MultiDiGraph, *, top: int = 10, exact_limit: int = 20000,
            k: int = 300, seed: int = 42, weight: str | None = None
            ) -> tuple[list[dict[str, Any]], str | None]:
    """The ``top`` actors by betweenness, with Burt's constraint and effective size.

    Returns (brokers, approximation note or None). Low constraint and high effective size
    mean an actor spans structural holes: introductions run through them.

    >>> g = nx.MultiDiGraph()
    >>> for n in "abcd": g.add_node(n, label="Organization", kind="nonprofit", name=n.upper())
    >>> h = nx.star_graph(3); h = nx.relabel_nodes(h, dict(enumerate("abcd")))
    >>> [(b["id"], b["betweenness"], b["constraint"], b["effective_size"])
    ...  for b in brokers(h, g, top=1)[0]]
    [('a', 1.0, 0.333, 3.0)]
    """
    if h.number_of_nodes() == 0:
        return [], None
    note = None
    if h.number_of_nodes() > exact_limit:
        bc = nx.betweenness_centrality(h, k=min(k, h.number_of_nodes()), seed=seed)
        note = (f"betweenness estimated from {min(k, h.number_of_nodes())} pivots (seed "
                f"{seed}; Brandes & Pich 2007) because the graph has "
                f"{h.number_of_nodes()} nodes (> {exact_limit})")
    else:
        bc = exact_betweenness(h)
    best = sorted(bc, key=lambda n: (-bc[n], n))[:top]
    best = [n for n in best if bc[n] > 0]
    cons = nx.constraint(h, nodes=best, weight=weight) if best else {}
    eff = nx.effective_size(h, nodes=best, weight=weight) if best else {}
    out = [{"id": n, "name": name(g, n), "sector": sector(g, n),
            "betweenness": round(bc[n], 4), "degree": h.degree(n),
            "constraint": round(cons[n], 3) if cons.get(n) == cons.get(n) else None,
            "effective_size": round(eff[n], 3) if eff.get(n) == eff.get(n) else None}
           for n in best]
    return out, note


def bridge_cuts(h: nx.Graph) -> dict[tuple[str, str], int]:
    """For every bridge, how many actors losing it would cut off (the smaller side).

    Linear time: contract the 2-edge-connected components, then sum sizes over the bridge
    forest, instead of one search per bridge.

    >>> bridge_cuts(nx.Graph([(1, 2), (2, 3), (3, 1), (3, 4), (4, 5)]))
    {(3, 4): 2, (4, 5): 1}
    """
    bridges = [tuple(sorted(e)) for e in nx.bridges(h)]
    if not bridges:
        return {}
    rest = h.copy()
    rest.remove_edges_from(bridges)
    block = {}
    size = {}
    for i, comp in enumerate(nx.connected_components(rest)):
        size[i] = len(comp)
        for n in comp:
            block[n] = i
    forest = nx.Graph()
    forest.add_nodes_from(size)
    for u, v in bridges:
        forest.add_edge(block[u], block[v], bridge=(u, v))
    out: dict[tuple[str, str], int] = {}
    for tree in nx.connected_components(forest):
        root = min(tree)
        total = sum(size[b] for b in tree)
        order = list(nx.dfs_preorder_nodes(forest, root))
        parent = {root: None}
        for b in order:
            for c in forest[b]:
                if c not in parent:
                    parent[c] = b
        below = {b: size[b] for b in tree}
        for b in reversed(order):
            if parent[b] is not None:
                below[parent[b]] += below[b]
                out[forest[b][parent[b]]["bridge"]] = min(below[b], total - below[b])
    return dict(sorted(out.items()))


def single_points_of_failure(h: nx.Graph, g: nx.MultiDiGraph, *, limit: int = 100
                             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Bridges (ties whose loss splits the network) and articulation points (actors whose
    loss does), the ones that cut off the most first.

    >>> g = nx.MultiDiGraph()
    >>> for n in "abc": g.add_node(n, label="Organization", kind="nonprofit", name=n)
    >>> bridges, points = single_points_of_failure(nx.path_graph("abc"), g)
    >>> [p["id"] for p in points], len(bridges)
    (['b'], 2)
    """
    bridge_list = [{"a": {"id": u, "name": name(g, u)}, "b": {"id": v, "name": name(g, v)},
                    "cuts_off": cut} for (u, v), cut in bridge_cuts(h).items()]
    bridge_list.sort(key=lambda b: (-b["cuts_off"], b["a"]["id"], b["b"]["id"]))
    pieces: Counter[str] = Counter()
    for comp in nx.biconnected_components(h):
        for n in comp:
            pieces[n] += 1
    points = [{"id": n, "name": name(g, n), "sector": sector(g, n),
               "pieces_if_removed": pieces[n]}
              for n in nx.articulation_points(h)]
    points.sort(key=lambda p: (-p["pieces_if_removed"], p["id"]))
    return bridge_list[:limit], points[:limit]


def communities(h: nx.Graph, g: nx.MultiDiGraph, *, seed: int = 42, weight: str | None = None
                ) -> dict[str, Any]:
    """Louvain communities (seeded, deterministic) with their sector mix and modularity."""
    if h.number_of_edges() == 0:
        return {"method": "louvain", "seed": seed, "modularity": None, "communities": []}
    comms = nx.community.louvain_communities(h, weight=weight, seed=seed)
    comms = sorted(comms, key=lambda c: (-len(c), min(c)))
    return {"method": "louvain", "seed": seed,
            "modularity": round(nx.community.modularity(h, comms, weight=weight), 4),
            "communities": [_members(g, list(c)) for c in comms]}


def structure(h: nx.Graph, g: nx.MultiDiGraph, *, seed: int = 42, weight: str | None = None,
              exact_limit: int = 20000, k: int = 300) -> dict[str, Any]:
    """Every structural measure of one actor graph (relationship or co-attendance)."""
    top_brokers, note = brokers(h, g, seed=seed, weight=weight, exact_limit=exact_limit, k=k)
    bridge_list, points = single_points_of_failure(h, g)
    return {
        "nodes": h.number_of_nodes(), "edges": h.number_of_edges(),
        "components": components(h, g),
        "sector_ties": sector_ties(h, g),
        "brokers": top_brokers,
        "bridges": bridge_list,
        "articulation_points": points,
        "communities": communities(h, g, seed=seed, weight=weight),
        "approximations": [note] if note else [],
    }
