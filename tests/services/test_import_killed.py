"""A killed import leaves the study as it was: all of the batch or none of it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import numpy as np
import soundfile as sf

from rater.services.study import init_study, study_info

FILES = 200


def test_kill_9_at_any_moment_leaves_all_or_nothing(tmp_path, study_location):
    init_study(study_location)
    audio = tmp_path / "audio"
    audio.mkdir()
    rng = np.random.default_rng(7)
    lines = ["file,la"]
    for i in range(FILES):
        sf.write(audio / f"r{i:03d}.wav", rng.uniform(-0.5, 0.5, 800).astype(np.float32), 8000)
        lines.append(f"r{i:03d}.wav,LA{i % 2}")
    (tmp_path / "m.csv").write_text("\n".join(lines) + "\n")
    command = [sys.executable, "-m", "rater", "study", "import", study_location,
               "--audio", str(audio), "--metadata", str(tmp_path / "m.csv")]
    outcomes = set()
    for delay in (0.3, 0.6, 0.9, 1.2, 1.5, 2.0, 3.0):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        count = study_info(study_location)["recordings"]
        assert count in (0, FILES), f"killed after {delay}s: {count} of {FILES} stored"
        outcomes.add(count)
        if count == FILES:
            break
    assert 0 in outcomes, "no kill landed before the import finished; the test proved nothing"
