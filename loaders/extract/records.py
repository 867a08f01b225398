"""What extraction reads from a report, before it becomes workbook rows (:mod:`.draft`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from loaders.extract.entities import Evidence, Org, Person


@dataclass
class Event:
    name: str
    kind: str
    evidence: Evidence
    date: str | None = None
    city: str | None = None
    state: str | None = None
    why: list[str] = field(default_factory=list)  # for the review: how place and date came
    main: bool = False  # the event the report is about
    dateline: bool = False  # its place and date come from the report's dateline
    follows: Event | None = None  # for a follow-up: the build it follows up


@dataclass
class Group:
    """People or organizations a report counts without naming them (docs/workbook.md,
    Unnamed groups): "representatives from 3 local casinos"."""

    kind: str  # an organization kind or a sector
    name: str  # as the report describes them: "local casinos"
    evidence: Evidence
    count: str | int | float | None = None  # as the workbook takes it: 3, "over 70"
    unit: str | None = None  # organizations or people
    level: str | None = None
    rule: str = ""  # the words its kind rule matched


@dataclass
class Role:
    who: Org | Person | Group
    event: Event
    role: str  # attended, hosted, co-hosted, sponsored, spoke
    evidence: Evidence


@dataclass
class Metric:
    scope: Org | Event
    name: str
    value: int | float
    unit: str
    source: str
    evidence: Evidence
    written: str = ""  # the figure as the report writes it, when it is a bound
    qualifier: str | None = None
    cell: str | int | float | None = None  # the value as the workbook takes it ("over 70")


@dataclass
class Commitment:
    who: Org | Person | Group
    program: str
    program_kind: str
    kind: str  # considering, pledged, trained, distributes, adopted
    status: str
    evidence: Evidence
    count: str | int | float | None = None  # a bound as the workbook takes it: "over 200"
    event: Event | None = None  # the event it came out of (the report's own build)


@dataclass
class Tie:
    source: Org | Person
    type: str  # a relationship type of the workbook
    target: Org | Person
    evidence: Evidence
    event: Event | None = None
    status: str | None = None


@dataclass
class Facts:
    events: list[Event] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    survivors: list[tuple[Event, Evidence]] = field(default_factory=list)
    review: list[str] = field(default_factory=list)  # what a person should look at
