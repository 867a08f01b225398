"""The editing API and the change log over HTTP (api/edits.py): every new route by role,
two editors on one version, stale versions, audit lines, privacy, undo, and the log kept out
of every read of the graph. On the real embedded store, with the seed loaded."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import cli
from api.app import create_app
from api.security import Audit
from api.service import CoalitionService
from graph.store import GraphStore
from tests.api import test_http

ROLES = test_http.ROLES
#: the HTTP tests' fixtures: a seeded store, keys and audit files of its own, one key a role
settings, seeded, tokens = test_http.settings, test_http.seeded, test_http.tokens

ORG = {"type": "organization", "fields": {"name": "Quellsar Travel Center",
                                          "kind": "truck stop", "state": "MS",
                                          "county": "Harrison", "note": "SYNTHETIC"}}


def auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def created(client: TestClient, token: str, name: str) -> dict:
    body = {"type": "organization", "fields": {"name": name, "kind": "casino", "state": "MS",
                                               "note": "SYNTHETIC"}}
    r = client.post("/api/stakeholders", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    return r.json()


def test_every_new_route_by_role(seeded, tokens) -> None:
    """viewer and analyst may read an entity's history and nothing else here; editors edit
    and undo; the whole log is the admins'."""
    client = TestClient(create_app(seeded))
    admin = tokens["admin"]
    for role in ROLES:
        may_edit = role in ("editor", "admin")
        t = tokens[role]
        mine = created(client, admin, f"Synthetic {role} Casino")
        routes = [
            ("POST", "/api/stakeholders", {"json": {"type": "organization", "fields": {
                "name": f"Synthetic {role} Stop", "kind": "truck stop", "state": "MS"}}},
             may_edit, 201),
            ("PATCH", f"/api/stakeholders/{mine['id']}", {
                "json": {"fields": {"city": "Biloxi"}},
                "headers": {"If-Match": f'"{mine["version"]}"'}}, may_edit, 200),
            ("GET", f"/api/changes?entity={mine['id']}", {}, True, 200),
            ("GET", "/api/changes", {}, role == "admin", 200),
            ("GET", f"/api/changes/{mine['change']}", {}, may_edit, 200),
        ]
        for method, path, kw, allowed, ok in routes:
            headers = {**auth(t), **kw.pop("headers", {})}
            r = client.request(method, path, headers=headers, **kw)
            assert r.status_code == (ok if allowed else 403), (role, method, path, r.text)
            assert call_without_key(client, method, path) == 401
        # undo and delete last: what they act on was made for them
        doomed = created(client, admin, f"Synthetic {role} Doomed Casino")
        r = client.post(f"/api/changes/{doomed['change']}/undo", headers=auth(t))
        assert r.status_code == (200 if may_edit else 403), (role, r.text)
        target = mine["id"] if not may_edit else created(client, admin,
                                                         f"Synthetic {role} Gone")["id"]
        r = client.delete(f"/api/stakeholders/{target}", headers=auth(t))
        assert r.status_code == (200 if may_edit else 403), (role, r.text)
        if not may_edit:
            assert r.json()["error"]["type"] == "Forbidden"


def call_without_key(client: TestClient, method: str, path: str) -> int:
    return client.request(method, path).status_code


def test_two_editors_on_one_version_one_wins(seeded, tokens) -> None:
    """Two servers (two apps on one store), two editors, the same version at once: one 200,
    one 409 carrying the winner's version and change."""
    first, second = TestClient(create_app(seeded)), TestClient(create_app(seeded))
    made = created(first, tokens["editor"], "Synthetic Contested Casino")
    start = threading.Barrier(2)
    answers: dict[str, object] = {}

    def edit(client: TestClient, city: str) -> None:
        start.wait()
        answers[city] = client.patch(f"/api/stakeholders/{made['id']}",
                                     json={"fields": {"city": city}},
                                     headers={**auth(tokens["editor"]),
                                              "If-Match": made["version"]})

    threads = [threading.Thread(target=edit, args=(c, city))
               for c, city in ((first, "Biloxi"), (second, "Gulfport"))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    codes = sorted(r.status_code for r in answers.values())
    assert codes == [200, 409], [r.text for r in answers.values()]
    won = next(r for r in answers.values() if r.status_code == 200).json()
    lost = next(r for r in answers.values() if r.status_code == 409).json()["error"]
    assert lost["current_version"] == won["version"]
    if lost.get("changed_since"):  # refused at the read (not at the write): it says why
        assert lost["changed_since"][0]["id"] == won["change"]
    city = first.get(f"/api/stakeholders/{made['id']}",
                     headers=auth(tokens["viewer"])).json()["profile"]["city"]
    assert city == next(c for c, r in answers.items() if r.status_code == 200)


def test_stale_version_missing_version_and_what_changed(seeded, tokens) -> None:
    client = TestClient(create_app(seeded))
    h = auth(tokens["editor"])
    made = created(client, tokens["editor"], "Synthetic Stale Casino")
    url = f"/api/stakeholders/{made['id']}"
    r = client.patch(url, json={"fields": {"city": "Biloxi"}}, headers=h)
    assert r.status_code == 428 and "If-Match" in r.json()["error"]["message"]
    ok = client.patch(url, json={"fields": {"city": "Biloxi"}},
                      headers={**h, "If-Match": made["version"]})
    assert ok.status_code == 200 and ok.headers["etag"] == f'"{ok.json()["version"]}"'
    stale = client.patch(url, json={"fields": {"city": "Gulfport"}},
                         headers={**h, "If-Match": made["version"]})
    assert stale.status_code == 409
    err = stale.json()["error"]
    assert err["current_version"] == ok.json()["version"]
    assert err["changed_since"][0]["changes"] == {"city": [None, "Biloxi"]}
    got = client.get(url, headers=h)
    assert got.json()["version"] == ok.json()["version"] == got.headers["etag"].strip('"')


def test_refusals_speak_the_loaders_language(seeded, tokens) -> None:
    client = TestClient(create_app(seeded))
    h = auth(tokens["editor"])
    r = client.post("/api/stakeholders", json={"type": "organization", "fields": {
        "name": "X", "kind": "truck stp", "state": "MS"}}, headers=h)
    assert r.status_code == 422
    [issue] = r.json()["error"]["issues"]
    assert issue["column"] == "kind" and "unknown organization kind" in issue["message"]
    r = client.post("/api/stakeholders", json={"type": "person", "fields": {
        "id": "person:synthetic-survivor", "name": "Jane Roe", "role": "survivor leader"}},
        headers=h)
    assert r.status_code == 422 and "survivors" in r.json()["error"]["message"]
    r = client.post("/api/stakeholders", json={"type": "person", "fields": {
        "id": "person:synthetic-victim", "role": "victim"}}, headers=h)
    assert r.status_code == 422 and "victims" in r.json()["error"]["message"]
    r = client.post("/api/stakeholders", json=ORG, headers=h)
    assert r.status_code == 201
    again = client.post("/api/stakeholders", json=ORG, headers=h)
    assert again.status_code == 409 and again.json()["error"]["id"] == r.json()["id"]


def test_delete_with_people_and_undo_over_http(seeded, tokens,
                                              embedded_store: GraphStore) -> None:
    """TAT: the seed's hub, with its people and ties to much of the graph."""
    from tests.graph.test_editing import fingerprint

    client = TestClient(create_app(seeded))
    h = auth(tokens["editor"])
    url = "/api/stakeholders/org:tat"
    before = client.get(url, headers=h).json()
    graph = fingerprint(embedded_store)
    # the seed: TAT's two program contacts work for it
    staff = ["person:tat:kylla-lanier", "person:tat:louie-greek"]
    r = client.delete(url, headers=h)
    assert r.status_code == 409 and sorted(r.json()["error"]["people"]) == staff
    assert "Louie Greek" in r.json()["error"]["message"]
    r = client.delete(url + "?cascade=true", headers=h)
    assert r.status_code == 200
    assert client.get(url, headers=h).status_code == 404
    for p in staff:
        assert client.get(f"/api/stakeholders/{p}", headers=h).status_code == 404
    u = client.post(f"/api/changes/{r.json()['change']}/undo", headers=h)
    assert u.status_code == 200
    assert client.get(url, headers=h).json() == before
    assert fingerprint(embedded_store) == graph
    again = client.post(f"/api/changes/{r.json()['change']}/undo", headers=h)
    assert again.status_code == 409 and again.json()["error"]["later"] == [u.json()["change"]]


def test_every_write_is_audited(seeded, tokens) -> None:
    client = TestClient(create_app(seeded))
    h = auth(tokens["editor"])
    made = created(client, tokens["editor"], "Synthetic Audited Casino")
    client.patch(f"/api/stakeholders/{made['id']}", json={"fields": {"city": "Biloxi"}},
                 headers={**h, "If-Match": "stale"})
    client.post(f"/api/changes/{made['change']}/undo", headers=h)
    lines = [a for a in Audit(seeded.audit_file).tail(1000)
             if a["action"] in ("edit create", "edit update", "undo")]
    assert [(a["action"], a["outcome"]) for a in lines] == [
        ("edit create", "done"), ("edit update", "refused"), ("undo", "done")]
    assert lines[0]["change"] == made["change"] and lines[0]["role"] == "editor"


def test_history_hides_contacts_from_viewers(seeded, tokens) -> None:
    client = TestClient(create_app(seeded))
    r = client.post("/api/stakeholders", json={"type": "person", "fields": {
        "name": "Dorvek Synthetic", "organization_id": "org:quality-carriers",
        "email": "safety@example.org", "title": "Safety Director"}},
        headers=auth(tokens["editor"]))
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    seen = {role: json.dumps(client.get(f"/api/changes?entity={pid}",
                                        headers=auth(tokens[role])).json())
            for role in ("viewer", "analyst")}
    assert "safety@example.org" not in seen["viewer"] and "Safety Director" in seen["viewer"]
    assert "safety@example.org" in seen["analyst"]


def test_the_log_is_in_no_read_of_the_graph(seeded, tokens, embedded_store: GraphStore,
                                            tmp_path: Path) -> None:
    """After edits, a load and an undo, the change log (Change and ChangePart nodes) is in
    no count, search, export, projection or analysis."""
    client = TestClient(create_app(seeded))
    h = auth(tokens["admin"])
    made = created(client, tokens["admin"], "Synthetic Logged Casino")
    client.post(f"/api/changes/{made['change']}/undo", headers=h)
    created(client, tokens["admin"], "Synthetic Logged Casino")
    assert embedded_store.read("MATCH (c:Change) RETURN count(c) AS n")[0]["n"] >= 4
    service = CoalitionService(seeded)
    stats = service.stats()
    assert "Change" not in stats["labels"] and "ChangePart" not in stats["labels"]
    assert stats["nodes"] == embedded_store.read("MATCH (n:Entity) RETURN count(n) AS n")[0]["n"]
    hits = client.get("/api/stakeholders?q=chg&limit=200", headers=h).json()["items"]
    assert not [x for x in hits if x["id"].startswith("chg-")]
    exported = client.get("/api/export?format=json", headers=h).json()
    labels = {lab for n in exported["nodes"] for lab in n.get("labels", [])}
    assert not labels & {"Change", "ChangePart"}
    assert all(not str(n["id"]).startswith("chg-") for n in exported["nodes"] if n.get("id"))
    from graph.projection import project

    g = project(embedded_store)
    assert not [n for n, d in g.nodes(data=True) if {"Change", "ChangePart"} & set(d["labels"])]
    assert len(g) == stats["nodes"]
    files = service.export("csv", tmp_path / "csv")
    assert "chg-" not in "".join(f.read_text() for f in files)
    # the console's schema is the graph's
    labels = [r["label"] for r in service.query("CALL db.labels() YIELD label RETURN label").rows]
    assert "Organization" in labels and not {"Change", "ChangePart"} & set(labels)
    indexed = service.query("CALL db.indexes() YIELD label RETURN label").rows
    assert indexed and not [r for r in indexed if r["label"] in ("Change", "ChangePart")]
    from graph.analysis.report import analyze

    report = json.dumps(analyze(g, states=["MS"]), default=str)
    assert "chg-" not in report and "ChangePart" not in report


def test_cli_history_and_undo(seeded, monkeypatch) -> None:
    monkeypatch.setenv("COALITION_GRAPH_NAME", seeded.graph_name)
    monkeypatch.setenv("COALITION_AUDIT_FILE", str(seeded.audit_file))
    service = CoalitionService(seeded)
    from api import edits

    made = edits.create(service, "organization", {"name": "Synthetic Cli Casino",
                                                  "kind": "casino", "state": "MS"},
                        key=None, cli=True)
    run = CliRunner()
    r = run.invoke(cli.app, ["--data-dir", str(seeded.data_dir), "history", made["id"],
                             "--format", "json"])
    assert r.exit_code == 0, r.output
    [c] = json.loads(r.output)
    assert c["id"] == made["change"] and c["role"] == "cli" and c["os_user"]
    r = run.invoke(cli.app, ["--data-dir", str(seeded.data_dir), "undo", made["change"]])
    assert r.exit_code == 0 and "Undid" in r.output, r.output
    from api.service import NotFound
    from graph.editing import NotFound as Gone

    with pytest.raises((NotFound, Gone)):
        service.stakeholder(made["id"])
    r = run.invoke(cli.app, ["--data-dir", str(seeded.data_dir), "history", made["id"]])
    assert r.exit_code == 0 and "undo" in r.output and "create" in r.output
