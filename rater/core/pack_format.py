"""The rater pack container: a zip with a manifest, a rater-mode study database, audio, and an
HMAC signature.

Signing: the study keeps a secret that never leaves it. Each issued pack carries a key derived
from that secret for (study, rater, pack), so the rater's app can sign what it returns, and the
study can re-derive the key to verify a return. A pack made for another study, or altered in any
byte, or claiming another rater, fails verification. An issued pack carries its own key, so
anyone can make one that verifies: nothing in a pack is trusted until checked.

Reading is defensive, in this order: member names (a fixed set and one fixed pattern), count,
flags, compression and declared sizes (each kind of member has a cap) before anything is
inflated; then the small members (manifest, key, signature), each field checked strictly; then
every other member streamed in 1 MiB chunks through SHA-256 (and to disk, if asked), never more
than its declared size. A damaged container is a `RaterError` naming the pack file.

Every member is written with a fixed timestamp and in a fixed order, so nothing about the
researcher's machine or the order of import leaks through the container itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rater.core.errors import Problem, RaterError
from rater.core.files import sha256_of
from rater.core.scratch import scratch_folder

FORMAT = "rater-pack"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "study.rater"
KEY = "key"
SIGNATURE = "signature"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
CHUNK = 1 << 20
MAX_MEMBERS = 100_000
MAX_PACK_BYTES = 8 << 30  # what a whole pack may expand to: generous, still stops a zip bomb
SMALL_CAPS = {MANIFEST: 4096, KEY: 64, SIGNATURE: 64}  # held in memory, so tiny
MAX_DATABASE_BYTES = 256 << 20  # a rater's copy is a few MB even with thousands of items
MAX_AUDIO_BYTES = 4 << 30  # one blinded recording (hours of 48 kHz stereo FLAC)
# A recording's code names its file: a blind code, or a workshop's readable code (letters,
# digits, '-' and '_'); never a dot or a slash, so no name can leave the pack's folder. The
# audio is FLAC or Ogg Opus (`core.pack_audio`).
AUDIO_MEMBER = re.compile(r"audio/[A-Za-z0-9][A-Za-z0-9_-]{0,63}\.(flac|opus)")
ID = re.compile(r"[0-9a-f]{32}")  # study and pack ids, as Rater makes them
HEX64 = re.compile(r"[0-9a-f]{64}")
MAX_RATER_CHARS = 64
MAX_SEQUENCE = 2**31 - 1
MEMBERS = {"issued": {MANIFEST, DATABASE, KEY, SIGNATURE},
           "return": {MANIFEST, DATABASE, SIGNATURE}}
# what zipfile and zlib raise on a damaged or hostile archive
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
               RuntimeError, ValueError, struct.error, OverflowError, KeyError)
SEND_AGAIN = "ask for the pack to be sent again"


@dataclass(frozen=True)
class Manifest:
    study: str  # the study's pack id: random, says nothing about the study
    rater: str
    pack: str  # this uuid
    kind: str  # "issued" or "return"
    sequence: int  # a rater's returns count up; an older one is refused

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "version": VERSION, **vars(self)},
                          sort_keys=True).encode()

    def problem(self) -> str | None:
        """What is wrong with a field, if anything (ids become folder names: strict)."""
        if not isinstance(self.study, str) or not ID.fullmatch(self.study):
            return "its study id is not 32 hexadecimal digits"
        if not isinstance(self.pack, str) or not ID.fullmatch(self.pack):
            return "its pack id is not 32 hexadecimal digits"
        if not isinstance(self.rater, str) or not 0 < len(self.rater) <= MAX_RATER_CHARS \
                or not self.rater.isprintable():
            return f"its rater id is not 1 to {MAX_RATER_CHARS} printable characters"
        if not isinstance(self.kind, str) or self.kind not in MEMBERS:
            return "its kind is neither 'issued' nor 'return'"
        if type(self.sequence) is not int or not 0 <= self.sequence <= MAX_SEQUENCE \
                or (self.sequence == 0) != (self.kind == "issued"):
            return "its sequence number is out of range"
        return None


def derive_key(secret: str, study: str, rater: str, pack: str) -> bytes:
    return hmac.new(bytes.fromhex(secret), f"rater-pack|{study}|{rater}|{pack}".encode(),
                    hashlib.sha256).digest()


def _hash(content: bytes | Path) -> str:
    return sha256_of(content) if isinstance(content, Path) else hashlib.sha256(content).hexdigest()


def sign(key: bytes, hashes: dict[str, str]) -> str:
    """HMAC-SHA256 over every member's name and SHA-256, in name order."""
    text = "\n".join(f"{name}\t{hashes[name]}" for name in sorted(hashes))
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def write_pack(path: Path, manifest: Manifest, key: bytes, members: dict[str, bytes | Path],
               include_key: bool, known: dict[str, str] | None = None) -> str:
    """Write the pack atomically (nothing is left behind on failure); return its signature
    (which also identifies it). `known` gives SHA-256s already computed for Path members."""
    members = {MANIFEST: manifest.to_json(), **members}
    if include_key:
        members[KEY] = key.hex().encode()
    known = known or {}
    signature = sign(key, {name: known.get(name) or _hash(content)
                           for name, content in members.items()})
    with scratch_folder(path.parent, "pack") as scratch:
        temporary = scratch / path.name
        with zipfile.ZipFile(temporary, "w") as archive:
            for name in [MANIFEST, *sorted(n for n in members if n != MANIFEST)]:
                _write_member(archive, name, members[name])
            archive.writestr(zipfile.ZipInfo(SIGNATURE, date_time=FIXED_TIME), signature)
        temporary.replace(path)
    return signature


def _write_member(archive: zipfile.ZipFile, name: str, content: bytes | Path) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    stored = AUDIO_MEMBER.fullmatch(name)  # compressed audio: deflate would only cost time
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    if isinstance(content, Path):
        with open(content, "rb") as source, archive.open(info, "w", force_zip64=True) as target:
            while chunk := source.read(CHUNK):
                target.write(chunk)
    else:
        archive.writestr(info, content)


@dataclass
class OpenedPack:
    manifest: Manifest
    signature: str
    hashes: dict[str, str]  # every member's SHA-256, audio included
    path: Path
    key: bytes | None = None  # an issued pack's own key (a return carries none)
    members: dict[str, bytes] = field(default_factory=dict)  # the small ones: manifest, key

    def verify(self, key: bytes) -> bool:
        return hmac.compare_digest(sign(key, self.hashes), self.signature)

    def extract(self, name: str, target: Path) -> None:
        """Stream one member to `target`; it must be the very bytes that were verified."""
        where = str(self.path)
        with _damage(where, "the pack cannot be read"):
            archive = zipfile.ZipFile(self.path)
        with archive:
            info = _checked_infos(archive, where).get(name)
            if info is None or _stream(archive, info, target, where) != self.hashes.get(name):
                target.unlink(missing_ok=True)
                raise RaterError(Problem("the pack changed while it was being read", where,
                                         "leave the file alone while Rater reads it"))


def peek_manifest(path: Path) -> Manifest:
    """The checked manifest of a pack, inflating nothing big (the pack is not verified)."""
    with _open(path) as archive:
        infos = _checked_infos(archive, str(path))
        manifest = _manifest(infos, archive, str(path))
        _check_member_set(infos, manifest.kind, str(path))
        return manifest


def read_pack(path: Path, into: Path | None = None) -> OpenedPack:
    """Open a pack and check its shape, streaming every member through SHA-256 (and into the
    folder `into`, if given: `into/study.rater`, `into/audio/...`). Not yet the signature:
    that needs the study's key (or, for an issued pack, its own)."""
    where = str(path)
    with _open(path) as archive:
        infos = _checked_infos(archive, where)
        manifest = _manifest(infos, archive, where)
        _check_member_set(infos, manifest.kind, where)
        small = {name: _read_small(archive, infos[name], where)
                 for name in SMALL_CAPS if name in infos}
        signature = _hex64(small.pop(SIGNATURE), "signature", where)
        key = bytes.fromhex(_hex64(small[KEY], "key", where)) if KEY in small else None
        hashes = {name: hashlib.sha256(data).hexdigest() for name, data in small.items()}
        for name, info in infos.items():
            if name not in SMALL_CAPS:
                target = into / name if into is not None else None
                hashes[name] = _stream(archive, info, target, where)
    return OpenedPack(manifest, signature, hashes, path, key, small)


@contextmanager
def _damage(where: str, what: str = "the pack is damaged") -> Iterator[None]:
    try:
        yield
    except READ_ERRORS as exc:
        raise RaterError(Problem(f"{what} ({type(exc).__name__}: {exc})", where,
                                 SEND_AGAIN)) from None


@contextmanager
def _open(path: Path) -> Iterator[zipfile.ZipFile]:
    with _damage(str(path), "not a rater pack"):
        if not path.is_file():
            raise OSError("not a file")
        archive = zipfile.ZipFile(path)
    with archive:
        yield archive


def _cap(name: str) -> int | None:
    if name in SMALL_CAPS:
        return SMALL_CAPS[name]
    if name == DATABASE:
        return MAX_DATABASE_BYTES
    return MAX_AUDIO_BYTES if AUDIO_MEMBER.fullmatch(name) else None


def _checked_infos(archive: zipfile.ZipFile, where: str) -> dict[str, zipfile.ZipInfo]:
    """Names, count, flags, compression and declared sizes: before anything is inflated."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise RaterError(Problem("the pack holds far more files than any Rater pack", where,
                                 "check that this is the right file"))
    checked: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name, cap = info.filename, _cap(info.filename)
        shown = repr(name[:80])
        if cap is None:
            raise RaterError(Problem(f"the pack holds an unexpected file {shown} (unsafe: "
                                     "not a name Rater writes)", where, SEND_AGAIN))
        if name in checked:
            raise RaterError(Problem(f"the pack holds {shown} twice", where, SEND_AGAIN))
        if info.flag_bits & 0x1:
            raise RaterError(Problem(f"{shown} in the pack is encrypted", where, SEND_AGAIN))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise RaterError(Problem(f"{shown} in the pack uses an unknown compression", where,
                                     SEND_AGAIN))
        if info.file_size > cap:
            raise RaterError(Problem(f"{shown} in the pack is far larger than Rater allows "
                                     f"({info.file_size} bytes)", where,
                                     "check that this is the right file"))
        total += info.file_size
        checked[name] = info
    if total > MAX_PACK_BYTES:
        raise RaterError(Problem("the pack is far larger than any Rater pack", where,
                                 "check that this is the right file"))
    return checked


def _check_member_set(infos: dict[str, zipfile.ZipInfo], kind: str, where: str) -> None:
    names = {n for n in infos if not AUDIO_MEMBER.fullmatch(n)}
    has_audio = len(names) < len(infos)
    if names != MEMBERS[kind] or (kind == "return" and has_audio):
        raise RaterError(Problem(f"the pack is incomplete or holds files a {kind} pack does "
                                 "not (manifest, database, key, signature or audio)", where,
                                 SEND_AGAIN))


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    with _damage(where), archive.open(info) as member:
        data = member.read(SMALL_CAPS[info.filename] + 1)
    if len(data) != info.file_size:
        raise RaterError(Problem(f"{info.filename!r} in the pack is damaged", where, SEND_AGAIN))
    return data


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path | None,
            where: str) -> str:
    """SHA-256 of a member, read in chunks (and written to `target`), never past its size."""
    digest, total = hashlib.sha256(), 0
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
    with _damage(where):
        member = archive.open(info)
    with member, (open(target, "wb") if target is not None else _Nowhere()) as out:
        while True:
            with _damage(where):
                chunk = member.read(CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > info.file_size:
                raise RaterError(Problem(f"{info.filename!r} in the pack is larger than it "
                                         "says", where, SEND_AGAIN))
            digest.update(chunk)
            out.write(chunk)
    if total != info.file_size:
        raise RaterError(Problem(f"{info.filename!r} in the pack is cut short", where,
                                 SEND_AGAIN))
    return digest.hexdigest()


class _Nowhere:
    def __enter__(self) -> _Nowhere:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def write(self, _data: bytes) -> None:
        return None


def _manifest(infos: dict[str, zipfile.ZipInfo], archive: zipfile.ZipFile,
              where: str) -> Manifest:
    if MANIFEST not in infos:
        raise RaterError(Problem("the pack has no manifest", where, SEND_AGAIN))
    data = _read_small(archive, infos[MANIFEST], where)
    fields = {"format", "version", "study", "rater", "pack", "kind", "sequence"}
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError):
        raw = None
    if not isinstance(raw, dict) or set(raw) != fields:
        why = "it is not a manifest with the fields Rater writes"
    elif raw["format"] != FORMAT or raw["version"] != VERSION:
        why = f"it is not version {VERSION} of the {FORMAT} format (update Rater?)"
    else:
        manifest = Manifest(**{k: raw[k] for k in sorted(fields - {"format", "version"})})
        why = manifest.problem()
        if why is None:
            return manifest
    raise RaterError(Problem(f"the pack's manifest is not one Rater understands: {why}", where,
                             "update Rater, or ask for the pack to be sent again"))


def _hex64(data: bytes, what: str, where: str) -> str:
    text = data.decode("ascii", errors="replace")
    if not HEX64.fullmatch(text):
        raise RaterError(Problem(f"the pack's {what} is malformed", where, SEND_AGAIN))
    return text
