"""An event's own follow-up schedule (``followup_months``), on the real embedded store."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.store import GraphStore
from loaders.load import load
from tests.conftest import write_workbook


def _events(months: str, kind: str = "coalition build") -> str:
    return f"""
        id,name,kind,date,state,followup_months
        event:ms:b,Build,{kind},2020-01-16,MS,"{months}"
    """


def test_months_are_stored_as_numbers(tmp_path: Path, embedded_store: GraphStore) -> None:
    load(write_workbook(tmp_path / "wb", events=_events("1; 2;6")), embedded_store)
    [row] = embedded_store.read("MATCH (e:Event {id: 'event:ms:b'}) RETURN e.followup_months "
                                "AS m", {})
    assert row["m"] == [1, 2, 6]


@pytest.mark.parametrize(("months", "kind", "says"), [
    ("two", "coalition build", "write whole months"),
    ("3; 1", "coalition build", "rising order"),
    ("0", "coalition build", "from 1 to 120"),
    ("2", "webinar", "only a coalition build"),
])
def test_bad_months_are_refused_at_their_cell(tmp_path: Path, embedded_store: GraphStore,
                                              months: str, kind: str, says: str) -> None:
    with pytest.raises(LoadError) as e:
        load(write_workbook(tmp_path / "wb", events=_events(months, kind)), embedded_store)
    [issue] = [i for i in e.value.issues if i.severity == "error"]
    assert (issue.row, issue.column) == (2, "followup_months") and says in issue.message
    assert embedded_store.read("MATCH (n:Entity) RETURN count(n) AS n", {})[0]["n"] == 0
