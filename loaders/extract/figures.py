"""Dates, numbers and bounds as reports write them ("NOV.9, 2022", "in July 2014", "over
70", "two"), and the words that name an event's kind."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from loaders import normalize
from loaders.extract import names

# ---------------------------------------------------------------------------- dates

_MONTH = (r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
          r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_ORD = r"(?:st|nd|rd|th)?"
_MONTH2 = _MONTH.replace("?P<month>", "?P<month2>")
_DATES = [
    # a span within one month or across two: "October 5-6, 2022", "Oct. 30 - Nov. 1, 2022"
    (re.compile(rf"(?i:\b{_MONTH})\s*(?P<day>\d{{1,2}}){_ORD}\s*(?P<sep>-|to|through|and)\s*"
                rf"(?:(?i:{_MONTH2})\s*)?(?P<day2>\d{{1,2}}){_ORD},?\s*{_YEAR}\b"), "day"),
    # day first: "5-6 October 2022", "30 October - 1 November 2022"
    (re.compile(rf"\b(?P<day>\d{{1,2}}){_ORD}(?:\s+(?i:{_MONTH}))?\s*(?P<sep>-|to|through|and)\s*"
                rf"(?P<day2>\d{{1,2}}){_ORD}\s+(?i:{_MONTH2}),?\s+{_YEAR}\b"), "day"),
    (re.compile(rf"(?i:\b{_MONTH})\s*(?P<day>\d{{1,2}}){_ORD},?\s*{_YEAR}\b"), "day"),
    (re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?i:{_MONTH}),?\s+{_YEAR}\b"), "day"),
    (re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<day>\d{2})\b"), "day"),
    (re.compile(r"\b(?P<m>\d{1,2})/(?P<day>\d{1,2})/(?P<year>(?:19|20)\d{2})\b"), "day"),
    (re.compile(rf"(?i:\b{_MONTH})\s+(?:of\s+)?{_YEAR}\b"), "month"),
    (re.compile(rf"(?i:\b(?:in|during|since|of|throughout)\s+){_YEAR}\b"), "year"),
]


@dataclass(frozen=True)
class Date:
    iso: str  # the first day (or month, or year) it means
    precision: str
    start: int
    end: int
    text: str
    last: str | None = None  # the last day of a span ("October 5-6, 2022")

    @property
    def value(self) -> str:
        """As a workbook's date cell takes it: ``2022-10`` or a span ``2022-10-05/2022-10-06``
        (docs/workbook.md, Dates)."""
        return f"{self.iso}/{self.last}" if self.last else self.iso


def find_dates(text: str) -> list[Date]:
    """Dates as a source writes them, with only the precision it gives.

    >>> [(d.iso, d.precision) for d in find_dates("NOV.9, 2022 and in July 2014, in 2017")]
    [('2022-11-09', 'day'), ('2014-07', 'month'), ('2017', 'year')]
    >>> [d.value for d in find_dates("October 5-6, 2022; Oct. 30 - Nov. 1, 2022")]
    ['2022-10-05/2022-10-06', '2022-10-30/2022-11-01']
    >>> [d.value for d in find_dates("5-6 October 2022; 30 October - 1 November 2022")]
    ['2022-10-05/2022-10-06', '2022-10-30/2022-11-01']
    """
    out: list[Date] = []
    taken: list[tuple[int, int]] = []
    for pattern, precision in _DATES:
        for m in pattern.finditer(text):
            if any(m.start() < b and m.end() > a for a, b in taken):
                continue
            g = m.groupdict()
            # a day-first span names only its last month when both days are in it
            first = g.get("month") or (g.get("month2") if precision == "day" and not g.get("m")
                                       else None)
            month = names.MONTHS[first.lower()[:3]] if first else \
                int(g["m"]) if g.get("m") else None
            if precision == "year":
                iso = g["year"]
            elif precision == "month":
                iso = f"{g['year']}-{month:02d}"
            else:
                iso = f"{g['year']}-{month:02d}-{int(g['day']):02d}"
            last = None
            if g.get("day2"):
                month2 = names.MONTHS[g["month2"].lower()[:3]] if g.get("month2") else month
                last = f"{g['year']}-{month2:02d}-{int(g['day2']):02d}"
            try:
                iso, prec = normalize.parse_date(iso)
                if last is not None:
                    last = str(normalize.parse_date_value(f"{iso}/{last}").end)
            except ValueError:
                continue  # no such day, or a span that ends before it starts
            taken.append((m.start(), m.end()))
            if last is not None and g["sep"].lower() == "and" and \
                    dt.date.fromisoformat(last) - dt.date.fromisoformat(iso) != dt.timedelta(1):
                # "May 2 and June 5, 2023": two days, not the weeks between them
                out.append(Date(iso, prec, m.start(), m.start("sep"), text[m.start():
                                                                           m.start("sep")]))
                out.append(Date(last, "day", m.end("sep"), m.end(), text[m.end("sep"):m.end()]))
                continue
            out.append(Date(iso, prec, m.start(), m.end(), m[0], last))
    return sorted(out, key=lambda d: d.start)


# ---------------------------------------------------------------------------- kinds

#: (pattern, event kind); the first that matches names the kind
EVENT_KINDS = [
    (r"coalition[- ]builds?", "coalition build"),
    (r"follow[- ]?ups?", "follow-up"),
    (r"webinars?", "webinar"),
    (r"conferences?|summits?|symposi(?:um|a)|conventions?", "conference"),
    (r"training sessions?|trainings?|workshops?|in-services?", "training"),
    (r"presentations?|briefings?|keynotes?|panels?", "presentation"),
    (r"meetings?|roundtables?|forums?|town halls?|luncheons?", "meeting"),
]
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a dozen": 12,
                 "twenty": 20, "fifty": 50, "a hundred": 100, "hundred": 100}
NUMBER = r"(?P<n>\d[\d,]*(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r")"
#: how a bound is written -> the qualifier of docs/workbook.md (issue 10's count_qualifier)
QUALIFIERS = [
    (r"over|more than|greater than|upwards of|>|\+", "more than"),
    (r"at least|a minimum of", "at least"),
    (r"about|approximately|approx\.?|around|roughly|nearly|almost|some|~|an estimated",
     "about"),
    (r"up to|as many as", "up to"),
    (r"under|fewer than|less than|<", "less than"),
]
QUAL = r"(?P<q>" + "|".join(q for q, _ in QUALIFIERS) + r")?\s*"


def number(text: str) -> int | float:
    text = text.lower().replace(",", "")
    if text in _NUMBER_WORDS:
        return _NUMBER_WORDS[text]
    value = float(text)
    return int(value) if value.is_integer() else value


def qualifier(written: str | None) -> str | None:
    if not written:
        return None
    for pattern, name in QUALIFIERS:
        if re.fullmatch(pattern, written.strip().lower()):
            return name
    return None


def bound_cell(n: str, written_q: str | None) -> str | int | float:
    """A count or value as the workbook's bound syntax takes it (docs/workbook.md, Numbers):
    the report's own words when the loader reads them ("over 70", "at least 1,045", "70+"),
    else the qualifier's name ("nearly 100" -> "about 100"); a plain number without one.

    >>> [bound_cell(n, q) for n, q in (("70", "Over"), ("1,045", "at least"), ("100", "nearly"),
    ...  ("70", "+"), ("95", "~"), ("two", None), ("250", None))]
    ['Over 70', 'at least 1,045', 'about 100', '70+', '~95', 2, 250]
    """
    q = qualifier(written_q)
    if q is None:
        return number(n)
    text = n if n[:1].isdigit() else str(number(n))
    written_q = written_q.strip()
    sep = " " if written_q[-1:].isalpha() or written_q.endswith(".") else ""
    candidate = f"{text}+" if written_q == "+" else f"{written_q}{sep}{text}"
    try:
        if normalize.split_bound(candidate) == (q, text):
            return candidate
    except ValueError:
        pass
    return f"{q} {text}"
