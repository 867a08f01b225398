"""Every option and parameter that takes a state reads it as the loader does (issue 11,
item 4): "Mississippi", "Miss." and "ms" are MS; an unknown one is refused with the accepted
forms, never an empty or unrelated answer."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import cli
from api.app import create_app
from api.service import jurisdiction_param
from graph.errors import CoalitionError, UnknownValue
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import SEED


def test_the_loader_s_spellings_are_the_options_spellings() -> None:
    assert [jurisdiction_param(s) for s in ("Mississippi", "Miss.", "ms", "US-MS", "Alberta",
                                            "CA-AB", None)] == [
        "MS", "MS", "MS", "MS", "CA-AB", "CA-AB", None]


def test_cli_and_api_take_a_state_by_name(tmp_path, data_dir, monkeypatch,
                                          embedded_settings, embedded_store: GraphStore
                                          ) -> None:
    monkeypatch.setenv("COALITION_GRAPH_NAME", embedded_store.graph_name)
    load(SEED, embedded_store)
    runner = CliRunner()
    by_code, by_name = tmp_path / "code.json", tmp_path / "name.json"
    for state, out in (("MS", by_code), ("Mississippi", by_name)):
        r = runner.invoke(cli.app, ["--data-dir", str(data_dir), "analyze", "--state", state,
                                    "--as-of", "2026-11-24", "--format", "json", "--out",
                                    str(out)])
        assert r.exit_code == 0, r.output
    code, name = json.loads(by_code.read_text()), json.loads(by_name.read_text())
    assert name["generated"]["states"] == ["MS"]
    assert name["coverage"] == code["coverage"]
    # a real state with nothing in the graph names itself as the loader stores it (the
    # command's main() prints a CoalitionError as its message; CliRunner hands it back)
    r = runner.invoke(cli.app, ["--data-dir", str(data_dir), "analyze", "--state", "Texas"])
    assert isinstance(r.exception, CoalitionError)
    assert "nothing in the graph is in state TX" in str(r.exception)
    # an unknown one: refused with what to write
    r = runner.invoke(cli.app, ["--data-dir", str(data_dir), "analyze", "--state", "Atlantis"])
    assert isinstance(r.exception, UnknownValue) and "Mississippi" in str(r.exception)

    client = TestClient(create_app(embedded_settings))
    named = client.get("/api/stakeholders", params={"state": "Mississippi", "limit": 200})
    coded = client.get("/api/stakeholders", params={"state": "MS", "limit": 200})
    assert named.status_code == coded.status_code == 200
    assert named.json() == coded.json() and named.json()["items"]
    bad = client.get("/api/events", params={"state": "Atlantis"})
    assert 400 <= bad.status_code < 500 and "error" in bad.json()
