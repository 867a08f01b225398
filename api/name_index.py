"""Typo-tolerant name search that stays fast on a national graph.

Scoring every name with rapidfuzz's WRatio costs about a second per query at 150,000 names, so
the index first narrows the candidates by word, the way search engines do (an inverted index
from words to names), and only then ranks them with WRatio:

1. names and aliases are split into words (lower case, punctuation removed);
2. each word of the query matches the index words that start with it (search as you type)
   or are within a small edit distance of it (``fuzz.ratio`` >= ``word_cutoff``: typos);
3. the candidates are the names matching every query word (or, when none does, any of them);
4. candidates are ranked by ``fuzz.WRatio`` against the whole query (cutoff ``cutoff``).

References: Manning, Raghavan and Schütze, *Introduction to Information Retrieval* (2008),
ch. 1 (inverted index) and 3.3 (spelling correction by edit distance over the vocabulary).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process


def words(text: str) -> list[str]:
    """
    >>> words("Biloxi Police Dept.")
    ['biloxi', 'police', 'dept']
    """
    return default_process(text).split()


class NameIndex:
    """Search over rows that have a ``name`` and optional ``aliases``.

    >>> ix = NameIndex([{"id": "a", "name": "Biloxi Police Department"},
    ...                 {"id": "b", "name": "Quality Carriers", "aliases": ["QC"]},
    ...                 {"id": "c", "name": "Gulfport Police Department"}])
    >>> [(r["id"], s) for r, s in ix.search("bilxi polce")]
    [('a', 77.1)]
    >>> [r["id"] for r, _ in ix.search("qual")]
    ['b']
    >>> [r["id"] for r, _ in ix.search("police")]
    ['a', 'c']
    """

    def __init__(self, rows: Iterable[dict[str, Any]], *, cutoff: float = 60,
                 word_cutoff: float = 75):
        self.rows = list(rows)
        self.cutoff = cutoff
        self.word_cutoff = word_cutoff
        self._names: list[str] = []  # every name and alias
        self._owner: list[int] = []  # the row each name belongs to
        postings: defaultdict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(self.rows):
            for name in [r.get("name") or "", *(r.get("aliases") or [])]:
                j = len(self._names)
                self._names.append(name)
                self._owner.append(i)
                for w in set(words(name)):
                    postings[w].append(j)
        self._vocab = sorted(postings)
        self._postings = dict(postings)

    def __len__(self) -> int:
        return len(self.rows)

    def _matching_words(self, w: str) -> set[str]:
        lo = bisect.bisect_left(self._vocab, w)
        hi = bisect.bisect_left(self._vocab, w + "\uffff")
        found = set(self._vocab[lo:hi])
        if len(w) >= 3:  # edit distance on one or two letters matches almost anything
            found.update(m for m, _, _ in process.extract(
                w, self._vocab, scorer=fuzz.ratio, score_cutoff=self.word_cutoff, limit=None))
        return found

    def _candidates(self, query_words: list[str]) -> set[int]:
        per_word = []
        for w in query_words:
            names: set[int] = set()
            for m in self._matching_words(w):
                names.update(self._postings[m])
            per_word.append(names)
        every = set.intersection(*per_word)
        return every if every else set.union(*per_word)

    def search(self, q: str) -> list[tuple[dict[str, Any], float]]:
        """Rows matching ``q``, best first (ties by name, then id), each with its score."""
        query_words = words(q)
        if not query_words:
            return []
        cand = sorted(self._candidates(query_words))
        best: dict[int, float] = {}
        for _, score, k in process.extract(
                q, [self._names[j] for j in cand], scorer=fuzz.WRatio,
                processor=default_process, limit=None, score_cutoff=self.cutoff):
            i = self._owner[cand[k]]
            best[i] = max(best.get(i, 0.0), score)
        order = sorted(best.items(), key=lambda x: (-x[1], self.rows[x[0]].get("name") or "",
                                                     self.rows[x[0]]["id"]))
        return [(self.rows[i], round(s, 1)) for i, s in order]
