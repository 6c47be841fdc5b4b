"""Running a workshop from the trainer's window: add people, hand out packs, bring returns in."""

from __future__ import annotations

from PySide6.QtCore import Qt

from rater.services import rating
from rater.services.demo import SAMPLES
from rater.services.gold import import_gold
from rater.services.packs import return_pack, unpack_for_rating
from rater.services.workshops import add_gold_recordings, create_workshop, workshop_info
from rater.ui.workshop.participants import ParticipantsPanel


def _workshop(tmp_path) -> str:
    workshop = str(tmp_path / "w.rater")
    create_workshop(workshop, seed=2)
    add_gold_recordings(workshop, sorted((SAMPLES / "audio").glob("*.ogg")))
    import_gold(workshop, SAMPLES / "expert_ratings.csv")
    return workshop


def _submitted(workshop: str) -> dict[str, int]:
    return {p["name"]: p["submitted"] for p in workshop_info(workshop)["participants"]}


def test_people_packs_and_returns(qtbot, tmp_path, monkeypatch):
    workshop = _workshop(tmp_path)
    panel = ParticipantsPanel(workshop)
    qtbot.addWidget(panel)
    panel.show()
    panel.names.setText("Ana, Bo")
    qtbot.keyClick(panel.names, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=10000)

    monkeypatch.setattr("rater.ui.workshop.participants.QFileDialog.getExistingDirectory",
                        lambda *_a: str(tmp_path))
    panel.buttons["export"].click()
    qtbot.waitUntil(lambda: "2 pack(s) written" in panel.status.text(), timeout=30000)
    folder = unpack_for_rating(tmp_path / "packs" / "P01.raterpack", tmp_path / "ws")
    copy = str(folder / "study.rater")
    first = rating.rater_queue(copy)[0].code
    for dimension in ("warmth", "empathy", "strengths", "clarity"):
        rating.set_score(copy, first, dimension, 3)
    rating.submit_rating(copy, first)
    return_pack(folder, tmp_path / "P01-return.raterpack")
    monkeypatch.setattr("rater.ui.workshop.participants.QFileDialog.getOpenFileNames",
                        lambda *_a, **_k: ([str(tmp_path / "P01-return.raterpack"),
                                            str(tmp_path / "not-a-pack.raterpack")], ""))
    (tmp_path / "not-a-pack.raterpack").write_text("hello")
    panel.buttons["import"].click()
    qtbot.waitUntil(lambda: "P01-return.raterpack: imported" in panel.status.text(),
                    timeout=30000)
    assert "not-a-pack.raterpack: refused" in panel.status.text()
    assert _submitted(workshop) == {"Ana": 1, "Bo": 0}
