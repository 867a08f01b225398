"""What each build changed (graph/analysis/changes.py), on a SYNTHETIC graph whose answers
were worked out by hand, and in the briefing."""

from __future__ import annotations

import datetime as dt

import networkx as nx

from graph.analysis.changes import build_changes, changes_by_build
from graph.analysis.report import analyze
from visualizations.briefing import to_markdown


def synthetic() -> nx.MultiDiGraph:
    """Two builds in MS. Before the first (2020-01-16): a trucking company partners with a
    nonprofit (2019-05). At the first: the trucking company, a police department and a truck
    stop's manager attend. In its six months: the manager's local contact with the police
    (2020-03-01, through a person: counts for the truck stop). After the window: the trucking
    company partners with the police (2020-12-01), which the second build (2020-11) gets."""
    g = nx.MultiDiGraph()
    g.add_node("cb1", label="Event", kind="coalition build", name="First build",
               date="2020-01-16", state="MS")
    g.add_node("cb2", label="Event", kind="coalition build", name="Second build",
               date="2020-11", date_precision="month", state="MS")
    g.add_node("web", label="Event", kind="webinar", name="A webinar", date="2020-02-01",
               state="MS")
    for n, kind in [("trucks", "trucking company"), ("pd", "law enforcement"),
                    ("stop", "truck stop"), ("ngo", "nonprofit"), ("late", "casino")]:
        g.add_node(n, label="Organization", kind=kind, name=n.title(), state="MS")
    g.add_node("mgr", label="Person", name="Manager", title="Manager")
    g.add_edge("mgr", "stop", type="WORKS_FOR")
    g.add_edge("trucks", "ngo", type="PARTNERS_WITH", date="2019-05-01")
    for n in ("trucks", "pd", "mgr"):
        g.add_edge(n, "cb1", type="ATTENDED")
    g.add_edge("mgr", "pd", type="LOCAL_CONTACT", date="2020-03-01")
    g.add_edge("trucks", "pd", type="PARTNERS_WITH", date="2020-12-01")
    g.add_edge("late", "cb2", type="ATTENDED")
    g.add_edge("ngo", "late", type="PARTNERS_WITH")  # undated: in no wave
    # a plan recorded at the first build is not a tie made
    g.add_edge("trucks", "late", type="INTRODUCED", event_id="cb1", status="planned")
    return g


def test_first_build_by_hand() -> None:
    r = build_changes(synthetic(), "cb1")
    assert r["window"] == {"from": "2020-01-16", "to": "2020-07-16", "months": 6}
    assert [(t["source"], t["type"], t["target"]) for t in r["new_ties"]] == [
        ("stop", "LOCAL_CONTACT", "pd")]
    assert [t["source"] for t in r["new_cross_sector_ties"]] == ["stop"]
    assert [o["id"] for o in r["first_time"]] == ["pd", "stop"]  # trucks was there before
    # before: trucks and ngo, their one tie; after: four members, two of six possible ties
    assert r["before"] == {"members": 2, "ties": 1, "density": 1.0, "cross_sector_share": 1.0}
    assert r["after"] == {"members": 4, "ties": 2, "density": 0.3333,
                          "cross_sector_share": 1.0}
    assert r["undated_ties"] == 1 and r["planned_ties"] == 1


def test_second_build_month_precision_and_window_setting() -> None:
    # dated 2020-11 (month only): its window runs from 2020-11-01 to six months after the
    # month's last day
    r = build_changes(synthetic(), "cb2")
    assert r["window"]["from"] == "2020-11-01" and r["window"]["to"] == "2021-05-30"
    assert r["approximate"] and r["date_shown"] == "2020-11 (month only)"
    assert [(t["source"], t["target"]) for t in r["new_ties"]] == [("trucks", "pd")]
    assert [t["source"] for t in r["new_cross_sector_ties"]] == ["trucks"]
    assert [o["id"] for o in r["first_time"]] == ["late"]
    assert r["before"]["members"] == 4 and r["after"] == {
        "members": 5, "ties": 3, "density": 0.3, "cross_sector_share": 1.0}
    short = build_changes(synthetic(), "cb1", window_months=1)  # to 2020-02-16
    assert short["new_ties"] == [] and [o["id"] for o in short["first_time"]] == ["pd", "stop"]
    assert [b["id"] for b in changes_by_build(synthetic())] == ["cb1", "cb2"]


def test_in_the_report_and_the_briefing() -> None:
    report = analyze(synthetic(), states=["MS"], as_of=dt.date(2021, 12, 31), window_months=6)
    (ms,) = report["build_changes"]
    assert ms["window_months"] == 6 and [b["id"] for b in ms["builds"]] == ["cb1", "cb2"]
    text = to_markdown(report)
    assert "### 9. What each build changed" in text
    row = next(line for line in text.splitlines() if line.startswith("| First build"))
    assert "Stop – Pd" in row and "100% (1 ties, 2 members) → 33% (2 ties, 4 members)" in row


def two_builds_of_one_year() -> nx.MultiDiGraph:
    """SYNTHETIC: two builds dated 2017 only, so which came first is unknown. 'both' attended
    the two; 'north' only the first; 'south' only the second; 'old' had a tie in 2015; 'web'
    first appears at a webinar in June 2017 (a day-dated event, not a build)."""
    g = nx.MultiDiGraph()
    for b, where in (("jackson", "Jackson build"), ("tupelo", "Tupelo build")):
        g.add_node(b, label="Event", kind="coalition build", name=where, date="2017",
                   date_precision="year", state="MS")
    g.add_node("webinar", label="Event", kind="webinar", name="Webinar", date="2017-06-01",
               state="MS")
    for n in ("both", "north", "south", "old", "web", "ngo"):
        g.add_node(n, label="Organization", kind="nonprofit", name=n.title(), state="MS")
    g.add_edge("old", "ngo", type="PARTNERS_WITH", date="2015-03-01")
    for n, b in (("both", "jackson"), ("both", "tupelo"), ("north", "jackson"),
                 ("south", "tupelo"), ("old", "jackson"), ("web", "webinar")):
        g.add_edge(n, b, type="ATTENDED")
    return g


def test_builds_whose_order_is_unknown_share_only_who_was_at_both() -> None:
    g = two_builds_of_one_year()
    jackson, tupelo = build_changes(g, "jackson"), build_changes(g, "tupelo")
    # by hand: 'old' was engaged in 2015; 'south' only at Tupelo and 'north' only at Jackson;
    # 'web' first at a webinar inside both windows (2017-01-01 to 2018-06-30), which is no
    # build, so it counts for both; 'both' at each, with the other build named
    assert [o["id"] for o in jackson["first_time"]] == ["both", "north", "web"]
    assert [o["id"] for o in tupelo["first_time"]] == ["both", "south", "web"]
    both = jackson["first_time"][0]
    assert both["order_unknown"] == [{"id": "tupelo", "name": "Tupelo build", "date": "2017"}]
    assert "order_unknown" not in jackson["first_time"][1]
    assert [e["id"] for e in tupelo["order_unknown"]] == ["jackson"]
    report = analyze(g, states=["MS"], as_of=dt.date(2019, 1, 1), window_months=6)
    text = to_markdown(report)
    assert text.count("- Order unknown:") == 1  # one line for the pair
    assert ("- Order unknown: Jackson build (2017 (year only)) and Tupelo build (2017 (year "
            "only)) cannot be put in order") in text
    assert "Both (`both`) took part in both, so it is listed as first engaged at each" in text


def test_a_build_with_exact_dates_credits_only_its_own() -> None:
    g = two_builds_of_one_year()
    g.nodes["jackson"].update(date="2017-02-01", date_precision="day")
    g.nodes["tupelo"].update(date="2017-04-01", date_precision="day")
    jackson, tupelo = build_changes(g, "jackson"), build_changes(g, "tupelo")
    # 'both' was first at Jackson (February), so Tupelo (April) did not engage it; the
    # webinar (June) is in both windows
    assert [o["id"] for o in jackson["first_time"]] == ["both", "north", "web"]
    assert [o["id"] for o in tupelo["first_time"]] == ["south", "web"]
    assert jackson["order_unknown"] == [] == tupelo["order_unknown"]
