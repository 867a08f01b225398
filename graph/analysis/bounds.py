"""Numbers the sources give as bounds ("over 70", "at least 1,045", "about 95").

The loader stores the number itself in the property (``count``, ``value``) and the bound in
``<prop>_qualifier`` (more than, at least, about, up to, less than; absent when exact), with
the cell as written in ``<prop>_text``. Analyses use the number in sums and carry the
bound into the total: an exact 20 plus "at least 75" is "at least 95".
"""

from __future__ import annotations

from typing import Any

LOWER = ("more than", "at least")
UPPER = ("less than", "up to")
QUALIFIERS = (*LOWER, "about", *UPPER)


def number(value: Any) -> int | float | None:
    """A stored number, or None when the value is none (text a tool wrote stays out of
    sums rather than failing them).

    >>> number(3), number("250"), number("2.5"), number("many"), number(True)
    (3, 250, 2.5, None, None)
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    try:
        f = float(str(value).replace(",", "").strip())
    except ValueError:
        return None
    return int(f) if f.is_integer() else f


def _fmt(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.6g}"


def shown(value: Any, qualifier: str | None = None, text: str | None = None) -> str:
    """How a quantity reads: as written when the source's text is kept, else the number
    with its bound.

    >>> shown(95, "at least"), shown(1045), shown(70, "more than", ">70"), shown(None)
    ('at least 95', '1,045', '>70', '')
    """
    if text:
        return str(text)
    n = number(value)
    if n is None:
        return "" if value is None else str(value)
    return f"{qualifier} {_fmt(n)}" if qualifier else _fmt(n)


def quantity(d: dict[str, Any], prop: str = "count") -> dict[str, Any] | None:
    """``{"value", "qualifier", "text"}`` of a property, or None when it is not set.

    >>> quantity({"count": 70, "count_qualifier": "more than", "count_text": "70+"})
    {'value': 70, 'qualifier': 'more than', 'text': '70+'}
    >>> quantity({"count": 3})
    {'value': 3, 'qualifier': None, 'text': '3'}
    """
    value = d.get(prop)
    if value is None or value == "":
        return None
    qualifier = d.get(f"{prop}_qualifier")
    qualifier = qualifier if qualifier in QUALIFIERS else None
    n = number(value)
    return {"value": n if n is not None else value, "qualifier": qualifier,
            "text": shown(value, qualifier, d.get(f"{prop}_text"))}


def total(parts: list[dict[str, Any] | int | float | None]) -> dict[str, Any]:
    """The sum of quantities (plain numbers count as exact), with the bound it keeps:
    lower bounds give "at least" ("more than" if any part is "more than"), upper bounds
    "up to" ("less than"); "about", or lower and upper bounds mixed, give "about". A part
    of unknown size (None: a group the source does not count) makes the sum a lower bound.

    >>> total([20, {"value": 75, "qualifier": "at least"}])["text"]
    'at least 95'
    >>> total([{"value": 70, "qualifier": "more than"}, {"value": 5, "qualifier": "at least"}])
    {'value': 75, 'qualifier': 'more than', 'text': 'more than 75'}
    >>> total([{"value": 10, "qualifier": "up to"}, {"value": 5, "qualifier": "at least"}])[
    ...     "qualifier"]
    'about'
    >>> total([1, 2]), total([9, None])["text"], total([None])["text"]
    ({'value': 3, 'qualifier': None, 'text': '3'}, 'at least 9', 'an unknown number')
    """
    value: int | float = 0
    seen: set[str] = set()
    known = unknown = False
    for p in parts:
        n = number(p.get("value")) if isinstance(p, dict) else number(p)
        if n is None:
            unknown = True
            continue
        known = True
        value += n
        if isinstance(p, dict) and p.get("qualifier"):
            seen.add(p["qualifier"])
    if unknown and not known:
        return {"value": None, "qualifier": None, "text": "an unknown number"}
    if unknown:
        seen.add("at least")
    lower, upper = seen & set(LOWER), seen & set(UPPER)
    if "about" in seen or (lower and upper):
        qualifier: str | None = "about"
    elif lower:
        qualifier = "more than" if "more than" in lower else "at least"
    elif upper:
        qualifier = "less than" if "less than" in upper else "up to"
    else:
        qualifier = None
    return {"value": value, "qualifier": qualifier, "text": shown(value, qualifier)}
