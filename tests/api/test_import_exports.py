"""Attendee and survey exports over HTTP (editor role, audited like /api/import) and on the
command line, against the real embedded store with the seed loaded. Exports are SYNTHETIC."""

from __future__ import annotations

import json

import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import cli
from api.app import create_app
from graph import queries
from graph.errors import LoadError
from graph.store import GraphStore
from tests.api.test_http import seeded, settings, tokens  # noqa: F401 - fixtures

GULFPORT = "event:ms:2020-01-16:gulfport-coalition-build"
#: SYNTHETIC sign-in sheet for the seed's Gulfport build
SIGNIN = ("Name,Agency,Title,Email,Attended\r\n"
          "Rae Quill,Biloxi PD,Detective,rae@example.org,yes\r\n"
          "Sol Vance,Gulf Coast Freight,Dispatcher,,no\r\n")
#: SYNTHETIC survey export
SURVEY = ("Timestamp,Name,The presenters were knowledgeable,Comments\r\n"
          "2020-01-16 15:00,Rae Quill,Agree,Good\r\n"
          "2020-01-16 15:05,Sol Vance,Disagree,\r\n")


def audit(client: TestClient, token: str) -> list[dict]:
    return client.get("/api/audit", headers={"Authorization": f"Bearer {token}"}).json()


def test_attendees_over_http(seeded, tokens, embedded_store: GraphStore) -> None:  # noqa: F811
    client = TestClient(create_app(seeded))
    editor = {"Authorization": f"Bearer {tokens['editor']}"}
    form = {"event_id": GULFPORT}
    files = {"file": ("signin.csv", SIGNIN)}
    viewer = client.post("/api/import/attendees", data=form, files=files,
                         headers={"Authorization": f"Bearer {tokens['viewer']}"})
    assert viewer.status_code == 403
    before = embedded_store.counts()
    dry = client.post("/api/import/attendees", data=form, files=files, headers=editor).json()
    assert embedded_store.counts() == before  # dry_run is the default
    # "Biloxi PD" is the seed's Biloxi Police Department by its normalised name
    assert [(m["id"], m["by"]) for m in dry["organizations"]["matched"]] == [
        ("org:ms:biloxi-police-department", "name")]
    [created] = dry["organizations"]["created"]
    assert (created["id"], created["kind"]) == ("org:ms:gulf-coast-freight", "trucking company")
    assert dry["attendance"] == {"attended": 1, "registered": 1}
    assert "rae@example.org" not in json.dumps(dry)
    review = yaml.safe_load(dry["review_yaml"])
    review["organizations"][0]["kind"] = "shipper"  # a person corrects the guess
    done = client.post("/api/import/attendees", data={**form, "dry_run": "false"},
                       files={**files, "review": ("review.yaml", yaml.safe_dump(review))},
                       headers=editor).json()
    assert done["load"]["written"] > 0
    [org] = embedded_store.read(queries.NODES_BY_ID, {"ids": ["org:ms:gulf-coast-freight"]})
    assert org["props"]["kind"] == "shipper"
    bad = client.post("/api/import/attendees", data={**form, "dry_run": "false"},
                      files={"file": ("bad.csv", "Name,Attended\r\nUma,perhaps\r\n")},
                      headers=editor)
    assert bad.status_code == 422
    assert bad.json()["error"]["issues"][0] | {"message": ""} == {
        "file": "bad.csv", "row": 2, "column": "attended", "message": "", "value": "perhaps",
        "severity": "error"}
    wrong = client.post("/api/import/attendees", data=form, headers=editor,
                        files={"file": ("list.pdf", b"%PDF")})
    assert wrong.status_code == 400
    log = [(e["action"], e["outcome"]) for e in audit(client, tokens["admin"])
           if e["action"].startswith("import attendees")]
    assert log == [("import attendees dry-run", "done"), ("import attendees", "done"),
                   ("import attendees", "refused"), ("import attendees dry-run", "refused")]


def test_survey_over_http(seeded, tokens, embedded_store: GraphStore) -> None:  # noqa: F811
    client = TestClient(create_app(seeded))
    editor = {"Authorization": f"Bearer {tokens['editor']}"}
    r = client.post("/api/import/survey", headers=editor,
                    data={"event_id": GULFPORT, "dry_run": "false"},
                    files={"file": ("survey.csv", SURVEY)}).json()
    assert [(q["metric"], q["share"], q["n"]) for q in r["questions"]] == [
        ("presenters knowledgeable and approachable", 50.0, 2)]
    # the seed's figure from the report, of the same name and date, is replaced
    assert r["load"]["nodes"]["Metric"] == {"created": 2, "updated": 1, "unchanged": 0}
    replaced = (f"replaces metric:{GULFPORT}:presenters-knowledgeable-and-approachable:"
                "2020-01-16: 100 percent of respondents from seeds/002_848bd964082b8b4f.txt")
    assert r["warnings"] == [replaced]
    names = json.dumps(embedded_store.read(queries.NODES_BY_ID, {"ids": [
        f"metric:{GULFPORT}:survey-respondents:2020-01-16"]}))
    assert "Rae Quill" not in names and '"value": 2' in names
    assert any(e["action"] == "import survey" and e["outcome"] == "done"
               for e in audit(client, tokens["admin"]))


def test_cli_dry_run_writes_the_review_file(seeded, tmp_path, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("COALITION_GRAPH_NAME", seeded.graph_name)
    path = tmp_path / "signin.csv"
    path.write_text(SIGNIN, encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["--data-dir", str(seeded.data_dir), "import",
                                          "attendees", str(path), "--event", GULFPORT,
                                          "--dry-run", "--format", "json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["load"]["dry_run"] and plan["review_file"] == str(tmp_path /
                                                                  "signin.review.yaml")
    review = yaml.safe_load((tmp_path / "signin.review.yaml").read_text())
    assert [e["name"] for e in review["organizations"]] == ["Gulf Coast Freight"]
    # written, then again with the review file it left: the second time nothing changes
    base = ["--data-dir", str(seeded.data_dir), "import", "attendees", str(path), "--event",
            GULFPORT, "--format", "json"]
    first = json.loads(CliRunner().invoke(cli.app, base).output)
    second = json.loads(CliRunner().invoke(cli.app, base).output)
    assert first["load"]["written"] > 0 and second["load"]["written"] == 0
    table = CliRunner().invoke(cli.app, base[:-2])
    assert "Gulf Coast Freight" in table.output and "rae@example.org" not in table.output
    result = CliRunner().invoke(cli.app, ["--data-dir", str(seeded.data_dir), "import",
                                          "survey", str(path), "--event", "event:nope"])
    # `coalition` (api.cli.main) prints a LoadError's message and exits 1
    assert isinstance(result.exception, LoadError)
    assert "event:nope is not in the graph" in str(result.exception)


def test_exports_over_http_name_the_key_in_the_change_log(
        seeded, tokens, embedded_store: GraphStore) -> None:  # noqa: F811
    """issue 13 item 1 (who) for the exports, as /api/import does for workbooks: the change
    of an attendee or survey import over HTTP names the API key and its role, not the
    server's OS user."""
    from api.service import CoalitionService

    client = TestClient(create_app(seeded))
    editor = {"Authorization": f"Bearer {tokens['editor']}"}
    key_id = CoalitionService(seeded).keys().verify(tokens["editor"]).id
    for route, body in (("attendees", SIGNIN), ("survey", SURVEY)):
        r = client.post(f"/api/import/{route}", headers=editor,
                        data={"event_id": GULFPORT, "dry_run": "false"},
                        files={"file": (f"{route}.csv", body)})
        assert r.status_code == 200, r.text
        change = r.json()["load"]["change"]
        [found] = embedded_store.changes(ids=[change], limit=1)
        assert (found["action"], found["role"], found["key"], found.get("os_user")) == (
            "load", "editor", key_id, None), found
