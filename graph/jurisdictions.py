"""Jurisdictions as people write them: US states, DC and territories, Canadian provinces and
territories, and other countries at country level. One normaliser for the loader, the CLI,
the API and the pages.

Inside, a jurisdiction is its ISO code: ISO 3166-2 for a subdivision (``US-MS``, ``CA-AB``),
ISO 3166-1 alpha-2 for a country (``MX``). The reference lists are packaged, never fetched:
US names and codes from the ``us`` package (as the loader has always used), Canadian
subdivisions and countries from ``pycountry`` (ISO 3166, kept in step with the standard by the
Debian iso-codes project).

Stored data and ids use the *short form* (:func:`short`), which keeps every US id unchanged:

===========================  ==================  ===========================================
jurisdiction                 short form          ids
===========================  ==================  ===========================================
US state, DC, territory      ``MS``, ``DC``      ``state:MS``, ``org:ms:...``, ``event:ms:...``
Canadian province/territory  ``CA-AB``           ``state:CA-AB``, ``org:ca-ab:...``
country                      ``MEX`` (alpha-3)   ``state:MEX``, ``org:mex:...``
===========================  ==================  ===========================================

Countries are stored by their alpha-3 code because their alpha-2 codes are also US state
codes (``CA`` is Canada and California, ``DE`` Germany and Delaware, ``IN`` India and
Indiana). For the same reason a two-letter code is a US or Canadian postal code (the two sets
are disjoint), or ``MX`` or ``US``: ``CA`` is California, as US data has always written it,
and Canada is ``Canada`` or ``CAN``; other countries' two-letter codes are refused with the
name to write, since such a cell is more often a slip (``TZ`` for ``TX``, YAML's ``NO``) than
a country. Three capital letters
are an alpha-3 code (``IND`` is India, ``ALA`` Åland); written otherwise (``Ind.``, ``ala``)
they are the traditional abbreviations of Indiana and Alabama. A name shared by a state and a
country is the state (``Georgia``; the country is ``GEO``). Every short form reads back as the
jurisdiction it came from.

>>> jurisdiction("Miss.")
Jurisdiction(code='US-MS', name='Mississippi', country='US', kind='state')
>>> [short(jurisdiction(s).code) for s in ("MS", "Alberta", "CA-AB", "Mexico", "MX", "CA")]
['MS', 'CA-AB', 'CA-AB', 'MEX', 'MEX', 'CA']
>>> jurisdiction("Albrta")
Traceback (most recent call last):
...
graph.errors.UnknownValue: unknown state, province or country 'Albrta'; did you mean \
'Alberta' (CA-AB)? Write a US state's two-letter code or name (MS, Mississippi, Miss.), DC or \
a US territory (PR, Puerto Rico), a Canadian province or territory (AB, Alberta, Alta., \
CA-AB), or a country's name or three-letter ISO code (Mexico, MEX; Canada is 'Canada' or \
'CAN', since 'CA' is California)
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

import pycountry
import us
from rapidfuzz import fuzz, process

from graph.errors import UnknownValue

Kind = Literal["state", "district", "territory", "province", "country"]


@dataclass(frozen=True)
class Jurisdiction:
    code: str  # ISO 3166-2 (US-MS, CA-AB) or ISO 3166-1 alpha-2 (MX)
    name: str
    country: str  # ISO 3166-1 alpha-2
    kind: Kind

    @property
    def short(self) -> str:
        """The form stored in ``state`` properties and used in ids (see :func:`short`)."""
        return short(self.code)

    @property
    def id(self) -> str:
        """The id of its ``State`` node: ``state:MS``, ``state:CA-AB``, ``state:MEX``."""
        return f"state:{self.short}"

    @property
    def source(self) -> str:
        """Where its name and code come from, for the provenance of its node."""
        in_us = self.country == "US" and self.kind != "country" and self.code != "US-UM"
        return "us package" if in_us else "ISO 3166 (pycountry)"


#: the subdivisions kept below country level; elsewhere, the country
SUBDIVIDED = ("US", "CA")

ACCEPTED = ("Write a US state's two-letter code or name (MS, Mississippi, Miss.), DC or a US "
            "territory (PR, Puerto Rico), a Canadian province or territory (AB, Alberta, "
            "Alta., CA-AB), or a country's name or three-letter ISO code (Mexico, MEX; Canada "
            "is 'Canada' or 'CAN', since 'CA' is California)")

#: traditional (AP, GPO, Canadian Press) abbreviations, keyed by their letters alone; neither
#: package knows them. Two-letter keys are postal codes written with dots ("N.Y.", "B.C.").
_ABBREVIATIONS = {
    # United States
    "ala": "US-AL", "ariz": "US-AZ", "ark": "US-AR", "calif": "US-CA", "cal": "US-CA",
    "colo": "US-CO", "conn": "US-CT", "del": "US-DE", "fla": "US-FL", "ga": "US-GA",
    "ill": "US-IL", "ind": "US-IN", "kan": "US-KS", "kans": "US-KS", "ky": "US-KY",
    "la": "US-LA", "md": "US-MD", "mass": "US-MA", "mich": "US-MI", "minn": "US-MN",
    "miss": "US-MS", "mo": "US-MO", "mont": "US-MT", "neb": "US-NE", "nebr": "US-NE",
    "nev": "US-NV", "nh": "US-NH", "nj": "US-NJ", "nm": "US-NM", "ny": "US-NY", "nc": "US-NC",
    "nd": "US-ND", "okla": "US-OK", "ore": "US-OR", "oreg": "US-OR", "pa": "US-PA",
    "penn": "US-PA", "penna": "US-PA", "ri": "US-RI", "sc": "US-SC", "sd": "US-SD",
    "tenn": "US-TN", "tex": "US-TX", "vt": "US-VT", "va": "US-VA", "wash": "US-WA",
    "wva": "US-WV", "wis": "US-WI", "wisc": "US-WI", "wyo": "US-WY", "dc": "US-DC",
    "usvi": "US-VI", "cnmi": "US-MP",
    # Canada
    "alta": "CA-AB", "man": "CA-MB", "nfld": "CA-NL", "nwt": "CA-NT", "nvt": "CA-NU",
    "ont": "CA-ON", "pei": "CA-PE", "que": "CA-QC", "pq": "CA-QC", "sask": "CA-SK",
    "yuk": "CA-YT",
}

#: names people write that neither package lists
_NAMES = {
    "washington dc": "US-DC", "us virgin islands": "US-VI",
    "united states virgin islands": "US-VI", "newfoundland": "CA-NL",
    "yukon territory": "CA-YT", "north west territories": "CA-NT",
    "am samoa": "US-AS", "united states": "US", "united states of america": "US",
}
#: the countries whose two-letter codes are read as such: every other two-letter code is a
#: US or Canadian postal code or a mistake (YAML's "NO" for Norway; "TZ" for "TX"), so other
#: countries are written by name or three-letter code
_TWO_LETTER_COUNTRIES = ("MX", "US")
#: two-letter codes in use beside ISO's own, for the "write ..." hint
_ALPHA2 = {"UK": "GB"}


def _key(text: str) -> str:
    """Fold a name: accents, case, dots and apostrophes, punctuation.

    >>> _key("Hawaiʻi"), _key("Washington, D.C."), _key("Newfoundland & Labrador")
    ('hawaii', 'washington dc', 'newfoundland and labrador')
    """
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[.'’]", "", text).replace("&", " and ")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words)


@dataclass(frozen=True)
class _Tables:
    by_code: dict[str, Jurisdiction]
    postal: dict[str, str]  # two-letter US and Canadian codes -> ISO code
    alpha2: dict[str, str]  # countries' alpha-2 codes not taken by postal codes
    alpha3: dict[str, str]
    names: dict[str, str]  # folded name -> ISO code
    foreign: dict[str, frozenset[str]]  # folded subdivision name elsewhere -> countries


@cache
def _tables() -> _Tables:
    by_code: dict[str, Jurisdiction] = {}
    postal: dict[str, str] = {}
    names: dict[str, str] = {}

    def add(j: Jurisdiction, *spellings: str) -> None:
        by_code[j.code] = j
        for s in spellings:
            names.setdefault(_key(s), j.code)

    for s in us.states.STATES_AND_TERRITORIES:
        kind: Kind = "district" if s.abbr == "DC" else "territory" if s.is_territory \
            else "state"
        add(Jurisdiction(f"US-{s.abbr}", s.name, "US", kind), s.name)
        postal[s.abbr] = f"US-{s.abbr}"
    french = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["fr"],
                                 fallback=True)
    for country in SUBDIVIDED:
        for sub in sorted(pycountry.subdivisions.get(country_code=country),
                          key=lambda x: x.code):
            if sub.code not in by_code:  # US-UM, which the us package leaves out
                kind = "province" if sub.type == "Province" else "territory"
                add(Jurisdiction(sub.code, sub.name, country, kind), sub.name)
                postal[sub.code[3:]] = sub.code
            add(by_code[sub.code], sub.name)
            if country == "CA":  # its official languages: "Colombie-Britannique", "Québec"
                add(by_code[sub.code], french.gettext(sub.name))
    alpha2: dict[str, str] = dict(_ALPHA2)
    alpha3: dict[str, str] = {}
    for c in pycountry.countries:
        territory = by_code.get(f"US-{c.alpha_2}")  # Puerto Rico, Guam...: the US territory
        code = territory.code if territory and territory.kind == "territory" else c.alpha_2
        if code == c.alpha_2:
            by_code[code] = Jurisdiction(code, getattr(c, "common_name", c.name), code,
                                         "country")
        if c.alpha_2 not in postal:
            alpha2[c.alpha_2] = code
        alpha3[c.alpha_3] = code
        for n in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            if n:  # setdefault: a state keeps its name ("Georgia")
                names.setdefault(_key(n), code)
    for k, code in _NAMES.items():
        names.setdefault(k, code)
    foreign: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        if sub.country_code not in SUBDIVIDED:
            foreign.setdefault(_key(sub.name), set()).add(sub.country_code)
    return _Tables(by_code, postal, alpha2, alpha3, names,
                   {k: frozenset(v) for k, v in foreign.items()})


_ISO_SUBDIVISION = re.compile(r"^([A-Za-z]{2})-([A-Za-z0-9]{1,3})$")


@lru_cache(maxsize=4096)  # a column or a page asks about a handful of spellings
def jurisdiction(text: str) -> Jurisdiction:
    """The jurisdiction ``text`` names, however people write it.

    Codes (``MS``, ``ms``, ``M.S.``, ``US-MS``, ``AB``, ``CA-AB``, ``MX``, ``MEX``), names in
    any case and with or without accents (``Mississippi``, ``Québec``, ``Colombie-
    Britannique``), traditional abbreviations (``Miss.``, ``Calif.``, ``Pa.``, ``Alta.``,
    ``P.E.I.``), ``Ontario, Canada``, and US state names misspelt but sounding right
    (``Missisippi``, the ``us`` package's phonetic match, which the loader has always
    accepted).

    >>> [jurisdiction(s).code for s in ("ms", "US-MS", "AB", "Que.", "Canada", "CAN", "mexico")]
    ['US-MS', 'US-MS', 'CA-AB', 'CA-QC', 'CA', 'CA', 'MX']
    >>> jurisdiction("Chihuahua")
    Traceback (most recent call last):
    ...
    graph.errors.UnknownValue: unknown state, province or country 'Chihuahua': outside the US \
and Canada jurisdictions are whole countries, and Chihuahua is in Mexico; write 'Mexico' (MEX)
    """
    raw = text.strip()
    found = _resolve(raw) if raw else None
    if found is None:
        raise _unknown(raw)
    return _tables().by_code[found]


def _resolve(raw: str) -> str | None:
    t = _tables()
    m = _ISO_SUBDIVISION.match(raw)
    if m:
        code = raw.upper()
        if code in t.by_code:
            return code
        if pycountry.subdivisions.get(code=code) is not None:
            return None  # a subdivision of a country kept whole: _unknown says so
    if len(raw) == 3 and raw.isupper() and raw in t.alpha3:
        return t.alpha3[raw]
    # As the loader has always read US abbreviations: letters alone, but a two-letter key
    # only when written as a code ("N.Y.", "ny"), not "N. Y." or "Mo-".
    folded = re.sub(r"[^a-z]", "", _key(raw))
    if folded in _ABBREVIATIONS and (len(folded) > 2
                                     or raw.upper().replace(".", "") == folded.upper()):
        return _ABBREVIATIONS[folded]
    bare = raw.replace(".", "").strip().upper()
    if len(bare) == 2 and bare.isalpha():
        return t.postal.get(bare) or (t.alpha2[bare] if bare in _TWO_LETTER_COUNTRIES
                                      else None)
    if len(bare) == 3 and bare in t.alpha3:  # "usa", "U.S.A."
        return t.alpha3[bare]
    key = _key(raw)
    if key in t.names:
        return t.names[key]
    if "," in raw:
        return _qualified(raw)
    # The us package matches names by their sound ("Missisippi"); only US names, last, so
    # that an exact name or abbreviation of elsewhere wins ("Man." is Manitoba, not Maine).
    found = us.states.lookup(raw.replace(".", "").strip()) if len(folded) > 1 else None
    if found is None and len(folded) > 2:
        found = us.states.lookup(re.sub(r"\s+", " ", raw.replace(".", " ")).strip())
    return f"US-{found.abbr}" if found else None


def _qualified(raw: str) -> str | None:
    """``Ontario, Canada``, ``Texas, USA``: the place, when it is in that country."""
    place, _, country = (p.strip() for p in raw.rpartition(","))
    inner, outer = (_resolve(place) if place else None), (_resolve(country) if country else None)
    if inner is None or outer is None or "-" in outer:
        return None
    return inner if _tables().by_code[inner].country == outer else None


def short(code: str) -> str:
    """The form stored data and ids use: ``MS`` for US codes, the ISO code for other
    subdivisions, the alpha-3 code for countries. :func:`jurisdiction` reads it back.

    >>> short("US-MS"), short("CA-AB"), short("MX"), short("CA"), short("US")
    ('MS', 'CA-AB', 'MEX', 'CAN', 'USA')
    """
    j = from_code(code)
    if j.country == "US" and j.kind != "country":
        return code[3:]
    if j.kind != "country":
        return code
    return pycountry.countries.get(alpha_2=code).alpha_3


def name(stored: str) -> str:
    """The name of the jurisdiction a short form (as stored in ``state``) stands for.

    >>> name("MS"), name("CA-AB"), name("MEX"), name("CA")
    ('Mississippi', 'Alberta', 'Mexico', 'California')
    """
    return jurisdiction(stored).name


def word_for(stored: list[str]) -> str:
    """What to call the places a chart or table lists: "state" when every one is a US state
    (or DC or a territory), "province" when every one is Canadian, else "jurisdiction".

    >>> word_for(["MS", "IA"]), word_for(["CA-AB", "CA-ON"]), word_for(["MS", "CA-AB"])
    ('state', 'province', 'jurisdiction')
    >>> word_for([])
    'state'
    """
    found = set()
    for s in stored:
        try:
            j = jurisdiction(s)
        except UnknownValue:
            return "jurisdiction"
        found.add((j.country, j.kind == "country"))
    if found <= {("US", False)}:
        return "state"
    if found == {("CA", False)}:
        return "province"
    return "jurisdiction"


def from_code(code: str) -> Jurisdiction:
    """The jurisdiction of an ISO code (``US-MS``, ``CA-AB``, ``MX``, and ``CA``: Canada).

    >>> from_code("CA").name, from_code("US-CA").name
    ('Canada', 'California')
    """
    j = _tables().by_code.get(code)
    if j is None:
        raise UnknownValue(f"no jurisdiction with ISO code {code!r}", what="ISO code",
                           value=code)
    return j


def known(country: str | None = None) -> list[Jurisdiction]:
    """Every jurisdiction (subdivisions of the US and Canada, then countries), optionally of
    one country, in code order: for lists grouped by country."""
    out = sorted(_tables().by_code.values(), key=lambda j: (j.kind == "country", j.code))
    return [j for j in out if country is None or j.country == country]


def _unknown(raw: str) -> UnknownValue:
    what = "state, province or country"
    t = _tables()
    bare = raw.replace(".", "").strip().upper()
    if bare in t.alpha2:
        c = t.by_code[t.alpha2[bare]]
        return UnknownValue(
            f"unknown {what} {raw!r}: two-letter codes name US states and territories and "
            f"Canadian provinces and territories; for {_the(c.code)} write {c.name!r} or "
            f"{c.short}", what=what, value=raw, suggestion=c.name, accepted=(ACCEPTED,))
    place, comma, country = (p.strip() for p in raw.rpartition(","))
    inner, outer = (_resolve(place), _resolve(country)) if comma and place and country else \
        (None, None)
    if inner and outer:
        j, c = t.by_code[inner], t.by_code[outer]
        where = "a country" if j.kind == "country" else f"in {_the(j.country)}"
        return UnknownValue(f"unknown {what} {raw!r}: {j.name} is {where}, not in "
                            f"{_the(c.code)}; write {j.short} or {j.name!r} alone", what=what,
                            value=raw, suggestion=j.name, accepted=(ACCEPTED,))
    key = _key(raw)
    m = _ISO_SUBDIVISION.match(raw)
    sub = pycountry.subdivisions.get(code=raw.upper()) if m else None
    places = {sub.country_code} if sub is not None else t.foreign.get(key, frozenset())
    if places and raw:
        countries = [t.by_code[c] for c in sorted(places) if c in t.by_code]
        shown = sub.name if sub is not None else raw
        where = " or ".join(_the(c.code) for c in countries)
        write = " or ".join(f"{c.name!r} ({short(c.code)})" for c in countries)
        return UnknownValue(
            f"unknown {what} {raw!r}: outside the US and Canada jurisdictions are whole countries, "
            f"and {shown} is in {where}; write {write}", what=what, value=raw,
            suggestion=countries[0].name if len(countries) == 1 else None, accepted=(ACCEPTED,))
    best = None
    if len(key) >= 4:
        choices = {k: c for k, c in t.names.items() if c in t.by_code}
        found = process.extractOne(key, list(choices), scorer=fuzz.ratio, score_cutoff=75)
        if found:
            best = t.by_code[choices[found[0]]]
    hint = f"; did you mean {best.name!r} ({best.short})?" if best else "."
    return UnknownValue(f"unknown {what} {raw!r}{hint} {ACCEPTED}", what=what, value=raw,
                        suggestion=best.name if best else None, accepted=(ACCEPTED,))


def _the(country: str) -> str:
    name = _tables().by_code[country].name
    return f"the {name}" if name.startswith(("United ", "Russian")) else name
