"""Merging from the pages (issue 13, items 2 and 5), in Chromium against a real server over
the seed and SYNTHETIC twins: merge a pair from the review queue; and "Merge into…" on a
stakeholder's page, by keyboard, then undo it from its history. Offline: no request leaves
the server."""

from __future__ import annotations

import pytest

from loaders.load import load
from tests.api.test_pages_browser import page, serving  # noqa: F401 - fixtures
from tests.conftest import SEED, write_workbook


def twins(store, folder) -> None:
    load(write_workbook(folder, organizations="""
        id,name,kind,state,city
        org:ms:hancock-a,Hancock County Sheriff's Office,law enforcement,MS,Bay St. Louis
        org:ms:hancock-b,Hancock County Sherif's Office,law enforcement,MS,
        org:ms:zorvek-a,Zorvek Travel Plaza,truck stop,MS,Biloxi
        org:ms:zorvek-b,Zorvek Travel Plazza,truck stop,MS,
    """, participation="""
        entity_id,event_id,role
        org:ms:hancock-b,event:ms:2020-01-16:gulfport-coalition-build,attended
        org:ms:zorvek-b,event:ms:2020-01-16:gulfport-coalition-build,attended
    """), store)


@pytest.fixture
def server(embedded_settings, embedded_store, tmp_path):
    """The seed and the twins, loaded before the server starts: its name index has them."""
    load(SEED, embedded_store)
    twins(embedded_store, tmp_path / "twins")
    with serving(embedded_settings, tmp_path) as base:
        yield base


def wait_text(page, element: str, text: str) -> None:  # noqa: F811
    page.wait_for_function(f"document.getElementById({element!r}).textContent"
                           f".includes({text!r})")


def test_merge_from_the_review_queue(page, embedded_store) -> None:  # noqa: F811
    page.click("text=Import")
    page.click("#loaddups")
    pair = '#duplist li[data-pair="org:ms:hancock-a org:ms:hancock-b"]'
    page.wait_for_selector(pair)
    page.click(f"{pair} button[data-do='merge'][data-into='org:ms:hancock-a']")
    wait_text(page, "dupmsg", "Merged org:ms:hancock-b into org:ms:hancock-a: 1 ties moved")
    page.wait_for_function("!document.getElementById('duplist').textContent"
                           ".includes('Sherif\\'s')")
    assert embedded_store.read("MATCH (n:Entity {id: 'org:ms:hancock-b'}) RETURN n.id AS i") == []
    [a] = embedded_store.read("MATCH (n:Entity {id: 'org:ms:hancock-a'})-[:ATTENDED]->(e) "
                              "RETURN n.aliases AS aliases, e.id AS e")
    assert a == {"aliases": ["Hancock County Sherif's Office"],
                 "e": "event:ms:2020-01-16:gulfport-coalition-build"}
    assert page.outside == [] and page.errors == []


def test_merge_into_from_the_stakeholder_page_by_keyboard_then_undo(
        page, embedded_store) -> None:  # noqa: F811
    page.click("text=Explorer")
    page.fill("#q", "zorvek plazza")
    page.wait_for_selector("#hits li[data-id='org:ms:zorvek-b']")
    page.click("#hits li[data-id='org:ms:zorvek-b']")
    page.wait_for_function("document.getElementById('who').textContent === "
                           "'Zorvek Travel Plazza'")
    page.focus("#merge")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "mergeq"  # the search has the focus
    page.keyboard.type("zorvek travel plaza")
    page.wait_for_selector("#mergehits button.pick[data-id='org:ms:zorvek-a']")
    # itself is never offered
    assert page.locator("#mergehits button.pick[data-id='org:ms:zorvek-b']").count() == 0
    page.focus("#mergehits button.pick[data-id='org:ms:zorvek-a']")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "mergeyes"
    assert "into Zorvek Travel Plaza (org:ms:zorvek-a)?" in page.inner_text("#mergemsg")
    page.keyboard.press("Enter")
    wait_text(page, "editmsg", "Merged org:ms:zorvek-b into org:ms:zorvek-a: 1 ties moved")
    page.wait_for_function("document.getElementById('who').textContent === "
                           "'Zorvek Travel Plaza'")
    assert "Zorvek Travel Plazza" in page.inner_text("#profile")  # now an alias
    assert "Gulfport Coalition Build" in page.inner_text("#profile")
    page.click("#hist")
    page.wait_for_selector("#histlist li button.undo")
    assert page.inner_text("#histlist li >> nth=0").startswith("merge")
    page.click("#histlist li >> nth=0 >> button.undo")
    wait_text(page, "histlist", "(undone)")
    assert [r["i"] for r in embedded_store.read(
        "MATCH (n:Entity) WHERE n.id STARTS WITH 'org:ms:zorvek' RETURN n.id AS i "
        "ORDER BY i")] == ["org:ms:zorvek-a", "org:ms:zorvek-b"]
    assert "Zorvek Travel Plazza" not in page.inner_text("#profile")
    assert page.outside == [] and page.errors == []
