"""The one store interface. Everything above it (loader, projection, CLI, API) uses only this."""

from __future__ import annotations

import datetime as dt
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from graph import queries
from graph.errors import QueryError
from graph.queries import Dialect

Row = dict[str, Any]


@dataclass
class Counts:
    labels: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)

    @property
    def nodes(self) -> int:
        return self.labels.get("Entity", 0)

    @property
    def edges(self) -> int:
        return sum(self.relationships.values())


def batched(rows: list[Row], size: int) -> Iterator[list[Row]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def plain(value: Any) -> Any:
    """Make a driver value JSON-friendly (dates to ISO strings, maps to dicts)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value


#: what both stores hold as an integer
INT64 = range(-(2**63), 2**63)
#: deeper parameter values are refused rather than recursed into
MAX_PARAMETER_DEPTH = 64


def check_parameters(params: Row | None) -> None:
    """Refuse query parameters that neither store can carry as they are, naming the value.

    FalkorDB's client spells parameters into a ``CYPHER x=...`` header: a NUL ends the
    header early (the server's error then shows the header), an integer past 64 bits is
    silently clamped to 2**63-1, and NaN or infinity cannot be written. Neo4j refuses some
    of these and not others; both stores refuse all of them here, the same way.

    >>> check_parameters({"ids": ["a", "b"], "n": 3, "m": {"x": 1.5}})
    >>> check_parameters({"n": 10**30})
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: parameter n: 1000000000000000000000000000000 is outside the 64-bit integer range the graph stores (-9223372036854775808 to 9223372036854775807)
    >>> check_parameters({"q": ["ok", "a\\x00b"]})
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: parameter q[1]: text contains a NUL character (\\x00); remove it
    """
    stack: list[tuple[str, Any, int]] = [(k, v, 1) for k, v in (params or {}).items()]
    while stack:
        where, v, depth = stack.pop()
        problem = None
        if isinstance(v, str):
            if "\x00" in v:
                problem = "text contains a NUL character (\\x00); remove it"
            else:
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    problem = "text contains a lone surrogate (not valid Unicode); fix the text"
        elif isinstance(v, bool) or v is None:
            pass
        elif isinstance(v, int):
            if v not in INT64:
                problem = (f"{v} is outside the 64-bit integer range the graph stores "
                           f"({INT64.start} to {INT64.stop - 1})")
        elif isinstance(v, float):
            if not math.isfinite(v):
                problem = f"{v} is not a finite number"
        elif isinstance(v, list | tuple | dict):
            if depth >= MAX_PARAMETER_DEPTH:
                problem = f"nested more than {MAX_PARAMETER_DEPTH} levels deep"
            elif isinstance(v, dict):
                for k, x in v.items():
                    if not isinstance(k, str) or not k or "`" in k or "\x00" in k:
                        problem = f"map key {k!r} is not usable (empty, a backtick or a NUL)"
                        break
                    stack.append((f"{where}.{k}", x, depth + 1))
            else:
                stack.extend((f"{where}[{i}]", x, depth + 1) for i, x in enumerate(v))
        if problem:
            raise QueryError(f"parameter {where}: {problem}")


class GraphStore(ABC):
    """A labelled property graph we can upsert into and read from.

    Writes are batched ``UNWIND`` statements (``batch_size`` rows each); each batch is atomic.
    ``read`` runs in the database's own read-only mode, so a write through it is refused by the
    database, not by string inspection.
    """

    dialect: Dialect
    batch_size: int = 5000

    # -- the handful of primitives each backend implements
    @abstractmethod
    def _write(self, query: str, rows: list[Row]) -> None: ...

    @abstractmethod
    def read(self, query: str, params: Row | None = None, *, timeout: float | None = None,
             max_rows: int | None = None, max_bytes: int | None = None) -> list[Row]:
        """Run a read-only query; return rows as ``{column: value}`` with plain values.

        ``timeout`` (seconds) is enforced by the database, which stops the query. With
        ``max_rows`` the read stops after that many rows and drops the rest of the reply
        unread (ask for one more to learn whether there were more); past ``max_bytes`` of
        result it raises :class:`QueryError`. Parameters are checked first
        (:func:`check_parameters`).

        A node comes back as ``{"element", "labels", "properties"}``, a relationship as
        ``{"type", "start", "end", "properties"}`` and a path as ``{"nodes", "edges"}``.
        ``element``, ``start`` and ``end`` are the database's own ids, as strings: they tie a
        relationship to its nodes within one result, and mean nothing outside it."""

    @abstractmethod
    def ensure_schema(self) -> None: ...

    @abstractmethod
    def clear(self) -> None:
        """Delete the whole graph (tests, ``coalition demo --reset``)."""

    @abstractmethod
    def close(self) -> None: ...

    @property
    @abstractmethod
    def description(self) -> str:
        """Where the data lives, for people (never includes a password)."""

    #: batches in flight at once. FalkorDB runs write queries one at a time per graph, so a
    #: second connection only lets the client prepare the next batch while the server works.
    write_workers: int = 1

    # -- built once on the primitives
    def upsert_nodes(self, labels: tuple[str, ...], rows: list[Row],
                     progress: Callable[[int], None] | None = None) -> int:
        """MERGE ``[{id, props}]`` by id; replace their properties; set ``labels``."""
        return self.write_nodes({labels: rows}, progress)

    def upsert_edges(self, rtype: str, rows: list[Row],
                     progress: Callable[[int], None] | None = None) -> int:
        """MERGE ``[{src, dst, key, props}]`` by ``key``; replace their properties."""
        return self.write_edges({rtype: rows}, progress)

    def write_nodes(self, groups: dict[tuple[str, ...], list[Row]],
                    progress: Callable[[int], None] | None = None, *, new: bool = False) -> int:
        """Upsert groups of nodes, ``{labels: [{id, props}]}``.

        Two idempotent statements a batch (relabel, then merge): a crash between them leaves
        nodes with new labels and old properties, which the next run puts right. ``new=True``
        says none of these ids exists yet (the caller has just checked), so there is nothing
        to relabel; should one appear meanwhile with other labels, the MERGE fails on the id
        constraint rather than write a twin.
        """
        jobs = [(((queries.upsert_nodes(labels),) if new else
                  (queries.relabel_nodes(labels), queries.upsert_nodes(labels))), batch)
                for labels, rows in groups.items() for batch in batched(rows, self.batch_size)]
        return self._run(jobs, progress)

    def write_edges(self, groups: dict[str, list[Row]],
                    progress: Callable[[int], None] | None = None) -> int:
        """Upsert groups of relationships, ``{type: [{src, dst, key, props}]}``; their end
        nodes must exist (write nodes first)."""
        jobs = [((queries.upsert_edges(rtype),), batch)
                for rtype, rows in groups.items() for batch in batched(rows, self.batch_size)]
        return self._run(jobs, progress)

    def _run(self, jobs: list[tuple[tuple[str, ...], list[Row]]],
             progress: Callable[[int], None] | None) -> int:
        def one(job: tuple[tuple[str, ...], list[Row]]) -> int:
            statements, batch = job
            for stmt in statements:
                self._write(stmt, batch)
            return len(batch)

        def tally(results: Iterable[int]) -> int:
            done = 0
            for n in results:
                done += n
                if progress:
                    progress(n)
            return done

        if self.write_workers <= 1 or len(jobs) <= 1:
            return tally(map(one, jobs))
        with ThreadPoolExecutor(self.write_workers, thread_name_prefix="write") as pool:
            futures = [pool.submit(one, j) for j in jobs]
            try:
                return tally(f.result() for f in as_completed(futures))
            except BaseException:
                for f in futures:  # stop what has not started; let the rest finish
                    f.cancel()
                raise

    def counts(self) -> Counts:
        return Counts(
            labels={r["label"]: r["count"] for r in self.read(queries.LABEL_COUNTS)},
            relationships={r["type"]: r["count"] for r in self.read(queries.REL_COUNTS)},
        )

    def is_empty(self) -> bool:
        return not self.read(queries.ANY_ENTITY)

    def changed_nodes(self, rows: list[Row]) -> dict[str, bool]:
        """Of ``[{id, hash}]``, the ids that are missing (True) or differ (False).

        The database compares, so only what changed travels back.
        """
        out: dict[str, bool] = {}
        for batch in batched(rows, self.batch_size):
            for r in self.read(queries.CHANGED_NODES, {"rows": batch}):
                out[r["id"]] = r["absent"]
        return out

    def changed_edges(self, rtype: str, rows: list[Row]) -> dict[str, bool]:
        """Of ``[{src, key, hash}]``, the keys that are missing (True) or differ (False)."""
        out: dict[str, bool] = {}
        for batch in batched(rows, self.batch_size):
            for r in self.read(queries.changed_edges(rtype), {"rows": batch}):
                out[r["key"]] = r["absent"]
        return out

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
