"""Issue 9's API hardening: auth stays on once a key has existed (until an admin switches it
off, audited); every import attempt in a private audit log; imports off the event loop; one
error shape with the security headers for every failure, an unexpected one included; /docs
and /redoc offline under their CSP, in the real Chromium."""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from redis.exceptions import ResponseError
from typer.testing import CliRunner

from api import cli
from api.app import check_bind, create_app
from api.security import Audit, KeyStore
from api.service import CoalitionService
from graph.errors import ConfigError
from graph.store import GraphStore
from tests.api.test_http import ROLES, seeded, settings, tokens  # noqa: F401 (fixtures)
from tests.visualizations.test_network_pages import CHROMIUM

WORKBOOK = yaml.safe_dump({"organizations": [
    {"name": "Synthetic Test Stop", "kind": "truck stop", "state": "MS"},
    {"id": "org:synthetic-test-carrier", "name": "Synthetic Test Carrier",
     "kind": "trucking company", "state": "MS"}],
    "people": [{"name": "Pat Synthetic", "organization_id": "org:synthetic-test-carrier"}]})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def coalition(settings, monkeypatch: pytest.MonkeyPatch):
    """The CLI (typer's runner) on the same keys and audit files as the app."""
    monkeypatch.setenv("COALITION_KEYS_FILE", str(settings.keys_file))
    monkeypatch.setenv("COALITION_AUDIT_FILE", str(settings.audit_file))
    monkeypatch.setenv("COALITION_GRAPH_NAME", settings.graph_name)

    def run(*args: str) -> object:
        r = CliRunner().invoke(cli.app, ["--data-dir", str(settings.data_dir), *args])
        assert r.exit_code == 0, (r.output, r.exception)
        return r

    return run


def actions(settings) -> list[dict]:
    return Audit(settings.audit_file).tail(1000)


# ------------------------------------------------------------------ item 2: auth stays on

def test_revoking_the_last_key_keeps_auth_on(seeded, coalition) -> None:
    client = TestClient(create_app(seeded))  # running before, during and after the revoke
    assert client.get("/api/audit").status_code == 200  # no key ever: a single local user
    created = coalition("keys", "create", "--role", "admin").output
    key_id, token = created.split()[1], created.split(": ")[1].split()[0]
    assert client.get("/api/audit", headers=bearer(token)).status_code == 200
    coalition("keys", "revoke", key_id)
    assert not KeyStore(seeded.keys_file).active()
    query = {"cypher": "MATCH (n:Event) RETURN count(n) AS n"}
    for headers in ({}, bearer(token)):  # no key, and the revoked one
        assert client.get("/api/audit", headers=headers).status_code == 401
        assert client.post("/api/query", json=query, headers=headers).status_code == 401
        assert client.get("/api/stakeholders?q=tat", headers=headers).status_code == 401
    assert client.get("/api/health").json()["auth"] == "keys"
    # a fresh server on the same files too
    assert TestClient(create_app(seeded)).get("/api/audit").status_code == 401


def test_only_an_explicit_admin_switch_turns_auth_off_and_it_is_audited(seeded,
                                                                        coalition) -> None:
    token = coalition("keys", "create", "--role", "viewer").output.split(": ")[1].split()[0]
    client = TestClient(create_app(seeded))
    assert client.get("/api/stakeholders?q=tat").status_code == 401

    coalition("keys", "auth", "off")
    off = [e for e in actions(seeded) if e["action"] == "auth switched off"]
    assert len(off) == 1 and off[0]["by"] == "cli" and off[0]["os_user"]
    assert client.get("/api/stakeholders?q=tat").status_code == 200
    assert client.get("/api/audit").status_code == 200  # the local user is admin
    assert "switched off" in client.get("/api/health").json()["auth"]
    assert "auth is off" in coalition("keys", "auth").output
    # off is for a single local user: never beyond loopback, key or no key
    with pytest.raises(ConfigError, match="auth is switched off"):
        check_bind("0.0.0.0", CoalitionService(seeded))
    assert TestClient(create_app(seeded, bind_host="0.0.0.0")).get(
        "/api/stakeholders?q=tat").status_code == 401

    coalition("keys", "auth", "on")
    assert client.get("/api/stakeholders?q=tat").status_code == 401
    assert client.get("/api/stakeholders?q=tat", headers=bearer(token)).status_code == 200
    check_bind("0.0.0.0", CoalitionService(seeded))
    # creating a key while auth is off switches it back on, audited as such
    coalition("keys", "auth", "off")
    coalition("keys", "create", "--role", "editor")
    assert client.get("/api/stakeholders?q=tat").status_code == 401
    log = [e["action"] for e in actions(seeded) if e["action"].startswith("auth switched")]
    assert log == ["auth switched off", "auth switched on", "auth switched off",
                   "auth switched on"]


def test_a_keys_file_of_the_first_format_with_only_revoked_keys_keeps_auth_on(seeded) -> None:
    # What a server that had the bug left behind: a bare list whose keys are all revoked.
    seeded.keys_file.write_text(json.dumps([{
        "id": "0badc0de", "name": "old", "role": "admin", "digest": "0" * 64,
        "created": "2026-01-01T00:00:00+00:00", "revoked": "2026-02-01T00:00:00+00:00"}]))
    client = TestClient(create_app(seeded))
    assert client.get("/api/audit").status_code == 401
    k, token = KeyStore(seeded.keys_file).create("admin")  # and the file still works
    assert [x.id for x in KeyStore(seeded.keys_file).list()] == ["0badc0de", k.id]
    assert client.get("/api/audit", headers=bearer(token)).status_code == 200


# ------------------------------------------------------- item 5: every import attempt audited

def test_every_import_attempt_is_audited(seeded, tokens, embedded_store: GraphStore) -> None:
    app = create_app(seeded)
    client = TestClient(app)
    auth = bearer(tokens["editor"])

    def post(name: str, body: str | bytes, confirm: bool = True):
        return client.post(f"/api/import?confirm={str(confirm).lower()}", headers=auth,
                           files={"file": (name, body)})

    assert post("notes.txt", "hello").status_code == 400
    bad = yaml.safe_dump({"organizations": [{"name": "X", "kind": "saloon"}]})
    assert post("bad.yaml", bad).status_code == 422
    dry = post("w.yaml", WORKBOOK, confirm=False)
    assert dry.status_code == 200, dry.text

    # a load that fails after the store acknowledged a first batch
    svc = app.state.service
    with svc.store() as store:
        real, calls = store._write, []

        def second_write_fails(query, rows):
            calls.append(len(rows))
            if len(calls) == 2:
                raise ResponseError("injected: the second write fails")
            return real(query, rows)

        store._write = second_write_fails
        try:
            failed = post("w.yaml", WORKBOOK)
        finally:
            del store._write
    assert len(calls) >= 2  # one write went through before the failure
    assert failed.status_code >= 400 and failed.json()["error"]["message"]
    assert "injected" not in failed.text or failed.status_code < 500

    assert post("w.yaml", WORKBOOK).status_code == 200
    imports = [e for e in actions(seeded) if e["action"].startswith("import")]
    assert [(e["action"], e["file"], e["outcome"]) for e in imports] == [
        ("import", "notes.txt", "refused"),
        ("import", "bad.yaml", "refused"),
        ("import dry-run", "w.yaml", "done"),
        ("import", "w.yaml", "failed"),
        ("import", "w.yaml", "done"),
    ]
    assert all(e["key"] and e["role"] == "editor" for e in imports)
    assert imports[1]["error"] == "LoadError" and "kind" in imports[1]["message"]
    assert "bad.yaml" in imports[1]["message"] and "/tmp" not in imports[1]["message"]
    assert "written_before_failure" in imports[3] and imports[3]["message"]
    assert imports[4]["written"] > 0
    assert imports[2]["sha256"] == imports[4]["sha256"] and imports[2]["bytes"] == len(WORKBOOK)
    assert embedded_store.read("MATCH (n:TruckStop {name: 'Synthetic Test Stop'}) "
                               "RETURN count(n) AS n")[0]["n"] == 1


def test_an_import_attempt_without_a_key_is_audited(seeded, tokens) -> None:
    r = TestClient(create_app(seeded)).post("/api/import", files={"file": ("w.yaml", "x: 1")})
    assert r.status_code == 401
    assert any(e["action"] == "key missing" and e["path"] == "/api/import"
               for e in actions(seeded))


def test_audit_log_and_keys_file_are_private(tmp_path: Path) -> None:
    audit = Audit(tmp_path / "new" / "audit.log")
    audit.record("test", key=None)
    assert stat.S_IMODE(os.stat(audit.path).st_mode) == 0o600
    # a log an older version created world-readable is tightened on the next line
    old = tmp_path / "old.log"
    old.write_text('{"action": "before"}\n')
    os.chmod(old, 0o644)
    Audit(old).record("after", key=None)
    assert stat.S_IMODE(os.stat(old).st_mode) == 0o600
    assert [e["action"] for e in Audit(old).tail()] == ["before", "after"]
    keys = KeyStore(tmp_path / "keys.json")
    keys.create("viewer")
    assert stat.S_IMODE(os.stat(keys.path).st_mode) == 0o600


# ----------------------------------------------------------- item 11: imports off the loop

def test_health_and_reads_answer_while_an_import_is_loading(seeded, tokens) -> None:
    """The load is held inside, on an event, until health and a read have answered: if the
    load ran on the event loop, neither could (they would wait for the release)."""
    app = create_app(seeded)
    svc = app.state.service
    entered, release = threading.Event(), threading.Event()
    real_load = svc.load

    def held_load(*args, **kwargs):
        entered.set()
        release.wait(300)
        return real_load(*args, **kwargs)

    svc.load = held_load
    results: dict[str, object] = {}

    def request(name: str, method: str, path: str, **kw) -> threading.Thread:
        t = threading.Thread(target=lambda: results.__setitem__(
            name, client.request(method, path, **kw)), daemon=True)
        t.start()
        return t

    with TestClient(app) as client:
        importing = request("import", "POST", "/api/import?confirm=true",
                            headers=bearer(tokens["editor"]),
                            files={"file": ("w.yaml", WORKBOOK)})
        try:
            assert entered.wait(120), "the import never reached the load"
            health = request("health", "GET", "/api/health")
            read = request("read", "GET", "/api/stakeholders?q=quality",
                           headers=bearer(tokens["viewer"]))
            deadline = time.monotonic() + 120
            for t in (health, read):
                t.join(max(0.0, deadline - time.monotonic()))
            assert "health" in results, "/api/health waited for the import"
            assert "read" in results, "a read waited for the import"
            assert importing.is_alive() and "import" not in results  # still loading
        finally:
            release.set()
            importing.join(300)
    assert results["health"].json()["status"] == "ok"
    assert results["read"].json()["items"][0]["id"] == "org:quality-carriers"
    assert results["import"].status_code == 200 and results["import"].json()["written"] > 0


# ------------------------------------------------ item 15: one error shape, with the headers

def assert_error_shape(r, status: int | None = None) -> None:
    if status is not None:
        assert r.status_code == status, (r.status_code, r.text[:300])
    body = r.json()
    assert set(body) == {"error"} and body["error"]["type"] and body["error"]["message"]
    assert "Traceback" not in r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    assert "access-control-allow-origin" not in r.headers


FAILURES = [
    ("GET", "/api/stakeholders?q=tat", None, {}, 401),
    ("GET", "/api/stakeholders?q=tat", "cg_wrong", {}, 401),
    ("GET", "/api/audit", "viewer", {}, 403),
    ("GET", "/api/stakeholders/org:nope", "viewer", {}, 404),
    ("GET", "/api/nowhere", "viewer", {}, 404),
    ("GET", "/docs/assets/nothing.js", None, {}, 404),
    ("DELETE", "/api/events", "admin", {}, 405),
    ("GET", "/api/stakeholders?limit=0", "viewer", {}, 422),
    ("GET", "/api/analysis?as_of=2026-02-30", "viewer", {}, 422),
    ("POST", "/api/query", "analyst", {"content": b"{not json", "headers": {
        "content-type": "application/json"}}, 422),
    ("POST", "/api/query", "analyst", {"json": {"cypher": "MATCH (n) DETACH DELETE n"}}, 403),
    ("POST", "/api/query", "analyst", {"json": {"cypher": "x" * 20_001}}, 422),
    ("POST", "/api/import", "editor", {"files": {"file": ("a.txt", "x")}}, 400),
    ("POST", "/api/import", "editor", {}, 422),
    ("POST", "/api/import?confirm=true", "editor", {"files": {"file": ("b.yaml", yaml.safe_dump(
        {"organizations": [{"name": "X", "kind": "saloon"}]}))}}, 422),
    ("GET", "/api/export?format=pdf", "analyst", {}, 400),
]


@pytest.mark.parametrize(("method", "path", "who", "kw", "status"), FAILURES,
                         ids=[f"{m} {p[:40]} {s}" for m, p, _, _, s in FAILURES])
def test_every_failure_is_a_4xx_in_the_error_shape_with_the_headers(
        method, path, who, kw, status, seeded, tokens) -> None:
    client = TestClient(create_app(seeded))
    kw = dict(kw)
    headers = {**kw.pop("headers", {}), **(
        bearer(tokens.get(who, who)) if who else {})}
    assert_error_shape(client.request(method, path, headers=headers, **kw), status)


def cut_xlsx() -> bytes:
    """A workbook whose sheet XML stops half-way (openpyxl raises ParseError)."""
    import io
    import zipfile

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "organizations"
    wb.active.append(["name", "kind", "state"])
    wb.active.append(["Synthetic Test Stop", "truck stop", "MS"])
    whole, cut = io.BytesIO(), io.BytesIO()
    wb.save(whole)
    with zipfile.ZipFile(whole) as src, zipfile.ZipFile(cut, "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            dst.writestr(item, data[:len(data) // 2] if "worksheets/sheet" in item else data)
    return cut.getvalue()


MALFORMED = {
    "cut.xlsx": cut_xlsx(),
    "deep.yaml": b"organizations: " + b"[" * 100_000,
    "feb30.yaml": b"events:\n- name: Synthetic Test Build\n  kind: training\n"
                  b"  date: 2020-02-30\n",
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_workbook_the_parser_chokes_on_is_a_422_naming_the_file(
        name, seeded, tokens, embedded_store: GraphStore) -> None:
    before = embedded_store.counts()
    r = TestClient(create_app(seeded)).post(
        "/api/import?confirm=true", headers=bearer(tokens["editor"]),
        files={"file": (name, MALFORMED[name])})
    assert_error_shape(r, 422)
    assert r.json()["error"]["type"] == "LoadError"
    assert name in r.json()["error"]["issues"][0]["file"]
    assert "/tmp" not in r.text  # the server's temporary folder is nobody's business
    assert embedded_store.counts() == before
    assert [e["outcome"] for e in actions(seeded) if e["action"] == "import"] == ["refused"]


def test_an_unexpected_exception_is_a_500_in_the_shape_details_in_the_log_only(
        seeded, tokens, caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(seeded)

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret detail: /srv/coalition/private.yaml row 7")

    app.state.service.events = broken
    with caplog.at_level(logging.ERROR, logger="coalition.api"):
        r = TestClient(app).get("/api/events?state=MS", headers=bearer(tokens["viewer"]))
    assert_error_shape(r, 500)
    assert r.json()["error"]["type"] == "InternalError"
    assert "secret" not in r.text and "RuntimeError" not in r.text
    ref = r.json()["error"]["message"].split("reference ")[1].split(")")[0]
    logged = [x for x in caplog.records if x.name == "coalition.api"]
    assert len(logged) == 1 and ref in logged[0].getMessage()
    assert "secret detail" in str(logged[0].exc_info[1])  # the traceback goes to the log


# --------------------------------------------------- item 6: the API docs, offline, in Chromium

@pytest.fixture
def server(settings):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "COALITION_DATA_DIR": str(settings.data_dir),
           "COALITION_GRAPH_NAME": settings.graph_name,
           "COALITION_KEYS_FILE": str(settings.keys_file),
           "COALITION_AUDIT_FILE": str(settings.audit_file)}
    proc = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 120
    while True:
        try:
            httpx.get(base + "/api/health", timeout=5)
            break
        except httpx.TransportError:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize(("path", "operation"), [
    ("/docs", ".opblock"),
    ("/redoc", "[data-section-id^='operation/']"),
])
def test_api_docs_render_every_operation_offline_under_their_csp(server, path,
                                                                 operation) -> None:
    import httpx
    from playwright.sync_api import sync_playwright

    spec = httpx.get(server + "/openapi.json", timeout=30).json()
    expected = sum(len(ops) for ops in spec["paths"].values())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()  # no bypass_csp: the page's own CSP applies
            outside, errors, console = [], [], []
            page.on("request", lambda r: outside.append(r.url)
                    if not r.url.startswith((server, "blob:", "data:")) else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
            response = page.goto(server + path)
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_selector(operation, timeout=60_000)
            deadline = time.monotonic() + 60
            while page.locator(operation).count() < expected and time.monotonic() < deadline:
                page.wait_for_timeout(200)  # the UIs render operations in steps
            assert page.locator(operation).count() == expected
            assert "/api/stakeholders" in page.inner_text("body")
            assert outside == [] and errors == [] and console == [], (outside, errors, console)
        finally:
            browser.close()
