#!/usr/bin/env python3
"""Render the demo interviews in audio_samples/dialogues/ to compact OGG files.

    .venv/bin/python audio_samples/make_samples.py            # render all, write CSVs, check
    .venv/bin/python audio_samples/make_samples.py --check    # only check the committed files

Rendering needs espeak-ng (`apt-get install espeak-ng`); `--check` needs only numpy + soundfile,
so the committed audio can be verified anywhere.

Dialogue format (one file per recording, UTF-8):
    # title: ...                      header fields (title, profile)
    # score <dimension> <1-5> | <one-sentence rationale; {t} becomes the moment as m:ss>
    W: text                           the worker speaks
    P: text                           the parent (actor) speaks
    [pause 1.5]                       extra silence (seconds; bare [pause] = 1.0)
    P: [pause 1.2] text               silence before this turn
    W: {moment:clarity} text          the moment the rationale for that dimension points to
    W: I'm {redact:worker name}Jo{/redact} from ...   a span the blinding tool should bleep

Everything is deterministic: espeak-ng output is fixed for a given version, pauses and noise
come from a seeded generator. (The Ogg container's stream serial number is random, so the
bytes differ between runs while the decoded audio is the same.)
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import lfilter, resample_poly

HERE = Path(__file__).resolve().parent
DIALOGUES = HERE / "dialogues"
AUDIO = HERE / "audio"
VIGNETTE = "V1"
DIMENSIONS = ("warmth", "empathy", "strengths", "clarity")
ESPEAK_RATE = 22050  # espeak-ng's native output rate
WRITE_BLOCK = 4096  # frames per write: one huge write() to OGG segfaults libsndfile 1.2.x


@dataclass(frozen=True)
class Voice:
    name: str  # espeak-ng voice+variant
    pitch: int  # -p, 0-99
    speed: int  # -s, words per minute
    amplitude: int = 100  # -a


# The parent is always the same actor: one voice for all recordings.
PARENT = Voice("en-gb-x-gbclan+f4", pitch=72, speed=165)

# Hidden metadata and the worker's voice for each recording. Each authority uses the same four
# base voices (pitch and speed varied per worker), so voice quality does not predict the group.
RECORDINGS: dict[str, dict] = {
    "01-strong-throughout": dict(la="Kestrelford", worker="W01", timepoint="T1",
                                 voice=Voice("en-gb-x-rp+m3", 36, 148)),
    "02-weak-throughout": dict(la="Brindlemoor", worker="W05", timepoint="T1",
                               voice=Voice("en-gb+m7", 32, 172)),
    "03-clear-but-cold": dict(la="Kestrelford", worker="W02", timepoint="T1",
                              voice=Voice("en-gb+m7", 28, 162)),
    "04-warm-but-vague": dict(la="Brindlemoor", worker="W06", timepoint="T2",
                              voice=Voice("en-gb-x-gbcwmd+Andy", 44, 150)),
    "05-strengths-but-minimising": dict(la="Brindlemoor", worker="W07", timepoint="T1",
                                        voice=Voice("en-gb-x-rp+m3", 42, 152)),
    "06-empathic-but-avoids-concern": dict(la="Kestrelford", worker="W03", timepoint="T2",
                                           voice=Voice("en-gb-x-gbcwmd+Andy", 38, 142)),
    "07-mixed-improving": dict(la="Kestrelford", worker="W04", timepoint="T2",
                               voice=Voice("en-gb-scotland+m1", 40, 155)),
    "08-confrontational": dict(la="Brindlemoor", worker="W08", timepoint="T2",
                               voice=Voice("en-gb-scotland+m1", 34, 170)),
}


@dataclass(frozen=True)
class Recorder:
    """Technical properties planted per authority, as two sites' different kit would give."""

    rate: int
    subtype: str
    compression: float  # soundfile compression_level, 0 (best quality) .. 1 (smallest)
    gain_db: float  # speech level relative to the reference level
    noise_dbfs: float  # RMS of the room-noise bed
    hum_dbfs: float | None  # mains hum (50 Hz + harmonics), None = none


RECORDERS = {
    "Kestrelford": Recorder(rate=24000, subtype="OPUS", compression=0.96,
                            gain_db=0.0, noise_dbfs=-66.0, hum_dbfs=None),
    "Brindlemoor": Recorder(rate=16000, subtype="VORBIS", compression=1.0,
                            gain_db=-7.0, noise_dbfs=-56.0, hum_dbfs=-60.0),
}

# One file carries identifying tags, as a recorder app that stamps its files would leave them.
TAGS = {
    "03-clear-but-cold": dict(title="Kestrelford CS home visit - worker W02",
                              artist="J. Pennick (W02)", date="2024-03-14",
                              comment="Kestrelford Children's Services, recorder 2"),
}

REFERENCE_RMS_DBFS = -24.0  # per-turn speech level before the recorder's gain
TURN_PEAK_MAX = 0.5  # ...unless that would put a peak above this (espeak is peaky)
TURN_GAP_S = (0.35, 0.85)  # silence between turns, drawn per turn
LEAD_IN_S, TAIL_S = 0.8, 1.0
REDACT_PAD_S = 0.05
CHUNK_GAP_S = 0.04  # between the pieces of a turn split around a redaction span
SENTENCE_GAP_S = 0.25  # before a piece that starts at a {moment:...} tag inside a turn


# ----------------------------------------------------------------------------- parsing

@dataclass
class Chunk:
    """A piece of a turn spoken by one espeak-ng call; a turn is split at every tag."""

    text: str
    redact: str | None = None  # reason, when this chunk is a span to redact
    moments: list[str] = field(default_factory=list)  # dimensions whose moment starts here
    gap_before: float = CHUNK_GAP_S


@dataclass
class Turn:
    speaker: str  # "W" or "P"
    chunks: list[Chunk]
    pause_before: float = 0.0

    @property
    def moments(self) -> list[str]:
        return [m for c in self.chunks for m in c.moments]

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.chunks).strip()


@dataclass
class Dialogue:
    stem: str
    header: dict[str, str]
    scores: dict[str, tuple[int, str]]
    items: list[Turn | float]  # a float is a stand-alone pause


_PAUSE = re.compile(r"^\[pause(?:\s+([0-9.]+))?\]\s*")
_TAG = re.compile(r"\{moment:([a-z]+)\}\s*|\{redact:([^}]+)\}(.*?)\{/redact\}")
_SCORE = re.compile(r"^#\s*score\s+(\w+)\s+([1-5])\s*\|\s*(.+)$")
_HEADER = re.compile(r"^#\s*(\w+):\s*(.+)$")


def parse_dialogue(path: Path) -> Dialogue:
    header: dict[str, str] = {}
    scores: dict[str, tuple[int, str]] = {}
    items: list[Turn | float] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{path.name}:{n}"
        if not line:
            continue
        if line.startswith("#"):
            if m := _SCORE.match(line):
                dim, score, why = m.group(1), int(m.group(2)), m.group(3).strip()
                if dim not in DIMENSIONS:
                    sys.exit(f"{where}: unknown dimension {dim!r}; use one of {DIMENSIONS}")
                scores[dim] = (score, why)
            elif m := _HEADER.match(line):
                header[m.group(1)] = m.group(2).strip()
            continue
        if m := _PAUSE.fullmatch(line):
            items.append(float(m.group(1) or 1.0))
            continue
        speaker, sep, rest = line.partition(":")
        if not sep or speaker not in ("W", "P"):
            sys.exit(f"{where}: expected 'W: text', 'P: text' or '[pause N]', got {line!r}")
        rest = rest.strip()
        pause = 0.0
        if m := _PAUSE.match(rest):
            pause = float(m.group(1) or 1.0)
            rest = rest[m.end():]
        chunks: list[Chunk] = []
        pending: list[str] = []  # moment tags waiting for the next piece of text
        pos = 0
        for m in _TAG.finditer(rest):
            if rest[pos:m.start()].strip():
                chunks.append(Chunk(rest[pos:m.start()], moments=pending))
                pending = []
            if m.group(1):
                pending.append(m.group(1))
            else:
                chunks.append(Chunk(m.group(3), redact=m.group(2), moments=pending))
                pending = []
            pos = m.end()
        if rest[pos:].strip():
            chunks.append(Chunk(rest[pos:], moments=pending))
            pending = []
        if pending or "{" in _TAG.sub("", rest):
            sys.exit(f"{where}: a {{moment:...}} tag must come before text, and only "
                     f"{{moment:dim}} and {{redact:reason}}...{{/redact}} tags exist: {rest!r}")
        for c in chunks:
            if c.moments:
                c.gap_before = SENTENCE_GAP_S
        items.append(Turn(speaker, chunks, pause))
    missing = [d for d in DIMENSIONS if d not in scores]
    tagged = {m for t in items if isinstance(t, Turn) for m in t.moments}
    if missing or tagged != set(DIMENSIONS):
        sys.exit(f"{path.name}: needs a '# score' line and one {{moment:...}} tag for each of "
                 f"{DIMENSIONS}; scores missing {missing}, moments tagged {sorted(tagged)}")
    return Dialogue(path.stem, header, scores, items)


# ----------------------------------------------------------------------------- rendering

def speak(text: str, voice: Voice, workdir: Path) -> np.ndarray:
    """One espeak-ng utterance as float64 at ESPEAK_RATE, leading/trailing silence trimmed."""
    out = workdir / "utt.wav"
    subprocess.run(["espeak-ng", "-v", voice.name, "-p", str(voice.pitch), "-s", str(voice.speed),
                    "-a", str(voice.amplitude), "-w", str(out), "--", text],
                   check=True, capture_output=True)
    x, rate = sf.read(out, dtype="float64")
    assert rate == ESPEAK_RATE, rate
    loud = np.flatnonzero(np.abs(x) > 0.01)
    if loud.size == 0:
        return np.zeros(0)
    pad = int(0.02 * rate)
    return x[max(loud[0] - pad, 0): loud[-1] + pad]


def fade(x: np.ndarray, rate: int, ms: float = 8.0) -> np.ndarray:
    n = min(int(rate * ms / 1000), len(x) // 2)
    if n:
        ramp = np.linspace(0.0, 1.0, n)
        x[:n] *= ramp
        x[-n:] *= ramp[::-1]
    return x


def db(v: float) -> float:
    return 10 ** (v / 20)


@dataclass
class Rendered:
    audio: np.ndarray  # at the recorder's rate
    rate: int
    turns: list[dict]  # index, speaker, start, end, text
    moments: dict[str, float]
    redactions: list[tuple[float, float, str, str, str]]  # start, end, reason, text, speaker


def render(dlg: Dialogue, seed: int, workdir: Path) -> Rendered:
    meta = RECORDINGS[dlg.stem]
    rec = RECORDERS[meta["la"]]
    rng = np.random.default_rng(seed)
    voices = {"W": meta["voice"], "P": PARENT}
    parts: list[np.ndarray] = []
    t = 0.0
    turns, moments, redactions = [], {}, []

    def silence(seconds: float) -> None:
        nonlocal t
        n = int(round(seconds * ESPEAK_RATE))
        parts.append(np.zeros(n))
        t += n / ESPEAK_RATE

    silence(LEAD_IN_S)
    first = True
    for item in dlg.items:
        if isinstance(item, float):
            silence(item)
            continue
        if not first:
            silence(float(rng.uniform(*TURN_GAP_S)))
        first = False
        silence(item.pause_before)
        start = t
        pieces = [speak(c.text, voices[item.speaker], workdir) for c in item.chunks]
        joined = np.concatenate(pieces)
        gain = min(db(REFERENCE_RMS_DBFS) / np.sqrt(np.mean(joined ** 2)),
                   TURN_PEAK_MAX / np.max(np.abs(joined)))
        if item.speaker == "P":
            gain *= db(-1.5)  # the actor sits a little further from the recorder
        for i, (chunk, piece) in enumerate(zip(item.chunks, pieces, strict=True)):
            if i:
                silence(chunk.gap_before)
            c_start = t
            for m in chunk.moments:
                moments[m] = c_start
            parts.append(fade(piece * gain, ESPEAK_RATE))
            t += len(piece) / ESPEAK_RATE
            if chunk.redact:
                redactions.append((c_start - REDACT_PAD_S, t + REDACT_PAD_S, chunk.redact,
                                   chunk.text, item.speaker))
        turns.append(dict(turn=len(turns) + 1, speaker=item.speaker, start=start, end=t,
                          text=item.text))
    silence(TAIL_S)
    speech = np.concatenate(parts) * db(rec.gain_db)

    # Resample to the recorder's rate, then lay the room under the speech.
    g = np.gcd(rec.rate, ESPEAK_RATE)
    speech = resample_poly(speech, rec.rate // g, ESPEAK_RATE // g)
    n = len(speech)
    white = rng.standard_normal(n)
    # Brownish room noise: one-pole low-pass of white noise, scaled to the target RMS.
    noise = lfilter([0.03], [1.0, -0.97], white)
    noise *= db(rec.noise_dbfs) / np.sqrt(np.mean(noise ** 2))
    mix = speech + noise
    if rec.hum_dbfs is not None:
        tt = np.arange(n) / rec.rate
        hum = (np.sin(2 * np.pi * 50 * tt) + 0.5 * np.sin(2 * np.pi * 100 * tt + 0.3)
               + 0.25 * np.sin(2 * np.pi * 150 * tt + 1.1))
        mix += hum * db(rec.hum_dbfs) / np.sqrt(np.mean(hum ** 2))
    return Rendered(mix.astype(np.float32), rec.rate, turns, moments,
                    [(round(a, 2), round(b, 2), *rest) for a, b, *rest in redactions])


def write_ogg(path: Path, audio: np.ndarray, rate: int, rec: Recorder, tags: dict) -> None:
    path.unlink(missing_ok=True)
    with sf.SoundFile(path, "w", rate, 1, format="OGG", subtype=rec.subtype,
                      compression_level=rec.compression) as f:
        for key, value in tags.items():  # Vorbis comments must precede the first write
            setattr(f, key, value)
        for i in range(0, len(audio), WRITE_BLOCK):
            f.write(audio[i:i + WRITE_BLOCK])


# ----------------------------------------------------------------------------- tables

def fmt_t(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def audio_rel(stem: str) -> str:
    return f"audio/{stem}.ogg"


# ----------------------------------------------------------------------------- checking

def f0_median(x: np.ndarray, rate: int) -> float:
    """Median fundamental frequency of the voiced frames (autocorrelation, 60-400 Hz)."""
    n, hop = int(0.04 * rate), int(0.02 * rate)
    if len(x) < n:
        return float("nan")
    frames = np.lib.stride_tricks.sliding_window_view(x, n)[::hop]
    frames = frames - frames.mean(axis=1, keepdims=True)
    rms = np.sqrt(np.mean(frames ** 2, axis=1))
    frames = frames[rms > 0.3 * np.sqrt(np.mean(x ** 2))]
    if not len(frames):
        return float("nan")
    spec = np.fft.rfft(frames, 2 * n, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, :n]
    lo, hi = int(rate / 400), int(rate / 60)
    lag = lo + np.argmax(ac[:, lo:hi], axis=1)
    voiced = ac[np.arange(len(ac)), lag] > 0.4 * ac[:, 0]
    return float(np.median(rate / lag[voiced])) if voiced.any() else float("nan")


def check(stems: list[str]) -> bool:
    """Read every committed file back and check duration, rate, clipping and the two voices."""
    turns_by_rec: dict[str, list[dict]] = {}
    with (HERE / "turns.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            turns_by_rec.setdefault(row["recording"], []).append(row)
    ok = True
    total = 0
    print(f"{'file':40} {'dur s':>6} {'kB':>5} {'rate':>6} {'codec':>6} {'peak':>5} "
          f"{'rms dB':>6} {'F0 W':>5} {'F0 P':>5}")
    for stem in stems:
        rel = audio_rel(stem)
        path = HERE / rel
        meta = RECORDINGS[stem]
        rec = RECORDERS[meta["la"]]
        x, rate = sf.read(path, dtype="float64")
        info = sf.info(path)
        turns = turns_by_rec[rel]
        expected = float(turns[-1]["end"]) + TAIL_S
        dur = len(x) / rate
        size = path.stat().st_size
        total += size
        peak = float(np.max(np.abs(x)))
        rms = 20 * np.log10(np.sqrt(np.mean(x ** 2)))
        seg = {"W": [], "P": []}
        problems = []
        for t in turns:
            a, b = int(float(t["start"]) * rate), int(float(t["end"]) * rate)
            seg[t["speaker"]].append(x[a:b])
            turn_f0 = f0_median(x[a:b], rate)
            if b - a > rate and (turn_f0 > 150) != (t["speaker"] == "P"):
                problems.append(f"turn {t['turn']} ({t['speaker']}) sounds like the other "
                                f"voice: F0 {turn_f0:.0f} Hz")
        f0 = {k: f0_median(np.concatenate(v), rate) for k, v in seg.items()}
        if abs(dur - expected) > 0.05:
            problems.append(f"duration {dur:.2f}s, expected {expected:.2f}s")
        if not 60 <= dur <= 200:
            problems.append(f"duration {dur:.0f}s outside 1-3 minutes (plus a little)")
        if rate != rec.rate or info.subtype != rec.subtype or info.channels != 1:
            problems.append(f"{info.subtype} {rate} Hz {info.channels} ch, expected "
                            f"{rec.subtype} {rec.rate} Hz mono")
        if peak >= 0.99:
            problems.append(f"clipping: peak {peak:.3f}")
        if not (f0["W"] < 150 < 180 < f0["P"]):
            problems.append(f"voices not separated by pitch: worker {f0['W']:.0f} Hz, "
                            f"parent {f0['P']:.0f} Hz")
        if size > 500_000:
            problems.append(f"{size} bytes, over 500 kB")
        tags = {k: getattr(sf.SoundFile(path), k) for k in ("title", "artist")}
        if bool(TAGS.get(stem)) != any(tags.values()):
            problems.append(f"tags {tags} do not match the plan")
        print(f"{rel:40} {dur:6.1f} {size / 1000:5.0f} {rate:6d} {info.subtype:>6} {peak:5.2f} "
              f"{rms:6.1f} {f0['W']:5.0f} {f0['P']:5.0f}")
        for p in problems:
            print(f"  PROBLEM: {p}")
        ok &= not problems
    print(f"total {total / 1e6:.2f} MB in {len(stems)} files")
    if total > 4_000_000:
        print("  PROBLEM: over the 4 MB budget")
        ok = False
    return ok


def check_redactions(spans: list[tuple[str, str, Voice, float, float]], workdir: Path) -> bool:
    """Find each redacted word in the decoded file (needs espeak-ng): it must lie in its span."""
    from scipy.signal import correlate

    ok = True
    for rel, text, voice, start, end in spans:
        x, rate = sf.read(HERE / rel, dtype="float64")
        g = np.gcd(rate, ESPEAK_RATE)
        word = resample_poly(speak(text, voice, workdir), rate // g, ESPEAK_RATE // g)
        a, b = int(max(start - 2, 0) * rate), int((end + 2) * rate)
        seg = x[a:b]
        energy = np.sqrt(np.convolve(seg ** 2, np.ones(len(word)), "valid"))
        score = correlate(seg, word, "valid") / (energy * np.linalg.norm(word) + 1e-12)
        k = int(np.argmax(score))
        found = (a + k) / rate, (a + k + len(word)) / rate
        inside = start <= found[0] and found[1] <= end and score[k] > 0.8
        verdict = "ok" if inside else "PROBLEM: not inside its span"
        print(f"redaction {rel} {text!r}: span {start:.2f}-{end:.2f}, heard at "
              f"{found[0]:.2f}-{found[1]:.2f} (match {score[k]:.2f}) {verdict}")
        ok &= inside
    return ok


# ----------------------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only check the committed files")
    ap.add_argument("only", nargs="*", help="render only these dialogue stems (debugging)")
    args = ap.parse_args()
    stems = sorted(p.stem for p in DIALOGUES.glob("*.txt"))
    if set(stems) != set(RECORDINGS):
        sys.exit(f"dialogues {stems} and RECORDINGS {sorted(RECORDINGS)} differ")
    if args.check:
        return 0 if check(stems) else 1
    if shutil.which("espeak-ng") is None:
        sys.exit("espeak-ng not found: apt-get install espeak-ng (or use --check)")
    AUDIO.mkdir(exist_ok=True)
    manifest, ratings, redactions, turn_rows, spans = [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for seed, stem in enumerate(stems, 1):
            dlg = parse_dialogue(DIALOGUES / f"{stem}.txt")
            meta = RECORDINGS[stem]
            rel = audio_rel(stem)
            if args.only and stem not in args.only:
                continue
            r = render(dlg, seed, Path(tmp))
            write_ogg(HERE / rel, r.audio, r.rate, RECORDERS[meta["la"]], TAGS.get(stem, {}))
            manifest.append([rel, meta["la"], meta["worker"], meta["timepoint"], VIGNETTE])
            for dim in DIMENSIONS:
                score, why = dlg.scores[dim]
                moment = r.moments[dim]
                ratings.append([rel, dim, score, why.replace("{t}", fmt_t(moment)),
                                f"{moment:.1f}"])
            for a, b, reason, text, speaker in r.redactions:
                redactions.append([rel, f"{a:.2f}", f"{b:.2f}", reason])
                spans.append((rel, text, PARENT if speaker == "P" else meta["voice"], a, b))
            for t in r.turns:
                turn_rows.append([rel, t["turn"], t["speaker"], f"{t['start']:.2f}",
                                  f"{t['end']:.2f}", t["text"]])
            print(f"rendered {rel}: {len(r.audio) / r.rate:.1f}s", flush=True)
        redactions_ok = check_redactions(spans, Path(tmp))
    if args.only:
        print("partial render: CSVs not rewritten")
        return 0
    write_csv(HERE / "manifest.csv", ["file", "la", "worker", "timepoint", "vignette"], manifest)
    write_csv(HERE / "expert_ratings.csv",
              ["file", "dimension", "score", "rationale", "moment_s"], ratings)
    write_csv(HERE / "redactions.csv", ["recording", "start", "end", "reason"], redactions)
    write_csv(HERE / "turns.csv", ["recording", "turn", "speaker", "start", "end", "text"],
              turn_rows)
    return 0 if check(stems) and redactions_ok else 1


if __name__ == "__main__":
    sys.exit(main())
