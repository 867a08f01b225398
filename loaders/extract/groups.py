"""Unnamed groups as reports count them: "representatives from 3 local casinos", "28 oil and
gas representatives", "12 truck stops" (docs/workbook.md, Unnamed groups).

A group's kind comes from its description by the same kind rules as an organization's name
(``kind_rules`` in loaders/gazetteer.yaml): "local casinos" is casino by 'casinos', "oil and
gas representatives" energy company by 'oil', "law enforcement officers" law enforcement. A
description no rule places ("5 organizations") is no group: the figure stays a metric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph import model
from loaders.extract.figures import NUMBER, QUAL
from loaders.gazetteer import Gazetteer, KindGuess

#: what a count of organizations counts ("3 local casinos", "14 police departments")
ORG_PLURALS = (r"casinos|truck stops|truckstops|travel centers|travel centres|travel plazas|"
               r"companies|carriers|fleets|agencies|departments|offices|organizations|"
               r"organisations|businesses|hotels|motels|districts|associations|task forces|"
               r"terminals|stations|schools|colleges|shippers|refineries|providers")
#: what a count of people counts ("28 oil and gas representatives")
PEOPLE_PLURALS = (r"representatives|reps|officers|employees|members|staff|leaders|"
                  r"professionals|stakeholders|personnel|agents|investigators|deputies|"
                  r"troopers|drivers|managers|executives|officials|prosecutors|advocates|"
                  r"owners|operators|dispatchers|workers")
_DESC = r"(?P<desc>(?:[a-z][a-z'&-]*\s+){0,4}?)"
_ORG_GROUP = re.compile(r"(?i)\b(?:representatives|reps|staff|employees|members|officers|"
                        r"leaders|personnel|delegates|delegations)\s+(?:from|of)\s+" + QUAL +
                        NUMBER + r"(?P<plus>\+)?\s+" + _DESC + rf"(?P<noun>{ORG_PLURALS})\b")
_BARE_ORGS = re.compile(r"(?i)(?<![\w$#.,-])" + QUAL + NUMBER + r"(?P<plus>\+)?\s+" + _DESC +
                        rf"(?P<noun>{ORG_PLURALS})\b")
_PEOPLE = re.compile(r"(?i)(?<![\w$#.,-])" + QUAL + NUMBER + r"(?P<plus>\+)?\s+" +
                     _DESC.replace("{0,4}", "{1,4}") + rf"(?P<noun>{PEOPLE_PLURALS})\b")
#: a part of a whole just before a count: "15 of the 20 casinos", "nine of the state's 14"
_PART = re.compile(r"(?i)(?<![\w$#.,-])" + NUMBER.replace("?P<n>", "?P<part>") +
                   r"\s+of\s+(?:the|their|its|our|these|those)(?:\s+[\w.]+'s)?\s+$")
_NONE = re.compile(r"(?i)\b(?:none|neither)\s+of\s+(?:the|their|its|our|these|those)"
                   r"(?:\s+[\w.]+'s)?\s+$")
#: a share of a whole just before a count: "40% of the 200 truck stops", "half of the 12"
_SHARE = re.compile(r"(?i)(?:\d+(?:\.\d+)?\s*%|\b(?:half|most|many|some|several|a few|a "
                    r"third|a quarter|two thirds|three quarters))\s+of\s+(?:the|their|its|our|"
                    r"these|those)(?:\s+[\w.]+'s)?\s+$")
#: plural heads the kind rules know only in the singular
_SINGULAR = {"agencies": "agency", "departments": "department", "offices": "office",
             "companies": "company", "associations": "association", "refineries": "refinery",
             "districts": "district", "schools": "school", "colleges": "college"}


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    name: str  # as the report describes them: "local casinos"
    kind: KindGuess
    n: str  # the number as written ("3", "1,045", "three")
    q: str | None  # its qualifier as written ("over"), if any
    unit: str  # organizations or people
    level: str | None
    text: str  # the words matched, for the note


#: level words that are not the workbook's levels: a province is its state (docs/workbook.md,
#: Jurisdictions), a municipality its local level
LEVEL_WORDS = {"provincial": "state", "municipal": "local"}


def _kind(gaz: Gazetteer, phrase: str) -> KindGuess | None:
    guess = gaz.guess_kind(phrase)
    if guess is None:
        words = phrase.split()
        if words and words[-1].lower() in _SINGULAR:
            guess = gaz.guess_kind(" ".join([*words[:-1], _SINGULAR[words[-1].lower()]]))
    if guess is not None and guess.kind not in model.GROUP_KINDS:
        return None
    return guess


def _year(n: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d{2}", n))


def groups_in(text: str, gaz: Gazetteer) -> list[Found]:
    """The unnamed groups a sentence counts, by position; a count whose description no kind
    rule places is left out.

    >>> from loaders.gazetteer import load_gazetteer
    >>> [(f.name, f.kind.kind, f.n, f.unit, f.level) for f in groups_in(
    ...     "Representatives from 3 local casinos, 28 oil and gas representatives and 227 law "
    ...     "enforcement officers attended.", load_gazetteer())]
    [('local casinos', 'casino', '3', 'organizations', 'local'), ('oil and gas \
representatives', 'energy company', '28', 'people', None), ('law enforcement officers', \
'law enforcement', '227', 'people', None)]
    """
    out: list[Found] = []
    for pattern, unit in ((_ORG_GROUP, "organizations"), (_BARE_ORGS, "organizations"),
                          (_PEOPLE, "people")):
        for m in pattern.finditer(text):
            if _year(m["n"]) or any(m.start() < f.end and m.end() > f.start for f in out):
                continue
            desc = re.sub(r"\s+", " ", m["desc"]).strip()
            if re.match(r"(?i)(?:of|from|and|or|the|their|our|its)\b", desc):
                continue  # "3 of the casinos", "25 of their drivers": not a description
            name = f"{desc} {m['noun']}".strip()
            kind = _kind(gaz, name)
            if kind is None:
                continue
            first = desc.split()[0].lower() if desc else ""
            level = first if first in model.LEVELS else LEVEL_WORDS.get(first)
            start = m.start("n") if m["q"] is None else m.start("q")
            n, q = m["n"], m["q"] or ("+" if m["plus"] else None)  # "40+ officers"
            words = m[0].strip()
            if _NONE.search(text, 0, start):
                continue  # "none of the 12 truck stops took part"
            part = _PART.search(text, 0, start)
            share = None if part else _SHARE.search(text, 0, start)
            if part:  # those who came are the part, not the whole they are counted from
                start, n, q = part.start(), part["part"], None
                words = text[start:m.end()].strip()
            elif share:  # a share of the whole: how many is not said
                start, n, q = share.start(), "", None
                words = text[start:m.end()].strip()
            out.append(Found(start, m.end(), name, kind, n, q, unit, level, words))
    return sorted(out, key=lambda f: f.start)


#: a build that brought sectors together: "to bring together key industry stakeholders in the
#: trucking, truck stop and bus industries, along with local and state law enforcement"
TOGETHER = re.compile(r"(?i)\b(?:bring|brought|bringing|gather|gathered|gathering|convene|"
                      r"convened|convening)\s+together\b")
#: an industry as a list names it; "oil and gas" is one, not two
_ITEM = r"(?:oil\s+and\s+gas|[a-z][a-z-]*(?:\s+[a-z][a-z-]*)?)"
_INDUSTRIES = re.compile(rf"\b(?:in|from|and)\s+the\s+(?P<list>{_ITEM}(?:,\s*{_ITEM})*(?:,?\s+"
                         rf"(?:and|&)\s+{_ITEM})?)\s+industr(?:y|ies)\b")
_LEVEL = r"(?:local|county|state|regional|federal|tribal|provincial|municipal)"
_LAW = re.compile(rf"\b(?P<levels>{_LEVEL}(?:(?:,\s*|,?\s+(?:and|or)\s+){_LEVEL})*)\s+law\s+"
                  r"enforcement\b")


def uncounted_in(text: str, gaz: Gazetteer) -> list[Found]:
    """The sectors a sentence says were brought together, without a number: one group a
    listed industry, one a level of law enforcement.

    >>> from loaders.gazetteer import load_gazetteer
    >>> [(f.name, f.kind.kind, f.level) for f in uncounted_in(
    ...     "to bring together key industry stakeholders in the trucking, truck stop and bus "
    ...     "industries, along with local and state law enforcement", load_gazetteer())]
    [('trucking industry stakeholders', 'trucking company', None), ('truck stop industry \
stakeholders', 'truck stop', None), ('bus industry stakeholders', 'bus company', None), \
('local law enforcement', 'law enforcement', 'local'), ('state law enforcement', \
'law enforcement', 'state')]
    """
    out: list[Found] = []
    tail = " stakeholders" if re.search(r"(?i)\bstakeholders\b", text) else ""
    for m in _INDUSTRIES.finditer(text):
        for item in re.split(r"\s*,\s*(?:and\s+|&\s+)?|(?<!\boil)\s+(?:and|&)\s+(?!gas\b)",
                             m["list"]):
            kind = _kind(gaz, item) if item else None
            if kind is not None:
                out.append(Found(m.start(), m.end(), f"{item} industry{tail}", kind, "",
                                 None, "", None, m[0].strip()))
    for m in _LAW.finditer(text):
        kind = _kind(gaz, "law enforcement")
        assert kind is not None  # a kind rule of the shipped gazetteer
        for level in re.findall(_LEVEL, m["levels"]):
            # "tribal" names the group but is no level of the workbook's (model.LEVELS)
            out.append(Found(m.start(), m.end(), f"{level} law enforcement", kind, "", None,
                             "", level if level in model.LEVELS else LEVEL_WORDS.get(level),
                             m[0].strip()))
    return out
