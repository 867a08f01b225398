"""The drafted workbook: rows of the workbook format (docs/workbook.md), each citing the
report and carrying, in ``note``, how sure the draft is, why, and the sentence it came from.

The format has no column for a confidence or a source sentence, and a column it does not
know is ignored with a warning at every load, so both go in ``note``, which every sheet
takes: ``draft 0.80 (the word 'police'; kind by 'police'): "The Biloxi Police ..."``.
A draft never redefines what the graph already holds: an organization, event or programme
found in the graph is referred to by its id, and its own row is left as it is.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph import model
from graph.export import defuse_formula
from loaders import normalize, schema
from loaders.extract.entities import SENSITIVE, Evidence, Org, Person, Recognizer, sensitive_near
from loaders.extract.records import Event, Facts, Group
from loaders.sources import SHEETS

#: a note quotes at most this much of its sentence
MAX_QUOTE = 400
REVIEW_FILE = "REVIEW.md"  # not a .csv: a workbook folder's loader leaves it alone


@dataclass
class Row:
    sheet: str
    cells: dict[str, Any]
    confidence: float
    why: str
    sentence: str

    @property
    def label(self) -> str:
        c = self.cells
        return str(c.get("name") or c.get("id") or " ".join(
            str(c.get(k)) for k in ("entity_id", "role", "kind", "event_id", "program",
                                    "scope_id", "source_id", "type", "target_id") if c.get(k)))


@dataclass
class Draft:
    report: str
    citation: str
    rows: list[Row] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)  # ids of the graph referred to

    def sheet(self, name: str) -> list[Row]:
        return [r for r in self.rows if r.sheet == name]

    def counts(self) -> dict[str, int]:
        return {s: len(self.sheet(s)) for s in SHEETS if self.sheet(s)}


def _quote(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE - 1].rstrip() + "…"


class Drafter:
    def __init__(self, rec: Recognizer, facts: Facts, *, report: str, citation: str):
        self.rec, self.facts = rec, facts
        self.draft = Draft(report, citation)
        self.ids: dict[int, str] = {}  # id(object) -> drafted id
        self.in_graph: set[str] = set()  # organizations recognised from the graph
        self.group_ids: set[str] = set()  # unnamed groups' ids, as the loader derives them

    # -- notes
    def sentence(self, ev: Evidence) -> str:
        """The sentence as a note may hold it: names beside survivor/victim blanked, and
        contact details left to the columns that are shown only to roles allowed them."""
        text = ev.sentence.text
        for a, b in sorted(self.rec.redact.get(ev.sentence.index, []), reverse=True):
            text = text[:a] + "[name withheld]" + text[b:]
        if SENSITIVE.search(text):
            for p in self.rec.people.values():
                for m in reversed(list(re.finditer(re.escape(p.name), text))):
                    if sensitive_near(text, m.start(), m.end()):
                        text = text[:m.start()] + "[name withheld]" + text[m.end():]
        text = re.sub(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", "[email]", text)
        text = re.sub(r"(?<!\d)(?:\+?1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}(?!\d)",
                      "[phone]", text)
        return _quote(text)

    def add(self, sheet: str, cells: dict[str, Any], confidence: float, why: str,
            ev: Evidence) -> Row:
        quote = self.sentence(ev)
        confidence = round(min(max(confidence, 0.05), 0.99), 2)
        note = f'draft {confidence:.2f} ({why}): "{quote}"'
        row = Row(sheet, {**cells, "note": note, "citation": self.draft.citation}, confidence,
                  why, quote)
        self.draft.rows.append(row)
        return row

    # -- ids, as loaders/plan.py derives them
    def org_id(self, org: Org) -> str:
        if org.known is not None and org.known.id:
            return org.known.id
        slug = normalize.slug(org.key)
        return f"org:{org.state.lower()}:{slug}" if org.state else f"org:{slug}"

    def event_id(self, e: Event) -> str:
        # as loaders/plan.py derives it: a span's id uses its start (docs/workbook.md, Dates)
        start = e.date.split("/")[0] if e.date else "undated"
        return ":".join(["event", (e.state or "us").lower(), start, normalize.slug(e.name)])

    def person_id(self, p: Person) -> str:
        tail = self.ids[id(p.org)].removeprefix("org:") + ":" if p.org is not None and \
            id(p.org) in self.ids else ""
        return f"person:{tail}{normalize.slug(p.name)}"

    def ref(self, who: Org | Person | Event) -> str | None:
        return self.ids.get(id(who))

    # -- the sheets
    def build(self) -> Draft:
        orgs = [o for o in self.rec.orgs.values() if self.keep(o)]
        for o in orgs:
            self.ids[id(o)] = self.org_id(o)
        for p in self.rec.people.values():
            self.ids[id(p)] = self.person_id(p)
        for e in self.facts.events:
            self.ids[id(e)] = self.event_id(e)
        programs = {c.program: c.program_kind for c in self.facts.commitments}
        program_ids = {name: f"program:{normalize.slug(name)}" for name in programs}
        self.in_graph = {o.known.id for o in orgs if o.known is not None and o.known.id}
        self.organizations(orgs)
        self.people()
        self.events()
        for name, kind in programs.items():
            pid = program_ids[name]
            first = next(c for c in self.facts.commitments if c.program == name)
            self.add("programs", {"id": pid, "name": name, "kind": kind}, 0.6,
                     f"named in an outcome sentence; kind by the word "
                     f"'{name.split()[-1]}'", first.evidence)
        self.participation()
        self.commitments(program_ids)
        self.metrics()
        self.relationships()
        self.draft.review += self.facts.review
        self.near_duplicates(orgs)
        return self.draft

    def keep(self, org: Org) -> bool:
        """Generic names ("the Department of Transportation") only from a factual sentence of
        a report that says where: then it names that state's agency."""
        if not org.generic:
            return True
        for s in org.sentences:
            if s.programme or s.heading or s.repeat:
                continue
            state = self.rec.sentence_state(s) or self.rec.state
            if state:
                org.state = state
                org.name = f"{org.name} ({normalize.state_name(state)})"
                org.evidence = Evidence(s, org.evidence.why + "; a generic name, placed in "
                                        f"{state} by the report", 0.4)
                org.place_why = "the report's state"
                known = self.rec.gaz.lookup(org.name)
                if known is not None and known.id:  # the graph already has "DMV (Mississippi)"
                    org.known, org.kind = known, self.rec.kind_of(Org(known.name, org.key,
                                                                      org.evidence, known=known))
                    return True
                self.draft.review.append(
                    f"{org.name}: the report says only '{org.name.split(' (')[0]}'; check "
                    "which agency it is")
                return True
        return False

    def organizations(self, orgs: list[Org]) -> None:
        for o in orgs:
            oid = self.ids[id(o)]
            if oid in self.in_graph:
                self.draft.matched.append(oid)
                continue
            kind = o.kind
            assert kind is not None
            why = f"{o.evidence.why}; kind by {kind.rule!r}"
            if o.place_why:
                why += f"; state: {o.place_why}"
            county = o.county.removesuffix(" County") if o.county else None
            self.add("organizations", {
                "id": oid, "name": o.name, "kind": kind.kind or None, "state": o.state,
                "county": county, "aliases": "; ".join(o.aliases) or None,
            }, min(o.evidence.confidence, kind.confidence), why, o.evidence)
            if not kind.kind:
                self.draft.review.append(
                    f"{o.name}: kind unknown: pick one of {', '.join(model.ORG_KINDS)} (or "
                    "leave it empty: it then loads without a kind, fills no role that needs "
                    "one and counts under no sector)")
            elif kind.confidence < 0.5:
                self.draft.review.append(f"{o.name}: kind '{kind.kind}' is a weak guess "
                                         f"({kind.rule}); check it")

    def people(self) -> None:
        for p in self.rec.people.values():
            pid = self.ids[id(p)]
            org = self.ref(p.org) if p.org is not None else None
            why = p.evidence.why + (f"; organization: {p.org_why}" if org else
                                    "; no organization named")
            self.add("people", {"id": pid, "name": p.name, "organization_id": org,
                                "title": p.title, "role": p.role, "email": p.email,
                                "phone": p.phone},
                     p.evidence.confidence - (0 if org else 0.1), why, p.evidence)
        for event, ev in self.facts.survivors:
            eid = self.ids[id(event)]
            pid = "person:survivor-leader:" + eid.removeprefix("event:")
            self.ids[id(ev)] = pid
            self.add("people", {"id": pid, "role": "survivor-leader"}, ev.confidence,
                     ev.why, ev)
            self.add("participation", {"entity_id": pid, "event_id": eid, "role": "spoke"},
                     ev.confidence, "the survivor spoke", ev)

    def events(self) -> None:
        for e in self.facts.events:
            eid = self.ids[id(e)]
            why = "the report's title and dateline" if e.dateline else e.evidence.why
            self.add("events", {"id": eid, "name": e.name, "kind": e.kind, "date": e.date,
                                "city": e.city, "state": e.state,
                                "follows_event_id": self.ref(e.follows) if e.follows
                                else None},
                     e.evidence.confidence - (0 if e.state else 0.2), why, e.evidence)

    def group_id(self, gid: str, group: Group, ev: Evidence) -> bool:
        """Claim the id the loader gives an unnamed group (loaders/plan.py); a second group
        of the same kind and level there is an error for the loader, so it is left to the
        review instead."""
        if gid in self.group_ids:
            self.draft.review.append(
                f"'{group.name}' ({group.count or 'no number'}, {ev.sentence.text[:80]!r}): "
                f"a second unnamed group of {group.kind} where the draft already has one "
                f"({gid}); the workbook takes one a kind and level: add them up in that row, "
                "or tell them apart with level")
            return False
        self.group_ids.add(gid)
        self.ids[id(group)] = gid
        return True

    def group_cells(self, g: Group) -> dict[str, Any]:
        return {"name": g.name, "count": g.count, "level": g.level, "unit": g.unit}

    def participation(self) -> None:
        for r in self.facts.roles:
            if isinstance(r.who, Group):
                event = self.ref(r.event)
                if not event:
                    continue
                suffix = "" if r.role == "attended" else f":{normalize.slug(r.role)}"
                gid = f"group:{event.removeprefix('event:')}:{normalize.slug(r.who.kind)}" + \
                    (f":{r.who.level}" if r.who.level else "") + suffix
                if self.group_id(gid, r.who, r.evidence):
                    self.add("participation", {"entity_id": None, "event_id": event,
                                               "role": r.role, "kind": r.who.kind,
                                               **self.group_cells(r.who)},
                             r.evidence.confidence, r.evidence.why, r.evidence)
                    self.draft.review.append(
                        f"unnamed group '{r.who.name}' ({r.who.count or 'no number'}, kind "
                        f"{r.who.kind}) at {event}: name them if the report or the sign-in "
                        "sheet does")
                continue
            who, event = self.ref(r.who), self.ref(r.event)
            if who and event:
                self.add("participation", {"entity_id": who, "event_id": event,
                                           "role": r.role}, r.evidence.confidence,
                         r.evidence.why, r.evidence)

    def commitments(self, program_ids: dict[str, str]) -> None:
        for c in self.facts.commitments:
            who = self.ref(c.who)
            event = self.ref(c.event) if c.event is not None else None
            cells = {"entity_id": who, "program": program_ids[c.program], "kind": c.kind,
                     "status": c.status, "count": None if isinstance(c.who, Group) else
                     c.count, "event_id": event}
            if isinstance(c.who, Group) and not who:
                # a group met only here: the commitment row describes it (docs/workbook.md)
                g = c.who
                gid = f"group:{program_ids[c.program].split(':', 1)[-1]}:" \
                    f"{normalize.slug(g.kind)}" + (f":{g.level}" if g.level else "") + \
                    f":{c.kind}"
                if not self.group_id(gid, g, c.evidence):
                    continue
                cells.update(entity_kind=g.kind, **self.group_cells(g))
            if cells["entity_id"] or cells.get("entity_kind"):
                self.add("commitments", cells, c.evidence.confidence, c.evidence.why,
                         c.evidence)

    def metrics(self) -> None:
        for m in self.facts.metrics:
            scope = self.ref(m.scope)
            if not scope:
                continue
            date = m.scope.date if isinstance(m.scope, Event) else None
            why = m.evidence.why
            if m.qualifier:
                # the loader stores the number with value_qualifier; the note keeps the
                # report's words, which the bound syntax may not take ("nearly 100")
                why += f"; a bound: {m.qualifier} {m.value}, as written '{m.written}'"
            value = m.cell if m.qualifier and m.cell is not None else m.value
            self.add("metrics", {"scope_id": scope, "name": m.name, "value": value,
                                 "unit": m.unit, "date": date, "source": m.source},
                     m.evidence.confidence, why, m.evidence)

    def relationships(self) -> None:
        seen = set()
        for t in self.facts.ties:
            src, dst = self.ref(t.source), self.ref(t.target)
            if not src or not dst or src == dst or (src, t.type, dst) in seen:
                continue
            seen.add((src, t.type, dst))
            self.add("relationships", {"source_id": src, "type": t.type, "target_id": dst,
                                       "event_id": self.ref(t.event) if t.event else None,
                                       "status": t.status}, t.evidence.confidence,
                     t.evidence.why, t.evidence)

    def near_duplicates(self, orgs: list[Org]) -> None:
        from rapidfuzz import fuzz, process

        keys = [o.key for o in orgs]
        scores = process.cdist(keys, keys, scorer=fuzz.token_sort_ratio, score_cutoff=90,
                               workers=1)
        for i, j in zip(*scores.nonzero(), strict=True):
            a, b = orgs[i], orgs[j]
            if i < j and a.key != b.key:
                self.draft.review.append(
                    f"'{a.name}' and '{b.name}' may be one organization (similarity "
                    f"{scores[i, j]:.0f}); if so, keep one row and list the other name in its "
                    "aliases")


# ---------------------------------------------------------------------------- the graph

def prune(draft: Draft, out: Path, store: Any, *, fuzzy_threshold: float = 92.0) -> None:
    """Leave out of the draft what the graph already holds (a record with the same id or key),
    so that loading the draft never rewrites it. ``out`` must hold the written draft."""
    from loaders.load import plan_workbook

    plan = plan_workbook(out, store, fuzzy_threshold=fuzzy_threshold)
    if plan.errors:
        draft.review.append("the draft does not validate, so what the graph already holds "
                            "was not left out: " + str(plan.errors[0]))
        return
    present: set[tuple[str, int]] = set()
    prefix = f"{out.name}/"
    absent = store.changed_nodes([{"id": r.id, "hash": r.props["row_hash"]}
                                  for r in plan.nodes.values() if r.props.get("source_row")])
    for r in plan.nodes.values():
        if r.props.get("source_row") and not absent.get(r.id, False):
            present.add((r.props["source"].removeprefix(prefix), r.props["source_row"]))
    by_type: dict[str, list[Any]] = {}
    for e in plan.edges.values():
        if e.props.get("source_row") and e.type not in ("LOCATED_IN", "WORKS_FOR",
                                                         "HAS_METRIC", "PART_OF", "FOLLOWS"):
            by_type.setdefault(e.type, []).append(e)
    for rtype, edges in by_type.items():
        found = store.changed_edges(rtype, [{"src": e.src, "key": e.key,
                                             "hash": e.props["row_hash"]} for e in edges])
        for e in edges:
            if not found.get(e.key, False):
                present.add((e.props["source"].removeprefix(prefix), e.props["source_row"]))
    keep = []
    counters: dict[str, int] = {}
    for row in draft.rows:
        n = counters[row.sheet] = counters.get(row.sheet, 1) + 1  # header is row 1
        if (f"{row.sheet}.csv", n) in present:
            draft.matched.append(str(row.cells.get("id") or row.label))
        else:
            keep.append(row)
    draft.rows = keep


# ---------------------------------------------------------------------------- writing

def write(draft: Draft, out: Path) -> list[Path]:
    """The workbook folder: one CSV per drafted sheet, and REVIEW.md for the person."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet in SHEETS:
        rows = draft.sheet(sheet)
        path = out / f"{sheet}.csv"
        if not rows:
            if path.exists():  # a sheet of an earlier draft into the same folder
                path.unlink()
            continue
        columns = [c for c in schema.known_columns(sheet)
                   if c not in ("owner_id", "note", "citation")] + ["note", "citation"]
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(columns)
            for r in rows:
                w.writerow([_cell(r.cells.get(c)) for c in columns])
        written.append(path)
    review = out / REVIEW_FILE
    review.write_text(review_text(draft), encoding="utf-8")
    written.append(review)
    return written


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return defuse_formula(str(v))


def review_text(draft: Draft) -> str:
    intro = ("Drafted by `coalition extract` for a person to check before loading. Every row "
             f"cites `{draft.citation}`; its `note` starts with `draft <confidence>` and says "
             "why, then quotes the sentence it came from. Correct or delete rows, then load "
             "the folder (`coalition load <folder> --dry-run` first).")
    lines = [f"# Draft from {draft.report}", "", intro, ""]
    if draft.review:
        lines += ["## Check these first", ""] + [f"- {r}" for r in draft.review] + [""]
    low = sorted((r for r in draft.rows if r.confidence < 0.5), key=lambda r: r.confidence)
    if low:
        lines += ["## Least certain rows", ""] + [
            f"- {r.sheet}: {r.label} ({r.confidence:.2f}: {r.why})" for r in low] + [""]
    if draft.matched:
        lines += ["## Already in the graph (referred to by id, not redrafted)", ""] + [
            f"- {i}" for i in sorted(set(draft.matched))] + [""]
    lines += ["## Drafted", "", "| sheet | rows |", "|---|---|"] + [
        f"| {s} | {n} |" for s, n in draft.counts().items()] + [""]
    return "\n".join(lines).rstrip() + "\n"
