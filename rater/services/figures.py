"""Figures for papers: the group comparison as mean per dimension per group with 95% CI bars on
the codebook's scale, after the reference study's Graph 7.4 (Forrester et al. 2013).

matplotlib is imported inside the drawing function and drives its Agg canvas directly (no pyplot,
no global backend switch), so the GUI's own Qt event loop and the CLI's start-up are untouched.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from rater.core.errors import Problem, RaterError
from rater.services.export import atomic_files

FORMATS = (".png", ".svg")
COLOURS = ("#1b6ca8", "#e07b39", "#3a9d5d", "#8e5ea2", "#c23b3b", "#7f7f7f")


SCORE_WORDS = {"primary": "the primary rater's scores",
               "mean": "the mean of the two raters' scores",
               "consensus": "consensus scores where agreed, else the primary rater's"}


def plot_comparison(result: dict[str, Any], out: Path) -> Path:
    """Draw `compare`'s result to a PNG or SVG file (chosen by the extension), atomically."""
    if out.suffix.lower() not in FORMATS:
        raise RaterError(Problem(f"cannot draw a '{out.suffix}' file", str(out),
                                 "name the figure FILE.png or FILE.svg"))
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    dims = list(result["dimensions"].values())
    groups = result["groups"]
    figure = Figure(figsize=(1.6 + 1.5 * len(dims), 4.2), dpi=150, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    width = 0.8 / len(groups)
    low, high = result["scale"]["min"], result["scale"]["max"]
    for g, group in enumerate(groups):
        stats = [d["groups"][g] for d in dims]
        x = [i + (g - (len(groups) - 1) / 2) * width for i in range(len(dims))]
        means = [s["mean"] if s["mean"] is not None else low for s in stats]
        errors = [[m - s["ci95"][0] if s["ci95"] else 0 for m, s in zip(means, stats,
                                                                            strict=True)],
                  [s["ci95"][1] - m if s["ci95"] else 0 for m, s in zip(means, stats,
                                                                            strict=True)]]
        n = max((s["n"] for s in stats), default=0)
        axes.bar(x, [m - low for m in means], width * 0.92, bottom=low,
                 color=COLOURS[g % len(COLOURS)], label=f"{group} (n = {n})",
                 yerr=errors, capsize=4, error_kw={"elinewidth": 1, "ecolor": "#222222"})
    axes.set_xticks(range(len(dims)), [textwrap.fill(d["name"], 14) for d in dims])
    axes.set_ylim(low, high)
    axes.set_yticks(range(low, high + 1))
    axes.set_ylabel(f"Mean score ({low}–{high}) with 95% CI")
    axes.yaxis.grid(True, color="#dddddd")
    axes.set_axisbelow(True)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(title=f"By {result['by']}; {SCORE_WORDS[result['score']]}", frameon=False,
                loc="lower left", bbox_to_anchor=(0, 1.0), ncols=min(len(groups), 4),
                alignment="left")
    with atomic_files(out) as (temporary,):
        figure.savefig(temporary, format=out.suffix.lower().lstrip("."))
    return out
