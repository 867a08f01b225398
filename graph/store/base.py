"""The one store interface. Everything above it (loader, projection, CLI, API) uses only this."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
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
        """Run a read-only query; return rows as ``{column: value}`` with plain values."""

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

    # -- built once on the primitives
    def upsert_nodes(self, labels: tuple[str, ...], rows: list[Row],
                     progress: Callable[[int], None] | None = None) -> int:
        """MERGE ``[{id, props}]`` by id; replace their properties; set ``labels``."""
        return self._batches(queries.upsert_nodes(labels), rows, progress)

    def upsert_edges(self, rtype: str, rows: list[Row],
                     progress: Callable[[int], None] | None = None) -> int:
        """MERGE ``[{src, dst, key, props}]`` by ``key``; replace their properties."""
        return self._batches(queries.upsert_edges(rtype), rows, progress)

    def _batches(self, query: str, rows: list[Row], progress: Callable[[int], None] | None
                 ) -> int:
        done = 0
        for batch in batched(rows, self.batch_size):
            self._write(query, batch)
            done += len(batch)
            if progress:
                progress(len(batch))
        return done

    def counts(self) -> Counts:
        return Counts(
            labels={r["label"]: r["count"] for r in self.read(queries.LABEL_COUNTS)},
            relationships={r["type"]: r["count"] for r in self.read(queries.REL_COUNTS)},
        )

    def node_hashes(self, ids: Iterable[str]) -> dict[str, str | None]:
        """``{id: row_hash}`` of the given ids that already exist."""
        out: dict[str, str | None] = {}
        for batch in batched(list(ids), self.batch_size):
            for r in self.read(queries.NODE_HASHES, {"ids": batch}):
                out[r["id"]] = r["hash"]
        return out

    def edge_hashes(self, rtype: str, keys: Iterable[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for batch in batched(list(keys), self.batch_size):
            for r in self.read(queries.edge_hashes(rtype), {"keys": batch}):
                out[r["key"]] = r["hash"]
        return out

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
