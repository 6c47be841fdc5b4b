"""Tables as every window here uses them."""

from __future__ import annotations

from PySide6.QtWidgets import QTableWidget


def new_table(rows: int, columns: int) -> QTableWidget:
    """A table that Tab leaves (the arrow keys move between its cells). With Qt's default,
    Tab walks every cell, so a keyboard user could not get past a table to the controls
    after it, nor to the next tab page with Ctrl+Tab."""
    table = QTableWidget(rows, columns)
    table.setTabKeyNavigation(False)
    return table
