"""The application's own check on analysts' Cypher, in front of the database's.

The database refuses writes (GRAPH.RO_QUERY on FalkorDB, READ access mode on Neo4j), but a
read-only query can still reach outside the graph: FalkorDB's read-only mode runs
``LOAD CSV FROM 'https://...'``, and procedures such as ``dbms.*``, ``algo.*`` or APOC's read
files, open connections or burn the server for minutes. So this refuses, with a clear
message, every write or admin clause, ``LOAD CSV``, ``CALL`` subqueries, every procedure
outside a small allow-list, and functions of the namespaces that run Cypher text or do I/O.

It reads the query with a tokenizer (comments, string literals with their escapes,
backticked names, in one left-to-right pass), so ``'//'`` or ``"/*"`` inside a string
hides nothing, and a keyword inside a string, a comment or backticks is no keyword. Where
the two databases could read the same text differently (``\\u0027`` is a quote to a lexer
that decodes escapes first; a doubled backtick is an escape to Neo4j only), it checks every
reading and refuses if any is unsafe. It never edits or concatenates the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.security import Forbidden

MAX_LENGTH = 20_000

#: clauses that write or administer; refused wherever they stand as keywords
WRITE = frozenset({"CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "FOREACH",
                   "ALTER", "GRANT", "DENY", "REVOKE", "RENAME", "TERMINATE", "USE",
                   "SHOW"})
#: procedures that only describe the schema
READ_PROCEDURES = frozenset({"db.labels", "db.relationshiptypes", "db.propertykeys",
                             "db.indexes", "db.constraints"})
_SHOWN_PROCEDURES = ("db.constraints, db.indexes, db.labels, db.propertyKeys, "
                     "db.relationshipTypes")
#: namespaces whose functions read files or URLs, run Cypher given as text (which this check
#: cannot see into) or reach the server's internals
FUNCTION_NAMESPACES = frozenset({"apoc", "gds", "dbms", "db", "algo", "sys", "system"})

_LINE_END = "\n\r\x0b\x0c\x85\u2028\u2029"
_TOKEN = re.compile(rf"""
    (?P<space>\s+)
  | (?P<comment>//[^{_LINE_END}]*|/\*.*?\*/)
  | (?P<string>'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")
  | (?P<quoted>`(?:``|[^`])*`)
  | (?P<param>\$(?:\w+|`[^`]*`))
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\w*)
  | (?P<name>[^\W\d]\w*)
  | (?P<other>.)
""", re.S | re.X)
#: the same, for a reader without doubled-backtick escapes (FalkorDB)
_TOKEN_PLAIN_BACKTICKS = re.compile(_TOKEN.pattern.replace("`(?:``|[^`])*`", "`[^`]*`"),
                                    re.S | re.X)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    kind: str  # name, quoted, string, param, number, other
    text: str
    at: int  # offset in the text read

    @property
    def word(self) -> str:
        """A name's keyword spelling; a backticked name is never a keyword."""
        return self.text.upper() if self.kind == "name" else ""

    @property
    def name(self) -> str:
        """The identifier a name or backticked name stands for."""
        if self.kind == "quoted":
            return self.text[1:-1].replace("``", "`")
        return self.text


def _where(text: str, at: int) -> str:
    line = text.count("\n", 0, at) + 1
    return f"line {line}, column {at - (text.rfind(chr(10), 0, at) + 1) + 1}"


def tokens(text: str, *, doubled_backticks: bool = True) -> list[Token]:
    """The query's tokens, without spaces and comments.

    >>> [t.text for t in tokens("RETURN '//' AS x // LOAD CSV")]
    ['RETURN', "'//'", 'AS', 'x']
    >>> [t.kind for t in tokens("CALL `db.labels`() /* ' */")]
    ['name', 'quoted', 'other', 'other']
    >>> tokens("RETURN 'open")
    Traceback (most recent call last):
    ...
    api.security.Forbidden: the query has an unterminated string starting at line 1, column 8
    """
    pattern = _TOKEN if doubled_backticks else _TOKEN_PLAIN_BACKTICKS
    out = []
    for m in pattern.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        value = m.group()
        if kind == "other":
            what = {"'": "string", '"': "string", "`": "backticked name"}.get(value)
            if value == "/" and text.startswith("/*", m.start()):
                what = "comment"
            if what:
                raise Forbidden(f"the query has an unterminated {what} starting at "
                                f"{_where(text, m.start())}")
        out.append(Token(kind, value, m.start()))
    return out


def _refuse_in(text: str, toks: list[Token]) -> None:
    after_call = 0  # the tokens of a procedure's name, checked with its CALL
    last = max((i for i, t in enumerate(toks) if t.text != ";"), default=-1)
    for i, tok in enumerate(toks):
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.text == ";" and i < last:
            raise Forbidden("one statement at a time, please (found ';' at "
                            f"{_where(text, tok.at)})")
        if tok.kind not in ("name", "quoted") or i < after_call:
            continue
        if prev is not None and prev.text == ".":
            continue  # a property key or the later part of a dotted name
        word = tok.word
        if nxt is not None and nxt.text == ":" and word in WRITE | {"CALL"}:
            continue  # a map key such as {set: 1}: no clause is followed by a colon
        if word in WRITE:
            raise Forbidden(f"only read queries are allowed here (found {word} at "
                            f"{_where(text, tok.at)})")
        if word == "LOAD" and nxt is not None and nxt.word == "CSV":
            raise Forbidden("LOAD CSV is not allowed here: the console reads the graph and "
                            "never fetches files or URLs")
        if word == "CALL":
            if nxt is None or nxt.text in ("{", "("):
                raise Forbidden("CALL subqueries are not allowed here")
            name, after_call = _dotted(toks, i + 1)
            if not name or name.lower() not in READ_PROCEDURES:
                raise Forbidden(f"procedure {name or nxt.text} is not allowed here; "
                                f"allowed: {_SHOWN_PROCEDURES}")
            continue
        name, end = _dotted(toks, i)
        if "." in name and end < len(toks) and toks[end].text == "(" \
                and name.split(".", 1)[0].lower() in FUNCTION_NAMESPACES:
            raise Forbidden(f"function {name} is not allowed here: functions of "
                            f"{', '.join(sorted(FUNCTION_NAMESPACES))} can read files or "
                            "URLs, run Cypher given as text, or reach the server's internals")


def _dotted(toks: list[Token], i: int) -> tuple[str, int]:
    """The dotted name starting at ``toks[i]`` (``db.labels``, ```db`.`labels```,
    ```db.labels```) and the index just after it."""
    parts = []
    while i < len(toks) and toks[i].kind in ("name", "quoted"):
        parts.append(toks[i].name)
        if i + 2 < len(toks) and toks[i + 1].text == "." and \
                toks[i + 2].kind in ("name", "quoted"):
            i += 2
        else:
            i += 1
            break
    return ".".join(parts), i


def check(cypher: str) -> None:
    """Raise Forbidden unless ``cypher`` only reads the graph.

    >>> check("MATCH (n {name: 'CREATE me'}) RETURN n.start AS start")
    >>> check("CALL db.labels()")
    >>> check("MATCH (n) DETACH DELETE n")
    Traceback (most recent call last):
    ...
    api.security.Forbidden: only read queries are allowed here (found DETACH at line 1, column 11)
    >>> check("WITH '//' AS x LOAD CSV FROM 'https://127.0.0.1:1/' AS row RETURN row")
    Traceback (most recent call last):
    ...
    api.security.Forbidden: LOAD CSV is not allowed here: the console reads the graph and never fetches files or URLs
    >>> check("CALL `dbms.procedures`()")
    Traceback (most recent call last):
    ...
    api.security.Forbidden: procedure dbms.procedures is not allowed here; allowed: db.constraints, db.indexes, db.labels, db.propertyKeys, db.relationshipTypes
    """
    if len(cypher) > MAX_LENGTH:
        raise Forbidden(f"query too long ({MAX_LENGTH:,} characters at most)")
    # Every reading a database might take: the standard one; one without doubled-backtick
    # escapes; and one where \\uXXXX escapes became characters before lexing.
    _refuse_in(cypher, tokens(cypher))
    _refuse_in(cypher, tokens(cypher, doubled_backticks=False))
    decoded = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16))
                                  if int(m.group(1) or m.group(2), 16) <= 0x10FFFF
                                  else m.group(), cypher)
    if decoded != cypher:
        try:
            _refuse_in(decoded, tokens(decoded))
        except Forbidden as e:
            raise Forbidden(f"{e} (reading \\u escapes as the characters they stand for; "
                            "write the character itself instead)") from None
