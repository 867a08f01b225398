"""Logging a follow-up (graph/followup_log.py, issue 13 item 2): one change, the loader's
messages, counted by the follow-up schedule, undoable, refused writes leave the graph as it
was. A small SYNTHETIC graph: one build on 2026-01-10 in MS, one casino, one training.

The schedule's numbers, by hand from graph/analysis/followups.py and the blueprint's
``followups`` (months 1, 3, 6; window_days 15; horizon_months 12): the 1-month point is
2026-02-10, its window 2026-01-26 .. 2026-02-25; the 3-month point 2026-04-10, window
2026-03-26 .. 2026-04-25; the 6-month point 2026-07-10, window 2026-06-25 .. 2026-07-25.
A call on 2026-02-12 falls in the first window; one on 2026-03-20 in none (after 02-25,
before 03-26).
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from graph import editing, followup_log, model, queries
from graph.analysis.blueprint import Schedule
from graph.analysis.followups import schedule
from graph.changelog import Who
from graph.editing import Conflict
from graph.errors import LoadError
from graph.projection import project
from graph.store import GraphStore
from loaders.load import load
from tests.graph.test_editing import fingerprint

WHO = Who("editor", key="k-followups")
BUILD = "event:syn-fu-build"
CASINO = "org:syn-fu-casino"
WORKBOOK = {
    "organizations": [{"id": CASINO, "name": "Synthetic Followup Casino", "kind": "casino",
                       "state": "MS", "note": "SYNTHETIC"}],
    "programs": [{"id": "program:syn-fu", "name": "Synthetic FU Training",
                  "kind": "training"}],
    "events": [{"id": BUILD, "name": "Synthetic FU Build", "kind": "coalition build",
                "date": "2026-01-10", "state": "MS"},
               {"id": "event:syn-fu-webinar", "name": "Synthetic FU Webinar",
                "kind": "webinar", "date": "2026-01-12", "state": "MS"}],
    "participation": [{"entity_id": CASINO, "event_id": BUILD, "role": "attended"}],
}


@pytest.fixture
def small(embedded_store: GraphStore, tmp_path) -> GraphStore:
    path = tmp_path / "synthetic.yaml"
    path.write_text(yaml.safe_dump(WORKBOOK))
    load(path, embedded_store)
    return embedded_store


def points(store: GraphStore, as_of: dt.date) -> dict[int, str]:
    out = schedule(project(store), as_of, plan=Schedule())
    return {p["months"]: p["status"] for p in out["points"] if p["event"]["id"] == BUILD}


def test_a_call_in_the_first_window_makes_month_one_done(small: GraphStore) -> None:
    as_of = dt.date(2026, 3, 1)
    assert points(small, as_of) == {1: "overdue", 3: "upcoming", 6: "upcoming"}
    r = followup_log.log(small, event_id=BUILD, date="2026-02-12", kind="Call",
                         entity_id=CASINO, outcome="will host the training",
                         note="SYNTHETIC", who=WHO)
    assert r.id == f"{BUILD}:followup:2026-02-12:call"
    assert points(small, as_of) == {1: "done", 3: "upcoming", 6: "upcoming"}
    g = project(small)
    node = g.nodes[r.id]
    assert (node["kind"], node["contact"], node["outcome"], node["date"]) == \
        ("follow-up", "call", "will host the training", "2026-02-12")
    assert node["name"] == "Call follow-up of Synthetic FU Build"  # no one's name in it
    assert sorted((u, v, d["type"]) for u, v, d in g.edges(data=True)
                  if r.id in (u, v) and d["type"] != "LOCATED_IN") == [
        (r.id, BUILD, "FOLLOWS"), (CASINO, r.id, model.CONTACTED)]
    [done] = [p for p in schedule(g, as_of)["points"] if p["months"] == 1]
    assert done["followed_up_by"] == [{
        "id": r.id, "name": "Call follow-up of Synthetic FU Build", "date": "2026-02-12",
        "approximate": False, "contact": "call",
        "contacted": [{"id": CASINO, "name": "Synthetic Followup Casino"}]}]


def test_a_call_between_windows_counts_for_nothing(small: GraphStore) -> None:
    r = followup_log.log(small, event_id=BUILD, date="2026-03-20", kind="call", who=WHO)
    as_of = dt.date(2026, 3, 21)
    assert points(small, as_of) == {1: "overdue", 3: "upcoming", 6: "upcoming"}
    [unmatched] = schedule(project(small), as_of)["unmatched"]
    assert unmatched["followup"]["id"] == r.id
    assert "matches no scheduled point" in unmatched["why"]


def test_it_is_one_change_and_undo_takes_it_back(small: GraphStore) -> None:
    before = fingerprint(small)
    r = followup_log.log(small, event_id=BUILD, date="2026-02-12", kind="visit",
                         entity_id=CASINO, who=WHO)
    [change] = small.changes(ids=[r.change], limit=1)
    assert (change["action"], change["role"], change["key"]) == ("create", "editor",
                                                                 "k-followups")
    kinds = sorted((e.kind, e.type, e.id) for e in small.change_entries(r.change))
    assert kinds == [("node", "Event", r.id),
                     ("relationship", "CONTACTED", f"contacted:{CASINO}>{r.id}"),
                     ("relationship", "FOLLOWS", f"follows:{r.id}"),
                     ("relationship", "LOCATED_IN", f"located:{r.id}")]
    editing.undo(small, r.change, who=WHO)
    assert fingerprint(small) == before
    assert points(small, dt.date(2026, 3, 1))[1] == "overdue"


def test_a_second_contact_the_same_day_gets_its_own_id(small: GraphStore) -> None:
    a = followup_log.log(small, event_id=BUILD, date="2026-02-12", kind="email", who=WHO)
    b = followup_log.log(small, event_id=BUILD, date="2026-02-12", kind="email", who=WHO)
    assert (a.id, b.id) == (f"{BUILD}:followup:2026-02-12:email",
                            f"{BUILD}:followup:2026-02-12:email-2")


@pytest.mark.parametrize("fields, column, message", [
    ({"event_id": "event:nope"}, "event_id",
     "refers to event:nope, which is not the id of an Event in the store"),
    ({"event_id": CASINO}, "event_id",
     f"refers to {CASINO}, which is not the id of an Event in the store"),
    ({"entity_id": "org:nope"}, "entity_id",
     "refers to org:nope, which is not the id of an Organization or Person in the store"),
    ({"entity_id": "program:syn-fu"}, "entity_id",
     "program:syn-fu is a Program in the store; expected Organization or Person"),
    ({"date": "2026-13-40"}, "date", None),
    ({"kind": "fax"}, "kind", ("unknown contact kind; expected one of: call, email, meeting, "
     "visit")),
    ({"date": "2026-01-09"}, "date",
     (f"is before the build it follows up ({BUILD}, 2026-01-10): a follow-up comes after the "
     "build")),
    ({"event_id": "event:syn-fu-webinar"}, "event_id",
     ("event:syn-fu-webinar is a webinar, not a coalition build: only builds have a "
     "follow-up schedule (log the follow-up against the build it follows up)")),
    ({"date": ""}, "date", "required: when the contact was made"),
])
def test_refused_with_the_loaders_messages_and_nothing_written(
        small: GraphStore, fields: dict, column: str, message: str | None) -> None:
    before = fingerprint(small)
    args = {"event_id": BUILD, "date": "2026-02-12", "kind": "call", **fields}
    with pytest.raises(LoadError) as e:
        followup_log.log(small, who=WHO, **args)
    [issue] = [i for i in e.value.issues if i.severity == "error"]
    assert issue.column == column
    if message is not None:
        assert issue.message == message
    assert "nothing was written" in str(e.value)
    assert fingerprint(small) == before


def test_a_bad_date_has_the_loaders_date_message(small: GraphStore) -> None:
    from loaders import schema

    expected = schema.validate_row("events", "f", 2, {"name": "x", "kind": "follow-up",
                                                      "date": "2026-13-40"})[1][0].message
    with pytest.raises(LoadError) as e:
        followup_log.log(small, event_id=BUILD, date="2026-13-40", kind="call", who=WHO)
    assert e.value.issues[0].message == expected


def test_logging_twice_never_collides_silently(small: GraphStore) -> None:
    taken = {f"{BUILD}:followup:2026-02-12:call"} | {
        f"{BUILD}:followup:2026-02-12:call-{n}" for n in range(2, followup_log.TRIES + 1)}
    with pytest.raises(Conflict):
        followup_log.followup_id(BUILD, "2026-02-12", "call", taken)


def test_the_briefing_says_whom_a_done_point_reached(small: GraphStore) -> None:
    from graph.analysis.report import analyze
    from visualizations.briefing import to_markdown

    followup_log.log(small, event_id=BUILD, date="2026-02-12", kind="call", entity_id=CASINO,
                     who=WHO)
    text = to_markdown(analyze(project(small), as_of=dt.date(2026, 3, 1)))
    assert ("Done: Synthetic FU Build 1-month (Call follow-up of Synthetic FU Build, "
            "2026-02-12, with Synthetic Followup Casino).") in text


def test_an_event_edit_of_a_logged_follow_up_keeps_its_contact(small: GraphStore) -> None:
    r = followup_log.log(small, event_id=BUILD, date="2026-02-12", kind="call",
                         entity_id=CASINO, outcome="maybe", who=WHO)
    events = {"event": editing.NODE_KINDS["event"]}
    editing.update(small, r.id, {"outcome": "yes, in March"}, version=r.version, who=WHO,
                   kinds=events)
    g = project(small)
    assert (g.nodes[r.id]["contact"], g.nodes[r.id]["outcome"]) == ("call", "yes, in March")
    assert sorted(d["type"] for *_, d in g.in_edges(r.id, data=True)) == [model.CONTACTED]
    assert [v for _, v, t in g.out_edges(r.id, data="type") if t == "FOLLOWS"] == [BUILD]
    assert points(small, dt.date(2026, 3, 1))[1] == "done"


def test_the_events_sheet_takes_contact_and_outcome_for_follow_ups_only(
        embedded_store: GraphStore, tmp_path) -> None:
    from tests.conftest import write_workbook

    bad = write_workbook(tmp_path / "bad", events="""
        id,name,kind,date,contact,outcome
        event:syn-t,Synthetic Training,training,2026-01-10,call,yes
    """)
    with pytest.raises(LoadError) as e:
        load(bad, embedded_store)
    tail = "; leave it empty here or make the event's kind follow-up"
    assert sorted((i.column, i.message) for i in e.value.issues) == [
        ("contact", "only a follow-up has a contact kind" + tail),
        ("outcome", "only a follow-up has an outcome" + tail)]
    good = write_workbook(tmp_path / "good", events="""
        id,name,kind,date,follows_event_id,contact,outcome
        event:syn-b,Synthetic Build,coalition build,2026-01-10,,,
        event:syn-f,Synthetic Call,follow-up,2026-02-12,event:syn-b,Phone,
    """)
    with pytest.raises(LoadError) as e:
        load(good, embedded_store)
    assert [i.column for i in e.value.issues] == ["contact"]  # "phone" is not a kind
    (tmp_path / "good" / "events.csv").write_text(
        (tmp_path / "good" / "events.csv").read_text().replace(",Phone,", ",CALL,"))
    load(good, embedded_store)
    assert points_of(embedded_store, "event:syn-b") == {1: "done", 3: "upcoming",
                                                         6: "upcoming"}


def points_of(store: GraphStore, build: str) -> dict[int, str]:
    out = schedule(project(store), dt.date(2026, 3, 1))
    return {p["months"]: p["status"] for p in out["points"] if p["event"]["id"] == build}


def test_deleting_a_logged_follow_up_or_whom_it_reached_is_one_change_undone_exactly(
        small: GraphStore) -> None:
    # the CONTACTED tie is found by its key as every tie is: deleting either end removes it
    # in the change, and undo brings it back
    before = fingerprint(small)
    r = followup_log.log(small, event_id=BUILD, date="2026-02-12", kind="call",
                         entity_id=CASINO, who=WHO)
    logged = fingerprint(small)
    key = f"contacted:{CASINO}>{r.id}"
    [tie] = [e for e in small.read(queries.NODE_EDGES, {"id": r.id})
             if e["type"] == model.CONTACTED]
    assert tie["key"] == key
    events = {"event": editing.NODE_KINDS["event"]}
    gone = editing.delete(small, r.id, version=None, who=WHO, kinds=events)
    assert ("relationship", model.CONTACTED, key) in {
        (e.kind, e.type, e.id) for e in small.change_entries(gone.change)}
    assert r.id not in project(small)
    editing.undo(small, gone.change, who=WHO)
    assert fingerprint(small) == logged
    casino = editing.delete(small, CASINO, version=None, who=WHO)
    assert ("relationship", model.CONTACTED, key) in {
        (e.kind, e.type, e.id) for e in small.change_entries(casino.change)}
    editing.undo(small, casino.change, who=WHO)
    assert fingerprint(small) == logged
    editing.undo(small, r.change, who=WHO)
    assert fingerprint(small) == before


def test_an_earlier_follow_up_can_be_undone_after_a_later_one(small: GraphStore) -> None:
    # the second call ties the same build and casino, but changes neither: it does not
    # depend on the first, so the first (logged by mistake) can go on its own (issue 13
    # item 2: 409 names the later changes that *depend* on it)
    before = fingerprint(small)
    wrong = followup_log.log(small, event_id=BUILD, date="2026-02-12", kind="call",
                             entity_id=CASINO, who=WHO)
    right = followup_log.log(small, event_id=BUILD, date="2026-04-12", kind="visit",
                             entity_id=CASINO, who=WHO)
    editing.undo(small, wrong.change, who=WHO)
    g = project(small)
    assert wrong.id not in g and right.id in g
    assert points(small, dt.date(2026, 5, 1)) == {1: "overdue", 3: "done", 6: "upcoming"}
    editing.undo(small, right.change, who=WHO)
    assert fingerprint(small) == before


def test_undoing_a_delete_is_refused_when_a_tie_it_restores_lost_its_end(
        small: GraphStore) -> None:
    # what an undo puts back must still have both its ends
    r = followup_log.log(small, event_id=BUILD, date="2026-02-12", kind="call",
                         entity_id=CASINO, who=WHO)
    events = {"event": editing.NODE_KINDS["event"]}
    gone = editing.delete(small, r.id, version=None, who=WHO, kinds=events)
    casino = editing.delete(small, CASINO, version=None, who=WHO)
    with pytest.raises(Conflict) as e:
        editing.undo(small, gone.change, who=WHO)
    assert e.value.details["later"] == [casino.change]


def test_a_follow_up_cannot_be_edited_to_a_date_before_its_build(small: GraphStore) -> None:
    """As logging refuses it (found in review): the build is on 2026-01-10; moving its
    logged call to 2026-01-05 is refused naming the date, and nothing is written; a date
    after the build, or known only to the build's month, is taken."""
    r = followup_log.log(small, event_id=BUILD, date="2026-02-12", kind="call", who=WHO)
    events = {"event": editing.NODE_KINDS["event"]}
    before = fingerprint(small)
    with pytest.raises(LoadError) as e:
        editing.update(small, r.id, {"date": "2026-01-05"}, version=r.version, who=WHO,
                       kinds=events)
    [issue] = e.value.issues
    assert issue.column == "date" and "before the event it follows up" in issue.message
    assert fingerprint(small) == before
    done = editing.update(small, r.id, {"date": "2026-01"}, version=r.version, who=WHO,
                          kinds=events)
    editing.update(small, r.id, {"date": "2026-02-20"}, version=done.version, who=WHO,
                   kinds=events)
    assert project(small).nodes[r.id]["date"] == "2026-02-20"
