"""Editing events, relationships, participation and commitments over HTTP (issue 13, item
2; api/record_routes.py): every route by role, create/patch/delete/undo on a small
SYNTHETIC graph whose answers are checked by hand, stale versions, two editors on one
version, the loader's messages, and refused edits that leave the graph as it was."""

from __future__ import annotations

import threading

import pytest
import yaml
from fastapi.testclient import TestClient

from api.app import create_app
from api.security import Audit
from api.service import CoalitionService
from graph.store import GraphStore
from loaders.load import load
from tests.api import test_http
from tests.graph.test_editing import fingerprint

ROLES = test_http.ROLES
settings = test_http.settings

#: SYNTHETIC: two organizations, a program, one build; A attended it, pledged the training
#: there, and referred B
WORKBOOK = {
    "organizations": [
        {"id": "org:syn-a", "name": "Synthetic Alpha Casino", "kind": "casino", "state": "MS",
         "note": "SYNTHETIC"},
        {"id": "org:syn-b", "name": "Synthetic Beta Stop", "kind": "truck stop",
         "state": "MS", "note": "SYNTHETIC"},
        {"id": "org:syn-c", "name": "Synthetic Gamma Line", "kind": "bus company",
         "state": "MS", "note": "SYNTHETIC"}],
    "programs": [{"id": "program:syn-training", "name": "Synthetic Training",
                  "kind": "training"}],
    "events": [{"id": "event:syn-build", "name": "Synthetic Build", "kind": "coalition build",
                "date": "2026-01-15", "state": "MS", "city": "Biloxi"}],
    "participation": [{"entity_id": "org:syn-a", "event_id": "event:syn-build",
                       "role": "attended"}],
    "relationships": [{"source_id": "org:syn-a", "type": "referred", "target_id": "org:syn-b",
                       "date": "2026-02", "status": "active"}],
    "commitments": [{"entity_id": "org:syn-a", "program": "program:syn-training",
                     "kind": "pledged", "date": "2026-01-15", "event_id": "event:syn-build"}],
}
#: the keys of the workbook's rows, by hand from the key rules (docs/editing.md)
REL = "referred:org:syn-a>org:syn-b:2026-02"
PART = "attended:org:syn-a>event:syn-build:attended"
COMMIT = "pledged:org:syn-a>program:syn-training:2026-01-15"


@pytest.fixture
def small(settings, embedded_store: GraphStore, tmp_path):
    path = tmp_path / "synthetic.yaml"
    path.write_text(yaml.safe_dump(WORKBOOK))
    report = load(path, embedded_store)  # a row the loader refuses raises
    assert report.rows_read == 8 and report.change
    return settings


@pytest.fixture
def tokens(small) -> dict[str, str]:
    keys = CoalitionService(small).keys()
    return {role: keys.create(role, f"test {role}")[1] for role in ROLES}


def auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def test_keys_of_loaded_rows_are_the_workbooks(small, tokens) -> None:
    client = TestClient(create_app(small))
    h = auth(tokens["viewer"])
    for sheet, key, dst in (("relationships", REL, "org:syn-b"),
                            ("participation", PART, "event:syn-build"),
                            ("commitments", COMMIT, "program:syn-training")):
        r = client.get(f"/api/{sheet}/{key}", headers=h)
        assert r.status_code == 200, r.text
        assert r.json()["src"] == "org:syn-a" and r.json()["dst"] == dst
        assert r.headers["etag"] == f'"{r.json()["version"]}"'
    assert client.get("/api/relationships/referred:org:syn-b>org:syn-a:", headers=h
                      ).status_code == 404
    r = client.get("/api/commitments/" + PART, headers=h)  # a participation's key
    assert r.status_code == 404 and "<type>:<entity id>><program id>" in r.text


def _routes(client: TestClient, admin: str, role: str) -> list[tuple[str, str, dict, int]]:
    """Every write route, each on a record made for this role (so each can succeed)."""
    h = auth(admin)
    ev = client.post("/api/events", json={"fields": {
        "name": f"Synthetic {role} Meeting", "kind": "meeting", "date": "2026-03-01",
        "state": "MS"}}, headers=h).json()
    rel = client.post("/api/relationships", json={"fields": {
        "source_id": "org:syn-b", "type": "referred", "target_id": "org:syn-c",
        "date": f"2026-0{ROLES.index(role) + 3}"}}, headers=h).json()
    part = client.post("/api/participation", json={"fields": {
        "entity_id": "org:syn-c", "event_id": ev["id"], "role": "attended"}},
        headers=h).json()
    com = client.post("/api/commitments", json={"fields": {
        "entity_id": "org:syn-c", "program": "program:syn-training", "kind": "pledged",
        "date": f"2026-0{ROLES.index(role) + 3}-01"}}, headers=h).json()
    n = ROLES.index(role)
    return [
        ("POST", "/api/events", {"json": {"fields": {
            "name": f"Synthetic {role} Webinar", "kind": "webinar", "state": "MS"}}}, 201),
        ("PATCH", f"/api/events/{ev['id']}", {"json": {"fields": {"city": "Biloxi"}},
                                              "headers": {"If-Match": ev["version"]}}, 200),
        ("POST", "/api/relationships", {"json": {"fields": {
            "source_id": "org:syn-c", "type": "referred", "target_id": "org:syn-a",
            "date": f"2025-0{n + 1}"}}}, 201),
        ("PATCH", f"/api/relationships/{rel['key']}", {
            "json": {"fields": {"status": "lapsed"}}, "headers": {"If-Match": rel["version"]}},
         200),
        ("DELETE", f"/api/relationships/{rel['key']}", {}, 200),
        ("POST", "/api/participation", {"json": {"fields": {
            "entity_id": "org:syn-b", "event_id": ev["id"], "role": "attended"}}}, 201),
        ("PATCH", f"/api/participation/{part['key']}", {
            "json": {"fields": {"note": "SYNTHETIC"}},
            "headers": {"If-Match": part["version"]}}, 200),
        ("DELETE", f"/api/participation/{part['key']}", {}, 200),
        ("POST", "/api/commitments", {"json": {"fields": {
            "entity_id": "org:syn-b", "program": "program:syn-training", "kind": "trained",
            "date": f"2026-0{n + 1}-02"}}}, 201),
        ("PATCH", f"/api/commitments/{com['key']}", {
            "json": {"fields": {"status": "done"}}, "headers": {"If-Match": com["version"]}},
         200),
        ("DELETE", f"/api/commitments/{com['key']}", {}, 200),
        # org:syn-b's participation (the POST above) goes with it
        ("DELETE", f"/api/events/{ev['id']}?cascade=true", {}, 200),
    ]


def test_every_route_by_role(small, tokens) -> None:
    client = TestClient(create_app(small))
    for role in ROLES:
        may_edit = role in ("editor", "admin")
        for method, path, kw, ok in _routes(client, tokens["admin"], role):
            headers = {**auth(tokens[role]), **kw.pop("headers", {})}
            r = client.request(method, path, headers=headers, **kw)
            assert r.status_code == (ok if may_edit else 403), (role, method, path, r.text)
            if not may_edit:
                assert r.json()["error"]["type"] == "Forbidden"
            assert client.request(method, path).status_code == 401


def test_relationship_create_patch_delete_undo(small, tokens,
                                               embedded_store: GraphStore) -> None:
    client = TestClient(create_app(small))
    h = auth(tokens["editor"])
    start = fingerprint(embedded_store)
    r = client.post("/api/relationships", json={"fields": {
        "source_id": "org:syn-b", "type": "local contact",
        "target_id": "org:syn-c", "date": "2026-04-02", "event_id": "event:syn-build",
        "citation": "SYNTHETIC call notes"}}, headers=h)
    assert r.status_code == 201, r.text
    made = r.json()
    # the key by hand
    key = "local_contact:org:syn-b>org:syn-c:2026-04-02"
    assert made["key"] == key and r.headers["location"] == f"/api/relationships/{key}"
    got = client.get(f"/api/relationships/{key}", headers=h).json()
    assert got["props"]["source"] == "edit" and got["props"]["event_id"] == "event:syn-build"
    assert got["props"]["date_precision"] == "day" and got["version"] == made["version"]
    # it came out of the build: the OUTCOME_OF a load would make too
    outcome = embedded_store.read(
        "MATCH (:Entity {id: 'org:syn-b'})-[e:OUTCOME_OF]->(v:Entity) "
        "RETURN e.key AS key, v.id AS event")
    assert outcome == [{"key": f"outcome_of:{key}", "event": "event:syn-build"}]

    p = client.patch(f"/api/relationships/{key}", json={"fields": {
        "status": "lapsed", "event_id": None}}, headers={**h, "If-Match": made["version"]})
    assert p.status_code == 200, p.text
    got = client.get(f"/api/relationships/{key}", headers=h).json()
    assert got["props"]["status"] == "lapsed" and "event_id" not in got["props"]
    assert got["props"]["citation"] == "SYNTHETIC call notes"  # left as it was
    assert embedded_store.read("MATCH (:Entity {id: 'org:syn-b'})-[e:OUTCOME_OF]->() "
                               "RETURN e.key AS key") == []
    d = client.delete(f"/api/relationships/{key}", headers=h)
    assert d.status_code == 200
    assert client.get(f"/api/relationships/{key}", headers=h).status_code == 404
    # its history, by its key: newest first
    log = client.get(f"/api/changes?entity={key}", headers=auth(tokens["viewer"])).json()
    assert [c["id"] for c in log] == [d.json()["change"], p.json()["change"],
                                      made["change"]], log
    # a date range's key holds its "/": the route takes the rest of the path
    ranged = client.post("/api/relationships", json={"fields": {
        "source_id": "org:syn-c", "type": "referred", "target_id": "org:syn-a",
        "date": "2025-01/2025-03"}}, headers=h)
    assert ranged.json()["key"] == "referred:org:syn-c>org:syn-a:2025-01/2025-03", ranged.text
    assert client.get(f"/api/relationships/{ranged.json()['key']}", headers=h
                      ).json()["props"]["date_end"] == "2025-03"
    assert client.post(f"/api/changes/{ranged.json()['change']}/undo",
                       headers=h).status_code == 200
    # undo, newest first, back to the start
    for change in (d.json()["change"], p.json()["change"], made["change"]):
        u = client.post(f"/api/changes/{change}/undo", headers=h)
        assert u.status_code == 200, u.text
    assert fingerprint(embedded_store) == start


def test_changing_what_makes_the_key_is_refused(small, tokens,
                                                embedded_store: GraphStore) -> None:
    client = TestClient(create_app(small))
    h = auth(tokens["editor"])
    version = client.get(f"/api/relationships/{REL}", headers=h).json()["version"]
    start = fingerprint(embedded_store)
    r = client.patch(f"/api/relationships/{REL}", json={"fields": {"date": "2026-03"}},
                     headers={**h, "If-Match": version})
    assert r.status_code == 422 and "referred:org:syn-a>org:syn-b:2026-03" in r.text
    assert "delete this one and create that" in r.json()["error"]["issues"][0]["message"]
    assert fingerprint(embedded_store) == start


def test_stale_version_gives_both_and_what_changed(small, tokens) -> None:
    client = TestClient(create_app(small))
    h = auth(tokens["editor"])
    url = f"/api/commitments/{COMMIT}"
    v0 = client.get(url, headers=h).json()["version"]
    assert client.patch(url, json={"fields": {"status": "done"}}, headers=h).status_code == 428
    ok = client.patch(url, json={"fields": {"status": "done"}}, headers={**h, "If-Match": v0})
    assert ok.status_code == 200 and ok.json()["version"] != v0
    stale = client.patch(url, json={"fields": {"status": "dropped"}},
                         headers={**h, "If-Match": f'"{v0}"'})
    assert stale.status_code == 409
    err = stale.json()["error"]
    assert err["current_version"] == ok.json()["version"] and v0 in err["message"]
    assert err["changed_since"][0]["id"] == ok.json()["change"]
    assert err["changed_since"][0]["changes"]["status"] == [None, "done"]
    assert client.get(url, headers=h).json()["props"]["status"] == "done"


def test_two_editors_on_one_version_one_wins(small, tokens) -> None:
    first, second = TestClient(create_app(small)), TestClient(create_app(small))
    url = f"/api/participation/{PART}"
    version = first.get(url, headers=auth(tokens["editor"])).json()["version"]
    start = threading.Barrier(2)
    answers: dict[str, object] = {}

    def edit(client: TestClient, note: str) -> None:
        start.wait()
        answers[note] = client.patch(url, json={"fields": {"note": note}}, headers={
            **auth(tokens["editor"]), "If-Match": version})

    threads = [threading.Thread(target=edit, args=(c, n))
               for c, n in ((first, "SYNTHETIC one"), (second, "SYNTHETIC two"))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(r.status_code for r in answers.values()) == [200, 409], \
        [r.text for r in answers.values()]
    won_note, won = next((n, r) for n, r in answers.items() if r.status_code == 200)
    lost = next(r for r in answers.values() if r.status_code == 409).json()["error"]
    assert lost["current_version"] == won.json()["version"]
    assert first.get(url, headers=auth(tokens["viewer"])).json()["props"]["note"] == won_note


def test_refusals_speak_the_loaders_language_and_write_nothing(
        small, tokens, embedded_store: GraphStore) -> None:
    client = TestClient(create_app(small))
    h = auth(tokens["editor"])
    start = fingerprint(embedded_store)
    cases = [
        ("/api/relationships", {"source_id": "org:syn-a", "type": "refered",
                                "target_id": "org:syn-b"}, 422, "type"),
        ("/api/relationships", {"source_id": "org:syn-a", "type": "referred",
                                "target_id": "org:nowhere"}, 422, "target_id"),
        ("/api/participation", {"entity_id": "org:syn-a", "event_id": "event:syn-build",
                                "role": "attended"}, 409, None),  # the loaded row's key
        ("/api/commitments", {"entity_id": "org:syn-a", "program": "event:syn-build",
                              "kind": "pledged"}, 422, "program"),
        ("/api/events", {"name": "Synthetic Build", "kind": "coalition build",
                         "date": "2026-01-15", "state": "MS", "id": "event:syn-build"},
         409, None),
        ("/api/events", {"name": "Synthetic Odd", "kind": "party"}, 422, "kind"),
        ("/api/events", {"name": "Synthetic Meeting", "kind": "meeting",
                         "followup_months": "3"}, 422, "followup_months"),
    ]
    for path, fields, status, column in cases:
        r = client.post(path, json={"fields": fields}, headers=h)
        assert r.status_code == status, (path, fields, r.text)
        if column:
            assert column in [i["column"] for i in r.json()["error"]["issues"]], r.text
    stale = client.delete(f"/api/relationships/{REL}", headers={**h, "If-Match": "stale"})
    assert stale.status_code == 409
    assert fingerprint(embedded_store) == start
    lines = [a for a in Audit(small.audit_file).tail(1000) if a["action"] == "edit create"]
    assert [a["outcome"] for a in lines] == ["refused"] * len(cases)


def test_event_patch_keeps_its_row_and_delete_names_its_ties(
        small, tokens, embedded_store: GraphStore) -> None:
    client = TestClient(create_app(small))
    h = auth(tokens["editor"])
    start = fingerprint(embedded_store)
    url = "/api/stakeholders/event:syn-build"
    version = client.get(url, headers=h).json()["version"]
    p = client.patch("/api/events/event:syn-build", json={"fields": {"city": "Gulfport"}},
                     headers={**h, "If-Match": version})
    assert p.status_code == 200, p.text
    node = embedded_store.read("MATCH (n:Entity {id: 'event:syn-build'}) "
                               "RETURN n.city AS city, n.date AS date, n.kind AS kind")
    assert node == [{"city": "Gulfport", "date": "2026-01-15", "kind": "coalition build"}]
    # a stakeholder is not an event here, and an event is not a stakeholder there
    assert client.patch("/api/events/org:syn-a", json={"fields": {"city": "X"}},
                        headers={**h, "If-Match": "x"}).status_code == 404
    # a follow-up's FOLLOWS is its row's follows_event_id: an edit of another cell keeps it
    f = client.post("/api/events", json={"fields": {
        "name": "Synthetic Follow-up", "kind": "follow-up", "date": "2026-02-15",
        "state": "MS", "follows_event_id": "event:syn-build"}}, headers=h)
    assert f.status_code == 201, f.text
    fid = "event:ms:2026-02-15:synthetic-follow-up"
    assert f.json()["id"] == fid
    g = client.patch(f"/api/events/{fid}", json={"fields": {"city": "Biloxi"}},
                     headers={**h, "If-Match": f.json()["version"]})
    assert g.status_code == 200, g.text
    assert embedded_store.read("MATCH (:Entity {id: $id})-[e:FOLLOWS]->(b:Entity) "
                               "RETURN b.id AS id", {"id": fid}) == [{"id": "event:syn-build"}]
    refused = client.delete("/api/events/event:syn-build", headers=h)
    assert refused.status_code == 409
    assert sorted(refused.json()["error"]["ties"]) == sorted([PART, f"outcome_of:{COMMIT}",
                                                              f"follows:{fid}"])
    d = client.delete("/api/events/event:syn-build?cascade=true", headers=h)
    assert d.status_code == 200, d.text
    assert client.get(url, headers=h).status_code == 404
    # what came out of it went with it; what did not, stayed
    assert client.get(f"/api/commitments/{COMMIT}", headers=h).status_code == 404
    assert client.get(f"/api/participation/{PART}", headers=h).status_code == 404
    assert client.get(f"/api/relationships/{REL}", headers=h).status_code == 200
    for change in (d.json()["change"], g.json()["change"], f.json()["change"],
                   p.json()["change"]):
        u = client.post(f"/api/changes/{change}/undo", headers=h)
        assert u.status_code == 200, u.text
    assert fingerprint(embedded_store) == start


def test_participation_of_an_unnamed_group_and_undo(small, tokens,
                                                    embedded_store: GraphStore) -> None:
    client = TestClient(create_app(small))
    h = auth(tokens["editor"])
    start = fingerprint(embedded_store)
    r = client.post("/api/participation", json={"fields": {
        "event_id": "event:syn-build", "role": "attended", "kind": "law enforcement",
        "count": 3, "level": "local"}}, headers=h)
    assert r.status_code == 201, r.text
    group = "group:syn-build:law-enforcement:local"
    assert r.json()["key"] == f"attended:{group}>event:syn-build:attended"
    found = embedded_store.read("MATCH (g:Entity {id: $id}) RETURN g.name AS name",
                                {"id": group})
    assert found == [{"name": "3 local law enforcement agencies (unnamed)"}]
    p = client.patch(f"/api/participation/{r.json()['key']}", json={"fields": {"count": 4}},
                     headers={**h, "If-Match": r.json()["version"]})
    assert p.status_code == 200, p.text
    for change in (p.json()["change"], r.json()["change"]):
        assert client.post(f"/api/changes/{change}/undo", headers=h).status_code == 200
    assert fingerprint(embedded_store) == start
