"""Logging a follow-up for the HTTP route and the CLI (issue 13, item 2): a thin service over
graph/followup_log.py, as api/edits.py is over graph/editing.py: it names who logs it and
writes every attempt to the audit log (done, refused or failed)."""

from __future__ import annotations

from typing import Any

from api.edits import _audited, who
from api.security import Key
from api.service import CoalitionService
from graph import followup_log


def log(service: CoalitionService, fields: dict[str, Any], *, key: Key | None,
        cli: bool = False) -> dict[str, Any]:
    """``fields``: ``event_id``, ``date``, ``kind`` and, optional, ``entity_id``,
    ``outcome``, ``note``; the answer: the follow-up's ``id``, ``version`` and ``change``."""
    def run() -> Any:
        with service.store() as store:
            return followup_log.log(store, who=who(key, cli=cli),
                                    fuzzy_threshold=service.settings.fuzzy_threshold,
                                    **fields)

    detail = {k: fields.get(k) for k in ("event_id", "entity_id", "kind", "date")}
    return _audited(service, key, "followup log", detail, run).as_dict()
