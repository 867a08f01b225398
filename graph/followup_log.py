"""Logging a follow-up: a coordinator's call, email, meeting or visit after a coalition build
(issue 13, item 2, ``POST /api/followups``; ``coalition followup log``).

A logged contact is what a workbook would say of it: one row of the events sheet, a
``follow-up`` event that ``FOLLOWS`` the build, with the contact's kind (``contact``), its
``outcome`` and ``note`` as properties. So it goes through the loader (the messages of a
workbook row: a bad date, an unknown build, a contact kind not one of the four), the
follow-up schedule (graph/analysis/followups.py) counts it as it counts a loaded follow-up,
and an event edit or delete treats it as any event.

The stakeholder contacted, when given, is tied to the follow-up by ``CONTACTED`` (entity ->
follow-up; graph/model.py): not a participation, because a phone call is not attending an
event and must not count as taking part in coverage or the funnel. The follow-up's name and
properties hold no personal details: who was contacted is the tie, never a name in text.

What a workbook row cannot say is checked here, with the same kind of message: the event
must be a coalition build (only builds have a schedule), and the contact cannot be dated
before the build it follows up.

It is one change (action ``create``) and one all-or-nothing write, as every edit
(graph/editing.py): the node's creation is the statement that can refuse it.
"""

from __future__ import annotations

from typing import Any

from graph import changelog, model, queries
from graph.analysis.dates import UNUSABLE, node_span
from graph.changelog import Who
from graph.editing import Conflict, Result, _records, plan_row, write_new
from graph.errors import LoadError, RowIssue, StoreError
from graph.store.base import GraphStore, Row
from loaders import normalize

#: what the loader's events-sheet columns are called in a logged follow-up
FIELDS = {"follows_event_id": "event_id", "contact": "kind", "note": "note",
          "outcome": "outcome", "date": "date", "id": "event_id"}
WHAT = "follow-up"
#: follow-up ids tried for one build, contact kind and date (a second call the same day)
TRIES = 50
#: who may be contacted
CONTACTABLE = ("Organization", "Person")


def _refused(column: str, message: str, value: Any, summary: str) -> LoadError:
    return LoadError([RowIssue(WHAT, 0, column, message, None if value is None else str(value))],
                     f"{summary}; nothing was written.")


def _renamed(e: LoadError) -> LoadError:
    """The loader's refusal, its columns named as this request names its fields."""
    issues = [RowIssue(WHAT, 0, FIELDS.get(i.column, i.column), i.message, i.value, i.severity)
              for i in e.issues]
    return LoadError(issues, f"the {WHAT} was refused; nothing was written.")


def followup_id(build_id: str, date: str, kind: str, taken: set[str]) -> str:
    """The follow-up's id: readable, after its build (``<build id>:followup:<date>:<kind>``),
    with ``-2``, ``-3``... for another one of the same kind that day.

    >>> followup_id("event:ms:2026-01-10:build", "2026-02-12", "call", set())
    'event:ms:2026-01-10:build:followup:2026-02-12:call'
    >>> followup_id("b", "2026-02-12", "call", {"b:followup:2026-02-12:call"})
    'b:followup:2026-02-12:call-2'
    """
    base = f"{build_id}:followup:{date}:{kind}"
    for n in range(1, TRIES + 1):
        candidate = base if n == 1 else f"{base}-{n}"
        if candidate not in taken:
            return candidate
    raise Conflict(f"{TRIES} follow-ups by {kind} of {build_id} on {date} are logged already; "
                   "that looks like a mistake: see the build's follow-ups")


def _candidates(build_id: str, date: str, kind: str) -> list[str]:
    base = f"{build_id}:followup:{date}:{kind}"
    return [base] + [f"{base}-{n}" for n in range(2, TRIES + 1)]


def _row(build: Row | None, event_id: str, node_id: str, date: str, kind: str,
         outcome: str | None, note: str | None) -> Row:
    props = (build or {}).get("props", {})
    name = f"{kind.capitalize()} follow-up of {props.get('name') or event_id}"
    row = {"id": node_id, "name": name, "kind": "follow-up", "date": date,
           "follows_event_id": event_id, "contact": kind, "outcome": outcome, "note": note,
           "state": props.get("state")}
    return {k: v for k, v in row.items() if v is not None}


def _check_build(build: Row, event_id: str, followup: Row, date: str) -> None:
    props = build["props"]
    if props.get("kind") != "coalition build":
        raise _refused("event_id", f"{event_id} is a {props.get('kind') or 'event'}, not a "
                       "coalition build: only builds have a follow-up schedule (log the "
                       "follow-up against the build it follows up)", event_id,
                       f"the {WHAT} was refused")
    try:
        built, mine = node_span(props), node_span(followup)
    except UNUSABLE:  # the build's date is broken: the schedule says so, not this check
        return
    if built and mine and mine[1] < built[0]:
        raise _refused("date", f"is before the build it follows up ({event_id}, "
                       f"{props.get('date')}): a follow-up comes after the build", date,
                       f"the {WHAT} was refused")


def _entity(store: GraphStore, entity_id: str) -> Row:
    found = store.read(queries.NODES_BY_ID, {"ids": [entity_id]})
    if not found:
        raise _refused("entity_id", f"refers to {entity_id}, which is not the id of an "
                       f"{' or '.join(CONTACTABLE)} in the store", entity_id,
                       f"the {WHAT} was refused")
    if not set(found[0]["labels"]) & set(CONTACTABLE):
        raise _refused("entity_id", f"{entity_id} is a "
                       f"{changelog.base_label(found[0]['labels'])} in the store; expected "
                       f"{' or '.join(CONTACTABLE)}", entity_id, f"the {WHAT} was refused")
    return found[0]


def log(store: GraphStore, *, event_id: str, date: str, kind: str, who: Who,
        entity_id: str | None = None, outcome: str | None = None, note: str | None = None,
        fuzzy_threshold: float = 92.0) -> Result:
    """Record a logged contact as a follow-up of the build ``event_id``; its ``id`` is the
    follow-up's. Refused (LoadError, 422) as a workbook row would be, or when the event is
    not a build, the date is before it, or ``entity_id`` is not a stakeholder."""
    kind_word = model.lookup(frozenset(model.CONTACT_KINDS), str(kind or ""))
    if kind_word is None:
        raise _refused("kind", "unknown contact kind; expected one of: "
                       f"{', '.join(model.CONTACT_KINDS)}", kind, f"the {WHAT} was refused")
    event_id, date = str(event_id or "").strip(), str(date or "").strip()
    for field, value, why in (("event_id", event_id, "the build it follows up"),
                              ("date", date, "when the contact was made")):
        if not value:
            raise _refused(field, f"required: {why}", None, f"the {WHAT} was refused")
    try:  # the id holds the date as stored, a span's first day as the loader's event ids
        # do (a "/" would make it no path segment); a bad date is the loader's to refuse
        day = normalize.parse_date_value(date).date
    except ValueError:
        day = "undated"
    build = (store.read(queries.NODES_BY_ID, {"ids": [event_id]}) or [None])[0]
    if build is None or "Event" not in build["labels"]:
        # by id only: the loader would take an exact name too, and hint at this very row
        raise _refused("event_id", f"refers to {event_id}, which is not the id of an Event "
                       "in the store", event_id, f"the {WHAT} was refused")
    entity = _entity(store, entity_id) if entity_id else None
    taken = {r["id"] for r in store.read(queries.NODES_BY_ID, {
        "ids": _candidates(event_id, day, kind_word)})}
    node_id = followup_id(event_id, day, kind_word, taken)
    row = _row(build, event_id, node_id, date, kind_word, outcome, note)
    try:
        plan, warnings = plan_row(store, "event", row, fuzzy_threshold=fuzzy_threshold)
    except LoadError as e:
        raise _renamed(e) from None
    main, implied, edges = _records(plan, node_id, provenance={"source": "edit"})
    _check_build(build, event_id, main["props"], date)
    have = {r["id"] for r in store.read(queries.NODES_BY_ID,
                                        {"ids": [n["id"] for n in implied]})} if implied else set()
    implied = [n for n in implied if n["id"] not in have]
    if entity is not None:
        from loaders.plan import row_hash

        key = f"contacted:{entity['id']}>{node_id}"
        # the key among the properties too, as the loader's ties have it: the write sets
        # the properties whole, and deletes and undo find a tie by its key
        props = {"key": key, "source": "edit", "contact": kind_word}
        edges.append({"type": model.CONTACTED, "src": entity["id"], "dst": node_id,
                      "key": key,
                      "props": {**props, "row_hash": row_hash(props, entity["id"], node_id)}})
    try:
        change = write_new(store, main, implied, edges, who=who,
                           summary=f"logged follow-up {node_id} ({kind_word}"
                           + (f" with {entity['id']}" if entity else "") + f") of {event_id}")
    except StoreError:
        if store.read(queries.NODES_BY_ID, {"ids": [node_id]}):
            raise Conflict(f"another {kind_word} follow-up of {event_id} on {date} was logged "
                           "meanwhile; send this one again", id=node_id) from None
        raise
    return Result(node_id, main["props"]["row_hash"], change.id, warnings)
