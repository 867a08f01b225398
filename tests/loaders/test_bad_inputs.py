"""A corpus of bad inputs. Each must fail with an error naming the file, row and column,
saying what is expected, and must write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook

ORGS = """
    id,name,kind,state,county,city
    org:ms:biloxi-pd,Biloxi Police Department,law enforcement,MS,Harrison,Biloxi
    org:ms:ts1,Gulf Truck Stop,truck stop,MS,,Gulfport
"""
EVENTS = """
    id,name,kind,date,city,state
    event:gulfport,Gulfport Coalition Build,coalition build,2020-01-16,Gulfport,MS
"""

# case: (sheets, expected (file, row, column), words the message must contain)
CASES: dict[str, tuple[dict[str, str], tuple[str, int, str], str]] = {
    "unknown kind": (
        {"organizations": ORGS + "    org:x,Bar X,saloon,MS,,\n"},
        ("organizations.csv", 4, "kind"), "unknown organization kind"),
    "unknown state": (
        {"organizations": ORGS + "    org:x,X Co,casino,Atlantis,,\n"},
        ("organizations.csv", 4, "state"), "two-letter code"),
    "unknown county": (
        {"organizations": ORGS + "    org:x,X Casino,casino,MS,Harison,\n"},
        ("organizations.csv", 4, "county"), "did you mean 'Harrison County'"),
    "county without state": (
        {"organizations": ORGS + "    org:x,X Casino,casino,,Harrison,\n"},
        ("organizations.csv", 4, "county"), "needs a state"),
    "empty name": (
        {"organizations": ORGS + "    org:x,,casino,MS,,\n"},
        ("organizations.csv", 4, "name"), "must not be empty"),
    "duplicate id": (
        {"organizations": ORGS + "    org:ms:ts1,Other Stop,truck stop,MS,,\n"},
        ("organizations.csv", 4, "id"), "duplicate id"),
    "duplicate derived id": (
        {"organizations": """
            name,kind,state
            Biloxi PD,law enforcement,MS
            Biloxi Police Dept.,law enforcement,MS
        """},
        ("organizations.csv", 3, "id"), "org:ms:biloxi-police-department"),
    "id with spaces": (
        {"organizations": ORGS + "    org x,X Casino,casino,MS,,\n"},
        ("organizations.csv", 4, "id"), "no spaces"),
    "bad date": (
        {"organizations": ORGS, "events": EVENTS +
         "    event:e2,Other,meeting,16.01.2020,Biloxi,MS\n"},
        ("events.csv", 3, "date"), "YYYY-MM-DD"),
    "impossible date": (
        {"organizations": ORGS, "events": EVENTS +
         "    event:e2,Other,meeting,2020-02-30,Biloxi,MS\n"},
        ("events.csv", 3, "date"), "no such date"),
    "dangling reference with suggestion": (
        {"organizations": ORGS, "events": EVENTS, "participation": """
            entity_id,event_id,role
            org:ms:biloxi-pdd,event:gulfport,attended
        """},
        ("participation.csv", 2, "entity_id"), "did you mean org:ms:biloxi-pd"),
    "reference to the wrong kind of node": (
        {"organizations": ORGS, "events": EVENTS, "participation": """
            entity_id,event_id,role
            org:ms:ts1,org:ms:biloxi-pd,attended
        """},
        ("participation.csv", 2, "event_id"), "expected Event"),
    "unknown participation role": (
        {"organizations": ORGS, "events": EVENTS, "participation": """
            entity_id,event_id,role
            org:ms:ts1,event:gulfport,heckled
        """},
        ("participation.csv", 2, "role"), "attended"),
    "missing required column": (
        {"organizations": """
            id,kind,state
            org:x,casino,MS
        """},
        ("organizations.csv", 1, "name"), "missing column"),
    "non-numeric metric": (
        {"organizations": ORGS, "metrics": """
            scope_id,name,value,unit
            org:ms:biloxi-pd,tips received,two,tips
        """},
        ("metrics.csv", 2, "value"), "not a number; write a number"),
    "negative count": (
        {"organizations": ORGS, "programs": """
            id,name,kind
            program:tat,TAT training,training
        """, "commitments": """
            entity_id,program,kind,count
            org:ms:ts1,program:tat,pledged,-5
        """},
        ("commitments.csv", 2, "count"), "negative"),
    "survivor with a name": (
        {"people": """
            id,name,role
            person:s1,Jane Doe,survivor-leader
        """},
        ("people.csv", 2, "name"), "never stored"),
    "victim as a person": (
        {"people": """
            id,name,role
            person:v1,,victim
        """},
        ("people.csv", 2, "role"), "metrics"),
    "relationship row repeated": (
        {"organizations": ORGS, "relationships": """
            source_id,type,target_id,date
            org:ms:ts1,local contact,org:ms:biloxi-pd,2020-02
            org:ms:ts1,local contact,org:ms:biloxi-pd,2020-02
        """},
        ("relationships.csv", 3, ""), "repeats an earlier one"),
    "reference to an invalid row": (
        {"organizations": ORGS + "    org:x,X Casino,casino,ZZ,,\n", "relationships": """
            source_id,type,target_id
            org:x,local contact,org:ms:biloxi-pd
        """},
        ("relationships.csv", 2, "source_id"), "organizations.csv row 4, which is invalid: unknown state"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_with_location(case: str, tmp_path: Path,
                                            embedded_store: GraphStore) -> None:
    sheets, (file, row, column), words = CASES[case]
    wb = write_workbook(tmp_path / "wb", **sheets)
    with pytest.raises(LoadError) as info:
        load(wb, embedded_store)
    located = [i for i in info.value.issues
               if i.severity == "error" and (i.file, i.row, i.column) == (file, row, column)]
    assert located, f"no error at {file} row {row} column {column!r}: {info.value}"
    assert any(words in i.message for i in located), str(info.value)
    assert "nothing was written" in str(info.value)
    assert embedded_store.counts().nodes == 0


def test_empty_file(tmp_path: Path, embedded_store: GraphStore) -> None:
    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "organizations.csv").write_bytes(b"")
    with pytest.raises(LoadError, match=r"organizations.csv: the file is empty"):
        load(wb, embedded_store)


def test_folder_without_sheets(tmp_path: Path, embedded_store: GraphStore) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(LoadError, match="no sheets found"):
        load(tmp_path, embedded_store)


def test_binary_file(tmp_path: Path, embedded_store: GraphStore) -> None:
    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "organizations.csv").write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(LoadError, match="binary file"):
        load(wb, embedded_store)


def test_utf8_bom_is_read_silently(tmp_path: Path, embedded_store: GraphStore) -> None:
    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "organizations.csv").write_bytes(
        "\ufeffid,name,kind,state\norg:x,Café Truck Stop,truck stop,MS\n".encode())
    report = load(wb, embedded_store)
    assert report.warnings == []
    [row] = embedded_store.read("MATCH (n:Entity {id: 'org:x'}) RETURN n.name AS name")
    assert row["name"] == "Café Truck Stop"


def test_latin1_is_read_with_a_warning(tmp_path: Path, embedded_store: GraphStore) -> None:
    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "organizations.csv").write_bytes(
        "id,name,kind,state\norg:x,Café Truck Stop,truck stop,MS\n".encode("latin-1"))
    report = load(wb, embedded_store)
    assert any("not UTF-8" in w and "organizations.csv" in w for w in report.warnings)
    [row] = embedded_store.read("MATCH (n:Entity {id: 'org:x'}) RETURN n.name AS name")
    assert row["name"] == "Café Truck Stop"


def test_unknown_column_is_a_warning(tmp_path: Path, embedded_store: GraphStore) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state,colour
        org:x,X,casino,MS,red
    """)
    report = load(wb, embedded_store)
    assert any("colour" in w and "ignored" in w for w in report.warnings)


def test_all_errors_are_reported_at_once(tmp_path: Path, embedded_store: GraphStore) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state
        org:a,A,saloon,MS
        org:b,B,casino,ZZ
        org:c,,casino,MS
    """)
    with pytest.raises(LoadError) as info:
        load(wb, embedded_store)
    assert {(i.row, i.column) for i in info.value.issues} >= {(2, "kind"), (3, "state"),
                                                               (4, "name")}
