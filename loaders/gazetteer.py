"""What intake knows before reading: kind rules, common organizations, and (optionally)
the graph's own organizations. The data is in ``loaders/gazetteer.yaml``; see its header.

Shared by report extraction (``loaders/extract``) and the attendee and survey imports
(``loaders/attendees.py``, ``loaders/survey.py``), so that a name gets the same kind, and a
survey statement the same metric name, whichever way it came in."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from graph import model
from loaders import normalize

GAZETTEER = Path(__file__).resolve().parent / "gazetteer.yaml"


@dataclass(frozen=True)
class KindGuess:
    kind: str
    rule: str  # the words that decided it, as a person reads them in the review
    confidence: float


@dataclass(frozen=True)
class KindRule:
    kind: str
    pattern: re.Pattern[str]
    words: str
    confidence: float


@dataclass
class Known:
    """An organization known beforehand: from the shipped list or from the graph."""

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    id: str | None = None  # set for organizations already in the graph
    state: str | None = None
    origin: str = "gazetteer"  # or "graph"


@dataclass(frozen=True)
class ProgramHint:
    acronym: str
    words: tuple[str, ...]
    name: str
    kind: str


@dataclass
class Gazetteer:
    rules: list[KindRule]
    generic_words: frozenset[str]
    programs: list[ProgramHint]
    survey: list[tuple[re.Pattern[str], str]]
    by_name: dict[str, Known] = field(default_factory=dict)  # normalised name or alias

    def add(self, entry: Known) -> None:
        for n in (entry.name, *entry.aliases):
            key = normalize.normalize_name(n)
            # the graph's own entry wins over the shipped list; the first of equals stays
            if key and (key not in self.by_name or entry.origin == "graph"
                        and self.by_name[key].origin != "graph"):
                self.by_name[key] = entry

    def lookup(self, name: str) -> Known | None:
        return self.by_name.get(normalize.normalize_name(name))

    def with_graph(self, rows: Iterable[dict[str, Any]]) -> Gazetteer:
        """A copy that also knows the graph's organizations (rows of
        ``queries.STAKEHOLDER_CANDIDATES``)."""
        out = Gazetteer(self.rules, self.generic_words, self.programs, self.survey,
                        dict(self.by_name))
        for r in rows:
            if "Organization" not in (r.get("labels") or []) or not r.get("name"):
                continue
            kind = r.get("kind")
            if kind not in model.ORG_KINDS:
                continue
            out.add(Known(r["name"], kind, tuple(r.get("aliases") or ()), id=r["id"],
                          state=r.get("state"), origin="graph"))
        return out

    def guess_kind(self, name: str) -> KindGuess | None:
        """The kind a name's words suggest, by the first rule that matches.

        >>> g = load_gazetteer()
        >>> [g.guess_kind(n).kind for n in ("Springfield PD", "Pilot Travel Center 123",
        ...  "Texas Trucking Association", "Harrah's Casino", "Iowa DOT", "Ergon Trucking",
        ...  "Greyhound Lines", "Pine Belt Task Force", "Office of the Attorney General")]
        ['law enforcement', 'truck stop', 'trade association', 'casino', 'state agency', \
'trucking company', 'bus company', 'task force', 'prosecutor']
        """
        norm = normalize.normalize_name(name)
        for rule in self.rules:
            m = rule.pattern.search(norm)
            if m:
                return KindGuess(rule.kind, m[0], rule.confidence)
        return None

    def is_generic(self, name: str) -> bool:
        """True for a name made of describing words only ("the State Trucking Association").

        >>> g = load_gazetteer()
        >>> g.is_generic("the Department of Transportation"), g.is_generic("Iowa DOT")
        (True, False)
        """
        words = normalize.normalize_name(name).split()
        return bool(words) and all(w in self.generic_words for w in words)

    def survey_measure(self, statement: str) -> str | None:
        for pattern, name in self.survey:
            if pattern.search(statement):
                return name
        return None


@cache
def load_gazetteer(path: Path = GAZETTEER) -> Gazetteer:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = []
    for r in data["kind_rules"]:
        if r["kind"] not in model.ORG_KINDS:
            raise ValueError(f"{path.name}: unknown kind {r['kind']!r} in kind_rules")
        rules.append(KindRule(r["kind"], re.compile(rf"\b(?:{r['words']})\b"), r["words"],
                              float(r["confidence"])))
    g = Gazetteer(rules, frozenset(data["generic"]["words"]),
                  [ProgramHint(p["acronym"], tuple(p["words"]), p["name"], p["kind"])
                   for p in data["programs"]],
                  [(re.compile(s["pattern"], re.IGNORECASE), s["name"])
                   for s in data["survey_measures"]])
    for o in data["organizations"]:
        if o["kind"] not in model.ORG_KINDS:
            raise ValueError(f"{path.name}: unknown kind {o['kind']!r} for {o['name']}")
        g.add(Known(o["name"], o["kind"], tuple(o.get("aliases") or ())))
    return g
