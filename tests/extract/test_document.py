"""Reading reports: every format to the same sentences, and a clear refusal of what cannot be
read (the file named, never a traceback)."""

from __future__ import annotations

import textwrap
import zipfile
from pathlib import Path

import pytest

from graph.errors import LoadError
from loaders.extract import draft_report
from loaders.extract.document import read_document
from tests.extract.helpers import REPORTS, pdf_bytes, write_docx

BOISE = REPORTS / "synthetic_boise.txt"


def _paragraphs(path: Path) -> list[str]:
    return [p.replace("\n", " ") for p in path.read_text(encoding="utf-8").split("\n\n")
            if p.strip()]


def _orgs(draft) -> set[str]:
    return {r.cells["name"] for r in draft.sheet("organizations")}


def _events(draft) -> set[tuple]:
    return {(r.cells["name"], r.cells.get("date"), r.cells.get("state"))
            for r in draft.sheet("events")}


def test_markdown_markup_is_dropped_and_lines_are_kept(tmp_path: Path) -> None:
    report = tmp_path / "r.md"
    report.write_text("# Title Here\n\n**92%** of [respondents](http://x.org) said they "
                      "know what next steps to take.\n\n- · Acme Freight has pledged to "
                      "train 12 drivers with TAT training.\n", encoding="utf-8")
    doc = read_document(report)
    texts = {s.text: s.line for s in doc.sentences}
    assert texts["92% of respondents said they know what next steps to take."] == 3
    assert texts["Acme Freight has pledged to train 12 drivers with TAT training."] == 5
    assert doc.sentences[0].heading and doc.sentences[0].text == "Title Here"


def test_a_headline_figure_joins_the_statement_under_it(tmp_path: Path) -> None:
    report = tmp_path / "r.md"
    report.write_text("# 98%\n\n**of respondents said they would recommend it.**\n\n"
                      "97%\n\n**97%** of respondents agreed the survivor's story was "
                      "powerful.\n", encoding="utf-8")
    texts = [s.text for s in read_document(report).sentences]
    assert "98% of respondents said they would recommend it." in texts
    assert texts.count("97% of respondents agreed the survivor's story was powerful.") == 1
    assert "97%" not in texts


def test_goals_and_instructions_are_programme_text(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text("Goals\n\n1. Gather leaders from the Department of Public Safety.\n\n"
                      "Motivate truck stops to train employees.\n\nThe goal is to build "
                      "trust.\n\nThere were 40 participants at the meeting.\n",
                      encoding="utf-8")
    flags = {s.text: s.programme for s in read_document(report).sentences if not s.heading}
    assert flags == {"Gather leaders from the Department of Public Safety.": True,
                     "Motivate truck stops to train employees.": True,
                     "The goal is to build trust.": True,
                     "There were 40 participants at the meeting.": False}


def test_a_pdf_draft_equals_the_text_draft(tmp_path: Path) -> None:
    """A PDF breaks lines where its layout does; the draft is the same as from the text."""
    lines: list[str] = []
    for para in _paragraphs(BOISE):
        lines += textwrap.wrap(para, 95)
    pdf = tmp_path / "boise.pdf"
    pdf.write_bytes(pdf_bytes(lines))
    from_pdf, from_text = draft_report(pdf), draft_report(BOISE)
    assert _orgs(from_pdf) == _orgs(from_text) and len(_orgs(from_text)) >= 7
    assert _events(from_pdf) == _events(from_text)
    assert {r.cells["citation"] for r in from_pdf.rows} == {"boise.pdf"}


def test_a_docx_draft_equals_the_text_draft(tmp_path: Path) -> None:
    paras = _paragraphs(BOISE)
    blocks = [("heading", paras[1])] + [("text", p) for p in paras[2:]]
    docx = write_docx(tmp_path / "boise.docx", [("text", paras[0]), *blocks])
    from_docx, from_text = draft_report(docx), draft_report(BOISE)
    assert _orgs(from_docx) == _orgs(from_text)
    assert _events(from_docx) == _events(from_text)
    assert {r.cells.get("name") for r in from_docx.sheet("people")} == \
        {r.cells.get("name") for r in from_text.sheet("people")}


def test_docx_lists_and_tables_are_read(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading("Outcomes", level=1)
    d.add_paragraph("Acme Freight has pledged to train 40 drivers with TAT training.",
                    style="List Bullet")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Delta Bus Lines"
    table.rows[0].cells[1].text = "Delta Bus Lines has adopted BOTL training."
    d.save(str(tmp_path / "r.docx"))
    texts = [s.text for s in read_document(tmp_path / "r.docx").sentences]
    assert "Acme Freight has pledged to train 40 drivers with TAT training." in texts
    assert "Delta Bus Lines has adopted BOTL training." in texts


def _damaged_docx(p: Path) -> None:
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "not a word document")


@pytest.mark.parametrize("name, make, expected", [
    ("gone.txt", None, "no such file"),
    ("report.rtf", lambda p: p.write_text("{\\rtf1 hi}"), "unknown report type '.rtf'"),
    ("empty.md", lambda p: p.write_text("  \n\n"), "holds no text"),
    ("binary.txt", lambda p: p.write_bytes(b"\x00\x01\x02PK" * 50), "binary file"),
    ("broken.pdf", lambda p: p.write_bytes(b"%PDF-1.4\nthis is not a pdf"), "damaged"),
    ("scanned.pdf", lambda p: p.write_bytes(pdf_bytes([])), "scanned PDF"),
    ("broken.docx", _damaged_docx, "not a readable .docx"),
    ("notzip.docx", lambda p: p.write_text("plain text"), "not a readable .docx"),
])
def test_unreadable_reports_are_refused_naming_the_file(tmp_path: Path, name, make,
                                                        expected) -> None:
    path = tmp_path / name
    if make:
        make(path)
    with pytest.raises(LoadError) as e:
        read_document(path)
    assert expected in str(e.value) and name in str(e.value)
    assert "nothing was drafted" in str(e.value)


def test_a_folder_is_not_a_report(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="this is a folder"):
        read_document(tmp_path)


def test_windows_1252_text_is_read(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_bytes("The Peña County Sheriff’s Office hosted a meeting.".encode("cp1252"))
    assert "Peña County Sheriff's Office" in read_document(report).sentences[0].text


def test_a_run_on_line_is_cut_into_bounded_sentences(tmp_path: Path) -> None:
    """A flattened table or a list without stops is no sentence: patterns never scan more
    than MAX_SENTENCE characters at once (a 300 KB line took minutes before the cut)."""
    from loaders.extract.document import MAX_SENTENCE

    words = ["Alpha", "Beta", "of", "the", "Association", "and", "Inc."] * 6000
    report = tmp_path / "runon.txt"
    report.write_text(" ".join(words), encoding="utf-8")
    sentences = read_document(report).sentences
    assert len(sentences) > 100
    assert max(len(s.text) for s in sentences) <= MAX_SENTENCE
    assert " ".join(s.text for s in sentences).split() == " ".join(words).split()
