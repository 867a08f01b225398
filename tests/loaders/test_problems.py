"""Every problem of a load is available: ``--problems FILE`` (CSV or JSON) holds every error
and warning, loaded or refused; ``--format json`` prints them on failure; a dry run with
--skip-invalid writes the rejects file; warnings are shown after the errors. All rows are
SYNTHETIC."""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api import cli
from graph.errors import ConfigError, LoadError
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook

runner = CliRunner()


def workbook(folder: Path, bad: int) -> Path:
    """``bad`` rows of an unknown kind (rows 3 .. bad + 2), one good row (row 2), and one
    unknown column (a warning at row 1)."""
    rows = "".join(f"org:ms:bad-{i},Bad {i},saloon,MS,x\n" for i in range(bad))
    return write_workbook(folder, organizations="id,name,kind,state,colour\n"
                          "org:ms:good,Good Stop,truck stop,MS,x\n" + rows)


def test_the_problems_file_holds_all_of_them_when_the_terminal_shows_50(
        tmp_path: Path, embedded_store: GraphStore) -> None:
    wb = workbook(tmp_path / "wb", bad=60)
    target = tmp_path / "problems.csv"
    with pytest.raises(LoadError) as info:
        load(wb, embedded_store, problems=target)
    message = str(info.value)
    assert "... and 10 more" in message  # 60 errors, 50 shown
    assert f"Every problem (60 errors and 1 warning) is in {target}" in message
    with open(target, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 61
    assert [r["severity"] for r in rows] == ["error"] * 60 + ["warning"]  # errors first
    first = rows[0]
    assert (first["file"], first["row"], first["column"], first["value"]) == (
        "organizations.csv", "3", "kind", "saloon")
    assert first["message"].startswith("unknown organization kind")
    assert {int(r["row"]) for r in rows[:60]} == set(range(3, 63))
    assert (rows[60]["row"], rows[60]["column"]) == ("1", "colour")
    assert embedded_store.counts().nodes == 0


def test_json_problems_and_warnings_after_the_errors(tmp_path: Path,
                                                     embedded_store: GraphStore) -> None:
    wb = workbook(tmp_path / "wb", bad=2)
    target = tmp_path / "p.json"
    with pytest.raises(LoadError) as info:
        load(wb, embedded_store, problems=target)
    records = json.loads(target.read_text(encoding="utf-8"))
    assert [(r["severity"], r["row"], r["column"]) for r in records] == [
        ("error", 3, "kind"), ("error", 4, "kind"), ("warning", 1, "colour")]
    assert set(records[0]) == {"severity", "file", "row", "column", "message", "value"}
    message = str(info.value)
    # the warning is in the message too, after both errors
    assert message.index("and 1 warning(s):") > message.index("row 4, column 'kind'")
    assert "organizations.csv, row 1, column 'colour': column not used" in message


def test_without_a_problems_file_the_message_says_how_to_get_one(
        tmp_path: Path, embedded_store: GraphStore) -> None:
    with pytest.raises(LoadError) as info:
        load(workbook(tmp_path / "wb", bad=1), embedded_store)
    assert "--problems FILE (.csv or .json) writes every one of them" in str(info.value)


def test_a_successful_load_writes_its_warnings(tmp_path: Path,
                                               embedded_store: GraphStore) -> None:
    wb = workbook(tmp_path / "wb", bad=0)
    report = load(wb, embedded_store, problems=tmp_path / "p.json")
    assert report.problems_file == str(tmp_path / "p.json")
    records = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert [(r["severity"], r["column"]) for r in records] == [("warning", "colour")]


def test_a_file_that_cannot_be_read_writes_its_problem(tmp_path: Path,
                                                       embedded_store: GraphStore) -> None:
    wb = write_workbook(tmp_path / "wb", organizations='id,name\norg:a,"A\n')
    with pytest.raises(LoadError):
        load(wb, embedded_store, problems=tmp_path / "p.csv")
    with open(tmp_path / "p.csv", encoding="utf-8-sig", newline="") as fh:
        [row] = list(csv.DictReader(fh))
    assert (row["row"], row["column"]) == ("2", "name") and "never closed" in row["message"]


@pytest.mark.parametrize("name", ["problems.txt", "missing-folder/p.csv"])
def test_an_unusable_problems_file_is_refused_before_loading(
        name: str, tmp_path: Path, embedded_store: GraphStore) -> None:
    wb = workbook(tmp_path / "wb", bad=0)
    with pytest.raises(ConfigError, match="--problems"):
        load(wb, embedded_store, problems=tmp_path / name)
    assert embedded_store.counts().nodes == 0


def test_formulas_in_the_problems_csv_are_defused(tmp_path: Path,
                                                  embedded_store: GraphStore) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state
        org:ms:f,F,=HYPERLINK("http://example.invalid"),MS
    """)
    with pytest.raises(LoadError):
        load(wb, embedded_store, problems=tmp_path / "p.csv")
    with open(tmp_path / "p.csv", encoding="utf-8-sig", newline="") as fh:
        [row] = list(csv.DictReader(fh))
    assert row["value"].startswith("'=HYPERLINK")


def test_dry_run_with_skip_invalid_writes_the_rejects_file(tmp_path: Path,
                                                            embedded_store: GraphStore) -> None:
    wb = workbook(tmp_path / "wb", bad=2)
    report = load(wb, embedded_store, dry_run=True, skip_invalid=True)
    assert report.rejects_file == str(tmp_path / "wb.rejects.csv")
    with open(report.rejects_file, encoding="utf-8", newline="") as fh:
        rejects = list(csv.DictReader(fh))
    assert [(r["file"], r["row"]) for r in rejects] == [("organizations.csv", "3"),
                                                       ("organizations.csv", "4")]
    assert report.rejected_rows == 2 and len(report.errors) == 2
    assert report.nodes.created["TruckStop"] == 1  # the good row, not written
    assert embedded_store.counts().nodes == 0


@pytest.fixture
def invoke(data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COALITION_GRAPH_NAME", f"cli{uuid.uuid4().hex[:10]}")
    return lambda *args: runner.invoke(cli.app, ["--data-dir", str(data_dir), *args])


def test_cli_json_prints_the_problems_on_failure(tmp_path: Path, invoke) -> None:
    wb = workbook(tmp_path / "wb", bad=2)
    r = invoke("load", str(wb), "--format", "json", "--problems", str(tmp_path / "p.csv"))
    assert r.exit_code == 1 and isinstance(r.exception, LoadError)
    printed = json.loads(r.stdout)
    assert printed["error"]["type"] == "LoadError"
    assert [(p["severity"], p["row"]) for p in printed["problems"]] == [
        ("error", 3), ("error", 4), ("warning", 1)]
    assert (tmp_path / "p.csv").exists()


def test_cli_problems_on_success(tmp_path: Path, invoke) -> None:
    wb = workbook(tmp_path / "wb", bad=0)
    r = invoke("load", str(wb), "--dry-run", "--format", "json",
               "--problems", str(tmp_path / "p.json"))
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["problems_file"] == str(tmp_path / "p.json") and report["errors"] == []
    assert len(json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))) == 1
