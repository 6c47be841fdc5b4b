"""Where a rater's packs are unpacked: one working copy per pack, however the pack is opened
(a double-click, File › Open rater pack, `rater PACK`, or the demo's "Rate … yourself")."""

from __future__ import annotations

from pathlib import Path

from rater.services.packs import unpack_for_rating


def default_workspace() -> Path:
    """The user's data folder for packs, one sub-folder per pack."""
    from platformdirs import user_data_path

    return user_data_path("rater", appauthor=False) / "packs"


def open_pack(pack: Path) -> Path:
    """The pack's working folder, unpacked the first time (slow: reads and checks the pack)."""
    return unpack_for_rating(pack, default_workspace())
