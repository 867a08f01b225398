"""Turn validated workbook rows into graph records with provenance: the load *plan*.

Nothing here talks to a database except through the callables it is given: chiefly
``lookup_existing`` (ids the workbook refers to but does not define may already be in the
store). The plan is complete before anything is written, which is what makes loads
all-or-nothing.

Merged records (graph/merging.py, ``merged``: old id -> ``{into, name, aliases, label}``):
a row that defines a record merged away is not loaded again (a warning says so), and a
reference to its old id, or to its old name or alias where no row of the workbook has that
name, is a reference to the survivor. A person whose id was derived from the old
organization (a metric derived from its scope) keeps that id, so a reload finds them rather
than writing a twin; two rows that
are the same tie now (both records attended the same event) keep the first, with a warning.

Id derivation when a row has no id (stable across loads, readable):

- organization: ``org:<state>:<slug of normalised name>`` (``org:<slug>`` without a state)
- person: ``person:<organization id without 'org:'>:<slug of name>`` (``person:<slug>``)
- event: ``event:<state where held>:<date>:<slug of name>``
- program: ``program:<slug>``; model component: ``mve:<slug>``
- states ``state:MS``; counties ``county:<FIPS>``; metrics ``metric:<scope>:<name>:<date>``
- unnamed group: ``group:<event id without 'event:'>:<kind>[:<level>][:<role>]`` (the role
  when not attended); from a commitment ``group:<program id without its prefix>[:<state>]:
  <kind>[:<level>]:<commitment kind>[:<date>]``
- law: ``law:<state or us>:<slug of bill>``
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from rapidfuzz import fuzz, process

from graph import model
from graph.errors import RowIssue
from loaders import cells, duplicates, normalize, schema
from loaders.sources import SHEETS, Sheet, Workbook

#: labels a reference column may point at
ACTOR = ("Organization", "Person")
#: who may have taken part in an event or made a commitment: actors and unnamed groups
PARTICIPANT = (*ACTOR, "Group")
#: nodes that are never referred to by name
_UNNAMED = ("Metric", "State", "County", "Group", "Law")
#: unknown column names listed in a warning before "and N more"
_LISTED = 10
#: the labels of the nodes each sheet's rows define, for references to rejected rows
_SHEET_LABELS = {"organizations": ("Organization",), "people": ("Person",),
                 "events": ("Event",), "programs": ("Program", "ModelComponent")}
ANY_SCOPE = ("Event", "Organization", "Person", "State", "County", "Program", "ModelComponent")


@dataclass(slots=True)  # hundreds of thousands a load: no __dict__ each
class NodeRecord:
    id: str
    labels: tuple[str, ...]  # base label first, then the kind label if any
    props: dict[str, Any]


@dataclass(slots=True)
class EdgeRecord:
    type: str
    src: str
    dst: str
    key: str
    props: dict[str, Any]


@dataclass(slots=True)
class Entry:
    sheet: str
    file: str
    row: int
    data: schema._Row
    raw: dict[str, Any]


@dataclass
class Plan:
    nodes: dict[str, NodeRecord] = field(default_factory=dict)
    edges: dict[str, EdgeRecord] = field(default_factory=dict)
    issues: list[RowIssue] = field(default_factory=list)
    #: (file, row) -> raw row, for rows dropped with --skip-invalid
    rejected: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    rows_read: int = 0
    #: how many warnings are near-duplicates: the last ones of ``issues``' warnings
    near_duplicates: int = 0

    @property
    def errors(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[RowIssue]:
        return [i for i in self.issues if i.severity == "warning"]


def row_hash(props: dict[str, Any], *ends: str) -> str:
    """A digest of a record's properties (and an edge's ends), independent of key order."""
    blob = orjson.dumps([props, ends], option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(blob, digest_size=12).hexdigest()


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    # Neither store keeps null properties; leaving them out keeps hashes stable.
    return {k: v for k, v in d.items() if v is not None and v != ""}


class PlanBuilder:
    def __init__(self, workbook: Workbook, *, source_prefix: str, fuzzy_threshold: float,
                 lookup_existing: Callable[[list[str]], dict[str, dict[str, Any]]] | None = None,
                 existing_names: Callable[[list[str]], list[dict[str, Any]]] | None = None,
                 distinct_pairs: Callable[[], set[str]] | None = None,
                 merged: Callable[[], dict[str, dict[str, Any]]] | None = None):
        self.wb = workbook
        self.prefix = source_prefix
        self.threshold = fuzzy_threshold
        self.lookup_existing = lookup_existing or (lambda ids: {})
        self.existing_names = existing_names or (lambda states: [])
        #: pairs a person said are not the same organization (the review queue): not flagged
        self.distinct_pairs = distinct_pairs or (lambda: set())
        self.plan = Plan(issues=list(workbook.issues))
        self.entries: dict[str, list[Entry]] = defaultdict(list)
        self.defined: dict[str, tuple[str, Entry | None]] = {}  # id -> (base label, entry)
        self.by_name: dict[str, list[str]] = defaultdict(list)  # normalised name -> ids
        self.bad_rows: set[tuple[str, int]] = set()
        #: rows refused before the plan (bad cells): by their id, and by name and aliases
        #: (normalised) under ``name:``, so a reference to one says so
        self.rejected_ids: dict[str, Entry] = {}
        self.first_error: dict[tuple[str, int], RowIssue] = {}  # why a row is invalid
        for issue in sorted(workbook.issues):
            if issue.severity == "error":
                self.first_error.setdefault((issue.file, issue.row), issue)
        #: organization names and aliases (normalised) -> (id, entry, "name" or "alias")
        self.org_names: dict[str, list[tuple[str, Entry, str]]] = defaultdict(list)
        self.external: dict[str, dict[str, Any]] = {}  # referenced nodes already in the store
        self.row_ids: dict[tuple[str, int], str] = {}  # (file, row) -> the id it defines
        #: records merged away (graph/merging.py): old id -> {into (the survivor), name,
        #: aliases, label}, and their names and aliases (normalised) -> old id
        self.merged = merged() if merged else {}
        self.merged_names: dict[str, str] = {}
        self.absorbed: dict[str, list[str]] = defaultdict(list)  # survivor -> old ids
        for old, m in self.merged.items():
            self.absorbed[m["into"]].append(old)
            for n in [m.get("name"), *(m.get("aliases") or [])]:
                norm = normalize.normalize_name(str(n)) if n else ""
                if norm:
                    self.merged_names.setdefault(norm, old)
        #: rows a merge redirected a reference of, and the keys of the ties they made: a
        #: tie repeated because of a redirect is the same tie, not a mistake of the workbook
        self.redirected_rows: set[tuple[str, int]] = set()
        self.redirected_keys: set[str] = set()

    # ------------------------------------------------------------------ helpers
    def error(self, e: Entry | None, column: str, message: str, value: Any = "",
              *, file: str = "", row: int = 0) -> None:
        issue = RowIssue(e.file if e else file, e.row if e else row, column, message,
                         "" if value is None else str(value))
        self.plan.issues.append(issue)
        self.first_error.setdefault((issue.file, issue.row), issue)
        if e is not None:
            self.bad_rows.add((e.file, e.row))

    def invalid_row(self, file: str, row: int) -> str:
        """``organizations.csv row 4, which is invalid: <why>``, for a message about a row
        that refers to it."""
        # its own problem, else its header's (a missing or repeated column)
        why = self.first_error.get((file, row)) or self.first_error.get((file, 1))
        reason = ""
        if why is not None:
            short = why.message.split("; ")[0].split(". ")[0]
            short = short if len(short) <= 120 else short[:117] + "..."
            reason = f": {short}" + (f" (column '{why.column}')" if why.column else "")
        return f"{file} row {row}, which is invalid{reason}"

    def warn(self, file: str, row: int, column: str, message: str, value: Any = "") -> None:
        self.plan.issues.append(RowIssue(file, row, column, message, str(value), "warning"))

    def provenance(self, e: Entry) -> dict[str, Any]:
        return {"source": self.prefix + e.file, "source_row": e.row,
                "citation": e.data.citation}

    def add_node(self, e: Entry | None, node_id: str, labels: tuple[str, ...],
                 props: dict[str, Any], *, column: str = "id") -> bool:
        base = labels[0]
        if e is not None and node_id in self.merged:
            into = self.merged[node_id]["into"]
            self.warn(e.file, e.row, column, f"{node_id} was merged into {into} (coalition "
                      f"merge); this row is not loaded again, and what refers to it goes to "
                      f"{into}", node_id)
            return False
        if node_id in self.defined:
            _, prev = self.defined[node_id]
            if e is None:  # derived nodes (states, counties) may be implied many times
                return False
            where = f"{prev.file} row {prev.row}" if prev else "reference data"
            self.error(e, column, f"duplicate id: {where} already defines {node_id}; give one "
                       "of the rows another id, or delete the duplicate", node_id)
            return False
        self.defined[node_id] = (base, e)
        if e is not None:
            self.row_ids[(e.file, e.row)] = node_id
        props = _compact({"id": node_id, **props, **(self.provenance(e) if e else {})})
        self.plan.nodes[node_id] = NodeRecord(node_id, labels, props)
        if "name" in props and base not in _UNNAMED:
            self.by_name[normalize.normalize_name(str(props["name"]))].append(node_id)
        return True

    def add_edge(self, e: Entry | None, rtype: str, src: str, dst: str, key: str,
                 props: dict[str, Any]) -> None:
        if key in self.plan.edges and e is not None:
            if (e.file, e.row) in self.redirected_rows or key in self.redirected_keys:
                self.warn(e.file, e.row, "", "this row is the same tie as an earlier one now "
                          "that a record it names was merged into another; the earlier one "
                          "is kept", key)
                return
            self.error(e, "", "this row repeats an earlier one (same type, ends and date); "
                       "delete one of them", key)
            return
        if e is not None and (e.file, e.row) in self.redirected_rows:
            if src == dst:  # as the merge dropped it: one record has no tie with itself
                self.warn(e.file, e.row, "", f"both ends are {src} now that a record it "
                          "names was merged into it; the row is not loaded", key)
                return
            self.redirected_keys.add(key)
        out = {"key": key}
        for k, v in props.items():
            if v is not None and v != "":
                out[k] = v
        if e is not None:
            out["source"] = self.prefix + e.file
            out["source_row"] = e.row
            if e.data.citation:
                out["citation"] = e.data.citation
        self.plan.edges[key] = EdgeRecord(rtype, src, dst, key, out)

    def with_merged_names(self, name: str, aliases: list[str], olds: list[str]) -> list[str]:
        """``aliases`` and the names and aliases of the records merged into this one, each
        name once and never its own (as graph/merging.py keeps them)."""
        seen = {normalize.normalize_name(name)}
        out: list[str] = []
        for a in [*aliases, *(n for o in olds for n in [self.merged[o].get("name"),
                                                        *(self.merged[o].get("aliases")
                                                          or [])])]:
            norm = normalize.normalize_name(str(a)) if a else ""
            if norm and norm not in seen:
                seen.add(norm)
                out.append(str(a))
        return out

    def resolve(self, e: Entry, column: str, ref: str | None, allowed: tuple[str, ...]
                ) -> str | None:
        """The id ``ref`` stands for (an id or an exact name, here or in the store; the
        survivor for a record merged away), or None after recording why not."""
        return self.redirect(e, self.resolve_as_named(e, column, ref, allowed))

    def redirect(self, e: Entry, node_id: str | None) -> str | None:
        """The survivor of a record merged away (following merges of merges), else
        ``node_id``."""
        seen: set[str] = set()
        while node_id in self.merged and node_id not in seen:
            seen.add(node_id)
            node_id = self.merged[node_id]["into"]
            self.redirected_rows.add((e.file, e.row))
        return node_id

    def resolve_as_named(self, e: Entry, column: str, ref: str | None,
                         allowed: tuple[str, ...]) -> str | None:
        """:meth:`resolve`, without following a merge: the id the row means as written."""
        if not ref:
            return None
        if ref in self.merged and ref not in self.defined:
            if self.merged[ref].get("label") in allowed:
                return ref
            self.error(e, column, f"{ref} (merged into {self.merged[ref]['into']}) is a "
                       f"{self.merged[ref].get('label')}; expected {' or '.join(allowed)}",
                       ref)
            return None
        target = self._local(ref, allowed)
        if target is not None:
            if target.startswith("!"):
                self.error(e, column, target[1:], ref)
                return None
            return target
        node = self.external.get(ref)
        if node is not None:
            if set(node["labels"]) & set(allowed):
                return ref
            self.error(e, column, f"{ref} is a {_base(node['labels'])} in the store; expected "
                       f"{' or '.join(allowed)}", ref)
            return None
        r = self.rejected_ids.get(ref) or self._rejected_by_name(ref, allowed)
        if r is not None:
            self.error(e, column, f"refers to {self.invalid_row(r.file, r.row)}; fix that "
                       "row first", ref)
            return None
        self.error(e, column, self._dangling_message(ref, allowed), ref)
        return None

    def remember_rejected(self, sheet: str, file: str, row: int, raw: dict[str, Any]) -> None:
        """Index a row refused for its cells by what a reference may call it."""
        e = Entry(sheet, file, row, None, raw)  # type: ignore[arg-type]  # no valid data
        if e.raw.get("id"):
            self.rejected_ids.setdefault(str(e.raw["id"]), e)
        names = [e.raw.get("name")]
        if e.sheet == "organizations" and isinstance(e.raw.get("aliases"), str):
            names += e.raw["aliases"].split(";")
        for name in names:
            norm = normalize.normalize_name(str(name)) if name else ""
            if norm:
                self.rejected_ids.setdefault(f"name:{e.sheet}:{norm}", e)

    def _rejected_by_name(self, ref: str, allowed: tuple[str, ...]) -> Entry | None:
        norm = normalize.normalize_name(ref)
        if not norm:
            return None
        for sheet, labels in _SHEET_LABELS.items():
            if set(labels) & set(allowed):
                found = self.rejected_ids.get(f"name:{sheet}:{norm}")
                if found is not None:
                    return found
        return None

    def prefetch(self) -> None:
        """Ask the store, once, about every reference the workbook does not define."""
        refs: set[str] = set()
        columns = {"people": ("organization_id",), "programs": ("parent_id",),
                   "events": ("follows_event_id",),
                   "participation": ("entity_id", "event_id"),
                   "relationships": ("source_id", "target_id", "to_id", "event_id"),
                   "commitments": ("entity_id", "program", "event_id"),
                   "metrics": ("scope_id",), "laws": ("sponsors", "mandates")}
        for sheet, cols in columns.items():
            for e in self.entries[sheet]:
                for c in cols:
                    value = getattr(e.data, c)
                    for ref in value if isinstance(value, tuple) else (value,):
                        if ref and ref not in self.defined:
                            refs.add(ref)
        # what a reference to a record merged away becomes: the survivor, as any reference
        for ref in list(refs):
            while ref in self.merged and ref not in self.defined:
                ref = self.merged[ref]["into"]
                if ref not in self.defined:
                    refs.add(ref)
        for old in self.merged_names.values():  # an old name may be all a row gives
            at = self.merged[old]["into"]
            if at not in self.defined:
                refs.add(at)
        self.external = self.lookup_existing(sorted(refs)) if refs else {}

    def place(self, e: Entry, state: str | None, county: str | None) -> dict[str, Any]:
        """State and county properties, and the nodes for them."""
        out: dict[str, Any] = {"state": state}
        if state and f"state:{state}" not in self.defined:  # once a state, not once a row
            self.add_node(None, f"state:{state}", ("State",), normalize.state_props(state))
        if county:
            if not state:
                self.error(e, "county", "a county needs a state in the 'state' column", county)
                return out
            found = normalize.county(county, state)
            if found is None and not normalize.has_counties(state):
                self.error(e, "county", "counties are known for US states only (Census 2020 "
                           f"county list); leave 'county' empty for {state}", county)
                return out
            if found is None:
                best = normalize.suggest_county(county, state)
                hint = f"; did you mean {best!r}?" if best else ""
                self.error(e, "county", f"no county of that name in {state} "
                           f"(Census 2020 county list){hint}", county)
                return out
            fips, census_name = found
            out["county"] = census_name
            out["county_fips"] = fips
            self.add_node(None, f"county:{fips}", ("County",),
                          {"name": census_name, "state": state, "fips": fips,
                           "source": "reference: Census 2020 counties (addfips)"})
            self.add_edge(None, "LOCATED_IN", f"county:{fips}", f"state:{state}",
                          f"located:county:{fips}",
                          {"source": "reference: Census 2020 counties (addfips)"})
        return out

    def locate(self, e: Entry, node_id: str, place: dict[str, Any]) -> None:
        if place.get("county_fips"):
            target = f"county:{place['county_fips']}"
        elif place.get("state"):
            target = f"state:{place['state']}"
        else:
            return
        self.add_edge(e, "LOCATED_IN", node_id, target, f"located:{node_id}", {})

    # ------------------------------------------------------------------ passes
    def build(self) -> Plan:
        self.validate_rows()
        # Entities first, so that every reference can be resolved in one pass after one
        # store lookup; people after programs only because prefetch needs every id.
        for sheet, handle in (("organizations", self.organization), ("events", self.event),
                              ("programs", self.program)):
            for e in self.entries[sheet]:
                handle(e)
        scoring = self.start_near_duplicates()
        try:
            self.prefetch()
            for sheet, handle in (("people", self.person), ("programs", self.program_parent),
                                  ("events", self.event_follows),
                                  ("participation", self.participation),
                                  ("relationships", self.relationship),
                                  ("commitments", self.commitment), ("metrics", self.metric),
                                  ("laws", self.law)):
                for e in self.entries[sheet]:
                    handle(e)
        except BaseException:
            scoring.cancel()
            raise
        self.near_duplicates(scoring)
        self.drop_bad_rows()
        for rec in self.plan.nodes.values():
            rec.props["row_hash"] = row_hash(rec.props)
        for edge in self.plan.edges.values():
            edge.props["row_hash"] = row_hash(edge.props, edge.src, edge.dst)
        return self.plan

    def validate_rows(self) -> None:
        # Rows and headers the reader already found broken (a repeated column, a quote that
        # spans rows) are not validated again, and are never written, not even with
        # --skip-invalid: what they hold is not what their author meant.
        broken = {(i.file, i.row) for i in self.wb.issues if i.severity == "error"}
        for name in SHEETS:
            sheet = self.wb.sheets.get(name)
            if sheet is None:
                continue
            # A sheet without rows (an empty YAML list) needs no columns
            missing = [c for c in schema.required_columns(name)
                       if c not in sheet.columns and sheet.rows]
            for col in missing:
                self.error(None, col, f"missing column; the {name} sheet needs the columns "
                           f"{', '.join(schema.required_columns(name))}", file=sheet.file, row=1)
            unreadable = self.check_columns(sheet)
            header_broken = bool(missing or unreadable) or (sheet.file, 1) in broken
            self.plan.rows_read += len(sheet.rows)
            if not header_broken and sheet.checked and \
                    not any(f == sheet.file for f, _ in broken):
                # The usual case, a sheet without a bad cell: one call validates it all;
                # any row refused falls back to the row-by-row loop for its messages.
                bulk = schema.validate_rows(name, [raw for _, raw in sheet.rows])
                if bulk is not None:
                    entries = self.entries[name]
                    for (rownum, raw), data in zip(sheet.rows, bulk, strict=True):
                        entries.append(Entry(name, sheet.file, rownum, data, raw))
                    continue
            for rownum, raw in sheet.rows:
                if header_broken or (sheet.file, rownum) in broken:
                    self.plan.rejected[(sheet.file, rownum)] = cells.storable(raw)
                    self.bad_rows.add((sheet.file, rownum))
                    self.remember_rejected(name, sheet.file, rownum,
                                           self.plan.rejected[(sheet.file, rownum)])
                    continue
                issues = [] if sheet.checked else [
                    RowIssue(sheet.file, rownum, col, why, cells.shown(raw[col]))
                    for col, why in cells.row_problems(raw)]
                if not issues:
                    data, issues = schema.validate_row(name, sheet.file, rownum, raw)
                if issues:
                    self.plan.issues.extend(issues)
                    self.bad_rows.add((sheet.file, rownum))
                    self.first_error.setdefault((sheet.file, rownum), min(
                        (i for i in issues if i.severity == "error"), default=issues[0]))
                    raw = cells.storable(raw)
                    self.remember_rejected(name, sheet.file, rownum, raw)
                    self.plan.rejected[(sheet.file, rownum)] = raw
                    continue
                self.entries[name].append(Entry(name, sheet.file, rownum, data, raw))

    def check_columns(self, sheet: Sheet) -> bool:
        """Refuse column names that cannot be shown; summarise unknown ones in one warning
        (a 100,000-column header is one problem, not 100,000). True if the header is broken."""
        broken = False
        for col in sheet.columns:
            why = cells.text_problem(col) if col else None
            if why:
                self.error(None, cells.shown(col), f"the column name is unreadable: {why}",
                           file=sheet.file, row=1)
                broken = True
        known = set(schema.known_columns(sheet.name))
        unknown = [cells.shown(c) for c in sheet.columns if c and c not in known]
        if len(unknown) == 1:
            self.warn(sheet.file, 1, unknown[0], "column not used by the workbook format; "
                      f"ignored (known columns: {', '.join(sorted(known))})")
        elif unknown:
            listed = ", ".join(unknown[:_LISTED]) + (f" and {len(unknown) - _LISTED:,} more"
                                                     if len(unknown) > _LISTED else "")
            self.warn(sheet.file, 1, "", f"{len(unknown):,} columns not used by the workbook "
                      f"format were ignored: {listed} (known columns: "
                      f"{', '.join(sorted(known))})")
        return broken

    def organization(self, e: Entry) -> None:
        d: schema.OrganizationRow = e.data  # type: ignore[assignment]
        norm = normalize.normalize_name(d.name)
        node_id = d.id or (f"org:{d.state.lower()}:{normalize.slug(norm)}" if d.state
                           else f"org:{normalize.slug(norm)}")
        place = self.place(e, d.state, d.county)
        level = d.level or normalize.infer_level(d.name, d.kind, d.state)
        props = {"name": d.name, "kind": d.kind,
                 "sector": model.SECTORS[d.kind] if d.kind else None,
                 "level": level, "level_inferred": True if level and not d.level else None,
                 "city": d.city, "website": d.website, "note": d.note, **place,
                 "aliases": [a.strip() for a in d.aliases.split(";") if a.strip()]
                 if d.aliases else None}
        if node_id in self.absorbed:  # the names of what was merged into it stay its aliases
            props["aliases"] = self.with_merged_names(d.name, props["aliases"] or [],
                                                      self.absorbed[node_id]) or None
        labels = ("Organization", model.ORG_KINDS[d.kind]) if d.kind else ("Organization",)
        if self.add_node(e, node_id, labels, props):
            for alias in props["aliases"] or []:
                self.by_name[normalize.normalize_name(alias)].append(node_id)
            self.claim_names(e, node_id, d.name, props["aliases"] or [])
            self.locate(e, node_id, place)

    def claim_names(self, e: Entry, node_id: str, name: str, aliases: list[str]) -> None:
        """Warn when an alias is also another organization's alias or name: a reference
        by it matches both, and is refused."""
        mine = [(normalize.normalize_name(name), "name", name)] + \
            [(normalize.normalize_name(a), "alias", a) for a in aliases]
        warned: set[str] = set()
        for norm, how, written in mine:
            if not norm:
                continue
            for other_id, other, other_how in self.org_names.get(norm, ()):
                if other_id == node_id or "alias" not in (how, other_how) or \
                        other_id in warned:
                    continue
                warned.add(other_id)
                theirs = "alias" if other_how == "alias" else "name"
                self.warn(e.file, e.row, "aliases" if how == "alias" else "name",
                          f"the {how} '{cells.shown(written)}' is also the {theirs} of "
                          f"{other_id} ({other.file} row {other.row}); a reference to it "
                          "matches both organizations and is refused: keep the alias on "
                          "one of them", written)
            self.org_names[norm].append((node_id, e, how))

    def event(self, e: Entry) -> None:
        d: schema.EventRow = e.data  # type: ignore[assignment]
        start = d.date.date if d.date else "undated"
        held = d.state[0] if d.state else None
        parts = ["event", (held or "us").lower(), start, normalize.slug(d.name)]
        node_id = d.id or ":".join(parts)
        place = self.place(e, held, d.county)
        # A build drawing several jurisdictions stays where it was held (its id, county and
        # LOCATED_IN), and lists them all in `states`: only then, so one-state events and
        # their hashes stay as they were
        for other in (d.state or ())[1:]:
            self.add_node(None, f"state:{other}", ("State",), normalize.state_props(other))
        props = {"name": d.name, "kind": d.kind, **(d.date.props() if d.date else {}),
                 "city": d.city, "note": d.note, **place,
                 "states": list(d.state) if d.state and len(d.state) > 1 else None,
                 "followup_months": list(d.followup_months) if d.followup_months else None,
                 "contact": d.contact, "outcome": d.outcome}
        if d.followup_months and d.kind != "coalition build":
            self.error(e, "followup_months", "only a coalition build has a follow-up "
                       "schedule; leave it empty here", ";".join(map(str, d.followup_months)))
        for column, what in (("contact", "a contact kind"), ("outcome", "an outcome")):
            if getattr(d, column) and d.kind != "follow-up":
                self.error(e, column, f"only a follow-up has {what}; leave it empty here "
                           "or make the event's kind follow-up", getattr(d, column))
        if self.add_node(e, node_id, ("Event",), props):
            self.locate(e, node_id, place)

    def program(self, e: Entry) -> None:
        d: schema.ProgramRow = e.data  # type: ignore[assignment]
        is_component = d.kind == "model component"
        node_id = d.id or f"{'mve' if is_component else 'program'}:{normalize.slug(d.name)}"
        label = "ModelComponent" if is_component else "Program"
        if d.kind == "legislation":
            self.warn(e.file, e.row, "kind", "laws have a sheet of their own now (laws.csv: "
                      "jurisdiction, bill, status, what it mandates); a program of kind "
                      "legislation is not read as a law", d.kind)
        self.add_node(e, node_id, (label,), {"name": d.name, "kind": d.kind, "note": d.note})

    def event_follows(self, e: Entry) -> None:
        d: schema.EventRow = e.data  # type: ignore[assignment]
        node_id = self.row_ids.get((e.file, e.row))
        build = self.resolve(e, "follows_event_id", d.follows_event_id, ("Event",))
        if node_id and build:
            self.add_edge(e, "FOLLOWS", node_id, build, f"follows:{node_id}", {})

    def program_parent(self, e: Entry) -> None:
        d: schema.ProgramRow = e.data  # type: ignore[assignment]
        node_id = self.row_ids.get((e.file, e.row))
        parent = self.resolve(e, "parent_id", d.parent_id, ("Program",))
        if node_id and parent:
            self.add_edge(e, "PART_OF", node_id, parent, f"part_of:{node_id}", {})

    def person(self, e: Entry) -> None:
        d: schema.PersonRow = e.data  # type: ignore[assignment]
        role = d.role or ""
        if model.SENSITIVE_ROLE.search(role) and "victim" in role.lower():
            self.error(e, "role", "victims are never stored as people in this graph; record "
                       "what happened as counts in the metrics sheet instead", role)
            return
        if model.SENSITIVE_ROLE.search(role):
            personal = [c for c in ("name", "title", "email", "phone") if getattr(d, c)]
            if personal:
                self.error(e, personal[0], "personal details of survivors are never stored; "
                           "leave name, title, email and phone empty (the row is kept as an "
                           "anonymous speaker with its role)", getattr(d, personal[0]))
                return
            if not d.id:
                self.error(e, "id", "an anonymous person needs an id (e.g. "
                           "person:survivor-leader:gulfport-2020), since there is no name to "
                           "derive one from")
                return
        elif not d.name:
            self.error(e, "name", "this column must not be empty (only survivor-leaders are "
                       "stored without a name)")
            return
        org_tail = ""
        # The organization's id, however the row names it (id, name or alias), so that
        # "Biloxi PD" and "Biloxi Police Department" derive one person; as written when it
        # does not resolve (the row is refused for that anyway)
        named = self.resolve_as_named(e, "organization_id", d.organization_id,
                                      ("Organization",))
        org = self.redirect(e, named)
        if d.organization_id:
            # as named: a person derived from a record merged away keeps their id
            ref = named or d.organization_id
            org_tail = (ref.removeprefix("org:") if ":" in ref else
                        normalize.slug(normalize.normalize_name(ref))) + ":"
        node_id = d.id or f"person:{org_tail}{normalize.slug(d.name or '')}"
        name = d.name or f"{role.capitalize()} (anonymous)"
        props = {"name": name, "title": d.title, "role": d.role, "note": d.note,
                 "anonymous": True if not d.name else None,
                 **{p: getattr(d, p) for p in model.CONTACT_PROPERTIES}}
        if node_id in self.absorbed and d.name:  # a merge's names stay (people have no column)
            props["aliases"] = self.with_merged_names(d.name, [], self.absorbed[node_id]) \
                or None
        if not self.add_node(e, node_id, ("Person",), props):
            return
        if org:
            rec = self.plan.nodes.get(org)
            state = rec.props.get("state") if rec else self.external[org].get("state")
            person = self.plan.nodes[node_id].props
            if state:  # people are found by their organization's state
                person["state"] = state
            person["organization_id"] = org
            self.add_edge(e, "WORKS_FOR", node_id, org, f"works_for:{node_id}:{org}",
                          self.tenure(e, d.start, d.end))
        elif (d.start or d.end) and not d.organization_id:  # given but unknown: said above
            self.error(e, "start" if d.start else "end", "start and end date the person's "
                       "work for their organization: give organization_id too")

    def participation(self, e: Entry) -> None:
        d: schema.ParticipationRow = e.data  # type: ignore[assignment]
        rtype = model.PARTICIPATION[d.role]
        dst = self.resolve(e, "event_id", d.event_id, ("Event",))
        count = d.count.props("count") if d.count else {}
        if not self.group_columns_fit(e, d.entity_id, "kind", d.kind):
            return
        if d.entity_id:
            src = self.resolve(e, "entity_id", d.entity_id, PARTICIPANT)
        elif dst:
            tail = dst.removeprefix("event:")
            suffix = "" if d.role == "attended" else f":{normalize.slug(d.role)}"
            src = self.group(e, f"{tail}:{normalize.slug(d.kind or '')}", suffix, d.kind,
                             self.state_of(dst), self.states_of(dst))
        else:
            return
        if src and dst:
            self.add_edge(e, rtype, src, dst, f"{rtype.lower()}:{src}>{dst}:{d.role}",
                          {"role": d.role, **count, "note": d.note})

    def group_columns_fit(self, e: Entry, entity: str | None, kind_column: str,
                          kind: str | None) -> bool:
        """A row names an entity, or gives the kind (and count, name, level, unit) of an
        unnamed group: not both, not neither. False after recording why not."""
        d: schema._GroupColumns = e.data  # type: ignore[assignment]
        if entity and kind:
            self.error(e, kind_column, f"give either entity_id (a named organization or "
                       f"person) or {kind_column} (an unnamed group), not both; "
                       "an organization's kind belongs in the organizations sheet", kind)
        elif entity and (d.level or d.unit):
            column = "level" if d.level else "unit"
            self.error(e, column, f"{column} describes an unnamed group (a row with "
                       f"{kind_column} instead of entity_id); a named organization's level "
                       "belongs in the organizations sheet, and count is what it sent",
                       getattr(d, column))
        elif not entity and not kind:
            self.error(e, "entity_id", f"this column must not be empty; for an unnamed group "
                       f"leave it empty and give {kind_column} (an organization kind or a "
                       "sector) and, when the source gives a number, count (e.g. 3, 'about "
                       "30')")
        elif entity and d.name:
            self.error(e, "name", "name describes an unnamed group (a row with "
                       f"{kind_column} instead of entity_id); a named organization's or "
                       "person's name belongs in its own sheet", d.name)
        else:
            return True
        return False

    def group(self, e: Entry, key: str, suffix: str, kind: str | None, state: str | None,
              states: list[str] | None = None) -> str | None:
        """The node of an unnamed group of ``kind`` (docs/workbook.md, Unnamed groups)."""
        d: schema._GroupColumns = e.data  # type: ignore[assignment]
        assert kind  # group_columns_fit checked it
        level = d.level or normalize.infer_level("", kind, None)
        node_id = f"group:{key}{':' + d.level if d.level else ''}{suffix}"
        if node_id in self.defined:
            _, prev = self.defined[node_id]
            where = f"{prev.file} row {prev.row}" if prev else "the workbook"
            self.error(e, "count", f"{where} already gives an unnamed group of {kind} here "
                       f"({node_id}); add the counts up in one row, or tell the groups apart "
                       "with level", d.count.shown() if d.count else "")
            return None
        props = {"name": group_name(d.count, kind, d.level, d.unit, d.name), "kind": kind,
                 "sector": model.SECTORS.get(kind, kind),
                 **(d.count.props("count") if d.count else {}), "unit": d.unit,
                 "level": level,
                 "level_inferred": True if level and not d.level else None,
                 "state": state, "states": states, "unnamed": True, "note": d.note}
        if not self.add_node(e, node_id, ("Group",), props, column="entity_id"):
            return None
        return node_id

    def state_of(self, node_id: str) -> str | None:
        rec = self.plan.nodes.get(node_id)
        if rec is not None:
            return rec.props.get("state")
        return (self.external.get(node_id) or {}).get("state")

    def states_of(self, node_id: str) -> list[str] | None:
        """The jurisdictions an event draws when it lists several (None otherwise): what is
        known only as being at the event (an unnamed group, a metric) is in all of them."""
        rec = self.plan.nodes.get(node_id)
        found = rec.props.get("states") if rec is not None else \
            (self.external.get(node_id) or {}).get("states")
        return list(found) if found else None

    def outcome(self, e: Entry, src: str, event: str | None, what: str, key: str) -> None:
        """Tie whoever made a commitment or relationship to the event it came out of."""
        if event:
            self.add_edge(e, "OUTCOME_OF", src, event, f"outcome_of:{key}",
                          {"what": what, "via": key})

    def relationship(self, e: Entry) -> None:
        d: schema.RelationshipRow = e.data  # type: ignore[assignment]
        rtype = model.RELATIONSHIPS[d.type]
        targets = (*ACTOR, "Event") if rtype == "MEMBER_OF" else ACTOR
        src = self.resolve(e, "source_id", d.source_id, ACTOR)
        dst = self.resolve(e, "target_id", d.target_id, targets)
        to = self.resolve(e, "to_id", d.to_id, ACTOR)
        event = self.resolve(e, "event_id", d.event_id, ("Event",))
        if src and dst and bool(to) == bool(d.to_id) and bool(event) == bool(d.event_id):
            key = f"{rtype.lower()}:{src}>{dst}:{d.date or ''}"
            self.add_edge(e, rtype, src, dst, key,
                          {**(d.date.props() if d.date else {}), "status": d.status,
                           "note": d.note, "to_id": to, "event_id": event,
                           **self.tenure(e, d.start, d.end)})
            self.outcome(e, src, event, rtype, key)

    def tenure(self, e: Entry, start: str | None, end: str | None) -> dict[str, str | None]:
        """``start`` and ``end`` of a tie that holds for a while (docs/workbook.md, Time on
        ties); an end before the start is an error on the row."""
        if start and end and normalize.last_day(end) < normalize.first_day(start):
            self.error(e, "end", f"the tie ends ({end}) before it starts ({start}); write the "
                       "earlier date in start")
        return {"start": start, "end": end}

    def commitment(self, e: Entry) -> None:
        d: schema.CommitmentRow = e.data  # type: ignore[assignment]
        rtype = model.COMMITMENTS[d.kind]
        dst = self.resolve(e, "program", d.program, ("Program", "ModelComponent"))
        event = self.resolve(e, "event_id", d.event_id, ("Event",))
        if not self.group_columns_fit(e, d.entity_id, "entity_kind", d.entity_kind):
            return
        # Only as written: that a build's outcome holds in the build's state is not stated
        state = d.state
        if d.entity_id:
            src = self.resolve(e, "entity_id", d.entity_id, (*PARTICIPANT, "State"))
        elif dst:
            tail = dst.split(":", 1)[-1]
            where = f":{state.lower()}" if state else ""
            when = f":{d.date}" if d.date else ""
            src = self.group(e, f"{tail}{where}:{normalize.slug(d.entity_kind or '')}",
                             f":{d.kind}{when}", d.entity_kind, state)
        else:
            return
        if src and dst and bool(event) == bool(d.event_id):
            key = f"{rtype.lower()}:{src}>{dst}:{d.date or ''}"
            self.add_edge(e, rtype, src, dst, key,
                          {"kind": d.kind, "status": d.status,
                           **(d.date.props() if d.date else {}),
                           **(d.count.props("count") if d.count else {}), "state": d.state,
                           "event_id": event, "note": d.note})
            self.outcome(e, src, event, rtype, key)

    def metric(self, e: Entry) -> None:
        d: schema.MetricRow = e.data  # type: ignore[assignment]
        named = self.resolve_as_named(e, "scope_id", d.scope_id, ANY_SCOPE)
        scope = self.redirect(e, named)
        if not scope or not named:
            return
        start = d.date.date if d.date else "undated"
        # as named: a metric of a record merged away keeps its id, as a person does
        node_id = f"metric:{named}:{normalize.slug(d.name)}:{start}"
        # A metric is in the state of what it measures, so a state holding only metrics
        # still has data to analyse
        props = {"name": d.name, **d.value.props("value"), "unit": d.unit,
                 **(d.date.props() if d.date else {}), "origin": d.source,
                 "scope_id": scope, "state": self.state_of(scope),
                 "states": self.states_of(scope), "note": d.note}
        if self.add_node(e, node_id, ("Metric",), props, column="name"):
            self.add_edge(e, "HAS_METRIC", scope, node_id, f"has_metric:{node_id}", {})

    def law(self, e: Entry) -> None:
        d: schema.LawRow = e.data  # type: ignore[assignment]
        state = None if d.jurisdiction == "US" else d.jurisdiction
        node_id = d.id or f"law:{d.jurisdiction.lower()}:{normalize.slug(d.bill)}"
        # The date of the status: given, or the status's own date column when it has one
        date = d.date or (normalize.parse_date_value(getattr(d, d.status))
                          if d.status in ("introduced", "signed", "effective")
                          and getattr(d, d.status) else None)
        place = self.place(e, state, None) if state else {}
        props = {"name": d.title or d.bill, "bill": d.bill, "jurisdiction": d.jurisdiction,
                 "status": d.status,
                 **(date.props() if date else {}), "introduced": d.introduced,
                 "signed": d.signed, "effective": d.effective, "note": d.note, **place}
        if not self.add_node(e, node_id, ("Law",), props, column="bill"):
            return
        self.locate(e, node_id, place)
        for ref in d.mandates or ():
            program = self.resolve(e, "mandates", ref, ("Program", "ModelComponent"))
            if program:
                self.add_edge(e, "MANDATES", node_id, program,
                              f"mandates:{node_id}>{program}", {})
        for ref in d.sponsors or ():
            sponsor = self.resolve(e, "sponsors", ref, ACTOR)
            if sponsor:
                self.add_edge(e, "SPONSORS_BILL", sponsor, node_id,
                              f"sponsors_bill:{sponsor}>{node_id}", {})

    # ------------------------------------------------------------------ references
    def _local(self, ref: str, allowed: tuple[str, ...]) -> str | None:
        if ref in self.defined:
            base = self.defined[ref][0]
            return ref if base in allowed else f"!{ref} is a {base}; expected " + \
                " or ".join(allowed)
        if "State" in allowed:
            code = normalize.state_code(ref.removeprefix("state:"))
            # a row's exact name wins over a place's ("Jordan", "Chad"); "state:" forces it
            named = any(self.defined[i][0] in allowed
                        for i in self.by_name.get(normalize.normalize_name(ref), ()))
            if code and (ref.startswith("state:") or (len(ref) <= 20 and not named)):
                self.add_node(None, f"state:{code}", ("State",), normalize.state_props(code))
                return f"state:{code}"
        ids = [i for i in self.by_name.get(normalize.normalize_name(ref), [])
               if self.defined[i][0] in allowed]
        if len(set(ids)) == 1:
            return ids[0]
        if len(set(ids)) > 1:
            return f"!the name matches several rows ({', '.join(sorted(set(ids)))}); use the id"
        old = self.merged_names.get(normalize.normalize_name(ref))
        if old is not None and self.merged[old].get("label") in allowed:
            return old  # a name of a record merged away: resolve() follows it
        return None

    def _dangling_message(self, ref: str, allowed: tuple[str, ...]) -> str:
        candidates = {i: self.plan.nodes[i].props.get("name", i) for i, (b, _) in
                      self.defined.items() if b in allowed and i in self.plan.nodes}
        hint = ""
        if candidates:
            choices = {**{i: i for i in candidates}, **{f"{n}\x00{i}": n for i, n in
                                                        candidates.items()}}
            best = process.extractOne(ref, choices, scorer=fuzz.WRatio, score_cutoff=75)
            if best:
                target = best[2].split("\x00")[-1]
                hint = f"; did you mean {target} ({candidates[target]})?"
        return (f"refers to {ref}, which is neither an id nor an exact name of a "
                f"{' or '.join(allowed)} in this workbook or the store{hint}")

    # ------------------------------------------------------------------ near-duplicates
    def start_near_duplicates(self) -> duplicates.Scoring:
        """Start scoring the organizations' names (:meth:`near_duplicates`), in another
        process while the plan goes on: once the organizations sheet is read, which is all
        it needs."""
        by_state: dict[str, list[duplicates.Member]] = defaultdict(list)
        for node_id, (base, e) in self.defined.items():
            if base != "Organization" or e is None:
                continue
            rec = self.plan.nodes[node_id]
            by_state[rec.props.get("state", "")].append(
                duplicates.Member(node_id, str(rec.props["name"]), f"{e.file} row {e.row}"))
        states = sorted(s for s in by_state if s)
        for r in self.existing_names(states):
            if r["id"] in self.defined or not r.get("name"):
                continue
            by_state[r.get("state") or ""].append(
                duplicates.Member(r["id"], r["name"], "the store"))
        return duplicates.Scoring(list(by_state.values()), self.threshold)

    def near_duplicates(self, scoring: duplicates.Scoring) -> None:
        """Flag organizations whose names are alike but whose ids differ; never merge them.
        Candidates come by blocking, per state (loaders/duplicates.py); the warnings go last
        in the plan's issues, most similar first."""
        found = scoring.result()
        if found:
            distinct = self.distinct_pairs()
            found = [f for f in found if duplicates.pair_key(f[1].id, f[2].id) not in distinct]
        found.sort(key=lambda t: (-t[0], t[1].where, t[1].id, t[2].id))
        for score, a, b in found:
            first, second = (a, b) if a.where != "the store" else (b, a)
            where = first.where.split(" row ")
            self.warn(where[0], int(where[1]) if len(where) > 1 else 0, "name",
                      f"looks like the same organization as {second.id} ({second.where}), "
                      f"similarity {score:.0f}; if it is, give both the same id; "
                      "if not, nothing to do", first.id)
        self.plan.near_duplicates = len(found)

    def drop_bad_rows(self) -> None:
        if not self.bad_rows:
            return
        bad_ids = {i for i, (_, e) in self.defined.items()
                   if e is not None and (e.file, e.row) in self.bad_rows}
        for e_list in self.entries.values():
            for e in e_list:
                if (e.file, e.row) in self.bad_rows:
                    self.plan.rejected[(e.file, e.row)] = e.raw
        for key in list(self.plan.nodes):
            if key in bad_ids:
                del self.plan.nodes[key]
        for key, edge in list(self.plan.edges.items()):
            src = (edge.props.get("source", "").removeprefix(self.prefix),
                   edge.props.get("source_row"))
            if src in self.bad_rows:
                del self.plan.edges[key]
            elif edge.src in bad_ids or edge.dst in bad_ids:
                del self.plan.edges[key]
                end = edge.src if edge.src in bad_ids else edge.dst
                _, owner = self.defined[end]
                if src[1]:  # a row of the workbook, not a derived edge
                    self.plan.issues.append(RowIssue(
                        src[0], src[1], "", f"refers to {end} "
                        f"({self.invalid_row(owner.file, owner.row)}); fix that row first", end))
                    self.plan.rejected.setdefault(src, {})
        for (file, row) in self.bad_rows:
            if (file, row) not in self.plan.rejected:
                self.plan.rejected[(file, row)] = {}


def _base(labels: Iterable[str]) -> str:
    for label in labels:
        if label in model.BASE_LABELS:
            return label
    return "node"


def build_plan(workbook: Workbook, **kwargs: Any) -> Plan:
    return PlanBuilder(workbook, **kwargs).build()


#: what an unnamed group of a kind or sector is called: (one, many)
_NOUNS = {
    "law enforcement": ("law enforcement agency", "law enforcement agencies"),
    "victim services": ("victim services organization", "victim services organizations"),
    "industry": ("industry organization", "industry organizations"),
    "government": ("government body", "government bodies"),
    "civil society": ("civil society organization", "civil society organizations"),
    "trucking company": ("trucking company", "trucking companies"),
    "bus company": ("bus company", "bus companies"),
    "energy company": ("energy company", "energy companies"),
    "transit agency": ("transit agency", "transit agencies"),
    "state agency": ("state agency", "state agencies"),
    "federal agency": ("federal agency", "federal agencies"),
}


def group_name(count: schema.Bound | None, kind: str, level: str | None, unit: str | None,
               described: str | None = None) -> str:
    """How an unnamed group is shown: the source's words for it when the row gives them
    (``name``), else its kind; with its count when the source gives one.

    >>> group_name(schema.Bound(3), "casino", "local", None)
    '3 local casinos (unnamed)'
    >>> group_name(schema.Bound(28, "about", "~28"), "energy company", None, "people")
    '~28 people (energy company, unnamed)'
    >>> group_name(schema.Bound(1, "at least", "at least 1"), "law enforcement", "state", None)
    'at least 1 state law enforcement agency (unnamed)'
    >>> group_name(None, "law enforcement", "local", None, "local law enforcement")
    'local law enforcement (unnamed)'
    >>> group_name(schema.Bound(5), "law enforcement", "local", None, "local police departments")
    '5 local police departments (unnamed)'
    """
    shown = f"{count.shown()} " if count else ""
    if described:
        return f"{shown}{described} (unnamed)"
    one = count is not None and count.value == 1
    if unit == "people":
        what = ", ".join(x for x in (level, kind) if x)
        who = ("person" if one else "people") if count else "people"
        return f"{shown}{who} ({what}, unnamed)"
    singular, plural = _NOUNS.get(kind, (kind, kind + "s"))
    noun = singular if one else plural
    return f"{shown}{level + ' ' if level else ''}{noun} (unnamed)"
