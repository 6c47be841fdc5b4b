"""The engine's output half: the sound device (PortAudio, or ALSA directly where it can rewind:
see alsa_writer.py) and ``render``, which turns the next queued block into output at the
(ramped) gain. Mixed into ``engine.Engine``, whose state it shares."""

from __future__ import annotations

import contextlib
import os
import sys
import time

import numpy as np

from rater.core.errors import Problem

from .blocks import DATA, EOF, PORTAUDIO_FIX, EngineError, problem_dict
from .threads import name_os_thread, raise_thread_priority

DEVICE_RATES = (48000, 44100, 96000, 88200)  # tried in this order when a file's rate is not


class Output:
    def init_portaudio(self) -> dict:
        try:
            import sounddevice as sd
        except OSError as e:
            return {
                "ok": False,
                "problem": problem_dict(
                    Problem(f"sound output is unavailable: {e}", "PortAudio", PORTAUDIO_FIX)
                ),
            }
        self.sd = sd
        return {
            "ok": True,
            "portaudio": sd.get_portaudio_version()[1],
            "devices": self.list_devices(),
        }

    portaudio_rests = False

    def rest_portaudio(self) -> None:
        """While the ALSA output plays, PortAudio is shut down: under JACK its client would
        otherwise wake every period for nothing. It comes back when it is needed."""
        if self.sd is not None and not self.portaudio_rests and not hasattr(self.stream, "abort"):
            self.sd._terminate()
            self.portaudio_rests = True

    def wake_portaudio(self) -> None:
        if self.portaudio_rests:
            self.sd._initialize()
            self.portaudio_rests = False

    def list_devices(self) -> list[dict]:
        self.wake_portaudio()
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
        raise EngineError(
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
            raise EngineError(Problem("sound output is unavailable", "PortAudio", PORTAUDIO_FIX))
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
            self.rest_portaudio()
            return
        self.wake_portaudio()
        dev = self.resolve_device(self.device)
        if dev is None and not self.list_devices():
            raise EngineError(
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
            raise EngineError(
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
                "problem": problem_dict(Problem(
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
        if block.kind != DATA:  # end of file or decoding error: stop where the audio stopped
            outdata.fill(0.0)
            self.playing = False
            self.gain_now = 0.0
            if block.kind == EOF:  # told when the audio before it has been heard
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
