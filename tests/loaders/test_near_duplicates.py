"""Near-duplicate organizations (issue 12, item 2): blocking instead of all pairs, sites of
one chain never flagged, typos still flagged, the terminal shows a count and the top 20.

Scores are rapidfuzz's ratio or token-sort ratio of the normalised names (the better one),
worked out by hand below:
an indel distance d between strings of lengths la and lb scores 100 * (1 - d / (la + lb)).
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from rapidfuzz import fuzz
from typer.testing import CliRunner

from api import cli
from graph.store import GraphStore
from loaders import duplicates
from loaders.duplicates import Member, candidate_pairs, different_sites, near_duplicates, site
from loaders.load import load
from tests.conftest import write_workbook

ALIKE = "looks like the same organization"


def _word(i: int) -> str:
    """A made-up word whose first four and last four letters no other i shares."""
    a, b = chr(97 + i // 26), chr(97 + i % 26)
    return f"{a}{b}xx{b}{a}"


# ---------------------------------------------------------------------- blocking

def test_names_sharing_only_common_words_are_never_compared() -> None:
    # 60 police departments: "police" and "department" are in all 60 (> RARE = 50), so
    # their keys are dropped; each town word is its own. Of the 61 * 60 / 2 = 1,830 pairs
    # only the one sharing a town word is a candidate: the typo'd twin of town 7.
    names = [f"{_word(i)} police department" for i in range(60)]
    names.append(f"{_word(7)} police departmnt")
    assert candidate_pairs(names) == {(7, 60)}


def test_a_typo_in_the_only_rare_word_still_shares_a_key() -> None:
    # "biloxi" and "biloxl" share their first four letters ("bilo"); "gulfport" shares
    # nothing rare with either. Police and department are in all three names (> rare=2).
    names = ["biloxi police department", "biloxl police department",
             "gulfport police department"]
    assert candidate_pairs(names, rare=2) == {(0, 1)}


def test_a_typo_inside_a_word_keeps_its_first_and_last_two_letters() -> None:
    # "vacrzo" and "vacorzo" differ in the middle: first four "vacr"/"vaco", last four
    # "crzo"/"orzo", but first two with last two "vazo" for both. "freight terminal" and
    # "store" are in all three names (> rare=2); "kemoss" shares none of its keys.
    names = ["vacrzo freight terminal store", "vacorzo freight terminal store",
             "kemoss freight terminal store"]
    assert candidate_pairs(names, rare=2) == {(0, 1)}


def test_a_name_of_common_words_only_keeps_its_rarest_key() -> None:
    # Every key is in all three names (> rare=2): each keeps its rarest, the alphabetically
    # first on a tie ("<coun"), so the three are still compared with each other.
    names = ["county sheriffs office"] * 3
    assert candidate_pairs(names, rare=2) == {(0, 1), (0, 2), (1, 2)}


# ---------------------------------------------------------------------- sites of a chain

@pytest.mark.parametrize(("a", "b"), [
    ("Love's Travel Stop #245", "Love's Travel Stop #246"),
    ("Pilot Travel Center 123", "Pilot Travel Center 124"),
    ("Dollar General Store 12", "Dollar General Store 13"),
    ("Pilot Travel Center - Jackson", "Pilot Travel Center - Meridian"),
    ("Love's (Gulfport)", "Love's (Biloxi)"),
    ("Love's Travel Stop, Columbus", "Love's Travel Stop, Columbia"),
])
def test_names_that_differ_only_in_a_number_or_place_are_different_sites(a: str, b: str
                                                                         ) -> None:
    assert different_sites(site(a), site(b))
    assert near_duplicates([Member("a", a, "r2"), Member("b", b, "r3")], 92) == []


def test_the_site_rule_is_what_keeps_chains_apart() -> None:
    # Without it these would be flagged: "245 loves stop travel" and "246 ..." are 21
    # characters each, 2 indels apart: 100 * (1 - 2/42) = 95.2. "loves stop travel
    # columbus"/"columbia": 26 each, 4 indels: 100 * (1 - 4/52) = 92.3.
    assert round(fuzz.token_sort_ratio("loves travel stop 245", "loves travel stop 246"),
                 1) == 95.2
    assert round(fuzz.token_sort_ratio("loves travel stop columbus",
                                       "loves travel stop columbia"), 1) == 92.3


@pytest.mark.parametrize(("a", "b", "score"), [
    # "hancock county sherifs office" (29) and "... sheriffs office" (30): 1 indel
    ("Hancock County Sherif's Office", "Hancock County Sheriff's Office", 100 * (1 - 1 / 59)),
    # the same number, a typo elsewhere: "loves travel stp 245" (20) and "... stop 245" (21)
    ("Loves Travel Stp #245", "Love's Travel Stop #245", 100 * (1 - 1 / 41)),
    # a typo in a first letter moves the word when sorted ("firnudel freight rilin" and
    # "freight frnudel rilin": token-sort 65); as written, 22 and 21 characters, 1 indel
    ("Firnudel Rilin Freight", "Frnudel Rilin Freight", 100 * (1 - 1 / 43)),
    # a qualifier on one side only is no site: an acronym ("tta", 4 more characters: 30, 26)
    ("Texas Trucking Association (TTA)", "Texas Trucking Association", 100 * (1 - 4 / 56)),
])
def test_typos_are_still_flagged(a: str, b: str, score: float) -> None:
    [(s, x, y)] = near_duplicates([Member("a", a, "r2"), Member("b", b, "r3")], 92)
    assert (x.id, y.id) == ("a", "b")
    assert s == pytest.approx(score)


def test_two_names_from_the_store_are_not_compared() -> None:
    m = [Member("a", "Hancock County Sherif's Office", "the store"),
         Member("b", "Hancock County Sheriff's Office", "the store")]
    assert near_duplicates(m, 92) == []


# ---------------------------------------------------------------------- in a child process

def _groups() -> list[list[Member]]:
    # two states: in the first a typo'd twin (normalised, 29 and 30 characters, 1 indel: 98)
    # and two sites of a chain (not flagged); in the second a pair from the store and a row
    return [[Member("a", "Hancock County Sherif's Office", "r2"),
             Member("b", "Hancock County Sheriff's Office", "r3"),
             Member("c", "Love's Travel Stop #245", "r4"),
             Member("d", "Love's Travel Stop #246", "r5")],
            [Member("e", "Biloxi Police Department", "the store"),
             Member("f", "Biloxl Police Department", "r6")]]


def test_scoring_in_a_child_finds_what_scoring_here_finds(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setattr(duplicates, "FORK_AT", 1)
    scoring = duplicates.Scoring(_groups(), 92)
    assert scoring.pid  # it did fork
    found = scoring.result()
    assert [(x.id, y.id) for _, x, y in found] == [("a", "b"), ("e", "f")]
    assert found == scoring.here()
    assert scoring.pid == 0  # reaped


def test_a_child_that_fails_is_made_up_for_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duplicates, "FORK_AT", 1)

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("the child cannot send its answer")

    monkeypatch.setattr(duplicates.pickle, "dumps", broken)  # fails in the child only
    found = duplicates.Scoring(_groups(), 92).result()
    assert [(x.id, y.id) for _, x, y in found] == [("a", "b"), ("e", "f")]


def test_a_cancelled_child_is_stopped_and_reaped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duplicates, "FORK_AT", 1)
    scoring = duplicates.Scoring(_groups(), 92)
    pid = scoring.pid
    scoring.cancel()
    assert scoring.pid == 0
    with pytest.raises(ChildProcessError):  # no such child any more: it was reaped
        os.waitpid(pid, 0)


# ---------------------------------------------------------------------- in a load

def test_a_load_flags_typos_not_sites_most_similar_first(tmp_path: Path, store: GraphStore
                                                           ) -> None:
    wb = write_workbook(tmp_path / "wb", organizations="""
        id,name,kind,state
        org:1,Hancock County Sherif's Office,law enforcement,MS
        org:2,Hancock County Sheriff's Office,law enforcement,MS
        org:3,Love's Travel Stop #245,truck stop,MS
        org:4,Love's Travel Stop #246,truck stop,MS
        org:5,Loves Travel Stp #245,truck stop,MS
        org:6,Pilot Travel Center - Jackson,truck stop,MS
        org:7,Pilot Travel Center - Meridian,truck stop,MS
        org:8,Dollar General Store 12,sponsor,MS
        org:9,Dollar General Store 13,sponsor,MS
        org:10,Hancock County Sheriffs Office,law enforcement,AL
    """)
    report = load(wb, store)
    assert store.counts().labels["Organization"] == 10  # reported, never merged
    # org:5 and org:4 differ in the number; org:10 is in another state. 98.3 before 97.6.
    alike = [w for w in report.warnings if ALIKE in w]
    assert report.near_duplicates == 2
    assert alike == report.warnings[-2:]
    assert alike[0].startswith("organizations.csv, row 2, column 'name': " + ALIKE +
                               " as org:2 (organizations.csv row 3), similarity 98;")
    assert alike[1].startswith("organizations.csv, row 4, column 'name': " + ALIKE +
                               " as org:5 (organizations.csv row 6), similarity 98;")
    # ... and against the store, whose own pairs are not repeated
    report = load(write_workbook(tmp_path / "wb2", organizations="""
        id,name,kind,state
        org:11,Love's Travel Stop #247,truck stop,MS
        org:12,Hancock Cnty Sheriff's Office,law enforcement,MS
    """), store)
    alike = [w for w in report.warnings if ALIKE in w]
    # "hancock cnty sheriffs office" (28) against org:2 (30): 2 indels, 96.6; against
    # org:1 (29): 3 indels, 94.7. org:11 is a third site of the chain.
    assert report.near_duplicates == 2
    assert [w.split(" as ")[1].split(",")[0] for w in alike] == [
        "org:2 (the store)", "org:1 (the store)"]
    assert all("row 3, column 'name'" in w for w in alike)


# ---------------------------------------------------------------------- the terminal

@pytest.fixture
def invoke(data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COALITION_GRAPH_NAME", f"cli{uuid.uuid4().hex[:10]}")
    runner = CliRunner()
    return lambda *args: runner.invoke(cli.app, ["--data-dir", str(data_dir), *args])


def test_the_terminal_shows_the_count_and_the_20_most_similar(tmp_path: Path, invoke
                                                              ) -> None:
    # 25 pairs "<word> coalition partners" / "... partner": one indel, so a longer word
    # scores higher: pair k has a word of 4 + k letters and scores 100 * (1 - 1/(2L - 1)).
    rows = []
    for k in range(25):
        word = "q" + chr(97 + k) * (3 + k)
        rows += [f"org:p{k}a,{word} Coalition Partners,nonprofit,MS",
                 f"org:p{k}b,{word} Coalition Partner,nonprofit,MS"]
    wb = write_workbook(tmp_path / "wb", organizations="id,name,kind,state\n" + "\n".join(rows))
    result = invoke("load", str(wb), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "25 near-duplicate warning(s); the 20 most similar:" in result.output
    shown = [line for line in result.output.splitlines() if ALIKE in line]
    assert len(shown) == 20
    assert [line.split("org:p")[1].split(" ")[0] for line in shown] == [
        f"{k}b" for k in range(24, 4, -1)]
    as_json = invoke("load", str(wb), "--dry-run", "--format", "json")
    report = json.loads(as_json.stdout)
    assert report["near_duplicates"] == 25
    assert len([w for w in report["warnings"] if ALIKE in w]) == 25


def test_length_window_never_drops_a_pair_that_reaches_the_threshold():
    """The length window (duplicates._may_reach) is an upper bound of both scorers: on
    SYNTHETIC name pairs of every length difference, a pair it drops never scores the
    threshold, and the pairs it keeps include every one that does."""
    import random

    from rapidfuzz import fuzz

    from loaders.duplicates import _may_reach

    rng = random.Random(12)
    letters = "abcdefgh "
    checked = 0
    for _ in range(3000):
        a = "".join(rng.choice(letters) for _ in range(rng.randint(1, 30))).strip()
        b = a[:rng.randint(0, len(a))] + "".join(rng.choice(letters)
                                                 for _ in range(rng.randint(0, 6)))
        b = " ".join(b.split())
        a = " ".join(a.split())
        for threshold in (80, 92, 100):
            reaches = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) >= threshold
            kept = _may_reach(len(a), len(b), threshold)
            assert kept or not reaches, (a, b, threshold)
            checked += reaches
    assert checked > 100  # the test saw pairs that do reach the threshold
