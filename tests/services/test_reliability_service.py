"""`rater reliability` on a study rated in single-machine mode, on a CSV, and as HTML."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from audio_files import write_audio

from rater.core.errors import RaterError
from rater.services import rating
from rater.services.allocating import allocate_study
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.reliability import csv_reliability, study_reliability
from rater.services.study import init_study, study_info

DIMENSIONS = ("warmth", "empathy", "strengths", "clarity")


@pytest.fixture(scope="module")
def rated_study(tmp_path_factory):
    """12 recordings, all double-coded by R1 and R2, who agree closely (true score ± 1).
    Shared by this module's tests (building it takes seconds); tests that change it say so."""
    tmp_path = tmp_path_factory.mktemp("rated")
    folder = tmp_path / "audio"
    lines = ["file,la"]
    for i in range(12):
        write_audio(folder / f"r{i}.wav", seconds=1, freq=200 + 20 * i)
        lines.append(f"r{i}.wav,LA{i % 2}")
    (folder / "m.csv").write_text("\n".join(lines) + "\n")
    study = str(tmp_path / "s.rater")
    init_study(study)
    import_recordings(study, folder, folder / "m.csv")
    blind_study(study, workers=1)
    allocate_study(study, ["R1", "R2"], double=1.0, seed=2)
    rng = np.random.default_rng(4)
    truth = {}
    for rater in ("R1", "R2"):
        for entry in rating.rater_queue(study, rater):
            true = truth.setdefault(entry.code, rng.integers(1, 6, len(DIMENSIONS)))
            for dimension, t in zip(DIMENSIONS, true, strict=True):
                noise = rng.integers(-1, 2) if rater == "R2" else 0
                rating.set_score(study, entry.code, dimension, int(np.clip(t + noise, 1, 5)),
                                 rater=rater)
            rating.submit_rating(study, entry.code, rater=rater)
    return study


def test_single_machine_rating_feeds_the_report(rated_study):
    assert study_info(rated_study)["ratings"]["submitted"] == 12 * 2 * len(DIMENSIONS)
    report = study_reliability(rated_study, resamples=200, with_paired_scores=True)
    for dimension in DIMENSIONS:
        result = report["dimensions"][dimension]
        assert result["n_units"] == 12 and result["n_raters"] == 2
        assert result["criterion"]["statistic"] == "pearson_r"
        assert result["statistics"]["pearson_r"]["value"] > 0.5
        assert result["criterion"]["agreement"]["statistic"] == "icc_a1"
        assert len(result["paired_scores"]["first"]) == 12
    gaps = [d["largest_gap"] for d in report["disagreements"]]
    assert gaps == sorted(gaps, reverse=True) and len(gaps) == 12
    json.dumps(report, allow_nan=False)


def test_an_amendment_counts_in_the_report(rated_study):
    first = {e.code: e.scores["warmth"] for e in rating.rater_queue(rated_study, "R1")}
    second = {e.code: e.scores["warmth"] for e in rating.rater_queue(rated_study, "R2")}
    code = next(c for c in second if second[c] != first[c])
    before = study_reliability(rated_study, resamples=50)
    rating.amend_rating(rated_study, code, "warmth", first[code], "misheard the start", "R2")
    after = study_reliability(rated_study, resamples=50)
    exact = [r["dimensions"]["warmth"]["statistics"]["exact_agreement"]["value"]
             for r in (before, after)]
    assert exact[1] == pytest.approx(exact[0] + 1 / 12)


def test_a_criterion_given_is_stored_with_the_study(rated_study):
    report = study_reliability(rated_study, criterion="icc_a1:0.75", resamples=50)
    assert report["criterion"] == "icc_a1:0.75"
    assert study_info(rated_study)["criterion"] == "icc_a1:0.75"
    with pytest.raises(RaterError):
        study_reliability(rated_study, criterion="magic:2")


def test_cli_json_follows_the_contract_and_html_is_self_contained(rated_study, tmp_path):
    page = tmp_path / "report.html"
    result = subprocess.run([sys.executable, "-m", "rater", "reliability", rated_study,
                             "--json", "--html", str(page)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    for dimension in DIMENSIONS:
        entry = document["dimensions"][dimension]
        assert isinstance(entry["n_units"], int) and isinstance(entry["n_raters"], int)
        for key in ("pearson_r", "icc1", "icc_a1", "icc_c1", "icc1k", "icc_ak", "icc_ck",
                    "kripp_alpha_nominal", "kripp_alpha_ordinal", "kripp_alpha_interval",
                    "kripp_alpha_ratio", "cohen_kappa", "weighted_kappa_linear",
                    "weighted_kappa_quadratic", "fleiss_kappa", "gwet_ac1", "gwet_ac2_linear",
                    "gwet_ac2_quadratic", "exact_agreement", "adjacent_agreement",
                    "mean_difference"):
            stat = entry["statistics"][key]
            assert set(stat) >= {"value", "ci95", "method", "note"}
        assert set(entry["criterion"]) >= {"statistic", "threshold", "passed",
                                           "lower_bound_passed"}
    text = page.read_text()
    assert text.count("<svg") == len(DIMENSIONS) + 1  # + the forest plot
    assert "<script" not in text
    assert "Bland" in text and "confidence interval" in text


def test_csv_mode_and_its_errors(tmp_path):
    csv = tmp_path / "r.csv"
    rows = ["unit,rater,dimension,score"]
    rng = np.random.default_rng(1)
    for u in range(15):
        t = rng.integers(1, 6)
        rows += [f"u{u},A,warmth,{t}", f"u{u},B,warmth,{min(5, t + rng.integers(0, 2))}"]
    rows.append("u99,A,warmth,")  # a missing rating
    csv.write_text("\n".join(rows) + "\n")
    report = csv_reliability(csv, resamples=50)
    assert report["dimensions"]["warmth"]["scale"] == {"min": 1, "max": 5}
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,rater,dimension,score\nu1,A,warmth,high\n")
    with pytest.raises(RaterError, match="bad.csv:2"):
        csv_reliability(bad)
    result = subprocess.run([sys.executable, "-m", "rater", "reliability", "--ratings", str(csv),
                             "--scale", "1-7"], capture_output=True, text=True)
    assert result.returncode == 0 and "warmth (15 recordings, 2 raters)" in result.stdout
    usage = subprocess.run([sys.executable, "-m", "rater", "reliability"], capture_output=True)
    assert usage.returncode == 2


def test_blinding_check_guesses_give_james_and_bang_indices(rated_study):
    from rater.services.blinding import set_blinding_check

    assert set_blinding_check(rated_study, "la") == ["LA0", "LA1"]
    with pytest.raises(RaterError, match="not one of the groups"):
        rating.record_guess(rated_study, rating.rater_queue(rated_study, "R1")[0].code,
                            "Somewhere", rater="R1")
    for rater in ("R1", "R2"):
        for i, entry in enumerate(rating.rater_queue(rated_study, rater)):
            rating.record_guess(rated_study, entry.code, ["LA0", "LA1", ""][i % 3], rater=rater)
    report = study_reliability(rated_study, resamples=50)
    blinding = report["blinding"]
    assert sum(map(sum, blinding["counts"].values())) == 24
    assert blinding["arms"] == ["LA0", "LA1"]
    assert blinding["james"]["value"] is not None and blinding["james"]["ci95"]
    assert set(blinding["bang"]) == {"LA0", "LA1"}


def test_a_study_without_ratings_says_so(tmp_path):
    study = str(tmp_path / "empty.rater")
    init_study(study)
    with pytest.raises(RaterError, match="no submitted ratings"):
        study_reliability(study)


def test_light_kappa_is_shown_where_cohen_kappa_is_null(tmp_path):
    from rater.services.reliability_html import render

    rng = np.random.default_rng(3)
    rows = ["unit,rater,dimension,score"]
    for u in range(20):
        t = rng.integers(1, 6)
        rows += [f"u{u},{r},warmth,{int(np.clip(t + rng.integers(-1, 2), 1, 5))}"
                 for r in ("A", "B", "C")]
    three = tmp_path / "three.csv"
    three.write_text("\n".join(rows) + "\n")
    two = tmp_path / "two.csv"
    two.write_text("\n".join(r for r in rows if not r.startswith("u") or ",C," not in r) + "\n")
    for path, shown in ((three, True), (two, False)):
        result = subprocess.run([sys.executable, "-m", "rater", "reliability", "--ratings",
                                 str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert ("light_kappa" in result.stdout) is shown, result.stdout
        page = render(csv_reliability(path, resamples=50))
        assert ("<td>light_kappa</td>" in page) is shown


def test_listwise_icc_warning_in_text_and_html(tmp_path):
    from rater.services.reliability_html import render

    rng = np.random.default_rng(8)
    rows = ["unit,rater,dimension,score"]
    for u in range(150):
        t = rng.integers(1, 6)
        rows += [f"u{u},R{r},warmth,{int(np.clip(t + rng.integers(-1, 2), 1, 5))}"
                 for r in range(10) if rng.random() >= 0.2]
    path = tmp_path / "ten.csv"
    path.write_text("\n".join(rows) + "\n")
    report = csv_reliability(path, resamples=50)
    [warning] = report["dimensions"]["warmth"]["warnings"]
    result = subprocess.run([sys.executable, "-m", "rater", "reliability", "--ratings",
                             str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"WARNING: {warning['text']}" in result.stdout
    page = render(report)
    assert '<p class="warning">' in page and "Krippendorff&#x27;s alpha" in page


def big_csv(path, units=300, raters=4):
    rng = np.random.default_rng(5)
    rows = ["unit,rater,dimension,score"]
    for u in range(units):
        t = rng.integers(1, 6)
        rows += [f"u{u},R{r},{d},{int(np.clip(t + rng.integers(-2, 3), 1, 5))}"
                 for r in range(raters) for d in DIMENSIONS]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_the_disagreement_list_is_bounded_and_paired_scores_are_on_request(tmp_path):
    path = big_csv(tmp_path / "r.csv")
    report = csv_reliability(path, resamples=0)
    assert len(report["disagreements"]) == 100 and report["disagreements_total"] > 100
    assert all("paired_scores" not in d for d in report["dimensions"].values())
    everything = csv_reliability(path, resamples=0, disagreement_limit=None,
                                 with_paired_scores=True)
    assert everything["disagreements"][:100] == report["disagreements"]
    assert len(everything["disagreements"]) == report["disagreements_total"]
    assert len(everything["dimensions"]["warmth"]["paired_scores"]["first"]) == 300


def test_cli_disagreements_and_paired_scores_options(tmp_path):
    path = big_csv(tmp_path / "r.csv", units=40)

    def run(*options):
        result = subprocess.run([sys.executable, "-m", "rater", "reliability", "--ratings",
                                 str(path), "--json", *options], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    plain = run()
    assert len(plain["disagreements"]) == plain["disagreements_total"] == 40
    assert "paired_scores" not in plain["dimensions"]["warmth"]
    few = run("--disagreements", "3", "--paired-scores")
    assert few["disagreements"] == plain["disagreements"][:3]
    assert len(few["dimensions"]["warmth"]["paired_scores"]["second"]) == 40
    page = tmp_path / "r.html"
    with_html = run("--html", str(page))  # the plots get their points; the JSON stays lean
    assert "paired_scores" not in with_html["dimensions"]["warmth"]
    assert page.read_text().count("<svg") == len(DIMENSIONS) + 1  # + the forest plot
    bad = subprocess.run([sys.executable, "-m", "rater", "reliability", "--ratings", str(path),
                          "--disagreements", "-1"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--disagreements" in bad.stderr


def test_json_goes_out_in_one_write(monkeypatch):
    from rater.cli.common import print_json

    class Counting:
        writes = 0

        def write(self, text):
            self.writes += 1
            return len(text)

        def flush(self):
            pass

    out = Counting()
    monkeypatch.setattr(sys, "stdout", out)
    print_json({"dimensions": {f"d{i}": {"values": list(range(100))} for i in range(50)}})
    assert out.writes == 1
