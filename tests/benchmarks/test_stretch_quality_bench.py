"""Time-stretch quality, measured: Rater's streaming TDHS against Rubber Band (issue 18 item 4).

Protocol (round trip): each method stretches speech to play at speed s, then stretches the
result back at 1/s; the round trip is compared with the original by STOI and ESTOI (pystoi:
Taal et al. 2011, Jensen & Taal 2016), after aligning by cross-correlation (the methods delay
the audio by different amounts). Both stretches are the method's own, so a method is not judged
by another's errors; what a stretch smears (transients, pitch periods, phase) is not given back
by the inverse, so a lower score means a worse stretch. Also: CPU time per second of output,
and the length check (a method that does not hit the speed fails).

Speech: espeak-ng, three voices reading the bundled vignette (no recorded human speech ships
with Rater or Debian; the scores are for synthetic speech, which is steadier than real).
Rubber Band: the `rubberband` command of Debian's rubberband-cli (3.1), R2 (its default
"crisp 5") and R3 (`--fine`), offline with the whole file (its best case); and R3 in real-time
mode through pylibrb (PyPI, bundles Rubber Band 3), fed blocks as the player would.
Run: ./run bench -k stretch_quality
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from rater.audio.stretch import TimeStretcher

SR = 22050  # espeak-ng's own rate
SPEEDS = (0.75, 1.25, 1.5, 2.0)
VOICES = ("en-gb", "en-us+f3", "en-gb+m3")
VIGNETTE = Path(__file__).parents[2] / "rater" / "audio_samples" / "vignette.md"


def _speech(tmp: Path) -> list[np.ndarray]:
    text = " ".join(VIGNETTE.read_text(encoding="utf-8").split())[:1500]
    out = []
    for voice in VOICES:
        wav = tmp / f"{voice.replace('+', '_')}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text], check=True)
        data, rate = sf.read(wav, dtype="float32")
        assert rate == SR
        out.append(data[: 40 * SR])
    return out


def tdhs(x: np.ndarray, speed: float, _tmp: Path) -> tuple[np.ndarray, float]:
    """audiostretchy's TDHS as the player ran it until decision 1803: streaming, 8192-frame
    blocks, int16 inside, pitch periods searched for 55-333 Hz fundamentals."""
    from audiostretchy.interface.tdhs import TDHSAudioStretch

    t = time.process_time()
    st = TDHSAudioStretch(SR // 333, SR // 55, 1, 0)
    out = np.zeros(st.output_capacity(8192, 2.0) + 16, dtype=np.int16)
    parts = []
    for i in range(0, len(x), 8192):
        block = np.rint(np.clip(x[i:i + 8192], -1.0, 32767 / 32768) * 32768).astype(np.int16)
        got = st.process_samples(block, len(block), out, 1.0 / speed)
        parts.append(out[:got].astype(np.float32) / 32768)
    got = st.flush(out)
    parts.append(out[:got].astype(np.float32) / 32768)
    st.deinit()
    return np.concatenate(parts), time.process_time() - t


def _rubberband(*options: str):
    def run(x: np.ndarray, speed: float, tmp: Path) -> tuple[np.ndarray, float]:
        src, dst = tmp / "rb_in.wav", tmp / "rb_out.wav"
        sf.write(src, x, SR, subtype="FLOAT")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(["rubberband", "-q", *options, "-T", f"{speed:.6f}", str(src), str(dst)],
                       check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return sf.read(dst, dtype="float32")[0], cpu
    return run


def rubber_band_streaming(x: np.ndarray, speed: float, _tmp: Path) -> tuple[np.ndarray, float]:
    """The player's stretch (Rubber Band R3 in real-time mode through pylibrb), fed
    8192-frame blocks as the engine does."""
    t = time.process_time()
    st = TimeStretcher(SR, 1, max_block=8192)
    parts = [st.process(x[i:i + 8192, None], speed) for i in range(0, len(x), 8192)]
    parts.append(st.flush())
    st.close()
    y = np.concatenate(parts)[:, 0][: int(round(len(x) / speed))]  # less the flushed tail
    return y, time.process_time() - t


METHODS = {"TDHS, streaming (before)": tdhs, "Rubber Band R2": _rubberband(),
           "Rubber Band R3 (--fine)": _rubberband("--fine"),
           "Rater: Rubber Band R3 streaming (pylibrb)": rubber_band_streaming}


def _aligned(ref: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shift ``y`` by the lag (within 0.2 s) that best matches ``ref``; both cut to one length."""
    n = min(len(ref), len(y))
    a, b = ref[:n], y[:n]
    spectrum = np.fft.rfft(a, 2 * n) * np.conj(np.fft.rfft(b, 2 * n))
    corr = np.fft.irfft(spectrum)
    window = int(0.2 * SR)
    lags = np.concatenate([corr[:window], corr[-window:]])
    lag = int(np.argmax(lags))
    lag = lag if lag < window else lag - 2 * window
    if lag > 0:  # y is early
        a, b = a[lag:], b[:n - lag]
    elif lag < 0:
        a, b = a[:n + lag], b[-lag:]
    return a, b


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    if not (shutil.which("espeak-ng") and shutil.which("rubberband")):
        pytest.fail("espeak-ng and rubberband-cli are needed (./run bench installs them)")
    return _speech(tmp_path_factory.mktemp("speech"))


def test_stretch_quality_against_rubber_band(speech, tmp_path):
    from pystoi import stoi

    rows = {}
    for name, method in METHODS.items():
        for speed in SPEEDS:
            scores, escores, cpu, out_s, lengths = [], [], 0.0, 0.0, []
            for x in speech:
                y, c1 = method(x, speed, tmp_path)
                back, c2 = method(y, 1.0 / speed, tmp_path)
                lengths.append(len(y) / (len(x) / speed))
                cpu += c1
                out_s += len(y) / SR
                a, b = _aligned(x, back)
                scores.append(stoi(a, b, SR))
                escores.append(stoi(a, b, SR, extended=True))
            rows[name, speed] = (statistics.mean(scores), statistics.mean(escores),
                                 1000 * cpu / out_s, statistics.mean(lengths))
    print("\n| method | speed | STOI | ESTOI | CPU ms per s of output | length / expected |")
    print("|---|---|---|---|---|---|")
    for (name, speed), (s, e, ms, ratio) in rows.items():
        print(f"| {name} | {speed:g}x | {s:.3f} | {e:.3f} | {ms:.1f} | {ratio:.3f} |")
    for (name, speed), (s, e, _ms, ratio) in rows.items():
        assert 0.0 < s <= 1.0 and -1.0 <= e <= 1.0
        assert ratio == pytest.approx(1.0, abs=0.02), f"{name} at {speed}x plays at the wrong speed"
    def mean_estoi(method: str) -> float:
        return statistics.mean(rows[method, speed][1] for speed in SPEEDS)

    tdhs_mean = mean_estoi("TDHS, streaming (before)")
    r3_mean = mean_estoi("Rater: Rubber Band R3 streaming (pylibrb)")
    print(f"mean ESTOI over the speeds: TDHS {tdhs_mean:.3f}, streaming R3 {r3_mean:.3f}")
    # docs/decisions/1803-stretch-quality.md chooses streaming R3 because this holds
    assert r3_mean > tdhs_mean + 0.03
