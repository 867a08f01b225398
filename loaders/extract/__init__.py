"""Report documents drafted into workbooks: ``coalition extract REPORT --out DIR``.

An impact report (plain text, Markdown, PDF, DOCX) is read into sentences
(:mod:`.document`); organizations and people are recognised by rules and a gazetteer
(:mod:`.entities`, :mod:`.names`, :mod:`.gazetteer`); events, roles, figures and outcome
sentences are read from what is not programme text (:mod:`.facts`, :mod:`.figures`,
:mod:`.records`); the result is a workbook
folder for a person to review and then load (:mod:`.draft`). Nothing here writes to a store:
extraction drafts, a person decides. See docs/intake.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from loaders.extract.document import read_document
from loaders.extract.draft import Draft, Drafter, prune, write
from loaders.extract.entities import Recognizer
from loaders.extract.facts import FactReader
from loaders.gazetteer import Gazetteer, load_gazetteer

__all__ = ["Draft", "draft_report", "extract", "load_gazetteer", "write"]


def draft_report(report: Path, *, citation: str | None = None,
                 graph_orgs: Iterable[dict[str, Any]] = (),
                 gazetteer: Gazetteer | None = None) -> Draft:
    """The draft workbook of one report.

    ``graph_orgs``: the graph's organizations (rows with id, name, kind, state, aliases,
    labels), recognised like the shipped gazetteer and referred to by their ids.
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
    return Drafter(rec, facts, report=doc.name, citation=citation or doc.name).build()


def extract(report: Path, out: Path, *, store: Any = None, fuzzy_threshold: float = 92.0,
            **kwargs: Any) -> tuple[Draft, list[Path]]:
    """Draft ``report`` and write the workbook folder ``out``. With a ``store``, what the
    graph already holds is referred to, not drafted again (:func:`.draft.prune`)."""
    draft = draft_report(report, **kwargs)
    files = write(draft, Path(out))
    if store is not None:
        prune(draft, Path(out), store, fuzzy_threshold=fuzzy_threshold)
        files = write(draft, Path(out))
    return draft, files
