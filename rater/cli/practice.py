"""`rater practice …`: students' recorded practice interviews in a workshop."""

from __future__ import annotations

from pathlib import Path

from rater.cli.common import STUDY_HELP, print_json, show_help


def add_commands(commands) -> None:
    parser = commands.add_parser(
        "practice", help="students' own recorded practice interviews in a workshop",
        description="A student's practice recording joins a workshop (whose it is stays hidden "
                    "metadata); the student, peers and the trainer rate it like any workshop "
                    "recording, then see the scores side by side.")
    sub = parser.add_subparsers(title="practice commands", metavar="COMMAND")
    parser.set_defaults(run=show_help(parser))

    add = sub.add_parser("add", help="add a student's practice recording",
                         description="Every participant gets it to rate. Peers rate it blind "
                                     "(code practice-NN) unless --open.")
    add.add_argument("workshop", metavar="WORKSHOP", help=STUDY_HELP)
    add.add_argument("recording", type=Path, metavar="FILE")
    add.add_argument("--student", required=True, help="the student's participant id, e.g. P01")
    add.add_argument("--open", action="store_true",
                     help="name the recording after the student (peers know whose it is)")
    add.add_argument("--json", action="store_true", help="print the result as JSON")
    add.set_defaults(run=_run_add)

    compare = sub.add_parser(
        "compare", help="self, peer and trainer scores side by side",
        description="Per practice recording and dimension the self, peer and trainer scores; "
                    "for the class ICC(A,1) (95% CI) and agreement of self and of peers with "
                    "the trainer.")
    compare.add_argument("workshop", metavar="WORKSHOP", help=STUDY_HELP)
    compare.add_argument("--trainer", required=True, help="the trainer's participant id")
    compare.add_argument("--json", action="store_true", help="print the comparison as JSON")
    compare.set_defaults(run=_run_compare)


def _run_add(args) -> int:
    from rater.services.practice import add_practice_recording

    code = add_practice_recording(args.workshop, args.recording, args.student,
                                  blind_peers=not args.open)
    if args.json:
        print_json({"code": code, "student": args.student, "blind_peers": not args.open})
    else:
        print(f"Added {args.recording.name} as {code} (student {args.student}).")
    return 0


def _run_compare(args) -> int:
    from rater.services.practice import practice_comparison

    report = practice_comparison(args.workshop, args.trainer)
    if args.json:
        print_json(report)
        return 0
    for code, entry in report["recordings"].items():
        print(f"{code} (student {entry['student']}):")
        for dimension, cell in entry["dimensions"].items():
            peers = ", ".join(map(str, cell["peers"])) or "-"
            print(f"  {dimension}: self {_v(cell['self'])}, peers {peers}, "
                  f"trainer {_v(cell['trainer'])}")
    for name, stats in report["class"].items():
        icc = stats["icc_a1"]
        value = "-" if icc["value"] is None else f"{icc['value']:.2f}"
        ci = f" [{icc['ci95'][0]:.2f}, {icc['ci95'][1]:.2f}]" if icc["ci95"] else ""
        within = stats["within_one"]["value"]
        print(f"{name.replace('_', ' ')}: n {stats['n']}, ICC(A,1) {value}{ci}, within one "
              + ("-" if within is None else f"{within:.0%}"))
    return 0


def _v(score: int | None) -> str:
    return "-" if score is None else str(score)
