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
from visualizations.layout import layout, pack, reveal_scales, separate
from visualizations.network import build, kind_view, render_html, short_label
from visualizations.readability import label_size_px, measure, measure_page, page_data

LIMITS = {"nodes_overlapping": 0.02, "labels_overlapping": 0.10, "largest_group_area": 0.30}


def assert_readable(m: dict, what: str) -> None:
    assert m["nodes_overlapping"] <= LIMITS["nodes_overlapping"], (what, m)
    assert m["labels_overlapping"] <= LIMITS["labels_overlapping"], (what, m)
    assert m["largest_group_area"] >= LIMITS["largest_group_area"], (what, m)
    assert m["labels_shown"] > 0, (what, m)  # no cheating by showing no name at all


@pytest.fixture(scope="module")
def seed_pages(data_dir) -> dict[str, str]:
    """The seed's pages, built once: the whole graph, each state, sectors, a path."""
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
        yield pages
    finally:
        store.clear()
        store.close()


@pytest.mark.parametrize("name", ["whole graph", "state CA", "state IA", "state MS",
                                  "state WI", "sector industry", "sector civil society",
                                  "sector law enforcement", "path"])
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
