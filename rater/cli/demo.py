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
    parser.add_argument("--workshop", action="store_true",
                        help="build the demo workshop instead: the eight interviews as gold, "
                             "twelve simulated participants (one lenient, one severe, some "
                             "still rating); prints the workshop's path")
    parser.set_defaults(run=_run)


def _run(args) -> int:
    if args.workshop:
        from rater.services.workshop_demo import build_demo_workshop, default_demo_workshop_folder

        print(build_demo_workshop(args.dir or default_demo_workshop_folder()))
        return 0
    from rater.services.demo import build_demo, default_demo_folder

    demo = build_demo(args.dir or default_demo_folder())
    print(demo.study)
    return 0
