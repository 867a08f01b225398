"""Report documents drafted into workbooks: ``coalition extract REPORT --out DIR``.

An impact report (plain text, Markdown, PDF, DOCX) is read into sentences
(:mod:`.document`); organizations and people are recognised by rules and a gazetteer
(:mod:`.entities`, :mod:`.names`, :mod:`.gazetteer`); events, roles, figures and outcome
sentences are read from what is not programme text (:mod:`.facts`); the result is a workbook
folder for a person to review and then load (:mod:`.draft`). Nothing here writes to a store:
extraction drafts, a person decides. See docs/intake.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from loaders.extract.document import read_document
from loaders.extract.draft import Draft, Drafter, write
from loaders.extract.entities import Recognizer
from loaders.extract.facts import FactReader
from loaders.extract.gazetteer import Gazetteer, load_gazetteer

__all__ = ["Draft", "draft_report", "extract", "load_gazetteer", "write"]


def draft_report(report: Path, *, citation: str | None = None,
                 graph_orgs: Iterable[dict[str, Any]] = (),
                 existing: Callable[[list[str]], set[str]] | None = None,
                 gazetteer: Gazetteer | None = None) -> Draft:
    """The draft workbook of one report.

    ``graph_orgs``: the graph's organizations (rows with id, name, kind, state, aliases,
    labels), recognised like the shipped gazetteer and referred to by their ids.
    ``existing``: which of some ids the graph already holds (their rows are not redrafted).
    """
    doc = read_document(Path(report))
    gaz = gazetteer or load_gazetteer()
    graph_orgs = list(graph_orgs)
    if graph_orgs:
        gaz = gaz.with_graph(graph_orgs)
    rec = Recognizer(doc, gaz, None)
    rec.run()
    reader = FactReader(doc, rec, gaz)
    facts = reader.run()
    for org in rec.orgs.values():  # counties named in organizations, now the state is known
        if org.state is None:
            rec.place(org)
    return Drafter(rec, facts, report=doc.name, citation=citation or doc.name,
                   existing=existing).build()


def extract(report: Path, out: Path, **kwargs: Any) -> tuple[Draft, list[Path]]:
    """Draft ``report`` and write the workbook folder ``out``."""
    draft = draft_report(report, **kwargs)
    return draft, write(draft, Path(out))
