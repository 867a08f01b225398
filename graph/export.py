"""Write a projected graph for other tools: GraphML, GEXF, node-link JSON, or CSV pairs."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import networkx as nx

FORMATS = ("graphml", "gexf", "json", "csv")


def _scalar(v: Any) -> Any:
    # GraphML and GEXF hold scalars only; lists (aliases, labels) become JSON text.
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False)
    return v


#: A spreadsheet runs a cell as a formula when it starts with one of these (OWASP, "CSV
#: Injection": = + - @ tab CR), also after leading whitespace, which some spreadsheets drop
#: first, and in full-width form, which some normalise to ASCII. Explicit classes rather
#: than \s and \d: the console's JavaScript copy must match exactly the same cells.
_FORMULA = re.compile(r"[\t\r]|[\t\n\v\f\r \u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]")
#: ... but a cell that is a plain number (-5, +3.2, -1e5) is a number, not a formula: it
#: stays as it is, so that spreadsheets still read it as one.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def defuse_formula(text: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs: a leading ``'`` when the cell
    could start a formula. The console's CSV download (api/pages.py, ``defuseFormula``)
    applies the same rule; docs/views.md states it.

    >>> defuse_formula("=1+2"), defuse_formula("@SUM(1)"), defuse_formula(" +1")
    ("'=1+2", "'@SUM(1)", "' +1")
    >>> defuse_formula("-5"), defuse_formula("-5+cmd|' /C calc'!A0"), defuse_formula("Biloxi")
    ('-5', "'-5+cmd|' /C calc'!A0", 'Biloxi')
    """
    if _FORMULA.match(text) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_cell(v: Any) -> str:
    """One value as the text of a CSV cell: lists and dicts as JSON, formulas defused."""
    if v is None:
        return ""
    return defuse_formula(str(_scalar(v)))


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
            w.writerow([csv_cell(c) for c in ("id", *node_cols)])
            for n, d in sorted(g.nodes(data=True)):
                w.writerow([csv_cell(n), *(csv_cell(d.get(c)) for c in node_cols)])
        with open(edges, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow([csv_cell(c) for c in ("source", "type", "target", "key", *edge_cols)])
            for u, v, k, d in sorted(g.edges(keys=True, data=True), key=lambda e: e[2] or ""):
                w.writerow([csv_cell(x) for x in (u, d["type"], v, k,
                                                  *(d.get(c) for c in edge_cols))])
        return [nodes, edges]
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
