"""`rater demo`: build the demo study."""

from __future__ import annotations

from pathlib import Path


def add_commands(commands) -> None:
    parser = commands.add_parser(
        "demo", help="build the demo study and print its path",
        description="Build the demo study: 33 blinded recordings from two fictional local "
                    "authorities, rated by three demo raters (half double-coded), and a pack "
                    "of eight interviews for you to rate. Prints the study's path.")
    parser.add_argument("--dir", type=Path, metavar="DIR",
                        help="where to build it (default: the demo folder in your data folder)")
    parser.set_defaults(run=_run)


def _run(args) -> int:
    from rater.services.demo import build_demo, default_demo_folder

    demo = build_demo(args.dir or default_demo_folder())
    print(demo.study)
    return 0
