"""The Cypher console's CSV download in headless Chromium against a real server: a query
returning formula-like values downloads a CSV whose cells a spreadsheet shows as text, and
plain numbers stay numbers: the rule of graph/export.py, held to the same corpus."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.api.test_pages_browser import page, server  # noqa: F401  (the fixtures)
from tests.graph.test_export_safety import CORPUS

QUERY = ("UNWIND range(0, size($cells) - 1) AS i "
         "RETURN i, $cells[i] AS cell, -5 AS n, [$cells[i]] AS list ORDER BY i")


def test_downloaded_csv_has_no_live_formula(page) -> None:  # noqa: F811
    cells = [text for text, _ in CORPUS]
    page.click("text=Cypher console")
    # values as parameters: the test is of the download, not of string escapes in Cypher
    page.fill("#cypher", QUERY)
    page.fill("#params", json.dumps({"cells": cells}))
    page.click("#run")
    page.wait_for_function(
        f"document.getElementById('qinfo').textContent.startsWith('{len(cells)} row')",
        timeout=30000)
    with page.expect_download(timeout=30000) as download:
        page.click("#csv")
    text = Path(download.value.path()).read_bytes().decode("utf-8")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert header == ["i", "cell", "n", "list"]
    assert [r[1] for r in rows] == [want for _, want in CORPUS]
    assert {r[2] for r in rows} == {"-5"}  # a number stays a number
    # a list is JSON text, which starts with [ and so runs nothing, whatever it holds
    assert [json.loads(r[3]) for r in rows] == [[c] for c in cells]
    assert page.outside == [] and page.errors == []


def test_the_page_and_the_exports_apply_one_rule(page) -> None:  # noqa: F811
    got = page.evaluate("(cells) => cells.map(defuseFormula)", [t for t, _ in CORPUS])
    assert got == [want for _, want in CORPUS]
