"""Issue 10, Builds 1-4 on small graphs written here, each answer checked by hand: credit
through people, sectors without a "people" sector, unnamed groups, levels, roles that exist
only where present, and bounds carried into totals."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.analysis.blueprint import coverage
from graph.analysis.contacts import contact_gaps, sites
from graph.analysis.followups import engagement_funnel
from graph.analysis.graphs import (
    People,
    co_attendance_graph,
    lift,
    relationship_graph,
    sector,
)
from graph.analysis.impact import impact
from graph.analysis.recommend import introductions, invitations


def org(g, id_, kind, name, state="MS", **kw):
    g.add_node(id_, label="Organization", kind=kind, name=name, state=state, **kw)


def person(g, id_, name, title, org_id=None, role=None):
    g.add_node(id_, label="Person", name=name, title=title, role=role or title.lower(),
               **({"organization_id": org_id} if org_id else {}))
    if org_id:
        g.add_edge(id_, org_id, type="WORKS_FOR")


def group(g, id_, kind, count, name, qualifier=None, text=None, state="MS"):
    g.add_node(id_, label="Group", labels=["Entity", "Group"], kind=kind, count=count,
               name=name, state=state, unnamed=True,
               **({"count_qualifier": qualifier} if qualifier else {}),
               **({"count_text": text} if text else {}))


@pytest.fixture
def g() -> nx.MultiDiGraph:
    """A Mississippi build where people, not their organizations, are on the list."""
    g = nx.MultiDiGraph()
    g.add_node("b", label="Event", kind="coalition build", name="Biloxi build", state="MS",
               date="2026-01-10")
    org(g, "pd", "law enforcement", "Biloxi Police Department", level="local")
    person(g, "chief", "Chief Ray", "Police Chief", "pd")
    g.add_edge("chief", "b", type="SPOKE_AT")
    org(g, "mta", "trade association", "Mississippi Trucking Association", level="state")
    person(g, "pres", "Pat Lee", "President", "mta")
    g.add_edge("pres", "b", type="ATTENDED")
    org(g, "oil", "energy company", "Gulf Oil Co", level="regional")
    person(g, "rep", "Sam Oil", "Representative", "oil")
    g.add_edge("rep", "b", type="ATTENDED")
    org(g, "ago", "prosecutor", "Mississippi Attorney General's Office", level="state")
    person(g, "ag", "Lynn Fitch", "Attorney General", "ago")
    g.add_edge("ago", "b", type="HOSTED")
    g.add_edge("ag", "b", type="SPOKE_AT")
    person(g, "det", "Det. Cruz", "Detective")           # no organization
    person(g, "surv", "Survivor-leader", "Survivor-leader", role="survivor-leader")
    person(g, "vol", "Jo", "Volunteer")
    for p in ("det", "surv", "vol"):
        g.add_edge(p, "b", type="ATTENDED")
    g.add_edge("surv", "b", type="SPOKE_AT")
    group(g, "group:casinos", "casino", 3, "3 casinos (unnamed)")
    g.add_edge("group:casinos", "b", type="ATTENDED", count=3)
    group(g, "group:le", "law enforcement", 75, "at least 75 law enforcement (unnamed)",
          qualifier="at least", text="at least 75")
    g.add_edge("group:le", "b", type="ATTENDED")
    return g


def roles(g: nx.MultiDiGraph) -> dict[str, dict]:
    return {r["id"]: r for r in coverage(g, "MS")["roles"]}


def test_an_organization_takes_part_through_its_people(g) -> None:
    r = roles(g)
    police = r["local-police"]
    assert police["status"] == "filled"
    assert police["filled_by"] == [{"id": "pd", "name": "Biloxi Police Department",
                                    "evidence": ["via Chief Ray, Police Chief, spoke at "
                                                 "Biloxi build"]}]
    assert [x["id"] for x in r["state-trucking-association"]["filled_by"]] == ["mta"]
    assert [x["id"] for x in r["energy-companies"]["filled_by"]] == ["oil"]
    assert r["lead-prosecutor-or-task-force"]["filled_by"][0]["evidence"] == [
        "hosted Biloxi build", "via Lynn Fitch, Attorney General, spoke at Biloxi build"]
    stages = {o["id"]: o for o in engagement_funnel(g)["organizations"]}
    assert set(stages) == {"pd", "mta", "oil"}  # the AG's office hosted: a convener
    assert stages["pd"]["evidence"]["attended"] == [
        "via Chief Ray, Police Chief, spoke at Biloxi build"]


def test_a_person_counts_once_for_their_organization_never_as_people(g) -> None:
    [row] = impact(g)["attendance"]
    # pd, mta, oil, ago once each (ago hosted and its AG spoke: one unit); det, surv, vol
    assert row["named_participants"] == 7
    assert row["by_sector"] == {"civil society": 1, "energy company": 1,
                                "law enforcement": 3, "other": 1, "trade association": 1}
    assert "people" not in row["by_sector"]
    assert [sector(g, p) for p in ("det", "surv", "vol", "chief")] == [
        "law enforcement", "civil society", "other", "law enforcement"]


def test_unnamed_groups_count_apart_and_together(g) -> None:
    [row] = impact(g)["attendance"]
    assert {k: v["text"] for k, v in row["unnamed_by_sector"].items()} == {
        "casino": "3", "law enforcement": "at least 75"}
    together = {k: v["text"] for k, v in row["total_by_sector"].items()}
    # law enforcement: 3 named + at least 75 unnamed; casino: 3 unnamed
    assert together["law enforcement"] == "at least 78" and together["casino"] == "3"
    assert row["total"] == {"value": 85, "qualifier": "at least", "text": "at least 85"}
    assert [u["id"] for u in row["unnamed"]] == ["group:casinos", "group:le"]


def test_unnamed_groups_are_present_not_filled(g) -> None:
    cov = coverage(g, "MS")
    casinos = next(x for x in cov["roles"] if x["id"] == "casinos")
    assert casinos["status"] == "present, unnamed" and casinos["filled_by"] == []
    assert casinos["unnamed"][0]["evidence"] == \
        "3 casinos attended Biloxi build, not named: identify them"
    # filled: AG, trucking association, local police, survivor-leader, energy company;
    # counted: the 11 roles that always apply, plus casinos and energy (present; DPS and
    # bus terminals are not) = 13, casinos at 0
    assert cov["roles_filled"] == 5 and cov["roles_counted"] == 13
    assert cov["coverage"] == pytest.approx(5 / 13, abs=1e-3)


def test_an_unnamed_commitment_group() -> None:
    g = nx.MultiDiGraph()
    g.add_node("p", label="Program", kind="materials", name="TAT materials")
    group(g, "group:ts", "truck stop", 12, "12 truck stops (unnamed)")
    g.add_edge("group:ts", "p", type="DISTRIBUTES", count=12)
    ts = roles(g)["truck-stops"]
    assert ts["status"] == "present, unnamed"
    assert ts["unnamed"][0]["evidence"] == \
        "12 truck stops distribute TAT materials, not named: identify them"
    assert sites(g, "MS") == {"sites_recorded": 0, "unnamed_sites": [
        {"id": "group:ts", "name": "12 truck stops (unnamed)", "kind": "truck stop",
         "count": 12, "count_text": None}]}
    [t] = impact(g)["trainings"]
    assert (t["unnamed"], t["count_text"]) == (True, "12")
    assert engagement_funnel(g)["counts"]["distributes"] == 0  # organizations only


def test_levels_keep_national_and_state_bodies_out_of_local_roles() -> None:
    g = nx.MultiDiGraph()
    g.add_node("b", label="Event", name="Build", state="MS")
    org(g, "ata", "trade association", "American Trucking Associations", state=None,
        level="national")
    org(g, "msp", "law enforcement", "Mississippi State Police", level="state")
    org(g, "jpd", "law enforcement", "Jackson Police Department")  # level not recorded
    org(g, "dps", "state agency", "Mississippi Department of Public Safety", level="state")
    for n in ("ata", "msp", "jpd"):
        g.add_edge(n, "b", type="ATTENDED")
    r = roles(g)
    assert r["state-trucking-association"]["status"] == "missing"
    assert r["state-trucking-association"]["candidates"] == []  # national: never a match
    assert r["state-patrol"]["filled_by"][0]["id"] == "msp"
    assert r["local-police"]["filled_by"] == [
        {"id": "jpd", "name": "Jackson Police Department",
         "evidence": ["attended Build"], "notes": ["level not recorded"]}]
    # a DPS that exists but has not taken part is missing, with itself to invite
    assert r["dps"]["status"] == "missing"
    assert [c["id"] for c in r["dps"]["candidates"]] == ["dps"]
    g.remove_node("dps")
    assert roles(g)["dps"]["status"] == "not-applicable"  # exists only where present


def test_contact_gaps_and_introductions_go_through_people() -> None:
    g = nx.MultiDiGraph()
    org(g, "ts", "truck stop", "Gulf Stop", level="local")
    org(g, "pd", "law enforcement", "Gulfport Police Department", level="local")
    org(g, "hp", "law enforcement", "Mississippi Highway Patrol", level="state")
    person(g, "mgr", "Ann", "Manager", "ts")
    person(g, "off", "Bo", "Officer", "pd")
    g.add_edge("mgr", "off", type="PARTNERS_WITH")
    [gap] = contact_gaps(g)
    assert gap["gap"] == "no-protocol"
    assert gap["ties_to_law_enforcement"] == [
        {"id": "pd", "name": "Gulfport Police Department", "types": ["PARTNERS_WITH"],
         "via": ["Ann, Manager and Bo, Officer"]}]
    # the state patrol is not a site's local law enforcement
    assert [x["id"] for x in gap["local_law_enforcement"]] == ["pd"]
    ties = lift(nx.compose(relationship_graph(g), nx.Graph(co_attendance_graph(g).edges())),
                People(g))
    assert ties.has_edge("ts", "pd")  # the people's tie is the organizations' tie
    assert introductions(g, ties, [gap], "MS") == []  # already tied: nothing to introduce
    g.add_edge("off", "mgr", type="LOCAL_CONTACT")
    assert contact_gaps(g) == []


def test_invitations_rank_by_ties_through_people() -> None:
    g = nx.MultiDiGraph()
    g.add_node("b", label="Event", name="Build", state="MS")
    org(g, "tf", "task force", "Mississippi Statewide Task Force", level="state")
    g.add_edge("tf", "b", type="ATTENDED")
    org(g, "so1", "law enforcement", "Harrison County Sheriff's Office", level="county")
    org(g, "so2", "law enforcement", "Hinds County Sheriff's Office", level="county")
    person(g, "dep", "Kim", "Deputy", "so2")
    g.add_edge("dep", "tf", type="MEMBER_OF")  # the deputy's tie engages nothing yet
    cov = coverage(g, "MS")
    sheriffs = next(r for r in cov["roles"] if r["id"] == "county-sheriffs")
    assert sheriffs["status"] == "missing"
    ties = lift(relationship_graph(g), People(g))
    [inv] = [i for i in invitations(g, ties, cov) if i["role"]["id"] == "county-sheriffs"]
    assert [(x["id"], x["ties_to_coalition"]) for x in inv["invite"]] == [("so2", 1),
                                                                          ("so1", 0)]


def test_bounds_are_shown_as_written_and_summed_with_their_bound() -> None:
    g = nx.MultiDiGraph()
    g.add_node("e", label="Event", name="Build", state="MS", date="2022-10",
               date_precision="month")
    g.add_node("m", label="Metric", name="participants", value=70, value_qualifier="more than",
               value_text="over 70", scope_id="e")
    g.add_edge("e", "m", type="HAS_METRIC")
    group(g, "g1", "energy company", 28, "28 energy company representatives (unnamed)")
    group(g, "g2", "energy company", 10, "about 10 more (unnamed)", qualifier="about")
    for n in ("g1", "g2"):
        g.add_edge(n, "e", type="ATTENDED")
    [row] = impact(g)["attendance"]
    assert (row["participants"], row["participants_text"]) == (70, "over 70")
    assert row["unnamed_by_sector"]["energy company"]["text"] == "about 38"
    assert (row["date_precision"], row["approximate"]) == ("month", True)


def test_a_group_of_unknown_size_and_one_whose_name_cannot_tell() -> None:
    # Stockton (004): "local and state law enforcement" and truck stop stakeholders were
    # brought together; the report gives no numbers
    g = nx.MultiDiGraph()
    g.add_node("e", label="Event", name="Stockton build", state="CA")
    org(g, "cta", "trade association", "California Trucking Association", state="CA",
        level="state")
    g.add_edge("cta", "e", type="HOSTED")
    group(g, "g:le", "law enforcement", None, "local and state law enforcement (unnamed)",
          state="CA")
    group(g, "g:ts", "truck stop", None, "truck stop stakeholders (unnamed)", state="CA")
    for n in ("g:le", "g:ts"):
        g.add_edge(n, "e", type="ATTENDED")
    [row] = impact(g)["attendance"]
    assert {k: v["text"] for k, v in row["total_by_sector"].items()} == {
        "law enforcement": "an unknown number", "trade association": "1",
        "truck stop": "an unknown number"}
    assert row["total"]["text"] == "at least 1"
    r = {x["id"]: x for x in coverage(g, "CA")["roles"]}
    assert r["truck-stops"]["status"] == "present, unnamed"
    assert r["truck-stops"]["unnamed"][0]["count"] is None
    # "police" is not in the group's name: perhaps local police, never counted as them
    assert r["local-police"]["status"] == "missing"
    assert r["local-police"]["unnamed_possible"] == [
        {"id": "g:le", "name": "local and state law enforcement (unnamed)"}]
