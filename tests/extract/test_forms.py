"""Issue 10's workbook forms in a draft (issue 12, item 5), one rule at a time, on short
SYNTHETIC texts: date precision and spans, bounds as written, unnamed groups, event ids,
kinds no rule guesses, and follow-ups. Every draft here must also load (`--dry-run`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.extract import draft_report
from loaders.extract.draft import write
from loaders.load import plan_workbook


def draft(tmp_path: Path, text: str):
    path = tmp_path / "report.txt"
    path.write_text("SYNTHETIC test report.\n\n" + text, encoding="utf-8")
    return draft_report(path)


def rows(d, sheet: str) -> list[dict]:
    return [r.cells for r in d.sheet(sheet)]


def loads(tmp_path: Path, d) -> dict:
    """The draft written and planned as `coalition load --dry-run` plans it: no errors."""
    out = tmp_path / "draft"
    write(d, out)
    plan = plan_workbook(out, None, fuzzy_threshold=92)
    assert not plan.errors, [str(e) for e in plan.errors]
    return plan.nodes


# ---------------------------------------------------------------------------- dates

@pytest.mark.parametrize("dateline, date, precision", [
    ("LINCOLN, NE - OCTOBER 5-6, 2022", "2022-10-05/2022-10-06", "day"),
    ("LINCOLN, NE - Oct. 30 - Nov. 1, 2022", "2022-10-30/2022-11-01", "day"),
    ("Lincoln, NE\nOctober 2022", "2022-10", "month"),
    ("LINCOLN, NE - 2022", "2022", "year"),
    ("LINCOLN, NE - MAY 2, 2023", "2023-05-02", "day"),
    # day first, as Canadian and British reports write it: the span starts on the 5th
    ("LINCOLN, NE - 5-6 October 2022", "2022-10-05/2022-10-06", "day"),
    ("LINCOLN, NE - 30 October - 1 November 2022", "2022-10-30/2022-11-01", "day"),
    ("LINCOLN, NE - 6 October 2022", "2022-10-06", "day"),
])
def test_the_report_date_keeps_its_precision_and_span(tmp_path: Path, dateline: str,
                                                      date: str, precision: str) -> None:
    d = draft(tmp_path, f"{dateline}\n\nThe Nebraska Trucking Association hosted a "
              "coalition build.\n")
    (e,) = rows(d, "events")
    assert (e["date"], e["city"], e["state"], e["kind"]) == (date, "Lincoln", "NE",
                                                             "coalition build")
    start = date.split("/")[0]
    assert e["id"] == f"event:ne:{start}:lincoln-coalition-build"
    (node,) = [n for n in loads(tmp_path, d).values() if n.labels[0] == "Event"]
    assert node.id == e["id"]
    assert (node.props["date"], node.props["date_precision"]) == (start, precision)
    assert node.props.get("date_end") == (date.split("/")[1] if "/" in date else None)


@pytest.mark.parametrize("text, values", [
    ("October 5 and 6, 2022", ["2022-10-05/2022-10-06"]),  # two days running: a span
    ("March 3 - 5, 2023", ["2023-03-03/2023-03-05"]),
    # two days apart are two dates, not the weeks between them
    ("trainings on May 2 and June 5, 2023", ["2023-05-02", "2023-06-05"]),
    ("on March 3 and 9, 2023", ["2023-03-03", "2023-03-09"]),
    ("on 2 and 5 June 2023", ["2023-06-02", "2023-06-05"]),
])
def test_and_joins_a_span_only_of_days_running(text: str, values: list[str]) -> None:
    from loaders.extract.figures import find_dates

    assert [d.value for d in find_dates(text)] == values


def test_a_month_in_running_text_is_not_the_report_date(tmp_path: Path) -> None:
    d = draft(tmp_path, "LINCOLN, NE\n\nThe Nebraska Trucking Association hosted a coalition "
              "build, its first since the state's new law took effect in October 2022 and "
              "after a long pause in the region's work against trafficking.\n")
    (e,) = rows(d, "events")
    assert e["date"] is None and e["id"] == "event:ne:undated:lincoln-coalition-build"


# ---------------------------------------------------------------------------- bounds

@pytest.mark.parametrize("written, cell, qualifier, value", [
    ("Over 70 participants attended", "Over 70", "more than", 70),
    ("More than 70 people attended", "More than 70", "more than", 70),
    ("At least 1,045 participants took part", "At least 1,045", "at least", 1045),
    ("About 95 people attended", "About 95", "about", 95),
    ("Nearly 100 participants attended", "about 100", "about", 100),  # not the loader's word
    ("Up to 100 people attended", "Up to 100", "up to", 100),
    ("70+ participants attended", "70+", "more than", 70),
    ("There were 67 participants", 67, None, 67),
])
def test_a_head_count_is_drafted_with_its_bound_as_written(tmp_path: Path, written: str,
                                                           cell, qualifier, value) -> None:
    d = draft(tmp_path, f"MOBILE, AL - MAY 5, 2021\n\nThe Alabama Trucking Association "
              f"hosted a coalition build. {written} at the meeting.\n")
    (m,) = rows(d, "metrics")
    assert (m["name"], m["value"]) == ("participants", cell)
    (node,) = [n for n in loads(tmp_path, d).values() if n.labels[0] == "Metric"]
    assert node.props["value"] == value
    assert node.props.get("value_qualifier") == qualifier
    if qualifier:  # never a bare number: the words the report used are in the note too
        assert f"as written '{written.split(' attended')[0].split(' took')[0]}" in m["note"]


@pytest.mark.parametrize("sentence, cell", [
    ("An estimated 300 attendees were present.", "about 300"),
    ("More than 120 people were in attendance.", "More than 120"),
])
def test_a_head_count_said_present_is_drafted(tmp_path: Path, sentence: str, cell) -> None:
    # the same words that place an unnamed group at the event place a head count there
    d = draft(tmp_path, "MOBILE, AL - MAY 5, 2021\n\nThe Alabama Trucking Association "
              f"hosted a coalition build. {sentence}\n")
    assert [(m["name"], m["value"]) for m in rows(d, "metrics")] == [("participants", cell)]
    loads(tmp_path, d)


def test_a_pledged_count_keeps_its_bound(tmp_path: Path) -> None:
    d = draft(tmp_path, "Red Oak Freight has pledged to train over 200 drivers with TAT "
              "training.\n")
    (c,) = rows(d, "commitments")
    assert (c["kind"], c["count"]) == ("pledged", "over 200")
    loads(tmp_path, d)


# ---------------------------------------------------------------------------- kinds

@pytest.mark.parametrize("name", ["Juniper Ridge", "Zephyr Widgets LLC"])
def test_a_kind_no_rule_guesses_is_left_empty_for_review(tmp_path: Path, name: str) -> None:
    d = draft(tmp_path, f"{name} has pledged to train 40 employees with TAT training.\n")
    orgs = {o["name"]: o for o in rows(d, "organizations")}
    org = orgs[name]
    assert org["kind"] is None  # not nonprofit or shipper: a default would be a wrong guess
    assert "kind left empty" in org["note"]
    (line,) = [r for r in d.review if r.startswith(f"{name}: kind unknown")]
    assert "pick one of law enforcement, prosecutor," in line and "school" in line
    (row,) = [r for r in d.sheet("organizations") if r.cells["name"] == name]
    assert row.confidence < 0.5  # listed among the least certain rows too
    nodes = loads(tmp_path, d)  # an empty kind is no error for the loader
    node = nodes[org["id"]]
    assert node.labels == ("Organization",) and node.props.get("kind") is None


def test_canadian_government_bodies_get_their_kind(tmp_path: Path) -> None:
    # a province's ministry is its state agency, as a US state's department is; the federal
    # departments of Canada are federal agencies, not a trucking company by 'transport'
    d = draft(tmp_path, "TORONTO, ON - OCTOBER 5, 2022\n\nThe Ontario Trucking Association "
              "hosted a coalition build. The Ontario Ministry of Transportation, Transport "
              "Canada, Public Safety Canada and the Canada Border Services Agency attended.\n")
    kinds = {o["name"]: o["kind"] for o in rows(d, "organizations")}
    assert {n: kinds.get(n) for n in (
        "Ontario Ministry of Transportation", "Transport Canada", "Public Safety Canada",
        "Canada Border Services Agency")} == {
        "Ontario Ministry of Transportation": "state agency",
        "Transport Canada": "federal agency", "Public Safety Canada": "federal agency",
        "Canada Border Services Agency": "federal agency"}
    loads(tmp_path, d)


# ---------------------------------------------------------------------------- unnamed groups

BUILD = "MOBILE, AL - MAY 5, 2021\n\nThe Alabama Trucking Association hosted a coalition build. "
EVENT = "event:al:2021-05-05:mobile-coalition-build"


@pytest.mark.parametrize("sentence, kind, count, name, level, unit", [
    ("Representatives from 3 local casinos were in attendance.", "casino", 3, "local casinos",
     "local", "organizations"),
    ("Attendees included 28 oil and gas representatives.", "energy company", 28,
     "oil and gas representatives", None, "people"),
    ("227 law enforcement officers attended.", "law enforcement", 227,
     "law enforcement officers", None, "people"),
    ("Staff from over 12 police departments took part.", "law enforcement", "over 12",
     "police departments", None, "organizations"),
    ("Representatives of 5 state agencies were present.", "state agency", 5, "state agencies",
     "state", "organizations"),
    ("Three local police departments sent officers.", "law enforcement", 3,
     "local police departments", "local", "organizations"),
    # drivers are the trucking sector's people, as "bus drivers" are the bus industry's
    ("More than 40 truck drivers attended.", "trucking company", "More than 40",
     "truck drivers", None, "people"),
    ("Nearly 30 casino employees attended.", "casino", "about 30", "casino employees", None,
     "people"),
    ("40+ law enforcement officers attended.", "law enforcement", "40+",
     "law enforcement officers", None, "people"),
])
def test_an_unnamed_group_is_a_participation_row_with_kind_and_count(
        tmp_path: Path, sentence: str, kind: str, count, name: str, level, unit) -> None:
    d = draft(tmp_path, BUILD + sentence + "\n")
    (g,) = [p for p in rows(d, "participation") if not p["entity_id"]]
    assert (g["event_id"], g["role"], g["kind"], g["count"], g["name"], g["level"],
            g["unit"]) == (EVENT, "attended", kind, count, name, level, unit)
    assert not [m for m in rows(d, "metrics") if m["name"] == "participants"]
    assert any(r.startswith(f"unnamed group '{name}'") for r in d.review)
    nodes = loads(tmp_path, d)
    gid = f"group:al:2021-05-05:mobile-coalition-build:{kind.replace(' ', '-')}" + \
        (f":{level}" if level else "")
    assert nodes[gid].labels == ("Group",) and nodes[gid].props["unnamed"] is True


@pytest.mark.parametrize("sentence, count", [
    # the part that came, not the whole it is counted from
    ("Over 100 people attended, including 15 of the 20 casinos in the state.", 15),
    ("Nine of the state's 14 truck stops were in attendance.", 9),
])
def test_a_part_of_a_whole_counts_the_part(tmp_path: Path, sentence: str, count: int) -> None:
    d = draft(tmp_path, BUILD + sentence + "\n")
    groups = [(g["kind"], g["count"]) for g in rows(d, "participation") if not g["entity_id"]]
    assert len(groups) == 1 and groups[0][1] == count
    loads(tmp_path, d)


@pytest.mark.parametrize("sentence", [
    "40% of the 200 truck stops in the state attended.",
    "Half of the 12 truck stops in the county took part.",
    "Most of the state's 12 truck stops were in attendance.",
])
def test_a_share_of_a_whole_is_a_group_without_a_number(tmp_path: Path, sentence: str) -> None:
    # not the whole's count: that many did not all come
    d = draft(tmp_path, BUILD + sentence + "\n")
    groups = [(g["kind"], g["count"]) for g in rows(d, "participation") if not g["entity_id"]]
    assert groups == [("truck stop", None)]
    assert any("(no number" in r for r in d.review)
    loads(tmp_path, d)


def test_none_of_a_whole_is_no_group(tmp_path: Path) -> None:
    d = draft(tmp_path, BUILD + "Three local casinos attended, but none of the 12 truck stops "
              "in the county took part.\n")
    groups = [(g["kind"], g["count"]) for g in rows(d, "participation") if not g["entity_id"]]
    assert groups == [("casino", 3)]


def test_a_count_no_kind_rule_places_stays_a_figure(tmp_path: Path) -> None:
    d = draft(tmp_path, BUILD + "Representatives from 5 organizations were in attendance.\n")
    assert [p for p in rows(d, "participation") if not p["entity_id"]] == []
    (m,) = rows(d, "metrics")
    assert (m["name"], m["value"]) == ("organizations represented", 5)


def test_a_count_not_said_to_attend_is_no_participation(tmp_path: Path) -> None:
    d = draft(tmp_path, BUILD + "Total Freight sent its list of their top 25 shippers.\n")
    assert [p for p in rows(d, "participation") if not p["entity_id"]] == []


def test_the_group_that_attended_makes_the_commitment_by_its_id(tmp_path: Path) -> None:
    d = draft(tmp_path, BUILD + "Representatives from 3 local casinos were in attendance, and "
              "they expressed interest in training employees with the TAT Casino webinar.\n")
    (c,) = rows(d, "commitments")
    gid = "group:al:2021-05-05:mobile-coalition-build:casino:local"
    assert (c["entity_id"], c.get("entity_kind"), c["kind"], c["event_id"]) == \
        (gid, None, "considering", EVENT)
    nodes = loads(tmp_path, d)
    assert nodes[gid].props["count"] == 3


def test_a_group_met_only_in_a_commitment_is_described_there(tmp_path: Path) -> None:
    d = draft(tmp_path, BUILD + "\n\n- 12 truck stops agreed to distribute TAT wallet cards.\n")
    (c,) = rows(d, "commitments")
    assert (c["entity_id"], c["entity_kind"], c["count"], c["name"], c["unit"], c["kind"],
            c["event_id"]) == (None, "truck stop", 12, "truck stops", "organizations",
                               "pledged", EVENT)
    nodes = loads(tmp_path, d)
    assert nodes["group:tat-wallet-cards:truck-stop:pledged"].props["count"] == 12


def test_two_groups_of_one_kind_and_level_leave_the_second_to_review(tmp_path: Path) -> None:
    d = draft(tmp_path, BUILD + "Attendees included 227 law enforcement officers and "
              "representatives from 14 police departments.\n")
    groups = [p for p in rows(d, "participation") if not p["entity_id"]]
    assert [(g["count"], g["unit"]) for g in groups] == [(227, "people")]
    assert any("a second unnamed group of law enforcement" in r for r in d.review)
    loads(tmp_path, d)  # the loader would refuse two groups with one id


@pytest.mark.parametrize("dateline, sentence, expected", [
    # a province is the workbook's state (docs/workbook.md, Jurisdictions), so its bodies
    # are state level, as "Ontario Provincial Police" is by its name
    ("TORONTO, ON - OCTOBER 5, 2022", ("Representatives from 4 provincial agencies and 20 "
     "provincial police officers attended."),
     [("state agency", "state", 4), ("law enforcement", "state", 20)]),
    # a city's own police are local, apart from the tribal police (no level)
    ("RENO, NV - APRIL 9, 2024", ("Officers from 6 tribal police departments and 3 municipal "
     "police departments attended."),
     [("law enforcement", None, 6), ("law enforcement", "local", 3)]),
])
def test_provincial_and_municipal_groups_have_their_level(
        tmp_path: Path, dateline: str, sentence: str, expected: list) -> None:
    d = draft(tmp_path, f"{dateline}\n\nThe Western Trucking Association hosted a coalition "
              f"build. {sentence}\n")
    groups = [(g["kind"], g["level"], g["count"])
              for g in rows(d, "participation") if not g["entity_id"]]
    assert groups == expected
    loads(tmp_path, d)


def test_provincial_and_municipal_law_enforcement_brought_together(tmp_path: Path) -> None:
    d = draft(tmp_path, "TORONTO, ON - OCTOBER 5, 2022\n\nThe Ontario Trucking Association "
              "hosted a Coalition Build to bring together stakeholders in the trucking "
              "industry, along with provincial and municipal law enforcement.\n")
    groups = [(g["name"], g["level"]) for g in rows(d, "participation")
              if not g["entity_id"] and g["kind"] == "law enforcement"]
    assert groups == [("provincial law enforcement", "state"),
                      ("municipal law enforcement", "local")]
    loads(tmp_path, d)


# ---------------------------------------------------------------------------- event ids

def test_every_row_of_the_event_carries_its_id(tmp_path: Path) -> None:
    d = draft(tmp_path, BUILD + "There were 40 participants at the meeting. Representatives "
              "from 3 local casinos were in attendance.\n\n- Red Oak Freight has implemented "
              "TAT training with its drivers.\n")
    (e,) = rows(d, "events")
    assert e["id"] == EVENT
    assert {p["event_id"] for p in rows(d, "participation")} == {EVENT}
    assert {c["event_id"] for c in rows(d, "commitments")} == {EVENT}
    assert {m["scope_id"] for m in rows(d, "metrics")} == {EVENT}
    nodes = loads(tmp_path, d)
    assert EVENT in nodes


# ---------------------------------------------------------------------------- follow-ups

@pytest.mark.parametrize("sentence, name, date", [
    ("A follow-up meeting was held in March 2023 with the same partners.",
     "Mobile Coalition Build follow-up meeting", "2023-03"),
    ("At the three-month follow-up, Red Oak Freight said its drivers had made two calls.",
     "Mobile Coalition Build 3-month follow-up", None),
    ("The Alabama Trucking Association held a follow-up call on August 9, 2021.",
     "Mobile Coalition Build follow-up call", "2021-08-09"),
    ("A follow-up webinar was held in 2022.", "Mobile Coalition Build follow-up webinar",
     "2022"),
    # the follow-up as the subject, dated, saying what it found: it happened
    ("The six-month follow-up in November 2021 found 12 truck stops distributing cards.",
     "Mobile Coalition Build 6-month follow-up", "2021-11"),
    ("The follow-up call on August 9, 2021 showed two new partners.",
     "Mobile Coalition Build follow-up call", "2021-08-09"),
])
def test_a_follow_up_is_an_event_that_follows_the_build(tmp_path: Path, sentence: str,
                                                        name: str, date) -> None:
    d = draft(tmp_path, BUILD + sentence + "\n")
    events = {e["name"]: e for e in rows(d, "events")}
    fu = events[name]
    assert (fu["kind"], fu["follows_event_id"], fu["date"], fu["state"]) == \
        ("follow-up", EVENT, date, "AL")
    assert fu["id"] == f"event:al:{date or 'undated'}:" + name.lower().replace(" ", "-")
    if date is None:
        assert any(r.startswith(f"{name}: the report gives no date") for r in d.review)
    nodes = loads(tmp_path, d)
    assert nodes[fu["id"]].props.get("date_precision") == \
        ({4: "year", 7: "month", 10: "day"}[len(date)] if date else None)
    plan = plan_workbook(tmp_path / "draft", None, fuzzy_threshold=92)
    assert [(e.src, e.dst) for e in plan.edges.values() if e.type == "FOLLOWS"] == \
        [(fu["id"], EVENT)]


@pytest.mark.parametrize("sentence", [
    "The long-term impact is the result of follow up done two months after the meeting.",
    "Follow-up is done one month, three months and six months after the meeting.",
    "TAT will hold a follow-up meeting in the spring.",
    "The six-month follow-up in November 2021 will review the pledges.",
])
def test_a_follow_up_practice_or_plan_is_no_event(tmp_path: Path, sentence: str) -> None:
    d = draft(tmp_path, BUILD + sentence + "\n")
    assert [e["kind"] for e in rows(d, "events")] == ["coalition build"]


def test_sectors_brought_together_are_groups_without_a_number(tmp_path: Path) -> None:
    d = draft(tmp_path, "RENO, NV - APRIL 9, 2024\n\nTruckers Against Trafficking teamed up "
              "with the Nevada Trucking Association to bring together stakeholders in the "
              "trucking and casino industries, along with county and federal law enforcement, "
              "for a Coalition Build.\n")
    groups = [(g["kind"], g["level"], g["name"], g["count"], g["unit"])
              for g in rows(d, "participation") if not g["entity_id"]]
    assert groups == [
        ("trucking company", None, "trucking industry stakeholders", None, None),
        ("casino", None, "casino industry stakeholders", None, None),
        ("law enforcement", "county", "county law enforcement", None, None),
        ("law enforcement", "federal", "federal law enforcement", None, None)]
    nodes = loads(tmp_path, d)
    assert "count" not in nodes["group:nv:2024-04-09:reno-coalition-build:casino"].props


def test_oil_and_gas_is_one_industry(tmp_path: Path) -> None:
    d = draft(tmp_path, "ODESSA, TX - APRIL 9, 2024\n\nTAT teamed up with the Texas Trucking "
              "Association to bring together stakeholders in the oil and gas, trucking and "
              "casino industries for a Coalition Build.\n")
    assert [g["name"] for g in rows(d, "participation") if not g["entity_id"]] == [
        "oil and gas industry stakeholders", "trucking industry stakeholders",
        "casino industry stakeholders"]


def test_each_industry_brought_together_is_a_group(tmp_path: Path) -> None:
    d = draft(tmp_path, "ODESSA, TX - APRIL 9, 2024\n\nThe Texas Trucking Association hosted "
              "a Coalition Build to bring together stakeholders from the oil and gas industry "
              "and the trucking industry, along with local law enforcement.\n")
    groups = [(g["kind"], g["level"]) for g in rows(d, "participation") if not g["entity_id"]]
    assert groups == [("energy company", None), ("trucking company", None),
                      ("law enforcement", "local")]
    loads(tmp_path, d)


def test_tribal_law_enforcement_is_a_group_without_a_level_the_loader_lacks(
        tmp_path: Path) -> None:
    # "tribal" is no level of the workbook's (docs/workbook.md): a draft must load
    d = draft(tmp_path, "RENO, NV - APRIL 9, 2024\n\nThe Nevada Trucking Association hosted a "
              "Coalition Build to bring together stakeholders in the trucking industry, along "
              "with tribal and federal law enforcement.\n")
    groups = [(g["kind"], g["level"], g["name"])
              for g in rows(d, "participation") if not g["entity_id"]]
    assert groups == [
        ("trucking company", None, "trucking industry stakeholders"),
        ("law enforcement", None, "tribal law enforcement"),
        ("law enforcement", "federal", "federal law enforcement")]
    nodes = loads(tmp_path, d)
    assert nodes["group:nv:2024-04-09:reno-coalition-build:law-enforcement"].props.get(
        "level") is None


def test_sectors_named_in_programme_text_are_no_groups(tmp_path: Path) -> None:
    d = draft(tmp_path, "RENO, NV - APRIL 9, 2024\n\nTruckers Against Trafficking hosted a "
              "coalition build.\n\nThe goal of a coalition build is to bring together the "
              "trucking and bus industries with local and state law enforcement.\n")
    assert [g for g in rows(d, "participation") if not g["entity_id"]] == []
