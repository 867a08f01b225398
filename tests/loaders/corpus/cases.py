"""Each case writes one workbook and says what must happen to it: refused with an error at a
given file, row and column whose message holds given words, or accepted.

The cases of issue 9 (items 7, 13-16) and more. The cases of tests/loaders/test_bad_inputs.py
(unknown kinds, states and counties, dangling references, ...) are not repeated here.
Refused workbooks always carry valid rows too (a new organization first of all), so that a
load that writes part of a workbook before failing shows in the graph's fingerprint.
"""

from __future__ import annotations

import hashlib
import io
import textwrap
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

#: what every case starts from: the store holds this before the case is loaded
BASE = {
    "organizations": """
        id,name,kind,state,county,city
        org:ms:biloxi-pd,Biloxi Police Department,law enforcement,MS,Harrison,Biloxi
        org:ms:ts1,Gulf Truck Stop,truck stop,MS,,Gulfport
    """,
    "events": """
        id,name,kind,date,city,state
        event:gulfport,Gulfport Coalition Build,coalition build,2020-01-16,Gulfport,MS
    """,
    "participation": """
        entity_id,event_id,role,count
        org:ms:ts1,event:gulfport,attended,3
    """,
}

#: a row that is valid on its own: written first if a load could fail half-way
NEW_ORG = "org:ms:new-stop,New Stop,truck stop,MS"


@dataclass(frozen=True)
class Refused:
    file: str
    row: int
    column: str
    words: tuple[str, ...]
    value: str | None = None  # the bad value the issue must show, when it matters
    max_errors: int | None = None  # a wide problem is summarised, not repeated


@dataclass(frozen=True)
class Accepted:
    #: checks on the load report's warnings: each string must be in exactly one warning
    warnings: tuple[str, ...] = ()
    #: (id, property, expected value) read back from the store after the load
    stored: tuple[tuple[str, str, Any], ...] = ()
    #: at most this many warnings
    max_warnings: int | None = None


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Path]
    expect: Refused | Accepted


def refused(file: str, row: int, column: str, *words: str, value: str | None = None,
            max_errors: int | None = None) -> Refused:
    return Refused(file, row, column, words, value, max_errors)


# ---------------------------------------------------------------------------- writers

def csv_sheets(**sheets: str | bytes) -> Callable[[Path], Path]:
    """A folder workbook; text sheets are dedented and UTF-8, bytes are written as they are."""

    def build(tmp: Path) -> Path:
        folder = tmp / "wb"
        folder.mkdir(parents=True, exist_ok=True)
        for name, body in sheets.items():
            data = body if isinstance(body, bytes) else \
                (textwrap.dedent(body).strip() + "\n").encode("utf-8")
            (folder / f"{name}.csv").write_bytes(data)
        return folder

    return build


def yaml_text(body: str | bytes | Callable[[], str | bytes], name: str = "wb.yaml"
              ) -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        data = body() if callable(body) else body
        if isinstance(data, str):
            data = (textwrap.dedent(data).lstrip("\n")).encode("utf-8")
        tmp.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_bytes(data)
        return tmp / name

    return build


def xlsx(sheets: dict[str, list[list[Any]]], patch: Callable[[bytes], bytes] | None = None,
         name: str = "wb.xlsx") -> Callable[[Path], Path]:
    """An .xlsx written by openpyxl; ``patch`` then rewrites every worksheet's XML, for
    what openpyxl would refuse to write (damaged XML, numbers no cell can hold)."""

    def build(tmp: Path) -> Path:
        tmp.mkdir(parents=True, exist_ok=True)
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for title, rows in sheets.items():
            ws = wb.create_sheet(title)
            for row in rows:
                ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        out = tmp / name
        with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, \
                zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                if patch and item.filename.startswith("xl/worksheets/sheet"):
                    data = patch(data)
                zout.writestr(item, data)
        return out

    return build


def replace(old: str, new: bytes | str) -> Callable[[bytes], bytes]:
    new_b = new.encode() if isinstance(new, str) else new
    return lambda data: data.replace(old.encode(), new_b)


ORG_HEADER = ["id", "name", "kind", "state"]
ORG_ROW = ["org:ms:new-stop", "New Stop", "truck stop", "MS"]
EVENT_ROWS = [["id", "name", "kind"], ["event:e2", "Follow-up", "meeting"]]


def _participation_yaml(count: str) -> str:
    return f"""
        organizations:
          - {{id: org:ms:new-stop, name: New Stop, kind: truck stop, state: MS}}
        participation:
          - entity_id: org:ms:new-stop
            event_id: event:gulfport
            role: attended
            count: {count}
    """


def _participation_csv(count: str) -> Callable[[Path], Path]:
    return csv_sheets(organizations=f"id,name,kind,state\n{NEW_ORG}\n", participation=f"""
        entity_id,event_id,role,count
        org:ms:new-stop,event:gulfport,attended,{count}
    """)


def _billion_laughs(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines.append(f"organizations: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def _deep_block(levels: int) -> str:
    return "organizations:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(levels)) + \
        " " * (levels + 1) + "x\n"


def _word(i: int) -> str:
    """A made-up name unlike every other's: alike names would add near-duplicate warnings."""
    return hashlib.sha256(str(i).encode()).hexdigest()[:12].translate(
        str.maketrans("0123456789", "ghijklmnop")).capitalize()


def _nul_after_4k_csv() -> bytes:
    rows = "".join(f"org:ms:s{i},{_word(i)},truck stop,MS\n" for i in range(200)).encode()
    assert len(rows) > 4096
    return b"id,name,kind,state\n" + rows + b"org:ms:nul,Nul\x00 Stop,truck stop,MS\n"


def _nul_after_4k_yaml() -> str:
    rows = "".join(f"  - {{id: org:ms:s{i}, name: {_word(i)}, kind: truck stop}}\n"
                   for i in range(100))
    return "organizations:\n" + rows + '  - {id: org:ms:nul, name: "Nul\\0 Stop", ' \
        "kind: truck stop}\n"


def _mixed_encoding() -> bytes:
    return ("id,name,kind,state\n"
            "org:ms:cafe,Café Truck Stop,truck stop,MS\n").encode() + \
        "org:ms:creme,Crème Casino,casino,MS\n".encode("cp1252") + \
        "org:ms:jose,José's Bus Lines,bus company,MS\n".encode() + \
        "org:ms:noel,Noël Shippers,shipper,MS\n".encode("cp1252")


def _wide_header(n: int) -> str:
    return "id,name,kind," + ",".join(f"extra{i}" for i in range(n)) + \
        "\norg:ms:wide,Wide Stop,truck stop\n"


def _wide_yaml(n: int) -> str:
    cells = ", ".join(f"extra{i}: x" for i in range(n))
    return f"organizations:\n  - {{id: org:ms:wide, name: Wide Stop, kind: truck stop, {cells}}}\n"


def _utf16_lone_surrogate() -> bytes:
    good = "id,name,kind,state\norg:ms:a,A Stop,truck stop,MS\n".encode("utf-16")
    return good + "org:ms:b,B".encode("utf-16-le") + b"\x00\xd8" + \
        " Stop,truck stop,MS\n".encode("utf-16-le")


CASES: list[Case] = [
    # -- item 7: every value that can reach the database, validated before anything is written
    Case("csv: participation count nan", _participation_csv("nan"),
         refused("participation.csv", 2, "count", "finite number")),
    Case("csv: participation count inf", _participation_csv("inf"),
         refused("participation.csv", 2, "count", "finite number")),
    Case("csv: metric value -Infinity", csv_sheets(organizations=f"""
            id,name,kind,state
            {NEW_ORG}
         """, metrics="""
            scope_id,name,value
            org:ms:new-stop,tips,-Infinity
         """), refused("metrics.csv", 2, "value", "finite number")),
    Case("yaml: count .nan", yaml_text(_participation_yaml(".nan")),
         refused("wb.yaml[participation]", 4, "count", "finite number")),
    Case("yaml: count .inf", yaml_text(_participation_yaml("-.inf")),
         refused("wb.yaml[participation]", 4, "count", "finite number")),
    Case("xlsx: count 1e400 (infinity in the sheet XML)",
         xlsx({"organizations": [ORG_HEADER, ORG_ROW],
               "participation": [["entity_id", "event_id", "role", "count"],
                                 ["org:ms:new-stop", "event:gulfport", "attended", 7]]},
              replace("<v>7</v>", "<v>1e400</v>")),
         refused("wb.xlsx[participation]", 2, "count", "finite number")),
    Case("xlsx: count 'inf' openpyxl cannot parse",
         xlsx({"organizations": [ORG_HEADER, ORG_ROW],
               "participation": [["entity_id", "event_id", "role", "count"],
                                 ["org:ms:new-stop", "event:gulfport", "attended", 7]]},
              replace("<v>7</v>", "<v>inf</v>")),
         refused("wb.xlsx[participation]", 2, "", "damaged", "save it again")),
    Case("csv: NUL byte after the first 4 KB",
         csv_sheets(organizations=_nul_after_4k_csv()),
         refused("organizations.csv", 202, "name", "NUL character")),
    Case("yaml: NUL escape after the first 4 KB", yaml_text(_nul_after_4k_yaml),
         refused("wb.yaml[organizations]", 102, "name", "NUL character")),
    Case("yaml: raw NUL byte", yaml_text(b"organizations:\n  - id: org:ms:x\n"
                                         b"    name: A\x00B\n    kind: casino\n"),
         refused("wb.yaml", 3, "", "NUL byte", "not YAML text")),
    Case("yaml: lone surrogate escape", yaml_text("""
            organizations:
              - {id: org:ms:new-stop, name: New Stop, kind: truck stop}
              - {id: org:ms:sur, name: "Half \\ud83d pair", kind: casino}
         """), refused("wb.yaml[organizations]", 3, "name", "lone surrogate")),
    Case("csv: UTF-16 file with a lone surrogate",
         csv_sheets(organizations=_utf16_lone_surrogate()),
         refused("organizations.csv", 3, "", "UTF-16")),
    Case("csv: count 1e20", _participation_csv("1e20"),
         refused("participation.csv", 2, "count", "too large")),
    Case("csv: count 2**63", _participation_csv(str(2**63)),
         refused("participation.csv", 2, "count", "too large")),
    Case("yaml: 30-digit count", yaml_text(_participation_yaml("1" * 30)),
         refused("wb.yaml[participation]", 4, "count", "too large")),
    Case("yaml: metric value 1e20", yaml_text("""
            organizations:
              - {id: org:ms:new-stop, name: New Stop, kind: truck stop}
            metrics:
              - {scope_id: org:ms:new-stop, name: tips, value: 1e20}
         """), refused("wb.yaml[metrics]", 4, "value", "too large")),
    Case("xlsx: 30-digit number",
         xlsx({"organizations": [ORG_HEADER, ORG_ROW],
               "participation": [["entity_id", "event_id", "role", "count"],
                                 ["org:ms:new-stop", "event:gulfport", "attended", 7]]},
              replace("<v>7</v>", "<v>" + "9" * 30 + "</v>")),
         refused("wb.xlsx[participation]", 2, "count", "too large")),
    Case("csv: count 2**63-1 is the largest accepted", _participation_csv(str(2**63 - 1)),
         Accepted()),

    # -- item 13: YAML alias bombs
    Case("yaml: billion laughs, 9 levels", yaml_text(_billion_laughs(9)),
         refused("wb.yaml", 2, "", "alias *a0", "list or mapping")),
    Case("yaml: recursive alias", yaml_text("organizations: &rows [*rows]\n"),
         refused("wb.yaml", 1, "", "alias *rows")),
    Case("yaml: an alias of a single value is fine", yaml_text("""
            organizations:
              - {id: org:ms:a1, name: A One, kind: &k truck stop, state: &s MS}
              - {id: org:ms:a2, name: A Two, kind: *k, state: *s}
         """), Accepted(stored=(("org:ms:a2", "kind", "truck stop"),
                                ("org:ms:a2", "state", "MS")))),

    # -- item 14: dates bounded at load
    Case("csv: event dated 9999-12-31", csv_sheets(organizations=f"""
            id,name,kind,state
            {NEW_ORG}
         """, events="""
            id,name,kind,date
            event:far,Far Future,meeting,9999-12-31
         """), refused("events.csv", 2, "date", "1900-01-01 and 2100-12-31")),
    Case("csv: relationship dated 1899", csv_sheets(organizations=f"""
            id,name,kind,state
            {NEW_ORG}
         """, relationships="""
            source_id,type,target_id,date
            org:ms:new-stop,local contact,org:ms:biloxi-pd,1899
         """), refused("relationships.csv", 2, "date", "out of range")),
    Case("yaml: event dated 9999-12-31, unquoted", yaml_text("""
            events:
              - {id: event:far, name: Far, kind: meeting, date: 9999-12-31}
         """), refused("wb.yaml[events]", 2, "date", "out of range")),
    Case("xlsx: a date cell in year 9999",
         xlsx({"events": [["id", "name", "kind", "date"],
                          ["event:far", "Far", "meeting", __import__("datetime").date(9999, 12,
                                                                                       31)]]}),
         refused("wb.xlsx[events]", 2, "date", "out of range")),
    Case("csv: the range's last day", csv_sheets(events="""
            id,name,kind,date
            event:last,Last,meeting,2100-12-31
         """), Accepted(stored=(("event:last", "date", "2100-12-31"),))),

    # -- item 15: what ended in a traceback
    Case("csv: a cell over 131,072 characters", csv_sheets(organizations=(
            f"id,name,kind,state,note\n{NEW_ORG},\norg:ms:long,Long,casino,MS,"
            + "x" * 140_000 + "\n")),
         refused("organizations.csv", 3, "note", "140,000 characters", "131,072")),
    Case("csv: a quoted cell over 131,072 characters, in short lines", csv_sheets(
            organizations=f"id,name,kind,state,note\n{NEW_ORG},\norg:ms:long,Long,casino,MS,\""
            + ("y" * 99 + "\n") * 1400 + "\"\n"),
         refused("organizations.csv", 3, "note", "139,999 characters")),
    Case("xlsx: a cell over 131,072 characters",
         xlsx({"organizations": [ORG_HEADER + ["note"], ORG_ROW + ["LONGNOTE"]]},
              replace("LONGNOTE", "y" * 140_000)),
         refused("wb.xlsx[organizations]", 2, "note", "131,072")),
    Case("yaml: 100k nested [", yaml_text("organizations: " + "[" * 100_000 + "\n"),
         refused("wb.yaml", 1, "", "nests more than 10 levels")),
    Case("yaml: 2,000 nested block mappings", yaml_text(_deep_block(2000)),
         refused("wb.yaml", 11, "", "nests more than 10 levels")),
    Case("yaml: date 2020-02-30 unquoted", yaml_text("""
            organizations:
              - {id: org:ms:new-stop, name: New Stop, kind: truck stop}
            events:
              - id: event:e2
                name: Follow-up
                kind: meeting
                date: 2020-02-30
         """), refused("wb.yaml[events]", 4, "date", "no such date", value="2020-02-30")),
    Case("yaml: !!timestamp tag on an impossible date", yaml_text("""
            events:
              - {id: event:e2, name: Follow-up, kind: meeting, date: !!timestamp 2020-02-30}
         """), refused("wb.yaml[events]", 2, "date", "no such date")),
    Case("xlsx: malformed sheet XML",
         xlsx({"organizations": [ORG_HEADER, ORG_ROW, ["org:ms:b", "B", "casino", "MS"]]},
              lambda data: data.replace(b'<row r="3"', b'<row r="3" <<broken')),
         refused("wb.xlsx[organizations]", 3, "", "damaged", "save it again")),
    Case("xlsx: entity expansion bomb in the sheet XML",
         xlsx({"organizations": [ORG_HEADER, ORG_ROW]},
              lambda data: b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY l "lol">' + b"".join(
                  b'<!ENTITY l%d "%s">' % (i, (b"&l%d;" % (i - 1) if i > 1 else b"&l;") * 10)
                  for i in range(1, 10)) + b"]>" + data.split(b"?>", 1)[-1].replace(
                  b"New Stop", b"&l9;")),
         refused("wb.xlsx[organizations]", 2, "", "damaged")),
    Case("xlsx: a row number beyond Excel's last row",
         xlsx({"organizations": [ORG_HEADER, ORG_ROW, ["org:ms:b", "B", "casino", "MS"]]},
              lambda data: data.replace(b'r="3"', b'r="99999999"').replace(
                  b'3"', b'99999999"')),
         refused("wb.xlsx[organizations]", 1_048_577, "", "Excel's limit")),
    Case("xlsx: not a zip at all", yaml_text(b"PK\x03\x04 this is no workbook", "wb.xlsx"),
         refused("wb.xlsx", 0, "", "cannot open as an .xlsx")),
    Case("csv: rich markup in a value", csv_sheets(organizations=f"""
            id,name,kind,state
            {NEW_ORG}
            org:ms:m,Markup,[/bold],MS
         """), refused("organizations.csv", 3, "kind", "unknown organization kind",
                       value="[/bold]")),
    Case("yaml: rich markup in a value", yaml_text("""
            organizations:
              - {id: org:ms:m, name: "[bold]Markup", kind: "[/bold]"}
         """), refused("wb.yaml[organizations]", 2, "kind", "unknown organization kind",
                       value="[/bold]")),

    # -- item 16: silent changes and gaps
    Case("csv: duplicate header column", csv_sheets(organizations="""
            id,name,name,kind,state
            org:ms:new-stop,New Stop,Other Name,truck stop,MS
         """), refused("organizations.csv", 1, "name", "appears 2 times", "columns 2, 3")),
    Case("csv: 50,000 header columns, each named twice: 11 problems",
         csv_sheets(organizations="id,name,kind," + ",".join(f"c{i % 50_000}" for i in
                                                              range(100_000))
                    + f"\n{NEW_ORG}\n"),
         refused("organizations.csv", 1, "", "and 49,990 more column names", max_errors=11)),
    Case("xlsx: duplicate header column (case differs)",
         xlsx({"organizations": [["id", "Name", "name", "kind"],
                                 ["org:ms:new-stop", "New Stop", "Other", "truck stop"]]}),
         refused("wb.xlsx[organizations]", 1, "name", "appears 2 times")),
    Case("yaml: duplicate key in a row", yaml_text("""
            organizations:
              - id: org:ms:new-stop
                name: New Stop
                kind: truck stop
                Name: Other Name
         """), refused("wb.yaml[organizations]", 2, "name", "twice", "lines 3 and 5")),
    Case("yaml: 1,000 keys each given twice in a row: 11 problems", yaml_text(
            "organizations:\n  - {id: org:ms:new-stop, name: New Stop, kind: truck stop, "
            + ", ".join(f"k{i % 1000}: x" for i in range(2000)) + "}\n"),
         refused("wb.yaml[organizations]", 2, "", "and 990 more columns", max_errors=11)),
    Case("yaml: duplicate sheet", yaml_text("""
            organizations:
              - {id: org:ms:new-stop, name: New Stop, kind: truck stop}
            organizations:
              - {id: org:ms:other, name: Other, kind: casino}
         """), refused("wb.yaml", 3, "", "appears twice")),
    Case("csv: negative participation count", _participation_csv("-5"),
         refused("participation.csv", 2, "count", "cannot be negative")),
    Case("yaml: negative participation count", yaml_text(_participation_yaml("-5")),
         refused("wb.yaml[participation]", 4, "count", "cannot be negative")),
    Case("yaml: state NO is the text NO", yaml_text("""
            organizations:
              - {id: org:ms:new-stop, name: New Stop, kind: truck stop, state: MS}
              - {id: org:no, name: Oslo Stop, kind: truck stop, state: NO}
         """), refused("wb.yaml[organizations]", 3, "state", "unknown state", value="NO")),
    Case("yaml: numbers and dates kept as typed", yaml_text("""
            organizations:
              - {id: org:ms:0012, name: 0012, kind: truck stop, state: MS, city: 1e3}
            events:
              - {id: event:typed, name: Typed, kind: meeting, date: 2020-01-16 10:30:00}
         """), Accepted(stored=(("org:ms:0012", "name", "0012"), ("org:ms:0012", "city", "1e3"),
                                ("event:typed", "date", "2020-01-16")))),
    Case("csv: unbalanced quote, never closed", csv_sheets(organizations=f"""
            id,name,kind,state
            {NEW_ORG}
            org:ms:q,"Quote Stop,truck stop,MS
            org:ms:r,R Stop,truck stop,MS
         """), refused("organizations.csv", 3, "name", "opens this cell on line 3",
                       "never closed")),
    Case("csv: unbalanced quote, closed by a later quote", csv_sheets(organizations=f"""
            id,name,kind,state
            {NEW_ORG}
            org:ms:q,"Quote Stop,truck stop,MS
            org:ms:r,"R" Stop,truck stop,MS
            org:ms:s,S Stop,truck stop,MS
         """), refused("organizations.csv", 3, "name", "opens this cell on line 3",
                       "followed by more text")),
    Case("csv: a quote that swallows a row", csv_sheets(organizations=f"""
            id,name,kind,state
            {NEW_ORG}
            org:ms:q,"Quote Stop,truck stop,MS
            org:ms:r,R Stop,truck stop,MS"
         """), refused("organizations.csv", 3, "name", "runs from line 3 to line 4")),
    Case("csv: doubled quotes are one quote", csv_sheets(organizations="""
            id,name,kind,state
            org:ms:dq,"The ""Best"" Stop",truck stop,MS
         """), Accepted(stored=(("org:ms:dq", "name", 'The "Best" Stop'),))),
    Case("csv: a multi-line note is fine", csv_sheets(organizations="""
            id,name,kind,state,note
            org:ms:ml,Multi Stop,truck stop,MS,"first line
            second line"
         """), Accepted(stored=(("org:ms:ml", "note", "first line\nsecond line"),))),
    Case("yaml: unclosed quote names the line it opens on", yaml_text("""
            organizations:
              - {id: org:ms:new-stop, name: New Stop, kind: truck stop}
              - id: org:ms:q
                name: "Quote Stop
                kind: truck stop
              - id: org:ms:r
                name: R
         """), refused("wb.yaml", 4, "", "quoted scalar", "starts on this line")),
    Case("csv: 100,000 unknown columns: one warning", csv_sheets(
            organizations=_wide_header(100_000)),
         Accepted(warnings=("100,000 columns not used",), max_warnings=1)),
    Case("yaml: 100,000 unknown keys: one warning", yaml_text(_wide_yaml(100_000)),
         Accepted(warnings=("100,000 columns not used",), max_warnings=1)),
    Case("csv: UTF-8 and Windows-1252 lines mixed", csv_sheets(organizations=_mixed_encoding()),
         Accepted(warnings=("2 line(s) (3, 5) were read as Windows-1252",),
                  stored=(("org:ms:cafe", "name", "Café Truck Stop"),
                          ("org:ms:creme", "name", "Crème Casino"),
                          ("org:ms:jose", "name", "José's Bus Lines"),
                          ("org:ms:noel", "name", "Noël Shippers")))),
    Case("yaml: UTF-8 and Windows-1252 lines mixed", yaml_text(
            "organizations:\n  - {id: org:ms:cafe, name: Café Stop, kind: truck stop}\n"
            .encode() + "  - {id: org:ms:creme, name: Crème Stop, kind: truck stop}\n"
            .encode("cp1252")),
         Accepted(warnings=("(3)",), stored=(("org:ms:cafe", "name", "Café Stop"),
                                             ("org:ms:creme", "name", "Crème Stop")))),

    # -- more
    Case("yaml: a list where a cell belongs", yaml_text("""
            organizations:
              - {id: org:ms:new-stop, name: New Stop, kind: truck stop, aliases: [A, B]}
         """), refused("wb.yaml[organizations]", 2, "aliases", "one value", "';'")),
    Case("yaml: a mapping as a column name", yaml_text("""
            organizations:
              - id: org:ms:new-stop
                ? [a, b]
                : x
         """), refused("wb.yaml", 3, "", "column name must be plain text")),
    Case("yaml: python tags are read as text, never run", yaml_text("""
            organizations:
              - {id: org:ms:new-stop, name: !!python/object/apply:os.getcwd [], kind: casino}
         """), refused("wb.yaml[organizations]", 2, "name", "one value")),
    Case("yaml: a top-level list", yaml_text("- organizations\n- people\n"),
         refused("wb.yaml", 0, "", "expected a mapping of sheet names")),
    Case("yaml: two documents", yaml_text("organizations: []\n---\npeople: []\n"),
         refused("wb.yaml", 2, "", "not valid YAML", "single document")),
    Case("yaml: a row that is not a mapping", yaml_text("""
            organizations:
              - {id: org:ms:new-stop, name: New Stop, kind: truck stop}
              - just text
         """), refused("wb.yaml[organizations]", 3, "", "must be a mapping")),
    Case("yaml: control character", yaml_text(b"organizations:\n  - {id: org:ms:x, name: "
                                              b"A\x07B, kind: casino}\n"),
         refused("wb.yaml", 2, "", "#x0007")),
    Case("csv: header with an unclosed quote", csv_sheets(organizations="""
            id,"name,kind,state
            org:ms:new-stop,New Stop,truck stop,MS
         """), refused("organizations.csv", 1, "B", "never closed")),
    # -- issue 10: unnamed groups, bounds, date ranges, laws, in every container
    Case("yaml: a group that names an entity too", yaml_text("""
            organizations:
              - {id: org:ms:new-stop, name: New Stop, kind: truck stop, state: MS}
            participation:
              - {entity_id: org:ms:new-stop, event_id: event:gulfport, role: attended,
                 kind: casino, count: 3}
         """), refused("wb.yaml[participation]", 4, "kind", "give either entity_id")),
    Case("yaml: an unnamed group, about 30 of them", yaml_text("""
            participation:
              - {event_id: event:gulfport, role: attended, kind: law enforcement,
                 count: about 30, level: local, unit: people}
         """), Accepted(stored=(
        ("group:gulfport:law-enforcement:local", "count", 30),
        ("group:gulfport:law-enforcement:local", "count_qualifier", "about"),
        ("group:gulfport:law-enforcement:local", "count_text", "about 30"),
        ("group:gulfport:law-enforcement:local", "state", "MS")))),
    Case("csv: a count in words", csv_sheets(organizations=f"""
            id,name,kind,state
            {NEW_ORG}
         """, participation="""
            entity_id,event_id,role,count
            org:ms:new-stop,event:gulfport,attended,over seventy
         """), refused("participation.csv", 2, "count", "'over 70'", value="over seventy")),
    Case("csv: a date range that ends before it starts", csv_sheets(organizations=f"""
            id,name,kind,state
            {NEW_ORG}
         """, events="""
            id,name,kind,date,state
            event:two-days,Two days,training,2022-10-06/2022-10-05,MS
         """), refused("events.csv", 2, "date", "ends before it starts")),
    Case("xlsx: a law signed over a range of days",
         xlsx({"organizations": [ORG_HEADER, ORG_ROW],
               "laws": [["jurisdiction", "bill", "status", "signed"],
                        ["MS", "HB 1", "signed", "2020-03-01/2020-03-02"]]}),
         refused("wb.xlsx[laws]", 2, "signed", "a single date")),
    Case("xlsx: a law that mandates a program", xlsx({
        "programs": [["id", "name", "kind"], ["program:tat", "TAT training", "training"]],
        "laws": [["jurisdiction", "bill", "status", "effective", "mandates"],
                 ["Mississippi", "HB 2", "effective", "2021-07-01", "TAT training"]]}),
         Accepted(stored=(("law:ms:hb-2", "date", "2021-07-01"),
                          ("law:ms:hb-2", "date_precision", "day"),
                          ("law:ms:hb-2", "state", "MS")))),
]
