"""Every command of the workstation in one table: its menu, text and keys.

The menus, the window's shortcuts and the shortcut sheet are all built from this table, so a
key listed in the sheet is the key that works. Score digits are added per codebook scale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget


@dataclass(frozen=True)
class Command:
    id: str
    menu: str
    text: str
    keys: tuple[str, ...] = ()
    tip: str = ""


MENUS = ("&File", "&Edit", "&Playback", "&Rating", "&Notes", "&View", "&Help")

COMMANDS: tuple[Command, ...] = (
    Command("open", "&File", "&Open rater pack…", ("Ctrl+O",), "Open a pack the researcher sent"),
    Command("connect", "&File", "Co&nnect to a server…", (),
            "Open your work on a shared study's server (the URL from your invitation)"),
    Command("return", "&File", "&Return ratings…", ("Ctrl+Shift+R",),
            "Write the return pack to send to the researcher"),
    Command("log_folder", "&File", "Show &log folder"),
    Command("close", "&File", "&Close window", ("Ctrl+W",)),
    Command("quit", "&File", "&Quit Rater", ("Ctrl+Q",), "Close every Rater window"),
    Command("undo", "&Edit", "&Undo score change", ("Ctrl+Z",)),
    Command("redo", "&Edit", "&Redo score change", ("Ctrl+Shift+Z", "Ctrl+Y")),
    Command("play", "&Playback", "&Play / pause", ("Space",)),
    Command("back5", "&Playback", "Back 5 seconds", ("Left",)),
    Command("fwd5", "&Playback", "Forward 5 seconds", ("Right",)),
    Command("back30", "&Playback", "Back 30 seconds", ("Shift+Left",)),
    Command("fwd30", "&Playback", "Forward 30 seconds", ("Shift+Right",)),
    Command("slower", "&Playback", "&Slower", ("[",)),
    Command("faster", "&Playback", "&Faster", ("]",)),
    Command("normal_speed", "&Playback", "&Normal speed", ("\\",)),
    Command("louder", "&Playback", "Volume &up", ("Ctrl+Up",)),
    Command("quieter", "&Playback", "Volume &down", ("Ctrl+Down",)),
    Command("prev_dim", "&Rating", "&Previous dimension", ("Up",)),
    Command("next_dim", "&Rating", "&Next dimension", ("Down",)),
    Command("submit", "&Rating", "&Submit rating", ("Ctrl+Return", "Ctrl+Enter"),
            "Lock the scores of this recording"),
    Command("amend", "&Rating", "&Amend submitted score…", ("Ctrl+E",),
            "Change a submitted score, with a reason"),
    Command("prev_rec", "&Rating", "P&revious recording", ("PgUp",)),
    Command("next_rec", "&Rating", "Ne&xt recording", ("PgDown",)),
    Command("note", "&Notes", "&Add note here", ("N",),
            "A note at the current audio position"),
    Command("note_dim", "&Notes", "Add note on the &focused dimension", ("Shift+N",)),
    Command("notes_list", "&Notes", "Go to the notes &list", ("Ctrl+L",)),
    Command("rules", "&View", "Scenario brief and codebook &rules", ("F2",)),
    Command("queue_list", "&View", "Go to the &queue", ("Ctrl+G",)),
    Command("light", "&View", "&Light appearance"),
    Command("dark", "&View", "&Dark appearance"),
    Command("system", "&View", "&System appearance"),
    Command("shortcuts", "&Help", "&Keyboard shortcuts", ("F1", "?")),
    Command("about", "&Help", "&About Rater"),
)

_SHIFTED_SYMBOLS = frozenset("?")

SHEET_EXTRA: tuple[tuple[str, str], ...] = (
    ("Tab / Shift+Tab", "Next / previous dimension (then the other panels)"),
    ("Esc", "Leave the note field or a list; back to the scores"),
    ("Enter (note field)", "Save the note"),
    ("Enter (notes list)", "Play from that note"),
    ("Delete (notes list)", "Delete the note"),
)


def _sequences(keys: tuple[str, ...]) -> list[QKeySequence]:
    """The keys, plus Shift+ for typed symbols such as "?": a key event can carry the Shift
    that produced the symbol, and not every platform's key mapper drops it when matching."""
    sequences = [QKeySequence(k) for k in keys]
    sequences += [QKeySequence(f"Shift+{k}") for k in keys if k in _SHIFTED_SYMBOLS]
    return sequences


def key_text(keys: tuple[str, ...]) -> str:
    return " / ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText)
                      for k in keys)


def build(window: QWidget, handlers: dict[str, Callable[[], None]]
          ) -> tuple[dict[str, QAction], dict[str, QMenu]]:
    """The menus and their actions, each connected to the handler of the same id."""
    bar: QMenuBar = window.menuBar()
    menus: dict[str, QMenu] = {title: bar.addMenu(title) for title in MENUS}
    actions: dict[str, QAction] = {}
    for command in COMMANDS:
        action = QAction(command.text, window)
        action.setObjectName(f"action_{command.id}")
        if command.keys:
            action.setShortcuts(_sequences(command.keys))
        action.setToolTip(command.tip or command.text.replace("&", "").rstrip("…"))
        action.triggered.connect(lambda _=False, f=handlers[command.id]: f())
        menus[command.menu].addAction(action)
        window.addAction(action)
        actions[command.id] = action
    return actions, {title.replace("&", ""): menu for title, menu in menus.items()}


def add_score_actions(window: QWidget, menu: QMenu, labels: dict[int, str],
                      choose: Callable[[int], None]) -> list[QAction]:
    """One action per scale value a digit can type (the codebook decides which)."""
    made = []
    for value in sorted(labels):
        if not 0 <= value <= 9:
            continue
        action = QAction(f"Score {value} — {labels[value]}", window)
        action.setObjectName(f"action_score_{value}")
        action.setShortcut(QKeySequence(str(value)))
        action.triggered.connect(lambda _=False, v=value: choose(v))
        menu.addAction(action)
        window.addAction(action)
        made.append(action)
    return made
