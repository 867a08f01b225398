"""The change log: every write to the graph (a load, an edit, an undo) is one change.

A change says who (an API key's id and role, or ``cli`` with the OS user), when, what
(``action``: load, create, update, delete, merge, undo) and, for each node and relationship it
touched, that entity as it was before and as it is after (``None`` for "did not exist").
An undo is a change too, whose ``undoes`` names the change it reverts.

It lives in the same database as the graph (so it is backed up with it and works on both
stores), as nodes that are not ``Entity`` nodes (graph/model.py, ``LOG_LABELS``): every
projection, analysis, export, search and count reads ``Entity`` nodes only, so none of them
sees it.

How it is stored: one ``Change`` node (who, when, what, how many entities) and its
``ChangePart`` nodes, each holding up to :data:`PART_BYTES` of entries as compressed JSON
(:func:`pack`) and the ids they touch (``entities``, what a history is found by). Not one property for the whole
change: a 50,000-row load would be a 50 MB string, more than a query parameter should carry
and more than a history of one stakeholder should have to read. Not one node per touched
entity either: that doubles the number of nodes a load writes, where parts of a few hundred
entries add a few hundred nodes to a load of 400,000 records (docs/benchmarks.md, the
change log's cost). Parts are written in batches, so no statement carries the whole change.
"""

from __future__ import annotations

import base64
import datetime as dt
import getpass
import os
import secrets
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from graph import model

Row = dict[str, Any]

#: actions a change can record
ACTIONS = ("load", "create", "update", "delete", "merge", "undo")
#: a part holds entries up to about this many bytes of JSON (one entry may exceed it alone),
#: stored compressed (about a seventh of that on a load's records)
PART_BYTES = 1024 * 1024
#: entries a part starts from (halved until it is within PART_BYTES)
PART_ENTRIES = 2000
#: parts written per statement
PARTS_PER_WRITE = 16


@dataclass(frozen=True)
class Who:
    """Who made a change: an API key (its id and role), or the command line (``role`` is
    ``cli``, with the OS user); ``local`` is a loopback server with auth off."""

    role: str
    key: str | None = None
    os_user: str | None = None

    @classmethod
    def cli(cls) -> Who:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = f"uid {os.getuid()}"
        return cls(role="cli", os_user=user)

    def props(self) -> Row:
        return {k: v for k, v in (("role", self.role), ("key", self.key),
                                  ("os_user", self.os_user)) if v is not None}


@dataclass
class Entry:
    """One node or relationship a change touched.

    A node: ``id`` its id, ``type`` its base label, ``before``/``after`` ``{labels, props}``.
    A relationship: ``id`` its key, ``type`` its type, ``before``/``after``
    ``{src, dst, props}``.
    """

    kind: str  # "node" or "relationship"
    id: str
    type: str
    before: Row | None
    after: Row | None

    def entities(self) -> set[str]:
        """The ids this entry is found by: a node's id; a relationship's key and both ends,
        before and after (a tie belongs to the history of each end)."""
        out = {self.id}
        if self.kind == "relationship":
            for side in (self.before, self.after):
                if side:
                    out.update((side["src"], side["dst"]))
        return out

    def as_dict(self) -> Row:
        return {"kind": self.kind, "id": self.id, "type": self.type, "before": self.before,
                "after": self.after}


def node_entry(node_id: str, before: Row | None, after: Row | None) -> Entry:
    """``before``/``after``: ``{labels, props}`` or None."""
    labels = (after or before or {}).get("labels") or []
    return Entry("node", node_id, base_label(labels), before, after)


def edge_entry(rtype: str, key: str, before: Row | None, after: Row | None) -> Entry:
    """``before``/``after``: ``{src, dst, props}`` or None."""
    return Entry("relationship", key, rtype, before, after)


def base_label(labels: Iterable[str]) -> str:
    """
    >>> base_label(["Entity", "Casino", "Organization"])
    'Organization'
    """
    labels = list(labels)
    return next((x for x in labels if x in model.BASE_LABELS), labels[0] if labels else "")


@dataclass
class Change:
    action: str
    who: Who
    entries: list[Entry]
    summary: str = ""
    undoes: str | None = None
    id: str = field(default_factory=lambda: new_id())
    time: str = field(default_factory=lambda: now())

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"not a change action: {self.action!r}")

    def entities(self) -> set[str]:
        return set().union(*(e.entities() for e in self.entries)) if self.entries else set()

    def record(self) -> Row:
        """The ``Change`` node's properties (nulls left out: neither store keeps them)."""
        props = {"id": self.id, "time": self.time, "action": self.action,
                 "summary": self.summary, "undoes": self.undoes,
                 "entry_count": len(self.entries), **self.who.props()}
        return {k: v for k, v in props.items() if v is not None}

    def parts(self, limit: int = PART_BYTES) -> list[Row]:
        """The ``ChangePart`` nodes' properties: entries as JSON text, about ``limit``
        bytes a part, in order, and the ids each part's entries touch.

        >>> c = Change("create", Who("editor", "k1"), [node_entry("org:a", None,
        ...            {"labels": ["Organization"], "props": {"id": "org:a"}})], id="c1")
        >>> [(p["change"], p["seq"], p["entities"]) for p in c.parts()]
        [('c1', 0, ['org:a'])]
        """
        out: list[Row] = []
        # one serialisation per chunk rather than per entry: a load has tens of thousands.
        # A stack of chunks, not a recursive inner function: that would be a reference
        # cycle holding the change and all its entries until the garbage collector ran
        # (over a million objects after a big load, a second of it).
        chunks = [self.entries[i:i + PART_ENTRIES]
                  for i in range(0, len(self.entries), PART_ENTRIES)][::-1]
        while chunks:
            entries = chunks.pop()
            # orjson writes a dataclass as as_dict() does (its fields, in order), without a
            # dict an entry first
            blob = orjson.dumps(entries)
            if len(blob) > limit and len(entries) > 1:  # halve until it fits, in order
                chunks += [entries[len(entries) // 2:], entries[:len(entries) // 2]]
                continue
            # Entry.entities() of each, in one set: not a set an entry (a load has 400,000)
            ids = {e.id for e in entries}
            for e in entries:
                if e.kind == "relationship":
                    for side in (e.before, e.after):
                        if side:
                            ids.add(side["src"])
                            ids.add(side["dst"])
            out.append({"change": self.id, "time": self.time, "seq": len(out),
                        "entities": sorted(ids), "entries": pack(blob)})
        return out


def new_id() -> str:
    """A change id that sorts by time: ``chg-20261202T071015123456Z-3fa9c1``."""
    return "chg-" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + \
        secrets.token_hex(3)


def now() -> str:
    """The time of a change: UTC, to the microsecond, so changes sort by it."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def batches(parts: list[Row], size: int = PARTS_PER_WRITE) -> Iterator[list[Row]]:
    for i in range(0, len(parts), size):
        yield parts[i:i + size]


def pack(blob: bytes) -> str:
    """JSON as a part stores it: compressed (zlib, its fastest level) and base64 text.

    Measured on a SYNTHETIC load of 41,540 records (bench/load.py, scale 0.1): 14 MB of
    JSON became 2.5 MB in 0.07 s, and the log's share of the load's time fell by half: the
    time went in carrying and parsing the text, not in compressing it.

    >>> unpack(pack(b'[{"id": "a"}]'))
    [{'id': 'a'}]
    """
    return base64.b64encode(zlib.compress(blob, 1)).decode("ascii")


def unpack(text: str) -> Any:
    return orjson.loads(zlib.decompress(base64.b64decode(text)))


def read_entries(parts: Iterable[Row]) -> list[Entry]:
    """The entries of a change from its parts (in ``seq`` order)."""
    out: list[Entry] = []
    for p in sorted(parts, key=lambda p: p["seq"]):
        out += [Entry(**d) for d in unpack(p["entries"])]
    return out


def changed_properties(before: Row | None, after: Row | None) -> dict[str, list[Any]]:
    """What an entry changed, property by property: ``{name: [before, after]}`` (labels
    and a relationship's ends as ``labels``, ``src``, ``dst``).

    >>> changed_properties({"labels": ["Organization"], "props": {"id": "a", "city": "X"}},
    ...                    {"labels": ["Organization"], "props": {"id": "a", "city": "Y"}})
    {'city': ['X', 'Y']}
    """
    out: dict[str, list[Any]] = {}
    b, a = before or {}, after or {}
    for k in ("labels", "src", "dst"):
        x, y = b.get(k), a.get(k)
        if k == "labels":
            x, y = (sorted(x) if x else None), (sorted(y) if y else None)
        if x != y:
            out[k] = [x, y]
    bp, ap = b.get("props") or {}, a.get("props") or {}
    for k in sorted(set(bp) | set(ap)):
        if k in ("row_hash", "loaded_at"):
            continue
        if bp.get(k) != ap.get(k):
            out[k] = [bp.get(k), ap.get(k)]
    return out


def hide(entry: Row, hidden: Iterable[str]) -> Row:
    """An entry with these properties (people's contact details) left out of its before,
    after and changes, for a caller who may not see them."""
    hidden = set(hidden)

    def strip(side: Row | None) -> Row | None:
        if not side:
            return side
        return {**side, "props": {k: v for k, v in (side.get("props") or {}).items()
                                  if k not in hidden}}

    out = {**entry, "before": strip(entry.get("before")), "after": strip(entry.get("after"))}
    if "changes" in out:
        out["changes"] = {k: v for k, v in out["changes"].items() if k not in hidden}
    return out
