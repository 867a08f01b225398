"""Iowa MVE model adoption by state: which of its components each state has, which it lacks.

A component counts for a state when the state itself, or an organization in it, has an
ADOPTED (adopted), PLEDGED (pledged) or CONSIDERING (considering) relationship to it; the best
status wins. The sources say the model has six components and name one; components the data
does not name cannot be assessed, and the result says how many that is.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from graph.analysis.graphs import name

STATUS = {"ADOPTED": "adopted", "TRAINED": "adopted", "DISTRIBUTES": "adopted",
          "PLEDGED": "pledged", "CONSIDERING": "considering"}
RANK = ("adopted", "pledged", "considering", "missing")


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
            declared = int(g.nodes[m]["value"])
    return model, parts, declared


def mve_adoption(g: nx.MultiDiGraph, states: list[str]) -> list[dict[str, Any]]:
    """Per state: each component's status, with who and what evidence."""
    model, parts, declared = components(g)
    out = []
    for state in states:
        row: dict[str, Any] = {"state": state, "model": model, "components": []}
        for c in parts:
            best, evidence = "missing", []
            for u, _, t in g.in_edges(c, data="type"):
                status = STATUS.get(t)
                d = g.nodes[u]
                in_state = d.get("state") == state or u == f"state:{state}"
                if status and in_state:
                    evidence.append({"id": u, "name": name(g, u), "status": status})
                    if RANK.index(status) < RANK.index(best):
                        best = status
            row["components"].append({"id": c, "name": name(g, c), "status": best,
                                      "evidence": evidence})
        row["has"] = [x["id"] for x in row["components"] if x["status"] == "adopted"]
        row["lacks"] = [x["id"] for x in row["components"] if x["status"] != "adopted"]
        row["unnamed_components"] = max(0, (declared or len(parts)) - len(parts))
        out.append(row)
    return out
