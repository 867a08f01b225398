"""The same data gives byte-identical analysis JSON whatever order a store returns it in
(issue 10, Build 9): FalkorDB and Neo4j return rows in different orders, and networkx's
Louvain follows insertion order. Plus the seed on both stores, when NEO4J_URI is set, and
the Neo4j driver's notification filter."""

from __future__ import annotations

import datetime as dt
import json
import os
import random

import networkx as nx
import pytest

from graph.analysis.graphs import state_view
from graph.analysis.report import analyze
from graph.projection import _assemble, project
from graph.store import GraphStore, open_store
from loaders.load import load
from tests.conftest import SEED, neo4j_settings

AS_OF = dt.date(2026, 11, 24)


def _club(order: int) -> nx.MultiDiGraph:
    """Zachary's karate club as Mississippi organizations tied by partnerships, inserted in
    a different order for each ``order``: Louvain splits it differently when the order
    differs, unless the analyses put it in one order first."""
    club = nx.karate_club_graph()
    nodes = list(club)
    edges = list(club.edges())
    rng = random.Random(order)
    rng.shuffle(nodes)
    rng.shuffle(edges)
    g = nx.MultiDiGraph()
    for n in nodes:
        g.add_node(f"org:{n:02d}", label="Organization", kind="trucking company",
                   name=f"Carrier {n:02d}", state="MS")
    for a, b in edges:
        g.add_edge(f"org:{a:02d}", f"org:{b:02d}", type="PARTNERS_WITH")
    g.add_node("event:b", label="Event", kind="coalition build", name="Build", state="MS",
               date="2026-01-10")
    for n in (0, 5, 16, 26, 33):
        g.add_edge(f"org:{n:02d}", "event:b", type="ATTENDED")
    return g


def test_insertion_order_does_not_change_the_report() -> None:
    reports = {json.dumps(analyze(_club(i), as_of=AS_OF)) for i in range(6)}
    assert len(reports) == 1


def test_projection_orders_rows_by_id() -> None:
    g = _club(0)
    nodes = [{"id": n, "labels": ["Entity", d["label"]], "props": {k: v for k, v in d.items()
                                                                  if k != "label"}}
             for n, d in g.nodes(data=True)]
    edges = [{"src": u, "dst": v, "type": d["type"], "props": {"key": f"k{i}"}}
             for i, (u, v, d) in enumerate(g.edges(data=True))]
    from graph.projection import Filters

    one = _assemble(nodes, edges, Filters(), False)
    random.Random(3).shuffle(nodes)
    random.Random(4).shuffle(edges)
    two = _assemble(nodes, edges, Filters(), False)
    assert list(one) == list(two) == sorted(one)
    assert list(one.edges(keys=True)) == list(two.edges(keys=True))
    assert list(state_view(two, "MS")) == sorted(state_view(two, "MS"))


@pytest.mark.neo4j
@pytest.mark.skipif(not os.environ.get("NEO4J_URI"),
                    reason="NEO4J_URI is not set: comparing the stores needs a real Neo4j 5")
def test_the_seed_gives_the_same_json_on_both_stores(embedded_store: GraphStore) -> None:
    load(SEED, embedded_store)
    falkor = json.dumps(analyze(project(embedded_store), as_of=AS_OF), ensure_ascii=False)
    with open_store(neo4j_settings()) as neo:
        neo.clear()
        load(SEED, neo)
        try:
            neo4j = json.dumps(analyze(project(neo), as_of=AS_OF), ensure_ascii=False)
        finally:
            neo.clear()
    assert falkor == neo4j


def test_neo4j_notifications_are_off_unless_asked_for() -> None:
    from neo4j import GraphDatabase

    from graph.settings import Settings
    from graph.store.neo4j_store import driver_options

    assert Settings().neo4j_notifications is False
    assert Settings(neo4j_notifications=True).neo4j_notifications is True
    # The real driver takes the option (no server needed to build a driver) and sends it
    # with every connection's HELLO.
    driver = GraphDatabase.driver("bolt://127.0.0.1:9", auth=("u", "p"),
                                  **driver_options(False))
    try:
        assert driver._pool.pool_config.notifications_min_severity == "OFF"
    finally:
        driver.close()
    assert driver_options(True) == {}
