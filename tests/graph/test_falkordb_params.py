"""The fast parameter header writes exactly what the falkordb client would (issue 12, item 2)."""

from __future__ import annotations

import pytest
from falkordb.helpers import stringify_param_value

from graph.store.falkordb_params import literal, params_header

VALUES = [
    "", "plain", 'say "hi"', "back\\slash", "line\nbreak", "Ünïcode – “quotes”", 0, -7,
    2**63 - 1, 1.5, 1e-07, float("1e300"), True, False, None, [], ["a", 1, None, [True]],
    ("t", 2), {}, {"id": "org:a", "props": {"name": 'A "B"', "n": 3, "aliases": ["x", "y"],
                                           "ok": False, "gone": None, "nested": {"k": "v"}}},
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_literal_is_the_clients_text(value: object) -> None:
    assert literal(value) == stringify_param_value(value)


def test_hand_checked_header() -> None:
    rows = [{"id": "org:a", "props": {"name": 'Say "A"\\', "n": 2, "on": True, "l": ["x"]}}]
    assert params_header({"rows": rows}) == (
        'CYPHER `rows`=[{`id`:"org:a",`props`:{`name`:"Say \\"A\\"\\\\",`n`:2,`on`:True,'
        '`l`:["x"]}}] ')


@pytest.mark.parametrize("bad", [{"": 1}, {"a`b": 1}])
def test_keys_the_client_refuses_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        stringify_param_value(bad)
    with pytest.raises(ValueError):
        literal([bad])
