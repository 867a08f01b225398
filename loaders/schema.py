"""The columns of each sheet, their types and their vocabularies (pydantic models).

Every model validates one row. Error messages say what is expected, because a person fixing a
spreadsheet reads them. The columns are documented in docs/workbook.md; keep the two in step.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from graph import jurisdictions, model
from graph.errors import RowIssue
from loaders import cells, normalize

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._/@-]*$")


def _text(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip() or None


# The reader strips cells and turns empty ones into None; pydantic turns numbers into text
# (coerce_numbers_to_str), so plain text columns need no Python validator of their own.
Text = str | None
Required = str


def _vocab(vocabulary: dict[str, str] | frozenset[str], what: str):
    @lru_cache(maxsize=1024)  # a column holds a handful of distinct words
    def check(v: Any) -> str | None:
        v = _text(v)
        if v is None:
            return None
        word = model.lookup(vocabulary, v)
        if word is None:
            raise ValueError(f"unknown {what}; expected one of: {', '.join(sorted(vocabulary))}")
        return word

    return check


def Vocab(vocabulary: dict[str, str] | frozenset[str], what: str) -> Any:  # noqa: N802
    """A column holding a word of ``vocabulary``, folded to its canonical spelling."""
    return Annotated[str, BeforeValidator(_vocab(vocabulary, what))]


def _state(v: Any) -> str | None:
    v = _text(v)
    if v is None:
        return None
    return jurisdictions.jurisdiction(v).short  # UnknownValue is a ValueError: a row issue


def _id(v: Any) -> str | None:
    v = _text(v)
    if v is not None and not _ID.match(v):
        raise ValueError("ids may hold letters, digits and : . _ / @ - but no spaces "
                         "(e.g. org:ms:biloxi-police-department)")
    return v


def _date(v: Any) -> str | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    return normalize.parse_date(v)[0]


_INTEGER = re.compile(r"^[+-]?\d+$")


def _number(v: Any) -> float | int | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, bool):
        raise ValueError("expected a number")
    if isinstance(v, int | float):
        num: float | int = v
    else:
        text = str(v).strip().replace(",", "").rstrip("%").strip()
        if text.lower().lstrip("+-") in (".nan", ".inf"):  # YAML's spelling of them
            raise ValueError(cells.NOT_FINITE + "; write the number, or leave the cell empty")
        try:  # whole numbers exactly: a float cannot tell 2**63 - 1 from 2**63
            num = int(text) if _INTEGER.match(text) else float(text)
        except ValueError:
            raise ValueError("expected a number, e.g. 250 or 92.5 (no words; put words in "
                             "'note')") from None
    if isinstance(num, float):
        if not math.isfinite(num):
            raise ValueError(cells.NOT_FINITE + "; write the number, or leave the cell empty")
        if num.is_integer():
            num = int(num)
    if not cells.INT64_MIN <= num <= cells.INT64_MAX:
        raise ValueError(cells.TOO_LARGE)
    return num


def _count(v: Any) -> float | int | None:
    num = _number(v)
    if num is not None and num < 0:
        raise ValueError("a count cannot be negative")
    return num


Id = Annotated[str | None, BeforeValidator(_id)]
RequiredId = Annotated[str, BeforeValidator(_id)]
Date = Annotated[str | None, BeforeValidator(_date)]
Number = Annotated[float | int | None, BeforeValidator(_number)]
Count = Annotated[float | int | None, BeforeValidator(_count)]
State = Annotated[str | None, BeforeValidator(_state)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True)
    note: Text = None
    citation: Text = Field(None, description="the source document this row states")


class OrganizationRow(_Row):
    id: Id = None
    name: Required
    kind: Vocab(model.ORG_KINDS, "organization kind")
    state: State = None
    county: Text = None
    city: Text = None
    aliases: Text = Field(None, description="other names the sources use, separated by ';'")
    website: Text = None


class PersonRow(_Row):
    id: Id = None
    name: Text = None
    organization_id: Id = None
    title: Text = None
    role: Text = None
    email: Text = None
    phone: Text = None


class EventRow(_Row):
    id: Id = None
    name: Required
    kind: Vocab(model.EVENT_KINDS, "event kind")
    date: Date = None
    city: Text = None
    state: State = None
    county: Text = None
    follows_event_id: Id = Field(None, description="for a follow-up: the event it follows up")


class ProgramRow(_Row):
    id: Id = None
    name: Required
    kind: Vocab(model.PROGRAM_KINDS, "program kind")
    parent_id: Id = None
    owner_id: Id = None


class ParticipationRow(_Row):
    entity_id: Required
    event_id: Required
    role: Vocab(model.PARTICIPATION, "participation role")
    count: Count = None


class RelationshipRow(_Row):
    source_id: Required
    type: Vocab(model.RELATIONSHIPS, "relationship type")
    target_id: Required
    to_id: Text = Field(None, description="referred/introduced: to whom the target was referred")
    event_id: Text = Field(None, description="the event this relationship came out of")
    date: Date = None
    status: Text = None


class CommitmentRow(_Row):
    entity_id: Required
    program: Required
    kind: Vocab(model.COMMITMENTS, "commitment kind")
    status: Text = None
    date: Date = None
    count: Count = None


class MetricRow(_Row):
    scope_id: Required
    name: Required
    value: Annotated[float | int, BeforeValidator(_number)]
    unit: Text = None
    date: Date = None
    source: Text = Field(None, description="where the figure comes from (survey, hotline, ...)")


MODELS: dict[str, type[_Row]] = {
    "organizations": OrganizationRow,
    "people": PersonRow,
    "events": EventRow,
    "programs": ProgramRow,
    "participation": ParticipationRow,
    "relationships": RelationshipRow,
    "commitments": CommitmentRow,
    "metrics": MetricRow,
}


def required_columns(sheet: str) -> list[str]:
    m = MODELS[sheet]
    return [n for n, f in m.model_fields.items() if f.is_required()]


def known_columns(sheet: str) -> list[str]:
    return list(MODELS[sheet].model_fields)


def validate_row(sheet: str, file: str, rownum: int, row: dict[str, Any]
                 ) -> tuple[_Row | None, list[RowIssue]]:
    try:
        return MODELS[sheet].model_validate(row), []
    except ValidationError as e:
        issues = []
        for err in e.errors(include_url=False):
            col = str(err["loc"][0]) if err["loc"] else ""
            value = row.get(col)
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing" or (err["type"] == "string_type" and value is None):
                msg = "this column must not be empty"
            issues.append(RowIssue(file, rownum, col, msg, "" if value is None else str(value)))
        return None, issues
