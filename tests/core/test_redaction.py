"""Known locations out of messages and log lines (issue 13, item 9): exact substrings, longest
first, whatever characters the folder names hold."""

from __future__ import annotations

from rater.core.redaction import known_forms, redact

STUDY = "/home/ana/Northwick vs Southby study"


def test_a_folder_with_spaces_is_replaced_whole():
    text = f"no waveform: {STUDY}/pilot-blinded/K7Q2.flac: cannot read"
    assert redact(text, [(STUDY, "the study's folder")]) == (
        "no waveform: the study's folder/pilot-blinded/K7Q2.flac: cannot read")


def test_longest_first_and_every_occurrence():
    known = [("/home/ana", "~"), (STUDY, "the study's folder"),
             (f"{STUDY}/pilot.rater", "the study")]
    text = f"{STUDY}/pilot.rater and {STUDY}/x.flac and /home/ana/notes and {STUDY}/pilot.rater"
    assert redact(text, known) == (
        "the study and the study's folder/x.flac and ~/notes and the study")


def test_unicode_and_trailing_slashes():
    folder = "/srv/Zoë — Gruppe Süd/"
    assert redact("/srv/Zoë — Gruppe Süd/a.flac and /srv/Zoë — Gruppe Süd",
                  [(folder, "F")]) == "F/a.flac and F"


def test_windows_like_separators():
    folder = r"C:\Users\Ana\Northwick vs Southby"
    assert redact(r"missing C:\Users\Ana\Northwick vs Southby\K7Q2.flac", [(folder, "F")]) == \
        r"missing F\K7Q2.flac"
    assert redact("missing C:/Users/Ana/Northwick vs Southby/K7Q2.flac", [(folder, "F")]) == \
        "missing F/K7Q2.flac"


def test_other_absolute_paths_keep_only_their_last_part():
    assert redact("cannot open /var/tmp/abc/K7Q2.flac now", []) == "cannot open K7Q2.flac now"


def test_forms_are_never_empty_or_the_root():
    assert known_forms("/") == set()
    assert known_forms("") == set()
    assert known_forms("/a/b/") == {"/a/b", "\\a\\b"}
