"""A real embedded server that refuses writes, mid-load (issue 9, item 8): out of memory (a
tiny ``maxmemory``) and a full disk (a small tmpfs, where one can be mounted).

The load says plainly what happened and that nothing of it was kept; the graph is as it
was; the store stays readable meanwhile (a full disk is an answer, not "did not answer");
and the next load, once there is room again, converges."""

from __future__ import annotations

import contextlib
import errno
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from graph.errors import DiskFull, OutOfMemory, WriteFailed
from graph.settings import Settings
from graph.store import EmbeddedServer, GraphStore, open_store
from loaders.load import load
from tests.conftest import SEED
from tests.graph.test_load_atomic import edited_seed, fingerprint

pytestmark = pytest.mark.slow


@contextlib.contextmanager
def server_in(d: Path) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(d, start_timeout=300)
    server.start(pin=True)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="cgf-") as d:
        yield Path(d)


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 16 MB tmpfs: a disk that can really fill up, and be freed again."""
    d = Path(tempfile.mkdtemp(prefix="cgd-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(d)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode:
        d.rmdir()
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip()}); the "
                    "disk-full test needs root or CAP_SYS_ADMIN")
    try:
        yield d
    finally:
        EmbeddedServer(d).stop()
        subprocess.run(["umount", "-l", str(d)], check=False)
        d.rmdir()


def fill(disk: Path) -> Path:
    """Fill the disk to the last byte. Unbuffered: a buffered file would flush what is left
    when it closes, and raise the disk-full error again, out of here."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError as e:
            assert e.errno == errno.ENOSPC, e
    return filler


def before_nth_write(store: GraphStore, monkeypatch: pytest.MonkeyPatch, nth: int,
                     action) -> None:
    original, calls = store._write, []

    def write(query: str, rows: list) -> None:
        calls.append(1)
        if len(calls) == nth:
            action()
        original(query, rows)

    monkeypatch.setattr(store, "_write", write)


def test_out_of_memory_mid_load_keeps_nothing(fresh_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with server_in(fresh_dir) as server, \
            open_store(Settings(data_dir=fresh_dir, batch_size=7)) as store, \
            redis.Redis(unix_socket_path=str(server.socket)) as admin:
        empty = fingerprint(store)
        before_nth_write(store, monkeypatch, 5, lambda: admin.config_set("maxmemory", 1))
        seen: list[str] = []

        def progress(stage: str, done: int, total: int) -> None:
            if stage.startswith("waiting for the store") and not seen:
                seen.append(stage)
                # meanwhile the store answers reads
                assert fingerprint(store) != empty
                admin.config_set("maxmemory", 0)  # memory freed: the undo can go on

        with pytest.raises(WriteFailed) as failed:
            load(SEED, store, progress=progress)
        monkeypatch.undo()
        message = str(failed.value)
        assert isinstance(failed.value.cause, OutOfMemory)
        assert "out of memory" in message and "Nothing of this load was kept" in message
        assert failed.value.status_code == 507
        assert seen, "the undo never had to wait"
        assert fingerprint(store) == empty
        assert load(SEED, store).written > 0
        full = fingerprint(store)
        assert load(SEED, store).written == 0 and fingerprint(store) == full


def test_out_of_memory_for_good_says_what_was_kept(fresh_dir: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """When the store still refuses after ``refusal_wait``, the error says part of the load
    is in the graph; once it takes writes again, the same load completes it."""
    with server_in(fresh_dir) as server, \
            open_store(Settings(data_dir=fresh_dir, batch_size=7)) as store, \
            redis.Redis(unix_socket_path=str(server.socket)) as admin:
        store.refusal_wait = 0
        before_nth_write(store, monkeypatch, 5, lambda: admin.config_set("maxmemory", 1))
        with pytest.raises(WriteFailed, match="part of this load is in the graph") as failed:
            load(SEED, store)
        monkeypatch.undo()
        assert failed.value.kept and "out of memory" in str(failed.value)
        admin.config_set("maxmemory", 0)
        load(SEED, store)
        full = fingerprint(store)
        assert load(SEED, store).written == 0 and fingerprint(store) == full


def test_disk_full_mid_load_keeps_nothing(small_disk: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Big enough batches that a write needs a new page of the disk (the last page of the
    # AOF file has room for a few small ones)
    edited = edited_seed(tmp_path / "seed", more=400)
    settings = Settings(data_dir=small_disk, batch_size=40, server_start_timeout=300)
    with server_in(small_disk) as server:
        with open_store(settings) as store:
            load(SEED, store)
            before = fingerprint(store)
            filler: list[Path] = []
            before_nth_write(store, monkeypatch, 3, lambda: filler.append(fill(small_disk)))
            seen: list[str] = []

            def progress(stage: str, done: int, total: int) -> None:
                if stage.startswith("waiting for the store") and not seen:
                    seen.append(stage)
                    # While the disk is full, the server answers: another command opens
                    # the store and reads from it (it used to wait 20 s and give up).
                    assert server.answers()
                    with open_store(settings) as other:
                        assert other.counts().nodes > 0
                    filler[0].unlink()  # space is freed: the undo can go on

            with pytest.raises(WriteFailed) as failed:
                load(edited, store, progress=progress)
            monkeypatch.undo()
            message = str(failed.value)
            assert isinstance(failed.value.cause, DiskFull), message
            assert "disk" in message and "is full" in message
            assert "Nothing of this load was kept" in message
            assert seen, "the undo never had to wait"
            assert fingerprint(store) == before
        server.stop()
        server.start(pin=True)  # what was kept is on disk, not only in memory
        with open_store(settings) as store:
            assert fingerprint(store) == before
            load(edited, store)
            done = fingerprint(store)
            assert load(edited, store).written == 0 and fingerprint(store) == done
