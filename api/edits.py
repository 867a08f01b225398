"""Editing and the change log for the CLI and the HTTP routes: a thin service over
graph/editing.py (kept out of api/service.py). It names who makes each change (the API key,
or the command line's user), writes every attempt to the audit log (done, refused or
failed), and lets the service's caches (the name index, the hubs) go after a write.

Not to be confused with api/changes.py, which is about what each coalition *build* changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from api.security import Key
from api.service import CoalitionService
from graph import editing, merging, model
from graph.changelog import Who
from graph.errors import CoalitionError, ConfigError, LoadError

T = TypeVar("T")


class PreconditionRequired(CoalitionError):
    """A PATCH without If-Match: the edit would overwrite whatever is there, seen or not."""

    status_code = 428


def who(key: Key | None, *, cli: bool = False) -> Who:
    """The change log's "who": the API key's id and role; the OS user from the command line;
    ``local`` for a loopback server with auth off (a single local user)."""
    if cli:
        return Who.cli()
    if key is None:
        return Who(role="local")
    return Who(role=key.role, key=key.id)


def version_param(header: str | None) -> str | None:
    """The version an If-Match header names (an ETag, quoted or weak, or bare).

    >>> version_param('"3fa9"'), version_param('W/"3fa9"'), version_param("3fa9")
    ('3fa9', '3fa9', '3fa9')
    >>> version_param(None), version_param("  ")
    (None, None)
    """
    if header is None or not header.strip():
        return None
    v = header.strip().removeprefix("W/").strip()
    return v[1:-1] if len(v) >= 2 and v[0] == v[-1] == '"' else v


def since_param(text: str | None) -> str | None:
    """A ``since`` as people write it: a date or a date and time (with a zone, or UTC), in
    the form the change log's times compare with.

    >>> since_param("2026-12-01"), since_param("2026-12-01T08:00:00+01:00")
    ('2026-12-01', '2026-12-01T07:00:00.000000Z')
    """
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"since takes a date (2026-12-01) or a date and time "
                          f"(2026-12-01T08:00:00Z), not {text[:40]!r}") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _audited(service: CoalitionService, key: Key | None, action: str, detail: dict[str, Any],
             run: Callable[[], T]) -> T:
    """Run a write; one audit line, whatever its outcome."""
    audit = service.audit()
    try:
        result = run()
    except Exception as e:
        refused = isinstance(e, LoadError | ConfigError | editing.Conflict |
                             editing.NotFound | PreconditionRequired | merging.SameRecord)
        audit.record(action, key=key, **detail, outcome="refused" if refused else "failed",
                     error=type(e).__name__, message=str(e)[:1000])
        raise
    audit.record(action, key=key, **detail, outcome="done",
                 change=getattr(result, "change", None))
    service._names = None  # the name index and the hubs are stale now
    service._hubs = None
    return result


def create(service: CoalitionService, kind: str, fields: dict[str, Any], *,
           key: Key | None, cli: bool = False) -> dict[str, Any]:
    def run() -> editing.Result:
        with service.store() as store:
            return editing.create(store, kind, fields, who=who(key, cli=cli),
                                  fuzzy_threshold=service.settings.fuzzy_threshold)

    return _audited(service, key, "edit create", {"kind": kind, "id": fields.get("id")},
                    run).as_dict()


def update(service: CoalitionService, node_id: str, fields: dict[str, Any], *,
           version: str | None, key: Key | None, cli: bool = False) -> dict[str, Any]:
    def run() -> editing.Result:
        if version is None:
            raise PreconditionRequired(
                f"send the version you edited (If-Match: <version>, from GET "
                f"/api/stakeholders/{node_id}), so that no one's change is overwritten unseen")
        with service.store() as store:
            return editing.update(store, node_id, fields, version=version,
                                  who=who(key, cli=cli),
                                  fuzzy_threshold=service.settings.fuzzy_threshold)

    return _audited(service, key, "edit update", {"id": node_id, "fields": sorted(fields)},
                    run).as_dict()


def delete(service: CoalitionService, node_id: str, *, version: str | None,
           cascade: bool, key: Key | None, cli: bool = False) -> dict[str, Any]:
    def run() -> editing.Result:
        with service.store() as store:
            return editing.delete(store, node_id, version=version, who=who(key, cli=cli),
                                  cascade=cascade)

    r = _audited(service, key, "edit delete", {"id": node_id, "cascade": cascade}, run)
    return {"id": r.id, "change": r.change}


def merge(service: CoalitionService, node_id: str, into: str, *, version: str | None,
          key: Key | None, cli: bool = False, dry_run: bool = False) -> dict[str, Any]:
    """Merge ``node_id`` into ``into`` (graph/merging.py); ``dry_run``: what would move,
    nothing written and nothing audited (nothing was done)."""
    def run() -> merging.MergeResult:
        with service.store() as store:
            return merging.merge(store, node_id, into, who=who(key, cli=cli),
                                 version=version, dry_run=dry_run)

    if dry_run:
        return run().as_dict()
    return _audited(service, key, "edit merge", {"id": node_id, "into": into},
                    run).as_dict()


def redirect(service: CoalitionService, node_id: str) -> str | None:
    """The record ``node_id`` was merged into (following merges of merges), if it was."""
    with service.store() as store:
        return merging.redirects(store, [node_id]).get(node_id)


def undo(service: CoalitionService, change_id: str, *, key: Key | None,
         cli: bool = False) -> dict[str, Any]:
    def run() -> editing.Result:
        with service.store() as store:
            return editing.undo(store, change_id, who=who(key, cli=cli))

    r = _audited(service, key, "undo", {"undoes": change_id}, run)
    return {"undone": change_id, "change": r.change}


def history(service: CoalitionService, *, entity: str | None = None, since: str | None = None,
            limit: int = 100, include_contacts: bool = True, max_entries: int = 20
            ) -> list[dict[str, Any]]:
    """Changes, newest first, with what each touched (``entity``'s part only, when given;
    at most ``max_entries`` a change)."""
    hide = () if include_contacts else model.CONTACT_PROPERTIES
    with service.store() as store:
        return editing.history(store, entity=entity, since=since_param(since), limit=limit,
                               hide=hide, max_entries=max_entries)


def change(service: CoalitionService, change_id: str, *, max_entries: int = 1000
           ) -> dict[str, Any]:
    """One change with its entries (the first ``max_entries``)."""
    with service.store() as store:
        [found] = store.changes(ids=[change_id], limit=1) or [None]
        if found is None:
            raise editing.NotFound(f"no change {change_id!r} (see GET /api/changes, "
                                   "coalition history)")
        return editing.history(store, since=None, limit=1, entries=True,
                               only=change_id, max_entries=max_entries)[0]
