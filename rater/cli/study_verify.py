"""`rater study verify`: report edits made to a study outside Rater."""

from __future__ import annotations

from rater.cli.common import STUDY_HELP, print_json


def add_verify(sub) -> None:
    verify = sub.add_parser(
        "verify", help="check that nothing changed the study behind Rater's back",
        description="Check the study for edits made outside Rater: the file's integrity, every "
                    "foreign-key and scale rule, the guard triggers, the audit trail's hash "
                    "chain, records missing from the audit trail, and the pack log. Exits 1 "
                    "and lists every problem found.",
        epilog="Write down the chain head it prints (in an ethics log or an e-mail): if the "
               "audit trail is ever rewritten, its head no longer matches.")
    verify.add_argument("study", metavar="STUDY", help=STUDY_HELP)
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.set_defaults(run=_run_verify)


def _run_verify(args) -> int:
    from rater.services.verify import verify_study

    result = verify_study(args.study)
    if args.json:
        print_json(result)
    elif result["ok"]:
        print(f"verified: {', '.join(result['checks'])}; {result['events']} audit event(s), "
              f"chain head {result['chain_head']}")
    else:
        print(f"{len(result['problems'])} problem(s) found in {args.study}:")
        for problem in result["problems"]:
            print(f"  - {problem}")
        print("The study was changed outside Rater. Restore it from a backup, or keep this "
              "list with the study's records.")
    return 0 if result["ok"] else 1
