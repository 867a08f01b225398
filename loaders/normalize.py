"""Normalisation of what people type: names, states, counties, dates.

States, provinces and countries come from graph.jurisdictions; counties from the Census 2020
county list shipped in ``addfips``. Names are folded so that "Biloxi PD" and "Biloxi Police
Dept." derive the same id.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
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
