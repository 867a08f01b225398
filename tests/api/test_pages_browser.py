"""The web pages in headless Chromium against a real server on a free port: search →
stakeholder → ego network → path; the Cypher console; the import dry run then confirm.
All offline: no request leaves the server. The one organization the import test adds is
invented for the test, and named so."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from loaders.load import load
from tests.conftest import SEED
from tests.visualizations.test_network_pages import CHROMIUM


@pytest.fixture
def server(embedded_settings, embedded_store, tmp_path):
    load(SEED, embedded_store)
    with serving(embedded_settings, tmp_path) as base:
        yield base


@contextlib.contextmanager
def serving(settings, tmp_path: Path) -> Iterator[str]:
    """`coalition serve` on a free port over ``settings``' graph; yields its base URL."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "COALITION_DATA_DIR": str(settings.data_dir),
           "COALITION_GRAPH_NAME": settings.graph_name,
           "COALITION_KEYS_FILE": str(tmp_path / "keys.json"),
           "COALITION_AUDIT_FILE": str(tmp_path / "audit.log")}
    proc = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base + "/api/health", timeout=2)
            break
        except httpx.TransportError:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        # The pages' CSP forbids eval, which Playwright's wait_for_function uses.
        ctx = b.new_context(bypass_csp=True, accept_downloads=True,
                            viewport={"width": 1300, "height": 900})
        pg = ctx.new_page()
        pg.outside = []
        pg.errors = []
        pg.on("request", lambda r: pg.outside.append(r.url)
              if not r.url.startswith((server, "blob:", "data:")) else None)
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        pg.goto(server + "/")
        pg.wait_for_selector("#missing li", timeout=30000)  # the dashboard loaded
        yield pg
        b.close()


def test_search_stakeholder_ego_and_path(page) -> None:
    assert "Attorney General" in page.inner_text("#missing")
    page.click("text=Explorer")
    page.fill("#q", "quality carers")  # a typo
    page.wait_for_selector("#hits li")
    page.click("#hits li >> nth=0")
    page.wait_for_function("window.egoGraph && window.egoGraph.nodes.length > 1",
                           timeout=30000)
    ids = page.evaluate("window.egoGraph.nodes.getIds()")
    assert "person:racine-coalition-against-human-trafficking:neal-lofy" in ids
    assert "seeds/001" in page.inner_text("#profile")
    page.fill("#pb", "org:ms:mississippi-trucking-association")
    page.click("#findpath")
    page.wait_for_selector("#paths li")
    assert page.inner_text("#paths li").startswith("Quality Carriers → Neal Lofy")
    assert page.outside == [] and page.errors == []


def test_dashboard_charts(page) -> None:
    page.wait_for_selector("#charts figure img")
    imgs = page.query_selector_all("#charts figure img")
    titles = page.inner_text("#charts")
    assert "Engagement funnel" in titles
    for img in imgs:
        assert img.get_attribute("alt")  # every chart says what it shows
        assert page.evaluate("(i) => i.complete && i.naturalWidth > 0", img)  # it rendered
    assert page.outside == [] and page.errors == []


def test_cypher_console_draws_a_result_as_a_network(page) -> None:
    page.click("text=Cypher console")
    page.fill("#cypher", "MATCH (p:Person)-[r:REFERRED]->(o:Organization) RETURN p, r, o")
    page.fill("#params", "{}")
    page.click("#run")
    page.wait_for_function("window.consoleGraph && window.consoleGraph.edges.length > 0")
    labels = page.evaluate("window.consoleGraph.nodes.get().map(n => n.label)")
    assert {"Neal Lofy", "Quality Carriers"} <= set(labels)
    assert page.evaluate("window.consoleGraph.edges.get().map(e => e.label)") == ["referred"]
    # a result with no nodes has no network
    page.fill("#cypher", "MATCH (n:Event) RETURN count(n) AS events")
    page.click("#run")
    page.wait_for_function("window.consoleGraph === null")
    assert page.is_hidden("#qgraph")
    assert page.outside == [] and page.errors == []


def test_cypher_console(page) -> None:
    page.click("text=Cypher console")
    page.click("#run")
    page.wait_for_selector("#result table")
    assert "Biloxi Police Department" in page.inner_text("#result")
    with page.expect_download() as dl:
        page.click("#csv")
    assert "Biloxi Police Department" in Path(dl.value.path()).read_text()
    assert "MATCH (o:Organization" in page.inner_text("#history")
    page.fill("#cypher", "MATCH (n) DETACH DELETE n")
    page.click("#run")
    page.wait_for_function("document.getElementById('error').textContent.length > 0")
    assert "only read queries" in page.inner_text("#error")
    assert page.outside == [] and page.errors == []


def test_import_dry_run_then_confirm(page, tmp_path) -> None:
    wb = tmp_path / "new.yaml"
    wb.write_text(yaml.safe_dump({"organizations": [
        {"name": "Synthetic Test Travel Plaza", "kind": "truck stop", "state": "MS"}]}))
    page.click("text=Import")
    page.set_input_files("#file", str(wb))
    page.click("#dry")
    page.wait_for_selector("#diff table")
    assert "Dry run" in page.inner_text("#diff") and "TruckStop" in page.inner_text("#diff")
    page.click("#confirm")
    page.wait_for_function("document.getElementById('diff').textContent.includes('Loaded')")
    page.click("text=Explorer")
    page.fill("#q", "synthetic test travel")
    page.wait_for_selector("#hits li")
    assert "org:ms:synthetic-test-travel-plaza" in page.inner_text("#hits")
    assert page.outside == [] and page.errors == []


def test_import_an_attendee_export_with_a_kind_corrected(page, tmp_path) -> None:
    """SYNTHETIC sign-in sheet of the seed's Gulfport build: Biloxi PD is matched, Gulf
    Coast Freight is created with a guessed kind, which the person corrects before the
    import; then a SYNTHETIC survey of the same build."""
    signin = tmp_path / "signin.csv"
    signin.write_text("Name,Agency,Title,Attended\r\n"
                      "Rae Quill,Biloxi PD,Detective,yes\r\n"
                      "Sol Vance,Gulf Coast Freight,Dispatcher,no\r\n", encoding="utf-8")
    page.click("text=Import")
    page.fill("#attevent", "event:ms:2020-01-16:gulfport-coalition-build")
    page.set_input_files("#attfile", str(signin))
    page.click("#attplan")
    page.wait_for_selector('#attresult tr[data-name="Gulf Coast Freight"]')
    text = page.inner_text("#attresult")
    assert "Plan: nothing written yet: 2 people, 1 attended, 1 registered only" in text
    row = page.locator('#attresult tr[data-name="Gulf Coast Freight"] select')
    assert row.input_value() == "trucking company"  # guessed from 'Freight'
    row.select_option("shipper")
    page.click("#attgo")
    page.wait_for_function("document.getElementById('attresult').textContent"
                           ".includes('Imported')")
    page.click("text=Explorer")
    page.fill("#q", "gulf coast freight")
    page.wait_for_selector("#hits li")
    page.click("#hits li >> nth=0")
    page.wait_for_function("document.getElementById('profile').textContent"
                           ".includes('shipper')")
    survey = tmp_path / "survey.csv"
    survey.write_text("Timestamp,Name,The presenters were knowledgeable\r\n"
                      "2020-01-16 15:00,Rae Quill,Agree\r\n"
                      "2020-01-16 15:05,Sol Vance,Disagree\r\n", encoding="utf-8")
    page.click("text=Import")
    page.fill("#survevent", "event:ms:2020-01-16:gulfport-coalition-build")
    page.set_input_files("#survfile", str(survey))
    page.click("#survplan")
    page.wait_for_selector("#survresult table")
    assert "2 respondents" in page.inner_text("#survresult")
    assert "Rae Quill" not in page.inner_text("#survresult")
    page.click("#survgo")
    page.wait_for_function("document.getElementById('survresult').textContent"
                           ".includes('Imported')")
    assert page.outside == [] and page.errors == []


def test_import_a_report_as_tables_corrected_then_loaded(page) -> None:
    """SYNTHETIC report (tests/extract/reports/synthetic_fargo.txt): drafted into tables,
    one organization's name corrected in its cell, one row removed, then dry-run and
    loaded; the corrected name is what the graph holds."""
    report = Path(__file__).parents[1] / "extract" / "reports" / "synthetic_fargo.txt"
    page.click("text=Import")
    page.set_input_files("#reportfile", str(report))
    page.click("#draft")
    page.wait_for_selector('#drafttables table[data-sheet="organizations"]')
    assert "Drafted from synthetic_fargo.txt" in page.inner_text("#draftnotes")
    orgs = page.locator('table[data-sheet="organizations"] input[data-col="name"]')
    names = orgs.evaluate_all("els => els.map(e => e.value)")
    assert "Red Trail Freight" in names and "Cass County Sheriff's Office" in names
    i = names.index("Red Trail Freight")
    orgs.nth(i).fill("Red Trail Freight Lines")
    # removing the metrics rows: they are not loaded
    drops = page.locator('table[data-sheet="metrics"] button.drop')
    assert drops.count() == 2  # participants 45 and know next steps 82%
    while drops.count():
        drops.first.click()
    assert page.locator('table[data-sheet="metrics"] tr[data-row]').count() == 0
    page.click("#draftdry")
    page.wait_for_selector("#draftdiff table")
    assert "Dry run" in page.inner_text("#draftdiff")
    page.click("#draftload")
    page.wait_for_function(
        "document.getElementById('draftdiff').textContent.includes('Loaded')")
    page.click("text=Explorer")
    page.fill("#q", "red trail freight lines")
    page.wait_for_selector("#hits li")
    assert "Red Trail Freight Lines" in page.inner_text("#hits")
    assert page.outside == [] and page.errors == []


def _open_stakeholder(page, query: str) -> None:
    page.click("text=Explorer")
    page.fill("#q", query)
    page.wait_for_selector("#hits li")
    page.click("#hits li >> nth=0")
    page.wait_for_function("window.egoGraph && window.egoGraph.nodes.length > 1",
                           timeout=30000)


def test_explorer_colours_shapes_legend_and_directed_ties(page) -> None:
    from visualizations.palette import SECTOR_COLOUR

    _open_stakeholder(page, "quality carriers")
    # ties read in their direction, with the other party's kind
    ties = page.locator("#connections li").all_inner_texts()
    assert any(t.startswith("Neal Lofy referred Quality Carriers to Truckers Against "
                            "Trafficking") and t.rstrip().endswith("person") for t in ties)
    assert not any("referred Neal Lofy" in t for t in ties)
    drawn = page.evaluate("""Object.fromEntries(window.egoGraph.nodes.get().map(n =>
        [n.id, {colour: n.color.background, shape: n.shape, x: n.x}]))""")
    lofy = drawn["person:racine-coalition-against-human-trafficking:neal-lofy"]
    carriers = drawn["org:quality-carriers"]
    # 001 does not say what kind of organization Quality Carriers is: white, a square
    assert carriers["colour"] == SECTOR_COLOUR["kind not recorded"]
    assert carriers["shape"] == "square"
    assert lofy["colour"] == SECTOR_COLOUR["people"] and lofy["shape"] == "dot"
    assert page.evaluate("window.egoGraph.view.network.physics.options.enabled") is False
    legend = page.locator("#egolegend li").all_inner_texts()
    assert {"kind not recorded", "people", "organization", "person", "referred"} <= set(legend)
    arrows = page.evaluate(
        "window.egoGraph.edges.get().filter(e => e.rel_type === 'REFERRED').map(e => e.arrows)")
    assert arrows == ["to"]
    assert page.outside == [] and page.errors == []


def test_explorer_metrics_are_facts_and_filters_work(page) -> None:
    _open_stakeholder(page, "biloxi police")
    assert "Facts" in page.inner_text("#profile")
    ids = page.evaluate("window.egoGraph.nodes.getIds()")
    assert ids and not [i for i in ids if i.startswith("metric:")]
    own = page.evaluate("window.egoGraph.nodes.get('org:ms:biloxi-police-department').title")
    assert "tips received from stakeholders: 2 tips" in own  # a fact on its node
    assert "tips received from stakeholders" in page.inner_text("#facts")
    # filters: a sector off hides its nodes; all off says so
    page.locator('#egofilters [data-filter="sector"] input[value="place"]').uncheck()
    hidden = page.evaluate("window.egoGraph.nodes.get().filter(n => n.hidden).map(n => n.id)")
    assert hidden == ["state:MS"]
    assert page.is_hidden("#egoempty")
    for box in page.locator('#egofilters [data-filter="kind"] input').all():
        box.uncheck()
    assert page.is_visible("#egoempty")
    assert page.outside == [] and page.errors == []


def test_dashboard_offers_the_national_scope_and_jurisdictions_by_country(page) -> None:
    # issue 11, item 3: the seed's four jurisdictions, grouped by country, after "National"
    groups = page.eval_on_selector_all("#state optgroup", "gs => gs.map(g => g.label)")
    assert groups == ["United States"]
    values = page.eval_on_selector_all("#state option", "os => os.map(o => o.value)")
    assert values == ["national", "CA", "IA", "MS", "WI"]
    page.select_option("#state", "national")
    page.wait_for_selector("#hmissing:has-text('Coverage by jurisdiction')")
    page.wait_for_selector("#missing li:has-text('WI: coverage')")
    assert "Truckers Against Trafficking" in page.inner_text("#followups")  # its reach
    assert not page.errors and not page.outside
