"""The near-duplicate review queue (issue 13, item 5): the organizations of the graph that
look like the same one, as a load's warnings flag them (loaders/duplicates.py: blocking on
rare word keys, then a fuzzy score, never two sites of one chain), for a person to merge or
to mark as not the same. A "not the same" is remembered in the store (``Review`` nodes,
outside the graph like the change log), so neither this queue nor a later load flags the
pair again. Merging goes through the merge route, which is a change of the log.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from api.edits import _audited, who
from api.security import Key
from api.service import CoalitionService
from graph import queries
from graph.editing import NotFound
from graph.errors import ConfigError
from loaders import duplicates

DECISIONS = ("distinct",)


def queue(service: CoalitionService, *, state: str | None = None, limit: int = 100
          ) -> dict[str, Any]:
    """Pairs of organizations of one state (or of no state) whose names look alike, most
    similar first, without the pairs already decided."""
    with service.store() as store:
        orgs = store.read(queries.ORGS_FOR_MATCHING, {})
        decided = store.pair_decisions()
    by_state: dict[str, list[duplicates.Member]] = defaultdict(list)
    info = {}
    for o in orgs:
        if not o.get("name") or (state is not None and o.get("state") != state):
            continue
        info[o["id"]] = {"id": o["id"], "name": o["name"], "kind": o.get("kind"),
                         "state": o.get("state"), "source": o.get("source")}
        # every member its own "where", so pairs within the store are scored
        by_state[o.get("state") or ""].append(duplicates.Member(o["id"], o["name"], o["id"]))
    found = []
    for members in by_state.values():
        if len(members) > 1:
            found.extend(duplicates.near_duplicates(members, service.settings.fuzzy_threshold))
    pairs = []
    for score, x, y in found:
        a, b = sorted((x.id, y.id))
        if duplicates.pair_key(a, b) not in decided:
            pairs.append({"a": info[a], "b": info[b], "similarity": round(score, 1),
                          "pair": duplicates.pair_key(a, b)})
    pairs.sort(key=lambda p: (-p["similarity"], p["pair"]))
    return {"pairs": pairs[:limit], "total": len(pairs), "decided": len(decided)}


def decide(service: CoalitionService, a: str, b: str, decision: str, *, key: Key | None
           ) -> dict[str, Any]:
    """Remember that ``a`` and ``b`` are not the same organization (``distinct``); every
    attempt is a line of the audit log."""

    def run() -> dict[str, Any]:
        if decision not in DECISIONS:
            raise ConfigError(f"decision is one of {', '.join(DECISIONS)}; to say they are "
                              "the same, merge them (POST /api/stakeholders/{id}/merge)")
        if a == b:
            raise ConfigError("a and b are the same id: nothing to decide")
        with service.store() as store:
            found = {r["id"] for r in store.read(queries.NODES_BY_ID, {"ids": [a, b]})}
            missing = [x for x in (a, b) if x not in found]
            if missing:
                raise NotFound(f"no organization with id {missing[0]!r}")
            w = who(key)
            row = {"pair": duplicates.pair_key(a, b), "a": min(a, b), "b": max(a, b),
                   "decision": decision, "time": dt.datetime.now(dt.UTC).isoformat(),
                   "role": w.role, "key": w.key, "os_user": w.os_user}
            store.decide_pairs([{k: v for k, v in row.items() if v is not None}])
        return row

    return _audited(service, key, "review", {"pair": f"{a} {b}", "decision": decision}, run)
