"""Merging two records of one stakeholder (graph/merging.py, issue 13 item 2), on the real
embedded store: two SYNTHETIC sheriff's-office records, each with ties, one event both
attended (that tie folds), a person working for the one merged away, a referral that names
it as who was referred to, and a partnership that came out of an event (its OUTCOME_OF moves
with it). Expected values are worked out by hand from the workbook below."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import editing, merging
from graph.changelog import Who
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook
from tests.graph.test_load_atomic import fingerprint

WHO = Who("editor", key="k1")
OLD, NEW = "org:ms:harrison-sheriff", "org:ms:harrison-so"
EVENT = "event:ms:2020-01-16:build"
PERSON = "person:ms:harrison-sheriff:jo-doe"

SHEETS = {
    "organizations": """
    id,name,kind,level,state,county,city,aliases,website,note,citation
    org:ms:harrison-so,Harrison County Sheriff's Office,law enforcement,,MS,Harrison,Gulfport,HCSO,,SYNTHETIC,
    org:ms:harrison-sheriff,Harrison Sheriff Dept,law enforcement,,MS,,Gulfport,HC Sheriff,www.example.org,SYNTHETIC dup,
    org:ms:zorvek,Zorvek Travel Plaza,truck stop,,MS,,Biloxi,,,SYNTHETIC,
    org:tat,Truckers Against Trafficking,nonprofit,,,,,TAT,,,
    """,
    "events": """
    id,name,kind,date,city,state,county,note,citation,follows_event_id,followup_months
    event:ms:2020-01-16:build,Gulfport Build,coalition build,2020-01-16,Gulfport,MS,,,,,
    """,
    "participation": """
    entity_id,event_id,role,kind,name,count,level,unit,note,citation
    org:ms:harrison-so,event:ms:2020-01-16:build,attended,,,,,,first,
    org:ms:harrison-sheriff,event:ms:2020-01-16:build,attended,,,3,,,second,
    """,
    "people": """
    id,name,organization_id,title,role,email,phone,note,citation
    person:ms:harrison-sheriff:jo-doe,Jo Doe,org:ms:harrison-sheriff,Deputy,,,,SYNTHETIC,
    """,
    "relationships": """
    source_id,type,target_id,to_id,event_id,date,status,note,citation
    org:ms:harrison-sheriff,local contact,org:ms:zorvek,,,,,,
    org:tat,referred,org:ms:zorvek,org:ms:harrison-sheriff,,2021-03,,,
    org:ms:zorvek,partners with,org:ms:harrison-sheriff,,event:ms:2020-01-16:build,,,,
    org:ms:harrison-so,partners with,org:ms:harrison-sheriff,,,,,,
    """}


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "wb", **SHEETS)


@pytest.fixture
def loaded(embedded_store: GraphStore, workbook: Path) -> GraphStore:
    load(workbook, embedded_store)
    return embedded_store


def ties(store: GraphStore) -> list[tuple[str, str, str, str]]:
    return sorted((r["a"], r["t"], r["k"], r["b"]) for r in store.read(
        "MATCH (a)-[e]->(b) RETURN a.id AS a, type(e) AS t, e.key AS k, b.id AS b"))


def props(store: GraphStore, node_id: str) -> dict:
    [r] = store.read("MATCH (n:Entity {id: $id}) RETURN properties(n) AS p", {"id": node_id})
    return r["p"]


def edge(store: GraphStore, key: str) -> dict:
    [r] = store.read("MATCH ()-[e {key: $k}]->() RETURN properties(e) AS p", {"k": key})
    return r["p"]


#: every tie after the merge, by hand: the old record's ties re-keyed onto the survivor, the
#: attendance folded into the survivor's, the partnership between the two and the old
#: record's location dropped, the referral's to_id pointed at the survivor (its key stays)
AFTER = sorted([
    ("county:28047", "LOCATED_IN", "located:county:28047", "state:MS"),
    (EVENT, "LOCATED_IN", f"located:{EVENT}", "state:MS"),
    (NEW, "ATTENDED", f"attended:{NEW}>{EVENT}:attended", EVENT),
    (NEW, "LOCAL_CONTACT", f"local_contact:{NEW}>org:ms:zorvek:", "org:ms:zorvek"),
    (NEW, "LOCATED_IN", f"located:{NEW}", "county:28047"),
    ("org:ms:zorvek", "LOCATED_IN", "located:org:ms:zorvek", "state:MS"),
    ("org:ms:zorvek", "OUTCOME_OF", f"outcome_of:partners_with:org:ms:zorvek>{NEW}:", EVENT),
    ("org:ms:zorvek", "PARTNERS_WITH", f"partners_with:org:ms:zorvek>{NEW}:", NEW),
    ("org:tat", "REFERRED", "referred:org:tat>org:ms:zorvek:2021-03", "org:ms:zorvek"),
    (PERSON, "WORKS_FOR", f"works_for:{PERSON}:{NEW}", NEW),
])


def test_merge_moves_folds_drops_and_redirects(loaded: GraphStore) -> None:
    assert (OLD, "LOCAL_CONTACT", f"local_contact:{OLD}>org:ms:zorvek:", "org:ms:zorvek") \
        in ties(loaded)
    r = merging.merge(loaded, OLD, NEW, who=WHO)
    assert ties(loaded) == AFTER
    assert r.counts() == {"moved": 3, "folded": 1, "dropped": 2, "retargeted": 2, "people": 1}
    assert sorted(r.dropped) == [f"located:{OLD}", f"partners_with:{NEW}>{OLD}:"]
    assert r.folded == [f"attended:{NEW}>{EVENT}:attended"]
    # the fold keeps the survivor's tie, adds the count it lacked and both notes
    folded = edge(loaded, f"attended:{NEW}>{EVENT}:attended")
    assert (folded["note"], folded["count"]) == ("first; second", 3)
    # the survivor: the old name and alias as aliases, the website it did not have
    p = props(loaded, NEW)
    assert p["aliases"] == ["HCSO", "Harrison Sheriff Dept", "HC Sheriff"]
    assert p["website"] == "www.example.org" and p["row_hash"] == r.version
    assert p["name"] == "Harrison County Sheriff's Office" and p["note"] == "SYNTHETIC"
    assert loaded.read("MATCH (n:Entity {id: $id}) RETURN n.id AS id", {"id": OLD}) == []
    # the person keeps their id; their row names the survivor now
    assert props(loaded, PERSON)["organization_id"] == NEW
    assert edge(loaded, "referred:org:tat>org:ms:zorvek:2021-03")["to_id"] == NEW
    outcome = edge(loaded, f"outcome_of:partners_with:org:ms:zorvek>{NEW}:")
    assert outcome["via"] == f"partners_with:org:ms:zorvek>{NEW}:"
    # the redirect, and one change of the log
    assert merging.redirects(loaded, [OLD, NEW, "org:tat"]) == {OLD: NEW}
    [rec] = merging.records(loaded)
    assert (rec["id"], rec["into"], rec["name"], rec["aliases"], rec["label"], rec["change"]) \
        == (OLD, NEW, "Harrison Sheriff Dept", ["HC Sheriff"], "Organization", r.change)
    [c] = [c for c in loaded.changes() if c["action"] != "load"]
    assert (c["id"], c["action"], c["role"]) == (r.change, "merge", "editor")
    assert c["summary"].startswith(f"merged organization {OLD} (Harrison Sheriff Dept) into "
                                   f"{NEW}")
    entries = loaded.change_entries(r.change)
    # 2 records and 1 person; 7 old ties gone, 4 new ones, 2 changed in place (the fold and
    # the referral's to_id)
    assert len(entries) == 16
    assert {(e.kind, e.id) for e in entries if e.after is None} == {
        ("node", OLD), *{("relationship", k) for k in (
            f"attended:{OLD}>{EVENT}:attended", f"local_contact:{OLD}>org:ms:zorvek:",
            f"located:{OLD}", f"partners_with:org:ms:zorvek>{OLD}:",
            f"partners_with:{NEW}>{OLD}:", f"works_for:{PERSON}:{OLD}",
            f"outcome_of:partners_with:org:ms:zorvek>{OLD}:")}}


def test_undo_restores_both_records_and_every_tie_exactly(loaded: GraphStore) -> None:
    before = fingerprint(loaded)[:4]
    r = merging.merge(loaded, OLD, NEW, who=WHO)
    assert fingerprint(loaded)[:4] != before
    u = editing.undo(loaded, r.change, who=WHO)
    assert fingerprint(loaded)[:4] == before
    assert merging.redirects(loaded, [OLD]) == {}  # the merge is undone: no redirect
    editing.undo(loaded, u.change, who=WHO)  # a redo: merged again, redirected again
    assert ties(loaded) == AFTER
    assert merging.redirects(loaded, [OLD]) == {OLD: NEW}


def test_dry_run_writes_nothing(loaded: GraphStore) -> None:
    before = fingerprint(loaded)
    r = merging.merge(loaded, OLD, NEW, who=WHO, dry_run=True)
    assert r.change is None and r.counts()["moved"] == 3
    assert fingerprint(loaded) == before


def test_refusals_write_nothing(loaded: GraphStore) -> None:
    before = fingerprint(loaded)
    with pytest.raises(merging.SameRecord, match="cannot be merged into itself"):
        merging.merge(loaded, OLD, OLD, who=WHO)
    with pytest.raises(editing.NotFound, match="no record with id 'org:nope'"):
        merging.merge(loaded, "org:nope", NEW, who=WHO)
    with pytest.raises(editing.Conflict, match="only organizations are merged with "
                       "organizations, people with people"):
        merging.merge(loaded, PERSON, NEW, who=WHO)
    with pytest.raises(editing.Conflict, match="not an organization or a person"):
        merging.merge(loaded, EVENT, NEW, who=WHO)
    with pytest.raises(editing.Conflict, match="has changed since version stale"):
        merging.merge(loaded, OLD, NEW, who=WHO, version="stale")
    assert fingerprint(loaded) == before
    assert merging.SameRecord.status_code == 422 and editing.Conflict.status_code == 409


def test_a_merge_too_large_for_one_statement_is_refused(loaded: GraphStore,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(merging, "MAX_TIES", 5)  # OLD has 6 ties
    before = fingerprint(loaded)
    with pytest.raises(editing.Conflict, match=f"{OLD} has 6 ties, more than a merge moves "
                       "at once"):
        merging.merge(loaded, OLD, NEW, who=WHO)
    assert fingerprint(loaded) == before


def test_a_load_after_the_merge_resolves_the_old_id_and_name(loaded: GraphStore,
                                                             workbook: Path,
                                                             tmp_path: Path) -> None:
    merging.merge(loaded, OLD, NEW, who=WHO)
    # the same workbook again: the old row is not loaded, its ties land on the survivor
    report = load(workbook, loaded)
    assert any(f"{OLD} was merged into {NEW}" in w for w in report.warnings)
    assert loaded.read("MATCH (n:Entity) WHERE n.id = $id RETURN n.id AS id", {"id": OLD}) == []
    assert ties(loaded) == AFTER
    assert props(loaded, NEW)["aliases"] == ["HCSO", "Harrison Sheriff Dept", "HC Sheriff"]
    # a new workbook naming it by its old id, its old name and its old alias
    more = write_workbook(tmp_path / "more", events="""
        id,name,kind,date,city,state,county,note,citation,follows_event_id,followup_months
        event:ms:2021-05-01:webinar,Webinar,webinar,2021-05-01,,MS,,,,,
        """, participation="""
        entity_id,event_id,role,kind,name,count,level,unit,note,citation
        org:ms:harrison-sheriff,event:ms:2021-05-01:webinar,attended,,,,,,,
        """, people="""
        id,name,organization_id,title,role,email,phone,note,citation
        ,Al Roe,Harrison Sheriff Dept,,,,,SYNTHETIC,
        ,Bo Poe,HC Sheriff,,,,,SYNTHETIC,
        """)
    load(more, loaded)
    got = [t for t in ties(loaded) if t not in AFTER and t[1] != "LOCATED_IN"]
    # people derived from the old name keep the old name's id, as before the merge
    assert got == [
        (NEW, "ATTENDED", f"attended:{NEW}>event:ms:2021-05-01:webinar:attended",
         "event:ms:2021-05-01:webinar"),
        ("person:ms:harrison-sheriff:al-roe", "WORKS_FOR",
         f"works_for:person:ms:harrison-sheriff:al-roe:{NEW}", NEW),
        ("person:ms:harrison-sheriff:bo-poe", "WORKS_FOR",
         f"works_for:person:ms:harrison-sheriff:bo-poe:{NEW}", NEW),
    ]


def test_people_merge_and_their_work_folds(embedded_store: GraphStore, tmp_path: Path) -> None:
    """Two records of one person working for one organization: one WORKS_FOR stays, the
    other name is an alias, the contact the survivor lacked is kept. An anonymous
    survivor-leader is never merged with a named person (it would get a name)."""
    wb = write_workbook(tmp_path / "p", organizations="""
        id,name,kind,state
        org:ms:a,Synthetic Agency,state agency,MS
        """, people="""
        id,name,organization_id,title,role,email,phone,note,citation
        person:ms:a:jo-doe,Jo Doe,org:ms:a,Director,,,,,
        person:ms:a:joanne-doe,Joanne Doe,org:ms:a,,,jd@example.org,,,
        person:survivor-leader:x,,,,survivor-leader,,,,
        """)
    load(wb, embedded_store)
    r = merging.merge(embedded_store, "person:ms:a:joanne-doe", "person:ms:a:jo-doe", who=WHO)
    assert r.counts() == {"moved": 0, "folded": 1, "dropped": 0, "retargeted": 0, "people": 0}
    assert ties(embedded_store) == [
        ("org:ms:a", "LOCATED_IN", "located:org:ms:a", "state:MS"),
        ("person:ms:a:jo-doe", "WORKS_FOR", "works_for:person:ms:a:jo-doe:org:ms:a", "org:ms:a")]
    p = props(embedded_store, "person:ms:a:jo-doe")
    assert (p["aliases"], p["email"], p["title"]) == (["Joanne Doe"], "jd@example.org",
                                                      "Director")
    load(wb, embedded_store)  # again: the merged row is not loaded; the alias stays
    assert props(embedded_store, "person:ms:a:jo-doe")["aliases"] == ["Joanne Doe"]
    assert embedded_store.read("MATCH (n:Person {id: 'person:ms:a:joanne-doe'}) RETURN n.id AS i"
                               ) == []
    before = fingerprint(embedded_store)
    for a, b in (("person:survivor-leader:x", "person:ms:a:jo-doe"),
                 ("person:ms:a:jo-doe", "person:survivor-leader:x")):
        with pytest.raises(editing.Conflict, match="anonymous survivor-leader"):
            merging.merge(embedded_store, a, b, who=WHO)
    assert fingerprint(embedded_store) == before


def test_a_metric_of_the_merged_record_moves_and_keeps_its_id(loaded: GraphStore,
                                                              tmp_path: Path) -> None:
    metrics = write_workbook(tmp_path / "m", metrics="""
        scope_id,name,value,unit,date,source,note,citation
        org:ms:harrison-sheriff,tips,4,tips,2021-01,,SYNTHETIC,
        """)
    load(metrics, loaded)
    mid = f"metric:{OLD}:tips:2021-01"
    merging.merge(loaded, OLD, NEW, who=WHO)
    assert (NEW, "HAS_METRIC", f"has_metric:{mid}", mid) in ties(loaded)
    assert props(loaded, mid)["scope_id"] == NEW
    load(metrics, loaded)  # again, naming the old scope: the same metric, no twin
    assert [r["i"] for r in loaded.read("MATCH (m:Metric) RETURN m.id AS i")] == [mid]
    assert props(loaded, mid)["scope_id"] == NEW


def test_creating_a_record_merged_away_is_refused(loaded: GraphStore) -> None:
    merging.merge(loaded, OLD, NEW, who=WHO)
    before = fingerprint(loaded)
    with pytest.raises(editing.Conflict, match=f"{OLD} was merged into {NEW}"):
        editing.create(loaded, "organization", {"id": OLD, "name": "Harrison Sheriff Dept",
                                                "kind": "law enforcement", "state": "MS"},
                       who=WHO)
    assert fingerprint(loaded) == before
