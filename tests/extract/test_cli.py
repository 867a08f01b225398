"""`coalition extract` end to end: draft, then `coalition load --dry-run` the draft; what the
graph already holds is referred to, never rewritten; refusals exit 1 with a message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api import cli
from tests.conftest import SEED
from tests.extract.helpers import REPORTS

runner = CliRunner()

#: SYNTHETIC: a report about a build whose organizations the seed workbook already holds
KNOWN = """SYNTHETIC report for a test.

BILOXI, MS - MAY 4, 2023

The Mississippi Trucking Association (MTA) and Truckers Against Trafficking co-hosted a
coalition build. The Biloxi Police Department received four tips from stakeholders since the
build. Magnolia Freight has pledged to train 75 drivers with TAT training.
"""


@pytest.fixture
def invoke(data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COALITION_GRAPH_NAME", f"ext{uuid.uuid4().hex[:10]}")

    def run(*args: str):
        return runner.invoke(cli.app, ["--data-dir", str(data_dir), *args])

    return run


def test_extract_then_load_dry_run(invoke, tmp_path: Path) -> None:
    out = tmp_path / "draft"
    r = invoke("extract", str(REPORTS / "synthetic_tulsa.md"), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "coalition load" in r.output and (out / "REVIEW.md").exists()
    assert {p.name for p in out.glob("*.csv")} >= {"organizations.csv", "people.csv",
                                                  "events.csv", "participation.csv",
                                                  "commitments.csv", "metrics.csv"}
    r = invoke("load", str(out), "--dry-run", "--format", "json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert report["nodes"]["Event"]["created"] == 1 and report["written"] == 0
    assert report["nodes"]["TruckStop"]["created"] == 2
    r = invoke("stats", "--format", "json")
    assert json.loads(r.output)["nodes"] == 0  # extraction and a dry run write nothing


def test_the_graph_s_own_records_are_referred_to_not_redrafted(invoke, tmp_path: Path) -> None:
    assert invoke("load", str(SEED)).exit_code == 0
    report = tmp_path / "biloxi.txt"
    report.write_text(KNOWN, encoding="utf-8")
    out = tmp_path / "draft"
    r = invoke("extract", str(report), "--out", str(out), "--format", "json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.output)
    assert {"org:ms:mississippi-trucking-association", "org:tat",
            "org:ms:biloxi-police-department"} <= set(result["matched"])
    orgs = (out / "organizations.csv").read_text()
    assert "Magnolia Freight" in orgs and "Mississippi Trucking Association" not in orgs
    assert "org:ms:biloxi-police-department" in (out / "metrics.csv").read_text()
    r = invoke("load", str(out), "--dry-run", "--format", "json")
    assert r.exit_code == 0, r.output
    plan = json.loads(r.output)
    assert all(c["updated"] == 0 for c in plan["nodes"].values()), plan["nodes"]
    assert all(c["updated"] == 0 for c in plan["relationships"].values())
    r = invoke("extract", str(report), "--out", str(out), "--no-graph", "--format", "json")
    assert r.exit_code == 0  # an earlier draft may be drafted over
    assert "Mississippi Trucking Association" in (out / "organizations.csv").read_text()


def _coalition(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COALITION_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "api", *args], env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_refusals_exit_1_with_a_message(tmp_path: Path) -> None:
    mine = tmp_path / "my-workbook"
    mine.mkdir()
    (mine / "organizations.csv").write_text("id,name,kind\n")
    r = _coalition("extract", str(REPORTS / "synthetic_fargo.txt"), "--out", str(mine),
                   "--no-graph", data_dir=tmp_path / "data")
    assert r.returncode == 1 and "is not empty and holds no earlier draft" in r.stderr
    assert (mine / "organizations.csv").read_text() == "id,name,kind\n"
    r = _coalition("extract", str(tmp_path / "nothing.pdf"), "--out", str(tmp_path / "d"),
                   "--no-graph", data_dir=tmp_path / "data")
    assert r.returncode == 1 and "nothing.pdf" in r.stderr and "no such file" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_group_the_graph_holds_is_not_redrafted(invoke, tmp_path: Path) -> None:
    """The Gulfport seed report against the seed workbook: its 3 local casinos (issue 10's
    unnamed group, with the same id the draft derives) and their interest in the webinar
    are the graph's; loading the draft changes none of the curated rows."""
    from tests.extract.helpers import need_seeds

    report = need_seeds() / "002_848bd964082b8b4f.txt"
    assert invoke("load", str(SEED)).exit_code == 0
    out = tmp_path / "draft"
    r = invoke("extract", str(report), "--out", str(out), "--format", "json")
    assert r.exit_code == 0, r.output
    matched = json.loads(r.output)["matched"]
    assert "local casinos" in matched  # the group's participation row, by its name
    assert any(m.startswith("group:ms:2020-01-16:gulfport-coalition-build:casino:local "
                            "considering") for m in matched)
    participation = (out / "participation.csv").read_text() \
        if (out / "participation.csv").exists() else ""
    assert "local casinos" not in participation
    r = invoke("load", str(out), "--dry-run", "--format", "json")
    assert r.exit_code == 0, r.output
    plan = json.loads(r.output)
    assert all(c["updated"] == 0 for c in plan["nodes"].values()), plan["nodes"]
    assert plan["nodes"].get("Group", {}).get("created", 0) == 0
