"""Check that a change to the loader leaves its plans exactly as they were (issue 12, item 2).

A speed-up of the plan must not change what it plans: the same nodes, relationships, hashes,
problems and rejected rows, in the same order. This writes a fingerprint of the plans of a
few SYNTHETIC workbooks with the code it is run with, and compares it with one saved before:

    # the reference, with the code before the change (run from that checkout):
    cd /work/main && python /path/to/bench/plan_check.py --save /tmp/plans-before.json
    # after the change, from this checkout:
    python -m bench.plan_check --compare /tmp/plans-before.json

The workbooks: the seed-shaped and the chains workbooks at scale 0.3, and a small seed-shaped
one with planted errors (bad cells, duplicate ids, dangling and refused references, repeated
rows, a header with an unknown column, quoted cells, a cell across lines). Every row is
invented (bench/synthetic.py).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

# Run as a script from another checkout (the reference), its code must win over this one's.
sys.path.insert(0, os.getcwd())

import orjson

from bench import synthetic
from loaders.load import plan_workbook

HERE = Path(__file__).resolve().parent / ".work" / "plan-check"


def _edit(path: Path, fn: Any) -> None:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows = fn(rows)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def planted(folder: Path) -> Path:
    """A small SYNTHETIC seed-shaped workbook with errors of many kinds planted in it."""
    synthetic.write(folder, 0.02)

    def orgs(rows: list[list[str]]) -> list[list[str]]:
        rows[3][3] = "ZZ"  # no such state
        rows[4][2] = "spaceship"  # no such kind
        rows[5][0] = rows[6][0]  # duplicate id
        rows[7][1] = ""  # empty name: a required cell
        rows[8][1] = 'Kari "Mo" Ten, Freight'  # quotes and a comma: a quoted cell
        rows[9][1] = rows[10][1][:-1] + "s"  # a near-duplicate name
        rows[11][6] = "note across\nlines"  # a cell across lines
        rows[12][1] = "Bad\x07Bell Alliance"  # a control character
        rows[13][5] = "  Spaced City  "  # spaces to strip
        rows.append([""] * 7)  # a row of blanks
        return rows

    def people(rows: list[list[str]]) -> list[list[str]]:
        rows[0].append("extra")  # a column the format does not know
        for r in rows[1:]:
            r.append("x")
        rows[2][2] = "org:syn:nope"  # dangling
        rows[3][2] = "org:syn:4"  # refers to the org with the bad kind
        rows[4].insert(3, "Victim")  # a row one cell too wide
        rows[5][2] = rows[10][2]  # two people, fine
        return rows

    def participation(rows: list[list[str]]) -> list[list[str]]:
        rows.append(list(rows[1]))  # a repeated row
        rows[2][1] = "event:syn:nope"
        rows[3][2] = "danced"  # no such role
        rows[4][0] = "org:syn:3"  # refers to the org of the bad state
        rows[5][0] = "Temwen"  # neither an id nor a name
        return rows

    def relationships(rows: list[list[str]]) -> list[list[str]]:
        rows.append(list(rows[1]))
        rows[2][1] = "loves"  # no such type
        rows[3][0] = rows[3][2]  # a tie to itself
        return rows

    def commitments(rows: list[list[str]]) -> list[list[str]]:
        rows[2][3] = "lots"  # not a count
        rows[3][1] = "program:syn:nope"
        return rows

    def metrics(rows: list[list[str]]) -> list[list[str]]:
        rows[2][2] = "abc"  # not a value
        rows[3][0] = "nowhere"
        return rows

    for name, fn in (("organizations", orgs), ("people", people),
                     ("participation", participation), ("relationships", relationships),
                     ("commitments", commitments), ("metrics", metrics)):
        _edit(folder / f"{name}.csv", fn)
    return folder


def workbooks() -> dict[str, Path]:
    out = {}
    for name, make in (("seed-shaped-0.3", lambda p: synthetic.write(p, 0.3)),
                       ("chains-0.3", lambda p: synthetic.write(
                           p, sizes=synthetic.chain_sizes(0.3), chains=True)),
                       ("planted", planted)):
        folder = HERE / name
        if not (folder / "organizations.csv").exists():
            make(folder)
        out[name] = folder
    return out


def fingerprint(path: Path) -> dict[str, Any]:
    """Everything a plan holds, in its order, as one digest (and its parts' digests)."""
    plan = plan_workbook(path, None, fuzzy_threshold=92)
    parts = {
        "nodes": [[r.id, r.labels, r.props] for r in plan.nodes.values()],
        "edges": [[k, e.type, e.src, e.dst, e.key, e.props] for k, e in plan.edges.items()],
        "issues": [[i.file, i.row, i.column, i.message, i.value, i.severity]
                   for i in plan.issues],
        "rejected": [[f, r, raw] for (f, r), raw in plan.rejected.items()],
        "counts": [plan.rows_read, plan.near_duplicates],
    }
    digest = {k: hashlib.sha256(orjson.dumps(v, default=str)).hexdigest()
              for k, v in parts.items()}
    return {"digest": digest, "sizes": {k: len(v) for k, v in parts.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path)
    group.add_argument("--compare", type=Path)
    args = ap.parse_args()
    found = {name: fingerprint(path) for name, path in workbooks().items()}
    if args.save:
        args.save.write_bytes(orjson.dumps(found, option=orjson.OPT_INDENT_2))
        print(f"saved {args.save}: " + ", ".join(f"{n} {f['sizes']}" for n, f in found.items()))
        return
    before = orjson.loads(args.compare.read_bytes())
    differ = [f"{n}: {k}" for n, f in found.items() for k in f["digest"]
              if before[n]["digest"][k] != f["digest"][k]]
    for n, f in found.items():
        print(n, f["sizes"])
    if differ:
        raise SystemExit("plans DIFFER: " + "; ".join(differ))
    print("plans identical: " + ", ".join(found))


if __name__ == "__main__":
    main()
