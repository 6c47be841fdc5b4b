"""The workshop dashboard's figures as inline SVG for the handout: scores against gold per
recording and dimension, leniency with CI per participant, exact / within-one shares, and the
hardest dimensions.

matplotlib is imported inside each function and drives its Agg canvas directly (no pyplot, no
global backend switch), as services.figures does.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence

from rater.core.workshop import Difference, WorkshopSummary

GOLD = "#c8a200"
DOT = "#1b6ca8"
BANDS = (("exact", "#3a9d5d"), ("within_one", "#9cc9a8"), ("off", "#c23b3b"))


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _svg(figure) -> str:
    """The figure as an <svg> element. Text stays text (the page's font, selectable, and no
    glyph definitions whose ids would clash between the several figures of one page)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def scores_against_gold(summary: WorkshopSummary, dimension: str, name: str,
                        recordings: Sequence[str], scale: tuple[int, int]) -> str:
    """Every participant's score as a dot (spread sideways where they coincide) against the
    gold line, one column per recording."""
    figure = _figure(max(6.0, 0.9 * len(recordings) + 1.5), 3.2)
    axes = figure.add_subplot()
    by_item: dict[str, list[Difference]] = {}
    for d in summary.differences:
        if d.dimension == dimension:
            by_item.setdefault(d.recording, []).append(d)
    for x, code in enumerate(recordings):
        items = by_item.get(code, [])
        if items:
            axes.hlines(items[0].gold, x - 0.4, x + 0.4, color=GOLD, linewidth=3, zorder=1)
        counts: dict[int, int] = {}
        for d in sorted(items, key=lambda d: d.participant):
            k = counts.get(d.score, 0)
            counts[d.score] = k + 1
            offset = (k // 2 + 1) * 0.07 * (1 if k % 2 else -1) if k else 0.0
            axes.plot(x + offset, d.score, "o", color=DOT, markersize=5, alpha=0.8, zorder=2)
    low, high = scale
    axes.set_xticks(range(len(recordings)),
                    [textwrap.fill(c, 14, break_long_words=False) for c in recordings],
                    fontsize=7)
    axes.set_ylim(low - 0.5, high + 0.5)
    axes.set_yticks(range(low, high + 1))
    axes.set_xlim(-0.6, len(recordings) - 0.4)
    axes.set_title(f"{name}: each dot a participant, gold line the expert score", fontsize=10,
                   loc="left")
    axes.yaxis.grid(True, color="#e4e4e4")
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def leniency(summary: WorkshopSummary, names: dict[str, str], flags: dict[str, str]) -> str:
    """Mean signed difference from gold with its 95% CI, one row per participant."""
    people = [p for p in summary.participants if p.n]
    figure = _figure(6.5, 0.8 + 0.28 * max(len(people), 1))
    axes = figure.add_subplot()
    for row, p in enumerate(people):
        colour = {"lenient": "#c23b3b", "severe": "#1b6ca8"}.get(flags.get(p.participant, ""),
                                                                  "#555555")
        if not math.isnan(p.ci_low):
            axes.plot([p.ci_low, p.ci_high], [row, row], color=colour, linewidth=2)
        axes.plot(p.mean_signed, row, "o", color=colour)
    axes.axvline(0, color="#888888", linestyle="--")
    axes.set_yticks(range(len(people)), [names.get(p.participant, p.participant)
                                         for p in people], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("mean difference from gold, with 95% CI (+ lenient, − severe)")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def shares(labels: Sequence[str], rows: Sequence[tuple[float, float]], title: str) -> str:
    """Stacked bars: share exact, within one (but not exact), off by two or more."""
    figure = _figure(6.5, 0.9 + 0.28 * max(len(rows), 1))
    axes = figure.add_subplot()
    for row, (exact, within) in enumerate(rows):
        if math.isnan(exact):
            continue
        left = 0.0
        for (band, colour), width in zip(BANDS, (exact, within - exact, 1 - within),
                                         strict=True):
            axes.barh(row, width, left=left, color=colour,
                      label=band.replace("_", " ") if row == 0 else None)
            left += width
    axes.axvline(0.8, color="#222222", linestyle=":", linewidth=1,
                 label="80% (a common certification bar for within one)")
    axes.set_yticks(range(len(rows)), list(labels), fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of scores")
    axes.set_title(title, fontsize=10, loc="left")
    axes.legend(frameon=False, fontsize=8, ncols=2, loc="lower left", bbox_to_anchor=(0, 1.05))
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def hardest(summary: WorkshopSummary, names: dict[str, str]) -> str:
    """Mean absolute difference from gold per dimension, hardest first."""
    order = {d.dimension: d for d in summary.dimensions}
    dims = [order[d] for d in summary.hardest]
    figure = _figure(6.5, 0.9 + 0.35 * max(len(dims), 1))
    axes = figure.add_subplot()
    axes.barh(range(len(dims)), [d.mean_abs for d in dims], color="#8e5ea2")
    axes.set_yticks(range(len(dims)), [names.get(d.dimension, d.dimension) for d in dims],
                    fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("mean distance from gold (points); hardest at the top")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)
