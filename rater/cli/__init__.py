"""Rater's headless commands (the contract is ../shared/CLI.md). Never imports Qt.

Exit status: 0 success; 1 bad input or a refused action (stderr says what, where and how to fix
it); 2 wrong usage. `--json` prints exactly one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import os
import sys

from rater import __version__
from rater.cli import (
    analysis,
    certify,
    demo,
    gold,
    packs,
    practice,
    reliability,
    server,
    study,
    workshop,
)
from rater.core.errors import RaterError


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
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
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
    parser.add_argument("--version", action="version", version=f"rater {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for group in (study, packs, server, reliability, analysis, gold, certify, workshop,
                  practice, demo):
        group.add_commands(commands)
    return parser


def command_names() -> set[str]:
    """The top-level command words, so `rater` can tell a command from a file to open."""
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


