"""Expanding a hub in the explorer, in headless Chromium (issue 15), on the SYNTHETIC graph
of tests/graph/test_hubs.py: the energy company's depth-2 network shows the organizer but not
its 29 other builds; a click on it (or its button) brings them in."""

from __future__ import annotations

import pytest

from loaders.load import load
from tests.api.test_pages_browser import page, serving  # noqa: F401 (page: a fixture)
from tests.graph.test_hubs import ENERGY, HUB, workbook

pytestmark = pytest.mark.slow


@pytest.fixture
def server(embedded_settings, embedded_store, tmp_path):
    load(workbook(tmp_path / "wb"), embedded_store)
    with serving(embedded_settings, tmp_path) as base:
        yield base


def test_a_hub_is_shown_then_expanded_on_click(page) -> None:  # noqa: F811
    page.click("text=Explorer")
    page.fill("#q", "Energy Co")
    page.wait_for_selector(f'#hits li[data-id="{ENERGY}"]')
    page.click(f'#hits li[data-id="{ENERGY}"]')
    page.wait_for_function("window.egoGraph && window.egoGraph.nodes.length > 1",
                           timeout=30000)
    ids = set(page.evaluate("window.egoGraph.nodes.getIds()"))
    assert HUB in ids and "event:e2" not in ids and len(ids) == 7
    assert "Expand National Organizer (+29)" in page.inner_text("#hubs")
    hub = page.evaluate(f"window.egoGraph.nodes.get('{HUB}')")
    assert hub["hub_hidden"] == 29
    # a mouse click on the hub in the drawing expands it
    x, y = page.evaluate(f"""() => {{
        const v = window.egoGraph.view.network;
        const p = v.canvasToDOM(v.getPosition('{HUB}'));
        const box = document.getElementById('graph').getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }}""")
    page.mouse.click(x, y)
    page.wait_for_function("window.egoGraph.nodes.length === 36", timeout=30000)
    ids = set(page.evaluate("window.egoGraph.nodes.getIds()"))
    assert {f"event:e{i}" for i in range(1, 31)} <= ids
    assert page.is_hidden("#hubs")
    assert page.outside == [] and page.errors == []


def test_a_hub_expands_from_the_keyboard(page) -> None:  # noqa: F811
    page.click("text=Explorer")
    page.fill("#q", "Energy Co")
    page.wait_for_selector(f'#hits li[data-id="{ENERGY}"]')
    page.click(f'#hits li[data-id="{ENERGY}"]')
    page.wait_for_selector("#hublist button")
    page.focus("#hublist button")
    page.keyboard.press("Enter")
    page.wait_for_function("window.egoGraph.nodes.length === 36", timeout=30000)
    assert page.errors == []
