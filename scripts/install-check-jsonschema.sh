#!/usr/bin/env bash
# Installs check-jsonschema (PyPI) into a project-local virtualenv, .tools/venv, for the
# deploy/ checks in tests/deploy.rs: `check-jsonschema --builtin-schema vendor.compose-spec
# deploy/compose.yaml` validates the compose file against the Compose specification's JSON
# schema, which check-jsonschema ships (so the check needs no network once installed).
# Idempotent: does nothing when the pinned version is already there. Prints the command's path
# on stdout (everything else goes to stderr), so callers can
#   export WALREC_CHECK_JSONSCHEMA="$(bash scripts/install-check-jsonschema.sh)"
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="0.39.0"
venv="$PWD/.tools/venv"
binary="$venv/bin/check-jsonschema"

if [[ -x "$binary" ]] && [[ "$("$binary" --version 2>/dev/null)" == *"$VERSION"* ]]; then
    echo "check-jsonschema $VERSION already installed in $venv" >&2
else
    python=""
    for candidate in python3 python; do
        if command -v "$candidate" >/dev/null 2>&1; then
            python="$candidate"
            break
        fi
    done
    if [[ -z "$python" ]]; then
        echo "install-check-jsonschema.sh: python3 (with venv) is needed to install check-jsonschema from PyPI" >&2
        exit 1
    fi
    echo "installing check-jsonschema $VERSION into $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "check-jsonschema==$VERSION" >&2
fi
echo "$("$binary" --version) ($binary)" >&2
echo "$binary"
