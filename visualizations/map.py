"""A map of local-contact gaps: US counties, the sites in each (truck stops, bus terminals,
casinos) and its local law enforcement, with the counties whose sites have no tie to law
enforcement highlighted. A national view (every county, state outlines) and a state view
(that state's counties and its outline).

The boundaries are the Census Bureau's 2017 cartographic boundary files (public domain) as
TopoJSON, from the npm package us-atlas 3.0.1 (Mike Bostock, ISC licence; vendored in
``visualizations/data/us-atlas/`` with its licence), already projected to Albers USA
(Alaska and Hawaii as insets, 975 x 610 units). Since they are projected, drawing needs no
map library: the arcs are decoded here (the TopoJSON specification,
https://github.com/topojson/topojson-specification) into SVG paths, and a page is one
offline file with an inline SVG and a few lines of plain JavaScript. Nothing is fetched.

Canada is not drawn: no packaged public-domain province boundaries were found (the npm
package world-atlas has countries only); sites in provinces are listed under the map.
Counties whose boundaries changed after 2017 (for example Alaska's Chugach and Copper
River, 2019) are listed as "not on the map" rather than drawn in the wrong place.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import addfips
import networkx as nx

from graph.analysis.contacts import SITE_KINDS, contact_gaps, law_enforcement_index
from graph.errors import ConfigError
from visualizations import palette

ATLAS = Path(__file__).parent / "data" / "us-atlas" / "counties-albers-10m.json"

#: county status -> (fill, legend text); a status's order is its urgency
STATUS = {
    "untied": (palette.OVERLAY, "sites with no tie to law enforcement"),
    "no-protocol": ("url(#hatch)", "sites tied to law enforcement, no local-contact protocol"),
    "covered": (palette.SECTOR_COLOUR["law enforcement"], "every site has a local contact"),
    "law enforcement only": ("#b9d3e8", "law enforcement, no sites recorded"),
    "none": ("#f2f2f2", "nothing recorded"),
}


@cache
def atlas() -> dict[str, Any]:
    """The vendored TopoJSON, read once per process."""
    return json.loads(ATLAS.read_text(encoding="utf-8"))


@cache
def state_fips() -> dict[str, str]:
    """Postal code -> two-digit state FIPS code (the Census list shipped in addfips)."""
    with open(Path(addfips.__file__).parent / "data" / "states.csv", newline="",
              encoding="utf-8") as fh:
        return {row["postal"]: row["fips"] for row in csv.DictReader(fh)}


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute coordinates of each arc of a quantized TopoJSON topology (positions are
    delta-encoded, then scaled and translated by the topology's transform).

    >>> t = {"transform": {"scale": [2, 1], "translate": [10, 0]}, "arcs": [[[0, 0], [1, 2]]]}
    >>> decode_arcs(t)
    [[(10, 0), (12, 2)]]
    """
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _ring(arcs: list[list[tuple[float, float]]], refs: list[int]) -> list[tuple[float, float]]:
    # a negative reference ~i is arc i reversed; consecutive arcs share their end point
    points: list[tuple[float, float]] = []
    for r in refs:
        arc = arcs[r] if r >= 0 else arcs[~r][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def shapes(topology: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    """``{id: {"name", "d" (an SVG path), "box" (x0, y0, x1, y1)}}`` for an object of the
    topology (``counties``, ``states`` or ``nation``)."""
    arcs = decode_arcs(topology)
    out = {}
    for geo in topology["objects"][name]["geometries"]:
        polygons = {"Polygon": [geo.get("arcs", [])],
                    "MultiPolygon": geo.get("arcs", [])}.get(geo["type"], [])
        parts, xs, ys = [], [], []
        for polygon in polygons:
            for refs in polygon:
                ring = _ring(arcs, refs)
                if not ring:
                    continue
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + "Z")
                xs += [p[0] for p in ring]
                ys += [p[1] for p in ring]
        if parts:
            out[str(geo.get("id", name))] = {
                "name": (geo.get("properties") or {}).get("name", ""), "d": "".join(parts),
                "box": (min(xs), min(ys), max(xs), max(ys))}
    return out


def county_summary(g: nx.MultiDiGraph, state: str | None = None) -> dict[str, Any]:
    """Sites and local law enforcement per county (by FIPS code), and each county's status:
    ``untied`` (a site with no tie to law enforcement at all), ``no-protocol`` (every site
    is tied, but one not by a local-contact protocol), ``covered``, ``law enforcement only``.
    Sites with no county recorded are counted per state under ``unplaced``.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("ts", label="Organization", kind="truck stop", name="Stop", state="MS",
    ...            county_fips="28047")
    >>> g.add_node("pd", label="Organization", kind="law enforcement", name="PD", state="MS",
    ...            county_fips="28047")
    >>> g.add_node("c", label="Organization", kind="casino", name="Casino", state="MS")
    >>> s = county_summary(g)
    >>> s["counties"]["28047"]["status"], s["counties"]["28047"]["law_enforcement"]
    ('untied', [{'id': 'pd', 'name': 'PD'}])
    >>> s["unplaced"]
    {'MS': [{'id': 'c', 'name': 'Casino', 'kind': 'casino'}]}
    >>> _ = g.add_edge("ts", "pd", type="LOCAL_CONTACT")
    >>> county_summary(g)["counties"]["28047"]["status"]
    'covered'
    """
    gaps = {x["id"]: x["gap"] for x in contact_gaps(g)}
    counties: dict[str, dict[str, Any]] = {}
    unplaced: dict[str, list[dict[str, Any]]] = {}

    def county(fips: str, d: dict[str, Any]) -> dict[str, Any]:
        return counties.setdefault(fips, {"fips": fips, "name": d.get("county") or "",
                                          "state": d.get("state"), "sites": [],
                                          "law_enforcement": []})

    for n, d in sorted(g.nodes(data=True)):
        if state and d.get("state") != state:
            continue
        if d.get("label") == "Organization" and d.get("kind") in SITE_KINDS:
            site = {"id": n, "name": d.get("name") or n, "kind": d["kind"]}
            if d.get("county_fips"):
                county(d["county_fips"], d)["sites"].append({**site,
                                                            "gap": gaps.get(n, "")})
            else:
                unplaced.setdefault(d.get("state") or "state not recorded", []).append(site)
    for (scope, fips), ids in law_enforcement_index(g).items():
        if scope != "county" or (state and g.nodes[ids[0]].get("state") != state):
            continue
        county(fips, g.nodes[ids[0]])["law_enforcement"] = [
            {"id": n, "name": g.nodes[n].get("name") or n} for n in ids]
    for c in counties.values():
        found = {s["gap"] for s in c["sites"]}
        c["status"] = ("untied" if "none" in found else "no-protocol" if "no-protocol" in found
                       else "covered" if c["sites"] else "law enforcement only")
    return {"counties": dict(sorted(counties.items())), "unplaced": unplaced}


def _tooltip(c: dict[str, Any]) -> str:
    lines = [f"{c['name']} County, {c['state']}".strip(), STATUS[c["status"]][1]]
    for s in c.get("sites", []):
        tie = {"none": "no tie to law enforcement", "no-protocol": "no local-contact protocol",
               "": "local contact"}.get(s["gap"], s["gap"])
        lines.append(f"{s['kind']}: {s['name']} ({tie})")
    for o in c.get("law_enforcement", []):
        lines.append(f"law enforcement: {o['name']}")
    return "\n".join(lines)


def map_svg(g: nx.MultiDiGraph, state: str | None = None) -> tuple[str, dict[str, Any]]:
    """The map as an SVG string, and its facts (the county summary, what is not drawn).
    ``state`` (a postal code) draws that state's counties and its outline; otherwise the
    nation. Every text from the data is escaped."""
    topo = atlas()
    counties, states = shapes(topo, "counties"), shapes(topo, "states")
    summary = county_summary(g, state)
    for fips, c in summary["counties"].items():
        if fips in counties:  # the Census name, whatever spelling the source used
            c["name"] = counties[fips]["name"]
    prefix = state_fips().get(state or "", "") if state else ""
    if state and not prefix:
        raise ConfigError(f"the map draws US states and their counties; {state} is not a US "
                          "state (no packaged public-domain map of Canada's provinces was "
                          "found): leave out --state for the national map")
    drawn = {f: c for f, c in counties.items() if f.startswith(prefix)}
    outlines = {f: s for f, s in states.items() if f.startswith(prefix)} if prefix else states
    boxes = [s["box"] for s in outlines.values()] or [(0, 0, 975, 610)]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    pad = max(x1 - x0, y1 - y0) * 0.02
    hatch = max(x1 - x0, y1 - y0) / 150  # stripes of the same size on screen in every view
    width = 0.15 if not prefix else 0.4 * max(x1 - x0, y1 - y0) / 300
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" id="map" role="img" '
             f'viewBox="{x0 - pad:.1f} {y0 - pad:.1f} {x1 - x0 + 2 * pad:.1f} '
             f'{y1 - y0 + 2 * pad:.1f}" aria-label="{escape(_alt(summary, state))}">'),
             (f'<defs><pattern id="hatch" width="{hatch:.2f}" height="{hatch:.2f}" '
              f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
              f'<rect width="{hatch:.2f}" height="{hatch:.2f}" fill="#fbe3d3"/>'
              f'<rect width="{hatch * 0.4:.2f}" height="{hatch:.2f}" fill="{palette.OVERLAY}"/>'
              '</pattern></defs>'),
             f'<g stroke="#fff" stroke-width="{width:.2f}">']
    for fips, shape in drawn.items():
        c = summary["counties"].get(fips)
        status = c["status"] if c else "none"
        info = c or {"name": shape["name"], "state": state or "", "status": "none"}
        if not info.get("name"):
            info = {**info, "name": shape["name"]}
        parts.append(f'<path d="{shape["d"]}" fill="{STATUS[status][0]}" data-fips="{fips}" '
                     f'data-status="{status}"><title>{escape(_tooltip(info))}</title></path>')
    parts.append(f'</g><g fill="none" stroke="#333" stroke-width="{width * 4:.2f}">')
    parts += [f'<path d="{s["d"]}" data-state="{f}"/>' for f, s in outlines.items()]
    parts.append("</g>")
    if not prefix:
        # a county is a speck on the national map: a ring marks each county with sites
        parts.append('<g fill="none" stroke-width="1.2">')
        for fips, c in summary["counties"].items():
            if fips in drawn and c["sites"]:
                x0_, y0_, x1_, y1_ = drawn[fips]["box"]
                colour = palette.SECTOR_COLOUR["law enforcement"] if c["status"] == "covered" \
                    else palette.OVERLAY
                parts.append(f'<circle cx="{(x0_ + x1_) / 2:.1f}" cy="{(y0_ + y1_) / 2:.1f}" '
                             f'r="5" stroke="{colour}" data-marker="{fips}"/>')
        parts.append("</g>")
    parts.append("</svg>")
    missing = sorted(set(summary["counties"]) - set(counties))
    return "".join(parts), {**summary, "not_on_map": missing, "state": state}


def _alt(summary: dict[str, Any], state: str | None) -> str:
    untied = [c for c in summary["counties"].values() if c["status"] == "untied"]
    where = state or "the United States"
    return (f"Counties of {where}: {len(untied)} with sites that have no tie to law "
            f"enforcement" + (": " + ", ".join(f"{c['name']} ({c['state']})" for c in untied)
                              if untied else ""))


def legend_html() -> str:
    """The map's legend, in the network pages' colours."""
    items = []
    for status, (fill, text) in STATUS.items():
        style = ("background:repeating-linear-gradient(45deg,#D55E00 0 2px,#fbe3d3 2px 5px)"
                 if fill.startswith("url(") else f"background:{fill}")
        items.append(f'<li data-status="{status}"><span class="sw" style="{style}"></span>'
                     f"{escape(text)}</li>")
    return '<ul id="legend" class="legend">' + "".join(items) + "</ul>"


def table_html(facts: dict[str, Any]) -> str:
    """The counties with sites or law enforcement, most urgent first, and the sites the map
    cannot place (no county recorded, a province, a county the 2017 map lacks)."""
    order = list(STATUS)
    rows = sorted(facts["counties"].values(),
                  key=lambda c: (order.index(c["status"]), c["state"] or "", c["name"]))
    body = "".join(
        f'<tr data-fips="{escape(c["fips"])}"><td>{escape(c["name"])}</td>'
        f'<td>{escape(c["state"] or "")}</td><td>{len(c["sites"])}</td>'
        f'<td>{escape(", ".join(s["name"] for s in c["sites"] if s["gap"] == "none"))}</td>'
        f'<td>{len(c["law_enforcement"])}</td><td>{escape(STATUS[c["status"]][1])}</td></tr>'
        for c in rows)
    out = [('<table id="counties"><thead><tr><th>county</th><th>state</th><th>sites</th>'
           '<th>sites with no tie to law enforcement</th><th>law enforcement</th>'
           f'<th>status</th></tr></thead><tbody>{body}</tbody></table>')]
    if not rows:
        out = ['<p id="nocounties">No site or law enforcement with a recorded county.</p>']
    for where, items in sorted(facts["unplaced"].items()):
        out.append(f'<p class="unplaced">Not on the map ({escape(where)}, no county '
                   f'recorded): {escape(", ".join(s["name"] for s in items))}</p>')
    if facts["not_on_map"]:
        out.append('<p class="unplaced">Counties the 2017 Census map does not have: '
                   f'{escape(", ".join(facts["not_on_map"]))}</p>')
    return "".join(out)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{margin:0;font:14px/1.45 system-ui,sans-serif;color:#222;padding:1rem}}
#map{{width:100%;max-height:80vh}}#map path[data-fips]:hover{{stroke:#000;stroke-width:1}}
ul.legend{{list-style:none;padding:0}}ul.legend li{{display:flex;gap:.4rem;align-items:center}}
.sw{{display:inline-block;width:1rem;height:1rem;border:1px solid #999}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2rem .4rem;text-align:left}}
#hover{{min-height:3em;white-space:pre-line;color:#333}}</style></head><body>
<h1>{title}</h1>{legend}<div id="hover" aria-live="polite"></div>{svg}
<p class="hint">Boundaries: U.S. Census Bureau cartographic boundary files 2017 (public domain),
TopoJSON from us-atlas 3.0.1 (ISC licence).</p>{table}
<script>
(function () {{
  var hover = document.getElementById("hover");
  var counties = {{}};
  document.querySelectorAll("#map path[data-fips]").forEach(function (p) {{
    counties[p.dataset.fips] = p.dataset.status;
    p.addEventListener("mouseenter", function () {{
      hover.textContent = p.querySelector("title").textContent; }});
  }});
  window.coalition = {{view: "map", counties: counties, ready: true}};
}})();
</script></body></html>"""


def render_map(g: nx.MultiDiGraph, state: str | None = None) -> tuple[str, dict[str, Any]]:
    """One offline HTML page: the map, its legend, a hover panel and the county table."""
    svg, facts = map_svg(g, state)
    title = f"Local contacts by county: {state}" if state else \
        "Local contacts by county: United States"
    html = PAGE.format(title=escape(title), legend=legend_html(), svg=svg,
                       table=table_html(facts))
    return html, facts
