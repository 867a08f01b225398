"""Blueprint coverage: which roles a state coalition needs, and who fills each.

A *blueprint* (YAML, default ``blueprint.yaml`` beside this file) lists roles. For a state's
graph, a role is *filled* by the engaged entities that match it; the coverage figure is the
mean over applicable required roles of ``min(1, filled / wanted)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import yaml

from graph.analysis.graphs import engaged, name
from graph.errors import ConfigError

DEFAULT = Path(__file__).with_name("blueprint.yaml")


@dataclass(frozen=True)
class Alternative:
    kinds: frozenset[str]
    name: re.Pattern[str] | None
    person_role: re.Pattern[str] | None
    spoke: bool


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    why: str
    match: tuple[Alternative, ...]
    wanted: int
    applies: str  # always | where-present | optional


@cache
def load_blueprint(path: Path = DEFAULT) -> tuple[Role, ...]:
    """Read and check a blueprint file; errors name the role and what to fix."""
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read blueprint {path}: {e}") from e
    roles = []
    for i, r in enumerate(doc.get("roles", []), start=1):
        where = f"blueprint {path}, role {i} ({r.get('id', '?')})"
        if r.get("applies", "always") not in ("always", "where-present", "optional"):
            raise ConfigError(f"{where}: applies must be always, where-present or optional")
        alts = []
        for m in r.get("match") or []:
            try:
                alts.append(Alternative(
                    kinds=frozenset(m.get("kinds", [])),
                    name=re.compile(m["name"], re.I) if m.get("name") else None,
                    person_role=re.compile(m["person_role"], re.I) if m.get("person_role")
                    else None,
                    spoke=bool(m.get("spoke")),
                ))
            except re.error as e:
                raise ConfigError(f"{where}: bad regular expression: {e}") from e
        if not alts:
            raise ConfigError(f"{where}: needs at least one 'match' alternative")
        roles.append(Role(r["id"], r.get("name", r["id"]), r.get("why", ""), tuple(alts),
                          int(r.get("wanted", 1)), r.get("applies", "always")))
    return tuple(roles)


def matches(g: nx.MultiDiGraph, node: str, role: Role) -> bool:
    d = g.nodes[node]
    for alt in role.match:
        if alt.person_role is not None:
            if d.get("label") == "Person" and alt.person_role.search(d.get("role") or ""):
                if not alt.spoke or any(t == "SPOKE_AT" for *_, t in
                                        g.out_edges(node, data="type")):
                    return True
            continue
        if d.get("label") != "Organization" or d.get("kind") not in alt.kinds:
            continue
        names = [d.get("name") or "", *(d.get("aliases") or [])]
        if alt.name is None or any(alt.name.search(n) for n in names):
            return True
    return False


def coverage(g: nx.MultiDiGraph, state: str, roles: tuple[Role, ...] | None = None
             ) -> dict[str, Any]:
    """Who fills each role in a state's graph (see :func:`graph.analysis.graphs.state_view`).

    Returns ``{state, coverage, roles: [{id, name, applies, wanted, status, filled_by,
    candidates}]}``; ``status`` is filled, partial, missing or not-applicable; candidates are
    matching entities in the graph that are not engaged yet.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("ts", label="Organization", kind="truck stop", name="A Stop", state="MS")
    >>> g.add_node("e", label="Event", name="Build", state="MS")
    >>> _ = g.add_edge("ts", "e", type="ATTENDED")
    >>> r = {x["id"]: x for x in coverage(g, "MS")["roles"]}
    >>> r["truck-stops"]["status"], r["truck-stops"]["filled_by"]
    ('partial', [{'id': 'ts', 'name': 'A Stop'}])
    >>> r["casinos"]["status"]
    'not-applicable'
    """
    roles = roles if roles is not None else load_blueprint()
    out = []
    credits = []
    candidates_all = [n for n, d in g.nodes(data=True) if d.get("label") in ("Organization",
                                                                             "Person")]
    for role in roles:
        members = [n for n in candidates_all if matches(g, n, role)]
        filled = sorted(n for n in members if engaged(g, n))
        idle = sorted(n for n in members if n not in filled)
        if role.applies == "where-present" and not members:
            status = "not-applicable"
        elif len(filled) >= role.wanted:
            status = "filled"
        elif filled:
            status = "partial"
        else:
            status = "missing"
        if role.applies != "optional" and status != "not-applicable":
            credits.append(min(1.0, len(filled) / role.wanted))
        out.append({
            "id": role.id, "name": role.name, "why": role.why, "applies": role.applies,
            "wanted": role.wanted, "status": status,
            "filled_by": [{"id": n, "name": name(g, n)} for n in filled],
            "candidates": [{"id": n, "name": name(g, n)} for n in idle],
        })
    return {"state": state,
            "coverage": round(sum(credits) / len(credits), 3) if credits else None,
            "roles_filled": sum(1 for r in out if r["status"] == "filled"),
            "roles_counted": len(credits),
            "roles": out}
