#!/bin/sh
# Fetches the pinned official API specs (the tccli package's tccli/services folder) into
# specs/ (gitignored): specs/<service folder>/v<YYYYMMDD>/{api.json,examples.json}.
# Usage: codegen/fetch-specs.sh [DEST]   (DEST defaults to specs/ at the repository root)
# TCCLI_WHEEL=path/to/the.whl uses a wheel already on disk instead of downloading it;
# either way its sha256 must match the pin.
set -eu
VERSION=3.1.189.1
SHA256=98ec6fdc56000f0947ae34d601bfb86e49824afe21f6deb03d1b259221bf871c
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${1:-$ROOT/specs}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ -n "${TCCLI_WHEEL:-}" ]; then
    WHEEL=$TCCLI_WHEEL
else
    python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$TMP" "tccli==$VERSION"
    WHEEL=$(ls "$TMP"/tccli-"$VERSION"-*.whl)
fi
GOT=$(sha256sum "$WHEEL" | cut -d' ' -f1)
if [ "$GOT" != "$SHA256" ]; then
    echo "fetch-specs: $WHEEL has sha256 $GOT, expected $SHA256" >&2
    exit 1
fi
python3 - "$WHEEL" "$TMP/x" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = [n for n in z.namelist() if n.startswith("tccli/services/") and n.endswith(".json")]
    if not names:
        sys.exit("fetch-specs: no tccli/services/*.json in the wheel")
    z.extractall(sys.argv[2], names)
PY
rm -rf "$DEST.new"
mv "$TMP/x/tccli/services" "$DEST.new"
rm -rf "$DEST"
mv "$DEST.new" "$DEST"
echo "fetch-specs: tccli $VERSION specs in $DEST ($(ls -d "$DEST"/*/v* | wc -l) service versions)"
