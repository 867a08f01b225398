"""Follow-up points from the blueprint's schedule (issue 10, Build 5), on both sides of every
window and horizon boundary, for builds known to the day, the month and the year. Every
expected date below is worked out by hand in the comment beside it."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from graph.analysis.blueprint import Schedule, load_schedule
from graph.analysis.followups import schedule
from graph.errors import ConfigError

D = dt.date


def build(g: nx.MultiDiGraph, n: str, date: str | None, precision: str | None = None) -> None:
    g.add_node(n, label="Event", kind="coalition build", name=n.upper(), state="MS",
               **({"date": date} if date else {}),
               **({"date_precision": precision} if precision else {}))


def follow(g: nx.MultiDiGraph, n: str, build_id: str, date: str | None) -> None:
    g.add_node(n, label="Event", kind="follow-up", name=n, state="MS",
               **({"date": date} if date else {}))
    g.add_edge(n, build_id, type="FOLLOWS")


def status(g: nx.MultiDiGraph, as_of: dt.date, plan: Schedule | None = None
           ) -> dict[tuple[str, int], str]:
    return {(p["event"]["id"], p["months"]): p["status"]
            for p in schedule(g, as_of, plan=plan)["points"]}


@pytest.fixture
def day() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    build(g, "b", "2026-01-10")
    return g


# Build 2026-01-10, schedule 1/3/6 months, 15 days either side, horizon 12 months:
#   1-month due 2026-02-10, window 2026-01-26 .. 2026-02-25
#   3-month due 2026-04-10, window 2026-03-26 .. 2026-04-25
#   6-month due 2026-07-10, window 2026-06-25 .. 2026-07-25
#   horizon ends 2027-01-10
@pytest.mark.parametrize(("as_of", "one", "six"), [
    (D(2026, 1, 25), "upcoming", "upcoming"),   # the day before the 1-month window opens
    (D(2026, 1, 26), "due", "upcoming"),        # it opens
    (D(2026, 2, 25), "due", "upcoming"),        # its last day
    (D(2026, 2, 26), "overdue", "upcoming"),    # the day after it closes
    (D(2026, 7, 25), "overdue", "due"),
    (D(2026, 7, 26), "overdue", "overdue"),
    (D(2027, 1, 10), "overdue", "overdue"),     # the last day of the horizon
    (D(2027, 1, 11), "missed", "missed"),       # past it: history
])
def test_day_precision_boundaries(day, as_of, one, six) -> None:
    got = status(day, as_of)
    assert (got[("b", 1)], got[("b", 6)]) == (one, six)


def test_day_precision_fields(day) -> None:
    p1 = next(p for p in schedule(day, D(2026, 2, 26))["points"] if p["months"] == 1)
    assert (p1["due"], p1["window_start"], p1["window_end"], p1["horizon_end"]) == (
        "2026-02-10", "2026-01-26", "2026-02-25", "2027-01-10")
    assert p1["days_overdue"] == 16 and p1["approximate"] is False
    missed = schedule(day, D(2027, 1, 11))["points"][0]
    assert missed["days_overdue"] is None and "12-month horizon" in missed["note"]


@pytest.mark.parametrize(("when", "done_at"), [
    ("2026-01-25", None),   # a day before the 1-month window
    ("2026-01-26", 1),      # its first day
    ("2026-02-25", 1),      # its last day
    ("2026-02-26", None),   # after it, before the 3-month window (opens 2026-03-26)
    ("2026-03-26", 3),
])
def test_a_follow_up_counts_inside_its_window_only(day, when, done_at) -> None:
    follow(day, "f", "b", when)
    out = schedule(day, D(2026, 12, 1))
    done = [p["months"] for p in out["points"] if p["status"] == "done"]
    assert done == ([done_at] if done_at else [])
    assert [u["followup"]["id"] for u in out["unmatched"]] == ([] if done_at else ["f"])


def test_a_follow_up_counts_for_the_nearest_point() -> None:
    # months 1 and 2: 1-month due 02-10 (window 01-26..02-25), 2-month due 03-10
    # (window 02-23..03-25). 02-23 is 13 days from 02-10 and 15 from 03-10: the 1-month;
    # 02-25 is 15 from 02-10 and 13 from 03-10: the 2-month.
    plan = Schedule(months=(1, 2), window_days=15, horizon_months=12)
    for when, point in (("2026-02-23", 1), ("2026-02-25", 2)):
        g = nx.MultiDiGraph()
        build(g, "b", "2026-01-10")
        follow(g, "f", "b", when)
        got = status(g, D(2026, 6, 1), plan)
        assert got[("b", point)] == "done" and got[("b", 3 - point)] == "overdue", when


# Build known to the month, 2014-07 (any day from 07-01 to 07-31):
#   1-month point 2014-08-01 .. 2014-08-31, window 2014-07-17 .. 2014-09-15
#   6-month point 2015-01-01 .. 2015-01-31, window 2014-12-17 .. 2015-02-15
#   horizon: 12 months after the latest day, 2015-07-31
@pytest.mark.parametrize(("as_of", "one", "six"), [
    (D(2014, 7, 16), "upcoming", "upcoming"),
    (D(2014, 7, 17), "due", "upcoming"),
    (D(2014, 9, 15), "due", "upcoming"),
    (D(2014, 9, 16), "overdue", "upcoming"),
    (D(2015, 2, 15), "overdue", "due"),
    (D(2015, 7, 31), "overdue", "overdue"),
    (D(2015, 8, 1), "missed", "missed"),
])
def test_month_precision_boundaries(as_of, one, six) -> None:
    g = nx.MultiDiGraph()
    build(g, "m", "2014-07", "month")
    got = status(g, as_of)
    assert (got[("m", 1)], got[("m", 6)]) == (one, six)


def test_month_precision_is_placed_and_marked_approximate() -> None:
    g = nx.MultiDiGraph()
    build(g, "m", "2014-07", "month")
    follow(g, "f1", "m", "2014-09")  # taken at 09-15: the last day of the 1-month window
    follow(g, "f3", "m", "2014-10")  # 10-16: inside the 3-month window 09-16 .. 11-15
    points = {p["months"]: p for p in schedule(g, D(2014, 12, 1))["points"]}
    assert points[1]["due"] == "2014-08" and points[1]["approximate"] is True
    assert (points[1]["due_from"], points[1]["due_to"]) == ("2014-08-01", "2014-08-31")
    assert points[1]["status"] == "done" and points[3]["status"] == "done"
    assert points[1]["followed_up_by"][0]["approximate"] is True
    assert points[6]["status"] == "upcoming"  # window opens 2014-12-17
    overdue = next(p for p in schedule(g, D(2015, 3, 1))["points"] if p["months"] == 6)
    assert overdue["days_overdue"] == 29  # 2015-03-01 minus the latest due day, 2015-01-31


# Build known only as 2017: a 1-month point lies anywhere from 2017-02-01 to 2018-01-31, so
# it cannot be placed; what every day of 2017 gives alike is still said:
#   before the earliest window (2017-02-01 - 15 days = 2017-01-17): upcoming
#   after the latest horizon (2017-12-31 + 12 months = 2018-12-31), nothing recorded: missed
@pytest.mark.parametrize(("as_of", "one", "six"), [
    (D(2017, 1, 16), "upcoming", "upcoming"),
    (D(2017, 1, 17), "unknown", "upcoming"),   # 6-month earliest window: 2017-06-16
    (D(2017, 6, 16), "unknown", "unknown"),
    (D(2018, 12, 31), "unknown", "unknown"),
    (D(2019, 1, 1), "missed", "missed"),
])
def test_year_precision_is_never_overdue(as_of, one, six) -> None:
    g = nx.MultiDiGraph()
    build(g, "y", "2017")
    got = status(g, as_of)
    assert (got[("y", 1)], got[("y", 6)]) == (one, six)
    assert "overdue" not in got.values() and "due" not in got.values()


def test_year_precision_with_a_follow_up_stays_unknown() -> None:
    g = nx.MultiDiGraph()
    build(g, "y", "2017")
    follow(g, "f", "y", "2017-03-01")
    out = schedule(g, D(2020, 1, 1))
    assert {p["status"] for p in out["points"]} == {"unknown"}  # something was recorded
    [u] = out["unmatched"]
    assert u["followup"]["id"] == "f" and "only to the year" in u["why"]
    note = out["points"][0]["note"]
    assert "2017" in note and "record the build's month or day" in note


def test_undated_build_and_vague_follow_ups() -> None:
    g = nx.MultiDiGraph()
    build(g, "u", None)
    build(g, "b", "2026-01-10")
    follow(g, "fy", "b", "2026")  # a year-only follow-up cannot be matched to a point
    follow(g, "fn", "b", None)
    out = schedule(g, D(2026, 3, 1))
    assert {p["status"] for p in out["points"] if p["event"]["id"] == "u"} == {"unknown"}
    assert "no date" in next(p for p in out["points"] if p["event"]["id"] == "u")["note"]
    why = {u["followup"]["id"]: u["why"] for u in out["unmatched"]}
    assert "only to the year" in why["fy"] and "no date" in why["fn"]


def test_the_schedule_comes_from_the_blueprint(tmp_path) -> None:
    assert load_schedule() == Schedule((1, 3, 6), 15, 12)
    bp = tmp_path / "bp.yaml"
    bp.write_text("followups: {months: [2], window_days: 10, horizon_months: 6}\nroles: []\n")
    plan = load_schedule(bp)
    assert plan == Schedule((2,), 10, 6)
    # Gulfport's programme follows up "two months after the meeting" (002): 2020-03-16 is
    # 2 months after 2020-01-16, so with this blueprint it is done
    g = nx.MultiDiGraph()
    build(g, "g", "2020-01-16")
    follow(g, "f", "g", "2020-03-16")
    assert status(g, D(2020, 6, 1), plan) == {("g", 2): "done"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("followups: {months: [0]}\nroles: []\n")
    with pytest.raises(ConfigError, match="months must be a list"):
        load_schedule(bad)


def test_a_build_with_its_own_months() -> None:
    """SYNTHETIC: a build on 2020-01-16 whose programme follows up at two months; a
    follow-up on 2020-03-20 is 4 days after that point (2020-03-16), inside the 15-day
    window, so done; the blueprint's 1-, 3- and 6-month points are not asked for."""
    g = nx.MultiDiGraph()
    g.add_node("b", label="Event", kind="coalition build", name="B", date="2020-01-16",
               state="MS", followup_months=[2])
    g.add_node("f", label="Event", kind="meeting", name="F", date="2020-03-20", state="MS")
    g.add_edge("f", "b", type="FOLLOWS")
    r = schedule(g, dt.date(2020, 6, 1))
    assert [(p["months"], p["status"], p["own_months"]) for p in r["points"]] == [
        (2, "done", [2])]
    assert r["unmatched"] == []
