"""Editing in place (graph/editing.py) and the change log it writes, on the real embedded
store: hand-checked before/after of small edits, versions, privacy, undo restoring exactly,
and loads recorded as changes. SYNTHETIC records (made-up names)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import editing
from graph.changelog import Who
from graph.errors import LoadError
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import SEED, write_workbook
from tests.graph.test_load_atomic import fingerprint as full_fingerprint

WHO = Who("editor", key="k1")
PLAZA = {"name": "Zorvek Travel Plaza", "kind": "truck stop", "state": "MS",
         "county": "Harrison", "city": "Biloxi", "note": "SYNTHETIC"}


def fingerprint(store: GraphStore) -> tuple:
    """The graph's fingerprint (tests/graph/test_load_atomic.py) without the change log,
    which an undo adds to."""
    return full_fingerprint(store)[:4]


def log_of(store: GraphStore, change: str) -> list[dict]:
    return [e.as_dict() for e in store.change_entries(change)]


def test_create_writes_the_node_its_place_and_one_change(embedded_store: GraphStore) -> None:
    r = editing.create(embedded_store, "organization", PLAZA, who=WHO)
    assert r.id == "org:ms:zorvek-travel-plaza"  # the loader's id rule
    [node] = embedded_store.read("MATCH (n:Entity {id: $id}) RETURN labels(n) AS l, "
                                 "properties(n) AS p", {"id": r.id})
    assert sorted(node["l"]) == ["Entity", "Organization", "TruckStop"]
    assert node["p"]["row_hash"] == r.version and node["p"]["source"] == "edit"
    assert node["p"]["county"] == "Harrison County" and node["p"]["county_fips"] == "28047"
    ties = sorted((x["a"], x["t"], x["b"]) for x in embedded_store.read(
        "MATCH (a)-[e]->(b) RETURN a.id AS a, type(e) AS t, b.id AS b"))
    assert ties == [("county:28047", "LOCATED_IN", "state:MS"),
                    (r.id, "LOCATED_IN", "county:28047")]
    [change] = embedded_store.changes()
    assert (change["id"], change["action"], change["role"], change["key"]) == \
        (r.change, "create", "editor", "k1")
    entries = log_of(embedded_store, r.change)
    # the organization, the state and county it implied, and their two ties: all new
    assert sorted((e["kind"], e["id"]) for e in entries) == [
        ("node", "county:28047"), ("node", r.id), ("node", "state:MS"),
        ("relationship", "located:county:28047"), ("relationship", f"located:{r.id}")]
    assert all(e["before"] is None for e in entries)
    mine = next(e for e in entries if e["id"] == r.id)
    assert mine["after"]["props"]["city"] == "Biloxi"


def test_an_update_logs_exactly_what_changed(embedded_store: GraphStore) -> None:
    r = editing.create(embedded_store, "organization", PLAZA, who=WHO)
    u = editing.update(embedded_store, r.id, {"city": "Gulfport"}, version=r.version, who=WHO)
    assert u.version != r.version
    [entry] = editing.history(embedded_store, entity=r.id, limit=1)[0]["entries"]
    assert entry["changes"] == {"city": ["Biloxi", "Gulfport"]}
    assert entry["before"]["props"]["row_hash"] == r.version
    assert entry["after"]["props"]["row_hash"] == u.version


def test_a_stale_version_is_refused_with_what_changed_since(embedded_store: GraphStore) -> None:
    r = editing.create(embedded_store, "organization", PLAZA, who=WHO)
    u = editing.update(embedded_store, r.id, {"city": "Gulfport"}, version=r.version, who=WHO)
    before = fingerprint(embedded_store)
    with pytest.raises(editing.Conflict) as e:
        editing.update(embedded_store, r.id, {"city": "Pascagoula"}, version=r.version,
                       who=WHO)
    assert e.value.details["current_version"] == u.version
    [since] = e.value.details["changed_since"]
    assert since["id"] == u.change and since["changes"] == {"city": ["Biloxi", "Gulfport"]}
    assert fingerprint(embedded_store) == before  # a refused edit writes nothing


def test_the_loader_rules_and_messages_apply(embedded_store: GraphStore) -> None:
    with pytest.raises(LoadError) as e:
        editing.create(embedded_store, "organization", {**PLAZA, "kind": "truck stp"},
                       who=WHO)
    assert "kind" in str(e.value) and "unknown organization kind" in str(e.value)
    with pytest.raises(LoadError, match="personal details of survivors are never stored"):
        editing.create(embedded_store, "person", {"id": "person:s1", "name": "Jane Roe",
                                                  "role": "survivor-leader"}, who=WHO)
    with pytest.raises(LoadError, match="victims are never stored as people"):
        editing.create(embedded_store, "person", {"id": "person:v1", "role": "victim"},
                       who=WHO)
    with pytest.raises(LoadError, match="not a field of a organization"):
        editing.create(embedded_store, "organization", {**PLAZA, "colour": "red"}, who=WHO)
    assert embedded_store.is_empty() and embedded_store.changes() == []
    # a survivor-leader's record cannot be given a name by an edit either
    p = editing.create(embedded_store, "person", {"id": "person:s2",
                                                  "role": "survivor-leader"}, who=WHO)
    with pytest.raises(LoadError, match="personal details of survivors"):
        editing.update(embedded_store, p.id, {"name": "Jane Roe"}, version=p.version, who=WHO)


def test_a_taken_id_is_a_conflict(embedded_store: GraphStore) -> None:
    editing.create(embedded_store, "organization", PLAZA, who=WHO)
    with pytest.raises(editing.Conflict, match="exists already"):
        editing.create(embedded_store, "organization", PLAZA, who=WHO)


def test_delete_names_the_people_unless_cascade_and_undo_restores(
        embedded_store: GraphStore) -> None:
    r = editing.create(embedded_store, "organization", PLAZA, who=WHO)
    p = editing.create(embedded_store, "person", {"name": "Kemfir Dolsar",
                                                  "organization_id": r.id,
                                                  "title": "Manager"}, who=WHO)
    assert p.id == "person:ms:zorvek-travel-plaza:kemfir-dolsar"
    with pytest.raises(editing.Conflict) as e:
        editing.delete(embedded_store, r.id, version=None, who=WHO)
    assert e.value.details["people"] == [p.id]
    before = fingerprint(embedded_store)
    d = editing.delete(embedded_store, r.id, version=None, who=WHO, cascade=True)
    ids = {x["id"] for x in embedded_store.read("MATCH (n:Entity) RETURN n.id AS id")}
    assert ids == {"state:MS", "county:28047"}
    assert {(e["kind"], e["id"]) for e in log_of(embedded_store, d.change)} == {
        ("node", r.id), ("node", p.id), ("relationship", f"located:{r.id}"),
        ("relationship", f"works_for:{p.id}:{r.id}")}
    editing.undo(embedded_store, d.change, who=WHO)
    assert fingerprint(embedded_store) == before


def test_a_later_record_in_the_same_state_does_not_block_an_undo(
        embedded_store: GraphStore) -> None:
    # the plazas are both LOCATED_IN county 28047, which neither changes: the second does not
    # depend on the first (issue 13 item 2: 409 names the later changes that depend on it)
    editing.create(embedded_store, "organization", {**PLAZA, "name": "Pellow Casino",
                                                    "kind": "casino"}, who=WHO)
    before = fingerprint(embedded_store)
    first = editing.create(embedded_store, "organization", PLAZA, who=WHO)
    second = editing.create(embedded_store, "organization",
                            {**PLAZA, "name": "Quillon Truck Stop"}, who=WHO)
    assert "county:28047" in {i for e in embedded_store.change_entries(second.change)
                          for i in e.entities()}
    editing.undo(embedded_store, first.change, who=WHO)
    editing.undo(embedded_store, second.change, who=WHO)
    assert fingerprint(embedded_store) == before


def test_a_later_record_depends_on_the_place_an_earlier_one_created(
        embedded_store: GraphStore) -> None:
    first = editing.create(embedded_store, "organization", PLAZA, who=WHO)  # makes the county
    second = editing.create(embedded_store, "organization",
                            {**PLAZA, "name": "Quillon Truck Stop"}, who=WHO)
    with pytest.raises(editing.Conflict) as e:
        editing.undo(embedded_store, first.change, who=WHO)
    assert e.value.details["later"] == [second.change]


def test_undo_restores_exactly_and_is_refused_under_later_changes(
        embedded_store: GraphStore) -> None:
    r = editing.create(embedded_store, "organization", PLAZA, who=WHO)
    before = fingerprint(embedded_store)
    u1 = editing.update(embedded_store, r.id, {"city": "Gulfport", "county": "Jackson"},
                        version=r.version, who=WHO)
    u2 = editing.update(embedded_store, r.id, {"note": "SYNTHETIC, checked"},
                        version=u1.version, who=WHO)
    with pytest.raises(editing.Conflict) as e:
        editing.undo(embedded_store, u1.change, who=WHO)
    assert e.value.details["later"] == [u2.change]
    editing.undo(embedded_store, u2.change, who=WHO)
    with pytest.raises(editing.Conflict, match="undone already"):
        editing.undo(embedded_store, u2.change, who=WHO)
    # u2 and its undo cancel out: u1 can be undone now, newest first
    editing.undo(embedded_store, u1.change, who=WHO)
    assert fingerprint(embedded_store) == before
    assert [c["action"] for c in embedded_store.changes(entity=r.id)] == \
        ["undo", "undo", "update", "update", "create"]


def test_undo_of_one_edit_gives_back_the_fingerprint(embedded_store: GraphStore) -> None:
    r = editing.create(embedded_store, "organization", PLAZA, who=WHO)
    before = fingerprint(embedded_store)
    u = editing.update(embedded_store, r.id, {"county": "Jackson", "kind": "casino"},
                       version=r.version, who=WHO)
    assert fingerprint(embedded_store) != before
    editing.undo(embedded_store, u.change, who=WHO)
    assert fingerprint(embedded_store) == before


def test_a_load_is_one_change_and_undoing_it_gives_the_graph_back(
        embedded_store: GraphStore, tmp_path: Path) -> None:
    empty = fingerprint(embedded_store)
    report = load(SEED, embedded_store, who=WHO)
    [change] = embedded_store.changes()
    assert change["id"] == report.change and change["action"] == "load"
    assert change["entry_count"] == report.written
    [shown] = editing.history(embedded_store, max_entries=5)
    assert len(shown["entries"]) == 5 and shown["entry_count"] == report.written
    seeded = fingerprint(embedded_store)
    wb = write_workbook(tmp_path / "more", organizations="""
        id,name,kind,state,city,note
        org:quality-carriers,Quality Carriers (renamed),trucking company,FL,Tampa,SYNTHETIC
        org:ms:zz-new,Zz New Freight,trucking company,MS,Biloxi,SYNTHETIC
    """)
    second = load(wb, embedded_store, who=WHO)
    entries = {e.id: e for e in embedded_store.change_entries(second.change)}
    assert entries["org:ms:zz-new"].before is None
    assert entries["org:quality-carriers"].before["props"]["name"] == "Quality Carriers"
    assert entries["org:quality-carriers"].after["props"]["name"] == \
        "Quality Carriers (renamed)"
    editing.undo(embedded_store, second.change, who=WHO)
    assert fingerprint(embedded_store) == seeded
    # the second load and its undo cancel out: the first can be undone in turn
    editing.undo(embedded_store, report.change, who=WHO)
    assert fingerprint(embedded_store) == empty
    assert [c["action"] for c in embedded_store.changes()] == ["undo", "undo", "load", "load"]


def test_an_edit_that_fails_midway_leaves_the_graph_as_it_was(
        embedded_store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write after an edit's guard fails in turn, in the database (tests/graph/
    test_load_atomic.py's Fault): the graph and the log are as before each time."""
    from graph.errors import StoreError
    from tests.graph.test_load_atomic import Fault

    r = editing.create(embedded_store, "organization", PLAZA, who=WHO)
    p = editing.create(embedded_store, "person", {"name": "Kemfir Dolsar",
                                                  "organization_id": r.id}, who=WHO)
    u = editing.update(embedded_store, r.id, {"county": "Jackson"}, version=r.version,
                       who=WHO)
    edits = {
        "update": lambda: editing.update(embedded_store, r.id, {"county": "Harrison",
                                                                "kind": "casino"},
                                         version=u.version, who=WHO),
        "delete": lambda: editing.delete(embedded_store, r.id, version=None, who=WHO,
                                         cascade=True),
        "undo": lambda: editing.undo(embedded_store, u.change, who=WHO),
    }
    for name, edit in edits.items():
        nth = 1
        while True:
            before = full_fingerprint(embedded_store)
            fault = Fault(embedded_store, nth)
            monkeypatch.setattr(embedded_store, "_write", fault)
            try:
                edit()
            except (StoreError, AssertionError):
                pass
            monkeypatch.undo()
            if not fault.fired:  # past its last write: it went through; take it back
                assert full_fingerprint(embedded_store) != before
                break
            assert full_fingerprint(embedded_store) == before, (name, nth)
            nth += 1
        assert nth > 1, name
        if name != "undo":
            last = embedded_store.changes(limit=1)[0]["id"]
            editing.undo(embedded_store, last, who=WHO)
    assert p.id
