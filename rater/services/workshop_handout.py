"""The workshop handout (`rater workshop report W --html FILE`) and the report's numbers.

One self-contained HTML file (figures inline as SVG, no scripts, no links) that prints well to
PDF from a browser: the dashboard figures, the experts' rationales and evidence moments, and one
page per participant with their own differences from gold.
"""

from __future__ import annotations

import html
import math
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from rater.core.codebook import Codebook, parse_codebook
from rater.core.errors import Problem, RaterError
from rater.core.workshop import GoldScore, WorkshopSummary, flagged
from rater.services import workshop_figures as figures
from rater.services.gold import gold_for, gold_summary
from rater.services.session import open_store
from rater.services.workshops import workshop_info, workshop_summary

BAND_TEXT = {"exact": "exact", "within_one": "within one", "off": "off by 2+"}


def _num(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 4)


def summary_document(workshop: str, any_study: bool = False) -> dict:
    """The comparison with gold as JSON-ready data (None where a figure cannot be computed).
    `any_study`: of the gold items of any study (a research study's drift check), not only a
    workshop's."""
    summary, names = gold_summary(workshop) if any_study else workshop_summary(workshop)
    codebook = _codebook(workshop)
    flags = flagged(summary)
    dim_names = {d.id: d.name for d in codebook.dimensions}
    dims = [{"dimension": d.dimension, "name": dim_names[d.dimension], "n": d.n,
             "exact": _num(d.exact), "within_one": _num(d.within_one),
             "mean_signed": _num(d.mean_signed), "mean_abs": _num(d.mean_abs)}
            for d in summary.dimensions]
    by_dim = {d["dimension"]: d for d in dims}
    return {
        "scores": len(summary.differences), "exact": _num(summary.exact),
        "within_one": _num(summary.within_one),
        "participants": [{"id": p.participant, "name": names.get(p.participant, p.participant),
                          "n": p.n, "exact": _num(p.exact), "within_one": _num(p.within_one),
                          "mean_signed": _num(p.mean_signed), "ci_low": _num(p.ci_low),
                          "ci_high": _num(p.ci_high), "mean_abs": _num(p.mean_abs),
                          "flag": flags.get(p.participant)} for p in summary.participants],
        "dimensions": dims,
        "hardest": [by_dim[d] for d in summary.hardest],
    }


def _codebook(workshop: str) -> Codebook:
    with open_store(workshop) as store:
        return parse_codebook(store.codebook_text(), "the workshop's codebook")


def write_handout(workshop: str, out: Path) -> Path:
    """Write the handout atomically (a temporary file in the same folder, then a rename)."""
    out = Path(out)
    if not out.parent.is_dir():
        raise RaterError(Problem("the folder does not exist", str(out.parent),
                                 "create the folder first, or write elsewhere"))
    document = render_handout(workshop)
    handle, temporary = tempfile.mkstemp(dir=out.parent, suffix=".part")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(document)
    os.chmod(temporary, 0o644)  # mkstemp makes it private; a handout is meant to be shared
    os.replace(temporary, out)
    return out


def render_handout(workshop: str) -> str:
    info = workshop_info(workshop)
    summary, names = workshop_summary(workshop)
    codebook = _codebook(workshop)
    gold = gold_for(workshop)
    flags = flagged(summary)
    people = [(p["id"], names[p["id"]]) for p in info["participants"]]
    codes = [r["code"] for r in info["recordings"]]
    by_item = {(g.recording, g.dimension): g for g in gold}
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Workshop handout: {_e(info["name"])}</title>
<style>{CSS}</style></head><body>
<h1>Workshop handout: {_e(info["name"])}</h1>
<p class="meta">{len(people)} participant(s), {len(codes)} gold recording(s), made
{datetime.now(UTC):%d %B %Y}. Scores compared with the expert (gold) score:
{_share(summary.exact)} exact, {_share(summary.within_one)} within one point.</p>
{_dashboard(summary, names, flags, codebook, codes)}
{_rationales(gold, summary, codebook, codes)}
{"".join(_participant_page(pid, name, summary, flags, codebook, codes, by_item)
         for pid, name in people)}
</body></html>
"""


CSS = """
body { font-family: DejaVu Sans, Arial, sans-serif; max-width: 60em; margin: 2em auto;
       color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .6em 0; width: 100%; }
td, th { padding: .25em .5em; border-bottom: 1px solid #e4e4e4; text-align: left;
         vertical-align: top; font-size: .92em; }
.meta { color: #555; } .figure { margin: .8em 0; break-inside: avoid; }
.figure svg { max-width: 100%; height: auto; }
.exact { color: #17633a; } .within_one { color: #5a7d2a; } .off { color: #a12020;
  font-weight: bold; }
.flag { font-weight: bold; color: #a12020; }
.page { break-before: page; page-break-before: always; }
.recording { break-inside: avoid; }
@page { size: A4; margin: 14mm; }
@media print { body { max-width: none; margin: 0; font-size: 10pt; }
               a { color: inherit; text-decoration: none; } }
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _share(value: float) -> str:
    return "—" if math.isnan(value) else f"{100 * value:.0f}%"


def _signed(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:+.2f}"


def _time(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def _figure(svg: str) -> str:
    return f'<div class="figure">{svg}</div>'


def _dashboard(summary: WorkshopSummary, names: dict[str, str], flags: dict[str, str],
               codebook: Codebook, codes: list[str]) -> str:
    if not summary.differences:
        return "<h2>The group against gold</h2><p>No scores compared with gold yet.</p>"
    scale = (codebook.scale.min, codebook.scale.max)
    dots = "".join(_figure(figures.scores_against_gold(summary, d.id, d.name, codes, scale))
                   for d in codebook.dimensions)
    people = [p for p in summary.participants if p.n]
    dim_names = {d.id: d.name for d in codebook.dimensions}
    scored = [d for d in summary.dimensions if d.n]
    flagged_text = "; ".join(f"{_e(names.get(p, p))} {f}" for p, f in flags.items()) or "none"
    hardest = ", ".join(_e(dim_names[d]) for d in summary.hardest) or "—"
    return f"""
<h2>The group against gold</h2>
{dots}
<h2>Leniency and severity</h2>
<p>Each participant's mean difference from gold with its 95% t-interval. Flagged (at least half
a point on average, interval clear of zero): <span class="flag">{flagged_text}</span>.</p>
{_figure(figures.leniency(summary, names, flags))}
<h2>Agreement with gold</h2>
{_figure(figures.shares([names.get(p.participant, p.participant) for p in people],
                        [(p.exact, p.within_one) for p in people], "Per participant"))}
{_figure(figures.shares([dim_names[d.dimension] for d in scored],
                        [(d.exact, d.within_one) for d in scored], "Per dimension"))}
<h2>Hardest dimensions</h2>
<p>Hardest first: {hardest}.</p>
{_figure(figures.hardest(summary, dim_names))}
"""


def _rationales(gold: list[GoldScore], summary: WorkshopSummary, codebook: Codebook,
                codes: list[str]) -> str:
    by_item = {(g.recording, g.dimension): g for g in gold}
    parts = ['<h2 class="page">The experts\' scores and reasons</h2>']
    for code in codes:
        rows = []
        for dim in codebook.dimensions:
            g = by_item.get((code, dim.id))
            if g is None:
                continue
            given = sorted(d.score for d in summary.differences
                           if d.recording == code and d.dimension == dim.id)
            spread = ", ".join(f"{s}: {given.count(s)}" for s in sorted(set(given))) or "—"
            experts = "".join(f"<br>{_e(e)}: {s}" for e, s in g.experts)
            moments = "".join(f"<li>{_time(m.time_s)} {_e(m.text)}</li>" for m in g.moments)
            rows.append(
                f"<tr><td>{_e(dim.name)}</td><td><b>{g.score}</b>{experts}</td>"
                f"<td>{_e(dim.anchors.get(g.score, ''))}</td><td>{_e(g.rationale)}"
                + (f"<ul>{moments}</ul>" if moments else "") + f"</td><td>{spread}</td></tr>")
        if rows:
            parts.append(f'<div class="recording"><h3>{_e(code)}</h3><table><tr>'
                         "<th>dimension</th><th>gold</th><th>anchor of the gold level</th>"
                         "<th>why, and where it shows</th><th>the group (score: count)</th>"
                         f"</tr>{''.join(rows)}</table></div>")
    return "".join(parts)


def _participant_page(pid: str, name: str, summary: WorkshopSummary, flags: dict[str, str],
                      codebook: Codebook, codes: list[str],
                      gold: dict[tuple[str, str], GoldScore]) -> str:
    shown = name or pid
    mine = {(d.recording, d.dimension): d for d in summary.differences if d.participant == pid}
    me = next((p for p in summary.participants if p.participant == pid), None)
    if me is None or not me.n:
        line = "No scores compared with gold yet."
    else:
        ci = ("" if math.isnan(me.ci_low)
              else f" (95% CI {me.ci_low:+.2f} to {me.ci_high:+.2f})")
        flag = f' <span class="flag">{flags[pid]}</span>' if pid in flags else ""
        line = (f"{me.n} score(s): {_share(me.exact)} exact, {_share(me.within_one)} within "
                f"one; mean difference {_signed(me.mean_signed)}{ci}{flag}; mean distance "
                f"{me.mean_abs:.2f}.")
    rows = []
    for code in codes:
        for dim in codebook.dimensions:
            d = mine.get((code, dim.id))
            if d is not None:
                rows.append(f"<tr><td>{_e(code)}</td><td>{_e(dim.name)}</td><td>{d.score}</td>"
                            f"<td>{d.gold}</td><td>{f'{d.diff:+d}' if d.diff else '0'}</td>"
                            f'<td class="{d.band}">{BAND_TEXT[d.band]}</td></tr>')
    table = ("<table><tr><th>recording</th><th>dimension</th><th>you</th><th>gold</th>"
             f"<th>difference</th><th></th></tr>{''.join(rows)}</table>" if rows else "")
    return (f'<section class="page participant" id="participant-{_e(pid)}">'
            f"<h2>{_e(shown)}</h2><p>{line}</p>{table}{_to_discuss(mine, gold, codebook, codes)}"
            "</section>")


def _to_discuss(mine: dict, gold: dict[tuple[str, str], GoldScore], codebook: Codebook,
                codes: list[str]) -> str:
    """Where the participant was two or more points off: the expert's reason, to talk over."""
    items = []
    for code in codes:
        for dim in codebook.dimensions:
            d, g = mine.get((code, dim.id)), gold.get((code, dim.id))
            if d is None or g is None or d.band != "off":
                continue
            moments = "; ".join(f"{_time(m.time_s)}" for m in g.moments)
            items.append(f"<li><b>{_e(code)}, {_e(dim.name)}</b>: you {d.score}, gold "
                         f"{g.score}. {_e(g.rationale)}"
                         + (f" (listen at {moments})" if moments else "") + "</li>")
    if not items:
        return ""
    return f"<h3>Two or more points off: the expert's reasons</h3><ul>{''.join(items)}</ul>"
