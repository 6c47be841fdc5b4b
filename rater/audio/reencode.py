"""Re-encoder used by blinding: a uniform, tagless FLAC copy of a recording.

``reencode(src, dst, sample_rate=..., channels=..., normalise_lufs=..., redactions=[...])``

- one format for every file: FLAC, the chosen sample rate (streaming soxr resampler) and channel
  count (mono duplicated, stereo averaged, more channels downmixed), 16-bit by default;
- no metadata at all: libsndfile writes a VORBIS_COMMENT block (vendor string) even with no tags,
  so the FLAC header is rewritten to keep only STREAMINFO and SEEKTABLE;
- optional loudness normalisation to an integrated loudness (ITU-R BS.1770-4 / EBU R128, gated,
  measured in a first streaming pass); samples that would clip are clipped and counted;
- redaction: given time ranges become digital silence or a 1 kHz tone, with 5 ms fades
  *outside* silenced ranges (inside tone ranges) so there are no clicks and the range itself
  is exactly silent;
- atomic: written to a temporary file in the destination folder, fsynced, then ``os.replace``;
  the original is opened read-only and never modified.

Memory stays flat (blocks of 64k frames), so a 2-hour file is fine.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from rater.core.errors import Problem, RaterError

from .source import StreamingSource, probe

BLOCK = 65536
FADE_S = 0.005
TONE_HZ = 1000.0
TONE_AMPLITUDE = 0.1  # -20 dBFS peak
_REDACTION_KINDS = ("silence", "tone")
_KEEP_FLAC_BLOCKS = {0, 3}  # STREAMINFO, SEEKTABLE


@dataclass(frozen=True)
class ReencodeResult:
    path: str
    sample_rate: int
    channels: int
    frames: int
    duration_s: float
    input_lufs: float | None  # measured before the gain (after resampling and redaction)
    gain_db: float
    clipped_samples: int


# --------------------------------------------------------------------------------------------
# Loudness (ITU-R BS.1770-4), streaming
# --------------------------------------------------------------------------------------------
def _k_weighting(fs: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """The two K-weighting biquads for sample rate ``fs`` (libebur128's formulation)."""
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / fs)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    b1 = np.array(
        [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    )
    a1 = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / fs)
    a0 = 1 + k / q + k * k
    b2 = np.array([1.0, -2.0, 1.0])
    a2 = np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return [(b1, a1), (b2, a2)]


class LoudnessMeter:
    """Integrated loudness (LUFS) of a stream of float blocks (n, channels); all channel
    weights are 1 (mono/stereo). Feed with ``add``; read ``integrated()``."""

    def __init__(self, sample_rate: int, channels: int):
        from scipy.signal import lfilter_zi

        self.fs = sample_rate
        self.channels = channels
        self._filters = _k_weighting(sample_rate)
        self._zi = [
            np.repeat(lfilter_zi(b, a)[:, None] * 0.0, channels, axis=1) for b, a in self._filters
        ]
        self._sub = int(round(0.1 * sample_rate))  # 100 ms sub-blocks
        self._carry = np.zeros((0, channels))
        self._sub_power: list[float] = []  # sum over channels of mean square, per 100 ms

    def add(self, block: np.ndarray) -> None:
        from scipy.signal import lfilter

        y = block.astype(np.float64)
        for i, (b, a) in enumerate(self._filters):
            y, self._zi[i] = lfilter(b, a, y, axis=0, zi=self._zi[i])
        y = np.concatenate([self._carry, y]) if len(self._carry) else y
        whole = (len(y) // self._sub) * self._sub
        if whole:
            ms = (y[:whole] ** 2).reshape(-1, self._sub, self.channels).mean(axis=1).sum(axis=1)
            self._sub_power.extend(ms.tolist())
        self._carry = y[whole:]

    def integrated(self) -> float:
        """Gated integrated loudness in LUFS; ``-inf`` for silence or less than 400 ms."""
        p = np.asarray(self._sub_power)
        if len(p) < 4:
            return float("-inf")
        z = (p[:-3] + p[1:-2] + p[2:-1] + p[3:]) / 4.0  # 400 ms blocks, 75% overlap
        with np.errstate(divide="ignore"):
            lj = -0.691 + 10 * np.log10(z)
        z = z[lj > -70.0]
        if len(z) == 0:
            return float("-inf")
        rel_gate = -0.691 + 10 * math.log10(z.mean()) - 10.0
        with np.errstate(divide="ignore"):
            lj = -0.691 + 10 * np.log10(z)
        z = z[lj > rel_gate]
        return -0.691 + 10 * math.log10(z.mean()) if len(z) else float("-inf")


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def _map_channels(block: np.ndarray, channels: int) -> np.ndarray:
    n, ch = block.shape
    if ch == channels:
        return block
    if channels == 1:
        return block.mean(axis=1, keepdims=True, dtype=np.float32)
    if ch == 1:
        return np.repeat(block, 2, axis=1)
    out = np.empty((n, 2), dtype=np.float32)
    out[:, 0] = block[:, 0::2].mean(axis=1)
    out[:, 1] = block[:, 1::2].mean(axis=1)
    return out


def _check_redactions(redactions, duration_s: float, src: str) -> list[tuple[float, float, str]]:
    out = []
    for i, r in enumerate(redactions or []):
        try:
            start, end, kind = float(r[0]), float(r[1]), str(r[2])
        except (TypeError, ValueError, IndexError) as e:
            raise RaterError(
                Problem(
                    f"redaction {i + 1} is not (start_s, end_s, kind): {r!r}",
                    src,
                    "give start and end in seconds and 'silence' or 'tone'",
                )
            ) from e
        if kind not in _REDACTION_KINDS:
            raise RaterError(
                Problem(
                    f"redaction {i + 1} has unknown kind {kind!r}", src, "use 'silence' or 'tone'"
                )
            )
        if not (0 <= start < end) or not math.isfinite(end):
            raise RaterError(
                Problem(
                    f"redaction {i + 1} has an invalid range {start:g}-{end:g} s",
                    src,
                    "start must be >= 0 and before end",
                )
            )
        if start >= duration_s:
            raise RaterError(
                Problem(
                    f"redaction {i + 1} starts at {start:g} s, after the end of the recording "
                    f"({duration_s:.1f} s)",
                    src,
                    "check the time stamps",
                )
            )
        out.append((start, min(end, duration_s + 1.0), kind))
    return sorted(out)


class _Redactor:
    """Applies silence/tone ranges to blocks identified by their first output frame."""

    def __init__(self, redactions, sample_rate: int):
        self.sr = sample_rate
        self.fade = max(1, int(round(FADE_S * sample_rate)))
        self.ranges = [
            (int(round(s * sample_rate)), int(round(e * sample_rate)), k) for s, e, k in redactions
        ]

    def apply(self, block: np.ndarray, first: int) -> None:
        n = len(block)
        last = first + n
        f = self.fade
        for a, b, kind in self.ranges:
            # fade-out before and fade-in after a silenced range, so the range itself is exactly 0
            lo, hi = (a - f, b + f) if kind == "silence" else (a, b)
            if hi <= first or lo >= last:
                continue
            idx = np.arange(max(lo, first), min(hi, last))
            rel = idx - first
            if kind == "silence":
                g = np.ones(len(idx))
                before = idx < a
                after = idx >= b
                g[before] = (a - idx[before]) / f
                g[after] = (idx[after] - b + 1) / f
                g[~before & ~after] = 0.0
                block[rel] *= np.clip(g, 0, 1)[:, None].astype(np.float32)
            else:
                t = (idx - a) / self.sr
                env = np.minimum(1.0, np.minimum((idx - a + 1) / f, (b - idx) / f))
                tone = (TONE_AMPLITUDE * env * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)
                block[rel] = tone[:, None]


def _strip_flac_metadata(src: Path, dst: Path) -> None:
    """Copy a FLAC file keeping only STREAMINFO and SEEKTABLE metadata blocks."""
    with open(src, "rb") as f:
        if f.read(4) != b"fLaC":
            raise RaterError(Problem("re-encoded file is not FLAC", str(src), "report this bug"))
        blocks = []
        while True:
            head = f.read(4)
            last, kind, length = head[0] & 0x80, head[0] & 0x7F, int.from_bytes(head[1:4], "big")
            body = f.read(length)
            if kind in _KEEP_FLAC_BLOCKS:
                blocks.append((kind, body))
            if last:
                break
        with open(dst, "wb") as out:
            out.write(b"fLaC")
            for i, (kind, body) in enumerate(blocks):
                flag = 0x80 if i == len(blocks) - 1 else 0
                out.write(bytes([flag | kind]) + len(body).to_bytes(3, "big") + body)
            while chunk := f.read(1 << 20):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())


def _frames(path: str, sample_rate: int, channels: int, block: int = BLOCK):
    """Yield (first_output_frame, float32 block) in the target rate and channel count."""
    import soxr

    src = StreamingSource(path)
    try:
        resampler = None
        if src.sample_rate != sample_rate:
            resampler = soxr.ResampleStream(
                src.sample_rate, sample_rate, channels, dtype="float32", quality="HQ"
            )
        buf = np.zeros((block, src.channels), dtype=np.float32)
        pos = 0
        while True:
            data = src.read(block, out=buf)
            end = len(data) < block
            y = _map_channels(data, channels)
            if resampler is not None:
                y = resampler.resample_chunk(np.ascontiguousarray(y), last=end)
            else:
                y = y.copy()
            if len(y):
                yield pos, y
                pos += len(y)
            if end:
                src.check_complete()
                return
    finally:
        src.close()


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def reencode(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    *,
    sample_rate: int,
    channels: int,
    normalise_lufs: float | None = None,
    redactions: Sequence[tuple[float, float, str]] = (),
    subtype: str = "PCM_16",
    progress: Callable[[float], None] | None = None,
) -> ReencodeResult:
    """Write a tagless FLAC copy of ``src`` at ``dst`` (atomically). See the module docstring.

    ``redactions``: (start_s, end_s, "silence" | "tone") in the recording's own time.
    ``progress``: called with 0..1 from this thread. Raises ``RaterError`` for bad input;
    ``dst`` is then left untouched.
    """
    src_p, dst_p = Path(src), Path(dst)
    info = probe(src_p)
    if channels not in (1, 2):
        raise RaterError(
            Problem(
                f"cannot write {channels} channels", str(dst_p), "choose 1 (mono) or 2 (stereo)"
            )
        )
    if not 8000 <= int(sample_rate) <= 192000:
        raise RaterError(
            Problem(
                f"sample rate {sample_rate} Hz is not supported",
                str(dst_p),
                "choose e.g. 16000, 22050, 44100 or 48000",
            )
        )
    sample_rate = int(sample_rate)
    if dst_p.exists() and dst_p.resolve() == src_p.resolve():
        raise RaterError(
            Problem(
                "the copy would overwrite the original",
                str(dst_p),
                "write the re-encoded copy to another file; originals are never modified",
            )
        )
    if dst_p.suffix.lower() != ".flac":
        raise RaterError(
            Problem(
                "the re-encoded copy must have the .flac extension",
                str(dst_p),
                "name the destination *.flac",
            )
        )
    if not dst_p.parent.is_dir():
        raise RaterError(
            Problem("destination folder does not exist", str(dst_p.parent), "create it first")
        )
    red = _check_redactions(redactions, info.duration_s, str(src_p))
    redactor = _Redactor(red, sample_rate)
    total = max(1, int(info.duration_s * sample_rate))
    passes = 2 if normalise_lufs is not None else 1

    def report(done: int, pass_no: int) -> None:
        if progress:
            progress(min(1.0, (pass_no + done / total) / passes))

    input_lufs = None
    gain = 1.0
    if normalise_lufs is not None:
        meter = LoudnessMeter(sample_rate, channels)
        for first, y in _frames(str(src_p), sample_rate, channels):
            redactor.apply(y, first)
            # tone ranges are measured as silence so that the tone does not shift the gain
            for a, b, kind in redactor.ranges:
                if kind == "tone" and a < first + len(y) and b > first:
                    y[max(0, a - first) : max(0, b - first)] = 0
            meter.add(y)
            report(first + len(y), 0)
        input_lufs = meter.integrated()
        if not math.isfinite(input_lufs):
            raise RaterError(
                Problem(
                    "the recording is silent: its loudness cannot be normalised",
                    str(src_p),
                    "check the recording, or re-encode without loudness normalisation",
                )
            )
        gain = 10 ** ((float(normalise_lufs) - input_lufs) / 20)

    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst_p.name}.", suffix=".part.flac", dir=dst_p.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp2 = tmp.with_suffix(".strip")
    clipped = 0
    frames = 0
    try:
        with sf.SoundFile(
            tmp, "w", samplerate=sample_rate, channels=channels, format="FLAC", subtype=subtype
        ) as out:
            for first, y in _frames(str(src_p), sample_rate, channels):
                if gain != 1.0:
                    y *= np.float32(gain)
                redactor.apply(y, first)  # after the gain: the tone has a fixed level
                over = np.abs(y) > 1.0
                if over.any():
                    clipped += int(over.sum())
                    np.clip(y, -1.0, 1.0, out=y)
                out.write(y)
                frames = first + len(y)
                report(frames, passes - 1)
        _strip_flac_metadata(tmp, tmp2)
        os.replace(tmp2, dst_p)
        dir_fd = os.open(dst_p.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        for p in (tmp, tmp2):
            p.unlink(missing_ok=True)
        raise
    tmp.unlink(missing_ok=True)
    if progress:
        progress(1.0)
    return ReencodeResult(
        path=str(dst_p),
        sample_rate=sample_rate,
        channels=channels,
        frames=frames,
        duration_s=frames / sample_rate,
        input_lufs=input_lufs,
        gain_db=20 * math.log10(gain),
        clipped_samples=clipped,
    )
