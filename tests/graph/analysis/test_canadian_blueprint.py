"""A blueprint per country (issue 11, item 5): Canadian jurisdictions are assessed against
graph/analysis/blueprint-ca.yaml, US ones against blueprint.yaml; the coverage and MVE charts
handle provinces. Synthetic data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from graph.analysis.blueprint import BY_COUNTRY, DEFAULT, load_blueprint
from graph.analysis.report import analyze
from graph.projection import project
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook
from visualizations.charts import all_charts

AS_OF = dt.date(2024, 12, 1)


def test_a_province_is_assessed_against_the_canadian_blueprint(tmp_path: Path,
                                                               store: GraphStore) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state
        org:ca-ab:rcmp,RCMP K Division,law enforcement,Alberta
        org:ca-ab:amta,Alberta Motor Transport Association,trade association,AB
        org:tx:tta,Texas Trucking Association,trade association,TX
    """, events="""
        id,name,kind,date,state
        event:ca-ab:b,Calgary Coalition Build,coalition build,2024-03-05,Alberta
        event:tx:b,Austin Coalition Build,coalition build,2024-03-06,TX
    """, participation="""
        entity_id,event_id,role
        org:ca-ab:rcmp,event:ca-ab:b,attended
        org:ca-ab:amta,event:ca-ab:b,hosted
        org:tx:tta,event:tx:b,hosted
    """, programs="""
        id,name,kind,parent_id
        program:iowa-mve,Iowa MVE Model,model,
        mve:wallet-cards,Wallet cards,model component,program:iowa-mve
    """, commitments="""
        entity_id,program,kind
        org:ca-ab:rcmp,mve:wallet-cards,pledged
    """)
    load(wb, store)
    r = analyze(project(store), as_of=AS_OF)
    cov = {c["state"]: c for c in r["coverage"]}
    ab = {x["id"]: x for x in cov["CA-AB"]["roles"]}
    tx = {x["id"]: x for x in cov["TX"]["roles"]}
    assert cov["CA-AB"]["blueprint"] == str(BY_COUNTRY["CA"])
    assert "blueprint" not in cov["TX"]  # the report's own (generated.blueprint)
    assert set(ab) == {r.id for r in load_blueprint(BY_COUNTRY["CA"])}
    assert set(tx) == {r.id for r in load_blueprint(DEFAULT)}
    assert ab["rcmp"]["status"] == "filled"
    assert [e["id"] for e in ab["rcmp"]["filled_by"]] == ["org:ca-ab:rcmp"]
    assert ab["provincial-trucking-association"]["status"] == "filled"
    assert "state-trucking-association" not in ab and "rcmp" not in tx
    assert tx["state-trucking-association"]["status"] == "filled"
    charts = {c["title"]: c for c in all_charts(r)}
    # a Canadian province beside a US state: the places are "jurisdictions"
    assert "CA-AB" in charts["Blueprint coverage by jurisdiction"]["alt"]
    mve = next(c for t, c in charts.items() if "MVE" in t)
    assert "CA-AB" in mve["svg"] and "CA-AB" in mve["alt"]
