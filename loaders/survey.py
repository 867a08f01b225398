"""Survey exports (one row per respondent), imported as metrics of the event they surveyed.

Per question column: the share of answers that agree and how many answered (n), as metrics of
the event with ``source: survey``. A question the gazetteer knows (``survey_measures`` in
``loaders/gazetteer.yaml``: know next steps, presenters knowledgeable and approachable, would
recommend, survivor speaker powerful, ...) gets the name the seed workbook and report
extraction give it, so that every build's results line up. A column naming the respondent's
sector gives respondents by sector. Names, email addresses and other identifying columns are
never read into the plan; free-text comments are kept only when asked, as one text on the
event with no row, order or person attached. Written through the loader, like a workbook.
See docs/intake.md, "Survey exports".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph import queries
from graph.changelog import Who
from graph.errors import LoadError, RowIssue
from graph.store import GraphStore
from loaders import normalize
from loaders.attendees import Export, event_of, header_key, read_export
from loaders.gazetteer import Gazetteer, load_gazetteer
from loaders.load import LoadReport, load
from loaders.sources import Sheet, Workbook

#: columns that identify a respondent or the form's bookkeeping: never read (header_key form)
IDENTIFYING = re.compile(
    r"^(timestamp|respondent id|collector id|ip address|start date|end date|date created|"
    r"date modified|submitted at|submission id|response id|(first |last |full |your )?name|"
    r"(your )?e ?mail( address)?|phone( number)?|custom data.*|"
    # where a respondent works and as what: with a sector and a date, enough to tell who
    r"(your )?(organization|organisation|company|agency|employer)( name)?|(job )?title|"
    r"position|city|zip( code)?|postal code)$")
SECTOR = re.compile(r"\bsector\b|which best describes|type of (organization|agency)|"
                    r"(organization|agency) type|\bindustry\b|\baffiliation\b")
COMMENT = re.compile(r"comment|suggestion|feedback|anything else|additional|other thoughts|"
                     r"what (did|could|would)|how can we|please (share|explain|describe)")

AGREE = frozenset({"strongly agree", "agree", "somewhat agree", "yes", "y", "true", "agreed",
                   "completely agree", "mostly agree"})
DISAGREE = frozenset({"strongly disagree", "disagree", "somewhat disagree", "neutral",
                      "neither agree nor disagree", "neither", "undecided", "no", "n", "false",
                      "not sure", "unsure", "maybe"})
#: answers that are no answer: left out of n
ABSTAIN = frozenset({"n/a", "na", "not applicable", "don't know", "dont know",
                     "prefer not to say", "prefer not to answer", "-"})
_PERCENT = re.compile(r"^(\d{1,3}(?:\.\d+)?)\s*%$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d ().-]{7,}\d")


def answer(value: Any) -> tuple[str, float | None]:
    """How one cell answers a question: ("agree", 1.0), ("disagree", 0.0), ("percent", share),
    ("scale", n of 1-5), ("none", None) for no answer, or ("text", None).

    >>> [answer(v) for v in ("Strongly agree", "Neutral", "Yes", "80%", "N/A", 4, "great")]
    [('agree', 1.0), ('disagree', 0.0), ('agree', 1.0), ('percent', 0.8), ('none', None), \
('scale', 4.0), ('text', None)]
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return "none", None
    if isinstance(value, bool):
        return ("agree", 1.0) if value else ("disagree", 0.0)
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        number = float(value)
        return ("scale", number) if 1 <= number <= 5 and number.is_integer() else ("text", None)
    text = " ".join(str(value).strip().lower().split())
    if text in AGREE:
        return "agree", 1.0
    if text in DISAGREE:
        return "disagree", 0.0
    if text in ABSTAIN:
        return "none", None
    m = _PERCENT.match(text)
    if m and float(m[1]) <= 100:
        return "percent", float(m[1]) / 100
    return "text", None


def metric_name(question: str, gazetteer: Gazetteer) -> str:
    """The metric a question is recorded under: the shared name when the gazetteer knows the
    statement, else its first words.

    >>> g = load_gazetteer()
    >>> metric_name("I know what next steps to take in my workplace", g)
    'know next steps'
    >>> metric_name("The survivor speaker's story was powerful", g)
    'survivor speaker powerful'
    >>> metric_name("The venue was easy to reach by bus or car", g)
    'the venue was easy to reach by'
    """
    known = gazetteer.survey_measure(question)
    if known:
        return known
    return " ".join(re.sub(r"[^\w'%-]+", " ", question.lower()).split()[:7])


@dataclass
class Question:
    column: str
    name: str
    agree: float  # the agreeing answers (a percent answer counts as its share)
    n: int
    scale: bool = False

    @property
    def share(self) -> float:
        return round(100 * self.agree / self.n, 1) if self.n else 0.0


@dataclass
class SurveyPlan:
    file: str
    event: dict[str, Any]
    respondents: int
    questions: list[Question]
    by_sector: dict[str, int]
    sector_column: str | None
    comments: list[str]
    ignored: list[str]  # columns never read: identifying, or not questions
    workbook: Workbook
    warnings: list[str] = field(default_factory=list)
    report: LoadReport | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "event": self.event, "respondents": self.respondents,
                "questions": [{"column": q.column, "metric": q.name, "share": q.share,
                               "n": q.n, "agreeing": round(q.agree, 2)} for q in self.questions],
                "by_sector": self.by_sector, "sector_column": self.sector_column,
                "comments": len(self.comments), "ignored_columns": self.ignored,
                "warnings": self.warnings,
                "load": self.report.as_dict() if self.report else None}


def plan_survey(export: Export, *, event: dict[str, Any], keep_comments: bool = False,
                gazetteer: Gazetteer | None = None, source: str | None = None) -> SurveyPlan:
    """Tally an export into metrics of ``event``; nothing is written."""
    gaz = gazetteer or load_gazetteer()
    source = source or export.file
    questions: list[Question] = []
    ignored: list[str] = []
    comments: list[str] = []
    warnings: list[str] = []
    sector_column = None
    by_sector: Counter[str] = Counter()
    rows = [r for _, r in export.rows]
    for column in export.columns:
        key = header_key(column)
        if not column:
            continue
        if IDENTIFYING.match(key):
            ignored.append(column)
            continue
        values = [r.get(column) for r in rows]
        if sector_column is None and SECTOR.search(key):
            sector_column = column
            by_sector.update(" ".join(str(v).split()).lower() for v in values
                             if v is not None and str(v).strip())
            continue
        answers = [(rownum, answer(r.get(column))) for rownum, r in export.rows]
        given = [(n, a) for n, a in answers if a[0] != "none"]
        texts = [n for n, a in given if a[0] == "text"]
        if not given or COMMENT.search(key) or len(texts) > len(given) / 2:
            if keep_comments and given:
                comments.extend(_redact(str(r.get(column))) for r in rows
                                if r.get(column) is not None and str(r.get(column)).strip())
            ignored.append(column)
            continue
        if texts:
            warnings.append(f"{export.file}, column '{column}': rows "
                            f"{', '.join(map(str, texts[:10]))} are not an answer this import "
                            "reads (agree/disagree, yes/no, a percent, 1-5); left out of n")
        counted = [a for _, a in given if a[0] != "text"]
        scale = all(a[0] == "scale" for a in counted)
        agree = sum((1.0 if a[1] >= 4 else 0.0) if a[0] == "scale" else a[1]  # type: ignore
                    for a in counted)
        questions.append(Question(column, metric_name(column, gaz), agree, len(counted), scale))
    names = Counter(q.name for q in questions)
    for name, times in names.items():
        if times > 1:
            raise LoadError([RowIssue(export.file, 1, q.column, f"this question and "
                                      f"{times - 1} other(s) are all named {name!r}; say which "
                                      "one it is not by editing its header", q.column)
                             for q in questions if q.name == name])
    plan = SurveyPlan(export.file, event, len(rows), questions, dict(sorted(by_sector.items())),
                      sector_column, sorted(comments), ignored, Workbook(path=Path(source)),
                      warnings)
    plan.workbook.sheets["metrics"] = Sheet("metrics", source, [
        "scope_id", "name", "value", "unit", "date", "source", "note"], _metric_rows(plan))
    return plan


def _redact(text: str) -> str:
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", " ".join(text.split())))


def _metric_rows(plan: SurveyPlan) -> list[tuple[int, dict[str, Any]]]:
    """Metric rows, all at the header row: a respondent's row number would tie a figure, or a
    comment, to a person."""
    event, date = plan.event["id"], plan.event.get("date")

    def row(name: str, value: Any, unit: str, note: str | None = None
            ) -> tuple[int, dict[str, Any]]:
        return 1, {"scope_id": event, "name": name, "value": str(value), "unit": unit,
                   "date": date, "source": "survey", "note": note}

    out = [row("survey respondents", plan.respondents, "respondents")]
    for q in plan.questions:
        how = "4 or 5 of 5" if q.scale else "agree, strongly agree or yes"
        out.append(row(q.name, q.share, "percent of respondents",
                       f"{q.column!r}: {q.agree:g} of {q.n} answered {how}"))
        out.append(row(f"{q.name} (n)", q.n, "respondents", f"answers to {q.column!r}"))
    for sector, count in plan.by_sector.items():
        out.append(row(f"survey respondents: {normalize.slug(sector).replace('-', ' ')}", count,
                       "respondents", f"{plan.sector_column!r} answered {sector!r}"))
    if plan.comments:
        out.append(row("survey comments", len(plan.comments), "comments",
                       " | ".join(plan.comments)))
    return out


def import_survey(path: Path, store: GraphStore, *, event_id: str, dry_run: bool = False,
                  keep_comments: bool = False, fuzzy_threshold: float = 92.0,
                  source: str | None = None,
                  progress: Callable[[str, int, int], None] | None = None,
                  who: Who | None = None) -> SurveyPlan:
    """Tally a survey export and (unless ``dry_run``) write its metrics through the loader;
    ``who``: whom the change log names (default: the command line's user)."""
    export = read_export(Path(path), wanted=())
    plan = plan_survey(export, event=event_of(store, event_id), keep_comments=keep_comments,
                       source=source)
    # The same name on the same date is the same measure: a figure a report gave for it (the
    # seed's) is replaced by the count. Say so, so that a person sees what goes.
    start = normalize.parse_date_value(plan.event["date"]).date if plan.event.get("date") \
        else "undated"
    ids = [f"metric:{event_id}:{normalize.slug(r['name'])}:{start}"
           for _, r in plan.workbook.sheets["metrics"].rows]
    for r in store.read(queries.NODES_BY_ID, {"ids": ids}):
        was = r["props"]
        if was.get("source") != (source or export.file):
            plan.warnings.append(f"replaces {r['id']}: {was.get('value')} {was.get('unit') or ''}"
                                 f" from {was.get('citation') or was.get('source')}".rstrip())
    plan.report = load(Path(path), store, dry_run=dry_run, fuzzy_threshold=fuzzy_threshold,
                       progress=progress, workbook=plan.workbook, who=who)
    return plan
