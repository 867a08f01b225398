"""The funnel and "took part, nothing since" on a small graph written by hand: a report's
outcomes are followed up, and a tie formed since taking part is not "nothing"."""

from __future__ import annotations

import networkx as nx

from graph.analysis.followups import engagement_funnel


def graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("b", label="Event", kind="coalition build", name="Build")
    g.add_node("tat", label="Organization", kind="nonprofit", name="TAT")
    g.add_node("p", label="Program", kind="training", name="TAT training")
    for n, kind in [("idle", "trucking company"), ("sponsor", "sponsor"),
                    ("ergon", "trucking company"), ("total", None), ("pd", "law enforcement")]:
        g.add_node(n, label="Organization", kind=kind, name=n.title())
    g.add_edge("idle", "b", type="ATTENDED")
    # attended, then became a sponsor of TAT: a tie formed since
    g.add_edge("sponsor", "b", type="ATTENDED")
    g.add_edge("sponsor", "tat", type="SPONSORS")
    # named among the outcomes only, with a training: followed up, and trained
    g.add_edge("ergon", "b", type="OUTCOME_OF")
    g.add_edge("ergon", "p", type="TRAINED")
    # named among the outcomes for a planned introduction only: not "nothing since"
    g.add_edge("total", "b", type="OUTCOME_OF")
    # a police department whose officer attended and who works there: stalled, via him
    g.add_node("o", label="Person", name="Officer Lee", title="Officer")
    g.add_edge("o", "pd", type="WORKS_FOR")
    g.add_edge("o", "b", type="ATTENDED")
    # member of: standing, not something done
    g.add_edge("idle", "tat", type="MEMBER_OF")
    return g


def test_outcomes_enter_the_funnel_and_ties_are_not_nothing() -> None:
    f = engagement_funnel(graph())
    assert {r["id"]: r["stage"] for r in f["organizations"]} == {
        "idle": "attended", "sponsor": "attended", "ergon": "trained", "total": "attended",
        "pd": "attended"}
    assert f["counts"] == {"attended": 5, "committed": 1, "trained": 1, "distributes": 0,
                           "reports tips": 0}
    assert [(s["id"], s["evidence"]) for s in f["stalled"]] == [
        ("idle", ["attended Build"]), ("pd", ["via Officer Lee, Officer, attended Build"])]
    ergon = next(r for r in f["organizations"] if r["id"] == "ergon")
    assert ergon["evidence"]["attended"] == ["is named among the outcomes of Build"]
