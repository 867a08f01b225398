"""kill -9 of the embedded FalkorDB server in the middle of a merge (issue 13, items 2 and
6): after a restart the graph is all-before or all-after, never half of it, because the
whole merge, its change log included, is one statement (graph/queries.merge_records),
which the server applies and appends to its AOF whole.

The merged organization has 1,000 relationships (SYNTHETIC). "In the middle" is observed,
not timed: the kill is sent once the server shows the merging client blocked in its
GRAPH.QUERY (CLIENT LIST), that is while the statement runs. "All-after" is checked
exactly: the dump before with the change's own entries (read back from the log) applied
must equal the dump after the restart. About 5 s here: not marked slow."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from graph import editing, merging
from graph.changelog import Who
from graph.errors import StoreError
from graph.settings import Settings
from graph.store import EmbeddedServer, GraphStore, open_store
from loaders.load import load
from tests.conftest import write_workbook

#: seconds to wait for anything the server does; generous, so a busy machine is slower only
PATIENCE = 600.0
N = 1000
OLD, NEW = "org:ms:crash-old", "org:ms:crash-new"
WHO = Who("editor", key="k1")


def wait_for(condition, what: str, timeout: float = PATIENCE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.001)


@pytest.fixture
def fresh_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="cgm-") as d:
        yield Path(d)
        EmbeddedServer(Path(d)).stop()


def dump(store: GraphStore) -> dict[str, Any]:
    """Every node and relationship with every property, the change log and the redirect
    records: what all-before and all-after are compared by."""
    nodes = {r["id"]: (sorted(r["labels"]), r["props"]) for r in store.read(
        "MATCH (n:Entity) RETURN n.id AS id, labels(n) AS labels, properties(n) AS props")}
    edges: dict[tuple[str, str, str], list] = {}
    for r in store.read("MATCH (a:Entity)-[e]->(b:Entity) RETURN a.id AS src, type(e) AS t, "
                        "b.id AS dst, e.key AS key, properties(e) AS props"):
        edges.setdefault((r["t"], r["src"], r["key"]), []).append((r["dst"], r["props"]))
    log = {k: store.read(f"MATCH (x:{k}) RETURN count(x) AS n")[0]["n"]
           for k in ("Change", "ChangePart", "Merged")}
    return {"nodes": nodes, "edges": edges, "log": log}


def applied(before: dict[str, Any], entries: list) -> dict[str, Any]:
    """``before`` with a change's entries applied: what the graph is after it, exactly."""
    nodes, edges = dict(before["nodes"]), dict(before["edges"])
    for e in entries:
        if e.kind == "node":
            nodes.pop(e.id, None)
            if e.after is not None:
                nodes[e.id] = (sorted(e.after["labels"]), e.after["props"])
            continue
        for side in (e.before, e.after):
            if side is not None:
                edges.pop((e.type, side["src"], e.id), None)
        if e.after is not None:
            edges[(e.type, e.after["src"], e.id)] = [(e.after["dst"], e.after["props"])]
    return {"nodes": nodes, "edges": edges}


def busy_in_query(monitor: redis.Redis) -> bool:
    """Whether a client is blocked in a GRAPH.QUERY: the server is running a statement."""
    return any(c.get("cmd", "").lower() == "graph.query" and "b" in c.get("flags", "")
               for c in monitor.client_list())


def build(folder: Path) -> Path:
    orgs = ["id,name,kind,state", f"{OLD},Crash County Sheriff Office,law enforcement,MS",
            f"{NEW},Crash County Sheriff's Office,law enforcement,MS"]
    orgs += [f"org:ms:stop-{i},Synthetic Stop {i},truck stop,MS" for i in range(N)]
    rels = ["source_id,type,target_id,date,note"]
    rels += [f"{OLD},local contact,org:ms:stop-{i},2024-{1 + i % 12:02d},SYNTHETIC {i}"
             for i in range(N)]
    return write_workbook(folder, organizations="\n".join(orgs),
                          relationships="\n".join(rels))


def outcome(store: GraphStore, before: dict[str, Any], known: set[str]) -> str:
    """``before`` or ``after``, checked exactly; anything else fails."""
    after = dump(store)
    new = [c for c in store.changes(limit=1000) if c["id"] not in known]
    if not new:
        assert after == before, "no merge in the log, yet the graph changed"
        return "before"
    [c] = new
    assert c["action"] == "merge"
    entries = store.change_entries(c["id"])
    assert len(entries) == c["entry_count"] == 2 + 2 * N + 1  # 2 nodes; N moved; 1 dropped
    assert applied(before, entries) == {k: after[k] for k in ("nodes", "edges")}
    assert after["log"]["Change"] == before["log"]["Change"] + 1
    assert after["log"]["Merged"] == before["log"]["Merged"] + 1
    assert merging.redirects(store, [OLD]) == {OLD: NEW}
    assert len([k for k in after["edges"] if k[1] == NEW]) == N + 1
    # back to before, exactly, for the next attempt
    editing.undo(store, c["id"], who=WHO)
    assert {k: dump(store)[k] for k in ("nodes", "edges")} == \
        {k: before[k] for k in ("nodes", "edges")}
    assert merging.redirects(store, [OLD]) == {}
    return "after"


def test_kill_9_mid_merge_leaves_all_before_or_all_after(fresh_dir: Path,
                                                         tmp_path: Path) -> None:
    server = EmbeddedServer(fresh_dir, PATIENCE)
    server.start(pin=True)
    settings = Settings(data_dir=fresh_dir, server_start_timeout=PATIENCE)
    with open_store(settings) as s:
        load(build(tmp_path / "wb"), s)
        s.settle()

    def attempt(kill_when_done: bool) -> str:
        """One merge; kill -9 while its statement runs (or, ``kill_when_done``, right
        after it returned); restart; what the graph is then."""
        store = open_store(settings)
        before = dump(store)
        assert len([k for k in before["edges"] if k[1] == OLD]) == N + 1  # and its location
        known = {c["id"] for c in store.changes(limit=1000)}
        failure: list[BaseException] = []
        done = threading.Event()

        def run() -> None:
            try:
                merging.merge(store, OLD, NEW, who=WHO)
            except BaseException as e:  # noqa: BLE001 - the kill is expected to break it
                failure.append(e)
            finally:
                done.set()

        monitor = redis.Redis(unix_socket_path=str(server.socket))
        t = threading.Thread(target=run)
        t.start()
        if kill_when_done:
            done.wait(PATIENCE)
        else:
            wait_for(lambda: done.is_set() or busy_in_query(monitor), "the merge to start")
        killed = kill_when_done or not done.is_set()
        if killed:
            os.kill(server.pid(), signal.SIGKILL)
        monitor.close()
        t.join(timeout=PATIENCE)
        assert not t.is_alive(), "the merge did not notice the server was gone"
        if kill_when_done or not killed:
            assert not failure, failure
        else:
            assert failure and isinstance(failure[0], StoreError), failure
        if killed:
            store._on_close = None  # the server is gone; nothing to release
            server.start(pin=True)  # replays the AOF
            store = open_store(settings)
        try:
            return outcome(store, before, known) + (" (killed)" if killed else "")
        finally:
            store.close()

    mid = []
    for _ in range(5):  # until a kill lands while the statement runs
        mid.append(attempt(kill_when_done=False))
        if mid[-1].endswith("(killed)"):
            break
    assert mid[-1] in ("before (killed)", "after (killed)"), \
        f"the kill never landed while the statement ran: {mid}"
    # and a merge that was answered is there after a kill -9: acknowledged means kept
    assert attempt(kill_when_done=True) == "after (killed)"
