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
import redis

from graph.errors import StoreError
from graph.settings import Settings
from graph.store import EmbeddedServer, open_store
from loaders.load import load

pytestmark = pytest.mark.slow

#: seconds to wait for anything the server does (start, load its data, stop); generous, so a
#: busy machine makes these tests slower, never failing
PATIENCE = 600.0


def wait_for(condition, what: str, timeout: float = PATIENCE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


@pytest.fixture
def fresh_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="cgs-") as d:
        yield Path(d)
        EmbeddedServer(Path(d)).stop()


def servers_for(data_dir: Path) -> list[psutil.Process]:
    """redis-server processes serving this data directory."""
    found = []
    for p in psutil.process_iter(["cmdline"]):
        # a running server rewrites its title into one string: "<path>/redis-server unixsocket:..."
        cmd = " ".join(p.info["cmdline"] or [])
        if "redis-server" in cmd.split(" ", 1)[0] and str(data_dir) in cmd:
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


def test_a_stuck_server_is_killed_and_keeps_its_data(fresh_dir: Path) -> None:
    """A server that never acts on SIGTERM (stopped here with SIGSTOP, as a hung one) is
    killed after the timeout, and what it acknowledged is there after a restart."""
    server = EmbeddedServer(fresh_dir)
    server.start(pin=True)
    with open_store(Settings(data_dir=fresh_dir)) as s:
        s.upsert_nodes(("Person",), [{"id": "p", "props": {"id": "p", "name": "P"}}])
    with redis.Redis(unix_socket_path=str(server.socket)) as r:
        assert r.execute_command("WAITAOF", 1, 0, 0)[0] == 1  # fsynced to the local AOF
    pid = server.pid()
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    assert server.stop(timeout=1.0)
    wait_for(lambda: not servers_for(fresh_dir), "the stuck server to be gone")
    assert "did not stop in 1 s after SIGTERM: killed" in server.logfile.read_text()
    with open_store(Settings(data_dir=fresh_dir)) as s:
        assert s.counts().nodes == 1


def test_a_server_that_cannot_start_says_why(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 120)
    with pytest.raises(StoreError, match="too long for a unix socket"):
        EmbeddedServer(deep).start()


def test_a_server_that_does_not_answer_in_time_is_not_left_running(fresh_dir: Path) -> None:
    with pytest.raises(StoreError, match="did not answer within"):
        EmbeddedServer(fresh_dir, start_timeout=0).start()  # gives up before the socket exists
    assert servers_for(fresh_dir) == []


def test_kill_9_loses_no_acknowledged_write(fresh_dir: Path) -> None:
    """Write batches while the server is killed with SIGKILL; every batch whose write
    returned must be there after a restart."""
    server = EmbeddedServer(fresh_dir, PATIENCE)
    server.start(pin=True)
    store = open_store(Settings(data_dir=fresh_dir, batch_size=500,
                                server_start_timeout=PATIENCE))
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
    wait_for(lambda: len(acked) >= 10_000 or not t.is_alive(), "10,000 acknowledged writes")
    os.kill(server.pid(), signal.SIGKILL)
    t.join(timeout=PATIENCE)
    assert not t.is_alive(), "the writer did not notice the server was gone"
    assert failure and isinstance(failure[0], StoreError), failure
    store._on_close = None  # the server is gone; nothing to release
    server.start(pin=True)  # replays the AOF: waits as long as that takes
    with open_store(Settings(data_dir=fresh_dir, server_start_timeout=PATIENCE)) as after:
        present = {r["id"] for r in after.read("MATCH (n:Person) RETURN n.id AS id")}
    assert len(acked) >= 10_000
    assert set(acked) <= present  # present may also hold the batch in flight at the kill


def test_load_killed_midway_converges_when_run_again(fresh_dir: Path, tmp_path: Path) -> None:
    """kill -9 the server during `coalition load`: the command fails clearly; after a
    restart the same load completes, and a third load writes nothing."""
    from bench import synthetic

    wb = tmp_path / "syn"
    synthetic.write(wb, scale=0.05)
    server = EmbeddedServer(fresh_dir, PATIENCE)
    server.start(pin=True)
    env = {**os.environ, "COALITION_DATA_DIR": str(fresh_dir), "COALITION_BATCH_SIZE": "500",
           "COALITION_SERVER_START_TIMEOUT": str(PATIENCE)}
    proc = subprocess.Popen([sys.executable, "-m", "api", "load", str(wb), "--format", "json"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    settings = Settings(data_dir=fresh_dir, server_start_timeout=PATIENCE)
    with open_store(settings) as watch:
        wait_for(lambda: watch.counts().nodes >= 1000 or proc.poll() is not None,
                 "the load to write 1,000 nodes")
        assert proc.poll() is None, "the load finished before it could be interrupted"
        os.kill(server.pid(), signal.SIGKILL)
        watch._on_close = None
    _, err = proc.communicate(timeout=PATIENCE)
    assert proc.returncode == 1
    assert "error:" in err and "FalkorDB" in err
    # the server was gone, so the load could not be taken back: it says part of it is kept
    assert "part of this load is in the graph" in err
    server.start(pin=True)
    with open_store(settings) as s:
        partial = s.counts().nodes
        report = load(wb, s)
        assert sum(report.nodes.unchanged.values()) == partial  # kept, not rewritten
        full = s.counts()
        again = load(wb, s)
        assert again.written == 0 and s.counts() == full
    expected = synthetic.counts(0.05)
    assert full.labels["Organization"] == expected["organizations"]
    assert full.labels["Person"] == expected["people"]


def aof_files(data_dir: Path) -> dict[str, int]:
    return {f.name: f.stat().st_size for f in (data_dir / "appendonlydir").iterdir()}


def test_a_load_leaves_a_snapshot_to_restart_from(fresh_dir: Path, tmp_path: Path) -> None:
    """After a load the AOF is a snapshot plus a short tail, not every statement the load
    sent: a restart reads the data in about the time it takes to read it (issue 9, item 9).
    Replayed statements were slow because the index creation came first in the AOF."""
    from bench import synthetic

    wb = tmp_path / "syn"
    synthetic.write(wb, scale=0.02)
    settings = Settings(data_dir=fresh_dir, server_start_timeout=PATIENCE)
    with open_store(settings) as s:
        load(wb, s)
        counts = s.counts()
    assert not EmbeddedServer(fresh_dir).answers()  # stopped, after the rewrite finished
    files = aof_files(fresh_dir)
    base = sum(n for name, n in files.items() if name.endswith(".base.rdb"))
    tail = sum(n for name, n in files.items() if name.endswith(".incr.aof"))
    assert base > 10 * tail, files
    with open_store(settings) as s:
        assert s.counts() == counts
    log = (fresh_dir / "falkordb.log").read_text()
    assert "AOF-loading-client" not in log, "a replayed schema command failed"


def test_commands_wait_while_the_server_loads(fresh_dir: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    """A server replaying a long AOF of statements (as a data directory from before the
    snapshots has) answers nothing for a while: a command waits, however long past its
    start timeout, saying how far the server is; and that start leaves a snapshot."""
    server = EmbeddedServer(fresh_dir, PATIENCE)
    server.start(pin=True)
    with open_store(Settings(data_dir=fresh_dir)) as s:  # no load: no snapshot taken
        for b in range(0, 8000, 1000):
            s.upsert_nodes(("Person",), [{"id": f"p{i}", "props": {"id": f"p{i}"}}
                                         for i in range(b, b + 1000)])
    server.stop()
    proc = subprocess.Popen(server.command(), cwd=fresh_dir, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    server.pidfile.write_text(str(proc.pid))
    try:
        wait_for(lambda: server._probe(proc.pid) not in (True, False), "the server to load")
        caplog.set_level("WARNING", logger="coalition.store")
        impatient = EmbeddedServer(fresh_dir, start_timeout=0.01)
        assert impatient.start(pin=True) is False  # found it loading, waited, did not fail
        assert impatient.answers()
        assert any(r.getMessage().startswith("loading the graph: ") for r in caplog.records)
        with open_store(Settings(data_dir=fresh_dir)) as s:
            assert s.counts().labels["Person"] == 8000
    finally:
        server.stop()
        proc.wait(timeout=PATIENCE)


def test_a_slow_start_rewrites_the_aof(fresh_dir: Path) -> None:
    """A start that had to replay many statements rewrites the AOF, so the next does not."""
    server = EmbeddedServer(fresh_dir, PATIENCE)
    server.start(pin=True)
    with open_store(Settings(data_dir=fresh_dir)) as s:
        s.upsert_nodes(("Person",), [{"id": f"p{i}", "props": {"id": f"p{i}"}}
                                     for i in range(3000)])
    server.stop()
    assert sum(n for f, n in aof_files(fresh_dir).items() if f.endswith(".incr.aof")) > 64 << 10
    server.start(pin=True)
    server.stop()  # waits for the rewrite to finish
    files = aof_files(fresh_dir)
    assert sum(n for f, n in files.items() if f.endswith(".incr.aof")) < 1024, files


def test_harmless_log_lines_are_not_shown_as_the_reason(fresh_dir: Path) -> None:
    server = EmbeddedServer(fresh_dir)
    fresh_dir.mkdir(exist_ok=True)
    server.logfile.write_text(
        "1:M * Reading RDB base file on AOF loading...\n"
        "1:M # == CRITICAL == This server is sending an error to its AOF-loading-client: "
        "'-Constraint already exists' after processing the command 'graph.CONSTRAINT'\n"
        "1:M # Bad file format reading the append only file\n")
    tail = server._log_tail()
    assert "Bad file format" in tail and "Reading RDB" in tail
    assert "Constraint already exists" not in tail


def test_a_dead_server_nobody_reaped_is_not_counted_running(fresh_dir: Path) -> None:
    """kill -9 leaves the server a zombie until its parent reaps it; another command (here
    `coalition store start`) cannot reap it, and must not count it as running (issue 9,
    item 10: it waited 20 s for it to answer, then failed)."""
    server = EmbeddedServer(fresh_dir)
    proc = subprocess.Popen(server.command(), cwd=fresh_dir, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    server.pidfile.write_text(str(proc.pid))
    try:
        wait_for(lambda: server.socket.exists(), "the server's socket")
        os.kill(proc.pid, signal.SIGKILL)
        # psutil reads /proc and does not reap, so the zombie stays ours until proc.wait()
        wait_for(lambda: psutil.Process(proc.pid).status() == psutil.STATUS_ZOMBIE,
                 "the killed server to be a zombie")
        env = {**os.environ, "COALITION_DATA_DIR": str(fresh_dir),
               "COALITION_SERVER_START_TIMEOUT": str(PATIENCE)}
        out = subprocess.run([sys.executable, "-m", "api", "store", "start"], env=env,
                             capture_output=True, text=True, timeout=PATIENCE, check=False)
        assert out.returncode == 0, out.stderr
        assert psutil.Process(proc.pid).status() == psutil.STATUS_ZOMBIE  # still unreaped
        assert server.answers() and server.pid() not in (None, proc.pid)
    finally:
        server.stop()
        proc.wait(timeout=PATIENCE)


def test_serve_recovers_from_a_killed_store(fresh_dir: Path) -> None:
    """`coalition serve` started the embedded server; kill -9 it: the API reaps it, starts a
    new one and answers again, without being restarted itself (issue 9, item 10)."""
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "COALITION_DATA_DIR": str(fresh_dir),
           "COALITION_SERVER_START_TIMEOUT": str(PATIENCE)}
    api = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/api/events"

    def answers() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=PATIENCE) as r:
                return r.status == 200
        except OSError:  # refused while starting; 503 (an HTTPError) while the store is gone
            return False

    try:
        wait_for(lambda: api.poll() is not None or answers(), "the API to answer")
        assert api.poll() is None, api.stderr.read() if api.stderr else ""
        server = EmbeddedServer(fresh_dir)
        first = server.pid()
        assert first is not None and psutil.Process(first).ppid() == api.pid
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: not psutil.pid_exists(first), "the API to reap the killed server")
        wait_for(answers, "the API to answer again")
        second = server.pid()
        assert second not in (None, first) and psutil.Process(second).ppid() == api.pid
        assert api.poll() is None
    finally:
        api.terminate()
        api.wait(timeout=PATIENCE)
    assert servers_for(fresh_dir) == []  # the API stopped the server it started


def test_serve_with_workers_shares_one_store(fresh_dir: Path) -> None:
    """`coalition serve --workers 2`: two worker processes answer over the one embedded
    server the parent started before them (so they never race to start it); the seed's ego
    network comes back drawn; stopping the API stops the server."""
    import json
    import socket
    import urllib.request

    from tests.conftest import SEED

    settings = Settings(data_dir=fresh_dir)
    store = open_store(settings)
    try:
        load(SEED, store)
    finally:
        store.close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "COALITION_SERVER_START_TIMEOUT": str(PATIENCE)}
    env.pop("COALITION_DATA_DIR", None)  # given as an option: the workers must get it too
    api = subprocess.Popen([sys.executable, "-m", "api", "--data-dir", str(fresh_dir), "serve",
                            "--port", str(port), "--workers", "2"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/api/stakeholders/org:quality-carriers/ego?depth=1"

    def ego() -> dict | None:
        try:
            with urllib.request.urlopen(url, timeout=PATIENCE) as r:
                return json.load(r)
        except OSError:
            return None

    try:
        wait_for(lambda: api.poll() is not None or ego() is not None, "the API to answer")
        assert api.poll() is None, api.stderr.read() if api.stderr else ""
        def workers() -> list[psutil.Process]:
            return [c for c in psutil.Process(api.pid).children()
                    if "spawn_main" in " ".join(c.cmdline())]

        wait_for(lambda: len(workers()) == 2, "two workers")
        servers = servers_for(fresh_dir)
        assert len(servers) == 1 and servers[0].ppid() == api.pid
        data = ego()
        assert data is not None
        focus = next(n for n in data["nodes"] if n["id"] == "org:quality-carriers")
        assert "x" in focus["draw"] and data["draw_edges"]
    finally:
        api.terminate()
        api.wait(timeout=PATIENCE)
    wait_for(lambda: servers_for(fresh_dir) == [], "the server to stop with the API")
