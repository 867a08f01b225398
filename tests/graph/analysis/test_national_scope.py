"""The national scope (issue 11, item 3): the whole graph across jurisdictions, and a graph
with no jurisdiction analysed instead of refused. Synthetic data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from api.service import CoalitionService
from graph.errors import CoalitionError
from graph.settings import Settings
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook

AS_OF = dt.date(2024, 12, 1)
SCHEMA = json.loads((Path(__file__).parents[3] / "docs" / "analysis.schema.json").read_text())


def _two_states(folder: Path) -> Path:
    # TAT hosts a build in Iowa and one in Nebraska; Omaha Freight (NE) went to both
    return write_workbook(folder, organizations="""
        id,name,kind,state
        org:tat,Truckers Against Trafficking,nonprofit,
        org:ia:pd,Des Moines Police Department,law enforcement,IA
        org:ne:freight,Omaha Freight,trucking company,NE
        org:ne:stop,Big Stop,truck stop,NE
        org:ca-ab:stop,Calgary Stop,truck stop,Alberta
    """, events="""
        id,name,kind,date,state
        event:ia:b,Iowa Build,coalition build,2024-03-05,IA
        event:ne:b,Nebraska Build,coalition build,2024-04-05,NE
    """, participation="""
        entity_id,event_id,role
        org:tat,event:ia:b,hosted
        org:tat,event:ne:b,hosted
        org:ia:pd,event:ia:b,attended
        org:ne:freight,event:ia:b,attended
        org:ne:freight,event:ne:b,attended
        org:ne:stop,event:ne:b,attended
    """)


def test_the_national_part_sees_across_states(tmp_path: Path, store: GraphStore,
                                              settings: Settings) -> None:
    load(_two_states(tmp_path / "wb"), store)
    r = CoalitionService(settings).analyze(as_of=AS_OF, workers=1)
    jsonschema.validate(r, SCHEMA)
    assert r["generated"]["states"] == ["CA-AB", "IA", "NE"]  # every jurisdiction with data
    n = r["national"]
    # tat's partners are in IA and NE; freight (NE) met pd (IA) in Iowa; pd met freight;
    # the stop met only Nebraskans. Betweenness (normalised): freight and tat 1/6, pd 0.
    assert [(b["id"], b["jurisdictions"]) for b in n["brokers"]] == [
        ("org:ne:freight", ["IA", "NE"]), ("org:tat", ["IA", "NE"]),
        ("org:ia:pd", ["IA", "NE"])]
    assert n["brokers"][0]["betweenness"] == pytest.approx(1 / 6, abs=1e-4)
    assert n["links"] == [{"a": "IA", "b": "NE", "ties": 1}]  # pd - freight
    assert [(o["id"], o["jurisdictions"]) for o in n["reach"]["organizations"]] == [
        ("org:tat", ["IA", "NE"])]
    # by country: the US first, then Canada
    assert [(c["state"], c["country"]) for c in n["coverage_by_state"]] == [
        ("IA", "US"), ("NE", "US"), ("CA-AB", "CA")]
    assert n["structure"]["co_attendance"]["nodes"] == 4
    # --scope national: the national part alone; --scope NE: Nebraska alone
    only = CoalitionService(settings).analyze(scope="National", as_of=AS_OF)
    assert only["generated"]["states"] == [] and only["coverage"] == []
    assert only["national"] == n
    ne = CoalitionService(settings).analyze(scope="Nebraska", as_of=AS_OF)
    assert ne["generated"]["states"] == ["NE"] and "national" not in ne
    md = CoalitionService(settings).render_report(r, "md")
    assert "## National: across 3 jurisdictions" in md
    assert "Omaha Freight (`org:ne:freight`, NE): tied into IA, NE" in md


def test_a_graph_without_jurisdictions_is_analysed_as_the_national_scope(
        tmp_path: Path, store: GraphStore, settings: Settings) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,level
        org:acme,Acme Carriers,trucking company,national
        org:ata,American Trucking Associations,trade association,national
    """, relationships="""
        source_id,type,target_id
        org:acme,member of,org:ata
    """)
    load(wb, store)
    r = CoalitionService(settings).analyze(as_of=AS_OF)
    jsonschema.validate(r, SCHEMA)
    n = r["national"]
    assert n["states"] == [] and n["coverage_by_state"] == [] and n["brokers"] == []
    assert n["structure"]["relationship"]["edges"] == 1
    md = CoalitionService(settings).render_report(r, "md")
    assert "No organization or event records a state, province or country" in md


def test_scopes_list_every_jurisdiction_by_country(tmp_path: Path, store: GraphStore,
                                                   settings: Settings) -> None:
    load(_two_states(tmp_path / "wb"), store)
    s = CoalitionService(settings).scopes()
    assert s["national"] == "national"
    assert [(c["country"], [j["scope"] for j in c["jurisdictions"]]) for c in s["countries"]
            ] == [("US", ["IA", "NE"]), ("CA", ["CA-AB"])]
    with pytest.raises(CoalitionError, match="nothing in the graph is in state TX"):
        CoalitionService(settings).analyze(scope="Texas", as_of=AS_OF)
