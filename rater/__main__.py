"""`rater`: the app, or a headless command when the first argument names one.

    rater                      open the app (the last study, else the demo)
    rater STUDY|PACK           open the app on that file
    rater gui [STUDY|PACK]     the same, explicitly
    rater COMMAND ...          a headless command (see `rater --help`)
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from rater.cli import command_names

    if argv and (argv[0] in command_names() or argv[0] in ("-h", "--help")):
        from rater.cli import main as cli_main

        return cli_main(argv)
    if argv and argv[0] == "gui":
        argv = argv[1:]
    from rater.ui.app import run_app

    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
