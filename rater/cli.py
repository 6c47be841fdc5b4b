"""Rater's headless commands (the contract is ../shared/CLI.md). Never imports Qt.

Exit status: 0 success; 1 bad input or a refused action (stderr says what, where and how to fix
it); 2 wrong usage. `--json` prints exactly one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rater.core.errors import RaterError

STUDY_HELP = "a study file (.rater) or a PostgreSQL URL (postgresql+psycopg://user@host:port/db)"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return args.run(args) or 0
    except RaterError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: nothing was changed by the unfinished step", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rater",
        description="Rate recorded interviews blind against a codebook, and check that raters "
                    "agree. Run 'rater' with no command to open the app.",
        epilog="Run 'rater COMMAND --help' for each command's options.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_study_commands(commands)
    return parser


def command_names() -> set[str]:
    """The top-level command words, so `rater` can tell a command from a file to open."""
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def _add_study_commands(commands) -> None:
    study = commands.add_parser(
        "study", help="create a study, import recordings, show what a study holds",
        description="Set up a study: create it, import recordings with their private "
                    "metadata, and see what it holds.")
    sub = study.add_subparsers(title="study commands", metavar="COMMAND")
    study.set_defaults(run=_show_help(study))

    init = sub.add_parser(
        "init", help="create a new, empty study",
        description="Create a new, empty study that rates with a codebook. The study keeps "
                    "the codebook's exact text; every rating points to it.")
    init.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    init.add_argument("--codebook", type=Path, metavar="FILE.toml",
                      help="the codebook to rate with (default: the bundled "
                           "simulated-interview codebook: warmth, empathy, strengths, clarity)")
    init.add_argument("--name", help="a name for the study (default: the file name)")
    init.add_argument("--json", action="store_true", help="print the result as JSON")
    init.set_defaults(run=_run_init)

    imp = sub.add_parser(
        "import", help="import recordings and their private metadata",
        description="Import the recordings listed in a metadata CSV. Every file is checked "
                    "(format, sample rate, channels, duration, SHA-256) before anything is "
                    "stored; if any file or line is wrong, nothing is imported and every "
                    "problem is listed. Files already in the study (same checksum) are skipped.",
        epilog="CSV format: UTF-8, comma-separated, a header row, a column 'file' with each "
               "path relative to --audio; every other column is metadata (e.g. la, worker, "
               "timepoint), hidden from raters unless --hidden names a subset.")
    imp.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    imp.add_argument("--audio", type=Path, required=True, metavar="DIR",
                     help="the folder holding the audio files")
    imp.add_argument("--metadata", type=Path, required=True, metavar="FILE.csv",
                     help="the metadata CSV (a 'file' column plus metadata columns)")
    imp.add_argument("--hidden", metavar="COL,COL...",
                     help="the metadata columns raters must not see (default: all of them)")
    imp.add_argument("--skip-bad", action="store_true",
                     help="import the good files and list the bad ones, instead of importing "
                          "nothing")
    imp.add_argument("--json", action="store_true", help="print the result as JSON")
    imp.set_defaults(run=_run_import)

    info = sub.add_parser(
        "info", help="show counts: recordings, raters, assignments, ratings",
        description="Show what a study holds: recordings, raters, assignments and ratings "
                    "by status.")
    info.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    info.add_argument("--json", action="store_true", help="print the counts as JSON")
    info.set_defaults(run=_run_info)


def _show_help(parser: argparse.ArgumentParser):
    """A command group given without a subcommand prints its help and exits 2 (usage)."""

    def run(_args) -> int:
        parser.print_help(sys.stderr)
        return 2

    return run


def _run_init(args) -> int:
    from rater.services.study import init_study

    result = init_study(args.study, args.codebook, args.name)
    if args.json:
        _print_json(result)
    else:
        print(f"Created study '{result['name']}' at {result['study']} with codebook "
              f"{result['codebook']} {result['codebook_version']} "
              f"({result['dimensions']} dimensions).")
    return 0


def _run_import(args) -> int:
    from rater.services.importing import import_recordings

    hidden = [c.strip() for c in args.hidden.split(",") if c.strip()] if args.hidden else None
    report = import_recordings(args.study, args.audio, args.metadata, hidden=hidden,
                               skip_bad=args.skip_bad, progress=_progress_bar())
    if args.json:
        _print_json(report.to_dict())
    else:
        print(f"Imported {len(report.added)} recording(s); "
              f"{len(report.already_present)} already in the study.")
    for problem in report.skipped:
        print(f"skipped: {problem}", file=sys.stderr)
    return 0


def _run_info(args) -> int:
    from rater.services.study import study_info

    info = study_info(args.study)
    if args.json:
        _print_json(info)
        return 0
    ratings = info["ratings"]
    hidden = [f["name"] for f in info["metadata_fields"] if f["hidden"]]
    print(f"Study:       {info['name']} ({info['study']})")
    print(f"Recordings:  {info['recordings']} ({info['hours']} h), {info['blinded']} blinded")
    print(f"Hidden:      {', '.join(hidden) or '(none yet)'}")
    print(f"Raters:      {info['raters']}")
    print(f"Assignments: {info['assignments']}")
    print(f"Ratings:     {ratings['submitted']} submitted, {ratings['draft']} draft")
    print(f"Criterion:   {info['criterion']}")
    return 0


def _print_json(document) -> None:
    json.dump(document, sys.stdout, indent=2, ensure_ascii=False, allow_nan=False)
    sys.stdout.write("\n")


def _progress_bar():
    """A one-line progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, item: str) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {item[:40]:40}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


if __name__ == "__main__":
    sys.exit(main())
