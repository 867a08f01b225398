"""`coalition import attendees` on the real embedded store, with exports as tools write them.

Every export here is SYNTHETIC: invented people and organizations of an invented build in
Springfield, IL. The expected plans are worked out by hand from the rules in docs/intake.md.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from graph import queries
from graph.errors import LoadError
from graph.projection import project
from graph.store import GraphStore
from loaders.attendees import import_attendees, review_path, review_yaml
from loaders.load import load
from tests.conftest import write_workbook
from tests.loaders.test_load import snapshot

EVENT = "event:il:2026-03-10:springfield-build"


@pytest.fixture
def graph(embedded_store: GraphStore, tmp_path: Path) -> GraphStore:
    """SYNTHETIC: what the graph holds before the export comes in."""
    embedded_store.ensure_schema()
    load(write_workbook(
        tmp_path / "base",
        organizations="""
            id,name,kind,state,aliases
            org:il:isp,Illinois State Police,law enforcement,IL,ISP
            org:il:sangamon-county-sheriffs-office,Sangamon County Sheriff's Office,law enforcement,IL,
        """,
        people="""
            id,name,organization_id,title
            person:il:isp:dana-reyes,Dana Reyes,org:il:isp,Lieutenant
        """,
        events=f"""
            id,name,kind,date,state
            {EVENT},Springfield Coalition Build,coalition build,2026-03-10,IL
        """), embedded_store)
    return embedded_store


#: SYNTHETIC sign-in sheet, saved by Excel as "CSV UTF-8": a BOM, CRLF line ends
EXCEL_ROWS = [
    "First Name,Last Name,Organization,Job Title,Email,Phone,Checked In",
    "Ava,Stone,Springfield PD,Detective,ava.stone@example.org,555-0101,Yes",
    "Ben,Okafor,Springfield Police Department,Sergeant,,,Y",
    "Cara,Lind,ISP,Trooper,,,x",
    "Dan,Wu,Pilot Travel Center #412,Manager,,,✓",
    "Eve,Marsh,Sangamon County Sherif's Office,Deputy,,,TRUE",
    "Finn,Hale,Illinois Trucking Association,Director,,,No",
    'Gus,Park,"Midwest Freight, LLC",Safety Manager,,,n',
    "Hana,Ito,Prairie Hope Advocacy Center,Advocate,,,",
    "Ava,Stone,Springfield PD,Detective,,,",
    "Dana,Reyes,Illinois State Police,Lieutenant,,,Yes",
]


def excel_csv(folder: Path, rows: list[str] = EXCEL_ROWS) -> Path:
    path = folder / "signin.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode("utf-8") + b"\r\n")
    return path


def test_excel_csv_plan_by_hand(graph: GraphStore, tmp_path: Path) -> None:
    plan = import_attendees(excel_csv(tmp_path), graph, event_id=EVENT, dry_run=True).as_dict()
    matched = {(m["name"], m["id"], m["by"]) for m in plan["organizations"]["matched"]}
    # ISP is an alias, "Illinois State Police" the name, of one organization of the graph
    assert matched == {("ISP", "org:il:isp", "alias"),
                       ("Illinois State Police", "org:il:isp", "name")}
    created = {c["id"]: c for c in plan["organizations"]["created"]}
    assert {i: (c["name"], c["kind"], c["rule"], c["confidence"]) for i, c in created.items()} == {
        # "Springfield PD" and "Springfield Police Department" are one: PD is police department
        "org:il:springfield-police-department": (
            "Springfield Police Department", "law enforcement", "the words 'police'", 0.9),
        "org:il:pilot-travel-center-412": (
            "Pilot Travel Center #412", "truck stop", "the words 'pilot'", 0.8),
        # a misspelt sheriff: no law-enforcement word, so the weak "office" rule, for review
        "org:il:sangamon-county-sherifs-office": (
            "Sangamon County Sherif's Office", "state agency", "the words 'office'", 0.4),
        "org:il:illinois-trucking-association": (
            "Illinois Trucking Association", "trade association",
            "the words 'trucking association'", 0.9),
        "org:il:midwest-freight": ("Midwest Freight, LLC", "trucking company",
                                   "the words 'freight'", 0.7),
        "org:il:prairie-hope-advocacy-center": (
            "Prairie Hope Advocacy Center", "victim services", "the words 'advocacy'", 0.7),
    }
    assert created["org:il:springfield-police-department"]["aliases"] == ["Springfield PD"]
    # levels as the loader infers them: "Police Department" local, "County" county, a
    # state's name first state, companies none
    assert {i: c["level"] for i, c in created.items()} == {
        "org:il:springfield-police-department": "local",
        "org:il:pilot-travel-center-412": None,
        "org:il:sangamon-county-sherifs-office": "county",
        "org:il:illinois-trucking-association": "state",
        "org:il:midwest-freight": None,
        "org:il:prairie-hope-advocacy-center": None}
    # close to the graph's sheriff's office: shown for review, never merged
    assert created["org:il:sangamon-county-sherifs-office"]["similar"][0].startswith(
        "org:il:sangamon-county-sheriffs-office (Sangamon County Sheriff's Office, ")
    people = {p["id"]: (p["attendance"], p["rows"], p["in_graph"]) for p in plan["people"]}
    assert people == {
        "person:il:springfield-police-department:ava-stone": ("attended", [2, 10], False),
        "person:il:springfield-police-department:ben-okafor": ("attended", [3], False),
        "person:il:isp:cara-lind": ("attended", [4], False),
        "person:il:pilot-travel-center-412:dan-wu": ("attended", [5], False),
        "person:il:sangamon-county-sherifs-office:eve-marsh": ("attended", [6], False),
        "person:il:illinois-trucking-association:finn-hale": ("registered", [7], False),
        "person:il:midwest-freight:gus-park": ("registered", [8], False),
        "person:il:prairie-hope-advocacy-center:hana-ito": ("registered", [9], False),
        "person:il:isp:dana-reyes": ("attended", [11], True),  # already in the graph
    }
    assert plan["attendance"] == {"attended": 6, "registered": 3}
    # contact details only as which ones were given, never their values
    ava = next(p for p in plan["people"] if p["name"] == "Ava Stone")
    assert ava["contact"] == ["email", "phone"]
    assert "example.org" not in str(plan) and "555-0101" not in str(plan)
    load_report = plan["load"]
    assert load_report["nodes"]["Person"] == {"created": 8, "updated": 0, "unchanged": 0}
    assert load_report["relationships"]["ATTENDED"]["created"] == 6
    assert load_report["relationships"]["REGISTERED"]["created"] == 3
    assert load_report["relationships"]["WORKS_FOR"]["created"] == 8
    assert load_report["written"] == 0


def test_import_writes_once_and_twice_changes_nothing(graph: GraphStore, tmp_path: Path
                                                      ) -> None:
    path = excel_csv(tmp_path)
    first = import_attendees(path, graph, event_id=EVENT)
    # 6 organizations + 8 people, and 8 WORKS_FOR + 6 ATTENDED + 3 REGISTERED + 6 LOCATED_IN
    assert first.report.written == 14 + 23
    before = snapshot(graph)
    second = import_attendees(path, graph, event_id=EVENT)
    assert second.report.written == 0
    assert snapshot(graph) == before
    g = project(graph, include_contacts=True)
    ava = "person:il:springfield-police-department:ava-stone"
    assert g.nodes[ava]["email"] == "ava.stone@example.org"
    assert g.has_edge(ava, "org:il:springfield-police-department")
    pd = g.nodes["org:il:springfield-police-department"]
    assert (pd["kind"], pd["level"], pd["state"], pd["aliases"]) == (
        "law enforcement", "local", "IL", ["Springfield PD"])
    assert "email" not in project(graph).nodes[ava]  # contacts only for who may see them
    # the person already in the graph is referred to, not rewritten
    assert g.nodes["person:il:isp:dana-reyes"]["source"] == "base/people.csv"


def test_review_file_corrects_guesses(graph: GraphStore, tmp_path: Path) -> None:
    path = excel_csv(tmp_path)
    plan = import_attendees(path, graph, event_id=EVENT, dry_run=True)
    review = yaml.safe_load(review_yaml(plan))
    entries = {e["name"]: e for e in review["organizations"]}
    assert set(entries) == {"Springfield Police Department", "Pilot Travel Center #412",
                            "Sangamon County Sherif's Office", "Illinois Trucking Association",
                            "Midwest Freight, LLC", "Prairie Hope Advocacy Center"}
    assert entries["Pilot Travel Center #412"]["guessed"] == \
        "truck stop by the words 'pilot' (0.80)"
    # a person decides: the sheriff's office is the graph's; the advocacy centre a nonprofit
    entries["Sangamon County Sherif's Office"]["match"] = "org:il:sangamon-county-sheriffs-office"
    entries["Prairie Hope Advocacy Center"]["kind"] = "nonprofit"
    review_path(path).write_text(yaml.safe_dump(review), encoding="utf-8")
    done = import_attendees(path, graph, event_id=EVENT)
    g = project(graph)
    assert "org:il:sangamon-county-sherifs-office" not in g
    assert g.has_edge("person:il:sangamon-county-sheriffs-office:eve-marsh",
                      "org:il:sangamon-county-sheriffs-office")
    assert g.nodes["org:il:prairie-hope-advocacy-center"]["kind"] == "nonprofit"
    assert {m["id"] for m in done.as_dict()["organizations"]["matched"]} == {
        "org:il:isp", "org:il:sangamon-county-sheriffs-office"}
    # corrected after the write: the next import updates the organization it created
    entries["Pilot Travel Center #412"]["kind"] = "casino"
    review_path(path).write_text(yaml.safe_dump(review), encoding="utf-8")
    again = import_attendees(path, graph, event_id=EVENT)
    assert again.report.nodes.updated == {"Casino": 1}
    assert project(graph).nodes["org:il:pilot-travel-center-412"]["kind"] == "casino"


def test_python_csv_with_map(graph: GraphStore, tmp_path: Path) -> None:
    """SYNTHETIC registration export written by Python's csv module: doubled quotes, a comma
    in a cell, other column names, one of them given with --map."""
    path = tmp_path / "registrations.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Name", "Agency Represented", "Position", "E-mail", "Attended"])
        w.writerow(["Ira Bell", "Illinois DOT", 'Coordinator, "HT" desk', "", "yes"])
        w.writerow(["Jo Kim", "Illinois Department of Transportation", "Planner", "", "no"])
        w.writerow(["Lee Fox", "", "Volunteer", "", "Y"])
    plan = import_attendees(path, graph, event_id=EVENT, mapping={"Agency Represented":
                                                                  "organization"})
    d = plan.as_dict()
    assert d["columns"]["organization"] == "agency represented"
    [org] = d["organizations"]["created"]
    assert (org["id"], org["kind"], org["aliases"]) == (
        "org:il:illinois-department-of-transportation", "state agency", ["Illinois DOT"])
    g = project(graph)
    assert g.nodes["person:il:illinois-department-of-transportation:ira-bell"]["title"] == \
        'Coordinator, "HT" desk'
    assert "person:lee-fox" in g  # no organization: a person of their own
    assert {p["id"]: p["attendance"] for p in d["people"]} == {
        "person:il:illinois-department-of-transportation:ira-bell": "attended",
        "person:il:illinois-department-of-transportation:jo-kim": "registered",
        "person:lee-fox": "attended"}


def test_xlsx_from_openpyxl(graph: GraphStore, tmp_path: Path) -> None:
    """SYNTHETIC check-in export as an .xlsx: booleans for presence, a phone as a number."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Check-ins"
    ws.append(["Full Name", "Employer", "Title", "Phone", "Present"])
    ws.append(["Max Ruiz", "Lincoln Land Casino", "Security Lead", 2175550123, True])
    ws.append(["Nia Dorsey", "Capitol Coach Lines", "Dispatcher", None, False])
    path = tmp_path / "checkins.xlsx"
    wb.save(path)
    d = import_attendees(path, graph, event_id=EVENT).as_dict()
    assert d["file"] == "checkins.xlsx[Check-ins]"
    assert {c["id"]: c["kind"] for c in d["organizations"]["created"]} == {
        "org:il:lincoln-land-casino": "casino", "org:il:capitol-coach-lines": "bus company"}
    assert d["attendance"] == {"attended": 1, "registered": 1}
    g = project(graph, include_contacts=True)
    assert g.nodes["person:il:lincoln-land-casino:max-ruiz"]["phone"] == "2175550123"


def test_bad_rows_are_refused_and_the_graph_stays(graph: GraphStore, tmp_path: Path) -> None:
    before = snapshot(graph)
    path = excel_csv(tmp_path, [*EXCEL_ROWS[:3], "Olga,Sand,Springfield PD,,,,maybe",
                                "Pat,Lowe,Springfield PD,Survivor advocate,,,Yes"])
    with pytest.raises(LoadError) as e:
        import_attendees(path, graph, event_id=EVENT)
    shown = [str(i) for i in e.value.issues]
    assert shown[0] == ("signin.csv, row 4, column 'checked in': not a yes or no; write "
                        "yes/no, Y/N, x, ✓ or TRUE/FALSE (empty means not present) "
                        "(value: 'maybe')")
    assert shown[1].startswith("signin.csv, row 5, column 'job title': survivors and victims")
    # a problem only the loader finds comes back in the export's own terms
    long = "x" * 200_000
    path = excel_csv(tmp_path, [EXCEL_ROWS[0], f"Quinn,Ash,Springfield PD,{long},,,Yes"])
    with pytest.raises(LoadError) as e:
        import_attendees(path, graph, event_id=EVENT)
    assert any(i.row == 2 and i.column == "job title" for i in e.value.issues)
    with pytest.raises(LoadError, match="event:il:nowhere is not in the graph"):
        import_attendees(excel_csv(tmp_path), graph, event_id="event:il:nowhere")
    assert snapshot(graph) == before
    ava = "person:il:springfield-police-department:ava-stone"
    assert graph.read(queries.NODES_BY_ID, {"ids": [ava]}) == []


def test_a_derived_id_the_graph_holds_is_never_written_over(graph: GraphStore,
                                                            tmp_path: Path) -> None:
    """The graph's org:il:lincoln-casino is named otherwise: an export's "Lincoln Casino"
    would derive that id; it is taken as the graph's, listed for review, and not rewritten."""
    load(write_workbook(tmp_path / "more", organizations="""
        id,name,kind,state
        org:il:lincoln-casino,Lincoln Riverboat,casino,IL
    """), graph)
    before = snapshot(graph)
    path = excel_csv(tmp_path, [EXCEL_ROWS[0], "Ray,Moss,Lincoln Casino,Host,,,Yes"])
    plan = import_attendees(path, graph, event_id=EVENT)
    [org] = plan.organizations.values()
    assert (org.id, org.status, org.matched_by) == ("org:il:lincoln-casino", "matched",
                                                    "id (derived)")
    assert "Lincoln Casino: its id org:il:lincoln-casino is the graph's 'Lincoln Riverboat'" \
        in plan.review[0]
    assert [e["name"] for e in yaml.safe_load(review_yaml(plan))["organizations"]] == [
        "Lincoln Casino"]
    nodes, _ = snapshot(graph)
    assert {n for n in nodes if n[0] == "org:il:lincoln-casino"} == \
        {n for n in before[0] if n[0] == "org:il:lincoln-casino"}
