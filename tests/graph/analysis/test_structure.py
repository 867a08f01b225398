"""Structure measures: Zachary's karate club against published values, and hand-checked
small graphs."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.analysis.structure import bridge_cuts, brokers, communities, structure


def as_projection(h: nx.Graph, kind: str = "nonprofit") -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for n in h:
        g.add_node(n, label="Organization", kind=kind, name=f"n{n}")
    return g


@pytest.fixture
def karate() -> tuple[nx.Graph, nx.MultiDiGraph]:
    h = nx.karate_club_graph()
    return h, as_projection(h)


def test_karate_betweenness_matches_published_values(karate) -> None:
    """Normalised betweenness of Zachary's club (e.g. Newman, *Networks*, 2010): the
    instructor (node 0) 0.4376, the president (33) 0.3041, then 32 at 0.1452, 2 at 0.1437."""
    h, g = karate
    top, note = brokers(h, g, top=4)
    assert note is None
    assert [b["id"] for b in top] == [0, 33, 32, 2]
    assert [b["betweenness"] for b in top] == pytest.approx([0.4376, 0.3041, 0.1452, 0.1437],
                                                            abs=1e-4)


def test_karate_constraint_and_effective_size(karate) -> None:
    """Effective size of an unweighted ego is degree - 2t/degree, t the ties among its
    neighbours (Borgatti 1997, simplifying Burt 1992). Node 0 has 16 neighbours with 18 ties
    among them: 16 - 36/16 = 13.75. The two leaders span the most structural holes: the lowest
    constraint and the largest effective sizes."""
    h, g = karate
    top = {b["id"]: b for b in brokers(h, g, top=34)[0]}
    t = h.subgraph(h[0]).number_of_edges()
    assert (h.degree(0), t) == (16, 18)
    assert top[0]["effective_size"] == pytest.approx(16 - 2 * t / 16)
    assert set(sorted(top, key=lambda n: top[n]["constraint"])[:2]) == {0, 33}
    assert set(sorted(top, key=lambda n: -top[n]["effective_size"])[:2]) == {0, 33}


def test_karate_communities_are_seeded_and_split_the_leaders(karate) -> None:
    h, g = karate
    a, b = communities(h, g, seed=42), communities(h, g, seed=42)
    assert a == b
    assert 0.38 <= a["modularity"] <= 0.45  # Louvain on the club: ~0.42 (Blondel et al. 2008)
    ids = {i: {m["name"] for m in c["members"]} for i, c in enumerate(a["communities"])}
    leader_0 = next(i for i, names in ids.items() if "n0" in names)
    leader_33 = next(i for i, names in ids.items() if "n33" in names)
    assert leader_0 != leader_33


def test_rustworkx_betweenness_equals_networkx(karate) -> None:
    from graph.analysis.structure import exact_betweenness

    h, _ = karate
    ours, theirs = exact_betweenness(h), nx.betweenness_centrality(h)
    assert ours.keys() == theirs.keys()
    assert all(ours[n] == pytest.approx(theirs[n], abs=1e-9) for n in h)


def test_sampled_betweenness_is_seeded_and_says_so(karate) -> None:
    h, g = karate
    a, note = brokers(h, g, exact_limit=10, k=20, seed=7)
    b, _ = brokers(h, g, exact_limit=10, k=20, seed=7)
    assert a == b and "20 pivots" in note and "Brandes & Pich" in note
    assert a[0]["id"] in (0, 33)


def test_barbell_single_points_of_failure() -> None:
    """Two 4-cliques joined through node 4: both joining ties are bridges cutting off 4
    actors; 3, 4 and 5 are articulation points."""
    h = nx.barbell_graph(4, 1)
    s = structure(h, as_projection(h))
    assert sorted((b["a"]["id"], b["b"]["id"], b["cuts_off"]) for b in s["bridges"]) == \
        [(3, 4, 4), (4, 5, 4)]
    assert sorted(p["id"] for p in s["articulation_points"]) == [3, 4, 5]
    assert s["components"][0]["size"] == 9 and len(s["components"]) == 1


def test_bridge_cuts_on_a_tree_of_cycles() -> None:
    h = nx.Graph([(1, 2), (2, 3), (3, 1), (3, 4), (4, 5), (5, 6), (6, 4), (6, 7)])
    assert bridge_cuts(h) == {(3, 4): 3, (6, 7): 1}


def test_sector_ties_show_the_missing_law_enforcement_link() -> None:
    g = nx.MultiDiGraph()
    g.add_node("ts", label="Organization", kind="truck stop", name="Stop")
    g.add_node("tc", label="Organization", kind="trucking company", name="Freight")
    g.add_node("pd", label="Organization", kind="law enforcement", name="PD")
    h = nx.Graph([("ts", "tc"), ("tc", "pd")])
    ties = structure(h, g)["sector_ties"]
    assert ties["law_enforcement_ties"] == {"truck stop": 0, "trucking company": 1}
    assert ties["matrix"]["truck stop"]["trucking company"] == 1
