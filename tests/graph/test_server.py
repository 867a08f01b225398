"""The embedded server: started on demand, shared, stopped when the last user leaves, never
orphaned, and durable across kill -9 (AOF, fsync every second)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from graph.errors import StoreError
from graph.settings import Settings
from graph.store import EmbeddedServer, open_store
from loaders.load import load

pytestmark = pytest.mark.slow


@pytest.fixture
def fresh_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="cgs-") as d:
        yield Path(d)
        EmbeddedServer(Path(d)).stop()


def servers_for(data_dir: Path) -> list[psutil.Process]:
    """redis-server processes serving this data directory."""
    found = []
    for p in psutil.process_iter(["cmdline"]):
        cmd = p.info["cmdline"] or []
        if cmd and cmd[0].endswith("redis-server") and str(data_dir) in " ".join(cmd):
            found.append(p)
    return found


def test_started_on_demand_and_stopped_by_the_last_user(fresh_dir: Path) -> None:
    settings = Settings(data_dir=fresh_dir)
    a = open_store(settings)
    pid = EmbeddedServer(fresh_dir).pid()
    b = open_store(settings)  # a second user finds the running server
    assert EmbeddedServer(fresh_dir).pid() == pid
    assert EmbeddedServer(fresh_dir).status()["clients"] == 2
    a.close()
    assert EmbeddedServer(fresh_dir).answers(), "stopped while another user held it"
    b.close()
    assert not EmbeddedServer(fresh_dir).answers()
    assert servers_for(fresh_dir) == []


def test_pinned_server_outlives_its_users(fresh_dir: Path) -> None:
    server = EmbeddedServer(fresh_dir)
    assert server.start(pin=True) is True
    assert server.start(pin=True) is False  # already running
    s = open_store(Settings(data_dir=fresh_dir))
    s.close()
    assert server.answers()
    status = server.status()
    assert status["pinned"] and status["aof_enabled"] and status["falkordb_version"] == "4.16.3"
    assert server.stop() is True
    assert server.stop() is False
    assert servers_for(fresh_dir) == []


def test_listens_on_a_unix_socket_only(fresh_dir: Path) -> None:
    server = EmbeddedServer(fresh_dir)
    server.start(pin=True)
    proc = psutil.Process(server.pid())
    inet = [c for c in proc.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert inet == []
    assert oct(os.stat(server.socket).st_mode & 0o777) == "0o700"


def test_a_cli_command_leaves_no_orphan(fresh_dir: Path) -> None:
    env = {**os.environ, "COALITION_DATA_DIR": str(fresh_dir)}
    out = subprocess.run([sys.executable, "-m", "api", "stats", "--format", "json"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert '"nodes": 0' in out.stdout
    assert servers_for(fresh_dir) == []


def test_data_survives_a_clean_restart(fresh_dir: Path) -> None:
    settings = Settings(data_dir=fresh_dir)
    with open_store(settings) as s:
        s.upsert_nodes(("Person",), [{"id": "p", "props": {"id": "p", "name": "P"}}])
    assert not EmbeddedServer(fresh_dir).answers()
    with open_store(settings) as s:
        assert s.counts().nodes == 1


def test_a_server_that_cannot_start_says_why(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 120)
    with pytest.raises(StoreError, match="too long for a unix socket"):
        EmbeddedServer(deep).start()


def test_kill_9_loses_no_acknowledged_write(fresh_dir: Path) -> None:
    """Write batches while the server is killed with SIGKILL; every batch whose write
    returned must be there after a restart."""
    server = EmbeddedServer(fresh_dir)
    server.start(pin=True)
    store = open_store(Settings(data_dir=fresh_dir, batch_size=500))
    acked: list[str] = []
    failure: list[BaseException] = []

    def writer() -> None:
        try:
            for b in range(10_000):
                rows = [{"id": f"n{b}-{i}", "props": {"id": f"n{b}-{i}", "b": b}}
                        for i in range(500)]
                store.upsert_nodes(("Person",), rows)
                acked.extend(r["id"] for r in rows)
        except BaseException as e:  # noqa: BLE001 - the kill is expected to break a write
            failure.append(e)

    t = threading.Thread(target=writer)
    t.start()
    while len(acked) < 10_000 and t.is_alive():
        time.sleep(0.01)
    os.kill(server.pid(), signal.SIGKILL)
    t.join(timeout=60)
    assert failure and isinstance(failure[0], StoreError), failure
    store._on_close = None  # the server is gone; nothing to release
    server.start(pin=True)
    with open_store(Settings(data_dir=fresh_dir)) as after:
        present = {r["id"] for r in after.read("MATCH (n:Person) RETURN n.id AS id")}
    assert len(acked) >= 10_000
    assert set(acked) <= present  # present may also hold the batch in flight at the kill


def test_load_killed_midway_converges_when_run_again(fresh_dir: Path, tmp_path: Path) -> None:
    """kill -9 the server during `coalition load`: the command fails clearly; after a
    restart the same load completes, and a third load writes nothing."""
    from bench import synthetic

    wb = tmp_path / "syn"
    synthetic.write(wb, scale=0.05)
    server = EmbeddedServer(fresh_dir)
    server.start(pin=True)
    env = {**os.environ, "COALITION_DATA_DIR": str(fresh_dir), "COALITION_BATCH_SIZE": "500"}
    proc = subprocess.Popen([sys.executable, "-m", "api", "load", str(wb), "--format", "json"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with open_store(Settings(data_dir=fresh_dir)) as watch:
        deadline = time.monotonic() + 120
        while watch.counts().nodes < 1000 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the load finished before it could be interrupted"
        os.kill(server.pid(), signal.SIGKILL)
        watch._on_close = None
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "error:" in err and "FalkorDB" in err
    server.start(pin=True)
    with open_store(Settings(data_dir=fresh_dir)) as s:
        partial = s.counts().nodes
        report = load(wb, s)
        assert sum(report.nodes.unchanged.values()) == partial  # kept, not rewritten
        full = s.counts()
        again = load(wb, s)
        assert again.written == 0 and s.counts() == full
    expected = synthetic.counts(0.05)
    assert full.labels["Organization"] == expected["organizations"]
    assert full.labels["Person"] == expected["people"]
