"""The report's SVG charts, read back as SVG (xml.etree): what a browser is given.

Reports are built by hand in the shape graph/analysis produces (attendance through
:func:`graph.analysis.impact.attendance_of` itself), so these need no store.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from typing import Any

import networkx as nx
import pytest
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from graph.analysis import impact
from visualizations import charts, palette

SVG = "{http://www.w3.org/2000/svg}"
LONG = ("Wallet cards handed to every truck driver at the state's weigh stations and "
        "ports of entry")
STAGES = ["contacted", "met", "trained", "pledged"]


def _report(**parts: Any) -> dict[str, Any]:
    return {"followups": [], "coverage": [], "metrics": [], "mve": [], **parts}


def _funnel(counts: dict[str, int]) -> dict[str, Any]:
    return _report(followups=[{"state": "MS", "funnel": {"stages": STAGES, "counts": counts}}])


def _mve(name: str = LONG) -> dict[str, Any]:
    comps = [("Training", "adopted"), (name, "pledged"), ("Hotline stickers", "missing")]
    return _report(mve=[{"state": st, "unnamed_components": 2,
                         "components": [{"name": n, "status": s, "evidence": []}
                                        for n, s in comps]} for st in ("IA", "MS")])


def _attendance() -> dict[str, Any]:
    g = nx.MultiDiGraph()
    g.add_node("e", label="Event", name="Gulfport build")
    g.add_node("pd", label="Organization", kind="law enforcement", name="Gulfport PD")
    g.add_node("ago", label="Organization", kind="prosecutor", name="AG's Office")
    g.add_node("ts", label="Organization", kind="truck stop", name="Pilot 12")
    g.add_node("np", label="Organization", kind="nonprofit", name="Shelter")
    g.add_node("dot", label="Organization", kind="state agency", name="MDOT")
    g.add_node("cas", label="Group", kind="casino", count=3, name="3 casinos (unnamed)")
    for n in ("pd", "ago", "ts", "np", "dot", "cas"):
        g.add_edge(n, "e", type="ATTENDED")
    a = impact.attendance_of(g, "e", impact.credited(g), impact.People(g))
    a["event"] = {"id": "e", "name": "Gulfport build"}
    return _report(metrics=[{"attendance": [a], "tips_and_hotline": {}}])


def _tree(chart: dict[str, str]) -> ET.Element:
    return ET.fromstring(chart["svg"])


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def _groups(root: ET.Element, prefix: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("id", "").startswith(prefix)]


def _fill(el: ET.Element) -> str:
    m = re.search(r"fill:\s*([^;]+)", el.get("style", ""))
    return m.group(1).strip() if m else el.get("fill", "")


def _tick_labels(root: ET.Element, axis: str) -> list[str]:
    return [t.text or "" for g in _groups(root, f"{axis}tick_") for t in g.iter(f"{SVG}text")]


def test_a_funnel_of_all_zeros_says_no_data_and_draws_no_axis() -> None:
    c = charts.funnel(_funnel(dict.fromkeys(STAGES, 0)))
    root = _tree(c)
    assert charts.NO_DATA in _texts(root)
    # no axes at all: nothing that reads as a scale of -0.04..0.04
    assert not _groups(root, "axes_") and not _groups(root, "matplotlib.axis")
    assert not _tick_labels(root, "x") and not _tick_labels(root, "y")
    assert c["alt"].startswith("Engagement funnel: no data") and "contacted 0" in c["alt"]


@pytest.mark.parametrize("make", [
    lambda: charts.funnel(_report()),
    lambda: charts.attendance(_report()),
    lambda: charts.tips(_report()),
    lambda: charts.mve(_report()),
    lambda: charts.coverage(_report()),
])
def test_nothing_to_draw_says_no_data(make) -> None:
    c = make()
    root = _tree(c)
    assert _texts(root) == [charts.NO_DATA] and not _groups(root, "axes_")
    assert c["title"] and "no data" in c["alt"] and c["alt"].endswith(".")


def test_a_small_funnel_has_whole_number_ticks_and_its_counts() -> None:
    # 2, 1, 1, 0: matplotlib's default locator ticks this at 0.00, 0.25, 0.50, ...
    c = charts.funnel(_funnel({"contacted": 2, "met": 1, "trained": 1, "pledged": 0}))
    root = _tree(c)
    ticks = _tick_labels(root, "x")
    assert ticks and all(re.fullmatch(r"\d+", t) for t in ticks), ticks
    assert {"0", "1", "2"} <= set(ticks)
    assert charts.NO_DATA not in _texts(root)
    assert c["alt"] == "Engagement funnel: contacted 2, met 1, trained 1, pledged 0."


def test_count_axes_have_only_integer_tick_labels() -> None:
    tips = _report(metrics=[{"attendance": [], "tips_and_hotline": {
        "MS": [{"date": "2024-01", "value": 1}, {"date": "2024-02", "value": 2},
               {"date": "2024-03", "value": 3}],
        "AL": [{"date": "2024-01", "value": 0}, {"date": "2024-03", "value": 1}]}}])
    for c, axis in ((charts.attendance(_attendance()), "x"), (charts.tips(tips), "y")):
        ticks = _tick_labels(_tree(c), axis)
        assert len(ticks) >= 2, c["title"]
        assert all(re.fullmatch(r"\d+", t) for t in ticks), (c["title"], ticks)


def test_attendance_bars_take_the_network_palette_with_a_legend() -> None:
    c = charts.attendance(_attendance())
    root = _tree(c)
    patterns = {p.get("id"): p for p in root.iter(f"{SVG}pattern")}
    seen: dict[str, set[str]] = {}
    for g in _groups(root, "attendance-"):
        sector, part = re.fullmatch(r"attendance-([a-z-]+)-(named|unnamed)-\d+",
                                    g.get("id")).groups()
        fill = _fill(next(g.iter(f"{SVG}path")))
        if part == "unnamed":  # hatched: the colour is the pattern's background
            ref = re.fullmatch(r"url\(#(.+)\)", fill)
            assert ref, fill
            fill = patterns[ref.group(1)].find(f"{SVG}rect").get("fill")
        seen.setdefault(f"{sector} {part}", set()).add(fill.lower())
    want = {s: palette.sector_colour(s).lower() for s in
            ("law enforcement", "government", "civil society", "industry")}
    # the truck stop and the unnamed casinos are industry, orange as on the network pages
    assert seen == {"law-enforcement named": {want["law enforcement"]},
                    "government named": {want["government"]},
                    "civil-society named": {want["civil society"]},
                    "industry named": {want["industry"]},
                    "industry unnamed": {want["industry"]}}
    legend = [t.text for g in _groups(root, "legend_") for t in g.iter(f"{SVG}text")]
    assert {"law enforcement", "government", "civil society", "industry"} <= set(legend)
    assert "unnamed group (hatched)" in legend
    assert "unnamed casino 3" in c["alt"] and "truck stop 1" in c["alt"]


def _text_boxes(root: ET.Element) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each <text> element's box in SVG user units, measured with matplotlib's own font
    metrics (DejaVu Sans, which laid the chart out): the text's width, ascent and descent
    at its font size, placed by its anchor (x/y or translate) and text-anchor, and rotated
    as its transform says. Matplotlib writes no transform on the groups around text; this
    is checked, so a change in how it writes SVG fails here rather than passing blindly."""
    parents = {c: p for p in root.iter() for c in p}
    measure = TextToPath()
    boxes = []
    for t in root.iter(f"{SVG}text"):
        p = parents[t]
        while p is not root:
            assert "transform" not in p.attrib, p.attrib
            p = parents[p]
        style = t.get("style", "")
        size = float(re.search(r"font-size:\s*([\d.]+)px", style).group(1))
        anchor = (re.search(r"text-anchor:\s*(\w+)", style) or [None, "start"])[1]
        w, h, d = measure.get_text_width_height_descent(
            t.text or "", FontProperties(family="DejaVu Sans", size=size), ismath=False)
        transform = t.get("transform", "")
        moved = re.search(r"translate\(([-\d.e]+)[ ,]+([-\d.e]+)\)", transform)
        x, y = ((float(moved.group(1)), float(moved.group(2))) if moved else
                (float(t.get("x", 0)), float(t.get("y", 0))))
        turn = re.search(r"rotate\(([-\d.e]+)", transform)
        a = math.radians(float(turn.group(1))) if turn else 0.0
        start = {"start": 0.0, "middle": -w / 2, "end": -w}[anchor]
        corners = [(start + dx, dy) for dx in (0, w) for dy in (-(h - d), d)]
        xs = [x + cx * math.cos(a) - cy * math.sin(a) for cx, cy in corners]
        ys = [y + cx * math.sin(a) + cy * math.cos(a) for cx, cy in corners]
        boxes.append((t.text or "", (min(xs), min(ys), max(xs), max(ys))))
    return boxes


def _outside(c: dict[str, str]) -> list[str]:
    root = _tree(c)
    x0, y0, width, height = (float(v) for v in root.get("viewBox").split())
    slack = 0.5  # sub-point rounding in the SVG's numbers
    return [text for text, (a, b, r, s) in _text_boxes(root)
            if a < x0 - slack or b < y0 - slack or r > x0 + width + slack
            or s > y0 + height + slack]


def test_mve_labels_are_whole_and_wrapped() -> None:
    c = charts.mve(_mve())
    texts = _texts(_tree(c))
    # the name is all there, over several lines none wider than a column's wrap
    lines = [t for t in texts if t and t in LONG]
    assert " ".join(lines) == LONG
    assert len(lines) > 1 and all(len(t) <= charts.MVE_WRAP for t in lines)
    assert "(2 more component(s) not named in the data)" in texts
    assert LONG in c["alt"]


@pytest.mark.parametrize("name", [LONG, "X" * 90, "Short"])
def test_no_text_of_the_mve_chart_lies_outside_the_svg(name) -> None:
    assert _outside(charts.mve(_mve(name))) == []


def test_no_text_of_any_chart_lies_outside_the_svg() -> None:
    tips = _report(metrics=[{"attendance": [], "tips_and_hotline": {
        "MS": [{"date": "2024-01", "value": 4}, {"date": "2024-06", "value": 9}]}}])
    long_event = _attendance()
    long_event["metrics"][0]["attendance"][0]["event"]["name"] = LONG + " " + LONG
    assert " ".join(t for t in _texts(_tree(charts.attendance(long_event)))
                    if t in LONG + " " + LONG) == LONG + " " + LONG  # wrapped, not cut
    made = [charts.funnel(_funnel({"contacted": 12, "met": 7, "trained": 3, "pledged": 1})),
            charts.coverage(_report(coverage=[{"state": "MS", "coverage": 1.0},
                                              {"state": "AL", "coverage": 0.0}])),
            charts.attendance(long_event), charts.tips(tips), charts.mve(_mve()),
            charts.funnel(_report())]
    for c in made:
        assert _outside(c) == [], c["title"]
        assert c["alt"].endswith(".")  # every chart keeps its alt text


def test_zero_coverage_is_drawn_and_labelled() -> None:
    # 0 % is a finding (nothing in place), unlike an unknown coverage
    c = charts.coverage(_report(coverage=[{"state": "MS", "coverage": 0.0},
                                          {"state": "AL", "coverage": 0.5}]))
    texts = _texts(_tree(c))
    assert charts.NO_DATA not in texts and {"0%", "50%"} <= set(texts)
    assert c["alt"] == "Blueprint coverage by state: MS 0%, AL 50%."


def test_all_charts_always_gives_each_chart() -> None:
    assert [c["title"] for c in charts.all_charts(_report())] == [
        "Engagement funnel", "Blueprint coverage by state", "Attendance by sector",
        "Tips and hotline reports over time", "Iowa MVE model adoption"]


def test_charts_name_the_places_they_list() -> None:
    # US states are states, Canadian provinces provinces, a mix jurisdictions
    for rows, word in ((["MS", "AL"], "state"), (["CA-AB", "CA-ON"], "province"),
                       (["MS", "CA-AB"], "jurisdiction")):
        c = charts.coverage(_report(coverage=[{"state": s, "coverage": 0.5} for s in rows]))
        assert c["title"] == f"Blueprint coverage by {word}"
        assert c["alt"].startswith(f"Blueprint coverage by {word}: {rows[0]} 50%")
