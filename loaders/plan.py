"""Turn validated workbook rows into graph records with provenance: the load *plan*.

Nothing here talks to a database except through the one callable ``lookup_existing`` (ids the
workbook refers to but does not define may already be in the store). The plan is complete
before anything is written, which is what makes loads all-or-nothing.

Id derivation when a row has no id (stable across loads, readable):

- organization: ``org:<state>:<slug of normalised name>`` (``org:<slug>`` without a state)
- person: ``person:<organization id without 'org:'>:<slug of name>`` (``person:<slug>``)
- event: ``event:<state>:<date>:<slug of name>``
- program: ``program:<slug>``; model component: ``mve:<slug>``
- states ``state:MS``; counties ``county:<FIPS>``; metrics ``metric:<scope>:<name>:<date>``
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
from loaders import cells, normalize, schema
from loaders.sources import SHEETS, Sheet, Workbook

#: labels a reference column may point at
ACTOR = ("Organization", "Person")
#: unknown column names listed in a warning before "and N more"
_LISTED = 10
ANY_SCOPE = ("Event", "Organization", "Person", "State", "County", "Program", "ModelComponent")


@dataclass
class NodeRecord:
    id: str
    labels: tuple[str, ...]  # base label first, then the kind label if any
    props: dict[str, Any]


@dataclass
class EdgeRecord:
    type: str
    src: str
    dst: str
    key: str
    props: dict[str, Any]


@dataclass
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
                 existing_names: Callable[[list[str]], list[dict[str, Any]]] | None = None):
        self.wb = workbook
        self.prefix = source_prefix
        self.threshold = fuzzy_threshold
        self.lookup_existing = lookup_existing or (lambda ids: {})
        self.existing_names = existing_names or (lambda states: [])
        self.plan = Plan(issues=list(workbook.issues))
        self.entries: dict[str, list[Entry]] = defaultdict(list)
        self.defined: dict[str, tuple[str, Entry | None]] = {}  # id -> (base label, entry)
        self.by_name: dict[str, list[str]] = defaultdict(list)  # normalised name -> ids
        self.bad_rows: set[tuple[str, int]] = set()
        self.rejected_ids: dict[str, Entry] = {}
        self.external: dict[str, dict[str, Any]] = {}  # referenced nodes already in the store
        self.row_ids: dict[tuple[str, int], str] = {}  # (file, row) -> the id it defines

    # ------------------------------------------------------------------ helpers
    def error(self, e: Entry | None, column: str, message: str, value: Any = "",
              *, file: str = "", row: int = 0) -> None:
        self.plan.issues.append(RowIssue(
            e.file if e else file, e.row if e else row, column, message,
            "" if value is None else str(value),
        ))
        if e is not None:
            self.bad_rows.add((e.file, e.row))

    def warn(self, file: str, row: int, column: str, message: str, value: Any = "") -> None:
        self.plan.issues.append(RowIssue(file, row, column, message, str(value), "warning"))

    def provenance(self, e: Entry) -> dict[str, Any]:
        return {"source": self.prefix + e.file, "source_row": e.row,
                "citation": e.data.citation}

    def add_node(self, e: Entry | None, node_id: str, labels: tuple[str, ...],
                 props: dict[str, Any], *, column: str = "id") -> bool:
        base = labels[0]
        if node_id in self.defined:
            prev_label, prev = self.defined[node_id]
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
        if "name" in props and base not in ("Metric", "State", "County"):
            self.by_name[normalize.normalize_name(str(props["name"]))].append(node_id)
        return True

    def add_edge(self, e: Entry | None, rtype: str, src: str, dst: str, key: str,
                 props: dict[str, Any]) -> None:
        if key in self.plan.edges and e is not None:
            self.error(e, "", "this row repeats an earlier one (same type, ends and date); "
                       "delete one of them", key)
            return
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

    def resolve(self, e: Entry, column: str, ref: str | None, allowed: tuple[str, ...]
                ) -> str | None:
        """The id ``ref`` stands for (an id or an exact name, here or in the store), or None
        after recording why not."""
        if not ref:
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
        if ref in self.rejected_ids:
            r = self.rejected_ids[ref]
            self.error(e, column, f"refers to {ref}, whose own row ({r.file} row {r.row}) "
                       "is invalid; fix that row first", ref)
            return None
        self.error(e, column, self._dangling_message(ref, allowed), ref)
        return None

    def prefetch(self) -> None:
        """Ask the store, once, about every reference the workbook does not define."""
        refs: set[str] = set()
        columns = {"people": ("organization_id",), "programs": ("parent_id",),
                   "events": ("follows_event_id",),
                   "participation": ("entity_id", "event_id"),
                   "relationships": ("source_id", "target_id", "to_id", "event_id"),
                   "commitments": ("entity_id", "program"), "metrics": ("scope_id",)}
        for sheet, cols in columns.items():
            for e in self.entries[sheet]:
                for c in cols:
                    ref = getattr(e.data, c)
                    if ref and ref not in self.defined:
                        refs.add(ref)
        self.external = self.lookup_existing(sorted(refs)) if refs else {}

    def place(self, e: Entry, state: str | None, county: str | None) -> dict[str, Any]:
        """State and county properties, and the nodes for them."""
        out: dict[str, Any] = {"state": state}
        if state:
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
        self.prefetch()
        for sheet, handle in (("people", self.person), ("programs", self.program_parent),
                              ("events", self.event_follows),
                              ("participation", self.participation),
                              ("relationships", self.relationship),
                              ("commitments", self.commitment), ("metrics", self.metric)):
            for e in self.entries[sheet]:
                handle(e)
        self.near_duplicates()
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
            missing = [c for c in schema.required_columns(name) if c not in sheet.columns]
            for col in missing:
                self.error(None, col, f"missing column; the {name} sheet needs the columns "
                           f"{', '.join(schema.required_columns(name))}", file=sheet.file, row=1)
            unreadable = self.check_columns(sheet)
            header_broken = bool(missing or unreadable) or (sheet.file, 1) in broken
            self.plan.rows_read += len(sheet.rows)
            for rownum, raw in sheet.rows:
                if header_broken or (sheet.file, rownum) in broken:
                    self.plan.rejected[(sheet.file, rownum)] = cells.storable(raw)
                    self.bad_rows.add((sheet.file, rownum))
                    continue
                issues = [] if sheet.checked else [
                    RowIssue(sheet.file, rownum, col, why, cells.shown(raw[col]))
                    for col, why in cells.row_problems(raw)]
                if not issues:
                    data, issues = schema.validate_row(name, sheet.file, rownum, raw)
                if issues:
                    self.plan.issues.extend(issues)
                    self.bad_rows.add((sheet.file, rownum))
                    raw = cells.storable(raw)
                    if raw.get("id"):
                        self.rejected_ids[str(raw["id"])] = Entry(name, sheet.file, rownum,
                                                                  None, raw)  # type: ignore
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
        props = {"name": d.name, "kind": d.kind, "sector": model.SECTORS[d.kind],
                 "city": d.city, "website": d.website, "note": d.note, **place,
                 "aliases": [a.strip() for a in d.aliases.split(";") if a.strip()]
                 if d.aliases else None}
        if self.add_node(e, node_id, ("Organization", model.ORG_KINDS[d.kind]), props):
            for alias in props["aliases"] or []:
                self.by_name[normalize.normalize_name(alias)].append(node_id)
            self.locate(e, node_id, place)

    def event(self, e: Entry) -> None:
        d: schema.EventRow = e.data  # type: ignore[assignment]
        parts = ["event", (d.state or "us").lower(), d.date or "undated", normalize.slug(d.name)]
        node_id = d.id or ":".join(parts)
        place = self.place(e, d.state, d.county)
        precision = normalize.parse_date(d.date)[1] if d.date else None
        props = {"name": d.name, "kind": d.kind, "date": d.date, "date_precision": precision,
                 "city": d.city, "note": d.note, **place}
        if self.add_node(e, node_id, ("Event",), props):
            self.locate(e, node_id, place)

    def program(self, e: Entry) -> None:
        d: schema.ProgramRow = e.data  # type: ignore[assignment]
        is_component = d.kind == "model component"
        node_id = d.id or f"{'mve' if is_component else 'program'}:{normalize.slug(d.name)}"
        label = "ModelComponent" if is_component else "Program"
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
        if d.organization_id:  # from the reference as written, so the id is stable
            ref = d.organization_id
            org_tail = (ref.removeprefix("org:") if ":" in ref else
                        normalize.slug(normalize.normalize_name(ref))) + ":"
        node_id = d.id or f"person:{org_tail}{normalize.slug(d.name or '')}"
        name = d.name or f"{role.capitalize()} (anonymous)"
        props = {"name": name, "title": d.title, "role": d.role, "note": d.note,
                 "anonymous": True if not d.name else None,
                 **{p: getattr(d, p) for p in model.CONTACT_PROPERTIES}}
        if not self.add_node(e, node_id, ("Person",), props):
            return
        org = self.resolve(e, "organization_id", d.organization_id, ("Organization",))
        if org:
            rec = self.plan.nodes.get(org)
            state = rec.props.get("state") if rec else self.external[org].get("state")
            person = self.plan.nodes[node_id].props
            if state:  # people are found by their organization's state
                person["state"] = state
            person["organization_id"] = org
            self.add_edge(e, "WORKS_FOR", node_id, org, f"works_for:{node_id}:{org}", {})

    def participation(self, e: Entry) -> None:
        d: schema.ParticipationRow = e.data  # type: ignore[assignment]
        rtype = model.PARTICIPATION[d.role]
        src = self.resolve(e, "entity_id", d.entity_id, ACTOR)
        dst = self.resolve(e, "event_id", d.event_id, ("Event",))
        if src and dst:
            self.add_edge(e, rtype, src, dst, f"{rtype.lower()}:{src}>{dst}:{d.role}",
                          {"role": d.role, "count": d.count, "note": d.note})

    def relationship(self, e: Entry) -> None:
        d: schema.RelationshipRow = e.data  # type: ignore[assignment]
        rtype = model.RELATIONSHIPS[d.type]
        targets = (*ACTOR, "Event") if rtype == "MEMBER_OF" else ACTOR
        src = self.resolve(e, "source_id", d.source_id, ACTOR)
        dst = self.resolve(e, "target_id", d.target_id, targets)
        to = self.resolve(e, "to_id", d.to_id, ACTOR)
        event = self.resolve(e, "event_id", d.event_id, ("Event",))
        if src and dst and bool(to) == bool(d.to_id) and bool(event) == bool(d.event_id):
            self.add_edge(e, rtype, src, dst, f"{rtype.lower()}:{src}>{dst}:{d.date or ''}",
                          {"date": d.date, "status": d.status, "note": d.note, "to_id": to,
                           "event_id": event})

    def commitment(self, e: Entry) -> None:
        d: schema.CommitmentRow = e.data  # type: ignore[assignment]
        rtype = model.COMMITMENTS[d.kind]
        src = self.resolve(e, "entity_id", d.entity_id, (*ACTOR, "State"))
        dst = self.resolve(e, "program", d.program, ("Program", "ModelComponent"))
        if src and dst:
            self.add_edge(e, rtype, src, dst, f"{rtype.lower()}:{src}>{dst}:{d.date or ''}",
                          {"kind": d.kind, "status": d.status, "date": d.date,
                           "count": d.count, "note": d.note})

    def metric(self, e: Entry) -> None:
        d: schema.MetricRow = e.data  # type: ignore[assignment]
        scope = self.resolve(e, "scope_id", d.scope_id, ANY_SCOPE)
        if not scope:
            return
        node_id = f"metric:{scope}:{normalize.slug(d.name)}:{d.date or 'undated'}"
        props = {"name": d.name, "value": d.value, "unit": d.unit, "date": d.date,
                 "origin": d.source, "scope_id": scope, "note": d.note}
        if self.add_node(e, node_id, ("Metric",), props, column="name"):
            self.add_edge(e, "HAS_METRIC", scope, node_id, f"has_metric:{node_id}", {})

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
    def near_duplicates(self) -> None:
        """Flag organizations whose names are alike but whose ids differ; never merge them."""
        groups: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
        for node_id, (base, e) in self.defined.items():
            if base != "Organization" or e is None:
                continue
            rec = self.plan.nodes[node_id]
            norm = normalize.normalize_name(rec.props["name"])
            if norm:
                groups[(rec.props.get("state", ""), norm[0])].append(
                    (node_id, norm, f"{e.file} row {e.row}"))
        states = sorted({s for s, _ in groups if s})
        for r in self.existing_names(states):
            if r["id"] in self.defined or not r.get("name"):
                continue
            norm = normalize.normalize_name(r["name"])
            if norm and (r.get("state") or "", norm[0]) in groups:
                groups[(r.get("state") or "", norm[0])].append((r["id"], norm, "the store"))
        for members in groups.values():
            if len(members) < 2:
                continue
            names = [m[1] for m in members]
            scores = process.cdist(names, names, scorer=fuzz.token_sort_ratio,
                                   score_cutoff=self.threshold, workers=1)
            for i, j in zip(*scores.nonzero(), strict=True):
                if i >= j or "the store" == members[i][2] == members[j][2]:
                    continue
                a, b = members[i], members[j]
                first, second = (a, b) if a[2] != "the store" else (b, a)
                where = first[2].split(" row ")
                self.warn(where[0], int(where[1]) if len(where) > 1 else 0, "name",
                          f"looks like the same organization as {second[0]} ({second[2]}), "
                          f"similarity {scores[i, j]:.0f}; if it is, give both the same id; "
                          "if not, nothing to do", first[0])

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
                        src[0], src[1], "", f"refers to {end}, whose own row ({owner.file} row "
                        f"{owner.row}) is invalid; fix that row first", end))
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
