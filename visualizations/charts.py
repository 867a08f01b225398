"""Static SVG charts for the report (matplotlib): engagement funnel, blueprint coverage by
state, attendance by sector per event, tips and hotline reports over time, MVE adoption.

Each chart comes with alt text that states what it shows, and takes its colours from
:mod:`visualizations.palette`, so a sector is the colour the network pages give it.
Returned as ``{"title", "alt", "svg"}`` so a page can embed them without any file or request.

Three rules hold for every chart: a count axis has whole-number ticks only; a chart with
nothing to draw (no rows, or every count 0) says "no data" and draws no axis, rather than an
axis around nothing; and no label is truncated or cut: long labels are wrapped, the figure
uses matplotlib's constrained layout to make room for them, and the SVG is cropped to
everything drawn (``bbox_inches="tight"``).
"""

from __future__ import annotations

import io
import re
import textwrap
from collections import Counter, defaultdict
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: render to SVG only
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from graph import jurisdictions, model  # noqa: E402
from visualizations.palette import OKABE_ITO, SECTOR_COLOUR, SECTORS, sector_colour  # noqa: E402

#: series that are not sectors (states in the tips chart) take these in turn
PALETTE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple",
                                  "yellow", "grey", "black")]
plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                     "axes.spines.right": False, "svg.hashsalt": "coalition-graph"})
NO_DATA = "no data"
#: a component name wraps at this many characters (about one heatmap column at 9 pt)
MVE_WRAP = 18
#: an event name wraps at this many characters
EVENT_WRAP = 32


def _figure(width: float, height: float) -> tuple[Any, Any]:
    # constrained layout moves the axes to make room for tick labels, titles and a legend
    # beside the axes, which a fixed layout would push off the figure
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    return fig, ax


def _svg(fig: Any, *, tight: bool = True) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None},
                **({"bbox_inches": "tight", "pad_inches": 0.1} if tight else {}))
    plt.close(fig)
    return buf.getvalue()


def _no_data(title: str, alt: str) -> dict[str, str]:
    """A chart with nothing to draw: the words "no data" and no axis, so no one reads an
    empty axis (or one of -0.04..0.04) as a measurement."""
    fig = plt.figure(figsize=(4, 0.9))
    fig.text(0.5, 0.5, NO_DATA, ha="center", va="center", fontsize=11, color="#555555")
    return {"title": title, "alt": f"{title}: {NO_DATA} ({alt}).", "svg": _svg(fig, tight=False)}


def _counts(axis: Any) -> None:
    # counts are whole numbers: no tick at 0.5 participants
    axis.set_major_locator(MaxNLocator(integer=True))


def _wrap(text: str, width: int) -> str:
    # never shortened: a word longer than a line is broken, not cut
    return textwrap.fill(str(text), width, break_long_words=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def funnel(report: dict[str, Any]) -> dict[str, str]:
    title = "Engagement funnel"
    rows = [(f["state"], f["funnel"]) for f in report["followups"] if f["funnel"]]
    if not rows:
        return _no_data(title, "no state has an engagement funnel")
    stages = rows[0][1]["stages"]
    total: Counter[str] = Counter()
    for _, f in rows:
        total.update(f["counts"])
    values = [total[s] for s in stages]
    reached = ", ".join(f"{s} {v}" for s, v in zip(stages, values, strict=True))
    if not any(values):
        return _no_data(title, f"no organization has reached any stage: {reached}")
    fig, ax = _figure(6.5, 0.8 + 0.45 * len(stages))
    bars = ax.barh(stages[::-1], values[::-1], color=sector_colour("law enforcement"))
    ax.bar_label(bars, padding=3)
    ax.set_xlim(0, max(values) * 1.12)  # room for the largest bar's number
    _counts(ax.xaxis)
    ax.set_xlabel("organizations that reached at least this stage")
    return {"title": title, "alt": f"Engagement funnel: {reached}.", "svg": _svg(fig)}


def coverage(report: dict[str, Any]) -> dict[str, str]:
    """Blueprint coverage per jurisdiction on a 0-100 % axis. Unlike a count, 0 % is a finding
    (nothing of the blueprint in place), so a state at 0 is drawn and labelled, not
    "no data"; only a report without states, or without any coverage known, has none."""
    rows = [(c["state"], c["coverage"]) for c in report["coverage"]]
    where = jurisdictions.word_for([s for s, _ in rows])
    title = f"Blueprint coverage by {where}"
    if not rows or all(v is None for _, v in rows):
        return _no_data(title, f"no {where}'s coverage is known")
    rows = [(s, v or 0.0) for s, v in rows]
    fig, ax = _figure(max(4, 0.35 * len(rows) + 2), 3)
    bars = ax.bar([s for s, _ in rows], [100 * v for _, v in rows],
                  color=sector_colour("civil society"))
    ax.bar_label(bars, labels=[f"{round(100 * v)}%" for _, v in rows], padding=2, fontsize=7)
    ax.set_ylim(0, 108)  # room for a label over a bar at 100 %
    ax.set_yticks(range(0, 101, 25))
    ax.set_ylabel("blueprint coverage (%)")
    alt = f"{title}: " + ", ".join(f"{s} {round(100 * v)}%"
                                                       for s, v in rows) + "."
    return {"title": title, "alt": alt, "svg": _svg(fig)}


def _number(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


def _broad(sector: str) -> str:
    """The palette's sector for an analysis sector: industry kinds ("truck stop") fold into
    "industry", so the bar has the colour the network pages give that organization."""
    if sector in SECTOR_COLOUR:
        return sector
    return model.SECTORS.get(sector, sector)


def attendance(report: dict[str, Any], top: int = 10) -> dict[str, str]:
    """Participants by sector per event: named ones (organizations once, people without
    one under their role's sector) as solid bars, unnamed groups ("3 casinos") hatched
    beside them in the same colour; the alt text gives both, with their bounds.

    Bars are by the palette's sectors (law enforcement, government, civil society,
    industry), coloured as on the network pages; industry kinds are summed into industry,
    and the alt text keeps each kind."""
    title = "Attendance by sector"
    events = [a for m in report["metrics"] for a in m["attendance"]
              if a["by_sector"] or a.get("unnamed_by_sector")]

    def size(a: dict[str, Any]) -> float:
        return _number((a.get("total") or {}).get("value", a["named_participants"]))

    events = sorted(events, key=lambda a: (-size(a), a["event"]["id"]))[:top]
    named: list[Counter[str]] = []
    unnamed: list[Counter[str]] = []
    for a in events:
        named.append(Counter())
        unnamed.append(Counter())
        for sec, n in a["by_sector"].items():
            named[-1][_broad(sec)] += _number(n)
        for sec, q in (a.get("unnamed_by_sector") or {}).items():
            unnamed[-1][_broad(sec)] += _number((q or {}).get("value"))

    def told(a: dict[str, Any]) -> str:
        names = ", ".join(f"{k} {v}" for k, v in a["by_sector"].items()) or "none"
        text = f"{a['event']['name']}: named {names}"
        groups = a.get("unnamed_by_sector") or {}
        if groups:
            text += "; unnamed " + ", ".join(f"{k} {v['text']}" for k, v in groups.items())
            text += f"; together {a['total']['text']}"
        return text

    alt = "Participants by sector, named and unnamed: " + "; ".join(told(a) for a in events)
    if not any(sum(c.values()) for c in named + unnamed):
        return _no_data(title, "no event has a participant recorded")
    present = {s for c in named + unnamed for s, v in c.items() if v}
    order = {s: i for i, s in enumerate(SECTORS)}
    sectors = sorted(present, key=lambda s: (order.get(s, len(order)), s))
    # whole event names, wrapped; a row is as tall as its name
    labels = [_wrap(a["event"]["name"], EVENT_WRAP) for a in events]
    lines = sum(max(2, label.count("\n") + 1) for label in labels)
    fig, ax = _figure(7, 1.0 + 0.2 * lines)
    y = list(range(len(events)))
    left = [0.0] * len(events)
    handles = []
    for sec in sectors:
        colour = sector_colour(sec)
        for part, counts, hatch in (("named", named, None), ("unnamed", unnamed, "///")):
            width = [c[sec] for c in counts]
            if not any(width):
                continue
            bars = ax.barh(y, width, left=left, color=colour, hatch=hatch,
                           edgecolor="white", linewidth=0.8)
            for i, bar in enumerate(bars):
                # named groups in the SVG (<g id="attendance-industry-named-0">): what a
                # reader of the file, and the tests, can find a sector's bar by
                bar.set_gid(f"attendance-{_slug(sec)}-{part}-{i}")
            left = [x + w for x, w in zip(left, width, strict=True)]
        handles.append(Patch(facecolor=colour, edgecolor="white", label=sec))
    handles.append(Patch(facecolor="#777777", edgecolor="white", hatch="///",
                         label="unnamed group (hatched)"))
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    _counts(ax.xaxis)
    ax.set_xlim(0, max(left) * 1.05)
    ax.set_xlabel("participants: named (solid) and unnamed groups (hatched)")
    # beside the bars, not on them: one event leaves no free corner
    ax.legend(handles=handles, fontsize=7, frameon=False, loc="upper left",
              bbox_to_anchor=(1.01, 1), title="sector", title_fontsize=7)
    return {"title": title, "alt": alt + ".", "svg": _svg(fig)}


def tips(report: dict[str, Any]) -> dict[str, str]:
    """Tips and hotline reports per jurisdiction over time. A run of zeros is a measurement
    (none were reported), so it is drawn on a 0-1 axis; only no dated report is "no data"."""
    title = "Tips and hotline reports over time"
    points = [(state, t) for m in report["metrics"] for state, rows in
              m["tips_and_hotline"].items() for t in rows if t.get("date")]
    if not points:
        return _no_data(title, "no tip or hotline report has a date")
    fig, ax = _figure(6.5, 3)
    series: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for s, t in points:
        series[s].append((t["date"], _number(t["value"])))
    for i, st in enumerate(sorted(series)):
        rows = sorted(series[st])
        ax.plot([d for d, _ in rows], [v for _, v in rows], marker="o",
                color=PALETTE[i % len(PALETTE)], label=st)
    ax.set_ylim(0, max(1.0, max(v for rows in series.values() for _, v in rows)) * 1.08)
    _counts(ax.yaxis)
    ax.set_ylabel("tips and hotline reports")
    ax.tick_params(axis="x", labelrotation=30)
    ax.legend(frameon=False, title=jurisdictions.word_for(sorted(series)), title_fontsize=7)
    alt = "Tips and hotline reports over time: " + "; ".join(
        f"{s} {t['date']}: {t['value']}" for s, t in sorted(points, key=lambda x: x[1]["date"]))
    return {"title": title, "alt": alt + ".", "svg": _svg(fig)}


def mve(report: dict[str, Any]) -> dict[str, str]:
    title = "Iowa MVE model adoption"
    rows = [r for r in report["mve"] if r["components"]]
    if not rows:
        return _no_data(title, "no jurisdiction has an Iowa MVE component recorded")
    # whole names, wrapped under their column (horizontal, so no label runs off an edge)
    comps = [_wrap(c["name"], MVE_WRAP) for c in rows[0]["components"]]
    label_lines = max(c.count("\n") + 1 for c in comps)
    levels = ["missing", "considering", "pledged", "adopted"]
    grid = [[levels.index(c["status"]) for c in r["components"]] for r in rows]
    fig, ax = _figure(1.5 + 1.4 * len(comps), 0.9 + 0.35 * len(rows) + 0.15 * label_lines)
    cmap = ListedColormap(["#eeeeee", OKABE_ITO["yellow"], OKABE_ITO["orange"],
                           OKABE_ITO["blue"]])
    ax.imshow(grid, cmap=cmap, vmin=0, vmax=3, aspect="auto")
    ax.set_yticks(range(len(rows)), [r["state"] for r in rows])
    ax.set_xticks(range(len(comps)), comps, fontsize=8)
    ax.tick_params(axis="x", length=0)
    for y, r in enumerate(rows):
        for x, c in enumerate(r["components"]):
            ax.text(x, y, c["status"], ha="center", va="center", fontsize=7,
                    color="white" if c["status"] == "adopted" else "black")
    unnamed = rows[0]["unnamed_components"]
    if unnamed:
        ax.set_title(f"({unnamed} more component(s) not named in the data)", fontsize=8)

    def status(c: dict[str, Any]) -> str:
        whole = c["evidence"] and all(e.get("via") for e in c["evidence"]
                                      if e["status"] == c["status"])
        return c["status"] + (" (by adopting the whole model)" if whole else "")

    where = jurisdictions.word_for([r["state"] for r in rows])
    alt = f"Iowa MVE model components by {where}: " + "; ".join(
        f"{r['state']}: " + ", ".join(f"{c['name']} {status(c)}" for c in r["components"])
        for r in rows) + "."
    return {"title": title, "alt": alt, "svg": _svg(fig)}


def all_charts(report: dict[str, Any]) -> list[dict[str, str]]:
    """Every chart, always in this order; one with nothing to draw says "no data"."""
    return [funnel(report), coverage(report), attendance(report), tips(report), mve(report)]
