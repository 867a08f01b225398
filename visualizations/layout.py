"""Positions for every network page, computed in Python so a page opens laid out (physics
off) and the same graph always gives the same picture.

The layout promises what :mod:`visualizations.readability` measures:

1. **Each connected group on its own.** A group is laid out by a seeded spring layout
   (Fruchterman & Reingold, 1991, "Graph drawing by force-directed placement", Software:
   Practice and Experience 21(11); computed by rustworkx), or in layers when the caller gives
   them (paths, referral chains), scaled to a common edge length.
2. **Overlaps removed.** Discs that overlap are pushed apart until none does (the force
   scan idea of Misue, Eades, Lai and Sugiyama, 1995, "Layout adjustment and the mental map",
   J. Visual Languages and Computing 6(2): move only as far as the overlap, so the shape of
   the group is kept).
3. **Groups packed.** The largest group sits in the middle; the others are placed around it,
   biggest first, each where it keeps the drawing smallest (a greedy rectangle packing in
   the spirit of Freivalds, Dogrusoz and Kikusts, 2002, "Disconnected graph layout and the
   polyomino packing approach", Graph Drawing 2001, LNCS 2265). Isolated nodes go in a tidy
   block beside them, sorted, never flung to the edges.
4. **Ego networks in rings.** An ego network's group is drawn around its focus: each step
   out is a ring, and each node's children share its wedge of the circle by the size of the
   subtree below them (a radial tree layout: Eades, 1992, "Drawing free trees", Bulletin of
   the Institute for Combinatorics and its Applications 5; Wills, 1999, "NicheWorks",
   J. Computational and Graphical Statistics 8(2)). No spring iterations, so a server draws
   an ego network in milliseconds, and the focus is always in the middle.
5. **Satellites.** Nodes that belong with one anchor (the missing-role placeholders of a
   state's gap overlay) are set in a compact block in the free space nearest the anchor, so
   the real network keeps the middle of the page.
6. **Labels never printed over each other.** :func:`reveal_scales` gives each label the zoom
   from which it is shown: a label is shown at a zoom only if, at that zoom and every greater
   one, it overlaps no label of higher priority and no other node. Labels keep their size on
   screen, so zooming in makes room and shows more of them; the full name is always in the
   tooltip.

Time: 2,000 nodes and 6,000 edges in about a second on one core (bench/render.py).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np
import rustworkx as rx

from visualizations.readability import (
    FIT_PAD,
    LABEL_GAP_PX,
    LABEL_PX,
    LINE,
    MAX_SCALE,
    VIEWPORT,
)

#: drawing units between two discs, and between two packed groups
GAP = 10.0
MARGIN = 60.0
#: the length of an edge between two small nodes (longer between big ones)
EDGE = 110.0
#: vis-network does not zoom in further than this
MAX_ZOOM = 10.0
#: groups packed one by one; smaller ones beyond this many go in rows
PACKED_GROUPS = 80
#: above this many nodes, hubs get no extra room for their labels (zoom in to read them)
LABEL_ROOM_NODES = 400
#: rounds of pushing label boxes apart: room for labels is best effort (a label that still
#: overlaps is shown from a closer zoom, see reveal_scales), and a crowded group around a
#: hub can jam, its overlaps shrinking a little each round; every round is paid by every
#: ego network a server draws (docs/benchmarks.md)
LABEL_ROUNDS = 25
#: up to this many points, close_pairs looks at every pair
ALL_PAIRS = 300
#: in a ring layout, the part of a wedge shared equally among its children (the rest goes
#: by subtree size): a leaf beside a big subtree still gets room for its disc and label
EQUAL_SHARE = 0.3
#: reveal_scales takes labels in blocks of this many: the tests against nodes and against
#: earlier blocks are a few matrix operations per block instead of some per label
REVEAL_BLOCK = 256

Pos = dict[Hashable, tuple[float, float]]


@functools.lru_cache(maxsize=ALL_PAIRS)
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n, 1)


def close_pairs(pos: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) of points less than ``reach`` apart on both axes (and some a
    little further): a uniform grid, so this is linear in the number of points, not
    quadratic."""
    n = len(pos)
    if n < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if n <= ALL_PAIRS:  # every pair: fewer numpy calls than the grid's nine passes
        i, j = _pairs(n)
        d = np.abs(pos[j] - pos[i])
        near = (d[:, 0] < reach) & (d[:, 1] < reach)
        return i[near], j[near]
    reach = max(reach, 1e-9)
    cx = np.floor(pos[:, 0] / reach).astype(np.int64)
    cy = np.floor(pos[:, 1] / reach).astype(np.int64)
    cx -= cx.min() - 1
    cy -= cy.min() - 1
    width = int(cy.max()) + 3
    key = cx * width + cy
    order = np.argsort(key, kind="stable")
    ks = key[order]
    out_i, out_j = [], []
    for ox in (-1, 0, 1):
        for oy in (-1, 0, 1):
            target = (cx + ox) * width + (cy + oy)
            lo = np.searchsorted(ks, target, "left")
            hi = np.searchsorted(ks, target, "right")
            counts = hi - lo
            total = int(counts.sum())
            if not total:
                continue
            i = np.repeat(np.arange(n), counts)
            starts = np.repeat(lo, counts)
            offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
            j = order[starts + offsets]
            keep = i < j
            out_i.append(i[keep])
            out_j.append(j[keep])
    if not out_i:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(out_i), np.concatenate(out_j)


def separate(pos: np.ndarray, r: np.ndarray, *, fixed: np.ndarray | None = None,
             gap: float = GAP, rounds: int = 200) -> np.ndarray:
    """Push overlapping discs apart (each pair by its overlap, shared between the two
    unless one is fixed) until no two discs are closer than ``gap``."""
    pos = pos.astype(float).copy()
    n = len(pos)
    if n < 2:
        return pos
    free = np.ones(n) if fixed is None else (~fixed).astype(float)
    reach = 2 * float(r.max()) + gap
    rng = None  # only to split coincident points, deterministically: made when needed
    for _ in range(rounds):
        i, j = close_pairs(pos, reach)
        d = pos[j] - pos[i]
        dist = np.hypot(d[:, 0], d[:, 1])
        need = r[i] + r[j] + gap
        bad = dist < need - 1e-6
        if not bad.any():
            break
        i, j, d, dist, need = i[bad], j[bad], d[bad], dist[bad], need[bad]
        same = dist < 1e-9
        if same.any():
            rng = rng or np.random.default_rng(0)  # costs as much as a round: not up front
            angle = rng.uniform(0, 2 * math.pi, int(same.sum()))
            d[same] = np.stack([np.cos(angle), np.sin(angle)], axis=1)
            dist[same] = 1.0
        unit = d / dist[:, None]
        share_i, share_j = free[i], free[j]
        total = np.maximum(share_i + share_j, 1e-9)
        push = (need - dist)[:, None] * unit * 0.6  # a little short: pairs interact
        move = np.zeros_like(pos)
        np.add.at(move, i, -push * (share_i / total)[:, None])
        np.add.at(move, j, push * (share_j / total)[:, None])
        pos += move
    return pos


def separate_boxes(pos: np.ndarray, half_w: np.ndarray, up: np.ndarray, down: np.ndarray,
                   *, gap: float = GAP, rounds: int = 200) -> np.ndarray:
    """Push overlapping boxes apart, each pair along the axis where they overlap least:
    node ``i`` covers ``x ± half_w[i]`` and ``y - up[i] .. y + down[i]`` (a node and the
    label below it)."""
    pos = pos.astype(float).copy()
    if len(pos) < 2:
        return pos
    reach = 2 * float(max(half_w.max(), up.max(), down.max())) + gap
    for _ in range(rounds):
        i, j = close_pairs(pos, reach)
        dx = pos[j, 0] - pos[i, 0]
        dy = pos[j, 1] - pos[i, 1]
        ox = half_w[i] + half_w[j] + gap - np.abs(dx)
        # j below i: i's bottom against j's top; j above i: the other way round
        oy = np.where(dy >= 0, down[i] + up[j], up[i] + down[j]) + gap - np.abs(dy)
        bad = (ox > 1e-6) & (oy > 1e-6)
        if not bad.any():
            break
        i, j, dx, dy, ox, oy = i[bad], j[bad], dx[bad], dy[bad], ox[bad], oy[bad]
        along_x = ox <= oy
        sign_x = np.where(dx >= 0, 1.0, -1.0)
        sign_y = np.where(dy >= 0, 1.0, -1.0)
        push = np.zeros((len(i), 2))
        push[along_x, 0] = sign_x[along_x] * ox[along_x] * 0.5
        push[~along_x, 1] = sign_y[~along_x] * oy[~along_x] * 0.5
        move = np.zeros_like(pos)
        np.add.at(move, i, -push * 0.6)
        np.add.at(move, j, push * 0.6)
        pos += move
    return pos


def _spring(n: int, edges: list[tuple[int, int, float]], seed: int) -> np.ndarray:
    r = rx.PyGraph(multigraph=False)
    r.add_nodes_from(range(n))
    r.add_edges_from([(u, v, w) for u, v, w in edges])
    # each iteration is quadratic in n: fewer of them on big groups keeps 2,000 nodes ~2 s
    iterations = 300 if n <= 300 else 120 if n <= 800 else 50
    weighted = any(w != 1.0 for *_, w in edges)
    p = rx.spring_layout(r, seed=seed, num_iter=iterations,
                         weight_fn=float if weighted else None, default_weight=1.0)
    return np.array([p[i] for i in range(n)], dtype=float)


def _scale_to_edges(pos: np.ndarray, edges: list[tuple[int, int, float]], r: np.ndarray
                    ) -> np.ndarray:
    """Scale a spring layout so that a typical edge is ``EDGE`` plus the radii of its ends,
    and, where edges are long (graphs with little locality), so that each node has about
    that much room."""
    if not edges:
        return pos
    u = np.array([e[0] for e in edges])
    v = np.array([e[1] for e in edges])
    length = np.hypot(*(pos[u] - pos[v]).T)
    want = EDGE + float(np.median(r[u] + r[v]))
    have = float(np.median(length))
    factor = want / have if have > 1e-9 else 1.0
    spread = float(np.ptp(pos[:, 0]) * np.ptp(pos[:, 1]))
    room = math.sqrt(spread / len(pos)) if spread > 0 else 0.0
    room_want = 0.8 * EDGE + 2 * float(np.mean(r))
    if room > 1e-9:
        factor = max(factor, room_want / room)
    return pos * factor


def _layered(order: list[Hashable], layer: Mapping[Hashable, int],
             edges: list[tuple[int, int, float]], r: np.ndarray) -> np.ndarray:
    """Left to right by layer; within a layer, ordered by the mean place of the neighbours
    in the layer before (one barycentre sweep: few crossings on paths and chains)."""
    index = {n: i for i, n in enumerate(order)}
    levels = sorted({layer[n] for n in order})
    rank: dict[int, float] = {}
    nbrs: dict[int, list[int]] = {i: [] for i in range(len(order))}
    for u, v, _ in edges:
        nbrs[u].append(v)
        nbrs[v].append(u)
    pos = np.zeros((len(order), 2))
    step_y = 2 * float(r.max()) + LINE * LABEL_PX * 2 + GAP
    dx = EDGE * 2.0
    for li, level in enumerate(levels):
        members = [index[n] for n in order if layer[n] == level]

        def bary(i: int) -> tuple[float, int]:
            seen = [rank[j] for j in nbrs[i] if j in rank]
            return (sum(seen) / len(seen) if seen else 0.0, i)

        members.sort(key=bary)
        for k, i in enumerate(members):
            rank[i] = k - (len(members) - 1) / 2
            pos[i] = (li * dx, rank[i] * step_y)
    return pos


def radial(n: int, edges: Sequence[tuple[int, int, float]], centre: int, r: np.ndarray,
           rank: Sequence[Any] | None = None) -> np.ndarray:
    """Positions of a connected group of ``n`` nodes in rings around ``centre``: ring ``k``
    holds the nodes ``k`` steps away; each node's wedge of the circle is shared among its
    children (the nodes one ring out that it reached first, in breadth-first order) by
    ``EQUAL_SHARE`` equally and the rest by the size of their subtrees; a ring is as far out
    as its crowdedest pair of neighbours needs. ``rank`` orders siblings (default: index).

    >>> p = radial(4, [(0, 1, 1.0), (0, 2, 1.0), (1, 3, 1.0)], 0, np.full(4, 10.0))
    >>> [round(float(np.hypot(*p[i]))) for i in range(4)]
    [0, 130, 130, 260]
    """
    nbrs: list[list[int]] = [[] for _ in range(n)]
    for u, v, w in edges:
        if w == 1.0 and u != v:  # attraction pairs are not ties
            nbrs[u].append(v)
            nbrs[v].append(u)
    # each node's place in one sort of them all: sorting neighbours by it is sorting by
    # (rank, index), without building those pairs again for every node
    place = [0] * n
    for at, i in enumerate(sorted(range(n), key=lambda i: (rank[i], i)) if rank is not None
                           else range(n)):
        place[i] = at
    key = place.__getitem__
    # plain lists while walking the tree: numpy's per-element access costs more than the
    # walk itself at the sizes of ego networks
    level = [-1] * n
    level[centre] = 0
    children: list[list[int]] = [[] for _ in range(n)]
    order = [centre]  # breadth first: parents before children
    for u in order:
        for v in sorted(nbrs[u], key=key):
            if level[v] < 0:
                level[v] = level[u] + 1
                children[u].append(v)
                order.append(v)
    unreached = [i for i in range(n) if level[i] < 0]
    if unreached:  # not one group after all: hang the rest off the centre, one ring out
        for i in unreached:
            level[i] = 1
        children[centre].extend(sorted(unreached, key=key))
        order.extend(sorted(unreached, key=key))
    size = [1.0] * n
    for u in reversed(order):
        size[u] += sum(size[c] for c in children[u])
    angles = [0.0] * n
    wedge = [(0.0, 0.0)] * n
    wedge[centre] = (-math.pi / 2, 3 * math.pi / 2)  # the first child at the top
    for u in order:
        kids = children[u]
        if not kids:
            continue
        lo, hi = wedge[u]
        total = sum(size[c] for c in kids)
        at, cum = lo, 0.0
        for c in kids:
            cum += EQUAL_SHARE / len(kids) + (1 - EQUAL_SHARE) * size[c] / total
            b = lo + (hi - lo) * cum
            wedge[c] = (at, b)
            angles[c] = (at + b) / 2
            at = b
    depth = np.array(level)
    angle = np.array(angles)
    ring_r = np.zeros(int(depth.max()) + 1)
    for k in range(1, len(ring_r)):
        on = np.flatnonzero(depth == k)
        inner = float(r[depth == k - 1].max())
        step = ring_r[k - 1] + inner + float(r[on].max()) + EDGE
        if len(on) > 1:
            a = angle[on]
            sort = np.argsort(a, kind="stable")
            a, rr = a[sort], r[on][sort]
            gaps = np.diff(np.concatenate([a, [a[0] + 2 * math.pi]]))
            need = (rr + np.roll(rr, -1) + 2 * GAP) / np.maximum(gaps, 1e-9)
            # the crowdedest pair sets the ring, within bounds: a pair crowded beyond what
            # evenly spaced nodes would need is left to separate()
            even = float((2 * rr + 2 * GAP).sum()) / (2 * math.pi)
            step = max(step, min(float(need.max()), 3 * even))
        ring_r[k] = step
    rad = ring_r[depth]
    return np.stack([rad * np.cos(angle), rad * np.sin(angle)], axis=1)


def _grid(n: int, cell_w: float, cell_h: float, cols: int | None = None) -> np.ndarray:
    cols = cols or max(1, math.ceil(math.sqrt(n * cell_h / cell_w)))
    k = np.arange(n)
    return np.stack([(k % cols) * cell_w, (k // cols) * cell_h], axis=1)


def _bbox(pos: np.ndarray, r: np.ndarray) -> tuple[float, float, float, float]:
    return (float((pos[:, 0] - r).min()), float((pos[:, 1] - r).min()),
            float((pos[:, 0] + r).max()), float((pos[:, 1] + r).max()))


def pack(sizes: Sequence[tuple[float, float]], *, margin: float = MARGIN,
         aspect: float = VIEWPORT[0] / VIEWPORT[1]) -> list[tuple[float, float]]:
    """Centres for rectangles of ``sizes`` (largest first): the first in the middle, each
    next one beside a placed one, where the drawing grows least (measured against the
    page's aspect ratio), nearest the middle on a tie."""
    if not sizes:
        return []
    w0, h0 = sizes[0]
    placed = np.array([[-w0 / 2, -h0 / 2, w0 / 2, h0 / 2]])
    centres = [(0.0, 0.0)]
    for w, h in sizes[1:]:
        cands = []
        for x0, y0, x1, y1 in placed:
            for cy in (y0 + h / 2, (y0 + y1) / 2, y1 - h / 2):
                cands += [(x1 + margin + w / 2, cy), (x0 - margin - w / 2, cy)]
            for cx in (x0 + w / 2, (x0 + x1) / 2, x1 - w / 2):
                cands += [(cx, y1 + margin + h / 2), (cx, y0 - margin - h / 2)]
        c = np.array(cands)
        cx0, cy0, cx1, cy1 = c[:, 0] - w / 2, c[:, 1] - h / 2, c[:, 0] + w / 2, c[:, 1] + h / 2
        eps = 1e-6
        clash = ((cx0[:, None] < placed[None, :, 2] + margin - eps)
                 & (cx1[:, None] > placed[None, :, 0] - margin + eps)
                 & (cy0[:, None] < placed[None, :, 3] + margin - eps)
                 & (cy1[:, None] > placed[None, :, 1] - margin + eps)).any(axis=1)
        bx0, by0 = placed[:, 0].min(), placed[:, 1].min()
        bx1, by1 = placed[:, 2].max(), placed[:, 3].max()
        ux = np.maximum(cx1, bx1) - np.minimum(cx0, bx0)
        uy = np.maximum(cy1, by1) - np.minimum(cy0, by0)
        score = np.maximum(ux / aspect, uy) + 1e-3 * np.hypot(c[:, 0], c[:, 1])
        score[clash] = np.inf
        best = int(np.argmin(score))
        centres.append((float(c[best, 0]), float(c[best, 1])))
        placed = np.vstack([placed, [cx0[best], cy0[best], cx1[best], cy1[best]]])
    return centres


def _rows(sizes: Sequence[tuple[float, float]], margin: float) -> list[tuple[float, float]]:
    """Small groups in rows (shelves) about as wide as they are tall altogether: their
    top-left corners."""
    area = sum((w + margin) * (h + margin) for w, h in sizes)
    width = max(math.sqrt(area) * 1.3, max((w for w, _ in sizes), default=0.0))
    out, x, y, row_h = [], 0.0, 0.0, 0.0
    for w, h in sizes:
        if x > 0 and x + w > width:
            x, y, row_h = 0.0, y + row_h + margin, 0.0
        out.append((x, y))
        x += w + margin
        row_h = max(row_h, h)
    return out


def place_block(anchor: tuple[float, float], anchor_r: float, block: tuple[float, float],
                pos: np.ndarray, r: np.ndarray, *, gap: float = GAP * 2) -> tuple[float, float]:
    """The centre of a ``block`` (width, height) in the free space nearest ``anchor``: no
    disc of ``pos`` inside it. Rings of candidates, 24 directions each, outward."""
    bw, bh = block
    ax, ay = anchor
    angles = np.linspace(0, 2 * math.pi, 24, endpoint=False)
    start = anchor_r + gap + min(bw, bh) / 2
    step = max(20.0, min(bw, bh) / 3)
    for ring in range(400):
        d = start + ring * step
        cx = ax + d * np.cos(angles)
        cy = ay + d * np.sin(angles)
        x0, x1 = cx - bw / 2 - gap, cx + bw / 2 + gap
        y0, y1 = cy - bh / 2 - gap, cy + bh / 2 + gap
        hit = ((pos[None, :, 0] + r[None, :] > x0[:, None])
               & (pos[None, :, 0] - r[None, :] < x1[:, None])
               & (pos[None, :, 1] + r[None, :] > y0[:, None])
               & (pos[None, :, 1] - r[None, :] < y1[:, None])).any(axis=1)
        free = np.flatnonzero(~hit)
        if len(free):
            # of the free spots on this ring, the one whose block edge is nearest the anchor
            k = free[np.argmin(np.hypot(np.clip(ax, x0[free], x1[free]) - ax,
                                        np.clip(ay, y0[free], y1[free]) - ay))]
            return float(cx[k]), float(cy[k])
    return float(ax + start), float(ay)


def _estimate_scale(total_area: float) -> float:
    side = math.sqrt(max(total_area, 1.0))
    return min(min(VIEWPORT) / side * FIT_PAD, MAX_SCALE)


def layout(g: nx.Graph, radius: Mapping[Hashable, float] | None = None, *, seed: int = 42,
           layers: Mapping[Hashable, int] | None = None,
           satellites: Mapping[Hashable, Sequence[Hashable]] | None = None,
           satellite_radius: float = 10.0,
           attract: Iterable[tuple[Hashable, Hashable]] = (),
           label_room: Mapping[Hashable, float] | None = None,
           order_key: Any = None, centre: Hashable | None = None) -> Pos:
    """Positions for the nodes of ``g`` (and of ``satellites``), deterministic for a seed.

    Parameters
    ----------
    g : the graph (any networkx graph; direction and parallel edges are ignored).
    radius : each node's drawn radius (default 10).
    layers : a layer for nodes that should be drawn left to right (paths, referral chains):
        a connected group all of whose nodes have one is laid out in layers.
    satellites : ``{anchor: [node, ...]}``: nodes (not in ``g``) set in a compact block next
        to their anchor (or with the isolated nodes when the anchor is not in ``g``).
    attract : extra pairs pulled together a little (recommended introductions), not edges.
    label_room : label widths (screen pixels) of the nodes whose names matter most (the
        hubs): on graphs of up to ``LABEL_ROOM_NODES`` nodes, the layout makes room below
        those nodes for their label at the expected opening zoom.
    order_key : sorts isolated nodes in their block, and siblings in rings (default: by id).
    centre : the focus of an ego network: its group is drawn in rings around it (radial).

    >>> pos = layout(nx.path_graph(3))
    >>> sorted(pos) == [0, 1, 2] and pos == layout(nx.path_graph(3))
    True
    """
    radius = radius or {}
    if type(g) is nx.Graph and not nx.number_of_selfloops(g):
        simple = g  # already what is needed (the network pages build one): not read twice
    else:
        simple = nx.Graph()
        simple.add_nodes_from(g)
        simple.add_edges_from((u, v) for u, v in g.edges() if u != v)
    pull = [(u, v) for u, v in attract if u in simple and v in simple and u != v]
    rad = {n: float(radius.get(n, 10.0)) for n in simple}
    sats = {a: list(ns) for a, ns in (satellites or {}).items() if ns}
    groups = sorted((sorted(c, key=str) for c in nx.connected_components(simple)),
                    key=lambda c: (-len(c), str(c[0])))
    isolated = [c[0] for c in groups if len(c) == 1 and c[0] not in sats]
    groups = [c for c in groups if len(c) > 1 or c[0] in sats]
    pieces: list[tuple[list[Hashable], np.ndarray, np.ndarray]] = []  # nodes, pos, radii
    for nodes in groups:
        index = {n: i for i, n in enumerate(nodes)}
        r = np.array([rad[n] for n in nodes])
        # edges(nodes), not subgraph(nodes).edges(): a view filters every step, and its
        # order followed a set's (so a spring layout's sums could differ between runs)
        edges = [(index[u], index[v], 1.0) for u, v in simple.edges(nodes)]
        edges += [(index[u], index[v], 0.5) for u, v in pull
                  if u in index and v in index and not simple.has_edge(u, v)]
        if len(nodes) == 1:
            p = np.zeros((1, 2))
        elif layers is not None and all(n in layers for n in nodes):
            p = _layered(nodes, layers, edges, r)
        elif len(nodes) == 2:
            p = np.array([[0.0, 0.0], [EDGE + r.sum(), 0.0]])
        elif centre in index:
            keyf = order_key or str
            p = radial(len(nodes), edges, index[centre], r,
                       rank=[keyf(n) for n in nodes])
        else:
            p = _scale_to_edges(_spring(len(nodes), edges, seed), edges, r)
        p = separate(p, r)
        # an ego network keeps its focus in the middle of its group
        middle = p[index[centre]] if centre in index else p.mean(axis=0)
        pieces.append((nodes, p - middle, r))
    if label_room and simple.number_of_nodes() <= LABEL_ROOM_NODES:
        # rings are spaced for their discs: an ego network's names wait for the zoom that
        # parts them (reveal_scales), instead of every request paying for more room
        pieces = _make_label_room(pieces, label_room, len(isolated),
                                  keep=centre if centre in simple else None)
    for k, (nodes, p, r) in enumerate(pieces):
        index = {n: i for i, n in enumerate(nodes)}
        for anchor in [a for a in sats if a in index]:
            extra = sats.pop(anchor)
            block = _satellite_block(len(extra), satellite_radius)
            centre = place_block(tuple(p[index[anchor]]), rad[anchor],
                                 (float(np.ptp(block[:, 0])) + 2 * satellite_radius,
                                  float(np.ptp(block[:, 1])) + 2 * satellite_radius), p, r)
            bp = block - block.mean(axis=0) + np.array(centre)
            nodes = nodes + extra
            p = np.vstack([p, bp])
            r = np.concatenate([r, np.full(len(extra), satellite_radius)])
            rad.update({n: satellite_radius for n in extra})
        pieces[k] = (nodes, p, r)
    area = sum((np.ptp(p[:, 0]) + 2 * r.max()) * (np.ptp(p[:, 1]) + 2 * r.max())
               for _, p, r in pieces)
    scale = _estimate_scale(area + len(isolated) * (EDGE ** 2))
    if isolated:
        isolated.sort(key=order_key or str)
        r = np.array([rad[n] for n in isolated])
        cell_w, cell_h = _cell(float(r.max()), scale)
        # as many rows as fit beside the largest group: a column that reads like a list
        tall = max((float(np.ptp(p[:, 1])) for _, p, _ in pieces[:1]), default=0.0)
        rows = max(1, int(tall // cell_h))
        cols = max(1, math.ceil(len(isolated) / rows))
        pieces.append((isolated, _grid(len(isolated), cell_w, cell_h, cols), r))
    for anchor, extra in sats.items():  # an anchor not on the page: a block of its own
        pieces.append((list(extra), _satellite_block(len(extra), satellite_radius),
                       np.full(len(extra), satellite_radius)))
        rad.update({n: satellite_radius for n in extra})
    main = pieces[:PACKED_GROUPS]
    rest = pieces[PACKED_GROUPS:]
    if rest:  # many small groups: in rows, packed as one
        boxes = [_bbox(p, r) for _, p, r in rest]
        corners = _rows([(b[2] - b[0], b[3] - b[1]) for b in boxes], MARGIN / 2)
        nodes, ps, rs = [], [], []
        for (ns, p, r), b, (x, y) in zip(rest, boxes, corners, strict=True):
            nodes += ns
            ps.append(p - np.array([b[0], b[1]]) + np.array([x, y]))
            rs.append(r)
        main.append((nodes, np.vstack(ps), np.concatenate(rs)))
    boxes = [_bbox(p, r) for _, p, r in main]
    centres = pack([(b[2] - b[0], b[3] - b[1]) for b in boxes])
    out: Pos = {}
    for (nodes, p, _), b, (cx, cy) in zip(main, boxes, centres, strict=True):
        shift = np.array([cx - (b[0] + b[2]) / 2, cy - (b[1] + b[3]) / 2])
        for n, (x, y) in zip(nodes, (p + shift).tolist(), strict=True):
            out[n] = (round(x, 1), round(y, 1))
    return out


def _make_label_room(pieces: list[tuple[list[Hashable], np.ndarray, np.ndarray]],
                     label_room: Mapping[Hashable, float], n_isolated: int,
                     keep: Hashable | None = None
                     ) -> list[tuple[list[Hashable], np.ndarray, np.ndarray]]:
    """Spread each group so that its hubs' labels fit below them at the opening zoom
    expected for the whole drawing (two rounds: room makes the drawing bigger, which makes
    a label smaller in drawing units)."""
    for _ in range(2):
        area = sum((np.ptp(p[:, 0]) + 2 * r.max()) * (np.ptp(p[:, 1]) + 2 * r.max())
                   for _, p, r in pieces)
        scale = _estimate_scale(area + n_isolated * EDGE ** 2)
        out = []
        for nodes, p, r in pieces:
            w = np.array([label_room.get(n, 0.0) for n in nodes]) / scale
            hw = np.maximum(r, w / 2)
            down = np.where(w > 0, r + (LINE * LABEL_PX + LABEL_GAP_PX) / scale, r)
            q = separate(separate_boxes(p, hw, r, down, rounds=LABEL_ROUNDS), r) \
                if len(nodes) > 1 and keep not in nodes else p
            out.append((nodes, q - q.mean(axis=0), r))
        pieces = out
    return pieces


def _cell(r_max: float, scale: float) -> tuple[float, float]:
    """A grid cell for isolated nodes or placeholders: room for a short label at the
    expected initial zoom, within bounds, so a block stays a block."""
    from visualizations.readability import label_size_px

    w_px, h_px = label_size_px("x" * 18)
    w = min(max(2 * r_max + GAP, w_px / scale + GAP), 4 * EDGE)
    h = min(max(2 * r_max + GAP, 2 * r_max + (h_px + LABEL_GAP_PX) / scale + GAP), 1.5 * EDGE)
    return w, h


def _satellite_block(n: int, r: float) -> np.ndarray:
    w, h = _cell(r, MAX_SCALE / 1.5)
    return _grid(n, w, h, cols=2 if n > 3 else n)


def reveal_scales(pos: np.ndarray, r: np.ndarray, widths_px: np.ndarray,
                  order: Sequence[int], *, anchors: np.ndarray | None = None,
                  offsets_px: np.ndarray | None = None, owner: np.ndarray | None = None,
                  over_nodes: np.ndarray | None = None, min_zoom: np.ndarray | None = None,
                  max_zoom: float = MAX_ZOOM) -> np.ndarray:
    """For each label, the smallest zoom from which it can be shown for good (inf: never,
    the tooltip has it), taking labels in ``order`` (most important first).

    Labels keep their size on screen, so at zoom ``s`` a label ``w`` pixels wide is
    ``w / s`` drawing units wide and two labels part once ``s`` is large enough; nodes (the
    discs ``pos``, ``r``) keep their size in drawing units. A label is shown from the first
    zoom at which, for good, it overlaps no node and no label shown before it.

    By default label ``i`` belongs to node ``i`` and hangs below it. Otherwise label ``i``
    is centred on ``anchors[i][0]`` with its top ``offsets_px[i]`` screen pixels below
    ``anchors[i][1]`` (an edge label: centred on the edge's middle, offset ``-height/2``),
    and may touch the disc of node ``owner[i]`` (-1: none).

    ``over_nodes[i]``: label ``i`` may be drawn over other nodes (the few most important
    names, drawn with a halo), just never over another label. ``min_zoom[i]``: label ``i``
    waits at least until this zoom (lesser names wait until one zooms in).
    """
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
    order = np.asarray(order, dtype=np.int64)
    order = order[w[order] > 0]  # a label with no width is never shown
    # a label's rival labels are the ones before it in ``order``; those of earlier blocks
    # are settled when a block starts, so each block is a few matrix operations against the
    # nodes and the earlier labels, and a short loop only among its own members
    with np.errstate(divide="ignore", invalid="ignore"):
        for start in range(0, len(order), REVEAL_BLOCK):
            b = order[start:start + REVEAL_BLOCK]
            o = offset[b][:, None]
            # the discs: apart sideways, or the label wholly below or above
            dx = np.abs(x[None, :] - lx[b][:, None])
            sx = np.where(dx > r, w[b][:, None] / (2 * (dx - r)), np.inf)
            below = top[b][:, None] - (y + r)[None, :]
            s_below = np.where(below > 0, np.maximum(-o, 0.0) / below,
                               np.where((below == 0) & (o >= 0), 0.0, np.inf))
            above = (y - r)[None, :] - top[b][:, None]
            s_above = np.where(above > 0, np.maximum(o + h, 0.0) / above, np.inf)
            need_nodes = np.minimum(sx, np.minimum(s_below, s_above))
            if len(pos):
                mine = owner[b] >= 0
                need_nodes[np.flatnonzero(mine), owner[b][mine]] = 0.0
            need = need_nodes.max(axis=1, initial=0.0) if len(pos) else np.zeros(len(b))
            if over_nodes is not None:
                need = np.where(np.asarray(over_nodes)[b], 0.0, need)
            if min_zoom is not None:
                need = np.maximum(need, np.asarray(min_zoom, dtype=float)[b])
            # labels of earlier blocks, which shrink with zoom as these do
            earlier = order[:start]
            earlier = earlier[np.isfinite(reveal[earlier])]
            if len(earlier):
                part = _label_parts(lx, top, offset, w, h, b, earlier)
                binding = reveal[earlier][None, :] < part
                need = np.maximum(need, np.where(binding, part, 0.0).max(axis=1))
            # and the block's own earlier members, one by one: only an earlier member whose
            # parting zoom is above what label k needs anyway can bind it, so those pairs
            # are found in one step and the loop runs over them alone
            inner = _label_parts(lx, top, offset, w, h, b, b)
            ks, js = np.nonzero(np.tril(inner > need[:, None], -1))
            rivals: list[list[int]] = [[] for _ in range(len(b))]
            for k, j in zip(ks.tolist(), js.tolist(), strict=True):
                rivals[k].append(j)
            got = [math.inf] * len(b)
            needs = need.tolist()
            for k in range(len(b)):
                nk = needs[k]
                for j in rivals[k]:
                    pk = float(inner[k, j])
                    if got[j] < pk and pk > nk:  # inf (not shown) never binds
                        nk = pk
                got[k] = nk if nk <= max_zoom else math.inf
            reveal[b] = got
    return reveal


def _label_parts(lx: np.ndarray, top: np.ndarray, offset: np.ndarray, w: np.ndarray,
                 h: float, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The zoom from which each label of ``a`` and each of ``b`` no longer overlap (labels
    keep their size on screen, so they part as one zooms in)."""
    ddx = np.abs(lx[b][None, :] - lx[a][:, None])
    gap = top[a][:, None] - top[b][None, :]
    rel = offset[a][:, None] - offset[b][None, :]
    px = np.where(ddx > 0, (w[a][:, None] + w[b][None, :]) / (2 * ddx), np.inf)
    py = np.where(gap > 0, np.maximum(h - rel, 0.0) / gap,
                  np.where(gap < 0, np.maximum(h + rel, 0.0) / -gap,
                           np.where(np.abs(rel) >= h, 0.0, np.inf)))
    return np.minimum(px, py)
