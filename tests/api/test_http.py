"""The HTTP API in-process (and once as a real server): roles on every endpoint, the
read-only Cypher endpoint against write, admin and injection attempts, contact details by
role, imports, the error shape, security headers, no CORS."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
import yaml
from fastapi.testclient import TestClient

from api.app import check_bind, create_app
from api.service import CoalitionService
from graph.errors import ConfigError
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import SEED

ROLES = ("viewer", "analyst", "editor", "admin")
#: every endpoint but health, with the least role it needs
ENDPOINTS = [
    ("GET", "/api/stakeholders?q=biloxi", "viewer"),
    ("GET", "/api/stakeholders/org:tat", "viewer"),
    ("GET", "/api/stakeholders/org:tat/ego?depth=1", "viewer"),
    ("GET", "/api/paths?a=org:tat&b=org:quality-carriers", "viewer"),
    ("GET", "/api/events?state=MS", "viewer"),
    ("GET", "/api/analysis?state=MS&as_of=2026-11-24", "viewer"),
    ("GET", "/api/recommendations?state=MS&as_of=2026-11-24", "viewer"),
    ("GET", "/api/charts?state=MS&as_of=2026-11-24", "viewer"),
    ("GET", "/api/pages/network?state=WI", "viewer"),
    ("POST", "/api/query", "analyst"),
    ("GET", "/api/export?format=json", "analyst"),
    ("POST", "/api/import", "editor"),
    ("GET", "/api/audit", "admin"),
]


@pytest.fixture
def settings(embedded_settings, tmp_path):
    return embedded_settings.model_copy(update={"keys_file": tmp_path / "keys.json",
                                                "audit_file": tmp_path / "audit.log"})


@pytest.fixture
def seeded(settings, embedded_store: GraphStore):
    load(SEED, embedded_store)
    return settings


@pytest.fixture
def tokens(seeded) -> dict[str, str]:
    store = CoalitionService(seeded).keys()
    return {role: store.create(role, f"test {role}")[1] for role in ROLES}


def call(client: TestClient, method: str, path: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if path == "/api/query":
        return client.post(path, json={"cypher": "MATCH (n:Event) RETURN count(n) AS n"},
                           headers=headers)
    if path == "/api/import":
        body = yaml.safe_dump({"organizations": [{"id": "org:x", "name": "X Stop",
                                                  "kind": "truck stop", "state": "MS"}]})
        return client.post(path, files={"file": ("w.yaml", body)}, headers=headers)
    return client.request(method, path, headers=headers)


def test_authorization_matrix(seeded, tokens) -> None:
    client = TestClient(create_app(seeded))
    for method, path, needs in ENDPOINTS:
        assert call(client, method, path, None).status_code == 401, path
        assert call(client, method, path, "cg_wrong").status_code == 401, path
        for role in ROLES:
            r = call(client, method, path, tokens[role])
            allowed = ROLES.index(role) >= ROLES.index(needs)
            assert (r.status_code < 400) == allowed, (path, role, r.status_code, r.text[:200])
            if not allowed:
                assert r.status_code == 403 and r.json()["error"]["type"] == "Forbidden"


def test_health_headers_and_no_cors(seeded, tokens) -> None:
    client = TestClient(create_app(seeded))
    r = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert "access-control-allow-origin" not in r.headers
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    pre = client.options("/api/stakeholders", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in pre.headers


def test_loopback_without_keys_is_open_and_elsewhere_refused(seeded) -> None:
    client = TestClient(create_app(seeded, bind_host="127.0.0.1"))
    assert client.get("/api/stakeholders?q=tat").status_code == 200
    closed = TestClient(create_app(seeded, bind_host="0.0.0.0"))
    assert closed.get("/api/stakeholders?q=tat").status_code == 401
    svc = CoalitionService(seeded)
    with pytest.raises(ConfigError, match="refusing to listen on 0.0.0.0"):
        check_bind("0.0.0.0", svc)
    svc.keys().create("admin")
    check_bind("0.0.0.0", svc)


ATTEMPTS = [
    "CREATE (n:Entity {id: 'x'}) RETURN n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Organization) SET n.name = 'pwned' RETURN n",
    "MERGE (n:Entity {id: 'y'})",
    "MATCH (n) REMOVE n:Organization",
    "match (n) detach delete n",
    "MATCH (n) WITH n LIMIT 1 CALL { WITH n DETACH DELETE n }",
    "CALL dbms.security.createUser('x', 'y', false)",
    "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {})",
    "CALL db.createLabel('X')",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "MATCH (n) FOREACH (x IN [1] | CREATE (:Entity {id: 'z'}))",
    "MATCH (n) RETURN n; MATCH (m) DETACH DELETE m",
    "MATCH (n) /* comment */ DETACH /* more */ DELETE n",
    "DROP INDEX ON :Entity(id)",
]


@pytest.mark.parametrize("cypher", ATTEMPTS)
def test_cypher_endpoint_refuses_writes_and_admin(cypher, seeded, tokens,
                                                  embedded_store: GraphStore) -> None:
    before = embedded_store.counts()
    client = TestClient(create_app(seeded))
    r = client.post("/api/query", json={"cypher": cypher},
                    headers={"Authorization": f"Bearer {tokens['admin']}"})
    assert r.status_code == 403, r.text
    assert embedded_store.counts() == before


def test_cypher_parameters_are_values_not_code(seeded, tokens,
                                               embedded_store: GraphStore) -> None:
    before = embedded_store.counts()
    client = TestClient(create_app(seeded))
    auth = {"Authorization": f"Bearer {tokens['analyst']}"}
    r = client.post("/api/query", headers=auth, json={
        "cypher": "MATCH (n:Entity {id: $id}) RETURN n.name AS name",
        "params": {"id": "x'}) DETACH DELETE n //"}})
    assert r.status_code == 200 and r.json()["rows"] == []
    r = client.post("/api/query", headers=auth, json={
        "cypher": "MATCH (o:Organization {state: $s}) RETURN o.name AS name ORDER BY name",
        "params": {"s": "MS"}})
    assert "Biloxi Police Department" in [x["name"] for x in r.json()["rows"]]
    assert embedded_store.counts() == before
    log = TestClient(create_app(seeded)).get(
        "/api/audit", headers={"Authorization": f"Bearer {tokens['admin']}"}).json()
    assert any(e["action"] == "query" and e["role"] == "analyst" for e in log)


def test_contact_details_by_role(seeded, tokens) -> None:
    client = TestClient(create_app(seeded))
    path = "/api/stakeholders/person:tat:louie-greek"
    viewer = client.get(path, headers={"Authorization": f"Bearer {tokens['viewer']}"}).json()
    analyst = client.get(path, headers={"Authorization": f"Bearer {tokens['analyst']}"}).json()
    assert "email" not in viewer["profile"]
    assert analyst["profile"]["email"] == "info@truckersagainsttrafficking.org"


def test_search_profile_and_errors(seeded, tokens) -> None:
    client = TestClient(create_app(seeded))
    auth = {"Authorization": f"Bearer {tokens['viewer']}"}
    hits = client.get("/api/stakeholders?q=bilxi polce", headers=auth).json()
    assert hits["items"][0]["id"] == "org:ms:biloxi-police-department"
    page = client.get("/api/stakeholders?kind=shipper&limit=3&offset=3", headers=auth).json()
    assert page["total"] == 8 and len(page["items"]) == 3
    neal = client.get("/api/stakeholders/person:racine-coalition-against-human-trafficking:"
                      "neal-lofy", headers=auth).json()
    assert {c["type"] for c in neal["connections"]} >= {"REFERRED", "PARTNERS_WITH"}
    assert neal["provenance"]["citation"] == "seeds/001_f7a96bf8ce978a11.txt"
    missing = client.get("/api/stakeholders/org:nope", headers=auth)
    assert missing.status_code == 404 and "org:nope" in missing.json()["error"]["message"]
    bad = client.get("/api/stakeholders?limit=0", headers=auth)
    assert bad.status_code == 422 and bad.json()["error"]["type"] == "ValidationError"


def test_import_dry_run_then_confirm(seeded, tokens, embedded_store: GraphStore) -> None:
    client = TestClient(create_app(seeded))
    auth = {"Authorization": f"Bearer {tokens['editor']}"}
    body = yaml.safe_dump({"organizations": [{"name": "Gulf Stop", "kind": "truck stop",
                                              "state": "MS"}]})
    dry = client.post("/api/import", headers=auth, files={"file": ("w.yaml", body)}).json()
    assert dry["dry_run"] and dry["nodes"]["TruckStop"]["created"] == 1
    assert embedded_store.read("MATCH (n:TruckStop) RETURN count(n) AS n")[0]["n"] == 0
    done = client.post("/api/import?confirm=true", headers=auth,
                       files={"file": ("w.yaml", body)}).json()
    assert done["written"] > 0
    assert embedded_store.read("MATCH (n:TruckStop) RETURN count(n) AS n")[0]["n"] == 1
    bad = yaml.safe_dump({"organizations": [{"name": "X", "kind": "saloon"}]})
    r = client.post("/api/import?confirm=true", headers=auth, files={"file": ("b.yaml", bad)})
    assert r.status_code == 422 and r.json()["error"]["issues"][0]["column"] == "kind"


def test_real_server_on_a_free_port(seeded) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "COALITION_DATA_DIR": str(seeded.data_dir),
           "COALITION_GRAPH_NAME": seeded.graph_name,
           "COALITION_KEYS_FILE": str(seeded.keys_file),
           "COALITION_AUDIT_FILE": str(seeded.audit_file)}
    proc = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert r.json()["status"] == "ok"
        hits = httpx.get(f"http://127.0.0.1:{port}/api/stakeholders?q=quality", timeout=10)
        assert hits.json()["items"][0]["id"] == "org:quality-carriers"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_query_parameter_names_are_checked(seeded, tokens) -> None:
    client = TestClient(create_app(seeded))
    r = client.post("/api/query", headers={"Authorization": f"Bearer {tokens['analyst']}"},
                    json={"cypher": "RETURN $x AS x", "params": {"": 1, "a`b": 2}})
    assert r.status_code == 422 and "identifiers" in r.json()["error"]["message"]


def test_openapi_gives_an_example_for_every_parameter_without_a_default(seeded) -> None:
    spec = TestClient(create_app(seeded)).get("/openapi.json").json()
    missing = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for p in op.get("parameters", []):
                schema = p.get("schema", {})
                if "default" in schema:
                    continue
                if not (p.get("examples") or schema.get("examples") or p.get("example")):
                    missing.append(f"{method.upper()} {path} {p['name']}")
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                ref = body["schema"]["$ref"].rsplit("/", 1)[1]
                props = spec["components"]["schemas"][ref]["properties"]
                missing += [f"{method.upper()} {path} body.{k}" for k, v in props.items()
                            if "examples" not in v]
    assert not missing, missing
    # and the examples are real ids: the stakeholder example resolves in the seed
    ego = spec["paths"]["/api/stakeholders/{node_id}"]["get"]["parameters"][0]
    example = (ego.get("examples") or ego["schema"]["examples"])[0]
    assert TestClient(create_app(seeded)).get(f"/api/stakeholders/{example}").status_code == 200


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "csv"])
def test_exports_in_every_format(fmt, seeded, tokens) -> None:
    import io
    import json
    import zipfile

    import networkx as nx

    client = TestClient(create_app(seeded))
    auth = {"Authorization": f"Bearer {tokens['analyst']}"}
    r = client.get(f"/api/export?format={fmt}", headers=auth)
    assert r.status_code == 200, r.text
    if fmt == "csv":
        z = zipfile.ZipFile(io.BytesIO(r.content))
        assert sorted(z.namelist()) == ["edges.csv", "nodes.csv"]
        nodes = z.read("nodes.csv").decode().splitlines()
        assert nodes[0].startswith("id,") and any("org:quality-carriers" in x for x in nodes)
    elif fmt == "json":
        assert "org:quality-carriers" in {n["id"] for n in json.loads(r.content)["nodes"]}
    else:
        reader = nx.read_graphml if fmt == "graphml" else nx.read_gexf
        assert "org:quality-carriers" in reader(io.BytesIO(r.content))
    # one state's part: Mississippi's organizations, not Wisconsin's
    ms = client.get("/api/export?format=json&state=ms", headers=auth)
    ids = {n["id"] for n in json.loads(ms.content)["nodes"]}
    assert "org:ms:biloxi-police-department" in ids
    assert not any(i.startswith("org:wi:") for i in ids)
    bad = client.get("/api/export?format=pdf", headers=auth)
    assert bad.status_code == 400 and "graphml" in bad.json()["error"]["message"]
