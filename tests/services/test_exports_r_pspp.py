"""Exports read by independent readers: R (haven, psych) and GNU PSPP, as subprocesses.

pyreadstat reading back what pyreadstat wrote is not an independent check (issue 15, item 11).
R's psych::ICC and psych::cohen.kappa on the exported wide file must give Rater's own numbers.
GNU PSPP 1.6 reads SPSS files only, so DTA files are checked with haven alone.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from test_exports import DIMS, LABELS, build

from rater.services.export import export_study
from rater.services.reliability import study_reliability

pytestmark = pytest.mark.skipif(not (shutil.which("Rscript") and shutil.which("pspp")),
                                reason="needs R (r-base-core, r-cran-haven, r-cran-psych) and "
                                       "pspp: ./run test installs them")


def r(script: str) -> dict[str, str]:
    """Run an R script; its `key=value` lines on stdout."""
    result = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)


@pytest.fixture
def exported(tmp_path, study_location):
    codes = build(tmp_path, study_location)
    files = {}
    for fmt in ("sav", "dta"):
        for layout in ("wide", "long"):
            files[fmt, layout] = tmp_path / f"study_{layout}.{fmt}"
            export_study(study_location, fmt, files[fmt, layout], layout=layout)
    return study_location, codes, files


def test_haven_reads_every_sav_and_dta_with_labels_and_missing_values(exported):
    _, codes, files = exported
    for (fmt, layout), path in files.items():
        reader = "read_sav(p, user_na = TRUE)" if fmt == "sav" else "read_dta(p)"
        out = r(f"""suppressMessages(library(haven)); p <- "{path}"; d <- {reader}
cat("rows=", nrow(d), "\\n", sep = "")
cat("columns=", paste(names(d), collapse = ","), "\\n", sep = "")
l <- attr(d$warmth_primary, "labels")
cat("labels=", paste(paste0(l, ":", names(l)), collapse = "|"), "\\n", sep = "")
cat("codes=", paste(sort(unique(as.character(d$code))), collapse = ","), "\\n", sep = "")
""")
        assert out["codes"].split(",") == sorted(codes.values()), (fmt, layout)
        assert "warmth_primary" in out["columns"].split(",") or layout == "long", (fmt, layout)
        labels = dict(item.split(":", 1) for item in out["labels"].split("|")) \
            if layout == "wide" else {}
        for value, text in LABELS.items():
            if layout == "wide":
                assert labels[str(value)] == text, (fmt, value)
        if layout == "wide":
            assert int(out["rows"]) == len(codes)


def test_haven_sees_declared_missing_values_in_sav(exported):
    _, codes, files = exported
    out = r(f"""suppressMessages(library(haven)); d <- read_sav("{files['sav', 'wide']}",
user_na = TRUE); x <- d$empathy_second
cat("na_values=", paste(sort(attr(x, "na_values")), collapse = ","), "\\n", sep = "")
cat("missing=", sum(is.na(zap_missing(x))), "\\n", sep = "")""")
    assert out["na_values"] == "-9,-8"
    assert int(out["missing"]) == 2  # c.wav: -9 (no second score), d.wav: -8 (no second rater)


def test_pspp_reads_every_sav(exported, tmp_path):
    _, codes, files = exported
    for layout in ("wide", "long"):
        syntax = tmp_path / f"{layout}.sps"
        syntax.write_text(f"GET FILE='{files['sav', layout]}'.\nDISPLAY DICTIONARY.\n"
                          "FREQUENCIES VARIABLES=code.\n")
        result = subprocess.run(["pspp", "-O", "format=txt", "-O", "width=1000", "-o", "-",
                                 str(syntax)], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "error" not in result.stdout.lower(), result.stdout
        for code in codes.values():
            assert code in result.stdout, layout
        if layout == "wide":
            assert "Clarity about concerns: second rater" in result.stdout
            assert "very high" in result.stdout and "Ordinal" in result.stdout


def test_psych_icc_and_cohen_kappa_on_the_export_equal_the_report(exported):
    location, _, files = exported
    report = study_reliability(location, resamples=0)
    script = [f'suppressMessages({{library(haven); library(psych)}}); '
              f'd <- zap_missing(read_sav("{files["sav", "wide"]}"))']
    for dim in DIMS:
        script.append(f"""x <- as.data.frame(d[, c("{dim}_primary", "{dim}_second")])
x <- x[complete.cases(x), ]; x[] <- lapply(x, as.numeric)
i <- suppressWarnings(suppressMessages(ICC(x, lmer = FALSE)))$results$ICC
cat("{dim}_icc=", paste(sprintf("%.17g", i), collapse = ","), "\\n", sep = "")
k <- suppressWarnings(cohen.kappa(x))$kappa
cat("{dim}_kappa=", sprintf("%.17g", k), "\\n", sep = "")""")
    out = r("\n".join(script))
    order = ["icc1", "icc_a1", "icc_c1", "icc1k", "icc_ak", "icc_ck"]  # psych's row order
    assert report["dimensions"]["warmth"]["statistics"]["cohen_kappa"]["n_units"] == 3
    for dim in DIMS:
        stats = report["dimensions"][dim]["statistics"]
        theirs = [float(v) for v in out[f"{dim}_icc"].split(",")]
        for key, value in zip(order, theirs, strict=True):
            if stats[key]["value"] is not None:
                assert stats[key]["value"] == pytest.approx(value, abs=1e-9), (dim, key)
        # psych::cohen.kappa takes a square input (2 units x 2 raters) for a table of counts,
        # so it is compared only where more than two recordings have both scores (warmth)
        if stats["cohen_kappa"]["value"] is not None and stats["cohen_kappa"]["n_units"] > 2:
            assert stats["cohen_kappa"]["value"] == pytest.approx(float(out[f"{dim}_kappa"]),
                                                                  abs=1e-9), dim
