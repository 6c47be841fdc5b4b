"""The workstation on a shared study plays the audio from the local cache (decision 1705): the
queue's codes start fetching when it is loaded, and each entry's path is in the cache (a file
still arriving, or the finished one), never the researcher's path on another computer."""

from __future__ import annotations

import numpy as np
import pytest
from server_study import server_study

from rater.audio.source import StreamingSource
from rater.core.audio_cache import cache_home
from rater.services import audio_cache, rating, server
from rater.ui.workstation import target as targets


@pytest.fixture(scope="module")
def shared(pg_admin_url, tmp_path_factory):
    with server_study(pg_admin_url, tmp_path_factory.mktemp("server"), seconds=5) as study:
        yield study


def _decode(path) -> np.ndarray:
    with StreamingSource(path) as source:
        return source.read(source.frames).copy()


def test_the_workstation_plays_a_shared_studys_audio_from_the_cache(shared, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    login = shared.logins["R1"]
    server.log_in(login["url"], login["password"])
    target = targets.Target(login["url"], "R1")
    try:
        workspace = targets.load(target)
        assert workspace.queue
        blinded = {e.code: e.audio for e in rating.rater_queue(shared.url, "R1")}
        for entry in workspace.queue:
            path = target.audio_path(entry)
            assert cache_home() in path.parents and path.name.startswith(entry.code)
            assert entry.audio is None  # the rater is given no path (its name would tell)
            assert np.array_equal(_decode(path), _decode(blinded[entry.code]))  # the copy
    finally:
        audio_cache.stop_fetching()
