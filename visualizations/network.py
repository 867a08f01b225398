"""Network pages: pyvis builds the network, and one self-contained HTML file shows it offline.

- No CDN. pyvis's own template links to CDNs, so we take pyvis's network data and inline the
  vis-network build that pyvis ships (``pyvis/templates/lib/vis-9.1.2``). The page makes no
  request outside itself; the browser tests check that.
- Colour by sector (Okabe & Ito's colour-blind-safe palette), shape by kind, with a legend.
  Size by degree or betweenness. Edge style by relationship type. Tooltips carry the facts
  that matter and never contact details unless the caller may see them.
- Deterministic layout computed before rendering (seeded spring layout) with physics off, so a
  page is interactive at once. Above ``max_nodes`` the graph is aggregated by sector and
  county (or state) and the page says so.
- Gap overlay: missing blueprint roles as dashed placeholder nodes on their state; sites
  without a law-enforcement contact ringed; recommended introductions as dashed edges.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pyvis
import rustworkx as rx
from jinja2 import Environment
from markupsafe import Markup
from pyvis.network import Network

from graph import model
from graph.analysis.structure import exact_betweenness

VIS = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"

#: Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour
#: vision deficiency.
OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#999999",
             "black": "#000000"}
SECTOR_COLOUR = {"law enforcement": OKABE_ITO["blue"], "government": OKABE_ITO["sky"],
                 "civil society": OKABE_ITO["green"], "industry": OKABE_ITO["orange"],
                 "people": OKABE_ITO["grey"], "event": OKABE_ITO["purple"],
                 "program": OKABE_ITO["yellow"], "place": OKABE_ITO["black"]}
KIND_SHAPE = {"truck stop": "triangle", "bus terminal": "triangleDown", "casino": "diamond",
              "trucking company": "square", "bus company": "square", "transit agency": "square",
              "task force": "hexagon"}
LABEL_SHAPE = {"Person": "dot", "Event": "star", "Program": "box", "ModelComponent": "box",
               "State": "ellipse", "County": "ellipse", "Metric": "text"}
EDGE_STYLE = {  # type -> (colour, dashes, width, arrows)
    "LOCAL_CONTACT": (OKABE_ITO["blue"], False, 3, ""),
    "REFERRED": (OKABE_ITO["vermillion"], False, 2, "to"),
    "INTRODUCED": (OKABE_ITO["vermillion"], [2, 4], 2, "to"),
    "REPORTED_TIP_TO": (OKABE_ITO["blue"], [2, 4], 2, "to"),
    "PARTNERS_WITH": (OKABE_ITO["green"], False, 2, ""),
    "MEMBER_OF": (OKABE_ITO["green"], False, 1, "to"),
    "SPONSORS": (OKABE_ITO["green"], [6, 3], 1, "to"),
    "WORKS_FOR": (OKABE_ITO["grey"], False, 1, ""),
}
PARTICIPATION_STYLE = ("#bbbbbb", False, 1, "")
COMMITMENT_STYLE = (OKABE_ITO["yellow"], [1, 3], 2, "to")
DERIVED_STYLE = ("#dddddd", [1, 4], 1, "")
OVERLAY = OKABE_ITO["vermillion"]


def broad_sector(g: nx.MultiDiGraph, n: str) -> str:
    d = g.nodes[n]
    label = d.get("label")
    if label == "Organization":
        return model.SECTORS.get(d.get("kind", ""), "industry")
    return {"Person": "people", "Event": "event", "Program": "program",
            "ModelComponent": "program", "State": "place", "County": "place",
            "Metric": "program"}.get(label, "people")


def _tooltip(d: dict[str, Any], include_contacts: bool) -> str:
    hidden = set() if include_contacts else set(model.CONTACT_PROPERTIES)
    fields = [("kind", d.get("kind") or d.get("label")), ("state", d.get("state")),
              ("county", d.get("county")), ("date", d.get("date")), ("role", d.get("role")),
              ("title", d.get("title")), ("value", d.get("value")), ("note", d.get("note")),
              ("source", d.get("citation") or d.get("source")), ("id", d.get("id"))]
    fields += [(k, d.get(k)) for k in model.CONTACT_PROPERTIES if k not in hidden]
    # vis-network shows a string title as text, so no markup is interpreted
    return "\n".join([str(d.get("name") or d.get("id"))] +
                     [f"{k}: {v}" for k, v in fields if v not in (None, "")])


def layout(g: nx.Graph, seed: int = 42, scale: float = 1000.0) -> dict[Any, tuple[float, float]]:
    """Deterministic positions: a seeded spring layout (Fruchterman & Reingold, 1991),
    computed by rustworkx (1 s for 2,000 nodes, where networkx took 8 s)."""
    if g.number_of_nodes() == 0:
        return {}
    nodes = list(g)
    index = {n: i for i, n in enumerate(nodes)}
    r = rx.PyGraph(multigraph=False)
    r.add_nodes_from(nodes)
    r.add_edges_from_no_data([(index[u], index[v]) for u, v in g.edges() if u != v])
    pos = rx.spring_layout(r, seed=seed, num_iter=50, scale=scale)
    return {n: (float(pos[i][0]), float(pos[i][1])) for i, n in enumerate(nodes)}


def aggregate(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """One node per (sector, county or state) group, one edge per group pair with a count."""
    group = {}
    for n, d in g.nodes(data=True):
        where = d.get("county") or d.get("state") or "no state"
        if d.get("county") and d.get("state"):
            where = f"{d['county']}, {d['state']}"
        group[n] = (broad_sector(g, n), where)
    sizes = Counter(group.values())
    a = nx.MultiDiGraph()
    for (sec, where), count in sizes.items():
        gid = f"group:{sec}:{where}"
        a.add_node(gid, id=gid, name=f"{sec}, {where} ({count})", label="Group",
                   kind=sec, members=count, group_sector=sec)
    ties: Counter[tuple[str, str]] = Counter()
    for u, v in g.edges():
        gu, gv = group[u], group[v]
        if gu != gv:
            ties[(f"group:{gu[0]}:{gu[1]}", f"group:{gv[0]}:{gv[1]}")] += 1
    for (u, v), count in ties.items():
        a.add_edge(u, v, key=f"{u}>{v}", type="AGGREGATE", count=count)
    return a


def build(g: nx.MultiDiGraph, *, title: str = "Coalition network", size_by: str = "degree",
          include_contacts: bool = False, max_nodes: int = 2000,
          overlay: dict[str, Any] | None = None, highlight: list[list[str]] | None = None,
          seed: int = 42) -> tuple[Network, dict[str, Any]]:
    """The pyvis network for ``g`` and the page facts (legend, notes)."""
    notes: list[str] = []
    g, metrics = _fold_metrics(g)
    aggregated = g.number_of_nodes() > max_nodes
    if aggregated:
        notes.append(f"This graph has {g.number_of_nodes():,} nodes, more than the "
                     f"{max_nodes:,} a page can show interactively: it is shown aggregated, "
                     f"{{groups}} groups by sector and county (or state). Narrow the view "
                     "(--state, --kind, --focus) to see every entity.")
        g = aggregate(g)
        notes[-1] = notes[-1].replace("{groups}", f"{g.number_of_nodes():,}")
    net = Network(directed=True, height="100%", width="100%", cdn_resources="remote")
    undirected = nx.Graph(g.to_undirected())
    if size_by == "betweenness" and not aggregated:
        measure = exact_betweenness(undirected) if undirected.number_of_nodes() <= 20000 \
            else dict(undirected.degree())
    elif aggregated:
        measure = {n: g.nodes[n].get("members", 1) for n in g}
    else:
        measure = dict(undirected.degree())
    top = max(measure.values(), default=1) or 1
    pos = layout(undirected, seed=seed)
    on_path = {n for path in highlight or [] for n in path}
    path_edges = {frozenset(p) for path in highlight or [] for p in zip(path, path[1:],
                                                                        strict=False)}
    gaps = {s["id"] for s in (overlay or {}).get("contact_gaps", [])}
    for n, d in sorted(g.nodes(data=True)):
        sec = d.get("group_sector") or broad_sector(g, n)
        colour = SECTOR_COLOUR.get(sec, OKABE_ITO["grey"])
        shape = KIND_SHAPE.get(d.get("kind"), LABEL_SHAPE.get(d.get("label"), "dot"))
        if d.get("label") == "Group":
            shape = "dot"
        font = {"color": "#ffffff"} if sec == "place" else {}
        node: dict[str, Any] = {
            "label": str(d.get("name") or n)[:40],
            "title": _tooltip(d, include_contacts) + "".join(
                f"\n{m}" for m in metrics.get(n, [])),
            "shape": shape, "color": {"background": colour, "border": colour},
            "size": 8 + 30 * (measure.get(n, 0) / top) ** 0.5,
            "x": pos[n][0], "y": pos[n][1], "physics": False, "group_name": sec,
            "kind": d.get("kind") or d.get("label"), "borderWidth": 1,
            **({"font": font} if font else {}),
        }
        if n in gaps:
            node["color"] = {"background": colour, "border": OVERLAY}
            node["borderWidth"] = 5
            node["gap"] = "no law-enforcement contact"
        if n in on_path:
            node["borderWidth"] = 5
            node["color"] = {"background": colour, "border": OKABE_ITO["black"]}
        net.add_node(str(n), **node)
    for u, v, k, d in g.edges(keys=True, data=True):
        t = d.get("type", "")
        colour, dashes, width, arrows = EDGE_STYLE.get(t) or (
            PARTICIPATION_STYLE if t in model.PARTICIPATION.values() else
            COMMITMENT_STYLE if t in model.COMMITMENTS.values() else DERIVED_STYLE)
        if t == "AGGREGATE":
            colour, dashes, width, arrows = "#888888", False, min(8, 1 + d["count"] ** 0.5), ""
        if frozenset((u, v)) in path_edges:
            colour, width = OKABE_ITO["black"], 4
        tip = t.lower().replace("_", " ") + "".join(
            f"\n{a}: {d[a]}" for a in ("date", "status", "count", "role", "note") if d.get(a))
        # keys from the store are unique strings; networkx's own integer keys repeat per pair
        eid = k if isinstance(k, str) else f"{u}>{v}#{k}"
        net.add_edge(str(u), str(v), id=eid, title=tip, color=colour, dashes=dashes,
                     width=width, arrows=arrows, rel_type=t)
    if overlay and not aggregated:
        _add_overlay(net, g, overlay, pos)
    net.set_options(json.dumps({
        "physics": {"enabled": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": True,
                        "navigationButtons": False},
        "edges": {"smooth": False},
        "nodes": {"font": {"size": 12}},
        "layout": {"improvedLayout": False},
    }))
    return net, {"title": title, "notes": notes, "aggregated": aggregated,
                 "legend": legend(g, overlay is not None, bool(highlight))}


def _fold_metrics(g: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, dict[str, list[str]]]:
    """Metric nodes say more in their scope's tooltip than as nodes of their own."""
    metric_nodes = [n for n, d in g.nodes(data=True) if d.get("label") == "Metric"]
    lines: dict[str, list[str]] = {}
    for m in metric_nodes:
        d = g.nodes[m]
        for u in g.predecessors(m):
            lines.setdefault(u, []).append(
                f"{d.get('name')}: {d.get('value')} {d.get('unit') or ''}".rstrip())
    if not metric_nodes:
        return g, lines
    return g.subgraph(set(g) - set(metric_nodes)).copy(), lines


def _add_overlay(net: Network, g: nx.MultiDiGraph, overlay: dict[str, Any],
                 pos: dict[Any, tuple[float, float]]) -> None:
    state_node = overlay.get("state_node")
    # placeholders in a column right of the drawing, where they hide nothing
    right = max((x for x, _ in pos.values()), default=0.0) + 350
    top = min((y for _, y in pos.values()), default=0.0)
    missing = [r for r in overlay.get("roles", []) if r["status"] == "missing"
               and r["applies"] != "optional"]
    for i, role in enumerate(missing):
        rid = f"missing:{role['id']}"
        net.add_node(rid, label=f"missing: {role['name']}", shape="box",
                     title=f"Blueprint role not filled: {role['name']}\n{role.get('why', '')}",
                     color={"background": "#ffffff", "border": OVERLAY},
                     shapeProperties={"borderDashes": [6, 4]}, borderWidth=2,
                     x=right, y=top + 60 * i,
                     physics=False, group_name="missing role", kind="missing role")
        if state_node and state_node in g:
            net.add_edge(rid, str(state_node), color=OVERLAY, dashes=[6, 4], width=1,
                         title="missing role", rel_type="MISSING_ROLE", arrows="")
    for rec in overlay.get("introductions", []):
        a, b = rec["a"]["id"], rec["b"]["id"]
        if a in g and b in g:
            net.add_edge(a, b, color=OVERLAY, dashes=[8, 6], width=2, arrows="",
                         title=f"recommended introduction (score {rec['score']})\n"
                               f"{rec['reason']}", rel_type="RECOMMENDED")


def legend(g: nx.MultiDiGraph, overlay: bool, paths: bool) -> list[dict[str, str]]:
    items = []
    present = {g.nodes[n].get("group_sector") or broad_sector(g, n) for n in g}
    for sec, colour in SECTOR_COLOUR.items():
        if sec in present:
            items.append({"swatch": colour, "shape": "dot", "text": sec})
    kinds = {g.nodes[n].get("kind") for n in g}
    for kind, shape in KIND_SHAPE.items():
        if kind in kinds:
            items.append({"swatch": "#555555", "shape": shape, "text": kind})
    types = {d.get("type") for *_, d in g.edges(data=True)}
    for t, (colour, dashes, _, _) in EDGE_STYLE.items():
        if t in types:
            items.append({"swatch": colour, "shape": "dashed" if dashes else "line",
                          "text": t.lower().replace("_", " ")})
    if types & set(model.PARTICIPATION.values()):
        items.append({"swatch": PARTICIPATION_STYLE[0], "shape": "line",
                      "text": "took part in an event"})
    if types & set(model.COMMITMENTS.values()):
        items.append({"swatch": COMMITMENT_STYLE[0], "shape": "dashed",
                      "text": "commitment (pledged, trained, adopted...)"})
    if overlay:
        items += [{"swatch": OVERLAY, "shape": "ring", "text": "no law-enforcement contact"},
                  {"swatch": OVERLAY, "shape": "dashed-box", "text": "missing blueprint role"},
                  {"swatch": OVERLAY, "shape": "dashed", "text": "recommended introduction"}]
    if paths:
        items.append({"swatch": OKABE_ITO["black"], "shape": "line", "text": "path"})
    return items


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>{{ vis_css }}</style>
<style>
html,body{margin:0;height:100%;font:14px system-ui,sans-serif;color:#222}
#wrap{display:flex;height:100%}#net{flex:1;min-width:0;border-right:1px solid #ddd}
aside{width:17rem;overflow:auto;padding:.8rem}h1{font-size:1.05rem;margin:.2rem 0 .6rem}
.note{background:#fff4e0;border-left:4px solid #E69F00;padding:.4rem .6rem;margin:.4rem 0}
ul.legend{list-style:none;padding:0;margin:0}ul.legend li{margin:.2rem 0;display:flex;
align-items:center;gap:.5rem}.sw{display:inline-block;width:1.1rem;height:1.1rem}
.dot{border-radius:50%}.line{height:3px}.dashed{height:0;border-top:3px dashed}
.ring{border-radius:50%;border:3px solid;background:#fff}.dashed-box{border:2px dashed;
background:#fff}.triangle,.triangleDown,.diamond,.square,.hexagon{clip-path:polygon(50% 0,100% 100%,0 100%)}
.triangleDown{clip-path:polygon(0 0,100% 0,50% 100%)}.diamond{clip-path:polygon(50% 0,100% 50%,50% 100%,0 50%)}
.square{clip-path:none}.hexagon{clip-path:polygon(25% 0,75% 0,100% 50%,75% 100%,25% 100%,0 50%)}
</style></head>
<body><div id="wrap">
<div id="net" role="img" aria-label="{{ title }}: a network of {{ n_nodes }} nodes and {{ n_edges }} relationships"></div>
<aside><h1>{{ title }}</h1>
<p>{{ n_nodes }} nodes, {{ n_edges }} relationships. Hover for details; scroll to zoom.</p>
{% for note in notes %}<p class="note">{{ note }}</p>{% endfor %}
<h2 style="font-size:.95rem">Legend</h2>
<ul class="legend" id="legend">{% for item in legend %}
<li><span class="sw {{ item.shape }}" style="background:{{ item.swatch }};border-color:{{ item.swatch }};color:{{ item.swatch }}"></span>{{ item.text }}</li>{% endfor %}
</ul></aside></div>
<script>{{ vis_js }}</script>
<script id="graph-data" type="application/json">{{ data }}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var nodes = new vis.DataSet(data.nodes), edges = new vis.DataSet(data.edges);
  var network = new vis.Network(document.getElementById("net"),
                                {nodes: nodes, edges: edges}, data.options);
  window.coalition = {network: network, nodes: nodes, edges: edges, ready: false};
  network.once("afterDrawing", function () {
    window.coalition.ready = true;
    document.body.setAttribute("data-ready", "true");
  });
}());
</script>
</body></html>
"""


def _json_for_script(obj: Any) -> str:
    # Inside <script>, "</" would end the element; escape it (and < in general).
    return json.dumps(obj, ensure_ascii=False).replace("<", "\\u003c")


def page(net: Network, facts: dict[str, Any]) -> str:
    """The self-contained HTML for a network built by :func:`build`."""
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    env = Environment(autoescape=True)
    return env.from_string(PAGE).render(
        title=facts["title"], notes=facts["notes"], legend=facts["legend"],
        n_nodes=len(nodes), n_edges=len(edges),
        vis_css=bundled("vis-network.css"), vis_js=bundled("vis-network.min.js"),
        data=Markup(_json_for_script({"nodes": nodes, "edges": edges,
                                      "options": json.loads(options)})))


def bundled(name: str) -> Markup:
    """A file of the vis-network build pyvis ships, to inline as it is."""
    return Markup((VIS / name).read_text(encoding="utf-8"))


def render_html(g: nx.MultiDiGraph, **kwargs: Any) -> tuple[str, dict[str, Any]]:
    """The page for ``g`` (see :func:`build`) and its facts: node and edge counts, notes."""
    net, facts = build(g, **kwargs)
    return page(net, facts), {"nodes": len(net.nodes), "edges": len(net.edges), **facts}


def render(g: nx.MultiDiGraph, out: Path, **kwargs: Any) -> dict[str, Any]:
    """Build and write a network page; return its facts."""
    html, facts = render_html(g, **kwargs)
    Path(out).write_text(html, encoding="utf-8")
    return {"path": str(out), **facts}


def overlay_from_report(report: dict[str, Any], state: str) -> dict[str, Any]:
    """The gap overlay of one state, from an analysis report (one state's or several)."""
    def part(key: str) -> dict[str, Any]:
        return next(x for x in report[key] if x["state"] == state)

    return {"state_node": f"state:{state}", "roles": part("coverage")["roles"],
            "contact_gaps": part("contact_gaps")["sites"],
            "introductions": part("recommendations")["introductions"]}
