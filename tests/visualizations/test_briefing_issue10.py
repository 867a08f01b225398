"""The briefing as a strategist reads it (issue 10): nothing to assess is said, with what to
record, never shown as good news; missed follow-ups are history, apart from the urgent
part; credit through people names the person; unnamed groups are "present, unnamed";
bounds read as written; laws and the CDL mandate sit beside the MVE components."""

from __future__ import annotations

import datetime as dt
import re

import networkx as nx

from graph.analysis.report import analyze
from visualizations.briefing import to_markdown
from visualizations.charts import all_charts

AS_OF = dt.date(2026, 11, 24)


def section(md: str, state: str, number: int) -> str:
    part = md.split(f"## {state}:", 1)[1]
    body = part.split(f"### {number}.", 1)[1].split("\n### ", 1)[0]
    return body.split("\n", 1)[1]  # without the heading


def _bare() -> nx.MultiDiGraph:
    """A state with one build, hosted by a convener and attended by one company."""
    g = nx.MultiDiGraph()
    g.add_node("b", label="Event", kind="coalition build", name="Jackson build", state="MS",
               date="2017")
    g.add_node("tat", label="Organization", kind="nonprofit", name="TAT")
    g.add_edge("tat", "b", type="HOSTED")
    return g


def test_nothing_to_assess_is_said_with_what_to_record() -> None:
    md = to_markdown(analyze(_bare(), states=["MS"], as_of=AS_OF))
    assert "No truck stops, bus terminals or casinos are recorded in MS: add them to find " \
           "contact gaps." in section(md, "MS", 2)
    assert "(or there are none)" not in md
    assert "No organization (conveners aside) is recorded as taking part in an event in MS" \
        in section(md, "MS", 4)
    assert "Nobody has stalled" not in md
    # an unnamed group of casinos took part: the sites are "named" ones that are missing
    g = _bare()
    g.add_node("grp", label="Group", kind="casino", name="3 local casinos (unnamed)",
               count=3, unnamed=True, state="MS")
    g.add_edge("grp", "b", type="ATTENDED")
    md = to_markdown(analyze(g, states=["MS"], as_of=AS_OF))
    assert "No named truck stops, bus terminals or casinos are recorded in MS" in \
        section(md, "MS", 2)
    intro = section(md, "MS", 5)
    assert intro.strip().startswith("Nothing to assess:") and "No introductions needed" not in md
    assert "Record sites with their local law enforcement" in intro
    spof = section(md, "MS", 6)
    assert "Nothing to assess: no relationships are recorded between MS's actors" in spof
    mve = section(md, "MS", 7)
    assert "The graph holds no Iowa MVE model program" in mve
    assert "CDL entry-level training (Phase II goal 6): **not recorded**" in mve
    assert "add it to the laws sheet" in mve


def test_missed_follow_ups_are_history_and_vague_ones_are_said() -> None:
    g = _bare()
    g.add_node("new", label="Event", kind="coalition build", name="Gulfport build",
               state="MS", date="2026-10-01")
    g.add_node("yr", label="Event", kind="coalition build", name="Tupelo build", state="MS",
               date="2026")
    md = to_markdown(analyze(g, states=["MS"], as_of=AS_OF))
    follow = section(md, "MS", 3)
    urgent, rest = follow.split("Schedule:", 1)
    # Gulfport: 1-month due 2026-11-01, window closed 11-16: overdue; the 3-month is upcoming
    assert "| Gulfport build (`new`) | 1 month | 2026-11-01 | overdue by 23 days |" in urgent
    assert "Jackson build" not in urgent and "Tupelo build" not in urgent
    history = rest.split("History, not an action", 1)[1]
    assert "- Jackson build (2017, year only): 1-month, 3-month and 6-month" in history
    assert "Cannot be placed" in rest and "Tupelo build (2026, year only)" in rest
    assert "record the build's month or day" in rest
    assert "Gulfport build (2026-10-01): 3-month and 6-month from 2027-01-01" in rest


def _rich() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("b", label="Event", kind="coalition build", name="Gulfport build", state="MS",
               date="2020-01-16")
    g.add_node("pd", label="Organization", kind="law enforcement",
               name="Gulfport Police Department", state="MS")
    g.add_node("chief", label="Person", name="Chief Ray", title="Police Chief",
               organization_id="pd")
    g.add_edge("chief", "pd", type="WORKS_FOR")
    g.add_edge("chief", "b", type="SPOKE_AT")
    g.add_node("group:c", label="Group", kind="casino", count=3, name="3 casinos (unnamed)",
               state="MS", unnamed=True)
    g.add_edge("group:c", "b", type="ATTENDED")
    g.add_node("group:le", label="Group", kind="law enforcement", count=75,
               count_qualifier="at least", count_text="at least 75",
               name="at least 75 law enforcement (unnamed)", state="MS", unnamed=True)
    g.add_edge("group:le", "b", type="ATTENDED")
    g.add_node("m", label="Metric", name="participants", value=70, value_qualifier="more than",
               value_text="over 70", scope_id="b")
    g.add_edge("b", "m", type="HAS_METRIC")
    g.add_node("mve", label="Program", kind="model", name="Iowa MVE Model")
    g.add_node("wc", label="ModelComponent", name="Wallet cards")
    g.add_edge("wc", "mve", type="PART_OF")
    g.add_node("state:MS", label="State", state="MS", name="Mississippi")
    g.add_edge("state:MS", "mve", type="ADOPTED")
    g.add_node("tat", label="Program", kind="training", name="TAT training")
    g.add_node("law:ms:hb-1", label="Law", state="MS", name="CDL anti-trafficking act",
               bill="HB 1", status="signed", date="2021-03", date_precision="month")
    g.add_edge("law:ms:hb-1", "tat", type="MANDATES")
    return g


def test_credit_groups_bounds_laws_in_the_briefing() -> None:
    r = analyze(_rich(), states=["MS"], as_of=AS_OF)
    md = to_markdown(r)
    room = section(md, "MS", 1)
    assert re.search(r"\| Casinos \| present, unnamed \(0 of 1 named\) \|\s+3 casinos attended "
                     r"Gulfport build, not named: identify them \| identify the unnamed", room)
    assert "Local police departments: Gulfport Police Department (`pd`) \\[via Chief Ray, " \
           "Police Chief, spoke at Gulfport build; level not recorded\\]" in room
    impact = section(md, "MS", 8)
    assert "Gulfport build (2020-01-16): over 70 participants; 1 named (law enforcement 1); " \
           "unnamed: 3 casinos (unnamed), at least 75 law enforcement (unnamed); together " \
           "at least 79 (casino 3, law enforcement at least 76)" in impact
    mve = section(md, "MS", 7)
    assert "Wallet cards: **adopted** (Mississippi: adopted by adopting the whole model)" in mve
    assert "**mandated**: mandated by HB 1 (signed 2021-03 (month only))" in mve
    assert "- Law: HB 1, CDL anti-trafficking act: signed 2021-03 (month only); mandates " \
           "TAT training (`tat`)" in mve
    charts = {c["title"]: c for c in all_charts(r)}
    att = charts["Attendance by sector"]
    assert "unnamed casino 3, law enforcement at least 75; together at least 79" in att["alt"]
    assert "<pattern" in att["svg"]  # the unnamed bars are hatched
