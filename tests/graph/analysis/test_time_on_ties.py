"""Time on ties (issue 13, item 4): relationships and employment take ``start`` and ``end``;
an ended tie stays as history; analyses use what holds ``--as-of``. SYNTHETIC data, answers
worked out by hand in each test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import networkx as nx
import pytest

from graph.analysis.asof import as_of
from graph.analysis.changes import build_changes
from graph.analysis.contacts import contact_gaps
from graph.analysis.graphs import People
from graph.errors import LoadError
from graph.projection import project
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook

ORGS = """
    id,name,kind,state
    org:ms:stop,Magnolia Truck Stop,truck stop,MS
    org:ms:pd,Biloxi Police Department,law enforcement,MS
    org:ms:mta,Mississippi Trucking Association,trade association,MS
"""
EVENTS = """
    id,name,kind,date,state
    event:ms:build,Build,coalition build,2019-03-01,MS
"""
PEOPLE = """
    id,name,organization_id,title,start,end
    person:mgr,Sam Manager,org:ms:stop,Manager,2015,2021-06-30
"""
PARTICIPATION = """
    entity_id,event_id,role
    person:mgr,event:ms:build,attended
"""


def _graph(rels: str) -> dict[str, str]:
    return {"organizations": ORGS, "events": EVENTS, "people": PEOPLE,
            "participation": PARTICIPATION, "relationships": rels}


def test_start_and_end_are_loaded_and_ended_ties_stay(tmp_path: Path,
                                                      embedded_store: GraphStore) -> None:
    rels = """
        source_id,type,target_id,date,start,end,note
        org:ms:stop,local contact,org:ms:pd,2018-02-01,,2020-05,protocol lapsed
        org:ms:mta,partners with,org:ms:pd,,2019-04,,
    """
    load(write_workbook(tmp_path / "wb", **_graph(rels)), embedded_store)
    rows = embedded_store.read(
        "MATCH (a:Entity)-[r]->(b:Entity) WHERE type(r) IN ['LOCAL_CONTACT', 'PARTNERS_WITH',"
        " 'WORKS_FOR'] RETURN type(r) AS t, r.start AS s, r.end AS e ORDER BY t", {})
    assert [(r["t"], r["s"], r["e"]) for r in rows] == [
        ("LOCAL_CONTACT", None, "2020-05"), ("PARTNERS_WITH", "2019-04", None),
        ("WORKS_FOR", "2015", "2021-06-30")]
    g = project(embedded_store)
    # by hand: as of 2020-04 the protocol holds (no gap); as of 2021-01 it had lapsed
    # (2020-05's last day is 2020-05-31), so the truck stop has no tie to its police
    assert [x["id"] for x in contact_gaps(as_of(g, dt.date(2020, 4, 1)))] == []
    assert [(x["id"], x["gap"]) for x in contact_gaps(as_of(g, dt.date(2021, 1, 1)))] == [
        ("org:ms:stop", "none")]
    # the partnership starts in April 2019: not there as of 2019-03-15
    before = as_of(g, dt.date(2019, 3, 15))
    assert not before.has_edge("org:ms:mta", "org:ms:pd")
    assert as_of(g, dt.date(2019, 5, 1)).has_edge("org:ms:mta", "org:ms:pd")
    # the lapsed tie is still in the store and in the projection: history
    assert g.has_edge("org:ms:stop", "org:ms:pd")


def test_a_month_end_that_contains_the_day_is_kept_with_a_note() -> None:
    g = nx.MultiDiGraph()
    g.add_node("a", label="Organization", name="A")
    g.add_node("b", label="Organization", name="B")
    g.add_edge("a", "b", type="PARTNERS_WITH", end="2020-05")
    notes: list[str] = []
    assert as_of(g, dt.date(2020, 5, 15), approximations=notes).has_edge("a", "b")
    assert notes == [("as of 2020-05-15: the PARTNERS_WITH tie of A and B ended 2020-05 "
                      "(month only) and is kept, though it may have ended by that day")]
    # a day-exact end holds through that day, with no note
    g.edges["a", "b", 0]["end"] = "2020-05-15"
    notes.clear()
    assert as_of(g, dt.date(2020, 5, 15), approximations=notes).has_edge("a", "b")
    assert not as_of(g, dt.date(2020, 5, 16)).has_edge("a", "b") and notes == []


def test_ended_employment_keeps_past_credit_but_not_live_contacts() -> None:
    """The manager of a truck stop attended a 2019 build and is the stop's local contact
    with the police; the manager left in June 2021."""
    g = nx.MultiDiGraph()
    g.add_node("stop", label="Organization", kind="truck stop", name="Stop", state="MS")
    g.add_node("pd", label="Organization", kind="law enforcement", name="PD", state="MS")
    g.add_node("mgr", label="Person", name="Manager", organization_id="stop")
    g.add_node("cb", label="Event", kind="coalition build", name="CB", date="2019-03-01")
    g.add_edge("mgr", "stop", type="WORKS_FOR", start="2015", end="2021-06-30")
    g.add_edge("mgr", "cb", type="ATTENDED")
    g.add_edge("mgr", "pd", type="LOCAL_CONTACT", date="2019-04-01")
    then, now = as_of(g, dt.date(2020, 1, 1)), as_of(g, dt.date(2022, 1, 1))
    assert contact_gaps(then) == []
    # by hand: in 2022 the contact runs through someone who no longer works there
    assert [(x["id"], x["gap"]) for x in contact_gaps(now)] == [("stop", "none")]
    # but the stop still took part in the 2019 build through the manager
    assert People(now).units("mgr") == ["stop"] and People(now, now=True).units("mgr") == [
        "mgr"]


def test_a_wave_leaves_out_a_tie_that_ended_before_it() -> None:
    g = nx.MultiDiGraph()
    g.add_node("cb", label="Event", kind="coalition build", name="CB", date="2020-01-16")
    for n, kind in [("a", "trucking company"), ("b", "law enforcement")]:
        g.add_node(n, label="Organization", kind=kind, name=n.upper())
        g.add_edge(n, "cb", type="ATTENDED")
    g.add_edge("a", "b", type="PARTNERS_WITH", start="2019-01-01", end="2020-03-31")
    r = build_changes(g, "cb")
    # before the build the two were tied (1 of 1 possible); by the window's end it lapsed
    assert r["before"]["ties"] == 1 and r["after"]["ties"] == 0


@pytest.mark.parametrize(("people", "rels", "where"), [
    (PEOPLE, """
        source_id,type,target_id,start,end
        org:ms:stop,local contact,org:ms:pd,2020-05-01,2019
    """, ("relationships.csv", 2, "end")),
    ("""
        id,name,organization_id,title,end
        person:mgr,Sam Manager,,Manager,2021
    """, """
        source_id,type,target_id
        org:ms:stop,local contact,org:ms:pd
    """, ("people.csv", 2, "end")),
])
def test_bad_time_on_ties_is_refused_at_its_cell(tmp_path: Path, embedded_store: GraphStore,
                                                 people: str, rels: str,
                                                 where: tuple[str, int, str]) -> None:
    sheets = {**_graph(rels), "people": people}
    with pytest.raises(LoadError) as e:
        load(write_workbook(tmp_path / "wb", **sheets), embedded_store)
    assert any((i.file.endswith(where[0]), i.row, i.column) == (True, *where[1:])
               for i in e.value.issues), e.value.issues
    assert embedded_store.read("MATCH (n:Entity) RETURN count(n) AS n", {})[0]["n"] == 0


def test_paths_do_not_step_over_an_ended_tie(tmp_path: Path, embedded_store: GraphStore
                                             ) -> None:
    from graph.projection import shortest_paths
    rels = """
        source_id,type,target_id,start,end
        org:ms:stop,local contact,org:ms:pd,2018,2020-05
        org:ms:stop,partners with,org:ms:mta,2019,
        org:ms:mta,partners with,org:ms:pd,2019,
    """
    load(write_workbook(tmp_path / "wb", **_graph(rels)), embedded_store)
    # by hand: the direct tie lapsed in May 2020, so the way in is through the association
    assert shortest_paths(embedded_store, "org:ms:stop", "org:ms:pd") == [
        ["org:ms:stop", "org:ms:mta", "org:ms:pd"]]
