"""The briefing shows names from the data as the text they are: in the HTML report no link,
image or HTML comes from a name, and in `--format md` no raw HTML, no link syntax that a
Markdown renderer would follow, and no `|` that breaks a table. Against the real embedded
store: the seed plus sites, a build and an attendee named like attacks."""

from __future__ import annotations

import datetime as dt
import re

import lxml.html
import pytest
from markdown_it import MarkdownIt

from api.service import CoalitionService
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import SEED
from visualizations.briefing import md_text, to_html, to_markdown

EVIL = [
    "[Click](https://evil.example/phish)",
    "![pixel](https://evil.example/p.png)",
    "<https://evil.example/auto>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "Stop | with | pipes",
    "Trailing backslash \\",
    "`code` and ``more`` ` lone",
    "**bold** _em_ ~~strike~~",
    "&lt;script&gt; as an entity &#60;b&#62;",
    "[ref]: https://evil.example/def",
    "- looks like a list",
    "1. looks ordered",
    "> looks quoted",
    "# looks like a heading",
    "line one\n# heading two\n| a | b |",
    "    four spaces, a code block?",
    "bare https://evil.example/bare and www.evil.example",
    "---",
]
AS_OF = dt.date(2026, 11, 24)


def _text(s: str) -> str:
    return " ".join(s.split())


def _write_attacks(store: GraphStore) -> None:
    load(SEED, store)
    sites = [{"id": f"org:ms:evil-{i}",
              "props": {"id": f"org:ms:evil-{i}", "name": name, "kind": "truck stop",
                        "state": "MS", "source": "test", "source_row": i}}
             for i, name in enumerate(EVIL)]
    # an id no code span can hold as it is
    sites.append({"id": "org:ms:odd|`id`", "props": {
        "id": "org:ms:odd|`id`", "name": "Odd id stop", "kind": "truck stop", "state": "MS",
        "source": "test", "source_row": 99}})
    store.upsert_nodes(("Organization", "TruckStop"), sites)
    store.upsert_nodes(("Event",), [{"id": "event:ms:evil-build", "props": {
        "id": "event:ms:evil-build", "name": "[Build](https://evil.example/b) | <b>x</b>",
        "kind": "coalition build", "state": "MS", "date": "2026-06-01",
        "date_precision": "day", "source": "test", "source_row": 1}}])
    store.upsert_edges("ATTENDED", [{"src": "org:ms:evil-0", "dst": "event:ms:evil-build",
                                     "key": "evil-attended", "props": {"key": "evil-attended"}}])


def _check_html(doc: lxml.html.HtmlElement, names: list[str]) -> None:
    assert doc.xpath("//a") == [], [lxml.html.tostring(a) for a in doc.xpath("//a")]
    assert doc.xpath("//script | //object | //embed | //style[not(ancestor::head)]") == []
    assert all(i.get("src", "").startswith("data:image/svg+xml") for i in doc.xpath("//img"))
    assert not [e for e in doc.iter() if isinstance(e.tag, str) and any(
        a.startswith("on") for a in e.attrib)]
    for table in doc.xpath("//table"):
        width = len(table.xpath("./thead/tr/th"))
        assert all(len(tr.xpath("./td")) == width for tr in table.xpath("./tbody/tr"))
    cells = [_text(c.text_content()) for c in doc.xpath("//td | //li")]
    for name in names:  # each name reads as written, within one cell or item
        assert any(_text(name) in c for c in cells), name


@pytest.fixture
def report(embedded_settings, embedded_store: GraphStore):
    _write_attacks(embedded_store)
    svc = CoalitionService(embedded_settings)
    return svc, svc.analyze(state="MS", as_of=AS_OF)


def test_the_sections_carry_the_names(report) -> None:
    _, r = report
    sites = {s["name"] for s in r["contact_gaps"][0]["sites"]}
    assert set(EVIL) <= sites
    assert any(f["event"]["id"] == "event:ms:evil-build" for f in r["followups"][0]["schedule"])
    assert any(o["id"] == "org:ms:evil-0" for o in r["followups"][0]["funnel"]["stalled"])


def test_html_report_has_no_links_or_html_from_data(report) -> None:
    svc, r = report
    page = svc.render_report(r, "html")
    doc = lxml.html.document_fromstring(page)
    _check_html(doc, [*EVIL, "Odd id stop", "org:ms:odd|`id`",
                      "[Build](https://evil.example/b) | <b>x</b>"])
    assert doc.xpath("//b") == []


def test_markdown_carries_no_html_or_links(report) -> None:
    svc, r = report
    md = svc.render_report(r, "md")
    assert md == to_markdown(r)
    assert "<" not in md  # no HTML at all: the data's < are entities
    assert not re.search(r"(?<!\\)\[|(?<!\\)\]\(", md)  # no unescaped link syntax
    # A renderer that lets HTML through (as many do) still makes nothing of it.
    permissive = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    _check_html(lxml.html.document_fromstring(
        "<html><body>" + permissive.render(md) + "</body></html>"),
        [*EVIL, "org:ms:odd|`id`"])
    # Table rows keep their columns in the Markdown itself.
    for block in re.split(r"\n\n", md):
        rows = [ln for ln in block.splitlines() if ln.startswith("|")]
        if rows:
            widths = {len(re.findall(r"(?<!\\)\|", ln)) for ln in rows}
            assert len(widths) == 1, block


@pytest.mark.parametrize("name", EVIL)
def test_each_name_in_a_cell_and_in_a_list_item(name: str) -> None:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    text = f"| a | b |\n|---|---|\n| {md_text(name)} | x |\n\n- {md_text(name)}\n"
    doc = lxml.html.document_fromstring("<html><body>" + md.render(text) + "</body></html>")
    assert [_text(td.text_content()) for td in doc.xpath("//td")] == [_text(name), "x"]
    assert [_text(li.text_content()) for li in doc.xpath("//li")] == [_text(name)]
    assert doc.xpath("//a | //img | //script | //code | //em | //strong | //del | //h1") == []


def test_html_without_the_store() -> None:
    # to_html on its own: the rendering refuses links and HTML even in the briefing's text
    r = {"generated": {"states": [], "as_of": "2026-11-24", "blueprint": "b.yaml",
                       "approximations": ["[x](https://evil.example)"]},
         "coverage": [], "contact_gaps": [], "followups": [], "recommendations": [],
         "mve": [], "metrics": [], "structure": {"relationship": [], "co_attendance": []}}
    doc = lxml.html.document_fromstring(to_html(r))
    assert doc.xpath("//a") == [] and "[x](https://evil.example)" in _text(doc.text_content())
