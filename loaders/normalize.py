"""Normalisation of what people type: names, states, counties, dates, bounds, levels.

States, provinces and countries come from graph.jurisdictions; counties from the Census 2020
county list shipped in ``addfips``. Names are folded so that "Biloxi PD" and "Biloxi Police
Dept." derive the same id.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import addfips

from graph import jurisdictions
from graph.errors import UnknownValue

# ---------------------------------------------------------------------------- names

_ABBREVIATIONS = {
    "pd": "police department",
    "dept": "department",
    "dpt": "department",
    "so": "sheriffs office",
    "sheriff's": "sheriffs",
    "co": "company",
    "cos": "companies",
    "assn": "association",
    "assoc": "association",
    "ass'n": "association",
    "dist": "district",
    "govt": "government",
    "intl": "international",
    "natl": "national",
    "svcs": "services",
    "svc": "service",
    "transp": "transportation",
    "dot": "department of transportation",
    "dps": "department of public safety",
    "dmv": "department of motor vehicles",
    "ag": "attorney general",
    "da": "district attorney",
    "&": "and",
}
#: legal-form words that do not distinguish one organization from another
_LEGAL = {"inc", "incorporated", "llc", "l l c", "ltd", "corp", "corporation", "plc", "lp", "llp"}


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


@lru_cache(maxsize=1 << 17)
def normalize_name(name: str) -> str:
    """Fold an organization or person name for comparison and id derivation.

    >>> normalize_name("Biloxi PD")
    'biloxi police department'
    >>> normalize_name("Biloxi Police Dept.")
    'biloxi police department'
    >>> normalize_name("Wayfair LLC.")
    'wayfair'
    >>> normalize_name("The Home Depot, Inc.")
    'home depot'
    >>> normalize_name("Coca-Cola Bottling Co.")
    'coca cola bottling company'
    """
    text = ascii_fold(name).lower().replace("&", " & ")
    text = re.sub(r"(?<=\w)'s\b", "s", text)
    words = re.sub(r"[^a-z0-9&']+", " ", text).replace("'", "").split()
    out: list[str] = []
    for w in words:
        out.extend(_ABBREVIATIONS.get(w, w).split())
    while out and out[-1] in _LEGAL:
        out.pop()
    if len(out) > 1 and out[0] == "the":
        out.pop(0)
    return " ".join(out)


def slug(text: str) -> str:
    """A readable id fragment.

    >>> slug("Gulfport Coalition Build!"), slug("Équipe  Nord")
    ('gulfport-coalition-build', 'equipe-nord')
    """
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")


# ---------------------------------------------------------------------------- states

def state_code(text: str) -> str | None:
    """The stored form of a state, province or country as people write it (see
    graph.jurisdictions), or None.

    >>> [state_code(s) for s in ("MS", "Mississippi", "Miss.", "W. Va.", "Alberta", "XX")]
    ['MS', 'MS', 'MS', 'WV', 'CA-AB', None]
    """
    try:
        return jurisdictions.jurisdiction(text).short
    except UnknownValue:
        return None


def state_name(code: str) -> str:
    try:
        return jurisdictions.name(code)
    except UnknownValue:
        return code


def state_props(code: str) -> dict[str, str]:
    """The properties of the ``State`` node of a stored state code."""
    j = jurisdictions.jurisdiction(code)
    return {"name": j.name, "state": code, "source": f"reference: {j.source}"}


def has_counties(code: str) -> bool:
    """Whether counties are known for a stored state code: US ones only. No packaged list of
    Canadian census divisions or other countries' counties exists (see docs/workbook.md)."""
    j = jurisdictions.jurisdiction(code)
    return j.country == "US" and j.kind != "country"


# ---------------------------------------------------------------------------- counties

_COUNTY_WORDS = re.compile(
    r"\b(county|co|parish|borough|census area|city and borough|municipality|municipio)\b"
)


def _county_key(name: str) -> str:
    text = ascii_fold(name).lower().replace(".", " ").replace("'", "")
    text = re.sub(r"\bsaint\b", "st", text)
    text = _COUNTY_WORDS.sub(" ", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@cache
def _counties() -> dict[str, dict[str, tuple[str, str]]]:
    """``{state code: {county key: (fips, census name)}}`` from the Census 2020 list."""
    data = Path(addfips.__file__).parent / "data"
    fips_to_state: dict[str, str] = {}
    with open(data / "states.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            fips_to_state[row["fips"]] = row["postal"]
    out: dict[str, dict[str, tuple[str, str]]] = {}
    with open(data / "counties_2020.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            st = fips_to_state.get(row["statefp"])
            if st:
                fips = row["statefp"] + row["countyfp"]
                out.setdefault(st, {})[_county_key(row["name"])] = (fips, row["name"])
    return out


def county(name: str, state: str) -> tuple[str, str] | None:
    """``(FIPS code, Census name)`` of a county in a state, or None.

    >>> county("Harrison Co.", "MS"), county("san joaquin", "CA")
    (('28047', 'Harrison County'), ('06077', 'San Joaquin County'))
    >>> county("Harison", "MS") is None
    True
    """
    return _counties().get(state, {}).get(_county_key(name))


def county_names_for(state: str) -> list[str]:
    """The Census 2020 names of a state's counties, sorted."""
    return sorted(n for _, n in _counties().get(state, {}).values())


def suggest_county(name: str, state: str) -> str | None:
    """The Census name of the county in ``state`` closest to a misspelt ``name``.

    >>> suggest_county("Harison", "MS")
    'Harrison County'
    """
    from rapidfuzz import fuzz, process

    keys = _counties().get(state, {})
    best = process.extractOne(_county_key(name), list(keys), scorer=fuzz.ratio, score_cutoff=75)
    return keys[best[0]][1] if best else None


# ---------------------------------------------------------------------------- dates

_DATE_FORMS = [
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})$"), "year"),
]
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d")
#: the dates a workbook may hold. Wide enough for any coalition's history and plans, narrow
#: enough that date arithmetic (follow-ups months later, --as-of) never leaves the calendar
#: Python and the stores can represent, as 9999-12-31 did.
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def parse_date(value: object) -> tuple[str, str]:
    """``(ISO date, precision)`` for a full or partial date; ValueError with a hint otherwise.

    Sources often give only a month or a year ("July 2014", "in 2017"), so partial dates are
    kept as they are rather than padded to a day nobody stated. Dates must lie between
    :data:`FIRST_DATE` and :data:`LAST_DATE`.

    >>> parse_date("2020-01-16"), parse_date("2014-07"), parse_date("2017"), parse_date("1/16/2020")
    (('2020-01-16', 'day'), ('2014-07', 'month'), ('2017', 'year'), ('2020-01-16', 'day'))
    >>> parse_date("16.01.2020")
    Traceback (most recent call last):
    ...
    ValueError: not a date; write YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2020-01-16, 2014-07, 2017)
    >>> parse_date("9999-12-31")
    Traceback (most recent call last):
    ...
    ValueError: the date is out of range; dates must lie between 1900-01-01 and 2100-12-31
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return _in_range(value, value.isoformat(), "day")
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    hint = "write YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2020-01-16, 2014-07, 2017)"
    m = _US_DATE.match(text)
    if m:
        text = f"{m[3]}-{int(m[1]):02d}-{int(m[2]):02d}"
    m = _DATETIME.match(text)
    if m:
        text = m[1]
    for pattern, precision in _DATE_FORMS:
        m = pattern.match(text)
        if m:
            parts = [int(p) for p in m.groups()] + [1] * (3 - len(m.groups()))
            try:
                first = dt.date(*parts)
            except ValueError:
                raise ValueError(f"no such date; {hint}") from None
            return _in_range(first, text, precision)
    raise ValueError(f"not a date; {hint}")


def _in_range(first: dt.date, text: str, precision: str) -> tuple[str, str]:
    # A partial date is in range when its first day is: "2100" and "2100-12" are.
    if not FIRST_DATE <= first <= LAST_DATE:
        raise ValueError(f"the date is out of range; dates must lie between {FIRST_DATE} and "
                         f"{LAST_DATE}")
    return text, precision


def last_day(text: str) -> dt.date:
    """The last day a partial ISO date can mean: '2014' -> 2014-12-31, '2014-02' -> 02-28."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return dt.date(*parts)


def first_day(text: str) -> dt.date:
    """The first day a partial ISO date can mean: '2014' -> 2014-01-01."""
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return dt.date(*parts[:3])


#: "2022-10-05/2022-10-06" (ISO 8601) or "2022-10-05 to 2022-10-06"
_RANGE = re.compile(r"^\s*(.+?)\s*(?:/|\s+to\s+)\s*(.+?)\s*$")


@dataclass(frozen=True)
class DateValue:
    """A date as a workbook states it: an ISO prefix with its precision, perhaps a range."""

    date: str
    precision: str  # year, month or day
    end: str | None = None

    def __str__(self) -> str:
        return self.date if self.end is None else f"{self.date}/{self.end}"

    def props(self) -> dict[str, str]:
        """The properties a dated node or relationship stores (docs/workbook.md, Dates)."""
        out = {"date": self.date, "date_precision": self.precision}
        if self.end is not None:
            out["date_end"] = self.end
        return out


def parse_date_value(value: object, *, ranges: bool = True) -> DateValue:
    """A date cell: one date (see :func:`parse_date`) or a range ``start/end``.

    >>> parse_date_value("2022-10-05/2022-10-06")
    DateValue(date='2022-10-05', precision='day', end='2022-10-06')
    >>> parse_date_value("2014-07").props()
    {'date': '2014-07', 'date_precision': 'month'}
    >>> str(parse_date_value("2019 to 2020-03")), parse_date_value("1/16/2020").date
    ('2019/2020-03', '2020-01-16')
    >>> parse_date_value("2022-10-06/2022-10-05")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the range ends before it starts; write the earlier date first ...
    """
    try:
        return DateValue(*parse_date(value))
    except ValueError:
        m = _RANGE.match(str(value)) if isinstance(value, str) else None
        if m is None:
            raise
        if not ranges:
            raise ValueError("a single date is expected here, not a range; write one date, "
                             "e.g. 2020-01-16, 2014-07 or 2017") from None
        try:
            (start, precision), (end, _) = parse_date(m[1]), parse_date(m[2])
        except ValueError as e:
            raise ValueError(f"{e} (a range is written start/end, e.g. "
                             "2022-10-05/2022-10-06)") from None
        if last_day(end) < first_day(start):
            raise ValueError("the range ends before it starts; write the earlier date first "
                             "(start/end, e.g. 2022-10-05/2022-10-06)") from None
        return DateValue(start, precision, end)


# ---------------------------------------------------------------------------- bounds

#: how people write a bound, and the qualifier it stands for. A prefix or suffix around one
#: number; the number itself is read by the column (loaders/schema.py)
def _prefix(words: str) -> re.Pattern[str]:
    return re.compile(rf"^(?:{words})\s*", re.IGNORECASE)


_BOUND_PREFIXES: list[tuple[re.Pattern[str], str]] = [
    (_prefix(r">=|≥|at\s+least|no\s+fewer\s+than|no\s+less\s+than|minimum(?:\s+of)?"),
     "at least"),
    (_prefix(r"<=|≤|up\s+to|at\s+most|no\s+more\s+than|maximum(?:\s+of)?"), "up to"),
    (_prefix(r">|over|more\s+than|greater\s+than|above"), "more than"),
    (_prefix(r"<|under|fewer\s+than|less\s+than|below"), "less than"),
    (_prefix(r"~|≈|about|approximately|approx\.?|around|roughly|circa|ca\."), "about"),
]
_BOUND_SUFFIXES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\s*\+$"), "more than"),
    (re.compile(r"\s+or\s+more$", re.IGNORECASE), "at least"),
    (re.compile(r"\s+or\s+(?:fewer|less)$", re.IGNORECASE), "up to"),
]
_NUMBER_RANGE = re.compile(r"^[\d.,]+\s*(?:-|–|to)\s*[\d.,]+%?$", re.IGNORECASE)

BOUND_HINT = ("write a number (250, 1,045, 92%), or a number with one qualifier: '>70', '70+', "
              "'over 70', 'more than 70', 'at least 1,045', 'about 95', '~95', 'up to 100', "
              "'<10'; put units and other words in 'note'")


def split_bound(text: str) -> tuple[str | None, str]:
    """``(qualifier, the number as text)`` for a cell such as ``over 70``; ``(None, text)``
    when it has no qualifier. The number is not checked here.

    >>> [split_bound(t) for t in (">70", "70+", "at least 1,045", "~95", "<10", "250")]
    [('more than', '70'), ('more than', '70'), ('at least', '1,045'), ('about', '95'), \
('less than', '10'), (None, '250')]
    >>> split_bound("70-80")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: a range of numbers cannot be stored as one number; write one bound ...
    """
    text = text.strip()
    if _NUMBER_RANGE.match(text):
        raise ValueError("a range of numbers cannot be stored as one number; write one bound "
                         "('at least 70') or the middle ('about 75'), and the range in 'note'")
    for pattern, qualifier in _BOUND_PREFIXES:
        m = pattern.match(text)
        if m:
            return qualifier, text[m.end():].strip()
    for pattern, qualifier in _BOUND_SUFFIXES:
        m = pattern.search(text)
        if m and text[:m.start()].strip()[-1:] in tuple("0123456789%"):
            return qualifier, text[:m.start()].strip()
    return None, text


# ---------------------------------------------------------------------------- levels

#: kinds of company: a company named "American ..." or "Texas ..." is no national or state
#: body, so their level is never inferred from the name
_COMPANY_KINDS = frozenset({"trucking company", "bus company", "truck stop", "bus terminal",
                            "casino", "energy company", "shipper", "sponsor"})
#: kinds of public body, for which "U.S. ..." means federal (U.S. Xpress is a carrier)
_PUBLIC_KINDS = frozenset({"law enforcement", "prosecutor", "state agency", "federal agency",
                           "task force"})
#: federal agencies people write by their initials (case matters: "ice" is no agency)
_FEDERAL_ACRONYMS = re.compile(
    r"\b(?:FMCSA|FBI|DHS|HSI|ICE|CBP|ATF|DEA|DOJ|FHWA|NHTSA|TSA|USDOT|USCIS|USMS|FTA)\b")
_FEDERAL_NAMES = re.compile(
    r"^(?:the\s+)?(?:U\.\s?S\.|United\s+States\b)|\bHomeland\s+Security\b"
    r"|\bFederal\s+(?:Bureau|Motor\s+Carrier|Highway|Transit|Railroad|Aviation)\b", re.IGNORECASE)
_US_PREFIX = re.compile(r"^(?:the\s+)?US\s")  # "US Marshals"; capitals only ("us" is a word)
_LOCAL = re.compile(r"\b(?:city|town|village)\s+of\b|\bpolice\s+department\b")
_COUNTY = re.compile(r"\b(?:county|parish|sheriff|sheriffs)\b")
_NATIONAL = re.compile(r"\b(?:national|american|america)\b")
_INTERNATIONAL = re.compile(r"\binternational\b")
_STATE_WORD = re.compile(r"(?<![-\w])state\b")  # "State Highway Patrol", not "Tri-State"
#: after a state's name, a word that makes it the name of a place inside it
_PLACE_AFTER_STATE = {"county", "parish", "city", "borough"}


@cache
def _state_names() -> re.Pattern[str]:
    # the names of states, provinces and territories (not countries: "American" is national)
    names = sorted({j.name.lower() for j in jurisdictions.known() if j.kind != "country"},
                   key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")


def infer_level(name: str, kind: str | None, state: str | None) -> str | None:
    """The level an organization works at, from its kind and name, or None when they do not
    say (never a guess). The rules, first match wins (docs/workbook.md, "Levels"):

    1. companies (trucking and bus companies, truck stops, bus terminals, casinos, energy
       companies, shippers, sponsors): not inferred;
    2. federal: kind federal agency; a federal agency's initials (FMCSA, FBI, DHS, HSI, ICE,
       CBP, ATF, DEA, DOJ, FHWA, NHTSA, TSA, USDOT, USCIS, USMS, FTA); for public bodies (law
       enforcement, prosecutors, state agencies, task forces) also "U.S. ...", "United States
       ...", "Homeland Security", "Federal Bureau / Motor Carrier / Highway / Transit ...";
    3. national: "Association of America";
    4. local: "City of", "Town of", "Village of", "Police Department" (also PD, Police Dept.);
    5. state: the name starts with a state's name (not followed by County, Parish, City or
       Borough: Kansas City, Mississippi County), or with the organization's own state code
       in capitals ("MS Trucking Association" in MS);
    6. county: "County", "Parish", "Sheriff";
    7. international: "International"; national: "National", "American", "America";
    8. state: a state's name anywhere ("DMV (Mississippi)"), the word "State" ("State
       Highway Patrol", not "Tri-State"), or kind state agency;
    9. otherwise None.

    >>> [infer_level(n, k, s) for n, k, s in [
    ...     ("American Trucking Associations", "trade association", None),
    ...     ("Mississippi Trucking Association", "trade association", "MS"),
    ...     ("Harrison County Sheriff's Office", "law enforcement", "MS"),
    ...     ("Biloxi PD", "law enforcement", "MS"),
    ...     ("Kansas City Police Department", "law enforcement", "MO"),
    ...     ("FMCSA", None, None), ("U.S. Xpress", "trucking company", None),
    ...     ("Truckers Against Trafficking", "nonprofit", None)]]
    ['national', 'state', 'county', 'local', 'local', 'federal', None, None]
    """
    if kind in _COMPANY_KINDS:
        return None
    raw = ascii_fold(name or "").strip()
    if kind == "federal agency" or _FEDERAL_ACRONYMS.search(raw):
        return "federal"
    if kind in _PUBLIC_KINDS and (_FEDERAL_NAMES.search(raw) or _US_PREFIX.match(raw)):
        return "federal"
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", raw.lower()).split())
    norm = normalize_name(raw)
    if "association of america" in text:
        return "national"
    if _LOCAL.search(text) or _LOCAL.search(norm):
        return "local"
    m = _state_names().match(text)
    if m and text[m.end():].split()[:1] and text[m.end():].split()[0] in _PLACE_AFTER_STATE:
        m = None
    if m or (state and raw.split()[:1] == [state.upper()]):
        return "state"
    if _COUNTY.search(text):
        return "county"
    if _INTERNATIONAL.search(text):
        return "international"
    if _NATIONAL.search(text):
        return "national"
    if (_state_names().search(text) or _STATE_WORD.search(raw.lower())
            or kind == "state agency"):
        return "state"
    return None
