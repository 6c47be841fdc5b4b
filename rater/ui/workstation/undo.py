"""Score changes as undoable commands (Ctrl+Z, Ctrl+Shift+Z).

A change from one score to another is undone to the old score; a first score (from "not
scored") is undone by clearing the draft score again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

Apply = Callable[[str, str, int | None], None]
"""Set (code, dimension, score) as the draft score; None clears it."""


class ScoreChange(QUndoCommand):
    def __init__(self, apply: Apply, code: str, dimension: str, old: int | None, new: int):
        super().__init__(f"{dimension} {'not scored' if old is None else old} → {new}")
        self.apply, self.code, self.dimension = apply, code, dimension
        self.old, self.new = old, new

    def redo(self) -> None:
        self.apply(self.code, self.dimension, self.new)

    def undo(self) -> None:
        self.apply(self.code, self.dimension, self.old)
