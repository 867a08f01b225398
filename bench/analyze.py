"""Benchmark: `coalition analyze` on a SYNTHETIC national graph (issue 3).

~200,000 nodes and ~1,050,000 relationships over 50 states (bench/synthetic.py, NATIONAL;
invented names, every row noted SYNTHETIC), loaded into a fresh embedded store. Measured in
the same run:

- baseline: projecting one state from the store into networkx (the read every report needs);
- one state's full report (`coalition analyze --state XX`: projection + every analysis);
- every state's report (`coalition analyze`), one worker process per core.

Targets: one state under 5 s; all states under 120 s, on 2 cores.

    python -m bench.analyze [--states 5] [--no-write-docs]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import time

from api.service import CoalitionService
from bench.common import WORK, discard, national_workbook, start_fresh, write_section
from graph.projection import project_state, states_in_use
from graph.settings import Settings
from graph.store import open_store
from loaders.load import load

AS_OF = dt.date(2026, 11, 24)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--states", type=int, default=5, help="states timed one by one")
    ap.add_argument("--no-write-docs", action="store_true")
    args = ap.parse_args()

    wb = national_workbook()
    data = WORK / "analyze-data"
    server = start_fresh(data)
    settings = Settings(data_dir=data)
    svc = CoalitionService(settings)
    try:
        with open_store(settings) as store:
            print("loading ...", flush=True)
            t = time.perf_counter()
            load(wb, store)
            load_s = time.perf_counter() - t
            counts = store.counts()
            print(f"loaded {counts.nodes} nodes, {counts.edges} relationships in {load_s:.0f} s",
                  flush=True)
            states = states_in_use(store)
            pick = states[:: max(1, len(states) // args.states)][: args.states]
            baseline, single = [], []
            for st in pick:
                t = time.perf_counter()
                project_state(store, st)
                baseline.append(time.perf_counter() - t)
                t = time.perf_counter()
                svc.analyze(state=st, as_of=AS_OF)
                single.append(time.perf_counter() - t)
                print(f"{st}: projection {baseline[-1]:.2f} s, full report {single[-1]:.2f} s",
                      flush=True)
        t = time.perf_counter()
        report = svc.analyze(as_of=AS_OF)
        all_s = time.perf_counter() - t
        print(f"all {len(states)} states: {all_s:.1f} s", flush=True)
    finally:
        discard(server)
    r = {
        "date": dt.date.today().isoformat(), "cores": os.cpu_count(),
        "python": platform.python_version(), "nodes": counts.nodes, "edges": counts.edges,
        "states": len(states), "load_s": round(load_s, 1),
        "baseline_s": round(statistics.median(baseline), 2),
        "single_median_s": round(statistics.median(single), 2),
        "single_max_s": round(max(single), 2), "picked": pick,
        "ratio": round(statistics.median(single) / statistics.median(baseline), 1),
        "all_s": round(all_s, 1), "workers": os.cpu_count(),
        "approximations": len(report["generated"]["approximations"]),
    }
    print(r)
    if not args.no_write_docs:
        write_docs(r)


def write_docs(r: dict) -> None:
    ok = lambda x: "meets the target" if x else "**misses the target**"  # noqa: E731
    section = f"""
## Analysis: `coalition analyze` on a national graph (issue 3)

`python -m bench.analyze`, run {r['date']} on {r['cores']} cores, Python {r['python']}.
SYNTHETIC national workbook (bench/synthetic.py `NATIONAL`: invented names, real county
names, every row noted SYNTHETIC): {r['nodes']:,} nodes and {r['edges']:,} relationships over
{r['states']} states, loaded in {r['load_s']} s.

| measure | value |
|---|---|
| baseline: project one state from the store into networkx (median of {len(r['picked'])}: {', '.join(r['picked'])}) | {r['baseline_s']} s |
| one state's full report: projection + every analysis (median; slowest) | {r['single_median_s']} s; {r['single_max_s']} s, {ok(r['single_max_s'] < 5)} (target < 5 s) |
| report / projection | {r['ratio']}x |
| every state's report (`coalition analyze`: {r['workers']} worker processes, each projecting and analysing one state at a time) | {r['all_s']} s, {ok(r['all_s'] < 120)} (target < 120 s) |
| approximations used | {r['approximations']} (betweenness is exact below 20,000 actors a graph) |
"""
    write_section("analyze", section)


if __name__ == "__main__":
    main()
