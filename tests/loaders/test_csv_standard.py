"""CSV is read by RFC 4180, whatever is further down the file: '"' quotes a cell, a quote
inside one is doubled, and only the delimiter (',' ';' tab) is chosen, from the header line.

Every organization and note below is SYNTHETIC, except the seed's own relationships.csv."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graph.errors import LoadError
from loaders.sources import delimiter, read_workbook
from tests.conftest import SEED

HEADER = "id,name,kind,state,note"


def rows_of(folder: Path, sheet: str = "organizations") -> dict[str, dict[str, str | None]]:
    wb = read_workbook(folder)
    assert not [i for i in wb.issues if i.severity == "error"], wb.issues
    return {r["id"]: r for _, r in wb.sheets[sheet].rows}


def write(folder: Path, text: str | bytes, sheet: str = "organizations") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    (folder / f"{sheet}.csv").write_bytes(data)
    return folder


def padding(n: int) -> str:
    """``n`` plain rows (about 40 bytes each), so what follows is past the first 4 KB."""
    return "".join(f"org:ms:pad-{i},Pad Stop {i},truck stop,MS,\n" for i in range(n))


def test_a_doubled_quote_after_the_first_4_kb(tmp_path: Path) -> None:
    text = HEADER + "\n" + padding(150) + 'org:ms:ht,"the ""HT"" desk",truck stop,MS,\n'
    assert text.index('""HT""') > 4096
    got = rows_of(write(tmp_path / "wb", text))
    assert got["org:ms:ht"]["name"] == 'the "HT" desk'
    assert len(got) == 151


def test_single_quoted_phrases_keep_their_quotes_and_commas_stay_delimiters(
        tmp_path: Path) -> None:
    # csv.Sniffer took ';' for the delimiter of this comma file (and quote "'")
    text = (HEADER + "\n"
            "org:ms:a,A Stop,truck stop,MS,'x; y'; 'z; w';\n"
            "org:ms:b,B Stop,truck stop,MS,'p; q'; 'r';\n"
            "org:ms:c,C Stop,truck stop,MS,said 'we will' (undated)\n")
    got = rows_of(write(tmp_path / "wb", text))
    assert got["org:ms:a"]["note"] == "'x; y'; 'z; w';"
    assert got["org:ms:b"]["kind"] == "truck stop"
    assert got["org:ms:c"]["note"] == "said 'we will' (undated)"


def test_the_seed_note_keeps_its_quote_marks() -> None:
    wb = read_workbook(SEED)
    row2 = dict(wb.sheets["relationships"].rows)[2]
    assert row2["note"] == ("'TAT ultimately played a part in a relationship that I have "
                            "formed with Quality Carriers' (when and where is not stated)")


def test_python_csv_writer_output_reads_back_cell_for_cell(tmp_path: Path) -> None:
    cells = [["org:ms:w1", 'He said "stop", twice', "truck stop", "MS", "line one\nline two"],
             ["org:ms:w2", "O'Brien's Stop", "truck stop", "MS", '"'],
             ["org:ms:w3", "Comma, Inc", "truck stop", "MS", "a ;semicolon\tand tab"]]
    folder = tmp_path / "wb"
    folder.mkdir()
    with open(folder / "organizations.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER.split(","))
        w.writerows(cells)
    got = rows_of(folder)
    for row in cells:
        assert [got[row[0]][c] for c in HEADER.split(",")] == row


def test_excel_semicolon_csv_with_bom_and_crlf(tmp_path: Path) -> None:
    # Excel where ',' is the decimal comma writes ';' between cells, a BOM, and CRLF
    text = ("\ufeffid;name;kind;state;note\r\n"
            "org:ms:sj;Smith, Jones Trucking;trucking company;MS;\"a \"\"quoted\"\" word\"\r\n")
    got = rows_of(write(tmp_path / "wb", text))
    assert got["org:ms:sj"]["name"] == "Smith, Jones Trucking"
    assert got["org:ms:sj"]["note"] == 'a "quoted" word'


def test_utf16_tab_separated_as_excel_unicode_text(tmp_path: Path) -> None:
    text = "id\tname\tkind\tstate\norg:ms:u\tÜber Stop, Ltd\ttruck stop\tMS\n"
    got = rows_of(write(tmp_path / "wb", text.encode("utf-16")))
    assert got["org:ms:u"]["name"] == "Über Stop, Ltd"


def test_the_header_line_decides_even_when_rows_hold_other_delimiters(tmp_path: Path) -> None:
    # two semicolons in every note, one comma in the header: still a comma file
    text = "id,name\n" + "".join(f"org:{i},\"a;b;c {i}\"\n" for i in range(5))
    assert delimiter(text) == ","
    assert rows_of(write(tmp_path / "wb", text))["org:3"]["name"] == "a;b;c 3"


@pytest.mark.parametrize(("header", "want"), [
    ("id,name,kind", ","), ("id;name;kind", ";"), ("id\tname\tkind", "\t"),
    ('"a,b";c;d', ";"),  # a delimiter inside a quoted column name does not count
    ("name", ","), ("\n\nid;name", ";"),  # blank lines before the header are skipped
    ('id;x;"name,kind', ";"),  # unclosed quote: the rest is counted as it is (2 ';', 1 ',')
    ('id;"name,kind', ","),  # ... and a tie means ','
])
def test_delimiter_from_the_header_line(header: str, want: str) -> None:
    assert delimiter(header + "\nx,y;z\tw\n") == want


def test_a_space_before_a_quote_is_named(tmp_path: Path) -> None:
    # RFC 4180: a quote quotes a cell only as its first character
    text = HEADER + '\norg:ms:sp,A Stop, "Biloxi, MS",MS,\n'
    wb = read_workbook(write(tmp_path / "wb", text))
    [issue] = [i for i in wb.issues if i.severity == "error"]
    assert (issue.file, issue.row) == ("organizations.csv", 2)
    assert "cell 3 starts with a space before its quote" in issue.message
    assert "remove the space after the comma" in issue.message


def test_too_many_cells_names_the_delimiter_in_use(tmp_path: Path) -> None:
    text = "id;name;kind\norg:a;A;truck stop;extra\n"
    wb = read_workbook(write(tmp_path / "wb", text))
    [issue] = [i for i in wb.issues if i.severity == "error"]
    assert "has 4 cells but the header names 3 columns" in issue.message
    assert "unquoted semicolon" in issue.message


def test_an_unbalanced_quote_past_4_kb_names_the_line_it_opens_on(tmp_path: Path) -> None:
    text = HEADER + "\n" + padding(150) + 'org:ms:q,"Quote Stop,truck stop,MS,\n'
    with pytest.raises(LoadError) as info:
        read_workbook(write(tmp_path / "wb", text))
    [issue] = info.value.issues
    # header = line 1, 150 padding rows = lines 2..151, the broken row is line 152
    assert (issue.row, issue.column) == (152, "name")
    assert "opens this cell on line 152 is never closed" in issue.message


def test_semicolon_file_unbalanced_quote(tmp_path: Path) -> None:
    text = 'id;name;kind\norg:a;A;truck stop\norg:b;"B";x;truck stop\norg:c;"C;truck stop\n'
    with pytest.raises(LoadError) as info:
        read_workbook(write(tmp_path / "wb", text))
    [issue] = info.value.issues
    assert (issue.row, issue.column) == (4, "name")
    assert "on line 4 is never closed" in issue.message
