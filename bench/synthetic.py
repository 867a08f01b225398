"""SYNTHETIC coalition workbooks for benchmarks and stress tests.

Every row this module writes is invented and says so (``note`` = "SYNTHETIC"; names are
made-up words). Nothing here describes a real organization, person or event. Deterministic
for a given seed.

At ``scale=1.0``: about 100,000 nodes and 300,000 relationships (the benchmark size of
issue 2), over 50 states.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import us

from graph.model import ORG_KINDS

SYLLABLES = ("ka ri mo ten sul va dor lin qua bre zo fen tar mil oss pra del "
             "nu vek hol sar tem gri bal cor wen yul fir pol dra kem").split()
ORG_SUFFIX = {
    "law enforcement": "Police Department", "prosecutor": "District Attorney",
    "state agency": "State Agency", "federal agency": "Federal Office",
    "trade association": "Association", "trucking company": "Freight",
    "bus company": "Coach Lines", "transit agency": "Transit", "truck stop": "Travel Plaza",
    "bus terminal": "Bus Terminal", "casino": "Casino", "energy company": "Energy",
    "shipper": "Goods", "task force": "Task Force", "victim services": "Advocacy Center",
    "nonprofit": "Alliance", "sponsor": "Foundation", "school": "CDL School",
}
KINDS = list(ORG_KINDS)
WEIGHTS = [8, 1, 2, 1, 1, 14, 3, 2, 10, 2, 3, 2, 6, 1, 2, 3, 1, 2]
NOTE = "SYNTHETIC"


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def counts(scale: float) -> dict[str, int]:
    return {
        "organizations": int(60_000 * scale),
        "people": int(25_000 * scale),
        "events": int(5_000 * scale),
        "participation": int(150_000 * scale),
        "relationships": int(45_000 * scale),
        "commitments": int(20_000 * scale),
        "metrics": int(9_900 * scale),
    }


#: issue 3's national graph: ~200k nodes and ~1.05M relationships (with the derived ones)
NATIONAL = {"organizations": 120_000, "people": 30_000, "events": 40_000,
            "participation": 400_000, "relationships": 300_000, "commitments": 100_000,
            "metrics": 9_900}


def write(folder: Path, scale: float = 1.0, seed: int = 7, sizes: dict[str, int] | None = None,
          with_counties: bool = False) -> dict[str, int]:
    """Write a synthetic workbook into ``folder``; return the rows written per sheet.

    ``sizes`` overrides the row counts; ``with_counties`` gives organizations a real county
    of their state (Census list), so county-level analyses have something to work on."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n = sizes or counts(scale)
    if with_counties:
        from loaders.normalize import county_names_for

        counties = {st: county_names_for(st) for st in (s.abbr for s in us.states.STATES)}
    states = [s.abbr for s in us.states.STATES][:50]
    org_ids, org_state, written = [], {}, {}

    def sheet(name: str, header: list[str], rows: list[list[object]]) -> None:
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(header)
            w.writerows(rows)
        written[name] = len(rows)

    rows = []
    for i in range(n["organizations"]):
        kind = rng.choices(KINDS, WEIGHTS)[0]
        st = states[i % len(states)]
        oid = f"org:syn:{i}"
        org_ids.append(oid)
        org_state[oid] = st
        county = rng.choice(counties[st]) if with_counties and counties.get(st) else ""
        rows.append([oid, f"{_word(rng)} {_word(rng)} {ORG_SUFFIX[kind]}", kind, st, county,
                     "", NOTE])
    sheet("organizations", ["id", "name", "kind", "state", "county", "city", "note"], rows)

    people = []
    rows = []
    for i in range(n["people"]):
        pid = f"person:syn:{i}"
        people.append(pid)
        rows.append([pid, f"{_word(rng)} {_word(rng)}", rng.choice(org_ids), "Staff", NOTE])
    sheet("people", ["id", "name", "organization_id", "title", "note"], rows)

    events = []
    rows = []
    for i in range(n["events"]):
        eid = f"event:syn:{i}"
        events.append(eid)
        day = f"20{rng.randint(14, 25):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        rows.append([eid, f"{_word(rng)} Coalition Build", "coalition build", day,
                     states[i % len(states)], NOTE])
    sheet("events", ["id", "name", "kind", "date", "state", "note"], rows)

    programs = [f"program:syn:{i}" for i in range(10)]
    sheet("programs", ["id", "name", "kind", "note"],
          [[p, f"{_word(rng)} Training", "training", NOTE] for p in programs])

    actors = org_ids + people
    roles = ["attended"] * 8 + ["hosted", "spoke"]
    seen: set[tuple[str, str, str]] = set()
    rows = []
    while len(rows) < n["participation"]:
        r = (rng.choice(actors), rng.choice(events), rng.choice(roles))
        if r not in seen:
            seen.add(r)
            rows.append([*r, NOTE])
    sheet("participation", ["entity_id", "event_id", "role", "note"], rows)

    types = ["local contact", "partners with", "member of", "introduced", "reported tip to"]
    seen2: set[tuple[str, str, str]] = set()
    rows = []
    while len(rows) < n["relationships"]:
        a, b = rng.choice(org_ids), rng.choice(org_ids)
        r = (a, rng.choice(types), b)
        if a != b and r not in seen2:
            seen2.add(r)
            rows.append([*r, NOTE])
    sheet("relationships", ["source_id", "type", "target_id", "note"], rows)

    kinds = ["pledged", "trained", "distributes", "adopted"]
    seen3: set[tuple[str, str, str]] = set()
    rows = []
    while len(rows) < n["commitments"]:
        r = (rng.choice(org_ids), rng.choice(programs), rng.choice(kinds))
        if r not in seen3:
            seen3.add(r)
            rows.append([*r, rng.randint(1, 500), NOTE])
    sheet("commitments", ["entity_id", "program", "kind", "count", "note"], rows)

    rows = [[events[i % len(events)], f"synthetic measure {i // len(events)}",
             rng.randint(0, 100), "percent", NOTE] for i in range(n["metrics"])]
    sheet("metrics", ["scope_id", "name", "value", "unit", "note"], rows)
    return written
