"""Editing ties in place: a relationship, a participation or a commitment, one row of its
sheet at a time (issue 13, item 2), by graph/editing.py's mechanism: the row goes through the
loader (editing.plan_sheet_row), the edit is one change of the log, its first statement is
the one that can refuse it, and the rest runs in :meth:`GraphStore.apply`.

A tie is found by its **key**, the one the loader gives the row, which is what identifies a
row of its sheet (docs/editing.md):

- relationships: ``<type>:<source id>><target id>:<date>`` (``referred:org:a>org:b:2025-03``;
  the date empty when the row has none);
- participation: ``<type>:<entity id>><event id>:<role>`` (``attended:org:a>event:...:attended``);
- commitments: ``<type>:<entity id>><program id>:<date>``.

``<type>`` is the graph's relationship type in lower case. What makes the key (the type, the
ends, the date or role) cannot be changed by a PATCH: that is another row; delete this one
and create that. A tie's *version* is its ``row_hash``, as a node's.

A row that names the event it came out of (``event_id``) also ties its source to the event
(``OUTCOME_OF``, key ``outcome_of:<key>``): it is created, changed and removed with the tie.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graph import changelog, model, queries
from graph.changelog import Change, Who
from graph.editing import (
    Conflict,
    NotFound,
    Result,
    _labels,
    _now,
    _write_edges,
    _write_nodes,
    changed_since,
    plan_sheet_row,
)
from graph.errors import LoadError, RowIssue
from graph.store.base import Before, GraphStore, Row

#: sheet -> (what a row is called, the workbook's word -> relationship type)
SHEETS: dict[str, tuple[str, dict[str, str]]] = {
    "relationships": ("relationship", model.RELATIONSHIPS),
    "participation": ("participation", model.PARTICIPATION),
    "commitments": ("commitment", model.COMMITMENTS),
}
#: what a key's third part is, by sheet (for messages)
KEY_FORMS = {"relationships": "<type>:<source id>><target id>:<date>",
             "participation": "<type>:<entity id>><event id>:<role>",
             "commitments": "<type>:<entity id>><program id>:<date>"}


def _types(sheet: str) -> set[str]:
    return set(SHEETS[sheet][1].values())


def parse_key(sheet: str, key: str) -> tuple[str, str]:
    """The relationship type and source id a key names.

    >>> parse_key("relationships", "referred:org:ms:a>org:ms:b:2025-03")
    ('REFERRED', 'org:ms:a')
    >>> parse_key("commitments", "attended:org:a>event:x:attended")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.editing.NotFound: 'attended:org:a>event:x:attended' is not a key of the commitments sheet: a key is <type>:<entity id>><program id>:<date>, <type> one of ..., pledged, trained (...)
    """
    head, _, rest = key.partition(":")
    src = rest.split(">", 1)[0] if ">" in rest else ""
    rtype = head.upper()
    if rtype not in _types(sheet) or not src:
        raise NotFound(f"{key!r} is not a key of the {sheet} sheet: a key is "
                       f"{KEY_FORMS[sheet]}, <type> one of "
                       f"{', '.join(sorted(t.lower() for t in _types(sheet)))}"
                       " (see GET /api/stakeholders/{id}, its ties' keys)")
    return rtype, src


def _edge(store: GraphStore, rtype: str, src: str, key: str) -> Row | None:
    found = store.read(queries.edges_by_key(rtype), {"rows": [{"src": src, "key": key}]})
    return {**found[0], "type": rtype} if found else None


def current(store: GraphStore, sheet: str, key: str) -> Row:
    """The tie a key names, as ``{type, src, dst, key, props}``; 404 if there is none."""
    rtype, src = parse_key(sheet, key)
    found = _edge(store, rtype, src, key)
    if found is None:
        raise NotFound(f"no {SHEETS[sheet][0]} with key {key!r} (keys are {KEY_FORMS[sheet]})")
    return found


def _cell(props: Row, name: str) -> Any:
    """A number or date property as its workbook cell."""
    if name == "date":
        return props["date"] + (f"/{props['date_end']}" if props.get("date_end") else "") \
            if props.get("date") else None
    return props.get(f"{name}_text") or props.get(name)


def _row_from_edge(sheet: str, edge: Row) -> Row:
    """The sheet row a tie comes from (what a PATCH is laid over)."""
    p = edge["props"]
    word = p.get("role") if sheet == "participation" else p.get("kind") \
        if sheet == "commitments" else None
    if word is None:  # several words may stand for one type: any of them gives this key
        word = next(w for w, t in sorted(SHEETS[sheet][1].items()) if t == edge["type"])
    common = {"note": p.get("note"), "citation": p.get("citation")}
    if sheet == "relationships":
        row = {"source_id": edge["src"], "target_id": edge["dst"], "type": word,
               "date": _cell(p, "date"), "status": p.get("status"), "to_id": p.get("to_id"),
               "event_id": p.get("event_id"), "start": p.get("start"), "end": p.get("end")}
    elif sheet == "participation":
        row = {"entity_id": edge["src"], "event_id": edge["dst"], "role": word,
               "count": _cell(p, "count")}
    else:
        row = {"entity_id": edge["src"], "program": edge["dst"], "kind": word,
               "status": p.get("status"), "date": _cell(p, "date"),
               "count": _cell(p, "count"), "state": p.get("state"),
               "event_id": p.get("event_id")}
    return {k: v for k, v in {**row, **common}.items() if v is not None}


def _plan(store: GraphStore, sheet: str, row: Row, *, fuzzy_threshold: float
          ) -> tuple[Row, list[Row], list[Row], list[str]]:
    """One row through the loader: the tie, the nodes it implies that the store does not
    have yet (an unnamed group, a state), the other ties it makes (OUTCOME_OF), warnings."""
    from loaders.plan import row_hash

    what = SHEETS[sheet][0]
    plan, warnings = plan_sheet_row(store, sheet, what, row, fuzzy_threshold=fuzzy_threshold)
    edges = []
    for e in plan.edges.values():
        props = {k: v for k, v in e.props.items() if k not in ("source_row", "row_hash")}
        props["source"] = "edit"
        props["row_hash"] = row_hash(props, e.src, e.dst)
        edges.append({"type": e.type, "src": e.src, "dst": e.dst, "key": e.key, "props": props})
    [tie] = [e for e in edges if e["type"] in _types(sheet)]
    implied = [{"id": n.id, "labels": n.labels, "props": {**n.props, "loaded_at": _now()}}
               for n in plan.nodes.values()]
    have = {r["id"] for r in store.read(queries.NODES_BY_ID,
                                        {"ids": [n["id"] for n in implied]})} if implied else set()
    implied = [n for n in implied if n["id"] not in have]
    others = [e for e in edges if e is not tie]
    return tie, implied, others, warnings


def _entry(e: Row, before: Row | None = None) -> changelog.Entry:
    return changelog.edge_entry(e["type"], e["key"], None if before is None else {
        "src": before["src"], "dst": before["dst"], "props": before["props"]},
        {"src": e["src"], "dst": e["dst"], "props": e["props"]})


def _gone(e: Row) -> changelog.Entry:
    return changelog.edge_entry(e["type"], e["key"], {"src": e["src"], "dst": e["dst"],
                                                      "props": e["props"]}, None)


def _outcome(store: GraphStore, tie: Row) -> Row | None:
    return _edge(store, "OUTCOME_OF", tie["src"], f"outcome_of:{tie['key']}")


# ---------------------------------------------------------------- the edits
def create(store: GraphStore, sheet: str, row: Row, *, who: Who,
           fuzzy_threshold: float = 92.0) -> Result:
    """A new tie from one row of its sheet; refused (409) if the row's key is taken."""
    tie, implied, others, warnings = _plan(store, sheet, row, fuzzy_threshold=fuzzy_threshold)
    key = tie["key"]
    if _edge(store, tie["type"], tie["src"], key) is not None:
        raise Conflict(f"{key} exists already (the same type, ends and date or role); change "
                       f"it with PATCH /api/{sheet}/{key}", key=key)
    entries = [changelog.node_entry(n["id"], None, {"labels": _labels(n), "props": n["props"]})
               for n in implied]
    entries += [_entry(e) for e in (tie, *others)]
    change = Change("create", who, entries, summary=f"created {SHEETS[sheet][0]} {key}")
    before = Before.of(entries)
    ends_exist = not implied  # a new group or state: the tie cannot exist yet

    def rest() -> None:
        _write_nodes(store, implied, new=True)
        _write_edges(store, [*([] if ends_exist else [tie]), *others])
        store.record_change(change)

    guard = (queries.create_edge_if_absent(tie["type"]), [
        {k: tie[k] for k in ("src", "dst", "key", "props")}]) if ends_exist else None
    if store.apply(guard, before, rest) is None:
        raise Conflict(f"{key} was created by someone else meanwhile; change it with PATCH "
                       f"/api/{sheet}/{key}", key=key)
    return Result(key, tie["props"]["row_hash"], change.id, warnings)


def update(store: GraphStore, sheet: str, key: str, fields: Row, *, version: str | None,
           who: Who, fuzzy_threshold: float = 92.0) -> Result:
    """Change some fields of a tie (``None`` empties one) if ``version`` is still its
    version; refused with 409 and the current version if not."""
    old = current(store, sheet, key)
    what = SHEETS[sheet][0]
    if version is None:
        raise Conflict("send the version you edited (If-Match: <version>), so that no "
                       "one's change is overwritten unseen",
                       current_version=old["props"].get("row_hash"))
    _check(store, old, version)
    row = {**_row_from_edge(sheet, old), **fields}
    row = {k: v for k, v in row.items() if v is not None}
    tie, implied, others, warnings = _plan(store, sheet, row, fuzzy_threshold=fuzzy_threshold)
    if tie["key"] != key:
        raise LoadError([RowIssue(what, 0, "", "the type, the ends and the date (or role) "
                                  "identify the row: changing them makes another one; "
                                  "delete this one and create that", tie["key"])],
                        f"this edit would make {tie['key']}, not change {key}; nothing "
                        "was written.")
    props = {**tie["props"], "source": old["props"].get("source", "edit")}
    if old["props"].get("source_row") is not None:  # whose it is, for a later --sync
        props["source_row"] = old["props"]["source_row"]
    from loaders.plan import row_hash

    props.pop("row_hash", None)
    props["row_hash"] = row_hash(props, tie["src"], tie["dst"])
    tie = {**tie, "props": props}
    was_outcome = _outcome(store, old)
    outcome = next((e for e in others if e["type"] == "OUTCOME_OF"), None)
    entries = [changelog.node_entry(n["id"], None, {"labels": _labels(n), "props": n["props"]})
               for n in implied]
    entries.append(_entry(tie, old))
    if was_outcome is not None and (outcome is None or outcome["dst"] != was_outcome["dst"]):
        entries.append(_gone(was_outcome))
        was_outcome = None
    if outcome is not None and (was_outcome is None or
                                was_outcome["props"] != outcome["props"]):
        entries.append(_entry(outcome, was_outcome))
    change = Change("update", who, entries, summary=f"updated {what} {key}: " + ", ".join(
        changelog.changed_properties(entries[len(implied)].before,
                                     entries[len(implied)].after)))
    before = Before.of(entries)
    outcomes = [e for e in entries if e.type == "OUTCOME_OF"]

    def rest() -> None:
        _write_nodes(store, implied, new=True)
        gone: dict[str, list[Row]] = defaultdict(list)
        for e in outcomes:
            gone[e.type].append({"src": (e.before or e.after)["src"], "key": e.id})
        store.delete_edges(dict(gone))
        _write_edges(store, [{"type": e.type, "src": e.after["src"], "dst": e.after["dst"],
                              "key": e.id, "props": e.after["props"]}
                             for e in outcomes if e.after is not None])
        store.record_change(change)

    applied = store.apply((queries.update_edge_if(tie["type"]), [
        {"src": tie["src"], "key": key, "version": version, "props": props}]), before, rest)
    if applied is None:  # changed between our read and our write
        _check(store, current(store, sheet, key), version)
        raise Conflict(f"{key} changed while this edit was being made; read it again")
    return Result(key, props["row_hash"], change.id, warnings)


def delete(store: GraphStore, sheet: str, key: str, *, version: str | None, who: Who
           ) -> Result:
    """Remove a tie (and the OUTCOME_OF its row made); with ``version``, only if it is
    still its version."""
    old = current(store, sheet, key)
    if version is not None:
        _check(store, old, version)
    outcome = _outcome(store, old)
    entries = [_gone(old)] + ([_gone(outcome)] if outcome else [])
    change = Change("delete", who, entries, summary=f"deleted {SHEETS[sheet][0]} {key}")
    before = Before.of(entries)

    def rest() -> None:
        if outcome is not None:
            store.delete_edges({"OUTCOME_OF": [{"src": outcome["src"], "key": outcome["key"]}]})
        store.record_change(change)

    applied = store.apply((queries.delete_edge_if(old["type"]), [
        {"src": old["src"], "key": key, "version": old["props"].get("row_hash")}]),
        before, rest)
    if applied is None:
        raise Conflict(f"{key} changed while it was being deleted; read it again")
    return Result(key, None, change.id)


def _check(store: GraphStore, edge: Row, version: str) -> None:
    current_version = edge["props"].get("row_hash")
    if version == current_version:
        return
    raise Conflict(f"{edge['key']} has changed since version {version}: its version is now "
                   f"{current_version}. Read it again, then make the edit on what it is now.",
                   current_version=current_version,
                   changed_since=changed_since(store, edge["key"], version,
                                               kind="relationship"))
