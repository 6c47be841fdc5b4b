#!/usr/bin/env bash
# Render the PNG icon sizes from the SVG (rsvg-convert, Debian package librsvg2-bin).
# The PNGs are committed; run this after changing the SVG.
set -euo pipefail
cd "$(dirname "$0")/icons/hicolor"
for n in 16 32 48 64 128 256 512; do
  mkdir -p "${n}x${n}/apps"
  rsvg-convert -w "$n" -h "$n" scalable/apps/org.raterproject.Rater.svg \
    -o "${n}x${n}/apps/org.raterproject.Rater.png"
done
