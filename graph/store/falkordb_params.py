"""The ``CYPHER name=value`` header FalkorDB takes query parameters in, written faster.

The ``falkordb`` client spells every value with one general recursive function
(``falkordb.helpers.stringify_param_value``): for a load's 400,000 records that was about
three seconds of the loader's own time, in the write phase, where the CPU is shared with
the server (docs/benchmarks.md, issue 12 item 2). :func:`params_header` writes exactly the
same text for the values a graph holds (text, numbers, booleans, null, lists and maps of
them), with the common cases inline; anything else goes to the client's own function, so
what it refuses (an empty or backticked map key) is refused the same way.
"""

from __future__ import annotations

from typing import Any

from falkordb.helpers import stringify_param_value


def _text(v: str) -> str:
    if not v:
        return '""'
    if "\\" in v or '"' in v:
        v = v.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{v}"'


def literal(v: Any) -> str:
    """``stringify_param_value(v)``, the same text."""
    t = type(v)
    if t is str:
        return _text(v)
    if v is None:
        return "null"
    if t is dict:
        return _map(v)
    if t is list or t is tuple:
        return f"[{','.join([literal(x) for x in v])}]"
    if t is int or t is float or t is bool:
        return str(v)
    return stringify_param_value(v)


def _map(d: dict[Any, Any]) -> str:
    parts = []
    for k, v in d.items():
        if type(k) is not str or not k or "`" in k:
            return stringify_param_value(d)  # its error, as the client raises it
        if type(v) is str and v and '"' not in v and "\\" not in v:
            parts.append(f'`{k}`:"{v}"')
        else:
            parts.append(f"`{k}`:{literal(v)}")
    return "{" + ",".join(parts) + "}"


def params_header(params: dict[str, Any]) -> str:
    """What ``Graph._build_params_header(params)`` returns: ``CYPHER `k`=v ...``."""
    out = "CYPHER "
    for key, value in params.items():
        if type(key) is not str or not key or "`" in key:
            raise ValueError(f"Cypher parameter name cannot be empty or hold a backtick: "
                             f"{key!r}")
        out += f"`{key}`={literal(value)} "
    return out
