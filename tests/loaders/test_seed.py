"""The seed dataset states what the five source documents state, and nothing they do not."""

from __future__ import annotations

import csv
import re

import pytest

from graph.projection import Filters, project
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import REPO, SEED

SOURCES = REPO.parent / "shared" / "seeds"


@pytest.fixture
def seeded(embedded_store: GraphStore) -> GraphStore:
    load(SEED, embedded_store)
    return embedded_store


def one(store: GraphStore, q: str, **params: object) -> dict:
    rows = store.read(q, params)
    assert len(rows) == 1, rows
    return rows[0]


def test_gulfport_build(seeded: GraphStore) -> None:
    e = one(seeded, "MATCH (e:Event {id: $id}) RETURN e.date AS date, e.state AS state, "
            "e.city AS city", id="event:ms:2020-01-16:gulfport-coalition-build")
    assert e == {"date": "2020-01-16", "state": "MS", "city": "Gulfport"}
    metrics = {r["name"]: r["value"] for r in seeded.read(
        "MATCH (:Event {id: $id})-[:HAS_METRIC]->(m) RETURN m.name AS name, m.value AS value",
        {"id": "event:ms:2020-01-16:gulfport-coalition-build"})}
    assert metrics["participants"] == 67
    assert metrics["survey response rate"] == 75
    assert metrics["know next steps"] == 92
    assert metrics["casinos represented"] == 3  # a count: the casinos are not named


def test_gulfport_outcomes(seeded: GraphStore) -> None:
    t = one(seeded, "MATCH (o {name: 'Ergon Trucking'})-[r:TRAINED]->(p:Program) "
            "RETURN p.name AS program, r.status AS status")
    assert t["program"] == "TAT training" and "entire fleet" in t["status"]
    tips = one(seeded, "MATCH (:Organization {id: 'org:ms:biloxi-police-department'})"
               "-[:HAS_METRIC]->(m) RETURN m.value AS value, m.note AS note")
    assert tips["value"] == 2 and "casino employees" in tips["note"]
    hosts = {r["id"] for r in seeded.read(
        "MATCH (o)-[:HOSTED]->(:Event {id: 'event:ms:2020-01-16:gulfport-coalition-build'}) "
        "RETURN o.id AS id")}
    assert hosts == {"org:tat", "org:ms:mississippi-trucking-association"}
    introduced = seeded.read("MATCH (:Organization {name: 'Total Transportation'})"
                             "-[r:INTRODUCED]->(s:Shipper) RETURN s.name AS name, r.to_id AS to")
    assert len(introduced) == 8 and {r["to"] for r in introduced} == {"org:tat"}


def test_stockton_build(seeded: GraphStore) -> None:
    e = one(seeded, "MATCH (e:Event {city: 'Stockton'}) RETURN e.date AS date, e.state AS s")
    assert e == {"date": "2022-11-09", "s": "CA"}
    cohosts = {r["name"] for r in seeded.read(
        "MATCH (o)-[r:HOSTED {role: 'co-hosted'}]->(:Event {city: 'Stockton'}) "
        "RETURN o.name AS name")}
    assert cohosts == {"San Joaquin District Attorney's Office", "California Trucking Association",
                       "California Association for Coordinated Transportation",
                       "San Joaquin Regional Transit District",
                       "San Joaquin Family Justice Center"}
    pledge = one(seeded, "MATCH (o:TransitAgency)-[r:PLEDGED]->(p:Program) "
                 "RETURN o.name AS o, p.name AS p, r.count AS n")
    assert pledge == {"o": "San Joaquin Regional Transit District", "p": "BOTL training",
                      "n": 250}
    sponsor = one(seeded, "MATCH (:Organization {name: 'Moss Adams'})-[r:SPONSORS]->(t) "
                  "RETURN t.id AS t, r.status AS s")
    assert sponsor == {"t": "org:tat", "s": "Silver-level corporate sponsor"}


def test_referral_chain_menomonee_falls_to_quality_carriers(seeded: GraphStore) -> None:
    chain = one(seeded, """
        MATCH (e:Event)<-[:ATTENDED]-(p:Person)-[r:REFERRED]->(q:Organization)
        MATCH (p)-[:WORKS_FOR]->(c:Organization)
        RETURN e.name AS event, e.date AS date, p.name AS who, c.name AS org, q.name AS referred,
               r.to_id AS to, r.event_id AS via""")
    assert chain == {"event": "Menomonee Falls Coalition Build", "date": "2014-07",
                     "who": "Neal Lofy", "org": "Racine Coalition Against Human Trafficking",
                     "referred": "Quality Carriers", "to": "org:tat",
                     "via": "event:wi:2014-07:menomonee-falls-coalition-build"}
    # and the chain is connected in the projected graph
    import networkx as nx

    g = project(seeded).to_undirected(as_view=True)
    path = nx.shortest_path(g, "event:wi:2014-07:menomonee-falls-coalition-build",
                            "org:quality-carriers")
    assert path[1] == "person:racine-coalition-against-human-trafficking:neal-lofy"


def test_mississippi_history_and_mve(seeded: GraphStore) -> None:
    builds = seeded.read("MATCH (e:Event {state: 'MS', kind: 'coalition build'}) "
                         "RETURN e.city AS city, e.date AS date ORDER BY date, city")
    assert builds == [{"city": "Jackson", "date": "2017"}, {"city": "Tupelo", "date": "2017"},
                      {"city": "Gulfport", "date": "2020-01-16"}]
    comp = one(seeded, "MATCH (c:ModelComponent)-[:PART_OF]->(m:Program) "
               "RETURN c.name AS c, m.name AS m")
    assert comp["m"] == "Iowa MVE Model" and "wallet cards" in comp["c"]
    six = one(seeded, "MATCH (:Program {name: 'Iowa MVE Model'})-[:HAS_METRIC]->(m) "
              "RETURN m.value AS n")
    assert six["n"] == 6  # the documents say six; they name one, so only one is a node


def test_survivors_have_no_personal_details(seeded: GraphStore) -> None:
    rows = seeded.read("MATCH (p:Person) WHERE p.role CONTAINS 'survivor' "
                       "RETURN properties(p) AS p")
    assert len(rows) == 2
    for r in rows:
        assert r["p"]["anonymous"] is True and "(anonymous)" in r["p"]["name"]
        assert not {"email", "phone", "title"} & set(r["p"])


def test_every_row_cites_a_source_document() -> None:
    names = {p.name for p in SOURCES.glob("*.txt")} if SOURCES.exists() else set()
    for f in SEED.glob("*.csv"):
        for i, row in enumerate(csv.DictReader(open(f, encoding="utf-8")), start=2):
            cite = row["citation"]
            assert re.fullmatch(r"seeds/\d{3}_[0-9a-f]{16}\.txt", cite), (f.name, i)
            if names:
                assert cite.removeprefix("seeds/") in names, (f.name, i, cite)


def test_named_organizations_appear_in_their_cited_document() -> None:
    """Nothing invented: every organization's name (or an alias) is in the document it cites."""
    if not SOURCES.exists():
        pytest.skip(f"source documents not found at {SOURCES}")
    for row in csv.DictReader(open(SEED / "organizations.csv", encoding="utf-8")):
        text = (SOURCES / row["citation"].removeprefix("seeds/")).read_text().lower()
        names = [row["name"], *row["aliases"].split(";")]
        core = [re.sub(r"\s*\(.*\)$", "", n).strip().lower() for n in names if n.strip()]
        assert any(c in text for c in core), (row["id"], row["citation"])


def test_mississippi_projection_holds_its_coalition(seeded: GraphStore) -> None:
    g = project(seeded, Filters(states=("MS",)))
    assert "org:ms:biloxi-police-department" in g and "org:tat" in g  # TAT: stateless neighbour
    assert "org:ca:san-joaquin-family-justice-center" not in g
    assert g.nodes["event:ms:2020-01-16:gulfport-coalition-build"]["label"] == "Event"
