"""Issue 10 on the real embedded store: unnamed groups, levels, bounds, dates, laws, outcomes
and the state of metrics come out as the data contract (../issue10-contract.md) says; bad rows
are refused at their row and column, and a refused load leaves the graph as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.export import export
from graph.projection import Filters, project
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook

ORGS = """
    id,name,kind,state,level
    org:tat,Truckers Against Trafficking,nonprofit,,
    org:ms:mta,Mississippi Trucking Association,trade association,MS,
    org:ms:biloxi-pd,Biloxi PD,law enforcement,MS,
    org:ms:pine-belt,Pine Belt Task Force,task force,MS,regional
    org:ata,American Trucking Associations,trade association,,
    org:qc,Quality Carriers,,,
"""
EVENTS = """
    id,name,kind,date,state
    event:ms:2020-01-16:gulfport,Gulfport Coalition Build,coalition build,2020-01-16,MS
    event:tx:2022-10-05:two-days,Two-day build,coalition build,2022-10-05/2022-10-06,TX
"""
PROGRAMS = """
    id,name,kind,parent_id
    program:tat-training,TAT training,training,
    program:botl-training,BOTL training,training,
    program:tat-casino-webinar,TAT Casino webinar,webinar,
    program:tat-botl-materials,TAT and BOTL materials,materials,
    program:iowa-mve-model,Iowa MVE Model,model,
    mve:wallet-cards,Wallet cards with CDL issuance,model component,program:iowa-mve-model
"""
PEOPLE = """
    id,name,organization_id,title
    person:rep-doe,Rep. Pat Doe,,State representative
"""


def node(store: GraphStore, node_id: str) -> dict:
    rows = store.read("MATCH (n:Entity {id: $id}) RETURN properties(n) AS p, labels(n) AS l",
                      {"id": node_id})
    assert len(rows) == 1, (node_id, rows)
    return {**rows[0]["p"], "labels": sorted(rows[0]["l"])}


def edges(store: GraphStore, src: str) -> list[dict]:
    return store.read("MATCH (a:Entity {id: $id})-[r]->(b) RETURN type(r) AS t, b.id AS dst, "
                      "properties(r) AS p ORDER BY t, dst", {"id": src})


def workbook(tmp_path: Path, **extra: str) -> Path:
    sheets = {"organizations": ORGS, "events": EVENTS, "programs": PROGRAMS, "people": PEOPLE}
    return write_workbook(tmp_path / "wb", **{**sheets, **extra})


# ------------------------------------------------------------------------------ groups

GROUPS = """
    entity_id,event_id,role,kind,name,count,level,unit,note
    ,event:ms:2020-01-16:gulfport,attended,casino,,3,local,organizations,Representatives from 3 local casinos
    ,event:ms:2020-01-16:gulfport,attended,law enforcement,,at least 1,state,,
    ,event:ms:2020-01-16:gulfport,attended,law enforcement,,about 30,local,people,
    ,event:ms:2020-01-16:gulfport,spoke,Energy Company,,28,,people,
    ,event:ms:2020-01-16:gulfport,attended,federal agency,,2,,,
    ,event:ms:2020-01-16:gulfport,attended,truck stop,truck stop industry stakeholders,,,,
    ,event:ms:2020-01-16:gulfport,attended,law enforcement,local police departments,5,county,,
    org:ms:mta,event:ms:2020-01-16:gulfport,co-hosted,,,over 70,,,
"""


def test_unnamed_groups_become_group_nodes_as_the_contract_says(tmp_path: Path,
                                                                 embedded_store: GraphStore
                                                                 ) -> None:
    commitments = """
        entity_id,entity_kind,program,kind,count,state,event_id,status
        group:ms:2020-01-16:gulfport:casino:local,,program:tat-casino-webinar,considering,,,event:ms:2020-01-16:gulfport,expressed interest
        ,truck stop,program:tat-botl-materials,distributes,12,TN,,
    """
    load(workbook(tmp_path, participation=GROUPS, commitments=commitments), embedded_store)
    gulf = "event:ms:2020-01-16:gulfport"
    casinos = node(embedded_store, "group:ms:2020-01-16:gulfport:casino:local")
    assert {k: v for k, v in casinos.items() if k not in ("loaded_at", "row_hash")} == {
        "id": "group:ms:2020-01-16:gulfport:casino:local", "labels": ["Entity", "Group"],
        "name": "3 local casinos (unnamed)", "kind": "casino", "sector": "industry",
        "count": 3, "unit": "organizations", "level": "local", "state": "MS",
        "unnamed": True, "note": "Representatives from 3 local casinos",
        "source": "wb/participation.csv", "source_row": 2}
    out = {e["t"]: e for e in edges(embedded_store, casinos["id"])}
    assert {(t, e["dst"]) for t, e in out.items()} == {
        ("ATTENDED", gulf), ("CONSIDERING", "program:tat-casino-webinar"),
        ("OUTCOME_OF", gulf)}
    assert (out["ATTENDED"]["p"]["role"], out["ATTENDED"]["p"]["count"]) == ("attended", 3)
    assert out["CONSIDERING"]["p"]["status"] == "expressed interest"
    state_le = node(embedded_store, "group:ms:2020-01-16:gulfport:law-enforcement:state")
    assert (state_le["name"], state_le["count"], state_le["count_qualifier"],
            state_le["count_text"], state_le["sector"]) == (
        "at least 1 state law enforcement agency (unnamed)", 1, "at least", "at least 1",
        "law enforcement")
    local_le = node(embedded_store, "group:ms:2020-01-16:gulfport:law-enforcement:local")
    assert (local_le["name"], local_le["count"], local_le["count_qualifier"]) == (
        "about 30 people (local, law enforcement, unnamed)", 30, "about")
    energy = node(embedded_store, "group:ms:2020-01-16:gulfport:energy-company:spoke")
    assert energy["name"] == "28 people (energy company, unnamed)" and "level" not in energy
    [spoke] = edges(embedded_store, energy["id"])
    assert (spoke["t"], spoke["p"]["role"], spoke["p"]["count"]) == ("SPOKE_AT", "spoke", 28)
    federal = node(embedded_store, "group:ms:2020-01-16:gulfport:federal-agency")
    assert (federal["level"], federal["level_inferred"]) == ("federal", True)
    # the source's words for a group, and a group the source gives no number for
    stops = node(embedded_store, "group:ms:2020-01-16:gulfport:truck-stop")
    assert stops["name"] == "truck stop industry stakeholders (unnamed)"
    assert not {"count", "count_qualifier", "count_text"} & set(stops)
    [attended] = edges(embedded_store, stops["id"])
    assert attended["t"] == "ATTENDED" and "count" not in attended["p"]
    police = node(embedded_store, "group:ms:2020-01-16:gulfport:law-enforcement:county")
    assert (police["name"], police["count"]) == ("5 local police departments (unnamed)", 5)
    # a named organization's count keeps its bound on the edge
    [mta] = [e for e in edges(embedded_store, "org:ms:mta") if e["t"] == "HOSTED"]
    assert (mta["p"]["count"], mta["p"]["count_qualifier"], mta["p"]["count_text"]) == (
        70, "more than", "over 70")
    # a commitment's own group: program, state, kind and commitment kind in its id
    stops = node(embedded_store, "group:tat-botl-materials:tn:truck-stop:distributes")
    assert (stops["name"], stops["count"], stops["state"]) == ("12 truck stops (unnamed)", 12,
                                                               "TN")
    [dist] = edges(embedded_store, stops["id"])
    assert (dist["t"], dist["dst"], dist["p"]["count"], dist["p"]["state"]) == (
        "DISTRIBUTES", "program:tat-botl-materials", 12, "TN")
    # groups are in their state's projection
    g = project(embedded_store)
    assert g.nodes[casinos["id"]]["label"] == "Group"


GROUP_REFUSALS = [
    ("entity and kind", """
        entity_id,event_id,role,kind,count
        org:ms:mta,event:ms:2020-01-16:gulfport,attended,casino,3
     """, ("participation.csv", 2, "kind"), "give either entity_id"),
    ("neither entity nor kind", """
        entity_id,event_id,role,count
        ,event:ms:2020-01-16:gulfport,attended,3
     """, ("participation.csv", 2, "entity_id"), "leave it empty and give kind"),
    ("a group's name on a named row", """
        entity_id,event_id,role,name
        org:ms:mta,event:ms:2020-01-16:gulfport,attended,truckers
     """, ("participation.csv", 2, "name"), "describes an unnamed group"),
    ("level on a named row", """
        entity_id,event_id,role,level
        org:ms:mta,event:ms:2020-01-16:gulfport,attended,state
     """, ("participation.csv", 2, "level"), "organizations sheet"),
    ("two groups alike", """
        entity_id,event_id,role,kind,count
        ,event:ms:2020-01-16:gulfport,attended,casino,3
        ,event:ms:2020-01-16:gulfport,attended,casino,2
     """, ("participation.csv", 3, "count"), "participation.csv row 2 already gives"),
    ("unknown kind", """
        entity_id,event_id,role,kind,count
        ,event:ms:2020-01-16:gulfport,attended,saloon,3
     """, ("participation.csv", 2, "kind"), "organization kind or sector"),
]


@pytest.mark.parametrize(("sheet", "where", "words"), [c[1:] for c in GROUP_REFUSALS],
                         ids=[c[0] for c in GROUP_REFUSALS])
def test_bad_group_rows_are_refused_at_their_row_and_column(
        sheet: str, where: tuple, words: str, tmp_path: Path,
        embedded_store: GraphStore) -> None:
    load(workbook(tmp_path), embedded_store)
    before = embedded_store.counts()
    with pytest.raises(LoadError) as info:
        load(workbook(tmp_path, participation=sheet), embedded_store)
    issues = [i for i in info.value.issues if (i.file, i.row, i.column) == where]
    assert issues and words in issues[0].message, info.value.issues
    assert embedded_store.counts() == before


def test_commitment_group_refusals(tmp_path: Path, embedded_store: GraphStore) -> None:
    commitments = """
        entity_id,entity_kind,program,kind,count
        org:ms:mta,casino,program:tat-training,pledged,3
        org:ms:mta,,program:tat-training,pledged,about 3
        ,,program:tat-training,pledged,3
        ,truck stop,program:tat-training,pledged,-2
    """
    with pytest.raises(LoadError) as info:
        load(workbook(tmp_path, commitments=commitments), embedded_store)
    got = {(i.row, i.column) for i in info.value.issues}
    assert got == {(2, "entity_kind"), (4, "entity_id"), (5, "count")}
    assert embedded_store.counts().nodes == 0


# ------------------------------------------------------------------------------ levels

def test_levels_inferred_stated_or_unknown(tmp_path: Path, embedded_store: GraphStore) -> None:
    load(workbook(tmp_path), embedded_store)
    mta = node(embedded_store, "org:ms:mta")
    assert (mta["level"], mta["level_inferred"]) == ("state", True)
    assert node(embedded_store, "org:ms:biloxi-pd")["level"] == "local"
    assert node(embedded_store, "org:ata")["level"] == "national"
    pine = node(embedded_store, "org:ms:pine-belt")  # stated in the workbook: not inferred
    assert pine["level"] == "regional" and "level_inferred" not in pine
    tat = node(embedded_store, "org:tat")
    assert "level" not in tat and "level_inferred" not in tat  # unknown: not guessed
    # an organization whose kind the sources do not state: no kind label, no sector
    qc = node(embedded_store, "org:qc")
    assert qc["labels"] == ["Entity", "Organization"] and "kind" not in qc
    assert "sector" not in qc
    # exported like every other property
    out = tmp_path / "g.json"
    export(project(embedded_store), "json", out)
    assert any(n.get("level_inferred") is True and n["id"] == "org:ms:mta"
               for n in json.loads(out.read_text())["nodes"])


def test_near_duplicates_in_the_store_include_organizations_of_no_kind_not_groups(
        tmp_path: Path, embedded_store: GraphStore) -> None:
    load(write_workbook(tmp_path / "a", organizations="""
        id,name,kind,state
        org:ms:gulf-haulers,Gulf Coast Haulers,,MS
    """, events="""
        id,name,kind,state
        event:ms:b,Build,coalition build,MS
    """, participation="""
        event_id,role,kind,name
        event:ms:b,attended,casino,Gulf Coast Casinos
    """), embedded_store)
    report = load(write_workbook(tmp_path / "b", organizations="""
        id,name,kind,state
        org:ms:gulf-coast-haulers,Gulf Coast Haulers Inc,trucking company,MS
        org:ms:casinos,Gulf Coast Casinos (unnamed),casino,MS
    """), embedded_store)
    alike = [w for w in report.warnings if "looks like the same organization" in w]
    assert len(alike) == 1 and "org:ms:gulf-haulers" in alike[0], report.warnings


def test_emptying_a_kind_removes_its_label(tmp_path: Path, embedded_store: GraphStore) -> None:
    wb = write_workbook(tmp_path / "k", organizations="""
        id,name,kind
        org:qc,Quality Carriers,trucking company
    """)
    load(wb, embedded_store)
    write_workbook(wb, organizations="""
        id,name,kind
        org:qc,Quality Carriers,
    """)
    load(wb, embedded_store)
    assert node(embedded_store, "org:qc")["labels"] == ["Entity", "Organization"]


# ------------------------------------------------------------------------------ dates

def test_dates_keep_precision_and_ranges_on_every_sheet(tmp_path: Path,
                                                        embedded_store: GraphStore) -> None:
    load(workbook(tmp_path, relationships="""
        source_id,type,target_id,date
        org:ms:mta,partners with,org:tat,2017
    """, commitments="""
        entity_id,program,kind,date
        org:ms:mta,program:tat-training,pledged,2020-02/2020-03
    """, metrics="""
        scope_id,name,value,date
        event:tx:2022-10-05:two-days,participants,at least 1045,2022-10-05/2022-10-06
    """), embedded_store)
    two = node(embedded_store, "event:tx:2022-10-05:two-days")
    assert (two["date"], two["date_precision"], two["date_end"]) == ("2022-10-05", "day",
                                                                    "2022-10-06")
    gulf = node(embedded_store, "event:ms:2020-01-16:gulfport")
    assert (gulf["date_precision"], "date_end" in gulf) == ("day", False)
    by_type = {e["t"]: e["p"] for e in edges(embedded_store, "org:ms:mta")}
    assert (by_type["PARTNERS_WITH"]["date"], by_type["PARTNERS_WITH"]["date_precision"]) == (
        "2017", "year")
    pledge = by_type["PLEDGED"]
    assert (pledge["date"], pledge["date_precision"], pledge["date_end"]) == (
        "2020-02", "month", "2020-03")
    metric = node(embedded_store, "metric:event:tx:2022-10-05:two-days:participants:2022-10-05")
    assert (metric["value"], metric["value_qualifier"], metric["value_text"],
            metric["date_end"], metric["state"]) == (1045, "at least", "at least 1045",
                                                     "2022-10-06", "TX")


# ------------------------------------------------------------------------------ laws

LAWS = """
    jurisdiction,bill,title,status,date,introduced,signed,effective,sponsors,mandates,citation,note
    Mississippi,HB 1234,CDL entry-level anti-trafficking training,signed,,2021-01,2021-03-15,2021-07-01,Rep. Pat Doe; org:ms:mta,TAT training; program:botl-training,Laws of Mississippi 2021 ch. 1,
    TX,SB 5,,introduced,,2023,,,,program:tat-training,,
    US,S. 3333,Federal bill,failed,2019-12,,,,,,,
"""


def test_laws_sheet_gives_law_nodes_mandates_and_sponsors(tmp_path: Path,
                                                          embedded_store: GraphStore) -> None:
    load(workbook(tmp_path, laws=LAWS), embedded_store)
    hb = node(embedded_store, "law:ms:hb-1234")
    assert {k: v for k, v in hb.items() if k not in ("loaded_at", "row_hash")} == {
        "id": "law:ms:hb-1234", "labels": ["Entity", "Law"],
        "name": "CDL entry-level anti-trafficking training", "bill": "HB 1234",
        "jurisdiction": "MS", "state": "MS", "status": "signed",
        "date": "2021-03-15", "date_precision": "day",  # the status's own date column
        "introduced": "2021-01", "signed": "2021-03-15", "effective": "2021-07-01",
        "citation": "Laws of Mississippi 2021 ch. 1", "source": "wb/laws.csv", "source_row": 2}
    assert {(e["t"], e["dst"]) for e in edges(embedded_store, hb["id"])} == {
        ("MANDATES", "program:tat-training"), ("MANDATES", "program:botl-training"),
        ("LOCATED_IN", "state:MS")}
    sponsors = embedded_store.read("MATCH (s)-[:SPONSORS_BILL]->(:Law {id: 'law:ms:hb-1234'}) "
                                   "RETURN s.id AS id ORDER BY id")
    assert [r["id"] for r in sponsors] == ["org:ms:mta", "person:rep-doe"]
    sb = node(embedded_store, "law:tx:sb-5")
    assert (sb["name"], sb["date"], sb["date_precision"], sb["state"]) == ("SB 5", "2023",
                                                                          "year", "TX")
    federal = node(embedded_store, "law:us:s-3333")
    assert (federal["jurisdiction"], "state" in federal, federal["date"]) == ("US", False,
                                                                           "2019-12")
    # a state that holds only a law is a state with data (TX has an event here too; the law
    # is in the TX projection on its own)
    assert "law:tx:sb-5" in project(embedded_store, Filters(states=("TX",)))


def test_laws_in_yaml(tmp_path: Path, embedded_store: GraphStore) -> None:
    wb = tmp_path / "wb.yaml"
    wb.write_text("programs:\n  - {id: program:tat-training, name: TAT training, kind: training}\n"
                  "laws:\n  - {jurisdiction: IA, bill: HF 2, status: effective,"
                  " effective: 2019-07-01, mandates: TAT training}\n", encoding="utf-8")
    load(wb, embedded_store)
    law = node(embedded_store, "law:ia:hf-2")
    assert (law["status"], law["date"], law["source"], law["source_row"]) == (
        "effective", "2019-07-01", "wb.yaml[laws]", 4)


def test_bad_law_rows_are_refused(tmp_path: Path, embedded_store: GraphStore) -> None:
    laws = """
        jurisdiction,bill,status,sponsors,mandates,signed
        MS,HB 1,signed,Sen. Nobody,,
        MS,HB 2,signed,,org:ms:mta,
        MS,HB 3,vetoed,,,
        ,HB 4,passed,,,
        MS,HB 5,signed,,,2020-01/2020-02
        MS,HB 1,passed,,,
    """
    with pytest.raises(LoadError) as info:
        load(workbook(tmp_path, laws=laws), embedded_store)
    got = {(i.row, i.column): i.message for i in info.value.issues if i.severity == "error"}
    assert set(got) == {(2, "sponsors"), (3, "mandates"), (4, "status"), (5, "jurisdiction"),
                        (6, "signed"), (7, "bill")}
    assert "neither an id nor an exact name" in got[(2, "sponsors")]
    assert "expected Program or ModelComponent" in got[(3, "mandates")]
    assert "duplicate id" in got[(7, "bill")]
    assert embedded_store.counts().nodes == 0


def test_legislation_programs_point_to_the_laws_sheet(tmp_path: Path,
                                                      embedded_store: GraphStore) -> None:
    report = load(write_workbook(tmp_path / "l", programs="""
        id,name,kind
        program:cdl,CDL mandate,legislation
    """), embedded_store)
    assert any("laws have a sheet of their own" in w for w in report.warnings)


# ------------------------------------------------------------------------------ outcomes

def test_event_id_ties_outcomes_to_their_event_without_attendance(
        tmp_path: Path, embedded_store: GraphStore) -> None:
    load(workbook(tmp_path, commitments="""
        entity_id,program,kind,status,event_id
        org:qc,program:tat-training,trained,drivers trained,event:ms:2020-01-16:gulfport
    """, relationships="""
        source_id,type,target_id,to_id,event_id,status
        org:qc,introduced,org:ata,org:tat,event:ms:2020-01-16:gulfport,planned
    """), embedded_store)
    out = sorted((e["t"], e["dst"], e["p"].get("what") or "") for e in
                 edges(embedded_store, "org:qc"))
    assert out == [("INTRODUCED", "org:ata", ""),
                   ("OUTCOME_OF", "event:ms:2020-01-16:gulfport", "INTRODUCED"),
                   ("OUTCOME_OF", "event:ms:2020-01-16:gulfport", "TRAINED"),
                   ("TRAINED", "program:tat-training", "")]
    [trained] = [e for e in edges(embedded_store, "org:qc") if e["t"] == "TRAINED"]
    assert trained["p"]["event_id"] == "event:ms:2020-01-16:gulfport"
    # no attendance was invented
    assert not embedded_store.read("MATCH (:Entity {id: 'org:qc'})-[:ATTENDED]->() RETURN 1")


def test_metrics_carry_the_state_of_their_scope(tmp_path: Path,
                                                embedded_store: GraphStore) -> None:
    load(workbook(tmp_path, metrics="""
        scope_id,name,value
        MS,coalition builds,3
        org:ms:biloxi-pd,tips,2
        org:tat,trainings,over 1000
    """), embedded_store)
    states = {r["name"]: r["state"] for r in embedded_store.read(
        "MATCH (m:Metric) RETURN m.name AS name, m.state AS state")}
    assert states == {"coalition builds": "MS", "tips": "MS", "trainings": None}
