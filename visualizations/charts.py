"""Static SVG charts for the report (matplotlib): engagement funnel, blueprint coverage by
state, attendance by sector per event, tips and hotline reports over time, MVE adoption.

Each chart comes with alt text that states what it shows, and uses the Okabe-Ito palette.
Returned as ``{"title", "alt", "svg"}`` so a page can embed them without any file or request.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: render to SVG only
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

from visualizations.network import OKABE_ITO  # noqa: E402

PALETTE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple",
                                  "yellow", "grey", "black")]
plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                     "axes.spines.right": False, "svg.hashsalt": "coalition-graph"})


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buf.getvalue()


def funnel(report: dict[str, Any]) -> dict[str, str] | None:
    rows = [(f["state"], f["funnel"]) for f in report["followups"] if f["funnel"]]
    if not rows:
        return None
    stages = rows[0][1]["stages"]
    fig, ax = plt.subplots(figsize=(6.5, 0.6 + 0.45 * len(stages)))
    total = Counter()
    for _, f in rows:
        total.update(f["counts"])
    values = [total[s] for s in stages]
    ax.barh(stages[::-1], values[::-1], color=OKABE_ITO["blue"])
    for y, v in enumerate(values[::-1]):
        ax.text(v, y, f" {v}", va="center")
    ax.set_xlabel("organizations that reached at least this stage")
    alt = "Engagement funnel: " + ", ".join(f"{s} {v}" for s, v in zip(stages, values,
                                                                        strict=True)) + "."
    return {"title": "Engagement funnel", "alt": alt, "svg": _svg(fig)}


def coverage(report: dict[str, Any]) -> dict[str, str] | None:
    rows = [(c["state"], c["coverage"] or 0.0) for c in report["coverage"]]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(max(4, 0.35 * len(rows) + 2), 3))
    ax.bar([s for s, _ in rows], [100 * v for _, v in rows], color=OKABE_ITO["green"])
    ax.set_ylim(0, 100)
    ax.set_ylabel("blueprint coverage (%)")
    alt = "Blueprint coverage by state: " + ", ".join(f"{s} {round(100 * v)}%"
                                                       for s, v in rows) + "."
    return {"title": "Blueprint coverage by state", "alt": alt, "svg": _svg(fig)}


def _number(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


def attendance(report: dict[str, Any], top: int = 10) -> dict[str, str] | None:
    """Participants by sector per event: named ones (organizations once, people without
    one under their role's sector) as solid bars, unnamed groups ("3 casinos") hatched
    beside them in the same colour; the alt text gives both, with their bounds."""
    events = [a for m in report["metrics"] for a in m["attendance"]
              if a["by_sector"] or a.get("unnamed_by_sector")]
    def size(a: dict[str, Any]) -> float:
        return _number((a.get("total") or {}).get("value", a["named_participants"]))

    events = sorted(events, key=lambda a: (-size(a), a["event"]["id"]))[:top]
    if not events:
        return None
    sectors = sorted({s for a in events for s in a["by_sector"]} |
                     {s for a in events for s in a.get("unnamed_by_sector", {})})
    fig, ax = plt.subplots(figsize=(6.5, 0.6 + 0.4 * len(events)))
    left = [0.0] * len(events)
    names = [a["event"]["name"][:40] for a in events]
    for i, sec in enumerate(sectors):
        colour = PALETTE[i % len(PALETTE)]
        named = [float(a["by_sector"].get(sec, 0)) for a in events]
        ax.barh(names, named, left=left, color=colour, label=sec)
        left = [x + y for x, y in zip(left, named, strict=True)]
        unnamed = [_number(a.get("unnamed_by_sector", {}).get(sec, {}).get("value"))
                   for a in events]
        if any(unnamed):
            ax.barh(names, unnamed, left=left, color=colour, hatch="///", edgecolor="white",
                    label=f"{sec} (unnamed)")
            left = [x + y for x, y in zip(left, unnamed, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("participants: named (solid) and unnamed groups (hatched)")
    # beside the bars, not on them: one event leaves no free corner
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))

    def told(a: dict[str, Any]) -> str:
        named = ", ".join(f"{k} {v}" for k, v in a["by_sector"].items()) or "none"
        text = f"{a['event']['name']}: named {named}"
        unnamed = a.get("unnamed_by_sector") or {}
        if unnamed:
            text += "; unnamed " + ", ".join(f"{k} {v['text']}" for k, v in unnamed.items())
            text += f"; together {a['total']['text']}"
        return text

    alt = "Participants by sector, named and unnamed: " + "; ".join(
        told(a) for a in events) + "."
    return {"title": "Attendance by sector", "alt": alt, "svg": _svg(fig)}


def tips(report: dict[str, Any]) -> dict[str, str] | None:
    points = [(state, t) for m in report["metrics"] for state, rows in
              m["tips_and_hotline"].items() for t in rows if t.get("date")]
    if not points:
        return None
    fig, ax = plt.subplots(figsize=(6.5, 3))
    states = sorted({s for s, _ in points})
    for i, st in enumerate(states):
        rows = sorted((t["date"], t["value"]) for s, t in points if s == st)
        ax.plot([d for d, _ in rows], [v for _, v in rows], marker="o",
                color=PALETTE[i % len(PALETTE)], label=st)
    ax.set_ylabel("tips and hotline reports")
    ax.legend(frameon=False)
    alt = "Tips and hotline reports over time: " + "; ".join(
        f"{s} {t['date']}: {t['value']}" for s, t in sorted(points, key=lambda x: x[1]["date"]))
    return {"title": "Tips and hotline reports over time", "alt": alt, "svg": _svg(fig)}


def mve(report: dict[str, Any]) -> dict[str, str] | None:
    rows = [r for r in report["mve"] if r["components"]]
    if not rows:
        return None
    comps = [c["name"][:40] for c in rows[0]["components"]]
    levels = ["missing", "considering", "pledged", "adopted"]
    grid = [[levels.index(c["status"]) for c in r["components"]] for r in rows]
    fig, ax = plt.subplots(figsize=(2 + 1.6 * len(comps), 0.6 + 0.35 * len(rows)))
    cmap = ListedColormap(["#eeeeee", OKABE_ITO["yellow"], OKABE_ITO["orange"],
                           OKABE_ITO["blue"]])
    ax.imshow(grid, cmap=cmap, vmin=0, vmax=3, aspect="auto")
    ax.set_yticks(range(len(rows)), [r["state"] for r in rows])
    ax.set_xticks(range(len(comps)), comps, rotation=20, ha="right")
    for y, r in enumerate(rows):
        for x, c in enumerate(r["components"]):
            ax.text(x, y, c["status"], ha="center", va="center", fontsize=7,
                    color="white" if c["status"] == "adopted" else "black")
    unnamed = rows[0]["unnamed_components"]
    ax.set_title(f"({unnamed} more component(s) not named in the data)" if unnamed else "",
                 fontsize=8)

    def status(c: dict[str, Any]) -> str:
        whole = c["evidence"] and all(e.get("via") for e in c["evidence"]
                                      if e["status"] == c["status"])
        return c["status"] + (" (by adopting the whole model)" if whole else "")

    alt = "Iowa MVE model components by state: " + "; ".join(
        f"{r['state']}: " + ", ".join(f"{c['name']} {status(c)}" for c in r["components"])
        for r in rows) + "."
    return {"title": "Iowa MVE model adoption", "alt": alt, "svg": _svg(fig)}


def all_charts(report: dict[str, Any]) -> list[dict[str, str]]:
    out = [funnel(report), coverage(report), attendance(report), tips(report), mve(report)]
    return [c for c in out if c]
