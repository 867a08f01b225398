"""The rules, one at a time, on short SYNTHETIC texts: kinds from names, acronyms, people,
roles, figures with their bounds, outcome sentences, and privacy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from graph import model
from loaders.extract import draft_report, load_gazetteer
from loaders.extract.draft import write
from loaders.gazetteer import GAZETTEER
from loaders.load import plan_workbook
from tests.conftest import REPO


def draft(tmp_path: Path, text: str, name: str = "report.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return draft_report(path)


def rows(d, sheet: str) -> list[dict]:
    return [r.cells for r in d.sheet(sheet)]


def by_name(d) -> dict[str, dict]:
    return {r["name"]: r for r in rows(d, "organizations")}


@pytest.mark.parametrize("name, kind", [
    ("Springfield Police Department", "law enforcement"),
    ("Springfield PD", "law enforcement"),
    ("Harris County Sheriff's Office", "law enforcement"),
    ("Arkansas Highway Patrol", "law enforcement"),
    ("Michigan State Police", "law enforcement"),
    ("Pilot Travel Center 123", "truck stop"),
    ("Big Sky Travel Plaza", "truck stop"),
    ("Love's Travel Stop #245", "truck stop"),
    ("Flying J", "truck stop"),
    ("TA Express", "truck stop"),
    ("Petro", "truck stop"),
    ("Lucky Star Casino", "casino"),
    ("Kansas Department of Transportation", "state agency"),
    ("Ohio Bureau of Motor Vehicles", "state agency"),
    ("Utah Department of Revenue", "state agency"),
    ("Texas Trucking Association", "trade association"),
    ("Swift River Trucking", "trucking company"),
    ("Acme Transport", "trucking company"),
    ("Blue Ridge Freight", "trucking company"),
    ("Gulf Carriers", "trucking company"),
    ("Delta Logistics", "trucking company"),
    ("Metro Bus", "bus company"),
    ("Peach State Coach", "bus company"),
    ("Greyhound Lines", "bus company"),
    ("Capital Area Transit", "transit agency"),
    ("Gulf Coast Human Trafficking Task Force", "task force"),
    ("Victim Services of Tulsa", "victim services"),
    ("Child Advocacy Center of Ada County", "victim services"),
    ("Pima County Family Justice Center", "victim services"),
    ("Harris County District Attorney's Office", "prosecutor"),
    ("Office of the Attorney General", "prosecutor"),
    ("Federal Motor Carrier Safety Administration", "federal agency"),
    ("Marathon Oil", "energy company"),
    ("Central Valley Justice Coalition", "nonprofit"),
])
def test_kind_from_the_words_of_a_name(name: str, kind: str) -> None:
    guess = load_gazetteer().guess_kind(name)
    assert guess is not None and guess.kind == kind, (name, guess)
    assert 0 < guess.confidence <= 1 and guess.rule


def test_every_kind_rule_is_a_workbook_kind_and_is_documented() -> None:
    rules = yaml.safe_load(GAZETTEER.read_text())["kind_rules"]
    doc = (REPO / "docs" / "intake.md").read_text()
    for r in rules:
        assert r["kind"] in model.ORG_KINDS
        assert f"| {r['kind']} |" in doc, f"docs/intake.md does not list the rule for {r['kind']}"


def test_an_acronym_in_parentheses_is_an_alias_and_its_uses_resolve(tmp_path: Path) -> None:
    d = draft(tmp_path, "HOUSTON, TX - MAY 2, 2023\n\nThe Texas Trucking Association (TTA) "
              "and Truckers Against Trafficking co-hosted a coalition build.\n\nTTA has "
              "pledged to train 90 drivers with TAT training.\n")
    tta = by_name(d)["Texas Trucking Association"]
    assert tta["aliases"] == "TTA" and tta["kind"] == "trade association"
    assert tta["state"] == "TX"  # "Texas" in its name
    assert {(c["entity_id"], c["kind"], c["count"]) for c in rows(d, "commitments")} == \
        {(tta["id"], "pledged", 90)}


def test_people_with_their_titles_and_organizations(tmp_path: Path) -> None:
    d = draft(tmp_path, "AUSTIN, TX - JUNE 1, 2022\n\nThe Austin Police Department and the "
              "Texas Office of the Attorney General hosted a coalition build. Attorney General "
              "Ken Paxby opened the meeting.\n\n\"We will use this,\" Detective Jo Ruiz, Austin "
              "Police Department.\n\nFor details contact Sam Lee at sam@austinpd.example.\n")
    people = {p["name"]: p for p in rows(d, "people")}
    orgs = by_name(d)
    assert people["Ken Paxby"]["title"] == "Attorney General"
    assert people["Ken Paxby"]["organization_id"] == \
        orgs["Texas Office of the Attorney General"]["id"]
    assert people["Jo Ruiz"]["title"] == "Detective" and people["Jo Ruiz"]["role"] == "detective"
    assert people["Jo Ruiz"]["organization_id"] == orgs["Austin Police Department"]["id"]
    assert people["Sam Lee"]["email"] == "sam@austinpd.example"
    spoke = {p["entity_id"] for p in rows(d, "participation") if p["role"] == "spoke"}
    assert people["Ken Paxby"]["id"] in spoke


def test_the_outcome_sentence_of_the_issue(tmp_path: Path) -> None:
    d = draft(tmp_path, "Outcomes\n\n- San Marcos Transit has pledged to train 250 employees "
              "with BOTL training.\n")
    (c,) = rows(d, "commitments")
    (p,) = rows(d, "programs")
    assert (c["kind"], c["count"], p["name"], p["kind"]) == ("pledged", 250, "BOTL training",
                                                             "training")
    assert c["entity_id"] == by_name(d)["San Marcos Transit"]["id"]


@pytest.mark.parametrize("sentence, kind", [
    ("Red Oak Freight has implemented TAT training with its drivers.", "trained"),
    ("Red Oak Freight adopted TAT training for its 40 drivers.", "adopted"),
    ("Red Oak Freight will distribute TAT wallet cards at its terminals.", "distributes"),
    ("Red Oak Freight is considering TAT training for new hires.", "considering"),
    ("Red Oak Freight expressed interest in the TAT Casino webinar.", "considering"),
    ("Red Oak Freight is exploring TAT training.", "considering"),
    ("Red Oak Freight committed to train 40 drivers with TAT training.", "pledged"),
])
def test_outcome_verbs(tmp_path: Path, sentence: str, kind: str) -> None:
    (c,) = rows(draft(tmp_path, sentence + "\n"), "commitments")
    assert c["kind"] == kind


def test_a_negated_outcome_is_no_commitment(tmp_path: Path) -> None:
    d = draft(tmp_path, "Wallet cards are a component not previously implemented in Iowa by "
              "the Iowa Department of Transportation.\n")
    assert rows(d, "commitments") == []


def test_counts_and_survey_shares_with_their_bounds_as_written(tmp_path: Path) -> None:
    d = draft(tmp_path, "MOBILE, AL - MAY 5, 2021\n\nOver 70 participants attended the "
              "coalition build. 91% of respondents said they know what next steps to take, "
              "and 97% said they would recommend it. Representatives from 4 local casinos "
              "were in attendance.\n")
    metrics = {m["name"]: m for m in rows(d, "metrics")}
    part = metrics["participants"]
    assert part["value"] == "Over 70" and part["unit"] == "people"
    assert "more than 70" in part["note"] and "'Over 70 participants'" in part["note"]
    assert metrics["know next steps"]["value"] == 91
    assert metrics["would recommend"]["value"] == 97
    assert "casinos represented" not in metrics  # unnamed: a group of 4, not a figure
    (group,) = [p for p in rows(d, "participation") if not p["entity_id"]]
    assert (group["kind"], group["count"], group["level"], group["unit"], group["name"]) == \
        ("casino", 4, "local", "organizations", "local casinos")
    assert all(m["scope_id"] == "event:al:2021-05-05:mobile-coalition-build" and
               m["date"] == "2021-05-05" for m in metrics.values())
    assert not any("casino" in o["name"].lower() for o in rows(d, "organizations"))


def test_survivors_are_anonymous_and_victims_never_drafted(tmp_path: Path) -> None:
    text = ("RENO, NV - APRIL 9, 2024\n\nTruckers Against Trafficking hosted a coalition "
            "build. Survivor-leader Jane Roe shared her story, and attendees heard a survivor "
            "speak about recovery.\n\nA victim, Ana Cruz, was recovered after a tip. Lena "
            "Park, a trafficking survivor, thanked the officers.\n")
    d = draft(tmp_path, text)
    cells = " ".join(str(v) for r in d.rows for v in r.cells.values())
    for name in ("Jane Roe", "Jane", "Roe", "Ana Cruz", "Cruz", "Lena Park"):
        assert name not in cells
    people = rows(d, "people")
    assert [p["role"] for p in people] == ["survivor-leader"]
    assert not people[0].get("name") and people[0]["id"].startswith("person:survivor-leader:")
    out = tmp_path / "draft"
    write(d, out)
    plan = plan_workbook(out, None, fuzzy_threshold=92)
    assert not plan.errors
    (node,) = [n for n in plan.nodes.values() if n.labels[0] == "Person"]
    assert node.props["anonymous"] is True and "(anonymous)" in node.props["name"]
    assert "[name withheld]" in node.props["note"]


def test_numbered_sites_of_a_chain_are_distinct_truck_stops(tmp_path: Path) -> None:
    d = draft(tmp_path, "Representatives from Love's Travel Stop #245, Love's Travel Stop "
              "#246 and Pilot Travel Center 123 were in attendance.\n")
    orgs = by_name(d)
    assert {"Love's Travel Stop #245", "Love's Travel Stop #246", "Pilot Travel Center 123"} \
        <= set(orgs)
    assert {orgs[n]["kind"] for n in orgs} == {"truck stop"}
    assert len({o["id"] for o in orgs.values()}) == len(orgs)


def test_generic_agencies_only_from_what_happened_where(tmp_path: Path) -> None:
    d = draft(tmp_path, "BILLINGS, MT - MAY 1, 2022\n\nGoals\n\n1. Gather leaders from the "
              "Department of Public Safety and the State Trucking Association.\n\nAs a result "
              "of the build, the DMV has agreed to review TAT wallet cards.\n")
    names = set(by_name(d))
    assert "DMV (Montana)" in names
    assert not names & {"Department of Public Safety", "State Trucking Association"}
    assert by_name(d)["DMV (Montana)"]["state"] == "MT"


def test_every_row_cites_the_report_and_quotes_its_sentence(tmp_path: Path) -> None:
    d = draft(tmp_path, "OMAHA, NE - MARCH 2, 2023\n\nThe Nebraska Trucking Association "
              "hosted a coalition build. There were 55 participants at the meeting. For "
              "details contact Kim Shaw at kim@example.org or 402-555-0100.\n", "omaha.md")
    assert d.rows
    for r in d.rows:
        assert r.cells["citation"] == "omaha.md"
        assert r.cells["note"].startswith(f"draft {r.confidence:.2f} (")
        assert r.sentence in r.cells["note"]
        assert "kim@example.org" not in r.cells["note"] and "555-0100" not in r.cells["note"]
    (kim,) = rows(d, "people")
    assert (kim["email"], kim["phone"]) == ("kim@example.org", "402-555-0100")
