"""The audio engine process, driven by ``player.Player``: commands, the reporter, the process.

Runs as ``python -m rater.audio.engine ADDRESS`` (or, in a frozen app, the app binary with
``--rater-audio-engine ADDRESS``; see ``maybe_run_engine``). It has its own interpreter and
GIL, so Python work in the app (UI, statistics, other threads) cannot delay the audio output:
measured 0 underflows with two busy Python threads, against 47-219 in 15 s for the same stream
inside the app process (docs/decisions/0102-audio-player.md).

Inside: a decoder thread (``decoding.py``) keeps blocks of exactly ``blocksize`` frames ready,
each tagged with the source range it plays; the output (``output.py``: PortAudio's callback,
or on Linux's default device the rewinding ALSA writer, ``alsa_writer.py``) renders them at the
(ramped) gain and notes (generation, source range, DAC time, speed) in a record deque. A
reporter thread sends those records to the app (coalesced; every 25 ms behind PortAudio, every
250 ms or at a seek behind ALSA); the app computes the position from them and builds the
listening record. docs/decisions/1804-alsa-output-with-rewind.md explains the ALSA path.

Protocol (pickled tuples over a multiprocessing Connection):
  app -> engine: (req_id, command, args)
  engine -> app: ("reply", req_id, ok, payload) | ("event", name, payload) | ("blocks", [records])
"""

from __future__ import annotations

import collections
import contextlib
import os
import sys
import threading
import time

from rater.core.errors import Problem

from .blocks import EngineError, problem_dict
from .decoding import Decoding
from .output import Output
from .threads import name_os_thread

ENGINE_FLAG = "--rater-audio-engine"
KEY_ENV = "RATER_AUDIO_ENGINE_KEY"
CRASH_FIX = (
    "check the sound configuration (e.g. ~/.asoundrc or ALSA_CONFIG_PATH) and that a sound server "
    "or card is present; everything except playback keeps working"
)



class Engine(Output, Decoding):
    QUEUE_SECONDS = 0.6  # decoded audio kept ready; refilled in bursts of half of it

    def __init__(self, conn):
        self.conn = conn
        self.send_lock = threading.Lock()
        self.sd = None
        self.stream = None
        self.device = None  # name or None (default)
        self.blocksize = 512  # the prewarmed stream matches the player's default
        self.latency = 0.025
        # playback state shared with the callback (plain attributes: atomic under the GIL)
        self.gen = 0  # generation now playing (the callback plays blocks of this gen or newer)
        self.req_gen = 0  # latest generation requested (seek/speed/open)
        self.playing = False
        self.volume = 1.0
        self.gain_now = 0.0
        self.speed = 1.0
        self.hold_pos = 0.0
        self.queue: collections.deque = collections.deque()
        self.records: collections.deque = collections.deque()
        self.events: collections.deque = collections.deque()
        self.due_events: collections.deque = collections.deque()  # (DAC time, name, payload)
        self.report_now = threading.Event()
        self.fade_out = None  # audio a rewind cut off, cross-faded into the next block
        # decoder
        self.path = None
        self.sample_rate = 44100
        self.decoder = None
        self.dec_wake = threading.Event()
        self.dec_stop = False
        self.pending_seek = None  # (seconds, gen, speed)
        self.info = None
        # stats
        self.stats = self._fresh_stats()
        self.reporter_stop = False
        self._cb_priority_done = False
        self.stream_key = None  # (device, sample_rate, blocksize, latency) of the open stream
        self.prewarm_rate = 44100

    @staticmethod
    def _fresh_stats() -> dict:
        return {
            "underflows": 0,
            "starved": 0,
            "callbacks": 0,
            "max_callback_ms": 0.0,
            "open_mono": None,
            "first_callback_mono": None,
            "first_audio_mono": None,
            "stream_latency": None,
            "stream_reused": False,
            "priority": None,
            "last_gen": -1,
            "gen_first": None,
            "seek_cmd": None,
            "seek_switch": None,
        }

    # -- messaging -------------------------------------------------------------------------
    def send(self, msg) -> None:
        with self.send_lock, contextlib.suppress(OSError, EOFError, BrokenPipeError):
            self.conn.send(msg)

    def event(self, name, payload=None) -> None:
        self.send(("event", name, payload))

    # -- reporter thread ----------------------------------------------------------------------
    def _report(self) -> None:
        """Send what was played and the events to the app: every 25 ms behind PortAudio, every
        250 ms (or at once when a seek's first block is about to be heard) behind the ALSA
        writer, whose records already wait until their audio is due."""
        name_os_thread("rater-reporter")
        last_hold = None
        while not self.reporter_stop:
            wait = 0.25 if hasattr(self.stream, "redo") else 0.025
            if self.due_events:  # an end or an error to tell when its moment comes
                wait = min(wait, max(0.0, self.due_events[0][0] - time.monotonic()))
            self.report_now.wait(wait)
            self.report_now.clear()
            release = getattr(self.stream, "release_due", None)
            if release is not None:
                release(time.monotonic())
            out, last_hold = _coalesce(self.records, last_hold)
            if out:
                self.send(("blocks", out))
            due = self.due_events
            while due and due[0][0] <= time.monotonic():
                self.events.append(due.popleft()[1:])
            ev = self.events
            while ev:
                name, payload = ev.popleft()
                self.event(name, payload)
            s = self.stream
            if (
                s is not None
                and self.path is not None
                and not s.active
                and not s.closed
                and self.stream is s
            ):
                self.event(
                    "error",
                    {
                        "problem": problem_dict(
                            Problem(
                                "the sound output stopped (device unplugged? sound server gone?)",
                                "sound output",
                                "choose an output device again (refresh the device list)",
                            )
                        ),
                        "position_s": self.hold_pos,
                    },
                )
                self.close_stream()

    # -- commands ---------------------------------------------------------------------------------
    def _seek(self, seconds, speed=None) -> None:
        self.req_gen += 1
        if speed is not None:
            self.speed = speed
        seconds = max(0.0, float(seconds))
        self.pending_seek = (seconds, self.req_gen, self.speed)
        self.dec_wake.set()

    def _stop_decoder(self) -> None:
        if self.decoder is not None:
            self.dec_stop = True
            self.dec_wake.set()
            self.decoder.join(5)
            self.decoder = None
        self.dec_stop = False
        self.queue.clear()

    def _fade_to_silence(self) -> None:
        """Stop playing with the gain ramped down (no click), before the queue is emptied."""
        self.playing = False
        if self.gain_now == 0.0 or self.stream is None:
            return
        self._redo_output()
        end = time.monotonic() + 0.1
        while self.gain_now > 0.0 and time.monotonic() < end:
            time.sleep(0.002)

    def cmd_open(self, path, position=0.0, blocksize=None, latency=None, device="__keep__"):
        self._fade_to_silence()
        self._stop_decoder()
        self.path = None
        if blocksize:
            self.blocksize = int(blocksize)
        if latency is not None:
            self.latency = latency
        if device != "__keep__":
            self.device = device
        prio = self.stats.get("priority")
        self.stats = self._fresh_stats()
        self.stats["priority"] = prio
        self.stats["open_mono"] = time.monotonic()
        opened, ready = {}, threading.Event()
        self.req_gen += 1
        self.gen = self.req_gen
        self.hold_pos = float(position)
        self.speed = 1.0
        self.decoder = threading.Thread(
            target=self._decode, args=(path, opened, ready), name="rater-audio-decoder", daemon=True
        )
        self.decoder.start()
        ready.wait(30)
        if "error" in opened:
            self.decoder.join(1)
            self.decoder = None
            e = opened["error"]
            raise EngineError(e.problems[0] if hasattr(e, "problems") else Problem(str(e), path))
        info = opened["info"]
        self.info = info
        self.sample_rate = info.sample_rate
        self.path = path
        try:
            self.open_stream()
        except EngineError:
            self._stop_decoder()
            self.path = None
            raise
        self._seek(position, 1.0)  # after the output is chosen: the decoder converts to its rate
        return {
            "info": info.__dict__,
            "stream_latency": self.stats["stream_latency"],
            "gen": self.req_gen,
        }

    def cmd_play(self):
        self.playing = True
        self._redo_output()

    def cmd_pause(self):
        self.playing = False
        self._redo_output()

    def cmd_seek(self, seconds):
        self.stats["seek_cmd"] = time.monotonic()
        self._seek(seconds)
        return self.req_gen

    def cmd_speed(self, speed, position):
        self._seek(position, float(speed))
        return self.req_gen

    def cmd_volume(self, volume):
        self.volume = float(min(1.0, max(0.0, volume)))
        self._redo_output()

    def cmd_stop(self):
        self.playing = False
        self._seek(0.0)
        return self.req_gen

    def cmd_close(self):
        self._fade_to_silence()
        self._stop_decoder()
        self.close_stream()
        self.path = None

    def cmd_set_device(self, device, position):
        self.device = device
        if self.path is not None:
            was = self.playing
            self.playing = False
            self.open_stream(reuse=False)
            self._seek(position)
            self.playing = was
        return self.req_gen

    def cmd_devices(self, refresh=False):
        if self.sd is None:
            info = self.init_portaudio()
            if not info["ok"]:
                return []
        if refresh:
            had = self.path is not None
            self.close_stream()
            self.wake_portaudio()
            self.sd._terminate()
            self.sd._initialize()
            if had:
                self.open_stream()
        devices = self.list_devices()
        if hasattr(self.stream, "redo"):
            self.rest_portaudio()
        return devices

    def cmd_stats(self):
        st = dict(self.stats)
        st["queue_blocks"] = len(self.queue)
        return st

    def run(self) -> None:
        ready = self.init_portaudio()
        self.event("ready", ready)
        if ready.get("ok") and ready.get("devices") and self.prewarm_rate:
            try:  # open the output now, so the first recording starts without the open cost
                self.sample_rate = self.prewarm_rate
                self.open_stream()
            except EngineError:
                pass
        if hasattr(self.stream, "redo"):
            self.rest_portaudio()
        rep = threading.Thread(target=self._report, name="rater-audio-reporter", daemon=True)
        rep.start()
        try:
            while True:
                try:
                    req_id, cmd, args = self.conn.recv()
                except (EOFError, OSError):
                    break
                if cmd == "quit":
                    self.send(("reply", req_id, True, None))
                    break
                try:
                    result = getattr(self, "cmd_" + cmd)(*args)
                    self.send(("reply", req_id, True, result))
                except EngineError as e:
                    self.send(("reply", req_id, False, problem_dict(e.problem)))
                except Exception as e:
                    self.send(
                        (
                            "reply",
                            req_id,
                            False,
                            problem_dict(
                                Problem(
                                    f"audio engine error in {cmd}: {type(e).__name__}: {e}",
                                    "audio engine",
                                    "try again; if it repeats, report the bug",
                                )
                            ),
                        )
                    )
        finally:
            self._fade_to_silence()
            self.reporter_stop = True
            self._stop_decoder()
            self.close_stream()
            if self.sd is not None and not self.portaudio_rests:
                # before the JACK server can go away: avoids pa_jack's abort at exit
                with contextlib.suppress(Exception):
                    self.sd._terminate()


def _coalesce(records: collections.deque, last_hold):
    """Take the records waiting in ``records``: one record for a run of blocks that play one
    after another (same generation and speed, contiguous in the source and in time), holds only
    when they change. Fewer, larger messages: the app extrapolates within a record."""
    out: list[tuple] = []
    while records:
        r = records.popleft()
        if r[1] == r[2]:  # holding: report only changes
            if (r[0], r[1]) == last_hold:
                continue
            last_hold = (r[0], r[1])
            out.append(r)
            continue
        last_hold = None
        if out:
            g, a, b, dac, speed = out[-1]
            if (g == r[0] and speed == r[4] and b > a and abs(r[1] - b) < 1e-9
                    and abs(r[3] - (dac + (b - a) / speed)) < 0.002):
                out[-1] = (g, a, r[2], dac, speed)
                continue
        out.append(r)
    return out, last_hold


def main(argv: list[str] | None = None) -> int:
    from multiprocessing.connection import Client

    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == ENGINE_FLAG:
        argv = argv[1:]
    if argv and argv[0] == "--list-devices":
        import json

        eng = Engine(None)
        info = eng.init_portaudio()
        print(json.dumps(info))
        if eng.sd is not None:
            eng.sd._terminate()
        return 0
    address = argv[0]
    key = bytes.fromhex(os.environ.pop(KEY_ENV, ""))
    conn = Client(address, authkey=key)
    try:
        Engine(conn).run()
    finally:
        conn.close()
    return 0


def maybe_run_engine() -> None:
    """Call first thing in a frozen app's entry point: if this process was started as the audio
    engine (``--rater-audio-engine``), run it and exit."""
    if len(sys.argv) > 1 and sys.argv[1] == ENGINE_FLAG:
        sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    sys.exit(main())
