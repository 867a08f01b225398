"""Near-duplicate organizations: candidate pairs by blocking, then a fuzzy score.

Comparing every pair of names in a state is quadratic (a state of 1,000 organizations is
half a million comparisons). Record linkage avoids that by *blocking*: each record gets a
few keys, and only records that share a key are compared (P. Christen, *Data Matching*,
Springer 2012, ch. 4 "Indexing"; the rare keys play the part of the cheap distance in
McCallum, Nigam & Ungar's canopy clustering, KDD 2000). Here a name's keys are the first
four, the last four, and the first two with the last two letters of each of its words, so a
typo in a word still leaves it one key in common with the word spelled right; keys shared by more than :data:`RARE` names of the
state (``poli`` of "police", ``ment`` of "department") are dropped, because they say
nothing about which organization it is. A name left with no key keeps its rarest one.

Two names that differ only in a site number ("#245" and "#246", "Store 12" and "Store 13")
or only in a place qualifier ("Pilot Travel Center - Jackson" and "- Meridian", "Love's
(Gulfport)" and "(Biloxi)") are different sites of one chain, never near-duplicates: when
both carry a number, or both a qualifier, and they differ, the pair is not scored.
"""

from __future__ import annotations

import os
import pickle
import re
import select
import signal
import threading
import time
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from loaders.normalize import normalize_name

#: a key shared by more names of a state than this is too common to block on
RARE = 50
#: letters of a word's start and end that make its keys
KEY_LEN = 4
#: a pair's similarity is the better of these: the names as written, and with their words
#: sorted (a reordering); sorting alone loses a typo in a first letter, which moves the word
SCORERS = (fuzz.ratio, fuzz.token_sort_ratio)

# A place qualifier is a trailing part after a dash or comma, or a part in parentheses.
_PARENS = re.compile(r"\(([^()]*)\)")
_TAIL = re.compile(r"\s+[-\u2013\u2014]\s+(.+)$|,\s*(.+)$")


@dataclass(frozen=True)
class Site:
    """What tells sites of one chain apart: its numbers and its place qualifier."""

    numbers: tuple[str, ...]
    qualifier: str


def site(name: str) -> Site:
    """The numbers and place qualifier of an organization's name.

    >>> site("Love's Travel Stop #245")
    Site(numbers=('245',), qualifier='')
    >>> site("Pilot Travel Center - Jackson")
    Site(numbers=(), qualifier='jackson')
    >>> site("Love's (Gulfport)")
    Site(numbers=(), qualifier='gulfport')
    >>> site("Hancock County Sheriff's Office")
    Site(numbers=(), qualifier='')
    """
    parts = [m.group(1) for m in _PARENS.finditer(name)]
    rest = _PARENS.sub(" ", name).strip()
    tail = _TAIL.search(rest)
    if tail:
        parts.append(tail.group(1) or tail.group(2))
    qualifier = " ".join(normalize_name(p) for p in parts if p.strip())
    numbers = tuple(w for w in normalize_name(name).split() if any(c.isdigit() for c in w))
    return Site(numbers, qualifier.strip())


def different_sites(a: Site, b: Site) -> bool:
    """True when two names are told apart by a number or a place qualifier both carry.

    >>> different_sites(site("Store 12"), site("Store 13"))
    True
    >>> different_sites(site("Texas Trucking Association (TTA)"),
    ...                 site("Texas Trucking Association"))
    False
    """
    return bool((a.numbers and b.numbers and a.numbers != b.numbers)
                or (a.qualifier and b.qualifier and a.qualifier != b.qualifier))


def keys(norm: str) -> set[str]:
    """Blocking keys of a normalised name: each word's first four letters, last four, and
    first two with last two (one typo in a word of six letters or more keeps at least one
    of the three); numbers are no key (they tell sites apart, not organizations), nor "&".

    >>> sorted(keys("hancock county sheriffs office 12"))  # doctest: +NORMALIZE_WHITESPACE
    ['<coun', '<hanc', '<offi', '<sher', '=coty', '=hack', '=ofce', '=shfs',
     '>cock', '>fice', '>iffs', '>unty']
    """
    words = [w for w in norm.split() if w.isalpha()]
    return ({"<" + w[:KEY_LEN] for w in words} | {">" + w[-KEY_LEN:] for w in words}
            | {"=" + w[:2] + w[-2:] for w in words})


def candidates(names: Sequence[str], *, rare: int = RARE) -> list[list[int]]:
    """For each normalised name, the later names (by index) that share a rare key with it.

    >>> candidates(["biloxi police department", "biloxl police department",
    ...             "gulfport police department"], rare=2)
    [[1], [], []]
    """
    blocks: dict[str, list[int]] = defaultdict(list)
    name_keys = [keys(n) for n in names]
    for i, ks in enumerate(name_keys):
        for k in ks:
            blocks[k].append(i)
    out = []
    for i, ks in enumerate(name_keys):
        kept = [blocks[k] for k in ks if len(blocks[k]) <= rare]
        if not kept and ks:  # only common words ("county sheriffs office"): its rarest key
            kept = [blocks[min(ks, key=lambda k: (len(blocks[k]), k))]]
        near: set[int] = set()
        for block in kept:  # a block's indices ascend: only those after i
            near.update(block[bisect_right(block, i):])
        out.append(list(near))
    return out


def candidate_pairs(names: Sequence[str], *, rare: int = RARE) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of normalised names that share a rare key."""
    return {(i, j) for i, near in enumerate(candidates(names, rare=rare)) for j in near}


def pair_key(a: str, b: str) -> str:
    """How a pair of ids is remembered (the review queue's decisions): sorted, space-joined.

    >>> pair_key("org:b", "org:a")
    'org:a org:b'
    """
    return " ".join(sorted((a, b)))


def _may_reach(la: int, lb: int, threshold: float) -> bool:
    """Whether two strings of these lengths can score ``threshold`` by rapidfuzz's ratio.

    >>> _may_reach(20, 22, 92), _may_reach(20, 24, 92), _may_reach(0, 0, 100)
    (True, False, True)
    """
    total = la + lb
    # the epsilon: never drop a pair the float arithmetic puts a hair under the threshold
    return not total or 200.0 * min(la, lb) / total >= threshold - 1e-9


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    where: str  # "organizations.csv row 4", or "the store"


def near_duplicates(members: Iterable[Member], threshold: float, *, rare: int = RARE
                    ) -> list[tuple[float, Member, Member]]:
    """Pairs of members of one state whose names score at least ``threshold`` (rapidfuzz
    ratio or token-sort ratio of the normalised names, the better), most similar first;
    never two from the store,
    never two sites of one chain.

    >>> m = [Member("a", "Hancock County Sherif's Office", "r2"),
    ...      Member("b", "Hancock County Sheriff's Office", "r3"),
    ...      Member("c", "Love's Travel Stop #245", "r4"),
    ...      Member("d", "Love's Travel Stop #246", "r5")]
    >>> [(round(s), x.id, y.id) for s, x, y in near_duplicates(m, 92)]
    [(98, 'a', 'b')]
    """
    members = list(members)
    norms = [normalize_name(m.name) for m in members]
    lens = [len(n) for n in norms]
    sorted_lens = [len(" ".join(n.split())) for n in norms]  # what token_sort_ratio compares
    sites: dict[int, Site] = {}
    found = []
    # A length window: ratio is 100 * (1 - indel distance / (la + lb)) and the distance
    # is at least |la - lb|, so a pair scores at most 200 * min / (la + lb); the same holds
    # for token_sort_ratio over the names' sorted words. A pair whose bound, for both
    # scorers, is below the threshold cannot reach it: not scored at all. Names have few
    # distinct lengths: the lengths each length may reach, worked out once a pair of them.
    distinct = set(lens) | set(sorted_lens)
    reach = {la: {lb for lb in distinct if _may_reach(la, lb, threshold)} for la in distinct}
    for i, near in enumerate(candidates(norms, rare=rare)):
        if members[i].where == "the store":
            near = [j for j in near if members[j].where != "the store"]
        ok, ok_sorted = reach[lens[i]], reach[sorted_lens[i]]
        near = [j for j in near if lens[j] in ok or sorted_lens[j] in ok_sorted]
        if not near:
            continue
        # One call a name, not a pair: the scoring loop stays in rapidfuzz's C code.
        choices = [norms[j] for j in near]
        scores: dict[int, float] = {}
        for scorer in SCORERS:
            for _, score, k in process.extract(norms[i], choices, scorer=scorer,
                                               score_cutoff=threshold, limit=None):
                scores[k] = max(score, scores.get(k, 0))
        for k, score in scores.items():
            j = near[k]
            for x in (i, j):
                if x not in sites:
                    sites[x] = site(members[x].name)
            if not different_sites(sites[i], sites[j]):
                found.append((score, members[i], members[j]))
    found.sort(key=lambda t: (-t[0], t[1].where, t[1].id, t[2].id))
    return found


#: groups of fewer members than this, in all, are scored in the caller's process: a fork
#: would cost more than it saves
FORK_AT = 5_000
#: seconds to wait for the child before scoring in the caller's process after all (the
#: answer is the same either way; only a child that hangs would make it slower)
CHILD_DEADLINE = 120.0

Found = list[tuple[float, Member, Member]]


class Scoring:
    """:func:`near_duplicates` of each group of members, scored in a forked child process
    while the caller goes on with other work (a load's plan: the rest of its rows, on the
    machine's other core); :meth:`result` waits for them (issue 12, item 2).

    The same pairs, scores and order as scoring them in the caller's process, which is what
    happens without ``os.fork``, for small groups, off the main thread, or should the child
    fail or hang."""

    def __init__(self, groups: list[list[Member]], threshold: float):
        self.groups, self.threshold = groups, threshold
        self.pid, self.fd = 0, -1
        # Only from a program's main thread (the command line): a server loads in a worker
        # thread while its other threads hold locks a forked child would inherit held.
        if hasattr(os, "fork") and sum(map(len, groups)) >= FORK_AT and \
                threading.current_thread() is threading.main_thread():
            self._fork()

    def here(self) -> Found:
        return [f for g in self.groups if len(g) > 1
                for f in near_duplicates(g, self.threshold)]

    def _fork(self) -> None:
        r, w = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(r)
            os.close(w)
            return
        if pid == 0:  # the child: score, send the pairs as indices, and leave at once
            code = 1
            try:
                os.close(r)
                out = []
                for g in self.groups:
                    index = {id(m): k for k, m in enumerate(g)}
                    out.append([(s, index[id(a)], index[id(b)]) for s, a, b in
                                (near_duplicates(g, self.threshold) if len(g) > 1 else [])])
                data = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
                view = memoryview(data)
                while view:
                    view = view[os.write(w, view):]
                code = 0
            finally:
                os._exit(code)  # no atexit, no flushing of the parent's buffers
        os.close(w)
        self.pid, self.fd = pid, r

    def result(self) -> Found:
        if not self.pid:
            return self.here()
        chunks, deadline = [], time.monotonic() + CHILD_DEADLINE
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                    os.kill(self.pid, signal.SIGKILL)
                    chunks = []
                    break
                chunk = os.read(self.fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            status = self._reap()
        if status != 0 or not chunks:
            return self.here()
        out = pickle.loads(b"".join(chunks))
        return [(s, g[i], g[j]) for g, pairs in zip(self.groups, out, strict=True)
                for s, i, j in pairs]

    def cancel(self) -> None:
        """Stop the child (the plan failed before it needed the answer)."""
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            self._reap()

    def _reap(self) -> int:
        os.close(self.fd)
        _, status = os.waitpid(self.pid, 0)
        self.pid, self.fd = 0, -1
        return status
