"""The `coalition` command line: real subprocesses for exit codes and messages, typer's
runner for the rest. All against the real embedded store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from api import cli
from tests.conftest import SEED, write_workbook

runner = CliRunner()


def coalition(*args: str, data_dir: Path, graph: str = "coalition", cwd: Path | None = None
              ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COALITION_DATA_DIR": str(data_dir), "COALITION_GRAPH_NAME": graph}
    return subprocess.run([sys.executable, "-m", "api", *args], env=env, capture_output=True,
                          text=True, timeout=300, cwd=cwd)


@pytest.fixture
def invoke(data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COALITION_GRAPH_NAME", f"cli{uuid.uuid4().hex[:10]}")

    def run(*args: str) -> object:
        result = runner.invoke(cli.app, ["--data-dir", str(data_dir), *args])
        return result

    return run


def test_demo_from_nothing_then_again() -> None:
    with tempfile.TemporaryDirectory(prefix="cgd-") as d:
        data = Path(d) / ".coalition"
        first = coalition("demo", "--no-serve", data_dir=data, cwd=Path(d))
        assert first.returncode == 0, first.stderr
        assert "first load" in first.stdout and "Try next" in first.stdout
        assert "86 nodes, 104 relationships" in first.stdout
        briefing = Path(d) / "out" / "coalition-report.md"
        assert briefing.read_text().startswith("# Coalition briefing: CA, IA, MS, WI")
        assert json.loads((Path(d) / "out" / "coalition-report.json").read_text())["coverage"]
        second = coalition("demo", "--no-serve", data_dir=data, cwd=Path(d))
        assert second.returncode == 0 and "nothing changed" in second.stdout
        status = coalition("store", "status", "--format", "json", data_dir=data)
        assert json.loads(status.stdout)["running"] is False  # no orphan left behind


def test_bad_workbook_exits_1_with_the_location(tmp_path: Path, data_dir: Path) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state
        org:a,A,truck stop,MS
        org:b,B,saloon,MS
    """)
    graph = f"bad{uuid.uuid4().hex[:8]}"
    r = coalition("load", str(wb), data_dir=data_dir, graph=graph)
    assert r.returncode == 1
    assert "organizations.csv, row 3, column 'kind'" in r.stderr
    assert "nothing was written" in r.stderr and "Traceback" not in r.stderr
    stats = coalition("stats", "--format", "json", data_dir=data_dir, graph=graph)
    assert json.loads(stats.stdout)["nodes"] == 0


def test_query_refuses_writes(data_dir: Path) -> None:
    r = coalition("query", "CREATE (n:Entity {id: 'x'}) RETURN n", data_dir=data_dir,
                  graph=f"q{uuid.uuid4().hex[:8]}")
    assert r.returncode == 1
    assert "only read queries are allowed" in r.stderr


def test_load_dry_run_then_load(invoke) -> None:
    r = invoke("load", str(SEED), "--dry-run", "--format", "json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert report["dry_run"] and report["written"] == 0
    assert report["nodes"]["Event"]["created"] == 7
    r = invoke("stats", "--format", "json")
    assert json.loads(r.output)["nodes"] == 0
    r = invoke("load", str(SEED))
    assert r.exit_code == 0 and "190 node(s) and relationship(s) written" in r.output
    r = invoke("stats", "--format", "json")
    stats = json.loads(r.output)
    assert stats["nodes"] == 86 and stats["relationship_types"]["REFERRED"] == 1


def test_query_formats_and_parameters(invoke) -> None:
    invoke("load", str(SEED))
    q = "MATCH (e:Event {state: $s}) RETURN e.city AS city ORDER BY city"
    r = invoke("query", q, "-p", "s=CA", "--format", "json")
    assert json.loads(r.output) == [{"city": "Stockton"}]
    r = invoke("query", q, "--param", "s=MS", "--format", "csv")
    assert r.output.splitlines() == ["city", "Gulfport", "Jackson", "Tupelo"]
    r = invoke("query", "MATCH (e:Event) WHERE e.state IS NULL RETURN e.city AS city",
               "--format", "csv")
    # the two undated Stockton outcomes have no city: a lone empty field is written ""
    assert r.output.splitlines() == ["city", '""', '""']
    r = invoke("query", "MATCH (n) RETURN count(n) AS n")
    assert "1 row(s)" in r.output


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "csv"])
def test_export(fmt: str, invoke, tmp_path: Path) -> None:
    invoke("load", str(SEED))
    out = tmp_path / f"g.{fmt}"
    r = invoke("export", "--format", fmt, "--out", str(out))
    assert r.exit_code == 0, r.output
    if fmt == "graphml":
        g = nx.read_graphml(out)
    elif fmt == "gexf":
        g = nx.read_gexf(out)
    elif fmt == "json":
        g = nx.node_link_graph(json.loads(out.read_text()), edges="edges")
    else:
        nodes = (out / "nodes.csv").read_text().splitlines()
        edges = (out / "edges.csv").read_text().splitlines()
        assert len(nodes) == 87 and len(edges) == 105
        assert "email" not in nodes[0]
        return
    assert g.number_of_nodes() == 86 and g.number_of_edges() == 104
    assert "email" not in g.nodes["person:tat:louie-greek"]  # contact details stay out


def test_export_of_one_state_with_contacts(invoke, tmp_path: Path) -> None:
    invoke("load", str(SEED))
    out = tmp_path / "tat.json"
    r = invoke("export", "--format", "json", "--out", str(out), "--state", "ms",
               "--include-contacts")
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    ids = {n["id"] for n in data["nodes"]}
    assert "org:ms:biloxi-police-department" in ids and "org:moss-adams" not in ids


def test_store_commands(tmp_path: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="cgc-") as d:
        base = ["--data-dir", d]
        r = runner.invoke(cli.app, [*base, "store", "start"])
        assert r.exit_code == 0 and "Started FalkorDB 4.16.3" in r.output
        r = runner.invoke(cli.app, [*base, "store", "start"])
        assert "Already running" in r.output
        r = runner.invoke(cli.app, [*base, "store", "status", "--format", "json"])
        status = json.loads(r.output)
        assert status["running"] and status["pinned"]
        r = runner.invoke(cli.app, [*base, "store", "stop"])
        assert "Stopped" in r.output
        r = runner.invoke(cli.app, [*base, "store", "stop"])
        assert "was not running" in r.output


def test_unknown_store_is_a_clear_error(data_dir: Path) -> None:
    r = coalition("--store", "postgres://x", "stats", data_dir=data_dir)
    assert r.returncode == 1 and "Unknown store 'postgres://x'" in r.stderr


def test_unreachable_neo4j_is_a_clear_error(data_dir: Path) -> None:
    """The real driver against a port where nothing listens (no Neo4j server needed)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "COALITION_NEO4J_PASSWORD": "x"}
    r = subprocess.run([sys.executable, "-m", "api", "--store", f"bolt://127.0.0.1:{port}",
                        "stats"], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and f"Cannot reach Neo4j at bolt://127.0.0.1:{port}" in r.stderr
    r = subprocess.run([sys.executable, "-m", "api", "--store", "neo4j://127.0.0.1:1", "stats"],
                       env={k: v for k, v in os.environ.items()
                            if k != "COALITION_NEO4J_PASSWORD"},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "COALITION_NEO4J_PASSWORD is not set" in r.stderr


def test_render_views(invoke, tmp_path: Path) -> None:
    invoke("load", str(SEED))
    r = invoke("render", "--kind", "trucking company", "--kind", "event", "--out",
               str(tmp_path / "k.html"))
    assert r.exit_code == 0, r.output
    data = (tmp_path / "k.html").read_text()
    assert "Ergon Trucking" in data and "Biloxi Police Department" not in data
    r = invoke("render", "--focus", "org:quality-carriers", "--depth", "1", "--out",
               str(tmp_path / "e.html"))
    # Quality Carriers and Neal Lofy, tied twice: partners with, and referred
    assert r.exit_code == 0 and "2 nodes, 2 edges" in r.output
    r = invoke("render", "--focus", "org:nope", "--out", str(tmp_path / "x.html"))
    assert r.exit_code != 0
    r = invoke("render", "--size-by", "closeness", "--out", str(tmp_path / "y.html"))
    assert r.exit_code != 0
