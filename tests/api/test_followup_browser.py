"""Logging a follow-up from the pages (issue 13, items 2 and 5), in Chromium against a real
server over the seed plus one SYNTHETIC build: "log it" beside a due point of the dashboard's
follow-up list, the point turns done; "Log follow-up" on a stakeholder's page, the contact
shows in its follow-ups. Keyboard only where a person would type.

The dashboard schedules as of the server's today, so the build is dated 40 days before the
day the test runs: its 1-month point fell about 10 days ago, inside its 15-day window
(blueprint followups.window_days), so it is due; a contact dated today counts for it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from loaders.load import load
from tests.api.test_edit_browser import _open
from tests.api.test_pages_browser import page, server  # noqa: F401 - fixtures
from tests.conftest import write_workbook

BUILD = "event:syn-browser-build"
NAME = "Synthetic Browser Build"


@pytest.fixture
def build(embedded_store, tmp_path, server) -> dt.date:  # noqa: F811 - after the seed
    day = dt.date.today() - dt.timedelta(days=40)
    load(write_workbook(tmp_path / "syn", events=f"""
        id,name,kind,date,state
        {BUILD},{NAME},coalition build,{day.isoformat()},MS
    """, organizations="""
        id,name,kind,state
        org:ms:syn-browser-stop,Synthetic Browser Stop,truck stop,MS
    """, participation=f"""
        entity_id,event_id,role
        org:ms:syn-browser-stop,{BUILD},attended
    """), embedded_store)
    return day


def _show(page, node_id: str, name: str) -> None:  # noqa: F811
    # loaded behind the running server's back: its name index does not know it yet (a write
    # through the server refreshes it), so the page opens it by id, as a link would
    page.click("text=Explorer")
    page.evaluate(f"show('{node_id}')")
    page.wait_for_function(f"document.getElementById('who').textContent === '{name}'",
                           timeout=30000)


def _dashboard_ms(page) -> None:  # noqa: F811
    page.click("text=Dashboard")
    page.select_option("#state", "MS")
    page.wait_for_selector(f"#followups li[data-event='{BUILD}'][data-months='1']")


def test_log_it_from_the_dashboard_turns_the_point_done(page, build) -> None:  # noqa: F811
    page.reload()
    page.wait_for_selector("#missing li", timeout=30000)
    _dashboard_ms(page)
    item = f"#followups li[data-event='{BUILD}'][data-months='1']"
    assert ", due (due " in page.inner_text(item)
    page.focus(f"{item} button.logit")
    opened = dt.date.today()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "fu-date"  # the form has the focus
    # today, as the page saw it: the day may turn while the form opens
    assert page.input_value("#fu-date") in {opened.isoformat(), dt.date.today().isoformat()}
    page.select_option("#fu-kind", "visit")
    page.fill("#fu-entity", "org:ms:syn-browser-stop")
    page.fill("#fu-outcome", "SYNTHETIC: will post the wallet cards")
    page.press("#fu-outcome", "Enter")  # submits the form
    page.wait_for_function("document.getElementById('fumsg').textContent.includes('is done')",
                           timeout=30000)
    assert page.query_selector(item) is None  # no longer due
    assert page.inner_text("#error") == ""
    # the stakeholder contacted shows it on its page
    _open(page, "syn browser stop", "Synthetic Browser Stop")
    assert "visit after Synthetic Browser Build" in page.inner_text("#sfollowups")
    assert page.outside == [] and page.errors == []


def test_log_follow_up_on_the_stakeholder_page(page, build) -> None:  # noqa: F811
    _show(page, "org:ms:syn-browser-stop", "Synthetic Browser Stop")
    page.click("#logfu")
    assert page.evaluate("document.activeElement.id") == "sfu-event"
    assert page.input_value("#sfu-event") == BUILD  # its build, the only one it attended
    page.select_option("#sfu-kind", "email")
    page.fill("#sfu-outcome", "SYNTHETIC: asked for the training dates")
    page.click("#sfu-save")
    page.wait_for_function("document.getElementById('editmsg').textContent"
                           ".startsWith('Logged')", timeout=30000)
    assert "email after Synthetic Browser Build; outcome: SYNTHETIC: asked for the " \
           "training dates" in page.inner_text("#sfollowups")
    # a refusal is shown, and nothing is logged: a date before the build
    page.click("#logfu")
    page.fill("#sfu-date", (build - dt.timedelta(days=1)).isoformat())
    page.click("#sfu-save")
    page.wait_for_function("document.getElementById('error').textContent"
                           ".includes('before the build')", timeout=30000)
    assert page.locator("#sfollowups li").count() == 1
    assert page.outside == [] and page.errors == []


def test_log_follow_up_offers_the_builds_its_people_took_part_in(
        page, build, embedded_store, tmp_path) -> None:  # noqa: F811
    """A department whose chief spoke and whose officer attended took part in the build
    (issue 10): its page offers that build, once. SYNTHETIC rows."""
    load(write_workbook(tmp_path / "via", organizations="""
        id,name,kind,state
        org:ms:syn-browser-pd,Synthetic Browser PD,law enforcement,MS
    """, people="""
        id,name,title,organization_id
        person:syn-browser-chief,Synthetic Browser Chief,Chief,org:ms:syn-browser-pd
        person:syn-browser-officer,Synthetic Browser Officer,Officer,org:ms:syn-browser-pd
    """, participation=f"""
        entity_id,event_id,role
        person:syn-browser-chief,{BUILD},spoke
        person:syn-browser-officer,{BUILD},attended
    """), embedded_store)
    _show(page, "org:ms:syn-browser-pd", "Synthetic Browser PD")
    page.click("#logfu")
    assert page.evaluate("document.activeElement.id") == "sfu-event"
    assert page.eval_on_selector_all("#sfu-event option", "os => os.map(o => o.value)") == \
        [BUILD]
    assert page.outside == [] and page.errors == []


def test_a_double_submit_logs_one_follow_up(page, build) -> None:  # noqa: F811
    """Two presses of "Log it" before the first answer (a double click) log one contact."""
    _show(page, "org:ms:syn-browser-stop", "Synthetic Browser Stop")
    page.click("#logfu")
    page.fill("#sfu-outcome", "SYNTHETIC: pressed twice")
    # count what is sent, whatever the server then makes of it
    page.evaluate("window.SENT = 0; const send = window.fetch; window.fetch = (u, o) => { "
                  "if (String(u).endsWith('/api/followups')) window.SENT++; "
                  "return send(u, o); }")
    page.evaluate("const f = document.getElementById('sfuform'); "
                  "f.requestSubmit(); f.requestSubmit();")
    page.wait_for_function("document.getElementById('editmsg').textContent"
                           ".startsWith('Logged')", timeout=30000)
    page.wait_for_load_state("networkidle")  # a second request, had one gone, is answered
    logged = page.evaluate("fetch('/api/stakeholders/org:ms:syn-browser-stop')"
                           ".then(r => r.json()).then(b => b.followups.length)")
    assert (page.evaluate("window.SENT"), logged) == (1, 1)
    assert page.locator("#sfollowups li").count() == 1
    assert not page.is_disabled("#sfu-save")  # ready for the next one
    assert page.inner_text("#error") == ""
    assert page.outside == [] and page.errors == []
