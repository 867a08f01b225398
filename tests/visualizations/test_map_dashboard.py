"""The dashboard's map in Chromium against a real server (the seed): the chosen state's
counties, the legend, and the national view on request; nothing leaves the server."""

from __future__ import annotations

from tests.api.test_pages_browser import page, server  # noqa: F401 (fixtures)


def test_dashboard_map(page) -> None:  # noqa: F811
    page.wait_for_function("window.coalitionMap && window.coalitionMap.ready", timeout=30000)
    st = page.evaluate("window.coalitionMap.state")
    assert st == page.input_value("#state")
    assert page.locator("#mapwrap svg path[data-fips]").count() > 0
    assert "nothing recorded" in page.inner_text("#maplegend")
    page.check("#mapnation")
    page.wait_for_function("window.coalitionMap.state === null", timeout=30000)
    assert page.locator("#mapwrap svg path[data-fips]").count() == 3142
    assert page.outside == [] and page.errors == []
