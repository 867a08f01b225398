"""A zip of CSV files is a workbook: the zip a person makes of a workbook folder, or a
download of one (``coalition load coalition.zip``, and the upload at ``POST /api/import``).

Read safely, since an upload comes from anyone with an editor key:

- nothing is extracted to disk: members are read into memory, so a name such as
  ``../../etc/passwd`` cannot write anywhere; such names (absolute, a drive, ``..``) are
  refused anyway, since no workbook needs them;
- a budget against zip bombs: at most :data:`MAX_ENTRIES` entries and :data:`MAX_DIRECTORY`
  bytes of directory (both read from the end record first), :data:`MAX_BYTES` of CSV once
  inflated, and no member inflating more than :data:`MAX_RATIO` times its compressed size,
  all checked on the sizes the zip declares before anything is inflated. A forged
  size cannot get past them: ``zipfile`` inflates no more than the declared size (the
  CRC check then fails), and the bytes are counted as they are inflated as well;
- password-protected members, and compression methods Python cannot read, are refused.

The sheets may be at the top of the zip or in one folder inside it (a zipped folder:
``coalition/organizations.csv``); macOS's ``__MACOSX/`` copies and hidden files are skipped.
Problems name a member as ``coalition.zip[organizations.csv]`` (with its folder, if any).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from graph.errors import LoadError, RowIssue

#: a workbook has nine sheets; room for the notes and readmes people put beside them
MAX_ENTRIES = 1_000
#: CSV text once inflated, all members together: well above any real workbook (the 50,000
#: organization benchmark workbook is about 40 MB), well below what would exhaust memory
MAX_BYTES = 1 << 30
#: CSV deflates 5 to 20 times, repetitive synthetic text up to ~100; a bomb ~1,000
MAX_RATIO = 200
_RATIO_FROM = 1 << 20  # tiny members may have any ratio (a header-only file)
#: the central directory of MAX_ENTRIES entries with long names fits in this; zipfile reads
#: the whole directory when it opens a zip (300,000 entries: 2 s and 300 MB), so its
#: declared size and count are checked first
MAX_DIRECTORY = 4 << 20
_CHUNK = 1 << 20


@dataclass
class Member:
    path: str  # inside the zip, '/'-separated
    shown: str  # how problems name it: coalition.zip[organizations.csv]
    data: bytes


def _refuse(file: str, message: str) -> LoadError:
    return LoadError([RowIssue(file, 0, "", message)], f"{file} cannot be read as a workbook; "
                     "nothing was written.")


def _unsafe(name: str) -> bool:
    """A member name that points outside the zip.

    >>> [_unsafe(n) for n in ("a/organizations.csv", "../x.csv", "/etc/x.csv", "C:/x.csv",
    ...                       "a/../../x.csv", "a\\\\..\\\\x.csv")]
    [False, True, True, True, True, True]
    """
    name = name.replace("\\", "/")
    parts = PurePosixPath(name).parts
    return name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in parts


def _skipped(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return (not parts or parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts)
            or name.endswith("/"))


def read_members(path: Path, sheets: tuple[str, ...]) -> tuple[dict[str, Member],
                                                                list[RowIssue]]:
    """The members of the zip at ``path`` that are sheets (by stem: ``organizations.csv``),
    read, and warnings for the files ignored. Raises LoadError if the zip is unsafe or
    cannot be read."""
    file = path.name
    entries, size = _directory(path)
    if entries > MAX_ENTRIES or size > MAX_DIRECTORY:
        raise _refuse(file, f"the zip holds {entries:,} entries ({size:,} bytes of directory); "
                      f"a workbook zip may hold at most {MAX_ENTRIES:,} (its nine CSV "
                      "sheets and a few more)")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise _refuse(file, f"not a readable zip file ({e}); zip the workbook folder again, "
                      "or load the folder itself") from None
    warnings: list[RowIssue] = []
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _refuse(file, f"the zip holds {len(infos):,} entries; a workbook zip may "
                          f"hold at most {MAX_ENTRIES:,} (its nine CSV sheets and a few more)")
        chosen: dict[str, zipfile.ZipInfo] = {}
        folders: set[str] = set()
        for info in infos:
            name = info.filename.replace("\\", "/")
            if _unsafe(name):
                raise _refuse(file, f"the zip entry '{info.filename}' points outside the zip "
                              "(an absolute path or '..'); zip the workbook folder again")
            if _skipped(name):
                continue
            p = PurePosixPath(name)
            if p.suffix.lower() != ".csv":
                if p.suffix.lower() in {".xlsx", ".xlsm", ".yaml", ".yml", ".zip"}:
                    warnings.append(RowIssue(f"{file}[{name}]", 0, "", "a workbook zip holds "
                                             "CSV files; this file was ignored (load it by "
                                             "itself)", severity="warning"))
                continue
            stem = p.stem.strip().lower()
            if stem not in sheets:
                warnings.append(RowIssue(f"{file}[{name}]", 0, "", "not a sheet of the "
                                         "workbook format; ignored", severity="warning"))
                continue
            folders.add(str(p.parent))
            if stem in chosen and str(PurePosixPath(chosen[stem].filename).parent) == \
                    str(p.parent):
                raise _refuse(file, f"the zip holds the {stem} sheet twice "
                              f"({chosen[stem].filename} and {info.filename}); keep one")
            chosen[stem] = info
        if len(folders) > 1:
            listed = ", ".join(sorted(f"{f}/" if f != "." else "the top" for f in folders))
            raise _refuse(file, f"the zip holds sheets in several folders ({listed}); a "
                          "workbook zip holds one workbook, at its top or in one folder")
        declared = sum(i.file_size for i in chosen.values())
        if declared > MAX_BYTES:
            raise _refuse(file, f"the sheets would inflate to {declared:,} bytes; a "
                          f"workbook zip may hold at most {MAX_BYTES:,} bytes of CSV")
        for info in chosen.values():  # every sheet checked before any is inflated
            _check_member(info, f"{file}[{info.filename}]")
        out: dict[str, Member] = {}
        budget = MAX_BYTES
        for stem, info in chosen.items():
            shown = f"{file}[{info.filename}]"
            data = _read_member(zf, info, shown, budget)
            budget -= len(data)
            out[stem] = Member(info.filename, shown, data)
    return out, warnings


def _directory(path: Path) -> tuple[int, int]:
    """The number of entries and the size of the central directory the zip declares (from
    its end record, ZIP64 too), read without reading the directory; (0, 0) when there is no
    end record, which zipfile then refuses by itself."""
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        length = fh.tell()
        fh.seek(max(0, length - (22 + 65_535)))  # the end record, and a comment up to 64 KB
        tail = fh.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) < at + 22:
            return 0, 0
        entries = int.from_bytes(tail[at + 10:at + 12], "little")
        size = int.from_bytes(tail[at + 12:at + 16], "little")
        locator = at - 20
        if (entries == 0xFFFF or size == 0xFFFFFFFF) and locator >= 0 and \
                tail[locator:locator + 4] == b"PK\x06\x07":
            fh.seek(int.from_bytes(tail[locator + 8:locator + 16], "little"))
            record = fh.read(56)
            if record[:4] == b"PK\x06\x06":
                entries = int.from_bytes(record[32:40], "little")
                size = int.from_bytes(record[40:48], "little")
        return entries, size


def _check_member(info: zipfile.ZipInfo, shown: str) -> None:
    if info.flag_bits & 0x1:
        raise _refuse(shown, "the file is password-protected; zip it again without a "
                      "password")
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_FROM and ratio > MAX_RATIO:
        raise _refuse(shown, f"the file inflates {ratio:,.0f} times its packed size (at most "
                      f"{MAX_RATIO} for a CSV file): this looks like a zip bomb, not a "
                      "workbook")


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str, budget: int
                 ) -> bytes:
    limit = min(budget, info.file_size)
    parts: list[bytes] = []
    got = 0
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                got += len(chunk)
                if got > limit:
                    why = ("more than its header declares" if limit == info.file_size else
                           f"past the budget of {MAX_BYTES:,} bytes for all sheets")
                    raise _refuse(shown, f"the file inflates to {why}; the zip is damaged "
                                  "or forged: zip the workbook folder again")
                parts.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError,
            ValueError) as e:  # a CRC error, a method Python cannot inflate, ...
        raise _refuse(shown, f"the file cannot be read from the zip ({e}); zip the "
                      "workbook folder again") from None
    return b"".join(parts)
