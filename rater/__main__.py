"""`rater`: the app, or a headless command when the first argument names one.

    rater                      open the app (the last study, else the demo)
    rater STUDY|PACK           open the app on that file
    rater gui [STUDY|PACK]     the same, explicitly
    rater COMMAND ...          a headless command (see `rater --help`)
"""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path

NO_DISPLAY = ("rater: there is no display to open the app on (no DISPLAY or WAYLAND_DISPLAY). "
              "Run it on a desktop, or use a headless command: rater --help")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from rater.cli import command_names

    commands = command_names()
    if argv and (argv[0] in commands or argv[0] in ("-h", "--help", "--version")):
        from rater.cli import main as cli_main

        return cli_main(argv)
    if argv and argv[0] == "gui":
        argv = argv[1:]
    elif argv and _unknown_word(argv[0]):
        return _unknown_command(argv[0], commands)
    if not _has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    from rater.ui.app import run_app

    return run_app(argv)


def _unknown_word(word: str) -> bool:
    """Neither an option, a database URL nor a file or folder that exists: a mistyped
    command, most likely (opening the app on it would only say the file is missing)."""
    return not word.startswith("-") and "://" not in word and not Path(word).exists()


def _unknown_command(word: str, commands: set[str]) -> int:
    close = difflib.get_close_matches(word, sorted(commands), n=1)
    hint = f" Did you mean 'rater {close[0]}'?" if close else ""
    print(f"rater: unknown command '{word}', and no file of that name.{hint} "
          "'rater --help' lists the commands.", file=sys.stderr)
    return 2


def _has_display() -> bool:
    """Qt aborts the process without a display; say so in one line instead."""
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


if __name__ == "__main__":
    sys.exit(main())
