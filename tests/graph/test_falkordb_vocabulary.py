"""The FalkorDB store registers every label and relationship type before use.

FalkorDB 4.16 can crash when a write adds a label while another query is being planned
(FalkorDB issue #1784; bench/schema_race.py reproduces it). Our loads run two writers at once,
and the API reads while an import writes, so no write may ever add a label or type: these tests
hold that invariant, on a real embedded server.
"""

from __future__ import annotations

from graph import model, queries
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import SEED


def vocabulary(store: GraphStore) -> tuple[set[str], set[str]]:
    return ({r["name"] for r in store.read(queries.FALKORDB_LABELS)},
            {r["name"] for r in store.read(queries.FALKORDB_REL_TYPES)})


#: the graph's labels and the change log's (graph/changelog.py), which edits write while the
#: API reads
LABELS = set(model.NODE_LABELS | model.LOG_LABELS)


def test_a_new_graph_has_the_whole_vocabulary_and_no_nodes(embedded_store: GraphStore) -> None:
    assert vocabulary(embedded_store) == (LABELS, set(model.REL_TYPES))
    assert embedded_store.read("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    assert embedded_store.is_empty()


def test_loading_the_seed_adds_no_label_or_type(embedded_store: GraphStore) -> None:
    before = vocabulary(embedded_store)
    report = load(SEED, embedded_store)
    assert report.written > 0
    assert vocabulary(embedded_store) == before


def test_clear_leaves_a_graph_ready_to_write(embedded_store: GraphStore) -> None:
    load(SEED, embedded_store)
    embedded_store.clear()
    assert vocabulary(embedded_store) == (LABELS, set(model.REL_TYPES))
    assert embedded_store.is_empty()
    # the indexes came back too: the id index is what the upserts look nodes up by
    indexed = {r["label"] for r in embedded_store.read(
        "CALL db.indexes() YIELD label RETURN label")}
    assert model.ENTITY in indexed
