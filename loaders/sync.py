"""``coalition load --sync``: the workbook is the whole truth for its sources.

A workbook's *sources* are the ``source`` provenance values its rows record (the file a row
is in: ``organizations.csv``, or ``seed/organizations.csv`` for a folder; see
docs/workbook.md). Each source the workbook has rows of is synced: what the store holds with
that source and the workbook no longer has is removed. A source the workbook has no row of
is not touched (an emptied sheet is not taken as "remove all of it": that would be one
missing file away from wiping a sheet).

Never removed:

- what another source wrote (its ``source`` differs), states and counties (``reference: ...``)
  and what an edit created (``source`` is ``edit``);
- what an edit last changed (an update keeps the row's source, so the change log is asked:
  the newest change that touched it and was not undone is not a load);
- a node still referenced by a relationship that stays (another source's, an edit's, or one
  this workbook still has): said so in the plan, under ``kept``.

The removals are entries of the load's own change (loaders/load.py), so the whole sync is one
change, undone as one, and taken back with the rest of the load should a write fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph import changelog, queries
from graph.changelog import Entry
from graph.store import GraphStore
from graph.store.base import Before, batched
from loaders.plan import Plan

Row = dict[str, Any]


@dataclass
class Removals:
    sources: list[str]
    nodes: list[Row] = field(default_factory=list)  # {id, labels, props}
    edges: list[Row] = field(default_factory=list)  # {type, src, dst, key, props}
    #: what the source no longer has but stays: {kind, id, type, reason}
    kept: list[Row] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.nodes or self.edges)

    def entries(self) -> list[Entry]:
        """The change log's entries: each removed record as it was, and then nothing."""
        out = [changelog.node_entry(n["id"], {"labels": sorted(n["labels"]),
                                              "props": n["props"]}, None) for n in self.nodes]
        out += [changelog.edge_entry(e["type"], e["key"], {"src": e["src"], "dst": e["dst"],
                                                           "props": e["props"]}, None)
                for e in self.edges]
        return out

    def remember(self, before: Before) -> None:
        """Add what puts the removed records back to what the load takes back on failure."""
        for n in self.nodes:
            before.nodes.setdefault(tuple(sorted(n["labels"])), []).append(
                {"id": n["id"], "props": n["props"]})
        for e in self.edges:
            before.edges.setdefault(e["type"], []).append(
                {"src": e["src"], "dst": e["dst"], "key": e["key"], "props": e["props"]})
            before.edge_keys.setdefault(e["type"], []).append({"src": e["src"], "key": e["key"]})

    def write(self, store: GraphStore) -> None:
        """Relationships first, then the nodes (which then have none left)."""
        groups: dict[str, list[Row]] = {}
        for e in self.edges:
            groups.setdefault(e["type"], []).append({"src": e["src"], "key": e["key"]})
        if groups:
            store.delete_edges(groups)
        ids = [{"id": n["id"]} for n in self.nodes]
        if ids:
            store._run([((queries.DELETE_NODES,), b) for b in batched(ids, store.batch_size)],
                       None)

    def as_dict(self) -> Row:
        return {"sources": self.sources,
                "nodes": [{"id": n["id"], "type": changelog.base_label(n["labels"]),
                           "name": n["props"].get("name")} for n in self.nodes],
                "relationships": [{"type": e["type"], "key": e["key"], "src": e["src"],
                                   "dst": e["dst"]} for e in self.edges],
                "kept": self.kept}


def plan_sources(plan: Plan) -> list[str]:
    """The sources a workbook's rows record (not derived states and counties)."""
    found = {r.props.get("source") for r in plan.nodes.values()} | \
        {e.props.get("source") for e in plan.edges.values()}
    return sorted(s for s in found if s and s != "edit" and not s.startswith("reference:"))


def last_changed_by_edit(store: GraphStore, entity: str) -> Row | None:
    """The newest change to ``entity`` that still holds (not undone, not an undo), if it is
    not a load: an edit the workbook knows nothing of."""
    found = store.changes(entity=entity, limit=1000)
    undone = {c["undoes"] for c in found if c.get("undoes")}
    for c in found:  # newest first
        if c.get("undoes") or c["id"] in undone:
            continue
        return None if c["action"] == "load" else c
    return None


def any_edit(store: GraphStore, entities: list[str]) -> bool:
    """Whether any change but a load touched any of ``entities``: if none did (the common
    case), no candidate needs a look of its own at the log."""
    found: set[str] = set()
    for batch in batched(entities, store.batch_size):
        found |= {r["id"] for r in store.read(queries.CHANGES_TOUCHING,
                                              {"ids": batch, "since": None})}
    if not found:
        return False
    return any(c["action"] != "load" for c in store.changes(ids=sorted(found),
                                                              limit=len(found)))


def removals(plan: Plan, store: GraphStore) -> Removals:
    """What syncing ``plan``'s sources removes from ``store``, and what it keeps and why."""
    out = Removals(plan_sources(plan))
    if not out.sources:
        return out
    params = {"sources": out.sources}
    planned_edges = {(e.type, e.key) for e in plan.edges.values()}
    edges = [e for e in store.read(queries.EDGES_OF_SOURCES, params)
             if (e["type"], e["key"]) not in planned_edges]
    candidates = [n for n in store.read(queries.NODES_OF_SOURCES, params)
                  if n["id"] not in plan.nodes]
    ask = any_edit(store, [e["key"] for e in edges] + [n["id"] for n in candidates])
    for e in edges:
        edit = last_changed_by_edit(store, e["key"]) if ask else None
        if edit is not None:
            out.kept.append({"kind": "relationship", "id": e["key"], "type": e["type"],
                             "reason": f"last changed by an edit ({edit['id']}, "
                                       f"{edit['action']})"})
            continue
        out.edges.append(e)
    going = {(e["type"], e["key"]) for e in out.edges}
    for n in candidates:
        edit = last_changed_by_edit(store, n["id"]) if ask else None
        if edit is not None:
            out.kept.append({"kind": "node", "id": n["id"],
                             "type": changelog.base_label(n["labels"]),
                             "reason": f"last changed by an edit ({edit['id']}, "
                                       f"{edit['action']})"})
            continue
        out.nodes.append(n)
    if out.nodes:
        staying: dict[str, list[Row]] = {}
        ids = [n["id"] for n in out.nodes]
        for batch in batched(ids, store.batch_size):
            for e in store.read(queries.EDGES_TOUCHING, {"ids": batch}):
                if (e["type"], e["key"]) not in going:
                    for end in (e["src"], e["dst"]):
                        staying.setdefault(end, []).append(e)
        kept_ids = set()
        for n in out.nodes:
            ties = staying.get(n["id"])
            if not ties:
                continue
            kept_ids.add(n["id"])
            t = ties[0]
            whose = "this workbook's" if (t["type"], t["key"]) in planned_edges else \
                f"{t.get('source') or 'unknown'}'s"
            more = f" and {len(ties) - 1} more" if len(ties) > 1 else ""
            out.kept.append({"kind": "node", "id": n["id"],
                             "type": changelog.base_label(n["labels"]),
                             "reason": f"still referenced by {whose} {t['type']} {t['key']}"
                                       f"{more}"})
        out.nodes = [n for n in out.nodes if n["id"] not in kept_ids]
    return out
