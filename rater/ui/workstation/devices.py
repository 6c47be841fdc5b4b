"""The Playback › Output device menu: the devices present now, listed off the UI thread each
time the menu opens (a short-lived engine process scans them, ~0.3 s)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from rater.audio.devices import OutputDevice, output_devices
from rater.ui.player_adapter import PlayerAdapter
from rater.ui.tasks import run_in_background


class DeviceMenu(QMenu):
    def __init__(self, adapter: PlayerAdapter, say: Callable[[str], None],
                 parent: QWidget | None = None):
        super().__init__("Output &device", parent)
        self.setObjectName("deviceMenu")
        self.adapter, self.say = adapter, say
        self.group = QActionGroup(self)
        self.aboutToShow.connect(self.refresh)
        self._show(None)

    def refresh(self) -> None:
        run_in_background(output_devices, self._show,
                          lambda exc: self.say(f"Cannot list sound devices: {exc}"), owner=self)

    def _show(self, devices: list[OutputDevice] | None) -> None:
        """The menu's entries; ``None`` while the scan is still running."""
        self.clear()
        current = self.adapter.player.device
        system = self.addAction("System default")
        self._choosable(system, None, current is None)
        self.addSeparator()
        for device in devices or []:
            self._choosable(self.addAction(device.label), device.name, device.name == current)
        if not devices:
            text = "Looking for devices…" if devices is None else "No output device found"
            self.addAction(text).setEnabled(False)

    def _choosable(self, action, name: str | None, checked: bool) -> None:
        action.setCheckable(True)
        action.setChecked(checked)
        self.group.addAction(action)
        action.triggered.connect(lambda _=False: self._choose(name))

    def _choose(self, name: str | None) -> None:
        if self.adapter.set_device(name):
            self.say(f"Sound now plays on {name or 'the system default device'}.")
