"""Returns arrive in any order: an older state of a rater's work never overwrites a newer one,
across packs (issue 13, item 1)."""

from __future__ import annotations

import sqlite3

from test_packs import _rate, packs  # noqa: F401  (the fixture)

from rater.services import rating
from rater.services.blinding import set_blinding_check
from rater.services.packs import export_pack, import_packs, return_pack, unpack_for_rating


def _work(study: str, code: str) -> tuple[list[str], list[tuple], list[str]]:
    """Notes, listening spans and guesses of R1's item `code` in the researcher's study."""
    with sqlite3.connect(study) as db:
        where = "(SELECT id FROM assignment WHERE rater_id = 'R1' AND code = ?)"
        notes = [r[0] for r in db.execute(
            f"SELECT text FROM note WHERE assignment_id = {where} ORDER BY time_s", (code,))]
        spans = list(db.execute(f"SELECT start_s, end_s FROM listening_span "
                                f"WHERE assignment_id = {where} ORDER BY start_s", (code,)))
        guesses = [r[0] for r in db.execute(
            f"SELECT guess FROM guess WHERE assignment_id = {where}", (code,))]
    return notes, spans, guesses


def test_an_old_return_of_an_earlier_pack_never_wipes_the_newer_packs_work(packs):  # noqa: F811
    study, issued, _hidden, tmp_path = packs
    set_blinding_check(study, "la")
    export_pack(study, "R1", tmp_path / "R1-a.raterpack")
    pack_a = unpack_for_rating(tmp_path / "R1-a.raterpack", tmp_path / "ws-a")
    a_db = str(pack_a / "study.rater")
    code = rating.rater_queue(a_db)[0].code
    rating.add_note(a_db, code, 3.0, "A: first note")
    return_pack(pack_a, tmp_path / "a1.raterpack")
    [first] = import_packs(study, [tmp_path / "a1.raterpack"])
    assert first["status"] == "imported"

    # the rater goes on in pack A and makes a second return, which stays on their desk
    rating.add_note(a_db, code, 4.0, "A: later note")
    rating.record_guess(a_db, code, "Kestrelford")
    rating.save_listening(a_db, code, [(0.0, 1.0, 1.0)])
    return_pack(pack_a, tmp_path / "a2.raterpack")

    # the researcher issues pack B; the rater works in it; its return is imported
    export_pack(study, "R1", tmp_path / "R1-b.raterpack")
    pack_b = unpack_for_rating(tmp_path / "R1-b.raterpack", tmp_path / "ws-b")
    b_db = str(pack_b / "study.rater")
    rating.add_note(b_db, code, 9.0, "B: the newest note")
    rating.record_guess(b_db, code, "Brindlemoor")
    rating.save_listening(b_db, code, [(0.0, 2.5, 1.0)])
    _rate(pack_b, 1, submit=False)  # a draft, changed later than anything in pack A
    return_pack(pack_b, tmp_path / "b1.raterpack")
    [b] = import_packs(study, [tmp_path / "b1.raterpack"])
    assert b["status"] == "imported"
    newest = _work(study, code)
    assert newest == (["A: first note", "B: the newest note"], [(0.0, 2.5)], ["Brindlemoor"])
    drafts = rating.rater_queue(study, "R1")[0].scores

    # then the older return from pack A arrives: it changes nothing that B brought
    [a2] = import_packs(study, [tmp_path / "a2.raterpack"])
    assert _work(study, code) == newest
    assert rating.rater_queue(study, "R1")[0].scores == drafts
    assert a2["status"] == "imported" and a2["older"] == 1
