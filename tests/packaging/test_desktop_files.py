"""Issue 16: the desktop integration files pass the freedesktop validators and agree with each
other, with the app (its id) and with the project (version, screenshots)."""

from __future__ import annotations

import configparser
import re
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtGui import QImage

from rater import __version__
from rater.ui.app import APP_ID

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
MIME = LINUX / f"{APP_ID}.xml"
MIME_NS = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}


def validate(*command) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=60)


def test_the_validators_accept_the_desktop_file_the_metainfo_and_the_mime_types():
    desktop = validate("desktop-file-validate", DESKTOP)
    assert (desktop.returncode, desktop.stdout + desktop.stderr) == (0, "")
    metainfo = validate("appstreamcli", "validate", "--no-net", METAINFO)
    assert metainfo.returncode == 0 and "Validation was successful" in metainfo.stdout
    assert not re.search(r"^[EW]: ", metainfo.stdout, re.M), metainfo.stdout
    assert validate("xmllint", "--noout", MIME).returncode == 0


def test_one_app_id_and_one_set_of_file_types_everywhere():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP)
    desktop = entry["Desktop Entry"]
    assert desktop["Icon"] == APP_ID and desktop["Exec"].split()[0] == "rater"
    meta = ET.parse(METAINFO).getroot()
    assert meta.findtext("id") == APP_ID
    assert meta.findtext("launchable") == DESKTOP.name
    mime_types = {t.get("type"): t.find("m:glob", MIME_NS).get("pattern")
                  for t in ET.parse(MIME).getroot().findall("m:mime-type", MIME_NS)}
    assert mime_types == {"application/x-rater-study": "*.rater",
                          "application/x-raterpack": "*.raterpack"}
    assert set(filter(None, desktop["MimeType"].split(";"))) == set(mime_types)
    assert {m.text for m in meta.iter("mediatype")} == set(mime_types)


def test_the_metainfo_shows_real_screenshots_and_this_release():
    meta = ET.parse(METAINFO).getroot()
    for image in meta.iter("image"):
        assert (ROOT / "docs" / "screenshots" / image.text.rsplit("/", 1)[-1]).is_file()
    with open(ROOT / "pyproject.toml", "rb") as handle:
        assert "version" in tomllib.load(handle)["project"]["dynamic"]
    newest = meta.find("releases/release")
    assert newest.get("version") == __version__
    assert f"## [{__version__}] - {newest.get('date')}" in (ROOT / "CHANGELOG.md").read_text()


def test_each_png_icon_has_the_size_its_folder_says():
    pngs = sorted((LINUX / "icons" / "hicolor").glob("*x*/apps/*.png"))
    assert {p.parts[-3] for p in pngs} >= {"16x16", "32x32", "48x48", "256x256", "512x512"}
    for png in pngs:
        side = int(png.parts[-3].split("x")[0])
        image = QImage(str(png))
        assert (image.width(), image.height()) == (side, side), png
        assert png.name == f"{APP_ID}.png"
    assert (LINUX / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()


def test_the_mime_database_maps_both_extensions_to_rater(tmp_path):
    packages = tmp_path / "mime" / "packages"
    packages.mkdir(parents=True)
    (packages / MIME.name).write_bytes(MIME.read_bytes())
    done = validate("update-mime-database", tmp_path / "mime")
    assert done.returncode == 0, done.stderr
    globs = (tmp_path / "mime" / "globs2").read_text()
    assert "80:application/x-rater-study:*.rater" in globs
    assert "80:application/x-raterpack:*.raterpack" in globs
