"""Every reference column takes an id, the exact name or an alias (docs/workbook.md, Ids):
organization_id, parent_id, follows_event_id, entity_id and event_id of commitments, as
source_id and target_id always did. All rows are SYNTHETIC."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.store import GraphStore
from loaders.load import load, plan_workbook
from tests.conftest import write_workbook

SHEETS = {
    "organizations": """
        id,name,kind,state,aliases
        org:ms:biloxi-pd,Biloxi Police Department,law enforcement,MS,Biloxi PD
        org:ms:gts,Gulf Truck Stop,truck stop,MS,
    """,
    "programs": """
        id,name,kind,parent_id
        program:iowa-mve,Iowa MVE Model,model,
        mve:wallet-cards,Wallet Cards Component,model component,Iowa MVE Model
    """,
    "events": """
        id,name,kind,date,state,follows_event_id
        event:gulfport,Gulfport Coalition Build,coalition build,2020-01-16,MS,
        event:gulfport-3m,Gulfport 3-month follow-up,follow-up,2020-04-16,MS,Gulfport Coalition Build
    """,
    "people": """
        name,organization_id,title
        Pat Doe,Biloxi Police Department,Detective
        Sam Roe,Biloxi PD,Sergeant
    """,
    "participation": """
        entity_id,event_id,role
        Gulf Truck Stop,Gulfport Coalition Build,attended
        Pat Doe,event:gulfport,spoke
    """,
    "commitments": """
        entity_id,program,kind,event_id
        Gulf Truck Stop,Wallet Cards Component,distributes,Gulfport Coalition Build
    """,
}


def edges(path: Path) -> set[tuple[str, str, str]]:
    plan = plan_workbook(path, None, fuzzy_threshold=92.0)
    assert not plan.errors, plan.errors
    return {(e.type, e.src, e.dst) for e in plan.edges.values()}


def test_names_with_spaces_and_aliases_resolve_in_every_reference_column(tmp_path: Path
                                                                         ) -> None:
    got = edges(write_workbook(tmp_path / "wb", **SHEETS))
    # people: derived from the organization's id, whether named by name or by alias
    assert ("WORKS_FOR", "person:ms:biloxi-pd:pat-doe", "org:ms:biloxi-pd") in got
    assert ("WORKS_FOR", "person:ms:biloxi-pd:sam-roe", "org:ms:biloxi-pd") in got
    assert ("PART_OF", "mve:wallet-cards", "program:iowa-mve") in got
    assert ("FOLLOWS", "event:gulfport-3m", "event:gulfport") in got
    assert ("ATTENDED", "org:ms:gts", "event:gulfport") in got
    assert ("SPOKE_AT", "person:ms:biloxi-pd:pat-doe", "event:gulfport") in got
    assert ("DISTRIBUTES", "org:ms:gts", "mve:wallet-cards") in got
    assert ("OUTCOME_OF", "org:ms:gts", "event:gulfport") in got


def test_a_name_that_matches_nothing_is_a_dangling_reference(tmp_path: Path) -> None:
    wb = write_workbook(tmp_path / "wb", organizations=SHEETS["organizations"], people="""
        name,organization_id
        Pat Doe,Biloxi Police Dept of Nowhere
    """)
    plan = plan_workbook(wb, None, fuzzy_threshold=92.0)
    [issue] = plan.errors
    assert (issue.file, issue.row, issue.column) == ("people.csv", 2, "organization_id")
    assert "neither an id nor an exact name" in issue.message
    assert issue.value == "Biloxi Police Dept of Nowhere"


def test_a_rows_own_id_still_has_a_format(tmp_path: Path) -> None:
    wb = write_workbook(tmp_path / "wb", events="""
        id,name,kind
        event:has space,Meeting,meeting
    """)
    plan = plan_workbook(wb, None, fuzzy_threshold=92.0)
    [issue] = plan.errors
    assert (issue.row, issue.column) == (2, "id") and "no spaces" in issue.message


@pytest.mark.parametrize("column_value", ["Biloxi Police Department", "org:ms:biloxi-pd"])
def test_loaded_by_name_or_id_it_is_the_same_person(column_value: str, tmp_path: Path,
                                                    embedded_store: GraphStore) -> None:
    wb = write_workbook(tmp_path / "wb", organizations=SHEETS["organizations"], people=f"""
        name,organization_id
        Pat Doe,{column_value}
    """)
    load(wb, embedded_store)
    rows = embedded_store.read("MATCH (p:Person)-[:WORKS_FOR]->(o) RETURN p.id AS p, o.id AS o")
    assert rows == [{"p": "person:ms:biloxi-pd:pat-doe", "o": "org:ms:biloxi-pd"}]


def test_an_ambiguous_name_asks_for_the_id(tmp_path: Path) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state
        org:ms:a,Harbor Stop,truck stop,MS
        org:al:a,Harbor Stop,truck stop,AL
    """, people="""
        name,organization_id
        Pat Doe,Harbor Stop
    """)
    plan = plan_workbook(wb, None, fuzzy_threshold=92.0)
    issue = next(i for i in plan.errors if i.file == "people.csv")
    assert "matches several rows (org:al:a, org:ms:a); use the id" in issue.message


def test_an_unknown_organization_with_a_start_date_is_one_problem(tmp_path: Path) -> None:
    wb = write_workbook(tmp_path / "wb", organizations=SHEETS["organizations"], people="""
        name,organization_id,start
        Pat Doe,Biloxi Sheriff Office,2020-01
    """)
    [issue] = plan_workbook(wb, None, fuzzy_threshold=92.0).errors
    assert issue.column == "organization_id"  # not also "give organization_id too"
