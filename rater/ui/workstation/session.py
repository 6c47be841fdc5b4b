"""The rater's work in the workstation: the queue, the open recording, and every change to them.

Each change shows at once (the session updates its own copy and says so) and is committed by
one service call on the service queue, in the order it was made. A call that fails is
reported and the recording's state is read back from the study.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from rater.services import rating
from rater.services.packs import return_pack
from rater.services.rating import QueueEntry
from rater.ui.workstation import target as targets
from rater.ui.workstation.redact import Redactor
from rater.ui.workstation.writes import ServiceQueue

log = logging.getLogger("rater.workstation")

Note = tuple[int, float, str, str | None]  # id, time_s, text, dimension


class RatingSession(QObject):
    loaded = Signal(object)
    """The workspace was read (a ``target.Workspace``)."""
    load_failed = Signal(str)
    """The pack or study could not be opened (the message, blind codes only)."""
    entry_changed = Signal(object)
    """A queue entry's scores or status changed (the new ``QueueEntry``)."""
    recording_opened = Signal(object, list, list)
    """(entry, notes, heard spans) of the recording now open."""
    notes_changed = Signal(list)
    """The open recording's notes, in time order."""
    submitted = Signal(str)
    """A rating was submitted and is now locked (its code)."""
    returned = Signal(str)
    """The return pack was written (its file name)."""
    failed = Signal(str)
    """Something the rater did could not be saved (the message, blind codes only)."""
    online_status = Signal(object)
    """A shared study's link to its server changed (an `online.Status`; from any thread)."""

    def __init__(self, writes: ServiceQueue, redactor: Redactor, parent: QObject | None = None):
        super().__init__(parent)
        self.writes = writes
        self.redactor = redactor
        self.target: targets.Target | None = None
        self.workspace: targets.Workspace | None = None
        self.entries: dict[str, QueueEntry] = {}
        self.code: str | None = None
        self.notes: list[Note] = []
        self.actions = None  # the rater's writes: `rating.RaterActions` or `online.OnlineRater`

    # -- opening ------------------------------------------------------------------------------
    def load(self, location: str, rater: str | None = None) -> None:
        def work() -> tuple[targets.Workspace, object]:
            workspace = targets.load(targets.resolve(location, rater))
            return workspace, targets.actions_for(workspace, self.online_status.emit)

        self.redactor.hide_location(location)
        self.close()
        self.writes.submit(work, lambda loaded: self._on_loaded(*loaded), self._on_load_failed)

    def close(self) -> None:
        """Stop sending to a shared study's server (what is not sent stays on this computer
        and goes with the next opening)."""
        if self.online:
            self.actions.stop(timeout=2.0)
        self.actions = None

    def _on_loaded(self, workspace: targets.Workspace, actions) -> None:
        self.actions = actions
        self.target, self.workspace = workspace.target, workspace
        self.redactor.hide_location(workspace.target.study)
        if workspace.target.folder is not None:
            self.redactor.hide_folder(workspace.target.folder, "the pack's folder")
        self.entries = {entry.code: entry for entry in workspace.queue}
        self.code = None
        log.info("opened the queue of %s: %d recording(s)", workspace.rater, len(self.entries))
        self.loaded.emit(workspace)

    def _on_load_failed(self, exc: Exception) -> None:
        self.load_failed.emit(self.redactor.message(exc))

    @property
    def study(self) -> str:
        if self.target is None:
            raise RuntimeError("no pack or study is open")
        return self.target.study

    @property
    def online(self) -> bool:
        """On a shared study's server: writes are kept here first and sent by a sender."""
        return hasattr(self.actions, "status")

    @property
    def rater(self) -> str | None:
        return self.target.rater if self.target else None

    @property
    def entry(self) -> QueueEntry | None:
        return self.entries.get(self.code) if self.code else None

    def audio_path(self, entry: QueueEntry) -> Path | None:
        return self.target.audio_path(entry) if self.target else None

    def open_recording(self, code: str) -> None:
        study, rater = self.study, self.rater

        def work() -> tuple[list[Note], list]:
            return rating.notes(study, code, rater), rating.heard_spans(study, code, rater)

        self.code = code
        self.writes.submit(work, lambda found: self._on_opened(code, *found),
                           lambda exc: self._open_without_server(code, exc))

    def _open_without_server(self, code: str, exc: Exception) -> None:
        """A shared study's server is away: the recording opens without its notes and
        listening record so far (they show when it is opened again with the server back);
        scores and new notes are kept on this computer meanwhile."""
        if not self.online:
            self._report(exc)
            return
        log.info("opened %s without the server: %s", code, exc)
        self._on_opened(code, [], [])

    def _on_opened(self, code: str, notes: list[Note], heard: list) -> None:
        if code != self.code:
            return  # the rater has moved on already
        self.notes = list(notes)
        log.info("opened recording %s", code)
        self.recording_opened.emit(self.entries[code], self.notes, heard)

    # -- scores -------------------------------------------------------------------------------
    def score(self, dimension: str) -> int | None:
        entry = self.entry
        return entry.scores.get(dimension) if entry else None

    def set_score(self, code: str, dimension: str, value: int) -> None:
        """A draft score: shown now, committed in the background."""
        entry = self.entries[code]
        self._replace(entry, scores={**entry.scores, dimension: value})
        actions = self.actions
        self.writes.submit(lambda: actions.set_score(code, dimension, value),
                           None, lambda exc: self._reread(code, exc))

    def clear_score(self, code: str, dimension: str) -> None:
        """Back to "not scored" (undo of a first score): shown now, committed in the
        background."""
        entry = self.entries[code]
        self._replace(entry, scores={d: v for d, v in entry.scores.items() if d != dimension})
        actions = self.actions
        self.writes.submit(lambda: actions.clear_score(code, dimension),
                           None, lambda exc: self._reread(code, exc))

    def submit(self, code: str) -> None:
        actions = self.actions
        self.writes.submit(lambda: actions.submit_rating(code),
                           lambda _none: self._on_submitted(code),
                           lambda exc: self._reread(code, exc))

    def _on_submitted(self, code: str) -> None:
        self._replace(self.entries[code], submitted=True)
        log.info("submitted %s", code)
        self.submitted.emit(code)

    def amend(self, code: str, dimension: str, value: int, reason: str) -> None:
        entry = self.entries[code]
        self._replace(entry, scores={**entry.scores, dimension: value})
        actions = self.actions
        self.writes.submit(lambda: actions.amend_rating(code, dimension, value, reason),
                           lambda _none: log.info("amended %s %s", code, dimension),
                           lambda exc: self._reread(code, exc))

    def record_guess(self, code: str, guess: str) -> None:
        actions = self.actions
        self.writes.submit(lambda: actions.record_guess(code, guess), None,
                           self._report)

    def _replace(self, entry: QueueEntry, **changes) -> None:
        new = dataclasses.replace(entry, **changes)
        self.entries[new.code] = new
        self.entry_changed.emit(new)

    def _reread(self, code: str, exc: Exception) -> None:
        """A change was refused: say why, and show what the study really holds."""
        self._report(exc)
        study, rater = self.study, self.rater

        def work() -> QueueEntry | None:
            return next((e for e in rating.rater_queue(study, rater) if e.code == code), None)

        self.writes.submit(work, lambda e: e is not None and self._replace(e), self._report)

    # -- notes --------------------------------------------------------------------------------
    def add_note(self, code: str, time_s: float, text: str, dimension: str | None,
                 then=None) -> None:
        actions = self.actions
        self.writes.submit(lambda: actions.add_note(code, time_s, text, dimension),
                           lambda note_id: self._on_note_added(code, note_id, time_s, text,
                                                               dimension, then),
                           self._report)

    def _on_note_added(self, code, note_id, time_s, text, dimension, then) -> None:
        if then is not None:
            then()
        if code == self.code:
            self.notes = sorted([*self.notes, (note_id, time_s, text, dimension)],
                                key=lambda n: (n[1], n[0]))
            self.notes_changed.emit(self.notes)

    def delete_note(self, note_id: int) -> None:
        code, actions = self.code, self.actions
        self.notes = [n for n in self.notes if n[0] != note_id]
        self.notes_changed.emit(self.notes)
        self.writes.submit(lambda: actions.delete_note(code, note_id), None,
                           self._report)

    # -- listening ----------------------------------------------------------------------------
    def save_place(self, code: str, position_s: float) -> None:
        actions = self.actions
        self.writes.submit(lambda: actions.save_place(code, position_s), None,
                           self._report)

    def save_listening(self, code: str, spans: list[tuple[float, float, float]]) -> None:
        actions = self.actions
        self.writes.submit(lambda: actions.save_listening(code, spans), None,
                           self._report)

    # -- returning ----------------------------------------------------------------------------
    def can_return(self) -> bool:
        return self.target is not None and self.target.folder is not None

    def return_work(self, out: Path) -> None:
        folder = self.target.folder
        self.writes.submit(lambda: return_pack(folder, out),
                           lambda _result: self.returned.emit(out.name), self._report)

    def _report(self, exc: Exception) -> None:
        self.failed.emit(self.redactor.message(exc))
