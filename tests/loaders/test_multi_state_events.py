"""Events drawing several jurisdictions (issue 11, item 2) and clean state views (item 6).

Synthetic data: a regional build held in Iowa that drew Nebraska and South Dakota.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.analysis.report import analyze
from graph.errors import LoadError
from graph.projection import Filters, project, project_state, states_in_use
from graph.settings import Settings
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook

REGIONAL = "event:ia:2024-03-05:tri-state-coalition-build"
FOLLOWUP = "event:ia:2024-06-10:tri-state-1-month-follow-up"


def _regional(folder: Path) -> Path:
    return write_workbook(folder, organizations="""
        id,name,kind,state
        org:ia:des-moines-pd,Des Moines Police Department,law enforcement,IA
        org:ne:omaha-freight,Omaha Freight,trucking company,NE
        org:tx:lone-star-stop,Lone Star Stop,truck stop,TX
        org:pa:keystone-dot,Keystone DOT,state agency,PA
    """, people="""
        id,name,organization_id,title
        person:omaha-freight:kim,Kim Hale,org:ne:omaha-freight,Safety Director
    """, events="""
        name,kind,date,city,state,follows_event_id
        Tri-State Coalition Build,coalition build,2024-03-05,Sioux City,IA; Nebraska; S.D.,
        Tri-State 1-month follow-up,follow-up,2024-06-10,,IA,event:ia:2024-03-05:tri-state-coalition-build
        Austin Build,coalition build,2024-01-10,Austin,TX,
    """, participation="""
        entity_id,kind,count,event_id,role
        org:ia:des-moines-pd,,,event:ia:2024-03-05:tri-state-coalition-build,attended
        person:omaha-freight:kim,,,event:ia:2024-03-05:tri-state-coalition-build,attended
        ,casino,3,event:ia:2024-03-05:tri-state-coalition-build,attended
        org:tx:lone-star-stop,,,event:tx:2024-01-10:austin-build,attended
    """, programs="""
        id,name,kind,parent_id
        program:iowa-mve,Iowa MVE Model,model,
        mve:wallet-cards,Wallet cards,model component,program:iowa-mve
    """, commitments="""
        entity_id,program,kind
        org:pa:keystone-dot,program:iowa-mve,adopted
    """)


def test_an_event_lists_its_jurisdictions_held_first(tmp_path: Path, store: GraphStore
                                                    ) -> None:
    load(_regional(tmp_path / "wb"), store)
    [row] = store.read("MATCH (e:Event {id: $id}) RETURN e.state AS state, e.states AS states",
                       {"id": REGIONAL})
    assert row == {"state": "IA", "states": ["IA", "NE", "SD"]}
    # a one-state event is stored as before: no list
    [one] = store.read("MATCH (e:Event {id: $id}) RETURN e.states AS states",
                       {"id": "event:tx:2024-01-10:austin-build"})
    assert one["states"] is None
    located = [r["s"] for r in store.read(
        "MATCH (e:Event {id: $id})-[:LOCATED_IN]->(s:State) RETURN s.id AS s", {"id": REGIONAL})]
    assert located == ["state:IA"]  # where it was held
    [group] = store.read("MATCH (g:Group) RETURN g.state AS state, g.states AS states")
    assert group == {"state": "IA", "states": ["IA", "NE", "SD"]}
    # South Dakota holds only the build it was drawn to, and is analysed for it
    assert states_in_use(store) == ["IA", "NE", "PA", "SD", "TX"]


def test_every_listed_jurisdiction_sees_the_build_and_only_its_own(tmp_path: Path,
                                                                   store: GraphStore) -> None:
    load(_regional(tmp_path / "wb"), store)
    ne = project(store, Filters(states=("NE",)))
    assert REGIONAL in ne and FOLLOWUP in ne and "org:ne:omaha-freight" in ne
    assert "org:ia:des-moines-pd" not in ne  # Iowa's, though it came to the same build
    sd = project(store, Filters(states=("SD",)))
    assert REGIONAL in sd and "org:ne:omaha-freight" not in sd
    whole = project(store)
    from graph.analysis.graphs import state_view
    for st in ("IA", "NE", "SD", "TX"):
        assert set(project(store, Filters(states=(st,)))) == set(state_view(whole, st)), st


def test_reports_follow_the_build_up_everywhere_and_count_attendance_once(
        tmp_path: Path, store: GraphStore) -> None:
    load(_regional(tmp_path / "wb"), store)
    reports = {st: analyze(project_state(store, st, attendance=True), states=[st],
                           as_of=dt.date(2024, 12, 1)) for st in ("IA", "NE", "SD")}
    for st, r in reports.items():
        [f] = r["followups"]
        points = {(p["event"]["id"], p["months"]): p["status"] for p in f["schedule"]}
        assert points[(REGIONAL, 1)] != "missed", st  # its follow-up is seen from every state
        [m] = r["metrics"]
        [a] = [x for x in m["attendance"] if x["event"]["id"] == REGIONAL]
        # the whole build's attendance, not the part that came from this state
        assert a["named_participants"] == 2, st
        assert a["by_sector"] == {"law enforcement": 1, "trucking company": 1}, st
        assert a["unnamed_by_sector"]["casino"]["value"] == 3, st
    # coverage is the state's own: Nebraska's trucking company fills no Iowa role
    ia = {x["id"]: x for x in reports["IA"]["coverage"][0]["roles"]}
    filled = {e["id"] for x in ia.values() for e in x["filled_by"]}
    assert "org:ne:omaha-freight" not in filled and "org:ia:des-moines-pd" in filled


def test_a_state_view_shows_the_model_not_its_adopters_elsewhere(tmp_path: Path,
                                                                 store: GraphStore) -> None:
    load(_regional(tmp_path / "wb"), store)
    tx = project_state(store, "TX")
    assert "program:iowa-mve" in tx and "mve:wallet-cards" in tx
    assert "org:pa:keystone-dot" not in tx  # Pennsylvania's adopter, not Texas's
    assert "org:ia:des-moines-pd" not in tx and REGIONAL not in tx
    assert {d.get("state") for _, d in tx.nodes(data=True)} <= {"TX", None}
    pa = project_state(store, "PA")
    assert "org:pa:keystone-dot" in pa
    [row] = analyze(pa, states=["PA"], as_of=dt.date(2024, 12, 1))["mve"]
    assert row["has"] == ["mve:wallet-cards"]  # by adopting the whole model


@pytest.mark.parametrize(("sheet", "cells", "words"), [
    ("events", "Build,coalition build,2024-03-05,IA; Atlantis",
     ["in 'Atlantis': unknown state, province or country"]),
    ("organizations", "X Stop,truck stop,2024,IA; NE",
     ["one state, province or country here; only an event may list several"]),
])
def test_a_bad_list_is_refused_naming_row_and_column(tmp_path: Path, store: GraphStore,
                                                     sheet: str, cells: str,
                                                     words: list[str]) -> None:
    header = ("name,kind,date,state" if sheet == "events" else "name,kind,city,state")
    wb = write_workbook(tmp_path / "wb", **{sheet: f"{header}\n{cells}"})
    with pytest.raises(LoadError) as info:
        load(wb, store)
    [issue] = info.value.issues
    assert (issue.file, issue.row, issue.column) == (f"{sheet}.csv", 2, "state")
    for w in words:
        assert w in issue.message, issue.message
    assert store.counts().nodes == 0


def test_the_events_of_a_state_include_the_builds_it_was_drawn_to(tmp_path: Path,
                                                                  store: GraphStore,
                                                                  settings: Settings) -> None:
    from api.service import CoalitionService
    load(_regional(tmp_path / "wb"), store)
    svc = CoalitionService(settings)
    assert [e["id"] for e in svc.events("Nebraska")] == [REGIONAL]
    assert [e["id"] for e in svc.events("IA")] == [FOLLOWUP, REGIONAL]
    assert [e["id"] for e in svc.events("TX")] == ["event:tx:2024-01-10:austin-build"]
