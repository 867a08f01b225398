"""Read a coalition workbook, whatever its container, into plain sheets of rows.

A workbook is a folder of CSV files (``organizations.csv``, ...), one ``.xlsx`` with sheets of
the same names, or one ``.yaml`` file mapping sheet names to lists of rows. Each row keeps the
position a person would look for it at: the spreadsheet row (header = row 1) or YAML line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.errors import LoadError, RowIssue

#: the sheets of a workbook, in the order they are read and validated
SHEETS = (
    "organizations", "people", "events", "programs",
    "participation", "relationships", "commitments", "metrics",
)


@dataclass
class Sheet:
    name: str
    file: str  # as shown to people: "organizations.csv" or "coalition.xlsx[organizations]"
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (row number, {column: value or None})


@dataclass
class Workbook:
    path: Path
    sheets: dict[str, Sheet] = field(default_factory=dict)
    issues: list[RowIssue] = field(default_factory=list)


def _clean(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _decode(raw: bytes, file: str, issues: list[RowIssue]) -> str:
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise LoadError([RowIssue(file, 0, "", "this looks like a binary file, not CSV text; "
                                  "export the sheet as CSV (UTF-8)")])
    try:
        return raw.decode("utf-8-sig")  # a BOM from Excel's "CSV UTF-8" is fine
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        issues.append(RowIssue(
            file, line, "",
            "the file is not UTF-8; it was read as Windows-1252 (Latin-1). Check accented "
            "names, and save the file as 'CSV UTF-8' to silence this warning",
            severity="warning",
        ))
        return raw.decode("cp1252", errors="replace")


def _read_csv(path: Path, name: str, issues: list[RowIssue]) -> Sheet:
    text = _decode(path.read_bytes(), path.name, issues)
    if not text.strip():
        raise LoadError([RowIssue(path.name, 0, "", "the file is empty; it needs a header row "
                                  "naming its columns (see docs/workbook.md)")])
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = [h.strip().lower() for h in next(reader)]
    rows: list[tuple[int, dict[str, Any]]] = []
    width = len(header)
    for rownum, values in enumerate(reader, start=2):
        if not any(values):
            continue
        if len(values) > width:
            issues.append(RowIssue(path.name, rownum, "", f"the row has {len(values)} cells but "
                                   f"the header names {len(header)} columns; check for an "
                                   "unquoted comma"))
        row = {h: (v.strip() or None) for h, v in zip(header, values, strict=False) if h}
        if any(row.values()):  # a row of blanks is no row
            rows.append((rownum, row))
    return Sheet(name, path.name, header, rows)


def _read_xlsx(path: Path, issues: list[RowIssue]) -> dict[str, Sheet]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a damaged file
        raise LoadError([RowIssue(path.name, 0, "", f"cannot open as an .xlsx workbook: {e}")]
                        ) from e
    out: dict[str, Sheet] = {}
    try:
        by_name = {ws.title.strip().lower(): ws for ws in wb.worksheets}
        for name in SHEETS:
            ws = by_name.get(name)
            if ws is None:
                continue
            file = f"{path.name}[{ws.title}]"
            it = ws.iter_rows(values_only=True)
            first = next(it, None)
            if first is None or not any(c is not None for c in first):
                issues.append(RowIssue(file, 1, "", "the sheet is empty; it needs a header row"))
                continue
            header = [str(c).strip().lower() if c is not None else "" for c in first]
            rows = []
            for rownum, values in enumerate(it, start=2):
                if not any(v is not None and str(v).strip() for v in values):
                    continue
                rows.append((rownum, {h: _clean(v) for h, v in zip(header, values, strict=False)
                                      if h}))
            out[name] = Sheet(name, file, header, rows)
        unknown = sorted(set(by_name) - set(SHEETS))
        for u in unknown:
            issues.append(RowIssue(path.name, 0, "", f"sheet '{u}' is not part of the workbook "
                                   f"format and was ignored (known: {', '.join(SHEETS)})",
                                   severity="warning"))
    finally:
        wb.close()
    return out


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line each mapping starts on."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path, issues: list[RowIssue]) -> dict[str, Sheet]:
    try:
        doc = yaml.load(_decode(path.read_bytes(), path.name, issues), Loader=_LineLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise LoadError([RowIssue(path.name, mark.line + 1 if mark else 0, "",
                                  f"not valid YAML: {getattr(e, 'problem', e)}")]) from e
    if not isinstance(doc, dict):
        raise LoadError([RowIssue(path.name, 0, "", "expected a mapping of sheet names "
                                  f"({', '.join(SHEETS)}) to lists of rows")])
    doc.pop("__line__", None)
    out: dict[str, Sheet] = {}
    for key, items in doc.items():
        name = str(key).strip().lower()
        if name not in SHEETS:
            issues.append(RowIssue(path.name, 0, "", f"'{key}' is not a sheet of the workbook "
                                   "format and was ignored", severity="warning"))
            continue
        if not isinstance(items, list):
            issues.append(RowIssue(path.name, 0, name, "expected a list of rows"))
            continue
        rows, columns = [], []
        for item in items:
            if not isinstance(item, dict):
                issues.append(RowIssue(path.name, 0, name, "each row must be a mapping "
                                       "of column: value", value=str(item)[:60]))
                continue
            line = item.pop("__line__", 0)
            row = {str(k).strip().lower(): _clean(v) for k, v in item.items()}
            columns.extend(c for c in row if c not in columns)
            rows.append((line, row))
        out[name] = Sheet(name, f"{path.name}[{name}]", columns, rows)
    return out


def read_workbook(path: Path) -> Workbook:
    """Read a workbook folder or file. Raises LoadError if there is nothing to read."""
    path = Path(path)
    wb = Workbook(path=path)
    if not path.exists():
        raise LoadError([RowIssue(str(path), 0, "", "no such file or folder")])
    if path.is_dir():
        files = {p.stem.strip().lower(): p for p in path.glob("*.csv")}
        for name in SHEETS:
            if name in files:
                wb.sheets[name] = _read_csv(files[name], name, wb.issues)
        for stem in sorted(set(files) - set(SHEETS)):
            wb.issues.append(RowIssue(files[stem].name, 0, "", "not a sheet of the workbook "
                                      "format; ignored", severity="warning"))
    elif path.suffix.lower() in {".xlsx", ".xlsm"}:
        wb.sheets = _read_xlsx(path, wb.issues)
    elif path.suffix.lower() in {".yaml", ".yml"}:
        wb.sheets = _read_yaml(path, wb.issues)
    elif path.suffix.lower() == ".csv":
        raise LoadError([RowIssue(path.name, 0, "", "a workbook is a folder of CSV files, not "
                                  "one CSV; put it in a folder with the other sheets and load "
                                  "the folder")])
    else:
        raise LoadError([RowIssue(path.name, 0, "", "unknown workbook type; use a folder of "
                                  ".csv files, an .xlsx file or a .yaml file")])
    if not wb.sheets and not any(i.severity == "error" for i in wb.issues):
        wb.issues.append(RowIssue(path.name, 0, "", "no sheets found; expected at least one of "
                                  + ", ".join(f"{s}.csv" for s in SHEETS)))
    return wb
