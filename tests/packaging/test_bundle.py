"""Issue 16: the frozen bundle, as the .deb installs it and as the .tar.gz holds it, runs on
its own; the .deb's layout passes lintian."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pandas
from audio_helpers import require_jack, setup_virtual_device
from smoke import smoke
from test_aac import write_m4a

from rater import __version__

CAPTURE = setup_virtual_device()
ROOT = Path(__file__).resolve().parents[2]
APP_ID = "org.raterproject.Rater"


def assert_smoke_passes(rater: Path, home: Path, tmp_path: Path) -> None:
    require_jack()
    result = smoke(rater, home, CAPTURE, tmp_path)
    assert result.version == f"rater {__version__}\n"
    assert result.demo_study.is_file() and result.demo_study.is_relative_to(home)
    assert len(pandas.read_parquet(result.parquet)) == 33  # the demo's recordings
    assert result.window_title.endswith("— Rater")  # the workstation, on the demo's pack
    assert result.seconds_heard >= 1.0, "the frozen audio engine played less than a second"
    assert result.exit_status == 0
    assert result.screenshot.stat().st_size > 10_000


def test_the_deb_unpacked_runs_with_nothing_of_the_build_around(dist, empty_home, tmp_path):
    """The bundle as installed by the .deb: version, demo, export, window, sound, Ctrl+Q."""
    deb = dist / f"rater_{__version__}-1_{arch()}.deb"
    fields = dpkg_deb("--field", deb)
    assert f"Version: {__version__}-1" in fields and "libportaudio2" in depends(fields)
    root = tmp_path / "root"
    dpkg_deb("-x", deb, root)
    for path in (f"usr/share/applications/{APP_ID}.desktop",
                 f"usr/share/metainfo/{APP_ID}.metainfo.xml",
                 f"usr/share/mime/packages/{APP_ID}.xml",
                 f"usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg",
                 f"usr/share/icons/hicolor/256x256/apps/{APP_ID}.png",
                 "usr/share/man/man1/rater.1.gz", "usr/share/doc/rater/copyright",
                 "opt/rater/rater"):
        assert (root / path).is_file(), path
    assert (root / "usr" / "bin" / "rater").readlink() == Path("/opt/rater/rater")
    bundle = root / "opt" / "rater"
    assert not any(p.name.startswith("libportaudio") for p in bundle.rglob("*.so*")), \
        "PortAudio comes from the system (the desktop's own sound stack)"
    assert_smoke_passes(bundle / "rater", empty_home, tmp_path)
    assert_a_phone_recording_imports(bundle / "rater", empty_home, tmp_path)


def assert_a_phone_recording_imports(rater: Path, home: Path, tmp_path: Path) -> None:
    """The frozen app reads M4A: PyAV and every FFmpeg library it links are in the bundle
    (the first bundle with PyAV lacked its own copy of libasound and could not import av)."""
    folder = tmp_path / "phone"
    folder.mkdir()
    write_m4a(folder / "visit.m4a", 3.0)
    (folder / "m.csv").write_text("file,la\nvisit.m4a,North\n")
    study = tmp_path / "phone.rater"
    env = {**os.environ, "HOME": str(home)}
    for args in (["study", "init", study],
                 ["study", "import", study, "--audio", folder, "--metadata", folder / "m.csv",
                  "--json"]):
        result = subprocess.run([str(rater), *map(str, args)], env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout)["added"] == 1


def test_the_archive_holds_the_same_bundle_as_the_deb(dist, tmp_path):
    """The .tar.gz is the bundle the test above ran (the same files, byte for byte), so
    running it again would only repeat that test."""
    with tarfile.open(dist / f"rater-{__version__}-linux-{arch()}.tar.gz") as tar:
        tar.extractall(tmp_path / "tar", filter="tar")
    dpkg_deb("-x", dist / f"rater_{__version__}-1_{arch()}.deb", tmp_path / "deb")
    unpacked = tmp_path / "tar" / f"rater-{__version__}"
    assert tree(unpacked) == tree(tmp_path / "deb" / "opt" / "rater")
    assert os.access(unpacked / "rater", os.X_OK)


def test_lintian_finds_nothing_in_the_package_layout(tmp_path):
    """lintian on a .deb made by the same script around a stand-in bundle (lintian takes over a
    minute on the real one's thousand files; `./run package` runs it there). Every tag that a
    self-contained bundle under /opt cannot avoid is overridden in the package, with why."""
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    shutil.copy("/bin/true", bundle / "rater")
    script = ROOT / "packaging" / "linux" / "make-deb.sh"
    subprocess.run([script, bundle, tmp_path, __version__], check=True, timeout=120)
    deb = next(tmp_path.glob("*.deb"))
    result = subprocess.run(["lintian", "--fail-on", "error,warning", "--tag-display-limit", "0",
                             deb], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [line for line in result.stdout.splitlines() if line[:2] in ("E:", "W:")]


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def arch() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()


def dpkg_deb(*args) -> str:
    return subprocess.run(["dpkg-deb", *map(str, args)], capture_output=True, text=True,
                          check=True, timeout=300).stdout


def depends(fields: str) -> str:
    return next(line for line in fields.splitlines() if line.startswith("Depends:"))
