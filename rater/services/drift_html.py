"""The drift section of the HTML reliability report: per rater, agreement with gold over their
gold inserts (rolling window) as a small inline SVG chart, with the threshold line."""

from __future__ import annotations

import html

WIDTH, HEIGHT, PAD = 360, 120, 24


def drift_section(drift: dict | None) -> str:
    if not drift or not drift["raters"]:
        return ""
    rows = "".join(_rater_row(rater, entry, drift["threshold"])
                   for rater, entry in drift["raters"].items())
    return (f"<h2>Drift checks: agreement with gold over time</h2><p>Gold recordings slipped "
            f"blind into raters' queues. The line is the share of scores within one point of "
            f"gold over the last {drift['window']} gold items; a rater is flagged when it "
            f"falls below the certification threshold ({drift['threshold']:.0%}, dashed). "
            f"A flagged rater can be sent a recalibration pack of the items they missed "
            f"('rater certify recalibrate').</p><table><tr><th>rater</th><th>agreement over "
            f"time</th><th>status</th></tr>{rows}</table>")


def _rater_row(rater: str, entry: dict, threshold: float) -> str:
    if entry["flagged"]:
        status = (f"<span class='fail'>flagged</span> at {html.escape(entry['flagged_at']['code'])}"
                  f" (queue position {entry['flagged_at']['position'] + 1}); missed: "
                  + html.escape(", ".join(entry["missed"])))
    else:
        status = "<span class='pass'>within the threshold</span>"
    return (f"<tr><td>{html.escape(rater)}</td><td>{chart(entry['points'], threshold)}</td>"
            f"<td>{status}</td></tr>")


def chart(points: list[dict], threshold: float) -> str:
    """An SVG line chart of the rolling share (0 to 1) over the gold inserts."""
    values = [p["rolling"] for p in points if p["rolling"] is not None]
    if not values:
        return "no gold items rated yet"
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)

    def y(share: float) -> float:
        return HEIGHT - PAD - share * (HEIGHT - 2 * PAD)

    line = " ".join(f"{PAD + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values))
    dots = "".join(f"<circle cx='{PAD + i * step:.1f}' cy='{y(p['rolling']):.1f}' r='3' "
                   f"fill='{'#a12020' if p['flagged'] else '#17633a'}'/>"
                   for i, p in enumerate(p for p in points if p["rolling"] is not None))
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}' "
            f"role='img' aria-label='rolling agreement with gold'>"
            f"<line x1='{PAD}' x2='{WIDTH - PAD}' y1='{y(threshold):.1f}' y2='{y(threshold):.1f}'"
            f" stroke='#888' stroke-dasharray='4 3'/>"
            f"<text x='2' y='{y(1) + 4:.1f}' font-size='10'>100%</text>"
            f"<text x='2' y='{y(0) + 4:.1f}' font-size='10'>0%</text>"
            f"<polyline points='{line}' fill='none' stroke='#335' stroke-width='1.5'/>{dots}"
            f"<text x='{PAD}' y='{HEIGHT - 4}' font-size='10'>gold items in queue order</text>"
            "</svg>")
