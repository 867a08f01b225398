"""Generality: SYNTHETIC reports of other builds (tests/extract/reports/) drafted to the
targets set for the seeds, and every draft loads as a workbook."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.extract import score
from loaders.extract import extract
from loaders.load import plan_workbook
from tests.extract.helpers import REPORTS, reference

REFERENCE = reference("synthetic_reference.yaml")


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_synthetic_report_meets_the_targets_and_loads(name: str, tmp_path: Path) -> None:
    draft, _ = extract(REPORTS / name, tmp_path / "draft")
    s = score(draft, REFERENCE[name])
    orgs = s.tallies["organizations"]
    assert orgs.recall >= 0.9 and orgs.precision >= 0.8, (orgs.missed, orgs.extra)
    assert s.events_right == s.events_checked, s.wrong_events
    for category in ("people", "roles", "commitments", "metrics"):
        t = s.tallies[category]
        assert t.recall >= 0.8 and t.precision >= 0.8, (category, t.missed, t.extra)
    plan = plan_workbook(tmp_path / "draft", None, fuzzy_threshold=92)
    assert [str(e) for e in plan.errors] == []
    for n in REFERENCE[name].get("not_drafted") or []:
        assert all(n not in str(v) for r in draft.rows if r.sheet in ("organizations",
                                                                    "people")
                   for k, v in r.cells.items() if k in ("name", "aliases")), n
