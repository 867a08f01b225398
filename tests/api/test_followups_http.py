"""``POST /api/followups`` (issue 13 item 2; api/followup_routes.py): route x role, the
loader's messages as 422 with the field, 201 with the follow-up's id, the schedule counting
it, its undo, the audit line; on the SYNTHETIC graph of tests/graph/test_followup_log.py
(one build on 2026-01-10: month 1's window is 2026-01-26 .. 2026-02-25, by hand there)."""

from __future__ import annotations

import json

import pytest
import yaml
from fastapi.testclient import TestClient

from api.app import create_app
from api.service import CoalitionService
from graph.errors import LoadError
from graph.store import GraphStore
from loaders.load import load
from tests.api import test_http
from tests.graph.test_editing import fingerprint
from tests.graph.test_followup_log import BUILD, CASINO, WORKBOOK

ROLES = test_http.ROLES
settings = test_http.settings


@pytest.fixture
def small(settings, embedded_store: GraphStore, tmp_path):
    path = tmp_path / "synthetic.yaml"
    path.write_text(yaml.safe_dump(WORKBOOK))
    load(path, embedded_store)
    return settings


@pytest.fixture
def tokens(small) -> dict[str, str]:
    keys = CoalitionService(small).keys()
    return {role: keys.create(role, f"test {role}")[1] for role in ROLES}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def month_one(client: TestClient, token: str) -> str:
    r = client.get("/api/analysis?state=MS&as_of=2026-03-01", headers=auth(token))
    assert r.status_code == 200, r.text
    [p] = [p for p in r.json()["followups"][0]["schedule"]
           if p["event"]["id"] == BUILD and p["months"] == 1]
    return p["status"]


def test_route_by_role(small, tokens, embedded_store: GraphStore) -> None:
    client = TestClient(create_app(small))
    before = fingerprint(embedded_store)
    for role in ("viewer", "analyst"):
        r = client.post("/api/followups", json={"event_id": BUILD, "date": "2026-02-12",
                                                "kind": "call"}, headers=auth(tokens[role]))
        assert r.status_code == 403 and r.json()["error"]["type"] == "Forbidden", r.text
    assert client.post("/api/followups", json={"event_id": BUILD, "date": "2026-02-12",
                                               "kind": "call"}).status_code == 401
    assert fingerprint(embedded_store) == before
    for n, role in enumerate(("editor", "admin")):
        r = client.post("/api/followups", json={
            "event_id": BUILD, "date": f"2026-02-1{n + 1}", "kind": "email"},
            headers=auth(tokens[role]))
        assert r.status_code == 201, r.text
        assert r.json()["id"] == f"{BUILD}:followup:2026-02-1{n + 1}:email"
        assert r.headers["location"] == f"/api/stakeholders/{r.json()['id']}"


def test_logged_call_makes_month_one_done_and_undo_takes_it_back(
        small, tokens, embedded_store: GraphStore) -> None:
    client = TestClient(create_app(small))
    h = auth(tokens["editor"])
    before = fingerprint(embedded_store)
    assert month_one(client, tokens["viewer"]) == "overdue"
    r = client.post("/api/followups", json={
        "event_id": BUILD, "entity_id": CASINO, "date": "2026-02-12", "kind": "call",
        "outcome": "will host the training", "note": "SYNTHETIC"}, headers=h)
    assert r.status_code == 201, r.text
    made = r.json()
    assert month_one(client, tokens["viewer"]) == "done"
    # the change names the key that made it
    [change] = client.get(f"/api/changes?entity={made['id']}", headers=h).json()
    key_id = CoalitionService(small).keys().verify(tokens["editor"]).id
    assert (change["id"], change["action"], change["role"], change["key"]) == (
        made["change"], "create", "editor", key_id)
    # the stakeholder contacted shows it on its page
    prof = client.get(f"/api/stakeholders/{CASINO}", headers=h).json()
    [contact] = prof["followups"]
    assert (contact["id"], contact["contact"], contact["date"], contact["event"]["id"],
            contact["outcome"]) == (made["id"], "call", "2026-02-12", BUILD,
                                    "will host the training")
    audit = [json.loads(x) for x in small.audit_file.read_text().splitlines()]
    assert [(a["action"], a["outcome"], a["change"]) for a in audit
            if a["action"] == "followup log"] == [("followup log", "done", made["change"])]
    u = client.post(f"/api/changes/{made['change']}/undo", headers=h)
    assert u.status_code == 200, u.text
    assert fingerprint(embedded_store) == before
    assert month_one(client, tokens["viewer"]) == "overdue"


@pytest.mark.parametrize("body, field, message", [
    ({"event_id": "event:nope"}, "event_id",
     "refers to event:nope, which is not the id of an Event in the store"),
    ({"entity_id": "org:nope"}, "entity_id",
     "refers to org:nope, which is not the id of an Organization or Person in the store"),
    ({"kind": "fax"}, "kind", ("unknown contact kind; expected one of: call, email, meeting, "
     "visit")),
    ({"date": "2026-01-09"}, "date",
     (f"is before the build it follows up ({BUILD}, 2026-01-10): a follow-up comes after the "
     "build")),
    ({"date": "yesterday"}, "date", None),
])
def test_refusals_are_422_with_the_field_and_write_nothing(
        small, tokens, embedded_store: GraphStore, body, field, message) -> None:
    client = TestClient(create_app(small))
    before = fingerprint(embedded_store)
    r = client.post("/api/followups", json={"event_id": BUILD, "date": "2026-02-12",
                                            "kind": "call", **body},
                    headers=auth(tokens["editor"]))
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert "nothing was written" in err["message"]
    [issue] = [i for i in err["issues"] if i["column"] == field]
    if message is not None:
        assert issue["message"] == message
    assert fingerprint(embedded_store) == before
    audit = [json.loads(x) for x in small.audit_file.read_text().splitlines()]
    assert audit[-1]["action"] == "followup log" and audit[-1]["outcome"] == "refused"


def test_cli_logs_a_follow_up_and_refuses_a_bad_kind(small, tmp_path, monkeypatch,
                                                     embedded_store: GraphStore) -> None:
    from typer.testing import CliRunner

    from api import cli

    monkeypatch.setenv("COALITION_GRAPH_NAME", small.graph_name)
    base = ["--data-dir", str(small.data_dir), "followup", "log", BUILD]
    result = CliRunner().invoke(cli.app, [*base, "--date", "2026-02-12", "--kind", "meeting",
                                          "--entity", CASINO, "--outcome", "pledged",
                                          "--format", "json"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    assert made["id"] == f"{BUILD}:followup:2026-02-12:meeting"
    [change] = embedded_store.changes(ids=[made["change"]], limit=1)
    assert change["role"] == "cli" and change["os_user"]
    [node] = embedded_store.read("MATCH (o:Entity {id: $o})-[:CONTACTED]->(f:Event) "
                                 "RETURN f.contact AS contact, f.outcome AS outcome",
                                 {"o": CASINO})
    assert node == {"contact": "meeting", "outcome": "pledged"}
    before = fingerprint(embedded_store)
    bad = CliRunner().invoke(cli.app, [*base, "--date", "2026-02-12", "--kind", "fax"])
    # `coalition` (api.cli.main) prints a LoadError's message and exits 1
    assert isinstance(bad.exception, LoadError)
    assert "unknown contact kind; expected one of: call, email, meeting, visit" in \
        str(bad.exception)
    assert fingerprint(embedded_store) == before


def test_a_meeting_over_two_days_is_found_where_its_location_says(small, tokens) -> None:
    # its id holds the span's first day, as the loader's event ids do: a "/" in it would
    # leave the follow-up unreachable by GET, PATCH and DELETE
    client = TestClient(create_app(small))
    h = auth(tokens["editor"])
    r = client.post("/api/followups", json={"event_id": BUILD, "kind": "meeting",
                                            "date": "2026-02-10/2026-02-12"}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["id"] == f"{BUILD}:followup:2026-02-10:meeting"
    got = client.get(r.headers["location"], headers=h)
    assert got.status_code == 200, got.text
    assert (got.json()["profile"]["date"], got.json()["profile"]["date_end"]) == \
        ("2026-02-10", "2026-02-12")
    patched = client.patch(f"/api/events/{r.json()['id']}", json={"fields": {"outcome": "ok"}},
                           headers={**h, "If-Match": r.json()["version"]})
    assert patched.status_code == 200, patched.text
    assert month_one(client, tokens["editor"]) == "done"


def test_a_stakeholder_lists_the_builds_it_took_part_in_through_its_people(
        settings, embedded_store: GraphStore, tmp_path) -> None:
    """The stakeholder page offers a follow-up for every build the organization took part
    in, also through its people (issue 10's credit), once each; SYNTHETIC rows."""
    path = tmp_path / "synthetic.yaml"
    path.write_text(yaml.safe_dump({
        **WORKBOOK,
        "organizations": WORKBOOK["organizations"] + [
            {"id": "org:ms:syn-via-pd", "name": "Synthetic Via PD", "kind": "law enforcement",
             "state": "MS"}],
        "people": [{"id": "person:syn-via-chief", "name": "Synthetic Chief",
                    "title": "Chief", "organization_id": "org:ms:syn-via-pd"},
                   {"id": "person:syn-via-officer", "name": "Synthetic Officer",
                    "title": "Officer", "organization_id": "org:ms:syn-via-pd"}],
        "participation": WORKBOOK["participation"] + [
            {"entity_id": "person:syn-via-chief", "event_id": BUILD, "role": "spoke"},
            {"entity_id": "person:syn-via-officer", "event_id": BUILD, "role": "attended"},
            {"entity_id": "person:syn-via-chief", "event_id": "event:syn-fu-webinar",
             "role": "registered"}]}))
    load(path, embedded_store)
    r = TestClient(create_app(settings)).get("/api/stakeholders/org:ms:syn-via-pd")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["events"] == []  # the department itself is on no participation row
    assert [(e["id"], e["kind"], e["via"]["name"]) for e in body["events_via_people"]] == [
        (BUILD, "coalition build", "Synthetic Chief"),
        (BUILD, "coalition build", "Synthetic Officer")]  # a registration is no part taken
    # a person's page has no people of its own
    r = TestClient(create_app(settings)).get("/api/stakeholders/person:syn-via-chief")
    assert r.json()["events_via_people"] == []
