"""`rater certify …`: certification tests of raters against gold."""

from __future__ import annotations

from pathlib import Path

from rater.cli.common import STUDY_HELP, print_json, show_help


def add_commands(commands) -> None:
    parser = commands.add_parser(
        "certify", help="certify raters against gold before they rate a study",
        description="A certification test is a set of gold recordings nobody has rated, split "
                    "into one set per attempt (each attempt on different recordings). An "
                    "attempt passes when on every dimension at least the within-one share of "
                    "scores is within one point of gold AND ICC(A,1) against gold reaches the "
                    "ICC threshold (shown with its 95% CI). Attempts and results are kept.")
    sub = parser.add_subparsers(title="certify commands", metavar="COMMAND")
    parser.set_defaults(run=show_help(parser))

    define = sub.add_parser(
        "define", help="define a certification test",
        description="Define a test on gold recordings (codes or file names) that nobody has "
                    "rated; they are split in the order given, one set per attempt. A test "
                    "never changes: define a new one under another name.")
    define.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    define.add_argument("recordings", nargs="+", metavar="RECORDING")
    define.add_argument("--name", default="certification", help="the test's name")
    define.add_argument("--attempts", type=int, default=2,
                        help="attempts a rater gets, each on different recordings (default 2)")
    define.add_argument("--within-one", type=float, default=0.8, metavar="SHARE",
                        help="least share of scores within one point of gold (default 0.8)")
    define.add_argument("--icc", type=float, default=0.7,
                        help="least ICC(A,1) against gold (default 0.7)")
    define.add_argument("--dimension", action="append", default=[],
                        metavar="DIM=SHARE,ICC",
                        help="other thresholds for one dimension, e.g. empathy=0.7,0.6 "
                             "(repeatable)")
    define.add_argument("--json", action="store_true", help="print the test as JSON")
    define.set_defaults(run=_run_define)

    assign = sub.add_parser(
        "assign", help="give a rater their next attempt",
        description="Put the next attempt's recordings at the end of the rater's queue as gold "
                    "items (then export their pack as usual). Refused while an attempt is "
                    "unfinished, once certified, or with no attempts left.")
    assign.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    assign.add_argument("raters", nargs="+", metavar="RATER")
    assign.add_argument("--test", metavar="NAME", help="the test (default: the latest)")
    assign.add_argument("--json", action="store_true", help="print the result as JSON")
    assign.set_defaults(run=_run_assign)

    status = sub.add_parser(
        "status", help="who is certified, with every attempt's figures",
        description="Grades every finished attempt (once; results are kept), then lists each "
                    "rater's state (not started, in progress, certified, can retry, failed) "
                    "and per attempt and dimension the within-one share and ICC(A,1) with "
                    "its 95% CI.")
    status.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    status.add_argument("--test", metavar="NAME", help="the test (default: the latest)")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(run=_run_status)

    drift = sub.add_parser(
        "drift", help="each rater's agreement with gold over time (drift checks)",
        description="The share of scores within one point of gold over a rolling window of "
                    "each rater's gold inserts, in queue order; a rater is flagged when it "
                    "falls below the certification threshold. Certification items are left "
                    "out. Also in 'rater reliability' (JSON and --html).")
    drift.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    drift.add_argument("--window", type=int, default=5, help="gold items per window (5)")
    drift.add_argument("--json", action="store_true", help="print the series as JSON")
    drift.set_defaults(run=_run_drift)

    recal = sub.add_parser(
        "recalibrate", help="a recalibration pack of the gold items a rater missed",
        description="Make a one-participant workshop of the gold items the rater scored two or "
                    "more points off, with the gold shown after each rating, and its pack.")
    recal.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    recal.add_argument("rater", metavar="RATER")
    recal.add_argument("--out", type=Path, required=True, metavar="FOLDER")
    recal.add_argument("--json", action="store_true", help="print the result as JSON")
    recal.set_defaults(run=_run_recalibrate)


def _run_drift(args) -> int:
    from rater.services.drift import drift_report

    report = drift_report(args.study, args.window)
    if args.json:
        print_json(report)
        return 0
    print(f"Drift checks: within one of gold over {report['window']} gold items, threshold "
          f"{report['threshold']:.0%}.")
    for rater, entry in report["raters"].items():
        latest = "-" if entry["latest"] is None else f"{entry['latest']:.0%}"
        flag = (f" FLAGGED at {entry['flagged_at']['code']}; missed "
                f"{', '.join(entry['missed'])}" if entry["flagged"] else "")
        print(f"  {rater}: {len(entry['points'])} gold item(s), latest {latest}{flag}")
    return 0


def _run_recalibrate(args) -> int:
    from rater.services.recalibration import recalibration_pack

    result = recalibration_pack(args.study, args.rater, args.out)
    if args.json:
        print_json(result)
    else:
        print(f"Recalibration pack for {args.rater}: {result['pack']} "
              f"({len(result['recordings'])} recording(s); workshop {result['workshop']}).")
    return 0


def _thresholds(specs: list[str]) -> dict:
    from rater.core.certification import Thresholds
    from rater.core.errors import Problem, RaterError

    found = {}
    for spec in specs:
        try:
            dimension, values = spec.split("=", 1)
            within, icc = (float(v) for v in values.split(","))
        except ValueError:
            raise RaterError(Problem(f"cannot read '{spec}'", "--dimension",
                                     "write DIMENSION=SHARE,ICC, e.g. empathy=0.7,0.6")) from None
        found[dimension.strip()] = Thresholds(within, icc)
    return found


def _run_define(args) -> int:
    from rater.services.certification import define_test

    test = define_test(args.study, args.recordings, name=args.name, attempts=args.attempts,
                       within_one=args.within_one, icc=args.icc,
                       dimensions=_thresholds(args.dimension))
    if args.json:
        print_json(test)
        return 0
    print(f"Defined certification test '{test['name']}': {test['attempts']} attempt(s) of "
          f"{len(test['recordings'][0])} recording(s).")
    for dimension, t in test["thresholds"].items():
        which = "every dimension" if dimension == "*" else dimension
        print(f"  {which}: within one >= {t['within_one']:.0%}, ICC(A,1) >= {t['icc']}")
    return 0


def _run_assign(args) -> int:
    from rater.services.certification import start_attempt

    given = [start_attempt(args.study, rater, args.test) for rater in args.raters]
    if args.json:
        print_json(given)
        return 0
    for g in given:
        print(f"{g['rater']}: attempt {g['attempt']} of '{g['test']}', "
              f"{len(g['recordings'])} recording(s): {', '.join(g['recordings'])}")
    return 0


def _run_status(args) -> int:
    from rater.services.certification import certification_status

    status = certification_status(args.study, args.test)
    if args.json:
        print_json(status)
        return 0
    print(f"Certification test '{status['test']}' ({status['attempts_allowed']} attempt(s)):")
    for rater, entry in status["raters"].items():
        print(f"  {rater}: {entry['state'].replace('_', ' ')}")
        for attempt in entry["attempts"]:
            print(f"    attempt {attempt['number']}: " + _outcome(attempt))
    return 0


def _outcome(attempt: dict) -> str:
    if attempt["result"] is None:
        return "not finished"
    parts = []
    for d in attempt["result"]["dimensions"]:
        icc = "undefined" if d["icc"] is None else f"{d['icc']:.2f}"
        if d["icc_low"] is not None:
            icc += f" [{d['icc_low']:.2f}, {d['icc_high']:.2f}]"
        parts.append(f"{d['dimension']} {d['within_one']:.0%} within one, ICC {icc}"
                     + ("" if d["passed"] else " (below)"))
    return ("passed" if attempt["passed"] else "failed") + ": " + "; ".join(parts)
