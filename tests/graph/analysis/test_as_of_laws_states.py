"""Issue 10, Builds 5 (--as-of), 7 (every place with data) and 8 (laws, whole-model
adoption), on small graphs written here with answers checked by hand."""

from __future__ import annotations

import datetime as dt

import networkx as nx

from graph.analysis.asof import as_of
from graph.analysis.laws import laws
from graph.analysis.mve import mve_adoption
from graph.analysis.report import analyze

D = dt.date


def _history() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("b15", label="Event", kind="coalition build", name="2015 build", state="MS",
               date="2015-05-01", date_precision="day")
    g.add_node("b16", label="Event", kind="coalition build", name="2016 build", state="MS",
               date="2016-09-20", date_precision="day")
    g.add_node("b18", label="Event", kind="coalition build", name="2018 build", state="MS",
               date="2018-03-01", date_precision="day")
    g.add_node("f16", label="Event", kind="follow-up", name="follow-up", state="MS",
               date="2016-10-21", date_precision="day")
    g.add_edge("f16", "b16", type="FOLLOWS")
    g.add_node("tc", label="Organization", kind="trucking company", name="Delta Freight",
               state="MS")
    g.add_node("p", label="Program", kind="training", name="TAT training")
    g.add_edge("tc", "b15", type="ATTENDED")
    g.add_edge("tc", "b18", type="ATTENDED")
    g.add_edge("tc", "p", type="TRAINED", date="2017-02-01")
    g.add_node("ts", label="Organization", kind="truck stop", name="Stop", state="MS")
    g.add_edge("ts", "tc", type="PARTNERS_WITH", event_id="b18")  # met at the 2018 build
    g.add_node("m18", label="Metric", name="participants", value=40, scope_id="b18")
    g.add_edge("b18", "m18", type="HAS_METRIC")
    g.add_node("tips", label="Metric", name="tips received", value=2, date="2017-06",
               scope_id="tc")
    g.add_edge("tc", "tips", type="HAS_METRIC")
    g.add_node("undated", label="Event", kind="meeting", name="Undated meeting", state="MS")
    return g


def test_as_of_leaves_out_what_came_later_and_keeps_the_undated() -> None:
    h = as_of(_history(), D(2016, 10, 1))
    assert sorted(h) == ["b15", "b16", "p", "tc", "ts", "undated"]
    # the training (2017), the tie formed at the 2018 build, the 2017 tips are left out
    assert sorted((u, v, t) for u, v, t in h.edges(data="type")) == [("tc", "b15", "ATTENDED")]


def test_as_of_is_a_point_in_time_for_every_analysis() -> None:
    r = analyze(_history(), states=["MS"], as_of=D(2016, 10, 1))
    points = r["followups"][0]["schedule"]
    assert {p["event"]["id"] for p in points} == {"b15", "b16"}  # not the 2018 build
    b16 = {p["months"]: p["status"] for p in points if p["event"]["id"] == "b16"}
    # 1-month due 2016-10-20 (window 10-05 .. 11-04): the 2016-10-21 follow-up had not
    # happened yet, so it is upcoming, not done
    assert b16 == {1: "upcoming", 3: "upcoming", 6: "upcoming"}
    b15 = {p["months"]: p["status"] for p in points if p["event"]["id"] == "b15"}
    # its horizon ended 2016-05-01 (12 months after the build): history, not "overdue"
    assert b15 == {1: "missed", 3: "missed", 6: "missed"}
    stages = {o["id"]: o["stage"] for o in r["followups"][0]["funnel"]["organizations"]}
    assert stages == {"tc": "attended"}  # trained in 2017: not yet
    assert [a["event"]["id"] for a in r["metrics"][0]["attendance"]] == ["b15"]
    assert r["metrics"][0]["tips_and_hotline"] == {}
    later = analyze(_history(), states=["MS"], as_of=D(2016, 11, 1))
    b16 = {p["months"]: p["status"] for p in later["followups"][0]["schedule"]
           if p["event"]["id"] == "b16"}
    assert b16[1] == "done"


def test_as_of_keeps_a_month_that_holds_the_day_and_says_so() -> None:
    g = _history()
    g.add_node("oct", label="Event", kind="meeting", name="October meeting", state="MS",
               date="2016-10", date_precision="month")
    r = analyze(g, states=["MS"], as_of=D(2016, 10, 1))
    assert any("October meeting (dated 2016-10, month only) is kept" in a
               for a in r["generated"]["approximations"])


def _law(g, n, state, status, date, **dates) -> None:
    g.add_node(n, label="Law", state=state, name=f"{n} act", bill=n.upper(), status=status,
               date=date, **dates)


def test_laws_and_the_cdl_mandate() -> None:
    g = nx.MultiDiGraph()
    g.add_node("tat", label="Program", kind="training", name="TAT training")
    g.add_node("cdl", label="Program", kind="legislation", id="program:cdl-school-training",
               name="Anti-trafficking training mandated at CDL entry level")
    g.add_node("toolkit", label="Program", kind="toolkit", name="State agency toolkit")
    _law(g, "tx1", "TX", "effective", "2019-09-01")
    g.add_edge("tx1", "tat", type="MANDATES")
    _law(g, "oh1", "OH", "introduced", "2023-02")
    g.add_edge("oh1", "cdl", type="MANDATES")  # named for CDL entry level: counts
    _law(g, "ky1", "KY", "failed", "2021-04")
    g.add_edge("ky1", "tat", type="MANDATES")
    _law(g, "ga1", "GA", "signed", "2020-05")
    g.add_edge("ga1", "toolkit", type="MANDATES")  # not a training: not goal 6
    g.add_node("rep", label="Person", name="Rep. Diaz")
    g.add_edge("rep", "tx1", type="SPONSORS_BILL")
    status = {st: laws(g, st)["cdl_entry_level"]["status"] for st in ("TX", "OH", "KY",
                                                                       "GA", "MS")}
    assert status == {"TX": "mandated", "OH": "pending", "KY": "not mandated",
                      "GA": "not recorded", "MS": "not recorded"}
    tx = laws(g, "TX")
    assert tx["laws"][0]["sponsors"] == [{"id": "rep", "name": "Rep. Diaz"}]
    assert "TX1 (effective 2019-09-01)" in tx["cdl_entry_level"]["note"]
    assert "add it to the laws sheet" in laws(g, "MS")["cdl_entry_level"]["note"]


def test_a_law_as_it_stood() -> None:
    g = nx.MultiDiGraph()
    g.add_node("tat", label="Program", kind="training", name="TAT training")
    _law(g, "tx1", "TX", "signed", "2021-06-10", introduced="2021-01-12", signed="2021-06-10")
    g.add_edge("tx1", "tat", type="MANDATES")
    assert laws(as_of(g, D(2021, 7, 1)), "TX")["cdl_entry_level"]["status"] == "mandated"
    then = laws(as_of(g, D(2021, 3, 1)), "TX")
    assert then["cdl_entry_level"]["status"] == "pending"
    assert then["laws"][0]["status"] == "introduced"
    assert "signed 2021-06-10, after that day" in then["laws"][0]["status_as_of"]
    assert laws(as_of(g, D(2020, 12, 31)), "TX")["laws"] == []


def test_whole_model_adoption_counts_toward_each_component() -> None:
    g = nx.MultiDiGraph()
    g.add_node("m", label="Program", kind="model", name="Iowa MVE Model")
    for c in ("c1", "c2"):
        g.add_node(c, label="ModelComponent", name=f"component {c}")
        g.add_edge(c, "m", type="PART_OF")
    g.add_node("state:KS", label="State", state="KS", name="Kansas")
    g.add_edge("state:KS", "m", type="ADOPTED", note="fully implemented the model")
    g.add_node("dot", label="Organization", kind="state agency", name="Kansas DOT", state="KS")
    g.add_edge("dot", "c2", type="PLEDGED")
    [ks] = mve_adoption(g, ["KS"])
    c1, c2 = ks["components"]
    assert (c1["status"], c2["status"]) == ("adopted", "adopted")
    assert c1["evidence"] == [{"id": "state:KS", "name": "Kansas", "status": "adopted",
                               "via": "by adopting the whole model"}]
    assert [e["status"] for e in c2["evidence"]] == ["adopted", "pledged"]
    assert ks["has"] == ["c1", "c2"] and ks["recorded"] is True


def test_every_place_with_data_gets_its_section() -> None:
    g = nx.MultiDiGraph()
    g.add_node("e", label="Event", kind="coalition build", name="Build", state="MS",
               date="2020-01-16")
    g.add_node("tat", label="Program", kind="training", name="TAT training")
    _law(g, "law:tx:hb-1", "TX", "signed", "2019-06")          # only a law
    g.add_edge("law:tx:hb-1", "tat", type="MANDATES")
    g.add_node("state:KS", label="State", state="KS", name="Kansas")  # only a commitment
    g.add_edge("state:KS", "tat", type="ADOPTED")
    g.add_node("state:OK", label="State", state="OK", name="Oklahoma")  # only a metric
    g.add_node("metric:ok", label="Metric", name="hotline reports", value=12,
               scope_id="state:OK")
    g.add_edge("state:OK", "metric:ok", type="HAS_METRIC")
    r = analyze(g, as_of=D(2026, 11, 24))
    assert r["generated"]["states"] == ["KS", "MS", "OK", "TX"]
    tx = next(x for x in r["laws"] if x["state"] == "TX")
    assert tx["cdl_entry_level"]["status"] == "mandated"
    ok = next(x for x in r["metrics"] if x["state"] == "OK")
    assert ok["tips_and_hotline"]["OK"][0]["value"] == 12
    ks = next(x for x in r["metrics"] if x["state"] == "KS")
    assert [t["entity"]["id"] for t in ks["trainings"]] == ["state:KS"]
