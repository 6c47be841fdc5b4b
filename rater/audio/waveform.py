"""Waveform overview: min/max peaks in one streaming pass, cached on disk.

    job = WaveformJob(path, checksum=rec.sha256, on_progress=..., on_done=..., on_error=...)
    job.start()                       # worker thread(s), lower priority than playback
    peaks = job.wait()                # or wait for on_done
    mins, maxs = peaks.overview(width=1600, start_s=0, end_s=None)   # any zoom, < 1 ms

One pass reads the file in large blocks (int16 for PCM formats, float32 for MP3/Vorbis/Opus, the
faster decode for each) and keeps the min and max of every 256 frames over all channels, as
int16: 30 minutes at 44.1 kHz is 1.2 MB. The file is split into contiguous ranges read by
``threads`` workers, each with its own SoundFile (libsndfile releases the GIL). Partial results
are delivered every ~0.2 s (bins not yet computed are 0). The result is cached as ``.npz`` under
the user cache folder, keyed by the recording's checksum when the caller knows it (the import
service does), else by path + size + modification time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rater.core.errors import Problem, RaterError

from .source import StreamingSource, probe

FRAMES_PER_BIN = 256
_READ_BINS = 1024  # bins per read: 262144 frames
_FLOAT_FORMATS = {"MP3", "MPEG", "OGG"}
CACHE_VERSION = 1


@dataclass
class Peaks:
    mins: np.ndarray  # int16, one per FRAMES_PER_BIN frames (min over all channels)
    maxs: np.ndarray
    sample_rate: int
    frames: int
    frames_per_bin: int = FRAMES_PER_BIN

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate

    def overview(
        self, width: int, start_s: float = 0.0, end_s: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(mins, maxs) as float32 in -1..1, ``width`` columns covering start_s..end_s.
        Zooming in past one bin per column repeats bins (the cache holds 256-frame bins)."""
        n = len(self.mins)
        if width <= 0 or n == 0:
            return np.zeros(0, np.float32), np.zeros(0, np.float32)
        end_s = self.duration_s if end_s is None else end_s
        b0 = int(max(0, min(n, start_s * self.sample_rate / self.frames_per_bin)))
        b1 = int(max(b0 + 1, min(n, np.ceil(end_s * self.sample_rate / self.frames_per_bin))))
        edges = np.linspace(b0, b1, width + 1).astype(np.int64)
        starts = np.minimum(edges[:-1], b1 - 1)
        if b1 - b0 >= width:
            lo = np.minimum.reduceat(self.mins[b0:b1], starts - b0)
            hi = np.maximum.reduceat(self.maxs[b0:b1], starts - b0)
        else:
            lo, hi = self.mins[starts], self.maxs[starts]
        return lo.astype(np.float32) / 32767.0, hi.astype(np.float32) / 32767.0


# ---------------------------------------------------------------------------------------------
# Cache
# ---------------------------------------------------------------------------------------------
def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("rater")) / "waveforms"


def cache_key(path: str | os.PathLike, checksum: str | None = None) -> str:
    if checksum:
        return f"v{CACHE_VERSION}-sum-{checksum}"
    st = os.stat(path)
    raw = f"{Path(path).resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()
    return f"v{CACHE_VERSION}-stat-{hashlib.sha256(raw).hexdigest()[:32]}"


def load_cached(path, checksum: str | None = None, cache_dir: Path | None = None) -> Peaks | None:
    f = (cache_dir or default_cache_dir()) / (cache_key(path, checksum) + ".npz")
    try:
        with np.load(f) as z:
            return Peaks(
                z["mins"],
                z["maxs"],
                int(z["sample_rate"]),
                int(z["frames"]),
                int(z["frames_per_bin"]),
            )
    except (OSError, KeyError, ValueError):
        return None


def save_cached(
    peaks: Peaks, path, checksum: str | None = None, cache_dir: Path | None = None
) -> Path:
    d = cache_dir or default_cache_dir()
    d.mkdir(parents=True, exist_ok=True)
    f = d / (cache_key(path, checksum) + ".npz")
    fd, tmp = tempfile.mkstemp(dir=d, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(
                out,
                mins=peaks.mins,
                maxs=peaks.maxs,
                sample_rate=peaks.sample_rate,
                frames=peaks.frames,
                frames_per_bin=peaks.frames_per_bin,
            )
        os.replace(tmp, f)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return f


# ---------------------------------------------------------------------------------------------
# Computation
# ---------------------------------------------------------------------------------------------
def _lower_thread_priority() -> None:
    with contextlib.suppress(AttributeError, OSError):  # Linux: per-thread nice; else no-op
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


class WaveformJob:
    """Computes the peaks of one recording in worker threads (or loads them from the cache).

    Callbacks run on a worker thread: ``on_progress(peaks, fraction)`` about every 0.2 s with
    the partial result, ``on_done(peaks)``, ``on_error(RaterError)``.
    """

    def __init__(
        self,
        path,
        *,
        checksum: str | None = None,
        cache_dir: Path | None = None,
        threads: int | None = None,
        on_progress: Callable[[Peaks, float], None] | None = None,
        on_done: Callable[[Peaks], None] | None = None,
        on_error: Callable[[RaterError], None] | None = None,
    ):
        self.path = str(path)
        self.checksum = checksum
        self.cache_dir = cache_dir
        self.threads = threads or min(2, os.cpu_count() or 1)
        self.on_progress, self.on_done, self.on_error = on_progress, on_done, on_error
        self.result: Peaks | None = None
        self.error: RaterError | None = None
        self.from_cache = False
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> WaveformJob:
        self._thread = threading.Thread(target=self._run, name="rater-waveform", daemon=True)
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> Peaks:
        if not self._done.wait(timeout):
            raise TimeoutError("waveform not ready")
        if self.error is not None:
            raise self.error
        return self.result

    def run(self) -> Peaks:
        """Compute in the calling thread (for scripts and tests)."""
        self._run()
        return self.wait(0)

    def _run(self) -> None:
        # A shared study's file still arriving (decision 1705) is renamed when complete: its
        # peaks are not cached under the passing name (the finished file's are, next time).
        cacheable = not self.path.endswith(".part")
        try:
            cached = load_cached(self.path, self.checksum, self.cache_dir) if cacheable else None
            if cached is not None:
                self.from_cache = True
                self.result = cached
            else:
                self.result = self._compute()
                if self.result is not None and cacheable:
                    save_cached(self.result, self.path, self.checksum, self.cache_dir)
            if self.result is not None and self.on_done:
                self.on_done(self.result)
        except RaterError as e:
            self.error = e
            if self.on_error:
                self.on_error(e)
        except Exception as e:
            self.error = RaterError(
                Problem(
                    f"cannot draw the waveform: {type(e).__name__}: {e}",
                    self.path,
                    "the file may be damaged; playback may still work",
                )
            )
            if self.on_error:
                self.on_error(self.error)
        finally:
            self._done.set()

    def _compute(self) -> Peaks | None:
        info = probe(self.path)
        n_bins = -(-info.frames // FRAMES_PER_BIN)
        mins = np.zeros(n_bins, np.int16)
        maxs = np.zeros(n_bins, np.int16)
        use_int = info.format not in _FLOAT_FORMATS
        nthreads = max(1, min(self.threads, n_bins // (_READ_BINS * 4) or 1))
        bounds = np.linspace(0, n_bins, nthreads + 1).astype(np.int64)
        done_bins = [0] * nthreads
        ends = [None] * nthreads  # real end (frames) if a range hit a short read
        errors: list[BaseException] = []

        def work(k: int) -> None:
            _lower_thread_priority()
            try:
                b0, b1 = int(bounds[k]), int(bounds[k + 1])
                with StreamingSource(self.path) as src:
                    src.seek(b0 * FRAMES_PER_BIN)
                    ch = src.channels
                    step = _READ_BINS * FRAMES_PER_BIN
                    buf = np.zeros((step, ch), np.int16 if use_int else np.float32)
                    b = b0
                    while b < b1 and not self._cancel.is_set():
                        want = min(step, (b1 - b) * FRAMES_PER_BIN)
                        got = src.read(want, out=buf)
                        n = len(got)
                        if n == 0:
                            ends[k] = b * FRAMES_PER_BIN
                            break
                        full = n // FRAMES_PER_BIN
                        nb = full + (1 if n % FRAMES_PER_BIN else 0)
                        if full:
                            blk = got[: full * FRAMES_PER_BIN].reshape(full, FRAMES_PER_BIN * ch)
                            lo, hi = blk.min(axis=1), blk.max(axis=1)
                            if not use_int:
                                lo, hi = np.round(lo * 32767), np.round(hi * 32767)
                            mins[b : b + full], maxs[b : b + full] = lo, hi
                        if nb > full:
                            tail = got[full * FRAMES_PER_BIN :]
                            lo, hi = tail.min(), tail.max()
                            if not use_int:
                                lo, hi = round(float(lo) * 32767), round(float(hi) * 32767)
                            mins[b + full], maxs[b + full] = lo, hi
                        b += nb
                        done_bins[k] = b - b0
                        if n < want:
                            ends[k] = (b - nb) * FRAMES_PER_BIN + n
                            src.check_complete()
                            break
            except BaseException as e:
                errors.append(e)

        workers = [
            threading.Thread(target=work, args=(k,), daemon=True, name=f"rater-waveform-{k}")
            for k in range(nthreads)
        ]
        for w in workers:
            w.start()
        while any(w.is_alive() for w in workers):
            for w in workers:
                w.join(0.2)
            if self.on_progress and not errors:
                frac = sum(done_bins) / max(1, n_bins)
                self.on_progress(Peaks(mins, maxs, info.sample_rate, info.frames), min(1.0, frac))
        if errors:
            raise errors[0]
        if self._cancel.is_set():
            return None
        frames = info.frames
        for k in range(nthreads):  # a short read means the file is shorter than its header said
            if ends[k] is not None:
                frames = min(frames, ends[k])
                break
        n_real = -(-frames // FRAMES_PER_BIN)
        return Peaks(mins[:n_real].copy(), maxs[:n_real].copy(), info.sample_rate, frames)


def waveform(path, *, checksum: str | None = None, cache_dir: Path | None = None) -> Peaks:
    """Peaks of ``path``, from the cache or computed now (blocking)."""
    return WaveformJob(path, checksum=checksum, cache_dir=cache_dir).run()


def timed(path, **kw) -> tuple[Peaks, float, bool]:
    """(peaks, seconds, from_cache) — for benchmarks and diagnostics."""
    t = time.perf_counter()
    job = WaveformJob(path, **kw)
    p = job.run()
    return p, time.perf_counter() - t, job.from_cache
