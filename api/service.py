"""The one service layer. The CLI (and later the HTTP API) are thin adapters over this."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import multiprocessing
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from api import cypher_guard
from api.name_index import NameIndex
from api.security import Audit, KeyStore
from graph import export as graph_export
from graph import jurisdictions, model, queries, vocabulary
from graph.analysis.blueprint import DEFAULT as BLUEPRINT
from graph.analysis.report import analyze, merge, national_part
from graph.changelog import Who
from graph.errors import CoalitionError, ConfigError, StoreError
from graph.hubs import find_hubs
from graph.projection import (
    Filters,
    PathChoice,
    preferred_paths,
    project,
    project_ids,
    project_state,
    states_in_use,
)
from graph.settings import Settings, get_settings
from graph.store import EmbeddedServer, GraphStore, open_store
from loaders.load import LoadReport, load

#: the seed workbook shipped in the repository
SEED_DIR = Path(__file__).resolve().parent.parent / "data" / "seed"


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = False


class NotFound(CoalitionError):
    status_code = 404


#: a console query asking for the schema (labels, indexes, constraints): its answer leaves
#: out the change log's labels, which are no part of the graph (graph/changelog.py)
_SCHEMA_CALL = re.compile(r"db\W*\.\W*(labels|indexes|constraints)", re.IGNORECASE)

#: organization kind -> sector, so ``kind=industry`` filters by sector
_SECTOR = dict(model.SECTORS)


def _base(labels: list[str]) -> str:
    return next((x for x in labels if x in model.BASE_LABELS), "Entity")


def parse_param(text: str) -> tuple[str, Any]:
    """``k=v`` to ``(k, v)``; ``v`` is read as JSON when it is JSON (numbers, lists, true).

    >>> parse_param("state=MS"), parse_param("n=3"), parse_param('ids=["a","b"]')
    (('state', 'MS'), ('n', 3), ('ids', ['a', 'b']))
    """
    if "=" not in text:
        raise ConfigError(f"--param takes name=value, got {text!r}")
    key, raw = text.split("=", 1)
    try:
        value: Any = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.strip(), value


def _analyze_state(job: tuple[Settings, str, dt.date, Path]) -> dict[str, Any]:
    """One state's report, in a worker process with its own store connection."""
    settings, state, as_of, blueprint = job
    store = open_store(settings, schema=False)
    try:
        g = project_state(store, state, attendance=True)
    finally:
        store.close()
    return analyze(g, states=[state], as_of=as_of, blueprint=blueprint)



#: the scope of the whole graph, across states
NATIONAL = "national"


def scope_param(text: str | None) -> str | None:
    """A scope as a person types it: ``national`` (any case), or a state, province or
    country read like every ``--state`` option (see :func:`jurisdiction_param`).

    >>> scope_param("National"), scope_param("Mississippi"), scope_param(None)
    ('national', 'MS', None)
    """
    if text is not None and text.strip().lower() == NATIONAL:
        return NATIONAL
    return jurisdiction_param(text)


def jurisdiction_param(text: str | None) -> str | None:
    """The stored form of a state, province or country as a person types it in an option or
    parameter (``Texas``, ``tx``, ``Miss.``, ``Alberta``): what the loader accepts, read by
    the same normaliser; an unknown one is an UnknownValue naming the accepted forms.

    >>> jurisdiction_param("Texas"), jurisdiction_param("Alberta"), jurisdiction_param(None)
    ('TX', 'CA-AB', None)
    """
    return jurisdictions.jurisdiction(text).short if text else None

def _names(store: GraphStore, ids: Iterable[str]) -> dict[str, Any]:
    """Entities' names by id."""
    return {r["id"]: r["name"] for r in store.read(queries.NAMES_BY_ID, {"ids": list(ids)})}


def path_note(choice: PathChoice, names: dict[str, Any]) -> str | None:
    """What hubs did to the paths, in words (None when they did nothing).

    >>> path_note(PathChoice([["a", "x", "b"]], ("t",)), {"t": "TAT"})[:50]
    'The only shortest paths run through a hub (TAT), t'
    >>> path_note(PathChoice([["a", "x", "y", "b"]], ("t",), went_round=True), {"t": "TAT"})[:40]
    'These paths go round a hub (TAT), one st'
    >>> path_note(PathChoice([["a", "b"]]), {}) is None
    True
    """
    if not choice.hubs:
        return None
    via = ", ".join(str(names.get(h) or h) for h in choice.hubs)
    if choice.went_round:
        return (f"These paths go round a hub ({via}), one step longer than the shortest, "
                "which runs through it; allow hubs to see that one.")
    return (f"The only shortest paths run through a hub ({via}), tied to much of the "
            "graph: they say little about how these two are connected.")


class CoalitionService:
    """``keep_open``: hold one store (and so one lease on the embedded server) for the
    service's life, as a server does; otherwise each call opens and closes its own, as a
    one-shot command does. Both store clients are thread-safe."""

    def __init__(self, settings: Settings | None = None, *, keep_open: bool = False):
        self.settings = settings or get_settings()
        self.keep_open = keep_open
        self._store: GraphStore | None = None
        #: (when last checked, the graph's fingerprint then, the index)
        self._names: tuple[float, Any, NameIndex] | None = None
        self._names_lock = threading.Lock()
        self._refreshing = False
        self._lock = threading.Lock()
        #: (when last checked, the graph's fingerprint then, the hubs)
        self._hubs: tuple[float, Any, dict[str, int]] | None = None
        self._hubs_lock = threading.Lock()

    @contextlib.contextmanager
    def store(self) -> Iterator[GraphStore]:
        if self.keep_open:
            with self._lock:
                if self._store is None:
                    self._store = open_store(self.settings)
                store = self._store
            try:
                yield store
            except StoreError:
                self._drop_if_dead(store)
                raise
            return
        store = open_store(self.settings)
        try:
            yield store
        finally:
            store.close()

    def _drop_if_dead(self, store: GraphStore) -> None:
        """After a store error: if the store no longer answers (its server was killed),
        let it go, so that the next request opens a new one, which starts the embedded
        server again. The service itself keeps running."""
        if store.alive():
            return
        with self._lock:
            if self._store is store:
                self._store = None
        with contextlib.suppress(CoalitionError, OSError):
            store.close()  # drops its lease on the dead server

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    # -- loading
    def load(self, path: Path, *, dry_run: bool = False, skip_invalid: bool = False,
             problems: Path | None = None,
             progress: Callable[[str, int, int], None] | None = None,
             who: Who | None = None, sync: bool = False) -> LoadReport:
        """``who``: whom the change log names (default: the command line's user);
        ``sync``: remove what the workbook's sources no longer have (loaders/sync.py)."""
        with self.store() as store:
            report = load(Path(path), store, dry_run=dry_run, skip_invalid=skip_invalid,
                          fuzzy_threshold=self.settings.fuzzy_threshold, problems=problems,
                          progress=progress, who=who, sync=sync)
        if not dry_run:
            self._names = None  # the name index is stale now
            self._hubs = None
        return report

    # -- attendee and survey exports (issue 12, items 3 and 4): planned by loaders/attendees.py
    # and loaders/survey.py, written through the loader like a workbook
    def import_attendees(self, path: Path, *, event_id: str, dry_run: bool = False,
                         mapping: dict[str, str] | None = None, review: Path | None = None,
                         write_review: bool = True, source: str | None = None,
                         progress: Callable[[str, int, int], None] | None = None,
                         who: Who | None = None) -> dict[str, Any]:
        """Import a registration / sign-in export for ``event_id`` (a dry run with
        ``dry_run``). The review file (``review``, default beside the export) is applied, and,
        with ``write_review``, written again with this import's guesses and the corrections
        it held; its text is in the result's ``review_yaml`` either way. ``who``: whom the
        change log names (default: the command line's user)."""
        from loaders import attendees

        path = Path(path)
        review = review if review is not None else attendees.review_path(path)
        with self.store() as store:
            plan = attendees.import_attendees(
                path, store, event_id=event_id, dry_run=dry_run, mapping=mapping,
                review=review, fuzzy_threshold=self.settings.fuzzy_threshold, source=source,
                progress=progress, who=who)
        if not dry_run:
            self._names = None
            self._hubs = None
        text = attendees.review_yaml(plan, attendees.read_review(review))
        has_entries = any(o.for_review for o in plan.organizations.values())
        if write_review and has_entries:
            try:
                review.write_text(text, encoding="utf-8")
                plan.review_file = str(review)
            except OSError as e:  # the import stands; say where the review could not go
                plan.review.append(f"the review file could not be written to {review} "
                                   f"({e.strerror or e}); give another place with --review")
        out = plan.as_dict()
        out["review_yaml"] = text if has_entries else None
        return out

    def import_survey(self, path: Path, *, event_id: str, dry_run: bool = False,
                      keep_comments: bool = False, source: str | None = None,
                      progress: Callable[[str, int, int], None] | None = None,
                      who: Who | None = None) -> dict[str, Any]:
        """Import a survey export (one row per respondent) as metrics of ``event_id``;
        ``who``: whom the change log names (default: the command line's user)."""
        from loaders import survey

        with self.store() as store:
            plan = survey.import_survey(Path(path), store, event_id=event_id, dry_run=dry_run,
                                        keep_comments=keep_comments, source=source,
                                        fuzzy_threshold=self.settings.fuzzy_threshold,
                                        progress=progress, who=who)
        if not dry_run:
            self._names = None
        return plan.as_dict()

    # -- reading
    def stats(self) -> dict[str, Any]:
        with self.store() as store:
            c = store.counts()
            return {"store": store.description, "nodes": c.nodes, "relationships": c.edges,
                    "labels": c.labels, "relationship_types": c.relationships}

    def query(self, cypher: str, params: dict[str, Any] | None = None, *,
              timeout: float | None = 30.0, max_rows: int | None = None,
              max_bytes: int | None = None) -> QueryResult:
        """An analyst's read-only query (the console, ``coalition query``).

        Checked by :mod:`api.cypher_guard` first, then run in the database's read-only mode,
        which stops it past ``timeout`` seconds. The read stops after ``max_rows`` rows (the
        rest is never fetched; ``truncated`` says there was more) and refuses a result of
        more than ``max_bytes``."""
        cypher_guard.check(cypher)
        with self.store() as store:
            rows = store.read(cypher, params or {}, timeout=timeout, max_bytes=max_bytes,
                              max_rows=None if max_rows is None else max_rows + 1)
        truncated = max_rows is not None and len(rows) > max_rows
        rows = rows[:max_rows] if truncated else rows
        columns = list(rows[0]) if rows else []
        if _SCHEMA_CALL.search(cypher):  # the schema the console shows is the graph's
            rows = [r for r in rows if not any(isinstance(v, str) and v in model.LOG_LABELS
                                               for v in r.values())]
        return QueryResult(columns, rows, truncated)

    # -- stakeholders (the explorer and the API)
    #: a long-lived service (the API) refreshes its name index after this many seconds
    NAMES_TTL = 30.0

    def _read_names(self, store: GraphStore) -> tuple[Any, NameIndex]:
        fingerprint = store.read(queries.GRAPH_FINGERPRINT)
        index = NameIndex(store.read(queries.STAKEHOLDER_CANDIDATES,
                                     {"kind": None, "state": None, "county": None}))
        if self.keep_open:
            # The index is millions of long-lived objects. Left to the cyclic garbage
            # collector, every full collection walks them all, and requests stall behind it:
            # this took the ego network's p95 under load from ~200 ms to ~50 ms
            # (docs/benchmarks.md). The index has no cycles, so reference counting still
            # frees it when it is replaced. Collect first, so no garbage cycle is frozen in.
            gc.collect()
            gc.freeze()
        return fingerprint, index

    def _name_index(self, store: GraphStore) -> NameIndex:
        """Every organization and person, indexed by name (api.name_index).

        A long-lived service builds it once (reading ~150k names takes seconds on a
        national graph) and drops it when it loads a workbook. Every NAMES_TTL seconds it
        checks in the background whether anything else wrote to the graph, and only then
        rebuilds, while searches go on using the old index."""
        if not self.keep_open:
            return self._read_names(store)[1]
        with self._names_lock:
            if self._names is None:  # the first search waits; concurrent ones wait with it
                self._names = (time.monotonic(), *self._read_names(store))
            checked, _, index = self._names
            if time.monotonic() - checked >= self.NAMES_TTL and not self._refreshing:
                self._refreshing = True
                threading.Thread(target=self._refresh_names, daemon=True,
                                 name="refresh-names").start()
            return index

    def _refresh_names(self) -> None:
        try:
            with self.store() as store:
                fingerprint = store.read(queries.GRAPH_FINGERPRINT)
                current = self._names
                if current is not None and current[1] == fingerprint:
                    fresh = (time.monotonic(), fingerprint, current[2])
                else:
                    fresh = (time.monotonic(), *self._read_names(store))
            with self._names_lock:
                if self._names is current:  # a load may have dropped it meanwhile
                    self._names = fresh
        except CoalitionError:
            pass  # the old index stays; the next search past the TTL tries again
        finally:
            self._refreshing = False

    def warm(self) -> None:
        """Build the name index and count the hubs now (a server calls this at start, in
        the background)."""
        with contextlib.suppress(CoalitionError), self.store() as store:
            self._name_index(store)
            self.hubs(store)  # a pass over every tie: not in the first ego request

    def search(self, q: str = "", *, kind: str | None = None, state: str | None = None,
               county: str | None = None, limit: int = 20, offset: int = 0
               ) -> dict[str, Any]:
        """Organizations and people by name, tolerant of typos (api.name_index), filtered by
        kind or sector, state and county; paginated."""
        st = jurisdiction_param(state)
        kind = vocabulary.kind_or_sector(kind).word if kind else None
        with self.store() as store:
            index = self._name_index(store)

        def wanted(r: dict[str, Any]) -> bool:
            return ((not st or r["state"] == st) and (not county or r["county"] == county)
                    and (not kind or r["kind"] == kind or kind == _SECTOR.get(r["kind"])))

        if q.strip():
            ranked = [{**r, "score": score} for r, score in index.search(q) if wanted(r)]
        else:
            ranked = sorted((r for r in index.rows if wanted(r)),
                            key=lambda r: ((r["name"] or "").lower(), r["id"]))
        items = [{k: v for k, v in r.items() if k != "labels"} | {"label": _base(r["labels"])}
                 for r in ranked[offset:offset + limit]]
        return {"total": len(ranked), "offset": offset, "limit": limit, "items": items}

    def stakeholder(self, node_id: str, *, include_contacts: bool = False) -> dict[str, Any]:
        """Profile, connections, events, commitments, metrics and provenance of one entity."""
        with self.store() as store:
            found = store.read(queries.STAKEHOLDER, {"id": node_id})
            if not found:
                raise NotFound(f"no stakeholder with id {node_id!r}")
            ties = store.read(queries.STAKEHOLDER_TIES, {"id": node_id})
            contacted = store.read(queries.STAKEHOLDER_FOLLOWUPS, {"id": node_id})
            via = store.read(queries.STAKEHOLDER_EVENTS_VIA_PEOPLE,
                             {"id": node_id, "types": sorted(model.TOOK_PART)})
            thirds = sorted({t["props"]["to_id"] for t in ties if t["props"].get("to_id")})
            third_names = _names(store, thirds)
        props = dict(found[0]["props"])
        hidden = () if include_contacts else model.CONTACT_PROPERTIES
        provenance = {k: props.pop(k, None) for k in ("source", "source_row", "citation",
                                                      "loaded_at", "row_hash")}
        out: dict[str, Any] = {
            "id": node_id, "label": _base(found[0]["labels"]),
            "version": provenance["row_hash"],  # what an edit sends back (If-Match)
            "profile": {k: v for k, v in props.items() if k not in hidden},
            "provenance": provenance, "connections": [], "events": [], "commitments": [],
            "metrics": [],
            # logged contacts with it (graph/followup_log.py): shown apart, with their build
            "followups": [{"id": c["id"], "name": c["name"], "date": c["date"],
                           "contact": c["contact"], "outcome": c["outcome"],
                           "event": {"id": c["event_id"], "name": c["event_name"]}}
                          for c in contacted],
            # events it took part in through its people (issue 10), for the pages to offer
            "events_via_people": [{"id": v["id"], "name": v["name"], "kind": v["kind"],
                                   "date": v["date"],
                                   "via": {"id": v["person_id"], "name": v["person"]}}
                                  for v in via]}
        for t in sorted(ties, key=lambda r: (r["type"], r["id"])):
            if t["type"] == model.CONTACTED and t["outgoing"]:
                continue  # in "followups"
            other = {"id": t["id"], "name": t["name"], "label": _base(t["labels"]),
                     "kind": t["kind"]}
            if t["type"] in model.PARTICIPATION.values():
                out["events"].append({**other, "date": t["date"], "role": t["props"].get("role")})
            elif t["type"] in model.COMMITMENTS.values():
                out["commitments"].append({"program": other, "kind": t["props"].get("kind"),
                                           "status": t["props"].get("status"),
                                           "count": t["props"].get("count")})
            elif t["type"] == "HAS_METRIC":
                out["metrics"].append({"name": t["name"], "value": t["value"],
                                       "unit": t["unit"]})
            else:
                out["connections"].append({**other, "type": t["type"],
                                           "direction": "out" if t["outgoing"] else "in",
                                           **{k: t["props"][k] for k in
                                              ("date", "status", "note", "to_id", "event_id")
                                              if t["props"].get(k)},
                                           **({"to_name": third_names.get(t["props"]["to_id"])}
                                              if t["props"].get("to_id") else {})})
        return out

    def hubs(self, store: GraphStore) -> dict[str, int]:
        """The graph's hubs (graph.hubs) and their degrees. A long-lived service counts
        them once per change of the graph (checked at most every NAMES_TTL seconds): it is
        a pass over every tie, and browsing asks for them on every ego network."""
        def count() -> dict[str, int]:
            return find_hubs(store, percentile=self.settings.hub_percentile,
                             min_ties=self.settings.hub_min_ties)

        if not self.keep_open:
            return count()
        cached = self._hubs
        if cached is not None and time.monotonic() - cached[0] < self.NAMES_TTL:
            return cached[2]
        # one thread counts; the others wait for its answer instead of each counting too
        # (the first requests after a start, or after a change, arrive together)
        with self._hubs_lock:
            cached = self._hubs
            if cached is not None and time.monotonic() - cached[0] < self.NAMES_TTL:
                return cached[2]
            fingerprint = store.read(queries.GRAPH_FINGERPRINT)
            hubs = cached[2] if cached is not None and cached[1] == fingerprint else count()
            self._hubs = (time.monotonic(), fingerprint, hubs)
        return hubs

    def ego(self, node_id: str, depth: int = 2, *, include_contacts: bool = False,
            expand: tuple[str, ...] = (), through_hubs: bool = False) -> dict[str, Any]:
        """The ego network; it does not expand through hubs (graph.hubs) other than those in
        ``expand``, unless ``through_hubs``."""
        with self.store() as store:
            hubs = {} if through_hubs else self.hubs(store)
            g = project(store, Filters(focus=node_id, depth=depth, expand=tuple(expand)),
                        include_contacts=include_contacts, hubs=hubs)
        if node_id not in g:
            raise NotFound(f"no stakeholder with id {node_id!r}")
        # store values are plain already (GraphStore.read), so this is JSON as it stands;
        # ego_data adds how the explorer draws it (positions, colours, legend)
        from visualizations.network import ego_data  # pyvis, numpy: not for every command

        return ego_data(g, node_id, include_contacts=include_contacts)

    def paths(self, a: str, b: str, *, limit: int = 5, through_hubs: bool = False
              ) -> dict[str, Any]:
        """Shortest paths, searched in the database (no whole-graph projection), going round
        hubs when that costs one hop more at most (graph.projection.preferred_paths); the
        note says when they could not be avoided, or were."""
        with self.store() as store:
            names = _names(store, [a, b])
            for n in (a, b):
                if n not in names:
                    raise NotFound(f"no stakeholder with id {n!r}")
            choice = preferred_paths(store, a, b, hubs=self.hubs(store),
                                     through_hubs=through_hubs, limit=limit)
            ids = sorted(({n for p in choice.paths for n in p} | set(choice.hubs))
                         - names.keys())  # a, b: known
            names.update(_names(store, ids))
        return {"paths": [[{"id": n, "name": str(names.get(n) or n)} for n in p]
                          for p in choice.paths],
                "hubs": [{"id": h, "name": str(names.get(h) or h)} for h in choice.hubs],
                "went_round_hubs": choice.went_round,
                "note": path_note(choice, names)}

    def graph_of(self, store: GraphStore, state: str | None = None) -> Any:
        """One state's graph (graph.projection.project_state), or with no state the whole
        graph: what the map and the build views read."""
        return project_state(store, state) if state else project(store)

    def events(self, state: str | None = None) -> list[dict[str, Any]]:
        with self.store() as store:
            return store.read(queries.EVENTS, {"state": jurisdiction_param(state)})

    # -- keys and the audit trail
    def keys(self) -> KeyStore:
        return KeyStore(self.settings.keys_file or self.settings.data_dir / "api-keys.json")

    def audit(self) -> Audit:
        return Audit(self.settings.audit_file or self.settings.data_dir / "audit.log")

    def export(self, fmt: str, out: Path, filters: Filters | None = None, *,
               include_contacts: bool = False) -> list[Path]:
        if fmt not in graph_export.FORMATS:
            raise ConfigError(f"unknown export format {fmt!r}; use one of "
                              f"{', '.join(graph_export.FORMATS)}")
        if filters is not None and filters.kinds:  # as the loader reads them, or refused
            filters = replace(filters, kinds=tuple(
                vocabulary.view_kind(k) for k in filters.kinds))
        with self.store() as store:
            g = project(store, filters, include_contacts=include_contacts)
        return graph_export.export(g, fmt, Path(out))

    # -- analysis
    def analyze(self, *, state: str | None = None, as_of: dt.date | None = None,
                blueprint: Path | None = None, workers: int | None = None,
                scope: str | None = None) -> dict[str, Any]:
        """Every analysis (see graph.analysis.report) for one scope: a state (province,
        country), ``national`` (the whole graph, across states), or, by default, every
        jurisdiction with data and the national part. A graph with no jurisdiction at all is
        analysed as the national scope.

        All states run in ``workers`` processes (default: one per core), each projecting and
        analysing one state at a time: projection is mostly parsing in Python, so a second
        core halves the time."""
        as_of = as_of or dt.date.today()
        blueprint = blueprint or BLUEPRINT
        wanted = scope_param(scope or state)
        with self.store() as store:
            states = states_in_use(store)
            if wanted == NATIONAL or (wanted is None and not states):
                return analyze(project(store), states=[], as_of=as_of, blueprint=blueprint,
                               national_scope=True)
            if wanted:
                if wanted not in states:
                    raise ConfigError(f"nothing in the graph is in state {wanted}; jurisdictions "
                                      f"with data: {', '.join(states)}; or use the "
                                      f"{NATIONAL} scope")
                return analyze(project_state(store, wanted, attendance=True), states=[wanted],
                               as_of=as_of, blueprint=blueprint)
            whole = national_part(project(store), as_of=as_of, blueprint=blueprint)
            n = max(1, min(workers or os.cpu_count() or 1, len(states)))
            if n == 1:
                report = merge([analyze(project_state(store, st, attendance=True),
                                        states=[st], as_of=as_of, blueprint=blueprint)
                                for st in states])
                return {**report, "national": whole}
            # The parent keeps its store (and so the embedded server) open for the workers.
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(n, mp_context=ctx) as pool:
                parts = list(pool.map(_analyze_state, [(self.settings, st, as_of, blueprint)
                                                       for st in states]))
        return {**merge(parts), "national": whole}

    def scopes(self) -> dict[str, Any]:
        """The scopes one can analyse: ``national`` and every jurisdiction with data,
        grouped by country (the US, Canada, then the rest by name)."""
        with self.store() as store:
            states = states_in_use(store)
        groups: dict[str, list[dict[str, str]]] = {}
        for st in states:
            j = jurisdictions.jurisdiction(st)
            groups.setdefault(j.country, []).append({"scope": st, "name": j.name,
                                                     "kind": j.kind})
        order = {"US": "0", "CA": "1"}

        def country(code: str) -> str:
            return jurisdictions.from_code(code).name

        return {"national": NATIONAL, "countries": [
            {"country": c, "name": country(c),
             "jurisdictions": sorted(groups[c], key=lambda x: x["name"])}
            for c in sorted(groups, key=lambda c: order.get(c, "2" + country(c)))]}

    def render_report(self, report: dict[str, Any], fmt: str) -> str:
        if fmt == "json":
            return json.dumps(report, indent=1, ensure_ascii=False, default=str)
        from visualizations.briefing import to_html, to_markdown  # jinja2, markdown-it

        if fmt == "md":
            return to_markdown(report)
        if fmt == "html":
            from visualizations.charts import all_charts  # matplotlib: 0.35 s every command

            return to_html(report, charts=all_charts(report),
                           network_page=self._report_network(report))
        raise ConfigError(f"unknown report format {fmt!r}; use json, md or html")

    def charts(self, *, state: str | None = None, as_of: dt.date | None = None,
               scope: str | None = None) -> list[dict[str, str]]:
        """The report's charts (SVG with title and alt text) for one scope (see
        :meth:`analyze`)."""
        from visualizations.charts import all_charts  # matplotlib: 0.35 s every command

        return all_charts(self.analyze(state=state, scope=scope, as_of=as_of))

    def _report_network(self, report: dict[str, Any]) -> str:
        """The network view for a report: its state with the gap overlay, or the whole graph
        (aggregated if it is large)."""
        states = report["generated"]["states"]
        if len(states) == 1:
            return self.network_page(state=states[0], report=report)[0]
        return self.network_page()[0]

    # -- views
    def render(self, out: Path, **kwargs: Any) -> dict[str, Any]:
        """Write a network page (see :meth:`network_page`); return its facts and path."""
        html, facts = self.network_page(**kwargs)
        Path(out).write_text(html, encoding="utf-8")
        return {"path": str(out), **facts}

    def network_page(self, *, state: str | None = None, kinds: tuple[str, ...] = (),
                     focus: str | None = None, depth: int = 1,
                     path: tuple[str, str] | None = None, size_by: str = "degree",
                     overlay: bool = True, max_nodes: int = 2000,
                     include_contacts: bool = False, as_of: dt.date | None = None,
                     report: dict[str, Any] | None = None, through_hubs: bool = False,
                     expand: tuple[str, ...] = ()) -> tuple[str, dict[str, Any]]:
        """A network page: the whole graph, a state (with its gap overlay, from ``report``
        when the caller has one), a kind, an ego network, or the shortest paths between two
        entities."""
        st = jurisdiction_param(state)
        # an unknown kind is an error naming the accepted ones, never an empty page
        kinds = tuple(vocabulary.view_kind(k) for k in kinds)
        highlight = None
        context: set[str] | None = None
        notes: list[str] = []
        with self.store() as store:
            hubs = self.hubs(store) if (path or focus) and not through_hubs else {}
            if path:
                choice = preferred_paths(store, *path, hubs=hubs, through_hubs=through_hubs)
                highlight = choice.paths
                if choice.hubs:
                    notes.append(str(path_note(choice, _names(store, choice.hubs))))
                if not highlight:
                    raise ConfigError(f"no path between {path[0]} and {path[1]} (check both "
                                      "ids with: coalition query 'MATCH (n {id: $id}) "
                                      "RETURN n.name' -p id=...)")
                g = project_ids(store, sorted({n for p in highlight for n in p}),
                                include_contacts=include_contacts)
                title = f"Paths from {g.nodes[path[0]].get('name')} to " \
                        f"{g.nodes[path[1]].get('name')}"
            elif focus:
                g = project(store, Filters(focus=focus, depth=depth, kinds=kinds,
                                           expand=tuple(expand)),
                            include_contacts=include_contacts, hubs=hubs)
                if focus not in g:
                    raise ConfigError(f"no entity with id {focus!r}")
                title = f"{g.nodes[focus].get('name')} and its network (depth {depth})"
            elif st:
                g = project_state(store, st, include_contacts=include_contacts)
                title = f"{st} coalition" + (f": {', '.join(kinds)}" if kinds else "")
            else:
                g = project(store, include_contacts=include_contacts)
                title = "Coalition network" + (f": {', '.join(kinds)}" if kinds else "")
        from visualizations.network import kind_view, overlay_from_report, render_html

        gaps = None
        if kinds and not focus and not path:
            # the selection, the ties among them and, faded, the actors they are tied to
            g, context = kind_view(g, kinds)
        elif st and overlay and not focus and not path:
            report = report or analyze(g, states=[st], as_of=as_of)
            gaps = overlay_from_report(report, st)
        return render_html(g, title=title, overlay=gaps, highlight=highlight, size_by=size_by,
                           include_contacts=include_contacts, max_nodes=max_nodes,
                           context=context, notes=notes,
                           centre=focus if focus and not path else None)

    # -- the embedded server
    def _server(self) -> EmbeddedServer:
        if self.settings.store_kind != "embedded":
            raise ConfigError(f"'coalition store' manages the embedded store; COALITION_STORE "
                              f"is {self.settings.store}")
        return EmbeddedServer(self.settings.data_dir, self.settings.server_start_timeout)

    def store_start(self) -> dict[str, Any]:
        started = self._server().start(pin=True)
        return {"started": started, **self._server().status()}

    def store_stop(self) -> dict[str, Any]:
        return {"stopped": self._server().stop()}

    def store_status(self) -> dict[str, Any]:
        return self._server().status()

    # -- the demo
    def demo(self, *, reset: bool = False, out_dir: Path | None = None,
             progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
        """Load the seed workbook into the configured store; write the briefing into
        ``out_dir`` (if given); return what is there."""
        if reset:
            with self.store() as store:
                store.clear()
        report = self.load(SEED_DIR, progress=progress)
        result: dict[str, Any] = {"load": report.as_dict(), "stats": self.stats()}
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            analysis = self.analyze()
            for fmt in ("md", "json", "html"):
                path = out_dir / f"coalition-report.{fmt}"
                path.write_text(self.render_report(analysis, fmt), encoding="utf-8")
                result.setdefault("files", []).append(str(path))
            page = self.render(out_dir / "network.html")
            result["files"].append(page["path"])
            for st in analysis["generated"]["states"]:
                page = self.render(out_dir / f"network-{st}.html", state=st, report=analysis)
                result["files"].append(page["path"])
        return result


    # -- report documents drafted into workbooks (issue 12, item 5): extraction reads the
    # graph, to recognise its organizations and not redraft what it holds, and never writes
    def draft_tables(self, name: str, data: bytes) -> dict[str, Any]:
        """:meth:`extract` of an uploaded report, handed back as tables to correct (the
        import page) instead of a folder: ``sheets`` maps each drafted sheet to its
        ``columns`` and ``rows`` (each a mapping of the non-empty cells)."""
        from loaders.sources import read_workbook

        with tempfile.TemporaryDirectory() as d:
            report = Path(d) / Path(name).name
            report.write_bytes(data)
            try:
                result = self.extract(report, Path(d) / "draft", citation=report.name)
            except CoalitionError as e:
                e.args = tuple(a.replace(d + "/", "") if isinstance(a, str) else a
                               for a in e.args)
                raise
            book = read_workbook(Path(d) / "draft")
        sheets = {n: {"columns": [c for c in s.columns if c],
                      "rows": [{c: str(v) for c, v in row.items() if v is not None}
                               for _, row in s.rows]}
                  for n, s in book.sheets.items() if s.rows}
        return {"report": report.name, "sheets": sheets, "rows": result["rows"],
                "review": result["review"], "matched": result["matched"],
                "warnings": result["warnings"]}

    def extract(self, report: Path, out: Path, *, citation: str | None = None,
                use_graph: bool = True) -> dict[str, Any]:
        """Draft a workbook folder ``out`` from the impact report ``report``.

        With ``use_graph``, the graph's organizations and aliases are recognised too, and
        what the graph already holds is referred to by id rather than drafted again; a store
        that cannot be reached is reported, and the draft is made from the report and the
        shipped gazetteer."""
        from loaders import extract as extraction

        out = Path(out)
        if out.exists() and not out.is_dir():
            raise ConfigError(f"--out {out} is a file; give a folder for the drafted workbook")
        if out.is_dir() and any(out.iterdir()) and \
                not (out / extraction.draft.REVIEW_FILE).exists():
            raise ConfigError(f"{out} is not empty and holds no earlier draft; give a new or "
                              "empty folder, so that no workbook of yours is overwritten")
        warnings: list[str] = []
        graph = None
        if use_graph:
            try:
                with self.store() as store:
                    orgs = store.read(queries.STAKEHOLDER_CANDIDATES,
                                      {"kind": None, "state": None, "county": None})

                    draft, files = extraction.extract(
                        report, out, citation=citation, graph_orgs=orgs, store=store,
                        fuzzy_threshold=self.settings.fuzzy_threshold)
                    graph = store.description
            except StoreError as e:
                warnings.append(f"the graph could not be read ({e}); drafted from the report "
                                "and the shipped gazetteer only")
                use_graph = False
        if not use_graph:
            draft, files = extraction.extract(report, out, citation=citation)
        return {"report": str(report), "out": str(out), "files": [str(f) for f in files],
                "rows": draft.counts(), "review": draft.review,
                "matched": sorted(set(draft.matched)), "graph": graph, "warnings": warnings}
