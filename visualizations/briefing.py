"""The analysis report as a briefing a strategist can act on: Markdown, or the same as one
offline HTML file. Most urgent first: missing roles, contact gaps, overdue follow-ups,
stalled organizations, introductions, single points of failure, then the wider picture.
Where there is nothing to assess, each section says so and what to record, instead of an
empty list that would read as good news; missed follow-ups are history, listed apart.

Every value from the data is escaped for Markdown (names such as ``[Click](https://...)``,
``<script>`` or ``a | b`` read as the text they are: no links, no HTML, no broken tables),
and the HTML rendering allows no links or raw HTML at all: the briefing itself has none."""

from __future__ import annotations

import base64
import html
import re
from typing import Any

from jinja2 import Environment, StrictUndefined, Undefined
from markdown_it import MarkdownIt

TEMPLATE = r"""
# Coalition briefing: {{ (r.generated.states + (["national"] if r.get("national") else [])) | join(", ") }}

As of {{ r.generated.as_of }}: nothing dated later is counted. Blueprint: {{ code(r.generated.blueprint_name) }}. Every finding names
its entities by name and `id`. Dates known only to the month or the year are marked as such.
{% if r.generated.approximations %}
Approximations used: {% for a in r.generated.approximations %}{{ a }}{{ "; " if not loop.last }}{% endfor %}.
{% endif %}{% if r.generated.get("data_problems") %}
**Data problems**: these rows could not be used and are left out of the analyses below.
{% for p in r.generated.data_problems %}- {{ p.entity.name }} ({{ code(p.entity.id) }}): {{ p.problem }}
{% endfor %}{% endif %}
{% for st in states %}
## {{ st.state }}: coalition coverage {{ pct(st.coverage.get("coverage")) }}

{{ st.coverage.get("roles_filled", 0) }} of {{ st.coverage.get("roles_counted", 0) }} counted roles are filled.

### 1. Who is missing from the room
{% set roles = st.coverage.get("roles", []) %}{% set gaps = roles | selectattr("status", "in", ["missing", "partial", "present, unnamed"]) | list %}
{% if gaps %}
| role | status | filled by | invite next |
|---|---|---|---|
{% for role in gaps %}| {{ role.name }}{{ " (optional)" if role.applies == "optional" }} | {{ role.status }} ({{ role.filled_by | length }} of {{ role.wanted }}{{ " named" if role.get("unnamed") }}) | {{ who(role.filled_by) }}{% for u in role.get("unnamed", []) %}{{ "; " if role.filled_by or not loop.first }}{{ u.evidence }}{% endfor %} | {{ who(st.invites.get(role.id, [])) or ("identify the unnamed ones above" if role.get("unnamed") else "nobody in the graph yet: find one") }}{% if role.get("unnamed_possible") %}; perhaps among the unnamed: {% for u in role.unnamed_possible %}{{ u.name }}{{ ", " if not loop.last }}{% endfor %}{% endif %} |
{% endfor %}
{% elif roles %}Every counted role is filled.
{% else %}No roles to assess: the blueprint lists none.
{% endif %}{% set filled = roles | selectattr("status", "equalto", "filled") | list %}{% if filled %}
Filled: {% for role in filled %}{{ role.name }}: {{ who(role.filled_by, how=True) }}{{ "; " if not loop.last }}{% endfor %}.
{% endif %}{% set na = roles | selectattr("status", "equalto", "not-applicable") | list %}{% if na %}
Not assessed, because they exist only in some states and none is recorded in {{ st.state }}: {{ na | map(attribute="name") | join(", ") }}. If {{ st.state }} has one, record it.
{% endif %}

### 2. Truck stops, terminals and casinos without a law-enforcement contact
{% if st.gaps %}
| site | kind | gap | local law enforcement to introduce |
|---|---|---|---|
{% for s in st.gaps[:50] %}| {{ s.name }} ({{ code(s.id) }}) | {{ s.kind }} | {{ "no tie at all" if s.gap == "none" else "tied, but no contact protocol" }} | {{ names(s.local_law_enforcement[:3]) or "none in its " ~ s.scope ~ " in the graph: record its police or sheriff" }} |
{% endfor %}{% if st.gaps | length > 50 %}| ... and {{ st.gaps | length - 50 }} more | | | |
{% endif %}
{% elif not st.sites_recorded %}No {{ "named " if st.unnamed_sites }}truck stops, bus terminals or casinos are recorded in {{ st.state }}: add them to find contact gaps.
{% else %}None: each of the {{ st.sites_recorded }} truck stops, bus terminals and casinos recorded in {{ st.state }} has a local contact protocol.
{% endif %}{% if st.unnamed_sites %}
Unnamed sites took part ({% for u in st.unnamed_sites %}{{ u.name }}{{ ", " if not loop.last }}{% endfor %}): name them to check their local contacts.
{% endif %}

### 3. Follow-ups overdue and due
{% set pending = st.schedule | selectattr("status", "in", ["overdue", "due"]) | list %}
{% if pending %}
| build | follow-up | due | status |
|---|---|---|---|
{% for f in pending[:30] %}| {{ f.event.name }} ({{ code(f.event.id) }}) | {{ f.months }} month{{ "s" if f.months > 1 }} | {{ f.due }}{{ " (approx.)" if f.approximate }} | {{ f.status }}{{ " by " ~ ("at least " if f.approximate else "") ~ f.days_overdue ~ " days" if f.days_overdue }} |
{% endfor %}
{% elif not st.schedule %}No coalition build is recorded in {{ st.state }}{{ " as of " ~ r.generated.as_of }}: nothing to follow up.
{% else %}Nothing overdue or due.
{% endif %}{% if r.generated.get("followup_schedule") %}
Schedule: {{ r.generated.followup_schedule.months | join(", ") }} months after each build, {{ r.generated.followup_schedule.window_days }} days either side; a point with nothing recorded within {{ r.generated.followup_schedule.horizon_months }} months of the build is missed.{% for b in own_schedules(st.schedule) %} {{ b.name }} follows its programme's own schedule: {{ b.months | join(", ") }} month{{ "s" if b.months != [1] }} after it.{% endfor %}
{% endif %}{% for b in by_build(st.schedule, "upcoming") %}{% if loop.first %}
Upcoming:
{% endif %}- {{ b.event.name }} ({{ b.date }}): {{ b.months }}{{ " from " ~ b.first_due if b.first_due }}
{% endfor %}{% for b in by_build(st.schedule, "unknown") %}{% if loop.first %}
Cannot be placed (said, not guessed):
{% endif %}- {{ b.event.name }} ({{ b.date }}): {{ b.months }}: {{ b.note }}
{% endfor %}{% set done = st.schedule | selectattr("status", "equalto", "done") | list %}{% if done %}
Done: {% for f in done %}{{ f.event.name }} {{ f.months }}-month ({% for x in f.followed_up_by %}{{ x.name }}, {{ x.date }}{% if x.get("contacted") %}, with {{ x.contacted | map(attribute="name") | join(", ") }}{% endif %}{{ "; " if not loop.last }}{% endfor %}){{ "; " if not loop.last }}{% endfor %}.
{% endif %}{% for u in st.unmatched %}{% if loop.first %}
Recorded follow-ups that count for no scheduled point:
{% endif %}- {{ u.followup.name }} ({{ code(u.followup.id) }}, {{ u.date or "undated" }}) after {{ u.event.name }}: {{ u.why }}
{% endfor %}{% for b in by_build(st.schedule, "missed") %}{% if loop.first %}
History, not an action: missed, past the horizon with nothing recorded:
{% endif %}- {{ b.event.name }} ({{ b.date }}): {{ b.months }}
{% endfor %}

### 4. Took part, nothing since
{% if not st.funnel.get("organizations") %}No organization (conveners aside) is recorded as taking part in an event in {{ st.state }}: record who took part to see who has stalled.
{% elif st.funnel.stalled %}
{% for o in st.funnel.stalled[:30] %}- {{ o.name }} ({{ code(o.id) }}, {{ o.kind or "kind not recorded" }}): {{ o.evidence | join("; ") }}
{% endfor %}
{% else %}Nobody has stalled: {{ "the one organization" if st.funnel.organizations | length == 1 else "each of the " ~ st.funnel.organizations | length ~ " organizations" }} that took part has done something since.
{% endif %}{% for u in st.funnel.get("unnamed", []) %}{% if loop.first %}
Unnamed groups cannot be followed up until they are named:
{% endif %}- {{ u.name }}: {{ u.evidence.get("attended", []) | join("; ") }}
{% endfor %}{% if st.funnel.get("stages") %}
Funnel: {% for s in st.funnel.stages %}{{ s }} {{ st.funnel.counts[s] }}{{ " → " if not loop.last }}{% endfor %}.
{% endif %}

### 5. Introductions to make next
{% set basis = st.recs.get("basis", {}) %}{% if st.recs.get("introductions") %}
| score | introduce | to | why |
|---|---|---|---|
{% for i in st.recs.introductions[:15] %}| {{ "%.2f" | format(i.score) }} | {{ i.a.name }} ({{ code(i.a.id) }}) | {{ i.b.name }} ({{ code(i.b.id) }}) | {{ i.reason }} |
{% endfor %}
{% elif not basis.get("sites_without_contact") and not (basis.get("task_forces") and basis.get("industry_for_task_forces")) %}Nothing to assess: {{ st.state }} has no truck stop, bus terminal or casino without a contact{{ ", and no task force with industry to equip" if not basis.get("task_forces") else "" }}{{ ", and no trucking or bus company for its task forces" if basis.get("task_forces") and not basis.get("industry_for_task_forces") else "" }} in the graph. Record sites with their local law enforcement, and task forces, to get introductions; missing roles (section 1) call for invitations, not introductions.
{% elif basis.get("sites_without_contact") and not basis.get("sites_with_local_law_enforcement") %}{{ basis.sites_without_contact }} site(s) lack a contact, but no local law enforcement is recorded for them: record their police department or sheriff's office.
{% else %}None needed: the pairs the blueprint asks for in {{ st.state }} (sites and their local law enforcement, task forces and industry) are already tied.
{% endif %}

### 6. Single points of failure and brokers
{% for part, title in [("relationship", "relationships"), ("co_attendance", "shared events")] %}{% set s = st.structure[part] %}{% if s %}
**By {{ title }}** ({{ s.nodes }} actors, {{ s.edges }} ties, {{ s.components | length }} component{{ "s" if s.components | length != 1 }}):
{% if not s.edges %}- Nothing to assess: no {{ title }} are recorded between {{ st.state }}'s actors. Record {{ "who introduced whom, partnerships and local contacts" if part == "relationship" else "who took part in which events" }} to find brokers and single points of failure.
{% else %}{% if s.articulation_points %}- Actors whose loss would split the network: {% for p in s.articulation_points[:8] %}{{ p.name }} ({{ code(p.id) }}){{ ", " if not loop.last }}{% endfor %}.
{% endif %}{% if s.bridges %}- Ties whose loss would cut actors off: {% for b in s.bridges[:5] %}{{ b.a.name }} – {{ b.b.name }} ({{ b.cuts_off }}){{ ", " if not loop.last }}{% endfor %}.
{% endif %}{% if s.brokers %}- Brokers: {% for b in s.brokers[:5] %}{{ b.name }} (betweenness {{ b.betweenness }}, constraint {{ b.constraint }}){{ ", " if not loop.last }}{% endfor %}.
{% else %}- No brokers: every actor is tied directly to the others it reaches, so nobody stands between them.
{% endif %}{% if s.sector_ties.law_enforcement_ties %}- Ties to law enforcement by industry: {% for k, v in s.sector_ties.law_enforcement_ties.items() %}{{ k }} {{ v }}{{ ", " if not loop.last }}{% endfor %}.
{% endif %}{% endif %}{% endif %}{% endfor %}

### 7. Iowa MVE model and the CDL entry-level mandate
{% if st.mve and st.mve.model %}{% if not st.mve.get("recorded", True) %}No MVE component is recorded as adopted, pledged or considered in {{ st.state }}: record commitments to its components (or to the whole model) to assess them.
{% endif %}{% for c in st.mve.components %}- {{ c.name }}: **{{ c.status }}**{% if c.evidence %} ({% for e in c.evidence %}{{ e.name }}: {{ e.status }}{{ " " ~ e.via if e.get("via") }}{{ ", " if not loop.last }}{% endfor %}){% endif %}
{% endfor %}{% if st.mve.unnamed_components %}- {{ st.mve.unnamed_components }} more component(s) the data does not name cannot be assessed.
{% endif %}{% else %}The graph holds no Iowa MVE model program: load it and its components (programs sheet) to assess them.
{% endif %}{% if st.laws %}- CDL entry-level training (Phase II goal 6): **{{ st.laws.cdl_entry_level.status }}**: {{ st.laws.cdl_entry_level.note }}.
{% for l in st.laws.laws %}- Law: {{ l.bill or l.name }}{{ ", " ~ l.name if l.bill }}: {{ l.status }} {{ l.date_shown or "undated" }}{{ " (" ~ l.status_as_of ~ ")" if l.status_as_of }}{% if l.mandates %}; mandates {{ names(l.mandates) }}{% endif %}{% if l.sponsors %}; sponsors {{ names(l.sponsors) }}{% endif %}
{% endfor %}{% endif %}

### 8. Impact
{% for a in st.metrics.get("attendance", []) %}- {{ a.event.name }} ({{ dated(a) }}): {{ (a.participants_text or a.participants) ~ " participants; " if a.participants is not none }}{{ a.named_participants }} named{% if a.by_sector %} ({% for k, v in a.by_sector.items() %}{{ k }} {{ v }}{{ ", " if not loop.last }}{% endfor %}){% endif %}{% if a.get("unnamed") %}; unnamed: {% for u in a.unnamed %}{{ u.name }}{{ ", " if not loop.last }}{% endfor %}; together {{ a.total.text }} ({% for k, v in a.total_by_sector.items() %}{{ k }} {{ v.text }}{{ ", " if not loop.last }}{% endfor %}){% endif %}{% if a.get("via") %}; through their people: {{ a.via | join("; ") }}{% endif %}
{% endfor %}{% for sv in st.metrics.get("surveys", []) %}- Survey, {{ sv.event.name }}: {% for m in sv.results %}{{ m.name }} {{ m.value_text or m.value }}%{{ "; " if not loop.last }}{% endfor %}
{% endfor %}{% for state, rows in st.metrics.get("tips_and_hotline", {}).items() %}{% for t in rows %}- Tips and reports ({{ state }}): {{ t.scope.name }}: {{ t.name }} {{ t.value_text or t.value }}{{ " (" ~ dated(t) ~ ")" if t.date }}
{% endfor %}{% endfor %}{% for t in st.metrics.get("trainings", [])[:20] %}- {{ t.entity.name }}: {{ t.kind }} {{ t.program.name }}{{ " (" ~ (t.count_text or t.count) ~ ")" if t.count is not none }}{{ ": " ~ t.status if t.status }}
{% endfor %}
{% if st.changes and st.changes.builds %}
### 9. What each build changed
Ties, first-time organizations and network scores over waves (as PARTNER reports them) from each build's date to {{ st.changes.window_months }} months after it (from the first to the last day a build dated to the month or year only may have been); undated and planned ties are never credited to a build.

| build | date | new ties | new law enforcement ↔ industry ties | organizations engaged for the first time | density before → after | cross-sector share before → after |
|---|---|---|---|---|---|---|
{% for b in st.changes.builds %}| {{ b.name }} | {{ b.get("date_shown") or b.date or "undated" }} | {{ b.new_ties | length if b.new_ties is defined else "" }} | {% for t in b.get("new_cross_sector_ties", []) %}{{ t.source_name }} – {{ t.target_name }}{{ "; " if not loop.last }}{% endfor %} | {{ names(b.get("first_time", [])) }} | {{ share(b.before, "density") if b.before is defined else "" }} → {{ share(b.after, "density") if b.after is defined else "" }} | {{ share(b.before, "cross_sector_share") if b.before is defined else "" }} → {{ share(b.after, "cross_sector_share") if b.after is defined else "" }} |
{% endfor %}{% for u in unordered(st.changes.builds) %}
- Order unknown: {{ u.a }} ({{ u.a_date }}) and {{ u.b }} ({{ u.b_date }}) cannot be put in order, because their dates are known only to the month or year. {{ names(u.orgs) }} took part in both, so {{ "it is" if u.orgs | length == 1 else "they are" }} listed as first engaged at each; record the exact dates to credit one build.
{% endfor %}{% endif %}
{% endfor %}{% if r.get("national") %}{% set n = r.national %}
## National: across {{ n.states | length }} jurisdiction{{ "s" if n.states | length != 1 }}

The whole graph as one network: how the state coalitions connect, who brokers between them, where national organizations reach.

### Coverage by jurisdiction
{% for c in n.coverage_by_state %}- {{ c.state }}: coverage {{ pct(c.coverage) }} ({{ c.roles_filled }} of {{ c.roles_counted }} counted roles filled){% if c.missing %}; missing: {{ c.missing | map(attribute="name") | join(", ") }}{% endif %}
{% else %}- No organization or event records a state, province or country: what follows is the whole graph. Record where organizations and events are to get each jurisdiction's report.
{% endfor %}
### Brokers between state coalitions
{% for b in n.brokers %}- {{ b.name }} ({{ code(b.id) }}{{ ", " ~ b.state if b.state }}): tied into {{ b.jurisdictions | join(", ") }} (betweenness {{ b.betweenness }})
{% else %}- None: no actor is tied to actors of two jurisdictions. Record ties and shared events across states to find them.
{% endfor %}{% if n.brokers_not_listed %}- and {{ n.brokers_not_listed }} more.
{% endif %}{% if n.links %}- Ties between jurisdictions: {% for l in n.links[:10] %}{{ l.a }}–{{ l.b }} {{ l.ties }}{{ ", " if not loop.last }}{% endfor %}.
{% endif %}
### National organizations' reach into states
{% for o in n.reach.organizations %}- {{ o.name }} ({{ code(o.id) }}{{ ", " ~ o.level if o.level }}): {{ o.jurisdictions | join(", ") }}
{% else %}- No national or stateless organization is recorded as taking part, committing or tied in any jurisdiction.
{% endfor %}{% if n.reach.organizations_not_listed %}- and {{ n.reach.organizations_not_listed }} more.
{% endif %}
### Structure across states
{% for part, title in [("relationship", "relationships"), ("co_attendance", "shared events")] %}{% set s = n.structure[part] %}
**By {{ title }}** ({{ s.nodes }} actors, {{ s.edges }} ties, {{ s.components | length }} component{{ "s" if s.components | length != 1 }}){% if not s.edges %}: nothing recorded.{% endif %}
{% if s.articulation_points %}- Actors whose loss would split the network: {% for p in s.articulation_points[:8] %}{{ p.name }} ({{ code(p.id) }}){{ ", " if not loop.last }}{% endfor %}.
{% endif %}{% if s.brokers %}- Brokers: {% for b in s.brokers[:5] %}{{ b.name }} (betweenness {{ b.betweenness }}){{ ", " if not loop.last }}{% endfor %}.
{% endif %}{% endfor %}{% endif %}
"""

HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Coalition briefing</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;padding:.3rem .5rem;
vertical-align:top}th{background:#f2f2f2}code{font-size:90%;color:#555}h2{border-top:2px solid #333;
padding-top:1rem}
</style></head><body>
{{ body }}
</body></html>
"""


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{round(100 * x)}%"


class Md(str):
    """Markdown the briefing writes itself, not data: printed as it is."""


#: control characters (line breaks, tabs, NUL) would end a table row or start a block
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
#: what makes inline Markdown (code, emphasis, links, table cells) or a heading; a
#: backslash before any ASCII punctuation makes it literal (CommonMark 2.4)
_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
#: HTML and entities: written as entities, so that no < from the data is in the Markdown
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_ANGLE = {"<": "&lt;", ">": "&gt;"}
#: what starts a block when the value begins a line or a list item: a list, a setext line
_LEADING = re.compile(r" ?(?:[-+=](?=[ =-]|$)|[0-9]+[.)](?= |$))")
#: bare URLs, which GitHub-flavoured renderers turn into links
_BARE_URL = re.compile(r"(?i)(?<=[a-z])(:)(?=//)|(?<=\bwww)(\.)")


def md_text(value: Any) -> str:
    r"""A value from the data as Markdown that renders as exactly that text.

    >>> md_text("[Click](https://evil.example/phish)")
    '\\[Click\\](https\\://evil.example/phish)'
    >>> md_text("<script>x</script> | a_b"), md_text("- x\n# heading"), md_text("1. x")
    ('&lt;script&gt;x&lt;/script&gt; \\| a\\_b', '\\- x \\# heading', '1\\. x')
    >>> md_text("0.53"), md_text("-5 km"), md_text("---")
    ('0.53', '-5 km', '\\---')
    """
    if isinstance(value, Md):
        return value
    if isinstance(value, Undefined):  # `{{ x if cond }}` when cond is false
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    # one space for any run: four would start a code block at the head of a list item
    text = re.sub(" {2,}", " ", _CONTROL.sub(" ", str(value)))
    text = _ENTITY.sub("&amp;", text)
    text = re.sub("[<>]", lambda m: _ANGLE[m.group()], text)
    text = _SPECIAL.sub(r"\\\1", text)
    text = _BARE_URL.sub(lambda m: "\\" + m.group(), text)
    m = _LEADING.match(text)
    if m:
        at = m.end() - 1  # the marker, or the . or ) after the digits
        text = f"{text[:at]}\\{text[at:]}"
    return text


#: an id that a code span shows as it is, wherever it stands (a table cell included)
_CODE_SAFE = re.compile(r"[^`|\\\x00-\x1f\x7f\x85\u2028\u2029]+")


def _code(value: Any) -> Md:
    """An id as a code span; one a code span cannot hold as it is (a backtick or ``|`` in
    it) as escaped text instead, so that it still reads exactly as written."""
    text = str(value)
    if _CODE_SAFE.fullmatch(text) and text.strip() == text:
        return Md(f"`{text}`")
    return Md(md_text(text))


def _names(items: list[dict[str, Any]]) -> Md:
    return Md(", ".join(f"{md_text(i['name'])} ({_code(i['id'])})" for i in items))


def _who(items: list[dict[str, Any]], how: bool = False) -> Md:
    """Names with what to check ("level not recorded") and, with ``how``, the credit that
    came through a person ("via Detective Chavez, Detective, attended ...")."""
    out = []
    for i in items:
        extra = [x for x in i.get("evidence", []) if how and x.startswith("via ")]
        extra += list(i.get("notes", []))
        out.append(f"{md_text(i['name'])} ({_code(i['id'])})" +
                   (f" [{md_text('; '.join(extra))}]".replace("[", "\\[").replace("]", "\\]")
                    if extra else ""))
    return Md(", ".join(out))


def _dated(row: dict[str, Any]) -> str:
    if not row.get("date"):
        return "undated"
    p = row.get("date_precision")
    return f"{row['date']}, {p} only" if p and p != "day" else str(row["date"])


def _by_build(points: list[dict[str, Any]], status: str) -> list[dict[str, Any]]:
    """Points of one status grouped per build: "1-, 3- and 6-month", with the build's date
    as precise as it is known."""
    out: dict[str, dict[str, Any]] = {}
    for p in points:
        if p["status"] != status:
            continue
        b = out.setdefault(p["event"]["id"], {
            "event": p["event"], "months": [], "note": p.get("note"),
            "first_due": p.get("due") or p.get("due_from"),
            "date": _dated({"date": p.get("event_date"),
                            "date_precision": p.get("event_date_precision")})})
        b["months"].append(p["months"])
    for b in out.values():
        m = [f"{x}-month" for x in sorted(b["months"])]
        b["months"] = m[0] if len(m) == 1 else ", ".join(m[:-1]) + " and " + m[-1]
    return list(out.values())


def _unordered(builds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each pair of builds whose order is unknown, once, with the organizations at both."""
    seen: set[frozenset[str]] = set()
    out = []
    for b in builds:
        for o in b.get("order_unknown", []):
            pair = frozenset((b["id"], o["id"]))
            if pair in seen:
                continue
            seen.add(pair)
            other = next((x for x in builds if x["id"] == o["id"]), {})
            out.append({"a": b["name"], "a_date": b.get("date_shown"), "b": o["name"],
                        "b_date": other.get("date_shown") or o.get("date"),
                        "orgs": [f for f in b["first_time"] if any(
                            e["id"] == o["id"] for e in f.get("order_unknown", []))]})
    return out


def _own_schedules(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Builds whose follow-up months are their own (``followup_months``), once each."""
    out: dict[str, dict[str, Any]] = {}
    for p in points:
        if "own_months" in p:
            out.setdefault(p["event"]["id"], {"name": p["event"]["name"],
                                              "months": p["own_months"]})
    return list(out.values())


def _share(wave: dict[str, Any], key: str) -> str:
    """A wave's score as a percentage, with the members and ties it was computed from."""
    v = wave.get(key)
    if v is None:
        return "n/a"
    return f"{round(100 * v)}% ({wave['ties']} ties, {wave['members']} members)" \
        if key == "density" else f"{round(100 * v)}%"


def _by_state(report: dict[str, Any]) -> list[dict[str, Any]]:
    def pick(rows: list[dict[str, Any]], state: str) -> dict[str, Any]:
        return next((r for r in rows if r["state"] == state), {})

    out = []
    for state in report["generated"]["states"]:
        fu = pick(report["followups"], state)
        recs = pick(report["recommendations"], state)
        cg = pick(report["contact_gaps"], state)
        out.append({
            "state": state, "coverage": pick(report["coverage"], state),
            "gaps": cg.get("sites", []), "sites_recorded": cg.get("sites_recorded"),
            "unnamed_sites": cg.get("unnamed_sites", []),
            "schedule": fu.get("schedule", []), "funnel": fu.get("funnel", {}),
            "unmatched": fu.get("unmatched", []),
            "recs": recs, "mve": pick(report["mve"], state),
            "laws": pick(report.get("laws", []), state),
            "structure": {p: pick(report["structure"][p], state)
                          for p in ("relationship", "co_attendance")},
            "metrics": pick(report["metrics"], state),
            "changes": pick(report.get("build_changes", []), state),
            "invites": {i["role"]["id"]: i["invite"] for i in recs.get("invitations", [])},
        })
    return out


def to_markdown(report: dict[str, Any]) -> str:
    # finalize escapes every value the template prints: names, kinds, reasons, states.
    env = Environment(undefined=StrictUndefined, trim_blocks=False, autoescape=False,
                      finalize=md_text)
    env.globals.update(share=_share, pct=_pct, names=_names, code=_code, who=_who, dated=_dated,
                       by_build=_by_build, unordered=_unordered,
                       own_schedules=_own_schedules)
    gen = dict(report["generated"], blueprint_name=report["generated"]["blueprint"]
               .rsplit("/", 1)[-1])
    text = env.from_string(TEMPLATE).render(r={**report, "generated": gen},
                                            states=_by_state(report))
    text = "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"
    return re.sub(r"\n{3,}", "\n\n", text)


def to_html(report: dict[str, Any], *, charts: list[dict[str, str]] | None = None,
            network_page: str | None = None) -> str:
    """The briefing as one offline HTML file, with the charts (SVG as data URIs, with alt
    text) and the network page (an iframe ``srcdoc``) embedded: nothing is fetched."""
    # The briefing writes no link, image or HTML of its own: with those rules off, no data
    # can make one, whatever the escaping might miss.
    md = MarkdownIt("commonmark", {"html": False}).enable("table").disable(
        ["link", "image", "autolink", "html_inline", "html_block", "reference"])
    body = md.render(to_markdown(report))
    extra = []
    if network_page:
        extra.append('<h2 id="network">Network</h2><iframe title="Coalition network" '
                     'style="width:100%;height:44rem;border:1px solid #ccc" srcdoc="'
                     + html.escape(network_page, quote=True) + '"></iframe>')
    if charts:
        extra.append('<h2 id="charts">Charts</h2>')
        for c in charts:
            data = base64.b64encode(c["svg"].encode()).decode()
            extra.append(f'<figure><img alt="{html.escape(c["alt"])}" '
                         f'src="data:image/svg+xml;base64,{data}" style="max-width:100%">'
                         f'<figcaption>{html.escape(c["title"])}</figcaption></figure>')
    return Environment(autoescape=False).from_string(HTML).render(body=body + "".join(extra))
