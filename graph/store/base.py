"""The one store interface. Everything above it (loader, projection, CLI, API) uses only this."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from graph import changelog, queries
from graph.changelog import Change, Entry
from graph.errors import QueryError, StoreRefused
from graph.queries import Dialect

Row = dict[str, Any]
log = logging.getLogger("coalition.store")


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


@dataclass
class Before:
    """What a load is about to change, as it is now: enough to take the load back.

    ``new_nodes`` and ``new_edges`` (``{type: [{src, key}]}``) do not exist yet; ``nodes``
    (``{labels: [{id, props}]}``) and ``edges`` (``{type: [{src, dst, key, props}]}``) are
    the existing ones the load will change, as they are now, and ``edge_keys`` the
    ``{type: [{src, key}]}`` they are found by.
    """

    new_nodes: list[str] = field(default_factory=list)
    new_edges: dict[str, list[Row]] = field(default_factory=dict)
    nodes: dict[tuple[str, ...], list[Row]] = field(default_factory=dict)
    edges: dict[str, list[Row]] = field(default_factory=dict)
    edge_keys: dict[str, list[Row]] = field(default_factory=dict)

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> Before:
        """What puts the entries' ``before`` back (an undo, graph/editing.py): what did not
        exist goes, what existed is written back as it was; relationships found by their
        source and key, before and after (a tie whose source changed is a new key)."""
        b = cls()
        for e in entries:
            if e.kind == "node":
                if e.before is None:
                    b.new_nodes.append(e.id)
                else:
                    b.nodes.setdefault(tuple(sorted(e.before["labels"])), []).append(
                        {"id": e.id, "props": e.before["props"]})
                continue
            keys = b.new_edges if e.before is None else b.edge_keys
            for side in (e.before, e.after):
                if side is not None:
                    row = {"src": side["src"], "key": e.id}
                    if row not in keys.get(e.type, []):
                        keys.setdefault(e.type, []).append(row)
            if e.before is not None:
                b.edges.setdefault(e.type, []).append(
                    {"src": e.before["src"], "dst": e.before["dst"], "key": e.id,
                     "props": e.before["props"]})
        return b

    @property
    def size(self) -> int:
        """Rows a restore writes."""
        return (len(self.new_nodes) + sum(map(len, self.new_edges.values()))
                + sum(map(len, self.nodes.values())) + sum(map(len, self.edges.values()))
                + sum(map(len, self.edge_keys.values())))


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
    def _execute(self, query: str, rows: list[Row]) -> list[Row]:
        """A write that returns rows (an edit's first statement says whether it applied)."""

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

    def delete_edges(self, groups: dict[str, list[Row]],
                     progress: Callable[[int], None] | None = None) -> int:
        """Delete relationships by their source and key, ``{type: [{src, key}]}``."""
        jobs = [((queries.delete_edges(rtype),), batch)
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

    # -- taking a load back (loaders.load: a load is all-or-nothing)
    #: seconds a restore waits for a store that refuses writes (disk full, out of memory)
    #: to take them again: until then it cannot take anything back
    refusal_wait: float = 300.0

    def remember(self, *, new_nodes: Iterable[str], nodes: Iterable[str],
                 new_edges: dict[str, list[Row]], edges: dict[str, list[Row]]) -> Before:
        """Read what writing would change, before writing it.

        ``nodes``: ids of existing nodes to be written; ``edges``: ``{type: [{src, key}]}``
        of existing relationships to be written. Nothing is read for new ones.
        """
        before = Before(new_nodes=list(new_nodes), new_edges={t: r for t, r in
                                                              new_edges.items() if r})
        groups: dict[tuple[str, ...], list[Row]] = {}
        ids = list(nodes)
        for i in range(0, len(ids), self.batch_size):
            for r in self.read(queries.NODES_BY_ID, {"ids": ids[i:i + self.batch_size]}):
                groups.setdefault(tuple(sorted(r["labels"])), []).append(
                    {"id": r["id"], "props": r["props"]})
        before.nodes = groups
        for rtype, keys in edges.items():
            if not keys:
                continue
            before.edge_keys[rtype] = keys
            found = before.edges.setdefault(rtype, [])
            for batch in batched(keys, self.batch_size):
                found.extend(self.read(queries.edges_by_key(rtype), {"rows": batch}))
        return before

    def restore(self, before: Before, progress: Callable[[str, int, int], None] | None = None
                ) -> None:
        """Put back what :meth:`remember` saw: delete what was new, rewrite what was changed.

        Every step can run again, so while the store refuses writes (its disk is full) this
        waits, up to ``refusal_wait`` seconds, and tries again.
        """
        deadline = time.monotonic() + self.refusal_wait
        delay = 0.25
        while True:
            try:
                self._restore(before, progress)
                return
            except StoreRefused as e:
                if time.monotonic() + delay > deadline:
                    raise
                if progress:
                    progress(f"waiting for the store to take writes again ({e})", 0, 0)
                log.warning("%s To take this load back, waiting up to %.0f s for the store to "
                            "take writes again.", e, deadline - time.monotonic())
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _restore(self, before: Before, progress: Callable[[str, int, int], None] | None
                 ) -> None:
        total, done = before.size, 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress("undoing this load", done, total)

        # Relationships first: a changed one may have gained a twin (an upsert whose end
        # changed), so every relationship under a changed key goes, and comes back as it was.
        self.delete_edges({t: before.new_edges.get(t, []) + before.edge_keys.get(t, [])
                           for t in sorted(set(before.new_edges) | set(before.edge_keys))},
                          tick)
        self._run([((queries.DELETE_NODES,), batch) for batch in batched(
            [{"id": i} for i in before.new_nodes], self.batch_size)], tick)
        self.write_nodes(before.nodes, tick)
        self.write_edges(before.edges, tick)

    # -- one change, all or nothing (graph/editing.py)
    @contextlib.contextmanager
    def atomic(self, before: Before) -> Iterator[None]:
        """Run the writes inside as one change: should any fail, none stays.

        Here (FalkorDB, which has no transaction spanning statements) by the loader's own
        mechanism: what ``before`` remembers is put back (:meth:`restore`). Neo4j overrides
        this with one transaction."""
        try:
            yield
        except BaseException:
            self.restore(before)
            raise

    def apply(self, guard: tuple[str, list[Row]] | None, before: Before,
              then: Callable[[], None]) -> list[Row] | None:
        """One edit: the ``guard`` statement, which may refuse it (it returns no rows:
        then nothing is written and this returns None), then the writes of ``then``, all
        or nothing (:meth:`atomic`, with ``before`` what puts the graph back). Returns the
        guard's rows.

        Here the guard runs alone first: should it refuse, there is nothing to put back,
        and should what follows fail, ``before`` is what the guard and they changed."""
        rows = self._execute(*guard) if guard else [{}]
        if not rows:
            return None
        with self.atomic(before):
            then()
        return rows

    # -- the change log (graph/changelog.py), append-only
    def record_change(self, change: Change, parts: list[Row] | None = None) -> None:
        """Append a change to the log: its parts (``change.parts()``, unless made already)
        in batches, then the Change node, so that a Change node is found only once all of
        it is there."""
        for batch in changelog.batches(change.parts() if parts is None else parts):
            self._write(queries.RECORD_CHANGE_PARTS, batch)
        self._write(queries.RECORD_CHANGE, [change.record()])

    def decide_pairs(self, rows: list[Row]) -> None:
        """Remember near-duplicate review decisions (api/review.py): one per ``pair``, the
        latest kept."""
        self._write(queries.REVIEW_DECIDE, rows)

    def pair_decisions(self) -> dict[str, str]:
        """Every remembered decision: pair -> decision."""
        return {r["pair"]: r["decision"] for r in self.read(queries.REVIEW_DECISIONS)}

    def forget_change(self, change_id: str) -> None:
        """Remove a change whose writes were taken back (a failed load): it did not happen.
        Nothing else ever removes a change but clearing the whole store."""
        self._write(queries.FORGET_CHANGE, [{"id": change_id}])

    def changes(self, *, entity: str | None = None, since: str | None = None,
                ids: list[str] | None = None, undoes: str | None = None,
                limit: int = 100) -> list[Row]:
        """Changes, newest first: all of them, or those that touched ``entity`` (a node's
        id, or a relationship's key or end), since the time ``since`` (ISO, inclusive)."""
        if entity is not None:
            found = [r["id"] for r in self.read(queries.CHANGES_TOUCHING,
                                                {"ids": [entity], "since": None})]
            ids = sorted(set(found) & set(ids)) if ids is not None else found
            if not ids:
                return []
        return [r["change"] for r in self.read(queries.CHANGES, {
            "since": since, "ids": ids, "undoes": undoes, "limit": limit})]

    def change_entries(self, change_id: str) -> list[Entry]:
        """What a change touched, before and after, in the order it recorded them."""
        return changelog.read_entries(self.read(queries.CHANGE_PARTS, {"id": change_id}))

    def changes_after(self, time: str, entities: Iterable[str]) -> list[Row]:
        """Changes later than ``time`` that touched any of ``entities``, oldest first."""
        ids = sorted(set(entities))
        found: set[str] = set()
        for i in range(0, len(ids), self.batch_size):
            found |= {r["id"] for r in self.read(queries.CHANGES_TOUCHING, {
                "ids": ids[i:i + self.batch_size], "since": time})}
        if not found:
            return []
        return sorted(self.changes(ids=sorted(found), limit=len(found)),
                      key=lambda c: (c["time"], c["id"]))

    def settle(self) -> None:
        """After a load's writes: raise :class:`~graph.errors.StoreRefused` if the store
        could not keep them (its disk is full), and make it quick to reopen. Most backends
        have nothing to do; the embedded FalkorDB rewrites its AOF as a snapshot."""

    def alive(self) -> bool:
        """Whether the store answers at all (a service reconnects when it does not)."""
        try:
            self.read(queries.ANY_ENTITY)
        except StoreRefused:
            return True
        except Exception:  # noqa: BLE001 - whatever the failure, it does not answer
            return False
        return True

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
