"""Audio player: the app-side handle of the audio engine process.

    p = Player()                 # starts the engine process in the background (no waiting)
    p.open("interview.flac")     # RaterError for a bad file or no sound output
    p.play(); p.pause(); p.seek(62.5); p.set_speed(1.5); p.set_volume(0.8)
    p.position()                 # seconds, from the output stream's own clock, at any speed
    p.on_end = ...; p.on_error = ...   # called from the player's listener thread
    p.listening.heard_fraction(p.duration)
    p.close()

Why a separate process: the PortAudio callback runs Python code, and Python threads share one
GIL; two busy threads in the app gave 47-219 underflows in 15 s at a latency short enough for
fast seeks. In its own process the callback had none (docs/decisions/0102-audio-player.md).
This module never imports sounddevice, so importing it does not initialise PortAudio.

Threading: every method may be called from any one thread (the GUI thread, say); callbacks
``on_end(duration_s)`` and ``on_error(PlayerError)`` arrive on the listener thread, so a GUI
must re-emit them (``rater.ui.player_adapter`` does).
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import itertools
import os
import secrets
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Listener
from pathlib import Path

from rater.core.errors import Problem, RaterError
from rater.core.listening import ListeningRecord

from .engine import CRASH_FIX, ENGINE_FLAG, KEY_ENV
from .source import AudioInfo, probe
from .stretch import check_speed

DEFAULT_BLOCKSIZE = 512
DEFAULT_LATENCY = 0.025  # seconds, PortAudio output only (the ALSA output rewinds instead)
_START_TIMEOUT_S = 20.0
_CALL_TIMEOUT_S = 15.0
_live_players: weakref.WeakSet = weakref.WeakSet()


class PlayerError(RaterError):
    """A playback failure reported by the engine; ``position_s`` says where (if known)."""

    def __init__(self, problem: Problem, position_s: float | None = None):
        super().__init__(problem)
        self.position_s = position_s


@dataclass(frozen=True)
class _Record:
    gen: int
    src_start: float
    src_end: float
    dac: float  # time.monotonic() at which this block starts at the output
    speed: float


def _engine_command(address: str) -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, ENGINE_FLAG, address]
    return [sys.executable, "-m", "rater.audio.engine", address]


class Player:
    """Plays one recording at a time through the engine process. See the module docstring."""

    def __init__(
        self,
        device: str | None = None,
        *,
        blocksize: int = DEFAULT_BLOCKSIZE,
        latency: float = DEFAULT_LATENCY,
    ):
        self.device = device
        self.blocksize = blocksize
        self.latency = latency
        self.on_end: Callable[[float], None] | None = None
        self.on_error: Callable[[PlayerError], None] | None = None
        self.listening = ListeningRecord()
        self.info: AudioInfo | None = None
        self._duration = 0.0
        self._lock = threading.RLock()
        self._records: collections.deque[_Record] = collections.deque(maxlen=256)
        self._gen = self._first_gen = 0
        self._pending: tuple[int, float, float | None] | None = None  # (gen, target_s, t_seek)
        self._speed = 1.0
        self._volume = 1.0
        self._playing = False
        self._ended = False
        self._hold = 0.0
        self._seek_latencies: list[float] = []
        self._replies: dict[int, list] = {}
        self._forget: set[int] = set()  # ids of fire-and-forget commands
        self._reply_cv = threading.Condition()
        self._ids = itertools.count(1)
        self._ready = threading.Event()
        self._ready_info: dict | None = None
        self._conn = None
        self._proc: subprocess.Popen | None = None
        self._listener_thread: threading.Thread | None = None
        self._closed = False
        self._dead: str | None = None
        self._start_engine()
        _live_players.add(self)

    # -- engine process ------------------------------------------------------------------------
    def _start_engine(self) -> None:
        key = secrets.token_bytes(16)
        listener = Listener(authkey=key)
        env = dict(os.environ)
        env[KEY_ENV] = key.hex()
        self._ready.clear()
        self._ready_info = None
        self._dead = None
        self._t_spawn = time.monotonic()
        self._proc = subprocess.Popen(
            _engine_command(str(listener.address)), env=env, stdin=subprocess.DEVNULL
        )
        self._listener_thread = threading.Thread(
            target=self._listen,
            args=(listener, self._proc),
            name="rater-player-listener",
            daemon=True,
        )
        self._listener_thread.start()

    def _listen(self, listener: Listener, proc: subprocess.Popen) -> None:
        conn = None
        try:
            # accept() cannot time out; if the engine dies first, unblock it by connecting ourselves
            def watchdog():
                while conn is None and proc.poll() is None:
                    time.sleep(0.05)
                if conn is None:
                    try:
                        from multiprocessing.connection import Client

                        Client(listener.address, authkey=b"x").close()
                    except Exception:
                        pass

            threading.Thread(target=watchdog, daemon=True).start()
            try:
                conn = listener.accept()
            except Exception:
                conn = None
            listener.close()
            if conn is None or proc.poll() is not None:
                self._engine_died(proc)
                return
            self._conn = conn
            while True:
                try:
                    msg = conn.recv()
                except (EOFError, OSError):
                    break
                kind = msg[0]
                if kind == "blocks":
                    self._on_blocks(msg[1])
                elif kind == "reply":
                    with self._reply_cv:
                        if msg[1] in self._forget:
                            self._forget.discard(msg[1])
                            if not msg[2]:
                                self._emit_error(PlayerError(Problem(**msg[3])))
                        else:
                            self._replies[msg[1]] = [msg[2], msg[3]]
                            self._reply_cv.notify_all()
                elif kind == "event":
                    self._on_event(msg[1], msg[2])
        finally:
            if not self._closed:
                self._engine_died(proc)

    def _engine_died(self, proc: subprocess.Popen) -> None:
        try:
            code = proc.wait(2)
        except subprocess.TimeoutExpired:
            code = None
        if self._ready_info is None:
            self._dead = f"the sound system crashed while starting (exit code {code})"
        else:
            self._dead = f"the audio engine stopped unexpectedly (exit code {code})"
        self._conn = None
        self._ready.set()
        with self._reply_cv:
            self._reply_cv.notify_all()
        if self.info is not None and not self._closed:
            self._playing = False
            self._emit_error(
                PlayerError(
                    Problem(
                        self._dead,
                        "audio engine",
                        "open the recording again; if it repeats, report the bug",
                    ),
                    self.position(),
                )
            )

    def _wait_ready(self) -> dict:
        closed = RaterError(Problem("the player is closed", "player", "create a new Player"))
        if self._closed:
            raise closed
        if self._dead is not None and self._proc is not None and self._proc.poll() is not None:
            self._start_engine()
        if not self._ready.wait(_START_TIMEOUT_S):
            raise RaterError(
                Problem(
                    "the audio engine did not start in time",
                    "audio engine",
                    "try again; if it repeats, report the bug",
                )
            )
        if self._closed:  # closed while starting (another thread waited here)
            raise closed
        if self._dead is not None:
            if self._ready_info is None:
                raise RaterError(Problem(self._dead, "PortAudio/ALSA", CRASH_FIX))
            raise RaterError(
                Problem(self._dead, "audio engine", "try again; if it repeats, report the bug")
            )
        return self._ready_info or {}

    def _call(self, cmd: str, *args, timeout: float = _CALL_TIMEOUT_S):
        info = self._wait_ready()
        if not info.get("ok", False) and cmd not in ("devices", "stats", "close"):
            raise RaterError(Problem(**info["problem"]))
        conn = self._conn
        if conn is None:
            raise RaterError(
                Problem(
                    self._dead or "the audio engine is not running",
                    "audio engine",
                    "open the recording again",
                )
            )
        req = next(self._ids)
        with self._reply_cv:
            conn.send((req, cmd, args))
            deadline = time.monotonic() + timeout
            while req not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or self._dead is not None or self._closed:
                    raise RaterError(
                        Problem(
                            self._dead or f"the audio engine did not answer ({cmd})",
                            "audio engine",
                            "try again; if it repeats, report the bug",
                        )
                    )
                self._reply_cv.wait(min(left, 0.5))
            ok, payload = self._replies.pop(req)
        if not ok:
            raise RaterError(Problem(**payload))
        return payload

    def _send(self, cmd: str, *args) -> None:
        """Fire-and-forget command (play, pause, volume): never blocks on the engine's reply."""
        info = self._wait_ready()
        if not info.get("ok", False):
            raise RaterError(Problem(**info["problem"]))
        conn = self._conn
        if conn is None:
            raise RaterError(
                Problem(
                    self._dead or "the audio engine is not running",
                    "audio engine",
                    "open the recording again",
                )
            )
        req = next(self._ids)
        with self._reply_cv:
            self._forget.add(req)
            conn.send((req, cmd, args))

    # -- messages from the engine ----------------------------------------------------------------
    def _on_blocks(self, recs: list) -> None:
        with self._lock:
            for gen, a, b, dac, speed in recs:
                r = _Record(gen, a, b, dac, speed)
                self._records.append(r)
                if gen < self._first_gen:
                    continue  # the previous recording's last blocks
                if b > a:  # heard, even if a seek has since made its generation obsolete
                    self.listening.add(a, b, speed)
                if gen != self._gen:
                    continue
                if b > a:
                    p = self._pending
                    if p is not None and p[0] == gen:
                        if p[2] is not None:
                            self._seek_latencies.append(dac - p[2])
                        self._pending = None

    def _catch_up(self) -> None:
        """A command's reply can reach the app after the first blocks of the generation it
        started (the listener thread reads both): take them from the records already here."""
        p = self._pending
        for r in self._records:
            if r.gen == p[0] and r.src_end > r.src_start:
                if p[2] is not None:
                    self._seek_latencies.append(r.dac - p[2])
                self._pending = None
                return

    def _on_event(self, name: str, payload) -> None:
        if name == "ready":
            self._ready_info = payload
            self._ready.set()
        elif name == "end":
            with self._lock:
                self._playing = False
                self._ended = True
                self._duration = payload["duration_s"]
                self._hold = payload["duration_s"]
            cb = self.on_end
            if cb is not None:
                with contextlib.suppress(Exception):
                    cb(self._duration)
        elif name == "error":
            with self._lock:
                self._playing = False
            p = payload.get("problem") or {"what": "unknown audio error"}
            self._emit_error(PlayerError(Problem(**p), payload.get("position_s")))

    def _emit_error(self, err: PlayerError) -> None:
        cb = self.on_error
        if cb is not None:
            with contextlib.suppress(Exception):
                cb(err)
        else:
            print(f"rater audio error: {err}", file=sys.stderr)

    # -- public API ------------------------------------------------------------------------------
    @property
    def available(self) -> Problem | None:
        """None when sound output works; else the Problem explaining why not (waits for the
        engine to start)."""
        try:
            info = self._wait_ready()
        except RaterError as e:
            return e.problems[0]
        if not info.get("ok", False):
            return Problem(**info["problem"])
        if not info.get("devices"):
            return Problem(
                "no sound output device was found",
                "sound output",
                "connect speakers or headphones (or start the sound server), then refresh "
                "the device list; everything except playback keeps working",
            )
        return None

    @property
    def duration(self) -> float:
        """Length in seconds (header value; corrected at the end of an MP3 whose header was off)."""
        return self._duration

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def volume(self) -> float:
        return self._volume

    def open(self, path: str | os.PathLike, position: float = 0.0) -> AudioInfo:
        """Open a recording (paused at ``position``). Resets the listening record; volume and
        speed carry over from the previous recording."""
        info = probe(path)  # clear RaterError for a bad file, before touching the engine
        payload = self._call(
            "open",
            str(Path(path)),
            float(position),
            self.blocksize,
            self.latency,
            self.device,
            timeout=30,
        )
        with self._lock:
            self.info = info
            self._duration = info.duration_s
            self._records.clear()
            self._gen = self._first_gen = payload["gen"]
            self._pending = (payload["gen"], float(position), None)
            self._playing = False
            self._ended = False
            self._hold = float(position)
            self.listening = ListeningRecord()
            self._stream_latency = payload.get("stream_latency")
        if self._volume != 1.0:
            self._send("volume", self._volume)
        if self._speed != 1.0:  # the chosen speed carries over to the next recording
            gen = self._call("speed", self._speed, float(position))
            with self._lock:
                self._gen = gen
                self._pending = (gen, float(position), None)
                self._catch_up()
        return info

    def _require_open(self) -> None:
        if self.info is None:
            raise RaterError(Problem("no recording is open", "player", "open a recording first"))

    def play(self) -> None:
        self._require_open()
        if self._ended:
            self.seek(0.0)
        with self._lock:
            self._playing = True
            self._ended = False
        self._send("play")

    def pause(self) -> None:
        self._require_open()
        pos = self.position()
        with self._lock:
            self._playing = False
            self._hold = pos
        self._send("pause")

    def toggle(self) -> None:
        self.pause() if self._playing else self.play()

    def seek(self, seconds: float) -> None:
        """Jump to ``seconds`` (clamped to the recording). Audio from there is heard within a
        few tens of milliseconds; ``position()`` reports the target at once."""
        self._require_open()
        seconds = max(0.0, min(float(seconds), self._duration))
        t = time.monotonic()
        gen = self._call("seek", seconds)
        with self._lock:
            self._gen = gen
            self._pending = (gen, seconds, t)
            self._catch_up()
            self._hold = seconds
            self._ended = False

    def stop(self) -> None:
        """Pause and go back to the start."""
        self._require_open()
        gen = self._call("stop")
        with self._lock:
            self._gen = gen
            self._playing = False
            self._pending = (gen, 0.0, time.monotonic())
            self._catch_up()
            self._hold = 0.0
            self._ended = False

    def set_volume(self, volume: float) -> None:
        """0..1; ramped over one block (no clicks)."""
        self._volume = float(min(1.0, max(0.0, volume)))
        if self.info is not None:
            self._send("volume", self._volume)

    def set_speed(self, speed: float) -> None:
        """0.5..2.0, pitch preserved (Rubber Band R3); 1.0 plays the file bit-exact."""
        speed = check_speed(speed)
        if speed != 1.0:
            from .stretch import load_stretcher

            load_stretcher()  # clear error now if the stretcher is missing on this machine
        self._speed = speed
        if self.info is None:
            return
        pos = self.position()
        t = time.monotonic()
        gen = self._call("speed", speed, pos)
        with self._lock:
            self._gen = gen
            self._pending = (gen, pos, t)
            self._catch_up()
            self._hold = pos

    def position(self) -> float:
        """Seconds into the recording of the sample now at the output (stream clock)."""
        with self._lock:
            p = self._pending
            if p is not None:
                return p[1]
            if self._ended:  # the last block may still be on its way; the playhead shows the end
                return self._hold
            now = time.monotonic()
            for r in reversed(self._records):
                if r.gen != self._gen or r.dac > now:
                    continue
                if r.src_end <= r.src_start:
                    return r.src_start
                # extrapolate within the record, and at most 0.5 s beyond the last report
                return min(
                    r.src_start + (now - r.dac) * r.speed, r.src_end + 0.5 * r.speed, self._duration
                )
            return self._hold

    def set_device(self, device: str | None) -> None:
        """Switch output device (None = system default); playback continues where it was."""
        self.device = device
        if self.info is None:
            return
        pos = self.position()
        gen = self._call("set_device", device, pos)
        with self._lock:
            self._gen = gen
            self._pending = (gen, pos, time.monotonic())
            self._catch_up()

    def output_devices(self, refresh: bool = False) -> list:
        """Output devices as the engine sees them; ``refresh`` re-scans (PortAudio lists are
        fixed at initialisation)."""
        from .devices import OutputDevice

        return [OutputDevice.from_dict(d) for d in self._call("devices", refresh)]

    def refresh_devices(self) -> list:
        return self.output_devices(refresh=True)

    def stats(self) -> dict:
        """Diagnostics: underflows, starved callbacks, slowest callback (ms), open->first
        callback (s), stream latency, and the seek latencies measured (s)."""
        st = self._call("stats")
        with self._lock:
            st["seek_latencies"] = list(self._seek_latencies)
        if st.get("open_mono") is not None and st.get("first_callback_mono") is not None:
            st["open_to_first_callback_s"] = st["first_callback_mono"] - st["open_mono"]
        st["engine_pid"] = self._proc.pid if self._proc else None
        return st

    def close(self) -> None:
        """Close the recording and stop the engine process."""
        if self._closed:
            return
        self._closed = True
        self._ready.set()  # a call on another thread waiting for the engine gives up
        with self._reply_cv:
            self._reply_cv.notify_all()  # and so does one waiting for a reply
        conn, proc = self._conn, self._proc
        try:
            if conn is not None and self._dead is None:
                req = next(self._ids)
                conn.send((req, "quit", ()))
        except Exception:
            pass
        if proc is not None:
            try:
                proc.wait(3)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(2)
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
        self.info = None

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        with contextlib.suppress(Exception):
            self.close()


@atexit.register
def _close_all() -> None:
    for p in list(_live_players):
        with contextlib.suppress(Exception):
            p.close()
