"""The map of local-contact gaps (visualizations/map.py): county statuses on a small graph
with hand-checked answers, the vendored Census boundaries, escaping, and the page, the CLI
in Chromium (the dashboard's map: test_map_dashboard.py, since Playwright's sync API runs
one at a time)."""

from __future__ import annotations

import networkx as nx
import pytest
from typer.testing import CliRunner

from graph.errors import ConfigError
from loaders.load import load
from tests.conftest import SEED
from tests.visualizations.test_network_pages import browser, needs_chromium, not_blank  # noqa: F401
from visualizations.map import atlas, county_summary, map_svg, render_map, shapes

HARRISON, JACKSON, HINDS, LEE = "28047", "28059", "28049", "28081"


def small_graph() -> nx.MultiDiGraph:
    """SYNTHETIC: four Mississippi counties, one of each status, and a site with no county."""
    g = nx.MultiDiGraph()

    def org(i, kind, fips=None, name=None, **kw):
        g.add_node(i, label="Organization", kind=kind, name=name or i, state="MS",
                   **({"county_fips": fips} if fips else {}), **kw)

    org("ts-harrison", "truck stop", HARRISON, name="<script>alert(1)</script> Stop")
    org("casino-jackson", "casino", JACKSON)
    org("pd-jackson", "law enforcement", JACKSON)
    g.add_edge("casino-jackson", "pd-jackson", type="LOCAL_CONTACT")
    org("bus-hinds", "bus terminal", HINDS)
    org("so-hinds", "law enforcement", HINDS)
    g.add_edge("bus-hinds", "so-hinds", type="PARTNERS_WITH")
    org("pd-lee", "law enforcement", LEE)
    org("ts-nowhere", "truck stop")
    org("patrol", "law enforcement", HARRISON, level="state")  # not local to anyone
    return g


def test_county_statuses_by_hand() -> None:
    s = county_summary(small_graph())
    assert {f: c["status"] for f, c in s["counties"].items()} == {
        HARRISON: "untied", HINDS: "no-protocol", JACKSON: "covered",
        LEE: "law enforcement only"}
    assert [o["id"] for o in s["counties"][HINDS]["law_enforcement"]] == ["so-hinds"]
    assert s["counties"][HARRISON]["law_enforcement"] == []  # the state patrol is not local
    assert [x["id"] for x in s["unplaced"]["MS"]] == ["ts-nowhere"]


def test_state_view_draws_its_counties_and_outline_escaped() -> None:
    svg, facts = map_svg(small_graph(), "MS")
    assert svg.count("data-fips=") == 82  # Mississippi has 82 counties
    assert svg.count("data-state=") == 1
    assert f'data-fips="{HARRISON}" data-status="untied"' in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Harrison County, MS" in svg  # the Census name in the tooltip
    assert facts["not_on_map"] == []


def test_national_view_and_a_province() -> None:
    svg, _ = map_svg(small_graph())
    # a ring on each county with sites, so that a speck of a county shows
    assert svg.count("data-marker=") == 3 and f'data-marker="{LEE}"' not in svg
    assert svg.count("data-fips=") == len(shapes(atlas(), "counties")) == 3142
    assert svg.count("data-state=") == len(atlas()["objects"]["states"]["geometries"])
    with pytest.raises(ConfigError, match="not a US state"):
        map_svg(small_graph(), "CA-AB")


@needs_chromium
def test_map_page_in_chromium(browser, tmp_path) -> None:  # noqa: F811
    html, _ = render_map(small_graph(), "MS")
    (tmp_path / "map.html").write_text(html, encoding="utf-8")
    pg = browser.new_page(viewport={"width": 1200, "height": 900})
    outside: list[str] = []
    pg.on("request", lambda r: outside.append(r.url) if not r.url.startswith("file:")
          else None)
    pg.goto((tmp_path / "map.html").as_uri())
    pg.wait_for_function("window.coalition && window.coalition.ready", timeout=30000)
    assert pg.evaluate(f"window.coalition.counties['{HARRISON}']") == "untied"
    fill = pg.evaluate(f"getComputedStyle(document.querySelector('[data-fips=\"{HARRISON}\"]'))"
                       ".fill")
    assert fill == "rgb(213, 94, 0)"  # vermillion, the gap colour
    pg.hover(f'[data-fips="{LEE}"]')
    pg.wait_for_function("document.getElementById('hover').textContent.includes('Lee')")
    assert "law enforcement: pd-lee" in pg.inner_text("#hover")
    assert "ts-nowhere" in pg.inner_text("body")  # listed, not lost
    assert not_blank(pg.screenshot())
    assert outside == []
    pg.close()


def test_render_map_command(embedded_settings, embedded_store, tmp_path, monkeypatch) -> None:
    from api import cli

    load(SEED, embedded_store)
    monkeypatch.setenv("COALITION_GRAPH_NAME", embedded_settings.graph_name)
    base = ["--data-dir", str(embedded_settings.data_dir), "render", "--map"]
    out = tmp_path / "ms.html"
    r = CliRunner().invoke(cli.app, [*base, "--state", "Mississippi", "--out", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert html.count("data-fips=") == 82 and "Local contacts by county: MS" in html
    # the seed records counties only for three San Joaquin (CA) organizations, none a site
    # or law enforcement, and no named site in Mississippi (data/seed/organizations.csv)
    assert 'id="nocounties"' in html and "Not on the map" not in html
    r = CliRunner().invoke(cli.app, [*base, "--state", "Alberta", "--out",
                                     str(tmp_path / "ab.html")])
    assert r.exit_code == 1 and isinstance(r.exception, ConfigError)  # main() prints it
    assert "not a US state" in str(r.exception)
    assert not (tmp_path / "ab.html").exists()


def test_dashboard_map_of_a_province_says_so(embedded_settings) -> None:
    from api.maps import map_parts
    from api.service import CoalitionService

    parts = map_parts(CoalitionService(embedded_settings), "Alberta")
    assert parts["svg"] == "" and parts["counties"] == {}
    assert "No county map for CA-AB" in parts["table"]
