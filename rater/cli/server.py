"""`rater server …`: a study shared on a PostgreSQL server, with a login per person."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from rater.cli.common import add_pack_audio_arg, print_json, show_help
from rater.core.errors import Problem, RaterError

URL_HELP = ("the study's PostgreSQL URL, without a password (postgresql+psycopg://user@host:port/"
            "db); a host other than this machine needs ?sslmode=verify-full")


def add_commands(commands) -> None:
    server = commands.add_parser(
        "server", help="share a study on a PostgreSQL server",
        description="A study on a PostgreSQL server is rated online: each person logs in with "
                    "their own login, and the database itself keeps raters to their own work "
                    "(row-level security): no hidden field, original file, other rater's work "
                    "or study secret reaches a rater's login. Packs remain the offline way.")
    sub = server.add_subparsers(title="server commands", metavar="COMMAND")
    server.set_defaults(run=show_help(server))

    setup = sub.add_parser(
        "setup", help="make a database a shared study (run as the database's owner)",
        description="Create the study (when the database is empty), the group roles "
                    "<db>_researchers, <db>_trainers and <db>_raters, their grants and "
                    "row-level security. Run it as the database's owner, who needs CREATEROLE; "
                    "running it again brings everything up to date.")
    setup.add_argument("study", metavar="URL", help=URL_HELP)
    setup.add_argument("--codebook", type=Path, metavar="FILE.toml",
                       help="the codebook of a new study (default: the bundled one)")
    setup.add_argument("--json", action="store_true", help="print the result as JSON")
    setup.set_defaults(run=_run_setup)

    for kind, words in (("rater", "a rater's login: they see only their own work"),
                        ("researcher", "a researcher's login: everything, no edits of "
                                       "submitted ratings"),
                        ("trainer", "a trainer's login: the codebook, gold recordings and "
                                    "certification")):
        add = sub.add_parser(
            f"add-{kind}", help=f"create {words}",
            description=f"Create {words}, and print a one-time invitation: the URL (no "
                        "password in it) and a password shown only this once. Run again for "
                        "a person who lost theirs: the login gets a new password.")
        add.add_argument("study", metavar="URL", help=URL_HELP)
        add.add_argument(f"--{kind}", required=True, metavar="ID", dest="name",
                         help=f"the {kind}'s id" + (" (as allocated)" if kind == "rater" else ""))
        add.add_argument("--json", action="store_true", help="print the invitation as JSON")
        add.set_defaults(run=_run_add, kind=kind)

    upload = sub.add_parser(
        "upload-audio", help="put the blinded audio on the server, for raters online",
        description="Upload the blinded audio of every blind code in any rater's queue (a "
                    "re-test's code gets a copy of its own, as in packs), so raters' computers "
                    "fetch it from the server. Run it as a researcher (or the owner) on the "
                    "computer that holds the blinded copies, after allocating; run it again "
                    "after allocating more work, or to resume an interrupted upload: codes "
                    "already on the server are left as they are.")
    upload.add_argument("study", metavar="URL", help=URL_HELP)
    add_pack_audio_arg(upload, "the uploaded copies")
    upload.add_argument("--json", action="store_true", help="print the result as JSON")
    upload.set_defaults(run=_run_upload)

    login = sub.add_parser(
        "login", help="log in once with an invitation, on your own computer",
        description="Type the invitation's password (or pipe it in). Rater replaces it with a "
                    "new one that only this computer knows, kept in the system keyring (or, "
                    "without one, a password file only you can read); afterwards the URL "
                    "alone opens the study.")
    login.add_argument("study", metavar="URL", help="the URL of your invitation")
    login.set_defaults(run=_run_login)


def _run_setup(args) -> int:
    from rater.services.server import setup

    result = setup(args.study, args.codebook)
    if args.json:
        print_json(result)
        return 0
    made = "Created the study and set up" if result["created"] else "Set up"
    print(f"{made} {result['study']} for sharing; group roles: "
          f"{', '.join(result['roles'].values())}.")
    return 0


def _run_add(args) -> int:
    from rater.services import server

    result = getattr(server, f"add_{args.kind}")(args.study, args.name)
    if args.json:
        print_json({k: result[k] for k in ("login", "url", "password")})
    else:
        sys.stdout.write(result["invitation"])
    return 0


def _run_upload(args) -> int:
    from rater.core.pack_audio import parse_pack_audio
    from rater.services.server_audio import upload_audio

    result = upload_audio(args.study, parse_pack_audio(args.audio))
    if args.json:
        print_json(result)
    else:
        print(f"Uploaded the audio of {result['uploaded']} blind code(s) ({result['audio']}); "
              f"{result['already_there']} were on the server already.")
    return 0


def _run_login(args) -> int:
    from rater.services.server import log_in

    if sys.stdin.isatty():
        password = getpass.getpass("Invitation password: ")
    else:
        password = sys.stdin.readline().strip()
    if not password:
        raise RaterError(Problem("no password given", "stdin",
                                 "type the password of your invitation"))
    where = log_in(args.study, password)
    print(f"Logged in. Your password was replaced and is kept in {where}; the URL alone now "
          "opens the study.", file=sys.stderr)
    return 0
