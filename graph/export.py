"""Write a projected graph for other tools: GraphML, GEXF, node-link JSON, or CSV pairs."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import networkx as nx

FORMATS = ("graphml", "gexf", "json", "csv")


def _scalar(v: Any) -> Any:
    # GraphML and GEXF hold scalars only; lists (aliases, labels) become JSON text.
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False)
    return v


def _flat(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    h = nx.MultiDiGraph()
    for n, data in g.nodes(data=True):
        h.add_node(n, **{k: _scalar(v) for k, v in data.items() if v is not None})
    for u, v, k, data in g.edges(keys=True, data=True):
        h.add_edge(u, v, key=k)
        h.edges[u, v, k].update({a: _scalar(b) for a, b in data.items() if b is not None})
    return h


def export(g: nx.MultiDiGraph, fmt: str, out: Path) -> list[Path]:
    """Write ``g`` to ``out`` in ``fmt``; return the files written (csv writes two)."""
    out = Path(out)
    if fmt == "graphml":
        nx.write_graphml(_flat(g), out)
        return [out]
    if fmt == "gexf":
        nx.write_gexf(_flat(g), out)
        return [out]
    if fmt == "json":
        data = nx.node_link_data(g, edges="edges")
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str))
        return [out]
    if fmt == "csv":
        out.mkdir(parents=True, exist_ok=True)
        node_cols = sorted({k for _, d in g.nodes(data=True) for k in d} - {"id"})
        edge_cols = sorted({k for *_, d in g.edges(data=True) for k in d} - {"type", "key"})
        nodes, edges = out / "nodes.csv", out / "edges.csv"
        with open(nodes, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["id", *node_cols])
            for n, d in sorted(g.nodes(data=True)):
                w.writerow([n, *(_scalar(d.get(c, "")) for c in node_cols)])
        with open(edges, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["source", "type", "target", "key", *edge_cols])
            for u, v, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: e[2] or ""):
                w.writerow([u, d["type"], v, k, *(_scalar(d.get(c, "")) for c in edge_cols)])
        return [nodes, edges]
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
