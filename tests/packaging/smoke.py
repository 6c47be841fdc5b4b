"""Run an installed Rater as a person would, with nothing of the source tree or its venv in
reach: the version, the demo, the app's window on a real X display (Xvfb) driven by key
presses (xdotool), one second of sound through the test sound device, Ctrl+Q."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SR = 44100


@dataclass
class Smoke:
    version: str
    demo_study: Path
    parquet: Path
    window_title: str
    seconds_to_window: float
    seconds_heard: float
    exit_status: int
    screenshot: Path


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """No venv, no PYTHONPATH, an empty HOME; only the sound device's own settings
    (ALSA's configuration points at the test device, JACK's server name) come along."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    for name in ("ALSA_CONFIG_PATH", "JACK_DEFAULT_SERVER", "JACK_NO_START_SERVER"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env | extra


class Xvfb:
    """A virtual X display of its own (display number chosen by the server)."""

    def __enter__(self) -> str:
        read, write = os.pipe()
        self.proc = subprocess.Popen(
            # -noreset: a server resetting after its last client refuses the next one
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-noreset",
             "-nolisten", "tcp"], pass_fds=(write,), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as handle:
            self.display = f":{handle.readline().strip()}"
        return self.display

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def run(cmd: list, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=env["HOME"])


def window_seconds(rater: Path, env: dict, args: list) -> tuple[subprocess.Popen, str, float]:
    """Start the app; return it, its visible window's id and the seconds until it showed
    (polled every 10 ms: ``xdotool search --sync`` waits in steps of half a second)."""
    t0 = time.monotonic()
    app = subprocess.Popen([str(rater), *map(str, args)], env=env, cwd=env["HOME"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    while time.monotonic() - t0 < 60 and app.poll() is None:
        found = run(["xdotool", "search", "--onlyvisible", "--name", "Rater"], env).stdout
        if found.split():
            return app, found.split()[-1], time.monotonic() - t0
        time.sleep(0.01)
    app.kill()
    raise AssertionError(f"no window within 60 s: {app.communicate()[0][-2000:]}")


def smoke(rater: Path, home: Path, capture: Path, shots: Path) -> Smoke:
    env = clean_env(home)
    version = run([rater, "--version"], env)
    assert version.returncode == 0, version.stderr
    demo = run([rater, "demo", "--dir", home / "demo"], env, 300)
    assert demo.returncode == 0, demo.stderr
    study = Path(demo.stdout.strip())
    parquet = home / "demo.parquet"  # pyarrow, trimmed in the bundle, still writes Parquet
    export = run([rater, "export", study, "--format", "parquet", "--out", parquet], env)
    assert export.returncode == 0, export.stderr
    pack = next((home / "demo").glob("*.raterpack"))
    with Xvfb() as display:
        env["DISPLAY"] = display
        app, window, seconds = window_seconds(rater, env, [pack])
        try:
            title = run(["xdotool", "getwindowname", window], env).stdout.strip()
            time.sleep(2.0)  # the recording opens in the background
            run(["xdotool", "windowfocus", "--sync", window], env)
            run(["xdotool", "key", "space"], env)
            time.sleep(1.6)
            run(["xdotool", "key", "space"], env)
            time.sleep(0.3)
            shot = shots / f"{rater.parent.name}-window.png"
            run(["import", "-window", "root", shot], env)
            run(["xdotool", "key", "ctrl+q"], env)
            status = app.wait(30)
        finally:
            if app.poll() is None:
                app.kill()
    assert status == 0, app.stdout.read()
    return Smoke(version.stdout, study, parquet, title, seconds,
                 heard_seconds(capture), status, shot)


def heard_seconds(capture: Path) -> float:
    raw = np.fromfile(capture, dtype="<f4")
    left = raw[: len(raw) // 2 * 2].reshape(-1, 2)[:, 0]
    return float(np.count_nonzero(np.abs(left) > 1e-4)) / SR
