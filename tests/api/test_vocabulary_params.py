"""Every option and parameter taking a kind or sector reads it as the loader does (issue 11,
item 4): "Truck_Stop" is truck stop; an unknown one ("energy") is refused naming the
accepted forms and the nearest, never an empty page. Synthetic data."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import cli
from api.app import create_app
from api.service import CoalitionService
from graph.errors import UnknownValue
from graph.projection import Filters
from graph.settings import Settings
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook


def _workbook(folder: Path) -> Path:
    return write_workbook(folder, organizations="""
        id,name,kind,state
        org:ms:stop,Gulf Stop,truck stop,MS
        org:ms:freight,Gulf Freight,trucking company,MS
    """, relationships="""
        source_id,type,target_id
        org:ms:freight,partners with,org:ms:stop
    """)


def test_a_kind_is_read_as_the_loader_reads_it(tmp_path: Path, store: GraphStore,
                                               settings: Settings) -> None:
    load(_workbook(tmp_path / "wb"), store)
    svc = CoalitionService(settings)
    assert [h["id"] for h in svc.search(kind="Truck_Stop")["items"]] == ["org:ms:stop"]
    facts = svc.render(tmp_path / "stops.html", kinds=("TruckStop",))
    assert facts["nodes"] == 3  # the stop; faded, the company tied to it and its state
    files = svc.export("json", tmp_path / "stops.json", Filters(kinds=("Truck-Stop",)))
    assert "org:ms:stop" in files[0].read_text() and "org:ms:freight" not in \
        files[0].read_text()


@pytest.mark.parametrize("call", ["search", "render", "export"])
def test_an_unknown_kind_names_the_nearest_and_writes_nothing(
        tmp_path: Path, store: GraphStore, settings: Settings, call: str) -> None:
    load(_workbook(tmp_path / "wb"), store)
    svc = CoalitionService(settings)
    out = tmp_path / "out.html"
    with pytest.raises(UnknownValue) as info:
        if call == "search":
            svc.search(kind="energy")
        elif call == "render":
            svc.render(out, kinds=("energy",))
        else:
            svc.export("json", out, Filters(kinds=("energy",)))
    assert "did you mean 'energy company'?" in str(info.value)
    assert "truck stop" in str(info.value)  # the accepted forms
    assert not out.exists()


def test_cli_render_and_api_refuse_an_unknown_kind(tmp_path: Path, data_dir: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   embedded_settings: Settings,
                                                   embedded_store: GraphStore) -> None:
    monkeypatch.setenv("COALITION_GRAPH_NAME", embedded_store.graph_name)
    load(_workbook(tmp_path / "wb"), embedded_store)
    out = tmp_path / "energy.html"
    r = CliRunner().invoke(cli.app, ["--data-dir", str(data_dir), "render", "--kind",
                                     "energy", "--out", str(out)])
    assert isinstance(r.exception, UnknownValue) and "energy company" in str(r.exception)
    assert not out.exists()
    client = TestClient(create_app(embedded_settings))
    bad = client.get("/api/stakeholders", params={"kind": "energy"})
    assert 400 <= bad.status_code < 500 and "energy company" in bad.json()["error"]["message"]
    good = client.get("/api/stakeholders", params={"kind": "truck_stop"})
    assert [h["id"] for h in good.json()["items"]] == ["org:ms:stop"]
