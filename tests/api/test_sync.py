"""``--sync`` through the CLI and ``sync=true`` through POST /api/import: both list the
removals, and the dry run writes nothing. SYNTHETIC workbooks (made-up names)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from fastapi.testclient import TestClient

from api.app import create_app
from graph.store import GraphStore
from tests.api import test_http
from tests.api.test_cli import invoke  # noqa: F401 - the fixture
from tests.conftest import write_workbook

settings, seeded, tokens = test_http.settings, test_http.seeded, test_http.tokens

TWO = [{"id": "org:ms:zz-alpha", "name": "Zz Alpha Stop", "kind": "truck stop", "state": "MS",
        "note": "SYNTHETIC"},
       {"id": "org:ms:zz-beta", "name": "Zz Beta Stop", "kind": "truck stop", "state": "MS",
        "note": "SYNTHETIC"}]


def test_the_api_answer_lists_the_removals(seeded, tokens, embedded_store: GraphStore) -> None:
    client = TestClient(create_app(seeded))
    auth = {"Authorization": f"Bearer {tokens['editor']}"}
    seed_nodes = embedded_store.counts().nodes

    def upload(orgs: list[dict], query: str) -> dict:
        r = client.post(f"/api/import?{query}", headers=auth,
                        files={"file": ("w.yaml", yaml.safe_dump({"organizations": orgs}))})
        assert r.status_code == 200, r.text
        return r.json()

    upload(TWO, "confirm=true")
    dry = upload(TWO[:1], "sync=true")
    assert dry["dry_run"] and dry["written"] == 0
    assert [n["id"] for n in dry["removals"]["nodes"]] == ["org:ms:zz-beta"]
    assert embedded_store.counts().nodes == seed_nodes + 2  # nothing removed yet
    done = upload(TWO[:1], "confirm=true&sync=true")
    assert done["removals"] == dry["removals"] and done["change"]
    assert embedded_store.counts().nodes == seed_nodes + 1  # the seed's own source untouched
    undone = client.post(f"/api/changes/{done['change']}/undo", headers=auth)
    assert undone.status_code == 200, undone.text
    assert embedded_store.counts().nodes == seed_nodes + 2
    plain = upload(TWO[:1], "confirm=true")
    assert "removals" not in plain  # without sync, a load only adds


def test_the_cli_lists_the_removals(invoke, tmp_path: Path) -> None:  # noqa: F811
    head = "id,name,kind,state,note\n"
    rows = [f"{o['id']},{o['name']},{o['kind']},{o['state']},SYNTHETIC\n" for o in TWO]
    wb = write_workbook(tmp_path / "wb", organizations=head + "".join(rows))
    assert invoke("load", str(wb)).exit_code == 0
    write_workbook(tmp_path / "wb", organizations=head + rows[0])
    dry = invoke("load", str(wb), "--sync", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Would remove (sync of wb/organizations.csv): 2" in dry.output
    assert "org:ms:zz-beta" in dry.output and "located:org:ms:zz-beta" in dry.output
    js = invoke("load", str(wb), "--sync", "--format", "json")
    assert js.exit_code == 0, js.output
    report = json.loads(js.output)
    assert [n["id"] for n in report["removals"]["nodes"]] == ["org:ms:zz-beta"]
    again = invoke("load", str(wb), "--sync")
    assert again.exit_code == 0 and "Removed (sync of wb/organizations.csv): 0" in again.output
