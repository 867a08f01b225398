"""Neo4j backend with the official driver.

Written from the Neo4j 5 Cypher manual and the Python driver manual: uniqueness constraint on
``Entity.id``, batched ``UNWIND ... MERGE`` each in a managed write transaction (retried by the
driver on transient errors), reads in sessions opened with READ access mode, so the server
itself refuses writes (and routes reads to secondaries on a cluster).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import neo4j
from neo4j import GraphDatabase
from neo4j import exceptions as nx

from graph import queries
from graph.errors import (
    DiskFull,
    OutOfMemory,
    QueryError,
    ReadOnlyViolation,
    StoreError,
    StoreUnavailable,
)
from graph.store.base import Before, GraphStore, Row, check_parameters, plain


class _TooLarge(Exception):
    pass


class _Refused(Exception):
    """An edit's guard matched nothing: roll its transaction back."""


def _value(v: Any) -> Any:
    # element ids are valid within one result: the console draws a network by them
    if isinstance(v, neo4j.graph.Node):
        return {"element": v.element_id, "labels": sorted(v.labels),
                "properties": plain(dict(v))}
    if isinstance(v, neo4j.graph.Relationship):
        return {"type": v.type, "start": v.start_node.element_id,
                "end": v.end_node.element_id, "properties": plain(dict(v))}
    if isinstance(v, neo4j.graph.Path):
        return {"nodes": [_value(n) for n in v.nodes],
                "edges": [_value(r) for r in v.relationships]}
    if isinstance(v, list):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _value(x) for k, x in v.items()}
    if hasattr(v, "iso_format"):  # neo4j.time types
        return v.iso_format()
    return plain(v)


def driver_options(notifications: bool) -> dict[str, Any]:
    """Driver configuration for the server's notifications. The projection reads properties
    that many nodes lack (``n.state``, ``e.key``), and Neo4j 5 answers each such query with a
    "property key does not exist" warning, which the driver logs to stderr: noise in every
    command. ``notifications_min_severity="OFF"`` (driver 5.7+, Neo4j 5.7+) asks the server
    to send none; ``COALITION_NEO4J_NOTIFICATIONS=true`` keeps the server's default.

    >>> driver_options(False), driver_options(True)
    ({'notifications_min_severity': 'OFF'}, {})
    """
    return {} if notifications else {"notifications_min_severity": "OFF"}


class Neo4jStore(GraphStore):
    dialect = queries.NEO4J

    def __init__(self, uri: str, user: str, password: str, database: str | None = None,
                 batch_size: int = 5000, *, notifications: bool | None = None):
        self.uri = uri
        self.database = database
        self.batch_size = batch_size
        self._local = threading.local()  # the transaction of atomic(), per thread
        if notifications is None:
            from graph.settings import get_settings

            notifications = get_settings().neo4j_notifications
        try:
            self._driver = GraphDatabase.driver(uri, auth=(user, password),
                                                **driver_options(notifications))
            self._driver.verify_connectivity()
        except nx.AuthError as e:
            raise StoreError(
                f"Neo4j at {uri} refused the credentials; check COALITION_NEO4J_USER and "
                "COALITION_NEO4J_PASSWORD."
            ) from e
        except (nx.ServiceUnavailable, OSError, ValueError) as e:
            raise StoreError(f"Cannot reach Neo4j at {uri}: {e}") from e

    @property
    def description(self) -> str:
        return f"Neo4j database '{self.database or 'default'}' at {self.uri}"

    def _session(self, mode: str) -> neo4j.Session:
        return self._driver.session(database=self.database, default_access_mode=mode)

    def _write(self, query: str, rows: list[Row]) -> None:
        self._execute(query, rows)

    def _execute(self, query: str, rows: list[Row]) -> list[Row]:
        def work(tx: neo4j.ManagedTransaction | neo4j.Transaction) -> list[Row]:
            return [{k: _value(v) for k, v in rec.items()} for rec in tx.run(query, rows=rows)]

        tx = getattr(self._local, "tx", None)
        try:
            if tx is not None:  # inside atomic(): part of its one transaction
                return work(tx)
            with self._session(neo4j.WRITE_ACCESS) as s:
                return s.execute_write(work)
        except (nx.ServiceUnavailable, nx.SessionExpired) as e:
            raise StoreUnavailable(f"Lost the connection to {self.description}: {e}") from e
        except nx.Neo4jError as e:
            raise self._refusal(e) from e

    @contextlib.contextmanager
    def atomic(self, before: Before) -> Iterator[None]:
        """One transaction for the writes inside (in this thread): committed at the end,
        rolled back by the database if anything fails. ``before`` is not needed here."""
        if getattr(self._local, "tx", None) is not None:
            yield  # already inside one
            return
        try:
            with self._session(neo4j.WRITE_ACCESS) as s, s.begin_transaction() as tx:
                self._local.tx = tx
                try:
                    yield
                    tx.commit()
                finally:
                    self._local.tx = None
        except (nx.ServiceUnavailable, nx.SessionExpired) as e:
            raise StoreUnavailable(f"Lost the connection to {self.description}: {e}") from e
        except nx.Neo4jError as e:
            raise self._refusal(e) from e

    def apply(self, guard: tuple[str, list[Row]] | None, before: Before,
              then: Callable[[], None]) -> list[Row] | None:
        """The guard and the writes in one transaction (see GraphStore.apply)."""
        try:
            with self.atomic(before):
                rows = self._execute(*guard) if guard else [{}]
                if not rows:
                    raise _Refused
                then()
        except _Refused:  # the transaction was rolled back: nothing was written
            return None
        return rows

    def _refusal(self, e: nx.Neo4jError) -> StoreError:
        """A plain message for a write the server refused (status codes: Neo4j manual,
        'Status codes'; a full disk has no code of its own, only the OS's message)."""
        code, msg = e.code or "", e.message or str(e)
        if "No space left on device" in msg:
            return DiskFull(f"The disk holding {self.description} is full: the database "
                            f"refuses writes ({msg}). Free space on that disk.")
        if "OutOfMemory" in code or "MemoryPoolOutOfMemory" in code:
            return OutOfMemory(f"{self.description} is out of memory: the database refuses "
                               f"writes ({code}: {msg}). Free memory or raise "
                               "dbms.memory.transaction.total.max.")
        return StoreError(f"{self.description} refused a write ({code}): {msg}")

    def read(self, query: str, params: Row | None = None, *, timeout: float | None = None,
             max_rows: int | None = None, max_bytes: int | None = None) -> list[Row]:
        check_parameters(params)

        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            result = tx.run(query, params or {})
            rows: list[Row] = []
            size = 0
            for rec in result:
                if max_rows is not None and len(rows) >= max_rows:
                    break  # leaving the transaction discards the rest on the server, unsent
                row = {k: _value(v) for k, v in rec.items()}
                if max_bytes is not None:
                    size += len(json.dumps(row, default=str, ensure_ascii=False).encode())
                    if size > max_bytes:
                        raise _TooLarge
                rows.append(row)
            return rows

        # The server stops a transaction that runs past its timeout (the driver sends it).
        work_q = neo4j.unit_of_work(timeout=timeout)(work) if timeout else work
        # Records travel in batches of fetch_size: a capped read fetches little past its cap.
        fetch = min(max_rows + 1, 1000) if max_rows is not None else 1000
        try:
            with self._driver.session(database=self.database, fetch_size=fetch,
                                      default_access_mode=neo4j.READ_ACCESS) as s:
                return s.execute_read(work_q)
        except _TooLarge:
            raise QueryError(
                f"The result is larger than {max_bytes / 2**20:g} MB, so it was not read. Ask "
                "for less: fewer rows (LIMIT), fewer columns, or counts instead of lists."
            ) from None
        except nx.ClientError as e:
            code = e.code or ""
            if "AccessMode" in code or "ForbiddenOnReadOnlyDatabase" in code or \
                    "Forbidden" in code:
                raise ReadOnlyViolation(
                    "This query would change the graph; only read queries are allowed here."
                ) from e
            if "TransactionTimedOut" in code:
                raise QueryError(f"The query took longer than {timeout} s and was stopped.") from e
            raise QueryError(f"The query failed: {e.message}") from e
        except nx.ServiceUnavailable as e:
            raise StoreError(f"Lost the connection to {self.description}: {e}") from e
        except (ValueError, TypeError, OverflowError) as e:  # a value the driver cannot send
            raise QueryError(f"Bad query parameters: {e}") from e

    def ensure_schema(self) -> None:
        with self._session(neo4j.WRITE_ACCESS) as s:
            for stmt in self.dialect.schema_statements():
                s.run(stmt).consume()  # schema changes are auto-commit statements

    def clear(self) -> None:
        # In batches, so a large graph does not need one huge transaction.
        with self._session(neo4j.WRITE_ACCESS) as s:
            s.run(queries.DELETE_ALL_IN_BATCHES).consume()

    def close(self) -> None:
        self._driver.close()
