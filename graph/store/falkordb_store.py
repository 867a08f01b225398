"""FalkorDB backend (embedded or external), spoken to with the ``falkordb`` client.

Never over FalkorDB's experimental Bolt port: it crashed on a 1,000-row parameter and lost a
committed write in our measurements (see ARCHITECTURE.md).
"""

from __future__ import annotations

import contextlib
import socket
import time
from typing import Any, BinaryIO

import redis
from falkordb import Edge, FalkorDB, Node, Path
from falkordb.query_result import parse_scalar

from graph import model, queries
from graph.errors import (
    DiskFull,
    OutOfMemory,
    QueryError,
    ReadOnlyViolation,
    StoreError,
    StoreUnavailable,
)
from graph.store.base import GraphStore, Row, check_parameters, plain
from graph.store.falkordb_params import params_header
from graph.store.server import wait_loaded


def _ref(n: Node | int) -> str:
    return str(n.id if isinstance(n, Node) else n)


def _value(v: Any) -> Any:
    # "element", "start" and "end" are the database's own ids, valid within one result: the
    # console draws a result as a network by them (see GraphStore.read).
    if isinstance(v, Node):
        return {"element": _ref(v), "labels": list(v.labels),
                "properties": plain(dict(v.properties))}
    if isinstance(v, Edge):
        return {"type": v.relation, "start": _ref(v.src_node), "end": _ref(v.dest_node),
                "properties": plain(dict(v.properties))}
    if isinstance(v, Path):
        return {"nodes": [_value(n) for n in v.nodes()], "edges": [_value(e) for e in v.edges()]}
    if isinstance(v, list):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _value(x) for k, x in v.items()}
    return plain(v)


def _text(x: Any) -> str:
    return x.decode() if type(x) is bytes else x if type(x) is str else str(x)


def _header(params: Row | None) -> str:
    """The parameters as the client spells them before a query, by the writes' faster
    writer (graph/store/falkordb_params.py: the same text)."""
    return params_header(params) if params else ""


class _Decoder:
    """Values of a ``--compact`` reply ([type, value] pairs) as plain JSON values, in one
    pass. The client's own parse, then :func:`_value` and :func:`plain` over its result,
    walked every value three times: half the time of an ego network's read. Graph
    entities, paths, points and temporal values (only the console and a few checks
    return them) still go through the client, which knows the graph's labels and types."""

    # falkordb.query_result.ResultSetScalarTypes
    # (NULL 1, STRING 2, INTEGER 3, BOOLEAN 4, DOUBLE 5, ARRAY 6, MAP 10)

    def __init__(self, graph: Any):
        self._graph = graph

    def __call__(self, v: list[Any]) -> Any:
        kind, x = v
        if kind == 2:
            return x if type(x) is str else _text(x)
        if kind == 10:
            return self._map(x)
        if kind == 3:
            return x if type(x) is int else int(x)
        if kind == 1:
            return None
        if kind == 6:
            return [self(y) for y in x]
        if kind == 4:
            return _text(x) == "true"
        if kind == 5:
            return float(x)
        return _value(parse_scalar(v, self._graph))

    def _map(self, x: list[Any]) -> dict[str, Any]:
        # most values of a properties map are strings: those are taken as they are
        it = iter(x)
        return {k if type(k) is str else _text(k):
                y if t == 2 and type(y) is str else self((t, y))
                for k, (t, y) in zip(it, it, strict=True)}

    def rows(self, header: list[Any], records: list[list[Any]]) -> list[Row]:
        cols = [_text(h[1] if isinstance(h, list | tuple) else h) for h in header]
        out: list[Row] = []
        for row in records:
            rec: Row = {}
            # a string or a properties map, most values of most reads, decoded right here:
            # a call of __call__ for each was a third of the decoding
            for c, (kind, x) in zip(cols, row, strict=True):
                if kind == 2 and type(x) is str:
                    rec[c] = x
                elif kind == 10:
                    rec[c] = self._map(x)
                else:
                    rec[c] = self((kind, x))
            out.append(rec)
        return out


class _TooLarge(Exception):
    pass


class _Reply:
    """A RESP2 reply read one value at a time from a socket, so that a reader can stop
    part-way through a large result and drop the connection with the rest unread (redis-py
    parses a whole reply into memory before it returns any of it)."""

    def __init__(self, stream: BinaryIO, max_bytes: int | None):
        self._readline = stream.readline
        self._read = stream.read
        #: bytes still allowed; the cap stands for the size of the result
        self._left = max_bytes if max_bytes is not None else float("inf")

    def _line(self) -> bytes:
        line = self._readline(1 << 16)
        self._left -= len(line)
        if self._left < 0:
            raise _TooLarge
        if line[-2:] != b"\r\n":
            raise ConnectionError("the server closed the connection mid-reply")
        return line

    def array(self) -> int:
        """Read an array's length (raising the server's error if it sent one instead)."""
        line = self._line()
        if line[0] == 45:  # -
            message = line[1:-2].decode(errors="replace")
            # as redis-py classes it: a server loading its data is not answering yet
            raise (redis.BusyLoadingError if message.startswith("LOADING")
                   else redis.ResponseError)(message)
        if line[0] != 42:  # *
            raise ConnectionError(f"unexpected reply {line[:40]!r}")
        return int(line[1:])

    def value(self) -> Any:
        line = self._line()
        kind = line[0]
        if kind == 42:  # * array
            n = int(line[1:])
            return None if n < 0 else [self.value() for _ in range(n)]
        if kind == 36:  # $ bulk string
            n = int(line[1:])
            if n < 0:
                return None
            self._left -= n + 2  # before reading: a 40 MB string is refused unread
            if self._left < 0:
                raise _TooLarge
            data = self._read(n + 2)
            if len(data) != n + 2:
                raise ConnectionError("the server closed the connection mid-reply")
            return data[:-2].decode()
        if kind == 58:  # : integer
            return int(line[1:])
        if kind == 43:  # + simple string
            return line[1:-2].decode()
        if kind == 45:  # - error
            return redis.ResponseError(line[1:-2].decode(errors="replace"))
        raise ConnectionError(f"unexpected reply {line[:40]!r}")


def _command(*args: str | int) -> bytes:
    parts = [str(a).encode() for a in args]
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


class FalkorDBStore(GraphStore):
    dialect = queries.FALKORDB
    write_workers = 2

    def __init__(self, *, unix_socket: str | None = None, host: str | None = None,
                 port: int | None = None, password: str | None = None, graph: str = "coalition",
                 batch_size: int = 5000, on_close: Any = None, compact: bool = False):
        """``compact``: rewrite the server's AOF after loads (see :meth:`settle`); for the
        embedded server, whose persistence is ours to manage."""
        self.graph_name = graph
        self.batch_size = batch_size
        self._on_close = on_close
        self._compact = compact
        self._where = unix_socket or f"{host}:{port}"
        self._address = (unix_socket, host, port, password)  # for capped reads
        try:
            if unix_socket:
                self._db = FalkorDB(unix_socket_path=unix_socket)
            else:
                self._db = FalkorDB(host=host, port=port, password=password)
            self._ping()
        except (redis.RedisError, OSError) as e:
            raise StoreUnavailable(f"Cannot reach FalkorDB at {self._where}: {e}") from e
        self._graph = self._db.select_graph(graph)

    def _ping(self) -> None:
        try:
            self._db.connection.ping()
        except redis.BusyLoadingError:
            wait_loaded(self._db.connection)
        except redis.ResponseError as e:
            # A server that refuses writes (MISCONF: its disk is full) refuses PING as
            # well; it answered, so it is there to read from.
            if not str(e).startswith("MISCONF"):
                raise

    @property
    def description(self) -> str:
        return f"FalkorDB graph '{self.graph_name}' at {self._where}"

    def _write(self, query: str, rows: list[Row]) -> None:
        self._execute(query, rows)

    def _execute(self, query: str, rows: list[Row]) -> list[Row]:
        try:
            # the same text the client would write for {"rows": rows}, in less than half
            # the time (graph/store/falkordb_params.py)
            text = params_header({"rows": rows}) + query
            try:
                res = self._graph.query(text)
            except redis.BusyLoadingError:  # restarted under us: wait, then write
                wait_loaded(self._db.connection)
                res = self._graph.query(text)
            cols = [h[1] if isinstance(h, list | tuple) else h for h in res.header or []]
            cols = [c.decode() if isinstance(c, bytes) else str(c) for c in cols]
            return [dict(zip(cols, (_value(v) for v in row), strict=True))
                    for row in res.result_set or []]
        except redis.ResponseError as e:
            raise self._refusal(e) from e
        except (redis.ConnectionError, OSError) as e:
            raise StoreUnavailable(f"Lost the connection to {self.description}: {e}") from e
        except (ValueError, TypeError) as e:  # the client could not encode a value
            raise StoreError(f"A value could not be sent to {self.description}: {e}") from e

    def _refusal(self, e: redis.ResponseError) -> StoreError:
        """A plain message for a write the server refused."""
        msg = str(e)
        if msg.startswith("MISCONF") or "No space left on device" in msg:
            # Redis refuses every write once one could not be appended to the AOF; it keeps
            # retrying that append and takes writes again as soon as there is space.
            return DiskFull(
                f"The disk holding {self.description} is full: the database refuses writes "
                f"(it answered: {msg}). Free space on that disk; reads still work.")
        if isinstance(e, redis.OutOfMemoryError) or msg.startswith("OOM"):
            return OutOfMemory(
                f"{self.description} is out of memory (its maxmemory limit): the database "
                f"refuses writes (it answered: {msg}). Free memory or raise the limit; reads "
                "still work.")
        return StoreError(f"{self.description} refused a write: {msg}")

    def read(self, query: str, params: Row | None = None, *, timeout: float | None = None,
             max_rows: int | None = None, max_bytes: int | None = None) -> list[Row]:
        check_parameters(params)
        # FalkorDB stops the query itself past TIMEOUT (milliseconds, at least 1)
        ms = max(1, round(timeout * 1000)) if timeout else None
        try:
            if max_rows is None and max_bytes is None:
                header, records = self._ro_query(query, params, ms)
            else:
                header, records = self._capped_read(query, params, ms, max_rows, max_bytes)
        except redis.ResponseError as e:
            msg = str(e)
            if "read-only" in msg:
                raise ReadOnlyViolation(
                    "This query would change the graph; only read queries are allowed here."
                ) from e
            if "timed out" in msg.lower():
                raise QueryError(f"The query took longer than {timeout} s and was stopped.") from e
            if "mem consumption exceeded" in msg:
                raise QueryError("The query needed more memory in the database than one query "
                                 "may take, and was stopped. Ask for less (LIMIT, fewer or "
                                 "smaller lists).") from e
            raise QueryError(f"The query failed: {msg}") from e
        except _TooLarge:
            raise QueryError(
                f"The result is larger than {max_bytes / 2**20:g} MB, so it was not read. Ask "
                "for less: fewer rows (LIMIT), fewer columns, or counts instead of lists."
            ) from None
        except (redis.ConnectionError, OSError) as e:
            raise StoreUnavailable(f"Lost the connection to {self.description}: {e}") from e
        except (ValueError, TypeError) as e:  # the client could not encode a parameter
            raise QueryError(f"Bad query parameters: {e}") from e
        return _Decoder(self._graph).rows(header, records)

    def _ro_query(self, query: str, params: Row | None, ms: int | None
                  ) -> tuple[list[Any], list[Any]]:
        """GRAPH.RO_QUERY as the client sends it, the reply left unparsed: its columns and
        records (none when it holds statistics only)."""
        command: list[Any] = ["GRAPH.RO_QUERY", self.graph_name,
                              _header(params) + query,
                              "--compact"]
        if ms:
            command += ["timeout", ms]
        reply = self._db.connection.execute_command(*command)
        for part in (reply[0], reply[-1]):  # an error before the records, or while making them
            if isinstance(part, redis.ResponseError):
                raise part
        return ([], []) if len(reply) == 1 else (reply[0], reply[1])

    def _capped_read(self, query: str, params: Row | None, ms: int | None,
                     max_rows: int | None, max_bytes: int | None
                     ) -> tuple[list[Any], list[Any]]:
        """GRAPH.RO_QUERY on a connection of its own, read row by row: stop after
        ``max_rows`` rows or ``max_bytes`` bytes and close the connection, so the rest of the
        reply is never read. The server has built the whole reply by then (FalkorDB answers
        only when the query is done, within its TIMEOUT); what this bounds is the memory and
        time of this process."""
        # the same header as the ordinary path, so parameters read exactly as there
        header = _header(params)
        args: list[str | int] = ["GRAPH.RO_QUERY", self.graph_name, header + query, "--compact"]
        if ms:
            args += ["timeout", ms]
        path, host, port, password = self._address
        if path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            target: Any = path
        else:
            sock = socket.socket(socket.AF_INET6 if host and ":" in host else socket.AF_INET)
            target = (host, port)
        # past the database's own limit, a generous margin for it to build the reply
        sock.settimeout(ms / 1000 + 60 if ms else None)
        with sock, sock.makefile("rb") as stream:
            sock.connect(target)
            reply = _Reply(stream, max_bytes)
            if password:
                sock.sendall(_command("AUTH", password))
                ok = reply.value()
                if isinstance(ok, redis.ResponseError):
                    raise redis.AuthenticationError(str(ok))
            sock.sendall(_command(*args))
            if reply.array() == 1:  # statistics only: nothing to return
                return [], []
            columns = reply.value()
            total = reply.array()
            wanted = total if max_rows is None else min(total, max_rows)
            rows = [reply.value() for _ in range(wanted)]
            if wanted == total:  # the statistics, or the error that stopped the query
                stats = reply.value()
                if isinstance(stats, redis.ResponseError):
                    raise stats
        return columns, rows

    def ensure_schema(self) -> None:
        # Create only what is missing, so that a graph already set up opens without writing
        # (it can then be read while its disk is full), and no failing schema command lands
        # in the AOF for every restart to replay and log.
        exists = bool(self._db.connection.exists(self.graph_name))  # reads need the key
        indexed = {(r["label"], p) for r in self.read(queries.FALKORDB_INDEXES)
                   for p in r["properties"]} if exists else set()
        missing = [p for p in self.dialect.indexed_properties()
                   if (model.ENTITY, p) not in indexed]
        log_missing = [(lab, p) for lab, props in queries.LOG_INDEXED.items()
                       for p in props if (lab, p) not in indexed]
        # one at a time, each built before the next is asked for: statements racing the
        # build of the one before once hung a fresh server (see Dialect.index_statements)
        for stmt in (self.dialect.index_statements(missing)
                     + self.dialect.log_index_statements(log_missing)):
            try:
                self._graph.query(stmt)
            except redis.ResponseError as e:
                if "already indexed" not in str(e):
                    raise StoreError(f"Could not create index ({stmt}): {e}") from e
            self._wait_index_built()
        self._register_vocabulary()
        constraints = {(r["type"], r["label"], tuple(r["properties"]))
                       for r in self.read(queries.FALKORDB_CONSTRAINTS)}
        if ("UNIQUE", model.ENTITY, ("id",)) in constraints:
            return
        try:
            self._db.connection.execute_command(*queries.falkordb_unique_constraint(
                self.graph_name))
        except redis.ResponseError as e:
            if "already exists" not in str(e).lower():
                raise StoreError(f"Could not create the id uniqueness constraint: {e}") from e

    def _wait_index_built(self, timeout: float = 60.0) -> None:
        """Wait for FalkorDB's indexer thread to finish the indexes before anything else
        touches their labels (the constraint is built on Entity's)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            statuses = {r["status"] for r in self.read(queries.FALKORDB_INDEXES)}
            if statuses <= {"OPERATIONAL"}:
                return
            time.sleep(0.02)
        raise StoreError(f"The store's index on {model.ENTITY} was not built in "
                         f"{timeout:.0f} s; run `coalition store stop` and try again.")

    def settle(self) -> None:
        """Check that the writes reached the disk, then rewrite the AOF as a snapshot (in a
        forked child; this returns at once).

        Redis acknowledges a write before appending it to the AOF: with the disk full, the
        last writes of a load are in memory only, and only the next write is refused. This
        says so (DiskFull) while the load can still be taken back.

        After the rewrite a restart reads the snapshot and the few writes since instead of
        replaying every statement (10 minutes instead of seconds after a large load, see
        graph/store/server.py); it also retires an AOF file that a full disk left with a
        hole. Durability is unchanged: the old AOF stays in use until the rewrite is
        complete. The rewrite is only for the embedded server.
        """
        conn = self._db.connection
        try:
            info = conn.info("persistence")
        except (redis.RedisError, OSError):
            return  # the writes were acknowledged; the next load checks again
        if info.get("aof_last_write_status") == "err":
            raise DiskFull(f"The disk holding {self.description} is full: the last writes "
                           "could not be saved to it. Free space on that disk; reads still "
                           "work.")
        if self._compact and info.get("aof_enabled") and \
                not info.get("aof_rewrite_in_progress"):
            with contextlib.suppress(redis.RedisError, OSError):  # one is scheduled: it will do
                conn.bgrewriteaof()

    def _register_vocabulary(self) -> None:
        """Create every label and relationship type of the model before anything else runs.

        See ``queries.register_vocabulary``: on FalkorDB 4.16 a write that adds a label while
        another query is being planned can crash the server. Only the first open of a graph
        writes anything here.
        """
        have = {r["name"] for r in self.read(queries.FALKORDB_LABELS)}
        have_types = {r["name"] for r in self.read(queries.FALKORDB_REL_TYPES)}
        labels = sorted((model.NODE_LABELS | model.LOG_LABELS) - have)
        types = sorted(model.REL_TYPES - have_types)
        if labels or types:
            self._graph.query(queries.register_vocabulary(labels, types))

    def clear(self) -> None:
        try:
            self._graph.delete()
        except redis.ResponseError as e:
            if "empty key" not in str(e).lower() and "invalid graph" not in str(e).lower():
                raise
        self._graph = self._db.select_graph(self.graph_name)
        # A new graph starts without indexes or vocabulary; give it both before any writes.
        self.ensure_schema()

    def close(self) -> None:
        try:
            self._db.connection.close()
        finally:
            if self._on_close:
                cb, self._on_close = self._on_close, None
                cb()
