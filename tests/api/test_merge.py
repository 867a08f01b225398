"""The merge route over HTTP (api/app.py, api/edits.py; issue 13 items 2 and 5): by role,
refusals (404, self-merge, different kinds, a stale version), the 301 from the old id, the
audit line, undo through the change route, and the CLI. On the real embedded store with
the seed and the two SYNTHETIC sheriff's-office records of tests/graph/test_merging.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import cli
from api.app import create_app
from api.security import Audit
from graph.editing import NotFound
from graph.store import GraphStore
from loaders.load import load
from tests.api import test_http
from tests.conftest import write_workbook
from tests.graph.test_load_atomic import fingerprint
from tests.graph.test_merging import NEW, OLD, PERSON, SHEETS

settings, seeded, tokens = test_http.settings, test_http.seeded, test_http.tokens


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def pair(seeded, embedded_store: GraphStore, tmp_path: Path):
    load(write_workbook(tmp_path / "wb", **SHEETS), embedded_store)
    return seeded


def test_merge_by_role_then_301_and_undo(pair, tokens, embedded_store: GraphStore) -> None:
    client = TestClient(create_app(pair))
    before = fingerprint(embedded_store)
    for role in ("viewer", "analyst"):
        r = client.post(f"/api/stakeholders/{OLD}/merge", json={"into": NEW},
                        headers=auth(tokens[role]))
        assert r.status_code == 403, (role, r.text)
        assert r.json()["error"]["type"] == "Forbidden"
    assert client.post(f"/api/stakeholders/{OLD}/merge", json={"into": NEW}).status_code == 401
    assert fingerprint(embedded_store) == before
    version = client.get(f"/api/stakeholders/{OLD}", headers=auth(tokens["editor"])
                         ).json()["version"]
    r = client.post(f"/api/stakeholders/{OLD}/merge", json={"into": NEW},
                    headers={**auth(tokens["editor"]), "If-Match": f'"{version}"'})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["merged"], body["into"]) == (OLD, NEW)
    assert body["counts"] == {"moved": 3, "folded": 1, "dropped": 2, "retargeted": 2,
                              "people": 1}
    assert body["survivor"]["id"] == NEW and body["survivor"]["version"] == body["version"]
    assert body["survivor"]["profile"]["aliases"] == ["HCSO", "Harrison Sheriff Dept",
                                                      "HC Sheriff"]
    assert r.headers["ETag"] == f'"{body["version"]}"'
    # the old id answers 301 to the survivor, for every role that may read it
    r = client.get(f"/api/stakeholders/{OLD}", headers=auth(tokens["viewer"]),
                   follow_redirects=False)
    assert r.status_code == 301 and r.headers["Location"] == f"/api/stakeholders/{NEW}"
    r = client.get(f"/api/stakeholders/{OLD}", headers=auth(tokens["viewer"]))
    assert r.status_code == 200 and r.json()["id"] == NEW
    assert client.get("/api/stakeholders/org:nope", headers=auth(tokens["viewer"])
                      ).status_code == 404
    [line] = [a for a in Audit(pair.audit_file).tail(1000) if a["action"] == "edit merge"
              and a["outcome"] == "done"]
    assert (line["id"], line["into"], line["change"], line["role"]) == \
        (OLD, NEW, body["change"], "editor")
    # undo through the change route: both records and every tie as before
    r = client.post(f"/api/changes/{body['change']}/undo", headers=auth(tokens["editor"]))
    assert r.status_code == 200, r.text
    assert fingerprint(embedded_store)[:4] == before[:4]
    r = client.get(f"/api/stakeholders/{OLD}", headers=auth(tokens["viewer"]),
                   follow_redirects=False)
    assert r.status_code == 200 and r.json()["id"] == OLD


def test_refusals(pair, tokens, embedded_store: GraphStore) -> None:
    client = TestClient(create_app(pair))
    h = auth(tokens["editor"])
    before = fingerprint(embedded_store)
    cases = [
        (OLD, {"into": OLD}, {}, 422, "cannot be merged into itself"),
        ("org:nope", {"into": NEW}, {}, 404, "no record with id 'org:nope'"),
        (OLD, {"into": "org:nope"}, {}, 404, "no record with id 'org:nope'"),
        (PERSON, {"into": NEW}, {}, 409, "only organizations are merged with organizations"),
        (OLD, {"into": NEW}, {"If-Match": '"stale"'}, 409, "has changed since version stale"),
    ]
    for node, body, extra, status, message in cases:
        r = client.post(f"/api/stakeholders/{node}/merge", json=body, headers={**h, **extra})
        assert r.status_code == status, (node, body, r.text)
        assert message in r.json()["error"]["message"], r.text
    assert fingerprint(embedded_store) == before
    lines = [a for a in Audit(pair.audit_file).tail(1000) if a["action"] == "edit merge"]
    assert [a["outcome"] for a in lines] == ["refused"] * len(cases)


def test_cli_merge_dry_run_then_merge(pair, embedded_store: GraphStore, monkeypatch) -> None:
    monkeypatch.setenv("COALITION_GRAPH_NAME", pair.graph_name)
    monkeypatch.setenv("COALITION_AUDIT_FILE", str(pair.audit_file))
    before = fingerprint(embedded_store)
    runner = CliRunner()
    base = ["--data-dir", str(pair.data_dir), "merge", OLD, "--into", NEW]
    r = runner.invoke(cli.app, [*base, "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "dry run: nothing was written" in r.output
    assert f"attended:{NEW}>event:ms:2020-01-16:build:attended" in r.output  # the fold
    assert "3 moved, 1 folded, 2 dropped, 2 re-pointed, 1 people" in r.output
    assert fingerprint(embedded_store) == before
    r = runner.invoke(cli.app, base)
    assert r.exit_code == 0, r.output
    assert f"Merged {OLD} into {NEW}" in r.output and "change chg-" in r.output
    assert embedded_store.read("MATCH (n:Entity {id: $id}) RETURN n.id AS id",
                               {"id": OLD}) == []
    [line] = [a for a in Audit(pair.audit_file).tail(1000) if a["action"] == "edit merge"]
    assert line["outcome"] == "done" and f"change {line['change']}" in r.output
    with pytest.raises(NotFound, match="no record with id"):  # main() prints it as error:
        runner.invoke(cli.app, base, catch_exceptions=False)
