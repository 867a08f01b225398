"""Network pages: pyvis builds the network, and one self-contained HTML file shows it offline.

- No CDN. pyvis's own template links to CDNs, so we take pyvis's network data and inline the
  vis-network build that pyvis ships (``pyvis/templates/lib/vis-9.1.2``). The page makes no
  request outside itself; the browser tests check that.
- One palette (:mod:`visualizations.palette`): colour by sector, shape by kind, a legend.
  Size by degree or betweenness. Edge style by relationship type; directed ties carry an
  arrow and a label, and a referral reads "A referred B to C". Tooltips carry the facts that
  matter and never contact details unless the caller may see them.
- Positions from :mod:`visualizations.layout` (groups laid out on their own and packed,
  overlaps removed, labels shown only where they fit), physics off, so a page is
  interactive at once. Above ``max_nodes`` the graph is aggregated by sector and county (or
  state) and the page says so.
- Gap overlay beside its state: missing blueprint roles as a compact block of placeholders
  next to the state's node (and listed in the side panel), sites without a law-enforcement
  contact ringed, recommended introductions as dashed edges; one switch hides it all.
- Filters (kind, sector, relationship type, date range) on every page, in the page itself.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyvis
from jinja2 import Environment
from markupsafe import Markup
from pyvis.network import Network

from graph import model
from graph.analysis.structure import exact_betweenness
from graph.errors import ConfigError
from visualizations import palette
from visualizations.layout import layout as compute_layout
from visualizations.layout import reveal_scales
from visualizations.palette import (  # noqa: F401 - re-exported: charts import them from here
    OKABE_ITO,
    OVERLAY,
    SECTOR_COLOUR,
)
from visualizations.readability import (
    FIT_LABEL_PX,
    FIT_PAD,
    LABEL_GAP_PX,
    LABEL_PX,
    LINE,
    MAX_SCALE,
    initial_scale,
    label_size_px,
)

VIS = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"

#: labels longer than this are shortened on the drawing (the tooltip has the full name)
LABEL_CHARS = 26
EDGE_LABEL_PX = 10
#: how many of the most important names may be printed over other nodes (with a halo)
NAMES_OVER_NODES = 12
#: how many labels may show at the opening zoom; the others appear as one zooms in
LABELS_AT_ONCE = 100
#: ties that read as a chain (drawn left to right when a group is made of them alone)
CHAIN_TYPES = {"REFERRED", "INTRODUCED", "REFERRED_TO"}


def broad_sector(g: nx.MultiDiGraph, n: str) -> str:
    d = g.nodes[n]
    return d.get("group_sector") or palette.broad_sector(d.get("kind"), d.get("label"))


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    """A label that fits: cut at a word boundary, with an ellipsis.

    >>> short_label("Attorney General's office or statewide task force")
    "Attorney General's office…"
    """
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    head = text[:limit - 1]
    # cut after a whole word; a word that ends right at the limit stays whole
    cut = head if text[limit - 1] == " " or " " not in head else head.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


def _tooltip(d: dict[str, Any], include_contacts: bool) -> str:
    hidden = () if include_contacts else model.CONTACT_PROPERTIES
    level = d.get("level")
    if level and d.get("level_inferred"):
        level = f"{level} (inferred from kind and name)"
    fields = [("kind", d.get("kind") or d.get("label")), ("level", level),
              ("state", d.get("state")),
              ("county", d.get("county")), ("date", d.get("date")), ("role", d.get("role")),
              ("title", d.get("title")), ("value", d.get("value")), ("note", d.get("note")),
              ("source", d.get("citation") or d.get("source")), ("id", d.get("id"))]
    fields += [(k, d.get(k)) for k in model.CONTACT_PROPERTIES if k not in hidden]
    # vis-network shows a string title as text, so no markup is interpreted
    return "\n".join([str(d.get("name") or d.get("id"))] +
                     [f"{k}: {v}" for k, v in fields if v not in (None, "")])


def layout(g: nx.Graph, seed: int = 42, scale: float = 1000.0) -> dict[Any, tuple[float, float]]:
    """Deterministic positions (see :mod:`visualizations.layout`); ``scale`` is kept for
    callers of the earlier spring layout and ignored: the layout has its own units."""
    return compute_layout(g, seed=seed)


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


def _matches(d: dict[str, Any], wanted: set[str]) -> bool:
    kind = d.get("kind")
    return bool({kind, (d.get("label") or "").lower(), d.get("sector"),
                 model.SECTORS.get(kind or "")} & wanted)


def kind_view(g: nx.MultiDiGraph, kinds: tuple[str, ...] | list[str]
              ) -> tuple[nx.MultiDiGraph, set[str]]:
    """The actors of these kinds (kinds, sectors or base labels), the ties among them, and
    the actors they are tied to, which the page draws faded (the second value).

    Raises ConfigError for a word that is no kind, sector or label, and when nothing in the
    graph is of these kinds.
    """
    vocabulary = (set(model.ORG_KINDS) | set(model.SECTORS.values())
                  | {x.lower() for x in model.BASE_LABELS})
    wanted = {model.vocab_key(k) for k in kinds}
    unknown = sorted(wanted - vocabulary)
    if unknown:
        raise ConfigError(f"--kind {unknown[0]!r} is no kind, sector or label; use one of: "
                          f"{', '.join(sorted(vocabulary))}")
    selected = {n for n, d in g.nodes(data=True) if _matches(d, wanted)}
    if not selected:
        orgs = [d for _, d in g.nodes(data=True) if d.get("label") == "Organization"]
        in_use = sorted({str(d.get("kind")) for d in orgs if d.get("kind")}
                        | {model.SECTORS[d["kind"]] for d in orgs
                           if d.get("kind") in model.SECTORS})
        raise ConfigError(f"nothing here is of kind {', '.join(sorted(wanted))}; kinds in "
                          f"this graph: {', '.join(in_use) or 'none'}")
    context = {m for n in selected for m in nx.all_neighbors(g, n)} - selected
    context = {m for m in context if g.nodes[m].get("label") != "Metric"}
    metrics = {m for n in selected for m in g.successors(n)
               if g.nodes[m].get("label") == "Metric"}
    keep = selected | context | metrics
    sub = nx.MultiDiGraph()
    sub.add_nodes_from((n, g.nodes[n]) for n in keep)
    for u, v, k, d in g.edges(keys=True, data=True):
        if (u in selected or v in selected) and u in keep and v in keep:
            # 'key' is also add_edge's own argument, so the attributes go in afterwards
            sub.edges[u, v, sub.add_edge(u, v, key=k)].update(d)
    return sub, context


def _three_sided(g: nx.MultiDiGraph, edges: list[tuple[str, str, Any, dict[str, Any]]]
                 ) -> list[tuple[str, str, str, dict[str, Any]]]:
    """"A referred B to C": for each referral (or introduction) with a third party on the
    page, the B -> C leg, drawn beside the A -> B tie. ``edges``: those of ``g``."""
    out = []
    for u, v, k, d in edges:
        to = d.get("to_id")
        if d.get("type") in ("REFERRED", "INTRODUCED") and to and to in g and to != v:
            eid = k if isinstance(k, str) else f"{u}>{v}#{k}"
            out.append((v, to, f"{eid}>to", {"type": "REFERRED_TO", "via": u, "of": d}))
    return out


def _chain_layers(g: nx.MultiDiGraph, legs: list[tuple[str, str, str, dict]],
                  edges: list[tuple[str, str, Any, dict[str, Any]]]) -> dict[str, int]:
    """Layers for groups made of referrals alone: a referral chain reads left to right.
    ``edges``: those of ``g``."""
    d = nx.MultiDiGraph()
    d.add_nodes_from(g)
    d.add_edges_from((u, v, {"type": t["type"]}) for u, v, _, t in legs)
    d.add_edges_from((u, v, {"type": x.get("type")}) for u, v, _, x in edges)
    layers: dict[str, int] = {}
    for comp in nx.weakly_connected_components(d):
        sub = d.subgraph(comp)
        if len(comp) < 3 or any(t not in CHAIN_TYPES for *_, t in sub.edges(data="type")):
            continue
        simple = nx.DiGraph(sub)
        if not nx.is_directed_acyclic_graph(simple):
            continue
        for depth, generation in enumerate(nx.topological_generations(simple)):
            layers.update({n: depth for n in generation})
    return layers


class _Network(Network):
    """pyvis's directed network, whose records (``nodes``, ``edges``) these methods fill
    just as pyvis's own do, without their checks that look a node up in the list of all
    nodes so far: those made drawing quadratic, a tenth of an ego network's drawing."""

    def add_node(self, n_id: str, label: str | None = None, shape: str = "dot",
                 color: Any = "#97c2fc", **options: Any) -> None:
        if n_id in self.node_map:
            return
        rec = options if "group" in options else {"color": color, **options}
        rec.update(id=n_id, label=label or n_id, shape=shape)
        if self.font_color:
            rec["font"] = {"color": self.font_color}
        self.nodes.append(rec)
        self.node_ids.append(n_id)
        self.node_map[n_id] = rec

    def add_edge(self, source: str, to: str, **options: Any) -> None:
        if source not in self.node_map or to not in self.node_map:
            raise ValueError(f"a tie between {source!r} and {to!r}: no such node")
        options.update({"from": source, "to": to})
        options.setdefault("arrows", "to")
        self.edges.append(options)


def build(g: nx.MultiDiGraph, *, title: str = "Coalition network", size_by: str = "degree",
          include_contacts: bool = False, max_nodes: int = 2000,
          overlay: dict[str, Any] | None = None, highlight: list[list[str]] | None = None,
          context: set[str] | None = None, seed: int = 42, notes: list[str] | None = None,
          centre: str | None = None, owned: bool = False) -> tuple[Network, dict[str, Any]]:
    """The pyvis network for ``g`` and the page facts (legend, notes, overlay list).

    ``context``: nodes drawn faded (the actors a kind view's selection is tied to); nodes
    with ``hub_hidden`` (graph.projection) are hubs the ego network did not expand: they
    say how many neighbours are not shown. ``notes``: lines for the side panel (a build
    view's figures). ``centre``: the focus of an ego network, drawn in rings around it.
    ``owned``: the caller is done with ``g``, which the drawing may change (its metric
    nodes taken out) instead of copying it.
    """
    notes = list(notes or ())
    held = sorted(n for n, d in g.nodes(data=True) if d.get("hub_hidden"))
    if held:
        notes.append("Not expanded, being hubs tied to much of the graph: " + "; ".join(
            f"{g.nodes[n].get('name') or n} (+{g.nodes[n]['hub_hidden']}, id {n})"
            for n in held) + ". Click one in the explorer, or render again with "
            "--expand ID or --through-hubs, to see their neighbours.")
    g, metrics = _fold_metrics(g, in_place=owned)
    context = set(context or ()) & set(g)
    aggregated = g.number_of_nodes() > max_nodes
    if aggregated:
        notes.append(f"This graph has {g.number_of_nodes():,} nodes, more than the "
                     f"{max_nodes:,} a page can show interactively: it is shown aggregated, "
                     f"{{groups}} groups by sector and county (or state). Narrow the view "
                     "(--state, --kind, --focus) to see every entity.")
        g = aggregate(g)
        notes[-1] = notes[-1].replace("{groups}", f"{g.number_of_nodes():,}")
        context = set()
        overlay = None
    net = _Network(directed=True, height="100%", width="100%", cdn_resources="remote")
    # every tie, listed once: walking networkx's edge views was a twentieth of the drawing
    ties = list(g.edges(keys=True, data=True))
    legs = _three_sided(g, ties) if not aggregated else []
    undirected = nx.Graph()  # structure only: copying every tie's properties costs more
    undirected.add_nodes_from(g)
    undirected.add_edges_from((u, v) for u, v, *_ in ties)
    undirected.add_edges_from((u, v) for u, v, *_ in legs)
    if size_by == "betweenness" and not aggregated:
        measure = exact_betweenness(undirected) if undirected.number_of_nodes() <= 20000 \
            else dict(undirected.degree())
    elif aggregated:
        measure = {n: g.nodes[n].get("members", 1) for n in g}
    else:
        measure = dict(undirected.degree())
    top = max(measure.values(), default=1) or 1
    size = {n: 8 + 30 * (measure.get(n, 0) / top) ** 0.5 for n in g}
    on_path = [n for path in highlight or [] for n in path]
    path_edges = {frozenset(p) for path in highlight or [] for p in itertools.pairwise(path)}
    if highlight:
        layers = {n: i for path in highlight for i, n in enumerate(path)}
    else:
        layers = _chain_layers(g, legs, ties)
    state_node = (overlay or {}).get("state_node")
    missing = [r for r in (overlay or {}).get("roles", [])
               if r["status"] == "missing" and r["applies"] != "optional"]
    placeholders = [f"missing:{r['id']}" for r in missing]
    anchor = state_node if state_node in g else "(no state node)"
    introductions = [(rec["a"]["id"], rec["b"]["id"], rec)
                     for rec in (overlay or {}).get("introductions", [])
                     if rec["a"]["id"] in g and rec["b"]["id"] in g]
    sector = {n: broad_sector(g, n) for n in g}  # each node's, once: asked for four times
    pos = compute_layout(undirected, size, seed=seed, layers=layers or None,
                         satellites={anchor: placeholders} if placeholders else None,
                         attract=[(a, b) for a, b, _ in introductions],
                         label_room=_label_room(g, size, on_path),
                         centre=centre if centre in g else None,
                         order_key=lambda n: (sector[n], str(g.nodes[n].get("name")
                                                             or n).lower()))
    gaps = {s["id"] for s in (overlay or {}).get("contact_gaps", [])}
    records: list[dict[str, Any]] = []
    shape_of: dict[str, tuple[str, str]] = {}  # and its name in the legend
    for n, d in sorted(g.nodes(data=True)):
        sec = sector[n]
        colour = palette.SECTOR_COLOUR.get(sec, OKABE_ITO["grey"])
        shape = "dot" if d.get("label") == "Group" else palette.shape(d.get("kind"),
                                                                      d.get("label"))
        shape_of[n] = (shape, _shape_name(d))
        faded = n in context
        fill = palette.fade(colour) if faded else colour
        node: dict[str, Any] = {
            "id": str(n), "label": short_label(d.get("name") or n),
            "title": _tooltip(d, include_contacts) + "".join(
                f"\n{m}" for m in metrics.get(n, [])) + (
                "\n(tied to the selection)" if faded else ""),
            "shape": shape, "color": {"background": fill, "border": fill},
            "size": round(size[n], 1), "x": pos[n][0], "y": pos[n][1], "physics": False,
            "sector": sec, "group_name": sec, "kind": _kind_name(d),
            "label_kind": d.get("label"), "borderWidth": 1,
        }
        if d.get("date"):
            node["date"] = str(d["date"])
        if d.get("hub_hidden"):
            hidden = int(d["hub_hidden"])
            node["label"] = f"{node['label']} (+{hidden})"
            node["title"] += (f"\n+{hidden} via {d.get('name') or n}: a hub, tied to much of "
                              "the graph, not expanded (click to expand)")
            node["hub_hidden"] = hidden
            node["borderWidth"] = 3
            node["shapeProperties"] = {"borderDashes": [2, 2]}
        if faded:
            node["context"] = True
            node["font"] = {"color": "#8a8a8a"}
        if n in gaps:
            node["color"] = {"background": fill, "border": OVERLAY}
            node["borderWidth"] = 5
            node["gap"] = "no law-enforcement contact"
        if n in on_path:
            node["borderWidth"] = 5
            node["color"] = {"background": colour, "border": palette.PATH}
        records.append(node)
    for role, pid in zip(missing, placeholders, strict=True):
        records.append({
            "id": pid, "label": short_label(role["name"], 22),
            "title": f"Blueprint role not filled: {role['name']}\n{role.get('why', '')}".strip(),
            "shape": "square", "size": 10, "x": pos[pid][0], "y": pos[pid][1],
            "color": {"background": "#ffffff", "border": OVERLAY}, "borderWidth": 2,
            "shapeProperties": {"borderDashes": [3, 2]}, "physics": False,
            "sector": "missing role", "group_name": "missing role", "kind": "missing role",
            "overlay": True})
    for rec in records:
        net.add_node(rec["id"], **{k: v for k, v in rec.items() if k != "id"})
    names = {n: str(g.nodes[n].get("name") or n) for n in g}
    seen: Counter[frozenset] = Counter()
    for u, v, k, d in ties:
        # ties between the same two nodes curve apart instead of lying on each other
        pair = frozenset((u, v))
        nth = seen[pair]
        seen[pair] += 1
        _add_edge(net, u, v, k, d, names, path_edges, nth)
    for u, v, k, d in legs:
        colour, dashes, width, arrows = palette.edge_style("REFERRED_TO")
        via, of = d["via"], d["of"]
        net.add_edge(str(u), str(v), id=k, color=colour, dashes=dashes, width=width,
                     arrows=arrows, rel_type="REFERRED_TO", label="to",
                     # curved: the leg must not hide under a straight tie or a path
                     smooth={"enabled": True, "type": "curvedCCW", "roundness": 0.3},
                     title=palette.sentence(names[via], of["type"], names[u], names[v]),
                     **({"date": str(of["date"])} if of.get("date") else {}))
    if placeholders and state_node in g:
        for pid in placeholders:
            net.add_edge(pid, str(state_node), id=f"{pid}>state", color=OVERLAY,
                         dashes=[4, 4], width=1, title="missing role", rel_type="MISSING_ROLE",
                         arrows="", overlay=True)
    for a, b, rec in introductions:
        net.add_edge(a, b, id=f"intro:{a}>{b}", color=OVERLAY, dashes=[8, 6], width=2,
                     arrows="", overlay=True, rel_type="RECOMMENDED",
                     title=f"recommended introduction: {names[a]} and {names[b]} "
                           f"(score {rec['score']})\n{rec['reason']}")
    _reveal(net.nodes, net.edges, [str(n) for n in on_path])
    net.set_options(json.dumps(_options()))
    return net, {"title": title, "notes": notes, "aggregated": aggregated,
                 "legend": legend(g, overlay is not None and not aggregated, bool(highlight),
                                  bool(context), bool(legs), sectors=set(sector.values()),
                                  shapes={shape_of[n] for n in g}, ties=ties),
                 "missing_roles": [{"id": p, "name": r["name"]}
                                   for r, p in zip(missing, placeholders, strict=True)],
                 "overlay": overlay is not None and not aggregated}


def _label_room(g: nx.MultiDiGraph, size: dict[str, float], first: list[str]
                ) -> dict[str, float]:
    """The nodes whose names should be readable when the page opens: the path, and the
    biggest quarter (at least 12) of the others."""
    ranked = sorted(g, key=lambda n: (-size[n], str(n)))
    keep = set(first) | set(ranked[:max(12, len(ranked) // 4)])
    return {n: label_size_px(short_label(g.nodes[n].get("name") or n))[0] for n in keep}


def _add_edge(net: Network, u: str, v: str, k: Any, d: dict[str, Any], names: dict[str, str],
              path_edges: set[frozenset], nth: int = 0) -> None:
    t = d.get("type", "")
    colour, dashes, width, arrows = palette.edge_style(t)
    if t == "AGGREGATE":
        colour, dashes, width, arrows = "#888888", False, min(3, 1 + d["count"] ** 0.5), ""
    if path_edges and frozenset((u, v)) in path_edges:
        colour, width = palette.PATH, 4
    to = d.get("to_id")
    head = palette.sentence(names.get(u, u), t, names.get(v, v),
                            names.get(to, to) if to else None) if t != "AGGREGATE" else \
        f"{d['count']} ties"
    tip = head
    for a in _EDGE_FACTS:
        fact = d.get(a)
        if fact and not (t == "AGGREGATE" and a == "count"):
            tip += f"\n{a}: {fact}"
    extra: dict[str, Any] = {}
    if t in palette.DIRECTED_LABEL:
        extra["label"] = palette.DIRECTED_LABEL[t]
    if d.get("start") or d.get("date"):
        extra["date"] = str(d.get("start") or d["date"])
    if d.get("end"):
        # history: drawn faint and dotted, hidden unless asked for or the time slider is
        # before its end (the page's filters)
        extra["ended"] = str(d["end"])
        colour, dashes = palette.ENDED, [2, 4]
        tip = f"{tip}\n(ended {d['end']}: history)"
    if nth:
        extra["smooth"] = {"enabled": True, "type": "curvedCW" if nth % 2 else "curvedCCW",
                           "roundness": 0.25 * ((nth + 1) // 2)}
    # keys from the store are unique strings; networkx's own integer keys repeat per pair
    eid = k if isinstance(k, str) else f"{u}>{v}#{k}"
    net.add_edge(str(u), str(v), id=eid, title=tip, color=colour, dashes=dashes,
                 width=width, arrows=arrows, rel_type=t, **extra)


#: what a tie's tooltip lists under its sentence, when the tie has it
_EDGE_FACTS = ("date", "start", "end", "status", "count", "role", "note")


def _reveal(records: list[dict[str, Any]], edges: list[dict[str, Any]],
            first: list[str]) -> None:
    """Give each label the zoom from which it is shown (``reveal``; None: tooltip only).
    Priority: the path or focus, then the biggest nodes, then context and overlay; edge
    labels last, so they never cover a name."""
    if not records:
        return
    pos = np.array([[r["x"], r["y"]] for r in records], dtype=float)
    rad = np.array([float(r["size"]) for r in records])
    index = {r["id"]: i for i, r in enumerate(records)}
    labelled = [e for e in edges if e.get("label") and e["from"] in index and e["to"] in index]
    ends = np.array([[index[e["from"]], index[e["to"]]] for e in labelled], dtype=int
                    ).reshape(-1, 2)
    mid = (pos[ends[:, 0]] + pos[ends[:, 1]]) / 2 if len(labelled) else np.zeros((0, 2))
    h = LINE * LABEL_PX
    anchors = np.vstack([np.stack([pos[:, 0], pos[:, 1] + rad], axis=1), mid])
    offsets = np.concatenate([np.full(len(records), LABEL_GAP_PX),
                              np.full(len(labelled), -h / 2)])
    owner = np.concatenate([np.arange(len(records)), np.full(len(labelled), -1)])
    widths = np.array([label_size_px(r["label"])[0] for r in records] +
                      [label_size_px(e["label"])[0] * EDGE_LABEL_PX / LABEL_PX
                       for e in labelled])
    rank = {n: i for i, n in enumerate(dict.fromkeys(first))}
    order = sorted(range(len(records)), key=lambda i: (
        rank.get(records[i]["id"], len(rank)), bool(records[i].get("overlay")),
        bool(records[i].get("context")), -rad[i], records[i]["label"], records[i]["id"]))
    order += sorted(range(len(records), len(records) + len(labelled)),
                    key=lambda i: (labelled[i - len(records)]["label"],
                                   str(labelled[i - len(records)]["id"])))
    # The first names may cover other nodes (with a halo); beyond the first LABELS_AT_ONCE
    # names, a label waits until one zooms in, so the opening view names the main actors
    # rather than whichever leaves happen to have room.
    over = np.zeros(len(order), dtype=bool)
    wait = np.zeros(len(order))
    opening = initial_scale(pos[:, 0], pos[:, 1], rad)
    ranked = np.asarray(order, dtype=np.int64)
    over[ranked[:NAMES_OVER_NODES]] = ranked[:NAMES_OVER_NODES] < len(records)
    wait[ranked[LABELS_AT_ONCE:]] = opening * 1.5
    reveal = reveal_scales(pos, rad, widths, order, anchors=anchors, offsets_px=offsets,
                           owner=owner, over_nodes=over, min_zoom=wait)
    for rec, s in zip(records + labelled, reveal.tolist(), strict=True):
        rec["reveal"] = round(s, 4) if math.isfinite(s) else None


def _options() -> dict[str, Any]:
    return {
        "physics": {"enabled": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": True,
                        "navigationButtons": False},
        "edges": {"smooth": False, "font": {"size": EDGE_LABEL_PX, "color": "#444444",
                                            "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "arrows": {"to": {"scaleFactor": 0.6}}},
        # a white halo keeps a name readable where it crosses a line or a node
        "nodes": {"font": {"size": LABEL_PX, "face": "arial", "color": "#222222",
                           "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "layout": {"improvedLayout": False},
    }


def view_settings() -> dict[str, float]:
    """What the pages' script needs to open at the zoom readability measures."""
    return {"labelPx": LABEL_PX, "edgePx": EDGE_LABEL_PX, "fitPad": FIT_PAD,
            "fitLabelPx": FIT_LABEL_PX, "maxScale": MAX_SCALE}


def _fold_metrics(g: nx.MultiDiGraph, in_place: bool = False
                  ) -> tuple[nx.MultiDiGraph, dict[str, list[str]]]:
    """Metric nodes say more in their scope's tooltip than as nodes of their own. With
    ``in_place``, they are taken out of ``g`` itself (the order of the rest is kept either
    way): copying the graph was a tenth of drawing an ego network."""
    metric_nodes = [n for n, d in g.nodes(data=True) if d.get("label") == "Metric"]
    lines: dict[str, list[str]] = {}
    for m in metric_nodes:
        d = g.nodes[m]
        for u in g.predecessors(m):
            lines.setdefault(u, []).append(
                f"{d.get('name')}: {d.get('value')} {d.get('unit') or ''}".rstrip())
    if not metric_nodes:
        return g, lines
    if in_place:
        g.remove_nodes_from(metric_nodes)
        return g, lines
    # a new graph, not subgraph(...).copy(): a view filters every step of the copy, which
    # took a third of the time of drawing an ego network; the order of g is kept
    gone = set(metric_nodes)
    h = nx.MultiDiGraph()
    h.graph.update(g.graph)
    h.add_nodes_from((n, d) for n, d in g.nodes(data=True) if n not in gone)
    h.add_edges_from((u, v, k, d) for u, v, k, d in g.edges(keys=True, data=True)
                     if u not in gone and v not in gone)
    return h, lines


def _item(svg: str, text: str) -> dict[str, str]:
    return {"svg": svg, "text": text}


def legend(g: nx.MultiDiGraph, overlay: bool, paths: bool, context: bool = False,
           referrals: bool = False, sectors: set[str] | None = None,
           shapes: set[tuple[str, str]] | None = None,
           ties: list[tuple[str, str, Any, dict[str, Any]]] | None = None
           ) -> list[dict[str, str]]:
    """What is on the page: sectors by colour, kinds by shape, ties by line, the overlay.
    ``sectors``, ``shapes`` (each node's shape and its name), ``ties`` (the edges of ``g``
    with their keys and data): when the caller knows them already."""
    items = [{"svg": "", "text": "Colour: sector", "heading": "1"}]
    present = sectors if sectors is not None else {broad_sector(g, n) for n in g}
    for sec, colour in palette.SECTOR_COLOUR.items():
        if sec in present:
            items.append(_item(palette.swatch("dot", colour), sec))
    if shapes is None:
        shapes = {("dot" if g.nodes[n].get("label") == "Group" else
                   palette.shape(g.nodes[n].get("kind"), g.nodes[n].get("label")),
                   _shape_name(g.nodes[n])) for n in g}
    if ties is None:
        ties = list(g.edges(keys=True, data=True))
    items.append({"svg": "", "text": "Shape: kind", "heading": "1"})
    for shp, meaning in sorted(shapes, key=lambda s: _SHAPE_ORDER.get(s[1], 99)):
        items.append(_item(palette.swatch(shp, "#666666"), meaning))
    types = {d.get("type") for *_, d in ties}
    if types:
        items.append({"svg": "", "text": "Lines: ties", "heading": "1"})
    for t, (colour, dashes, _, arrows) in palette.EDGE_STYLE.items():
        if t in types or (t == "REFERRED_TO" and referrals):
            text = "referred … to (the third party)" if t == "REFERRED_TO" else \
                palette.verb(t)
            items.append(_item(palette.swatch("arrow" if arrows and not dashes else
                                              "dashed" if dashes else "line", colour), text))
    if types & set(model.PARTICIPATION.values()):
        items.append(_item(palette.swatch("line", palette.PARTICIPATION_STYLE[0]),
                           "took part in an event"))
    if types & set(model.COMMITMENTS.values()):
        items.append(_item(palette.swatch("dashed", palette.COMMITMENT_STYLE[0]),
                           "commitment (pledged, trained, adopted...)"))
    if types & model.DERIVED:
        items.append(_item(palette.swatch("dashed", "#bbbbbb"), "in a place, part of"))
    if "AGGREGATE" in types:
        items.append(_item(palette.swatch("line", "#888888"), "ties between groups"))
    if any(d.get("end") for *_, d in ties):
        items.append(_item(palette.swatch("dashed", palette.ENDED),
                           "ended tie (history; shown on request)"))
    if context or overlay or paths:
        items.append({"svg": "", "text": "Marks", "heading": "1"})
    if context:
        items.append(_item(palette.swatch("dot", palette.fade(OKABE_ITO["grey"])),
                           "tied to the selection (faded)"))
    if overlay:
        items += [_item(palette.swatch("ring", OVERLAY), "no law-enforcement contact"),
                  _item(palette.swatch("dashed-box", OVERLAY), "missing blueprint role"),
                  _item(palette.swatch("dashed", OVERLAY), "recommended introduction")]
    if paths:
        items.append(_item(palette.swatch("line", palette.PATH), "path"))
    return items


_SHAPE_ORDER = {m: i for i, m in enumerate(
    ["organization", "person", "truck stop", "bus terminal", "casino", "task force",
     "event", "program", "state or county", "group"])}


def _kind_name(d: dict[str, Any]) -> str:
    """What the kind filter calls a node: its kind, or its label in words."""
    if d.get("kind"):
        return str(d["kind"])
    return {"ModelComponent": "model component"}.get(d.get("label") or "",
                                                     str(d.get("label") or "entity").lower())


def _shape_name(d: dict[str, Any]) -> str:
    if d.get("label") == "Group":
        return "group"
    if d.get("kind") in palette.KIND_SHAPE:
        return str(d["kind"])
    return {"Organization": "organization", "Person": "person", "Event": "event",
            "Program": "program", "ModelComponent": "program", "State": "state or county",
            "County": "state or county"}.get(d.get("label") or "", "person")


#: The script every network view shares (the pages and the explorer): opening zoom, labels
#: that keep their size on screen and appear where they fit, filters, the overlay switch.
VIEW_JS = r"""
(function () {
"use strict";
function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
  return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]; }); }
// The zoom a page opens at: the drawn nodes fitted into the canvas (readability.py's
// initial_scale, which the layout's promises are measured at).
function fit(view) {
  var el = view.container, s = view.settings, x0 = Infinity, y0 = Infinity, x1 = -Infinity,
      y1 = -Infinity;
  view.nodes.forEach(function (n) {
    if (n.hidden || typeof n.x !== "number" || typeof n.y !== "number") return;
    var r = n.size || 10;
    x0 = Math.min(x0, n.x - r); x1 = Math.max(x1, n.x + r);
    y0 = Math.min(y0, n.y - r); y1 = Math.max(y1, n.y + r);
  });
  if (x0 === Infinity) return;
  var scale = Math.min((el.clientWidth * s.fitPad - 2 * s.fitLabelPx) / Math.max(x1 - x0, 1),
                       (el.clientHeight * s.fitPad - s.fitLabelPx) / Math.max(y1 - y0, 1),
                       s.maxScale);
  view.network.moveTo({position: {x: (x0 + x1) / 2, y: (y0 + y1) / 2 + s.fitLabelPx / 2 / scale},
                       scale: scale, animation: false});
  relabel(view);
}
// Labels keep their size on screen; a label shows from its node's "reveal" zoom on, where
// the layout found it overlaps nothing (null: only in the tooltip).
function relabel(view) {
  var scale = view.network.getScale(), s = view.settings, changes = [];
  if (Math.abs(scale - view.fontScale) > 1e-9) {
    view.fontScale = scale;
    view.network.setOptions({nodes: {font: {size: s.labelPx / scale}},
                             edges: {font: {size: s.edgePx / scale}}});
  }
  view.nodes.forEach(function (n) {
    var show = n.reveal !== null && n.reveal !== undefined && scale >= n.reveal * 0.999;
    var text = show ? view.text[n.id] : "";
    if (n.label !== text) changes.push({id: n.id, label: text});
  });
  if (changes.length) view.nodes.update(changes);
}
function create(container, data, settings) {
  var text = {};
  var etext = {};
  data.nodes.forEach(function (n) { text[n.id] = n.label || ""; n.label = ""; });
  data.edges.forEach(function (e) { if (e.label) { etext[e.id] = e.label; e.label = ""; } });
  var nodes = new vis.DataSet(data.nodes), edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  var view = {network: network, nodes: nodes, edges: edges, container: container,
              settings: settings, text: text, etext: etext, fontScale: 0, pending: false};
  // a page with physics on (the benchmark's baseline) moves by itself: leave it be
  view.physics = !!(data.options && data.options.physics && data.options.physics.enabled);
  network.on("zoom", function () {
    if (view.pending || view.physics) return;
    view.pending = true;
    window.requestAnimationFrame(function () { view.pending = false; relabel(view); });
  });
  if (!view.physics) fit(view);
  return view;
}
function uniq(xs) { return xs.filter(function (x, i) { return x && xs.indexOf(x) === i; }).sort(); }
function inRange(date, lo, hi) {
  if (!date) return true;
  var d = String(date);
  return (!lo || d >= lo.slice(0, d.length)) && (!hi || d <= hi);
}
function boxes(name, values, labels) {
  return '<fieldset data-filter="' + name + '"><legend>' + esc(labels.title) + '</legend>' +
    values.map(function (v) {
      return '<label><input type="checkbox" checked value="' + esc(v) + '"> ' +
        esc((labels.names && labels.names[v]) || v) + '</label>';
    }).join("") + '</fieldset>';
}
// Filters by kind, sector, relationship type and date range, built from what the view holds.
function filters(panel, view, empty) {
  var ns = view.nodes.get().filter(function (n) { return !n.overlay; });
  var es = view.edges.get().filter(function (e) { return !e.overlay; });
  var dates = uniq(ns.map(function (n) { return n.date; })
                   .concat(es.map(function (e) { return e.date; }))).map(String);
  var types = uniq(es.map(function (e) { return e.rel_type; }));
  var anyEnded = es.some(function (e) { return e.ended; });
  var typeNames = {};
  types.forEach(function (t) { typeNames[t] = (view.verbs && view.verbs[t]) || t.toLowerCase().replace(/_/g, " "); });
  panel.innerHTML = boxes("sector", uniq(ns.map(function (n) { return n.sector; })), {title: "Sector"}) +
    boxes("kind", uniq(ns.map(function (n) { return n.kind; })), {title: "Kind"}) +
    boxes("rel_type", types, {title: "Relationship", names: typeNames}) +
    (dates.length ? '<fieldset data-filter="dates"><legend>Dates</legend>' +
     '<label>from <input type="date" name="from"></label> <label>to <input type="date" name="to"></label>' +
     '<p class="hint">' + esc(dates[0]) + ' to ' + esc(dates[dates.length - 1]) + ' on this page; undated items stay.</p></fieldset>' +
     // the time slider: the network as it grew, date by date ("all" at the right end)
     '<fieldset data-filter="time"><legend>Time</legend><input type="range" name="time" min="0" max="' +
     dates.length + '" step="1" value="' + dates.length + '" aria-label="show the network as of a date" style="width:100%">' +
     '<p class="hint" id="time-shown">all dates</p></fieldset>' : "") +
    (anyEnded ? '<fieldset data-filter="history"><legend>History</legend><label><input type="checkbox" name="ended">' +
     ' ended ties</label><p class="hint">Ties that have ended (dotted) are hidden; the time slider shows them as they stood.</p></fieldset>' : "");
  // When a node appears: its own date, else its first dated tie or dated neighbour (an
  // organization appears with the first build it attended); undated throughout: always.
  var seen = {};
  ns.forEach(function (n) { if (n.date) seen[n.id] = String(n.date); });
  function earlier(id, d) { if (d && (!seen[id] || d < seen[id])) seen[id] = d; }
  var own = {};
  ns.forEach(function (n) { own[n.id] = n.date ? String(n.date) : null; });
  es.forEach(function (e) {
    var d = e.date ? String(e.date) : null;
    if (!own[e.from]) earlier(e.from, d || own[e.to]);
    if (!own[e.to]) earlier(e.to, d || own[e.from]);
  });
  view.appears = seen;
  function checked(name) {
    var box = panel.querySelector('[data-filter="' + name + '"]');
    if (!box) return null;
    var on = {};
    box.querySelectorAll("input:checked").forEach(function (i) { on[i.value] = true; });
    return on;
  }
  function apply() {
    var sec = checked("sector"), kind = checked("kind"), rel = checked("rel_type");
    var lo = (panel.querySelector('input[name="from"]') || {}).value || null;
    var hi = (panel.querySelector('input[name="to"]') || {}).value || null;
    var slider = panel.querySelector('input[name="time"]'), upto = null;
    // a date to the month or year counts as within it: "2017-05-01" is shown as of "2017"
    if (slider && +slider.value < dates.length) upto = dates[+slider.value];
    var uptoCmp = upto && upto.length < 10 ? upto + "\uffff" : upto;
    var label = panel.querySelector("#time-shown");
    if (label) label.textContent = upto ? "as of " + upto : "all dates";
    view.asOf = upto;
    var shown = {}, nodeChanges = [], edgeChanges = [], count = 0;
    view.nodes.forEach(function (n) {
      var hide = n.overlay ? !view.overlayShown :
        !(sec[n.sector] && kind[n.kind] && inRange(n.date, lo, hi) &&
          inRange(seen[n.id], null, uptoCmp));
      if (!hide) { shown[n.id] = true; if (!n.overlay) count++; }
      if (!!n.hidden !== hide) nodeChanges.push({id: n.id, hidden: hide});
    });
    var history = (panel.querySelector('input[name="ended"]') || {}).checked;
    view.edges.forEach(function (e) {
      // an ended tie holds as of a day up to its end ("2019" holds through 2019)
      var holds = !e.ended || (upto && upto.slice(0, e.ended.length) <= e.ended);
      var hide = !(shown[e.from] && shown[e.to]) ||
        (e.overlay ? !view.overlayShown : !(rel[e.rel_type] && inRange(e.date, lo, hi) &&
                                            inRange(e.date, null, uptoCmp) &&
                                            (holds || history)));
      if (!!e.hidden !== hide) edgeChanges.push({id: e.id, hidden: hide});
    });
    if (nodeChanges.length) view.nodes.update(nodeChanges);
    if (edgeChanges.length) view.edges.update(edgeChanges);
    if (empty) empty.hidden = count > 0;
    view.shownCount = count;
  }
  view.overlayShown = true;
  view.applyFilters = apply;
  panel.addEventListener("change", apply);
  panel.addEventListener("input", function (ev) { if (ev.target.name === "time") apply(); });
  apply();
}
window.coalitionView = {create: create, fit: fit, relabel: relabel, filters: filters, esc: esc};
}());
"""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>{{ vis_css }}</style>
<style>
html,body{margin:0;height:100%;font:14px system-ui,sans-serif;color:#222}
#wrap{display:flex;height:100%}#stage{flex:1;min-width:0;border-right:1px solid #ddd;position:relative}
#net{position:absolute;inset:0}
aside{width:18rem;overflow:auto;padding:.8rem}h1{font-size:1.05rem;margin:.2rem 0 .6rem}
h2{font-size:.95rem;margin:.8rem 0 .3rem}
.note{background:#fff4e0;border-left:4px solid #E69F00;padding:.4rem .6rem;margin:.4rem 0}
#empty{position:absolute;top:40%;left:0;right:0;text-align:center;font-size:1.1rem;color:#555;margin:0}
[hidden]{display:none!important}
ul.legend{list-style:none;padding:0;margin:0}ul.legend li{margin:.15rem 0;display:flex;
align-items:center;gap:.5rem}.sw{flex:none}ul.legend li.lh{font-size:.8rem;color:#555;
font-weight:600;margin-top:.4rem}
fieldset{border:1px solid #ddd;margin:.3rem 0;padding:.2rem .5rem}fieldset label{display:inline-block;
margin-right:.6rem;white-space:nowrap}legend{font-weight:600;font-size:.85rem}.hint{color:#666;
font-size:.8rem;margin:.2rem 0}details summary{cursor:pointer;font-weight:600;margin:.6rem 0 .2rem}
ul.missing{margin:.2rem 0;padding-left:1.2rem}button{font:inherit}
</style></head>
<body><div id="wrap">
<div id="stage"><div id="net" role="img" aria-label="{{ title }}: a network of {{ n_nodes }} nodes and {{ n_edges }} relationships"></div>
<p id="empty" hidden>Nothing on this page matches these filters. Tick more boxes or widen the dates.</p></div>
<aside><h1>{{ title }}</h1>
<p>{{ n_nodes }} nodes, {{ n_edges }} relationships. Hover for details; scroll to zoom
(more names appear as you zoom in). <button id="fit" type="button">Fit</button></p>
{% for note in notes %}<p class="note">{{ note }}</p>{% endfor %}
{% if overlay %}<h2>Gap overlay</h2>
<label><input type="checkbox" id="overlay" checked> Show missing roles, contact gaps and
recommended introductions</label>
{% if missing_roles %}<p>Missing blueprint roles ({{ missing_roles|length }}), the dashed boxes beside the state:</p>
<ul class="missing" id="missing-roles">{% for r in missing_roles %}<li>{{ r.name }}</li>{% endfor %}</ul>{% endif %}
{% endif %}
<h2>Legend</h2>
<ul class="legend" id="legend">{% for item in legend %}
{% if item.heading %}<li class="lh">{{ item.text }}</li>{% else %}<li>{{ item.svg }}<span>{{ item.text }}</span></li>{% endif %}{% endfor %}
</ul>
<details id="filters-box" open><summary>Filters</summary><div id="filters"></div></details>
</aside></div>
<script>{{ vis_js }}</script>
<script>{{ view_js }}</script>
<script id="graph-data" type="application/json">{{ data }}</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var view = coalitionView.create(document.getElementById("net"), data, data.view);
  view.verbs = data.verbs;
  window.coalition = {network: view.network, nodes: view.nodes, edges: view.edges,
                      view: view, ready: false};
  coalitionView.filters(document.getElementById("filters"), view,
                        document.getElementById("empty"));
  var toggle = document.getElementById("overlay");
  if (toggle) toggle.addEventListener("change", function () {
    view.overlayShown = toggle.checked;
    view.nodes.update(view.nodes.get({filter: function (n) { return n.gap; }}).map(function (n) {
      return {id: n.id, borderWidth: toggle.checked ? 5 : 1,
              color: {background: n.color.background,
                      border: toggle.checked ? data.overlayColour : n.color.background}};
    }));
    view.applyFilters();
  });
  document.getElementById("fit").addEventListener("click", function () { coalitionView.fit(view); });
  view.network.once("afterDrawing", function () {
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
    options = options if isinstance(options, dict) else json.loads(options)
    return env.from_string(PAGE).render(
        title=facts["title"], notes=facts["notes"],
        legend=[{**i, "svg": Markup(i["svg"])} for i in facts["legend"]],
        overlay=facts.get("overlay"), missing_roles=facts.get("missing_roles", []),
        n_nodes=sum(1 for n in nodes if not n.get("overlay")),
        n_edges=sum(1 for e in edges if not e.get("overlay")),
        vis_css=bundled("vis-network.css"), vis_js=bundled("vis-network.min.js"),
        view_js=Markup(VIEW_JS),
        data=Markup(_json_for_script({"nodes": nodes, "edges": edges, "options": options,
                                      "view": view_settings(), "verbs": palette.VERB,
                                      "overlayColour": OVERLAY})))


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


def ego_data(g: nx.MultiDiGraph, focus: str, *, include_contacts: bool = False
             ) -> dict[str, Any]:
    """The ego network as node-link JSON (every node's and edge's properties, as before),
    plus what the explorer draws it with: per node its position, size, colour, shape,
    label and facts (metrics are facts on their node, not nodes); per edge its style; and
    the legend. ``g`` is the caller's no more: the drawing changes it."""
    data = nx.node_link_data(g, edges="edges")
    net, facts = build(g, include_contacts=include_contacts, highlight=[[focus]],
                       title="ego network", centre=focus, owned=True)
    drawn = {n["id"]: n for n in net.nodes}
    for n in data["nodes"]:
        style = drawn.get(str(n["id"]))
        if style is not None:
            n["draw"] = {k: style[k] for k in ("label", "title", "shape", "color", "size", "x",
                                               "y", "reveal", "sector", "kind", "borderWidth",
                                               "hub_hidden", "shapeProperties")
                         if k in style}
            if "date" in style:
                n["draw"]["date"] = style["date"]
    data["draw_edges"] = [{k: e[k] for k in ("from", "to", "id", "title", "color", "dashes",
                                             "width", "arrows", "rel_type", "label", "date")
                           if k in e} for e in net.edges]
    data["legend"] = facts["legend"]
    options = net.get_network_data()[-1]
    data["options"] = options if isinstance(options, dict) else json.loads(options)
    data["view"] = view_settings()
    return data


def overlay_from_report(report: dict[str, Any], state: str) -> dict[str, Any]:
    """The gap overlay of one state, from an analysis report (one state's or several)."""
    def part(key: str) -> dict[str, Any]:
        return next(x for x in report[key] if x["state"] == state)

    return {"state_node": f"state:{state}", "roles": part("coverage")["roles"],
            "contact_gaps": part("contact_gaps")["sites"],
            "introductions": part("recommendations")["introductions"]}
