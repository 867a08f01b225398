"""The console's limits hold while the result is read, not after: the row cap stops the read
(the rest of the reply is never fetched), a result past the size cap is refused unread, the
time limit is enforced by the database, and parameter values the stores cannot carry are
refused with a message about the value (never the client's ``CYPHER x=...`` header)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from api import app as app_module
from api.app import MAX_RESULT_BYTES, MAX_ROWS, create_app
from api.service import CoalitionService
from graph.errors import QueryError
from graph.store import EmbeddedServer, GraphStore
from graph.store.server import QUERY_MEMORY_BYTES
from loaders.load import load
from tests.conftest import SEED

MB = 2**20
FIVE_MILLION_ROWS = "UNWIND range(1, 5000000) AS x RETURN x"
ONE_HUGE_ROW = "RETURN range(1, 5000000) AS xs"


def peak_memory(call: Callable[[], Any]) -> tuple[Any, int]:
    """``call()``'s result and the most memory Python allocated while it ran."""
    tracemalloc.start()
    try:
        out = call()
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def console(embedded_settings, embedded_store, tmp_path) -> TestClient:
    settings = embedded_settings.model_copy(update={"keys_file": tmp_path / "keys.json",
                                                    "audit_file": tmp_path / "audit.log"})
    analyst = CoalitionService(settings).keys().create("analyst", "console test")[1]
    client = TestClient(create_app(settings))
    client.headers["Authorization"] = f"Bearer {analyst}"
    return client


# ------------------------------------------------------------------ rows and size


def test_row_cap_stops_the_read(store: GraphStore) -> None:
    """5,000,000 rows asked, 5,001 read: fetching them all took 1.8 GB and 34 s."""
    rows, peak = peak_memory(lambda: store.read(FIVE_MILLION_ROWS, timeout=30,
                                                max_rows=MAX_ROWS + 1))
    assert [r["x"] for r in rows] == list(range(1, MAX_ROWS + 2))
    assert peak < 32 * MB, f"{peak / MB:.0f} MB allocated: the whole reply was read"


def test_console_caps_rows_and_says_so(console: TestClient) -> None:
    r = console.post("/api/query", json={"cypher": FIVE_MILLION_ROWS})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["truncated"] is True and len(body["rows"]) == MAX_ROWS
    assert body["rows"][-1] == {"x": MAX_ROWS}
    r = console.post("/api/query", json={"cypher": "UNWIND range(1, $n) AS x RETURN x",
                                         "params": {"n": MAX_ROWS}})
    assert r.json()["truncated"] is False and len(r.json()["rows"]) == MAX_ROWS


def test_size_cap_refuses_one_huge_row(store: GraphStore) -> None:
    """RETURN range(1, 5000000) is one row of about 40 MB: refused once 1 MB is read."""
    with pytest.raises(QueryError, match="larger than 1 MB"):
        store.read(ONE_HUGE_ROW, timeout=30, max_rows=10, max_bytes=MB)


def test_console_refuses_a_result_past_the_size_cap(console: TestClient) -> None:
    r = console.post("/api/query", json={"cypher": ONE_HUGE_ROW})
    assert r.status_code == 400, r.text
    message = r.json()["error"]["message"]
    assert f"larger than {MAX_RESULT_BYTES // MB} MB" in message and "LIMIT" in message
    r = console.post("/api/query", json={"cypher": "RETURN range(1, 1000) AS xs"})
    assert r.status_code == 200 and r.json()["rows"][0]["xs"][-1] == 1000


def test_capped_reads_return_what_uncapped_reads_do(store: GraphStore) -> None:
    """The row-by-row reader decodes nodes, relationships, paths, maps and scalars as the
    client does."""
    load(SEED, store)
    for cypher in (
        "MATCH (n:Organization) RETURN n, n.name AS name, labels(n) AS labels "
        "ORDER BY n.id LIMIT 25",
        "MATCH p = (a)-[r]->(b) RETURN p, r, a.id AS a, {type: type(r), n: 1.5, ok: true, "
        "none: null} AS m ORDER BY a, b.id, type(r) LIMIT 25",
        "MATCH (n:Organization) RETURN count(n) AS n",
        "MATCH (n:Nothing) RETURN n",
    ):
        assert store.read(cypher, max_rows=1000, max_bytes=64 * MB) == store.read(cypher)


# ------------------------------------------------------------------ time and memory


SLOW = ("UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y "
        "WITH x, y WHERE (x + y) % 7 = 0 RETURN count(*) AS n")


def test_database_stops_a_slow_query(store: GraphStore, embedded_settings) -> None:
    """The database enforces the limit: it answers 'timed out' (ten billion rows take
    minutes), and no longer runs the query afterwards."""
    with pytest.raises(QueryError, match="took longer than 0.5 s and was stopped"):
        store.read(SLOW, timeout=0.5, max_rows=10)
    with pytest.raises(QueryError, match="took longer than 0.5 s and was stopped"):
        store.read(SLOW, timeout=0.5)
    if store.dialect.name == "falkordb":
        server = EmbeddedServer(embedded_settings.data_dir)
        with redis.Redis(unix_socket_path=str(server.socket)) as r:
            running = r.execute_command("GRAPH.INFO", "RunningQueries")[1]
        assert not [q for q in running if SLOW.encode() in q]


def test_console_time_limit_is_the_databases(console: TestClient, monkeypatch) -> None:
    monkeypatch.setattr(app_module, "QUERY_TIMEOUT", 0.5)  # the route's 10 s, shortened
    r = console.post("/api/query", json={"cypher": SLOW})
    assert r.status_code == 400, r.text
    assert "took longer than 0.5 s and was stopped" in r.json()["error"]["message"]


def test_embedded_server_caps_one_querys_memory(embedded_store: GraphStore) -> None:
    """FalkorDB checks the timeout between records only: one range() of a billion numbers
    would allocate 16 GB. The server stops a query past QUERY_MEM_CAPACITY instead."""
    n = QUERY_MEMORY_BYTES // 8  # each number takes more than 8 bytes
    with pytest.raises(QueryError, match="needed more memory in the database"):
        embedded_store.read("RETURN size(range(1, $n)) AS n", {"n": n}, timeout=60)


# ------------------------------------------------------------------ parameters


BAD_PARAMETERS = [
    ({"x": "a\x00b"}, "parameter x: text contains a NUL character"),
    ({"x": ["ok", {"deep": "\x00"}]}, "parameter x[1].deep: text contains a NUL character"),
    ({"x": 10**30}, "parameter x: 1000000000000000000000000000000 is outside the 64-bit"),
    ({"x": -(10**30)}, "is outside the 64-bit integer range"),
    ({"x": 2**63}, "parameter x: 9223372036854775808 is outside the 64-bit"),
    ({"x": [1, 2, 10**20]}, "parameter x[2]: 100000000000000000000 is outside"),
    ({"x": float("nan")}, "parameter x: nan is not a finite number"),
    ({"x": float("inf")}, "parameter x: inf is not a finite number"),
    ({"x": "\ud800"}, "parameter x: text contains a lone surrogate"),
    ({"x": {"a`b": 1}}, "parameter x: map key 'a`b' is not usable"),
]


@pytest.mark.parametrize(("params", "says"), BAD_PARAMETERS)
def test_store_refuses_parameters_it_cannot_carry(store: GraphStore, params, says) -> None:
    for kwargs in ({}, {"max_rows": 10}):
        with pytest.raises(QueryError) as e:
            store.read("RETURN $x AS x", params, **kwargs)
        assert says in str(e.value)
        assert "CYPHER" not in str(e.value)


def test_parameters_at_the_limits_travel_exactly(store: GraphStore) -> None:
    for x in (2**63 - 1, -(2**63), "a\\b\"c'd", [1.5, None, True, {"k": "v"}]):
        assert store.read("RETURN $x AS x", {"x": x}) == [{"x": x}]


def test_console_nul_parameter_message_is_clean(console: TestClient) -> None:
    r = console.post("/api/query", json={"cypher": "MATCH (n {name: $name}) RETURN n",
                                         "params": {"name": "a\u0000b"}})
    assert r.status_code == 400, r.text
    message = r.json()["error"]["message"]
    assert message == "parameter name: text contains a NUL character (\\x00); remove it"


def test_console_refuses_an_integer_past_64_bits(console: TestClient) -> None:
    r = console.post("/api/query", content=b'{"cypher": "RETURN $n AS n", '
                     b'"params": {"n": 1000000000000000000000000000000}}',
                     headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert "outside the 64-bit integer range" in r.json()["error"]["message"]
    r = console.post("/api/query", json={"cypher": "RETURN $n AS n",
                                         "params": {"n": 2**63 - 1}})
    assert r.json()["rows"] == [{"n": 2**63 - 1}]
