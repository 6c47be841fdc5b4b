"""`audit-leaks` on a blinded study: what blinding evened out, and what it could not."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from rater.core.errors import RaterError
from rater.core.pack_audio import PackAudioSpec
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.leak_audit import audit_leaks
from rater.services.study import init_study


@pytest.fixture
def study(tmp_path):
    """LA1 records at 16 kHz, quietly, and starts every file with 2 s of silence; LA2 records at
    44.1 kHz, loudly, and starts at once."""
    folder = tmp_path / "audio"
    folder.mkdir()
    rng = np.random.default_rng(9)
    lines = ["file,la"]
    for i in range(16):
        la1 = i % 2 == 0
        rate = 16000 if la1 else 44100
        t = np.arange(int(rate * 4)) / rate
        speech = np.sin(2 * np.pi * 180 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)) ** 2
        speech *= 0.05 if la1 else 0.4
        speech += rng.normal(0, 0.002, t.size)
        if la1:
            speech = np.r_[rng.normal(0, 0.0005, 2 * rate), speech]
        sf.write(folder / f"r{i:02d}.wav", speech.astype(np.float32), rate)
        lines.append(f"r{i:02d}.wav,{'LA1' if la1 else 'LA2'}")
    (folder / "m.csv").write_text("\n".join(lines) + "\n")
    path = str(tmp_path / "s.rater")
    init_study(path)
    import_recordings(path, folder, folder / "m.csv")
    return path


def test_blinding_evens_out_format_and_loudness_but_not_leading_silence(study):
    blind_study(study, workers=2)
    report = audit_leaks(study, "la")
    originals = {p["property"]: p for p in report["originals"]["properties"]}
    copies = {p["property"]: p for p in report["raters_copies"]["properties"]}
    assert originals["sample_rate"]["leaks"] and report["originals"]["verdict"] == "leak"
    assert copies["sample_rate"]["note"] == "the same for every recording"
    assert not copies["loudness_lufs"]["leaks"]
    assert copies["leading_silence_s"]["leaks"] and copies["duration_s"]["leaks"]
    assert report["raters_copies"]["verdict"] == "leak"
    assert any("trim the start" in fix for fix in report["raters_copies"]["fix"])


def test_audit_needs_blinding_and_a_known_field(study):
    with pytest.raises(RaterError, match="blind"):
        audit_leaks(study, "la")
    with pytest.raises(RaterError, match="no metadata field 'site'"):
        audit_leaks(study, "site")


def test_with_opus_the_audit_hears_what_raters_receive(study):
    blind_study(study, workers=2)
    flac = audit_leaks(study, "la")
    opus = audit_leaks(study, "la", audio=PackAudioSpec("opus", 32))
    assert (flac["audio"], opus["audio"]) == ("flac", "opus:32")
    copies = {p["property"]: p for p in opus["raters_copies"]["properties"]}
    assert copies["format"]["note"] == "the same for every recording"
    sizes = {p["property"]: p for p in flac["raters_copies"]["properties"]}["size_bytes"]
    assert copies["size_bytes"] != sizes, "the sizes audited are the Opus copies' own"
    assert not copies["loudness_lufs"]["leaks"]
    assert copies["leading_silence_s"]["leaks"], "what blinding left is still found"
