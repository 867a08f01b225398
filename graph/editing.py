"""Editing the graph in place: create, update and delete a stakeholder, and undo a change.

Every edit is one change in the change log (graph/changelog.py) and one all-or-nothing
write: its first statement is the one that can refuse it (an id already taken, a version no
longer current), so a refused edit writes nothing; the rest runs in
:meth:`GraphStore.apply` (Neo4j: one transaction; FalkorDB: what the edit remembered is put
back should a later statement fail, as a failed load is taken back).

A stakeholder's *version* is its ``row_hash``: the digest of its properties that loads
already keep on every node (loaders/plan.py), so a load that changes a node changes its
version too, and an edit made against it afterwards is refused as stale.

A row is checked as the loader checks a workbook row, by the same code: one row of the
organizations or people sheet through loaders/plan.py, so the messages, the id rules and the
privacy rules (a survivor is never stored with a name; a victim never as a person) are the
loader's own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph import changelog, model, queries
from graph.analysis.dates import UNUSABLE, node_span
from graph.changelog import Change, Entry, Who
from graph.errors import CoalitionError, LoadError, RowIssue, StoreError
from graph.store.base import Before, GraphStore, Row

#: what a stakeholder is, as the API takes it -> (sheet, base label)
KINDS = {"organization": ("organizations", "Organization"), "person": ("people", "Person")}
#: every record edited as a node, by one row of its sheet: stakeholders and events
#: (issue 13 item 2); the stakeholder routes take only ``KINDS``
NODE_KINDS = {**KINDS, "event": ("events", "Event")}
#: relationships a record's own row defines (and an edit of it replaces)
DERIVED_FROM_ROW = {"Organization": ("LOCATED_IN",), "Person": ("WORKS_FOR",),
                    "Event": ("LOCATED_IN", "FOLLOWS")}
#: what ties an event: what took part in it, what came out of it, the follow-ups that
#: follow it; a delete without cascade is refused while any is there
EVENT_TIES = ("FOLLOWS", "OUTCOME_OF", *sorted(set(model.PARTICIPATION.values())))
#: what a change's entries show of who made it
WHO = ("role", "key", "os_user")


class NotFound(CoalitionError):
    status_code = 404


class Conflict(CoalitionError):
    """The edit cannot be made as asked (a stale version, an id taken, later changes, people
    who would be left without their organization). ``details`` go into the API's error."""

    status_code = 409

    def __init__(self, message: str, **details: Any):
        super().__init__(message)
        self.details = details


@dataclass
class Result:
    id: str
    version: str | None
    change: str
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "change": self.change,
                "warnings": self.warnings}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _node(store: GraphStore, node_id: str) -> Row | None:
    found = store.read(queries.NODES_BY_ID, {"ids": [node_id]})
    return found[0] if found else None


def kind_of(labels: list[str], kinds: dict[str, tuple[str, str]] = KINDS) -> str | None:
    """
    >>> kind_of(["Entity", "Organization", "Casino"]), kind_of(["Entity", "Event"])
    ('organization', None)
    >>> kind_of(["Entity", "Event"], NODE_KINDS)
    'event'
    """
    return next((k for k, (_, base) in kinds.items() if base in labels), None)


# ---------------------------------------------------------------- one row, as the loader
def _row_from_node(label: str, props: Row) -> Row:
    """The sheet row a stakeholder's properties come from (what a PATCH is laid over)."""
    from loaders import schema

    sheet = NODE_KINDS[kind_of([label], NODE_KINDS) or ""][0]
    row = {c: props.get(c) for c in schema.known_columns(sheet) if props.get(c) is not None}
    if label == "Event":
        if props.get("date"):  # the cell: a date, or a range start/end
            row["date"] = props["date"] + (f"/{props['date_end']}" if props.get("date_end")
                                           else "")
        if props.get("states"):
            row["state"] = "; ".join(props["states"])
        if props.get("followup_months"):
            row["followup_months"] = ";".join(str(m) for m in props["followup_months"])
    if label == "Organization":
        if props.get("level_inferred"):
            row.pop("level", None)  # inferred again from what the edit leaves
        if props.get("aliases"):
            row["aliases"] = "; ".join(props["aliases"])
        if props.get("county"):
            row["county"] = props["county"]
    if label == "Person" and props.get("anonymous"):
        row.pop("name", None)  # the shown "Survivor-leader (anonymous)" is not a name
    row["id"] = props["id"]
    return row


def plan_row(store: GraphStore, kind: str, row: Row, *, fuzzy_threshold: float = 92.0
             ) -> tuple[Any, list[str]]:
    """One row through the loader: the plan (its nodes and relationships) and its
    warnings. Refused as the loader refuses a row, with its messages (LoadError, 422)."""
    if kind not in NODE_KINDS:
        raise LoadError([RowIssue("stakeholder", 0, "kind", "a stakeholder is an "
                                  "organization or a person", str(kind))],
                        "not a kind of stakeholder; nothing was written.")
    return plan_sheet_row(store, NODE_KINDS[kind][0], kind, row,
                          fuzzy_threshold=fuzzy_threshold)


def plan_sheet_row(store: GraphStore, sheet_name: str, kind: str, row: Row, *,
                   fuzzy_threshold: float = 92.0) -> tuple[Any, list[str]]:
    """One row of ``sheet_name`` through the loader (``kind``: what the messages call the
    row): the plan and its warnings, or the loader's refusal (LoadError, 422)."""
    from loaders import cells, schema
    from loaders.load import store_lookups
    from loaders.plan import build_plan
    from loaders.sources import Sheet, Workbook

    known = set(schema.known_columns(sheet_name))
    unknown = sorted(set(row) - known)
    if unknown:
        raise LoadError([RowIssue(kind, 0, c, f"not a field of a {kind} (fields: "
                                  f"{', '.join(sorted(known))})") for c in unknown],
                        f"unknown field(s) for a {kind}; nothing was written.")
    raw = {c: (None if v is None else v if isinstance(v, int | float) and
               not isinstance(v, bool) else str(v).strip() or None) for c, v in row.items()}
    bad = [RowIssue(kind, 0, c, why, cells.shown(raw[c])) for c, why in cells.row_problems(raw)]
    if bad:
        raise LoadError(bad, f"the {kind} cannot be stored as given; nothing was written.")
    wb = Workbook(path=Path(kind), sheets={sheet_name: Sheet(sheet_name, kind, list(raw),
                                                              [(2, raw)])})
    plan = build_plan(wb, source_prefix="", fuzzy_threshold=fuzzy_threshold,
                      **store_lookups(store))
    # one row: "row 2" of a sheet nobody sees means nothing to the person editing it
    issues = [RowIssue(kind, 0, i.column, i.message, i.value, i.severity) for i in plan.issues]
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise LoadError(issues, f"the {kind} was refused; nothing was written.")
    return plan, [str(i) for i in issues if i.severity == "warning"]


def _records(plan: Any, node_id: str, *, provenance: Row) -> tuple[Row, list[Row], list[Row]]:
    """The stakeholder's own node, the implied nodes (states, counties) and the
    relationships of a one-row plan, with the edit's provenance and a fresh version."""
    from loaders.plan import row_hash

    main, implied = None, []
    for rec in plan.nodes.values():
        props = dict(rec.props)
        props.pop("row_hash", None)
        if rec.id == node_id:
            props.pop("source_row", None)
            props.update({k: v for k, v in provenance.items() if v is not None})
            props["row_hash"] = row_hash(props)
            props["loaded_at"] = _now()  # written now: a server's name index sees it
            main = {"id": rec.id, "labels": rec.labels, "props": props}
        else:
            props["row_hash"] = rec.props["row_hash"]
            implied.append({"id": rec.id, "labels": rec.labels, "props": rec.props})
    assert main is not None, "the plan holds the row's own node"
    edges = []
    for e in plan.edges.values():
        props = {k: v for k, v in e.props.items() if k not in ("source_row",)}
        if e.src == node_id or e.dst == node_id:
            props.update({k: v for k, v in provenance.items() if v is not None and k != "citation"})
            props["row_hash"] = row_hash({k: v for k, v in props.items() if k != "row_hash"},
                                         e.src, e.dst)
        edges.append({"type": e.type, "src": e.src, "dst": e.dst, "key": e.key, "props": props})
    return main, implied, edges


def _labels(rec: Row) -> list[str]:
    return sorted({model.ENTITY, *rec["labels"]})


# ---------------------------------------------------------------- the edits
def create(store: GraphStore, kind: str, row: Row, *, who: Who,
           fuzzy_threshold: float = 92.0, kinds: dict[str, tuple[str, str]] = KINDS
           ) -> Result:
    """A new organization or person (or, with ``kinds=NODE_KINDS``, event) from one row
    (its id given or derived as the loader derives it); refused (409) if that id is taken."""
    if kind not in kinds:
        raise LoadError([RowIssue("record", 0, "kind", f"one of {', '.join(kinds)} is "
                                  "created here", str(kind))],
                        f"not {_kinds_shown(kinds)}; nothing was written.")
    plan, warnings = plan_row(store, kind, row, fuzzy_threshold=fuzzy_threshold)
    base = kinds[kind][1]
    where = "events" if base == "Event" else "stakeholders"
    node_id = next((r.id for r in plan.nodes.values() if r.labels[0] == base), None)
    if node_id is None:  # its id is a record merged away (graph/merging.py): the plan says
        raise Conflict("; ".join(warnings) or "this row makes no record")
    if _node(store, node_id) is not None:
        raise Conflict(f"{node_id} exists already; change it with PATCH "
                       f"/api/{where}/{node_id}, or give another id", id=node_id)
    main, implied, edges = _records(plan, node_id, provenance={"source": "edit",
                                                               "citation": row.get("citation")})
    have = {r["id"] for r in store.read(queries.NODES_BY_ID,
                                        {"ids": [n["id"] for n in implied]})} if implied else set()
    implied = [n for n in implied if n["id"] not in have]
    edges = [e for e in edges if e["src"] == node_id or e["dst"] == node_id
             or e["src"] not in have or e["dst"] not in have]
    try:
        change = write_new(store, main, implied, edges, who=who,
                           summary=f"created {kind} {node_id}")
    except StoreError:
        if _node(store, node_id) is not None and not _is(store, node_id, main["props"]):
            # created meanwhile by someone else: the id constraint refused ours
            raise Conflict(f"{node_id} was created by someone else meanwhile; change it with "
                           f"PATCH /api/{where}/{node_id}", id=node_id) from None
        raise
    return Result(node_id, main["props"]["row_hash"], change.id, warnings)


def write_new(store: GraphStore, main: Row, implied: list[Row], edges: list[Row], *,
              who: Who, summary: str) -> Change:
    """Create ``main`` (refused by the id constraint if its id is taken meanwhile: a
    StoreError, for the caller to name), the ``implied`` nodes and the ``edges``, as one
    change (action ``create``), in one transaction."""
    entries = [changelog.node_entry(n["id"], None, {"labels": _labels(n), "props": n["props"]})
               for n in (main, *implied)]
    entries += [changelog.edge_entry(e["type"], e["key"], None, {
        "src": e["src"], "dst": e["dst"], "props": e["props"]}) for e in edges]
    change = Change("create", who, entries, summary=summary)

    def rest() -> None:
        _write_nodes(store, implied, new=True)
        _write_edges(store, edges)
        store.record_change(change)

    store.apply((queries.create_node(main["labels"]),
                 [{"id": main["id"], "props": main["props"]}]), Before.of(entries), rest)
    return change


def update(store: GraphStore, node_id: str, fields: Row, *, version: str | None, who: Who,
           fuzzy_threshold: float = 92.0, kinds: dict[str, tuple[str, str]] = KINDS
           ) -> Result:
    """Change some fields of a stakeholder or event (``None`` empties one) if ``version``
    is still its version; refused with 409, the current version and what changed since,
    if not."""
    node = _current(store, node_id)
    kind = kind_of(node["labels"], kinds)
    if kind is None:
        raise NotFound(f"{node_id} is not {_kinds_shown(kinds)}; only those can be "
                       "edited here")
    if version is None:
        raise Conflict("send the version you edited (If-Match: <version>, from GET "
                       f"/api/stakeholders/{node_id}), so that no one's change is "
                       "overwritten unseen", current_version=node["props"].get("row_hash"))
    _check_version(store, node, version)
    if "id" in fields and fields["id"] != node_id:
        raise LoadError([RowIssue(kind, 0, "id", "an id cannot be changed by an edit (merging "
                                  "two records is a separate step)", str(fields["id"]))],
                        "the id cannot be changed; nothing was written.")
    base = kinds[kind][1]
    row = {**_row_from_node(base, node["props"]), **fields, "id": node_id}
    if base == "Event" and "follows_event_id" not in fields:
        # kept as the FOLLOWS tie only, not as a property: the row's cell is its end
        follows = store.read(queries.NODE_OUT_EDGES, {"id": node_id, "types": ["FOLLOWS"]})
        if follows:
            row["follows_event_id"] = follows[0]["dst"]
    row = {k: v for k, v in row.items() if v is not None}
    if base == "Event" and row.get("follows_event_id") and \
            ("date" in fields or "follows_event_id" in fields):
        _check_after(store, kind, row)
    plan, warnings = plan_row(store, kind, row, fuzzy_threshold=fuzzy_threshold)
    old = node["props"]
    main, implied, edges = _records(plan, node_id, provenance={
        "source": old.get("source"), "source_row": old.get("source_row"),
        "citation": row.get("citation")})
    derived = DERIVED_FROM_ROW[base]
    old_edges = store.read(queries.NODE_OUT_EDGES, {"id": node_id, "types": list(derived)})
    have = {r["id"] for r in store.read(queries.NODES_BY_ID,
                                        {"ids": [n["id"] for n in implied]})} if implied else set()
    implied = [n for n in implied if n["id"] not in have]
    mine = [e for e in edges if e["src"] == node_id]
    other = [e for e in edges if e["src"] != node_id and
             (e["src"] not in have or e["dst"] not in have)]  # a new county's LOCATED_IN
    old_by_key = {(r["type"], r["key"]): r for r in old_edges}
    entries = [changelog.node_entry(node_id, {"labels": sorted(node["labels"]), "props": old},
                                    {"labels": _labels(main), "props": main["props"]})]
    entries += [changelog.node_entry(n["id"], None, {"labels": _labels(n), "props": n["props"]})
                for n in implied]
    new_keys = {(e["type"], e["key"]) for e in mine + other}
    for r in old_edges:
        if (r["type"], r["key"]) not in new_keys:
            entries.append(changelog.edge_entry(r["type"], r["key"], {
                "src": r["src"], "dst": r["dst"], "props": r["props"]}, None))
    for e in mine + other:
        was = old_by_key.get((e["type"], e["key"]))
        if was and was["dst"] == e["dst"] and was["props"] == e["props"]:
            continue  # the same tie as before: not touched
        entries.append(changelog.edge_entry(e["type"], e["key"], None if was is None else {
            "src": was["src"], "dst": was["dst"], "props": was["props"]},
            {"src": e["src"], "dst": e["dst"], "props": e["props"]}))
    touched = [e for e in entries[1:] if e.kind == "relationship"]
    change = Change("update", who, entries, summary=f"updated {kind} {node_id}: " + ", ".join(
        changelog.changed_properties(entries[0].before, entries[0].after)))
    before = Before.of(entries)

    def rest() -> None:
        _write_nodes(store, implied, new=True)
        gone: dict[str, list[Row]] = defaultdict(list)
        for e in touched:
            gone[e.type].append({"src": (e.before or e.after)["src"], "key": e.id})
        store.delete_edges(dict(gone))
        _write_edges(store, [{"type": e.type, "src": e.after["src"], "dst": e.after["dst"],
                              "key": e.id, "props": e.after["props"]}
                             for e in touched if e.after is not None])
        store.record_change(change)

    applied = store.apply((queries.update_node_if(main["labels"]), [
        {"id": node_id, "version": version, "props": main["props"]}]), before, rest)
    if applied is None:  # changed between our read and our write
        _check_version(store, _current(store, node_id), version)
        raise Conflict(f"{node_id} changed while this edit was being made; read it again")
    return Result(node_id, main["props"]["row_hash"], change.id, warnings)


def _check_after(store: GraphStore, kind: str, row: Row) -> None:
    """A follow-up is not dated before the event it follows up (logging one refuses that
    too, graph/followup_log.py); a date too vague to compare is left to the schedule."""
    found = store.read(queries.NODES_BY_ID, {"ids": [row["follows_event_id"]]})
    if not found:
        return  # an unknown event: plan_row names it
    try:
        followed, mine = node_span(found[0]["props"]), node_span(row)
    except UNUSABLE:
        return
    if followed and mine and mine[1] < followed[0]:
        raise LoadError([RowIssue(kind, 0, "date", "is before the event it follows up "
                                  f"({row['follows_event_id']}, "
                                  f"{found[0]['props'].get('date')}): a follow-up comes "
                                  "after it", str(row.get("date")))],
                        "the edit was refused; nothing was written.")


def delete(store: GraphStore, node_id: str, *, version: str | None, who: Who,
           cascade: bool = False, kinds: dict[str, tuple[str, str]] = KINDS) -> Result:
    """Remove a stakeholder and its ties; an organization's people too with ``cascade``,
    and refused (409, naming them) without it. An event: refused (409, naming them) while
    anything took part in it or came out of it, unless ``cascade``, which removes those
    ties and the commitments and relationships that came out of it too."""
    node = _current(store, node_id)
    kind = kind_of(node["labels"], kinds)
    if kind is None:
        raise NotFound(f"{node_id} is not {_kinds_shown(kinds)}; only those can be "
                       "deleted here")
    if version is not None:
        _check_version(store, node, version)
    if kind == "event":
        return _delete_event(store, node, who=who, cascade=cascade)
    people = store.read(queries.STAFF, {"id": node_id}) if kind == "organization" else []
    if people and not cascade:
        shown = ", ".join(f"{p['name'] or p['id']} ({p['id']})" for p in people[:20])
        raise Conflict(f"{node_id} has {len(people)} people ({shown}); delete them first, "
                       "or delete with cascade=true to remove them as well",
                       people=[p["id"] for p in people])
    gone = [node] + [_current(store, p["id"]) for p in people]
    entries = [changelog.node_entry(n["id"], {"labels": sorted(n["labels"]),
                                              "props": n["props"]}, None) for n in gone]
    seen: set[tuple[str, str, str]] = set()
    for n in gone:
        for r in store.read(queries.NODE_EDGES, {"id": n["id"]}):
            if (r["type"], r["src"], r["key"]) in seen:
                continue
            seen.add((r["type"], r["src"], r["key"]))
            entries.append(changelog.edge_entry(r["type"], r["key"], {
                "src": r["src"], "dst": r["dst"], "props": r["props"]}, None))
    change = Change("delete", who, entries, summary=f"deleted {kind} {node_id}" + (
        f" and its {len(people)} people" if people else ""))
    before = Before.of(entries)

    def rest() -> None:
        if people:
            store._run([((queries.DELETE_NODES,), [{"id": p["id"]} for p in people])], None)
        store.record_change(change)

    applied = store.apply((queries.DELETE_NODE_IF, [
        {"id": node_id, "version": node["props"].get("row_hash")}]), before, rest)
    if applied is None:
        raise Conflict(f"{node_id} changed while it was being deleted; read it again")
    return Result(node_id, None, change.id)


def depends_on(entries: list[Entry]) -> set[str]:
    """The ids a later change must have touched to depend on a change of ``entries``: what
    it wrote (its nodes, its ties' keys), and the ends of each tie its undo puts back,
    which must still be there. Not the ends of a tie it created: a later tie to the same
    build or state changes neither, and undoing the first leaves the second as it is.

    >>> from graph.changelog import edge_entry, node_entry
    >>> sorted(depends_on([node_entry("f", None, {"labels": ["Event"], "props": {}}),
    ...     edge_entry("FOLLOWS", "follows:f", None, {"src": "f", "dst": "b", "props": {}}),
    ...     edge_entry("WORKS_FOR", "w", {"src": "p", "dst": "o", "props": {}}, None)]))
    ['f', 'follows:f', 'o', 'p', 'w']
    """
    out: set[str] = set()
    for e in entries:
        out.add(e.id)
        if e.kind == "relationship" and e.before:
            out.update((e.before["src"], e.before["dst"]))
    return out


def undo(store: GraphStore, change_id: str, *, who: Who) -> Result:
    """Revert one change; itself a change (``undoes`` names it). Refused (409) when a later
    change depends on it (:func:`depends_on`: undo that first), or when it was undone
    already."""
    [found] = store.changes(ids=[change_id], limit=1) or [None]
    if found is None:
        raise NotFound(f"no change {change_id!r} (see GET /api/changes, coalition history)")
    done = store.changes(undoes=change_id, limit=1)
    if done:
        raise Conflict(f"{change_id} was undone already, by {done[0]['id']}",
                       later=[done[0]["id"]])
    entries = store.change_entries(change_id)
    later = [c for c in store.changes_after(found["time"], depends_on(entries))
             if c["id"] != change_id]
    # a later change and its own undo cancel out: undoing newest first works
    pairs = {c["undoes"] for c in later if c.get("undoes")} & {c["id"] for c in later}
    later = [c for c in later if c["id"] not in pairs and c.get("undoes") not in pairs]
    if later:
        shown = ", ".join(f"{c['id']} ({c['action']}, {c['time']})" for c in later[:20])
        raise Conflict(f"later changes touched the same records: {shown}; undo those first "
                       "(newest first)", later=[c["id"] for c in later])
    reverted = [Entry(e.kind, e.id, e.type, e.after, e.before) for e in entries]
    change = Change("undo", who, reverted, undoes=change_id,
                    summary=f"undo of {change_id} ({found.get('summary') or found['action']})")
    back = Before.of(entries)  # puts back what the change found

    def rest() -> None:
        store._restore(back, None)
        store.record_change(change)

    store.apply(None, Before.of(reverted), rest)
    return Result(change_id, None, change.id)


def _kinds_shown(kinds: dict[str, tuple[str, str]]) -> str:
    """
    >>> _kinds_shown(KINDS), _kinds_shown({"event": ("events", "Event")})
    ('an organization or a person', 'an event')
    """
    names = [("an " if k[0] in "aeiou" else "a ") + k for k in kinds]
    return " or ".join(names)


def _delete_event(store: GraphStore, node: Row, *, who: Who, cascade: bool) -> Result:
    node_id = node["id"]
    ties = [r for r in store.read(queries.NODE_EDGES, {"id": node_id})
            if r["dst"] == node_id and r["type"] in EVENT_TIES]
    if ties and not cascade:
        shown = ", ".join(r["key"] for r in ties[:20])
        raise Conflict(f"{node_id} has {len(ties)} ties of participation, outcomes or "
                       f"follow-ups ({shown}"
                       f"{', ...' if len(ties) > 20 else ''}); delete them first, or delete "
                       "with cascade=true to remove them, and the commitments and "
                       "relationships that came out of it, as well",
                       ties=[r["key"] for r in ties])
    entries = [changelog.node_entry(node_id, {"labels": sorted(node["labels"]),
                                              "props": node["props"]}, None)]
    seen: set[tuple[str, str, str]] = set()
    for r in store.read(queries.NODE_EDGES, {"id": node_id}):
        if (r["type"], r["src"], r["key"]) not in seen:
            seen.add((r["type"], r["src"], r["key"]))
            entries.append(changelog.edge_entry(r["type"], r["key"], {
                "src": r["src"], "dst": r["dst"], "props": r["props"]}, None))
    # what came out of the event: the commitment or relationship an OUTCOME_OF stands for
    # (it names the event in event_id, which would point nowhere)
    via: dict[str, list[Row]] = defaultdict(list)
    for r in ties:
        if r["type"] == "OUTCOME_OF" and r["props"].get("via") and r["props"].get("what"):
            via[r["props"]["what"]].append({"src": r["src"], "key": r["props"]["via"]})
    came_out = [e for rtype, rows in via.items()
                for e in [{**x, "type": rtype} for x in
                          store.read(queries.edges_by_key(rtype), {"rows": rows})]]
    for r in came_out:
        if (r["type"], r["src"], r["key"]) not in seen:
            seen.add((r["type"], r["src"], r["key"]))
            entries.append(changelog.edge_entry(r["type"], r["key"], {
                "src": r["src"], "dst": r["dst"], "props": r["props"]}, None))
    change = Change("delete", who, entries, summary=f"deleted event {node_id}" + (
        f" and its {len(ties)} ties" if ties else ""))
    before = Before.of(entries)

    def rest() -> None:
        if via:
            store.delete_edges(dict(via))
        store.record_change(change)

    applied = store.apply((queries.DELETE_NODE_IF, [
        {"id": node_id, "version": node["props"].get("row_hash")}]), before, rest)
    if applied is None:
        raise Conflict(f"{node_id} changed while it was being deleted; read it again")
    return Result(node_id, None, change.id)


def _is(store: GraphStore, node_id: str, props: Row) -> bool:
    node = _node(store, node_id)
    return node is not None and node["props"].get("row_hash") == props.get("row_hash")


# ---------------------------------------------------------------- versions
def _current(store: GraphStore, node_id: str) -> Row:
    node = _node(store, node_id)
    if node is None:
        raise NotFound(f"no record with id {node_id!r}")
    return node


def _check_version(store: GraphStore, node: Row, version: str) -> None:
    current = node["props"].get("row_hash")
    if version == current:
        return
    raise Conflict(f"{node['id']} has changed since version {version}: its version is now "
                   f"{current}. Read it again, then make the edit on what it is now.",
                   current_version=current, changed_since=changed_since(store, node["id"],
                                                                        version))


def changed_since(store: GraphStore, node_id: str, version: str, limit: int = 20, *,
                  kind: str = "node") -> list[Row]:
    """The changes to a node (``kind="relationship"``: a tie, by its key) after the one
    that left it at ``version`` (all of its changes, up to ``limit``, if no change did: a
    version from before the log)."""
    out: list[Row] = []
    for c in store.changes(entity=node_id, limit=limit):
        mine = [e for e in store.change_entries(c["id"]) if e.kind == kind
                and e.id == node_id]
        if any(e.after and e.after["props"].get("row_hash") == version for e in mine):
            break
        out.append({**{k: c.get(k) for k in ("id", "time", "action", "summary", *WHO)},
                    "changes": {k: v for e in mine
                                for k, v in changelog.changed_properties(e.before,
                                                                         e.after).items()}})
    return out


# ---------------------------------------------------------------- writing
def _write_nodes(store: GraphStore, nodes: list[Row], *, new: bool = False) -> None:
    groups: dict[tuple[str, ...], list[Row]] = defaultdict(list)
    for n in nodes:
        groups[tuple(n["labels"])].append({"id": n["id"], "props": n["props"]})
    if groups:
        store.write_nodes(dict(groups), new=new)


def _write_edges(store: GraphStore, edges: list[Row]) -> None:
    groups: dict[str, list[Row]] = defaultdict(list)
    for e in edges:
        groups[e["type"]].append({"src": e["src"], "dst": e["dst"], "key": e["key"],
                                  "props": e["props"]})
    if groups:
        store.write_edges(dict(groups))


def history(store: GraphStore, *, entity: str | None = None, since: str | None = None,
            limit: int = 100, entries: bool = True, hide: tuple[str, ...] = (),
            only: str | None = None, max_entries: int = 100) -> list[Row]:
    """Changes, newest first, each with its entries (what each touched, before and after,
    and the properties that changed), those of ``entity`` only when given; ``only``: that
    one change. At most ``max_entries`` entries a change (a load touches thousands):
    ``entry_count`` says how many there are."""
    out = []
    for c in store.changes(entity=entity, since=since, limit=limit,
                           ids=[only] if only else None):
        item = dict(c)
        if entries:
            found = store.change_entries(c["id"])
            shown = [e for e in found if entity is None or entity in e.entities()]
            item["entries_shown"] = min(len(shown), max_entries)
            shown = shown[:max_entries]
            item["entries"] = [changelog.hide({**e.as_dict(), "changes":
                                               changelog.changed_properties(e.before, e.after)},
                                              hide) for e in shown]
            item["entry_count"] = len(found)
        out.append(item)
    return out

