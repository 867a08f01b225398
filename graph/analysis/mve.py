"""Iowa MVE model adoption by state: which of its components each state has, which it lacks.

A component counts for a state when the state itself, or an organization (or unnamed group)
in it, has an ADOPTED, TRAINED or DISTRIBUTES (adopted), PLEDGED (pledged) or CONSIDERING
(considering) relationship to it; the best status wins. The same relationship to the whole
model counts toward every component that is PART_OF it, marked "by adopting the whole
model". The sources say the model has six components and name one; components the data
does not name cannot be assessed, and the result says how many that is.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from graph.analysis.graphs import name

STATUS = {"ADOPTED": "adopted", "TRAINED": "adopted", "DISTRIBUTES": "adopted",
          "PLEDGED": "pledged", "CONSIDERING": "considering"}
RANK = ("adopted", "pledged", "considering", "missing")
WHOLE_MODEL = "by adopting the whole model"


def components(g: nx.MultiDiGraph) -> tuple[str | None, list[str], int | None]:
    """(model id, its component ids, how many components the model has per its metric)."""
    model = next((n for n, d in g.nodes(data=True) if d.get("label") == "Program"
                  and d.get("kind") == "model" and "mve" in str(d.get("name", "")).lower()),
                 None)
    if model is None:
        return None, [], None
    parts = sorted(u for u, _, t in g.in_edges(model, data="type") if t == "PART_OF")
    declared = None
    for _, m, t in g.out_edges(model, data="type"):
        if t == "HAS_METRIC" and "component" in str(g.nodes[m].get("name", "")):
            try:
                declared = int(g.nodes[m]["value"])
            except (TypeError, ValueError):
                declared = None
    return model, parts, declared


def _claims(g: nx.MultiDiGraph, target: str, state: str, via: str | None
            ) -> list[dict[str, Any]]:
    out = []
    for u, _, t in g.in_edges(target, data="type"):
        status = STATUS.get(t)
        d = g.nodes[u]
        if status and (d.get("state") == state or u == f"state:{state}"):
            out.append({"id": u, "name": name(g, u), "status": status,
                        **({"via": via} if via else {})})
    return out


def mve_adoption(g: nx.MultiDiGraph, states: list[str]) -> list[dict[str, Any]]:
    """Per state: each component's status, with who and what evidence.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("m", label="Program", kind="model", name="Iowa MVE Model")
    >>> for c in ("c1", "c2"):
    ...     g.add_node(c, label="ModelComponent", name=c); _ = g.add_edge(c, "m", type="PART_OF")
    >>> g.add_node("dot", label="Organization", name="Kansas DOT", state="KS")
    >>> _ = g.add_edge("dot", "m", type="ADOPTED")
    >>> rows = mve_adoption(g, ["KS"])[0]["components"]
    >>> [c["status"] for c in rows], rows[1]["evidence"][0]["via"]
    (['adopted', 'adopted'], 'by adopting the whole model')
    """
    model, parts, declared = components(g)
    out = []
    for state in states:
        row: dict[str, Any] = {"state": state, "model": model, "components": []}
        whole = _claims(g, model, state, WHOLE_MODEL) if model else []
        for c in parts:
            evidence = sorted(_claims(g, c, state, None) + whole,
                              key=lambda e: (RANK.index(e["status"]), e["id"],
                                             e.get("via", "")))
            best = evidence[0]["status"] if evidence else "missing"
            row["components"].append({"id": c, "name": name(g, c), "status": best,
                                      "evidence": evidence})
        row["has"] = [x["id"] for x in row["components"] if x["status"] == "adopted"]
        row["lacks"] = [x["id"] for x in row["components"] if x["status"] != "adopted"]
        row["unnamed_components"] = max(0, (declared or len(parts)) - len(parts))
        row["whole_model"] = whole
        row["recorded"] = any(x["evidence"] for x in row["components"]) or bool(whole)
        out.append(row)
    return out
