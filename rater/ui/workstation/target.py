"""What the workstation rates: a rater pack (unpacked once into the rater's workspace), its
working folder, or a research study in single-machine "rater mode" for one named rater."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rater.core.codebook import Codebook
from rater.services import audio_cache, rating
from rater.services.packs import WORK_FILE, unpack_for_rating
from rater.services.rating import QueueEntry
from rater.services.workspace import default_workspace

PACK_SUFFIX = ".raterpack"


@dataclass(frozen=True)
class Target:
    """Where the work is. ``folder`` is a pack's working folder (it can be returned)."""

    study: str
    rater: str | None = None
    folder: Path | None = None

    @property
    def audio_base(self) -> Path:
        """Audio paths in a pack's copy are relative to its folder."""
        return self.folder if self.folder is not None else Path(self.study).parent

    def audio_path(self, entry: QueueEntry) -> Path | None:
        cached = audio_cache.audio_path(self.study, entry.code) \
            if audio_cache.is_shared(self.study) else None  # from the server (decision 1705)
        if cached is not None:
            return cached
        if not entry.audio:
            return None
        path = Path(entry.audio)
        return path if path.is_absolute() else self.audio_base / path


@dataclass(frozen=True)
class Workspace:
    """Everything the window needs to start, read in one go off the UI thread."""

    target: Target
    rater: str
    codebook: Codebook
    queue: list[QueueEntry]
    place: tuple[str, float] | None
    guess: tuple[str, list[str]] | None


def resolve(location: str, rater: str | None = None, workspace: Path | None = None) -> Target:
    """A pack file, a pack's working folder, or a study for ``rater`` (may unpack: slow)."""
    path = Path(location)
    if path.suffix == PACK_SUFFIX:
        folder = unpack_for_rating(path, workspace or default_workspace())
        return Target(str(folder / WORK_FILE), None, folder)
    if path.is_dir():
        return Target(str(path / WORK_FILE), rater, path)
    return Target(location, rater)


def actions_for(workspace: Workspace, on_status: Callable[[object], None]):
    """The rater's writes: on a shared study kept on this computer first and sent to the
    server by a background sender (issue 17, decision 1702); elsewhere committed at once."""
    study = workspace.target.study
    if not audio_cache.is_shared(study):
        return rating.RaterActions(study, workspace.target.rater)
    from rater.services.online import OnlineRater

    sender = OnlineRater(study, workspace.rater, on_change=on_status)
    sender.start()
    return sender


def load(target: Target) -> Workspace:
    """Read the rater's queue, codebook, last place and blinding question (slow: disk, SQL)."""
    study, rater = target.study, target.rater
    queue = rating.rater_queue(study, rater)
    if audio_cache.is_shared(study):
        audio_cache.start_fetching(study, [entry.code for entry in queue])
    return Workspace(target, rating.rater_name(study, rater), rating.codebook(study),
                     queue, rating.last_place(study, rater),
                     rating.guess_question(study))


def is_rating_request(argv: list[str]) -> bool:
    """Does the command line ask for the workstation (a pack, a pack folder, or --rater)?"""
    if "--rater" in argv:
        return True
    return bool(argv) and (argv[0].endswith(PACK_SUFFIX) or (Path(argv[0]) / WORK_FILE).is_file())


def parse_request(argv: list[str]) -> tuple[str | None, str | None]:
    """(location, rater) from ``[LOCATION] [--rater ID]``."""
    rater = None
    rest = list(argv)
    if "--rater" in rest:
        at = rest.index("--rater")
        rater = rest[at + 1] if at + 1 < len(rest) else None
        del rest[at:at + 2]
    return (rest[0] if rest else None), rater
