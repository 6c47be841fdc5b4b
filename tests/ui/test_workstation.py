"""The workstation driven by keyboard through a complete queue, with real audio through the
virtual sound device: listen, note, score, undo, submit (with the heard warning and the
blinding question), amend, return — and the researcher imports what came back."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from test_workstation_helpers import (
    build_study,
    make_window,
    modal,
    press,
    saved,
    type_text,
    wait_playable,
)

from rater.services import rating
from rater.services.packs import import_packs
from rater.ui.workstation.dialogs import AmendDialog, GuessDialog
from rater.ui.workstation.notes_panel import NoteField
from rater.ui.workstation.scoring import DimensionRow

K = Qt.Key
SHIFT, CTRL = Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def fresh(tmp_path):
    return build_study(tmp_path)




def back(qtbot, window) -> None:
    """The dialog closed: the window is active again and the scores have the keyboard."""
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None
                    and QApplication.activeWindow() is window
                    and isinstance(QApplication.focusWidget(), DimensionRow), timeout=5000)


def score_all(qtbot, window, digits) -> None:
    """Digits down the dimensions, as a rater does: digit, ↓, digit, ↓ ..."""
    window.work.scoring.select(0)
    for digit in digits:
        press(qtbot, window, getattr(K, f"Key_{digit}"))
        press(qtbot, window, K.Key_Down)


def test_a_complete_queue_by_keyboard(qtbot, fresh, tmp_path, monkeypatch):
    window = make_window(qtbot, str(fresh.pack))
    wait_playable(qtbot, window)
    codes = [e.code for e in window.work.queue.model.entries]
    first = codes[0]
    assert window.session.code == first and window.windowTitle() == f"R1 · {first} — Rater"
    assert isinstance(QApplication.focusWidget(), DimensionRow)

    # listen: Space plays; a note while it plays (Space in the note field is a space)
    press(qtbot, window, K.Key_Space)
    qtbot.waitUntil(lambda: window.adapter.position() > 0.6, timeout=5000)
    press(qtbot, window, K.Key_N)
    assert isinstance(QApplication.focusWidget(), NoteField)
    type_text(qtbot, "warm opening 1 2")
    assert window.adapter.playing, "typing a space in the note did not pause playback"
    press(qtbot, window, K.Key_Return)
    assert isinstance(QApplication.focusWidget(), DimensionRow)
    qtbot.waitUntil(lambda: len(window.session.notes) == 1, timeout=5000)
    note_time = window.session.notes[0][1]
    assert 0.5 < note_time < 3.0 and window.session.notes[0][2] == "warm opening 1 2"

    # faster to the end: ] four times is 2.0x; the whole recording is heard
    press(qtbot, window, K.Key_BracketRight, times=4)
    assert window.adapter.player.speed == 2.0
    with qtbot.waitSignal(window.adapter.ended, timeout=10000):
        pass
    window.listening.checkpoint()
    assert window.listening.heard_share() > 0.95
    assert window.work.player.heard.text() in ("Heard 99%", "Heard 100%")

    # seek by keys: ← 5 s back, Shift+→ 30 s forward (clamped to the end)
    duration = window.listening.duration
    before = window.adapter.position()  # at the end, give or take the last block
    press(qtbot, window, K.Key_Left)
    assert window.adapter.position() == pytest.approx(max(0.0, before - 5), abs=0.05)
    press(qtbot, window, K.Key_Right, SHIFT)
    assert window.adapter.position() == pytest.approx(duration, abs=0.05)

    # score: 4 then 2 on warmth, Ctrl+Z takes it back to 4; the rest by digit and ↓
    press(qtbot, window, K.Key_4)
    press(qtbot, window, K.Key_2)
    assert window.session.score("warmth") == 2
    press(qtbot, window, K.Key_Z, CTRL)
    assert window.session.score("warmth") == 4
    press(qtbot, window, K.Key_Tab)  # Tab also moves between dimensions
    assert window.work.scoring.dimension.id == "empathy"
    for digit in (K.Key_3, K.Key_Down, K.Key_5, K.Key_Down, K.Key_2):
        press(qtbot, window, digit)
    assert window.session.entry.scores == {"warmth": 4, "empathy": 3, "strengths": 5,
                                           "clarity": 2}

    # submit: heard enough, so straight to the blinding question; ↑ picks the last group
    press(qtbot, window, K.Key_Return, CTRL)
    guess = modal(qtbot, GuessDialog)
    press(qtbot, guess, K.Key_Up)
    picked = rating.guess_question(fresh.study)[1][-1]
    assert guess.guess() == picked
    press(qtbot, guess, K.Key_Return)
    back(qtbot, window)
    qtbot.waitUntil(lambda: window.session.code == codes[1], timeout=5000)
    assert window.work.queue.model.entries[0].submitted

    # the others: scored without listening: the heard warning, "Keep listening" first
    for code in codes[1:]:
        qtbot.waitUntil(lambda c=code: window.listening.code == c, timeout=5000)
        score_all(qtbot, window, (3, 3, 4, 2))
        press(qtbot, window, K.Key_Return, CTRL)
        warning = modal(qtbot, QMessageBox)
        assert "heard 0%" in warning.text()
        press(qtbot, warning, K.Key_K)  # Keep listening
        back(qtbot, window)
        assert not window.session.entry.submitted
        press(qtbot, window, K.Key_Return, CTRL)
        press(qtbot, modal(qtbot, QMessageBox), K.Key_S)  # Submit anyway
        press(qtbot, modal(qtbot, GuessDialog), K.Key_Escape)  # no answer
        back(qtbot, window)
    qtbot.waitUntil(lambda: window.work.banner.isVisible(), timeout=5000)
    assert "All 4 recordings are submitted" in window.work.banner.text()

    # amend: back to the first (PgUp × 3); a digit on a submitted rating asks for a reason
    window.work.queue.set_current(codes[-1])
    press(qtbot, window, K.Key_PageUp, times=len(codes) - 1)
    qtbot.waitUntil(lambda: window.session.code == first and saved(window), timeout=5000)
    window.work.scoring.select(0)
    press(qtbot, window, K.Key_5)
    amend = modal(qtbot, AmendDialog)
    press(qtbot, amend, K.Key_Return)
    assert amend.isVisible(), "no amendment without a reason"
    type_text(qtbot, "missed the warm close")
    press(qtbot, amend, K.Key_Return)
    back(qtbot, window)
    qtbot.waitUntil(lambda: window.session.score("warmth") == 5 and saved(window))

    # return: Ctrl+Shift+R writes the return pack
    out = tmp_path / "R1-return.raterpack"
    monkeypatch.setattr("rater.ui.workstation.window.ask_return_path", lambda *_a: out)
    press(qtbot, window, K.Key_R, CTRL | SHIFT)
    qtbot.waitUntil(lambda: out.is_file() and saved(window), timeout=10000)
    assert "R1-return.raterpack" in window.statusBar().currentMessage()
    window.close()

    # the researcher imports it: every score, the note, the amendment and the guess arrived
    [result] = import_packs(fresh.study, [out])
    assert result["status"] == "imported"
    queue = {e.code: e for e in rating.rater_queue(fresh.study, "R1")}
    assert all(e.submitted for e in queue.values())
    assert queue[first].scores == {"warmth": 5, "empathy": 3, "strengths": 5, "clarity": 2}
    assert [n[2] for n in rating.notes(fresh.study, first, "R1")] == ["warm opening 1 2"]
    with sqlite3.connect(fresh.study) as db:
        reasons = [r[0] for r in db.execute("SELECT reason FROM amendment")]
        guesses = [r[0] for r in db.execute("SELECT guess FROM guess")]
    assert reasons == ["missed the warm close"] and guesses == [picked]


def test_dialogs_keep_the_keys_and_text_fields_give_them_back(qtbot, fresh):
    window = make_window(qtbot, str(fresh.pack))
    press(qtbot, window, K.Key_N)
    type_text(qtbot, "3")
    assert window.session.score("warmth") is None, "a digit typed in a note is not a score"
    press(qtbot, window, K.Key_Escape)
    assert isinstance(QApplication.focusWidget(), DimensionRow)
    press(qtbot, window, K.Key_3)
    assert window.session.score("warmth") == 3
    press(qtbot, window, K.Key_F1)
    sheet = modal(qtbot, QDialog)
    keys = {sheet.table.item(r, 0).text() for r in range(sheet.table.rowCount())}
    assert {"Space", "Left", "Shift+Left", "[", "]", "N", "Ctrl+Z", "1–5"} <= keys
    assert any("Ctrl+Return" in k for k in keys) and any("F1" in k for k in keys)
    press(qtbot, sheet, K.Key_Escape)
    back(qtbot, window)
    press(qtbot, window, K.Key_Question, SHIFT)
    press(qtbot, modal(qtbot, QDialog), K.Key_Escape)
    back(qtbot, window)
    press(qtbot, window, K.Key_F2)
    rules = modal(qtbot, QDialog)
    assert "Rate the whole interview" in rules.view.toPlainText()
    press(qtbot, rules, K.Key_Escape)
    back(qtbot, window)
    window.close()


def test_f2_shows_the_scenario_brief_first_when_the_codebook_has_one(qtbot, tmp_path):
    """Issue 14, item 13: rule 1 says "read the scenario brief" and the app had none."""
    from rater.core.codebook import default_codebook_path
    from rater.core.codebook.brief import with_brief

    codebook = tmp_path / "with-brief.toml"
    codebook.write_text(with_brief(default_codebook_path().read_text(encoding="utf-8"),
                                   "# Hungry mornings\n\nKai (7) has come to school **hungry**."))
    built = build_study(tmp_path / "study", codebook=codebook)
    window = make_window(qtbot, str(built.pack))
    press(qtbot, window, K.Key_F2)
    dialog = modal(qtbot, QDialog)
    assert dialog.windowTitle() == "Scenario brief and rules"
    assert dialog.tabs.currentWidget() is dialog.brief
    assert dialog.brief.toPlainText().splitlines()[0] == "Hungry mornings"
    assert "Kai (7) has come to school hungry." in dialog.brief.toPlainText()
    assert "Rate the whole interview" in dialog.view.toPlainText()
    press(qtbot, dialog, K.Key_Escape)
    window.close()


def test_undo_of_a_first_score_leaves_it_not_scored(qtbot, fresh):
    window = make_window(qtbot, str(fresh.pack))
    code = window.session.code
    window.work.scoring.select(0)
    press(qtbot, window, K.Key_4)
    assert window.session.score("warmth") == 4
    press(qtbot, window, K.Key_Z, CTRL)
    assert window.session.score("warmth") is None
    assert window.work.scoring.rows[0].value.text() == "not scored"
    press(qtbot, window, K.Key_Z, CTRL | SHIFT)  # redo, and undo again
    assert window.session.score("warmth") == 4
    press(qtbot, window, K.Key_Z, CTRL)
    qtbot.waitUntil(lambda: saved(window), timeout=5000)
    window.close()

    again = make_window(qtbot, str(fresh.pack))
    assert again.session.code == code
    assert again.session.entry.scores == {}
    assert again.work.scoring.rows[0].value.text() == "not scored"
    again.close()
