"""`rater study …`: create a study, import, blind, audit, allocate, describe."""

from __future__ import annotations

import sys
from pathlib import Path

from rater.cli.common import (
    STUDY_HELP,
    add_pack_audio_arg,
    print_json,
    progress_bar,
    show_help,
)
from rater.cli.study_verify import add_verify


def add_commands(commands) -> None:
    study = commands.add_parser(
        "study", help="create a study, import recordings, show what a study holds",
        description="Set up a study: create it, import recordings with their private "
                    "metadata, and see what it holds.")
    sub = study.add_subparsers(title="study commands", metavar="COMMAND")
    study.set_defaults(run=show_help(study))

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

    blind = sub.add_parser(
        "blind", help="give recordings opaque codes and make the raters' audio copies",
        description="Give every recording an opaque code and make the raters' copy of its "
                    "audio: one format (FLAC), sample rate and channel count, no tags, loudness "
                    "evened out, and the ranges in --redactions replaced by a tone or silence. "
                    "Originals are never changed. Running it again keeps the codes and re-makes "
                    "only copies whose original, redactions or settings changed.",
        epilog="Redactions CSV: recording,start,end,reason[,mode] where recording is the file "
               "name as imported (or the blind code), times are seconds or m:ss, and mode is "
               "'tone' (default) or 'silence'.")
    blind.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    blind.add_argument("--redactions", type=Path, metavar="FILE.csv",
                       help="time ranges that name people or places")
    blind.add_argument("--out", type=Path, metavar="DIR",
                       help="folder for the copies (default: STUDY-blinded beside a study file)")
    blind.add_argument("--sample-rate", type=int, default=24000, metavar="HZ",
                       help="sample rate of every copy (default 24000)")
    blind.add_argument("--channels", type=int, default=1, choices=(1, 2),
                       help="channels of every copy (default 1)")
    blind.add_argument("--loudness", type=float, default=-23.0, metavar="LUFS",
                       help="integrated loudness of every copy (default -23, EBU R128)")
    blind.add_argument("--no-normalise", action="store_true",
                       help="keep each recording's own loudness")
    blind.add_argument("--json", action="store_true", help="print the result as JSON")
    blind.set_defaults(run=_run_blind)

    check = sub.add_parser(
        "blinding-check", help="ask raters which group they think each recording came from",
        description="Turn on the blinding check: after each submitted rating, the rater is "
                    "asked which group of FIELD (e.g. which local authority) the recording came "
                    "from, or 'don't know'. The reliability report then gives James' and Bang's "
                    "blinding indices. The group labels are shown to raters for this question "
                    "only.")
    check.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    check.add_argument("--field", metavar="FIELD", help="the hidden field to ask about")
    check.add_argument("--off", action="store_true", help="stop asking")
    check.set_defaults(run=_run_blinding_check)

    leaks = sub.add_parser(
        "audit-leaks", help="check that nothing perceivable predicts a hidden field",
        description="After blinding, check whether anything a rater can perceive about the "
                    "raters' copies (duration, file size, format, sample rate, channels, "
                    "loudness, peak level, leading silence) still predicts a hidden field: a "
                    "test per property and a cross-validated classifier against chance. The "
                    "originals are audited too, to show what blinding evened out.",
        epilog="Exit status 0 whatever the verdict; read 'verdict' (or the last line).")
    leaks.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    leaks.add_argument("--by", required=True, metavar="FIELD",
                       help="the hidden field to test against, e.g. la")
    add_pack_audio_arg(leaks, "the packs you will send, audited as raters receive it")
    leaks.add_argument("--json", action="store_true", help="print the report as JSON")
    leaks.set_defaults(run=_run_audit_leaks)

    alloc = sub.add_parser(
        "allocate", help="decide who rates what, in which order",
        description="Give every recording a primary rater (balanced load); give a share a "
                    "second rater, stratified by a hidden field so each group is double-coded "
                    "in proportion; optionally re-test a share with the same rater later in "
                    "the queue (under a new code). Each rater's order is random but seeded, and "
                    "interleaves the groups. Running it again after adding recordings or raters "
                    "extends the allocation without changing existing work.",
        epilog="The report shows the counts per rater and group, the rater pairs, and the 95% "
               "CI width the planned double-coding gives for Pearson r and ICC.")
    alloc.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    alloc.add_argument("--raters", required=True, metavar="ID,ID...",
                       help="the raters' ids, e.g. R1,R2,R3 (keep everyone who already has work)")
    alloc.add_argument("--double", type=float, default=0.5, metavar="SHARE",
                       help="share of recordings rated by a second rater (default 0.5)")
    alloc.add_argument("--retest", type=float, default=0.0, metavar="SHARE",
                       help="share of recordings re-rated by the same rater later (default 0)")
    alloc.add_argument("--stratify", metavar="FIELD",
                       help="a metadata field (e.g. la) whose groups are double-coded in "
                            "proportion and interleaved in every queue")
    alloc.add_argument("--seed", type=int, help="seed for a reproducible allocation "
                                                "(default: random, printed in the report)")
    alloc.add_argument("--require-certified", action="store_true",
                       help="refuse raters not certified by the latest 'rater certify' test")
    alloc.add_argument("--gold-rate", type=float, metavar="SHARE",
                       help="drift checks: slip this share of gold recordings (e.g. 0.1, one in "
                            "ten) blind into each certified rater's new work (default: every "
                            "gold recording to every rater)")
    alloc.add_argument("--json", action="store_true", help="print the report as JSON")
    alloc.set_defaults(run=_run_allocate)

    add_verify(sub)

def _run_init(args) -> int:
    from rater.services.study import init_study

    result = init_study(args.study, args.codebook, args.name)
    if args.json:
        print_json(result)
    else:
        print(f"Created study '{result['name']}' at {result['study']} with codebook "
              f"{result['codebook']} {result['codebook_version']} "
              f"({result['dimensions']} dimensions).")
    return 0


def _run_import(args) -> int:
    from rater.services.importing import import_recordings

    hidden = [c.strip() for c in args.hidden.split(",") if c.strip()] if args.hidden else None
    report = import_recordings(args.study, args.audio, args.metadata, hidden=hidden,
                               skip_bad=args.skip_bad, progress=progress_bar())
    if args.json:
        print_json(report.to_dict())
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
        print_json(info)
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


def _run_blind(args) -> int:
    from rater.services.blinding import blind_study

    report = blind_study(args.study, redactions_csv=args.redactions, out=args.out,
                         sample_rate=args.sample_rate, channels=args.channels,
                         lufs=None if args.no_normalise else args.loudness,
                         progress=progress_bar())
    if args.json:
        print_json(report.to_dict())
    else:
        print(f"Blinded: {report.codes_added} new code(s); {len(report.made)} copies made, "
              f"{len(report.unchanged)} unchanged, in {report.folder}")
    return 0


def _run_blinding_check(args) -> int:
    from rater.services.blinding import set_blinding_check

    if args.off == bool(args.field):
        print("error: give --field FIELD, or --off", file=sys.stderr)
        return 2
    labels = set_blinding_check(args.study, None if args.off else args.field)
    print(f"Raters will be asked: {' / '.join(labels)} / don't know." if labels
          else "Raters will not be asked for guesses.")
    return 0


def _run_audit_leaks(args) -> int:
    from rater.core.pack_audio import parse_pack_audio
    from rater.services.leak_audit import audit_leaks

    report = audit_leaks(args.study, args.by, audio=parse_pack_audio(args.audio))
    if args.json:
        print_json(report)
        return 0
    for title, key in (("Raters' copies", "raters_copies"), ("Originals", "originals")):
        section = report[key]
        copies = f", audio {report['audio']}" if key == "raters_copies" else ""
        print(f"{title} ({report['recordings']} recordings, by {report['by']}{copies}):")
        for prop in section["properties"]:
            p = "—" if prop["p_adjusted"] is None else f"p = {prop['p_adjusted']:.3f}"
            flag = "LEAKS" if prop["leaks"] else "ok"
            print(f"  {prop['property']:<18} {flag:<6} {p:<10} {prop.get('note', '')}")
        clf = section["classifier"]
        if clf["accuracy"] is not None:
            print(f"  classifier: {clf['accuracy']:.0%} correct vs {clf['chance']:.0%} by "
                  f"chance (p = {clf['p']:.3f})")
        print(f"  verdict: {section['verdict']}")
        for advice in section["fix"]:
            print(f"  fix: {advice}")
    return 0


def _run_allocate(args) -> int:
    from rater.core.precision import describe_plan
    from rater.services.allocating import allocate_study

    raters = [r.strip() for r in args.raters.split(",") if r.strip()]
    report = allocate_study(args.study, raters, double=args.double, retest=args.retest,
                            stratify=args.stratify, seed=args.seed,
                            require_certified=args.require_certified, gold_rate=args.gold_rate)
    if args.json:
        print_json(report)
        return 0
    print(f"Allocated {report['recordings']} recordings (seed {report['seed']}); "
          f"{report['double_coded']} double-coded.")
    for rater, counts in report["raters"].items():
        parts = ", ".join(f"{k.removeprefix('group:') or 'all'}: {v}" if k.startswith("group:")
                          else f"{k} {v}" for k, v in counts.items())
        state = report["certification"].get(rater, "no_test")
        shown = "" if state == "no_test" else f" [{state.replace('_', ' ')}]"
        print(f"  {rater}{shown}: {parts}")
    for pair, count in report["pairs"].items():
        print(f"  pair {pair}: {count}")
    for plan in report["precision"]:
        print(f"  {describe_plan(plan)}")
    return 0
