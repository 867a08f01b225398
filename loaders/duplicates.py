"""Near-duplicate organizations: candidate pairs by blocking, then a fuzzy score.

Comparing every pair of names in a state is quadratic (a state of 1,000 organizations is
half a million comparisons). Record linkage avoids that by *blocking*: each record gets a
few keys, and only records that share a key are compared (P. Christen, *Data Matching*,
Springer 2012, ch. 4 "Indexing"; the rare keys play the part of the cheap distance in
McCallum, Nigam & Ungar's canopy clustering, KDD 2000). Here a name's keys are the first
and the last four letters of each of its words, so a typo in a word still leaves it one key
in common with the word spelled right; keys shared by more than :data:`RARE` names of the
state (``poli`` of "police", ``ment`` of "department") are dropped, because they say
nothing about which organization it is. A name left with no key keeps its rarest one.

Two names that differ only in a site number ("#245" and "#246", "Store 12" and "Store 13")
or only in a place qualifier ("Pilot Travel Center - Jackson" and "- Meridian", "Love's
(Gulfport)" and "(Biloxi)") are different sites of one chain, never near-duplicates: when
both carry a number, or both a qualifier, and they differ, the pair is not scored.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from loaders.normalize import normalize_name

#: a key shared by more names of a state than this is too common to block on
RARE = 50
#: letters of a word's start and end that make its keys
KEY_LEN = 4

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
    """Blocking keys of a normalised name: each word's first and last letters; numbers are
    no key (they tell sites apart, not organizations).

    >>> sorted(keys("hancock county sheriffs office 12"))
    ['<coun', '<hanc', '<offi', '<sher', '>cock', '>fice', '>iffs', '>unty']
    """
    out = set()
    for w in norm.split():
        if any(c.isdigit() for c in w):
            continue
        out.add("<" + w[:KEY_LEN])
        out.add(">" + w[-KEY_LEN:])
    return out


def candidate_pairs(names: Sequence[str], *, rare: int = RARE) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of normalised names that share a rare key.

    >>> sorted(candidate_pairs(["biloxi police department", "biloxl police department",
    ...                          "gulfport police department"], rare=2))
    [(0, 1)]
    """
    blocks: dict[str, list[int]] = defaultdict(list)
    name_keys = [keys(n) for n in names]
    for i, ks in enumerate(name_keys):
        for k in ks:
            blocks[k].append(i)
    pairs: set[tuple[int, int]] = set()
    for i, ks in enumerate(name_keys):
        kept = [k for k in ks if len(blocks[k]) <= rare]
        if not kept and ks:  # only common words ("county sheriffs office"): its rarest key
            kept = [min(ks, key=lambda k: (len(blocks[k]), k))]
        for k in kept:
            for j in blocks[k]:
                if j != i:
                    pairs.add((i, j) if i < j else (j, i))
    return pairs


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    where: str  # "organizations.csv row 4", or "the store"


def near_duplicates(members: Iterable[Member], threshold: float, *, rare: int = RARE
                    ) -> list[tuple[float, Member, Member]]:
    """Pairs of members of one state whose names score at least ``threshold`` (rapidfuzz
    token-sort ratio of the normalised names), most similar first; never two from the store,
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
    sites: dict[int, Site] = {}
    found = []
    for i, j in candidate_pairs(norms, rare=rare):
        a, b = members[i], members[j]
        if a.where == b.where == "the store":
            continue
        score = fuzz.token_sort_ratio(norms[i], norms[j], score_cutoff=threshold)
        if not score:
            continue
        for k in (i, j):
            if k not in sites:
                sites[k] = site(members[k].name)
        if different_sites(sites[i], sites[j]):
            continue
        found.append((score, a, b))
    found.sort(key=lambda t: (-t[0], t[1].where, t[1].id, t[2].id))
    return found
