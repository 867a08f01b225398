"""How load problems reach people: the CLI prints them as text (never as rich markup), and
--skip-invalid keeps rows the reader found broken out of the graph and in the rejects file."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook


def coalition(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COALITION_DATA_DIR": str(data_dir),
           "COALITION_GRAPH_NAME": f"msg{uuid.uuid4().hex[:10]}"}
    return subprocess.run([sys.executable, "-m", "api", *args], env=env, capture_output=True,
                          text=True, timeout=300)


def test_cli_prints_markup_in_errors_as_text(tmp_path: Path, data_dir: Path) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state
        org:ms:m,[bold]Markup[/bold],[/bold],MS
    """)
    r = coalition("load", str(wb), data_dir=data_dir)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "MarkupError" not in r.stderr
    assert "organizations.csv, row 2, column 'kind': unknown organization kind" in r.stderr
    assert "(value: '[/bold]')" in r.stderr


def test_cli_prints_markup_in_warnings_as_text(tmp_path: Path, data_dir: Path) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state,[/red]
        org:ms:w,Warned Stop,truck stop,MS,x
    """)
    r = coalition("load", str(wb), data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    assert "column '[/red]': column not used by the workbook format" in r.stderr


def test_skip_invalid_rejects_rows_the_reader_found_broken(tmp_path: Path,
                                                           embedded_store: GraphStore) -> None:
    wb = tmp_path / "wb.yaml"
    wb.write_text(
        "organizations:\n"
        "  - {id: org:ms:good, name: Good Stop, kind: truck stop}\n"
        "  - {id: org:ms:twice, name: First, kind: casino, name: Second}\n"
        '  - {id: org:ms:half, name: "Half \\ud800", kind: casino}\n', encoding="utf-8")
    report = load(wb, embedded_store, skip_invalid=True)
    ids = {r["id"] for r in embedded_store.read("MATCH (n:Organization) RETURN n.id AS id")}
    assert ids == {"org:ms:good"}
    assert report.rejected_rows == 2
    with open(report.rejects_file, encoding="utf-8", newline="") as fh:
        rows = {int(r["row"]): r for r in csv.DictReader(fh)}
    assert "given twice" in rows[3]["problems"]
    assert "lone surrogate" in rows[4]["problems"]
    assert json.loads(rows[4]["row_values"])["name"] == "Half \\ud800"
