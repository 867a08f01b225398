"""How readable a network page is, measured from the positions it embeds.

Three figures, each from what a person sees when the page opens (its initial zoom):

- **nodes overlapping**: the share of nodes whose disc (radius = the node's ``size``) overlaps
  another node's disc;
- **labels overlapping**: the share of the labels shown at the initial zoom whose box overlaps
  another shown label's box. A label's box is estimated from the font size and the length of
  its text (:func:`label_size_px`), and drawn below its node as vis-network draws it;
- **largest group's share of the drawing**: the area of the bounding box of the largest
  connected group over the area of the bounding box of the whole drawing.

Labels keep a constant size on screen (``LABEL_PX``), so in drawing units a label is
``LABEL_PX / scale`` high: zooming in makes room for more of them. A node's ``reveal`` is the
scale from which its label is shown (None: only in the tooltip). The initial zoom fits the
drawing into a reference viewport (:data:`VIEWPORT`), as the pages' own script does
(:func:`initial_scale`, mirrored in ``visualizations/network.py``'s ``VIEW_JS``).

>>> nodes = [{"id": "a", "x": 0, "y": 0, "size": 10, "label": "Alpha", "reveal": 0},
...          {"id": "b", "x": 5, "y": 0, "size": 10, "label": "Beta", "reveal": 0}]
>>> m = measure(nodes, [{"from": "a", "to": "b"}])
>>> m["nodes_overlapping"], m["labels_overlapping"], m["largest_group_area"]
(1.0, 1.0, 1.0)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

#: the label font size on screen, in pixels, at every zoom
LABEL_PX = 13.0
#: the width of an average character of a label, in ems (Arial 13 px, measured with
#: Chromium's canvas over the seed's labels: 0.48 on average; 0.56 errs on the wide side, and
#: is at least as wide as 62 of the 63)
CHAR_EM = 0.56
LINE = 1.3
#: screen pixels between a node and its label
LABEL_GAP_PX = 3.0
#: the reference viewport for the initial zoom: a 1400 x 900 window less the side panel
VIEWPORT = (1100.0, 820.0)
FIT_PAD = 0.92
#: screen pixels kept free below the drawing (and twice on the sides) for the labels of its
#: outermost nodes
FIT_LABEL_PX = 24.0
MAX_SCALE = 1.5


def label_size_px(text: str) -> tuple[float, float]:
    """Estimated width and height of a label on screen, in pixels."""
    return len(text) * CHAR_EM * LABEL_PX + 4.0, LINE * LABEL_PX


def initial_scale(xs: Sequence[float], ys: Sequence[float], rs: Sequence[float],
                  viewport: tuple[float, float] = VIEWPORT) -> float:
    """The scale at which the page opens: the drawing's discs fitted into the viewport."""
    if not len(xs):
        return 1.0
    x, y, r = (np.asarray(v, dtype=float) for v in (xs, ys, rs))
    w = max(float((x + r).max() - (x - r).min()), 1.0)
    h = max(float((y + r).max() - (y - r).min()), 1.0)
    return min((viewport[0] * FIT_PAD - 2 * FIT_LABEL_PX) / w,
               (viewport[1] * FIT_PAD - FIT_LABEL_PX) / h, MAX_SCALE)


def label_boxes(x: np.ndarray, y: np.ndarray, r: np.ndarray, w_px: np.ndarray,
                h_px: np.ndarray | float, scale: float) -> np.ndarray:
    """Label boxes (x0, y0, x1, y1) in drawing units at ``scale``: centred below the node."""
    half = w_px / (2 * scale)
    top = y + r + LABEL_GAP_PX / scale
    return np.stack([x - half, top, x + half, top + np.asarray(h_px) / scale], axis=1)


def _overlapping(boxes: np.ndarray, tolerance: float = 0.0) -> np.ndarray:
    """Which boxes overlap another (by more than ``tolerance`` drawing units)."""
    n = len(boxes)
    hit = np.zeros(n, dtype=bool)
    for start in range(0, n, 512):
        b = boxes[start:start + 512]
        ox = np.minimum(b[:, None, 2], boxes[None, :, 2]) - np.maximum(b[:, None, 0],
                                                                        boxes[None, :, 0])
        oy = np.minimum(b[:, None, 3], boxes[None, :, 3]) - np.maximum(b[:, None, 1],
                                                                        boxes[None, :, 1])
        both = (ox > tolerance) & (oy > tolerance)
        both[np.arange(len(b)), np.arange(start, start + len(b))] = False
        hit[start:start + len(b)] = both.any(axis=1)
    return hit


def _discs_overlapping(x: np.ndarray, y: np.ndarray, r: np.ndarray) -> np.ndarray:
    from visualizations.layout import close_pairs

    pos = np.stack([x, y], axis=1)
    i, j = close_pairs(pos, 2 * float(r.max(initial=0.0)) + 1.0)
    d = np.hypot(*(pos[i] - pos[j]).T)
    bad = d < (r[i] + r[j]) - 0.5  # half a unit: rounding in the page
    hit = np.zeros(len(x), dtype=bool)
    hit[i[bad]] = True
    hit[j[bad]] = True
    return hit


def _largest_group(ids: list[str], edges: Iterable[dict[str, Any]]) -> list[int]:
    index = {n: i for i, n in enumerate(ids)}
    parent = list(range(len(ids)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for e in edges:
        a, b = index.get(e["from"]), index.get(e["to"])
        if a is not None and b is not None:
            parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for i in range(len(ids)):
        groups.setdefault(find(i), []).append(i)
    return max(groups.values(), key=len, default=[])


def measure(nodes: list[dict[str, Any]], edges: list[dict[str, Any]],
            viewport: tuple[float, float] = VIEWPORT) -> dict[str, Any]:
    """The three figures (shares from 0 to 1) for a page's nodes and edges (vis-network
    records: ``x``, ``y``, ``size``, ``label``, ``reveal``; ``from``, ``to``). Hidden nodes
    (``hidden``: true) are not drawn and not counted."""
    nodes = [n for n in nodes if not n.get("hidden")]
    if not nodes:
        return {"nodes": 0, "nodes_overlapping": 0.0, "labels_shown": 0,
                "labels_overlapping": 0.0, "largest_group_area": 1.0, "scale": 1.0}
    x = np.array([float(n["x"]) for n in nodes])
    y = np.array([float(n["y"]) for n in nodes])
    r = np.array([float(n.get("size") or 0) for n in nodes])
    scale = initial_scale(x, y, r, viewport)
    # a page without reveal zooms (an older one) shows every label
    shown = [i for i, n in enumerate(nodes) if n.get("label")
             and ("reveal" not in n or (n["reveal"] is not None
                                         and float(n["reveal"]) <= scale))]
    sizes = [label_size_px(str(nodes[i]["label"])) for i in shown]
    boxes = label_boxes(x[shown], y[shown], r[shown], np.array([s[0] for s in sizes]),
                        LINE * LABEL_PX, scale) if shown else np.zeros((0, 4))
    # half a screen pixel of tolerance: boxes that merely touch are not printed over
    label_hit = _overlapping(boxes, 0.5 / scale) if shown else np.zeros(0, dtype=bool)
    group = _largest_group([str(n["id"]) for n in nodes], edges)

    def area(idx: Any) -> float:
        return float(((x[idx] + r[idx]).max() - (x[idx] - r[idx]).min()) *
                     ((y[idx] + r[idx]).max() - (y[idx] - r[idx]).min()))

    whole = area(slice(None))
    return {"nodes": len(nodes),
            "nodes_overlapping": round(float(_discs_overlapping(x, y, r).mean()), 4),
            "labels_shown": len(shown),
            "labels_overlapping": round(float(label_hit.mean()), 4) if shown else 0.0,
            "largest_group_area": round(area(group) / whole, 4) if whole > 0 else 1.0,
            "scale": round(scale, 4)}


def page_data(html: str) -> dict[str, Any]:
    """The graph a network page embeds (its ``graph-data`` script)."""
    m = re.search(r'<script id="graph-data" type="application/json">(.*?)</script>', html,
                  re.DOTALL)
    if not m:
        raise ValueError("not a network page: no graph-data script")
    return json.loads(m.group(1))


def measure_page(html: str, viewport: tuple[float, float] = VIEWPORT) -> dict[str, Any]:
    """:func:`measure` on the positions a network page embeds."""
    data = page_data(html)
    return measure(data["nodes"], data["edges"], viewport)
