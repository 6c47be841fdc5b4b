#!/usr/bin/env bash
# check.sh DIST: the release checks on what build.sh made: the desktop file, the AppStream
# metainfo and the .deb (lintian, with the overrides a bundle under /opt needs; see
# debian/lintian-overrides). Exit status non-zero on any error or warning.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DIST=$(realpath "${1:-dist}")
ID=org.raterproject.Rater
desktop-file-validate "$HERE/$ID.desktop"
appstreamcli validate --no-net "$HERE/$ID.metainfo.xml"
xmllint --noout "$HERE/$ID.xml"
for deb in "$DIST"/rater_*.deb; do
  echo "lintian $deb (a minute or two: the bundle has about a thousand files)" >&2
  lintian --fail-on error,warning "$deb"
done
echo "check.sh: all checks passed" >&2
