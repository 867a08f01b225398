"""The five seed reports drafted against the hand-written reference (tests/extract/
seed_reference.yaml): the targets of issue 12, and every draft loads with `--dry-run`.
Skipped, saying why, when the reports are not beside the clone."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.extract import score, totals
from graph.store import GraphStore
from loaders.extract import extract
from loaders.load import load
from tests.extract.helpers import need_seeds, reference

REFERENCE = reference("seed_reference.yaml")


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    seeds = need_seeds()
    out = {}
    for name in REFERENCE:
        folder = tmp_path_factory.mktemp("draft") / Path(name).stem
        draft, _ = extract(seeds / name, folder)
        out[name] = (draft, folder)
    return out


def test_the_targets_on_the_seeds(drafts: dict[str, tuple]) -> None:
    scores = {name: score(d, REFERENCE[name]) for name, (d, _) in drafts.items()}
    total, checked, right = totals(scores)
    orgs = total["organizations"]
    assert orgs.recall >= 0.9, orgs.missed
    assert orgs.precision >= 0.8, orgs.extra
    assert checked == 7 and right == checked, [w for s in scores.values()
                                               for w in s.wrong_events]
    for category in ("people", "events", "commitments"):
        t = total[category]
        assert t.recall >= 0.8 and t.precision >= 0.8, (category, t.missed, t.extra)


def test_what_the_seeds_do_not_name_is_not_drafted(drafts: dict[str, tuple]) -> None:
    for name, (draft, _) in drafts.items():
        drafted = {r.cells.get("name") for r in draft.rows
                   if r.sheet in ("organizations", "people")}
        assert not drafted & set(REFERENCE[name].get("not_drafted") or []), name


def test_every_seed_draft_loads_with_dry_run(drafts: dict[str, tuple],
                                             embedded_store: GraphStore) -> None:
    for name, (_, folder) in drafts.items():
        report = load(folder, embedded_store, dry_run=True)
        assert report.rows_read > 0, name
        # the one warning a draft may carry: two names the report uses that may be one body
        assert all("looks like the same organization" in w for w in report.warnings), name
    assert embedded_store.counts().nodes == 0  # a dry run writes nothing
