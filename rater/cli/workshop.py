"""`rater workshop …`: run a frame-of-reference training workshop from the command line."""

from __future__ import annotations

import math
from pathlib import Path

from rater.cli.common import add_pack_audio_arg, print_json, show_help
from rater.core.workshop import FEEDBACK_MODES

WORKSHOP_HELP = "a workshop file (.rater) or a PostgreSQL URL"


def add_commands(commands) -> None:
    parser = commands.add_parser(
        "workshop", help="a training workshop: gold recordings, participants, feedback",
        description="A workshop holds gold recordings (expert scores with rationales and "
                    "evidence moments) and participants (P01, P02, … or named). Every "
                    "participant rates every gold recording, in their own order, then sees the "
                    "expert's scores and reasons. Run it with packs (one file per participant), "
                    "in turns on the trainer's machine, or in room mode (the trainer enters "
                    "everyone's scores).",
        epilog="Typical run: create, add --recordings, 'rater gold import', add --participants, "
               "export-packs, import, report --html.")
    sub = parser.add_subparsers(title="workshop commands", metavar="COMMAND")
    parser.set_defaults(run=show_help(parser))
    _create(sub)
    _add(sub)
    _info(sub)
    _set(sub)
    _export(sub)
    _import(sub)
    _room(sub)
    _report(sub)


def _workshop_arg(parser) -> None:
    parser.add_argument("workshop", metavar="WORKSHOP", help=WORKSHOP_HELP)


def _json_arg(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _create(sub) -> None:
    p = sub.add_parser("create", help="create a new workshop",
                       description="Create a new, empty workshop store.")
    _workshop_arg(p)
    p.add_argument("--codebook", type=Path, metavar="FILE.toml",
                   help="the codebook to rate with (default: the bundled one)")
    p.add_argument("--name", default="", help="the workshop's name (default: the file's name)")
    p.add_argument("--feedback", choices=FEEDBACK_MODES, default="after_each",
                   help="when participants see the expert's scores: after each recording "
                        "(default), after the whole set, or never (none)")
    p.add_argument("--seed", type=int, metavar="N",
                   help="orders each participant's recordings reproducibly (default: random, "
                        "kept in the workshop)")
    _json_arg(p)
    p.set_defaults(run=_run_create)


def _add(sub) -> None:
    p = sub.add_parser("add", help="add gold recordings and/or participants",
                       description="Add gold recordings (audio files; each is named by its "
                                   "file's stem) and participants. Every participant gets "
                                   "every gold recording, in their own seeded order.")
    _workshop_arg(p)
    p.add_argument("--recordings", nargs="+", type=Path, default=[], metavar="AUDIO",
                   help="audio files (or folders of them) to add as gold recordings")
    p.add_argument("--participants", nargs="+", default=[], metavar="NAME",
                   help="participants by name (ids P01, P02, … are given)")
    p.add_argument("--count", type=int, default=0, metavar="N",
                   help="add N participants known only by id (P01, P02, …)")
    _json_arg(p)
    p.set_defaults(run=_run_add, parser=p)


def _info(sub) -> None:
    p = sub.add_parser("info", help="the workshop's recordings, gold and participants",
                       description="Settings, gold recordings (how many gold scores and "
                                   "moments each has) and participants with their progress.")
    _workshop_arg(p)
    _json_arg(p)
    p.set_defaults(run=_run_info)


def _set(sub) -> None:
    p = sub.add_parser("set", help="change the feedback setting, or hide participants' names",
                       description="Change when participants see the expert's scores, or show "
                                   "participants as P01, P02, … instead of their names (in the "
                                   "dashboard, the report and the handout).")
    _workshop_arg(p)
    p.add_argument("--feedback", choices=FEEDBACK_MODES,
                   help="after_each recording, after_set (all submitted), or none")
    names = p.add_mutually_exclusive_group()
    names.add_argument("--hide-names", dest="anonymise", action="store_true", default=None,
                       help="show participants by id only")
    names.add_argument("--show-names", dest="anonymise", action="store_false",
                       help="show participants' names")
    p.set_defaults(run=_run_set, parser=p)


def _export(sub) -> None:
    p = sub.add_parser("export-packs", help="write one pack per participant",
                       description="Write DIR/P01.raterpack, DIR/P02.raterpack, …: every gold "
                                   "recording in the participant's own order, with the gold "
                                   "scores, rationales and moments inside so feedback works "
                                   "offline.")
    _workshop_arg(p)
    p.add_argument("--out", required=True, type=Path, metavar="DIR",
                   help="folder for the packs (made if missing)")
    p.add_argument("--seed", type=int, metavar="N",
                   help="orders recordings not yet given to a participant (default: the "
                        "workshop's own seed)")
    add_pack_audio_arg(p, "the packs")
    _json_arg(p)
    p.set_defaults(run=_run_export)


def _import(sub) -> None:
    p = sub.add_parser("import", help="import participants' returned packs",
                       description="Import returned packs; each is checked and imported whole "
                                   "or not at all. Importing a pack twice changes nothing.")
    _workshop_arg(p)
    p.add_argument("packs", nargs="+", type=Path, metavar="FILE.raterpack")
    _json_arg(p)
    p.set_defaults(run=_run_import)


def _room(sub) -> None:
    p = sub.add_parser("room", help="enter one participant's score (room mode)",
                       description="Room mode from the command line: commit one score a "
                                   "participant gave. Their rating is submitted once every "
                                   "dimension has a score; a later change is an amendment.")
    _workshop_arg(p)
    p.add_argument("participant", metavar="PARTICIPANT", help="the participant's id, e.g. P04")
    p.add_argument("recording", metavar="RECORDING", help="the recording's code")
    p.add_argument("dimension", metavar="DIMENSION", help="the codebook dimension")
    p.add_argument("score", type=int, metavar="SCORE")
    p.set_defaults(run=_run_room)


def _report(sub) -> None:
    p = sub.add_parser("report", help="how the group compares with gold; the HTML handout",
                       description="Each participant's agreement with gold (exact, within one), "
                                   "leniency or severity (mean signed difference with a 95% "
                                   "t-interval) and accuracy; each dimension's agreement, the "
                                   "hardest first. --html writes the handout: a self-contained "
                                   "page that prints well to PDF.")
    _workshop_arg(p)
    p.add_argument("--html", type=Path, metavar="FILE", help="write the handout here")
    _json_arg(p)
    p.set_defaults(run=_run_report)


# -- running --------------------------------------------------------------------------------------

def _run_create(args) -> int:
    from rater.services.workshops import create_workshop

    result = create_workshop(args.workshop, args.codebook, args.name, args.feedback,
                             args.seed)
    if args.json:
        print_json(result)
    else:
        print(f"Created workshop '{result['name']}' in {result['study']} "
              f"(feedback: {result['feedback']}).")
    return 0


def _run_add(args) -> int:
    from rater.services.workshops import add_gold_recordings, add_participants

    if not (args.recordings or args.participants or args.count):
        args.parser.error("give --recordings, --participants or --count")
    result: dict = {}
    if args.recordings:
        result["recordings"] = add_gold_recordings(args.workshop, args.recordings)
    ids = []
    if args.participants:
        ids += add_participants(args.workshop, args.participants)
    if args.count:
        ids += add_participants(args.workshop, args.count)
    result["participants"] = ids
    if args.json:
        print_json(result)
        return 0
    if "recordings" in result:
        added = result["recordings"]
        print(f"Added {len(added['added'])} gold recording(s): {', '.join(added['added'])}"
              + (f"; {len(added['already_present'])} already present"
                 if added["already_present"] else ""))
    if ids:
        print(f"Added {len(ids)} participant(s): {', '.join(ids)}")
    return 0


def _run_info(args) -> int:
    from rater.services.workshops import workshop_info

    info = workshop_info(args.workshop)
    if args.json:
        print_json(info)
        return 0
    print(f"Workshop '{info['name']}' ({info['workshop']}), feedback {info['feedback']}")
    print(f"{len(info['recordings'])} gold recording(s):")
    for r in info["recordings"]:
        print(f"  {r['code']}: {r['gold_scores']}/{len(info['dimensions'])} gold score(s), "
              f"{r['moments']} moment(s)")
    print(f"{len(info['participants'])} participant(s):")
    for p in info["participants"]:
        name = f" {p['name']}" if p["name"] else ""
        print(f"  {p['id']}{name}: {p['submitted']}/{p['of']} recording(s) done, "
              f"{p['scores']} score(s)")
    return 0


def _run_set(args) -> int:
    from rater.services.workshops import set_workshop_options

    if args.feedback is None and args.anonymise is None:
        args.parser.error("give --feedback, --hide-names or --show-names")
    set_workshop_options(args.workshop, args.feedback, args.anonymise)
    changed = [f"feedback {args.feedback}"] if args.feedback else []
    if args.anonymise is not None:
        changed.append("names hidden" if args.anonymise else "names shown")
    print(f"Workshop {args.workshop}: {', '.join(changed)}.")
    return 0


def _run_export(args) -> int:
    from rater.core.pack_audio import parse_pack_audio
    from rater.services.workshops import export_participant_packs

    results = export_participant_packs(args.workshop, args.out, args.seed,
                                       parse_pack_audio(args.audio))
    if args.json:
        print_json(results)
    else:
        for r in results:
            print(f"Wrote {r['pack']}: {r['items']} recording(s) for {r['rater']}"
                  + (f" ({r['name']})" if r["name"] else ""))
    return 0


def _run_import(args) -> int:
    from rater.cli.packs import report_imports
    from rater.services.workshops import import_returns

    return report_imports(import_returns(args.workshop, args.packs), args.json, unit="score")


def _run_room(args) -> int:
    from rater.services.workshops import enter_room_score

    state = enter_room_score(args.workshop, args.participant, args.recording, args.dimension,
                             args.score)
    print(f"{args.participant} {args.recording} {args.dimension} = {args.score} ({state})")
    return 0


def _run_report(args) -> int:
    from rater.services.workshop_handout import summary_document, write_handout

    if args.html:
        write_handout(args.workshop, args.html)
    document = summary_document(args.workshop)
    if args.json:
        print_json(document)
        return 0
    print_report(document)
    if args.html:
        print(f"Wrote the handout to {args.html}")
    return 0


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:+.{digits}f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def print_report(doc: dict) -> None:
    print(f"Overall: {_share(doc['exact'])} exact, {_share(doc['within_one'])} within one "
          f"({doc['scores']} score(s) compared with gold)")
    print("Participant          n  exact  within1  mean diff [95% CI]       mean |diff|")
    for p in doc["participants"]:
        ci = f"[{_number(p['ci_low'])}, {_number(p['ci_high'])}]"
        flag = f"  {p['flag']}" if p["flag"] else ""
        print(f"{p['name'][:18]:18} {p['n']:3}  {_share(p['exact']):>5}  "
              f"{_share(p['within_one']):>7}  {_number(p['mean_signed']):>6} {ci:17} "
              f"{p['mean_abs']:.2f}{flag}" if p["n"] else f"{p['name'][:18]:18}   0")
    print("Dimensions, hardest first:")
    for d in doc["hardest"]:
        print(f"  {d['name']}: {_share(d['exact'])} exact, {_share(d['within_one'])} within "
              f"one, mean |diff| {d['mean_abs']:.2f}, mean diff {_number(d['mean_signed'])}")
