"""`rater demo`: a demo study with content everywhere, built headless."""

from __future__ import annotations

import json
import subprocess
import sys

from rater.services.demo import existing_demo, open_or_build_demo
from rater.services.rating import rater_queue, set_score
from rater.services.study import study_info
from rater.services.workspace import open_pack


def test_rater_demo_builds_a_study_shaped_like_the_reference_study(tmp_path):
    result = subprocess.run([sys.executable, "-m", "rater", "demo", "--dir", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    study = result.stdout.strip()
    assert study == str(tmp_path / "demo.rater")
    info = study_info(study)
    assert info["recordings"] == 33 and info["blinded"] == 33
    assert info["raters"] == 4
    assert info["assignments_by_role"] == {"primary": 33, "second": 17, "gold": 8}
    assert info["ratings"]["submitted"] == (33 + 17) * 4
    demo = existing_demo(tmp_path)
    queue = rater_queue(str(demo.workspace / "study.rater"))
    assert len(queue) == 8 and all(e.status == "not started" for e in queue)
    compared = subprocess.run([sys.executable, "-m", "rater", "compare", study, "--by", "la",
                               "--json"], capture_output=True, text=True)
    assert compared.returncode == 0, compared.stderr
    clarity = json.loads(compared.stdout)["dimensions"]["clarity"]
    means = {g["group"]: g["mean"] for g in clarity["groups"]}
    assert means["Kestrelford"] > means["Brindlemoor"] + 0.8  # planted: 3.8 vs 2.6
    assert clarity["welch_t"]["p"] < 0.01

    # Opening the demo again keeps what you rated in it (no rebuild).
    demo = existing_demo(tmp_path)
    assert demo is not None and demo.study == tmp_path / "demo.rater"
    first = rater_queue(str(demo.workspace / "study.rater"))[0].code
    set_score(str(demo.workspace / "study.rater"), first, "warmth", 4)
    again = open_or_build_demo(tmp_path)
    assert rater_queue(str(again.workspace / "study.rater"))[0].scores == {"warmth": 4}

    # One pack, one working copy: opening the demo's pack file (double-click, File › Open rater
    # pack, `rater You.raterpack`) finds the work done through the demo's button.
    opened = open_pack(demo.pack)
    assert opened == demo.workspace
    assert rater_queue(str(opened / "study.rater"))[0].scores == {"warmth": 4}
