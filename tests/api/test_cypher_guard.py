"""The console's Cypher guard (api.cypher_guard) against a corpus of hiding tricks, and,
end to end, that neither the console nor the embedded server itself can open a connection:
LOAD CSV aimed at a listener on 127.0.0.1 (port 0, so the system picks a free one) must
never reach it."""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from api import cypher_guard
from api.app import create_app
from api.security import Forbidden
from api.service import CoalitionService
from graph.errors import QueryError
from graph.store import EmbeddedServer, GraphStore
from graph.store.server import network_isolation

URL = "https://127.0.0.1:9/"

#: (query, what the refusal says): each hides something a read-only console must not run
REFUSED = [
    # the campaign's finding: a '//' string literal hid the rest of the line from the old guard
    (f"WITH '//' AS x LOAD CSV FROM '{URL}' AS row RETURN row", "LOAD CSV"),
    (f'WITH "//" AS x LOAD CSV FROM "{URL}" AS row RETURN row', "LOAD CSV"),
    (f"WITH '/*' AS x LOAD CSV FROM '{URL}' AS row RETURN row // */", "LOAD CSV"),
    (f'WITH "/*" AS x LOAD CSV FROM "{URL}" AS row RETURN row /* */', "LOAD CSV"),
    ("WITH '//' AS x CALL `dbms.procedures`() YIELD name RETURN name", "dbms.procedures"),
    ("WITH '//' AS x CALL algo.pageRank(NULL, NULL) YIELD node RETURN node", "algo.pageRank"),
    # LOAD CSV split by comments, newlines and case
    (f"LOAD /* a comment */ CSV FROM '{URL}' AS row RETURN row", "LOAD CSV"),
    (f"LOAD\nCSV FROM '{URL}' AS row RETURN row", "LOAD CSV"),
    (f"load // to the end of the line\n csv FROM '{URL}' AS row RETURN row", "LOAD CSV"),
    (f"LoAd\r\n\tCsV WITH HEADERS FROM '{URL}' AS row RETURN row", "LOAD CSV"),
    (f"MATCH (n) WITH n LIMIT 1 LOAD CSV FROM '{URL}' AS row RETURN row", "LOAD CSV"),
    ("LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row", "LOAD CSV"),
    # strings inside comments and comments inside strings
    (f"/* ' */ LOAD CSV FROM '{URL}' AS row RETURN row", "LOAD CSV"),
    (f"// a comment with a quote ' in it\nLOAD CSV FROM '{URL}' AS r RETURN r", "LOAD CSV"),
    (f"RETURN 'a /* not a comment' AS a, 1 AS b LOAD CSV FROM '{URL}' AS r RETURN r",
     "LOAD CSV"),
    # escaped quotes do not end a string; an escaped backslash does not escape the quote
    (f"RETURN 'it\\'s' AS x LOAD CSV FROM '{URL}' AS row RETURN row", "LOAD CSV"),
    (f"RETURN 'a\\\\' AS x LOAD CSV FROM '{URL}' AS row RETURN row", "LOAD CSV"),
    # unicode escapes: a lexer that decodes them first sees a quote end the string
    (f"RETURN 'a\\u0027 LOAD CSV FROM \"{URL}\" AS r RETURN r //' AS x", "LOAD CSV"),
    ("RETURN \\u004C\\u004F\\u0041\\u0044 CSV", "LOAD CSV"),
    ("RETURN 'it\\u0027s' AS x", "unterminated string"),
    # backticked names: a procedure's name is still its name; a keyword in backticks is not
    ("CALL `dbms.procedures`()", "dbms.procedures"),
    ("CALL `dbms`.`procedures`() YIELD name RETURN name", "dbms.procedures"),
    ("CALL dbms . /* gap */ procedures()", "dbms.procedures"),
    ("CALL `dbms.security.createUser`('x', 'y', false)", "dbms.security.createUser"),
    ("RETURN `x``` LOAD CSV FROM 'https://127.0.0.1:9/' AS r RETURN r", "LOAD CSV"),
    # procedures off the allow-list, any case
    ("CALL algo.pageRank(NULL, NULL)", "algo.pageRank"),
    ("call ALGO.bfs(NULL, 0, NULL)", "ALGO.bfs"),
    ("CALL algo.SPpaths({sourceNode: NULL})", "algo.SPpaths"),
    ("CALL db.idx.fulltext.queryNodes('Entity', 'x')", "db.idx.fulltext.queryNodes"),
    ("CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {})", "apoc"),
    ("CALL dbms.procedures()", "dbms.procedures"),
    ("CaLl DbMs.PrOcEdUrEs()", "DbMs.PrOcEdUrEs"),
    # functions that run Cypher given as text, or load URLs
    (f"RETURN apoc.cypher.runFirstColumnSingle('LOAD CSV FROM \"{URL}\" AS r RETURN r', {{}})",
     "apoc.cypher.runFirstColumnSingle"),
    (f"RETURN apoc.load.json('{URL}') AS j", "apoc.load.json"),
    # CALL { } subqueries, old and new syntax
    ("CALL { MATCH (n) RETURN n } RETURN n", "subqueries"),
    ("MATCH (n) CALL { WITH n DETACH DELETE n }", "subqueries"),
    ("MATCH (n) CALL (n) { DETACH DELETE n }", "subqueries"),
    ("MATCH (n) CALL\n{ RETURN 1 AS one } RETURN one", "subqueries"),
    # writes and admin, hidden the same ways
    ("WITH '//' AS x MATCH (n) DETACH DELETE n", "DETACH"),
    ("MATCH (n) /* comment */ DETACH /* more */ DELETE n", "DETACH"),
    ("MATCH (n) SeT n.name = 'x'", "SET"),
    ("RETURN 1; MATCH (m) DETACH DELETE m", "one statement"),
    ("USE system SHOW USERS", "USE"),
    ("SHOW TRANSACTIONS", "SHOW"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TERMINATE"),
    # text the tokenizer cannot close is refused, not guessed at
    ("RETURN 'no end", "unterminated string"),
    ('RETURN "no end', "unterminated string"),
    ("RETURN `no end", "unterminated backticked name"),
    ("RETURN 1 /* no end", "unterminated comment"),
]

#: read queries that earlier guards refused, or that look like a trick and are not
ALLOWED = [
    "MATCH (n {name: 'CREATE me'}) RETURN n",
    "RETURN '//' AS a, \"/*\" AS b, '*/' AS c",
    "RETURN 'LOAD CSV FROM https://example.org' AS text",
    "// LOAD CSV FROM 'https://example.org'\nRETURN 1 AS one",
    "/* CALL dbms.procedures() */ RETURN 1 AS one",
    "RETURN 'it\\'s' AS a, \"say \\\"hi\\\"\" AS b",
    "RETURN 'caf\\u00e9' AS cafe",
    "MATCH (e:Event) RETURN e.start AS starts, e.set AS s, e.delete AS d",
    "RETURN {create: 1, load: 2, call: 3} AS m",
    "MATCH (load:Organization) RETURN load.name AS name",
    "RETURN `LOAD` AS x",
    "CALL db.labels()",
    "CALL db.labels() YIELD label RETURN label ORDER BY label",
    "CALL `db.labels`() YIELD label RETURN label",
    "CALL `db`.`relationshipTypes`() YIELD relationshipType RETURN relationshipType",
    "CALL DB.PROPERTYKEYS()",
    "RETURN date.truncate('day', date('2026-01-02')) AS d",
    "MATCH (o:Organization) WHERE EXISTS { MATCH (o)-[:ATTENDED]->() } RETURN count(o) AS n",
    "RETURN 1;",
]


@pytest.mark.parametrize(("cypher", "says"), REFUSED)
def test_guard_refuses(cypher: str, says: str) -> None:
    with pytest.raises(Forbidden) as e:
        cypher_guard.check(cypher)
    assert says in str(e.value)


@pytest.mark.parametrize("cypher", ALLOWED)
def test_guard_allows_reads(cypher: str) -> None:
    cypher_guard.check(cypher)


def test_guard_names_where_it_found_a_write() -> None:
    with pytest.raises(Forbidden, match=r"found DELETE at line 2, column 3"):
        cypher_guard.check("MATCH (n)\n  DELETE n")


# -------------------------------------------------------------------- end to end


@contextlib.contextmanager
def listener() -> Iterator[tuple[str, socket.socket]]:
    """A TCP listener on 127.0.0.1 and a free port; yields its https URL and socket."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        s.setblocking(False)
        yield f"https://127.0.0.1:{s.getsockname()[1]}/", s


def connections(s: socket.socket) -> int:
    """Connections the listener has received. A connect() to it completes in the kernel
    (the accept queue) before the connecting call returns, so once a query has returned,
    any connection it made is already here: no waiting needed."""
    n = 0
    while True:
        try:
            conn, _ = s.accept()
        except BlockingIOError:
            return n
        conn.close()
        n += 1


def test_listener_sees_a_connection() -> None:
    """The check the two tests below rely on does see a connection when there is one."""
    with listener() as (url, s):
        port = int(url.rsplit(":", 1)[1].strip("/"))
        with socket.create_connection(("127.0.0.1", port), timeout=10):
            assert connections(s) == 1


@pytest.fixture
def console(embedded_settings, embedded_store, tmp_path):
    settings = embedded_settings.model_copy(update={"keys_file": tmp_path / "keys.json",
                                                    "audit_file": tmp_path / "audit.log"})
    analyst = CoalitionService(settings).keys().create("analyst", "console test")[1]
    client = TestClient(create_app(settings))
    client.headers["Authorization"] = f"Bearer {analyst}"
    return client


def test_console_load_csv_is_refused_and_reaches_nothing(console) -> None:
    with listener() as (url, s):
        for cypher in (f"WITH '//' AS x LOAD CSV FROM '{url}' AS row RETURN row",
                       "WITH '//' AS x LOAD CSV FROM $url AS row RETURN row"):
            r = console.post("/api/query", json={"cypher": cypher, "params": {"url": url}})
            assert r.status_code == 403, r.text
            assert "LOAD CSV is not allowed" in r.json()["error"]["message"]
        assert connections(s) == 0


@pytest.mark.skipif(not network_isolation(), reason="this system does not allow unprivileged "
                    "network namespaces (unshare --user --net), so the embedded server runs "
                    "without one and only the console's guard stops LOAD CSV")
def test_embedded_server_itself_cannot_connect_out(embedded_store: GraphStore,
                                                   data_dir) -> None:
    """Past the guard (straight to the store), FalkorDB's LOAD CSV still reaches nothing:
    the server runs in a network namespace of its own."""
    with listener() as (url, s):
        with contextlib.suppress(QueryError):
            embedded_store.read("LOAD CSV FROM $url AS row RETURN row", {"url": url},
                                timeout=10)
        assert connections(s) == 0
    pid = EmbeddedServer(data_dir).pid()
    assert pid is not None
    assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")


def test_embedded_server_reads_no_local_files(embedded_store: GraphStore, data_dir) -> None:
    """file:// URLs resolve under IMPORT_FOLDER, which the project points at a directory of
    the data directory that never exists."""
    with redis.Redis(unix_socket_path=str(EmbeddedServer(data_dir).socket)) as r:
        folder = Path(r.execute_command("GRAPH.CONFIG", "GET", "IMPORT_FOLDER")[1].decode())
    assert folder.parent == data_dir.absolute() and not folder.exists()
