"""Two multi-step flows of the workstation, kept out of the window:

- notes: start one at the playhead, keep its draft safe while it is typed, save it, delete one;
- submitting: every dimension scored, enough heard (or a confirmed warning), the submission,
  the blinding question, then the next recording; and amending a submitted score.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QMessageBox

from rater.ui.workstation import dialogs
from rater.ui.workstation.drafts import drafts_file, read_drafts, write_drafts

if TYPE_CHECKING:
    from rater.ui.workstation.window import WorkstationWindow

HEARD_SETTING = "rating/heard_threshold"
DEFAULT_HEARD = 0.9


class NoteFlow:
    def __init__(self, window: WorkstationWindow):
        self.window = window
        self.panel = window.work.notes
        self.drafts: dict[str, dict] = {}
        self.path = None
        session = window.session
        self.panel.draft_changed.connect(self.stash)
        self.panel.save_requested.connect(self._save)
        self.panel.left.connect(window.work.scoring.focus_current)
        self.panel.jump_requested.connect(window.seek)
        self.panel.delete_requested.connect(self._confirm_delete)
        session.notes_changed.connect(self._show_notes)

    def load_drafts(self) -> None:
        session = self.window.session
        self.path = drafts_file(session.study, session.workspace.rater)
        path = self.path
        session.writes.submit(lambda: read_drafts(path), self._on_drafts)

    def _on_drafts(self, drafts: dict[str, dict]) -> None:
        self.drafts = drafts
        code = self.window.session.code
        if code in drafts and not self.panel.field.text():
            self._restore(code)

    def start(self, tagged: bool) -> None:
        if self.window.session.entry is None:
            return
        dimension = self.window.work.scoring.dimension if tagged else None
        self.panel.start(self.window.listening.position(), dimension.id if dimension else None)

    def stash(self) -> None:
        """Keep the draft of the open recording on disk (or forget it once it is empty)."""
        code = self.window.session.code
        if code is None or self.path is None:
            return
        draft = self.panel.draft()
        if draft == self.drafts.get(code):
            return
        if draft is None:
            self.drafts.pop(code, None)
        else:
            self.drafts[code] = draft
        self._write()

    def _write(self) -> None:
        path, drafts = self.path, dict(self.drafts)
        self.window.writes.submit(lambda: write_drafts(path, drafts))

    def show(self, notes: list) -> None:
        """A recording was opened: its notes, and its draft if one was left."""
        self._show_notes(notes)
        self._restore(self.window.session.code)

    def _restore(self, code: str) -> None:
        draft = self.drafts.get(code)
        saved = {(round(t, 2), text) for _id, t, text, _dim in self.window.session.notes}
        if draft and (round(draft["time_s"], 2), draft["text"].strip()) in saved:
            draft = None  # saved as a note just before a crash: not a draft any more
        self.panel.restore(draft)

    def _show_notes(self, notes: list) -> None:
        self.panel.show_notes(notes)
        self.window.work.player.waveform.set_notes([(t, text) for _id, t, text, _d in notes])

    def _save(self, time_s: float, text: str, dimension: str | None) -> None:
        code = self.window.session.code
        self.window.session.add_note(code, time_s, text, dimension,
                                     then=lambda: self._forget(code))
        self.panel.restore(None)
        self.window.work.scoring.focus_current()
        self.window.say("Note saved.")

    def _forget(self, code: str) -> None:
        if self.drafts.pop(code, None) is not None:
            self._write()

    def _confirm_delete(self, note_id: int) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, "Delete note", "Delete this note?",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          self.window)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.accepted.connect(lambda: self.window.session.delete_note(note_id))
        self.window.open_dialog(box)


class SubmitFlow:
    def __init__(self, window: WorkstationWindow):
        self.window = window
        self.dialog: QDialog | None = None
        window.session.submitted.connect(self._on_submitted)

    @property
    def heard_needed(self) -> float:
        return self.window.settings.value(HEARD_SETTING, DEFAULT_HEARD, float)

    def submit(self) -> None:
        window, entry = self.window, self.window.session.entry
        if entry is None:
            return
        if entry.submitted:
            window.say(f"{entry.code} is already submitted. Amend a score with Ctrl+E.")
            return
        if window.listening.code != entry.code:
            window.say(f"{entry.code} is still opening; submit again in a moment.")
            return
        missing = [d for d in window.session.workspace.codebook.dimensions
                   if d.id not in entry.scores]
        if missing:
            window.work.scoring.select_dimension(missing[0].id)
            window.say(f"Score every dimension before submitting: {missing[0].name} "
                       "is not scored yet.")
            return
        window.listening.checkpoint()  # the stretches heard up to now, saved and counted
        heard = window.listening.heard_share()
        window.work.player.show_heard(heard)  # the panel says what the warning says
        if heard + 1e-9 < self.heard_needed:
            self.dialog = dialogs.low_heard_question(window, entry.code, heard, self.heard_needed)
            self.dialog.accepted.connect(lambda: self._submit(entry.code))
            window.open_dialog(self.dialog)
            return
        self._submit(entry.code)

    def _submit(self, code: str) -> None:
        self.window.listening.checkpoint()
        self.window.session.submit(code)

    def _on_submitted(self, code: str) -> None:
        window = self.window
        window.undo.clear()
        window.say(f"{code} is submitted. A later change is an amendment with a reason.")
        question = window.session.workspace.guess
        if question is None:
            window.next_waiting()
            return
        self.dialog = dialogs.GuessDialog(window, code, *question)
        self.dialog.accepted.connect(
            lambda: window.session.record_guess(code, self.dialog.guess()))
        window.open_dialog(self.dialog).finished.connect(lambda _result: window.next_waiting())

    def amend(self, dimension: str | None = None, value: int | None = None) -> None:
        window, entry = self.window, self.window.session.entry
        if entry is None:
            return
        if not entry.submitted:
            window.say("This rating is a draft: change a score with its button or digit.")
            return
        codebook = window.session.workspace.codebook
        chosen = codebook.dimension(dimension) if dimension else window.work.scoring.dimension
        self.dialog = dialogs.AmendDialog(window, entry.code, chosen, codebook.scale.labels,
                                          entry.scores.get(chosen.id), value)
        self.dialog.accepted.connect(lambda: window.session.amend(
            entry.code, chosen.id, self.dialog.value(), self.dialog.reason.text().strip()))
        window.open_dialog(self.dialog)
