"""The closed vocabularies as people type them: one checker per vocabulary, for the CLI, the
API and the pages alike.

Each checker accepts exactly what the loader accepts in the matching workbook column (the
folding is :func:`graph.model.lookup`: case, spaces, ``-`` and ``_`` do not matter, and a
label such as ``TruckStop`` is accepted too) and refuses anything else with an
:class:`~graph.errors.UnknownValue` that names the accepted words and the nearest one, so an
option such as ``--kind energy`` is an error a person can act on rather than an empty page.

>>> organization_kind("Truck_Stop"), sector("Civil-Society"), relationship_type("referred")
('truck stop', 'civil society', 'REFERRED')
>>> organization_kind("energy")
Traceback (most recent call last):
...
graph.errors.UnknownValue: no organization kind 'energy'; did you mean 'energy company'? \
Expected one of: bus company, bus terminal, casino, energy company, federal agency, \
law enforcement, nonprofit, prosecutor, school, shipper, sponsor, state agency, task force, \
trade association, transit agency, truck stop, trucking company, victim services
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from rapidfuzz import fuzz, process

from graph import model
from graph.errors import UnknownValue

#: the sectors organization kinds are grouped into (graph.model.SECTORS' values)
SECTORS: frozenset[str] = frozenset(model.SECTORS.values())

#: every word that names a relationship type, from each column of the workbook that sets one
#: (relationship types, participation roles, commitment kinds), plus the types' own names
#: ("LOCATED_IN", "located in"), so a filter can name any relationship the graph holds
RELATIONSHIP_WORDS: dict[str, str] = {
    **{t.lower().replace("_", " "): t for t in sorted(model.REL_TYPES)},
    **model.COMMITMENTS, **model.PARTICIPATION, **model.RELATIONSHIPS,
}


def nearest(text: str, choices: Iterable[str], *, cutoff: float = 75) -> str | None:
    """The choice closest to a mistyped ``text``, or None when nothing is close.

    WRatio, because people type part of a word ("energy" for "energy company").

    >>> nearest("enforcment", ["law enforcement", "prosecutor"]), nearest("bar", ["casino"])
    ('law enforcement', None)
    """
    key = model.vocab_key(text)
    if not key:
        return None
    best = process.extractOne(key, list(choices), scorer=fuzz.WRatio, score_cutoff=cutoff)
    return best[0] if best else None


def term(vocabulary: dict[str, str] | frozenset[str], text: str, *, what: str) -> str:
    """The canonical word of ``vocabulary`` that ``text`` stands for, as the loader reads it.

    >>> term(model.EVENT_KINDS, "Coalition_Build", what="event kind")
    'coalition build'
    """
    word = model.lookup(vocabulary, text)
    if word is not None:
        return word
    raise _unknown(what, text, sorted(vocabulary))


def organization_kind(text: str) -> str:
    """An organization kind (``'truck stop'``); its label is ``model.ORG_KINDS[kind]``."""
    return term(model.ORG_KINDS, text, what="organization kind")


def sector(text: str) -> str:
    """A sector: one of :data:`SECTORS` (``'industry'``, ``'law enforcement'``, ...)."""
    return term(SECTORS, text, what="sector")


def relationship_type(text: str) -> str:
    """The relationship type (``'REFERRED'``, ``'ATTENDED'``, ``'LOCATED_IN'``) a word names.

    Accepts the words of the relationships sheet's ``type``, participation's ``role`` and
    commitments' ``kind`` columns, and the types' own names.

    >>> relationship_type("local contact"), relationship_type("co-hosted"), \
relationship_type("LOCATED_IN")
    ('LOCAL_CONTACT', 'HOSTED', 'LOCATED_IN')
    """
    word = model.lookup(RELATIONSHIP_WORDS, text)
    if word is not None:
        return RELATIONSHIP_WORDS[word]
    raise _unknown("relationship type", text, sorted(RELATIONSHIP_WORDS))


class KindOrSector(NamedTuple):
    """What a ``kind`` filter names: the word, and the organization kinds it selects."""

    word: str
    #: the kind itself, or every kind of the sector (for "law enforcement", which is both a
    #: kind and a sector: the sector, as the search has always read it)
    kinds: frozenset[str]


def kind_or_sector(text: str) -> KindOrSector:
    """An organization kind or a sector, as a ``kind`` filter takes either.

    >>> kind_or_sector("truck stop").kinds == {"truck stop"}
    True
    >>> sorted(kind_or_sector("law enforcement").kinds)
    ['law enforcement', 'prosecutor', 'task force']
    """
    word = model.lookup(model.ORG_KINDS, text) or model.lookup(SECTORS, text)
    if word is None:
        raise _unknown("organization kind or sector", text,
                       sorted(set(model.ORG_KINDS) | SECTORS),
                       expected=f"a kind ({', '.join(sorted(model.ORG_KINDS))}) or a sector "
                                f"({', '.join(sorted(SECTORS))})")
    kinds = frozenset(k for k, s in model.SECTORS.items() if word in (k, s))
    return KindOrSector(word, kinds)


#: base labels a view or export may filter on besides kinds and sectors ("event", "person")
LABEL_WORDS: frozenset[str] = frozenset(x.lower() for x in model.BASE_LABELS)


def view_kind(text: str) -> str:
    """What a view's or export's ``kind`` filter takes: an organization kind, a sector, or a
    base label (``event``, ``person``, ``program``), in the form the projection compares.

    >>> view_kind("Truck_Stop"), view_kind("Industry"), view_kind("Event")
    ('truck stop', 'industry', 'event')
    >>> view_kind("energy")
    Traceback (most recent call last):
    ...
    graph.errors.UnknownValue: no organization kind, sector or label 'energy'; did you mean \
'energy company'? Expected a kind (bus company, bus terminal, casino, energy company, \
federal agency, law enforcement, nonprofit, prosecutor, school, shipper, sponsor, state \
agency, task force, trade association, transit agency, truck stop, trucking company, victim \
services), a sector (civil society, government, industry, law enforcement) or a label \
(county, event, group, law, metric, modelcomponent, organization, person, program, state)
    """
    word = (model.lookup(model.ORG_KINDS, text) or model.lookup(SECTORS, text)
            or model.lookup(LABEL_WORDS, text))
    if word is None:
        raise _unknown("organization kind, sector or label", text,
                       sorted(set(model.ORG_KINDS) | SECTORS | LABEL_WORDS),
                       expected=f"a kind ({', '.join(sorted(model.ORG_KINDS))}), a sector "
                                f"({', '.join(sorted(SECTORS))}) or a label "
                                f"({', '.join(sorted(LABEL_WORDS))})")
    return word


def _unknown(what: str, text: str, accepted: list[str], *,
             expected: str | None = None) -> UnknownValue:
    best = nearest(text, accepted)
    hint = f"; did you mean {best!r}?" if best else "."
    expected = expected or "one of: " + ", ".join(accepted)
    return UnknownValue(f"no {what} {text!r}{hint} Expected {expected}", what=what, value=text,
                        suggestion=best, accepted=tuple(accepted))
