"""`--audio flac|opus[:KBPS]`: what a pack's audio may be, and clear errors for the rest."""

from __future__ import annotations

import pytest

from rater.core.errors import RaterError
from rater.core.pack_audio import FLAC, PackAudioSpec, opus_rate, parse_pack_audio


@pytest.mark.parametrize(("text", "spec"), [
    ("flac", FLAC), ("FLAC", FLAC), ("opus", PackAudioSpec("opus", 32)),
    ("opus:24", PackAudioSpec("opus", 24)), (" Opus:64 ", PackAudioSpec("opus", 64)),
])
def test_the_accepted_forms(text, spec):
    assert parse_pack_audio(text) == spec
    assert parse_pack_audio(str(spec)) == spec  # what a result says can be typed back


@pytest.mark.parametrize(("text", "what"), [
    ("mp3", "unknown pack audio"), ("flac:32", "unknown pack audio"),
    ("opus:8", "not a whole number of kbit/s from 12 to 256"),
    ("opus:300", "from 12 to 256"), ("opus:3.5", "from 12 to 256"), ("opus:", "from 12"),
])
def test_anything_else_says_what_is_accepted(text, what):
    with pytest.raises(RaterError, match=what) as error:
        parse_pack_audio(text)
    [problem] = error.value.problems
    assert problem.where == "--audio" and "opus:" in problem.fix


def test_opus_keeps_its_own_rates_and_goes_up_to_the_next_otherwise():
    assert [opus_rate(r) for r in (8000, 16000, 22050, 24000, 44100, 48000, 96000)] == \
        [8000, 16000, 24000, 24000, 48000, 48000, 48000]


def test_suffixes():
    assert (FLAC.suffix, parse_pack_audio("opus").suffix) == (".flac", ".opus")
