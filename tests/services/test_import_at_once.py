"""The same return imported twice at once, by two real processes: recorded exactly once, the
other import says "already imported" (issue 13, item 7). On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from test_packs import _rate, _recordings

from rater.services import rating
from rater.services.allocating import allocate_study
from rater.services.blinding import blind_study
from rater.services.importing import import_recordings
from rater.services.packs import export_pack, return_pack, unpack_for_rating
from rater.services.session import open_store
from rater.services.study import init_study, study_info

RUNS = 3


# `rater pack import`, started at the same moment in both processes (after Python has started
# and loaded the code, which otherwise staggers them by a random few hundred milliseconds).
AT_ONCE = ("import sys, time; import rater.services.packs; from rater.cli import main; "
           "time.sleep(max(0.0, float(sys.argv[1]) - time.time())); sys.exit(main(sys.argv[2:]))")


def _import_twice_at_once(study: str, pack: Path) -> list[subprocess.CompletedProcess]:
    start = f"{time.time() + 2:.3f}"
    command = [sys.executable, "-c", AT_ONCE, start, "pack", "import", study, str(pack), "--json"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    running = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env) for _ in range(2)]
    return [subprocess.CompletedProcess(p.args, p.wait(120), *p.communicate())
            for p in running]


def _returns_recorded(study: str) -> int:
    from sqlalchemy import func, select

    from rater.storage.schema import PackEvent

    with open_store(study) as store, store.transaction() as session:
        return session.scalar(select(func.count()).select_from(PackEvent)
                              .where(PackEvent.direction == "returned"))


def test_the_same_return_imported_twice_at_once_is_recorded_exactly_once(tmp_path,
                                                                         study_location):
    study = study_location
    originals = tmp_path / "originals"
    _recordings(originals)
    init_study(study)
    import_recordings(study, originals, originals / "metadata.csv")
    blind_study(study, workers=2, out=tmp_path / "blind")
    allocate_study(study, ["R1"], double=0, seed=3)
    export_pack(study, "R1", tmp_path / "R1.raterpack")
    folder = unpack_for_rating(tmp_path / "R1.raterpack", tmp_path / "ws")
    for run in range(1, RUNS + 1):
        _rate(folder, 1)
        rating.add_note(str(folder / "study.rater"), rating.rater_queue(
            str(folder / "study.rater"))[0].code, float(run), f"note {run}")
        pack = tmp_path / f"return-{run}.raterpack"
        return_pack(folder, pack)
        done = _import_twice_at_once(study, pack)
        assert [p.returncode for p in done] == [0, 0], [p.stderr for p in done]
        statuses = sorted(json.loads(p.stdout)[0]["status"] for p in done)
        assert statuses == ["already imported", "imported"], statuses
        assert _returns_recorded(study) == run
        assert study_info(study)["ratings"]["submitted"] == 4 * run
