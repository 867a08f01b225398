"""Dates as the sources give them: to the day, the month or the year, as one shared reading.

A date is an ISO prefix (``2020-01-16``, ``2014-07``, ``2017``) with a ``date_precision``
(day, month, year; read from the text when the property is absent). It stands for every
day it may mean: :func:`span` gives the first and the last. Analyses compare and compute
with those bounds and say so (``approximate``) whenever they are not the same day, instead
of treating a month or a year as its first day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

PRECISIONS = ("day", "month", "year")
#: a full or partial ISO date as the loader writes it (digits only: int() would also take
#: signs, spaces and other scripts' digits)
_ISO = re.compile(r"[0-9]+(-[0-9]+){0,2}")
#: what a date that cannot be used raises: not a date, or beyond the calendar
UNUSABLE = (ValueError, OverflowError, TypeError)


def _parts(date: Any) -> list[int]:
    text = str(date)
    if not _ISO.fullmatch(text):
        raise ValueError(f"{text!r} is not a date")
    return [int(p) for p in text.split("-")]


def first_day(date: str | None) -> dt.date | None:
    """The first day a full or partial ISO date can mean.

    >>> first_day("2020-01-16"), first_day("2014-07"), first_day("2017"), first_day(None)
    (datetime.date(2020, 1, 16), datetime.date(2014, 7, 1), datetime.date(2017, 1, 1), None)

    Raises ValueError for text that is not such a date (``2020-02-30``, ``soon``).
    """
    if date is None or date == "":
        return None
    parts = _parts(date) + [1, 1]
    return dt.date(*parts[:3])


def precision(date: Any, stated: Any = None) -> str | None:
    """The precision of a date: the stated one when it is a known word, else what the text
    gives (a stated precision coarser than the text wins: ``2020-01-16`` said to be known
    only to the month is a month).

    >>> precision("2020-01-16"), precision("2014-07"), precision("2017", "day")
    ('day', 'month', 'year')
    >>> precision("2020-01-16", "month"), precision(None)
    ('month', None)
    """
    if date is None or date == "":
        return None
    written = PRECISIONS[3 - min(3, len(str(date).split("-")))]
    if stated in PRECISIONS and PRECISIONS.index(stated) > PRECISIONS.index(written):
        return str(stated)
    return written


def span(date: Any, stated: Any = None) -> tuple[dt.date, dt.date, str] | None:
    """``(first day, last day, precision)`` of a date, or None when there is none.

    >>> span("2014-07")
    (datetime.date(2014, 7, 1), datetime.date(2014, 7, 31), 'month')
    >>> span("2017")[1], span("2020-01-16", "month")[:2]
    (datetime.date(2017, 12, 31), (datetime.date(2020, 1, 1), datetime.date(2020, 1, 31)))

    Raises ValueError for text that is not a date.
    """
    start = first_day(date)
    if start is None:
        return None
    p = precision(date, stated)
    if p == "year":
        return dt.date(start.year, 1, 1), dt.date(start.year, 12, 31), "year"
    if p == "month":
        last = calendar.monthrange(start.year, start.month)[1]
        return dt.date(start.year, start.month, 1), dt.date(start.year, start.month, last), \
            "month"
    return start, start, "day"


def node_span(d: dict[str, Any]) -> tuple[dt.date, dt.date, str] | None:
    """The span of a node's or edge's ``date`` with its ``date_precision``."""
    return span(d.get("date"), d.get("date_precision"))


def add_months(d: dt.date, months: int) -> dt.date:
    """
    >>> add_months(dt.date(2020, 1, 31), 1)
    datetime.date(2020, 2, 29)
    """
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def shown(date: Any, stated: Any = None) -> str | None:
    """A date as a reader should take it: ``2014-07 (month)`` when it is not a day.

    >>> shown("2017"), shown("2020-01-16"), shown(None)
    ('2017 (year only)', '2020-01-16', None)
    """
    if date is None or date == "":
        return None
    p = precision(date, stated)
    return str(date) if p == "day" else f"{date} ({p} only)"
