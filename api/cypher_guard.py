"""The application's own check on analysts' Cypher, in front of the database's.

The database is the real guard (GRAPH.RO_QUERY on FalkorDB, READ access mode on Neo4j); this
refuses, with a clearer message, queries that write, administer or call procedures outside
a small read-only allow-list. It reads the query with string literals and comments blanked,
so a word inside a string does not trip it, and it never edits or concatenates the text.
"""

from __future__ import annotations

import re

from api.security import Forbidden

WRITE = re.compile(r"\b(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|FOREACH|LOAD\s+CSV|"
                   r"ALTER|GRANT|DENY|REVOKE|START|STOP|TERMINATE)\b", re.I)
CALL = re.compile(r"\bCALL\s*(\{|[A-Za-z_][\w.]*)", re.I)
READ_PROCEDURES = {"db.labels", "db.relationshiptypes", "db.propertykeys", "db.indexes",
                   "db.constraints"}
_STRINGS = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|`[^`]*`")
_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def check(cypher: str) -> None:
    """Raise Forbidden unless ``cypher`` reads only.

    >>> check("MATCH (n {name: 'CREATE me'}) RETURN n")
    >>> check("CALL db.labels()")
    >>> check("MATCH (n) DETACH DELETE n")
    Traceback (most recent call last):
    ...
    api.security.Forbidden: only read queries are allowed here (found DETACH)
    >>> check("CALL dbms.security.createUser('x', 'y')")
    Traceback (most recent call last):
    ...
    api.security.Forbidden: procedure dbms.security.createUser is not allowed here; allowed: db.constraints, db.indexes, db.labels, db.propertykeys, db.relationshiptypes
    """
    if len(cypher) > 20_000:
        raise Forbidden("query too long (20,000 characters at most)")
    bare = _STRINGS.sub("''", _COMMENTS.sub(" ", cypher))
    m = WRITE.search(bare)
    if m:
        raise Forbidden(f"only read queries are allowed here (found {m.group(1).upper()})")
    for call in CALL.finditer(bare):
        target = call.group(1)
        if target == "{":
            raise Forbidden("CALL subqueries are not allowed here")
        if target.lower() not in READ_PROCEDURES:
            raise Forbidden(f"procedure {target} is not allowed here; allowed: "
                            f"{', '.join(sorted(READ_PROCEDURES))}")
