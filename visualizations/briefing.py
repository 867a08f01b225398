"""The analysis report as a briefing a strategist can act on: Markdown, or the same as one
offline HTML file. Most urgent first: missing roles, contact gaps, overdue follow-ups,
stalled organizations, introductions, single points of failure, then the wider picture.

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
# Coalition briefing: {{ r.generated.states | join(", ") }}

As of {{ r.generated.as_of }}. Blueprint: {{ code(r.generated.blueprint_name) }}. Every finding names
its entities by name and `id`.
{% if r.generated.approximations %}
Approximations used: {% for a in r.generated.approximations %}{{ a }}{{ "; " if not loop.last }}{% endfor %}.
{% endif %}{% if r.generated.get("data_problems") %}
**Data problems**: these rows could not be used and are left out of the analyses below.
{% for p in r.generated.data_problems %}- {{ p.entity.name }} ({{ code(p.entity.id) }}): {{ p.problem }}
{% endfor %}{% endif %}
{% for st in states %}
## {{ st.state }}: coalition coverage {{ pct(st.coverage.coverage) }}

{{ st.coverage.roles_filled }} of {{ st.coverage.roles_counted }} required roles are filled.

### 1. Who is missing from the room
{% set gaps = st.coverage.roles | selectattr("status", "in", ["missing", "partial"]) | list %}
{% if gaps %}
| role | status | filled by | invite next |
|---|---|---|---|
{% for role in gaps %}| {{ role.name }}{{ " (optional)" if role.applies == "optional" }} | {{ role.status }} ({{ role.filled_by | length }} of {{ role.wanted }}) | {{ names(role.filled_by) }} | {{ names(st.invites.get(role.id, [])) or "nobody in the graph yet: find one" }} |
{% endfor %}
{% else %}Every counted role is filled.
{% endif %}

### 2. Truck stops, terminals and casinos without a law-enforcement contact
{% if st.gaps %}
| site | kind | gap | local law enforcement to introduce |
|---|---|---|---|
{% for s in st.gaps[:50] %}| {{ s.name }} ({{ code(s.id) }}) | {{ s.kind }} | {{ "no tie at all" if s.gap == "none" else "tied, but no contact protocol" }} | {{ names(s.local_law_enforcement[:3]) or "none in its " ~ s.scope ~ " in the graph" }} |
{% endfor %}{% if st.gaps | length > 50 %}| ... and {{ st.gaps | length - 50 }} more | | | |
{% endif %}
{% else %}None: every site in the graph has a local contact (or there are none).
{% endif %}

### 3. Follow-ups overdue and due
{% set pending = st.schedule | selectattr("status", "in", ["overdue", "due"]) | list %}
{% if pending %}
| build | follow-up | due | status |
|---|---|---|---|
{% for f in pending[:30] %}| {{ f.event.name }} ({{ code(f.event.id) }}) | {{ f.months }} month{{ "s" if f.months > 1 }} | {{ f.due }}{{ " (approx.)" if f.approximate }} | {{ f.status }}{{ " by " ~ f.days_overdue ~ " days" if f.days_overdue }} |
{% endfor %}
{% else %}Nothing overdue or due.
{% endif %}{% set done = st.schedule | selectattr("status", "equalto", "done") | list %}{% if done %}
Done: {% for f in done %}{{ f.event.name }} {{ f.months }}-month ({{ names(f.followed_up_by) }}){{ "; " if not loop.last }}{% endfor %}.
{% endif %}

### 4. Took part, nothing since
{% if st.funnel.stalled %}
{% for o in st.funnel.stalled[:30] %}- {{ o.name }} ({{ code(o.id) }}, {{ o.kind }}): {{ o.evidence | join("; ") }}
{% endfor %}
{% else %}Nobody has stalled.
{% endif %}
Funnel: {% for s in st.funnel.stages %}{{ s }} {{ st.funnel.counts[s] }}{{ " → " if not loop.last }}{% endfor %}.

### 5. Introductions to make next
{% if st.recs.introductions %}
| score | introduce | to | why |
|---|---|---|---|
{% for i in st.recs.introductions[:15] %}| {{ "%.2f" | format(i.score) }} | {{ i.a.name }} ({{ code(i.a.id) }}) | {{ i.b.name }} ({{ code(i.b.id) }}) | {{ i.reason }} |
{% endfor %}
{% else %}No introductions needed between actors already in the graph.
{% endif %}

### 6. Single points of failure and brokers
{% for part, title in [("relationship", "relationships"), ("co_attendance", "shared events")] %}{% set s = st.structure[part] %}
**By {{ title }}** ({{ s.nodes }} actors, {{ s.edges }} ties, {{ s.components | length }} component{{ "s" if s.components | length != 1 }}):
{% if s.articulation_points %}- Actors whose loss would split the network: {% for p in s.articulation_points[:8] %}{{ p.name }} ({{ code(p.id) }}){{ ", " if not loop.last }}{% endfor %}.
{% endif %}{% if s.bridges %}- Ties whose loss would cut actors off: {% for b in s.bridges[:5] %}{{ b.a.name }} – {{ b.b.name }} ({{ b.cuts_off }}){{ ", " if not loop.last }}{% endfor %}.
{% endif %}{% if s.brokers %}- Brokers: {% for b in s.brokers[:5] %}{{ b.name }} (betweenness {{ b.betweenness }}, constraint {{ b.constraint }}){{ ", " if not loop.last }}{% endfor %}.
{% endif %}{% if s.sector_ties.law_enforcement_ties %}- Ties to law enforcement by industry: {% for k, v in s.sector_ties.law_enforcement_ties.items() %}{{ k }} {{ v }}{{ ", " if not loop.last }}{% endfor %}.
{% endif %}{% endfor %}

### 7. Iowa MVE model
{% if st.mve and st.mve.model %}{% for c in st.mve.components %}- {{ c.name }}: **{{ c.status }}**{% if c.evidence %} ({% for e in c.evidence %}{{ e.name }}: {{ e.status }}{{ ", " if not loop.last }}{% endfor %}){% endif %}
{% endfor %}{% if st.mve.unnamed_components %}- {{ st.mve.unnamed_components }} more component(s) the data does not name cannot be assessed.
{% endif %}{% else %}The graph holds no Iowa MVE model program.
{% endif %}

### 8. Impact
{% for a in st.metrics.attendance %}- {{ a.event.name }} ({{ a.date or "undated" }}): {{ a.participants ~ " participants, " if a.participants }}{{ a.named_participants }} named{% if a.by_sector %} ({% for k, v in a.by_sector.items() %}{{ k }} {{ v }}{{ ", " if not loop.last }}{% endfor %}){% endif %}
{% endfor %}{% for sv in st.metrics.surveys %}- Survey, {{ sv.event.name }}: {% for m in sv.results %}{{ m.name }} {{ m.value }}%{{ "; " if not loop.last }}{% endfor %}
{% endfor %}{% for state, rows in st.metrics.tips_and_hotline.items() %}{% for t in rows %}- Tips and reports ({{ state }}): {{ t.scope.name }}: {{ t.name }} {{ t.value }}{{ " (" ~ t.date ~ ")" if t.date }}
{% endfor %}{% endfor %}{% for t in st.metrics.trainings[:20] %}- {{ t.entity.name }}: {{ t.kind }} {{ t.program.name }}{{ " (" ~ t.count ~ ")" if t.count }}{{ ": " ~ t.status if t.status }}
{% endfor %}
{% endfor %}
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


def _by_state(report: dict[str, Any]) -> list[dict[str, Any]]:
    def pick(rows: list[dict[str, Any]], state: str) -> dict[str, Any]:
        return next((r for r in rows if r["state"] == state), {})

    out = []
    for state in report["generated"]["states"]:
        fu = pick(report["followups"], state)
        recs = pick(report["recommendations"], state)
        out.append({
            "state": state, "coverage": pick(report["coverage"], state),
            "gaps": pick(report["contact_gaps"], state).get("sites", []),
            "schedule": fu.get("schedule", []), "funnel": fu.get("funnel", {}),
            "recs": recs, "mve": pick(report["mve"], state),
            "structure": {p: pick(report["structure"][p], state)
                          for p in ("relationship", "co_attendance")},
            "metrics": pick(report["metrics"], state),
            "invites": {i["role"]["id"]: i["invite"] for i in recs.get("invitations", [])},
        })
    return out


def to_markdown(report: dict[str, Any]) -> str:
    # finalize escapes every value the template prints: names, kinds, reasons, states.
    env = Environment(undefined=StrictUndefined, trim_blocks=False, autoescape=False,
                      finalize=md_text)
    env.globals.update(pct=_pct, names=_names, code=_code)
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
