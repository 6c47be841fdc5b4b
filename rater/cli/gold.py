"""`rater gold …`: expert (gold) scores with rationales and evidence moments."""

from __future__ import annotations

from pathlib import Path

from rater.cli.common import STUDY_HELP, print_json, show_help


def add_commands(commands) -> None:
    parser = commands.add_parser(
        "gold", help="gold recordings: expert scores, rationales, evidence moments",
        description="Gold is what an expert (or several, with an agreed score) says a "
                    "recording deserves, why, and where in the recording it shows. Workshops "
                    "use it for feedback; a research study keeps it for drift checks and never "
                    "lets it leave the study.")
    sub = parser.add_subparsers(title="gold commands", metavar="COMMAND")
    parser.set_defaults(run=show_help(parser))

    imp = sub.add_parser(
        "import", help="import gold scores from a CSV",
        description="Import gold from a CSV with columns file,dimension,score and optionally "
                    "rationale, moment_s (seconds; several separated by ';' or on repeated "
                    "rows), moment_text and expert (empty: the agreed score; a name: that "
                    "expert's own score). Recordings are named by file name or code. All or "
                    "nothing; importing the same file again changes nothing.",
        epilog="Example: audio_samples/expert_ratings.csv")
    imp.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    imp.add_argument("csv", type=Path, metavar="FILE.csv")
    imp.add_argument("--json", action="store_true", help="print the result as JSON")
    imp.set_defaults(run=_run_import)

    show = sub.add_parser("show", help="list the gold scores",
                          description="Every agreed gold score with its rationale, evidence "
                                      "moments and the experts' own scores.")
    show.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    show.add_argument("--json", action="store_true", help="print the gold as JSON")
    show.set_defaults(run=_run_show)

    report = sub.add_parser(
        "report", help="how raters' work on gold items compares with gold",
        description="Every rater's scores on gold items against the gold scores: exact and "
                    "within-one shares, leniency or severity (mean signed difference with a 95% "
                    "t-interval) and accuracy, and the dimensions furthest from gold. In a "
                    "research study this is the drift check; these ratings never enter "
                    "reliability or the analysis.")
    report.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.set_defaults(run=_run_report)


def _run_import(args) -> int:
    from rater.services.gold import import_gold

    result = import_gold(args.study, args.csv)
    if args.json:
        print_json(result)
    else:
        print(f"Imported {result['scores']} gold score(s) for {result['recordings']} "
              f"recording(s) ({result['changed']} new or changed), {result['moments']} "
              "moment(s).")
    return 0


def _run_show(args) -> int:
    from rater.services.gold import gold_for

    gold = gold_for(args.study)
    if args.json:
        print_json([{"recording": g.recording, "dimension": g.dimension, "score": g.score,
                     "rationale": g.rationale,
                     "moments": [{"time_s": m.time_s, "text": m.text} for m in g.moments],
                     "experts": [{"expert": e, "score": s} for e, s in g.experts]}
                    for g in gold])
        return 0
    for g in gold:
        experts = "".join(f", {e} {s}" for e, s in g.experts)
        moments = ", ".join(f"{m.time_s:.1f} s" for m in g.moments)
        print(f"{g.recording} {g.dimension}: {g.score}{experts}"
              + (f" (moments {moments})" if moments else ""))
        if g.rationale:
            print(f"    {g.rationale}")
    return 0


def _run_report(args) -> int:
    from rater.cli.workshop import print_report
    from rater.services.workshop_handout import summary_document

    document = summary_document(args.study, any_study=True)
    if args.json:
        print_json(document)
    else:
        print_report(document)
    return 0
