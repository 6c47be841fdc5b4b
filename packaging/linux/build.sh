#!/usr/bin/env bash
# Build Rater's Linux deliverables into OUT (default: dist/ at the top of the tree):
#   rater-VERSION-py3-none-any.whl         the wheel (pipx install it; needs Python 3.11+)
#   rater/                                 the PyInstaller one-folder bundle
#   rater-VERSION-linux-ARCH.tar.gz        that bundle, to unpack anywhere
#   rater_VERSION_ARCH.deb                 the bundle under /opt with the desktop integration
# Uses the project's .venv (./run package prepares it, then calls this).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$(realpath -m "${1:-$ROOT/dist}")
PY=${PYTHON:-$ROOT/.venv/bin/python}
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$ROOT/rater/__init__.py")
ARCH=$(dpkg --print-architecture)
WORK=$(mktemp -d /tmp/rater-build.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
step() { printf '%s  %s\n' "$(date +%T)" "$*" >&2; }

step "wheel"
"$PY" -m pip wheel --no-deps --quiet --wheel-dir "$OUT" "$ROOT"

step "bundle (PyInstaller, one folder)"
rm -rf "$OUT/rater"
(cd "$WORK" && "$PY" -m PyInstaller --noconfirm --log-level WARN --distpath "$OUT" \
  --workpath "$WORK/pyinstaller" "$ROOT/packaging/pyinstaller/rater.spec")

step "strip symbols (not from the libraries wheels graft into *.libs: it breaks them)"
find "$OUT/rater/_internal" -name '*.so*' -type f -not -path '*.libs/*' \
  -exec strip --strip-unneeded {} +

step "bundle archive"
gz=gzip; command -v pigz >/dev/null && gz=pigz  # the same .gz, on every core
tar -C "$OUT" --transform "s,^rater,rater-$VERSION," -I "$gz" \
  -cf "$OUT/rater-$VERSION-linux-$ARCH.tar.gz" rater

step "Debian package"
"$HERE/make-deb.sh" "$OUT/rater" "$OUT" "$VERSION"
step "done: $(cd "$OUT" && ls -d rater rater-"$VERSION"* rater_"$VERSION"* | tr '\n' ' ')"
