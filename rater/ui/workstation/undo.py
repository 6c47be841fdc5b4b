"""Score changes as undoable commands (Ctrl+Z, Ctrl+Shift+Z).

Only a change from one score to another is undoable: the study can change a draft score but
has no way to take one back to "not scored", so a first score is saved without a command.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

Apply = Callable[[str, str, int], None]


class ScoreChange(QUndoCommand):
    def __init__(self, apply: Apply, code: str, dimension: str, old: int, new: int):
        super().__init__(f"{dimension} {old} → {new}")
        self.apply, self.code, self.dimension = apply, code, dimension
        self.old, self.new = old, new

    def redo(self) -> None:
        self.apply(self.code, self.dimension, self.new)

    def undo(self) -> None:
        self.apply(self.code, self.dimension, self.old)
