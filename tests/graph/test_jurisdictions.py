"""Jurisdictions as people write them, against a table checked by hand (not derived from the
packages the module reads, so a change in either package shows up here)."""

from __future__ import annotations

import pytest

from graph import jurisdictions
from graph.errors import CoalitionError, UnknownValue
from graph.jurisdictions import Jurisdiction, jurisdiction, short

# (USPS code, name): the 50 states, by hand
STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
    ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
    ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"),
    ("LA", "Louisiana"), ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"),
    ("MI", "Michigan"), ("MN", "Minnesota"), ("MS", "Mississippi"), ("MO", "Missouri"),
    ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"), ("NH", "New Hampshire"),
    ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"), ("NC", "North Carolina"),
    ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
    ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"),
    ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"),
    ("VT", "Vermont"), ("VA", "Virginia"), ("WA", "Washington"), ("WV", "West Virginia"),
    ("WI", "Wisconsin"), ("WY", "Wyoming"),
]
# (USPS code, name as the us package and so the stored State nodes spell it)
TERRITORIES = [
    ("PR", "Puerto Rico"), ("GU", "Guam"), ("VI", "Virgin Islands"),
    ("AS", "American Samoa"), ("MP", "Northern Mariana Islands"),
]
# (Canada Post code, name, kind): all 13
CANADA = [
    ("AB", "Alberta", "province"), ("BC", "British Columbia", "province"),
    ("MB", "Manitoba", "province"), ("NB", "New Brunswick", "province"),
    ("NL", "Newfoundland and Labrador", "province"), ("NS", "Nova Scotia", "province"),
    ("ON", "Ontario", "province"), ("PE", "Prince Edward Island", "province"),
    ("QC", "Quebec", "province"), ("SK", "Saskatchewan", "province"),
    ("NT", "Northwest Territories", "territory"), ("NU", "Nunavut", "territory"),
    ("YT", "Yukon", "territory"),
]


@pytest.mark.parametrize(("code", "name"), STATES)
def test_every_state_by_code_name_and_iso_code(code: str, name: str) -> None:
    expected = Jurisdiction(f"US-{code}", name, "US", "state")
    for written in (code, code.lower(), name, name.upper(), f"US-{code}", f"us-{code.lower()}"):
        assert jurisdiction(written) == expected, written
    assert short(expected.code) == code  # stored as today: state:MS, org:ms:...
    assert expected.id == f"state:{code}"


@pytest.mark.parametrize(("code", "name"), TERRITORIES)
def test_territories(code: str, name: str) -> None:
    expected = Jurisdiction(f"US-{code}", name, "US", "territory")
    for written in (code, name, f"US-{code}"):
        assert jurisdiction(written) == expected, written
    assert expected.short == code


def test_district_of_columbia() -> None:
    dc = Jurisdiction("US-DC", "District of Columbia", "US", "district")
    for written in ("DC", "dc", "D.C.", "District of Columbia", "Washington, D.C.",
                    "Washington DC", "US-DC"):
        assert jurisdiction(written) == dc, written
    assert dc.short == "DC"


@pytest.mark.parametrize(("code", "name", "kind"), CANADA)
def test_every_canadian_province_and_territory(code: str, name: str, kind: str) -> None:
    expected = Jurisdiction(f"CA-{code}", name, "CA", kind)
    for written in (code, code.lower(), name, name.lower(), f"CA-{code}", f"ca-{code.lower()}",
                    f"{name}, Canada"):
        assert jurisdiction(written) == expected, written
    assert short(expected.code) == f"CA-{code}"
    assert expected.id == f"state:CA-{code}"


@pytest.mark.parametrize(("written", "code"), [
    # AP / GPO / Canadian Press abbreviations
    ("Miss.", "US-MS"), ("Miss", "US-MS"), ("miss.", "US-MS"), ("Calif.", "US-CA"),
    ("Cal.", "US-CA"), ("Penn.", "US-PA"), ("Pa.", "US-PA"), ("Penna.", "US-PA"),
    ("N.Y.", "US-NY"), ("W. Va.", "US-WV"), ("Tex.", "US-TX"), ("Mass.", "US-MA"),
    ("Ind.", "US-IN"), ("Ala.", "US-AL"), ("Wis.", "US-WI"), ("Okla.", "US-OK"),
    ("Alta.", "CA-AB"), ("B.C.", "CA-BC"), ("Man.", "CA-MB"), ("N.B.", "CA-NB"),
    ("Nfld.", "CA-NL"), ("N.S.", "CA-NS"), ("N.W.T.", "CA-NT"), ("Ont.", "CA-ON"),
    ("P.E.I.", "CA-PE"), ("PEI", "CA-PE"), ("Que.", "CA-QC"), ("Qué.", "CA-QC"),
    ("P.Q.", "CA-QC"), ("Sask.", "CA-SK"), ("Y.T.", "CA-YT"),
    # other names: French, accents, the packages' own spellings
    ("Québec", "CA-QC"), ("Colombie-Britannique", "CA-BC"), ("Nouvelle-Écosse", "CA-NS"),
    ("Terre-Neuve-et-Labrador", "CA-NL"), ("Newfoundland", "CA-NL"),
    ("Newfoundland & Labrador", "CA-NL"), ("Yukon Territory", "CA-YT"),
    ("Virgin Islands, U.S.", "US-VI"), ("U.S. Virgin Islands", "US-VI"), ("USVI", "US-VI"),
    ("CNMI", "US-MP"), ("Hawaiʻi", "US-HI"), ("Hawai'i", "US-HI"),
    ("Texas, USA", "US-TX"), ("Ontario, Canada", "CA-ON"),
    # countries
    ("Mexico", "MX"), ("México", "MX"), ("MX", "MX"), ("mx", "MX"), ("MEX", "MX"),
    ("United Mexican States", "MX"), ("Canada", "CA"), ("CAN", "CA"), ("can", "CA"),
    ("USA", "US"), ("U.S.A.", "US"), ("US", "US"), ("U.S.", "US"), ("United States", "US"),
    ("United States of America", "US"), ("Norway", "NO"), ("NOR", "NO"),
    ("GEO", "GE"), ("India", "IN"), ("IND", "IN"),
    # a country that is a US territory is the territory
    ("PRI", "US-PR"), ("GUM", "US-GU"),
])
def test_spellings(written: str, code: str) -> None:
    assert jurisdiction(written).code == code


def test_countries() -> None:
    assert jurisdiction("Mexico") == Jurisdiction("MX", "Mexico", "MX", "country")
    assert jurisdiction("Canada") == Jurisdiction("CA", "Canada", "CA", "country")
    assert [short(c) for c in ("MX", "CA", "US", "NO")] == ["MEX", "CAN", "USA", "NOR"]
    assert jurisdiction("Mexico").id == "state:MEX"


def test_ambiguous_forms_decided_as_documented() -> None:
    # Bare CA is California, as US data has always written it; Canada is Canada or CAN.
    assert jurisdiction("CA").name == "California"
    assert jurisdictions.from_code("CA").name == "Canada"
    # A name shared by a state and a country is the state.
    assert jurisdiction("Georgia").code == "US-GA"
    # Three capitals are an alpha-3 code; the traditional abbreviations are written otherwise.
    assert (jurisdiction("IND").name, jurisdiction("Ind.").name, jurisdiction("ind").name) == \
        ("India", "Indiana", "Indiana")
    # The us package's phonetic match comes last: an exact form of elsewhere wins.
    assert jurisdiction("Man.").name == "Manitoba"  # Maine before


def test_what_the_loader_accepted_before_still_means_the_same() -> None:
    """The old normaliser's answers (loaders.normalize.state_code before issue 11)."""
    before = {"Missisippi": "MS", "misisipi": "MS", "Texs": "TX", "mississippi": "MS",
              "new  york": "NY", "Texas.": "TX", "tx ": "TX", "WVa": "WV", "M.S.": "MS",
              "Ms": "MS", "mS": "MS", "MISS": "MS", "Del": "DE", "Wash": "WA", "Ore": "OR",
              "In": "IN", "Me.": "ME", "Ala": "AL", "R.I.": "RI", "P.R.": "PR", "pr": "PR"}
    assert {w: jurisdiction(w).short for w in before} == before


def test_every_short_form_reads_back() -> None:
    every = jurisdictions.known()
    assert len([j for j in every if j.country == "US" and j.kind != "country"]) == 57
    assert len([j for j in every if j.country == "CA" and j.kind != "country"]) == 13
    for j in every:
        assert jurisdiction(j.short) == j, j
        assert jurisdiction(j.name) == j or j.kind == "country", j  # Georgia: the state


def test_known_groups_by_country() -> None:
    canada = jurisdictions.known("CA")
    assert [j.code for j in canada][:2] == ["CA-AB", "CA-BC"] and canada[-1].code == "CA"


@pytest.mark.parametrize(("written", "words"), [
    ("Albrta", ["unknown state, province or country 'Albrta'", "did you mean 'Alberta' (CA-AB)?",
                "two-letter code", "Canada is 'Canada' or 'CAN'"]),
    ("Ontaro", ["did you mean 'Ontario' (CA-ON)?"]),
    ("British Colombia", ["did you mean 'British Columbia' (CA-BC)?"]),
    ("Mexco", ["did you mean 'Mexico' (MEX)?"]),
    ("Saskatchewn", ["did you mean 'Saskatchewan' (CA-SK)?"]),
    ("Atlantis", ["unknown state, province or country 'Atlantis'.", "MS, Mississippi, Miss."]),
    ("XX", ["unknown state, province or country 'XX'."]),
    # YAML's NO and a typo for TX are not silently countries
    ("NO", ["two-letter codes name US states", "for Norway write 'Norway' or NOR"]),
    ("TZ", ["for Tanzania write 'Tanzania' or TZA"]),
    ("Chihuahua", ["Chihuahua is in Mexico; write 'Mexico' (MEX)"]),
    ("MX-CHH", ["Chihuahua is in Mexico; write 'Mexico' (MEX)"]),
    ("Texas, Canada", ["Texas is in the United States, not in Canada; write TX"]),
    ("", ["unknown state, province or country ''"]),
])
def test_refusals_name_the_accepted_forms_and_the_nearest(written: str,
                                                          words: list[str]) -> None:
    with pytest.raises(UnknownValue) as info:
        jurisdiction(written)
    for w in words:
        assert w in str(info.value), str(info.value)
    assert isinstance(info.value, CoalitionError) and isinstance(info.value, ValueError)
    assert info.value.value == written.strip()


def test_suggestion_is_machine_readable() -> None:
    with pytest.raises(UnknownValue) as info:
        jurisdiction("Albrta")
    assert info.value.suggestion == "Alberta" and info.value.what == "state, province or country"


def test_short_refuses_what_is_no_iso_code() -> None:
    with pytest.raises(UnknownValue, match="no jurisdiction with ISO code 'MS-XX'"):
        short("MS-XX")
