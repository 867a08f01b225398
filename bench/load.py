"""Benchmark: `coalition load` of a SYNTHETIC workbook against the raw client doing the same
writes, in the same run, on the same embedded server.

- loader: ``coalition load`` in a subprocess (parse, validate, resolve, plan, diff, write),
  timed end to end, with its own peak RSS from ``wait4``.
- baseline: the ``falkordb`` client sending the very same UNWIND statements with rows built
  before the clock starts: the cost of the writes alone.

- restart (issue 9): the server stopped cleanly after the load and started again, timed until
  it answers with the data loaded. *After*: the store as it is, which rewrites its AOF as a
  snapshot after a load. *Before*: the same statements (the raw client's) replayed from a
  pure AOF with rewrites off, as the store kept it before; stopped after ``--before-cap``
  seconds, with how far it had got.

Targets (issue 2): loader time within 1.5x of the baseline; loader peak memory under 1.5 GB.
Target (issue 9): restart under 10% of the load's own time.
Results go to docs/benchmarks.md (between the ``load`` markers) and to stdout.

Two workbooks (issue 12): the seed-shaped one, and one of numbered chain-style names (50,000
organizations, 50,000 people, 200,000 ties at scale 1) with planted typo'd twins, which also
says how many near-duplicate warnings the load gives and how many twins they find.

    python -m bench.load [--scale 1.0] [--workbook seed-shaped|chains|both] [--runs 3]
                         [--no-write-docs] [--before-cap 300]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from falkordb import FalkorDB

from bench import synthetic
from bench.common import WORK, discard, fresh_server, write_section
from graph import queries
from graph.store import EmbeddedServer
from loaders.load import plan_workbook

TARGET_RATIO = 1.5
TARGET_RSS_MB = 1536
TARGET_RESTART = 0.10  # of the load's own time


class PureAofServer(EmbeddedServer):
    """The embedded server as it ran before issue 9: its AOF is never rewritten."""

    def command(self) -> list[str]:
        return [*super().command(), "--auto-aof-rewrite-percentage", "0"]


def restart(server: EmbeddedServer, cap: float) -> dict:
    """Stop the server cleanly, start it again; seconds until it answers with its data
    loaded, or, past ``cap``, how far it had got (it is then killed)."""
    server.stop()
    log = open(server.logfile, "ab")  # noqa: SIM115 - the server writes to it, not us
    t0 = time.perf_counter()
    proc = subprocess.Popen(server.command(), cwd=server.data_dir, stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    server.pidfile.write_text(str(proc.pid))
    percent = 0.0
    while time.perf_counter() - t0 < cap:
        status = server.status()
        if status["running"]:
            return {"s": time.perf_counter() - t0, "done": True}
        if proc.poll() is not None:
            raise SystemExit(f"the server exited while loading; see {server.logfile}")
        percent = float(status.get("loading_percent") or percent)
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    return {"s": cap, "done": False, "percent": round(percent, 1)}


def raw_baseline(workbook: Path, socket: Path, graph: str, batch: int = 5000) -> dict:
    """Write the same records with the bare client; only the writes are timed."""
    plan = plan_workbook(workbook, None, fuzzy_threshold=92)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    nodes = defaultdict(list)
    for rec in plan.nodes.values():
        nodes[rec.labels].append({"id": rec.id, "props": {**rec.props, "loaded_at": now}})
    edges = defaultdict(list)
    for e in plan.edges.values():
        edges[e.type].append({"src": e.src, "dst": e.dst, "key": e.key,
                              "props": {**e.props, "loaded_at": now}})
    db = FalkorDB(unix_socket_path=str(socket))
    g = db.select_graph(graph)
    # The same schema the loader creates: index upkeep is part of the writes, not overhead.
    for stmt in queries.FALKORDB.schema_statements():
        g.query(stmt)
    db.connection.execute_command(*queries.falkordb_unique_constraint(graph))
    t0 = time.perf_counter()
    for labels, rows in nodes.items():
        relabel, merge = queries.relabel_nodes(labels), queries.upsert_nodes(labels)
        for i in range(0, len(rows), batch):
            g.query(relabel, {"rows": rows[i:i + batch]})
            g.query(merge, {"rows": rows[i:i + batch]})
    t1 = time.perf_counter()
    for rtype, rows in edges.items():
        q = queries.upsert_edges(rtype)
        for i in range(0, len(rows), batch):
            g.query(q, {"rows": rows[i:i + batch]})
    t2 = time.perf_counter()
    return {"nodes": len(plan.nodes), "edges": len(plan.edges), "node_s": t1 - t0,
            "edge_s": t2 - t1, "total_s": t2 - t0}


def peak_rss_of(cmd: list[str], env: dict) -> tuple[float, float, bytes]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # communicate() reaps the child; wait4 first so its rusage is ours to read.
    out_chunks = []
    assert proc.stdout is not None
    for chunk in iter(lambda: proc.stdout.read(65536), b""):
        out_chunks.append(chunk)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"coalition load failed:\n{proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024, b"".join(out_chunks)


def load_average() -> str:
    """The machine's load (1, 5, 15 minutes), as `uptime` shows it: the machine is shared."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


#: the workbooks measured: (name, folder under bench/.work, how to write it)
WORKBOOKS = {
    "seed-shaped": ("synthetic-{scale}", lambda wb, scale: synthetic.write(wb, scale)),
    "chains": ("chains-{scale}", lambda wb, scale: synthetic.write(
        wb, sizes=synthetic.chain_sizes(scale), chains=True)),
}


def twins_found(wb: Path, warnings: list[str]) -> tuple[int, int]:
    """How many of the SYNTHETIC typo'd twins the near-duplicate warnings name."""
    twins = wb.with_name(wb.name + ".twins.csv")
    if not twins.exists():
        return 0, 0
    pairs = {frozenset(m.groups()) for w in warnings
             if (m := re.search(r"same organization as (\S+) .*\(value: '([^']+)'\)", w))}
    with open(twins, newline="", encoding="utf-8") as fh:
        planted = [frozenset(r) for r in list(csv.reader(fh))[1:]]
    return sum(p in pairs for p in planted), len(planted)


def measure(name: str, scale: float, runs: int, before_cap: float | None) -> dict:
    folder, make = WORKBOOKS[name]
    wb = WORK / folder.format(scale=scale)
    if not (wb / "organizations.csv").exists():
        print(f"generating the SYNTHETIC {name} workbook at scale {scale} ...", flush=True)
        make(wb, scale)
    load_before = load_average()
    # Each run gets a fresh server and data directory, so none pays for another's data.
    # Runs alternate between the sides; the medians are compared.
    cmd = [sys.executable, "-m", "api", "load", str(wb), "--format", "json"]
    loaders, raws, rss, reloads, phases = [], [], [], [], []
    for i in range(runs):
        with fresh_server(WORK / "data") as data:
            env = {**os.environ, "COALITION_DATA_DIR": str(data)}
            print(f"[{name} {i + 1}/{runs}] coalition load ...", flush=True)
            seconds, peak, out = peak_rss_of(cmd, env)
            report = json.loads(out)
            loaders.append(seconds)
            rss.append(peak)
            phases.append(report["timings"])
            written = report["written"]
            if i == 0:
                near = report.get("near_duplicates", 0)
                found, planted = twins_found(wb, report["warnings"])
                print(f"[{name} {i + 1}/{runs}] coalition load again ...", flush=True)
                again_s, _, out2 = peak_rss_of(cmd, env)
                assert json.loads(out2)["written"] == 0
                reloads.append(again_s)
                print(f"[{name} {i + 1}/{runs}] restart after the load ...", flush=True)
                after = restart(EmbeddedServer(data), cap=3600)
        with fresh_server(WORK / "data") as data:
            print(f"[{name} {i + 1}/{runs}] raw client ...", flush=True)
            raws.append(raw_baseline(wb, data / "falkordb.sock", "raw"))
    before = None
    if before_cap is not None:
        print(f"restart before issue 9: the same writes in a pure AOF (cap {before_cap:.0f} s)"
              " ...", flush=True)
        old = PureAofServer(WORK / "data-before")
        old.stop()
        discard(old)
        old.start(pin=True)
        raw_baseline(wb, old.socket, "raw")
        before = restart(old, cap=before_cap)
        discard(old)
    raw = min(raws, key=lambda r: abs(r["total_s"] - statistics.median(x["total_s"]
                                                                        for x in raws)))
    loader_s = statistics.median(loaders)
    rss_mb = max(rss)
    phase = {k: round(statistics.median(p[k] for p in phases), 2) for k in phases[0]}
    ratio = loader_s / raw["total_s"]
    result = {
        "workbook": name, "date": dt.date.today().isoformat(), "scale": scale,
        "sheets": {f.stem: len(f.read_text(encoding="utf-8").splitlines()) - 1
                   for f in sorted(wb.glob("*.csv"))},
        "nodes": raw["nodes"], "relationships": raw["edges"], "written": written,
        "raw_s": round(raw["total_s"], 2), "raw_nodes_s": round(raw["node_s"], 2),
        "raw_edges_s": round(raw["edge_s"], 2), "loader_s": round(loader_s, 2),
        "reload_s": round(reloads[0], 2), "ratio": round(ratio, 2),
        "loader_peak_rss_mb": round(rss_mb), "loader_phases_s": phase, "runs": runs,
        "loader_all_s": [round(x, 2) for x in loaders],
        "raw_all_s": [round(x["total_s"], 2) for x in raws],
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(), "python": platform.python_version(),
        "ok_ratio": ratio <= TARGET_RATIO, "ok_memory": rss_mb <= TARGET_RSS_MB,
        "near_duplicates": near, "twins_found": found, "twins_planted": planted,
        "restart_after_s": round(after["s"], 2),
        "restart_after_share": round(after["s"] / loader_s, 3),
        "ok_restart": after["s"] <= TARGET_RESTART * loader_s,
        "load_average": [load_before, load_average()],
    }
    if before is not None:
        result.update({"restart_before_s": round(before["s"], 1),
                       "restart_before_done": before["done"],
                       "restart_before_percent": before.get("percent"),
                       "before_cap_s": before_cap})
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--workbook", choices=[*WORKBOOKS, "both"], default="both")
    ap.add_argument("--no-write-docs", action="store_true")
    ap.add_argument("--runs", type=int, default=3, help="runs a side; medians are compared")
    ap.add_argument("--before-cap", type=float, default=300.0,
                    help="seconds to let the pure-AOF restart ('before') run; 0: skip it")
    args = ap.parse_args()
    names = list(WORKBOOKS) if args.workbook == "both" else [args.workbook]
    results = [measure(n, args.scale, args.runs,
                       args.before_cap if n == "seed-shaped" and args.before_cap else None)
               for n in names]
    print(json.dumps(results, indent=1))
    if not args.no_write_docs:
        write_docs(results)


def write_docs(results: list[dict]) -> None:
    verdict = lambda ok: "meets the target" if ok else "**misses the target**"  # noqa: E731
    r0 = results[0]
    described = {
        "seed-shaped": "organizations, people, events and their ties shaped like the seed "
                       "workbook, with invented names",
        "chains": "most organizations numbered or placed sites of invented chains ('Vekbre "
                  "Truck Plaza #12', '... Store 12', '... (Nupramo 3)'), the rest invented "
                  f"names; one in {synthetic.TWIN_EVERY} a typo'd twin of an earlier "
                  "organization of its state",
    }
    section = f"""
## Loading: `coalition load` against the raw client (issues 2 and 12)

`python -m bench.load --scale {r0['scale']}`, run {r0['date']} on {r0['cores']} cores,
Python {r0['python']}. SYNTHETIC workbooks (bench/synthetic.py: invented names, every row
noted SYNTHETIC), each loaded into an empty graph of the embedded FalkorDB server. Both sides
send the same UNWIND statements in batches of 5,000 rows.
"""
    for r in results:
        rows = ", ".join(f"{k} {v:,}" for k, v in r["sheets"].items() if v)
        section += f"""
### {r['workbook']}: {r['nodes']:,} nodes and {r['relationships']:,} relationships

{described[r['workbook']]}. Rows: {rows}. Load average (1, 5, 15 min) at the start
{r['load_average'][0]}, at the end {r['load_average'][1]}.

| measure | value |
|---|---|
| raw client, writes only (nodes + relationships); median of {r['runs']} | {r['raw_s']} s ({r['raw_nodes_s']} + {r['raw_edges_s']}); all runs {r['raw_all_s']} |
| `coalition load`, end to end (process start, parse, validate, resolve, diff, write); median of {r['runs']} | {r['loader_s']} s; all runs {r['loader_all_s']} |
| of which, inside the loader (median seconds) | plan {r['loader_phases_s'].get('plan')} (read, validate, resolve, near-duplicates, hash), diff {r['loader_phases_s'].get('diff')}, write {r['loader_phases_s'].get('write')}, of which the change log {r['loader_phases_s'].get('change_log')} (docs/editing.md) |
| ratio loader / raw (target ≤ {TARGET_RATIO}) | **{r['ratio']}x**, {verdict(r['ok_ratio'])} |
| loader peak memory (RSS of the process; target < 1.5 GB) | {r['loader_peak_rss_mb']} MB, {verdict(r['ok_memory'])} |
| near-duplicate warnings | {r['near_duplicates']:,}{f"; of the {r['twins_planted']} planted typo'd twins, {r['twins_found']} found" if r['twins_planted'] else ''} |
| second `coalition load` of the same input (diff only, writes nothing) | {r['reload_s']} s |
| restart after the load (snapshot written after the load, plus its tail) | **{r['restart_after_s']} s**, {r['restart_after_share']:.0%} of the load's time (target < {TARGET_RESTART:.0%}), {verdict(r['ok_restart'])} |
"""
        if "restart_before_s" in r:
            before = (f"{r['restart_before_s']} s" if r["restart_before_done"] else
                      f"more than {r['before_cap_s']:.0f} s: stopped with "
                      f"{r['restart_before_percent']}% of the AOF read")
            section += f"""| restart after the load, **before** issue 9 (pure AOF: the load's statements replayed) | {before} |
"""
    section += """
Restart: the server stopped cleanly, then started again, timed until it answers with the
data loaded (INFO: not loading). Before: the raw client's writes on a server whose AOF is
never rewritten, as the store kept it until issue 9.
"""
    write_section("load", section)


if __name__ == "__main__":
    main()
