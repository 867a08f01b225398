"""Loading behaviour: idempotency, diffs, partial loads, containers, resolution, privacy."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
import yaml

from graph.errors import LoadError
from graph.projection import project
from graph.store import GraphStore
from loaders.load import load
from loaders.sources import SHEETS
from tests.conftest import SEED, write_workbook


def snapshot(store: GraphStore) -> tuple[set, set]:
    """Everything in the graph but load times: nodes with properties, edges with keys."""
    g = project(store, include_contacts=True)
    nodes = {(n, tuple(sorted((k, str(v)) for k, v in d.items() if k != "loaded_at")))
             for n, d in g.nodes(data=True)}
    edges = {(u, v, k, tuple(sorted((a, str(b)) for a, b in d.items() if a != "loaded_at")))
             for u, v, k, d in g.edges(keys=True, data=True)}
    return nodes, edges


def test_second_load_changes_nothing(store: GraphStore) -> None:
    first = load(SEED, store)
    before = snapshot(store)
    times = {r["t"] for r in store.read("MATCH (n:Entity) RETURN n.loaded_at AS t")}
    second = load(SEED, store)
    assert first.written > 0 and second.written == 0
    assert sum(second.nodes.unchanged.values()) == sum(first.nodes.created.values())
    assert snapshot(store) == before
    assert {r["t"] for r in store.read("MATCH (n:Entity) RETURN n.loaded_at AS t")} == times


def test_dry_run_diffs_and_writes_nothing(tmp_path: Path, store: GraphStore) -> None:
    report = load(SEED, store, dry_run=True)
    assert store.counts().nodes == 0
    assert report.nodes.created["Event"] == 7 and report.written > 0
    load(SEED, store)
    wb = tmp_path / "seed"
    wb.mkdir()
    for f in SEED.glob("*.csv"):
        text = f.read_text(encoding="utf-8")
        if f.name == "events.csv":
            text = text.replace("A half-day training", "A half-day briefing")
        (wb / f.name).write_text(text, encoding="utf-8")
    report = load(wb, store, dry_run=True)
    # Same folder name, so provenance is the same: only the edited event is an update.
    assert sum(report.nodes.created.values()) == 0
    assert report.nodes.updated == {"Event": 1}
    assert report.nodes.unchanged["Event"] == 6


def test_update_replaces_properties(tmp_path: Path, store: GraphStore) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state,city
        org:x,X Stop,truck stop,MS,Biloxi
    """)
    load(wb, store)
    write_workbook(wb, organizations="""
        id,name,kind,state
        org:x,X Casino,casino,MS
    """)
    report = load(wb, store)
    assert report.nodes.updated == {"Casino": 1}
    [row] = store.read("MATCH (n:Entity {id: 'org:x'}) RETURN n.name AS name, n.city AS city, "
                       "labels(n) AS labels")
    assert row["name"] == "X Casino" and row["city"] is None
    assert "TruckStop" not in row["labels"] and "Casino" in row["labels"]


def test_skip_invalid_writes_valid_rows_and_a_rejects_file(tmp_path: Path,
                                                           store: GraphStore) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state
        org:a,A Stop,truck stop,MS
        org:b,B Bar,saloon,MS
    """, relationships="""
        source_id,type,target_id
        org:a,local contact,org:b
    """)
    with pytest.raises(LoadError):
        load(wb, store)
    assert store.counts().nodes == 0
    report = load(wb, store, skip_invalid=True)
    assert report.rejected_rows == 2  # the bad row and the row that depends on it
    ids = {r["id"] for r in store.read("MATCH (n:Organization) RETURN n.id AS id")}
    assert ids == {"org:a"}
    rejects = list(csv.DictReader(open(report.rejects_file, encoding="utf-8")))
    where = {(r["file"], r["row"]) for r in rejects}
    assert where == {("organizations.csv", "3"), ("relationships.csv", "2")}
    assert any("saloon" in r["problems"] for r in rejects)


def _as_xlsx(src: Path, dest: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in SHEETS:
        f = src / f"{name}.csv"
        if f.exists():
            ws = wb.create_sheet(name)
            for row in csv.reader(open(f, encoding="utf-8")):
                ws.append(row)
    wb.save(dest)
    return dest


def _as_yaml(src: Path, dest: Path) -> Path:
    doc = {}
    for name in SHEETS:
        f = src / f"{name}.csv"
        if f.exists():
            doc[name] = [{k: v for k, v in r.items() if v} for r in
                         csv.DictReader(open(f, encoding="utf-8"))]
    dest.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return dest


def _content(store: GraphStore) -> tuple[set, set]:
    """The graph without provenance, which names the container."""
    skip = {"loaded_at", "source", "row_hash"}
    g = project(store, include_contacts=True)
    return ({(n, tuple(sorted((k, str(v)) for k, v in d.items() if k not in skip)))
             for n, d in g.nodes(data=True)},
            {(u, v, k) for u, v, k in g.edges(keys=True)})


@pytest.mark.parametrize("container", ["xlsx", "yaml"])
def test_xlsx_and_yaml_give_the_same_graph_as_csv(container: str, tmp_path: Path,
                                                  store: GraphStore) -> None:
    load(SEED, store)
    expected = _content(store)
    store.clear()
    store.ensure_schema()
    path = (_as_xlsx if container == "xlsx" else _as_yaml)(SEED, tmp_path / f"seed.{container}")
    load(path, store)
    got = _content(store)
    if container == "yaml":  # YAML rows carry their line, not a spreadsheet row number
        strip = lambda s: {(n, tuple(p for p in props if p[0] != "source_row"))  # noqa: E731
                           for n, props in s}
        assert strip(got[0]) == strip(expected[0])
    else:
        assert got[0] == expected[0]
    assert got[1] == expected[1]


def test_yaml_errors_name_the_line(tmp_path: Path, store: GraphStore) -> None:
    f = tmp_path / "wb.yaml"
    f.write_text("organizations:\n  - id: org:a\n    name: A\n    kind: saloon\n")
    with pytest.raises(LoadError, match=r"wb.yaml\[organizations\], row 2, column 'kind'"):
        load(f, store)


def test_xlsx_errors_name_sheet_and_row(tmp_path: Path, store: GraphStore) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Organizations"
    ws.append(["id", "name", "kind", "state"])
    ws.append(["org:a", "A", "truck stop", "MS"])
    ws.append(["org:b", "B", "truck stop", "Narnia"])
    wb.save(tmp_path / "c.xlsx")
    with pytest.raises(LoadError, match=r"c.xlsx\[Organizations\], row 3, column 'state'"):
        load(tmp_path / "c.xlsx", store)


def test_derived_ids_and_references_by_name(tmp_path: Path, store: GraphStore) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        name,kind,state,county
        Biloxi PD,law enforcement,Miss.,Harrison Co.
        Gulf Truck Stop Inc.,truck stop,Mississippi,harrison
    """, relationships="""
        source_id,type,target_id
        Gulf Truck Stop,local contact,Biloxi Police Dept.
    """)
    load(wb, store)
    [row] = store.read("MATCH (a)-[:LOCAL_CONTACT]->(b) RETURN a.id AS a, b.id AS b, "
                       "a.county AS county, a.county_fips AS fips")
    assert row == {"a": "org:ms:gulf-truck-stop", "b": "org:ms:biloxi-police-department",
                   "county": "Harrison County", "fips": "28047"}
    [loc] = store.read("MATCH (:Entity {id: 'org:ms:gulf-truck-stop'})-[:LOCATED_IN]->(c)"
                       "-[:LOCATED_IN]->(s) RETURN c.id AS c, s.id AS s")
    assert loc == {"c": "county:28047", "s": "state:MS"}


def test_near_duplicates_are_reported_not_merged(tmp_path: Path, store: GraphStore) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state
        org:a,San Joaquin Regional Transit District,transit agency,CA
        org:b,San Joaquin Regional Transit Dist,transit agency,CA
        org:c,Stockton Truck Plaza,truck stop,CA
    """)
    report = load(wb, store)
    assert store.counts().labels["Organization"] == 3
    [w] = [w for w in report.warnings if "looks like the same organization" in w]
    assert "org:a" in w and "org:b" in w
    # ... and against what is already in the store
    wb2 = write_workbook(tmp_path / "wb2", organizations="""
        id,name,kind,state
        org:d,Stockton Truck Plaza Inc.,truck stop,CA
    """)
    report = load(wb2, store)
    assert any("org:d" in w and "org:c" in w and "the store" in w for w in report.warnings)


def test_references_to_nodes_already_in_the_store(tmp_path: Path, store: GraphStore) -> None:
    load(write_workbook(tmp_path / "a", organizations="""
        id,name,kind,state
        org:a,A Stop,truck stop,MS
    """), store)
    load(write_workbook(tmp_path / "b", people="""
        name,organization_id,title
        Pat Doe,org:a,Manager
    """), store)
    [row] = store.read("MATCH (p:Person)-[:WORKS_FOR]->(o) RETURN p.id AS p, p.state AS s")
    assert row == {"p": "person:a:pat-doe", "s": "MS"}


def test_anonymous_survivor_leader_keeps_only_the_role(tmp_path: Path,
                                                       store: GraphStore) -> None:
    load(write_workbook(tmp_path / "wb", people="""
        id,name,role,note
        person:s1,,survivor-leader,spoke at the build
    """), store)
    [row] = store.read("MATCH (p:Person) RETURN properties(p) AS p")
    assert row["p"]["name"] == "Survivor-leader (anonymous)"
    assert row["p"]["anonymous"] is True
    assert not {"email", "phone", "title"} & set(row["p"])


def test_contact_details_are_hidden_unless_asked(tmp_path: Path, store: GraphStore) -> None:
    load(write_workbook(tmp_path / "wb", people="""
        id,name,email,phone
        person:p,Pat Doe,pat@example.org,555-0100
    """), store)
    assert "email" not in project(store).nodes["person:p"]
    assert project(store, include_contacts=True).nodes["person:p"]["email"] == "pat@example.org"


def test_provenance_on_every_node_and_edge(store: GraphStore) -> None:
    load(SEED, store)
    g = project(store)
    for n, d in g.nodes(data=True):
        assert d.get("source") and d.get("loaded_at"), n
        if not n.startswith(("state:", "county:")):
            assert d.get("source_row") and d.get("citation", "").startswith("seeds/"), n
    for u, v, d in g.edges(data=True):
        assert d.get("source") and d.get("loaded_at") and d.get("key"), (u, v)
