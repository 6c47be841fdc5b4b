"""What the engine's threads share: the blocks of decoded audio and the engine's errors."""

from __future__ import annotations

from rater.core.errors import Problem

PORTAUDIO_FIX = (
    "install the PortAudio library: sudo apt-get install libportaudio2 (Debian/Ubuntu), "
    "sudo dnf install portaudio (Fedora), sudo pacman -S portaudio (Arch)"
)

# Block kinds in the decoder queue
DATA, EOF, ERROR = 0, 1, 2


class Block:
    """``blocksize`` frames of output and the source range they play (or an end or error)."""

    __slots__ = ("kind", "gen", "data", "src_start", "src_end", "message")

    def __init__(self, kind, gen, data=None, src_start=0.0, src_end=0.0, message=None):
        self.kind, self.gen, self.data = kind, gen, data
        self.src_start, self.src_end, self.message = src_start, src_end, message


def problem_dict(p: Problem) -> dict:
    return {"what": p.what, "where": p.where, "fix": p.fix}


class EngineError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem
