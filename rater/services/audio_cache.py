"""A rater's local cache of a shared study's audio (decision 1705): one background thread per
study fetches the codes of the rater's queue, the one being listened to first, chunk by chunk
into `<code>.<ext>.part`; the player opens that file at once and reads what has arrived
(`audio.growing`), so playback starts after the first chunks. A finished file is checked
against its SHA-256 and renamed; a corrupt or partial cache is fetched again.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from rater.core.audio_cache import (
    CHUNK_BYTES,
    CachedAudio,
    cache_home,
    chunk_count,
    server_key,
    tail_start,
)
from rater.core.errors import Problem, RaterError
from rater.core.files import sha256_of
from rater.storage.audio_store import AudioItem, cache_key_parts, items, read_chunks
from rater.storage.engine import describe, make_engine, study_url


def is_shared(study: str) -> bool:
    """Is this study on a server (its audio then comes through the cache)?"""
    return str(study).startswith("postgresql")


class Fetcher:
    """Fetches the audio of blind codes of one study into its cache folder, in the order asked,
    the most recently wanted first; `fetched_chunks` counts the chunks read from the server."""

    def __init__(self, url: str, folder: Path):
        self.url, self.folder = url, folder
        self._engine = make_engine(url)
        self._items: dict[str, AudioItem] = {}
        self._order: list[str] = []
        self._verified: set[str] = set()
        self._prepared: set[str] = set()
        self._absent: set[str] = set()  # not on the server (asked once per process)
        self._mismatches: dict[str, int] = {}
        self.errors: dict[str, str] = {}
        self.fetched_chunks: dict[str, int] = {}
        self._wake = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="rater-audio-fetch", daemon=True)
        self._thread.start()

    # -- asked by the app ---------------------------------------------------------------------
    def want(self, codes: list[str]) -> None:
        """Queue these codes (after those queued already); their part files exist on return,
        so their paths can be opened at once."""
        found = items(self._engine, [c for c in codes
                                     if c not in self._items and c not in self._absent])
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # the user's alone
        with self._wake:
            self._absent.update(c for c in codes if c not in found and c not in self._items)
            for code in codes:
                if code in found:
                    self._items[code] = found[code]
                    self._prepare(found[code])
                if code in self._items and code not in self._order:
                    self._order.append(code)
            self._wake.notify()

    def path(self, code: str) -> Path | None:
        """The file to play for a code: the finished file, or the part file still arriving
        (this code then goes first); None when the server holds no audio for it."""
        if code not in self._items and code not in self._absent:
            self.want([code])
        item = self._items.get(code)
        if item is None:
            return None
        cached = self._cached(item)
        if self._finished(item):
            return cached.final
        with self._wake:
            if code in self.errors:  # opened again: try again
                del self.errors[code]
                self._prepared.discard(code)
            self._prepare(item)
            if code in self._order:
                self._order.remove(code)
            self._order.insert(0, code)
            self._wake.notify()
        return cached.part

    def wait(self, code: str, timeout: float = 60.0) -> Path:
        """Block until a code's file is complete (tests and benchmarks wait for it)."""
        with self._wake:
            self._wake.wait_for(lambda: code in self._verified or code in self.errors, timeout)
        if code in self.errors:
            raise RaterError(Problem(self.errors[code], code, "open the recording again"))
        return self._cached(self._items[code]).final

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        self._thread.join(10)
        self._engine.dispose()

    # -- the cache files ----------------------------------------------------------------------
    def _cached(self, item: AudioItem) -> CachedAudio:
        return CachedAudio(self.folder, item.code, item.format)

    def _finished(self, item: AudioItem) -> bool:
        """Is the code's file complete and checked (once per process; a bad one is removed)?"""
        if item.code in self._verified:
            return True
        final = self._cached(item).final
        if not final.is_file():
            return False
        if final.stat().st_size == item.total_bytes and sha256_of(final) == item.sha256:
            self._verified.add(item.code)
            return True
        final.unlink()
        return False

    def _prepare(self, item: AudioItem) -> None:
        """The part file and its size-and-checksum file, kept from an interrupted fetch of the
        same bytes (cut back to whole chunks), else started afresh."""
        cached = self._cached(item)
        if item.code in self._prepared or self._finished(item):
            return
        self._prepared.add(item.code)
        meta = {"total_bytes": item.total_bytes, "sha256": item.sha256}
        try:
            same = json.loads(cached.meta.read_text()) == meta
        except (OSError, ValueError):
            same = False
        if not same:
            cached.tail.unlink(missing_ok=True)
            cached.part.unlink(missing_ok=True)
            cached.meta.write_text(json.dumps(meta))
        with cached.part.open("ab") as part:
            size = part.tell()
            part.truncate(min(size - size % CHUNK_BYTES, item.total_bytes))

    # -- the thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._closed or self._next() is not None)
                if self._closed:
                    return
                code = self._next()
            try:
                self._fetch(self._items[code])
            except Exception as exc:  # noqa: BLE001 - reported to whoever waits for the code
                with self._wake:
                    self.errors[code] = f"the audio could not be fetched: {exc}"
                    self._order.remove(code)
                    self._wake.notify_all()

    def _next(self) -> str | None:
        return self._order[0] if self._order else None

    def _fetch(self, item: AudioItem) -> None:
        """Fetch the rest of one code's file (or until another code is wanted first)."""
        cached, chunks = self._cached(item), chunk_count(item.total_bytes)
        tail_from = tail_start(item.total_bytes)
        if not cached.tail.is_file():
            tail = b"".join(self._chunks(item.code, tail_from, chunks))
            partial = cached.tail.with_suffix(".tmp")
            partial.write_bytes(tail)
            partial.replace(cached.tail)
        fd = os.open(cached.part, os.O_WRONLY | os.O_APPEND)
        try:
            start = os.fstat(fd).st_size // CHUNK_BYTES
            for chunk in self._chunks(item.code, start, tail_from):
                os.write(fd, chunk)
                if self._next() != item.code or self._closed:
                    return  # another code is wanted first: this one resumes later
            size = os.fstat(fd).st_size
            if size != item.total_bytes:
                if size < tail_from * CHUNK_BYTES:
                    raise OSError("chunks are missing on the server")
                os.ftruncate(fd, tail_from * CHUNK_BYTES)  # a tail written in part
                os.write(fd, cached.tail.read_bytes())
        finally:
            os.close(fd)
        self._complete(item, cached)

    def _chunks(self, code: str, start: int, stop: int) -> Iterator[bytes]:
        for chunk in read_chunks(self._engine, code, start, stop):
            self.fetched_chunks[code] = self.fetched_chunks.get(code, 0) + 1
            yield chunk

    def _complete(self, item: AudioItem, cached: CachedAudio) -> None:
        """Checked and renamed; a mismatch throws the bytes away and fetches them once more
        (a second mismatch is an error: the server's copy itself is damaged)."""
        good = sha256_of(cached.part) == item.sha256
        with self._wake:
            cached.tail.unlink(missing_ok=True)
            if good:
                cached.part.replace(cached.final)
                cached.meta.unlink(missing_ok=True)
                self._verified.add(item.code)
                self._order.remove(item.code)
            else:
                cached.part.unlink()
                cached.part.touch()
                self._mismatches[item.code] = self._mismatches.get(item.code, 0) + 1
                if self._mismatches[item.code] > 1:
                    raise OSError("its checksum does not match the server's, twice")
            self._wake.notify_all()


_FETCHERS: dict[str, Fetcher] = {}
_LOCK = threading.Lock()


def fetcher(study: str) -> Fetcher:
    """The fetcher of a shared study (one per study and process)."""
    url = study_url(study)
    with _LOCK:
        if url not in _FETCHERS:
            folder = cache_home() / server_key(*cache_key_parts(url))
            _FETCHERS[url] = Fetcher(url, folder)
        return _FETCHERS[url]


def start_fetching(study: str, codes: list[str]) -> None:
    """Begin fetching a rater's queue in the background (in queue order)."""
    fetcher(study).want(codes)


def audio_path(study: str, code: str) -> Path | None:
    """The file the player opens for a code of a shared study (see `Fetcher.path`); None when
    its audio was not uploaded (the study then keeps its blinded copies in a shared folder)."""
    try:
        return fetcher(study).path(code)
    except OSError as exc:
        raise RaterError(Problem(f"the audio cache cannot be written: {exc}", describe(study),
                                 "free some disk space in ~/.cache, or check its permissions")
                         ) from exc


def stop_fetching() -> None:
    """End every fetcher's thread (on quitting, and between tests)."""
    with _LOCK:
        for running in _FETCHERS.values():
            running.close()
        _FETCHERS.clear()
