"""Recorder: practice interviews from an input device to FLAC, with a level meter.

    rec = Recorder("practice.flac", device=None, sample_rate=44100, channels=1)
    rec.start()
    rec.level()        # Level(peak_dbfs, rms_dbfs, clipped) of the last ~50 ms: poll it (~20 Hz)
    rec.elapsed_s()
    rec.pause(); rec.resume()  # while paused the meter still moves; nothing is written
    info = rec.stop()  # AudioInfo of the finished file

Crash safety: the file is FLAC from the first second on, and it is flushed to disk every
second. If the app dies mid-recording, the file plays up to the last second (its header
then says "length unknown"; ``StreamingSource``/``probe`` count the frames, and
``recover(path)`` rewrites it with a proper header). While recording, a marker file
``<name>.recording`` exists next to it; ``unfinished(folder)`` lists recordings whose marker is
still there (the app can offer to recover them at start-up).

The PortAudio input callback only copies the block, measures it and queues it; a writer thread
encodes and writes. sounddevice is imported only when recording starts.
"""

from __future__ import annotations

import math
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from rater.core.errors import Problem, RaterError

from .blocks import PORTAUDIO_FIX
from .source import AudioInfo, StreamingSource, probe

FLUSH_EVERY_S = 1.0
MARKER_SUFFIX = ".recording"


@dataclass(frozen=True)
class Level:
    peak_dbfs: float  # -inf for digital silence
    rms_dbfs: float
    clipped: bool  # a sample reached full scale since the last call


def _db(x: float) -> float:
    return 20 * math.log10(x) if x > 0 else float("-inf")


class Recorder:
    def __init__(
        self,
        path: str | os.PathLike,
        *,
        device: str | int | None = None,
        sample_rate: int = 44100,
        channels: int = 1,
        subtype: str = "PCM_16",
    ):
        self.path = Path(path)
        self.device = device
        self.sample_rate = int(sample_rate)
        self.channels = int(channels)
        self.subtype = subtype
        self.overflows = 0
        self.error: RaterError | None = None
        self._q: queue.Queue = queue.Queue()
        self._peak = 0.0
        self._rms = 0.0
        self._clipped = False
        self._frames = 0
        self._stream = None
        self._writer: threading.Thread | None = None
        self._running = False
        self._paused = False
        self._file: sf.SoundFile | None = None

    @property
    def marker(self) -> Path:
        return self.path.with_name(self.path.name + MARKER_SUFFIX)

    def start(self) -> None:
        if self._running:
            return
        if self.path.suffix.lower() != ".flac":
            raise RaterError(
                Problem("recordings are saved as FLAC", str(self.path), "name the file *.flac")
            )
        if self.path.exists():
            raise RaterError(
                Problem(
                    "a file with this name exists already",
                    str(self.path),
                    "choose another name; recordings never overwrite files",
                )
            )
        if not self.path.parent.is_dir():
            raise RaterError(
                Problem("the folder does not exist", str(self.path.parent), "create it first")
            )
        try:
            import sounddevice as sd
        except OSError as e:
            raise RaterError(
                Problem(f"sound input is unavailable: {e}", "PortAudio", PORTAUDIO_FIX)
            ) from e
        self.marker.write_text(f"recording started {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        self._file = sf.SoundFile(
            self.path, "w", self.sample_rate, self.channels, format="FLAC", subtype=self.subtype
        )
        try:
            self._stream = sd.InputStream(
                samplerate=self.sample_rate,
                channels=self.channels,
                dtype="float32",
                device=self.device,
                latency="high",
                callback=self._callback,
            )
        except Exception as e:
            self._file.close()
            self.path.unlink(missing_ok=True)
            self.marker.unlink(missing_ok=True)
            raise RaterError(
                Problem(
                    f"cannot record from the input device ({e})",
                    "sound input",
                    "connect a microphone, or choose another input device",
                )
            ) from e
        self._running = True
        self._writer = threading.Thread(
            target=self._write_loop, name="rater-recorder-writer", daemon=True
        )
        self._writer.start()
        self._stream.start()

    def _callback(self, indata, frames, time_info, status) -> None:
        try:
            if status.input_overflow:
                self.overflows += 1
            block = indata.copy()
            if not self._paused:
                self._q.put_nowait(block)
            a = np.abs(block)
            peak = float(a.max()) if len(a) else 0.0
            self._peak = max(self._peak, peak)
            self._rms = float(np.sqrt(np.mean(block.astype(np.float64) ** 2))) if len(a) else 0.0
            if peak >= 0.999:
                self._clipped = True
        except BaseException as e:  # never let PortAudio abort silently
            self._q.put_nowait(e)

    def _write_loop(self) -> None:
        f = self._file
        last_flush = time.monotonic()
        try:
            while True:
                item = self._q.get()
                if item is None:
                    break
                if isinstance(item, BaseException):
                    raise item
                f.write(item)
                self._frames += len(item)
                if time.monotonic() - last_flush >= FLUSH_EVERY_S:
                    f.flush()  # sf_write_sync: data (and, for FLAC, all whole frames) to disk
                    last_flush = time.monotonic()
        except BaseException as e:
            self.error = RaterError(
                Problem(
                    f"recording failed: {type(e).__name__}: {e}",
                    str(self.path),
                    "check the disk space and the input device; what was recorded so far is kept",
                )
            )
            self._running = False

    def level(self) -> Level:
        """Peak since the last call and RMS of the last block, in dBFS."""
        peak, self._peak = self._peak, 0.0
        clipped, self._clipped = self._clipped, False
        return Level(_db(peak), _db(self._rms), clipped)

    def pause(self) -> None:
        """Stop writing (the stream keeps running, so resuming is instant and the meter moves)."""
        self._paused = True

    def resume(self) -> None:
        self._paused = False

    @property
    def paused(self) -> bool:
        return self._paused

    def elapsed_s(self) -> float:
        return self._frames / self.sample_rate

    @property
    def recording(self) -> bool:
        return self._running

    def stop(self) -> AudioInfo:
        """Stop, finish the FLAC header, remove the marker, and describe the file."""
        s, self._stream = self._stream, None
        if s is not None:
            try:
                s.stop()
                s.close()
            except Exception:
                pass
        if self._writer is not None:
            self._q.put(None)
            self._writer.join(10)
            self._writer = None
        if self._file is not None:
            self._file.close()
            self._file = None
        self._running = False
        self.marker.unlink(missing_ok=True)
        if self.error is not None:
            raise self.error
        return probe(self.path)


def input_devices() -> list[tuple[str, bool]]:
    """(name, is the default) of every device that can record, as PortAudio sees them now.
    Loads PortAudio into this process (recording needs it here anyway): call off the UI
    thread."""
    try:
        import sounddevice as sd
    except OSError as e:
        raise RaterError(
            Problem(f"sound input is unavailable: {e}", "PortAudio", PORTAUDIO_FIX)
        ) from e
    default = sd.default.device[0]
    return [(d["name"], i == default) for i, d in enumerate(sd.query_devices())
            if d["max_input_channels"] > 0]


def unfinished(folder: str | os.PathLike) -> list[Path]:
    """Recordings in ``folder`` that were not stopped cleanly (their marker file remains)."""
    out = []
    for m in Path(folder).glob("*" + MARKER_SUFFIX):
        p = m.with_name(m.name[: -len(MARKER_SUFFIX)])
        if p.exists():
            out.append(p)
    return sorted(out)


def recover(path: str | os.PathLike) -> AudioInfo:
    """Rewrite an interrupted recording with a proper header (all decodable audio kept), then
    remove its marker. Atomic: the original stays until the repaired copy is complete."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.recovering.flac")
    with (
        StreamingSource(p) as src,
        sf.SoundFile(
            tmp, "w", src.sample_rate, src.channels, format="FLAC", subtype="PCM_16"
        ) as out,
    ):
        buf = np.zeros((1 << 16, src.channels), np.float32)
        while True:
            try:
                got = src.read(len(buf), out=buf)
            except RaterError:
                break  # keep everything before the damage
            out.write(got)
            if len(got) < len(buf):
                break
    os.replace(tmp, p)
    p.with_name(p.name + MARKER_SUFFIX).unlink(missing_ok=True)
    return probe(p)
