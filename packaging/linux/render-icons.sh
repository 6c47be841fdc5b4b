#!/usr/bin/env bash
# Render the PNG icon sizes from the SVG (rsvg-convert, Debian package librsvg2-bin).
# The PNGs are committed; run this after changing the SVG.
#   render-icons.sh           into icons/hicolor beside this script
#   render-icons.sh OUT_DIR   into OUT_DIR/<N>x<N>/apps (the tests compare those with the committed ones)
set -euo pipefail
HICOLOR=$(cd "$(dirname "$0")/icons/hicolor" && pwd)
OUT=${1:-$HICOLOR}
SVG=$HICOLOR/scalable/apps/org.raterproject.Rater.svg
for n in 16 32 48 64 128 256 512; do
  mkdir -p "$OUT/${n}x${n}/apps"
  rsvg-convert -w "$n" -h "$n" "$SVG" -o "$OUT/${n}x${n}/apps/org.raterproject.Rater.png"
done
