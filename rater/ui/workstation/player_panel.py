"""The player panel: waveform, transport, speed, volume, elapsed/total time and share heard.

Buttons do not take the keyboard focus: every one of them is also a window shortcut listed in
the Playback menu, and Space or the arrows must keep meaning play and seek.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QSlider,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rater.ui.workstation.timefmt import clock, heard_percent
from rater.ui.workstation.waveform_view import WaveformView

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)


def speed_text(speed: float) -> str:
    return f"{speed:.2f}×"


class PlayerPanel(QWidget):
    skip_requested = Signal(float)
    """A transport button asks to move by this many seconds."""
    toggle_requested = Signal()
    speed_requested = Signal(float)
    volume_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.duration = 0.0
        self.waveform = WaveformView()
        self.play = self._button("Play", "Play or pause (Space)")
        self.play.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play.clicked.connect(self.toggle_requested.emit)
        self.skips = [self._skip(-30, "Shift+←"), self._skip(-5, "←"),
                      self._skip(5, "→"), self._skip(30, "Shift+→")]
        self.time = QLabel()
        self.time.setObjectName("timeLabel")
        self.time.setAccessibleName("Elapsed and total time")
        self.heard = QLabel()
        self.heard.setAccessibleName("Share heard")
        self.speed = self._speed_button()
        self.volume = self._volume_slider()
        self.sound = QLabel()
        self.sound.setObjectName("soundProblem")
        self.sound.setWordWrap(True)
        self.sound.setAccessibleName("Sound status")
        self.sound.hide()
        self._lay_out()
        self.show_time(0.0)
        self.show_heard(0.0)

    def _button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setObjectName("transportButton")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setToolTip(tip)
        button.setAccessibleName(text)
        return button

    def _skip(self, seconds: int, key: str) -> QToolButton:
        text = f"{'−' if seconds < 0 else '+'}{abs(seconds)} s"
        word = "Back" if seconds < 0 else "Forward"
        button = self._button(text, f"{word} {abs(seconds)} seconds ({key})")
        button.setAccessibleName(f"{word} {abs(seconds)} seconds")
        button.clicked.connect(lambda: self.skip_requested.emit(float(seconds)))
        return button

    def _speed_button(self) -> QToolButton:
        button = QToolButton()
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setToolTip("Playback speed ([ slower, ] faster)")
        menu = QMenu(button)
        for speed in SPEEDS:
            menu.addAction(speed_text(speed), lambda s=speed: self.speed_requested.emit(s))
        button.setMenu(menu)
        self.show_speed(1.0, button)
        return button

    def _volume_slider(self) -> QSlider:
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(0, 100)
        slider.setValue(100)
        slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        slider.setFixedWidth(96)
        slider.setAccessibleName("Volume")
        slider.setToolTip("Volume (Ctrl+↑ / Ctrl+↓)")
        slider.valueChanged.connect(lambda v: self.volume_requested.emit(v / 100))
        return slider

    def _lay_out(self) -> None:
        transport = QHBoxLayout()
        transport.setSpacing(6)
        for widget in (self.skips[0], self.skips[1], self.play, self.skips[2], self.skips[3]):
            transport.addWidget(widget)
        transport.addSpacing(12)
        transport.addWidget(self.time)
        transport.addStretch(1)
        transport.addWidget(self.heard)
        transport.addSpacing(12)
        transport.addWidget(self.speed)
        transport.addSpacing(8)
        speaker = QLabel()
        speaker.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaVolume)
                          .pixmap(16, 16))
        speaker.setAccessibleName("Volume")
        speaker.setBuddy(self.volume)
        transport.addWidget(speaker)
        transport.addWidget(self.volume)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.waveform, 1)
        layout.addLayout(transport)
        layout.addWidget(self.sound)

    # -- showing the player's state -----------------------------------------------------------
    def set_duration(self, duration: float) -> None:
        self.duration = duration
        self.waveform.set_duration(duration)
        self.show_time(self.waveform.position)

    def show_time(self, position: float) -> None:
        self.waveform.set_position(position)
        self.time.setText(f"{clock(position)} / {clock(self.duration)}")
        self.time.setAccessibleDescription(
            f"{clock(position)} elapsed of {clock(self.duration)}")

    def show_playing(self, playing: bool) -> None:
        text = "Pause" if playing else "Play"
        pixmaps = QStyle.StandardPixmap
        icon = pixmaps.SP_MediaPause if playing else pixmaps.SP_MediaPlay
        self.play.setText(text)
        self.play.setAccessibleName(text)
        self.play.setIcon(self.style().standardIcon(icon))

    def show_speed(self, speed: float, button: QToolButton | None = None) -> None:
        button = button or self.speed
        button.setText(speed_text(speed))
        button.setAccessibleName(f"Playback speed {speed_text(speed)}")

    def show_volume(self, volume: float) -> None:
        self.volume.blockSignals(True)
        self.volume.setValue(round(volume * 100))
        self.volume.blockSignals(False)

    def show_heard(self, share: float) -> None:
        self.heard.setText(f"Heard {heard_percent(share)}")
        self.heard.setToolTip("Share of this recording you have listened to")

    def show_sound_problem(self, message: str | None) -> None:
        self.sound.setText(f"Sound: {message}" if message else "")
        self.sound.setVisible(bool(message))
