"""Read a coalition workbook, whatever its container, into plain sheets of rows.

A workbook is a folder of CSV files (``organizations.csv``, ...) or a zip of them
(loaders/archive.py), one ``.xlsx`` with sheets of the same names, or one ``.yaml`` file
mapping sheet names to lists of rows. Each row keeps the position a person would look for it
at: the spreadsheet row (header = row 1) or YAML line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.errors import LoadError, RowIssue
from loaders import cells
from loaders.cells import shown

#: the sheets of a workbook, in the order they are read and validated
SHEETS = (
    "organizations", "people", "events", "programs",
    "participation", "relationships", "commitments", "metrics", "laws",
)


@dataclass
class Sheet:
    name: str
    file: str  # as shown to people: "organizations.csv" or "coalition.xlsx[organizations]"
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (row number, {column: value or None})
    #: every cell is already known to be text the stores can hold (loaders/cells.py): set
    #: by a reader that can tell for a whole file at once, so the plan need not check cells
    checked: bool = False


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


#: how deep a YAML workbook may nest: sheets → rows → cells is 3 levels. PyYAML's scanner
#: spends quadratic time on nesting and its composer recurses, so 100k '[' took minutes and
#: then overflowed the stack: refuse early instead.
MAX_YAML_DEPTH = 10
#: Excel's own row limit; a damaged .xlsx can claim any row number, and openpyxl fills the gap
MAX_XLSX_ROWS = 1_048_576
_SHOWN_LINES = 10  # line numbers listed in a warning before "and N more"


def _lines(numbers: list[int]) -> str:
    head = ", ".join(str(n) for n in numbers[:_SHOWN_LINES])
    more = len(numbers) - _SHOWN_LINES
    return head + (f" and {more:,} more" if more > 0 else "")


def _decode(raw: bytes, file: str, issues: list[RowIssue], what: str = "CSV") -> str:
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as e:
            line = raw[: e.start].decode("utf-16", errors="replace").count("\n") + 1
            raise LoadError([RowIssue(file, line, "", "the file is UTF-16 but is damaged on "
                                      "this line (a lone surrogate, or a cut-off file); save "
                                      "it again as 'CSV UTF-8'")]) from None
    nul = raw.find(b"\x00", 0, 4096)
    if nul >= 0:  # further on, a NUL is one bad cell (loaders/cells.py) in a text file
        fix = "export the sheet as CSV (UTF-8)" if what == "CSV" else "save it as UTF-8 text"
        raise LoadError([RowIssue(file, raw[:nul].count(b"\n") + 1, "", "this line holds a "
                                  f"NUL byte: this looks like a binary file, not {what} text; "
                                  f"{fix}")])
    try:
        return raw.decode("utf-8-sig")  # a BOM from Excel's "CSV UTF-8" is fine
    except UnicodeDecodeError:
        pass
    # A file pasted together from two exports can mix UTF-8 and Windows-1252 lines: decode
    # each line by itself, so the UTF-8 ones are not turned into mojibake.
    lines, legacy = [], []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
            legacy.append(number)
    issues.append(RowIssue(
        file, legacy[0], "",
        f"the file is not UTF-8 throughout: {len(legacy):,} line(s) ({_lines(legacy)}) were "
        "read as Windows-1252 (Latin-1), the others as UTF-8. Check accented names on those "
        "lines, and save the file as 'CSV UTF-8' to silence this warning",
        severity="warning",
    ))
    return "\n".join(lines).removeprefix("\ufeff")


def _duplicate_columns(file: str, header: list[str], row: int = 1) -> list[RowIssue]:
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(header, start=1):
        if name:  # blank header cells (trailing commas) name no column
            positions.setdefault(shown(name, None), []).append(position)
    repeated = [(name, at) for name, at in positions.items() if len(at) > 1]
    issues = [RowIssue(file, row, name, f"the column '{name}' appears {len(at)} times in the "
                       f"header (columns {_lines(at)}); keep one, so no value is silently "
                       "dropped") for name, at in repeated[:_SHOWN_LINES]]
    if len(repeated) > _SHOWN_LINES:  # one problem, however wide the header
        issues.append(RowIssue(file, row, "", f"and {len(repeated) - _SHOWN_LINES:,} more "
                               "column names appear more than once in the header"))
    return issues


def _quote_at(lines: list[str], first: int, last: int, dialect: Any) -> tuple[int, int, bool]:
    """Where the quote that breaks a record opened: ``(line, field index, closed)``.

    Scans physical lines ``first..last`` of one record the way the csv module does and
    returns the quote that is still open at the end, or that closed and was followed by
    text, or else the first one that spans a line break.
    """
    q, d = dialect.quotechar, dialect.delimiter
    state, field, opened, spanning = "start", 0, (first, 0), None
    for number in range(first, min(last, len(lines)) + 1):
        for ch in lines[number - 1]:
            if state == "quoted":
                if ch == q:
                    state = "after quote"
                elif ch in "\r\n" and spanning is None:
                    spanning = opened
            elif state == "after quote":
                if ch == q:
                    state = "quoted"  # a doubled quote stands for one
                elif ch == d:
                    state, field = "start", field + 1
                elif ch not in "\r\n":
                    return (*opened, True)
            elif ch == d:
                state, field = "start", field + 1
            elif state == "start" and ch == q:
                state, opened = "quoted", (number, field)
            elif ch not in "\r\n":
                state = "unquoted"
    if state == "quoted":
        return (*opened, False)
    return (*(spanning or opened), True)


def _column(header: list[str], index: int) -> str:
    from openpyxl.utils import get_column_letter  # the letter a spreadsheet shows

    name = header[index] if index < len(header) else ""
    return shown(name, None) if name else get_column_letter(index + 1)


#: the delimiters a CSV file may use: ',' (RFC 4180), ';' (Excel where ',' is the decimal
#: comma) and tab (tab-separated exports)
DELIMITERS = (",", ";", "\t")
_QUOTED = re.compile(r'"[^"]*"')


def delimiter(text: str) -> str:
    r"""The delimiter of a CSV file: the one its header line uses most, outside quotes.

    A header names columns, so it holds no stray commas or semicolons the way notes further
    down do; ties and a one-column header mean ','.

    >>> delimiter('id;name;note\n1;A;"x, y, z"\n')
    ';'
    >>> delimiter('"name; full",id,kind\n')
    ','
    >>> delimiter('id\tname\n'), delimiter('name\n')
    ('\t', ',')
    """
    start = 0
    while True:  # the first line that is not blank, without splitting a big file
        end = text.find("\n", start)
        header = text[start:] if end < 0 else text[start:end]
        if header.strip() or end < 0:
            break
        start = end + 1
    bare = _QUOTED.sub("", header)  # an unclosed quote leaves the rest to be counted
    counts = [(bare.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] else ","


def _why_wide(values: list[str], delimiter: str) -> str:
    """What to check in a row with more cells than its header has columns."""
    named = {",": "comma", ";": "semicolon", "\t": "tab"}[delimiter]
    spaced = next((i for i, v in enumerate(values) if v[:1] == " " and
                   v.lstrip().startswith('"')), None)
    if spaced is not None:
        return (f"cell {spaced + 1} starts with a space before its quote, and a quote quotes "
                f"a cell only as its first character: remove the space after the {named}")
    return f"check for an unquoted {named} (a cell holding one is written in \"quotes\")"


def _read_csv(path: Path, name: str, issues: list[RowIssue]) -> Sheet:
    return read_csv_bytes(path.read_bytes(), path.name, name, issues)


def read_csv_bytes(raw: bytes, file: str, name: str, issues: list[RowIssue]) -> Sheet:
    """One CSV sheet from its bytes; ``file`` is how problems name it."""
    text = _decode(raw, file, issues)
    if not text.strip():
        raise LoadError([RowIssue(file, 0, "", "the file is empty; it needs a header row "
                                  "naming its columns (see docs/workbook.md)")])
    # RFC 4180 always, as Excel and Python's csv module write it: '"' quotes a cell and is
    # doubled inside one, spaces belong to the cell. Only the delimiter is chosen, from the
    # header line: guessing quoting from a sample (csv.Sniffer) misread what came after it.
    dialect: Any = csv.excel()
    dialect.delimiter = delimiter(text)
    # Long cells are refused later with their row and column (loaders/cells.py); the csv
    # module's own limit would stop the file with neither. One fixed value, so concurrent
    # loads cannot lower it under each other.
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))
    # strict: a quote closed and followed by more text is an error, not a cell that
    # silently swallows the rows after it
    reader = csv.reader(io.StringIO(text, newline=""), dialect, strict=True)
    physical: list[str] = []
    header: list[str] = []

    def broken_quote(rownum: int, first: int, error: csv.Error) -> LoadError:
        physical[:] = physical or io.StringIO(text, newline="").readlines()
        line, index, closed = _quote_at(physical, first, reader.line_num, dialect)
        if closed:
            how = (f"closes on line {reader.line_num} but is followed by more text; a quote "
                   "inside a quoted cell is written twice (\"\")")
        else:
            how = "is never closed"
        return LoadError([RowIssue(file, rownum, _column(header, index),
                                   f"the quote that opens this cell on line {line} {how} "
                                   f"(csv: {error})")])

    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as e:
        raise broken_quote(1, 1, e) from None
    issues.extend(_duplicate_columns(file, header))
    rows: list[tuple[int, dict[str, Any]]] = []
    width = len(header)
    rownum = 1
    # A cell can be too long only if a line is, or if a quoted cell spans lines
    checked = cells.clean_text(text) and (len(text) <= cells.MAX_CELL_CHARS or max(
        map(len, text.split("\n"))) <= cells.MAX_CELL_CHARS)
    while True:
        first = reader.line_num + 1
        rownum += 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise broken_quote(rownum, first, e) from None
        if not any(values):
            continue
        if reader.line_num > first:
            checked = False
        if reader.line_num > first and len(values) != width:
            physical[:] = physical or io.StringIO(text, newline="").readlines()
            line, index, _ = _quote_at(physical, first, reader.line_num, dialect)
            issues.append(RowIssue(file, rownum, _column(header, index),
                                   f"this row runs from line {first} to line "
                                   f"{reader.line_num} and has {len(values)} cells, not "
                                   f"{width}: the quote that opens this cell on line {line} "
                                   "closes only on a later line; fix the quote if the cell "
                                   "is not meant to span lines"))
        elif len(values) > width:
            issues.append(RowIssue(file, rownum, "", f"the row has {len(values)} cells but "
                                   f"the header names {len(header)} columns; "
                                   + _why_wide(values, dialect.delimiter)))
        row = {h: (v.strip() or None) for h, v in zip(header, values, strict=False) if h}
        if any(row.values()):  # a row of blanks is no row
            rows.append((rownum, row))
    return Sheet(name, file, header, rows, checked)


class _TooManyRows(ValueError):
    pass


def _read_xlsx(path: Path, issues: list[RowIssue]) -> dict[str, Sheet]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a damaged file
        raise LoadError([RowIssue(path.name, 0, "", "cannot open as an .xlsx workbook: "
                                  f"{shown(e, 200)}")]) from e
    out: dict[str, Sheet] = {}
    try:
        by_name = {ws.title.strip().lower(): ws for ws in wb.worksheets}
        for name in SHEETS:
            ws = by_name.get(name)
            if ws is None:
                continue
            file = f"{path.name}[{ws.title}]"
            # A sheet's stated size may be wrong (or hostile): read the rows it has.
            ws.reset_dimensions()
            rownum = 1
            try:
                it = ws.iter_rows(values_only=True)
                first = next(it, None)
                if first is None or not any(c is not None for c in first):
                    issues.append(RowIssue(file, 1, "", "the sheet is empty; it needs a header "
                                           "row"))
                    continue
                header = [str(c).strip().lower() if c is not None else "" for c in first]
                issues.extend(_duplicate_columns(file, header))
                rows = []
                for rownum, values in enumerate(it, start=2):
                    if rownum > MAX_XLSX_ROWS:
                        raise _TooManyRows(f"more than {MAX_XLSX_ROWS:,} rows, Excel's limit")
                    if not any(v is not None and str(v).strip() for v in values):
                        continue
                    rows.append((rownum, {h: _clean(v) for h, v in
                                          zip(header, values, strict=False) if h}))
            except Exception as e:  # a damaged sheet: XML, numbers or dates that do not parse
                failed = rownum if isinstance(e, _TooManyRows) else rownum + 1
                raise LoadError([RowIssue(
                    file, failed, "", f"the sheet cannot be read from this row on: its "
                    f"data is damaged ({type(e).__name__}: {shown(e, 200)}); open the file in "
                    "Excel or LibreOffice and save it again")]) from e
            out[name] = Sheet(name, file, header, rows)
        unknown = sorted(set(by_name) - set(SHEETS))
        for u in unknown:
            issues.append(RowIssue(path.name, 0, "", f"sheet '{u}' is not part of the workbook "
                                   f"format and was ignored (known: {', '.join(SHEETS)})",
                                   severity="warning"))
    finally:
        wb.close()
    return out


# ---------------------------------------------------------------------------- YAML
# A workbook's YAML is read as text, the way its author typed it: `state: NO` is Norway's
# "NO", not False; `date: 2020-02-30` is a date to check, not a crash in PyYAML's
# timestamp constructor; `id: 0012` stays "0012". Only the YAML 1.2 nulls (`~`, `null`,
# nothing) mean an empty cell. Numbers and dates are then parsed by the columns that take
# them (loaders/schema.py), with the same rules as for CSV.


class _Mapping(dict[str, Any]):
    """A YAML mapping that knows its line and the lines of its keys, and its repeated keys."""

    line: int
    key_lines: dict[str, int]
    repeated: list[tuple[str, int, int]]  # (key, first line, repeated line)


class _List(list[Any]):
    lines: list[int]


def _too_deep(mark: Any) -> yaml.YAMLError:
    return yaml.scanner.ScannerError(
        None, None, f"the file nests more than {MAX_YAML_DEPTH} levels deep; a workbook is "
        "sheets of rows of cells (3 levels)", mark)


class _Scanner(yaml.scanner.Scanner):
    def fetch_flow_collection_start(self, token_class: Any) -> None:
        if self.flow_level + len(self.indents) >= MAX_YAML_DEPTH:
            raise _too_deep(self.get_mark())
        super().fetch_flow_collection_start(token_class)

    def add_indent(self, column: int) -> bool:
        if self.indent < column and len(self.indents) >= MAX_YAML_DEPTH:
            raise _too_deep(self.get_mark())
        return super().add_indent(column)


class _Composer(yaml.composer.Composer):
    def compose_node(self, parent: Any, index: Any) -> Any:
        # An alias of a list or mapping is how "billion laughs" grows a few hundred bytes into
        # gigabytes. A workbook's cells are single values, so an alias may name only a
        # value: expanded, the document is never bigger than the file.
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = self.anchors.get(event.anchor)
            if node is not None and not isinstance(node, yaml.ScalarNode):
                raise yaml.composer.ComposerError(
                    None, None, f"the alias *{event.anchor} stands for a list or mapping; "
                    "aliases may only repeat a single value, so write the rows out",
                    event.start_mark)
        return super().compose_node(parent, index)


class _Constructor(yaml.constructor.BaseConstructor):
    pass


def _construct_text(loader: _Constructor, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)  # explicit tags (!!int, !!timestamp) read as text
    if isinstance(node, yaml.SequenceNode):
        return _construct_list(loader, node)
    return _construct_mapping(loader, node)


def _construct_list(loader: _Constructor, node: yaml.SequenceNode) -> _List:
    out = _List(loader.construct_object(child, deep=True) for child in node.value)
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


def _construct_mapping(loader: _Constructor, node: yaml.MappingNode) -> _Mapping:
    out = _Mapping()
    out.line, out.key_lines, out.repeated = node.start_mark.line + 1, {}, []
    folded: dict[str, int] = {}  # column names are case-insensitive: 'Name' repeats 'name'
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a column name must be plain text, not a list or mapping",
                key_node.start_mark)
        key = loader.construct_object(key_node) or ""
        fold = key.strip().lower()
        if fold in folded:
            out.repeated.append((key, folded[fold], line))
            continue
        folded[fold] = line
        out.key_lines[key] = line
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_Constructor.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG, _construct_text)
_Constructor.add_constructor("tag:yaml.org,2002:null", lambda loader, node: None)
_Constructor.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_list)
_Constructor.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                             _construct_mapping)
_Constructor.add_constructor(None, _construct_text)  # any other tag


class _Resolver(yaml.resolver.BaseResolver):
    pass


_Resolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"),
                                ["~", "n", "N", ""])


class _WorkbookLoader(yaml.reader.Reader, _Scanner, yaml.parser.Parser, _Composer,
                      _Constructor, _Resolver):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        _Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


def _yaml_error(file: str, text: str, e: yaml.YAMLError) -> RowIssue:
    if isinstance(e, yaml.reader.ReaderError):
        line = text[: e.position].count("\n") + 1
        return RowIssue(file, line, "", f"not valid YAML: the line holds the character "
                        f"#x{e.character:04x}, which YAML does not allow ({e.reason}); "
                        "delete it")
    problem = getattr(e, "problem", None) or str(e)
    mark, context = getattr(e, "problem_mark", None), getattr(e, "context_mark", None)
    what = getattr(e, "context", None) or ""
    if context is not None and what.startswith("while "):
        # "while scanning a quoted scalar": name where the quote opened, not where the
        # scanner gave up (often the end of the file)
        at = f" on line {mark.line + 1}" if mark else ""
        return RowIssue(file, context.line + 1, "", f"not valid YAML: {what} that starts on "
                        f"this line, {problem}{at}")
    lead = f"{what}, " if what else ""
    return RowIssue(file, mark.line + 1 if mark else 0, "", f"not valid YAML: {lead}{problem}")


def _read_yaml(path: Path, issues: list[RowIssue]) -> dict[str, Sheet]:
    text = _decode(path.read_bytes(), path.name, issues, "YAML")
    try:
        doc = yaml.load(text, Loader=_WorkbookLoader)  # text only: see _Constructor
    except yaml.YAMLError as e:
        raise LoadError([_yaml_error(path.name, text, e)]) from None
    if not isinstance(doc, _Mapping):
        raise LoadError([RowIssue(path.name, 0, "", "expected a mapping of sheet names "
                                  f"({', '.join(SHEETS)}) to lists of rows")])
    for key, first, again in doc.repeated:
        issues.append(RowIssue(path.name, again, "", f"the sheet '{shown(key)}' appears twice "
                               f"(lines {first} and {again}); put all its rows in one list"))
    out: dict[str, Sheet] = {}
    for key, items in doc.items():
        name = key.strip().lower()
        line = doc.key_lines[key]
        if name not in SHEETS:
            issues.append(RowIssue(path.name, line, "", f"'{shown(key)}' is not a sheet of the "
                                   "workbook format and was ignored", severity="warning"))
            continue
        file = f"{path.name}[{name}]"
        if not isinstance(items, _List):
            issues.append(RowIssue(file, line, "", "expected a list of rows (each row starts "
                                   "with '- ')", value=shown(items)))
            continue
        rows, columns = [], {}  # a dict: an ordered set, fast for 100k-key rows too
        for item, item_line in zip(items, items.lines, strict=True):
            if not isinstance(item, _Mapping):
                issues.append(RowIssue(file, item_line, "", "each row must be a mapping of "
                                       "column: value", value=shown(item)))
                continue
            for column, first, again in item.repeated[:_SHOWN_LINES]:
                issues.append(RowIssue(file, item.line, shown(column.strip().lower()),
                                       f"the column is given twice in this row (lines {first} "
                                       f"and {again}); keep one, so no value is silently "
                                       "dropped"))
            more = len(item.repeated) - _SHOWN_LINES
            if more > 0:
                issues.append(RowIssue(file, item.line, "", f"and {more:,} more columns are "
                                       "given twice in this row"))
            row = {str(k).strip().lower(): _clean(v) for k, v in item.items()}
            row.pop("", None)  # a key left empty names no column
            columns.update(dict.fromkeys(row))
            rows.append((item.line, row))
        out[name] = Sheet(name, file, list(columns), rows)
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
    elif path.suffix.lower() == ".zip":
        from loaders.archive import read_members  # it knows nothing of sheets' contents

        members, ignored = read_members(path, SHEETS)
        wb.issues.extend(ignored)
        for name in SHEETS:
            if name in members:
                m = members[name]
                wb.sheets[name] = read_csv_bytes(m.data, m.shown, name, wb.issues)
    elif path.suffix.lower() == ".csv":
        raise LoadError([RowIssue(path.name, 0, "", "a workbook is a folder of CSV files, not "
                                  "one CSV; put it in a folder with the other sheets and load "
                                  "the folder")])
    else:
        raise LoadError([RowIssue(path.name, 0, "", "unknown workbook type; use a folder of "
                                  ".csv files, a .zip of them, an .xlsx file or a .yaml "
                                  "file")])
    if not wb.sheets and not any(i.severity == "error" for i in wb.issues):
        wb.issues.append(RowIssue(path.name, 0, "", "no sheets found; expected at least one of "
                                  + ", ".join(f"{s}.csv" for s in SHEETS)))
    return wb
