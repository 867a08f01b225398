"""The loader reads provinces and countries as it reads states, and stores US states as it
always has (issue 11, item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook


def test_alberta_and_texas_load_with_the_documented_states_and_ids(tmp_path: Path,
                                                                   store: GraphStore) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        name,kind,state,city
        Alberta Motor Transport Association,trade association,Alberta,Calgary
        Texas Trucking Association,trade association,Texas,Austin
        Ontario Trucking Association,trade association,ON,Toronto
        Canadian Trucking Alliance,trade association,Canada,Ottawa
    """, events="""
        name,kind,date,state
        Calgary Coalition Build,coalition build,2019-10-01,Alta.
        Border Meeting,meeting,2020-02-01,Mexico
    """, metrics="""
        scope_id,name,value
        Alberta,trained drivers,120
        state:CA-BC,trained drivers,40
    """)
    load(wb, store)
    orgs = {r["id"]: r["state"] for r in store.read(
        "MATCH (o:Organization) RETURN o.id AS id, o.state AS state")}
    assert orgs == {
        "org:ca-ab:alberta-motor-transport-association": "CA-AB",
        "org:tx:texas-trucking-association": "TX",  # as before issue 11
        "org:ca-on:ontario-trucking-association": "CA-ON",
        "org:can:canadian-trucking-alliance": "CAN",
    }
    events = {r["id"]: r["state"] for r in store.read(
        "MATCH (e:Event) RETURN e.id AS id, e.state AS state")}
    assert events == {"event:ca-ab:2019-10-01:calgary-coalition-build": "CA-AB",
                      "event:mex:2020-02-01:border-meeting": "MEX"}
    states = {r["id"]: (r["name"], r["state"], r["source"]) for r in store.read(
        "MATCH (s:State) RETURN s.id AS id, s.name AS name, s.state AS state, "
        "s.source AS source")}
    assert states == {
        "state:CA-AB": ("Alberta", "CA-AB", "reference: ISO 3166 (pycountry)"),
        "state:CA-ON": ("Ontario", "CA-ON", "reference: ISO 3166 (pycountry)"),
        "state:CA-BC": ("British Columbia", "CA-BC", "reference: ISO 3166 (pycountry)"),
        "state:CAN": ("Canada", "CAN", "reference: ISO 3166 (pycountry)"),
        "state:MEX": ("Mexico", "MEX", "reference: ISO 3166 (pycountry)"),
        "state:TX": ("Texas", "TX", "reference: us package"),  # as before issue 11
    }
    located = {(r["a"], r["b"]) for r in store.read(
        "MATCH (a)-[:LOCATED_IN]->(b:State) RETURN a.id AS a, b.id AS b")}
    assert ("org:ca-ab:alberta-motor-transport-association", "state:CA-AB") in located
    assert ("org:tx:texas-trucking-association", "state:TX") in located
    scopes = {r["scope"] for r in store.read(
        "MATCH (s)-[:HAS_METRIC]->(m:Metric) RETURN s.id AS scope")}
    assert scopes == {"state:CA-AB", "state:CA-BC"}


def test_a_row_named_like_a_country_is_the_row(tmp_path: Path, store: GraphStore) -> None:
    # "Jordan" is a person here, not the country a reference cell could also name; the
    # state: prefix still names the place.
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state
        org:ms:a,A Stop,truck stop,MS
    """, people="""
        id,name,organization_id
        person:jordan,Jordan,org:ms:a
    """, programs="""
        id,name,kind
        program:tat,TAT training,training
    """, commitments="""
        entity_id,program,kind
        Jordan,program:tat,trained
    """, metrics="""
        scope_id,name,value
        Jordan,calls,3
        state:Jordan,calls,4
    """)
    load(wb, store)
    [row] = store.read("MATCH (p)-[:TRAINED]->(:Program) RETURN p.id AS id")
    assert row["id"] == "person:jordan"
    scopes = {r["id"] for r in store.read("MATCH (s)-[:HAS_METRIC]->() RETURN s.id AS id")}
    assert scopes == {"person:jordan", "state:JOR"}


@pytest.mark.parametrize(("cells", "column", "words"), [
    ("X Stop,truck stop,Albrta,", "state",
     ["unknown state, province or country", "did you mean 'Alberta' (CA-AB)?"]),
    ("X Stop,truck stop,NO,", "state", ["for Norway write 'Norway' or NOR"]),
    ("X Stop,truck stop,Alberta,Calgary", "county",
     ["counties are known for US states only", "leave 'county' empty for CA-AB"]),
])
def test_refusals_name_row_column_and_the_fix(tmp_path: Path, store: GraphStore, cells: str,
                                             column: str, words: list[str]) -> None:
    wb = write_workbook(tmp_path / "wb", organizations=f"""
        name,kind,state,county
        Y Stop,truck stop,TX,
        {cells}
    """)
    with pytest.raises(LoadError) as info:
        load(wb, store)
    [issue] = info.value.issues
    assert (issue.file, issue.row, issue.column) == ("organizations.csv", 3, column)
    for w in words:
        assert w in issue.message, issue.message
    assert store.counts().nodes == 0
