#!/usr/bin/env bash
# make-deb.sh BUNDLE OUT VERSION: wrap the one-folder bundle in a .deb (dpkg-deb, no debhelper):
# the bundle under /opt/rater, `rater` on PATH, the desktop file, metainfo, icons and MIME types.
# Debian's own triggers (desktop-file-utils, shared-mime-info, hicolor-icon-theme) refresh the
# menus, file associations and icon caches, so no maintainer scripts are needed.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUNDLE=$1 OUT=$2 VERSION=$3
ID=org.raterproject.Rater
ARCH=$(dpkg --print-architecture)
STAGE=$(mktemp -d /tmp/rater-deb.XXXXXX)
DEB_VERSION=$VERSION-1  # the upstream version plus this packaging's revision
trap 'rm -rf "$STAGE"' EXIT

debian_changelog() {  # one entry per packaged release, in Debian's format
  printf 'rater (%s) unstable; urgency=medium\n\n  * Rater %s, packaged from the PyInstaller bundle.\n\n' "$DEB_VERSION" "$VERSION"
  local stamp=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}
  printf ' -- Rater developers <rater@raterproject.org>  %s\n' "$(date -R -u -d "@$stamp")"
}

install -d "$STAGE/opt/rater" "$STAGE/usr/bin" "$STAGE/usr/share/icons" "$STAGE/DEBIAN"
cp -a "$BUNDLE/." "$STAGE/opt/rater/"
ln -s /opt/rater/rater "$STAGE/usr/bin/rater"
install -Dm644 "$HERE/$ID.desktop" "$STAGE/usr/share/applications/$ID.desktop"
install -Dm644 "$HERE/$ID.metainfo.xml" "$STAGE/usr/share/metainfo/$ID.metainfo.xml"
install -Dm644 "$HERE/$ID.xml" "$STAGE/usr/share/mime/packages/$ID.xml"
cp -r "$HERE/icons/hicolor" "$STAGE/usr/share/icons/"
install -d "$STAGE/usr/share/man/man1"
gzip -9n -c "$HERE/rater.1" > "$STAGE/usr/share/man/man1/rater.1.gz"
install -Dm644 "$HERE/debian/copyright" "$STAGE/usr/share/doc/rater/copyright"
gzip -9n -c "$ROOT/CHANGELOG.md" > "$STAGE/usr/share/doc/rater/changelog.gz"  # upstream's
debian_changelog | gzip -9n > "$STAGE/usr/share/doc/rater/changelog.Debian.gz"
install -Dm644 "$HERE/debian/lintian-overrides" "$STAGE/usr/share/lintian/overrides/rater"
find "$STAGE" -type d -exec chmod 755 {} +
find "$STAGE/opt" -type f -name '*.so*' -exec chmod 644 {} +  # libraries are not programs

size=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$DEB_VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$size/" \
  "$HERE/debian/control.in" > "$STAGE/DEBIAN/control"
# xz for releases (smallest); DEB_COMPRESS=zstd builds in seconds instead of minutes (tests)
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-xz}" --build "$STAGE" "$OUT/rater_${DEB_VERSION}_${ARCH}.deb" >/dev/null
