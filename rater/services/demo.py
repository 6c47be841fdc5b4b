"""User action: build the demo study (`rater demo`), so a newcomer sees everything at once.

The demo holds 33 recordings shaped like the reference study (18 from one local authority, 15
from the other): the eight synthesised interviews in audio_samples/ and 25 more cut from them,
blinded and allocated to three demo raters who have rated them all, half double-coded, with
the authorities differing the way the reference study found; then unblinded, so the group
comparison shows at once. A fourth rater, "You", has the eight interviews in a pack to rate
(made before unblinding), with the project's expert ratings to compare against later.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rater.audio.demo_audio import VariantCutter
from rater.core.bundled import samples_dir
from rater.core.codebook import default_codebook_path
from rater.core.codebook.brief import brief_from_markdown, with_brief
from rater.core.errors import Problem, RaterError
from rater.services.allocating import allocate_study, assign_gold
from rater.services.analysis import unblind_study
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.packs import export_pack
from rater.services.ratings_import import import_ratings
from rater.services.session import open_store
from rater.services.study import init_study
from rater.services.workspace import default_workspace, open_pack

SAMPLES = samples_dir()
DIMENSIONS = ("warmth", "empathy", "strengths", "clarity")
GROUPS = {"Kestrelford": 18, "Brindlemoor": 15}
# Group means like the reference study's (clarity 3.8 vs 2.6, empathy 2.9 vs 2.2).
MEANS = {"Kestrelford": {"warmth": 3.6, "empathy": 2.9, "strengths": 3.3, "clarity": 3.8},
         "Brindlemoor": {"warmth": 2.9, "empathy": 2.2, "strengths": 2.5, "clarity": 2.6}}
RATERS = ("R1", "R2", "R3")
YOU = "You"
SEED = 2013


@dataclass(frozen=True)
class Demo:
    study: Path
    pack: Path
    workspace: Path


def default_demo_folder() -> Path:
    from platformdirs import user_data_path

    return user_data_path("rater", appauthor=False) / "demo"


def existing_demo(folder: Path) -> Demo | None:
    """The demo built earlier in `folder`, with the rating done in it since, if it is there."""
    study, pack = folder / "demo.rater", folder / f"{YOU}.raterpack"
    if not (study.is_file() and pack.is_file()):
        return None
    _move_old_workspace(folder)
    return Demo(study, pack, open_pack(pack))


def _move_old_workspace(folder: Path) -> None:
    """Demos built before packs had one working copy kept it in `folder`/workspace: move it
    where every way of opening the pack looks, so the rating done in it is not lost."""
    for old in (folder / "workspace").glob("*"):
        new = default_workspace() / old.name
        if (old / "study.rater").is_file() and not new.exists():
            new.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(old, new)


# What building the demo does, step by step (the app shows them with a progress bar).
BUILD_STEPS = (
    "Making 33 recordings from the eight demo interviews",
    "Importing them into a new study, with who and where they come from",
    "Blinding: copies under codes, names bleeped, loudness evened out",
    "Allocating them to three demo raters, half of them twice",
    "Adding the demo raters' scores",
    "Making your own rater pack of the eight interviews",
    "Unblinding the demo, so the group comparison shows",
)
Progress = Callable[[int, int, str], None]  # (step done so far, steps, what is being done)


def open_or_build_demo(folder: Path, progress: Progress | None = None) -> Demo:
    return existing_demo(folder) or build_demo(folder, progress)


def build_demo(folder: Path, progress: Progress | None = None) -> Demo:
    """Build (or rebuild) the demo in `folder`: the study, your pack, and its unpacked copy.
    `progress(done, total, text)` is told before each of BUILD_STEPS (from this thread)."""
    steps = iter(enumerate(BUILD_STEPS))

    def step() -> None:
        if progress is not None:
            done, text = next(steps)
            progress(done, len(BUILD_STEPS), text)

    if not (SAMPLES / "manifest.csv").is_file():
        raise RaterError(Problem("the demo recordings are missing", str(SAMPLES),
                                 "reinstall Rater: the demo recordings ship with it"))
    folder.mkdir(parents=True, exist_ok=True)
    study = folder / "demo.rater"
    for old in (study, folder / "demo-blinded", folder / f"{YOU}.raterpack"):
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{study}{suffix}").unlink(missing_ok=True)
    rng = np.random.default_rng(SEED)
    with tempfile.TemporaryDirectory() as scratch:
        audio = Path(scratch)
        step()
        manifest = _recordings(audio, rng)
        step()
        init_study(str(study), _codebook_with_brief(audio), name="Demo: two local authorities")
        import_recordings(str(study), audio, manifest)
        step()
        blind_study(str(study), redactions_csv=SAMPLES / "redactions.csv")
        step()
        allocate_study(str(study), list(RATERS), double=0.5, stratify="la", seed=SEED)
        step()
        import_ratings(str(study), _ratings_csv(study, audio, rng))
    step()
    originals = [row["file"] for row in _manifest_rows()]
    assign_gold(str(study), YOU, originals)
    pack = folder / f"{YOU}.raterpack"
    export_pack(str(study), YOU, pack)
    workspace = open_pack(pack)
    step()
    unblind_study(str(study), "demo: unblinded at once so the group comparison shows")
    if progress is not None:
        progress(len(BUILD_STEPS), len(BUILD_STEPS), "Done")
    return Demo(study, pack, workspace)


def _codebook_with_brief(folder: Path) -> Path:
    """The default codebook with the vignette as its scenario brief (codebook rule 1 asks
    raters to read it); the section for trainers (which recording is which) is left out."""
    brief = brief_from_markdown((SAMPLES / "vignette.md").read_text(encoding="utf-8"),
                                leave_out=("The recordings",))
    path = folder / "codebook.toml"
    path.write_text(with_brief(default_codebook_path().read_text(encoding="utf-8"), brief),
                    encoding="utf-8")
    return path


def _manifest_rows() -> list[dict]:
    with open(SAMPLES / "manifest.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _recordings(folder: Path, rng: np.random.Generator) -> Path:
    """The eight interviews, and variants cut from them until each authority has its count."""
    rows = _manifest_rows()
    lines = ["file,la,worker,timepoint,vignette"]
    (folder / "audio").mkdir()
    for row in rows:  # the same relative paths as audio_samples/, so redactions.csv applies
        shutil.copy(SAMPLES / row["file"], folder / row["file"])
        lines.append(f"{row['file']},{row['la']},{row['worker']},{row['timepoint']},V1")
    cutter = VariantCutter()
    for la, count in GROUPS.items():
        sources = [r for r in rows if r["la"] == la]
        for i in range(count - len(sources)):
            source = sources[i % len(sources)]
            name = f"audio/{la.lower()}-{i + 1:02d}.flac"
            cutter.cut(SAMPLES / source["file"], folder / name, seed=int(rng.integers(1 << 30)))
            worker = f"W{10 + i + (0 if la == 'Kestrelford' else 40):02d}"
            lines.append(f"{name},{la},{worker},T{1 + i % 2},V1")
    manifest = folder / "manifest.csv"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def _expert_scores() -> dict[str, dict[str, int]]:
    scores: dict[str, dict[str, int]] = {}
    with open(SAMPLES / "expert_ratings.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            scores.setdefault(row["file"], {})[row["dimension"]] = int(row["score"])
    return scores


def _ratings_csv(study: Path, audio: Path, rng: np.random.Generator) -> Path:
    """Every allocated rater's scores: a true score per recording (the expert's for the eight
    interviews, drawn around the group mean for the others) plus rater noise (r ≈ 0.8)."""
    with open_store(str(study)) as store:
        names = {str(r.id): r.original_name for r in store.recordings()}
        groups = {str(k): v for k, v in store.metadata_values("la").items()}
        slots = [s for s in store.slots() if s.role in ("primary", "second")]
    expert = _expert_scores()
    truth = {}
    for recording, name in names.items():
        truth[recording] = expert.get(name) or {
            d: float(np.clip(rng.normal(MEANS[groups[recording]][d], 0.8), 1, 5))
            for d in DIMENSIONS}
    lines = ["recording,rater,dimension,score,role"]
    for slot in slots:
        for dimension in DIMENSIONS:
            noisy = truth[slot.recording][dimension] + rng.normal(0, 0.35)
            score = int(np.clip(round(noisy), 1, 5))
            lines.append(f"{names[slot.recording]},{slot.rater},{dimension},{score},{slot.role}")
    path = audio / "demo-ratings.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
