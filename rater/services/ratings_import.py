"""User action: import existing ratings from a CSV (`rater ratings import`).

For teams moving a past study in, and for scripted tests. Same standard as the audio import:
every problem is listed with its line, and the ratings are stored all together or not at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rater.core.blind_codes import new_code
from rater.core.errors import Problem, RaterError
from rater.core.ratings_csv import parse_ratings_csv, plan_import
from rater.services.analysis import study_codebook
from rater.services.session import actor_name, open_store
from rater.storage.analysis import apply_import, import_state


def import_ratings(study: str, csv_path: Path) -> dict[str, Any]:
    """Check every row against the codebook and the study, then store them in one transaction.

    Imported ratings are submitted ratings, made by the raters named (created if new), in the
    role given or chosen (primary for a recording's first rater, second for the next).
    """
    try:
        content = csv_path.read_bytes()
    except OSError as exc:
        raise RaterError(Problem(f"cannot read the ratings file ({exc.strerror})", str(csv_path),
                                 "check the path of the CSV")) from None
    source = str(csv_path)
    with open_store(study) as store:
        state = import_state(store)  # refuses a rater's copy before reading the file
        codebook = study_codebook(store)
        rows, problems = parse_ratings_csv(content, source, [d.id for d in codebook.dimensions],
                                           codebook.scale.values)
        plan, conflicts = plan_import(rows, state, source, new_code)
        problems = sorted([*problems, *conflicts], key=_line)
        if problems:
            raise RaterError(problems)
        if plan.ratings:
            apply_import(store, plan, actor_name(), {"file": source})
    return {"ratings": len(plan.ratings), "unchanged": plan.unchanged, "missing": plan.missing,
            "new_raters": plan.raters, "new_assignments": len(plan.assignments),
            "new_blind_codes": len(plan.blind_codes)}


def _line(problem: Problem) -> int:
    return int(problem.where.rsplit(":", 1)[1])
