"""Shared set-up for the workstation tests (imported by test_workstation*.py; no tests here).

A research study with hidden metadata that gives every group away (file names, workers,
authorities, the study's own name and folder), blinded, allocated to R1 and R2, with the
blinding check on; R1's pack exported. The virtual sound device is set up before anything can
start the audio engine.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audio"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from audio_helpers import require_jack, setup_virtual_device  # noqa: E402

setup_virtual_device()  # before anything imports sounddevice (the engine process inherits it)

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import soundfile as sf  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from rater.services.allocating import allocate_study  # noqa: E402
from rater.services.blinding import blind_study, set_blinding_check  # noqa: E402
from rater.services.importing import import_recordings  # noqa: E402
from rater.services.packs import export_pack  # noqa: E402
from rater.services.study import init_study  # noqa: E402

STUDY_NAME = "Harrowgate versus Ellesmere practice model evaluation"
GROUPS = ("Harrowgate", "Ellesmere")
SECONDS = (4.0, 5.0, 4.5, 5.5)


@dataclass
class Built:
    study: str
    pack: Path
    hidden: list[str]  # values no rater may ever see
    groups: tuple[str, ...]  # offered in the blinding question only
    root: Path


def build_study(root: Path, seconds=SECONDS, raters=("R1",), double: float = 0.0,
                codebook: Path | None = None) -> Built:
    """A blinded, allocated research study and R1's pack, made from generated speech-like audio."""
    folder = root / "Harrowgate-Ellesmere originals"
    folder.mkdir(parents=True)
    rows, hidden = ["file,la,worker,timepoint"], []
    rng = np.random.default_rng(5)
    for i, length in enumerate(seconds):
        group = GROUPS[i % 2]
        worker = f"Worker-Quillfeather{i:02d}"
        name = f"{group.lower()}_{worker}_baseline.wav"
        t = np.arange(int(length * 16000)) / 16000
        envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 1.5 * t) ** 2
        audio = envelope * (0.3 * np.sin(2 * np.pi * (180 + 40 * i) * t)
                            + 0.05 * rng.normal(size=t.size))
        sf.write(folder / name, audio.astype(np.float32), 16000)
        rows.append(f"{name},{group},{worker},Baseline-{2020 + i % 2}")
        hidden += [name, Path(name).stem, worker, f"Baseline-{2020 + i % 2}"]
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n")
    study = str(root / "harrowgate_vs_ellesmere.rater")
    init_study(study, codebook, name=STUDY_NAME)
    import_recordings(study, folder, folder / "metadata.csv")
    blind_study(study, workers=1)
    allocate_study(study, list(raters), double=double, seed=3)
    set_blinding_check(study, "la")
    pack = root / "R1.raterpack"
    export_pack(study, "R1", pack)
    hidden += [STUDY_NAME, "harrowgate_vs_ellesmere", str(folder), "Quillfeather"]
    return Built(study, pack, hidden, GROUPS, root)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    return build_study(tmp_path_factory.mktemp("workstation"))


def make_window(qtbot, location: str, rater: str | None = None):
    """The workstation, shown, active and loaded (its queue read, a recording open).

    Each test starts with empty settings (tests/conftest.py); a window opened again in the
    same test finds what the one before it saved."""
    from rater.ui.workstation import WorkstationWindow

    window = WorkstationWindow()
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    window.open_work(location, rater)
    qtbot.waitUntil(lambda: window.session.entry is not None
                    and window.work.scoring.rows and window.writes.pending == 0, timeout=10000)
    return window


def wait_playable(qtbot, window) -> None:
    require_jack()
    qtbot.waitUntil(lambda: window.listening.playable, timeout=15000)


def press(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier, times: int = 1) -> None:
    """A key as the rater presses it: to whatever has the focus in the active window."""
    target = QApplication.focusWidget() or window
    for _ in range(times):
        qtbot.keyClick(target, key, modifier)


def type_text(qtbot, text: str) -> None:
    qtbot.keyClicks(QApplication.focusWidget(), text)


def saved(window) -> bool:
    return window.writes.pending == 0


def modal(qtbot, kind):
    """The window-modal dialog of ``kind`` the workstation has just opened, with the keyboard."""
    def ready() -> bool:
        dialog = QApplication.activeModalWidget()
        focus = QApplication.focusWidget()
        return (isinstance(dialog, kind) and QApplication.activeWindow() is dialog
                and focus is not None and dialog.isAncestorOf(focus))

    qtbot.waitUntil(ready, timeout=5000)
    return QApplication.activeModalWidget()
