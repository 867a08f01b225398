"""The vocabulary checkers accept exactly what the loader accepts, and refuse the rest with the
accepted words and the nearest one."""

from __future__ import annotations

import pytest

from graph import model, vocabulary
from graph.errors import UnknownValue
from loaders import schema

# Spellings of every kind: as documented, upper case, with '-' or '_', as the label, and
# words the loader refuses.
SPELLINGS = [v for k, label in model.ORG_KINDS.items()
             for v in (k, k.upper(), k.replace(" ", "-"), k.replace(" ", "_"), label,
                       label.lower(), k.replace(" ", ""))] + \
    ["energy", "saloon", "truck", "trucking", "police", "law  enforcement", "NGO"]
# (An empty kind is not here: the loader takes it as "not stated", an option never does.)


@pytest.mark.parametrize("written", SPELLINGS)
def test_organization_kind_accepts_what_the_loader_accepts(written: str) -> None:
    row = {"name": "X", "kind": written}
    loaded, issues = schema.validate_row("organizations", "o.csv", 2, row)
    try:
        kind = vocabulary.organization_kind(written)
    except UnknownValue:
        assert loaded is None and [i.column for i in issues] == ["kind"]
    else:
        assert loaded is not None and loaded.kind == kind  # type: ignore[attr-defined]


@pytest.mark.parametrize("word", sorted(model.RELATIONSHIPS))
def test_relationship_type_reads_the_relationships_sheet(word: str) -> None:
    row = {"source_id": "a", "type": word.upper(), "target_id": "b"}
    loaded, _ = schema.validate_row("relationships", "r.csv", 2, row)
    assert loaded is not None
    loaded_type = model.RELATIONSHIPS[loaded.type]  # type: ignore[attr-defined]
    assert vocabulary.relationship_type(word.upper()) == loaded_type


def test_relationship_type_reads_roles_commitments_and_type_names() -> None:
    assert vocabulary.relationship_type("Co-Hosted") == "HOSTED"
    assert vocabulary.relationship_type("spoke") == "SPOKE_AT"
    assert vocabulary.relationship_type("pledged") == "PLEDGED"
    assert vocabulary.relationship_type("REPORTED_TIP_TO") == "REPORTED_TIP_TO"
    assert vocabulary.relationship_type("located in") == "LOCATED_IN"
    assert {vocabulary.relationship_type(t) for t in model.REL_TYPES} == model.REL_TYPES


def test_sectors() -> None:
    assert {vocabulary.sector(s.upper()) for s in set(model.SECTORS.values())} == \
        {"law enforcement", "government", "industry", "civil society"}
    assert vocabulary.sector("civil_society") == "civil society"


def test_kind_or_sector() -> None:
    assert vocabulary.kind_or_sector("TruckStop") == ("truck stop", frozenset({"truck stop"}))
    industry = vocabulary.kind_or_sector("Industry")
    assert industry.word == "industry"
    assert industry.kinds == {k for k, s in model.SECTORS.items() if s == "industry"}
    assert "casino" in industry.kinds and "prosecutor" not in industry.kinds
    # a kind and a sector at once: the sector, which includes the kind
    assert vocabulary.kind_or_sector("law enforcement").kinds == \
        {"law enforcement", "prosecutor", "task force"}


@pytest.mark.parametrize(("call", "written", "message"), [
    (vocabulary.organization_kind, "energy",
     "no organization kind 'energy'; did you mean 'energy company'? Expected one of: "
     "bus company, bus terminal, casino, energy company"),
    (vocabulary.organization_kind, "saloon", "no organization kind 'saloon'. Expected one of:"),
    (vocabulary.sector, "indstry", "no sector 'indstry'; did you mean 'industry'? Expected one "
     "of: civil society, government, industry, law enforcement"),
    (vocabulary.relationship_type, "refered",
     "no relationship type 'refered'; did you mean 'referred'?"),
    (vocabulary.kind_or_sector, "energy",
     "no organization kind or sector 'energy'; did you mean 'energy company'? Expected a kind "
     "(bus company, "),
    (vocabulary.kind_or_sector, "goverment", "did you mean 'government'?"),
])
def test_refusals_name_the_accepted_words_and_the_nearest(call, written: str,
                                                          message: str) -> None:
    with pytest.raises(UnknownValue) as info:
        call(written)
    assert message in str(info.value)
    assert info.value.value == written and info.value.accepted
