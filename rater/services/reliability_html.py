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
    sections = [_dimension_section(name, result) for name, result in report["dimensions"].items()]
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
.verdict {{ font-size: 1.1em; background: #f5f5f0; padding: .6em 1em; border-radius: 4px; }}
.method {{ color: #666; font-size: .85em; }}
.warning {{ background: #fff3cd; border-left: 4px solid #b8860b; padding: .6em 1em; }}
.plots {{ display: flex; flex-wrap: wrap; gap: 1em; }}
</style></head><body>
<h1>Reliability report</h1>
<p>Criterion: <b>{html.escape(report["criterion"])}</b>. Bootstrap:
{report["bootstrap"]["resamples"]} resamples (seed {report["bootstrap"]["seed"]}).
A dimension passes when the statistic is above the threshold; we can be confident it does when
even the lower end of its 95% confidence interval is above it.</p>
{"".join(sections)}
{_disagreement_section(report.get("disagreements", []))}
{_blinding_section(report.get("blinding"))}
{drift_section(report.get("drift"))}
</body></html>
"""


def _dimension_section(name: str, result: dict) -> str:
    verdict = result["criterion"]
    status = {True: ('<span class="pass">passes</span>'), False: '<span class="fail">does not '
              'pass</span>', None: "cannot be judged"}[verdict["passed"]]
    rows = "".join(_statistic_row(key, result["statistics"][key]) for key in _shown(result))
    return f"""
<h2>{html.escape(name)}</h2>
<p class="verdict">{status}: {html.escape(verdict["summary"])}</p>
{_warnings(result)}
<p>{result["n_units"]} recordings rated by {result["n_raters"]} raters.</p>
<table><tr><th>statistic</th><th>value</th><th>95% CI</th><th>what it means</th></tr>{rows}
</table>
<div class="plots">{_plots(result)}</div>
"""


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


def _disagreement_section(items: list[dict]) -> str:
    if not items:
        return ""
    rows = "".join(
        f"<tr><td>{html.escape(i['unit'])}</td><td>{i['largest_gap']}</td><td>"
        + ", ".join(f"{html.escape(d)}: {g}" for d, g in i["gaps"].items()) + "</td></tr>"
        for i in items[:30])
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
