"""The map of local-contact gaps (visualizations/map.py) for the CLI, the HTTP routes and
the dashboard: a thin service over the store, kept out of api/service.py."""

from __future__ import annotations

from html import escape
from typing import Any

from api.service import CoalitionService, jurisdiction_param
from visualizations.map import legend_html, map_svg, render_map, state_fips, table_html


def _graph(service: CoalitionService, state: str | None):
    with service.store() as store:
        # contact gaps follow ties through people: the state's graph holds them
        return service.graph_of(store, state)


def map_page(service: CoalitionService, state: str | None = None) -> tuple[str, dict[str, Any]]:
    """The offline map page (national, or one US state with ``state``) and its facts."""
    st = jurisdiction_param(state)
    return render_map(_graph(service, st), st)


def map_parts(service: CoalitionService, state: str | None = None) -> dict[str, Any]:
    """What the dashboard draws: the SVG, the county table and the counties' statuses."""
    st = jurisdiction_param(state)
    if st and st not in state_fips():
        # a province on the dashboard is not an error, only a place the map cannot draw
        return {"state": st, "svg": "", "legend": "", "counties": {}, "not_on_map": [],
                "unplaced": {}, "table": f'<p id="nocounties">No county map for {escape(st)}: '
                "the map draws US states (no packaged public-domain map of Canada's "
                "provinces was found).</p>"}
    svg, facts = map_svg(_graph(service, st), st)
    return {"state": st, "svg": svg, "legend": legend_html(), "table": table_html(facts),
            "counties": {f: c["status"] for f, c in facts["counties"].items()},
            "not_on_map": facts["not_on_map"], "unplaced": facts["unplaced"]}
