"""The time slider on network pages, in Chromium: nodes and ties appear by their dates, an
undated organization with the first dated thing it took part in. SYNTHETIC graph; the
expected visible sets were worked out by hand."""

from __future__ import annotations

import networkx as nx

from tests.visualizations.test_network_pages import browser, needs_chromium, open_page  # noqa: F401
from visualizations.network import render


def grown() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("e1", label="Event", kind="coalition build", name="First build", date="2017",
               date_precision="year", state="MS")
    g.add_node("e2", label="Event", kind="coalition build", name="Second build",
               date="2020-01-16", state="MS")
    for n, kind in [("a", "trucking company"), ("b", "law enforcement"), ("c", "nonprofit")]:
        g.add_node(n, label="Organization", kind=kind, name=n.upper(), state="MS")
    g.add_edge("a", "e1", type="ATTENDED")
    g.add_edge("b", "e2", type="ATTENDED")
    g.add_edge("a", "b", type="PARTNERS_WITH", date="2020-03-01")
    return g


def visible(pg) -> tuple[list[str], list[tuple[str, str]]]:
    nodes = pg.evaluate("window.coalition.nodes.get().filter(n => !n.hidden).map(n => n.id)")
    edges = pg.evaluate("window.coalition.edges.get().filter(e => !e.hidden)"
                        ".map(e => [e.from, e.to])")
    return sorted(nodes), sorted(tuple(e) for e in edges)


def slide(pg, value: int) -> str:
    pg.evaluate("""v => { const s = document.querySelector('input[name="time"]');
                          s.value = v; s.dispatchEvent(new Event('input', {bubbles: true})); }""",
                value)
    return pg.inner_text("#time-shown")


@needs_chromium
def test_time_slider_grows_the_network(browser, tmp_path) -> None:  # noqa: F811
    render(grown(), tmp_path / "t.html", title="SYNTHETIC timeline")
    pg, outside = open_page(browser, tmp_path / "t.html")
    assert pg.evaluate("document.querySelector('input[name=\"time\"]').max") == "3"
    assert visible(pg)[0] == ["a", "b", "c", "e1", "e2"]  # all dates at first
    # as of 2017: the first build and A, who attended it; C (nothing dated) always
    assert slide(pg, 0) == "as of 2017"
    assert visible(pg) == (["a", "c", "e1"], [("a", "e1")])
    # as of the second build: B appears with it; the partnership (2020-03-01) not yet
    assert slide(pg, 1) == "as of 2020-01-16"
    assert visible(pg) == (["a", "b", "c", "e1", "e2"], [("a", "e1"), ("b", "e2")])
    assert slide(pg, 2) == "as of 2020-03-01"
    assert ("a", "b") in visible(pg)[1]
    assert slide(pg, 3) == "all dates"
    assert outside == []
    pg.close()


@needs_chromium
def test_an_ended_tie_is_history(browser, tmp_path) -> None:  # noqa: F811
    """SYNTHETIC: A partnered with B from 2020-03-01 to 2021 (year only); C with A, undated
    and still holding. By hand: hidden at first (it has ended); shown with 'ended ties';
    as of 2020-03-01 the slider shows it as it stood."""
    g = grown()
    g.edges["a", "b", 0]["end"] = "2021"
    g.add_edge("c", "a", type="PARTNERS_WITH")
    render(g, tmp_path / "t.html", title="SYNTHETIC ended tie")
    pg, outside = open_page(browser, tmp_path / "t.html")
    assert ("a", "b") not in visible(pg)[1] and ("c", "a") in visible(pg)[1]
    pg.check('input[name="ended"]')
    assert ("a", "b") in visible(pg)[1]
    pg.uncheck('input[name="ended"]')
    assert slide(pg, 2) == "as of 2020-03-01"
    assert ("a", "b") in visible(pg)[1]
    legend = pg.inner_text("body")
    assert "ended tie (history; shown on request)" in legend
    assert outside == []
    pg.close()
