"""Every problem of a load in one file (``coalition load --problems FILE``): the terminal
shows the first ones, this file holds all of them, errors and warnings, to sort and filter in
a spreadsheet (``.csv``) or a program (``.json``).

Each problem is one record: ``severity`` (error or warning), ``file`` (as shown to people:
``organizations.csv``, ``coalition.xlsx[people]``, ``coalition.zip[events.csv]``), ``row``
(as a spreadsheet shows it; 1 is the header, 0 the whole file), ``column``, ``message`` and
``value`` (the cell as written, when it matters).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from graph.errors import ConfigError, RowIssue
from graph.export import csv_cell

FIELDS = ("severity", "file", "row", "column", "message", "value")
SUFFIXES = (".csv", ".json")


def check_target(path: Path) -> Path:
    """Refuse a problems file the load could not write, before the load runs."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise ConfigError(f"--problems {path}: name a .csv or .json file (the suffix says "
                          "which to write)")
    if path.is_dir():
        raise ConfigError(f"--problems {path}: that is a folder; name a file in it")
    if not path.parent.is_dir():
        raise ConfigError(f"--problems {path}: the folder {path.parent} does not exist")
    return path


def ordered(issues: Iterable[RowIssue]) -> list[RowIssue]:
    """Errors first, then warnings, each by file, row and column.

    >>> w = RowIssue("a.csv", 2, "", "w", severity="warning")
    >>> e1, e2 = RowIssue("b.csv", 3, "x", "e"), RowIssue("a.csv", 9, "y", "e")
    >>> [(i.severity, i.file, i.row) for i in ordered([w, e1, e2])]
    [('error', 'a.csv', 9), ('error', 'b.csv', 3), ('warning', 'a.csv', 2)]
    """
    return sorted(issues, key=lambda i: (i.severity != "error", i))


def as_records(issues: Iterable[RowIssue]) -> list[dict[str, object]]:
    return [{f: getattr(i, f) for f in FIELDS} for i in ordered(issues)]


def write_problems(path: Path, issues: Iterable[RowIssue]) -> Path:
    """Write every problem to ``path`` (CSV or JSON by its suffix); the path written."""
    path = check_target(path)
    records = as_records(issues)
    if path.suffix.lower() == ".json":
        text = json.dumps(records, ensure_ascii=False, indent=1, default=str)
        path.write_text(text + "\n", encoding="utf-8")
        return path
    # utf-8-sig: Excel opens it with accents intact; cells are defused (no formulas run)
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(FIELDS)
        for r in records:
            w.writerow([csv_cell(r[f]) for f in FIELDS])
    return path


def summary(issues: Iterable[RowIssue]) -> str:
    """``3 errors and 2 warnings``.

    >>> summary([RowIssue("a", 1, "", "m"), RowIssue("a", 2, "", "m", severity="warning")])
    '1 error and 1 warning'
    """
    n = Counter(i.severity for i in issues)
    parts = [f"{n[s]:,} {s}{'' if n[s] == 1 else 's'}" for s in ("error", "warning") if n[s]]
    return " and ".join(parts) or "no problems"
