"""Light and dark palettes (Fusion with an explicit QPalette: Qt's colour-scheme request is
ignored by plain X11 and offscreen) and the workstation's few style rules (set on its window),
which refer to the palette so they follow it."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

MODES = ("system", "light", "dark")
SETTING = "workstation/appearance"  # one choice for every window of the app


def saved_mode() -> str:
    return QSettings().value(SETTING, "system", str)

_DARK = {
    QPalette.ColorRole.Window: "#2b2d30",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1f2023",
    QPalette.ColorRole.AlternateBase: "#34363a",
    QPalette.ColorRole.ToolTipBase: "#3c3f43",
    QPalette.ColorRole.ToolTipText: "#f0f0f0",
    QPalette.ColorRole.PlaceholderText: "#9a9ca0",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#3a3c40",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Light: "#4a4d52",
    QPalette.ColorRole.Midlight: "#404347",
    QPalette.ColorRole.Mid: "#5a5d62",
    QPalette.ColorRole.Dark: "#1a1b1d",
    QPalette.ColorRole.Shadow: "#111111",
    QPalette.ColorRole.Highlight: "#3d8fd6",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#f0a040",
}

_LIGHT_LINK = "#c26a00"  # note markers: orange, distinct from the blue playhead and shading

STYLE = """
QLabel#panelTitle { font-weight: bold; padding: 2px 0 4px 0; }
QFrame#dimensionRow { border-radius: 4px; border-left: 4px solid transparent; }
QFrame#dimensionRow[current="true"] {
    background: palette(alternate-base); border-left: 4px solid palette(highlight); }
QFrame#dimensionRow:focus { border-left: 4px solid palette(highlight); }
QLabel#dimensionName { font-weight: bold; }
QPushButton#levelButton { min-width: 2.2em; max-width: 3em; min-height: 1.9em; }
QPushButton#levelButton:checked {
    background: palette(highlight); color: palette(highlighted-text); font-weight: bold; }
QLabel#timeLabel { font-family: monospace; }
QToolButton#transportButton { padding: 4px 10px; }
QLabel#soundProblem, QLabel#ratingState { color: palette(window-text); }
QLabel#emptyTitle { font-size: 16pt; font-weight: bold; }
"""


def effective(mode: str) -> str:
    """"system" follows the desktop's colour scheme, where the platform reports one."""
    if mode != "system":
        return mode
    dark = QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
    return "dark" if dark else "light"


def apply(app: QApplication, mode: str) -> None:
    """Use the light, dark or system palette, everywhere in the app."""
    app.setStyle(QStyleFactory.create("Fusion"))
    palette = app.style().standardPalette()
    if effective(mode) == "dark":
        for role, color in _DARK.items():
            palette.setColor(role, QColor(color))
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7a7c80"))
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText,
                         QColor("#7a7c80"))
    else:
        palette.setColor(QPalette.ColorRole.Link, QColor(_LIGHT_LINK))
    app.setPalette(palette)
