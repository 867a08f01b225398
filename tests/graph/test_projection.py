"""Projection from the store to networkx, with each filter."""

from __future__ import annotations

import pytest

from graph.projection import Filters, project
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import SEED

GULFPORT = "event:ms:2020-01-16:gulfport-coalition-build"
NEAL = "person:racine-coalition-against-human-trafficking:neal-lofy"


@pytest.fixture
def seeded(store: GraphStore) -> GraphStore:
    load(SEED, store)
    return store


def test_whole_graph_keeps_every_property(seeded: GraphStore) -> None:
    g = project(seeded)
    assert (g.number_of_nodes(), g.number_of_edges()) == (86, 104)
    n = g.nodes["org:ca:san-joaquin-regional-transit-district"]
    assert n["label"] == "Organization" and "TransitAgency" in n["labels"]
    assert n["aliases"] == ["San Joaquin County Regional Transportation Department",
                            "San Joaquin Regional Transportation Department"]
    [(_, _, e)] = [x for x in g.out_edges(NEAL, data=True) if x[2]["type"] == "REFERRED"]
    assert e["to_id"] == "org:tat" and e["key"].startswith("referred:")


def test_kinds_and_relationship_types(seeded: GraphStore) -> None:
    g = project(seeded, Filters(kinds=("trucking company", "Event"), rel_types=("ATTENDED",)))
    # unnamed groups of trucking companies are trucking companies too
    assert {d["label"] for _, d in g.nodes(data=True)} == {"Organization", "Event", "Group"}
    assert {d["kind"] for _, d in g.nodes(data=True) if d["label"] != "Event"} == \
        {"trucking company"}
    assert {d["type"] for *_, d in g.edges(data=True)} == {"ATTENDED"}
    assert g.has_edge("group:ca:2022-11-09:stockton-coalition-build:trucking-company",
                      "event:ca:2022-11-09:stockton-coalition-build")


def test_date_range(seeded: GraphStore) -> None:
    g = project(seeded, Filters(date_from="2020-01-01", date_to="2020-12-31"))
    assert GULFPORT in g
    assert "event:ms:2017:jackson-coalition-build" not in g
    assert "event:ca:2022-11-09:stockton-coalition-build" not in g
    assert "event:undated:a4y-cvjc-tat-presentation" in g  # undated items stay


def test_ego_network(seeded: GraphStore) -> None:
    one = project(seeded, Filters(focus=NEAL, depth=1))
    assert set(one) == {NEAL, "org:quality-carriers",
                        "org:racine-coalition-against-human-trafficking",
                        "event:wi:2014-07:menomonee-falls-coalition-build"}
    two = project(seeded, Filters(focus=NEAL, depth=2))
    assert "org:tat" in two and set(one) < set(two)


def test_state_view(seeded: GraphStore) -> None:
    g = project(seeded, Filters(states=("CA",)))
    assert "event:ca:2022-11-09:stockton-coalition-build" in g
    assert "org:moss-adams" in g  # stateless, attended a CA event
    assert GULFPORT not in g


def test_database_and_python_state_views_agree(seeded: GraphStore) -> None:
    from graph.analysis.graphs import state_view, states_of

    whole = project(seeded)
    for st in states_of(whole):
        assert set(project(seeded, Filters(states=(st,)))) == set(state_view(whole, st)), st


def test_kinds_take_sectors_too(seeded: GraphStore) -> None:
    g = project(seeded, Filters(kinds=("law enforcement",)))
    assert {d["kind"] for _, d in g.nodes(data=True)} == {"law enforcement", "prosecutor",
                                                          "task force"}
    industry = project(seeded, Filters(kinds=("industry",)))
    assert "org:ergon-trucking" in industry and "org:tat" not in industry


def test_database_paths_equal_networkx(seeded: GraphStore) -> None:
    import networkx as nx

    from graph.projection import EXPANDABLE, shortest_paths

    whole = project(seeded)
    u = nx.Graph(whole.to_undirected())
    pairs = [("org:ms:mississippi-trucking-association", "org:quality-carriers"),
             ("org:moss-adams", "org:ms:dmv"), ("org:ergon-trucking", "org:fmcsa"),
             ("org:ergon-trucking", "program:tat-training"), (NEAL, NEAL)]
    for a, b in pairs:
        # only actors and events in between; the ends may be anything
        inner = u.subgraph([n for n, d in whole.nodes(data=True)
                            if d["label"] in EXPANDABLE or n in (a, b)])
        ours = shortest_paths(seeded, a, b, limit=50)
        theirs = sorted(nx.all_shortest_paths(inner, a, b))
        assert ours == theirs, (a, b)
        assert all(whole.nodes[n]["label"] in EXPANDABLE for p in ours for n in p[1:-1])
    assert shortest_paths(seeded, NEAL, "state:IA") == []  # not connected
