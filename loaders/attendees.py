"""Registration, sign-in and check-in exports, imported as people at an event.

An export is one CSV or XLSX sheet, one row per attendee, as event tools write it. Its columns
are recognised by their usual names (``SYNONYMS``; others with ``--map COL=FIELD``). Each
organization it names is matched to the graph (an id, the exact or normalised name, an
alias), or created with a kind guessed from its name by the shared rules of
``loaders/gazetteer.yaml``; a guess, and a close but unequal name in the event's state, are
listed for review, never merged. The review file (``<export>.review.yaml``) is where a
person corrects them; the next import applies it.

Nothing here writes: the import becomes a workbook (organizations, people, participation)
that the loader checks and writes like any other (``loaders.load.load``), so bad input gets
the loader's row-level messages and a refused import leaves the graph as it was.
See docs/intake.md, "Attendee exports".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from graph import model, queries
from graph.changelog import Who
from graph.errors import LoadError, RowIssue
from graph.store import GraphStore
from loaders import normalize, sources
from loaders.gazetteer import Gazetteer, load_gazetteer
from loaders.load import LoadReport, load
from loaders.sources import Sheet, Workbook

#: the fields an attendee row can give, and the column names export tools use for them
#: (compared lower case, punctuation as spaces: "E-mail Address" is "e mail address")
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "attendee", "attendee name", "participant",
             "participant name", "registrant", "registrant name", "your name", "contact name"),
    "first_name": ("first name", "first", "firstname", "given name", "fname", "first name s"),
    "last_name": ("last name", "last", "lastname", "surname", "family name", "lname"),
    "organization": ("organization", "organisation", "company", "agency", "employer", "org",
                     "affiliation", "organization name", "company name", "agency name",
                     "employer name", "company organization", "organization company",
                     "agency organization", "organization agency", "your organization"),
    "title": ("title", "job title", "position", "job position", "title position",
              "job title position"),
    "email": ("email", "e mail", "email address", "e mail address", "work email"),
    "phone": ("phone", "phone number", "telephone", "mobile", "mobile phone", "cell",
              "cell phone", "work phone"),
    "attended": ("attended", "checked in", "check in", "checkin", "present", "attendance",
                 "signed in", "attended y n", "checked in y n", "check in status"),
}
FIELDS = tuple(SYNONYMS)

#: attendance cells, as tools and people write them (lower case); anything else is asked about
#: ("attending", as Eventbrite's Attendee Status says of every ticket holder, is not here:
#: it says registered, not present)
YES = frozenset({"yes", "y", "x", "✓", "✔", "✔️", "☑", "true", "t", "1", "checked in",
                 "present", "attended"})
NO = frozenset({"no", "n", "false", "f", "0", "-", "not checked in", "absent", "no show",
                "did not attend"})

#: similarity (rapidfuzz token_sort_ratio of normalised names, 0-100) at which an unmatched
#: organization is shown beside one of the event's state for review. Lower than the loader's
#: near-duplicate threshold: here nothing is merged on it, a person only looks.
REVIEW_THRESHOLD = 85.0
REVIEW_SUFFIX = ".review.yaml"


def header_key(text: str) -> str:
    """A column name as it is compared with the synonyms.

    >>> header_key("E-mail Address"), header_key(" Checked In? "), header_key("First_Name")
    ('e mail address', 'checked in', 'first name')
    """
    return " ".join(re.sub(r"[^0-9a-z✓]+", " ", str(text).lower()).split())


def attended(value: Any) -> bool | None:
    """Whether an attendance cell says the person was there; None when it does not tell.

    Empty is "not recorded as present".

    >>> [attended(v) for v in ("Yes", "n", "x", "✓", "TRUE", "", None, True, 0, "maybe")]
    [True, False, True, True, True, False, False, True, False, None]
    """
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in YES:
        return True
    if text in NO or not text:
        return False
    return None


# ---------------------------------------------------------------------------- reading

@dataclass
class Export:
    file: str
    columns: list[str]  # lower case, as read
    rows: list[tuple[int, dict[str, Any]]]


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number Excel stored as a number
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip() or None
    return value


def read_export(path: Path, *, wanted: Iterable[str] = ("name", "first_name")) -> Export:
    """One sheet of rows from a CSV (read as ``loaders.sources`` reads a workbook's sheets)
    or XLSX file (its first sheet that has a recognised column in ``wanted``)."""
    path = Path(path)
    if not path.is_file():
        raise LoadError([RowIssue(str(path), 0, "", "no such file")])
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt", ".tsv"}:
        issues: list[RowIssue] = []
        sheet = sources._read_csv(path, "export", issues)
        if any(i.severity == "error" for i in issues):
            raise LoadError(issues, f"{path.name} cannot be read; nothing was written.")
        return Export(path.name, sheet.columns, sheet.rows)
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path, tuple(wanted))
    raise LoadError([RowIssue(path.name, 0, "", "unknown export type; save it as .csv or "
                              ".xlsx")])


def _read_xlsx(path: Path, wanted: tuple[str, ...]) -> Export:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a damaged file
        raise LoadError([RowIssue(path.name, 0, "", f"cannot open as an .xlsx workbook: "
                                  f"{str(e)[:200]}")]) from e
    try:
        sheets = []
        for ws in wb.worksheets:
            ws.reset_dimensions()
            rows = [(n, values) for n, values in enumerate(ws.iter_rows(values_only=True), 1)
                    if any(v is not None and str(v).strip() for v in values)]
            if not rows:
                continue
            header = [str(c).strip().lower() if c is not None else "" for c in rows[0][1]]
            out = Export(f"{path.name}[{ws.title}]", header,
                         [(n, {h: _cell(v) for h, v in zip(header, values, strict=False) if h})
                          for n, values in rows[1:]])
            keys = {header_key(h) for h in header}
            if any(keys & set(SYNONYMS[f]) for f in wanted):
                return out
            sheets.append(out)
    finally:
        wb.close()
    if not sheets:
        raise LoadError([RowIssue(path.name, 0, "", "the workbook has no rows")])
    return sheets[0]


def map_columns(export: Export, overrides: dict[str, str] | None = None,
                synonyms: dict[str, tuple[str, ...]] = SYNONYMS) -> dict[str, str]:
    """field -> the export's column giving it. ``overrides``: column -> field (``--map``)."""
    by_key = {header_key(c): c for c in export.columns if c}
    out: dict[str, str] = {}
    problems = []
    for column, fieldname in (overrides or {}).items():
        col = by_key.get(header_key(column))
        f = fieldname.strip().lower().replace(" ", "_").replace("-", "_")
        if col is None:
            problems.append(RowIssue(export.file, 1, column, "--map names a column the export "
                                     f"does not have; its columns: {', '.join(export.columns)}"))
        elif f not in synonyms:
            problems.append(RowIssue(export.file, 1, column, f"--map: {fieldname!r} is not a "
                                     f"field; use one of {', '.join(synonyms)}"))
        else:
            out[f] = col
    if problems:
        raise LoadError(problems, f"{len(problems)} problem(s) with --map; nothing was written.")
    taken = set(out.values())
    for f, names in synonyms.items():
        if f in out:
            continue
        for key in names:
            if key in by_key and by_key[key] not in taken:
                out[f] = by_key[key]
                taken.add(by_key[key])
                break
    return out


# ---------------------------------------------------------------------------- the plan

@dataclass
class OrgPlan:
    key: str  # normalised name: "Springfield PD" and "Springfield Police Department" share it
    spellings: list[str]
    rows: list[int]
    id: str = ""
    status: str = "created"  # matched (in the graph), created, or ours (an earlier import's)
    matched_by: str | None = None  # id, name, alias, review
    kind: str | None = None
    rule: str | None = None  # what decided the kind, as a person reads it
    confidence: float | None = None
    similar: list[str] = field(default_factory=list)  # graph organizations to compare with
    guess: tuple[str | None, str | None, float | None] = (None, None, None)  # the rules' own

    @property
    def for_review(self) -> bool:
        """Created, or matched in a way a person should confirm."""
        return self.status != "matched" or self.matched_by in ("review", "id (derived)")

    @property
    def name(self) -> str:
        # the fullest spelling: "Springfield Police Department" over "Springfield PD"
        return max(self.spellings, key=lambda s: (len(s), s))

    @property
    def aliases(self) -> list[str]:
        seen = {self.name.casefold()}
        out = []
        for s in self.spellings:
            if s.casefold() not in seen:
                seen.add(s.casefold())
                out.append(s)
        return out


@dataclass
class PersonPlan:
    id: str
    name: str
    org: str | None  # OrgPlan.key
    title: str | None
    email: str | None
    phone: str | None
    rows: list[int]
    attended: bool
    known: bool = False  # in the graph from another source: referred to, not rewritten


@dataclass
class AttendeePlan:
    file: str
    event: dict[str, Any]
    organizations: dict[str, OrgPlan]
    people: dict[str, PersonPlan]
    columns: dict[str, str]
    workbook: Workbook
    review: list[str] = field(default_factory=list)
    report: LoadReport | None = None
    review_file: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The plan as shown: contact details only as which ones a person gave."""
        orgs = sorted(self.organizations.values(), key=lambda o: o.name)
        people = sorted(self.people.values(), key=lambda p: (p.name, p.id))
        return {
            "file": self.file, "event": self.event, "columns": self.columns,
            "organizations": {
                "matched": [{"name": o.name, "id": o.id, "by": o.matched_by,
                             "as_written": o.spellings} for o in orgs if o.status == "matched"],
                "created": [{"name": o.name, "id": o.id, "kind": o.kind, "rule": o.rule,
                             "confidence": o.confidence, "aliases": o.aliases,
                             # as the loader will infer it (docs/workbook.md, Levels)
                             "level": normalize.infer_level(o.name, o.kind,
                                                            self.event.get("state")),
                             "similar": o.similar, "again": o.status == "ours"}
                            for o in orgs if o.status != "matched"]},
            "people": [{"id": p.id, "name": p.name,
                        "organization": self.organizations[p.org].id if p.org else None,
                        "title": p.title, "rows": p.rows,
                        "contact": [c for c in model.CONTACT_PROPERTIES if getattr(p, c)],
                        "attendance": "attended" if p.attended else "registered",
                        "in_graph": p.known} for p in people],
            "attendance": {"attended": sum(p.attended for p in people),
                           "registered": sum(not p.attended for p in people)},
            "review": self.review, "review_file": self.review_file,
            "load": self.report.as_dict() if self.report else None,
        }


def event_of(store: GraphStore, event_id: str) -> dict[str, Any]:
    """The event an import is for: it must be in the graph."""
    rows = store.read(queries.NODES_BY_ID, {"ids": [event_id]})
    if not rows or "Event" not in rows[0]["labels"]:
        what = "is not an event" if rows else "is not in the graph"
        raise LoadError([RowIssue("--event", 0, "", f"{event_id} {what}; load the event first "
                                  "(an events row of a workbook), then import its export")],
                        f"--event {event_id} {what}; nothing was written.")
    props = rows[0]["props"]
    return {"id": event_id, "name": props.get("name"), "state": props.get("state"),
            "date": props.get("date")}


def read_review(path: Path | None) -> dict[str, dict[str, Any]]:
    """The review file's corrections by normalised name (empty when there is none)."""
    if path is None or not Path(path).is_file():
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise LoadError([RowIssue(Path(path).name, 0, "", f"not readable as YAML: {e}")]) from e
    out = {}
    for i, entry in enumerate(data.get("organizations") or [], 1):
        if not isinstance(entry, dict) or not entry.get("name"):
            raise LoadError([RowIssue(Path(path).name, i, "name", "each entry of "
                                      "'organizations' needs the name as the export writes it")])
        out[normalize.normalize_name(str(entry["name"]))] = entry
    return out


def _pick(candidates: list[dict[str, Any]], state: str | None) -> dict[str, Any] | None:
    """The graph organization a name means: the one in the event's state, else the one of no
    state (a national body), else the only one."""
    for want in (state, None):
        found = [c for c in candidates if c.get("state") == want]
        if len(found) == 1:
            return found[0]
    return candidates[0] if len(candidates) == 1 else None


def plan_attendees(export: Export, *, event: dict[str, Any], graph_orgs: list[dict[str, Any]],
                   people_sources: Callable[[list[str]], dict[str, str | None]],
                   review: dict[str, dict[str, Any]] | None = None,
                   mapping: dict[str, str] | None = None,
                   gazetteer: Gazetteer | None = None, source: str | None = None
                   ) -> AttendeePlan:
    """Match, guess and assemble the workbook an export stands for; nothing is written.

    ``graph_orgs``: rows of ``queries.ORGS_FOR_MATCHING``; ``people_sources``: person id ->
    the ``source`` it was loaded from, for the ids that exist; ``source``: what provenance
    calls the export (its file name)."""
    review = review or {}
    gaz = gazetteer or load_gazetteer()
    source = source or export.file
    cols = map_columns(export, mapping)
    if "name" not in cols and "first_name" not in cols and "last_name" not in cols:
        raise LoadError([RowIssue(export.file, 1, "", "no column gives the attendees' names "
                                  "(Name, or First Name and Last Name); its columns: "
                                  f"{', '.join(c for c in export.columns if c)}; name one with "
                                  "--map 'COLUMN=name'")],
                        f"{export.file}: no name column; nothing was written.")
    state = event.get("state")
    issues: list[RowIssue] = []

    by_id = {o["id"]: o for o in graph_orgs}
    by_name: dict[str, list[dict[str, Any]]] = {}
    by_alias: dict[str, list[dict[str, Any]]] = {}
    for o in graph_orgs:
        if o.get("name"):
            by_name.setdefault(normalize.normalize_name(o["name"]), []).append(o)
        for a in o.get("aliases") or []:
            by_alias.setdefault(normalize.normalize_name(a), []).append(o)
    in_state = [o for o in graph_orgs if o.get("name") and o.get("state") == state]
    state_names = [normalize.normalize_name(o["name"]) for o in in_state]

    def get(row: dict[str, Any], f: str) -> Any:
        return row.get(cols[f]) if f in cols else None

    orgs: dict[str, OrgPlan] = {}
    people: dict[str, PersonPlan] = {}
    for rownum, row in export.rows:
        org_text = get(row, "organization")
        org_text = str(org_text).strip() if org_text is not None else ""
        key = (org_text if org_text in by_id else normalize.normalize_name(org_text)) \
            if org_text else ""
        if key:
            o = orgs.setdefault(key, OrgPlan(key, [], []))
            if org_text not in o.spellings:
                o.spellings.append(org_text)
            o.rows.append(rownum)
        name = get(row, "name")
        if not name:
            name = " ".join(str(p) for p in (get(row, "first_name"), get(row, "last_name")) if p)
        name = " ".join(str(name).split()) if name else ""
        present: bool | None = True
        if "attended" in cols:
            present = attended(get(row, "attended"))
            if present is None:
                issues.append(RowIssue(export.file, rownum, cols["attended"], "not a yes or no; "
                                       "write yes/no, Y/N, x, ✓ or TRUE/FALSE (empty means not "
                                       "present)", str(get(row, "attended"))))
                continue
        title = get(row, "title")
        if title and model.SENSITIVE_ROLE.search(str(title)):
            issues.append(RowIssue(export.file, rownum, cols["title"], "survivors and victims are "
                                   "never stored with personal details; delete this row (a "
                                   "survivor-leader who spoke is recorded anonymously in the "
                                   "workbook)", str(title)))
            continue
        if not name:
            issues.append(RowIssue(export.file, rownum, cols.get("name") or cols.get(
                "first_name") or cols["last_name"], "no name in this row; fill it in or delete "
                "the row"))
            continue
        people.setdefault(f"{key}\0{normalize.normalize_name(name)}", PersonPlan(
            "", name, key or None, None, None, None, [], False))
        p = people[f"{key}\0{normalize.normalize_name(name)}"]
        p.rows.append(rownum)
        p.attended = p.attended or bool(present)
        p.title = p.title or (str(title) if title else None)
        p.email = p.email or (str(get(row, "email")) if get(row, "email") else None)
        p.phone = p.phone or (str(get(row, "phone")) if get(row, "phone") else None)
    if issues:
        raise LoadError(issues, f"{len(issues)} problem(s) in {export.file}; nothing was "
                        "written.")

    notes: list[str] = []
    for o in orgs.values():
        fix = review.get(normalize.normalize_name(o.name)) or next(
            (review[normalize.normalize_name(s)] for s in o.spellings
             if normalize.normalize_name(s) in review), {})
        if fix.get("match"):
            target = by_id.get(str(fix["match"]))
            if target is None:
                raise LoadError([RowIssue(f"{Path(export.file).stem}{REVIEW_SUFFIX}", 0, "match",
                                          f"{o.name}: {fix['match']} is not an organization "
                                          "in the graph", str(fix["match"]))])
            o.id, o.status, o.matched_by = target["id"], "matched", "review"
            continue
        found = by_id.get(o.key) if o.key in by_id else None
        by = "id" if found else None
        if not found:
            found, by = _pick(by_name.get(o.key, []), state), "name"
        if not found:
            found, by = _pick(by_alias.get(o.key, []), state), "alias"
        if found and found.get("source") != source:
            o.id, o.status, o.matched_by = found["id"], "matched", by
            continue
        if found:  # created by an earlier import of this export: written again, as planned
            o.status, o.id = "ours", found["id"]
        else:
            tail = normalize.slug(o.key)
            o.id = f"org:{state.lower()}:{tail}" if state else f"org:{tail}"
            taken = by_id.get(o.id)
            if taken is not None and taken.get("source") != source:
                # the id is the graph's, under another name: never written over
                o.status, o.matched_by = "matched", "id (derived)"
                notes.append(f"{o.name}: its id {o.id} is the graph's {taken.get('name')!r}; "
                             "taken as that organization: check it (the review file lists it)")
                continue
        if (known := gaz.lookup(o.name)) is not None:
            o.kind, o.rule, o.confidence = known.kind, f"known name ({known.name})", 0.95
        elif (guess := gaz.guess_kind(o.name)) is not None:
            o.kind, o.rule, o.confidence = guess.kind, f"the words '{guess.rule}'", \
                guess.confidence
        else:
            o.kind, o.rule, o.confidence = None, "no rule matched", 0.0
        o.guess = (o.kind, o.rule, o.confidence)
        if "kind" in fix:
            kind = model.vocab_key(str(fix["kind"])) if fix["kind"] else None
            if kind and kind not in model.ORG_KINDS:
                raise LoadError([RowIssue(f"{Path(export.file).stem}{REVIEW_SUFFIX}", 0, "kind",
                                          f"{o.name}: unknown kind; use one of "
                                          f"{', '.join(model.ORG_KINDS)}", kind)])
            if kind != o.kind:  # a correction; the guess left as it was changes nothing
                o.kind, o.rule, o.confidence = kind, "set in the review file", 1.0
        if state_names:
            for _, score, i in process.extract(o.key, state_names, scorer=fuzz.token_sort_ratio,
                                               score_cutoff=REVIEW_THRESHOLD, limit=3):
                other = in_state[i]
                if other["id"] != o.id:
                    o.similar.append(f"{other['id']} ({other['name']}, {score:.0f})")
        if o.status == "created":
            if o.similar:
                notes.append(f"{o.name}: new, but close to {'; '.join(o.similar)}; if it is "
                             "one of them, set `match` in the review file")
            if o.kind is None:
                notes.append(f"{o.name}: no kind rule matched; set `kind` in the review file")
            elif o.confidence is not None and o.confidence < 1:
                notes.append(f"{o.name}: kind {o.kind} guessed from {o.rule} "
                             f"({o.confidence:.2f})")
        if len(o.spellings) > 1:
            notes.append(f"{o.name}: one organization, written {', '.join(map(repr, o.spellings))}")

    for p in people.values():
        org_id = orgs[p.org].id if p.org else None
        p.id = f"person:{org_id.removeprefix('org:')}:{normalize.slug(p.name)}" if org_id \
            else f"person:{normalize.slug(p.name)}"
        if len(p.rows) > 1:
            notes.append(f"{p.name}: rows {', '.join(map(str, p.rows))} are one person")
    known_sources = people_sources(sorted(p.id for p in people.values()))
    for p in people.values():
        p.known = p.id in known_sources and known_sources[p.id] != source

    plan = AttendeePlan(export.file, event, orgs, dict(sorted(people.items())), cols,
                        _workbook(export, event, orgs, people, source), notes)
    return plan


def _workbook(export: Export, event: dict[str, Any], orgs: dict[str, OrgPlan],
              people: dict[str, PersonPlan], source: str) -> Workbook:
    """The plan as workbook sheets, each row at the export row it came from."""
    org_rows = []
    for o in orgs.values():
        if o.status == "matched":
            continue
        org_rows.append((o.rows[0], {
            "id": o.id, "name": o.name, "kind": o.kind, "state": event.get("state"),
            "aliases": "; ".join(o.aliases) or None,
            "note": f"from {source}: kind {o.kind or 'unknown'} by {o.rule} "
                    f"({o.confidence:.2f})" if o.confidence is not None else None}))
    person_rows, part_rows = [], []
    for p in people.values():
        if not p.known:
            person_rows.append((p.rows[0], {
                "id": p.id, "name": p.name,
                "organization_id": orgs[p.org].id if p.org else None,
                "title": p.title, "email": p.email, "phone": p.phone}))
        part_rows.append((p.rows[0], {"entity_id": p.id, "event_id": event["id"],
                                      "role": "attended" if p.attended else "registered"}))
    wb = Workbook(path=Path(source))
    for name, rows, columns in (
            ("organizations", org_rows, ["id", "name", "kind", "state", "aliases", "note"]),
            ("people", person_rows, ["id", "name", "organization_id", "title", "email", "phone"]),
            ("participation", part_rows, ["entity_id", "event_id", "role"])):
        if rows:
            wb.sheets[name] = Sheet(name, source, columns, sorted(rows, key=lambda r: r[0]))
    return wb


# ---------------------------------------------------------------------------- the review file

def review_path(export_path: Path) -> Path:
    """Where the review file of an export lives: beside it, ``signin.csv`` ->
    ``signin.review.yaml``."""
    return export_path.with_name(export_path.stem + REVIEW_SUFFIX)


def review_yaml(plan: AttendeePlan, previous: dict[str, dict[str, Any]] | None = None) -> str:
    """The review file for a plan: every organization created (with its guess) or close to
    one of the graph's; corrections a person made in ``previous`` are kept as they are."""
    previous = previous or {}
    entries = []
    for o in sorted(plan.organizations.values(), key=lambda o: o.name):
        if not o.for_review:
            continue
        old = previous.get(normalize.normalize_name(o.name), {})
        entry: dict[str, Any] = {"name": o.name, "id": o.id, "kind": old.get("kind", o.kind)}
        kind, rule, confidence = o.guess
        if rule:
            entry["guessed"] = f"{kind or 'no kind'} by {rule} ({confidence:.2f})"
        entry["match"] = old.get("match")
        if o.similar:
            entry["similar"] = o.similar
        entries.append(entry)
    head = (f"# Organizations `coalition import attendees` created from {plan.file} for "
            f"{plan.event['id']}.\n# Correct `kind`, or set `match` to the id of an organization "
            "already in the graph,\n# then run the same import again: it applies this file "
            "(docs/intake.md, \"The review file\").\n")
    return head + yaml.safe_dump({"organizations": entries}, sort_keys=False,
                                 allow_unicode=True, width=100)


# ---------------------------------------------------------------------------- the import

def import_attendees(path: Path, store: GraphStore, *, event_id: str, dry_run: bool = False,
                     mapping: dict[str, str] | None = None, review: Path | None = None,
                     fuzzy_threshold: float = 92.0, source: str | None = None,
                     progress: Callable[[str, int, int], None] | None = None,
                     who: Who | None = None) -> AttendeePlan:
    """Plan an export and (unless ``dry_run``) write it through the loader, all-or-nothing.

    ``review``: a review file to apply (default: the one beside the export); ``who``: whom
    the change log names (default: the command line's user)."""
    path = Path(path)
    export = read_export(path)
    source = source or export.file
    event = event_of(store, event_id)
    corrections = read_review(review if review is not None else review_path(path))
    graph_orgs = store.read(queries.ORGS_FOR_MATCHING, {})

    def people_sources(ids: list[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for i in range(0, len(ids), store.batch_size):
            for r in store.read(queries.PEOPLE_BY_ID, {"ids": ids[i:i + store.batch_size]}):
                out[r["id"]] = r["source"]
        return out

    plan = plan_attendees(export, event=event, graph_orgs=graph_orgs,
                          people_sources=people_sources, review=corrections, mapping=mapping,
                          source=source)
    try:
        plan.report = load(path, store, dry_run=dry_run, fuzzy_threshold=fuzzy_threshold,
                           progress=progress, workbook=plan.workbook, who=who)
    except LoadError as e:
        raise _in_export_terms(e, plan) from None
    return plan


def _in_export_terms(e: LoadError, plan: AttendeePlan) -> LoadError:
    """The loader's problems, with the export's column names instead of the workbook's."""
    names = {"name": plan.columns.get("name") or " + ".join(
        plan.columns[f] for f in ("first_name", "last_name") if f in plan.columns),
        "organization_id": plan.columns.get("organization"), "title": plan.columns.get("title"),
        "email": plan.columns.get("email"), "phone": plan.columns.get("phone"),
        "role": plan.columns.get("attended")}
    issues = [RowIssue(i.file, i.row, names.get(i.column) or i.column, i.message, i.value,
                       i.severity) for i in e.issues]
    errors = sum(i.severity == "error" for i in issues)
    return LoadError(issues, f"{errors} problem(s) in {plan.file}; nothing was written.")
