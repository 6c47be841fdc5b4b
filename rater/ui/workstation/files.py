"""File dialogs: opening a pack and saving the return pack (names hold blind ids only)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from rater.ui.workstation.target import PACK_SUFFIX

_FILTER = f"Rater packs (*{PACK_SUFFIX})"


def _last_folder(settings: QSettings) -> str:
    return settings.value("workstation/last_folder", str(Path.home()), str)


def ask_pack(parent: QWidget, settings: QSettings) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open rater pack", _last_folder(settings),
                                          _FILTER)
    if not path:
        return None
    settings.setValue("workstation/last_folder", str(Path(path).parent))
    return path


def ask_return_path(parent: QWidget, settings: QSettings, rater: str) -> Path | None:
    suggested = Path(_last_folder(settings)) / f"{rater}-return{PACK_SUFFIX}"
    path, _ = QFileDialog.getSaveFileName(parent, "Return ratings", str(suggested), _FILTER)
    if not path:
        return None
    out = Path(path)
    if out.suffix != PACK_SUFFIX:
        out = out.with_name(out.name + PACK_SUFFIX)
    settings.setValue("workstation/last_folder", str(out.parent))
    return out
