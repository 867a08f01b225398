"""Editing events, relationships, participation and commitments for the HTTP routes (issue
13, item 2): as api/edits.py does for stakeholders, a thin service over graph/editing.py
(events) and graph/record_editing.py (ties), naming who makes each change and writing every
attempt to the audit log. Kept apart from api/edits.py so that each area merges alone.
"""

from __future__ import annotations

from typing import Any

from api.edits import PreconditionRequired, _audited, who
from api.security import Key
from api.service import CoalitionService
from graph import editing, record_editing

#: the events routes edit events only (an id of a stakeholder there is a 404)
EVENTS = {"event": editing.NODE_KINDS["event"]}
#: the route of each tie sheet
TIE_SHEETS = tuple(record_editing.SHEETS)


def _needs_version(version: str | None, where: str) -> None:
    if version is None:
        raise PreconditionRequired(
            f"send the version you edited (If-Match: <version>, from {where}), so that no "
            "one's change is overwritten unseen")


# ---------------------------------------------------------------- events
def create_event(service: CoalitionService, fields: dict[str, Any], *, key: Key | None
                 ) -> dict[str, Any]:
    def run() -> editing.Result:
        with service.store() as store:
            return editing.create(store, "event", fields, who=who(key), kinds=EVENTS,
                                  fuzzy_threshold=service.settings.fuzzy_threshold)

    return _audited(service, key, "edit create", {"kind": "event", "id": fields.get("id")},
                    run).as_dict()


def update_event(service: CoalitionService, node_id: str, fields: dict[str, Any], *,
                 version: str | None, key: Key | None) -> dict[str, Any]:
    def run() -> editing.Result:
        _needs_version(version, f"GET /api/stakeholders/{node_id}")
        with service.store() as store:
            return editing.update(store, node_id, fields, version=version, who=who(key),
                                  kinds=EVENTS,
                                  fuzzy_threshold=service.settings.fuzzy_threshold)

    return _audited(service, key, "edit update", {"kind": "event", "id": node_id,
                                                  "fields": sorted(fields)}, run).as_dict()


def delete_event(service: CoalitionService, node_id: str, *, version: str | None,
                 cascade: bool, key: Key | None) -> dict[str, Any]:
    def run() -> editing.Result:
        with service.store() as store:
            return editing.delete(store, node_id, version=version, who=who(key),
                                  cascade=cascade, kinds=EVENTS)

    r = _audited(service, key, "edit delete", {"kind": "event", "id": node_id,
                                               "cascade": cascade}, run)
    return {"id": r.id, "change": r.change}


# ---------------------------------------------------------------- ties
def tie(service: CoalitionService, sheet: str, tie_key: str) -> dict[str, Any]:
    """A tie as it is, with the ``version`` an edit sends back."""
    with service.store() as store:
        found = record_editing.current(store, sheet, tie_key)
    props = {k: v for k, v in found["props"].items() if k != "row_hash"}
    return {"key": tie_key, "type": found["type"], "src": found["src"], "dst": found["dst"],
            "props": props, "version": found["props"].get("row_hash")}


def create_tie(service: CoalitionService, sheet: str, fields: dict[str, Any], *,
               key: Key | None) -> dict[str, Any]:
    def run() -> editing.Result:
        with service.store() as store:
            return record_editing.create(store, sheet, fields, who=who(key),
                                         fuzzy_threshold=service.settings.fuzzy_threshold)

    out = _audited(service, key, "edit create", {"kind": sheet}, run).as_dict()
    return {"key": out.pop("id"), **out}


def update_tie(service: CoalitionService, sheet: str, tie_key: str, fields: dict[str, Any],
               *, version: str | None, key: Key | None) -> dict[str, Any]:
    def run() -> editing.Result:
        _needs_version(version, f"GET /api/{sheet}/{tie_key}")
        with service.store() as store:
            return record_editing.update(store, sheet, tie_key, fields, version=version,
                                         who=who(key),
                                         fuzzy_threshold=service.settings.fuzzy_threshold)

    out = _audited(service, key, "edit update", {"kind": sheet, "id": tie_key,
                                                 "fields": sorted(fields)}, run).as_dict()
    return {"key": out.pop("id"), **out}


def delete_tie(service: CoalitionService, sheet: str, tie_key: str, *, version: str | None,
               key: Key | None) -> dict[str, Any]:
    def run() -> editing.Result:
        with service.store() as store:
            return record_editing.delete(store, sheet, tie_key, version=version, who=who(key))

    r = _audited(service, key, "edit delete", {"kind": sheet, "id": tie_key}, run)
    return {"key": r.id, "change": r.change}
