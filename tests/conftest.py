"""Shared fixtures: one real embedded FalkorDB server per test session (a fresh graph per
test), and a real Neo4j when NEO4J_URI is set. Nothing here mocks a database."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.settings import Settings
from graph.store import EmbeddedServer, GraphStore, open_store

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "data" / "seed"


@pytest.fixture(scope="session")
def data_dir() -> Iterator[Path]:
    # Short path: unix socket paths are capped at 107 bytes.
    with tempfile.TemporaryDirectory(prefix="cg-") as d:
        server = EmbeddedServer(Path(d))
        server.start(pin=True)
        try:
            yield Path(d)
        finally:
            server.stop()
            # Keep the server's log: if it crashed mid-run, this says why.
            log = Path(d) / "falkordb.log"
            if log.exists():
                shutil.copy(log, Path(tempfile.gettempdir()) / "coalition-test-server.log")


def neo4j_settings(**kw: object) -> Settings:
    return Settings(store=os.environ["NEO4J_URI"],
                    neo4j_user=os.environ.get("NEO4J_USER", "neo4j"),
                    neo4j_password=os.environ.get("NEO4J_PASSWORD", ""),
                    neo4j_database=os.environ.get("NEO4J_DATABASE"), **kw)


BACKENDS = [
    "embedded",
    pytest.param("neo4j", marks=[pytest.mark.neo4j, pytest.mark.skipif(
        not os.environ.get("NEO4J_URI"),
        reason="NEO4J_URI is not set: the Neo4j contract tests need a real Neo4j 5 "
               "(see README, 'Testing against Neo4j')")]),
]


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, data_dir: Path) -> Settings:
    if request.param == "neo4j":
        return neo4j_settings()
    return Settings(store="embedded", data_dir=data_dir, graph_name=f"t{uuid.uuid4().hex[:12]}")


@pytest.fixture
def embedded_settings(data_dir: Path) -> Settings:
    return Settings(store="embedded", data_dir=data_dir, graph_name=f"t{uuid.uuid4().hex[:12]}")


@pytest.fixture
def store(settings: Settings) -> Iterator[GraphStore]:
    s = open_store(settings)
    s.clear()  # Neo4j has one database for all tests; FalkorDB graphs are new anyway
    s.ensure_schema()
    try:
        yield s
    finally:
        s.clear()
        s.close()


@pytest.fixture
def embedded_store(embedded_settings: Settings) -> Iterator[GraphStore]:
    s = open_store(embedded_settings)
    try:
        yield s
    finally:
        s.clear()
        s.close()


def write_workbook(folder: Path, **sheets: str) -> Path:
    """Write CSV sheets (given as text) into ``folder``; dedent and strip each."""
    import textwrap

    folder.mkdir(parents=True, exist_ok=True)
    for name, text in sheets.items():
        (folder / f"{name}.csv").write_text(textwrap.dedent(text).strip() + "\n",
                                            encoding="utf-8")
    return folder
