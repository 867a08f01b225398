"""The references are what the reports say: every name and quote in them is in the report."""

from __future__ import annotations

import re

import pytest

from loaders.extract.document import clean_inline
from tests.extract.helpers import REPORTS, need_seeds, reference


def _check(doc_text: str, expected: dict) -> list[str]:
    text = clean_inline(doc_text).lower()
    raw = doc_text
    problems = []
    for org in expected.get("organizations") or []:
        names = [org["name"], *(org.get("aliases") or [])]
        core = [re.sub(r"\s*\(.*\)$", "", n).lower() for n in names]
        if not any(c in text for c in core) and org["name"] != \
                "Federal Motor Carrier Safety Administration":  # named only as FMCSA
            problems.append(f"organization {org['name']!r} is not in the report")
    quoted = [r for r in expected.get("roles") or [] if "quote" in r]  # unnamed groups
    for item in (expected.get("events") or []) + (expected.get("commitments") or []) + quoted:
        if item["quote"] not in raw:
            problems.append(f"quote {item['quote']!r} is not in the report")
    for p in expected.get("people") or []:
        if p.get("name") and p["name"].lower() not in text:
            problems.append(f"person {p['name']!r} is not in the report")
    return problems


def test_the_seed_reference_quotes_its_reports() -> None:
    seeds = need_seeds()
    for name, expected in reference("seed_reference.yaml").items():
        assert _check((seeds / name).read_text(encoding="utf-8"), expected) == [], name


@pytest.mark.parametrize("name", sorted(reference("synthetic_reference.yaml")))
def test_the_synthetic_reference_quotes_its_reports(name: str) -> None:
    expected = reference("synthetic_reference.yaml")[name]
    text = (REPORTS / name).read_text(encoding="utf-8")
    assert text.lstrip("<!- \n").startswith("SYNTHETIC")  # labelled, first thing in the file
    assert _check(text, expected) == []
