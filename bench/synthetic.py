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


#: issue 12's workbook of numbered chain-style names: 50,000 organizations, 50,000 people and
#: 200,000 ties (participation, relationships, commitments)
CHAINS = {"organizations": 50_000, "people": 50_000, "events": 5_000,
          "participation": 120_000, "relationships": 50_000, "commitments": 30_000,
          "metrics": 0}
#: invented chain types: (what follows the brand, kind)
CHAIN_TYPES = [("Travel Stop", "truck stop"), ("Travel Center", "truck stop"),
               ("Truck Plaza", "truck stop"), ("Food Mart", "shipper"),
               ("Freight Terminal", "trucking company"), ("Coach Station", "bus terminal"),
               ("Casino", "casino"), ("Store", "sponsor")]
#: one organization in this many is a SYNTHETIC typo'd twin of an earlier one of its state
TWIN_EVERY = 250


def chain_sizes(scale: float) -> dict[str, int]:
    return {k: int(v * scale) for k, v in CHAINS.items()}


def _chain_name(rng: random.Random, brands: list[tuple[str, str, str]], towns: list[str],
                serial: dict[str, int]) -> tuple[str, str]:
    """A numbered or placed site of an invented chain, or an independent name (a third)."""
    if rng.random() < 1 / 3:
        kind = rng.choices(KINDS, WEIGHTS)[0]
        return f"{_word(rng)} {_word(rng)} {ORG_SUFFIX[kind]}", kind
    brand, kind, style = rng.choice(brands)
    serial[brand] = serial.get(brand, 0) + 1
    n, town = serial[brand], rng.choice(towns)
    site = {"hash": f"#{n}", "store": f"Store {n}", "unit": f"Unit {n}",
            "dash": f"- {town} {n}", "parens": f"({town} {n})"}[style]
    return f"{brand} {site}", kind


def _typo(rng: random.Random, name: str) -> str:
    """The name with one letter of its first word dropped (a typing slip)."""
    first, _, rest = name.partition(" ")
    i = rng.randrange(1, len(first))
    return f"{first[:i]}{first[i + 1:]} {rest}"


def write(folder: Path, scale: float = 1.0, seed: int = 7, sizes: dict[str, int] | None = None,
          with_counties: bool = False, chains: bool = False) -> dict[str, int]:
    """Write a synthetic workbook into ``folder``; return the rows written per sheet.

    ``sizes`` overrides the row counts; ``with_counties`` gives organizations a real county
    of their state (Census list), so county-level analyses have something to work on.
    ``chains``: organizations named as numbered or placed sites of invented chains (issue
    12), with one in :data:`TWIN_EVERY` a typo'd twin of an earlier organization of its
    state; the twins' ids are written to ``<folder>.twins.csv``, beside the workbook."""
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
    brands = [(f"{_word(rng)} {t}", kind, rng.choice(["hash", "store", "unit", "dash",
                                                     "parens"]))
              for t, kind in CHAIN_TYPES for _ in range(5)]
    towns = [_word(rng) for _ in range(400)]
    serial: dict[str, int] = {}
    twins, twinned = [], set()
    for i in range(n["organizations"]):
        st = states[i % len(states)]
        oid = f"org:syn:{i}"
        if chains and i >= TWIN_EVERY and i % TWIN_EVERY == 0:
            # a twin of an earlier organization of the same state (same i % 50) that is
            # neither a twin nor twinned already: one typo, so one near-duplicate each
            while True:
                twin = rows[rng.randrange(i % len(states), i, len(states))]
                j = int(twin[0].rsplit(":", 1)[1])
                if j % TWIN_EVERY and twin[0] not in twinned:
                    break
            twinned.add(twin[0])
            name, kind = _typo(rng, twin[1]), twin[2]
            twins.append([twin[0], oid])
        elif chains:
            name, kind = _chain_name(rng, brands, towns, serial)
        else:
            kind = rng.choices(KINDS, WEIGHTS)[0]
            name = f"{_word(rng)} {_word(rng)} {ORG_SUFFIX[kind]}"
        org_ids.append(oid)
        org_state[oid] = st
        county = rng.choice(counties[st]) if with_counties and counties.get(st) else ""
        rows.append([oid, name, kind, st, county, "", NOTE])
    sheet("organizations", ["id", "name", "kind", "state", "county", "city", "note"], rows)
    if chains:
        with open(folder.with_name(folder.name + ".twins.csv"), "w", newline="",
                  encoding="utf-8") as fh:
            csv.writer(fh).writerows([["original", "twin"], *twins])

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
