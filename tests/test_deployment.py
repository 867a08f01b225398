"""docker-compose.yml: parsed by Compose itself when a Compose CLI is installed (no engine
needed), and checked for what the deployment relies on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from graph.settings import Settings
from tests.conftest import REPO

COMPOSE = REPO / "docker-compose.yml"


def compose_cli() -> list[str] | None:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"],
                                                 capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.mark.skipif(compose_cli() is None, reason="no Compose CLI installed (.ci/run installs "
                    "Debian's docker-compose)")
def test_compose_config_parses(tmp_path) -> None:
    env = {**os.environ, "NEO4J_PASSWORD": "a-long-test-password"}
    r = subprocess.run([*compose_cli(), "-f", str(COMPOSE), "config"], env=env,
                       capture_output=True, text=True, cwd=REPO, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "a-long-test-password" in r.stdout


@pytest.mark.skipif(compose_cli() is None, reason="no Compose CLI installed")
def test_compose_refuses_to_run_without_a_password() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    r = subprocess.run([*compose_cli(), "-f", str(COMPOSE), "config"], env=env,
                       capture_output=True, text=True, cwd=REPO, timeout=120)
    assert r.returncode != 0 and "NEO4J_PASSWORD" in (r.stderr + r.stdout)


def test_compose_shape() -> None:
    doc = yaml.safe_load(COMPOSE.read_text())
    neo4j, app = doc["services"]["neo4j"], doc["services"]["app"]
    assert re.fullmatch(r"neo4j:5\.\d+\.\d+(-community)?", neo4j["image"]), "pin a 5.x.y tag"
    assert "healthcheck" in neo4j and any(v.endswith(":/data") for v in neo4j["volumes"])
    assert all(p.startswith("127.0.0.1:") for p in neo4j["ports"])
    assert app["depends_on"]["neo4j"]["condition"] == "service_healthy"
    uri = app["environment"]["COALITION_STORE"]
    assert Settings(store=uri).store_kind == "neo4j"
    assert (REPO / "Dockerfile").exists()
