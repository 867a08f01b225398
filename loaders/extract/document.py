"""Read a report (plain text, Markdown, PDF, DOCX) into sentences a person would quote.

Markup is dropped (``**92%**`` is ``92%``), lines broken by a PDF's layout are joined again,
and each sentence keeps the line it starts on, the heading it sits under, and whether it is
*programme text*: goals, missions and instructions ("Gather leaders from ...") describe what
a coalition build is for, not what happened at one, so facts are not drafted from them.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import LoadError, RowIssue

#: report types and how they are read
SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
            ".pdf": "pdf", ".docx": "docx"}
#: a report larger than this is not an impact report (and would take minutes to scan)
MAX_BYTES = 50 * 1024 * 1024
MAX_CHARS = 2_000_000


@dataclass
class Sentence:
    text: str
    line: int  # 1-based line of the extracted text where the sentence starts
    section: str  # the heading it sits under ("" before the first heading)
    programme: bool  # goal, mission or instruction text: no facts from it
    heading: bool  # a heading, title or dateline line, not running text
    index: int = 0  # position in the document
    repeat: bool = False  # the same text came earlier (a page header, a pasted paragraph)


@dataclass
class Document:
    path: Path
    kind: str  # text, markdown, pdf, docx
    text: str
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name


def _problem(path: Path, message: str, line: int = 0) -> LoadError:
    return LoadError([RowIssue(path.name, line, "", message)],
                     f"cannot read the report {path.name}; nothing was drafted.")


def read_document(path: Path) -> Document:
    """The text of a report, split into sentences. LoadError for what cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise _problem(path, "no such file" if not path.exists() else
                       "this is a folder; give the report file itself")
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise _problem(path, f"unknown report type {path.suffix or '(no extension)'!r}; "
                       "give a .txt, .md, .pdf or .docx file")
    if path.stat().st_size > MAX_BYTES:
        raise _problem(path, f"the file is larger than {MAX_BYTES // 2**20} MB; an impact "
                       "report is a few pages: split it, or save it without images")
    if kind in ("text", "markdown"):
        text = _decode(path.read_bytes(), path)
    elif kind == "pdf":
        text = _read_pdf(path)
    else:
        text = _read_docx(path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")[:MAX_CHARS]
    if not re.search(r"[A-Za-z]{2,}", text):
        hint = " (a scanned PDF holds pictures of text: run it through OCR first)" \
            if kind == "pdf" else ""
        raise _problem(path, f"the report holds no text{hint}")
    doc = Document(path, kind, text)
    doc.sentences = split_sentences(text)
    return doc


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise _problem(path, "the file is UTF-16 but damaged; save it again as UTF-8 "
                           "text") from None
    if b"\x00" in raw[:4096]:
        raise _problem(path, "this looks like a binary file, not text; give the report as "
                       ".txt, .md, .pdf or .docx")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # an old Windows export


def _read_pdf(path: Path) -> str:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        with pdfplumber.open(path) as pdf:
            # Pages apart by a blank line, so a sentence never runs from a footer into the
            # next page's heading.
            return "\n\n".join(page.extract_text() or "" for page in pdf.pages)
    except PDFPasswordIncorrect:
        raise _problem(path, "the PDF is protected by a password; save an unprotected "
                       "copy") from None
    except (PDFSyntaxError, pdfplumber.utils.exceptions.PdfminerException, ValueError,
            KeyError, TypeError, AssertionError) as e:
        # pdfminer raises what its parser met; none of it is for people to read
        raise _problem(path, f"the PDF is damaged or not a PDF ({type(e).__name__}); "
                       "export it from its source again") from None


def _read_docx(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise _problem(path, f"the file is not a readable .docx ({type(e).__name__}); "
                       "save it again from Word or LibreOffice as .docx") from None
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = docx.text.paragraph.Paragraph(block, document)
            style = (para.style.name if para.style is not None else "") or ""
            text = para.text.strip()
            if not text:
                lines.append("")
            elif style.lower().startswith(("heading", "title")):
                lines += ["", "# " + text, ""]
            elif "list number" in style.lower():
                lines.append("1. " + text)
            elif "list" in style.lower():
                lines.append("- " + text)
            else:
                lines += [text, ""]
        elif tag == "tbl":
            table = docx.table.Table(block, document)
            for row in table.rows:  # a table of outcomes or numbers: one line per cell
                for cell in row.cells:
                    if cell.text.strip():
                        lines += [cell.text.strip(), ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------- markup

_HEADING = re.compile(r"^\s*#{1,6}\s*")
_BULLET = re.compile(r"^\s*(?:[-*+•·▪◦‣●○■□➢✓]\s*)+")
_NUMBERED = re.compile(r"^\s*\(?\d{1,2}[.)]\s+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_LONE_NUMBER = re.compile(r"^[<>~]?\s*\d[\d,.]*\s*%?\+?$")


def clean_inline(text: str) -> str:
    """Markdown emphasis, links and typographic quotes out; spaces collapsed.

    >>> clean_inline("**94**% of [respondents](http://x) said “yes” ")
    '94% of respondents said "yes"'
    """
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"\*{1,3}|`|(?<!\w)_{2}|_{2}(?!\w)", "", text)
    text = text.replace("“", '"').replace("”", '"').replace("’", "'").replace("‘", "'")
    text = text.replace("\u00a0", " ").replace("–", "-").replace("—", " - ")
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class _Block:
    text: str
    line: int
    kind: str  # heading, item, numbered, text
    last: str = ""  # its last physical line

    def __post_init__(self) -> None:
        self.last = self.last or self.text


def _is_heading_line(text: str) -> bool:
    words = re.findall(r"[A-Za-z][A-Za-z'&.-]*", text)
    if not words:
        return bool(text)  # "# 98%" and similar: not running text
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        return True  # ALL CAPS
    if text.endswith((".", "!", "?", '"', ":", ";", ",")):
        return False
    if len(words) <= 12:
        capitalised = sum(w[0].isupper() for w in words if len(w) > 3 or w[0].isupper())
        long_words = sum(1 for w in words if len(w) > 3 or w[0].isupper())
        return long_words > 0 and capitalised / long_words >= 0.6
    return False


def _blocks(text: str) -> list[_Block]:
    """Logical lines: markup classified, wrapped lines joined, lone figures attached."""
    out: list[_Block] = []
    blank_before = True
    lengths = sorted(len(x.strip()) for x in text.split("\n") if x.strip())
    # A line the layout wrapped fills the width; a headline above a paragraph is shorter
    wrapped = 0.75 * lengths[len(lengths) // 2] if lengths else 0
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            blank_before = True
            continue
        kind = "text"
        body = raw
        if _HEADING.match(raw):
            kind, body = "heading", _HEADING.sub("", raw)
        elif _NUMBERED.match(raw):
            kind, body = "numbered", _NUMBERED.sub("", raw)
        elif _BULLET.match(raw) and not re.match(r"^\s*\*\*", raw):
            kind, body = "item", _BULLET.sub("", raw)
        body = clean_inline(body)
        body = _BULLET.sub("", body) if kind == "item" else body  # "- · text"
        if not body:
            continue
        prev = out[-1] if out else None
        if kind == "text" and prev is not None and prev.kind != "heading" and (
                body[0].islower() or (not blank_before and not prev.text.endswith(
                    (".", "!", "?", ":", '"')) and len(prev.last) > max(50, wrapped))):
            prev.text += " " + body  # a line the layout broke
            prev.last = body
            blank_before = False
            continue
        if kind == "text" and _is_heading_line(body):
            kind = "heading"
        out.append(_Block(body, number, kind))
        blank_before = False
    # "# 98%" over "of respondents said ...": one statement, written as a headline figure
    merged: list[_Block] = []
    for i, b in enumerate(out):
        nxt = out[i + 1] if i + 1 < len(out) else None
        if _LONE_NUMBER.match(b.text) and nxt is not None:
            if nxt.text[:1].islower():
                nxt.text = f"{b.text} {nxt.text}"
                nxt.line = b.line
                nxt.kind = "text"
                continue
            if nxt.text.startswith(b.text):
                continue  # the figure is repeated in the sentence that follows
        merged.append(b)
    return merged


# ---------------------------------------------------------------------------- sentences

#: words whose trailing period does not end a sentence
_ABBREVIATIONS = {
    "co", "corp", "inc", "ltd", "llc", "dept", "st", "mr", "mrs", "ms", "dr", "sgt", "lt",
    "capt", "det", "ofc", "gov", "sen", "rep", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "no", "vs", "assn", "bros", "mt", "ft", "jr", "sr",
    "u.s", "a.m", "p.m", "e.g", "i.e", "approx", "est",
}
_BOUNDARY = re.compile(r'(?<=[.!?])["\')\]]*\s+(?=["\'(\[]?[A-Z0-9#"])')
#: a goal or an instruction: "Gather leaders ...", "Motivate truck stops ..."
_IMPERATIVE = re.compile(
    r"^(gather|offer|introduce|motivate|provide|promote|utilize|use|chart|equip|assist|aid|"
    r"mandate|establish|build|train|increase|develop|create|engage|connect|link|raise|"
    r"support|encourage|reach|expand|work|invite|identify|close|combat|educate|empower|"
    r"strengthen|recruit|host|convene|distribute|implement|adopt|share|ensure|help|bring|"
    r"foster|facilitate|coordinate|equip|launch|continue|grow|deliver|spread|please|click|"
    r"contact|visit|learn|read|join|sign|call|email)\b", re.IGNORECASE)
_PURPOSE = re.compile(
    r"\b(goals?|mission|strives? to|seeks? to|is to|are to|intended to|aims? to|"
    r"will always|we do this|is done through|the first phase|the second phase|"
    r"phase i+)\b", re.IGNORECASE)


def _split(text: str) -> list[str]:
    parts, start = [], 0
    for m in _BOUNDARY.finditer(text):
        before = text[max(start, m.start() - 40):m.start()].rstrip("\"')]")
        word = re.search(r"([A-Za-z.]+)\.$", before)
        w = word[1] if word else ""
        # "Co.", "Nov.", "J." do not end a sentence; "MS." (a state, not "Ms.") does
        if w and (re.fullmatch(r"[A-Z]", w) or w in ("LLC", "U.S") or (
                not (len(w) > 1 and w.isupper()) and w.lower() in _ABBREVIATIONS)):
            continue
        parts.append(text[start:m.start()].strip())
        start = m.end()
    parts.append(text[start:].strip())
    return [piece for p in parts if p for piece in _bounded(p)]


#: a sentence longer than this is no sentence (a table flattened, a list without stops);
#: cut it so that no pattern ever scans more than this at once
MAX_SENTENCE = 800


def _bounded(text: str) -> list[str]:
    out = []
    while len(text) > MAX_SENTENCE:
        cut = max(text.rfind("; ", 0, MAX_SENTENCE), text.rfind(", ", 0, MAX_SENTENCE),
                  text.rfind(" ", 0, MAX_SENTENCE))
        cut = cut if cut > MAX_SENTENCE // 2 else MAX_SENTENCE
        out.append(text[:cut].strip(" ,;"))
        text = text[cut:].strip(" ,;")
    return [*out, text] if text else out


def split_sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    seen: set[str] = set()
    section = ""
    for block in _blocks(text):
        heading = block.kind == "heading"
        if heading:
            section = block.text
        for part in ([block.text] if heading else _split(block.text)):
            programme = bool(block.kind == "numbered" or _IMPERATIVE.match(part)
                             or _PURPOSE.search(part))
            out.append(Sentence(part, block.line, section, programme, heading, len(out),
                                part.lower() in seen and len(part) > 30))
            seen.add(part.lower())
    return out
