"""Listening record: which parts of a recording were actually played, and at which speed.

Pure logic (no sound, no Qt). The player feeds it the source ranges that reached the output
device; the UI asks ``heard_fraction(duration)`` to say "you have heard 64% of this recording",
and exports read ``to_dict()``.

Two views of the same data:
- ``segments``: the listening history, in the order it happened, each a contiguous stretch of the
  recording played at one speed (adjacent pieces at the same speed are merged);
- ``heard()``: the union of everything played, as sorted, non-overlapping intervals (speed ignored).
"""

from __future__ import annotations

from dataclasses import dataclass

# Pieces closer than this (seconds) count as contiguous: the player reports block by block and
# float rounding must not split one continuous listen into thousands of segments.
_JOIN_TOLERANCE_S = 0.005


@dataclass(frozen=True)
class PlayedSegment:
    start_s: float
    end_s: float
    speed: float

    @property
    def seconds(self) -> float:
        """Length of recording covered (not wall time: that is seconds / speed)."""
        return self.end_s - self.start_s


class ListeningRecord:
    """Accumulates played ranges of one recording."""

    def __init__(self, segments: list[PlayedSegment] | None = None):
        self._segments: list[PlayedSegment] = []
        for seg in segments or []:
            self.add(seg.start_s, seg.end_s, seg.speed)

    # -- feeding ---------------------------------------------------------------------------
    def add(self, start_s: float, end_s: float, speed: float = 1.0) -> None:
        """Record that [start_s, end_s) of the recording was played at ``speed``."""
        if not end_s > start_s:
            return
        speed = round(float(speed), 4)
        if self._segments:
            last = self._segments[-1]
            if last.speed == speed and abs(start_s - last.end_s) <= _JOIN_TOLERANCE_S:
                self._segments[-1] = PlayedSegment(last.start_s, max(last.end_s, end_s), speed)
                return
        self._segments.append(PlayedSegment(float(start_s), float(end_s), speed))

    def clear(self) -> None:
        self._segments.clear()

    # -- questions ---------------------------------------------------------------------------
    @property
    def segments(self) -> list[PlayedSegment]:
        return list(self._segments)

    def heard(self) -> list[tuple[float, float]]:
        """Union of all played ranges: sorted, non-overlapping (start_s, end_s) intervals."""
        spans = sorted((s.start_s, s.end_s) for s in self._segments)
        merged: list[list[float]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1] + _JOIN_TOLERANCE_S:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        return [(a, b) for a, b in merged]

    def heard_seconds(self) -> float:
        return sum(b - a for a, b in self.heard())

    def heard_fraction(self, duration_s: float) -> float:
        """Share (0..1) of a recording of ``duration_s`` seconds played at least once."""
        if duration_s <= 0:
            return 0.0
        covered = sum(max(0.0, min(b, duration_s) - max(a, 0.0)) for a, b in self.heard())
        return min(1.0, covered / duration_s)

    def seconds_by_speed(self) -> dict[float, float]:
        """Recording seconds played at each speed (a part heard twice counts twice)."""
        out: dict[float, float] = {}
        for s in self._segments:
            out[s.speed] = out.get(s.speed, 0.0) + s.seconds
        return out

    def listening_time_s(self) -> float:
        """Wall-clock time spent listening (each segment's length divided by its speed)."""
        return sum(s.seconds / s.speed for s in self._segments)

    # -- persistence -------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "segments": [[round(s.start_s, 3), round(s.end_s, 3), s.speed] for s in self._segments]
        }

    @classmethod
    def from_dict(cls, data: dict) -> ListeningRecord:
        return cls([PlayedSegment(float(a), float(b), float(v)) for a, b, v in data["segments"]])

    def __repr__(self) -> str:
        return (
            f"ListeningRecord({len(self._segments)} segments, {self.heard_seconds():.1f} s heard)"
        )
