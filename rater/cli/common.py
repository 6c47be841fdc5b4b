"""What every command shares: the STUDY argument, JSON output, help for command groups,
a progress bar."""

from __future__ import annotations

import argparse
import json
import sys

STUDY_HELP = "a study file (.rater) or a PostgreSQL URL (postgresql+psycopg://user@host:port/db)"


def add_pack_audio_arg(parser: argparse.ArgumentParser, what: str) -> None:
    """--audio flac|opus[:KBPS], parsed by `core.pack_audio.parse_pack_audio` when run."""
    parser.add_argument(
        "--audio", default="flac", metavar="flac|opus[:KBPS]",
        help=f"audio of {what}: flac (default; lossless, as blinded) or "
             "opus, optionally with its bit rate per channel in kbit/s (default 32: speech "
             "stays clear at about 7 MB per 30-minute mono recording, against about 48 MB "
             "in FLAC at 24 kHz); every recording of a pack is encoded the same way")


def show_help(parser: argparse.ArgumentParser):
    """A command group given without a subcommand prints its help and exits 2 (usage)."""

    def run(_args) -> int:
        parser.print_help(sys.stderr)
        return 2

    return run


def print_json(document) -> None:
    """The document on stdout in one write (json.dump would make one write per token), compact:
    the C encoder, many times faster than the pure-Python one that indentation needs (a
    reliability report runs to hundreds of kilobytes; `| python -m json.tool` indents it)."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, allow_nan=False) + "\n")
    sys.stdout.flush()


def progress_bar():
    """A one-line progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, item: str) -> None:
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "." * (width - filled)
        sys.stderr.write(f"\r[{bar}] {done}/{total} {item[:40]:40}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show
