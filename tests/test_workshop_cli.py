"""A small workshop end to end from the command line, with real audio: create, add gold
recordings, import gold, add participants, export packs, rate in the packs with the services the
workstation uses, import the returns, room mode for others, report, handout."""

from __future__ import annotations

import json
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

from audio_files import write_audio

from rater.services import rating
from rater.services.packs import return_pack, unpack_for_rating
from rater.services.workshops import enter_room_score, feedback_for, feedback_ready

DIMENSIONS = ("warmth", "empathy", "strengths", "clarity")
GOLD = {"tape-a": {"warmth": 4, "empathy": 2, "strengths": 3, "clarity": 4},
        "tape-b": {"warmth": 2, "empathy": 3, "strengths": 1, "clarity": 3},
        "tape-c": {"warmth": 3, "empathy": 4, "strengths": 2, "clarity": 2},
        "tape-d": {"warmth": 3, "empathy": 3, "strengths": 4, "clarity": 1},
        "tape-e": {"warmth": 1, "empathy": 2, "strengths": 3, "clarity": 4}}
# How far each participant's scores sit from gold: Ann is the planted lenient one.
PLANTED = {"P01": (1, 1, 1, 2), "P02": (0, 0, 0, 0), "P03": (0, 1, -1, 0),
           "P04": (-1, 0, 0, 0), "P05": (0, 0, 1, 0)}


def rater(*args, status: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "rater", *map(str, args)],
                            capture_output=True, text=True)
    assert result.returncode == status, result.stderr
    return result


def rater_json(*args):
    return json.loads(rater(*args, "--json").stdout)


def planted(participant: str, code: str, dimension: str) -> int:
    shift = PLANTED[participant][DIMENSIONS.index(dimension)]
    return min(5, max(1, GOLD[code][dimension] + shift))


def _gold_csv(path: Path) -> Path:
    lines = ["file,dimension,score,rationale,moment_s,expert"]
    for code, scores in GOLD.items():
        for dimension, score in scores.items():
            lines.append(f"{code}.wav,{dimension},{score},why {code} {dimension},0.5;1.5,")
            lines.append(f"{code}.wav,{dimension},{score},,,Expert A")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_small_workshop_from_the_command_line(tmp_path):
    w = tmp_path / "w.rater"
    audio = [write_audio(tmp_path / "audio" / f"{code}.wav", seconds=2.0, freq=220 + 40 * i)
             for i, code in enumerate(GOLD)]
    made = rater_json("workshop", "create", w, "--name", "Tuesday group", "--seed", "7")
    assert (made["name"], made["feedback"]) == ("Tuesday group", "after_each")
    added = rater_json("workshop", "add", w, "--recordings", *audio,
                       "--participants", "Ann", "Bob", "Cy")
    assert added["recordings"]["added"] == list(GOLD)
    assert added["participants"] == ["P01", "P02", "P03"]
    imported = rater_json("gold", "import", w, _gold_csv(tmp_path / "gold.csv"))
    assert (imported["scores"], imported["moments"]) == (2 * 20, 40)
    shown = rater_json("gold", "show", w)
    assert len(shown) == 20 and shown[0] == {
        "recording": "tape-a", "dimension": "warmth", "score": 4,
        "rationale": "why tape-a warmth",
        "moments": [{"time_s": 0.5, "text": "why tape-a warmth"},
                    {"time_s": 1.5, "text": "why tape-a warmth"}],
        "experts": [{"expert": "Expert A", "score": 4}]}
    assert rater_json("workshop", "add", w, "--count", "2")["participants"] == ["P04", "P05"]

    (tmp_path / "packs").mkdir()
    packs = rater_json("workshop", "export-packs", w, "--out", tmp_path / "packs")
    assert [p["rater"] for p in packs] == ["P01", "P02", "P03", "P04", "P05"]
    orders = [tuple(p["order"]) for p in packs]
    assert all(sorted(o) == sorted(GOLD) for o in orders), "everyone gets every recording"
    assert len(set(orders)) == len(orders), "each in their own order"

    # Ann, Bob and Cy rate in their packs, as the workstation does; P04 and P05 in room mode.
    for pack in packs[:3]:
        who = pack["rater"]
        folder = unpack_for_rating(Path(pack["pack"]), tmp_path / "workspace" / who)
        copy = str(folder / "study.rater")
        with sqlite3.connect(copy) as db:
            assert db.execute("SELECT count(*) FROM gold_score").fetchone() == (40,)
            assert db.execute("SELECT count(*) FROM gold_moment").fetchone() == (40,)
            assert db.execute("SELECT feedback FROM workshop").fetchone() == ("after_each",)
        for entry in rating.rater_queue(copy):
            for dimension in DIMENSIONS:
                rating.set_score(copy, entry.code, dimension, planted(who, entry.code, dimension))
            assert not feedback_ready(copy, who, entry.code)
            rating.add_note(copy, entry.code, 0.7, f"{who} heard something", "warmth")
            rating.submit_rating(copy, entry.code)
            assert feedback_ready(copy, who, entry.code)
        offline = feedback_for(copy, who, "tape-a")  # from the pack alone
        warmth = offline.dimensions[0]
        assert (warmth.score, warmth.gold.score) == (planted(who, "tape-a", "warmth"), 4)
        assert [m.time_s for m in warmth.gold.moments] == [0.5, 1.5]
        assert warmth.gold.experts == (("Expert A", 4),)
        assert warmth.notes[0].text == f"{who} heard something"
        returned = return_pack(folder, tmp_path / f"{who}-return.raterpack")
        (result,) = rater_json("workshop", "import", w, returned["pack"])
        assert (result["status"], result["ratings"]) == ("imported", 20)
    for who in ("P04", "P05"):  # the grid commits each score through this service
        for code in GOLD:
            for dimension in DIMENSIONS:
                enter_room_score(str(w), who, code, dimension, planted(who, code, dimension))
    last = rater("workshop", "room", w, "P05", "tape-e", "warmth", 2).stdout
    assert "amended" in last  # a correction after the row was complete is kept as an amendment

    info = rater_json("workshop", "info", w)
    assert [(p["id"], p["name"], p["submitted"]) for p in info["participants"]] == [
        ("P01", "Ann", 5), ("P02", "Bob", 5), ("P03", "Cy", 5), ("P04", "", 5), ("P05", "", 5)]
    handout = tmp_path / "handout.html"
    report = rater_json("workshop", "report", w, "--html", handout)
    flags = {p["name"]: p["flag"] for p in report["participants"]}
    assert flags == {"Ann": "lenient", "Bob": None, "Cy": None, "P04": None, "P05": None}
    ann = report["participants"][0]
    # +1 +1 +1 +2 on each recording, but the scale stops at 5 (tape-a and tape-e clarity): 23/20
    assert ann["mean_signed"] == 1.15 and ann["exact"] == 0.0 and ann["within_one"] == 0.85
    # strengths: Ann +1, Cy −1 (0 where gold is 1) and P05 +1 on every recording: 14/25 off
    assert report["hardest"][0]["dimension"] == "strengths"
    assert report["hardest"][0]["mean_abs"] == 0.56
    page = handout.read_text(encoding="utf-8")
    for pid, name in (("P01", "Ann"), ("P02", "Bob"), ("P03", "Cy"), ("P04", ""), ("P05", "")):
        assert f'id="participant-{pid}"' in page
        assert f"<h2>{name or pid}</h2>" in page
    assert page.count("<svg") >= 4 + 4 and "why tape-c empathy" in page
    ann_page = page[page.index('id="participant-P01"'):page.index('id="participant-P02"')]
    assert "<b>tape-b, Clarity about concerns</b>: you 5, gold 3. why tape-b clarity" in ann_page
    assert "listen at 0:00.5; 0:01.5" in ann_page
    assert "<script" not in page and "<link" not in page  # self-contained, no scripts
    assert 'src="http' not in page and 'href="http' not in page
    text = rater("workshop", "report", w).stdout
    assert "Ann" in text and "lenient" in text
    rater("workshop", "set", w, "--hide-names", "--feedback", "after_set")
    hidden = rater_json("workshop", "report", w)
    assert [p["name"] for p in hidden["participants"]] == ["P01", "P02", "P03", "P04", "P05"]
    assert rater_json("workshop", "info", w)["feedback"] == "after_set"


def test_workshop_commands_refuse_bad_input_clearly(tmp_path):
    w = tmp_path / "w.rater"
    rater("workshop", "create", w)
    bad = rater("workshop", "create", tmp_path / "x.rater", "--feedback", "sometimes", status=2)
    assert "after_each" in bad.stderr
    missing = rater("workshop", "add", w, "--recordings", tmp_path / "nope.wav", status=1)
    assert "nope.wav" in missing.stderr and "no such file" in missing.stderr
    (tmp_path / "g.csv").write_text("file,dimension,score\nghost.wav,warmth,9\n")
    refused = rater("gold", "import", w, tmp_path / "g.csv", status=1)
    assert "g.csv:2" in refused.stderr and "not on the scale" in refused.stderr
    rater("study", "init", tmp_path / "s.rater")
    not_workshop = rater("workshop", "info", tmp_path / "s.rater", status=1)
    assert "not a workshop" in not_workshop.stderr
    assert rater("workshop", status=2).returncode == 2
    for command in (("workshop", "report"), ("gold", "report")):
        text = rater(*command, "--help").stdout
        assert "95% t-interval" in text.replace("\n", " ") and "%%" not in text


def test_the_readme_workshop_section_runs_as_written(tmp_path):
    root = Path(__file__).resolve().parents[1]
    text = (root / "README.md").read_text()
    section = text[text.index("### From the command line"):]
    section = section[:section.index("\n## ", 1)]
    commands = [line for block in re.findall(r"```\n(.*?)```", section, re.S)
                for line in block.splitlines() if line.startswith("rater ")]
    assert len(commands) >= 8
    (tmp_path / "audio_samples").symlink_to(root / "audio_samples")
    for command in commands:
        result = subprocess.run([sys.executable, "-m", "rater", *shlex.split(command)[1:]],
                                cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, f"{command}\n{result.stderr}"
    assert sorted(p.name for p in (tmp_path / "packs").iterdir()) == [
        f"P0{i}.raterpack" for i in range(1, 6)]
    assert 'id="participant-P05"' in (tmp_path / "handout.html").read_text()


def test_building_the_command_line_loads_no_statistics_library():
    """Every command's start-up pays for what `rater.cli` imports: the workshop commands'
    option lists must not pull in scipy (most of a second)."""
    code = ("import sys, rater.cli; rater.cli.build_parser(); "
            "print('\\n'.join(sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert "rater.cli.workshop" in loaded
    assert not any(name.startswith(("scipy", "matplotlib", "pandas")) for name in loaded)
