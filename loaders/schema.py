"""The columns of each sheet, their types and their vocabularies (pydantic models).

Every model validates one row. Error messages say what is expected, because a person fixing a
spreadsheet reads them. The columns are documented in docs/workbook.md; keep the two in step.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Annotated, Any

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter,
                      ValidationError, field_validator)

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
    if ";" in v:
        raise ValueError("one state, province or country here; only an event may list "
                         "several (separated by ';', where it was held first)")
    return jurisdictions.jurisdiction(v).short  # UnknownValue is a ValueError: a row issue


def _states(v: Any) -> tuple[str, ...] | None:
    """An event's jurisdictions, ``;``-separated, where it was held first; each one once."""
    v = _text(v)
    if v is None:
        return None
    out: list[str] = []
    for part in (p.strip() for p in v.split(";")):
        if not part:
            continue
        try:
            code = jurisdictions.jurisdiction(part).short
        except ValueError as e:
            if ";" not in v:
                raise
            raise ValueError(f"in {part!r}: {e}") from None
        if code not in out:
            out.append(code)
    return tuple(out) or None


def _id(v: Any) -> str | None:
    v = _text(v)
    if v is not None and not _ID.match(v):
        raise ValueError("ids may hold letters, digits and : . _ / @ - but no spaces "
                         "(e.g. org:ms:biloxi-police-department)")
    return v


def _date(v: Any) -> normalize.DateValue | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    return normalize.parse_date_value(v)


def _single_date(v: Any) -> str | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    return normalize.parse_date_value(v, ranges=False).date


_INTEGER = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True)
class Bound:
    """A number as a report states it: exact (250), or bounded ("over 70", "about 95")."""

    value: float | int
    qualifier: str | None = None  # one of model.QUALIFIERS; None when exact
    text: str | None = None  # the cell as written, kept when it has a qualifier

    def props(self, name: str) -> dict[str, Any]:
        """``{name, name_qualifier, name_text}`` as stored (docs/workbook.md, Numbers)."""
        return {name: self.value, f"{name}_qualifier": self.qualifier,
                f"{name}_text": self.text}

    def shown(self) -> str:
        return self.text or f"{self.value:,}"


def _plain_number(v: Any) -> float | int:
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
            raise ValueError(f"not a number; {normalize.BOUND_HINT}") from None
    if isinstance(num, float):
        if not math.isfinite(num):
            raise ValueError(cells.NOT_FINITE + "; write the number, or leave the cell empty")
        if num.is_integer():
            num = int(num)
    if not cells.INT64_MIN <= num <= cells.INT64_MAX:
        raise ValueError(cells.TOO_LARGE)
    return num


def _number(v: Any) -> Bound | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if not isinstance(v, str):
        return Bound(_plain_number(v))
    qualifier, number = normalize.split_bound(v)
    if qualifier is None:
        return Bound(_plain_number(number))
    if not number:
        raise ValueError(f"'{v.strip()}' has no number; {normalize.BOUND_HINT}")
    return Bound(_plain_number(number), qualifier, v.strip())


def _count(v: Any) -> Bound | None:
    num = _number(v)
    if num is not None and num.value < 0:
        raise ValueError("a count cannot be negative")
    return num


def _ids(v: Any) -> tuple[str, ...] | None:
    """A cell listing references separated by ';' (ids or exact names)."""
    v = _text(v)
    if v is None:
        return None
    parts = tuple(p.strip() for p in v.split(";") if p.strip())
    return parts or None


Id = Annotated[str | None, BeforeValidator(_id)]
#: a column referring to another row: an id, or an exact name or alias (loaders/plan.py,
#: ``resolve``), so names with spaces are fine here; only a row's own id has a format
Reference = Text
RequiredId = Annotated[str, BeforeValidator(_id)]
Date = Annotated[normalize.DateValue | None, BeforeValidator(_date)]
SingleDate = Annotated[str | None, BeforeValidator(_single_date)]
Number = Annotated[Bound | None, BeforeValidator(_number)]
Count = Annotated[Bound | None, BeforeValidator(_count)]
State = Annotated[str | None, BeforeValidator(_state)]
def _months(v: Any) -> tuple[int, ...] | None:
    """Months after a build, ``;``-separated, each a whole number from 1 to 120, rising."""
    v = _text(v)
    if v is None:
        return None
    parts = [p.strip() for p in v.split(";") if p.strip()]
    if not all(re.fullmatch(r"\d{1,3}", p) for p in parts) or not parts:
        raise ValueError("write whole months after the build, separated by ';' (e.g. 2, or "
                         "1; 3; 6)")
    out = tuple(int(p) for p in parts)
    if not all(1 <= m <= 120 for m in out) or list(out) != sorted(set(out)):
        raise ValueError("each follow-up month is from 1 to 120, once, in rising order "
                         "(e.g. 1; 3; 6)")
    return out


States = Annotated[tuple[str, ...] | None, BeforeValidator(_states)]
Months = Annotated[tuple[int, ...] | None, BeforeValidator(_months)]
References = Annotated[tuple[str, ...] | None, BeforeValidator(_ids)]


def OptionalVocab(vocabulary: dict[str, str] | frozenset[str] | tuple[str, ...],  # noqa: N802
                  what: str) -> Any:
    """An optional column holding a word of ``vocabulary``."""
    words = frozenset(vocabulary) if isinstance(vocabulary, tuple) else vocabulary
    return Annotated[str | None, BeforeValidator(_vocab(words, what))]


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True,
                              arbitrary_types_allowed=True)
    note: Text = None
    citation: Text = Field(None, description="the source document this row states")


class OrganizationRow(_Row):
    id: Id = None
    name: Required
    kind: OptionalVocab(model.ORG_KINDS, "organization kind") = Field(
        None, description="empty when the sources do not say what the organization is")
    level: OptionalVocab(model.LEVELS, "level") = Field(
        None, description="inferred from kind and name when empty (docs/workbook.md)")
    state: State = None
    county: Text = None
    city: Text = None
    aliases: Text = Field(None, description="other names the sources use, separated by ';'")
    website: Text = None


class PersonRow(_Row):
    id: Id = None
    name: Text = None
    organization_id: Reference = None
    title: Text = None
    role: Text = None
    email: Text = None
    phone: Text = None
    start: SingleDate = Field(None, description="when they began working for the organization")
    end: SingleDate = Field(None, description="when they left it; the tie stays as history")


class EventRow(_Row):
    id: Id = None
    name: Required
    kind: Vocab(model.EVENT_KINDS, "event kind")
    date: Date = None
    city: Text = None
    state: States = Field(None, description="where it was held; a build drawing several "
                          "jurisdictions lists them after it, separated by ';'")
    county: Text = None
    follows_event_id: Reference = Field(None, description="for a follow-up: the event it "
                                        "follows up")
    followup_months: Months = Field(None, description="a build whose programme states its own "
                                    "follow-up schedule: months after it (e.g. 2), instead of "
                                    "the blueprint's")
    contact: OptionalVocab(model.CONTACT_KINDS, "contact kind") = Field(
        None, description="for a follow-up: how the contact was made (call, email, meeting, "
        "visit)")
    outcome: Text = Field(None, description="for a follow-up: what came of it, in a few words "
                          "(no personal details)")


class ProgramRow(_Row):
    id: Id = None
    name: Required
    kind: Vocab(model.PROGRAM_KINDS, "program kind")
    parent_id: Reference = None
    owner_id: Id = None


class _GroupColumns(_Row):
    """What a row says about an unnamed group, when it gives a kind instead of an entity."""

    count: Count = None
    level: OptionalVocab(model.LEVELS, "level") = None
    unit: OptionalVocab(model.GROUP_UNITS, "unit of the count") = Field(
        None, description="unnamed groups: whether count counts organizations or people")
    name: Text = Field(None, description="unnamed groups: how the source describes them")


class ParticipationRow(_GroupColumns):
    entity_id: Reference = Field(None, description="empty for an unnamed group (give kind, "
                                 "count)")
    kind: OptionalVocab(model.GROUP_KINDS, "organization kind or sector") = None
    event_id: Required
    role: Vocab(model.PARTICIPATION, "participation role")


class RelationshipRow(_Row):
    source_id: Required
    type: Vocab(model.RELATIONSHIPS, "relationship type")
    target_id: Required
    to_id: Text = Field(None, description="referred/introduced: to whom the target was referred")
    event_id: Text = Field(None, description="the event this relationship came out of")
    date: Date = None
    status: Text = None
    start: SingleDate = Field(None, description="when the tie began, if not its date")
    end: SingleDate = Field(None, description="when it ended (a protocol lapsed, a membership "
                            "ran out); the tie stays as history")


class CommitmentRow(_GroupColumns):
    entity_id: Reference = Field(None, description="empty for an unnamed group (give "
                                 "entity_kind, "
                          "count)")
    entity_kind: OptionalVocab(model.GROUP_KINDS, "organization kind or sector") = None
    program: Required
    kind: Vocab(model.COMMITMENTS, "commitment kind")
    status: Text = None
    date: Date = None
    state: State = Field(None, description="where the commitment holds")
    event_id: Reference = Field(None, description="the event the commitment came out of")


class MetricRow(_Row):
    scope_id: Required
    name: Required
    value: Annotated[Bound, BeforeValidator(_number)]
    unit: Text = None
    date: Date = None
    source: Text = Field(None, description="where the figure comes from (survey, hotline, ...)")


class LawRow(_Row):
    id: Id = None
    jurisdiction: Required = Field(description="the state (MS, Mississippi), or US for a "
                                   "federal law")
    bill: Required = Field(description="bill or statute number, e.g. HB 1234, Code 63-1-7")
    title: Text = None
    status: Vocab(frozenset(model.LAW_STATUSES), "law status")
    date: Date = Field(None, description="of the status; empty: its status column's date")
    introduced: SingleDate = None
    signed: SingleDate = None
    effective: SingleDate = None
    sponsors: References = Field(None, description="people or organizations, ';'-separated")
    mandates: References = Field(None, description="programs it makes required, "
                                 "';'-separated")

    @field_validator("jurisdiction", mode="before")
    @classmethod
    def _jurisdiction(cls, v: Any) -> Any:
        v = _text(v)
        if v is None:
            return v
        if model.vocab_key(v).replace(".", "") in _FEDERAL_JURISDICTION:
            return "US"
        code = normalize.state_code(v)
        if code is None:
            raise ValueError("unknown jurisdiction; write a state's two-letter code (MS) or "
                             "name (Mississippi), or US for a federal law")
        return code


_FEDERAL_JURISDICTION = {"us", "usa", "united states", "federal", "us federal"}


MODELS: dict[str, type[_Row]] = {
    "organizations": OrganizationRow,
    "people": PersonRow,
    "events": EventRow,
    "programs": ProgramRow,
    "participation": ParticipationRow,
    "relationships": RelationshipRow,
    "commitments": CommitmentRow,
    "metrics": MetricRow,
    "laws": LawRow,
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


@cache
def _list_adapter(sheet: str) -> TypeAdapter[list[_Row]]:
    return TypeAdapter(list[MODELS[sheet]])  # type: ignore[valid-type]


def validate_rows(sheet: str, rows: list[dict[str, Any]]) -> list[_Row] | None:
    """Every row of a sheet validated in one call (pydantic's per-call overhead, paid once
    instead of a row at a time), or None if any row is refused: :func:`validate_row` then
    says why, row by row, as it always has."""
    try:
        return _list_adapter(sheet).validate_python(rows)
    except ValidationError:
        return None
