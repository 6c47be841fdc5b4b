"""User actions of a rater: score, submit, amend, note, and what their queue looks like.

`study` is a researcher's study (single-machine rater mode) or the working copy of a rater
pack; `rater` defaults to the only rater of a pack's copy.
"""

from __future__ import annotations

from rater.core.codebook import Codebook, parse_codebook
from rater.services.session import open_store
from rater.storage import ratings
from rater.storage.ratings import QueueEntry
from rater.storage.repository import StudyStore


def _rater(store: StudyStore, rater: str | None) -> str:
    return rater if rater is not None else store.only_rater()


def rater_queue(study: str, rater: str | None = None) -> list[QueueEntry]:
    with open_store(study) as store:
        return ratings.queue(store, _rater(store, rater))


def set_score(study: str, code: str, dimension: str, score: int, rater: str | None = None):
    with open_store(study) as store:
        ratings.set_score(store, _rater(store, rater), code, dimension, score)


def clear_score(study: str, code: str, dimension: str, rater: str | None = None) -> None:
    """Take a draft score back to "not scored" (undo of a first score)."""
    with open_store(study) as store:
        ratings.clear_score(store, _rater(store, rater), code, dimension)


def submit_rating(study: str, code: str, rater: str | None = None) -> None:
    with open_store(study) as store:
        ratings.submit(store, _rater(store, rater), code)


def amend_rating(study: str, code: str, dimension: str, score: int, reason: str,
                 rater: str | None = None) -> None:
    with open_store(study) as store:
        ratings.amend(store, _rater(store, rater), code, dimension, score, reason)


def add_note(study: str, code: str, time_s: float, text: str, dimension: str | None = None,
             rater: str | None = None) -> int:
    with open_store(study) as store:
        return ratings.add_note(store, _rater(store, rater), code, time_s, text, dimension)


def record_guess(study: str, code: str, guess: str, rater: str | None = None) -> None:
    """The blinding check: which group the rater thinks the recording came from ('' = don't
    know)."""
    with open_store(study) as store:
        ratings.record_guess(store, _rater(store, rater), code, guess)


def guess_question(study: str) -> tuple[str, list[str]] | None:
    with open_store(study) as store:
        return ratings.guess_question(store)


def notes(study: str, code: str, rater: str | None = None):
    """(id, time_s, text, dimension) of each note on one recording, in time order."""
    with open_store(study) as store:
        return ratings.notes(store, _rater(store, rater), code)


def delete_note(study: str, code: str, note_id: int, rater: str | None = None) -> None:
    with open_store(study) as store:
        ratings.delete_note(store, _rater(store, rater), code, note_id)


def save_listening(study: str, code: str, spans: list[tuple[float, float, float]],
                   rater: str | None = None) -> None:
    """Add stretches the rater heard: (start_s, end_s, speed)."""
    with open_store(study) as store:
        ratings.add_listening(store, _rater(store, rater), code, spans)


def heard_spans(study: str, code: str, rater: str | None = None):
    with open_store(study) as store:
        return ratings.heard_spans(store, _rater(store, rater), code)


def save_place(study: str, code: str, position_s: float, rater: str | None = None) -> None:
    with open_store(study) as store:
        ratings.save_place(store, _rater(store, rater), code, position_s)


def last_place(study: str, rater: str | None = None) -> tuple[str, float] | None:
    with open_store(study) as store:
        return ratings.last_place(store, _rater(store, rater))


def rater_name(study: str, rater: str | None = None) -> str:
    """Who is rating: the given rater, or the only rater of a pack's working copy."""
    with open_store(study) as store:
        return _rater(store, rater)


def codebook(study: str) -> Codebook:
    """The codebook the study rates with (parsed from the exact text the study keeps)."""
    with open_store(study) as store:
        return parse_codebook(store.codebook_text(), "the study's codebook")


class RaterActions:
    """One rater's writes on a study file or a pack's copy, each committed as it is made. A
    shared study's are `services.online.OnlineRater`'s: the same methods, kept on this
    computer first and sent to the server in order."""

    def __init__(self, study: str, rater: str | None):
        self.study, self.rater = study, rater

    def set_score(self, code: str, dimension: str, score: int) -> None:
        set_score(self.study, code, dimension, score, self.rater)

    def clear_score(self, code: str, dimension: str) -> None:
        clear_score(self.study, code, dimension, self.rater)

    def submit_rating(self, code: str) -> None:
        submit_rating(self.study, code, self.rater)

    def amend_rating(self, code: str, dimension: str, score: int, reason: str) -> None:
        amend_rating(self.study, code, dimension, score, reason, self.rater)

    def add_note(self, code: str, time_s: float, text: str, dimension: str | None = None) -> int:
        return add_note(self.study, code, time_s, text, dimension, self.rater)

    def delete_note(self, code: str, note_id: int) -> None:
        delete_note(self.study, code, note_id, self.rater)

    def record_guess(self, code: str, guess: str) -> None:
        record_guess(self.study, code, guess, self.rater)

    def save_listening(self, code: str, spans: list[tuple[float, float, float]]) -> None:
        save_listening(self.study, code, spans, self.rater)

    def save_place(self, code: str, position_s: float) -> None:
        save_place(self.study, code, position_s, self.rater)
