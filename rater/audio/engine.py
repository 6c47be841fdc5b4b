"""The audio engine process: decoder thread + PortAudio stream, driven by ``player.Player``.

Runs as ``python -m rater.audio.engine ADDRESS`` (or, in a frozen app, the app binary with
``--rater-audio-engine ADDRESS``; see ``maybe_run_engine``). It has its own interpreter and
GIL, so Python work in the app (UI, statistics, other threads) cannot delay the audio callback:
measured 0 underflows with two busy Python threads, against 47-219 in 15 s for the same stream
inside the app process (docs/decisions/0102-audio-player.md).

Inside: a decoder thread reads the file (``StreamingSource``), time-stretches when speed != 1,
cuts the output into blocks of exactly ``blocksize`` frames, each tagged with the source range
it plays, and keeps ~0.3 s of them in a deque. The PortAudio callback only pops one block,
applies the (ramped) gain and notes (generation, source range, DAC time, speed) in a record
deque. A reporter thread sends those records to the app every 25 ms; the app computes the
position from them and builds the listening record.

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
import traceback

import numpy as np

from rater.core.errors import Problem

from .resample import Resampler
from .source import SourceError, StreamingSource, to_stereo
from .threads import name_os_thread, raise_thread_priority

ENGINE_FLAG = "--rater-audio-engine"
KEY_ENV = "RATER_AUDIO_ENGINE_KEY"
PORTAUDIO_FIX = (
    "install the PortAudio library: sudo apt-get install libportaudio2 (Debian/Ubuntu), "
    "sudo dnf install portaudio (Fedora), sudo pacman -S portaudio (Arch)"
)
CRASH_FIX = (
    "check the sound configuration (e.g. ~/.asoundrc or ALSA_CONFIG_PATH) and that a sound server "
    "or card is present; everything except playback keeps working"
)

DEVICE_RATES = (48000, 44100, 96000, 88200)  # tried, in this order, when a file's rate is not
READ_FRAMES = 8192  # the decoder reads this much at a time (fewer wake-ups; ~1 ms of FLAC)

# Block kinds in the decoder queue
_DATA, _EOF, _ERROR = 0, 1, 2


class _Block:
    __slots__ = ("kind", "gen", "data", "src_start", "src_end", "message")

    def __init__(self, kind, gen, data=None, src_start=0.0, src_end=0.0, message=None):
        self.kind, self.gen, self.data = kind, gen, data
        self.src_start, self.src_end, self.message = src_start, src_end, message


def _problem_dict(p: Problem) -> dict:
    return {"what": p.what, "where": p.where, "fix": p.fix}


class Engine:
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

    # -- PortAudio ---------------------------------------------------------------------------
    def init_portaudio(self) -> dict:
        try:
            import sounddevice as sd
        except OSError as e:
            return {
                "ok": False,
                "problem": _problem_dict(
                    Problem(f"sound output is unavailable: {e}", "PortAudio", PORTAUDIO_FIX)
                ),
            }
        self.sd = sd
        return {
            "ok": True,
            "portaudio": sd.get_portaudio_version()[1],
            "devices": self.list_devices(),
        }

    def list_devices(self) -> list[dict]:
        sd = self.sd
        out = []
        try:
            try:
                default_out = sd.query_devices(kind="output")["index"]
            except Exception:
                default_out = -1
            for i, d in enumerate(sd.query_devices()):
                if d["max_output_channels"] <= 0:
                    continue
                api = sd.query_hostapis(d["hostapi"])["name"]
                out.append(
                    {
                        "index": i,
                        "name": d["name"],
                        "hostapi": api,
                        "channels": d["max_output_channels"],
                        "default_samplerate": d["default_samplerate"],
                        "is_default": i == default_out,
                    }
                )
        except Exception:
            pass
        return out

    def resolve_device(self, device):
        if device is None:
            return None
        if isinstance(device, int):
            return device
        for d in self.list_devices():
            if d["name"] == device or f"{d['hostapi']}: {d['name']}" == device:
                return d["index"]
        raise _EngineError(
            Problem(
                f"sound output device {device!r} not found",
                "settings",
                "choose another output device, or refresh the device list",
            )
        )

    def open_stream(self, reuse: bool = True) -> None:
        """Open (or keep) the output stream for the current rate and device. The stream keeps
        running between files: a PortAudio/ALSA open costs ~40-70 ms (JACK, PulseAudio)."""
        sd = self.sd
        if sd is None:
            raise _EngineError(Problem("sound output is unavailable", "PortAudio", PORTAUDIO_FIX))
        key = (self.device, self.sample_rate, self.blocksize, self.latency)
        s = self.stream
        if reuse and hasattr(s, "redo") and s.active and self.stream_key[::2] == key[::2]:
            self.stats["stream_reused"] = True  # the ALSA output plays every rate (resampled)
            self.stats["stream_latency"] = float(s.latency)
            return
        if reuse and s is not None and self.stream_key == key and s.active:
            self.stats["stream_reused"] = True
            self.stats["stream_latency"] = float(s.latency)
            return
        self.close_stream()
        if self._open_alsa_writer():
            self.stream_key = key
            return
        dev = self.resolve_device(self.device)
        if dev is None and not self.list_devices():
            raise _EngineError(
                Problem(
                    "no sound output device was found",
                    "sound output",
                    "connect speakers or headphones (or start the sound server), then refresh the "
                    "device list; "
                    "everything except playback keeps working",
                )
            )
        try:
            self.stream = sd.OutputStream(
                samplerate=self.sample_rate,
                channels=2,
                dtype="float32",
                blocksize=self.blocksize,
                latency=self.latency,
                device=dev,
                callback=self._callback,
            )
            self.stats["stream_latency"] = float(self.stream.latency)
            self._cb_priority_done = False
            self.stream.start()
            self.stream_key = key
        except Exception as e:
            self.stream = None
            self.stream_key = None
            raise _EngineError(
                Problem(
                    f"cannot open the sound output at {self.sample_rate} Hz ({e})",
                    "sound output",
                    "choose the 'default' output device (it converts sample rates), "
                    "or another device",
                )
            ) from e

    def _open_alsa_writer(self) -> bool:
        """The system's default output on Linux goes through ALSA directly, where it can rewind
        (see alsa_writer.py); PortAudio otherwise, or with RATER_AUDIO_OUTPUT=portaudio."""
        if (self.device is not None or not sys.platform.startswith("linux")
                or os.environ.get("RATER_AUDIO_OUTPUT") == "portaudio"):
            return False
        from .alsa_pcm import AlsaError
        from .alsa_writer import AlsaWriter

        problem = None
        for rate in dict.fromkeys((self.sample_rate, *DEVICE_RATES)):  # the file's rate first
            try:
                self.stream = AlsaWriter(self, rate)
            except (AlsaError, OSError) as e:
                problem = e
                continue
            self.stats["stream_latency"] = self.stream.latency
            return True
        self.stats["output_fallback"] = f"PortAudio ({problem})"
        return False

    @property
    def out_rate(self) -> int:
        """The rate the output plays at: the file's, unless the ALSA output converts it."""
        s = self.stream
        return s.rate if hasattr(s, "redo") else self.sample_rate

    def _redo_output(self) -> None:
        """Tell an output that can rewind that what must be heard has changed."""
        redo = getattr(self.stream, "redo", None)
        if redo is not None:
            redo()

    def close_stream(self) -> None:
        s, self.stream = self.stream, None
        self.stream_key = None
        if s is not None:
            with contextlib.suppress(Exception):
                if hasattr(s, "abort"):
                    s.abort()
                s.close()

    # -- the audio callback (keep it tiny) ----------------------------------------------------
    def _callback(self, outdata, frames, time_info, status):
        t0 = time.perf_counter()
        st = self.stats
        st["callbacks"] += 1
        if status.output_underflow:
            st["underflows"] += 1
        if not self._cb_priority_done:
            self._cb_priority_done = True
            st["priority"] = raise_thread_priority()
            name_os_thread("rater-callback")
        now = time.monotonic()
        dac = now + max(0.0, time_info.outputBufferDacTime - time_info.currentTime)
        self.records.append(self.render(outdata, frames, now, dac)[1])
        ms = (time.perf_counter() - t0) * 1000.0
        if ms > st["max_callback_ms"]:
            st["max_callback_ms"] = ms

    def render(self, outdata, frames, now, dac):
        """Fill one block of output: the next queued block at the (ramped) gain, or silence.
        Returns the block taken (or None) and its record (gen, source start, end, DAC time,
        speed). The work of the PortAudio callback, and of the ALSA writer."""
        try:
            return self._render(outdata, frames, now, dac)
        except BaseException as e:  # never let PortAudio swallow it (it would abort silently)
            outdata.fill(0.0)
            self.playing = False
            self.events.append(("error", {
                "problem": _problem_dict(Problem(
                    f"audio output failed: {type(e).__name__}: {e}", "audio output",
                    "try again; if it repeats, choose another output device and report the bug")),
                "position_s": self.hold_pos}))
            return None, (self.gen, self.hold_pos, self.hold_pos, dac, self.speed)

    def _render(self, outdata, frames, now, dac):
        st = self.stats
        fade, self.fade_out = self.fade_out, None
        if st["first_callback_mono"] is None:
            st["first_callback_mono"] = now
        gen = self.gen
        target = self.volume if self.playing else 0.0
        g0 = self.gain_now
        block = None
        if target > 0.0 or g0 > 0.0:
            q = self.queue
            while q:
                b = q.popleft()
                if b.gen >= gen:  # older generations were made obsolete by a seek
                    block = b
                    if b.gen != st["last_gen"]:
                        st["last_gen"] = b.gen
                        st["gen_first"] = (b.gen, now, dac - now)
                    gen = b.gen
                    break
            if block is None and self.playing:
                st["starved"] += 1
        if block is None:
            outdata.fill(0.0)
            self.gain_now = 0.0
            return None, (gen, self.hold_pos, self.hold_pos, dac, self.speed)
        if block.kind != _DATA:  # end of file or decoding error: stop where the audio stopped
            outdata.fill(0.0)
            self.playing = False
            self.gain_now = 0.0
            if block.kind == _EOF:  # told when the audio before it has been heard
                self.due_events.append((dac, "end", {"duration_s": block.src_end, "dac": dac}))
            else:
                self.due_events.append((dac, "error", block.message))
            self.report_now.set()  # the reporter times its message
            return block, (gen, self.hold_pos, self.hold_pos, dac, self.speed)
        data = block.data
        if g0 == target:
            if target == 1.0:
                outdata[:] = data
            else:
                np.multiply(data, np.float32(target), out=outdata)
        else:
            ramp = np.linspace(g0, target, frames, dtype=np.float32)[:, None]
            np.multiply(data, ramp, out=outdata)
        if fade is not None:  # a seek: cross-fade from the audio it cut off (no click)
            up = np.linspace(0.0, 1.0, frames, dtype=np.float32)[:, None]
            outdata *= up
            outdata += fade * (1.0 - up)
        self.gain_now = target
        self.hold_pos = block.src_end
        if st["first_audio_mono"] is None:
            st["first_audio_mono"] = now
        return block, (gen, block.src_start, block.src_end, dac, self.speed)

    # -- decoder thread ------------------------------------------------------------------------
    def _decode(self, path, opened: dict, ready: threading.Event) -> None:
        name_os_thread("rater-decoder")
        try:
            src = StreamingSource(path)
        except Exception as e:
            opened["error"] = e
            ready.set()
            return
        opened["info"] = src.info
        ready.set()
        sr = src.sample_rate
        bs = self.blocksize
        read_n = max(bs * 2, READ_FRAMES)
        buf = np.zeros((read_n, src.channels), dtype=np.float32)
        stereo = np.zeros((read_n, 2), dtype=np.float32)
        acc = np.zeros((0, 2), dtype=np.float32)
        stretcher = resampler = None
        out_sr = sr
        gen, speed, seg_start, out_count, eof = -1, 1.0, 0.0, 0, True
        target_blocks = max(4, int(self.QUEUE_SECONDS * sr / bs))
        low_water = target_blocks // 2  # refill in bursts: fewer wake-ups
        refilling = True
        self._staged = None
        try:
            while not self.dec_stop:
                ps = self.pending_seek
                if ps is not None:
                    self.pending_seek = None
                    seconds, gen, speed = ps
                    frame = src.seek(int(round(seconds * sr)))
                    seg_start, out_count, eof = frame / sr, 0, False
                    acc = np.zeros((0, 2), dtype=np.float32)
                    out_sr = self.out_rate
                    resampler = Resampler(sr, out_sr) if out_sr != sr else None
                    if speed != 1.0:
                        if stretcher is None:
                            from .stretch import TimeStretcher

                            stretcher = TimeStretcher(sr, 2, max_block=read_n)
                        stretcher.reset()
                    # Staged: the old audio keeps playing until the first new blocks are ready,
                    # then _push switches over in one step (no silent block in between).
                    self._staged = (gen, seg_start, [])
                if self._staged is None and (eof or len(self.queue) >= low_water):
                    if eof or len(self.queue) >= target_blocks:
                        refilling = False
                    if eof or not refilling:
                        # sleep until the queue is down to the low-water mark (or a command)
                        spare = len(self.queue) - low_water + 1
                        self.dec_wake.wait(max(0.005, spare * bs / out_sr))
                        self.dec_wake.clear()
                        continue
                refilling = True
                data = src.read(read_n, out=buf)
                last = len(data) < read_n
                y = to_stereo(data, stereo)
                if speed != 1.0:
                    y = stretcher.process(y, speed)
                    if last:
                        y = np.concatenate([y, stretcher.flush()])
                if resampler is not None:
                    y = resampler.process(y, last)
                acc = np.concatenate([acc, y]) if len(acc) else y.copy()
                true_end = src.tell() / sr if last else None
                while len(acc) >= bs or (last and len(acc)):
                    chunk = acc[:bs]
                    if len(chunk) < bs:
                        chunk = np.concatenate([chunk, np.zeros((bs - len(chunk), 2), np.float32)])
                    a = seg_start + out_count * speed / out_sr
                    b = seg_start + (out_count + min(bs, len(acc))) * speed / out_sr
                    if true_end is not None:
                        a, b = min(a, true_end), min(b, true_end)
                    self._push(_Block(_DATA, gen, np.ascontiguousarray(chunk), a, b), gen)
                    out_count += min(bs, len(acc))
                    acc = acc[bs:]
                if last:
                    eof = True
                    try:
                        src.check_complete()
                        self._push(_Block(_EOF, gen, src_start=true_end, src_end=true_end), gen)
                    except SourceError as e:
                        self._push(
                            _Block(
                                _ERROR,
                                gen,
                                message={
                                    "problem": _problem_dict(e.problems[0]),
                                    "position_s": e.position_s,
                                },
                            ),
                            gen,
                        )
        except SourceError as e:
            self._push(
                _Block(
                    _ERROR,
                    gen,
                    message={"problem": _problem_dict(e.problems[0]), "position_s": e.position_s},
                ),
                gen,
            )
        except Exception as e:
            self.events.append(
                (
                    "error",
                    {
                        "problem": _problem_dict(
                            Problem(
                                f"audio decoding failed: {type(e).__name__}: {e}",
                                path,
                                "the file may be damaged; if it plays elsewhere, report the bug",
                            )
                        ),
                        "position_s": self.hold_pos,
                        "trace": traceback.format_exc(),
                    },
                )
            )
        finally:
            src.close()
            if stretcher is not None:
                stretcher.close()

    def _push(self, block, gen) -> None:
        if gen != self.req_gen:
            return  # a newer seek is on its way
        st = self._staged
        if st is not None and st[0] == gen:
            st[2].append(block)
            if len(st[2]) >= 2 or block.kind != _DATA:
                self._staged = None
                self._fade_from_next_block()
                self.queue.extendleft(reversed(st[2]))  # one C call: atomic for the callback
                self.gen = gen
                self.stats["seek_switch"] = time.monotonic()
                self._redo_output()
                self.hold_pos = st[1]
                q = self.queue  # purge what the switch made obsolete
                while len(q) > len(st[2]) and q[-1].gen < gen:
                    q.pop()
        else:
            self.queue.append(block)

    def _fade_from_next_block(self) -> None:
        """Behind PortAudio, a seek cross-fades from the block that would have played next (the
        ALSA writer takes the exact one from what it rewinds)."""
        q = self.queue
        nxt = q[0] if q else None
        if (nxt is not None and nxt.kind == _DATA and self.gain_now > 0.0
                and not hasattr(self.stream, "redo")):
            self.fade_out = nxt.data * np.float32(self.gain_now)

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
                        "problem": _problem_dict(
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
            raise _EngineError(e.problems[0] if hasattr(e, "problems") else Problem(str(e), path))
        info = opened["info"]
        self.info = info
        self.sample_rate = info.sample_rate
        self.path = path
        try:
            self.open_stream()
        except _EngineError:
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
            self.sd._terminate()
            self.sd._initialize()
            if had:
                self.open_stream()
        return self.list_devices()

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
            except _EngineError:
                pass
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
                except _EngineError as e:
                    self.send(("reply", req_id, False, _problem_dict(e.problem)))
                except Exception as e:
                    self.send(
                        (
                            "reply",
                            req_id,
                            False,
                            _problem_dict(
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
            if self.sd is not None:
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


class _EngineError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


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
