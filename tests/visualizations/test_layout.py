"""The layout's promises, measured from the positions each page embeds
(visualizations/readability.py): on the seed's own pages and on SYNTHETIC graphs of 500 and
2,000 nodes, nodes overlapping <= 2%, labels overlapping <= 10% (of those shown at the opening
zoom), the largest connected group's box >= 30% of the drawing's. Plus the parts: packing,
isolated nodes, the gap overlay beside its state, layers for paths and referral chains,
labels that appear as one zooms in, kind views, and the three-sided referral."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from api.service import CoalitionService
from bench.render import synthetic_graph
from graph.errors import ConfigError
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import SEED
from visualizations import palette
from visualizations.layout import MAX_ZOOM, layout, pack, reveal_scales, separate
from visualizations.network import build, kind_view, render_html, short_label
from visualizations.readability import (
    LABEL_GAP_PX,
    LABEL_PX,
    LINE,
    label_size_px,
    measure,
    measure_page,
    page_data,
)

LIMITS = {"nodes_overlapping": 0.02, "labels_overlapping": 0.10, "largest_group_area": 0.30}


def assert_readable(m: dict, what: str) -> None:
    assert m["nodes_overlapping"] <= LIMITS["nodes_overlapping"], (what, m)
    assert m["labels_overlapping"] <= LIMITS["labels_overlapping"], (what, m)
    assert m["largest_group_area"] >= LIMITS["largest_group_area"], (what, m)
    assert m["labels_shown"] > 0, (what, m)  # no cheating by showing no name at all


@pytest.fixture(scope="module")
def seed_pages(data_dir) -> dict[str, str]:
    """The seed's pages, built once: the whole graph, each state, sectors, a path, two ego
    networks."""
    import uuid

    from graph.settings import Settings
    from graph.store import open_store

    settings = Settings(store="embedded", data_dir=data_dir,
                        graph_name=f"layout{uuid.uuid4().hex[:10]}")
    store = open_store(settings)
    try:
        load(SEED, store)
        service = CoalitionService(settings)
        pages = {"whole graph": service.network_page()[0]}
        for st in ("CA", "IA", "MS", "WI"):
            pages[f"state {st}"] = service.network_page(state=st)[0]
        for sector in ("industry", "civil society", "law enforcement"):
            pages[f"sector {sector}"] = service.network_page(kinds=(sector,))[0]
        pages["path"] = service.network_page(path=("org:ms:mississippi-trucking-association",
                                                   "org:quality-carriers"))[0]
        for focus in ("org:quality-carriers", "org:ms:mississippi-trucking-association"):
            pages[f"ego {focus}"] = service.network_page(focus=focus, depth=2)[0]
        yield pages
    finally:
        store.clear()
        store.close()


@pytest.mark.parametrize("name", ["whole graph", "state CA", "state IA", "state MS",
                                  "state WI", "sector industry", "sector civil society",
                                  "sector law enforcement", "path", "ego org:quality-carriers",
                                  "ego org:ms:mississippi-trucking-association"])
def test_seed_pages_are_readable(seed_pages, name) -> None:
    assert_readable(measure_page(seed_pages[name]), name)


def test_law_enforcement_sector_shows_every_name(seed_pages) -> None:
    # Its agencies are several small groups (an agency, its place, an event), the page where
    # names are most likely to crowd: nothing overlaps and every name shows.
    m = measure_page(seed_pages["sector law enforcement"])
    assert m["nodes_overlapping"] == 0 and m["labels_overlapping"] == 0
    # nearly every name at the opening zoom, and every one of them at some zoom
    assert m["labels_shown"] >= m["nodes"] - 1
    data = page_data(seed_pages["sector law enforcement"])
    assert all(n.get("reveal") is not None for n in data["nodes"])


@pytest.mark.parametrize("n", [500, 2000])
def test_synthetic_pages_are_readable(n) -> None:
    html, facts = render_html(synthetic_graph(n))
    assert not facts["aggregated"] and facts["nodes"] == n
    assert_readable(measure_page(html), f"SYNTHETIC {n}")


def test_the_issue_figures_fail_the_measure() -> None:
    """The measure catches what the issue saw: nodes on each other, labels on each other,
    a network lost in a big drawing."""
    nodes = [{"id": f"n{i}", "x": (i % 5) * 4.0, "y": (i // 5) * 4.0, "size": 10,
              "label": f"Organization {i}", "reveal": 0} for i in range(20)]
    nodes.append({"id": "far", "x": 5000, "y": 5000, "size": 10, "label": "Far", "reveal": 0})
    m = measure(nodes, [{"from": f"n{i}", "to": f"n{i + 1}"} for i in range(19)])
    assert m["nodes_overlapping"] > 0.9 and m["labels_overlapping"] > 0.9
    assert m["largest_group_area"] < 0.01


def test_groups_are_packed_largest_in_the_middle_isolated_beside() -> None:
    g = nx.Graph()
    nx.add_path(g, [f"big{i}" for i in range(40)])
    g.add_edges_from((f"big{i}", f"big{(i * 7) % 40}") for i in range(40))
    for k in range(4):
        nx.add_path(g, [f"small{k}:{i}" for i in range(4)])
    g.add_nodes_from(f"alone{i}" for i in range(12))
    pos = layout(g)
    assert pos == layout(g)  # seeded: the same graph, the same picture
    xy = np.array(list(pos.values()))
    centre = (xy.min(axis=0) + xy.max(axis=0)) / 2
    big = np.array([pos[f"big{i}"] for i in range(40)])
    span = xy.max(axis=0) - xy.min(axis=0)
    # the largest group holds the middle of the drawing
    assert np.all(np.abs(big.mean(axis=0) - centre) < span * 0.25)
    # isolated nodes: a tidy block (on a grid: its rows times its columns hold them all,
    # with at most one row part-filled), near the rest
    alone = np.array([pos[f"alone{i}"] for i in range(12)])
    cols, rows = len(set(alone[:, 0].round(1))), len(set(alone[:, 1].round(1)))
    assert cols * rows < 12 + max(cols, rows)
    rest = np.array([p for n, p in pos.items() if not n.startswith("alone")])
    gap = min(np.hypot(*(rest - a).T).min() for a in alone)
    assert gap < 400  # beside the drawing, not flung to its edge


def test_pack_places_the_first_in_the_middle_and_never_overlaps() -> None:
    sizes = [(400.0, 300.0)] + [(100.0 + 10 * k, 80.0) for k in range(12)]
    centres = pack(sizes, margin=20)
    assert centres[0] == (0.0, 0.0)
    boxes = [(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
             for (x, y), (w, h) in zip(centres, sizes, strict=True)]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_separate_removes_every_overlap() -> None:
    rng = np.random.default_rng(3)
    pos = rng.uniform(0, 100, (300, 2))
    r = rng.uniform(5, 20, 300)
    out = separate(pos, r)
    d = np.hypot(*(out[:, None, :] - out[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    assert (d >= (r[:, None] + r[None, :]) - 1e-6).all()


def test_labels_appear_as_one_zooms_in_never_on_each_other() -> None:
    # ten nodes in a tight row: their names cannot all show at once until one zooms in
    pos = np.array([[i * 30.0, 0.0] for i in range(10)])
    r = np.full(10, 8.0)
    widths = np.array([label_size_px(f"Organization number {i}")[0] for i in range(10)])
    reveal = reveal_scales(pos, r, widths, list(range(10)))
    assert reveal[0] == 0  # the most important name is there from the start
    assert np.isfinite(reveal).all() and len(set(reveal.round(4))) > 2
    for scale in (0.5, 1, 2, 4, 8):
        nodes = [{"id": str(i), "x": x, "y": y, "size": 8, "reveal": float(reveal[i]),
                  "label": f"Organization number {i}"} for i, (x, y) in enumerate(pos)]
        shown = [n for n in nodes if n["reveal"] <= scale]
        half = [label_size_px(n["label"])[0] / (2 * scale) for n in shown]
        for a in range(len(shown)):
            for b in range(a + 1, len(shown)):
                apart = abs(shown[a]["x"] - shown[b]["x"]) >= half[a] + half[b] - 1e-6
                assert apart, (scale, shown[a]["id"], shown[b]["id"])


# -- reveal_scales works in blocks; this is its definition, a label at a time, to check it by
def one_by_one(pos: np.ndarray, r: np.ndarray, widths_px: np.ndarray,
                  order: list[int], *, anchors: np.ndarray | None = None,
                  offsets_px: np.ndarray | None = None, owner: np.ndarray | None = None,
                  over_nodes: np.ndarray | None = None, min_zoom: np.ndarray | None = None,
                  max_zoom: float = MAX_ZOOM) -> np.ndarray:
    """reveal_scales as first written: a label at a time (the definition)."""
    h = LINE * LABEL_PX
    if anchors is None:
        lx, top = pos[:, 0], pos[:, 1] + r
        offset = np.full(len(pos), LABEL_GAP_PX)
        owner = np.arange(len(pos))
    else:
        lx, top = anchors[:, 0], anchors[:, 1]
        offset = np.asarray(offsets_px, dtype=float)
        owner = np.full(len(anchors), -1) if owner is None else owner
    n = len(lx)
    reveal = np.full(n, np.inf)
    if not n:
        return reveal
    x, y = pos[:, 0], pos[:, 1]
    w = np.asarray(widths_px, dtype=float)
    done = np.zeros(n, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in order:
            if w[i] <= 0:
                done[i] = True
                continue
            o = offset[i]
            # the discs: apart sideways, or the label wholly below or above
            dx = np.abs(x - lx[i])
            sx = np.where(dx > r, w[i] / (2 * (dx - r)), np.inf)
            below = top[i] - (y + r)
            s_below = np.where(below > 0, np.maximum(-o, 0.0) / below,
                               np.where((below == 0) & (o >= 0), 0.0, np.inf))
            above = (y - r) - top[i]
            s_above = np.where(above > 0, np.maximum(o + h, 0.0) / above, np.inf)
            need_nodes = np.minimum(sx, np.minimum(s_below, s_above))
            if len(pos) and owner[i] >= 0:
                need_nodes[owner[i]] = 0.0
            need = 0.0 if over_nodes is not None and over_nodes[i] else \
                float(need_nodes.max(initial=0.0))
            if min_zoom is not None:
                need = max(need, float(min_zoom[i]))
            # labels already given a zoom, which shrink with zoom as this one does
            shown = done & np.isfinite(reveal)
            if shown.any():
                ddx = np.abs(lx[shown] - lx[i])
                a = top[i] - top[shown]
                rel = o - offset[shown]
                px = np.where(ddx > 0, (w[i] + w[shown]) / (2 * ddx), np.inf)
                py = np.where(a > 0, np.maximum(h - rel, 0.0) / a,
                              np.where(a < 0, np.maximum(h + rel, 0.0) / -a,
                                       np.where(np.abs(rel) >= h, 0.0, np.inf)))
                part = np.minimum(px, py)
                binding = reveal[shown] < part
                if binding.any():
                    need = max(need, float(part[binding].max()))
            reveal[i] = need if need <= max_zoom else np.inf
            done[i] = True
    return reveal


@pytest.mark.parametrize("case", range(40))
def test_reveal_scales_in_blocks_equals_one_label_at_a_time(case) -> None:
    """SYNTHETIC random drawings, some crowded, with and without edge-label anchors, owners,
    over_nodes and min_zoom, some beyond one block: the same zoom for every label."""
    rng = np.random.default_rng(case)
    n = int(rng.integers(1, 40 if case % 4 else 600))
    spread = float(rng.choice([50.0, 400.0, 3000.0]))
    pos = rng.uniform(-spread, spread, (n, 2))
    r = rng.uniform(5, 30, n)
    kwargs = {}
    m = n
    if case % 3 == 1:  # edge labels: anchors apart from the nodes
        m = int(rng.integers(1, 2 * n + 2))
        kwargs = {"anchors": rng.uniform(-spread, spread, (m, 2)),
                  "offsets_px": rng.uniform(-12, 6, m),
                  "owner": rng.integers(-1, n, m)}
    if case % 5 == 2:
        kwargs["over_nodes"] = rng.random(m) < 0.2
    if case % 7 == 3:
        kwargs["min_zoom"] = rng.uniform(0, 2, m)
    widths = rng.uniform(0, 200, m) * (rng.random(m) > 0.1)  # some labels have no width
    order = list(rng.permutation(m))
    got = reveal_scales(pos, r, widths, order, **kwargs)
    want = one_by_one(pos, r, widths, order, **kwargs)
    assert np.array_equal(np.isinf(got), np.isinf(want))
    assert np.allclose(got[np.isfinite(got)], want[np.isfinite(want)], rtol=1e-12, atol=0)


def test_ego_network_is_drawn_in_rings_around_its_focus() -> None:
    """A SYNTHETIC ego network: the focus, four neighbours, eight at two steps. The focus is
    the middle of its drawing, every neighbour is nearer to it than every node two steps
    out, and a neighbour's own neighbours lie on its side."""
    g = nx.Graph()
    for i in range(4):
        g.add_edge("focus", f"n{i}")
        for j in range(2):
            g.add_edge(f"n{i}", f"n{i}-{j}")
    pos = layout(g, centre="focus")
    at = {n: np.array(p) for n, p in pos.items()}
    d = {n: float(np.hypot(*(at[n] - at["focus"]))) for n in g}
    ring1 = [d[f"n{i}"] for i in range(4)]
    ring2 = [d[f"n{i}-{j}"] for i in range(4) for j in range(2)]
    assert max(ring1) < min(ring2)
    xs = np.array([p[0] for p in pos.values()])
    ys = np.array([p[1] for p in pos.values()])
    middle = np.array([(xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2])
    assert np.hypot(*(at["focus"] - middle)) < 0.25 * min(np.ptp(xs), np.ptp(ys))
    for i in range(4):
        mine = at[f"n{i}"] - at["focus"]
        for j in range(2):
            theirs = at[f"n{i}-{j}"] - at["focus"]
            # within the neighbour's quarter of the circle
            cos = mine @ theirs / (np.hypot(*mine) * np.hypot(*theirs))
            assert cos > math.cos(math.pi / 4 + 1e-9), (i, j)
    assert pos == layout(g, centre="focus")  # deterministic


def test_short_labels_and_full_names_in_the_tooltip() -> None:
    g = nx.MultiDiGraph()
    name = "Mississippi Department of Transportation Office of Enforcement"
    g.add_node("o", label="Organization", kind="state agency", name=name)
    net, _ = build(g)
    node = net.nodes[0]
    assert node["label"] == short_label(name) and len(node["label"]) <= 26
    assert node["title"].splitlines()[0] == name


def _seed_service(embedded_settings, embedded_store: GraphStore) -> CoalitionService:
    load(SEED, embedded_store)
    return CoalitionService(embedded_settings)


def test_gap_overlay_sits_beside_its_state(embedded_settings, embedded_store) -> None:
    service = _seed_service(embedded_settings, embedded_store)
    data = page_data(service.network_page(state="MS")[0])
    nodes = {n["id"]: n for n in data["nodes"]}
    placeholders = [n for n in data["nodes"] if n.get("overlay")]
    real = [n for n in data["nodes"] if not n.get("overlay")]
    assert len(placeholders) >= 5
    state = nodes["state:MS"]
    real_xy = np.array([[n["x"], n["y"]] for n in real])
    real_span = float(np.hypot(*(real_xy.max(axis=0) - real_xy.min(axis=0))))
    # compact, next to the state: every placeholder within 40% of the network's span
    far = max(math.hypot(n["x"] - state["x"], n["y"] - state["y"]) for n in placeholders)
    assert far < real_span * 0.4
    # the real network keeps the page: it spans most of the drawing
    every = np.array([[n["x"], n["y"]] for n in data["nodes"]])
    area = np.prod(every.max(axis=0) - every.min(axis=0))
    assert np.prod(real_xy.max(axis=0) - real_xy.min(axis=0)) / area > 0.6
    missing = [e for e in data["edges"] if e.get("rel_type") == "MISSING_ROLE"]
    assert all(e["to"] == "state:MS" and e.get("overlay") for e in missing)


def test_introductions_are_short_dashed_edges_between_the_parties() -> None:
    g = nx.MultiDiGraph()
    for i in range(30):
        g.add_node(f"o{i}", label="Organization", kind="nonprofit", name=f"Org {i}")
        g.add_edge(f"o{i}", f"o{(i + 1) % 30}", type="PARTNERS_WITH")
    g.add_node("state:MS", label="State", name="Mississippi")
    g.add_edge("o0", "state:MS", type="LOCATED_IN")
    overlay = {"state_node": "state:MS", "roles": [], "contact_gaps": [], "introductions": [
        {"a": {"id": "o0"}, "b": {"id": "o15"}, "score": 0.9, "reason": "both host builds"}]}

    def gap(net) -> float:
        p = {n["id"]: (n["x"], n["y"]) for n in net.nodes}
        return math.dist(p["o0"], p["o15"])

    with_intro, facts = build(g, overlay=overlay)
    without, _ = build(g, overlay={**overlay, "introductions": []})
    edge = next(e for e in with_intro.edges if e["rel_type"] == "RECOMMENDED")
    assert (edge["from"], edge["to"]) == ("o0", "o15") and edge["dashes"] and edge["overlay"]
    assert "both host builds" in edge["title"]
    assert gap(with_intro) < 0.8 * gap(without)  # drawn near each other: a short edge
    assert any(i["text"] == "recommended introduction" for i in facts["legend"])


def test_path_is_laid_out_left_to_right(seed_pages) -> None:
    data = page_data(seed_pages["path"])
    x = {n["id"]: n["x"] for n in data["nodes"]}
    chain = ["org:ms:mississippi-trucking-association", "org:tat",
             "event:wi:2014-07:menomonee-falls-coalition-build"]
    assert x[chain[0]] < x[chain[1]] < x[chain[2]] < x["org:quality-carriers"]


def test_referral_chain_is_layered_and_three_sided() -> None:
    g = nx.MultiDiGraph()
    for n, kind in (("a", "nonprofit"), ("b", "trucking company"), ("c", "nonprofit"),
                    ("d", "shipper")):
        g.add_node(n, label="Organization", kind=kind, name=n.upper())
    g.add_edge("a", "b", key="r1", type="REFERRED", to_id="c")
    g.add_edge("b", "d", key="r2", type="INTRODUCED")
    net, _ = build(g)
    x = {n["id"]: n["x"] for n in net.nodes}
    assert x["a"] < x["b"] < x["c"]  # read left to right
    leg = next(e for e in net.edges if e["rel_type"] == "REFERRED_TO")
    assert (leg["from"], leg["to"]) == ("b", "c") and leg["arrows"] == "to"
    assert leg["title"] == "A referred B to C"
    ref = next(e for e in net.edges if e["rel_type"] == "REFERRED")
    assert ref["title"].startswith("A referred B to C") and ref["label"] == "referred"


def test_seed_referral_reads_a_referred_b_to_c(seed_pages) -> None:
    data = page_data(seed_pages["whole graph"])
    ref = next(e for e in data["edges"] if e.get("rel_type") == "REFERRED")
    assert ref["title"].startswith(
        "Neal Lofy referred Quality Carriers to Truckers Against Trafficking")
    assert ref["arrows"] == "to" and ref["label"] == "referred"
    leg = next(e for e in data["edges"] if e.get("rel_type") == "REFERRED_TO"
               and e["title"].startswith("Neal Lofy referred"))
    assert (leg["from"], leg["to"]) == ("org:quality-carriers", "org:tat")
    for t in ("REPORTED_TIP_TO", "SPONSORS"):
        assert palette.DIRECTED_LABEL[t] and palette.EDGE_STYLE[t][3] == "to"
    sponsors = [e for e in data["edges"] if e.get("rel_type") == "SPONSORS"]
    assert sponsors and all(e["arrows"] == "to" and e["label"] == "sponsors"
                            for e in sponsors)


def test_kind_view_shows_ties_and_faded_neighbours(seed_pages) -> None:
    data = page_data(seed_pages["sector law enforcement"])
    selected = [n for n in data["nodes"] if not n.get("context")]
    context = [n for n in data["nodes"] if n.get("context")]
    assert selected and all(n["sector"] == "law enforcement" for n in selected)
    assert context and data["edges"]  # never a bare scatter
    blue = palette.SECTOR_COLOUR["law enforcement"]
    assert all(n["color"]["background"] == blue for n in selected
               if not n.get("gap") and n["borderWidth"] == 1)
    assert all(n["color"]["background"] != palette.SECTOR_COLOUR.get(n["sector"])
               for n in context)
    ids = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"])


def test_kind_view_of_nothing_says_so() -> None:
    g = nx.MultiDiGraph()
    g.add_node("o", label="Organization", kind="truck stop", name="A Travel Plaza")
    with pytest.raises(ConfigError, match="nothing here is of kind casino; kinds in this "
                                          "graph: industry, truck stop"):
        kind_view(g, ("casino",))
    with pytest.raises(ConfigError, match="'casinos' is no kind, sector or label"):
        kind_view(g, ("casinos",))


def test_render_cli_refuses_an_empty_kind(embedded_settings, embedded_store, tmp_path
                                          ) -> None:
    import os
    import subprocess
    import sys

    load(SEED, embedded_store)
    env = {**os.environ, "COALITION_DATA_DIR": str(embedded_settings.data_dir),
           "COALITION_GRAPH_NAME": embedded_settings.graph_name}
    # the seed names no energy company (002 speaks of the energy industry, names none)
    out = tmp_path / "energy.html"
    r = subprocess.run([sys.executable, "-m", "api", "render", "--kind", "energy company",
                        "--out", str(out)], check=False, env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "nothing here is of kind energy company" in r.stderr and not out.exists()


def test_palette_is_one_for_every_view() -> None:
    # charts take a sector's colour from here (what visualizations/charts.py will adopt)
    assert palette.sector_colour("law enforcement") == palette.SECTOR_COLOUR["law enforcement"]
    assert palette.sector_colour("truck stop") == palette.SECTOR_COLOUR["industry"]
    # Okabe-Ito throughout, but for the white of "kind not recorded"
    assert set(palette.SECTOR_COLOUR.values()) - {"#FFFFFF"} <= set(palette.OKABE_ITO.values())
    assert len(set(palette.SECTOR_COLOUR.values())) == len(palette.SECTOR_COLOUR)
    assert palette.shape(None, "Person") != palette.shape("nonprofit", "Organization")


@pytest.mark.parametrize("module", ["layout", "palette", "readability", "network"])
def test_docstring_examples(module) -> None:
    # visualizations/ is outside pytest's doctest paths; its examples are checked here
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"visualizations.{module}"))
    assert result.failed == 0 and (result.attempted > 0 or module == "network")
