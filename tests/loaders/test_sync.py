"""``coalition load --sync`` (loaders/sync.py): the workbook is the whole truth for its
sources. Small SYNTHETIC workbooks (made-up names), answers checked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import editing
from graph.changelog import Who
from graph.errors import LoadError
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook
from tests.graph.test_load_atomic import fingerprint as full_fingerprint

WHO = Who("editor", key="k1")
ORGS = """
    id,name,kind,state,city,note
    org:ms:zz-alpha,Zz Alpha Freight,trucking company,MS,Biloxi,SYNTHETIC
    org:ms:zz-beta,Zz Beta Plaza,truck stop,MS,Gulfport,SYNTHETIC
    org:ms:zz-gamma,Zz Gamma Casino,casino,MS,Biloxi,SYNTHETIC
"""
TIES = """
    source_id,type,target_id,date,note
    org:ms:zz-alpha,partners with,org:ms:zz-beta,2020,SYNTHETIC
    org:ms:zz-alpha,partners with,org:ms:zz-gamma,2021,SYNTHETIC
"""
#: the same, without Gamma and its tie
ORGS_LESS = "\n".join(ORGS.strip().splitlines()[:-1])
TIES_LESS = "\n".join(TIES.strip().splitlines()[:-1])


def graph(store: GraphStore) -> tuple:
    """Nodes and relationships without the change log."""
    return full_fingerprint(store)[:4]


def ids(store: GraphStore) -> set[str]:
    return {r["id"] for r in store.read("MATCH (n:Entity) WHERE n.source <> 'edit' AND NOT "
                                        "n.id STARTS WITH 'state:' AND NOT n.id STARTS WITH "
                                        "'county:' RETURN n.id AS id")} | \
        {r["id"] for r in store.read("MATCH (n:Entity {source: 'edit'}) RETURN n.id AS id")}


def partners(store: GraphStore) -> set[tuple[str, str]]:
    return {(r["a"], r["b"]) for r in store.read(
        "MATCH (a)-[e:PARTNERS_WITH]->(b) RETURN a.id AS a, b.id AS b")}


@pytest.fixture
def loaded(tmp_path: Path, embedded_store: GraphStore) -> GraphStore:
    load(write_workbook(tmp_path / "wb", organizations=ORGS, relationships=TIES),
         embedded_store, who=WHO)
    return embedded_store


def test_a_sync_removes_what_its_source_no_longer_has(tmp_path: Path, loaded: GraphStore
                                                     ) -> None:
    wb = write_workbook(tmp_path / "wb", organizations=ORGS_LESS, relationships=TIES_LESS)
    report = load(wb, loaded, sync=True, who=WHO)
    r = report.removals
    assert r is not None
    assert r["sources"] == ["wb/organizations.csv", "wb/relationships.csv"]
    assert [n["id"] for n in r["nodes"]] == ["org:ms:zz-gamma"]
    # Gamma's tie, and its LOCATED_IN, which its own row defined
    assert sorted((e["type"], e["src"], e["dst"]) for e in r["relationships"]) == [
        ("LOCATED_IN", "org:ms:zz-gamma", "state:MS"),
        ("PARTNERS_WITH", "org:ms:zz-alpha", "org:ms:zz-gamma")]
    assert r["kept"] == []
    assert ids(loaded) == {"org:ms:zz-alpha", "org:ms:zz-beta"}
    assert partners(loaded) == {("org:ms:zz-alpha", "org:ms:zz-beta")}
    assert loaded.read("MATCH (n:Entity {id: 'org:ms:zz-gamma'}) RETURN n") == []
    assert loaded.read("MATCH (s:Entity {id: 'state:MS'}) RETURN s.id AS id")  # reference


def test_the_dry_run_lists_exactly_the_removals_and_writes_nothing(
        tmp_path: Path, loaded: GraphStore) -> None:
    before = full_fingerprint(loaded)
    wb = write_workbook(tmp_path / "wb", organizations=ORGS_LESS, relationships=TIES_LESS)
    dry = load(wb, loaded, sync=True, dry_run=True, who=WHO)
    assert full_fingerprint(loaded) == before  # the change log too
    assert dry.change is None and dry.as_dict()["written"] == 0
    real = load(wb, loaded, sync=True, who=WHO)
    assert dry.removals == real.removals
    assert [n["id"] for n in dry.removals["nodes"]] == ["org:ms:zz-gamma"]


def test_another_sources_records_are_kept(tmp_path: Path, loaded: GraphStore) -> None:
    """Another folder is another source: its tie to Gamma stays, and so Gamma does too."""
    load(write_workbook(tmp_path / "other", organizations="""
        id,name,kind,state,city,note
        org:ms:zz-delta,Zz Delta Carriers,trucking company,MS,Biloxi,SYNTHETIC
    """, relationships="""
        source_id,type,target_id,date,note
        org:ms:zz-delta,partners with,org:ms:zz-gamma,2022,SYNTHETIC
    """), loaded, who=WHO)
    wb = write_workbook(tmp_path / "wb", organizations=ORGS_LESS, relationships=TIES_LESS)
    r = load(wb, loaded, sync=True, who=WHO).removals
    assert r["nodes"] == []
    # wb's own ties of Gamma only: its tie from Alpha and its row's LOCATED_IN
    assert sorted(e["dst"] for e in r["relationships"]) == ["org:ms:zz-gamma", "state:MS"]
    [kept] = r["kept"]
    assert kept["id"] == "org:ms:zz-gamma"
    assert "other/relationships.csv's PARTNERS_WITH" in kept["reason"]
    assert ids(loaded) == {"org:ms:zz-alpha", "org:ms:zz-beta", "org:ms:zz-gamma",
                           "org:ms:zz-delta"}
    assert partners(loaded) == {("org:ms:zz-alpha", "org:ms:zz-beta"),
                                ("org:ms:zz-delta", "org:ms:zz-gamma")}


def test_what_an_edit_created_or_last_changed_is_kept(tmp_path: Path, loaded: GraphStore
                                                      ) -> None:
    made = editing.create(loaded, "organization", {
        "name": "Zz Epsilon Services", "kind": "victim services", "state": "MS", "city": "Biloxi",
        "note": "SYNTHETIC"}, who=WHO)
    node = loaded.read("MATCH (n:Entity {id: 'org:ms:zz-gamma'}) RETURN n.row_hash AS v")[0]
    editing.update(loaded, "org:ms:zz-gamma", {"city": "Gulfport"}, version=node["v"], who=WHO)
    wb = write_workbook(tmp_path / "wb", organizations=ORGS_LESS, relationships=TIES_LESS)
    r = load(wb, loaded, sync=True, who=WHO).removals
    assert r["nodes"] == []
    # the edit rewrote Gamma and its LOCATED_IN (its city changed): both stay; the tie from
    # Alpha, which no edit touched, is the source's and goes
    assert [(k["kind"], k["id"]) for k in r["kept"]] == [
        ("relationship", "located:org:ms:zz-gamma"), ("node", "org:ms:zz-gamma")]
    assert all("last changed by an edit" in k["reason"] for k in r["kept"])
    assert [(e["type"], e["src"], e["dst"]) for e in r["relationships"]] == [
        ("PARTNERS_WITH", "org:ms:zz-alpha", "org:ms:zz-gamma")]
    assert {made.id, "org:ms:zz-gamma"} <= ids(loaded)
    assert partners(loaded) == {("org:ms:zz-alpha", "org:ms:zz-beta")}


def test_an_edit_that_was_undone_does_not_keep_it(tmp_path: Path, loaded: GraphStore) -> None:
    node = loaded.read("MATCH (n:Entity {id: 'org:ms:zz-gamma'}) RETURN n.row_hash AS v")[0]
    u = editing.update(loaded, "org:ms:zz-gamma", {"city": "Gulfport"}, version=node["v"],
                       who=WHO)
    editing.undo(loaded, u.change, who=WHO)
    wb = write_workbook(tmp_path / "wb", organizations=ORGS_LESS, relationships=TIES_LESS)
    r = load(wb, loaded, sync=True, who=WHO).removals
    assert [n["id"] for n in r["nodes"]] == ["org:ms:zz-gamma"]


def test_undo_restores_what_the_sync_removed(tmp_path: Path, loaded: GraphStore) -> None:
    before = graph(loaded)
    wb = write_workbook(tmp_path / "wb", organizations=ORGS_LESS.replace(
        "Zz Beta Plaza", "Zz Beta Plaza Renamed"), relationships=TIES_LESS)
    report = load(wb, loaded, sync=True, who=WHO)
    [change] = loaded.changes(ids=[report.change])
    assert change["action"] == "load" and change["summary"].startswith("sync of wb")
    assert "1 node(s) and 2 relationship(s) removed" in change["summary"]
    assert graph(loaded) != before
    editing.undo(loaded, report.change, who=WHO)
    assert graph(loaded) == before  # the removals and the rename, both taken back


def test_a_sync_with_no_removals_is_a_normal_load(tmp_path: Path, embedded_store: GraphStore
                                                  ) -> None:
    wb = write_workbook(tmp_path / "wb", organizations=ORGS, relationships=TIES)
    synced = load(wb, embedded_store, sync=True, who=WHO).as_dict()
    after_sync = graph(embedded_store)
    embedded_store.clear()
    plain = load(wb, embedded_store, who=WHO).as_dict()
    assert synced.pop("removals") == {"sources": ["wb/organizations.csv",
                                                  "wb/relationships.csv"],
                                      "nodes": [], "relationships": [], "kept": []}
    for d in (synced, plain):
        d.pop("timings"), d.pop("change")
    assert synced == plain
    strip = lambda g: [[(x[0], x[1], [p for p in x[2] if p[0] != "loaded_at"]) if len(x) == 3
                        else (x[0], x[1], x[2], [p for p in x[3] if p[0] != "loaded_at"])
                        for x in part] if isinstance(part, list) else part for part in g]
    assert strip(graph(embedded_store)) == strip(after_sync)
    # and again: nothing to write, nothing to remove, no change
    again = load(wb, embedded_store, sync=True, who=WHO)
    assert again.written == 0 and again.change is None and not again.removals["nodes"]


def test_a_failed_sync_leaves_the_graph_as_it_was(tmp_path: Path, loaded: GraphStore,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The removals fail half-way (after the upserts and the tie's removal): all of it is
    taken back, by the loader's own mechanism. A fault in our code, not a mock store."""
    before = full_fingerprint(loaded)
    from loaders import sync

    real = sync.Removals.write

    def half(self: sync.Removals, store: GraphStore) -> None:
        self.nodes, kept = [], self.nodes
        real(self, store)  # the relationship goes
        self.nodes = kept
        raise RuntimeError("SYNTHETIC failure after the first removal")

    monkeypatch.setattr(sync.Removals, "write", half)
    wb = write_workbook(tmp_path / "wb", organizations=ORGS_LESS.replace(
        "Zz Beta Plaza", "Zz Beta Plaza Renamed"), relationships=TIES_LESS)
    with pytest.raises(Exception, match="Nothing of this load was kept"):
        load(wb, loaded, sync=True, who=WHO)
    assert full_fingerprint(loaded) == before


def test_sync_and_skip_invalid_are_refused_together(tmp_path: Path, loaded: GraphStore) -> None:
    wb = write_workbook(tmp_path / "wb", organizations=ORGS_LESS)
    with pytest.raises(LoadError, match="--sync cannot be combined with --skip-invalid"):
        load(wb, loaded, sync=True, skip_invalid=True, who=WHO)


def test_a_source_the_workbook_has_no_rows_of_is_not_touched(tmp_path: Path, loaded: GraphStore
                                                             ) -> None:
    """Only organizations this time: the relationships sheet's ties stay (not its source)."""
    wb = write_workbook(tmp_path / "wb", organizations=ORGS)
    (tmp_path / "wb" / "relationships.csv").unlink()
    r = load(wb, loaded, sync=True, who=WHO).removals
    assert r["sources"] == ["wb/organizations.csv"]
    assert r["nodes"] == [] and r["relationships"] == []
    assert len(partners(loaded)) == 2
