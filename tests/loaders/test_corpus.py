"""The bad-input corpus (tests/loaders/corpus/cases.py) against the loader and against
POST /api/import: every case is refused with an error at its file, row and column, or
accepted; never a traceback; and a refusal leaves the graph exactly as it was (counts, ids,
row hashes and load times, read back from the store)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.headers import SECURITY_HEADERS
from api.service import CoalitionService
from graph.errors import LoadError, RowIssue
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook
from tests.loaders.corpus.cases import BASE, CASES, Accepted, Case, Refused

BY_NAME = {c.name: c for c in CASES}
UPLOADABLE = {".yaml", ".yml", ".xlsx"}  # what the import endpoint takes


def fingerprint(store: GraphStore) -> tuple[Any, ...]:
    counts = store.counts()
    nodes = store.read("MATCH (n) RETURN n.id AS id, n.row_hash AS h, n.loaded_at AS t")
    edges = store.read("MATCH ()-[r]->() RETURN r.key AS k, r.row_hash AS h, "
                       "r.loaded_at AS t")
    # every node, the change log's too (a refused load records no change); some have no id
    return (counts.labels, counts.relationships,
            sorted(((r["id"], r["h"], r["t"]) for r in nodes), key=repr),
            sorted(((r["k"], r["h"], r["t"]) for r in edges), key=repr))


@pytest.fixture
def based(tmp_path: Path, embedded_store: GraphStore) -> GraphStore:
    load(write_workbook(tmp_path / "base", **BASE), embedded_store)
    return embedded_store


def located(issues: list[RowIssue], want: Refused) -> list[RowIssue]:
    errors = [i for i in issues if i.severity == "error"]
    if want.max_errors is not None and len(errors) > want.max_errors:
        return []
    return [i for i in errors
            if (i.file, i.row, i.column) == (want.file, want.row, want.column)
            and all(w in i.message for w in want.words)
            and (want.value is None or i.value == want.value)]


def check_accepted(case: Case, warnings: list[str], store: GraphStore) -> None:
    want: Accepted = case.expect  # type: ignore[assignment]
    for words in want.warnings:
        assert sum(words in w for w in warnings) == 1, (words, warnings[:5])
    if want.max_warnings is not None:
        assert len(warnings) <= want.max_warnings, warnings[:5]
    for node_id, prop, value in want.stored:
        rows = store.read("MATCH (n:Entity {id: $id}) RETURN n[$p] AS v", {"id": node_id,
                                                                         "p": prop})
        assert rows and rows[0]["v"] == value, (node_id, prop, rows)


@pytest.mark.parametrize("name", list(BY_NAME))
def test_loader(name: str, tmp_path: Path, based: GraphStore) -> None:
    case = BY_NAME[name]
    path = case.build(tmp_path / "case")
    before = fingerprint(based)
    if isinstance(case.expect, Refused):
        with pytest.raises(LoadError) as info:
            load(path, based)
        assert located(info.value.issues, case.expect), textwrap.shorten(str(info.value), 2000)
        assert "nothing was written" in str(info.value)
        assert fingerprint(based) == before
    else:
        report = load(path, based)
        check_accepted(case, report.warnings, based)


@pytest.fixture
def client_and_token(embedded_settings, tmp_path: Path, based: GraphStore
                     ) -> tuple[TestClient, str]:
    settings = embedded_settings.model_copy(update={"keys_file": tmp_path / "keys.json",
                                                    "audit_file": tmp_path / "audit.log"})
    token = CoalitionService(settings).keys().create("editor", "corpus")[1]
    return TestClient(create_app(settings)), token


@pytest.mark.parametrize("name", [c.name for c in CASES if not c.name.startswith("csv:")])
def test_import_endpoint(name: str, tmp_path: Path, based: GraphStore,
                         client_and_token: tuple[TestClient, str]) -> None:
    case = BY_NAME[name]
    path = case.build(tmp_path / "case")
    assert path.suffix in UPLOADABLE, "CSV folders are not uploadable; name the case 'csv:'"
    client, token = client_and_token
    before = fingerprint(based)
    r = client.post("/api/import?confirm=true", headers={"Authorization": f"Bearer {token}"},
                    files={"file": (path.name, path.read_bytes())})
    assert all(r.headers.get(k) == v for k, v in SECURITY_HEADERS.items()), r.headers
    if isinstance(case.expect, Refused):
        assert r.status_code == 422, r.text[:2000]
        error = r.json()["error"]
        assert error["type"] == "LoadError" and "nothing was written" in error["message"]
        issues = [RowIssue(**i) for i in error["issues"]]
        assert located(issues, case.expect), textwrap.shorten(error["message"], 2000)
        assert fingerprint(based) == before
    else:
        assert r.status_code == 200, r.text[:2000]
        check_accepted(case, r.json()["warnings"], based)
