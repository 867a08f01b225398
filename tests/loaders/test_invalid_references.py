"""A row that refers to an invalid row says which row and why, and an alias claimed by two
organizations is a warning naming both rows. All rows are SYNTHETIC."""

from __future__ import annotations

from pathlib import Path

from graph.errors import RowIssue
from loaders.load import plan_workbook
from tests.conftest import write_workbook


def problems(path: Path) -> list[RowIssue]:
    return plan_workbook(path, None, fuzzy_threshold=92.0).issues


def at(issues: list[RowIssue], file: str, row: int) -> list[RowIssue]:
    return [i for i in issues if (i.file, i.row) == (file, row)]


ORGS = """
    id,name,kind,state,aliases
    ,Biloxi Police Department,law enforcement,Missisipi Land,Biloxi PD
    org:ms:saloon,Gulf Saloon,saloon,MS,
    org:ms:gts,Gulf Truck Stop,truck stop,MS,
"""


def test_by_name_by_alias_and_by_id_to_a_row_refused_for_its_cells(tmp_path: Path) -> None:
    wb = write_workbook(tmp_path / "wb", organizations=ORGS, people="""
        name,organization_id
        Pat Doe,Biloxi Police Department
        Sam Roe,Biloxi PD
        Kim Poe,org:ms:saloon
    """)
    issues = problems(wb)
    by_name, by_alias, by_id = (at(issues, "people.csv", r) for r in (2, 3, 4))
    state = ("refers to organizations.csv row 2, which is invalid: unknown state, province or "
             "country 'Missisipi Land' (column 'state'); fix that row first")
    assert [i.message for i in by_name] == [state]
    assert [i.message for i in by_alias] == [state]
    assert [i.message for i in by_id] == [(
        "refers to organizations.csv row 3, which is invalid: unknown organization kind "
        "(column 'kind'); fix that row first")]
    assert not any("did you mean" in i.message for i in issues)


def test_to_a_row_refused_by_the_plan(tmp_path: Path) -> None:
    # valid cells, but no county of that name: found only while planning
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state,county
        org:ms:x,X Stop,truck stop,MS,Nowhere
    """, participation="""
        entity_id,event_id,role
        X Stop,event:e,attended
    """, events="""
        id,name,kind
        event:e,E,meeting
    """)
    [issue] = at(problems(wb), "participation.csv", 2)
    assert issue.message == (
        "refers to org:ms:x (organizations.csv row 2, which is invalid: no county of that "
        "name in MS (Census 2020 county list) (column 'county')); fix that row first")


def test_an_invalid_row_of_another_sheet_is_no_match(tmp_path: Path) -> None:
    # an event called "Harbor Stop" is invalid; a person's organization of that name is
    # simply not there, and the message says so, not that the event row is invalid
    wb = write_workbook(tmp_path / "wb", events="""
        name,kind
        Harbor Stop,party
    """, people="""
        name,organization_id
        Pat Doe,Harbor Stop
    """)
    [issue] = at(problems(wb), "people.csv", 2)
    assert "neither an id nor an exact name of a Organization" in issue.message


def test_an_alias_claimed_by_two_organizations_is_a_warning_naming_both(tmp_path: Path
                                                                        ) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state,aliases
        org:ms:a,Harbor Truck Stop,truck stop,MS,HTS; Harbor
        org:ms:b,Harbor Transit Service,transit agency,MS,HTS
        org:ms:c,Harbor,casino,MS,
        org:ms:d,Delta Stop,truck stop,MS,DS; ds
    """)
    issues = problems(wb)
    warnings = [i for i in issues if i.severity == "warning"]
    assert [(i.row, i.column, i.value) for i in warnings] == [
        (3, "aliases", "HTS"), (4, "name", "Harbor")]
    assert warnings[0].message == (
        "the alias 'HTS' is also the alias of org:ms:a (organizations.csv row 2); a reference "
        "to it matches both organizations and is refused: keep the alias on one of them")
    assert warnings[1].message.startswith(
        "the name 'Harbor' is also the alias of org:ms:a (organizations.csv row 2)")
    assert not [i for i in issues if i.severity == "error"]


def test_a_reference_by_the_shared_alias_is_refused(tmp_path: Path) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state,aliases
        org:ms:a,Harbor Truck Stop,truck stop,MS,HTS
        org:ms:b,Harbor Transit Service,transit agency,MS,HTS
    """, people="""
        name,organization_id
        Pat Doe,HTS
    """)
    [issue] = [i for i in at(problems(wb), "people.csv", 2) if i.severity == "error"]
    assert "matches several rows (org:ms:a, org:ms:b); use the id" in issue.message


def test_to_a_row_of_a_sheet_whose_header_is_broken(tmp_path: Path) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,kind,state
        org:ms:a,truck stop,MS
    """, people="""
        name,organization_id
        Pat Doe,org:ms:a
    """)
    [issue] = at(problems(wb), "people.csv", 2)
    assert issue.message == ("refers to organizations.csv row 2, which is invalid: missing "
                             "column (column 'name'); fix that row first")


def test_to_a_row_the_reader_found_broken(tmp_path: Path) -> None:
    # row 3's quote runs on to the end of line 4: two cells, the id and all the rest
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state
        org:ms:new,New Stop,truck stop,MS
        org:ms:q,"Quote Stop,truck stop,MS
        org:ms:r,R Stop,truck stop,MS"
    """, people="""
        name,organization_id
        Pat Doe,org:ms:q
    """)
    [issue] = at(problems(wb), "people.csv", 2)
    assert issue.message.startswith("refers to organizations.csv row 3, which is invalid: "
                                    "this row runs from line 3 to line 4 and has 2 cells, not 4")
