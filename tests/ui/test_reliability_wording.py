"""The reliability tab for someone who has never heard of ICC (issue 14, item 5): one honest
wording (passes / not shown yet / does not pass), what to do next from the precision planner,
codebook names in codebook order, the criterion in words, leaning in words, and the same as a
forest plot in the window and the HTML report. The study: the demo recordings and their
example ratings (8 double-coded recordings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rater.services.importing import import_recordings
from rater.services.ratings_import import import_ratings
from rater.services.reliability import study_reliability
from rater.services.reliability_html import render
from rater.services.study import init_study
from rater.ui.reliability_view import ReliabilityView

SAMPLES = Path(__file__).resolve().parents[2] / "audio_samples"
NAMES = ["Warmth", "Empathy", "Recognition of strengths", "Clarity about concerns"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    study = str(tmp_path_factory.mktemp("words") / "s.rater")
    init_study(study)
    import_recordings(study, SAMPLES, SAMPLES / "manifest.csv")
    import_ratings(study, SAMPLES / "example_ratings.csv")
    return study_reliability(study, resamples=50)


def _column(view, column: int) -> list[str]:
    return [view.verdicts.item(r, column).text() for r in range(view.verdicts.rowCount())]


def test_one_honest_wording_and_what_to_do_next(qtbot, report):
    view = ReliabilityView()
    qtbot.addWidget(view)
    view.resize(1280, 720)
    view.show()
    view.show_report(report)
    assert _column(view, 0) == NAMES  # codebook labels, codebook order
    assert _column(view, 1) == ["not shown yet", "not shown yet", "passes", "passes"]
    assert view.verdicts.horizontalHeaderItem(2).text() == "Pearson r [95% CI]"
    assert "Criterion: Pearson r above 0.70." in view.status.text()
    assert "pearson_r" not in view.status.text() + "".join(_column(view, 2))
    view.verdicts.selectRow(0)
    needed = report["dimensions"]["warmth"]["criterion"]["units_needed"]
    assert needed > 8
    summary = view.summary.text()
    assert "not shown yet" in summary and "passes" not in summary
    assert f"about {needed - 8} more double-coded recordings ({needed} in all)" in summary
    leanings = [view.raters.item(r, 3).text() for r in range(view.raters.rowCount())]
    assert all(text.startswith(("scores higher", "scores lower", "no clear lean"))
               for text in leanings)
    assert [(r.name, r.state) for r in view.forest.rows] == list(zip(
        NAMES, ["not_shown", "not_shown", "passes", "passes"], strict=True))
    image = view.forest.grab().toImage()
    assert image.width() > 200  # painted, with room for the rows


def test_the_html_report_says_the_same_with_a_forest_plot(report):
    page = render(report)
    assert "Pearson r above 0.70" in page and "pearson_r:0.7" not in page
    assert page.count('<span class="not_shown">not shown yet</span>') == 2 + 1  # + the key
    assert "aria-label='Pearson r with its 95% CI per dimension" in page
    assert page.index("<h2>Warmth</h2>") < page.index("<h2>Clarity about concerns</h2>")
    assert "more double-coded recordings" in page
