"""The store contract: the same tests on every backend (embedded always, Neo4j when set)."""

from __future__ import annotations

import pytest

from graph.errors import QueryError, ReadOnlyViolation
from graph.store import GraphStore


def orgs(*ids: str, **extra: object) -> list[dict]:
    return [{"id": i, "props": {"id": i, "name": i.upper(), **extra}} for i in ids]


def test_upsert_nodes_is_idempotent_and_sets_labels(store: GraphStore) -> None:
    rows = orgs("a", "b", "c")
    store.upsert_nodes(("Organization", "TruckStop"), rows)
    store.upsert_nodes(("Organization", "TruckStop"), rows)
    c = store.counts()
    assert c.labels == {"Entity": 3, "Organization": 3, "TruckStop": 3}
    assert c.relationships == {}


def test_upsert_replaces_properties_and_kind_label(store: GraphStore) -> None:
    store.upsert_nodes(("Organization", "TruckStop"), orgs("a", city="Biloxi"))
    store.upsert_nodes(("Organization", "Casino"), [{"id": "a", "props": {"id": "a",
                                                                          "name": "A2"}}])
    [row] = store.read("MATCH (n:Entity {id: 'a'}) RETURN labels(n) AS l, properties(n) AS p")
    assert sorted(row["l"]) == ["Casino", "Entity", "Organization"]
    assert row["p"] == {"id": "a", "name": "A2"}  # city is gone: SET n = props


def test_edges_merge_by_key(store: GraphStore) -> None:
    store.upsert_nodes(("Organization", "TruckStop"), orgs("ts"))
    store.upsert_nodes(("Organization", "LawEnforcement"), orgs("pd"))
    edge = {"src": "ts", "dst": "pd", "key": "k1", "props": {"key": "k1", "date": "2020-01"}}
    store.upsert_edges("LOCAL_CONTACT", [edge])
    store.upsert_edges("LOCAL_CONTACT", [edge])
    store.upsert_edges("LOCAL_CONTACT", [{**edge, "key": "k2", "props": {"key": "k2"}}])
    assert store.counts().relationships == {"LOCAL_CONTACT": 2}
    rows = [{"src": "ts", "key": k, "hash": "differs"} for k in ("k1", "k2", "k3")]
    assert store.changed_edges("LOCAL_CONTACT", rows) == {"k1": False, "k2": False, "k3": True}


def test_edges_to_missing_nodes_write_nothing(store: GraphStore) -> None:
    store.upsert_nodes(("Organization", "TruckStop"), orgs("ts"))
    store.upsert_edges("LOCAL_CONTACT", [{"src": "ts", "dst": "nope", "key": "k",
                                          "props": {"key": "k"}}])
    assert store.counts().relationships == {}


def test_batches_larger_than_batch_size(store: GraphStore) -> None:
    store.batch_size = 7
    store.upsert_nodes(("Person",), orgs(*[f"p{i}" for i in range(50)]))
    assert store.counts().labels["Person"] == 50
    rows = [{"id": f"p{i}", "hash": "differs"} for i in range(60)]
    assert sorted(k for k, absent in store.changed_nodes(rows).items() if absent) == \
        sorted(f"p{i}" for i in range(50, 60))


def test_read_refuses_writes_in_the_database(store: GraphStore) -> None:
    for q in ("CREATE (n:Entity {id: 'x'})", "MATCH (n) DETACH DELETE n",
              "MERGE (n:Entity {id: 'y'}) RETURN n"):
        with pytest.raises(ReadOnlyViolation):
            store.read(q)
    assert store.counts().nodes == 0


def test_values_are_parameters_never_text(store: GraphStore) -> None:
    nasty = "x'}) DETACH DELETE (n) //"
    store.upsert_nodes(("Organization", "Casino"), [{"id": nasty, "props": {"id": nasty,
                                                                            "name": "é ✓"}}])
    [row] = store.read("MATCH (n:Entity {id: $id}) RETURN n.name AS name", {"id": nasty})
    assert row["name"] == "é ✓"


def test_read_returns_plain_values(store: GraphStore) -> None:
    store.upsert_nodes(("Event",), [{"id": "e", "props": {"id": "e", "tags": ["a", "b"]}}])
    [row] = store.read("MATCH (n:Entity) RETURN n, n.tags AS tags, {k: 1} AS m")
    assert row["tags"] == ["a", "b"] and row["m"] == {"k": 1}
    assert row["n"]["properties"]["id"] == "e" and "Event" in row["n"]["labels"]


def test_read_returns_every_kind_of_value_as_written(store: GraphStore) -> None:
    """Each kind of value a store holds comes back as the same plain value, nested or not
    (the FalkorDB store decodes its replies itself: one pass, not the client's three)."""
    props = {"id": "v", "text": 'a "quoted" \\ line\nnext, é 😀', "empty": "", "n": -7,
             "big": 2**62, "x": 1234.5678, "tiny": -2.5e-10, "yes": True, "no": False,
             "words": ["a", "b,c"], "numbers": [1, 2.5]}
    store.upsert_nodes(("Organization",), [{"id": "v", "props": props}])
    [row] = store.read("MATCH (n:Entity {id: 'v'}) RETURN properties(n) AS props, n.n AS n, "
                       "n.missing AS missing, [n.x, [n.text], {k: n.yes}] AS nested, "
                       "date('2026-12-03') AS day")
    assert row["props"] == props and type(row["props"]["n"]) is int
    assert row["n"] == -7 and row["missing"] is None
    assert row["nested"] == [1234.5678, [props["text"]], {"k": True}]
    assert row["day"] == "2026-12-03"
    assert store.read("MATCH (n:Entity {id: 'nobody'}) RETURN n.id AS id") == []


def test_relationships_name_their_nodes_within_a_result(store: GraphStore) -> None:
    store.upsert_nodes(("Organization",), [{"id": i, "props": {"id": i}} for i in "ab"])
    store.upsert_edges("REFERRED", [{"src": "a", "dst": "b", "key": "a>b",
                                     "props": {"key": "a>b"}}])
    [row] = store.read("MATCH (x:Entity)-[r]->(y:Entity) RETURN x, r, y")
    assert (row["r"]["start"], row["r"]["end"]) == (row["x"]["element"], row["y"]["element"])
    assert row["x"]["element"] != row["y"]["element"]
    [p] = store.read("MATCH p = (:Entity {id: 'a'})-[]->(:Entity) RETURN p AS p")
    assert p["p"]["edges"][0]["start"] == p["p"]["nodes"][0]["element"]


def test_bad_query_is_a_query_error(store: GraphStore) -> None:
    with pytest.raises(QueryError):
        store.read("MATCH (n RETURN n")


def test_id_is_unique(store: GraphStore) -> None:
    store.upsert_nodes(("Person",), orgs("p"))
    with pytest.raises(Exception):  # noqa: B017 - each backend names the violation its own way
        store._write("UNWIND $rows AS r CREATE (:Entity {id: r.id})", [{"id": "p"}])
    assert store.counts().nodes == 1


def test_clear_and_schema_are_repeatable(store: GraphStore) -> None:
    store.upsert_nodes(("Person",), orgs("p"))
    store.ensure_schema()
    store.clear()
    store.ensure_schema()
    assert store.counts().nodes == 0


def test_unencodable_parameters_are_a_query_error(store: GraphStore) -> None:
    with pytest.raises(QueryError):
        store.read("RETURN $x AS x", {"": 1})


def _graph(store: GraphStore) -> tuple[list, list]:
    nodes = sorted((r["id"], sorted(r["l"]), sorted(r["p"].items())) for r in store.read(
        "MATCH (n) RETURN n.id AS id, labels(n) AS l, properties(n) AS p"))
    edges = sorted((r["a"], r["t"], r["b"], sorted(r["p"].items())) for r in store.read(
        "MATCH (a)-[e]->(b) RETURN a.id AS a, type(e) AS t, b.id AS b, properties(e) AS p"))
    return nodes, edges


def test_restore_puts_back_what_remember_saw(store: GraphStore) -> None:
    """What a failed load relies on: new nodes and relationships go, changed ones (labels,
    properties, a relationship that gained a twin) come back as they were."""
    store.upsert_nodes(("Organization", "TruckStop"), orgs("a", city="Biloxi"))
    store.upsert_nodes(("Organization", "LawEnforcement"), orgs("b"))
    store.upsert_edges("LOCAL_CONTACT", [{"src": "a", "dst": "b", "key": "k",
                                          "props": {"key": "k", "note": "old"}}])
    before = _graph(store)
    saved = store.remember(new_nodes=["c"], nodes=["a"],
                           new_edges={"REFERRED": [{"src": "c", "key": "c>b"}]},
                           edges={"LOCAL_CONTACT": [{"src": "a", "key": "k"}]})
    store.upsert_nodes(("Organization", "Casino"), orgs("a"))  # other kind, no city
    store.upsert_nodes(("Person",), orgs("c"))
    store.upsert_edges("REFERRED", [{"src": "c", "dst": "b", "key": "c>b",
                                     "props": {"key": "c>b"}}])
    store.upsert_edges("LOCAL_CONTACT", [{"src": "a", "dst": "c", "key": "k",
                                          "props": {"key": "k", "note": "new"}}])
    assert _graph(store) != before
    store.restore(saved)
    assert _graph(store) == before
    store.restore(saved)  # every step can run again (a restore that was interrupted)
    assert _graph(store) == before


def test_delete_edges_by_source_and_key(store: GraphStore) -> None:
    store.upsert_nodes(("Organization",), orgs("a", "b"))
    store.upsert_edges("REFERRED", [{"src": "a", "dst": "b", "key": k, "props": {"key": k}}
                                    for k in ("k1", "k2")])
    store.delete_edges({"REFERRED": [{"src": "a", "key": "k1"}, {"src": "b", "key": "k2"}]})
    assert [r["k"] for r in store.read("MATCH ()-[e]->() RETURN e.key AS k")] == ["k2"]


def test_alive_and_settle(store: GraphStore) -> None:
    assert store.alive()
    store.upsert_nodes(("Person",), orgs("p"))
    store.settle()  # whatever it does for this backend, the data stays
    assert store.counts().nodes == 1 and store.alive()


# -- the change log (graph/changelog.py), on every backend

def _change(action: str, entries: list, **kw: object):
    from graph.changelog import Change, Who

    return Change(action, Who("editor", key="k1"), entries, **kw)


def test_a_change_round_trips_with_its_entries_in_order(store: GraphStore) -> None:
    from graph.changelog import edge_entry, node_entry

    entries = [node_entry("org:a", None, {"labels": ["Entity", "Organization"],
                                          "props": {"id": "org:a", "name": "A"}}),
               node_entry("org:b", {"labels": ["Entity", "Organization"],
                                    "props": {"id": "org:b", "city": "X"}},
                          {"labels": ["Entity", "Organization"],
                           "props": {"id": "org:b", "city": "Y"}}),
               edge_entry("REFERRED", "a>b", None, {"src": "org:a", "dst": "org:b",
                                                    "props": {"key": "a>b"}})]
    c = _change("create", entries, summary="three things")
    store.record_change(c)
    [row] = store.changes()
    assert row == {"id": c.id, "time": c.time, "action": "create", "summary": "three things",
                   "entry_count": 3, "role": "editor", "key": "k1"}
    assert [e.as_dict() for e in store.change_entries(c.id)] == [e.as_dict() for e in entries]


def test_a_large_change_is_split_into_parts_and_read_back_whole(store: GraphStore) -> None:
    from graph.changelog import node_entry

    entries = [node_entry(f"p{i}", None, {"labels": ["Person"],
                                          "props": {"id": f"p{i}", "note": "x" * 200}})
               for i in range(300)]
    c = _change("load", entries)
    parts = c.parts(limit=10_000)
    assert len(parts) > 5 and all(len(p["entries"]) < 10_000 + 300 for p in parts)
    store.record_change(c)
    assert [e.id for e in store.change_entries(c.id)] == [f"p{i}" for i in range(300)]
    # found by any entity it touched, in whichever part
    assert [r["id"] for r in store.changes(entity="p299")] == [c.id]


def test_changes_by_entity_since_and_after(store: GraphStore) -> None:
    from graph.changelog import edge_entry, node_entry

    one = _change("create", [node_entry("a", None, {"labels": ["Person"], "props": {}})],
                  time="2026-01-01T00:00:00.000000Z", id="chg-1")
    two = _change("create", [edge_entry("REFERRED", "k", None,
                                        {"src": "a", "dst": "b", "props": {}})],
                  time="2026-02-01T00:00:00.000000Z", id="chg-2")
    three = _change("update", [node_entry("c", None, {"labels": ["Person"], "props": {}})],
                    time="2026-03-01T00:00:00.000000Z", id="chg-3")
    for c in (one, two, three):
        store.record_change(c)
    assert [r["id"] for r in store.changes()] == ["chg-3", "chg-2", "chg-1"]  # newest first
    assert [r["id"] for r in store.changes(entity="a")] == ["chg-2", "chg-1"]  # a tie's end
    assert [r["id"] for r in store.changes(entity="b")] == ["chg-2"]
    assert [r["id"] for r in store.changes(entity="k")] == ["chg-2"]  # a tie's key
    assert [r["id"] for r in store.changes(since="2026-02-01")] == ["chg-3", "chg-2"]
    assert [r["id"] for r in store.changes(limit=1)] == ["chg-3"]
    assert [r["id"] for r in store.changes_after(one.time, ["a"])] == ["chg-2"]
    assert store.changes_after(two.time, ["a", "b"]) == []


def test_forget_change_removes_it_and_its_parts(store: GraphStore) -> None:
    from graph.changelog import node_entry

    c = _change("load", [node_entry("a", None, {"labels": ["Person"], "props": {}})])
    store.record_change(c)
    store.forget_change(c.id)
    assert store.changes() == [] and store.change_entries(c.id) == []


def test_the_change_log_is_in_no_count_or_read_of_the_graph(store: GraphStore) -> None:
    from graph.changelog import node_entry
    from graph.projection import project

    store.upsert_nodes(("Organization",), orgs("a"))
    store.record_change(_change("create", [node_entry(
        "a", None, {"labels": ["Organization"], "props": {"id": "a", "name": "A"}})]))
    c = store.counts()
    assert c.labels == {"Entity": 1, "Organization": 1} and c.relationships == {}
    assert list(project(store).nodes) == ["a"]
    store.clear()
    assert store.is_empty() and store.changes() == []  # clearing the store clears its log


def test_atomic_keeps_all_or_nothing(store: GraphStore) -> None:
    store.upsert_nodes(("Organization",), orgs("a", city="X"))
    before = _graph(store)
    saved = store.remember(new_nodes=["b"], nodes=["a"], new_edges={}, edges={})
    with pytest.raises(QueryError), store.atomic(saved):
        store.upsert_nodes(("Organization",), orgs("a", city="Y"))
        store.upsert_nodes(("Person",), orgs("b"))
        store.read("MATCH (n RETURN n")  # fails: everything inside is taken back
    assert _graph(store) == before
    with store.atomic(saved):
        store.upsert_nodes(("Person",), orgs("b"))
    assert store.counts().labels.get("Person") == 1


def test_conditional_update_applies_only_at_its_version(store: GraphStore) -> None:
    from graph import queries

    store.upsert_nodes(("Organization", "Casino"), [{"id": "a", "props": {
        "id": "a", "name": "A", "row_hash": "v1"}}])
    q = queries.update_node_if(("Organization", "TruckStop"))
    new = {"id": "a", "name": "A2", "row_hash": "v2"}
    assert store._execute(q, [{"id": "a", "version": "v0", "props": new}]) == []
    assert store._execute(q, [{"id": "a", "version": "v1", "props": new}]) == [{"id": "a"}]
    [row] = store.read("MATCH (n:Entity {id: 'a'}) RETURN labels(n) AS l, properties(n) AS p")
    assert sorted(row["l"]) == ["Entity", "Organization", "TruckStop"] and row["p"] == new
    assert store._execute(queries.DELETE_NODE_IF, [{"id": "a", "version": "v1"}]) == []
    assert store._execute(queries.DELETE_NODE_IF, [{"id": "a", "version": "v2"}]) == \
        [{"id": "a"}]
    assert store.is_empty()


def test_import_matching_reads(store: GraphStore) -> None:
    """What an attendee import asks (graph/queries.py ORGS_FOR_MATCHING, PEOPLE_BY_ID): the
    same rows on every backend, a missing property as None."""
    from graph import queries

    store.upsert_nodes(("Organization", "LawEnforcement"), [
        {"id": "org:il:isp", "props": {"id": "org:il:isp", "name": "Illinois State Police",
                                       "aliases": ["ISP"], "state": "IL",
                                       "kind": "law enforcement", "source": "a.csv"}},
        {"id": "org:x", "props": {"id": "org:x", "name": "X"}}])
    store.upsert_nodes(("Person",), [{"id": "person:p", "props": {"id": "person:p",
                                                                  "name": "P",
                                                                  "source": "signin.csv"}}])
    rows = sorted(store.read(queries.ORGS_FOR_MATCHING, {}), key=lambda r: r["id"])
    assert rows == [
        {"id": "org:il:isp", "name": "Illinois State Police", "aliases": ["ISP"], "state": "IL",
         "kind": "law enforcement", "source": "a.csv"},
        {"id": "org:x", "name": "X", "aliases": None, "state": None, "kind": None,
         "source": None}]
    assert store.read(queries.PEOPLE_BY_ID, {"ids": ["person:p", "org:x", "nope"]}) == [
        {"id": "person:p", "source": "signin.csv"}]


def test_review_decisions_are_kept_apart_from_the_graph(store: GraphStore) -> None:
    """The review queue's decisions (api/review.py): one per pair, the latest kept, never an
    Entity (so no projection, count or export sees them)."""
    assert store.pair_decisions() == {}
    store.decide_pairs([{"pair": "org:a org:b", "a": "org:a", "b": "org:b",
                         "decision": "distinct", "time": "2026-12-02T08:00:00+00:00"}])
    store.decide_pairs([{"pair": "org:a org:b", "a": "org:a", "b": "org:b",
                         "decision": "distinct", "time": "2026-12-02T09:00:00+00:00"}])
    assert store.pair_decisions() == {"org:a org:b": "distinct"}
    assert store.counts().nodes == 0 and store.is_empty()


def test_conditional_tie_writes_apply_only_when_absent_or_at_their_version(
        store: GraphStore) -> None:
    """graph/record_editing.py's guards: create a tie only if its key is absent, change or
    delete it only at its version."""
    from graph import queries

    store.upsert_nodes(("Organization",), orgs("a", "b"))
    tie = {"src": "a", "dst": "b", "key": "referred:a>b:", "props": {
        "key": "referred:a>b:", "row_hash": "v1"}}
    create = queries.create_edge_if_absent("REFERRED")
    assert store._execute(create, [tie]) == [{"key": "referred:a>b:"}]
    assert store._execute(create, [tie]) == []  # its key is taken
    assert store._execute(create, [{**tie, "dst": "nowhere"}]) == []
    assert store.counts().relationships == {"REFERRED": 1}
    update = queries.update_edge_if("REFERRED")
    new = {"key": "referred:a>b:", "status": "lapsed", "row_hash": "v2"}
    row = {"src": "a", "key": "referred:a>b:", "props": new}
    assert store._execute(update, [{**row, "version": "v0"}]) == []
    assert store._execute(update, [{**row, "version": "v1"}]) == [{"key": "referred:a>b:"}]
    [found] = store.read("MATCH (:Entity {id: 'a'})-[e:REFERRED]->(b:Entity) "
                         "RETURN properties(e) AS p, b.id AS dst")
    assert found == {"p": new, "dst": "b"}
    delete = queries.delete_edge_if("REFERRED")
    assert store._execute(delete, [{"src": "a", "key": "referred:a>b:", "version": "v1"}]) == []
    assert store._execute(delete, [{"src": "a", "key": "referred:a>b:", "version": "v2"}]) == \
        [{"key": "referred:a>b:"}]
    assert store.counts().relationships == {}


def test_records_of_sources_and_ties_of_nodes(store: GraphStore) -> None:
    """What load --sync reads (loaders/sync.py): a source's nodes and relationships, and every
    tie at either end of some nodes with its source. SYNTHETIC records."""
    from graph import queries

    store.upsert_nodes(("Organization",), orgs("a", "b", source="s1"))
    store.upsert_nodes(("Organization",), orgs("c", source="s2"))
    store.upsert_edges("REFERRED", [
        {"src": "a", "dst": "b", "key": "ab", "props": {"key": "ab", "source": "s1"}},
        {"src": "c", "dst": "a", "key": "ca", "props": {"key": "ca", "source": "s2"}}])
    nodes = store.read(queries.NODES_OF_SOURCES, {"sources": ["s1"]})
    assert sorted(n["id"] for n in nodes) == ["a", "b"]
    assert all(n["props"]["source"] == "s1" and "Organization" in n["labels"] for n in nodes)
    [edge] = store.read(queries.EDGES_OF_SOURCES, {"sources": ["s1"]})
    assert (edge["type"], edge["src"], edge["dst"], edge["key"], edge["props"]["source"]) == \
        ("REFERRED", "a", "b", "ab", "s1")
    assert store.read(queries.EDGES_OF_SOURCES, {"sources": ["none"]}) == []
    ties = store.read(queries.EDGES_TOUCHING, {"ids": ["a"]})
    assert sorted((t["type"], t["src"], t["dst"], t["key"], t["source"]) for t in ties) == [
        ("REFERRED", "a", "b", "ab", "s1"), ("REFERRED", "c", "a", "ca", "s2")]
    assert store.read(queries.EDGES_TOUCHING, {"ids": ["zz"]}) == []


def test_the_follow_ups_a_stakeholder_was_contacted_in(store: GraphStore) -> None:
    """queries.STAKEHOLDER_FOLLOWUPS (graph/followup_log.py): newest first, each with the
    build it follows up, or none when it follows nothing."""
    from graph import queries

    store.upsert_nodes(("Organization", "Casino"), orgs("o", "other"))
    store.upsert_nodes(("Event",), [
        {"id": "b", "props": {"id": "b", "name": "Build", "kind": "coalition build"}},
        {"id": "f1", "props": {"id": "f1", "name": "F1", "date": "2026-02-12",
                               "contact": "call", "outcome": "yes"}},
        {"id": "f2", "props": {"id": "f2", "name": "F2", "date": "2026-04-01",
                               "contact": "visit"}},
        {"id": "f3", "props": {"id": "f3", "name": "F3", "date": "2026-05-01"}}])
    store.upsert_edges("FOLLOWS", [{"src": f, "dst": "b", "key": f"follows:{f}",
                                    "props": {"key": f"follows:{f}"}} for f in ("f1", "f3")])
    store.upsert_edges("CONTACTED", [
        {"src": "o", "dst": f, "key": f"contacted:o>{f}", "props": {"key": f"contacted:o>{f}"}}
        for f in ("f1", "f2")] + [{"src": "other", "dst": "f3", "key": "contacted:other>f3",
                                   "props": {"key": "contacted:other>f3"}}])
    assert store.read(queries.STAKEHOLDER_FOLLOWUPS, {"id": "o"}) == [
        {"id": "f2", "name": "F2", "date": "2026-04-01", "contact": "visit", "outcome": None,
         "event_id": None, "event_name": None},
        {"id": "f1", "name": "F1", "date": "2026-02-12", "contact": "call", "outcome": "yes",
         "event_id": "b", "event_name": "Build"}]
    assert store.read(queries.STAKEHOLDER_FOLLOWUPS, {"id": "nobody"}) == []


def test_the_merge_statement_is_all_or_nothing_at_both_versions(store: GraphStore) -> None:
    """graph/merging.py's one statement (queries.merge_records) and its reads: refused
    (nothing written) unless both versions are current; else every section at once. A
    SYNTHETIC hand-made merge of a into b: a's tie to c moves to b, c's tie naming a (to_id)
    is re-pointed, d's tie to a is dropped, a person's row changes, a redirect and a change
    are written."""
    from graph import queries
    from graph.changelog import Change, Who

    store.upsert_nodes(("Organization",), [{"id": i, "props": {"id": i, "row_hash": f"v{i}"}}
                                           for i in ("a", "b", "c", "d")])
    store.upsert_nodes(("Person",), [{"id": "p", "props": {"id": "p", "organization_id": "a"}}])
    store.upsert_edges("REFERRED", [
        {"src": "a", "dst": "c", "key": "referred:a>c:", "props": {"key": "referred:a>c:"}},
        {"src": "c", "dst": "d", "key": "referred:c>d:", "props": {"key": "referred:c>d:",
                                                                    "to_id": "a"}}])
    store.upsert_edges("LOCAL_CONTACT", [
        {"src": "d", "dst": "a", "key": "lc:d>a", "props": {"key": "lc:d>a"}}])
    assert store.read(queries.EDGES_NAMING, {"id": "a"}) == [
        {"type": "REFERRED", "src": "c", "dst": "d", "key": "referred:c>d:",
         "props": {"key": "referred:c>d:", "to_id": "a"}}]
    row = {"from": "a", "from_version": "va", "into": "b", "into_version": "vb",
           "into_props": {"id": "b", "row_hash": "vb2", "aliases": ["A"]},
           "nodes": [{"id": "p", "props": {"id": "p", "organization_id": "b"}}],
           "del_REFERRED": [], "set_REFERRED": [{"src": "c", "key": "referred:c>d:", "props": {
               "key": "referred:c>d:", "to_id": "b"}}],
           "new_REFERRED": [{"src": "b", "dst": "c", "key": "referred:b>c:",
                             "props": {"key": "referred:b>c:"}}],
           "del_LOCAL_CONTACT": [], "set_LOCAL_CONTACT": [], "new_LOCAL_CONTACT": [],
           "merged": [{"id": "a", "into": "b", "name": "A", "aliases": [], "label":
                       "Organization", "change": "chg-1", "time": "2026-12-03T00:00:00Z"}],
           "parts": [{"change": "chg-1", "seq": 0, "time": "2026-12-03T00:00:00Z",
                      "entities": ["a", "b"], "entries": "x"}],
           "change": {"id": "chg-1", "time": "2026-12-03T00:00:00Z", "action": "merge",
                      "entry_count": 1, "role": "editor"}}
    stmt = queries.merge_records(["LOCAL_CONTACT", "REFERRED"])

    def state() -> tuple:
        return (store.read("MATCH (n:Entity) RETURN n.id AS id, properties(n) AS p "
                           "ORDER BY id"),
                store.read("MATCH (x)-[e]->(y) RETURN x.id AS a, type(e) AS t, "
                           "properties(e) AS p, y.id AS b ORDER BY a, t"),
                store.read("MATCH (c) WHERE NOT c:Entity RETURN count(c) AS n"))

    before = state()
    for stale in ({"from_version": "old"}, {"into_version": "old"}):
        assert store._execute(stmt, [{**row, **stale}]) == []
        assert state() == before
    assert store._execute(stmt, [row]) == [{"id": "b"}]
    nodes, edges, _ = state()
    assert [n["id"] for n in nodes] == ["b", "c", "d", "p"]
    assert nodes[0]["p"] == {"id": "b", "row_hash": "vb2", "aliases": ["A"]}
    assert nodes[3]["p"] == {"id": "p", "organization_id": "b"}
    assert edges == [
        {"a": "b", "t": "REFERRED", "p": {"key": "referred:b>c:"}, "b": "c"},
        {"a": "c", "t": "REFERRED", "p": {"key": "referred:c>d:", "to_id": "b"}, "b": "d"}]
    assert store.read(queries.MERGED_OF, {"ids": ["a", "z"]}) == [{"record": row["merged"][0]}]
    assert store.read(queries.MERGED_ALL) == [{"record": row["merged"][0]}]
    assert [c["id"] for c in store.changes()] == ["chg-1"]
    assert store.read(queries.UNDOS_OF, {"ids": ["chg-1"]}) == []
    store.record_change(Change("undo", Who("editor"), [], undoes="chg-1", id="chg-2"))
    assert store.read(queries.UNDOS_OF, {"ids": ["chg-1", "chg-2"]}) == [
        {"undoes": "chg-1", "id": "chg-2"}]
    assert store.counts().nodes == 4  # the redirect and the log are not Entities


def test_ties_among_few_ids_are_those_among_many(store: GraphStore) -> None:
    """The pairwise form for an ego network's few ids finds exactly the ties the traversal
    finds: two ties one way between one pair, one back, one to itself, none that leads out."""
    from graph import queries

    store.upsert_nodes(("Organization",), [{"id": i, "props": {"id": i}} for i in "abcx"])
    ties = [("REFERRED", "a", "b", "a>b:1"), ("REFERRED", "a", "b", "a>b:2"),
            ("INTRODUCED", "b", "a", "b>a"), ("REFERRED", "c", "c", "c>c"),
            ("REFERRED", "c", "x", "c>x"), ("INTRODUCED", "x", "a", "x>a")]
    for t, src, dst, key in ties:
        store.upsert_edges(t, [{"src": src, "dst": dst, "key": key, "props": {"key": key}}])

    def among(q: str) -> list[tuple[str, str, str, str]]:
        return sorted((r["src"], r["dst"], r["type"], r["props"]["key"])
                      for r in store.read(q, {"ids": ["a", "b", "c"]}))

    assert among(queries.EDGES_AMONG_FEW) == among(queries.EDGES_AMONG) == [
        ("a", "b", "REFERRED", "a>b:1"), ("a", "b", "REFERRED", "a>b:2"),
        ("b", "a", "INTRODUCED", "b>a"), ("c", "c", "REFERRED", "c>c")]
