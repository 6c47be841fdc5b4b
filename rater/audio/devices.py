"""Sound output devices.

PortAudio fixes its device list when it initialises, and initialising it in the app process
would cost time and memory for nothing (playback runs in the engine process). So these
functions ask a short-lived engine process (``python -m rater.audio.engine --list-devices``,
~0.3 s): every call sees the devices plugged in *now*. Call them off the GUI thread. A running
``Player`` has its own ``output_devices()`` / ``refresh_devices()``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

from rater.core.errors import Problem, RaterError

from .engine import CRASH_FIX, ENGINE_FLAG


@dataclass(frozen=True)
class OutputDevice:
    name: str  # pass this to Player(device=...) / set_device
    hostapi: str
    channels: int
    default_samplerate: float
    is_default: bool
    index: int  # PortAudio index at the time of listing (not stable across refreshes)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.hostapi})" + (" — default" if self.is_default else "")

    @classmethod
    def from_dict(cls, d: dict) -> OutputDevice:
        return cls(
            name=d["name"],
            hostapi=d["hostapi"],
            channels=int(d["channels"]),
            default_samplerate=float(d["default_samplerate"]),
            is_default=bool(d["is_default"]),
            index=int(d["index"]),
        )


def _query() -> dict:
    if getattr(sys, "frozen", False):
        cmd = [sys.executable, ENGINE_FLAG, "--list-devices"]
    else:
        cmd = [sys.executable, "-m", "rater.audio.engine", "--list-devices"]
    try:
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise RaterError(
            Problem(f"cannot list sound devices ({e})", "sound output", "try again")
        ) from e
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 and not lines:
        raise RaterError(
            Problem(
                f"the sound system crashed while listing devices (exit code {out.returncode}): "
                f"{out.stderr.strip()[-300:]}",
                "PortAudio/ALSA",
                CRASH_FIX,
            )
        )
    if not lines:
        raise RaterError(
            Problem(
                f"cannot list sound devices: {out.stderr.strip()[-300:]}",
                "sound output",
                "try again; if it repeats, report the bug",
            )
        )
    return json.loads(lines[-1])


def output_devices() -> list[OutputDevice]:
    """Output devices present now. Raises ``RaterError`` (naming the package to install) when
    PortAudio is missing; an empty list means no output device."""
    info = _query()
    if not info.get("ok"):
        raise RaterError(Problem(**info["problem"]))
    return [OutputDevice.from_dict(d) for d in info["devices"]]


def refresh_devices() -> list[OutputDevice]:
    """Same as ``output_devices()``: every call re-scans (newly plugged devices appear)."""
    return output_devices()


def sound_problem() -> Problem | None:
    """None if sound output can work here; else a Problem: what is missing and how to fix it."""
    try:
        devs = output_devices()
    except RaterError as e:
        return e.problems[0]
    if not devs:
        return Problem(
            "no sound output device was found",
            "sound output",
            "connect speakers or headphones (or start the sound server), then refresh the "
            "device list; everything except playback keeps working",
        )
    return None
