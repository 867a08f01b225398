"""Blueprint coverage: which roles a state coalition needs, and who fills each.

A *blueprint* (YAML, default ``blueprint.yaml`` beside this file) lists roles and the
follow-up schedule. For a state's graph, a role is *filled* by the matching entities that
took part in an event or made a commitment, themselves or through their people; one that
only has a relationship with the coalition is a candidate to invite (it has not been in
the room). The coverage figure is the mean over counted roles of ``min(1, filled /
wanted)``.

A role may require levels (``levels: [state]``). An organization whose ``level`` is recorded
and not among them never matches. One whose level is not recorded (the loader could not
infer it) matches on kind and name as before, and its entry says "level not recorded", so
that a reader checks it: refusing it would empty every role until levels are recorded.

Unnamed groups ("3 casinos attended") that match a role make its status ``present,
unnamed`` when no named entity fills it: someone of that kind was there, but the coalition
cannot follow up with a name it does not have. It counts as nothing in the coverage figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
import yaml

from graph import jurisdictions, model
from graph.analysis.bounds import quantity
from graph.analysis.graphs import (
    People,
    credited,
    engaged,
    how,
    is_group,
    name,
)
from graph.errors import ConfigError

DEFAULT = Path(__file__).with_name("blueprint.yaml")
#: the blueprint of a country's jurisdictions when none is given (DEFAULT elsewhere):
#: Canada's provinces and territories, and Canada itself (issue 11, item 5)
BY_COUNTRY: dict[str, Path] = {"CA": Path(__file__).with_name("blueprint-ca.yaml")}
LEVELS = tuple(getattr(model, "LEVELS", ("local", "county", "regional", "state", "national",
                                         "federal", "international")))
APPLIES = ("always", "where-present", "optional")
UNKNOWN_LEVEL = "level not recorded"
NO_STATE = "state not recorded"
UNCHECKED_NAME = "kind matches; the name cannot tell"
PLURAL = {"distributes": "distribute ", "considering": "are considering "}
#: role statuses, best first
STATUSES = ("filled", "partial", "present, unnamed", "missing", "not-applicable")


@dataclass(frozen=True)
class Alternative:
    kinds: frozenset[str]
    name: re.Pattern[str] | None
    person_role: re.Pattern[str] | None
    spoke: bool
    levels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    why: str
    match: tuple[Alternative, ...]
    wanted: int
    applies: str  # always | where-present | optional
    levels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Schedule:
    """When builds are followed up: ``months`` after the build, each within ``window_days``
    either side; a point not followed up within ``horizon_months`` of the build is missed."""

    months: tuple[int, ...] = (1, 3, 6)
    window_days: int = 15
    horizon_months: int = 12


@cache
def _read(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read blueprint {path}: {e}") from e
    if not isinstance(doc, dict):
        raise ConfigError(f"blueprint {path}: expected a mapping with 'roles' (and "
                          "'followups'), got something else")
    return doc


def _levels(value: Any, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or any(x not in LEVELS for x in items):
        raise ConfigError(f"{where}: levels must be a list of {', '.join(LEVELS)}; "
                          f"got {value!r}")
    return frozenset(items)


def blueprint_for(state: str, blueprint: Path = DEFAULT) -> Path:
    """The blueprint a jurisdiction is assessed against: ``blueprint`` when one other than
    the default was given (it then holds everywhere), else its country's (:data:`BY_COUNTRY`),
    else the default.

    >>> [blueprint_for(s).name for s in ("MS", "CA-AB", "CAN", "MEX", "CA")]
    ['blueprint.yaml', 'blueprint-ca.yaml', 'blueprint-ca.yaml', 'blueprint.yaml', 'blueprint.yaml']
    """
    if Path(blueprint).resolve() != DEFAULT.resolve():
        return Path(blueprint)
    try:
        country = jurisdictions.jurisdiction(state).country
    except ValueError:  # not a jurisdiction (a hand-made graph): the default
        return DEFAULT
    return BY_COUNTRY.get(country, DEFAULT)


@cache
def load_blueprint(path: Path = DEFAULT) -> tuple[Role, ...]:
    """Read and check a blueprint file's roles; errors name the role and what to fix."""
    doc = _read(Path(path))
    roles = []
    for i, r in enumerate(doc.get("roles", []), start=1):
        where = f"blueprint {path}, role {i} ({r.get('id', '?')})"
        if r.get("applies", "always") not in APPLIES:
            raise ConfigError(f"{where}: applies must be always, where-present or optional")
        role_levels = _levels(r.get("levels"), where)
        alts = []
        for m in r.get("match") or []:
            try:
                alts.append(Alternative(
                    kinds=frozenset(m.get("kinds", [])),
                    name=re.compile(m["name"], re.I) if m.get("name") else None,
                    person_role=re.compile(m["person_role"], re.I) if m.get("person_role")
                    else None,
                    spoke=bool(m.get("spoke")),
                    levels=_levels(m["levels"], where) if "levels" in m else role_levels,
                ))
            except re.error as e:
                raise ConfigError(f"{where}: bad regular expression: {e}") from e
        if not alts:
            raise ConfigError(f"{where}: needs at least one 'match' alternative")
        roles.append(Role(r["id"], r.get("name", r["id"]), r.get("why", ""), tuple(alts),
                          int(r.get("wanted", 1)), r.get("applies", "always"), role_levels))
    return tuple(roles)


@cache
def load_schedule(path: Path = DEFAULT) -> Schedule:
    """The blueprint's follow-up schedule (``followups:``; the defaults when it has none)."""
    raw = _read(Path(path)).get("followups") or {}
    where = f"blueprint {path}, followups"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected {{months: [1, 3, 6], window_days: 15, "
                          "horizon_months: 12}")
    d = Schedule()
    months = raw.get("months", list(d.months))
    window, horizon = raw.get("window_days", d.window_days), raw.get("horizon_months",
                                                                    d.horizon_months)
    if not isinstance(months, list) or not months or any(
            not isinstance(m, int) or isinstance(m, bool) or m < 1 for m in months):
        raise ConfigError(f"{where}: months must be a list of whole months after the build, "
                          f"such as [1, 3, 6]; got {months!r}")
    for key, value, low in (("window_days", window, 0), ("horizon_months", horizon, 1)):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise ConfigError(f"{where}: {key} must be a whole number of at least {low}; "
                              f"got {value!r}")
    return Schedule(tuple(sorted(set(months))), window, horizon)


def match(g: nx.MultiDiGraph, node: str, role: Role, *, loose: bool = False
          ) -> list[str] | None:
    """The notes of the first alternative of ``role`` that ``node`` matches (``[]`` when
    nothing needs saying), or None when none does. Unnamed groups match on kind and on
    their name as the loader wrote it ("3 casinos (unnamed)"), and on level when recorded;
    with ``loose``, a group of the right kind whose name cannot tell (the role wants
    "police", the group is "local and state law enforcement") matches, noted so.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("ata", label="Organization", kind="trade association",
    ...            name="American Trucking Associations", level="national")
    >>> g.add_node("mta", label="Organization", kind="trade association",
    ...            name="Mississippi Trucking Association")
    >>> r = Role("sta", "State trucking association", "", (Alternative(
    ...     frozenset({"trade association"}), re.compile("truck", re.I), None, False,
    ...     frozenset({"state"})),), 1, "always")
    >>> match(g, "ata", r), match(g, "mta", r)
    (None, ['level not recorded'])
    """
    d = g.nodes[node]
    label = d.get("label")
    group = is_group(d)
    for alt in role.match:
        if alt.person_role is not None:
            who = d.get("role") if label == "Person" else \
                f"{d.get('kind') or ''} {d.get('name') or ''}" if group else None
            spoke = not alt.spoke or any(t == "SPOKE_AT" for *_, t in
                                         g.out_edges(node, data="type"))
            if who and alt.person_role.search(who) and spoke:
                return []
            continue
        if (label != "Organization" and not group) or d.get("kind") not in alt.kinds:
            continue
        names = [d.get("name") or "", *(d.get("aliases") or [])]
        named = alt.name is None or any(alt.name.search(n) for n in names)
        if not named and not (group and loose):
            continue
        notes = [] if named else [UNCHECKED_NAME]
        if alt.levels:
            level = d.get("level")
            if level is None or level == "":
                return [*notes, UNKNOWN_LEVEL]
            if level not in alt.levels:
                continue
        return notes
    return None


def _entry(g: nx.MultiDiGraph, n: str, notes: list[str], how: list[str]) -> dict[str, Any]:
    if g.nodes[n].get("label") == "Organization" and not g.nodes[n].get("state"):
        # counted for this state only through its part in the state's events or ties
        notes = [*notes, NO_STATE]
    out: dict[str, Any] = {"id": n, "name": name(g, n)}
    if how:
        out["evidence"] = how
    if notes:
        out["notes"] = notes
    return out


def _unnamed(g: nx.MultiDiGraph, n: str, how: list[str]) -> dict[str, Any]:
    d = g.nodes[n]
    q = quantity(d, "count")
    written = re.sub(r"\s*\(unnamed\)\s*$", "", str(d.get("name") or ""))
    # a group is many: "12 truck stops distribute ...", not "distributes"
    how = [re.sub(r"^(distributes|considering) ", lambda m: PLURAL[m.group(1)], x)
           for x in how]
    who = written or f"{q['text'] if q else 'an unknown number of'} {d.get('kind') or ''}"
    return {"id": n, "name": name(g, n), "kind": d.get("kind"),
            "count": q["value"] if q else None,
            "count_qualifier": q["qualifier"] if q else None,
            "count_text": q["text"] if q else None,
            "evidence": f"{who.strip()} {'; '.join(how) or 'took part'}, not named: "
                        "identify them"}


def coverage(g: nx.MultiDiGraph, state: str, roles: tuple[Role, ...] | None = None
             ) -> dict[str, Any]:
    """Who fills each role in a state's graph (see :func:`graph.analysis.graphs.state_view`).

    Returns ``{state, coverage, roles: [{id, name, applies, wanted, levels, status,
    filled_by, unnamed, unnamed_possible, candidates}]}``; ``status`` is filled, partial,
    present, unnamed, missing or not-applicable; ``filled_by`` entries say how they took
    part and through whom (``evidence``) and what to check (``notes``); ``unnamed`` lists
    the unnamed groups that match; ``unnamed_possible`` those of the right kind whose name
    cannot tell (they change no status);
    candidates are matching entities in the graph that are not engaged yet.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("ts", label="Organization", kind="truck stop", name="A Stop", state="MS")
    >>> g.add_node("e", label="Event", name="Build", state="MS")
    >>> _ = g.add_edge("ts", "e", type="ATTENDED")
    >>> r = {x["id"]: x for x in coverage(g, "MS")["roles"]}
    >>> r["truck-stops"]["status"], r["truck-stops"]["filled_by"]
    ('partial', [{'id': 'ts', 'name': 'A Stop', 'evidence': ['attended Build']}])
    >>> r["casinos"]["status"]
    'not-applicable'
    >>> g.add_node("g", label="Group", kind="casino", name="3 casinos (unnamed)", count=3)
    >>> _ = g.add_edge("g", "e", type="ATTENDED")
    >>> r = {x["id"]: x for x in coverage(g, "MS")["roles"]}
    >>> r["casinos"]["status"], r["casinos"]["unnamed"][0]["evidence"]
    ('present, unnamed', '3 casinos attended Build, not named: identify them')
    """
    roles = roles if roles is not None else load_blueprint()
    people = People(g)
    took: dict[str, list[dict[str, Any]]] = {}
    for rec in credited(g, people):
        took.setdefault(rec["unit"], []).append(rec)
    out = []
    credits = []
    pool = [n for n, d in g.nodes(data=True)
            if d.get("label") in ("Organization", "Person") or is_group(d)]
    for role in roles:
        members = [(n, notes) for n in pool if (notes := match(g, n, role)) is not None]
        named = [(n, notes) for n, notes in members if not is_group(g.nodes[n])]
        groups = sorted(n for n, _ in members if is_group(g.nodes[n]) and engaged(g, n))
        # groups of the right kind that may hold this role, though their name cannot say
        maybe = sorted(n for n in pool if is_group(g.nodes[n]) and n not in groups
                       and engaged(g, n) and match(g, n, role, loose=True) is not None)
        filled = sorted((x for x in named if engaged(g, x[0], people, ties=False)),
                        key=lambda x: x[0])
        filled_ids = {n for n, _ in filled}
        idle = sorted((x for x in named if x[0] not in filled_ids), key=lambda x: x[0])
        if role.applies == "where-present" and not named and not groups:
            status = "not-applicable"
        elif len(filled) >= role.wanted:
            status = "filled"
        elif filled:
            status = "partial"
        elif groups:
            status = "present, unnamed"
        else:
            status = "missing"
        if role.applies != "optional" and status != "not-applicable":
            credits.append(min(1.0, len(filled) / role.wanted))
        out.append({
            "id": role.id, "name": role.name, "why": role.why, "applies": role.applies,
            "wanted": role.wanted, "levels": sorted(role.levels), "status": status,
            "filled_by": [_entry(g, n, notes, how(g, n, people, took.get(n, [])))
                          for n, notes in filled],
            "unnamed": [_unnamed(g, n, how(g, n, people, took.get(n, []))) for n in groups],
            "unnamed_possible": [{"id": n, "name": name(g, n)} for n in maybe],
            "candidates": [_entry(g, n, notes, []) for n, notes in idle],
        })
    return {"state": state,
            "coverage": round(sum(credits) / len(credits), 3) if credits else None,
            "roles_filled": sum(1 for r in out if r["status"] == "filled"),
            "roles_counted": len(credits),
            "roles": out}
