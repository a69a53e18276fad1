#!/bin/sh
# Fetches the pinned official API specs (the tccli package's tccli/services folder) into
# specs/ (gitignored): specs/<service folder>/v<YYYYMMDD>/{api.json,examples.json}; and the
# international edition's (the tccli-intl-en package: English docs for about half of the
# actions) into specs-intl/ (gitignored), the same layout.
# Usage: codegen/fetch-specs.sh [DEST [DEST_INTL]]   (defaults: specs/ and specs-intl/ at the
# repository root)
# TCCLI_WHEEL / TCCLI_INTL_WHEEL = path/to/the.whl use a wheel already on disk instead of
# downloading it; either way its sha256 must match the pin.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# fetch PACKAGE VERSION SHA256 DEST WHEEL_ON_DISK
fetch() {
    if [ -n "$5" ]; then
        WHEEL=$5
    else
        mkdir -p "$TMP/$1"
        python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$TMP/$1" "$1==$2"
        WHEEL=$(ls "$TMP/$1"/*.whl)
    fi
    GOT=$(sha256sum "$WHEEL" | cut -d' ' -f1)
    if [ "$GOT" != "$3" ]; then
        echo "fetch-specs: $WHEEL has sha256 $GOT, expected $3" >&2
        exit 1
    fi
    rm -rf "$TMP/x"
    python3 - "$WHEEL" "$TMP/x" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = [n for n in z.namelist() if n.startswith("tccli/services/") and n.endswith(".json")]
    if not names:
        sys.exit("fetch-specs: no tccli/services/*.json in the wheel")
    z.extractall(sys.argv[2], names)
PY
    rm -rf "$4.new"
    mv "$TMP/x/tccli/services" "$4.new"
    rm -rf "$4"
    mv "$4.new" "$4"
    echo "fetch-specs: $1 $2 specs in $4 ($(ls -d "$4"/*/v* | wc -l) service versions)"
}

fetch tccli 3.1.189.1 98ec6fdc56000f0947ae34d601bfb86e49824afe21f6deb03d1b259221bf871c \
    "${1:-$ROOT/specs}" "${TCCLI_WHEEL:-}"
fetch tccli-intl-en 3.1.193.1 e76810a5f00913fa4754978059649ff7bf9b5845f7959dacf25c616b96896e2f \
    "${2:-$ROOT/specs-intl}" "${TCCLI_INTL_WHEEL:-}"
