"""What the extraction tests share: the reports, their references, and files as Word and
PDF writers produce them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

HERE = Path(__file__).resolve().parent
REPORTS = HERE / "reports"
#: the seed reports, beside the clone (CI has them there; a user's clone may not)
SEEDS = REPO.parent / "shared" / "seeds"


def reference(name: str) -> dict[str, Any]:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))["documents"]


def need_seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"the seed reports are not at {SEEDS} (they sit beside the clone in CI); "
                    "the seed-based extraction tests need them")
    return SEEDS


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF with these lines of text in Helvetica.

    Written by hand rather than with a PDF library, so that the tests need nothing that the
    project does not: the structure is the minimal one of the PDF 1.4 reference (catalog,
    pages, page, font, content stream, cross-reference table)."""
    def esc(t: str) -> str:
        return t.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = ["BT", "/F1 10 Tf", "12 TL", "40 800 Td"]
    for line in lines:
        text.append(f"({esc(line)}) Tj T*")
    text.append("ET")
    stream = "\n".join(text).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents 4 0 R "
         b"/Resources << /Font << /F1 5 0 R >> >> >>"),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def write_docx(path: Path, blocks: list[tuple[str, str]]) -> Path:
    """A .docx of ``(style, text)`` blocks: "heading", "bullet" or "text"."""
    import docx

    document = docx.Document()
    for style, text in blocks:
        if style == "heading":
            document.add_heading(text, level=1)
        elif style == "bullet":
            document.add_paragraph(text, style="List Bullet")
        else:
            document.add_paragraph(text)
    document.save(str(path))
    return path
