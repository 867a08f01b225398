"""A load is all-or-nothing at the store: when its Nth write fails in the database, what it
wrote is taken back and the graph is exactly as before, on every backend (issue 9, item 7).

The fault is a real database error: the Nth write statement sends half of its rows, then a
statement the database refuses at run time. Nothing here mocks a database."""

from __future__ import annotations

import csv
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph.errors import StoreError, WriteFailed
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import SEED

#: refused by both databases when it runs (division by zero), after parsing
BOOM = "UNWIND $rows AS r RETURN 1 / (size($rows) - size($rows)) AS boom"


def fingerprint(store: GraphStore) -> tuple[Any, ...]:
    """Counts, and every node (id, labels, properties with row_hash and loaded_at) and every
    relationship (ends, type, properties), as a sorted list so that a twin shows; and how
    many changes the change log holds (a load taken back is not one)."""
    c = store.counts()
    nodes = sorted((r["id"], tuple(sorted(r["labels"])), sorted(r["props"].items()))
                   for r in store.read("MATCH (n:Entity) RETURN n.id AS id, labels(n) AS "
                                       "labels, properties(n) AS props"))
    log = store.read("MATCH (c:Change) RETURN count(c) AS changes")
    edges = sorted((r["src"], r["type"], r["dst"], sorted(r["props"].items()))
                   for r in store.read("MATCH (a)-[e]->(b) RETURN a.id AS src, type(e) AS "
                                       "type, b.id AS dst, properties(e) AS props"))
    return c.labels, c.relationships, nodes, edges, log


def timeless(fp: tuple[Any, ...]) -> tuple[Any, ...]:
    """A fingerprint without load times, to compare two loads of the same input."""
    labels, rels, nodes, edges, _ = fp
    return (labels, rels, [(i, lb, [kv for kv in p if kv[0] != "loaded_at"])
                           for i, lb, p in nodes],
            [(a, t, b, [kv for kv in p if kv[0] != "loaded_at"]) for a, t, b, p in edges])


class Fault:
    """Make the store's ``nth`` write fail in the database, after half its rows went in;
    ``every_after``: every later write fails too (the undo as well)."""

    def __init__(self, store: GraphStore, nth: int, *, every_after: bool = False):
        self.original: Callable[[str, list], None] = store._write
        self.nth, self.every_after = nth, every_after
        self.calls = 0
        self.fired = False
        self._lock = threading.Lock()

    def __call__(self, query: str, rows: list) -> None:
        with self._lock:
            self.calls += 1
            fire = self.calls == self.nth or (self.every_after and self.calls > self.nth)
            self.fired |= fire
        if fire:
            self.original(query, rows[: len(rows) // 2])
            self.original(BOOM, rows)
            raise AssertionError("the database accepted a division by zero")
        self.original(query, rows)


def count_writes(store: GraphStore, monkeypatch: pytest.MonkeyPatch, wb: Path) -> int:
    counter = Fault(store, nth=0)
    monkeypatch.setattr(store, "_write", counter)
    load(wb, store)
    monkeypatch.undo()
    return counter.calls


def edited_seed(folder: Path, *, more: int = 0) -> Path:
    """The seed with an organization changing kind (its labels) and state (its LOCATED_IN
    relationship keeps its key and gets another end), a renamed event, a new organization
    and a new participation; and ``more`` further new organizations."""
    shutil.copytree(SEED, folder)
    orgs = folder / "organizations.csv"
    with open(orgs, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    mta = next(r for r in rows if r["id"] == "org:ms:mississippi-trucking-association")
    mta.update(kind="trucking company", state="AL")
    rows.append({**{k: "" for k in fields}, "id": "org:new-co", "name": "New Co",
                 "kind": "shipper", "state": "MS"})
    rows += [{**{k: "" for k in fields}, "id": f"org:more-{i}", "name": f"More Co {i}",
              "kind": "shipper", "state": "MS", "note": "SYNTHETIC " + "x" * 200}
             for i in range(more)]
    with open(orgs, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fields)
        w.writeheader()
        w.writerows(rows)
    events = folder / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace(
        "Half-day training", "A half-day training"), encoding="utf-8")
    part = folder / "participation.csv"
    part.write_text(part.read_text(encoding="utf-8") +
                    "org:new-co,event:ms:2020-01-16:gulfport-coalition-build,attended,,,\n",
                    encoding="utf-8")
    return folder


def positions(total: int) -> list[int]:
    return sorted({1, 2, total // 2, total - 1, total})


def test_first_load_into_an_empty_graph_is_taken_back(store: GraphStore,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    store.batch_size = 7  # dozens of batches from the seed
    total = count_writes(store, monkeypatch, SEED)
    assert total > 10
    store.clear()
    empty = fingerprint(store)
    for nth in positions(total):
        fault = Fault(store, nth)
        monkeypatch.setattr(store, "_write", fault)
        with pytest.raises(WriteFailed) as failed:
            load(SEED, store)
        monkeypatch.undo()
        assert fault.fired
        assert not failed.value.kept, failed.value
        assert "Nothing of this load was kept" in str(failed.value)
        assert isinstance(failed.value.cause, StoreError)  # the database's refusal, said plainly
        assert fingerprint(store) == empty, f"write {nth} of {total}"
    load(SEED, store)  # and the same load, without the fault, goes through
    assert store.counts().nodes > 50


def test_update_load_is_taken_back(store: GraphStore, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store.batch_size = 3
    edited = edited_seed(tmp_path / "seed")
    load(SEED, store)
    total = count_writes(store, monkeypatch, edited)
    after_update = fingerprint(store)
    store.clear()
    load(SEED, store)
    before = fingerprint(store)
    assert after_update != before
    for nth in positions(total):
        fault = Fault(store, nth)
        monkeypatch.setattr(store, "_write", fault)
        with pytest.raises(WriteFailed, match="Nothing of this load was kept"):
            load(edited, store)
        monkeypatch.undo()
        assert fault.fired
        assert fingerprint(store) == before, f"write {nth} of {total}"
    report = load(edited, store)
    assert report.nodes.updated and report.nodes.created and report.edges.created
    # the organization that moved to another state is in that one only, not in both
    assert store.read("MATCH (:Entity {id: 'org:ms:mississippi-trucking-association'})"
                      "-[:LOCATED_IN]->(s) RETURN s.id AS s") == [{"s": "state:AL"}]
    assert timeless(fingerprint(store)) == timeless(after_update)


def test_when_the_undo_fails_too_it_says_what_was_kept(store: GraphStore, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The store refuses every write from the 4th on, the undo's too: the error says part
    of the load is in the graph, and running the load again completes it."""
    store.batch_size = 7
    monkeypatch.setattr(store, "_write", Fault(store, 4, every_after=True))
    with pytest.raises(WriteFailed, match="part of this load is in the graph") as failed:
        load(SEED, store)
    monkeypatch.undo()
    assert failed.value.kept
    assert 0 < store.counts().nodes
    load(SEED, store)
    complete = fingerprint(store)
    assert load(SEED, store).written == 0 and fingerprint(store) == complete
