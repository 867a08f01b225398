"""Merging two records of one stakeholder: the merged one's ties go to the survivor, its
name and aliases become the survivor's aliases, and it is removed (issue 13, item 2).

What moves: every relationship, participation, commitment and person (``WORKS_FOR``) at
either end of the merged record, re-keyed as the loader would key it with the survivor's id
(``referred:<merged>>org:b:2025-03`` becomes ``referred:<survivor>>org:b:2025-03``), so a
later load that names the survivor writes onto it instead of beside it. With it go the
``OUTCOME_OF`` a moved tie made (its key names the tie), and the three-sided referrals that
name the merged record as who was referred to (``to_id``) point at the survivor.

Folding: when the moved tie's key is one the survivor has already (both records attended the
same event), one tie stays: the survivor's, with the merged one's properties it lacks and
both notes; where both have a value and they differ, the survivor's is kept and the result
says so. A tie between the two records (or the merged record's own location, when the
survivor has one) would become a tie of the survivor with itself: it is dropped, and said.

The redirect is a ``Merged`` record beside the graph (graph/model.py), like the change log:
the old id, name and aliases, and the survivor's id. A record holds while the merge that
wrote it is in effect (its change not undone, or undone and redone): the log says which, so
an undo needs nothing of its own. Not a property of the survivor: a load that rewrites the
survivor's row replaces its properties, and would forget it. ``GET
/api/stakeholders/{old}`` answers 301 by it, and a load resolves an old id or name by it.

The whole merge is one change (action ``merge``) and ONE statement
(:func:`graph.queries.merge_records`): checked (both versions still current) and written at
once, the change log with it, on FalkorDB as on Neo4j, so it is all or nothing even when the
server is killed in the middle of it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph import changelog, queries
from graph.changelog import Change, Entry, Who
from graph.editing import (
    Conflict,
    _check_version,
    _current,
    _now,
    kind_of,
)
from graph.errors import CoalitionError
from graph.store.base import Before, GraphStore, Row

#: properties of the merged record never carried to the survivor: who it is, where it came
#: from, its version, and what its labels say (a kind is a label: it stays the survivor's)
NOT_CARRIED = frozenset({"id", "name", "aliases", "source", "source_row", "citation",
                         "loaded_at", "row_hash", "kind", "sector", "level", "level_inferred",
                         "anonymous", "role"})
#: ties a merge moves at most: the whole merge is one statement, whose parameters carry each
#: (about 0.75 kB a tie), and past this it would be tens of megabytes
MAX_TIES = 20_000
#: properties of a neighbour's row that name the record (a person's organization, a metric's
#: scope): a merge makes them name the survivor
NAMING = ("organization_id", "scope_id")
#: a redirect followed further than this is a loop (it cannot be one: each merge removes
#: its old id) or a mistake; resolution stops there
MAX_HOPS = 50


class SameRecord(CoalitionError):
    """A record merged into itself."""

    status_code = 422


@dataclass
class MergeResult:
    """What a merge did (or, dry, would do)."""

    merged: str
    into: str
    version: str | None
    change: str | None
    moved: list[str] = field(default_factory=list)  # new keys of the ties that moved
    folded: list[str] = field(default_factory=list)  # survivor's keys that took one in
    dropped: list[str] = field(default_factory=list)  # keys of ties that went
    retargeted: list[str] = field(default_factory=list)  # other records' ties re-pointed
    people: list[str] = field(default_factory=list)  # people whose organization it was
    notes: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"moved": len(self.moved), "folded": len(self.folded),
                "dropped": len(self.dropped), "retargeted": len(self.retargeted),
                "people": len(self.people)}

    def as_dict(self) -> dict[str, Any]:
        return {"merged": self.merged, "into": self.into, "id": self.into,
                "version": self.version, "change": self.change, "counts": self.counts(),
                "moved": self.moved, "folded": self.folded, "dropped": self.dropped,
                "retargeted": self.retargeted, "people": self.people,
                "aliases": self.aliases, "notes": self.notes}


# ---------------------------------------------------------------- keys
def rekey(rtype: str, key: str, old: str, new: str, src: str, dst: str) -> str:
    """A tie's key with ``old`` as an end replaced by ``new``, as the loader would key the
    tie between the new ends (``src``, ``dst``: its ends before).

    >>> rekey("REFERRED", "referred:org:a>org:b:2025-03", "org:a", "org:c", "org:a", "org:b")
    'referred:org:c>org:b:2025-03'
    >>> rekey("ATTENDED", "attended:org:a>event:x:attended", "org:a", "org:c", "org:a",
    ...       "event:x")
    'attended:org:c>event:x:attended'
    >>> rekey("WORKS_FOR", "works_for:person:p:org:a", "org:a", "org:c", "person:p", "org:a")
    'works_for:person:p:org:c'
    >>> rekey("LOCATED_IN", "located:org:a", "org:a", "org:c", "org:a", "state:MS")
    'located:org:c'
    >>> rekey("OUTCOME_OF", "outcome_of:referred:org:x>org:a:", "org:a", "org:c", "org:x",
    ...       "event:e")
    'outcome_of:referred:org:x>org:c:'
    """
    def swap(x: str) -> str:
        return new if x == old else x

    head = key.split(":", 1)[0] + ":"  # not always the type: LOCATED_IN's is "located"
    if key.startswith("outcome_of:"):  # names the tie it came from
        inner = key.removeprefix("outcome_of:")
        return "outcome_of:" + _rekey_arrow(inner, old, new)
    if ">" in key:
        return _rekey_arrow(key, old, new)
    if key == f"{head}{src}:{dst}":
        return f"{head}{swap(src)}:{swap(dst)}"
    if key == f"{head}{src}":
        return f"{head}{swap(src)}"
    return key  # a key of another form names neither end: it stays


def _rekey_arrow(key: str, old: str, new: str) -> str:
    """``<type>:<src>><dst>:<date or role>`` with ``old`` as either end replaced."""
    left, _, right = key.partition(">")
    head, _, src = left.partition(":")
    if src == old:
        src = new
    if right == old or right.startswith(old + ":"):
        right = new + right[len(old):]
    return f"{head}:{src}>{right}"


def _hash(props: Row, *ends: str) -> str:
    from loaders.plan import row_hash

    return row_hash({k: v for k, v in props.items() if k not in ("row_hash", "loaded_at")},
                    *ends)


def _fold(kept: Row, extra: Row) -> tuple[Row, list[str]]:
    """The survivor's tie's properties with what the merged one adds, and what differed."""
    out, differed = dict(kept), []
    for k, v in extra.items():
        if k in ("key", "row_hash", "loaded_at", "source", "source_row"):
            continue
        if k not in out or out[k] in (None, ""):
            out[k] = v
        elif k == "note" and v and v != out[k] and str(v) not in str(out[k]):
            out[k] = f"{out[k]}; {v}"
        elif out[k] != v:
            differed.append(f"{k}: kept {out[k]!r} over {v!r}")
    return out, differed


def _aliases(survivor: Row, merged: Row) -> list[str]:
    """The survivor's aliases and the merged record's name and aliases, each name once
    (as the loader compares names), never the survivor's own name."""
    from loaders.normalize import normalize_name

    seen = {normalize_name(str(survivor.get("name") or ""))}
    out: list[str] = []
    for a in [*(survivor.get("aliases") or []), merged.get("name"),
              *(merged.get("aliases") or [])]:
        if not a or merged.get("anonymous") and a == merged.get("name"):
            continue  # an anonymous speaker's shown name is not a name
        norm = normalize_name(str(a))
        if norm and norm not in seen:
            seen.add(norm)
            out.append(str(a))
    return out


# ---------------------------------------------------------------- the plan
@dataclass
class _Plan:
    result: MergeResult
    entries: list[Entry]
    row: Row
    types: list[str]
    change: Change


def _edges(store: GraphStore, node_id: str) -> list[Row]:
    seen, out = set(), []
    for r in store.read(queries.NODE_EDGES, {"id": node_id}):
        k = (r["type"], r["src"], r["key"])
        if k not in seen:  # a self-loop comes twice
            seen.add(k)
            out.append(r)
    return out


def _plan(store: GraphStore, from_id: str, into_id: str, *, who: Who,
          version: str | None) -> _Plan:
    if from_id == into_id:
        raise SameRecord(f"{from_id} cannot be merged into itself; choose another record "
                         "to merge it into")
    f = _current(store, from_id)
    s = _current(store, into_id)
    fk, sk = kind_of(f["labels"]), kind_of(s["labels"])
    if fk is None or sk is None:
        which = from_id if fk is None else into_id
        raise Conflict(f"{which} is not an organization or a person; only those are merged")
    if fk != sk:
        raise Conflict(f"{from_id} is {'an' if fk[0] in 'aeiou' else 'a'} {fk} and {into_id} "
                       f"{'an' if sk[0] in 'aeiou' else 'a'} {sk}: only organizations are "
                       "merged with organizations, people with people", kinds=[fk, sk])
    if fk == "person" and bool(f["props"].get("anonymous")) != bool(s["props"].get("anonymous")):
        # a survivor-leader is stored only anonymously: either way round, the merge would
        # put a name (as an alias) or contact details on them
        raise Conflict(f"{from_id} or {into_id} is an anonymous survivor-leader and the "
                       "other is not: merging would put a name or contact details on an "
                       "anonymous record, which is never stored")
    if version is not None:
        _check_version(store, f, version)
    res = MergeResult(from_id, into_id, None, None)
    fp, sp = f["props"], dict(s["props"])
    if sorted(f["labels"]) != sorted(s["labels"]):
        res.notes.append(f"{into_id} keeps its own kind ({', '.join(sorted(s['labels']))}); "
                         f"{from_id} was {', '.join(sorted(f['labels']))}")
    theirs = {(r["type"], r["src"], r["key"]): r for r in _edges(store, into_id)}
    entries: list[Entry] = []
    dels: dict[str, list[Row]] = defaultdict(list)
    sets: dict[str, dict[tuple[str, str], Row]] = defaultdict(dict)
    news: dict[str, dict[tuple[str, str], Row]] = defaultdict(dict)
    before_of: dict[tuple[str, str, str], Row] = {}  # survivor ties changed by a fold

    def swap(x: str) -> str:
        return into_id if x == from_id else x

    def retire(r: Row) -> None:
        if from_id not in (r["src"], r["dst"]):
            # the merged record's own ties go with it (DETACH DELETE): found one by one from
            # their source, each would scan all of its ties (1,000 ties: 0.5 s)
            dels[r["type"]].append({"src": r["src"], "key": r["key"]})
        entries.append(changelog.edge_entry(r["type"], r["key"], {
            "src": r["src"], "dst": r["dst"], "props": r["props"]}, None))

    def place(r: Row, src: str, dst: str, key: str, props: Row) -> None:
        """The tie ``r`` becomes ``src -key-> dst``: new, or folded into one there."""
        t = r["type"]
        props = {**props, "key": key}
        if props.get("via") and t == "OUTCOME_OF":
            props["via"] = key.removeprefix("outcome_of:")
        if props.get("to_id") == from_id:
            props["to_id"] = into_id
        there = theirs.get((t, src, key)) or news[t].get((src, key)) and \
            {**news[t][(src, key)], "type": t}
        if there:
            kept = sets[t].get((src, key)) or there
            folded, differed = _fold(kept["props"], props)
            folded["row_hash"] = _hash(folded, kept["src"], kept["dst"])
            if kept["dst"] != dst:
                differed.append(f"end: kept {kept['dst']} over {dst}")
            if (t, src, key) in theirs:
                before_of.setdefault((t, src, key), there)
                sets[t][(src, key)] = {**there, "props": folded}
            else:
                news[t][(src, key)] = {**news[t][(src, key)], "props": folded}
            res.folded.append(key)
            if differed:
                res.notes.append(f"{key}: folded with the tie {into_id} had; "
                                 + "; ".join(differed))
            return
        props["row_hash"] = _hash(props, src, dst)
        news[t][(src, key)] = {"src": src, "dst": dst, "key": key, "props": props}
        res.moved.append(key)

    outcome_src: list[Row] = []
    mine = _edges(store, from_id)
    if len(mine) > MAX_TIES:
        raise Conflict(f"{from_id} has {len(mine):,} ties, more than a merge moves at once "
                       f"({MAX_TIES:,}: it is one statement); merge the other way round if "
                       f"{into_id} has fewer, or split the record by a load first",
                       ties=len(mine))
    for r in mine:
        src, dst = swap(r["src"]), swap(r["dst"])
        retire(r)
        if src == dst:
            res.dropped.append(r["key"])
            res.notes.append(f"{r['key']}: a tie between the two records; dropped")
            continue
        key = rekey(r["type"], r["key"], from_id, into_id, r["src"], r["dst"])
        if r["type"] == "LOCATED_IN" and src == into_id and any(
                t == "LOCATED_IN" and a == into_id for t, a, _ in theirs):
            res.dropped.append(r["key"])
            if r["dst"] not in {x["dst"] for (t, a, _), x in theirs.items()
                                if t == "LOCATED_IN" and a == into_id}:
                res.notes.append(f"{r['key']}: {into_id} keeps its own location; "
                                 f"{from_id}'s ({r['dst']}) was dropped")
            continue
        place(r, src, dst, key, r["props"])
        if r["dst"] == from_id and r["props"].get("event_id"):
            # the OUTCOME_OF a tie into the merged record made is its source's
            outcome_src.append({"src": r["src"], "key": f"outcome_of:{r['key']}"})
    done = {(r["type"], r["src"], r["key"]) for r in mine}
    others = [{**x, "type": "OUTCOME_OF"} for x in store.read(
        queries.edges_by_key("OUTCOME_OF"), {"rows": outcome_src})] if outcome_src else []
    others += store.read(queries.EDGES_NAMING, {"id": from_id})
    for r in others:
        if (r["type"], r["src"], r["key"]) in done:
            continue
        done.add((r["type"], r["src"], r["key"]))
        key = rekey(r["type"], r["key"], from_id, into_id, r["src"], r["dst"])
        if key == r["key"]:  # its key stays: changed in place
            props = {**r["props"], "to_id": into_id} if r["props"].get("to_id") == from_id \
                else dict(r["props"])
            props["row_hash"] = _hash(props, r["src"], r["dst"])
            sets[r["type"]][(r["src"], key)] = {**r, "props": props}
            before_of[(r["type"], r["src"], key)] = r
        else:
            retire(r)
            place(r, r["src"], r["dst"], key, r["props"])
            if key in res.moved:  # another record's tie: counted as re-pointed
                res.moved.remove(key)
        res.retargeted.append(key)
    for (t, src, key), was in before_of.items():
        now = sets[t][(src, key)]
        entries.append(changelog.edge_entry(t, key, {
            "src": was["src"], "dst": was["dst"], "props": was["props"]},
            {"src": now["src"], "dst": now["dst"], "props": now["props"]}))
    for t, rows in news.items():
        for r in rows.values():
            entries.append(changelog.edge_entry(t, r["key"], None, {
                "src": r["src"], "dst": r["dst"], "props": r["props"]}))
    # records whose row names it (a person's organization, a metric's scope) name the
    # survivor now; their ids stay
    near = sorted({r["src"] if r["dst"] == from_id else r["dst"] for r in mine} - {into_id})
    node_rows = []
    for p in (store.read(queries.NODES_BY_ID, {"ids": near}) if near else []):
        props = dict(p["props"])
        named = [k for k in NAMING if props.get(k) == from_id]
        if not named:
            continue
        for k in named:
            props[k] = into_id
        if "organization_id" in named:
            res.people.append(p["id"])
            if sp.get("state"):  # people are found by their organization's state
                props["state"] = sp["state"]
        props["row_hash"] = _hash(props)
        node_rows.append({"id": p["id"], "props": props})
        entries.append(changelog.node_entry(p["id"], {"labels": sorted(p["labels"]),
                                                      "props": p["props"]},
                                            {"labels": sorted(p["labels"]), "props": props}))
    # the survivor: the merged record's names as aliases, and what it knew that it did not
    res.aliases = _aliases(sp, fp)
    if res.aliases:
        sp["aliases"] = res.aliases
    filled = [k for k, v in fp.items() if k not in NOT_CARRIED and v not in (None, "", [])
              and sp.get(k) in (None, "", [])]
    for k in filled:
        sp[k] = fp[k]
    if filled:
        res.notes.append(f"{into_id} took from {from_id} what it did not have: "
                         + ", ".join(sorted(filled)))
    sp["loaded_at"] = _now()  # written now: a server's name index sees it
    sp["row_hash"] = _hash(sp)
    res.version = sp["row_hash"]
    entries.insert(0, changelog.node_entry(into_id, {"labels": sorted(s["labels"]),
                                                     "props": s["props"]},
                                           {"labels": sorted(s["labels"]), "props": sp}))
    entries.insert(0, changelog.node_entry(from_id, {"labels": sorted(f["labels"]),
                                                     "props": fp}, None))
    counts = res.counts()
    change = Change("merge", who, entries, summary=(
        f"merged {fk} {from_id} ({fp.get('name') or from_id}) into {into_id} "
        f"({sp.get('name') or into_id}): {counts['moved']} ties moved, {counts['folded']} "
        f"folded, {counts['dropped']} dropped"))
    res.change = change.id
    types = sorted(set(dels) | set(sets) | set(news))
    row: Row = {"from": from_id, "from_version": fp.get("row_hash"), "into": into_id,
                "into_version": s["props"].get("row_hash"), "into_props": sp,
                "nodes": node_rows, "parts": change.parts(), "change": change.record(),
                "merged": [{"id": from_id, "into": into_id, "name": fp.get("name"),
                            "aliases": fp.get("aliases") or [], "label":
                            changelog.base_label(f["labels"]), "change": change.id,
                            "time": change.time}]}
    for t in types:
        row[f"del_{t}"] = dels.get(t, [])
        row[f"set_{t}"] = [{"src": r["src"], "key": r["key"], "props": r["props"]}
                           for r in sets.get(t, {}).values()]
        row[f"new_{t}"] = list(news.get(t, {}).values())
    return _Plan(res, entries, row, types, change)


# ---------------------------------------------------------------- the merge
def merge(store: GraphStore, from_id: str, into_id: str, *, who: Who,
          version: str | None = None, dry_run: bool = False) -> MergeResult:
    """Merge ``from_id`` into ``into_id`` (see the module's docstring): one change, one
    statement; ``version``: the merged record's, refused (409) if it is no longer current.
    ``dry_run``: what would move, nothing written (``change`` is None)."""
    plan = _plan(store, from_id, into_id, who=who, version=version)
    if dry_run:
        plan.result.change = None
        return plan.result
    applied = store.apply((queries.merge_records(plan.types), [plan.row]),
                          Before.of(plan.entries), lambda: None)
    if applied is None:  # either changed between our read and our write
        if version is not None:
            _check_version(store, _current(store, from_id), version)
        _current(store, into_id)
        raise Conflict(f"{from_id} or {into_id} changed while they were being merged; "
                       "nothing was written: read them again")
    return plan.result


# ---------------------------------------------------------------- redirects
def in_effect(store: GraphStore, change_ids: list[str]) -> set[str]:
    """Of these changes, the ones that hold: never undone, or their undo undone (a redo),
    and so on; one read a level of undo."""
    holds = {c: True for c in change_ids}
    at = {c: c for c in change_ids}  # change -> the latest of its chain of undos
    for _ in range(MAX_HOPS):
        if not at:
            break
        found = {r["undoes"]: r["id"] for r in store.read(queries.UNDOS_OF,
                                                          {"ids": sorted(set(at.values()))})}
        nxt = {}
        for c, last in at.items():
            if last in found:
                holds[c] = not holds[c]
                nxt[c] = found[last]
        at = nxt
    return {c for c, h in holds.items() if h}


def records(store: GraphStore, ids: list[str] | None = None) -> list[Row]:
    """The redirect records in effect (of these old ids, or all), oldest first."""
    found = [r["record"] for r in (store.read(queries.MERGED_OF, {"ids": ids})
                                   if ids is not None else store.read(queries.MERGED_ALL))]
    holding = in_effect(store, sorted({r["change"] for r in found})) if found else set()
    return [r for r in found if r["change"] in holding]


def merged_map(store: GraphStore) -> dict[str, Row]:
    """Every record merged away and in effect: old id -> ``{into, name, aliases, label}``
    (what a load resolves by, loaders/plan.py). ``into`` is the next hop, which may have
    been merged in turn."""
    return {r["id"]: {k: r.get(k) for k in ("into", "name", "aliases", "label")}
            for r in records(store)}


def redirects(store: GraphStore, ids: list[str]) -> dict[str, str]:
    """Of these ids, the ones merged away: old id -> the record it is part of now,
    following merges of merges."""
    out: dict[str, str] = {}
    todo = list(dict.fromkeys(ids))
    hop: dict[str, str] = {}
    for _ in range(MAX_HOPS):
        ask = [i for i in todo if i not in hop]
        if not ask:
            break
        found = {r["id"]: r["into"] for r in records(store, ask)}
        for i in ask:
            hop[i] = found.get(i, "")
        todo = [x for x in found.values() if x not in hop]
    for i in ids:
        at, seen = i, set()
        while hop.get(at) and at not in seen:
            seen.add(at)
            at = hop[at]
        if at != i:
            out[i] = at
    return out
