"""Editing from the pages (issue 13, item 5), in Chromium against a real server over the
seed: edit a stakeholder in its form, see it in its history, undo it; delete one, find the
delete in the change log, undo it. Every step goes through the API the page calls."""

from __future__ import annotations

from tests.api.test_pages_browser import page, server  # noqa: F401 - fixtures


def _open(page, query: str, name: str) -> None:  # noqa: F811
    page.click("text=Explorer")
    page.fill("#q", query)
    page.wait_for_selector(f"#hits li:has-text('{name}')")
    page.click(f"#hits li:has-text('{name}')")
    page.wait_for_function(f"document.getElementById('who').textContent === {name!r}")


def test_edit_then_undo_from_its_history(page) -> None:  # noqa: F811
    _open(page, "pine belt", "Pine Belt Task Force")
    page.click("#edit")
    assert page.evaluate("document.activeElement.id") == "f-name"  # the form has the focus
    page.fill("#f-city", "Hattiesburg")
    page.click("#save")
    page.wait_for_function("document.getElementById('editmsg').textContent"
                           ".includes('Saved: city')")
    assert "Hattiesburg" in page.inner_text("#profile")
    page.click("#hist")
    page.wait_for_selector("#histlist li button.undo")
    assert page.inner_text("#histlist li >> nth=0").startswith("update")
    page.click("#histlist li >> nth=0 >> button.undo")
    page.wait_for_function("document.getElementById('histlist').textContent"
                           ".includes('(undone)')")
    assert "Hattiesburg" not in page.inner_text("#profile")
    assert page.outside == [] and page.errors == []


def test_delete_then_undo_from_the_change_log(page) -> None:  # noqa: F811
    _open(page, "chavez", "Detective Chavez")
    page.click("#del")
    assert "Delete Detective Chavez" in page.inner_text("#delmsg")
    page.click("#delyes")
    page.wait_for_function("document.getElementById('editmsg').textContent"
                           ".startsWith('Deleted')")
    page.fill("#q", "detective chavez")
    page.wait_for_function("!document.getElementById('hits').textContent"
                           ".includes('Detective Chavez')")
    page.click("text=History")
    page.click("#loadchanges")
    page.wait_for_selector("#changelist li")
    first = page.locator("#changelist li").first
    assert first.inner_text().startswith("delete")
    first.locator("button.undo").click()
    page.wait_for_function("document.querySelector('#changelist li').textContent"
                           ".startsWith('undo')")
    _open(page, "detective chavez", "Detective Chavez")
    assert "Pittsburg" in page.inner_text("#profile")
    assert page.outside == [] and page.errors == []


def test_review_queue_not_the_same_is_remembered(page, embedded_store, tmp_path) -> None:  # noqa: F811
    """SYNTHETIC twins loaded beside the seed: the queue shows the pair; 'Not the same'
    takes it off, and it stays off."""
    from loaders.load import load
    from tests.conftest import write_workbook

    load(write_workbook(tmp_path / "twins", organizations="""
        id,name,kind,state
        org:ms:hancock-a,Hancock County Sheriff's Office,law enforcement,MS
        org:ms:hancock-b,Hancock County Sherif's Office,law enforcement,MS
    """), embedded_store)
    page.click("text=Import")
    page.click("#loaddups")
    page.wait_for_selector('#duplist li[data-pair="org:ms:hancock-a org:ms:hancock-b"]')
    page.click('#duplist li[data-pair="org:ms:hancock-a org:ms:hancock-b"] '
               'button[data-do="distinct"]')
    page.wait_for_function("!document.getElementById('duplist').textContent"
                           ".includes('Sherif\\'s')")
    page.click("#loaddups")
    page.wait_for_function("document.getElementById('duplist').textContent"
                           ".includes('decided')")
    assert "Hancock" not in page.inner_text("#duplist")
    assert page.outside == [] and page.errors == []
