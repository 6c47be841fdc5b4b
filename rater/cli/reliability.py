"""`rater reliability`: do the raters agree well enough?"""

from __future__ import annotations

from pathlib import Path

from rater.cli.common import STUDY_HELP, print_json

# as rater.core.reliability.disagreements.DEFAULT_LIMIT; not imported from there, because that
# package loads pandas and scipy, which `rater --help` and the app's start should not wait for
DEFAULT_LIMIT = 100

SHOWN = ("pearson_r", "icc_a1", "icc_c1", "kripp_alpha_ordinal", "weighted_kappa_quadratic",
         "exact_agreement", "adjacent_agreement", "mean_difference")


def add_commands(commands) -> None:
    parser = commands.add_parser(
        "reliability", help="inter-rater reliability per dimension, with a verdict",
        description="Inter-rater reliability of every codebook dimension over the recordings "
                    "rated independently by two or more raters: Pearson r, all six ICC forms, "
                    "Krippendorff's alpha, the kappa family, agreement, each with a 95% CI and "
                    "the exact method; a verdict against the criterion (point estimate and "
                    "lower CI bound), with ICC(A,1) as the agreement statement; pairs, per-rater "
                    "leniency, re-tests, score distributions, and the disagreement list.",
        epilog="Give a STUDY, or --ratings FILE.csv (columns unit,rater,dimension,score).")
    parser.add_argument("study", nargs="?", metavar="STUDY", help=STUDY_HELP)
    parser.add_argument("--ratings", type=Path, metavar="FILE.csv",
                        help="compute from a ratings CSV instead of a study")
    parser.add_argument("--scale", metavar="MIN-MAX",
                        help="the scale of a ratings CSV (default: the codebook's, else the "
                             "observed range)")
    parser.add_argument("--criterion", metavar="STAT:THRESHOLD",
                        help="e.g. pearson_r:0.7 (the default) or icc_a1:0.75; for a study it "
                             "is stored as the study's criterion")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    parser.add_argument("--disagreements", type=_count, default=DEFAULT_LIMIT, metavar="N",
                        help=f"list the N largest disagreements (default {DEFAULT_LIMIT}; 0 "
                             "lists all)")
    parser.add_argument("--paired-scores", action="store_true",
                        help="add each dimension's paired scores (first and second rater of "
                             "every double-coded recording) to the JSON")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--html", type=Path, metavar="FILE",
                        help="also write a self-contained HTML report with plots")
    parser.set_defaults(run=_run, parser=parser)


def _run(args) -> int:
    from rater.services.reliability import csv_reliability, study_reliability

    if (args.study is None) == (args.ratings is None):
        args.parser.error("give either STUDY or --ratings FILE.csv")
    paired = args.paired_scores or args.html is not None  # the HTML plots need them
    if args.ratings:
        report = csv_reliability(args.ratings, args.scale, args.criterion or "pearson_r:0.7",
                                 args.seed, disagreement_limit=args.disagreements,
                                 with_paired_scores=paired)
    else:
        report = study_reliability(args.study, args.criterion, args.seed,
                                   disagreement_limit=args.disagreements,
                                   with_paired_scores=paired)
    if args.html:
        from rater.services.reliability_html import write_html_report

        write_html_report(report, args.html)
        if not args.paired_scores:
            for result in report["dimensions"].values():
                result.pop("paired_scores", None)
    if args.json:
        print_json(report)
    else:
        _print_text(report)
    return 0


def _count(text: str) -> int:
    """A whole number >= 0 for --disagreements (argparse reports anything else as usage)."""
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def _shown(statistics: dict) -> tuple[str, ...]:
    """The statistics printed: Light's kappa joins them where Cohen's kappa is null."""
    if statistics["cohen_kappa"]["value"] is None and "light_kappa" in statistics:
        return (*SHOWN, "light_kappa")
    return SHOWN


def _print_text(report: dict) -> None:
    print(f"Criterion: {report['criterion']}")
    for dimension, result in report["dimensions"].items():
        verdict = result["criterion"]
        mark = {True: "PASS", False: "FAIL", None: "—"}[verdict["passed"]]
        print(f"\n{dimension} ({result['n_units']} recordings, {result['n_raters']} raters): "
              f"{mark}")
        print(f"  {verdict['summary']}")
        for warning in result.get("warnings", []):
            print(f"  WARNING: {warning['text']}")
        for key in _shown(result["statistics"]):
            stat = result["statistics"][key]
            value = "—" if stat["value"] is None else f"{stat['value']:.3f}"
            ci = (f"[{stat['ci95'][0]:.3f}, {stat['ci95'][1]:.3f}]" if stat["ci95"] else "")
            print(f"  {key:<26} {value:>7} {ci:<18} {stat['note'] or ''}")
    top = report["disagreements"][:5]
    if top:
        print("\nLargest disagreements (for a consensus meeting):")
        for item in top:
            gaps = ", ".join(f"{d} {g}" for d, g in item["gaps"].items() if g)
            print(f"  {item['unit']}: largest gap {item['largest_gap']} ({gaps or 'none'})")
