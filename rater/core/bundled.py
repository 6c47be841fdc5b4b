"""Data that ships inside the package: the default codebook and the demo recordings.

In a source checkout ``rater/codebook`` and ``rater/audio_samples`` are symlinks to the folders
at the top of the tree; a wheel or a frozen bundle carries real copies (package data). Either
way they are found through ``importlib.resources``, so nothing depends on where the code runs.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def bundled(name: str) -> Path:
    """The folder ``name`` shipped with the package (on disk: wheels and bundles unpack it)."""
    return Path(str(importlib.resources.files("rater") / name))


def codebook_dir() -> Path:
    return bundled("codebook")


def samples_dir() -> Path:
    """The demo study's recordings, manifest and expert ratings."""
    return bundled("audio_samples")
