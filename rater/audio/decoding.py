"""The engine's decoder half: a thread that reads the file, time-stretches, converts the rate
for the ALSA output, and cuts the audio into blocks of exactly ``blocksize`` frames, each
tagged with the source range it plays. Seeks are staged: the old audio keeps playing until the
first new blocks are ready. Mixed into ``engine.Engine``, whose state it shares."""

from __future__ import annotations

import threading
import time
import traceback

import numpy as np

from rater.core.errors import Problem

from .blocks import DATA, EOF, ERROR, Block, problem_dict
from .resample import Resampler
from .source import SourceError, StreamingSource, to_stereo
from .threads import name_os_thread

READ_FRAMES = 8192  # the decoder reads this much at a time (fewer wake-ups; ~1 ms of FLAC)


class Decoding:
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
                    self._push(Block(DATA, gen, np.ascontiguousarray(chunk), a, b), gen)
                    out_count += min(bs, len(acc))
                    acc = acc[bs:]
                if last:
                    eof = True
                    try:
                        src.check_complete()
                        self._push(Block(EOF, gen, src_start=true_end, src_end=true_end), gen)
                    except SourceError as e:
                        self._push(
                            Block(
                                ERROR,
                                gen,
                                message={
                                    "problem": problem_dict(e.problems[0]),
                                    "position_s": e.position_s,
                                },
                            ),
                            gen,
                        )
        except SourceError as e:
            self._push(
                Block(
                    ERROR,
                    gen,
                    message={"problem": problem_dict(e.problems[0]), "position_s": e.position_s},
                ),
                gen,
            )
        except Exception as e:
            self.events.append(
                (
                    "error",
                    {
                        "problem": problem_dict(
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
            if len(st[2]) >= 2 or block.kind != DATA:
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
        if (nxt is not None and nxt.kind == DATA and self.gain_now > 0.0
                and not hasattr(self.stream, "redo")):
            self.fade_out = nxt.data * np.float32(self.gain_now)
