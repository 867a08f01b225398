"""The rules of issue 10 that need no database, with hand-checked answers: levels inferred from
kind and name, bounded numbers, dates with their precision and ranges, and the row/column
messages for what cannot be read."""

from __future__ import annotations

import pytest

from loaders import normalize, schema
from loaders.schema import Bound, validate_row

# ------------------------------------------------------------------------------ levels

LEVELS = [
    # national: "National", "American", "Association of America"
    ("American Trucking Associations", "trade association", None, "national"),
    ("American Bus Association", "trade association", None, "national"),
    ("National Human Trafficking Hotline", "nonprofit", None, "national"),
    ("Truckload Carriers Association of America", "trade association", None, "national"),
    # a state's name, or "State ..."
    ("Mississippi Trucking Association", "trade association", "MS", "state"),
    ("California Association for Coordinated Transportation", "trade association", "CA",
     "state"),
    ("Iowa Motor Vehicle Enforcement", "law enforcement", "IA", "state"),
    ("Mississippi National Guard", "state agency", "MS", "state"),  # state name first
    ("DMV (Mississippi)", "state agency", "MS", "state"),  # state name anywhere
    ("State Highway Patrol", "law enforcement", None, "state"),
    ("MS Trucking Association", "trade association", "MS", "state"),  # its own state's code
    ("Department of Revenue", "state agency", None, "state"),  # kind state agency
    # county: "County", "Sheriff" (also "Parish")
    ("Harrison County Sheriff's Office", "law enforcement", "MS", "county"),
    ("Mississippi County Sheriff's Office", "law enforcement", "AR", "county"),  # a county
    ("San Joaquin County Regional Transportation Department", "transit agency", "CA", "county"),
    ("Orleans Parish District Attorney", "prosecutor", "LA", "county"),
    # local: "City of", "Police Department" (PD, Police Dept.)
    ("City of Gulfport", "state agency", "MS", "local"),
    ("Biloxi Police Department", "law enforcement", "MS", "local"),
    ("Biloxi PD", "law enforcement", "MS", "local"),
    ("Pittsburg Police Dept.", "law enforcement", None, "local"),
    ("Kansas City Police Department", "law enforcement", "MO", "local"),  # not Kansas
    # federal: kind federal agency, FMCSA, FBI, "U.S. ..." for public bodies
    ("Federal Motor Carrier Safety Administration", "federal agency", None, "federal"),
    ("FMCSA", None, None, "federal"),
    ("FBI Jackson Field Office", "law enforcement", "MS", "federal"),
    ("U.S. Attorney's Office, Southern District of Mississippi", "prosecutor", "MS",
     "federal"),
    ("Homeland Security Investigations", "law enforcement", None, "federal"),
    ("International Association of Chiefs of Police", "trade association", None,
     "international"),
    # otherwise unknown: never guessed
    ("Truckers Against Trafficking", "nonprofit", None, None),
    ("Pine Belt Task Force", "task force", "MS", None),
    ("Racine Coalition Against Human Trafficking", "nonprofit", None, None),
    ("San Joaquin District Attorney's Office", "prosecutor", "CA", None),
    ("Tri-State Trucking Council", "trade association", None, None),  # not "State ..."
    ("Gulf States Division", None, None, None),  # "States" is not "State"
    # a province's name is a state-level name, as a state's is (issue 11)
    ("Alberta Motor Transport Association", "trade association", "CA-AB", "state"),
    ("Ontario Provincial Police", "law enforcement", "CA-ON", "state"),
    # companies: a company's name is no level
    ("U.S. Xpress", "trucking company", None, None),
    ("American Freight", "trucking company", None, None),
    ("Texas Roadhouse", "shipper", "TX", None),
    ("Mississippi Gulf Casino", "casino", "MS", None),
]


@pytest.mark.parametrize(("name", "kind", "state", "want"), LEVELS,
                         ids=[x[0] for x in LEVELS])
def test_infer_level(name: str, kind: str | None, state: str | None, want: str | None) -> None:
    assert normalize.infer_level(name, kind, state) == want


# ------------------------------------------------------------------------------ bounds

BOUNDS = [
    (">70", 70, "more than"), ("> 70", 70, "more than"), ("70+", 70, "more than"),
    ("over 70", 70, "more than"), ("more than 70", 70, "more than"),
    ("Over 70", 70, "more than"),
    ("at least 1,045", 1045, "at least"), (">=5", 5, "at least"), ("5 or more", 5, "at least"),
    ("about 95", 95, "about"), ("~95", 95, "about"), ("approximately 95", 95, "about"),
    ("around 95", 95, "about"), ("about 92.5%", 92.5, "about"),
    ("up to 100", 100, "up to"), ("<=100", 100, "up to"),
    ("<10", 10, "less than"), ("under 10", 10, "less than"), ("fewer than 10", 10, "less than"),
    ("less than 10", 10, "less than"),
]


@pytest.mark.parametrize(("text", "value", "qualifier"), BOUNDS, ids=[b[0] for b in BOUNDS])
def test_bounded_counts_and_values(text: str, value: float, qualifier: str) -> None:
    row, issues = validate_row("participation", "p.csv", 2, {
        "entity_id": "org:x", "event_id": "event:e", "role": "attended", "count": text})
    assert issues == []
    assert row.count == Bound(value, qualifier, text.strip())
    assert row.count.props("count") == {"count": value, "count_qualifier": qualifier,
                                        "count_text": text.strip()}
    metric, issues = validate_row("metrics", "m.csv", 2, {"scope_id": "MS", "name": "n",
                                                           "value": text})
    assert issues == [] and metric.value.props("value")["value"] == value


@pytest.mark.parametrize(("cell", "value"), [("250", 250), ("1,045", 1045), ("92%", 92),
                                             (250, 250), (92.5, 92.5), (" 7 ", 7)])
def test_plain_numbers_have_no_qualifier_or_text(cell: object, value: float) -> None:
    row, issues = validate_row("metrics", "m.csv", 2, {"scope_id": "MS", "name": "n",
                                                        "value": cell})
    assert issues == [] and row.value == Bound(value)
    assert row.value.props("value") == {"value": value, "value_qualifier": None,
                                        "value_text": None}


REFUSED_NUMBERS = [
    ("participation", "count", "over seventy", "not a number; write a number"),
    ("participation", "count", "over 70 people", "put units and other words in 'note'"),
    ("participation", "count", "70-80", "a range of numbers cannot be stored"),
    ("participation", "count", "about", "has no number"),
    ("participation", "count", "at least -3", "cannot be negative"),
    ("commitments", "count", "-250", "cannot be negative"),
    ("metrics", "value", "half-day", "'>70', '70+', 'over 70'"),
    ("metrics", "value", "~nan", "finite number"),
]


@pytest.mark.parametrize(("sheet", "column", "cell", "words"), REFUSED_NUMBERS,
                         ids=[f"{r[0]}:{r[2]}" for r in REFUSED_NUMBERS])
def test_unreadable_numbers_are_refused_at_their_row_and_column(sheet: str, column: str,
                                                               cell: str, words: str) -> None:
    base = {"participation": {"entity_id": "org:x", "event_id": "event:e", "role": "spoke"},
            "commitments": {"entity_id": "org:x", "program": "p", "kind": "pledged"},
            "metrics": {"scope_id": "MS", "name": "n"}}[sheet]
    row, issues = validate_row(sheet, f"{sheet}.csv", 7, {**base, column: cell})
    assert row is None and len(issues) == 1
    issue = issues[0]
    assert (issue.file, issue.row, issue.column, issue.value) == (f"{sheet}.csv", 7, column,
                                                                  cell)
    assert words in issue.message, issue.message


def test_a_metric_value_may_be_a_negative_bound() -> None:
    row, issues = validate_row("metrics", "m.csv", 2, {"scope_id": "MS", "name": "change",
                                                        "value": "about -5"})
    assert issues == [] and row.value == Bound(-5, "about", "about -5")


# ------------------------------------------------------------------------------ dates

@pytest.mark.parametrize(("cell", "date", "precision", "end"), [
    ("2020-01-16", "2020-01-16", "day", None),
    ("2014-07", "2014-07", "month", None),
    ("2017", "2017", "year", None),
    ("1/16/2020", "2020-01-16", "day", None),
    ("2022-10-05/2022-10-06", "2022-10-05", "day", "2022-10-06"),
    ("2022-10-05 to 2022-10-06", "2022-10-05", "day", "2022-10-06"),
    ("2019/2020-03", "2019", "year", "2020-03"),
    ("2022-10-15/2022-10", "2022-10-15", "day", "2022-10"),  # ends within its end month
])
def test_dates_keep_their_precision_and_ranges(cell: str, date: str, precision: str,
                                               end: str | None) -> None:
    row, issues = validate_row("events", "events.csv", 2, {"name": "E", "kind": "meeting",
                                                            "date": cell})
    assert issues == []
    want = {"date": date, "date_precision": precision, **({"date_end": end} if end else {})}
    assert row.date.props() == want


@pytest.mark.parametrize(("cell", "words"), [
    ("2022-10-06/2022-10-05", "ends before it starts; write the earlier date first"),
    ("2022-10-05/2022-13-01", "no such date"),
    ("2022-10-05/next week", "a range is written start/end"),
    ("2022-10-05/2101-01-01", "out of range"),
    ("mid-April", "write YYYY-MM-DD, YYYY-MM or YYYY"),
])
def test_unreadable_dates_are_refused_with_what_to_write(cell: str, words: str) -> None:
    row, issues = validate_row("relationships", "r.csv", 3, {
        "source_id": "a", "type": "referred", "target_id": "b", "date": cell})
    assert row is None and [(i.row, i.column) for i in issues] == [(3, "date")]
    assert words in issues[0].message, issues[0].message


def test_a_law_status_date_is_one_date_not_a_range() -> None:
    row, issues = validate_row("laws", "laws.csv", 2, {
        "jurisdiction": "MS", "bill": "HB 1", "status": "signed",
        "signed": "2020-03-01/2020-03-02"})
    assert row is None and [(i.column, i.message.split(";")[0]) for i in issues] == [
        ("signed", "a single date is expected here, not a range")]


def test_law_columns() -> None:
    row, issues = validate_row("laws", "laws.csv", 2, {
        "jurisdiction": "Mississippi", "bill": "HB 1", "status": "Signed",
        "sponsors": "Rep. A; org:ms:mta ;", "mandates": "program:tat-training"})
    assert issues == []
    assert (row.jurisdiction, row.status, row.sponsors, row.mandates) == (
        "MS", "signed", ("Rep. A", "org:ms:mta"), ("program:tat-training",))
    assert validate_row("laws", "laws.csv", 2, {"jurisdiction": "federal", "bill": "X",
                                                 "status": "passed"})[0].jurisdiction == "US"
    _, issues = validate_row("laws", "laws.csv", 4, {"jurisdiction": "Atlantis", "bill": "X",
                                                      "status": "vetoed"})
    assert {i.column: i.message.split(";")[0] for i in issues} == {
        "jurisdiction": "unknown jurisdiction", "status": "unknown law status"}


def test_levels_and_group_kinds_are_checked_vocabularies() -> None:
    _, issues = validate_row("organizations", "o.csv", 2, {"name": "X", "kind": "casino",
                                                           "level": "galactic"})
    assert [(i.column, i.message.split(";")[0]) for i in issues] == [("level",
                                                                      "unknown level")]
    row, issues = validate_row("participation", "p.csv", 2, {
        "event_id": "e", "role": "attended", "kind": "Law Enforcement", "count": "227",
        "level": "State", "unit": "people"})
    assert issues == [] and (row.kind, row.level, row.unit) == ("law enforcement", "state",
                                                                "people")
    row, issues = validate_row("participation", "p.csv", 2, {
        "event_id": "e", "role": "attended", "kind": "industry", "count": "3"})
    assert issues == [] and row.kind == "industry"  # a sector
    _, issues = validate_row("participation", "p.csv", 2, {
        "event_id": "e", "role": "attended", "kind": "people", "count": "3"})
    assert [i.column for i in issues] == ["kind"]  # "people" is no sector


def test_split_bound_leaves_plain_numbers_alone() -> None:
    assert normalize.split_bound("+70") == (None, "+70")
    assert schema._number("+70") == Bound(70)
