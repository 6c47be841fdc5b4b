"""Participants and their work: add people, hand out packs, bring returns in, and let someone
take a turn at rating on the trainer's own machine. All the work runs off the UI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from rater.ui.tables import new_table
from rater.ui.tasks import run_in_background
from rater.ui.workshop.turns import Turns


class ParticipantsPanel(QWidget):
    def __init__(self, workshop: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.workshop = workshop
        self.turns = Turns(workshop, self)
        self.table = new_table(0, 3)
        self.table.setHorizontalHeaderLabels(("Id", "Name", "Recordings submitted"))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.names = QLineEdit()
        self.names.setPlaceholderText("Names, separated by commas")
        self.names.returnPressed.connect(self._add)
        buttons = {}
        for key, text, slot in (("add", "&Add", self._add),
                                ("export", "&Export packs to a folder…", self._export),
                                ("import", "&Import returned packs…", self._import),
                                ("turn", "Start the selected person's &turn", self._start_turn),
                                ("finish", "&Finish the turn", self.turns.finish)):
            buttons[key] = QPushButton(text)
            buttons[key].clicked.connect(slot)
        self.buttons = buttons
        self.status = QLabel("")
        self.status.setWordWrap(True)
        buttons["finish"].setEnabled(False)
        self.turns.said.connect(self.status.setText)
        self.turns.started.connect(lambda _who: self._turn_open(True))
        self.turns.finished.connect(lambda _who: (self._turn_open(False), self.reload()))
        add_row = QHBoxLayout()
        add_row.addWidget(self.names, 1)
        add_row.addWidget(buttons["add"])
        actions = QHBoxLayout()
        for key in ("export", "import", "turn", "finish"):
            actions.addWidget(buttons[key])
        layout = QVBoxLayout(self)
        layout.addLayout(add_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        self.reload()

    def reload(self) -> None:
        from rater.services.workshops import workshop_info

        run_in_background(lambda: workshop_info(self.workshop), self._show, self._failed,
                          owner=self)

    def _show(self, info: dict) -> None:
        people = info["participants"]
        self.table.setRowCount(len(people))
        for row, person in enumerate(people):
            cells = (person["id"], person["name"], f"{person['submitted']} of {person['of']}")
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def _failed(self, error: Exception) -> None:
        self.status.setText(str(error))

    def _run(self, work, said) -> None:
        def done(result) -> None:
            self.status.setText(said(result))
            self.reload()

        run_in_background(work, done, self._failed, owner=self)

    def _add(self) -> None:
        from rater.services.workshops import add_participants

        names = [n.strip() for n in self.names.text().split(",") if n.strip()]
        if not names:
            self.status.setText("Type one or more names, separated by commas.")
            return
        self.names.clear()
        self._run(lambda: add_participants(self.workshop, names),
                  lambda ids: f"Added {len(ids)} participant(s): {', '.join(ids)}.")

    def _export(self) -> None:
        from rater.services.workshops import export_participant_packs

        start = str(Path(self.workshop).parent) if "://" not in self.workshop else \
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        folder = QFileDialog.getExistingDirectory(self, "Export packs to", start)
        if not folder:
            return
        out = Path(folder) / "packs"
        self._run(lambda: export_participant_packs(self.workshop, out),
                  lambda packs: f"{len(packs)} pack(s) written to {out}: give each person "
                                "their own.")

    def _import(self) -> None:
        from rater.services.workshops import import_returns

        files, _ = QFileDialog.getOpenFileNames(self, "Import returned packs",
                                                str(Path(self.workshop).parent),
                                                "Rater packs (*.raterpack)")
        if files:
            self._run(lambda: import_returns(self.workshop, [Path(f) for f in files]),
                      _outcomes)

    def _start_turn(self) -> None:
        row = self.table.currentRow()
        if row < 0 or self.table.item(row, 0) is None:
            self.status.setText("Select whose turn it is first (a row of the table).")
            return
        self.turns.start(self.table.item(row, 0).text())

    def _turn_open(self, is_open: bool) -> None:
        self.buttons["turn"].setEnabled(not is_open)
        self.buttons["finish"].setEnabled(is_open)


def _outcomes(results: list[dict]) -> str:
    words = []
    for result in results:
        name = Path(result["pack"]).name
        words.append(f"{name}: {result['status']}"
                     + (f" ({result['problem']})" if result.get("problem") else ""))
    return "; ".join(words)
