"""The rater pack container: a zip with a manifest, a rater-mode study database, audio, and an
HMAC signature.

Signing: the study keeps a secret that never leaves it. Each issued pack carries a key derived
from that secret for (study, rater, pack), so the rater's app can sign what it returns, and the
study can re-derive the key to verify a return. A pack made for another study, or altered in any
byte, or claiming another rater, fails verification.

Every member is written with a fixed timestamp and in a fixed order, so nothing about the
researcher's machine or the order of import leaks through the container itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rater.core.errors import Problem, RaterError
from rater.core.files import sha256_of

FORMAT = "rater-pack"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "study.rater"
KEY = "key"
SIGNATURE = "signature"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
MAX_MEMBER_BYTES = 8 << 30  # a generous ceiling that still stops a zip bomb
MAX_MEMBERS = 100_000


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
               include_key: bool) -> str:
    """Write the pack atomically; return its signature (which also identifies it)."""
    members = {MANIFEST: manifest.to_json(), **members}
    if include_key:
        members[KEY] = key.hex().encode()
    signature = sign(key, {name: _hash(content) for name, content in members.items()})
    temporary = path.with_name(path.name + ".part")
    with zipfile.ZipFile(temporary, "w") as archive:
        for name in [MANIFEST, *sorted(n for n in members if n != MANIFEST)]:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            content = members[name]
            is_audio = name.endswith(".flac")
            info.compress_type = zipfile.ZIP_STORED if is_audio else zipfile.ZIP_DEFLATED
            if isinstance(content, Path):
                with open(content, "rb") as source, archive.open(info, "w") as target:
                    while chunk := source.read(1 << 20):
                        target.write(chunk)
            else:
                archive.writestr(info, content)
        archive.writestr(zipfile.ZipInfo(SIGNATURE, date_time=FIXED_TIME), signature)
    temporary.replace(path)
    return signature


@dataclass
class OpenedPack:
    manifest: Manifest
    signature: str
    members: dict[str, bytes]  # everything but the audio, which stays in the zip
    hashes: dict[str, str]  # every member's SHA-256, audio included
    path: Path

    def verify(self, key: bytes) -> bool:
        return hmac.compare_digest(sign(key, self.hashes), self.signature)

    def extract_audio(self, folder: Path) -> None:
        with zipfile.ZipFile(self.path) as archive:
            for name in archive.namelist():
                if name.startswith("audio/"):
                    target = folder / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with archive.open(name) as source, open(target, "wb") as out:
                        while chunk := source.read(1 << 20):
                            out.write(chunk)


def read_pack(path: Path) -> OpenedPack:
    """Open a pack and check its shape (not yet its signature: that needs the study's key)."""
    where = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise RaterError(Problem(f"not a rater pack ({exc})", where,
                                 "choose a .raterpack file made by Rater")) from None
    with archive:
        infos = archive.infolist()
        _check_members(infos, where)
        names = {i.filename for i in infos}
        if not {MANIFEST, SIGNATURE, DATABASE} <= names:
            raise RaterError(Problem("the pack is incomplete (manifest, database or signature "
                                     "missing)", where, "ask for the pack to be sent again"))
        members = {i.filename: archive.read(i) for i in infos
                   if not i.filename.startswith("audio/")}
        hashes = {i.filename: _member_hash(archive, i) for i in infos
                  if i.filename != SIGNATURE}
    manifest = _manifest(members[MANIFEST], where)
    signature = members.pop(SIGNATURE).decode(errors="replace")
    return OpenedPack(manifest, signature, members, hashes, path)


def _member_hash(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    digest = hashlib.sha256()
    with archive.open(info) as member:
        while chunk := member.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _check_members(infos: list[zipfile.ZipInfo], where: str) -> None:
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_MEMBER_BYTES:
        raise RaterError(Problem("the pack is far larger than any Rater pack", where,
                                 "check that this is the right file"))
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
            raise RaterError(Problem(f"the pack holds an unsafe file name '{name}'", where,
                                     "do not use this file; ask for the pack to be sent again"))


def _manifest(data: bytes, where: str) -> Manifest:
    try:
        raw = json.loads(data)
        if raw.pop("format") != FORMAT or raw.pop("version") != VERSION:
            raise ValueError("format")
        return Manifest(**raw)
    except (ValueError, TypeError, KeyError):
        raise RaterError(Problem("the pack's manifest is not one Rater understands", where,
                                 "update Rater, or ask for the pack to be sent again")) from None
