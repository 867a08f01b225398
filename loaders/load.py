"""Apply a load plan to a store: diff first, then write only what changed.

Every node and relationship carries ``row_hash``, a digest of its properties and provenance.
A row whose hash is already in the store is *unchanged* and not written, so loading the same
input twice writes nothing the second time, and a load interrupted half-way converges when
run again. ``loaded_at`` is set on what is written and is left out of the hash.

A load that writes anything is one change in the change log (graph/changelog.py): who, when,
and every node and relationship it wrote as it was before (what it already remembers in
order to take itself back) and after (what it wrote). The log is written after the graph's
writes and before the load is done: should it fail, the load is taken back as well.

A load is all-or-nothing at the store too: before writing, it reads what it is about to
change; should any write fail, it deletes what it created and writes back what it changed,
then raises :class:`~graph.errors.WriteFailed` saying so. (Another load writing the same
records at the same time is not isolated from this: the last write wins, as without it.)
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import gc
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph import changelog, model, queries
from graph.changelog import Change, Entry, Who
from graph.errors import CoalitionError, LoadError, WriteFailed
from graph.store import GraphStore
from graph.store.base import Before
from loaders.plan import EdgeRecord, NodeRecord, Plan, build_plan
from loaders.problems import check_target, summary, write_problems
from loaders.sources import Workbook, read_workbook
from loaders.sync import Removals
from loaders.sync import removals as sync_removals


@dataclass
class Diff:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, dict[str, int]]:
        keys = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return {k: {"created": self.created[k], "updated": self.updated[k],
                    "unchanged": self.unchanged[k]} for k in keys}


@dataclass
class LoadReport:
    source: str
    dry_run: bool
    rows_read: int
    nodes: Diff
    edges: Diff
    warnings: list[str]
    rejected_rows: int = 0
    rejects_file: str | None = None
    #: the problems of the rows rejected with --skip-invalid
    errors: list[str] = field(default_factory=list)
    problems_file: str | None = None  # --problems: every error and warning
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase
    #: the id of the change in the change log (None: a dry run, or nothing to write)
    change: str | None = None
    #: the last this many ``warnings`` are near-duplicates, most similar first
    near_duplicates: int = 0
    #: --sync: what it removes (or would) and what it keeps (loaders/sync.py)
    removals: dict[str, Any] | None = None

    @property
    def written(self) -> int:
        return sum(self.nodes.created.values()) + sum(self.nodes.updated.values()) + \
            sum(self.edges.created.values()) + sum(self.edges.updated.values())

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "dry_run": self.dry_run, "rows_read": self.rows_read,
                "nodes": self.nodes.as_dict(), "relationships": self.edges.as_dict(),
                "written": 0 if self.dry_run else self.written, "warnings": self.warnings,
                "near_duplicates": self.near_duplicates,
                "rejected_rows": self.rejected_rows, "rejects_file": self.rejects_file,
                "change": self.change,
                "errors": self.errors, "problems_file": self.problems_file,
                "timings": {k: round(v, 3) for k, v in self.timings.items()},
                **({"removals": self.removals} if self.removals is not None else {})}


def store_lookups(store: GraphStore) -> dict[str, Callable[..., Any]]:
    """What the plan builder may ask the store: which ids exist, which names are near,
    which records were merged into which (graph/merging.py)."""

    def lookup_existing(ids: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), store.batch_size):
            for r in store.read(queries.NODES_BY_ID, {"ids": ids[i:i + store.batch_size]}):
                out[r["id"]] = {"labels": r["labels"], "state": r["props"].get("state"),
                                "states": r["props"].get("states")}
        return out

    def existing_names(states: list[str]) -> list[dict[str, Any]]:
        return store.read(queries.ORG_NAMES_IN_STATES, {"states": states}) if states else []

    def distinct_pairs() -> set[str]:
        return {p for p, d in store.pair_decisions().items() if d == "distinct"}

    def merged() -> dict[str, dict[str, Any]]:
        from graph.merging import merged_map

        return merged_map(store)

    return {"lookup_existing": lookup_existing, "existing_names": existing_names,
            "distinct_pairs": distinct_pairs, "merged": merged}


def plan_workbook(path: Path, store: GraphStore | None, *, fuzzy_threshold: float,
                  workbook: Workbook | None = None) -> Plan:
    gc_was_on = gc.isenabled()
    gc.disable()  # hundreds of thousands of small dicts and no cycles: the GC only slows us
    try:
        wb = workbook if workbook is not None else read_workbook(path)
        prefix = f"{path.name}/" if path.is_dir() else ""
        return build_plan(wb, source_prefix=prefix, fuzzy_threshold=fuzzy_threshold,
                          **(store_lookups(store) if store else {}))
    finally:
        if gc_was_on:
            gc.enable()


@dataclass
class Changes:
    nodes: Diff
    edges: Diff
    changed_nodes: list[NodeRecord]
    changed_edges: list[EdgeRecord]
    new_ids: set[str]  # node ids the store does not have yet


def diff(plan: Plan, store: GraphStore) -> Changes:
    """Sort the plan into created / updated / unchanged by asking the store for hashes."""
    nodes, edges = Diff(), Diff()
    if store.is_empty():  # a first load: everything is new, nothing to ask
        for rec in plan.nodes.values():
            nodes.created[rec.labels[-1] if rec.labels[0] == "Organization" else
                          rec.labels[0]] += 1
        for edge in plan.edges.values():
            edges.created[edge.type] += 1
        return Changes(nodes, edges, list(plan.nodes.values()), list(plan.edges.values()),
                       set(plan.nodes))
    changed = store.changed_nodes([{"id": r.id, "hash": r.props["row_hash"]}
                                   for r in plan.nodes.values()])
    changed_nodes = []
    for rec in plan.nodes.values():
        name = rec.labels[-1] if rec.labels[0] == "Organization" else rec.labels[0]
        if rec.id not in changed:
            nodes.unchanged[name] += 1
            continue
        (nodes.created if changed[rec.id] else nodes.updated)[name] += 1
        changed_nodes.append(rec)
    new_nodes = {i for i, absent in changed.items() if absent}
    by_type: dict[str, list[EdgeRecord]] = defaultdict(list)
    for edge in plan.edges.values():
        by_type[edge.type].append(edge)
    changed_edges = []
    for rtype, group in by_type.items():
        # A relationship touching a node this load creates cannot exist yet: don't ask.
        ask = [{"src": e.src, "key": e.key, "hash": e.props["row_hash"]} for e in group
               if e.src not in new_nodes and e.dst not in new_nodes]
        found = store.changed_edges(rtype, ask) if ask else {}
        asked = {a["key"] for a in ask}
        for edge in group:
            if edge.key in asked and edge.key not in found:
                edges.unchanged[rtype] += 1
                continue
            (edges.created if found.get(edge.key, True) else edges.updated)[rtype] += 1
            changed_edges.append(edge)
    return Changes(nodes, edges, changed_nodes, changed_edges, new_nodes)


def write_rejects(path: Path, plan: Plan) -> Path:
    out = (path.parent / f"{path.name}.rejects.csv") if path.is_dir() else \
        path.with_name(path.stem + ".rejects.csv")
    by_row: dict[tuple[str, int], list[str]] = defaultdict(list)
    for issue in plan.errors:
        by_row[(issue.file, issue.row)].append(str(issue))
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "row", "problems", "row_values"])
        for (file, row), raw in sorted(plan.rejected.items()):
            w.writerow([file, row, " | ".join(by_row.get((file, row), [])),
                        json.dumps(raw, default=str, ensure_ascii=False)])
        for (file, row), problems in sorted(by_row.items()):
            if (file, row) not in plan.rejected:  # whole-file problems
                w.writerow([file, row, " | ".join(problems), ""])
    return out


def load_change(before: Before, nodes: list[dict[tuple[str, ...], list[dict[str, Any]]]],
                edges: dict[str, list[dict[str, Any]]], *, who: Who, source: str) -> Change:
    """The change a load makes: every node and relationship it writes, as ``before``
    (:meth:`GraphStore.remember`) saw it and as it is written."""
    old = {r["id"]: {"labels": list(labels), "props": r["props"]}
           for labels, rows in before.nodes.items() for r in rows}
    entries = []
    for groups in nodes:
        for labels, rows in groups.items():  # one label set a group: its Entry parts once
            after_labels = sorted({model.ENTITY, *labels})
            base = changelog.base_label(labels)
            entries += [Entry("node", r["id"], base, old.get(r["id"]),
                              {"labels": after_labels, "props": r["props"]}) for r in rows]
    old_edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    for rtype, rows in before.edges.items():
        for r in rows:  # a twin (a key that gained a second end) keeps the first seen
            old_edges.setdefault((rtype, r["src"], r["key"]),
                                 {"src": r["src"], "dst": r["dst"], "props": r["props"]})
    entries += [Entry("relationship", r["key"], rtype,
                      old_edges.get((rtype, r["src"], r["key"])) if old_edges else None,
                      {"src": r["src"], "dst": r["dst"], "props": r["props"]})
                for rtype, rows in edges.items() for r in rows]
    created = sum(e.before is None for e in entries)
    return Change("load", who, entries, summary=f"load of {source}: {created:,} created, "
                  f"{len(entries) - created:,} updated")


def _collector_paused(fn: Callable[..., LoadReport]) -> Callable[..., LoadReport]:
    """Run ``fn`` with the garbage collector off, on again once its records are freed.

    A load's records (a million objects at 400,000 rows) hold no cycles, and with the
    collector on between the plan and the writes, or right after them, its collections
    walked all of them: one to two seconds of a big load (docs/benchmarks.md, issue 12
    item 2). The plan and the writes paused it already; now the whole load does, and it is
    on again only once ``fn`` has returned and its records are gone."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> LoadReport:
        was_on = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_on:
                gc.enable()

    return run


@_collector_paused
def load(path: Path, store: GraphStore, *, dry_run: bool = False, skip_invalid: bool = False,
         fuzzy_threshold: float = 92.0, problems: Path | None = None,
         progress: Callable[[str, int, int], None] | None = None,
         workbook: Workbook | None = None, who: Who | None = None,
         sync: bool = False) -> LoadReport:
    """Validate, diff and (unless ``dry_run``) write a workbook. All-or-nothing by default.

    ``problems``: a .csv or .json file to write every error and warning to, whether the
    load goes ahead or is refused (loaders/problems.py). ``workbook``: sheets already read
    (an attendee or survey import builds them from its export), checked and written exactly
    like a workbook read from ``path``. ``who``: whom the change log names for it (default:
    the command line's user). ``sync``: also remove what the workbook's sources no longer
    have (loaders/sync.py), in the same change."""
    path = Path(path)
    if sync and skip_invalid:
        raise LoadError([], "--sync cannot be combined with --skip-invalid: the rows it "
                        "rejects would count as removed from their source. Fix them, then "
                        "load with --sync.")
    problems = check_target(problems) if problems is not None else None
    t0 = time.perf_counter()
    if progress:
        progress("checking the workbook", 0, 0)  # no total: a pulsing bar
    try:
        plan = plan_workbook(path, store, fuzzy_threshold=fuzzy_threshold,
                             workbook=workbook)
    except LoadError as e:  # the file could not be read at all
        if problems is not None:
            write_problems(problems, e.issues)
        raise
    t_plan = time.perf_counter()
    if progress:
        progress("checking the workbook", 1, 1)
    if problems is not None:
        write_problems(problems, plan.issues)
    rejects = None
    if plan.errors:
        if not skip_invalid:
            where = (f" Every problem ({summary(plan.issues)}) is in {problems}." if problems else
                     " --problems FILE (.csv or .json) writes every one of them."
                     if len(plan.errors) > 50 or plan.warnings else "")
            raise LoadError(plan.issues, f"{len(plan.errors)} problem(s) in {path}; nothing was "
                            "written. Fix them, or load with --skip-invalid to write the valid "
                            f"rows and get the others in a rejects file.{where}")
        # a dry run too: the rejects file is what to fix before the real load
        rejects = str(write_rejects(path, plan))
    changes = diff(plan, store)
    t_diff = time.perf_counter()
    report = LoadReport(str(path), dry_run, plan.rows_read, changes.nodes, changes.edges,
                        [str(w) for w in plan.warnings], len(plan.rejected), rejects,
                        [str(i) for i in plan.errors],
                        str(problems) if problems is not None else None,
                        {"plan": t_plan - t0, "diff": t_diff - t_plan},
                        near_duplicates=plan.near_duplicates)
    removed = sync_removals(plan, store) if sync else None
    if removed is not None:
        report.removals = removed.as_dict()
    if dry_run:
        return report
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    fresh: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    known: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for rec in changes.changed_nodes:
        rec.props["loaded_at"] = now
        (fresh if rec.id in changes.new_ids else known)[rec.labels].append(
            {"id": rec.id, "props": rec.props})
    edge_groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for edge in changes.changed_edges:
        edge.props["loaded_at"] = now
        edge_groups[edge.type].append({"src": edge.src, "dst": edge.dst, "key": edge.key,
                                       "props": edge.props})
    total = len(changes.changed_nodes) + len(changes.changed_edges)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("writing", done, total)

    # A relationship from a node this load creates cannot exist yet; any other may, even
    # one the diff did not ask about because its other end is new: remember those.
    new_edges: dict[str, list[dict[str, Any]]] = defaultdict(list)
    old_edges: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rtype, rows in edge_groups.items():
        for r in rows:
            (new_edges if r["src"] in changes.new_ids else old_edges)[rtype].append(
                {"src": r["src"], "key": r["key"]})
    before = store.remember(new_nodes=[r["id"] for rows in fresh.values() for r in rows],
                            nodes=[r["id"] for rows in known.values() for r in rows],
                            new_edges=new_edges, edges=old_edges)
    # A relationship whose key stays but whose end changes (an organization moving to
    # another state) would gain a twin from the MERGE: the old one goes first.
    if removed:
        removed.remember(before)
    moved: dict[str, list[dict[str, Any]]] = {}
    if any(before.edges.values()):  # none on a first load: no 400,000 keys to look up
        ends = {(e.type, e.src, e.key): e.dst for e in changes.changed_edges}
        moved = {rtype: [{"src": r["src"], "key": r["key"]} for r in rows
                         if ends.get((rtype, r["src"], r["key"]), r["dst"]) != r["dst"]]
                 for rtype, rows in before.edges.items()}
    # The change and its parts (serialised, compressed) are made in a thread while the
    # graph's writes run: those wait on the server, and zlib lets go of the GIL. Nothing it
    # reads (what the load writes, what it remembered) changes meanwhile.
    change, made, recorded = None, None, False
    pool = ThreadPoolExecutor(1, thread_name_prefix="change-log")

    def make_change() -> tuple[Change, list[dict[str, Any]]]:
        made = load_change(before, [known, fresh], edge_groups, who=who or Who.cli(),
                           source=path.name)
        if removed:
            add_removals(made, removed)
        return made, made.parts()

    try:
        if total or removed:
            made = pool.submit(make_change)
        store.write_nodes(known, tick)
        store.write_nodes(fresh, tick, new=True)
        store.delete_edges(moved)
        store.write_edges(edge_groups, tick)  # after every node: edges match their ends by id
        if removed:
            removed.write(store)
        if made is not None:
            t0 = time.perf_counter()
            change, parts = made.result()
            recorded = True
            store.record_change(change, parts)
            report.timings["change_log"] = time.perf_counter() - t0
            store.settle()  # kept on disk? (a full disk shows only here, after the last write)
    except BaseException as e:
        failed = take_back(store, before, e, what=f"Writing {path} failed after {done:,} of "
                           f"{total:,} records", progress=progress)
        if recorded and change is not None:  # the load did not happen: neither did its change
            with contextlib.suppress(Exception):
                store.forget_change(change.id)
        if not isinstance(e, Exception):  # Ctrl-C: taken back, and still an interrupt
            raise
        raise failed from e
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    report.timings["write"] = time.perf_counter() - t_diff
    report.change = change.id if change else None
    return report


def add_removals(change: Change, removed: Removals) -> None:
    """A sync's removals are entries of the load's one change (undone with it)."""
    change.entries += removed.entries()
    change.summary = change.summary.replace("load of", "sync of", 1) + \
        f", {len(removed.nodes):,} node(s) and {len(removed.edges):,} relationship(s) removed"


def take_back(store: GraphStore, before: Before, cause: BaseException, *, what: str,
              progress: Callable[[str, int, int], None] | None = None) -> WriteFailed:
    """Undo a failed load (``GraphStore.restore``); the error that says what was kept."""
    reason = str(cause) if isinstance(cause, CoalitionError) else \
        f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__
    try:
        store.restore(before, progress)
    except Exception as undone:  # noqa: BLE001 - whatever stops the undo, say so plainly
        return WriteFailed(
            f"{what}: {reason}\nTaking the load back failed as well ({undone}), so part of "
            "this load is in the graph. Once the store takes writes again, run the same load "
            "again: it writes only what is missing, and the graph then holds all of it.",
            cause=cause, kept=True)
    with contextlib.suppress(CoalitionError):
        store.settle()  # the undo is on disk too (and an AOF a full disk damaged is retired)
    return WriteFailed(f"{what}: {reason}\nNothing of this load was kept: what it had "
                       "written was taken back, and the graph is as it was before.",
                       cause=cause, kept=False)
