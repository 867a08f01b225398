"""What a single cell may hold, whatever the container it came from.

Every value that reaches the database starts as a cell, so checking cells once, before any
other validation, is what keeps a workbook that validates from failing half-way through the
write: the stores refuse NUL characters, lone surrogates cannot be encoded as UTF-8 (the row
hash, the Bolt protocol and the JSON of the API all need that), and integers beyond 64 bits
or non-finite floats have no portable representation in either store.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

#: the longest cell accepted: what CSV files could hold before (Python's csv field limit),
#: four times Excel's own limit of 32,767 characters
MAX_CELL_CHARS = 131_072
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

TOO_LARGE = (f"the number is too large to store; numbers must lie between {INT64_MIN} and "
             f"{INT64_MAX}")
NOT_FINITE = "expected a finite number, not NaN or infinity"


_SURROGATE = re.compile("[\ud800-\udfff]")
_SHOWN = 60  # characters of a bad value shown back to people


def problem(value: Any) -> str | None:
    """Why ``value`` cannot be stored as a cell, or None if it can.

    >>> problem("Biloxi") is None, problem(5) is None, problem(None) is None
    (True, True, True)
    >>> problem("a\\x00b")
    'the cell holds a NUL character (byte 0); delete it (it is invisible in most editors)'
    >>> problem(float("nan"))
    'expected a finite number, not NaN or infinity'
    >>> problem(10**20).split(";")[0]
    'the number is too large to store'
    >>> problem(["a", "b"]).split(";")[0]
    'a cell holds one value (text or a number), not a list or mapping'
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, int):
        return None if INT64_MIN <= value <= INT64_MAX else TOO_LARGE
    if isinstance(value, float):
        return None if math.isfinite(value) else NOT_FINITE
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return None  # the columns' own validators decide what a date cell may be
    if isinstance(value, list | dict | tuple | set):
        return ("a cell holds one value (text or a number), not a list or mapping; for "
                "several names write them in one cell separated by ';'")
    return f"a cell cannot hold a value of type {type(value).__name__}"


def row_problems(row: dict[str, Any]) -> list[tuple[str, str]]:
    """``[(column, why)]`` for the cells of ``row`` that cannot be stored.

    >>> row_problems({"name": "Biloxi", "note": None}), row_problems({"count": 1e400})
    ([], [('count', 'expected a finite number, not NaN or infinity')])
    """
    return [(k, why) for k, v in row.items() if (why := problem(v))]


def clean_text(text: str) -> bool:
    """True if no cell cut from ``text`` can hold a NUL or a lone surrogate: one scan of a
    whole file instead of a check of each of its cells."""
    return "\x00" not in text and (text.isascii() or not _SURROGATE.search(text))


def text_problem(text: str) -> str | None:
    if len(text) > MAX_CELL_CHARS:
        return (f"the cell holds {len(text):,} characters, more than the {MAX_CELL_CHARS:,} "
                "a cell may hold; shorten it (if it is not meant to be this long, a quote "
                "that opens in it is probably not closed)")
    if "\x00" in text:
        return ("the cell holds a NUL character (byte 0); delete it (it is invisible in most "
                "editors)")
    if not text.isascii() and _SURROGATE.search(text):
        return ("the cell holds a lone surrogate (half of a UTF-16 pair, e.g. the escape "
                "\\ud800), which is not a character; write the character itself")
    return None


def shown(value: Any, limit: int | None = _SHOWN) -> str:
    """A value as it may be shown back: printable and encodable as UTF-8, cut to ``limit``.

    >>> shown("a\\ud800b\\x00"), shown("x" * 100, 3)
    ('a\\\\ud800b\\\\x00', 'xxx... (100 characters)')
    """
    text = "" if value is None else str(value)
    if limit is not None and len(text) > limit:
        text = text[:limit] + f"... ({len(text):,} characters)"
    if text.isascii() and "\x00" not in text:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def storable(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its text made safe to write to a UTF-8 file (a rejects file), uncut."""
    return {shown(k, None): shown(v, None) if isinstance(v, str) else v
            for k, v in row.items()}
