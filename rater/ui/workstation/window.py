"""The rater's workstation window: assembles the panels, the actions and the status bar, and
turns each command into one call on the session, the player or a panel."""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QActionGroup, QGuiApplication, QUndoStack
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QMessageBox

from rater.services.rating import QueueEntry
from rater.ui import appearance
from rater.ui.player_adapter import PlayerAdapter
from rater.ui.workstation import actions, connect, help_menu
from rater.ui.workstation.expert_feedback import ExpertFeedback
from rater.ui.workstation.files import ask_pack, ask_return_path
from rater.ui.workstation.flows import NoteFlow, SubmitFlow
from rater.ui.workstation.layout import Pages
from rater.ui.workstation.listening import Listening
from rater.ui.workstation.player_panel import SPEEDS
from rater.ui.workstation.redact import Redactor
from rater.ui.workstation.session import RatingSession
from rater.ui.workstation.status_bar import StatusBar
from rater.ui.workstation.target import Workspace
from rater.ui.workstation.undo import ScoreChange
from rater.ui.workstation.writes import ServiceQueue

log = logging.getLogger("rater.workstation")
TITLE = "Rater"


class WorkstationWindow(QMainWindow):
    def __init__(self, adapter: PlayerAdapter | None = None, redactor: Redactor | None = None):
        super().__init__()
        self.setObjectName("workstation")
        self.setStyleSheet(appearance.STYLE)
        self.settings = QSettings()
        self.redactor = redactor or Redactor()
        self.writes = ServiceQueue(self)
        self.session = RatingSession(self.writes, self.redactor, self)
        self._own_adapter = adapter is None
        self.adapter = adapter or PlayerAdapter(parent=self)
        self.listening = Listening(self.adapter, self.session, self.redactor, self)
        self.undo = QUndoStack(self)
        self.pages = Pages()
        self.work = self.pages.work
        self.setCentralWidget(self.pages)
        self.commands, self.menus = actions.build(self, self._handlers())
        self.notes = NoteFlow(self)
        self.submitting = SubmitFlow(self)
        self.expert_feedback = ExpertFeedback(self)
        self.score_menu = self.menus["Rating"].addMenu("Score the &focused dimension")
        self.score_actions: list = []
        self.positions: dict[str, float] = {}  # where each recording was left, this session
        # (before this session: the queue entry's resume_s, saved by the study)
        self.status_bar = StatusBar(self.statusBar(), self.writes, self.session)
        self._connect()
        self._appearance_menu()
        self._device_menu()
        self._restore_layout()
        self._show_title()
        self.pages.show_empty("empty")
        self._enable_work(False)

    # -- wiring -------------------------------------------------------------------------------
    def _handlers(self) -> dict:
        player, scoring = self.adapter, self.work.scoring
        return {
            "open": self._choose_pack, "connect": lambda: connect.ask(self),
            "return": self._return_work,
            "log_folder": help_menu.show_log_folder, "close": self.close,
            "quit": QApplication.closeAllWindows,
            "undo": self.undo.undo, "redo": self.undo.redo,
            "play": self._toggle, "back5": lambda: self._skip(-5), "fwd5": lambda: self._skip(5),
            "back30": lambda: self._skip(-30), "fwd30": lambda: self._skip(30),
            "slower": lambda: self._step_speed(-1), "faster": lambda: self._step_speed(1),
            "normal_speed": lambda: self._set_speed(1.0),
            "louder": lambda: self._set_volume(player.player.volume + 0.1),
            "quieter": lambda: self._set_volume(player.player.volume - 0.1),
            "prev_dim": lambda: scoring.move(-1), "next_dim": lambda: scoring.move(1),
            "submit": lambda: self.submitting.submit(), "amend": lambda: self.submitting.amend(),
            "prev_rec": lambda: self._neighbour(-1), "next_rec": lambda: self._neighbour(1),
            "note": lambda: self.notes.start(False), "note_dim": lambda: self.notes.start(True),
            "notes_list": lambda: self.work.notes.list.setFocus(),
            "queue_list": lambda: self.work.queue.view.setFocus(),
            "rules": lambda: help_menu.show_rules(self),
            "shortcuts": lambda: help_menu.show_shortcuts(self),
            "about": lambda: help_menu.show_about(self),
            "light": lambda: self._set_appearance("light"),
            "dark": lambda: self._set_appearance("dark"),
            "system": lambda: self._set_appearance("system"),
        }

    def _connect(self) -> None:
        session, work, player = self.session, self.work, self.adapter
        session.loaded.connect(self._on_loaded)
        session.load_failed.connect(lambda text: self.pages.show_empty("failed", text))
        session.recording_opened.connect(self._on_recording_opened)
        session.entry_changed.connect(self._on_entry_changed)
        session.failed.connect(self.show_problem)
        session.returned.connect(lambda name: self.say(f"Ratings written to {name}. Send this "
                                                       "file to the researcher."))
        self.writes.failed.connect(lambda exc: self.show_problem(self.redactor.message(exc)))
        self.pages.empty.button.clicked.connect(self._choose_pack)
        work.queue.activated.connect(self.open_recording)
        work.scoring.chosen.connect(self.choose)
        work.player.toggle_requested.connect(self._toggle)
        work.player.skip_requested.connect(self._skip)
        work.player.speed_requested.connect(self._set_speed)
        work.player.volume_requested.connect(self._set_volume)
        work.player.waveform.seek_requested.connect(self.seek)
        player.positionChanged.connect(work.player.show_time)
        player.playingChanged.connect(work.player.show_playing)
        player.speedChanged.connect(work.player.show_speed)
        player.volumeChanged.connect(work.player.show_volume)
        self.listening.duration_known.connect(work.player.set_duration)
        self.listening.peaks_changed.connect(work.player.waveform.set_peaks)
        self.listening.sound_problem.connect(work.player.show_sound_problem)
        self.listening.heard_changed.connect(self._show_heard)
        self.undo.canUndoChanged.connect(self.commands["undo"].setEnabled)
        self.undo.canRedoChanged.connect(self.commands["redo"].setEnabled)
        self.commands["undo"].setEnabled(False)
        self.commands["redo"].setEnabled(False)

    # -- opening work -------------------------------------------------------------------------
    def open_work(self, location: str, rater: str | None = None) -> None:
        """Open a pack, a pack's folder, or a study for one rater (read off the UI thread)."""
        self.listening.close()
        self.pages.show_empty("opening")
        self.session.load(location, rater)

    def _on_loaded(self, workspace: Workspace) -> None:
        codebook = workspace.codebook
        self.positions = {}  # a new queue: its entries carry where each was left
        self.work.scoring.set_codebook(codebook)
        self.work.notes.set_codebook(codebook)
        self._score_actions(codebook.scale.labels)
        self.work.queue.reset(workspace.queue, len(codebook.dimensions))
        self.notes.load_drafts()
        self.commands["return"].setEnabled(self.session.can_return())
        if not workspace.queue:
            self.pages.show_empty("nothing")
            return
        self.pages.show_work()
        self._enable_work(True)
        self._show_banner()
        self.open_recording(self._first_code(workspace))

    def _first_code(self, workspace: Workspace) -> str:
        if workspace.place and workspace.place[0] in self.session.entries:
            return workspace.place[0]
        waiting = [e.code for e in workspace.queue if not e.submitted]
        return (waiting or [workspace.queue[0].code])[0]

    def _score_actions(self, labels: dict[int, str]) -> None:
        for action in self.score_actions:
            self.removeAction(action)
        self.score_menu.clear()
        self.score_actions = actions.add_score_actions(self, self.score_menu, labels,
                                                       self._digit)

    def open_recording(self, code: str) -> None:
        current = self.session.code
        if current and current != code:
            self.positions[current] = self.listening.position()
        self.notes.stash()
        self.undo.clear()
        self.work.queue.set_current(code)
        self.session.open_recording(code)
        self._show_title()

    def _on_recording_opened(self, entry: QueueEntry, notes: list, heard: list) -> None:
        self.work.scoring.show_scores(entry.scores, entry.submitted)
        self.notes.show(notes)
        start = self.positions.get(entry.code, entry.resume_s or 0.0)
        self.listening.open(entry, self.session.audio_path(entry), start, heard)
        self.work.scoring.start_recording(entry.scores)
        self._show_title()
        self.say(f"Recording {entry.code}: {self._status_words(entry)}")

    def _on_entry_changed(self, entry: QueueEntry) -> None:
        self.work.queue.update(entry)
        if entry.code == self.session.code:
            self.work.scoring.show_scores(entry.scores, entry.submitted)
        self._show_banner()

    def _neighbour(self, step: int) -> None:
        codes = [e.code for e in self.work.queue.model.entries]
        if self.session.code in codes:
            at = codes.index(self.session.code) + step
            if 0 <= at < len(codes):
                self.open_recording(codes[at])

    def next_waiting(self) -> None:
        """After a submission: the next recording not yet submitted, in queue order."""
        codes = [e.code for e in self.work.queue.model.entries]
        at = codes.index(self.session.code) if self.session.code in codes else -1
        order = codes[at + 1:] + codes[:at + 1]
        waiting = [c for c in order if not self.session.entries[c].submitted]
        if waiting:
            self.open_recording(waiting[0])

    # -- scoring ------------------------------------------------------------------------------
    def _digit(self, digit: int) -> None:
        dimension = self.work.scoring.dimension
        value = self.work.scoring.digit_value(digit)
        if dimension is not None and value is not None:
            self.choose(dimension.id, value)

    def choose(self, dimension: str, value: int) -> None:
        entry = self.session.entry
        if entry is None:
            return
        if entry.submitted:
            self.submitting.amend(dimension, value)
            return
        old = entry.scores.get(dimension)
        if old == value:
            return
        self.undo.push(ScoreChange(self.apply_score, entry.code, dimension, old, value))

    def apply_score(self, code: str, dimension: str, value: int | None) -> None:
        """Set a draft score, or clear it (``None``: undo of a first score)."""
        if self.session.entries[code].submitted:
            self.say(f"{code} is submitted: change it with an amendment (Ctrl+E).")
            return
        if value is None:
            self.session.clear_score(code, dimension)
        else:
            self.session.set_score(code, dimension, value)
        if code == self.session.code:
            self.work.scoring.select_dimension(dimension)

    # -- playback -----------------------------------------------------------------------------
    def _toggle(self) -> None:
        if self.listening.playable:
            self.adapter.toggle()
            if not self.adapter.playing:
                self.listening.checkpoint()

    def _skip(self, seconds: float) -> None:
        if self.listening.playable:
            self.adapter.skip(seconds)

    def seek(self, seconds: float) -> None:
        if self.listening.playable:
            self.adapter.seek(seconds)

    def _step_speed(self, step: int) -> None:
        speed = self.adapter.player.speed
        at = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - speed))
        self._set_speed(SPEEDS[max(0, min(len(SPEEDS) - 1, at + step))])

    def _set_speed(self, speed: float) -> None:
        if self.listening.playable:
            self.adapter.set_speed(speed)
            self.say(f"Speed {speed:.2f}×")

    def _set_volume(self, volume: float) -> None:
        volume = round(max(0.0, min(1.0, volume)), 2)
        self.adapter.set_volume(volume)
        self.settings.setValue("workstation/volume", volume)

    def _show_heard(self, share: float, spans: list) -> None:
        self.work.player.show_heard(share)
        self.work.player.waveform.set_heard(spans)

    def _device_menu(self) -> None:
        from rater.ui.workstation.devices import DeviceMenu

        playback = self.menus["Playback"]
        playback.addSeparator()
        self.devices = DeviceMenu(self.adapter, self.say, playback)
        playback.addMenu(self.devices)

    # -- the rest of the menus ----------------------------------------------------------------
    def _choose_pack(self) -> None:
        path = ask_pack(self, self.settings)
        if path:
            self.open_work(path)

    def _return_work(self) -> None:
        if not self.session.can_return():
            self.say("Ratings made in the study itself are already with the researcher.")
            return
        out = ask_return_path(self, self.settings, self.session.workspace.rater)
        if out is not None:
            self.listening.checkpoint()
            self.session.return_work(out)

    def _appearance_menu(self) -> None:
        group = QActionGroup(self)
        mode = self.settings.value(appearance.SETTING, "system", str)
        for name in appearance.MODES:
            action = self.commands[name]
            action.setCheckable(True)
            action.setChecked(name == mode)
            group.addAction(action)
        QGuiApplication.styleHints().colorSchemeChanged.connect(
            lambda _scheme: self._set_appearance(self.settings.value(
                appearance.SETTING, "system", str)))

    def _set_appearance(self, mode: str) -> None:
        self.settings.setValue(appearance.SETTING, mode)
        self.commands[mode].setChecked(True)
        appearance.apply(QApplication.instance(), mode)
        self.setStyleSheet(appearance.STYLE)  # re-resolves palette(...) in the style rules
        self.work.scoring.show_scores(self.session.entry.scores if self.session.entry else {},
                                      bool(self.session.entry and self.session.entry.submitted))
        self.work.player.waveform.set_peaks(self.work.player.waveform.peaks,
                                            self.work.player.waveform.loaded)

    # -- showing state ------------------------------------------------------------------------
    def _enable_work(self, enabled: bool) -> None:
        for name in ("play", "back5", "fwd5", "back30", "fwd30", "slower", "faster",
                     "normal_speed", "prev_dim", "next_dim", "submit", "amend", "prev_rec",
                     "next_rec", "note", "note_dim", "notes_list", "queue_list", "rules",
                     "return"):
            self.commands[name].setEnabled(enabled and (name != "return"
                                                       or self.session.can_return()))

    def _show_title(self) -> None:
        workspace = self.session.workspace
        if workspace is None:
            self.setWindowTitle(f"Rating — {TITLE}")
        else:
            code = f" · {self.session.code}" if self.session.code else ""
            self.setWindowTitle(f"{workspace.rater}{code} — {TITLE}")

    def _show_banner(self) -> None:
        entries = self.session.entries.values()
        done = bool(entries) and all(e.submitted for e in entries)
        if done and self.session.can_return():
            self.work.banner.setText(f"All {len(entries)} recordings are submitted. Send your "
                                     "ratings with File › Return ratings… (Ctrl+Shift+R).")
        elif done:
            self.work.banner.setText(f"All {len(entries)} recordings are submitted. Your "
                                     "ratings are in the study.")
        self.work.banner.setVisible(done)

    @staticmethod
    def _status_words(entry: QueueEntry) -> str:
        return "submitted (changes are amendments)" if entry.submitted else (
            "in progress" if entry.scores else "not started")

    def open_dialog(self, dialog: QDialog) -> QDialog:
        """Open a window-modal dialog; when it closes, it is deleted and the keyboard goes back
        to the scores."""
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self.back_to_work)
        dialog.open()
        return dialog

    def back_to_work(self) -> None:
        """After a dialog: the window active again, the keyboard on the scores."""
        self.activateWindow()
        self.work.scoring.focus_current()

    def say(self, text: str) -> None:
        self.statusBar().showMessage(self.redactor.text(text), 8000)

    def show_problem(self, text: str) -> None:
        self.say(text)
        self.open_dialog(QMessageBox(QMessageBox.Icon.Warning, TITLE, self.redactor.text(text),
                                     QMessageBox.StandardButton.Ok, self))

    # -- layout and closing -------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry = self.settings.value("workstation/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        self.work.restore(self.settings)
        volume = self.settings.value("workstation/volume", 1.0, float)
        self.work.player.show_volume(volume)
        if volume != 1.0:
            self.adapter.set_volume(volume)

    def closeEvent(self, event) -> None:
        self.settings.setValue("workstation/geometry", self.saveGeometry())
        self.work.save(self.settings)
        self.notes.stash()
        self.listening.shut_down()
        self.writes.wait()
        self.session.close()
        if self._own_adapter:
            self.adapter.close()
        log.info("workstation closed")
        super().closeEvent(event)
