"""How the audio in a rater's pack is encoded: `flac` (lossless, as blinded) or `opus[:KBPS]`.

Every recording of a pack is encoded the same way, so the codec and its settings are no cue.
Opus at 32 kbit/s mono keeps speech clear at about 7 MB per 30 minutes, against about 48 MB
for FLAC at 24 kHz: a pack of fifty interviews fits an upload link instead of a USB stick.
"""

from __future__ import annotations

from dataclasses import dataclass

from rater.core.errors import Problem, RaterError

OPUS_DEFAULT_KBPS = 32
OPUS_KBPS_RANGE = (12, 256)  # per channel; below 12 speech loses its consonants
OPUS_RATES = (8000, 12000, 16000, 24000, 48000)  # the rates Opus encodes natively


@dataclass(frozen=True)
class PackAudioSpec:
    """The codec of a pack's audio; `kbps` is the Opus bit rate per channel."""

    codec: str = "flac"
    kbps: int | None = None

    @property
    def suffix(self) -> str:
        return ".opus" if self.codec == "opus" else ".flac"

    def __str__(self) -> str:
        return f"opus:{self.kbps}" if self.codec == "opus" else "flac"


FLAC = PackAudioSpec()


def parse_pack_audio(text: str, where: str = "--audio") -> PackAudioSpec:
    """`flac`, `opus` or `opus:KBPS` (case-insensitive); anything else is a clear error."""
    codec, colon, rate = text.strip().lower().partition(":")
    if codec == "flac" and not colon:
        return FLAC
    if codec != "opus":
        raise RaterError(Problem(f"unknown pack audio {text!r}", where,
                                 f"write flac, or opus, or opus:KBPS (e.g. "
                                 f"opus:{OPUS_DEFAULT_KBPS})"))
    if not colon:
        return PackAudioSpec("opus", OPUS_DEFAULT_KBPS)
    low, high = OPUS_KBPS_RANGE
    if not rate.isdigit() or not low <= int(rate) <= high:
        raise RaterError(Problem(f"Opus bit rate {rate!r} is not a whole number of kbit/s "
                                 f"from {low} to {high}", where,
                                 f"e.g. opus:{OPUS_DEFAULT_KBPS} (speech, mono)"))
    return PackAudioSpec("opus", int(rate))


def opus_rate(sample_rate: int) -> int:
    """The Opus rate a blinded copy is encoded at: its own if Opus has it, else the next
    higher one (44.1 kHz becomes 48 kHz), so nothing audible is lost."""
    return next((rate for rate in OPUS_RATES if rate >= sample_rate), OPUS_RATES[-1])
