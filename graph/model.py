"""The domain vocabulary: node labels, organization kinds, relationship types.

Labels and relationship types cannot be Cypher parameters, so every one that reaches a query
comes from the closed sets below (see :func:`graph.queries.label`), never from input text.

Every node carries the label ``Entity`` (one id index and one uniqueness constraint for the
whole graph, so relationships can be matched by id alone) plus its base label, plus for
organizations a label for its kind: ``(:Entity:Organization:TruckStop)``.
"""

from __future__ import annotations

import re
from functools import cache

ENTITY = "Entity"

#: base labels and the id prefix each one's derived ids start with
BASE_LABELS: dict[str, str] = {
    "Organization": "org",
    "Person": "person",
    "Event": "event",
    "Program": "program",
    "ModelComponent": "mve",
    "State": "state",
    "County": "county",
    "Metric": "metric",
    "Group": "group",  # an unnamed group of organizations or people ("3 local casinos")
    "Law": "law",  # a bill or statute of a jurisdiction (the laws sheet)
}

#: organization kind (as written in a workbook) -> label; the documented vocabulary
ORG_KINDS: dict[str, str] = {
    "law enforcement": "LawEnforcement",
    "prosecutor": "Prosecutor",
    "state agency": "StateAgency",
    "federal agency": "FederalAgency",
    "trade association": "TradeAssociation",
    "trucking company": "TruckingCompany",
    "bus company": "BusCompany",
    "transit agency": "TransitAgency",
    "truck stop": "TruckStop",
    "bus terminal": "BusTerminal",
    "casino": "Casino",
    "energy company": "EnergyCompany",
    "shipper": "Shipper",
    "task force": "TaskForce",
    "victim services": "VictimServices",
    "nonprofit": "Nonprofit",
    "sponsor": "Sponsor",
    "school": "School",
}
KIND_LABELS = frozenset(ORG_KINDS.values())

#: sector of each kind, used by analyses and views to group kinds
SECTORS: dict[str, str] = {
    "law enforcement": "law enforcement",
    "prosecutor": "law enforcement",
    "federal agency": "government",
    "state agency": "government",
    "task force": "law enforcement",
    "trade association": "industry",
    "trucking company": "industry",
    "bus company": "industry",
    "transit agency": "industry",
    "truck stop": "industry",
    "bus terminal": "industry",
    "casino": "industry",
    "energy company": "industry",
    "shipper": "industry",
    "victim services": "civil society",
    "nonprofit": "civil society",
    "sponsor": "civil society",
    "school": "civil society",
}

#: the sectors, which an unnamed group may give instead of a kind ("28 law enforcement")
SECTOR_NAMES = frozenset(SECTORS.values())
#: what an unnamed group may be: an organization kind or a sector
GROUP_KINDS = frozenset(ORG_KINDS) | SECTOR_NAMES
#: what an unnamed group's count counts
GROUP_UNITS = frozenset({"organizations", "people"})

#: the level an organization works at; inferred from kind and name when a workbook leaves it
#: empty (loaders.normalize.infer_level, documented in docs/workbook.md)
LEVELS = ("local", "county", "regional", "state", "national", "federal", "international")

#: how a bounded number was written: ">70" is 70 with "more than" (loaders.normalize)
QUALIFIERS = ("more than", "at least", "about", "up to", "less than")

#: the status of a bill or statute, in the order a bill usually moves through them
LAW_STATUSES = ("introduced", "passed", "signed", "effective", "failed", "repealed")

EVENT_KINDS = frozenset(
    {"coalition build", "follow-up", "training", "webinar", "meeting", "conference",
     "presentation"}
)
PROGRAM_KINDS = frozenset(
    {"training", "materials", "webinar", "toolkit", "model", "model component", "legislation",
     "program"}
)

#: participation role -> relationship type (entity -> event)
PARTICIPATION: dict[str, str] = {
    "attended": "ATTENDED",
    "hosted": "HOSTED",
    "co-hosted": "HOSTED",  # a HOSTED edge with role 'co-hosted'
    "sponsored": "SPONSORED",
    "spoke": "SPOKE_AT",
    # signed up but not seen there (attendee imports): kept, so the next invitation can go
    # to them, but never counted as taking part
    "registered": "REGISTERED",
}
#: the participation types that count as taking part in an event (every analysis uses these)
TOOK_PART: frozenset[str] = frozenset(t for t in PARTICIPATION.values() if t != "REGISTERED")

#: relationship sheet type -> relationship type
RELATIONSHIPS: dict[str, str] = {
    "referred": "REFERRED",
    "introduced": "INTRODUCED",
    "local contact": "LOCAL_CONTACT",
    "member of": "MEMBER_OF",
    "partners with": "PARTNERS_WITH",
    "reported tip to": "REPORTED_TIP_TO",
    "works for": "WORKS_FOR",
    "sponsors": "SPONSORS",
}

#: commitment kind -> relationship type (entity -> program or model component)
COMMITMENTS: dict[str, str] = {
    "considering": "CONSIDERING",
    "pledged": "PLEDGED",
    "trained": "TRAINED",
    "distributes": "DISTRIBUTES",
    "adopted": "ADOPTED",
}

#: the laws sheet: a law mandates programs; people and organizations sponsor bills
LAW_RELATIONSHIPS = frozenset({"MANDATES", "SPONSORS_BILL"})

#: relationships the loader derives itself. OUTCOME_OF ties whoever made a commitment or a
#: relationship to the event it came out of (its ``event_id``): a report's outcome, which is
#: not a statement that they attended
DERIVED = frozenset({"LOCATED_IN", "PART_OF", "HAS_METRIC", "FOLLOWS", "OUTCOME_OF"})

#: a logged contact (graph/followup_log.py, issue 13 item 2): who was called, emailed, met or
#: visited in a follow-up, as entity -> follow-up event ("was contacted in"). Its own type,
#: not a participation: being phoned is not taking part, so it must not count as attending
#: (TOOK_PART) nor as a tie the stakeholder formed (analysis TIE_TYPES)
CONTACTED = "CONTACTED"
#: how a follow-up contact was made
CONTACT_KINDS = ("call", "email", "meeting", "visit")

REL_TYPES = frozenset(
    set(PARTICIPATION.values()) | set(RELATIONSHIPS.values()) | set(COMMITMENTS.values())
    | LAW_RELATIONSHIPS | DERIVED | {"WORKS_FOR", CONTACTED}
)
NODE_LABELS = frozenset({ENTITY, *BASE_LABELS, *KIND_LABELS})

#: who can act: the nodes ego networks and paths expand through
ACTOR_LABELS = ("Organization", "Person")
#: ego networks and paths run through actors and events; programs, places and metrics are
#: hubs (a program has every adopter in the country) and stay at the ends
EXPANDABLE_LABELS = (*ACTOR_LABELS, "Event")

#: people in these roles are never stored with personal details (names, titles, contacts)
SENSITIVE_ROLE = re.compile(r"\b(survivor|victim)", re.IGNORECASE)

#: properties that hold people's contact details; shown only to roles that may see them
CONTACT_PROPERTIES = ("email", "phone")


@cache
def vocab_key(text: str) -> str:
    """Fold a vocabulary word as people type it to its canonical spelling.

    >>> vocab_key("Truck_Stop"), vocab_key("  LAW-enforcement "), vocab_key("TruckStop")
    ('truck stop', 'law enforcement', 'truckstop')
    """
    return re.sub(r"[\s_\-]+", " ", text.strip().lower())


def lookup(vocabulary: dict[str, str] | frozenset[str], text: str) -> str | None:
    """The canonical vocabulary word for ``text`` (ignoring case, spaces, '-', '_'), or None.

    >>> lookup(ORG_KINDS, "TruckStop"), lookup(ORG_KINDS, "truck-stop"), lookup(ORG_KINDS, "bar")
    ('truck stop', 'truck stop', None)
    """
    key = vocab_key(text)
    squashed = key.replace(" ", "")
    for word in vocabulary:
        if word == key or word.replace(" ", "").replace("-", "") == squashed.replace("-", ""):
            return word
    if isinstance(vocabulary, dict):  # also accept the label itself, e.g. "LawEnforcement"
        for word, label in vocabulary.items():
            if label.lower() == squashed:
                return word
    return None

#: the change log (graph/changelog.py): kept in the same database as the graph, so it is
#: backed up with it and works on both stores, but never an ``Entity``: projections,
#: analyses, exports, search and counts read ``Entity`` nodes only, so they never see it. A
#: change is one ``Change`` node and the ``ChangePart`` nodes holding its before/after.
CHANGE = "Change"
CHANGE_PART = "ChangePart"
#: a decision of the near-duplicate review queue (api/review.py): two organizations a person
#: said are not the same, so neither the queue nor a load flags them again. Kept beside the
#: log and, like it, never an ``Entity``.
REVIEW = "Review"
#: a stakeholder merged into another (graph/merging.py): its old id, name and aliases and the
#: survivor's id, so that a link or a later load naming the old one finds the survivor. Written
#: by the merge's own statement and never changed: it holds while its change is in effect
#: (not undone), which is what the log says, so an undo or a redo needs nothing of its own.
MERGED = "Merged"
LOG_LABELS = frozenset({CHANGE, CHANGE_PART, REVIEW, MERGED})
