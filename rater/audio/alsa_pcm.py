"""A PCM output on ALSA through libasound directly (ctypes), for what PortAudio cannot do:
rewinding audio that is queued but not yet played.

With a rewind, the output can keep a long buffer (few wake-ups, so little CPU, and no underflow
when the machine is busy) and still let a seek, pause or volume change be heard at once: the
not-yet-played part of the buffer is taken back and written again. Used by the engine's
``AlsaWriter`` for the system's default output on Linux; PortAudio remains the path for every
other device and platform. See docs/decisions/1804-alsa-output-with-rewind.md.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno

import numpy as np

_PLAYBACK = 0
_FORMAT_FLOAT_LE = 14
_ACCESS_RW_INTERLEAVED = 3
_STATE_PREPARED = 2


class AlsaError(Exception):
    """An ALSA call failed; the message is ALSA's own (snd_strerror)."""


def _library():
    name = ctypes.util.find_library("asound") or "libasound.so.2"
    lib = ctypes.CDLL(name)
    lib.snd_strerror.restype = ctypes.c_char_p
    for fn in ("snd_pcm_avail_update", "snd_pcm_writei", "snd_pcm_rewindable", "snd_pcm_rewind",
               "snd_pcm_forward", "snd_output_buffer_string"):
        getattr(lib, fn).restype = ctypes.c_long
    lib.snd_pcm_writei.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ulong]
    lib.snd_pcm_rewind.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    lib.snd_pcm_forward.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    lib.snd_pcm_dump.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    lib.snd_output_buffer_string.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p)]
    for fn in ("snd_pcm_avail_update", "snd_pcm_rewindable", "snd_pcm_drop", "snd_pcm_close",
               "snd_pcm_prepare", "snd_pcm_state", "snd_pcm_start"):
        getattr(lib, fn).argtypes = [ctypes.c_void_p]
    lib.snd_pcm_delay.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_long)]
    lib.snd_pcm_recover.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    lib.snd_pcm_set_params.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_uint,
                                       ctypes.c_uint, ctypes.c_int, ctypes.c_uint]
    lib.snd_pcm_get_params.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_ulong),
                                       ctypes.POINTER(ctypes.c_ulong)]
    return lib


class AlsaPcm:
    """An open interleaved float32 stereo playback PCM. Writes never block: the caller writes
    at most ``avail()`` frames. Not thread-safe: one writer thread owns it."""

    def __init__(self, device: str, rate: int, buffer_s: float, channels: int = 2,
                 convert_rate: bool = True):
        self._lib = _library()
        self.rate, self.channels = rate, channels
        self.underflows = 0
        self._running = False
        handle = ctypes.c_void_p()
        self._check(self._lib.snd_pcm_open(ctypes.byref(handle), device.encode(), _PLAYBACK, 0),
                    f"open {device!r}")
        self._pcm = handle
        try:
            self._check(self._lib.snd_pcm_set_params(
                handle, _FORMAT_FLOAT_LE, _ACCESS_RW_INTERLEAVED, channels, rate, int(convert_rate),
                int(buffer_s * 1e6)), f"play {rate} Hz float32 stereo")
            buffer_size, period_size = ctypes.c_ulong(), ctypes.c_ulong()
            self._check(self._lib.snd_pcm_get_params(
                handle, ctypes.byref(buffer_size), ctypes.byref(period_size)), "read its size")
        except AlsaError:
            self.close()
            raise
        self.buffer_frames = buffer_size.value
        self.period_frames = period_size.value

    def describe(self) -> str:
        """ALSA's description of the whole plugin chain (snd_pcm_dump)."""
        out = ctypes.c_void_p()
        if self._lib.snd_output_buffer_open(ctypes.byref(out)) < 0:
            return ""
        try:
            self._lib.snd_pcm_dump(self._pcm, out)
            text = ctypes.c_char_p()
            self._lib.snd_output_buffer_string(out, ctypes.byref(text))
            return (text.value or b"").decode(errors="replace")
        finally:
            self._lib.snd_output_close(out)

    def rewinds_reach_the_device(self) -> bool:
        """False for chains whose plugin hands audio on at write time (PulseAudio's ALSA
        plugin): there a rewind moves ALSA's pointer but the server plays the old audio anyway."""
        return "PulseAudio" not in self.describe()

    def _check(self, code: int, doing: str) -> int:
        if code < 0:
            raise AlsaError(f"ALSA could not {doing}: {self._lib.snd_strerror(code).decode()}")
        return code

    def _recover(self, code: int) -> None:
        """An underrun (-EPIPE) or a suspend: count it and get the stream going again."""
        if code == -errno.EPIPE:
            self.underflows += 1
        self._running = False
        self._check(self._lib.snd_pcm_recover(self._pcm, int(code), 1), "recover from an xrun")

    def avail(self) -> int:
        """Frames that can be written now."""
        n = self._lib.snd_pcm_avail_update(self._pcm)
        if n < 0:
            self._recover(n)
            n = self._check(self._lib.snd_pcm_avail_update(self._pcm), "read the free space")
        return n

    def write(self, frames: np.ndarray) -> None:
        """Write (n, channels) float32 C-contiguous frames; n must not exceed ``avail()``."""
        n = self._lib.snd_pcm_writei(self._pcm, frames.ctypes.data, len(frames))
        if n < 0:
            self._recover(n)
            n = self._check(self._lib.snd_pcm_writei(self._pcm, frames.ctypes.data, len(frames)),
                            "write audio")
        if n != len(frames):
            raise AlsaError(f"ALSA took {n} of {len(frames)} frames")
        if not self._running:
            self._running = True
            if self._lib.snd_pcm_state(self._pcm) == _STATE_PREPARED:
                # the buffer is never filled to the brim (whole blocks), so start it ourselves
                self._check(self._lib.snd_pcm_start(self._pcm), "start playback")

    def rewind(self, frames: int) -> int:
        """Take back up to ``frames`` written but unplayed frames; returns how many it took."""
        safe = self._lib.snd_pcm_rewindable(self._pcm)
        if safe <= 0:
            return 0
        done = self._lib.snd_pcm_rewind(self._pcm, min(int(frames), int(safe)))
        return max(0, int(done))

    def forward(self, frames: int) -> None:
        """Move ahead over ``frames`` (after a rewind that took part of a block)."""
        if frames > 0:
            self._lib.snd_pcm_forward(self._pcm, int(frames))

    def rewindable(self) -> int:
        return max(0, int(self._lib.snd_pcm_rewindable(self._pcm)))

    def close(self) -> None:
        pcm, self._pcm = self._pcm, None
        if pcm:
            self._lib.snd_pcm_drop(pcm)
            self._lib.snd_pcm_close(pcm)
