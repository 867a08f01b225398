"""What the benchmarks share: the national workbook, fresh embedded servers, and writing
their sections of docs/benchmarks.md."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from bench import synthetic
from graph.store import EmbeddedServer

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
DOCS = ROOT / "docs" / "benchmarks.md"


def national_workbook() -> Path:
    """The SYNTHETIC national workbook (bench/synthetic.py NATIONAL), generated once."""
    wb = WORK / "national"
    if not (wb / "organizations.csv").exists():
        print("generating the SYNTHETIC national workbook ...", flush=True)
        synthetic.write(wb, sizes=synthetic.NATIONAL, with_counties=True)
    return wb


def start_fresh(data: Path) -> EmbeddedServer:
    """A pinned embedded server on an empty data directory."""
    EmbeddedServer(data).stop()  # a server left by an interrupted run must not be orphaned
    shutil.rmtree(data, ignore_errors=True)
    server = EmbeddedServer(data)
    server.start(pin=True)
    return server


def discard(server: EmbeddedServer) -> None:
    server.stop()
    shutil.rmtree(server.data_dir, ignore_errors=True)


@contextlib.contextmanager
def fresh_server(data: Path) -> Iterator[Path]:
    server = start_fresh(data)
    try:
        yield data
    finally:
        discard(server)


def write_section(name: str, body: str) -> None:
    """Replace ``<!-- name:start -->...<!-- name:end -->`` with ``body``, or append it."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    section = f"{start}\n{body.strip()}\n{end}"
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    if start in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOCS.write_text(text)
    print(f"wrote {DOCS}")
