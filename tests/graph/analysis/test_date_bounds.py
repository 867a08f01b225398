"""One row with a date the analyses cannot use (a build dated 9999-12-31 made every analysis
route fail with "year 10000 is out of range") is left out and reported as a data problem,
never a crash: in the analysis functions, `coalition analyze`, and every API route. The
events are written straight into the store with upsert_nodes, past the loader, which
refuses such dates itself."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import networkx as nx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api import cli
from api.app import create_app
from api.service import CoalitionService
from graph.analysis.followups import followups
from graph.analysis.report import analyze, merge
from graph.projection import project_state
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import REPO, SEED

AS_OF = dt.date(2026, 11, 24)
#: build dates that cannot be used, each with the word its problem must carry
BAD_BUILDS = {
    "9999-12-31": "too late",  # its 1-month follow-up is in year 10000
    "9999-07-20": "too late",  # only the 6-month one is
    "9999-06-30": "too late",  # due 9999-12-30, but the window after it passes 9999-12-31
    "2020-02-30": "not a date",
    "soon": "not a date",
    "20200116": "not a date",
    "0000-01-01": "not a date",
}
SCHEMA = json.loads((REPO / "docs" / "analysis.schema.json").read_text())


def _graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("good", label="Event", kind="coalition build", name="Good", date="2026-01-10",
               state="MS")
    g.add_node("fine-follow-up", label="Event", kind="follow-up", name="F", date="2026-02-09",
               state="MS")
    g.add_node("bad-follow-up", label="Event", kind="follow-up", name="F2", date="2026-13-01",
               state="MS")
    g.add_edge("fine-follow-up", "good", type="FOLLOWS")
    g.add_edge("bad-follow-up", "good", type="FOLLOWS")
    for i, date in enumerate(BAD_BUILDS):
        g.add_node(f"bad-{i}", label="Event", kind="coalition build", name=f"Bad {i}",
                   date=date, state="MS")
    g.add_node("metric", label="Metric", name="tips", value=3, date=20200116, scope_id="good")
    g.add_edge("good", "metric", type="HAS_METRIC")
    g.add_node("year-only", label="Event", kind="coalition build", name="Y", date="9999",
               state="MS")  # 9999-01-01: every follow-up still falls within the calendar
    return g


def test_followups_leave_out_and_report_each_bad_row() -> None:
    problems: list[dict] = []
    rows = followups(_graph(), AS_OF, problems=problems)
    assert {r["event"]["id"] for r in rows} == {"good", "year-only"}
    good = {r["months"]: r for r in rows if r["event"]["id"] == "good"}
    assert good[1]["status"] == "done" and good[1]["followed_up_by"][0]["id"] == \
        "fine-follow-up"
    by_id = {p["entity"]["id"]: p for p in problems}
    assert set(by_id) == {f"bad-{i}" for i in range(len(BAD_BUILDS))} | {"bad-follow-up"}
    for i, (date, why) in enumerate(BAD_BUILDS.items()):
        p = by_id[f"bad-{i}"]
        assert p["value"] == date and p["field"] == "date" and why in p["problem"], p
        assert "correct it in the workbook" in p["problem"]
    assert "not a date" in by_id["bad-follow-up"]["problem"]
    # without a list to report into, the rows are still left out, not raised
    assert followups(_graph(), AS_OF) == rows


@pytest.mark.parametrize("as_of", [AS_OF, dt.date.max, dt.date.min])
def test_the_report_lists_the_problems_and_keeps_its_shape(as_of: dt.date) -> None:
    report = analyze(_graph(), states=["MS"], as_of=as_of)
    problems = report["generated"]["data_problems"]
    assert len(problems) == len(BAD_BUILDS) + 1
    assert [p["entity"]["id"] for p in problems] == sorted(p["entity"]["id"] for p in problems)
    jsonschema.validate(json.loads(json.dumps(report)), SCHEMA)
    # merged per-state reports (the parallel path) keep each problem once
    merged = merge([report, analyze(_graph(), states=["MS"], as_of=as_of)])
    assert merged["generated"]["data_problems"] == problems
    tips = report["metrics"][0]["tips_and_hotline"]
    # as of 0001-01-01 the metric's build (2026-01-10) had not happened: --as-of leaves out
    # its metrics too (issue 10); otherwise the unusable date is listed as the text it is
    expected = [] if as_of == dt.date.min else ["20200116"]
    assert [t["date"] for rows in tips.values() for t in rows] == expected


def _far_future(store: GraphStore) -> None:
    load(SEED, store)
    store.upsert_nodes(("Event",), [{"id": "event:ms:far-future", "props": {
        "id": "event:ms:far-future", "name": "Far future build", "kind": "coalition build",
        "state": "MS", "date": "9999-12-31", "date_precision": "day", "source": "test",
        "source_row": 1}}])


def test_through_the_store(store: GraphStore) -> None:
    _far_future(store)
    report = analyze(project_state(store, "MS"), states=["MS"], as_of=AS_OF)
    (p,) = report["generated"]["data_problems"]
    assert p["entity"] == {"id": "event:ms:far-future", "name": "Far future build"}
    assert "9999-12-31" in p["problem"]
    schedule = report["followups"][0]["schedule"]
    assert "event:ms:2020-01-16:gulfport-coalition-build" in {f["event"]["id"]
                                                                for f in schedule}
    assert "event:ms:far-future" not in {f["event"]["id"] for f in schedule}


ROUTES = [
    "/api/analysis", "/api/analysis?state=MS", "/api/analysis?state=MS&as_of=9999-12-31",
    "/api/analysis?state=MS&as_of=0001-01-01", "/api/recommendations?state=MS",
    "/api/charts?state=MS", "/api/charts", "/api/pages/network?state=MS",
    "/api/pages/report?state=MS", "/api/pages/report", "/api/events?state=MS",
    "/api/stakeholders/event:ms:far-future", "/api/stakeholders?q=far+future",
    "/api/export?format=csv", "/api/export?format=json", "/api/export?format=graphml",
]


def test_every_route_answers(embedded_settings, embedded_store: GraphStore, tmp_path) -> None:
    _far_future(embedded_store)
    settings = embedded_settings.model_copy(update={"keys_file": tmp_path / "keys.json",
                                                    "audit_file": tmp_path / "audit.log"})
    token = CoalitionService(settings).keys().create("analyst", "dates")[1]
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    auth = {"Authorization": f"Bearer {token}"}
    for route in ROUTES:
        r = client.get(route, headers=auth)
        assert r.status_code == 200, (route, r.status_code, r.text[:300])
    every = client.get("/api/analysis", headers=auth).json()
    assert [p["entity"]["id"] for p in every["generated"]["data_problems"]] == [
        "event:ms:far-future"]
    assert "Far future build" in client.get("/api/pages/report?state=MS", headers=auth).text


@pytest.mark.parametrize("args", [["--state", "ms"], [], ["--format", "json"]])
def test_cli_analyze(args: list[str], embedded_settings, embedded_store: GraphStore,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    _far_future(embedded_store)
    monkeypatch.setenv("COALITION_GRAPH_NAME", embedded_settings.graph_name)
    r = CliRunner().invoke(cli.app, ["--data-dir", str(embedded_settings.data_dir), "analyze",
                                     "--as-of", "2026-11-24", *args])
    assert r.exit_code == 0, r.output
    if "json" in args:
        (p,) = json.loads(r.stdout)["generated"]["data_problems"]
        assert p["value"] == "9999-12-31"
    else:
        assert "**Data problems**" in r.stdout
        assert "Far future build (`event:ms:far-future`): date '9999-12-31' is too late" in \
            r.stdout
