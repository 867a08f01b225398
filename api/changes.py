"""What each build changed (graph/analysis/changes.py) for the CLI and the HTTP routes: the
table for a build, and its view (the build's state as of the end of its window, with
everything the build did not change faded). A thin service, kept out of api/service.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.service import CoalitionService
from graph.analysis.asof import as_of
from graph.analysis.changes import build_changes
from graph.analysis.graphs import People
from graph.errors import ConfigError
from graph.projection import Filters, project
from visualizations.network import render_html


def _build_graph(service: CoalitionService, build: str):
    with service.store() as store:
        near = project(store, Filters(focus=build, depth=1))
        d = near.nodes.get(build)
        if d is None or d.get("label") != "Event":
            raise ConfigError(f"no event with id {build!r} (list them with: coalition query "
                              "'MATCH (e:Event) RETURN e.id, e.name, e.date')")
        return service.graph_of(store, d.get("state"))


def changes(service: CoalitionService, build: str, window_months: int | None = None
            ) -> dict[str, Any]:
    """The table of one build: new ties, new cross-sector ties, first-time organizations,
    density and cross-sector share before and after."""
    months = window_months or service.settings.change_window_months
    return build_changes(_build_graph(service, build), build, window_months=months)


def build_page(service: CoalitionService, build: str, window_months: int | None = None,
               include_contacts: bool = False) -> tuple[str, dict[str, Any]]:
    """The build's view: its state's network as of the end of its window; the build, the
    organizations it engaged for the first time, the ends of its new ties and their people
    drawn in full, the rest faded; its figures in the side panel."""
    months = window_months or service.settings.change_window_months
    g = _build_graph(service, build)
    r = build_changes(g, build, window_months=months)
    if r.get("undated"):
        raise ConfigError(f"{r['name']} has no usable date: date it to see what it changed")
    g = as_of(g, dt.date.fromisoformat(r["window"]["to"]))
    involved = {build, *(o["id"] for o in r["first_time"]),
                *(t[k] for t in r["new_ties"] for k in ("source", "target"))}
    people = People(g)
    involved |= {p for org in list(involved) for p in people.staff.get(org, [])}
    context = {n for n in g if n not in involved}

    def score(w: dict[str, Any], key: str) -> str:
        return "n/a" if w[key] is None else f"{round(100 * w[key])}%"

    notes = [(f"What {r['name']} changed, {r['window']['from']} to {r['window']['to']} "
             f"({months} months): {len(r['new_ties'])} new ties, "
             f"{len(r['new_cross_sector_ties'])} new law enforcement - industry ties, "
             f"{len(r['first_time'])} organizations engaged for the first time; the rest "
             "is faded."),
             (f"Density {score(r['before'], 'density')} before, {score(r['after'], 'density')} "
             f"after; cross-sector share {score(r['before'], 'cross_sector_share')} before, "
             f"{score(r['after'], 'cross_sector_share')} after (members with a dated tie or "
             "participation by then).")]
    html, facts = render_html(g, title=f"What {r['name']} changed", context=context,
                              notes=notes, include_contacts=include_contacts)
    return html, {**facts, "changes": r}
