"""`rater ratings import`, `rater consensus …`, `rater unblind`, `rater compare`, `rater export`:
after rating, from existing ratings to the paper."""

from __future__ import annotations

import sys
from pathlib import Path

from rater.cli.common import STUDY_HELP, print_json, show_help

SCORES = ("primary", "mean", "consensus")
SCORE_HELP = ("the score analysed per recording: primary = the primary rater's (default, the "
              "reference study's way), mean = mean of primary and second, consensus = the "
              "consensus score where recorded, else the primary rater's")
FORMATS = ("csv-long", "csv-wide", "csv-notes", "xlsx", "sav", "dta", "parquet")


def add_commands(commands) -> None:
    _ratings(commands)
    _consensus(commands)
    _unblind(commands)
    _compare(commands)
    _export(commands)


def _ratings(commands) -> None:
    ratings = commands.add_parser("ratings", help="import existing ratings",
                                  description="Bring ratings made elsewhere into a study.")
    sub = ratings.add_subparsers(title="ratings commands", metavar="COMMAND")
    ratings.set_defaults(run=show_help(ratings))
    imp = sub.add_parser(
        "import", help="import ratings from a CSV (a past study, or scripted tests)",
        description="Import submitted ratings from a CSV. Every row is checked (recording, "
                    "rater, dimension, score on the codebook's scale, role, timestamp) and "
                    "against the study (roles already taken, scores already submitted); if "
                    "anything is wrong nothing is imported and every problem is listed with its "
                    "line. New raters and assignments are created as needed. Rows already in "
                    "the study with the same score are skipped, so importing twice is safe.",
        epilog="CSV: UTF-8, comma-separated, header recording,rater,dimension,score[,role]"
               "[,timestamp]. recording = blind code or file name as imported; role = primary, "
               "second or retest (empty: primary for a recording's first rater, second for "
               "the next); timestamp = ISO 8601 (no offset = UTC); an empty score is a missing "
               "rating.")
    imp.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    imp.add_argument("csv", type=Path, metavar="FILE.csv", help="the ratings")
    imp.add_argument("--json", action="store_true", help="print the result as JSON")
    imp.set_defaults(run=_run_ratings_import)


def _consensus(commands) -> None:
    consensus = commands.add_parser(
        "consensus", help="list disagreements and record consensus scores",
        description="For double-coded recordings whose two independent scores differ, record "
                    "an agreed score with a reason. The independent ratings never change and "
                    "reliability is always computed on them; the consensus score is used only "
                    "when analysing with --score consensus.")
    sub = consensus.add_subparsers(title="consensus commands", metavar="COMMAND")
    consensus.set_defaults(run=show_help(consensus))
    listing = sub.add_parser("list", help="recordings whose raters disagree",
                             description="Double-coded recordings and dimensions whose primary "
                                         "and second scores differ by at least --threshold, "
                                         "and any with a consensus score already.")
    listing.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    listing.add_argument("--threshold", type=int, default=2, metavar="N",
                         help="smallest difference to list (default 2)")
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    listing.set_defaults(run=_run_consensus_list)
    setting = sub.add_parser("set", help="record a consensus score",
                             description="Record the agreed score of one recording and "
                                         "dimension, with the reason (logged with who and "
                                         "when). A later one replaces it; both are kept.")
    setting.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    setting.add_argument("--recording", required=True, metavar="CODE", help="the blind code")
    setting.add_argument("--dimension", required=True, metavar="D", help="the dimension id")
    setting.add_argument("--score", required=True, type=int, metavar="N",
                         help="the agreed score")
    setting.add_argument("--reason", required=True, metavar="TEXT",
                         help="how agreement was reached")
    setting.add_argument("--json", action="store_true", help="print the result as JSON")
    setting.set_defaults(run=_run_consensus_set)


def _unblind(commands) -> None:
    unblind = commands.add_parser(
        "unblind", help="let hidden fields join analysis and exports (logged)",
        description="Unblind the study: from now on, analysis and exports show the hidden "
                    "metadata and original file names next to the blind codes. Recorded in the "
                    "audit trail with who, when and why; it cannot be undone. A rater's copy "
                    "cannot be unblinded: the key is not in it.")
    unblind.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    unblind.add_argument("--reason", required=True, metavar="TEXT",
                         help="why now, e.g. 'all ratings submitted and reliability checked'")
    unblind.add_argument("--json", action="store_true", help="print the result as JSON")
    unblind.set_defaults(run=_run_unblind)


def _compare(commands) -> None:
    compare = commands.add_parser(
        "compare", help="compare groups (e.g. local authorities) on every dimension",
        description="Per dimension: n, mean, SD and 95% CI per group; for two groups Welch's "
                    "t-test, Mann-Whitney U, Hedges' g and the rank-biserial correlation with "
                    "95% CIs; for more groups one-way ANOVA and Kruskal-Wallis. p-values come "
                    "with Holm-adjusted values for the number of dimensions. Prints a table "
                    "ready for a paper. A hidden field can only be used after 'rater unblind'.")
    compare.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    compare.add_argument("--by", required=True, metavar="FIELD",
                         help="the metadata field whose values form the groups, e.g. la")
    compare.add_argument("--score", choices=SCORES, default="primary", help=SCORE_HELP)
    compare.add_argument("--groups", metavar="A,B...",
                         help="which groups, in which order (default: all, sorted); effects "
                              "are first minus second")
    compare.add_argument("--plot", type=Path, metavar="FILE.png|.svg",
                         help="draw mean per dimension per group with 95%% CI bars")
    compare.add_argument("--table", type=Path, metavar="FILE.md|.csv",
                         help="also write the paper table to a file")
    compare.add_argument("--json", action="store_true", help="print the result as JSON")
    compare.set_defaults(run=_run_compare)


def _export(commands) -> None:
    export = commands.add_parser(
        "export", help="write the study's data for SPSS, Stata, R, Excel or Python",
        description="Export the ratings with a data dictionary (FILE.dictionary.csv) beside "
                    "the file. Before unblinding, recordings appear by blind code with only "
                    "the fields raters could see; afterwards the hidden fields join. The score "
                    "analysed (--score) is written into every export.",
        epilog="Formats: csv-long (one row per recording x rater x dimension), csv-wide (one "
               "row per recording), csv-notes (raters' notes), xlsx (sheets ratings, "
               "recordings, notes, reliability, codebook, dictionary), sav (SPSS) and dta "
               "(Stata) with variable and value labels and declared missing values, parquet. "
               "Missing values: -9/-8 declared in SPSS, .a/.b in Stata, empty elsewhere.")
    export.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    export.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
    export.add_argument("--out", required=True, type=Path, metavar="FILE")
    export.add_argument("--score", choices=SCORES, default="primary", help=SCORE_HELP)
    export.add_argument("--layout", choices=("wide", "long"), default="wide",
                        help="rows of sav, dta and parquet: wide = one per recording "
                             "(default), long = one per recording x rater x dimension")
    export.add_argument("--excel", action="store_true",
                        help="CSV with a UTF-8 byte-order mark, so Excel on Windows shows 'ø' "
                             "and not 'Ã¸' (for Excel, the xlsx format is the safer choice)")
    export.add_argument("--stata-release", type=int, choices=(118, 119), default=118,
                        help="dta file release: 118 opens in Stata 14 and later (default), "
                             "119 in Stata 15 and later")
    export.add_argument("--json", action="store_true", help="print the result as JSON")
    export.set_defaults(run=_run_export)


# ---------------------------------------------------------------------------------------------

def _run_ratings_import(args) -> int:
    from rater.services.ratings_import import import_ratings

    result = import_ratings(args.study, args.csv)
    if args.json:
        print_json(result)
    else:
        print(f"Imported {result['ratings']} rating(s) ({result['new_assignments']} new "
              f"assignment(s), {len(result['new_raters'])} new rater(s)); "
              f"{result['unchanged']} already in the study, {result['missing']} empty.")
    return 0


def _run_consensus_list(args) -> int:
    from rater.services.analysis import consensus_list

    rows = consensus_list(args.study, args.threshold)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print(f"No double-coded recording differs by {args.threshold} or more.")
    for row in rows:
        agreed = row["consensus"]
        status = (f"consensus {agreed['score']} ({agreed['reason']})" if agreed
                  else "no consensus yet")
        print(f"{row['recording']}  {row['dimension']:<12} {row['primary']['rater']}: "
              f"{row['primary']['score']}  {row['second']['rater']}: {row['second']['score']}"
              f"  -> {status}")
    return 0


def _run_consensus_set(args) -> int:
    from rater.services.analysis import set_consensus

    result = set_consensus(args.study, args.recording, args.dimension, args.score, args.reason)
    if args.json:
        print_json(result)
    else:
        print(f"Consensus {result['dimension']} = {result['score']} for {result['recording']} "
              f"recorded by {result['by']}.")
    return 0


def _run_unblind(args) -> int:
    from rater.services.analysis import unblind_study

    result = unblind_study(args.study, args.reason)
    if args.json:
        print_json(result)
    elif result["already"]:
        print(f"Already unblinded on {result['at']} by {result['by']} ({result['reason']}).")
    else:
        print(f"Unblinded on {result['at']} by {result['by']}: {result['reason']}")
    if result.get("unsubmitted_assignments"):
        print(f"warning: {result['unsubmitted_assignments']} assignment(s) had no submitted "
              "rating when the study was unblinded", file=sys.stderr)
    return 0


def _run_compare(args) -> int:
    from rater.core.analysis import markdown_table
    from rater.services.analysis import compare
    from rater.services.export import write_table
    from rater.services.figures import plot_comparison

    groups = [g.strip() for g in args.groups.split(",") if g.strip()] if args.groups else None
    result = compare(args.study, args.by, args.score, groups)
    if args.plot:
        plot_comparison(result, args.plot)
    if args.table:
        write_table(result["table"], args.table)
    if args.json:
        print_json(result)
        return 0
    print(markdown_table(result["table"]))
    print(f"\nScore analysed: {result['score_method']}.")
    print(result["multiple_comparisons"])
    for entry in result["dimensions"].values():
        if entry["reliability"] and not entry["reliability"]["passed"]:
            print(f"Reliability of {entry['name']}: {entry['reliability']['summary']}")
    if result["recordings_without_group"]:
        print(f"{result['recordings_without_group']} recording(s) without a value for "
              f"{args.by} were left out.")
    return 0


def _run_export(args) -> int:
    from rater.services.export import export_study
    from rater.services.export_formats import ExportOptions

    result = export_study(args.study, args.fmt, args.out, args.score, args.layout,
                          ExportOptions(excel=args.excel, stata_release=args.stata_release))
    if args.json:
        print_json(result)
    else:
        rows = ", ".join(f"{name}: {t['rows']} rows" for name, t in result["tables"].items())
        print(f"Wrote {result['file']} ({rows}; score: {result['score']}; "
              f"{'unblinded' if result['unblinded'] else 'blind codes only'}) and "
              f"{result['dictionary']}.")
    return 0
