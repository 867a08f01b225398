"""The view of what a build changed (`coalition render --build`), on the seed in the
embedded store: the build and what it changed drawn in full, the rest faded, its figures in
the side panel; an id that is no event is refused and nothing is written."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from graph.errors import ConfigError
from loaders.load import load
from tests.api.test_http import seeded, settings  # noqa: F401 (fixtures)
from tests.conftest import SEED

GULFPORT = "event:ms:2020-01-16:gulfport-coalition-build"


def test_render_build_view(embedded_settings, embedded_store, tmp_path, monkeypatch) -> None:
    from api import cli

    load(SEED, embedded_store)
    monkeypatch.setenv("COALITION_GRAPH_NAME", embedded_settings.graph_name)
    base = ["--data-dir", str(embedded_settings.data_dir), "render"]
    out = tmp_path / "gulfport.html"
    r = CliRunner().invoke(cli.app, [*base, "--build", GULFPORT, "--out", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "What Gulfport Coalition Build changed" in html
    assert "2020-01-16 to 2020-07-16 (6 months)" in html and "Density" in html
    data = json.loads(re.search(r'<script id="graph-data" type="application/json">(.*?)'
                                r"</script>", html, re.DOTALL).group(1).replace("\\u003c", "<"))
    nodes = {n["id"]: n for n in data["nodes"]}
    assert not nodes[GULFPORT].get("context")  # the build itself in full
    # N2GIVES and FMCSA appear in the seed only at Gulfport (participation.csv): engaged
    # for the first time, drawn in full
    assert not nodes["org:n2gives"].get("context") and not nodes["org:fmcsa"].get("context")
    # Total Transportation only *plans* to introduce TAT to Wayfair (status planned): not a
    # tie the build created, so Wayfair is faded
    assert nodes["org:wayfair"].get("context") is True
    # an earlier build (Jackson, 2017) changed nothing in Gulfport's window: faded
    assert nodes["event:ms:2017:jackson-coalition-build"].get("context") is True
    r = CliRunner().invoke(cli.app, [*base, "--build", "org:tat", "--out",
                                     str(tmp_path / "x.html")])
    assert r.exit_code == 1 and isinstance(r.exception, ConfigError)
    assert "no event with id 'org:tat'" in str(r.exception)
    assert not (tmp_path / "x.html").exists()


def test_http_routes(seeded) -> None:  # noqa: F811
    from fastapi.testclient import TestClient

    from api.app import create_app

    client = TestClient(create_app(seeded))
    r = client.get(f"/api/events/{GULFPORT}/changes", params={"window": 1})
    assert r.status_code == 200, r.text
    assert r.json()["window"] == {"from": "2020-01-16", "to": "2020-02-16", "months": 1}
    assert client.get("/api/events/org:tat/changes").status_code == 400
    page = client.get("/api/pages/build", params={"id": GULFPORT})
    assert page.status_code == 200 and "What Gulfport Coalition Build changed" in page.text
    m = client.get("/api/map", params={"state": "Mississippi"})
    assert m.status_code == 200 and m.json()["state"] == "MS"
    assert m.json()["svg"].count("data-fips=") == 82
    us = client.get("/api/pages/map").text
    # every county drawn, and in the table San Joaquin (CA), whose district attorney
    # (a prosecutor: law enforcement) is the seed's one organization with a county
    assert us.count("<path d=") - us.count("data-state=") == 3142
    assert us.count("<tr data-fips=") == 1 and '<tr data-fips="06077">' in us
