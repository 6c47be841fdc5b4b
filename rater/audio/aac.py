"""M4A/AAC recordings (what phones and many recorders write), decoded with PyAV (FFmpeg).

`AacFile` offers the part of `soundfile.SoundFile` that `audio.source` uses (format, subtype,
samplerate, channels, frames, read, seek, close), so probing, import, blinding and playback
treat an M4A like any other recording.

Traps handled here:
- An AAC stream starts with encoder priming and ends with padding. The MP4 container's edit list
  says what to drop: FFmpeg drops the priming, and the stream's duration (in samples) is the
  true length, so reads stop there and the padding is never played.
- AAC frames overlap: the first frame decoded after a jump is not yet the signal. A seek goes
  back `PREROLL` samples, decodes forward and drops what lies before the target, so a seek is
  sample-exact.
- A recording cut short (an interrupted phone recording has no index, the `moov` box written
  last) cannot be opened: that is an error saying so, not a silent short file.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

SUFFIXES = {".m4a", ".m4b", ".mp4", ".aac", ".3gp"}
PREROLL = 4096  # samples decoded and dropped before a seek target (AAC frames are 1024)


def is_aac_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() in SUFFIXES


class AacFile:
    """Read-only, seekable access to the first audio stream of an MP4/ADTS file, float32."""

    format = "M4A"

    def __init__(self, path: str | Path):
        import av

        self._av = av
        self._path = str(path)
        try:
            self._container = av.open(self._path)
        except av.error.FFmpegError as exc:
            raise ValueError(_reason(exc)) from exc
        if not self._container.streams.audio:
            self._container.close()
            raise ValueError("the file holds no audio stream")
        self._stream = self._container.streams.audio[0]
        context = self._stream.codec_context
        self.subtype = (context.name or "?").upper()
        self.samplerate = int(context.sample_rate or 0)
        self.channels = int(context.channels or 0)
        self.frames = self._length()
        self._resampler = av.AudioResampler(format="flt", layout=context.layout,
                                            rate=self.samplerate)
        self._pending = np.zeros((0, self.channels), np.float32)
        self._position = 0
        self._frames_iter = None

    def _length(self) -> int:
        """Samples in the stream, by the container (exact for MP4), else the overall duration."""
        stream = self._stream
        if stream.duration is not None and stream.time_base is not None:
            return round(stream.duration * stream.time_base * self.samplerate)
        if self._container.duration is not None:
            return round(self._container.duration * self.samplerate / 1_000_000)
        return 1 << 62  # unknown: `audio.source` decodes to the end to find it

    # -- reading -------------------------------------------------------------------------------
    def read(self, frames: int, dtype: str = "float32", always_2d: bool = True,
             out: np.ndarray | None = None) -> np.ndarray:
        """Up to `frames` frames from the current position; fewer at the end."""
        frames = max(0, min(frames, self.frames - self._position))
        if out is None:
            out = np.empty((frames, self.channels), np.float32)
        filled = 0
        while filled < frames:
            if not len(self._pending):
                self._pending = self._decode_next()
                if self._pending is None:
                    self._pending = np.zeros((0, self.channels), np.float32)
                    break
            take = min(frames - filled, len(self._pending))
            out[filled:filled + take] = _as(self._pending[:take], out.dtype)
            self._pending = self._pending[take:]
            filled += take
        self._position += filled
        return out[:filled]

    def _decode_next(self) -> np.ndarray | None:
        if self._frames_iter is None:
            self._frames_iter = self._container.decode(self._stream)
        try:
            frame = next(self._frames_iter)
        except StopIteration:
            return None
        except self._av.error.FFmpegError as exc:
            raise RuntimeError(_reason(exc)) from exc
        blocks = [f.to_ndarray() for f in self._resampler.resample(frame)]
        if not blocks:
            return np.zeros((0, self.channels), np.float32)
        return np.concatenate(blocks, axis=1).T.reshape(-1, self.channels)

    # -- seeking -------------------------------------------------------------------------------
    def seek(self, frame: int) -> int:
        """Move to `frame`, sample-exact: jump before it, decode, drop what lies before. Near
        the start, decode from the start as opening does (FFmpeg drops the priming only then)."""
        frame = max(0, min(int(frame), self.frames))
        if frame < 2 * PREROLL:
            return self._seek_by_decoding(frame)
        start = frame - PREROLL
        time_base = self._stream.time_base or Fraction(1, self.samplerate)
        try:
            self._container.seek(int(start / self.samplerate / time_base), stream=self._stream,
                                 backward=True, any_frame=False)
        except self._av.error.FFmpegError as exc:
            raise RuntimeError(_reason(exc)) from exc
        self._frames_iter = self._container.decode(self._stream)
        self._pending = np.zeros((0, self.channels), np.float32)
        position = None
        while True:
            frame_iter = self._frames_iter
            try:
                decoded = next(frame_iter)
            except StopIteration:
                self._position = self.frames
                return self._position
            if decoded.pts is None:  # no time stamps (raw ADTS): decode from the start
                return self._seek_by_decoding(frame)
            at = round(decoded.pts * decoded.time_base * self.samplerate)
            position = at if position is None else position
            blocks = [f.to_ndarray() for f in self._resampler.resample(decoded)]
            samples = (np.concatenate(blocks, axis=1).T.reshape(-1, self.channels) if blocks
                       else np.zeros((0, self.channels), np.float32))
            if at + len(samples) > frame:
                self._pending = samples[max(0, frame - at):]
                self._position = frame
                return frame

    def _seek_by_decoding(self, frame: int) -> int:
        self._container.close()
        self._container = self._av.open(self._path)
        self._stream = self._container.streams.audio[0]
        self._frames_iter = None
        self._pending = np.zeros((0, self.channels), np.float32)
        self._position = 0
        while self._position < frame:
            if not len(self.read(min(1 << 16, frame - self._position))):
                break
        return self._position

    def close(self) -> None:
        self._container.close()

    def __enter__(self) -> AacFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _as(block: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """float32 samples in the dtype asked for (int16/int32 as libsndfile scales them)."""
    if dtype == np.float32 or dtype == np.float64:
        return block
    scale = {np.dtype(np.int16): 32767, np.dtype(np.int32): 2147483647}[np.dtype(dtype)]
    return np.clip(np.round(block * scale), -scale - 1, scale)


def _reason(exc: Exception) -> str:
    """What FFmpeg's refusal means for a person (its own text names the file and an errno)."""
    import av

    if isinstance(exc, av.error.InvalidDataError):
        return ("the file is damaged or was cut short (a recording interrupted before it was "
                "saved has no index, which an M4A keeps at its end)")
    return getattr(exc, "strerror", None) or str(exc)
