"""A self-contained HTML reliability report: one file, plots inline as SVG, no scripts.

Written for someone who has never heard of ICC: every verdict has a plain-language sentence,
and each statistic says in words what it measures.
"""

from __future__ import annotations

import html
import io
import os
import tempfile
from pathlib import Path

from rater.core.reliability.verdict import NAMES
from rater.core.reliability.wording import (
    COLOURS,
    WORDS,
    criterion_words,
    leaning,
    next_step,
    state,
)
from rater.services.drift_html import drift_section

PLAIN = {
    "pearson_r": "Do the raters put recordings in the same order? (1 = perfectly, 0 = not at all)",
    "icc_a1": "Would one rater's score be the same as another's? Penalises one rater being "
              "harsher than the other.",
    "icc_c1": "Like ICC(A,1) but forgives a constant difference between raters.",
    "kripp_alpha_ordinal": "Agreement beyond chance, treating scores as ordered categories.",
    "weighted_kappa_quadratic": "Agreement beyond chance; near misses count almost as hits.",
    "light_kappa": "Light's kappa: agreement beyond chance on the exact score, averaged over "
                   "every pair of raters (shown when there are more than two).",
    "exact_agreement": "Share of recordings on which the raters gave exactly the same score.",
    "adjacent_agreement": "Share of recordings on which the scores were at most one apart.",
    "mean_difference": "On average, how much higher the second rater scored than the first.",
}


def write_html_report(report: dict, path: Path) -> None:
    """Write the report atomically (a temp file in the same folder, then a rename)."""
    document = render(report)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(document)
    os.replace(temporary, path)


def render(report: dict) -> str:
    names = report.get("dimension_names", {})
    sections = [_dimension_section(names.get(d, d), result)
                for d, result in report["dimensions"].items()]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reliability report</title>
<style>
body {{ font-family: DejaVu Sans, Arial, sans-serif; max-width: 60em; margin: 2em auto;
       color: #222; line-height: 1.45; }}
h1 {{ font-size: 1.6em; }} h2 {{ border-bottom: 1px solid #ccc; padding-bottom: .2em; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
td, th {{ padding: .3em .7em; border-bottom: 1px solid #e4e4e4; text-align: left;
          vertical-align: top; }}
.pass {{ color: #17633a; font-weight: bold; }} .fail {{ color: #a12020; font-weight: bold; }}
.not_shown {{ color: #9a6700; font-weight: bold; }}
.verdict {{ font-size: 1.1em; background: #f5f5f0; padding: .6em 1em; border-radius: 4px; }}
.method {{ color: #666; font-size: .85em; }}
.warning {{ background: #fff3cd; border-left: 4px solid #b8860b; padding: .6em 1em; }}
.plots {{ display: flex; flex-wrap: wrap; gap: 1em; }}
</style></head><body>
<h1>Reliability report</h1>
<p>Criterion: <b>{html.escape(criterion_words(report["criterion"]))}</b>. Bootstrap:
{report["bootstrap"]["resamples"]} resamples (seed {report["bootstrap"]["seed"]}).
A dimension <span class="pass">passes</span> when even the lower end of its
95% confidence interval is above the threshold; it is
<span class="not_shown">not shown yet</span> when the estimate is above the threshold but the
lower end is not (more double-coded recordings would settle it), and it
<span class="fail">does not pass</span> when the estimate is not above it.</p>
{forest_svg(report)}
{"".join(sections)}
{_disagreement_section(report.get("disagreements", []), names)}
{_blinding_section(report.get("blinding"))}
{drift_section(report.get("drift"))}
</body></html>
"""


def _dimension_section(name: str, result: dict) -> str:
    verdict = result["criterion"]
    now = state(verdict)
    css = {"passes": "pass", "fails": "fail", "not_shown": "not_shown"}.get(now, "")
    status = f'<span class="{css}">{WORDS[now]}</span>'
    rows = "".join(_statistic_row(key, result["statistics"][key]) for key in _shown(result))
    return f"""
<h2>{html.escape(name)}</h2>
<p class="verdict">{status}: {html.escape(verdict["summary"])}
{html.escape(next_step(verdict, result["n_units"]))}</p>
{_raters(result)}
{_warnings(result)}
<p>{result["n_units"]} recordings rated by {result["n_raters"]} raters.</p>
<table><tr><th>statistic</th><th>value</th><th>95% CI</th><th>what it means</th></tr>{rows}
</table>
<div class="plots">{_plots(result)}</div>
"""


def _raters(result: dict) -> str:
    """Each rater's leaning in words (leniency: mean difference from the other raters)."""
    lines = [f"{html.escape(r['rater'])} {leaning(r['leniency'])}" for r in result["raters"]
             if r["leniency"]["value"] is not None]
    return f"<p>Raters: {'; '.join(lines)}.</p>" if lines else ""


def forest_svg(report: dict) -> str:
    """Every dimension's criterion statistic with its 95% CI against the threshold (dashed),
    coloured by verdict: the dashboard's forest plot, as inline SVG."""
    dims = list(report["dimensions"].items())
    if not dims:
        return ""
    names = report.get("dimension_names", {})
    first = dims[0][1]["criterion"]
    threshold, label_w, width, row_h, pad = first["threshold"], 190, 620, 30, 12
    lows = [d["criterion"]["ci95"][0] for _k, d in dims if d["criterion"]["ci95"]]
    lowest = max(-1.0, min([0.0, *lows]))
    bottom = pad + row_h * len(dims)

    def x(value: float) -> float:
        return label_w + (value - lowest) / (1 - lowest) * (width - pad - label_w)

    parts = [f"<line x1='{x(threshold):.1f}' x2='{x(threshold):.1f}' y1='4' y2='{bottom}' "
             "stroke='#888' stroke-dasharray='4 3'/>"]
    for tick in sorted({lowest, threshold, 1.0}):
        parts.append(f"<text x='{x(tick):.1f}' y='{bottom + 14}' font-size='11' "
                     f"text-anchor='middle'>{tick:.1f}</text>")
    for i, (dimension, result) in enumerate(dims):
        verdict, y = result["criterion"], pad + row_h * i + row_h / 2
        parts.append(f"<text x='4' y='{y + 4:.1f}' font-size='12'>"
                     f"{html.escape(names.get(dimension, dimension))}</text>")
        if verdict["value"] is None:
            continue
        colour = COLOURS[state(verdict)]
        if verdict["ci95"]:
            low, high = verdict["ci95"]
            parts.append(f"<line x1='{x(low):.1f}' x2='{x(high):.1f}' y1='{y:.1f}' "
                         f"y2='{y:.1f}' stroke='{colour}' stroke-width='2.5'/>")
        parts.append(f"<circle cx='{x(verdict['value']):.1f}' cy='{y:.1f}' r='5' "
                     f"fill='{colour}'/>")
    caption = (f"{NAMES[first['statistic']]} with its 95% CI per dimension; dashed: the "
               f"threshold {threshold:.2f}")
    return (f"<figure><svg xmlns='http://www.w3.org/2000/svg' width='{width}' "
            f"height='{bottom + 22}' role='img' aria-label='{html.escape(caption)}'>"
            f"{''.join(parts)}</svg><figcaption>{html.escape(caption)}</figcaption></figure>")


def _warnings(result: dict) -> str:
    """The dimension's warnings (e.g. ICC on few units after listwise deletion), prominent."""
    return "".join(f'<p class="warning">{html.escape(w["text"])}</p>'
                   for w in result.get("warnings", []))


def _shown(result: dict) -> list[str]:
    """The statistics in the table: Light's kappa only where Cohen's kappa is null."""
    stats = result["statistics"]
    cohen_null = stats["cohen_kappa"]["value"] is None
    return [key for key in PLAIN if key in stats and (key != "light_kappa" or cohen_null)]


def _statistic_row(key: str, stat: dict) -> str:
    value = "—" if stat["value"] is None else f"{stat['value']:.2f}"
    ci = f"{stat['ci95'][0]:.2f} to {stat['ci95'][1]:.2f}" if stat["ci95"] else ""
    note = f"<br><i>{html.escape(stat['note'])}</i>" if stat["note"] else ""
    return (f"<tr><td>{key}</td><td>{value}</td><td>{ci}</td><td>{html.escape(PLAIN[key])}"
            f"<br><span class='method'>{html.escape(stat['method'])}</span>{note}</td></tr>")


def _disagreement_section(items: list[dict], names: dict[str, str]) -> str:
    """The largest gaps, each recording's dimensions named and in the codebook's order."""
    if not items:
        return ""
    order = list(names)

    def gaps(item: dict) -> str:
        ranked = sorted(item["gaps"], key=lambda d: order.index(d) if d in order else len(order))
        return ", ".join(f"{html.escape(names.get(d, d))}: {item['gaps'][d]}" for d in ranked)

    rows = "".join(f"<tr><td>{html.escape(i['unit'])}</td><td>{i['largest_gap']}</td><td>"
                   f"{gaps(i)}</td></tr>" for i in items[:30])
    return ("<h2>Disagreements</h2><p>Double-coded recordings, largest gap first: the agenda "
            "for a consensus meeting.</p><table><tr><th>recording</th><th>largest gap</th>"
            f"<th>gap per dimension</th></tr>{rows}</table>")


def _blinding_section(blinding: dict | None) -> str:
    if not blinding:
        return ""
    indices = [("James (all raters)", blinding["james"])]
    indices += [(f"Bang, recordings from {arm}", stat) for arm, stat in blinding["bang"].items()]
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{_fmt(stat['value'])}</td><td>"
        + (f"{stat['ci95'][0]:.2f} to {stat['ci95'][1]:.2f}" if stat["ci95"] else "")
        + f"</td><td class='method'>{html.escape(stat['method'])}</td></tr>"
        for name, stat in indices)
    return ("<h2>Did raters stay blind?</h2><p>After each rating, raters guessed the "
            "recording's group. James' index near 0.5 or above and Bang's index near 0 mean "
            "they could not tell.</p><table><tr><th>index</th><th>value</th><th>95% CI</th>"
            f"<th>method</th></tr>{rows}</table>")


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def _plots(result: dict) -> str:
    pairs = _paired_scores(result)
    if pairs is None:
        return ""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    first, second = pairs
    figure = Figure(figsize=(10, 6.6))
    (scatter, bland), (distribution, intervals) = figure.subplots(2, 2)
    low, high = result["scale"]["min"], result["scale"]["max"]
    jitter = _jitter(len(first))
    scatter.scatter(first + jitter, second - jitter, alpha=0.6)
    scatter.plot([low, high], [low, high], color="grey", linestyle="--", label="identity")
    scatter.set(xlabel="first rater", ylabel="second rater", xlim=(low - .5, high + .5),
                ylim=(low - .5, high + .5), title="Rater against rater")
    mean, diff = (first + second) / 2, second - first
    bland.scatter(mean + jitter, diff, alpha=0.6)
    centre, spread = diff.mean(), 1.96 * diff.std(ddof=1) if len(diff) > 1 else 0
    for y, style in ((centre, "-"), (centre - spread, "--"), (centre + spread, "--")):
        bland.axhline(y, color="grey", linestyle=style)
    bland.set(xlabel="mean of the two", ylabel="second − first", title="Bland–Altman")
    levels, counts = result["distribution"]["scale"], result["distribution"]["counts"]
    distribution.bar(levels, counts, color="#4a7ab5")
    distribution.set(xlabel="score", ylabel="ratings", title="Scores given", xticks=levels)
    _interval_plot(intervals, result)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def _interval_plot(axes, result: dict) -> None:
    """Each chance-corrected or correlation statistic with its 95% CI, and the threshold."""
    keys = [k for k in ("pearson_r", "icc_a1", "icc_c1", "kripp_alpha_ordinal",
                        "weighted_kappa_quadratic") if result["statistics"][k]["value"] is not None]
    for row, key in enumerate(keys):
        stat = result["statistics"][key]
        low, high = stat["ci95"] or (stat["value"], stat["value"])
        axes.plot([low, high], [row, row], color="#4a7ab5", linewidth=3)
        axes.plot(stat["value"], row, "o", color="#1d3f6e")
    axes.axvline(result["criterion"]["threshold"], color="#a12020", linestyle="--")
    axes.set(yticks=range(len(keys)), yticklabels=keys, xlim=(-0.2, 1.0),
             title="Statistics with 95% CI", xlabel="value (red: criterion)")
    axes.invert_yaxis()


def _paired_scores(result: dict):
    """The first two raters' scores of each double-coded unit, if the report kept them."""
    import numpy as np

    paired = result.get("paired_scores")
    if not paired or len(paired["first"]) < 2:
        return None
    return np.asarray(paired["first"], float), np.asarray(paired["second"], float)


def _jitter(n: int):
    import numpy as np

    return np.random.default_rng(0).uniform(-0.12, 0.12, n)
