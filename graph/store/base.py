"""The one store interface. Everything above it (loader, projection, CLI, API) uses only this."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from graph import queries
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
    def read(self, query: str, params: Row | None = None, *, timeout: float | None = None
             ) -> list[Row]:
        """Run a read-only query; return rows as ``{column: value}`` with plain values.

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
