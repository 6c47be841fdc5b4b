"""The engine's output on Linux's default ALSA device: a long buffer that is rewound on demand.

A thread keeps ``BUFFER_S`` of audio queued in ALSA and wakes only every ``WAKE_S`` to top it
up, so playing costs few wake-ups and a busy machine has a long margin before an underflow.
When what must be heard changes (a seek, play, pause or a volume change; ``redo``) it takes
back every queued block except the last ``KEEP_FRAMES`` before the device, and renders them
again: blocks of the recording now playing go back to the front of the engine's queue, blocks
made obsolete by a seek are dropped (the first one is cross-faded into the new audio). For a
short while afterwards it wakes every ``EAGER_WAKE_S``, so the new audio reaches the device
in the very next period of the sound server. Records of what was written wait here until
their audio is about to be heard, so a rewind never reports audio that was not played.
"""

from __future__ import annotations

import collections
import math
import threading
import time

import numpy as np

from .alsa_pcm import AlsaError, AlsaPcm
from .threads import name_os_thread, raise_thread_priority

BUFFER_S = 0.35
WAKE_S = 0.2
EAGER_S = 0.08
EAGER_WAKE_S = 0.002
KEEP_FRAMES = 256  # never rewind closer to the device than this (5.8 ms at 44.1 kHz)
RELEASE_S = 0.03  # a record goes to the app when its audio is this close to the device
SAFE_FRAMES = 2048  # with this much queued in ALSA, wait for the decoder rather than starve


def _check_rewinds(pcm: AlsaPcm, block: int) -> None:
    """Refuse a chain where a rewind does not take audio back: PulseAudio's plugin hands audio
    to the server as it is written (and ALSA's sample-rate converter, kept out by opening at a
    rate the device plays, rewinds nothing)."""
    if not pcm.rewinds_reach_the_device():
        raise AlsaError("rewinds do not reach this device (PulseAudio's ALSA plugin)")
    pcm.write(np.zeros((4 * block, 2), dtype=np.float32))
    if pcm.rewind(block) != block:
        raise AlsaError(f"ALSA cannot rewind this output at {pcm.rate} Hz")


class AlsaWriter:
    """Owns an ``AlsaPcm`` and the thread that fills it from ``engine.render``."""

    def __init__(self, engine, rate: int, device: str = "default"):
        # a whole number of blocks, so the buffer can be kept full to the frame
        buffer_s = math.ceil(BUFFER_S * rate / engine.blocksize) * engine.blocksize / rate
        pcm = AlsaPcm(device, rate, buffer_s, convert_rate=False)  # a rate the device plays
        try:
            _check_rewinds(pcm, engine.blocksize)
        except AlsaError:
            pcm.close()
            raise
        self.pcm, self.engine, self.rate = pcm, engine, rate
        self.latency = pcm.buffer_frames / rate
        self.written: collections.deque = collections.deque()  # (block, gain, hold, record)
        self.released_gen = -1
        self._wake = threading.Event()
        self._lock = threading.Lock()  # the written records: this thread and the reporter
        self._redo = False
        self._stop = False
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, name="rater-audio-output", daemon=True)
        self._thread.start()

    @property
    def active(self) -> bool:
        return self._thread.is_alive() and self.error is None

    def redo(self) -> None:
        """What must be heard has changed: rewrite the queued audio now."""
        self._redo = True
        self._wake.set()

    def close(self) -> None:
        """Stop after what was last rendered (a fade-out, usually) has been heard."""
        time.sleep((KEEP_FRAMES + 2 * self.engine.blocksize) / self.rate)
        self._stop = True
        self._wake.set()
        self._thread.join(2)
        self.pcm.rewind(self.pcm.rewindable())  # what was never heard is not played (nor teed)
        self.pcm.close()

    def _run(self) -> None:
        name_os_thread("rater-output")
        self.engine.stats["priority"] = raise_thread_priority()
        bs = self.engine.blocksize
        out = np.zeros((self.pcm.buffer_frames // bs * bs, 2), dtype=np.float32)
        eager_until, wait = 0.0, 0.0
        try:
            while not self._stop:
                self._wake.wait(wait)
                self._wake.clear()
                now = time.monotonic()
                if self._redo:
                    self._redo = False
                    with self._lock:
                        self._take_back(bs)
                    eager_until = now + EAGER_S
                caught_up = self._top_up(out, bs, now)
                self.release_due(now)
                wait = EAGER_WAKE_S if now < eager_until or not caught_up else WAKE_S
        except Exception as e:  # reported by the engine's reporter as a stopped output
            self.error = f"{type(e).__name__}: {e}"

    def _top_up(self, out: np.ndarray, bs: int, now: float) -> bool:
        """Render as many whole blocks as ALSA has room for, and write them in one call.
        Returns False when it stopped short to wait for the decoder."""
        pcm, engine, st = self.pcm, self.engine, self.engine.stats
        avail = pcm.avail()
        n = min(avail // bs, len(out) // bs)
        if n <= 0:
            return True
        queued = max(0, pcm.buffer_frames - avail)
        dac = now + queued / self.rate
        t0, want = time.perf_counter(), n
        for i in range(n):
            if engine.playing and not engine.queue and queued + i * bs >= SAFE_FRAMES:
                n = i  # the decoder is behind (just after a seek): wait for it, not silence
                break
            gain, hold = engine.gain_now, engine.hold_pos
            frames = out[i * bs:(i + 1) * bs]
            block, record = engine.render(frames, bs, now, dac + i * bs / self.rate)
            self.written.append((block, gain, hold, record))
        if n == 0:
            return False
        pcm.write(out[:n * bs])
        st["callbacks"] += n
        st["underflows"] = pcm.underflows
        ms = (time.perf_counter() - t0) * 1000.0
        if ms > st["max_callback_ms"]:
            st["max_callback_ms"] = ms
        return n == want

    def _take_back(self, bs: int) -> None:
        """Rewind the queued blocks that are not about to be heard, and queue them again."""
        engine, written, pcm = self.engine, self.written, self.pcm
        pcm.avail()  # brings ALSA's idea of the device position up to date before rewinding
        n = min(len(written), max(0, pcm.rewindable() - KEEP_FRAMES) // bs)
        for k in range(len(written) - n, len(written)):  # never past an end or an error
            block = written[k][0]
            if block is not None and block.data is None:
                n = len(written) - k - 1
        if n <= 0:
            return
        got = pcm.rewind(n * bs)
        pcm.forward(got % bs)
        behind = pcm.avail() - pcm.buffer_frames
        if behind > 0:  # the device moved on while we rewound: skip what it already took
            pcm.forward(behind)
        taken = [written.pop() for _ in range(got // bs)][::-1]
        if not taken:
            return
        _, engine.gain_now, hold, record = taken[0]
        if record[0] >= engine.gen:  # after a seek the hold position is the seek's target
            engine.hold_pos = hold
        again = [e[0] for e in taken if e[0] is not None and e[0].gen >= engine.gen]
        cut = next((e[0] for e in taken if e[0] is not None and e[0].gen < engine.gen), None)
        if cut is not None and engine.gain_now > 0.0:
            engine.fade_out = cut.data * np.float32(engine.gain_now)
        engine.queue.extendleft(reversed(again))

    def release_due(self, now: float) -> None:
        """Hand the records of audio about to be heard to the engine's reporter (which also
        calls this before telling an end, so the app has every block heard before it)."""
        with self._lock:
            self._release(now)

    def _release(self, now: float) -> None:
        written, records = self.written, self.engine.records
        while written and written[0][3][3] <= now + RELEASE_S:
            record = written.popleft()[3]
            records.append(record)
            if record[0] != self.released_gen:  # the app waits for a seek's first record
                self.released_gen = record[0]
                self.engine.report_now.set()
