"""`coalition import survey` on the real embedded store. Every export here is SYNTHETIC
(invented respondents of an invented build); the tallies are worked out by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.projection import project
from graph.store import GraphStore
from loaders.survey import import_survey
from tests.loaders.test_attendees import EVENT, graph  # noqa: F401 - the fixture
from tests.loaders.test_load import snapshot

HEADER = ["Timestamp", "Email Address", "Name", "Agency", "Which sector do you work in?",
          "I know what next steps to take after today", "The presenters were knowledgeable",
          "The survivor speaker was powerful", "Would you recommend this training?",
          "I feel confident to report a suspected case (0-100%)", "Any other comments?"]
#: SYNTHETIC, as Google Forms exports it (Python csv, CRLF); 5 respondents
ROWS = [
    ["2026/03/10 4:01:02 PM CST", "a@example.org", "Ann Avery", "Ames PD", "Law enforcement",
     "Strongly agree", "Agree", "Strongly agree", "Yes", "80%", "Great day, call me 217-555-0199"],
    ["2026/03/10 4:02:10 PM CST", "b@example.org", "Bo Bright", "", "Industry", "Agree", "Agree",
     "Neutral", "Yes", "60%", ""],
    ["2026/03/10 4:03:33 PM CST", "", "", "", "law enforcement", "Disagree", "Strongly agree",
     "Agree", "No", "", "More on truck stops please (write to c@example.org)"],
    ["2026/03/10 4:05:00 PM CST", "", "", "", "Government", "Neutral", "N/A", "Strongly agree",
     "Yes", "100%", ""],
    ["2026/03/10 4:07:45 PM CST", "", "", "", "", "Agree", "Agree", "Agree", "Yes", "", ""],
]


def forms_csv(folder: Path, rows: list[list[str]] = ROWS) -> Path:
    path = folder / "survey-responses.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def test_google_forms_tallies_by_hand(graph: GraphStore, tmp_path: Path) -> None:  # noqa: F811
    plan = import_survey(forms_csv(tmp_path), graph, event_id=EVENT, dry_run=True).as_dict()
    assert plan["respondents"] == 5
    assert {q["metric"]: (q["share"], q["n"]) for q in plan["questions"]} == {
        "know next steps": (60.0, 5),  # strongly agree, agree, agree of 5
        "presenters knowledgeable and approachable": (100.0, 4),  # N/A is no answer
        "survivor speaker powerful": (80.0, 5),  # neutral is not agreeing
        "would recommend": (80.0, 5),
        "confident to report": (80.0, 3),  # percents: (80 + 60 + 100) / 3
    }
    assert plan["by_sector"] == {"government": 1, "industry": 1, "law enforcement": 2}
    assert plan["ignored_columns"] == ["timestamp", "email address", "name", "agency",
                                       "any other comments?"]
    assert plan["comments"] == 0  # not without --keep-comments
    assert plan["load"]["nodes"]["Metric"]["created"] == 1 + 2 * 5 + 3


def test_written_as_event_metrics_and_twice_is_nothing(graph: GraphStore,  # noqa: F811
                                                        tmp_path: Path) -> None:
    path = forms_csv(tmp_path)
    first = import_survey(path, graph, event_id=EVENT, keep_comments=True)
    assert first.report.written > 0
    g = project(graph)
    metric = g.nodes[f"metric:{EVENT}:know-next-steps:2026-03-10"]
    assert (metric["value"], metric["unit"], metric["origin"]) == (60, "percent of respondents",
                                                                   "survey")
    assert g.has_edge(EVENT, f"metric:{EVENT}:know-next-steps:2026-03-10")
    assert g.nodes[f"metric:{EVENT}:know-next-steps-n:2026-03-10"]["value"] == 5
    comments = g.nodes[f"metric:{EVENT}:survey-comments:2026-03-10"]
    # sorted, so the order says nothing about who wrote what; contact details taken out
    assert comments["note"] == ("Great day, call me [phone] | More on truck stops please "
                                "(write to [email])")
    everything = str(snapshot(graph))
    for personal in ("Ann Avery", "Bo Bright", "a@example.org", "b@example.org", "555-0199",
                     "Ames PD"):
        assert personal not in everything
    before = snapshot(graph)
    assert import_survey(path, graph, event_id=EVENT, keep_comments=True).report.written == 0
    assert snapshot(graph) == before


def test_xlsx_scale_answers(graph: GraphStore, tmp_path: Path) -> None:  # noqa: F811
    """SYNTHETIC SurveyMonkey-style .xlsx: a 1-5 scale, 4 or 5 agreeing."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Respondent ID", "Presenters were knowledgeable and approachable (1-5)"])
    for i, v in enumerate((5, 4, 3, 5), 1):
        ws.append([1000 + i, v])
    path = tmp_path / "monkey.xlsx"
    wb.save(path)
    plan = import_survey(path, graph, event_id=EVENT, dry_run=True)
    [q] = plan.questions
    assert (q.name, q.share, q.n) == ("presenters knowledgeable and approachable", 75.0, 4)


def test_two_columns_one_name_refused(graph: GraphStore, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "twice.csv"
    path.write_text("I know next steps,Next steps are clear to me\nYes,No\n", encoding="utf-8")
    before = snapshot(graph)
    with pytest.raises(LoadError, match="named 'know next steps'"):
        import_survey(path, graph, event_id=EVENT)
    assert snapshot(graph) == before
