"""`rater pack …`: hand work to raters as files and take their ratings back."""

from __future__ import annotations

import sys
from pathlib import Path

from rater.cli.common import STUDY_HELP, add_pack_audio_arg, print_json, show_help


def add_commands(commands) -> None:
    pack = commands.add_parser(
        "pack", help="hand work to raters as files, and take their ratings back",
        description="A rater pack is one file per rater: their blinded audio, the codebook, "
                    "their queue and any work done so far, and nothing hidden. Raters open it "
                    "in Rater, rate, and send back a return pack, which is verified (signed for "
                    "this study and rater) before anything is imported.")
    sub = pack.add_subparsers(title="pack commands", metavar="COMMAND")
    pack.set_defaults(run=show_help(pack))

    export = sub.add_parser("export", help="write one rater's pack",
                            description="Write one rater's pack from a blinded, allocated study.")
    export.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    export.add_argument("--rater", required=True, metavar="ID", help="whose pack to write")
    export.add_argument("--out", required=True, type=Path, metavar="FILE.raterpack",
                        help="where to write the pack: a file name in an existing folder "
                             "(a missing folder is an error, not created, so a mistyped path "
                             "is never written to); an existing pack file there is replaced")
    add_pack_audio_arg(export, "the pack")
    export.add_argument("--json", action="store_true", help="print the result as JSON")
    export.set_defaults(run=_run_pack_export)

    imp = sub.add_parser(
        "import", help="import returned packs",
        description="Import packs that raters returned. Each is checked (this study, the rater "
                    "it was issued to, unaltered, newer than what was already imported) and "
                    "imported whole or not at all, on its own: a refused pack does not stop the "
                    "others, and each pack's outcome is listed (exit status 1 if any was "
                    "refused). Importing the same pack twice changes nothing; a return sent "
                    "midway (partial work) is fine; an older return never overwrites the "
                    "rater's newer work from another pack.")
    imp.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    imp.add_argument("packs", nargs="+", type=Path, metavar="FILE.raterpack")
    imp.add_argument("--json", action="store_true", help="print the results as JSON")
    imp.set_defaults(run=_run_pack_import)


def _run_pack_export(args) -> int:
    from rater.core.pack_audio import parse_pack_audio
    from rater.services.packs import export_pack

    result = export_pack(args.study, args.rater, args.out, parse_pack_audio(args.audio))
    if args.json:
        print_json(result)
    else:
        print(f"Wrote {result['pack']}: {result['items']} item(s) for rater {result['rater']} "
              f"({result['size_bytes'] / 1e6:.1f} MB, audio {result['audio']}).")
    return 0


def _run_pack_import(args) -> int:
    """Each pack on its own: its outcome on stdout (refusals on stderr), exit 1 if any was
    refused; the packs imported before or after a refused one stay imported."""
    from rater.services.packs import import_packs

    return report_imports(import_packs(args.study, args.packs), args.json)


def report_imports(results: list[dict], as_json: bool, unit: str = "rating") -> int:
    """Print each pack's outcome (refusals on stderr); 1 if any pack was refused."""
    refused = [r for r in results if r["status"] == "refused"]
    if as_json:
        print_json(results)
    for result in results:
        if result["status"] == "refused":
            print(f"error: {result['problem']}", file=sys.stderr)
        elif not as_json:
            print(f"{result['pack']} (rater {result['rater']}): {_outcome(result, unit)}")
    if refused and len(results) > 1:
        print(f"{len(refused)} of {len(results)} pack(s) refused (nothing of those was "
              "imported); the outcome of each pack is listed above", file=sys.stderr)
    return 1 if refused else 0


def _outcome(result: dict, unit: str) -> str:
    if result["status"] != "imported":
        return result["status"]
    text = f"imported: {result['ratings']} {unit}(s), {result['notes']} note(s)"
    if result.get("older"):
        text += (f"; {result['older']} item(s) kept as a newer return left them (this return "
                 "was made earlier)")
    return text
