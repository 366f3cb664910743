#!/usr/bin/env bash
# The public-API check: no type of tonic, prost, reqwest, http, generated OTLP protobuf and the
# like in any public signature (scripts/check-public-api.py says which crates and why).
# rustdoc's JSON output is unstable, so it is asked for with RUSTC_BOOTSTRAP on the stable
# toolchain; only this check reads it.
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTC_BOOTSTRAP=1 cargo rustdoc --lib --all-features --quiet -- -Z unstable-options --output-format json
python3 scripts/check-public-api.py "${CARGO_TARGET_DIR:-target}/doc/walrec.json"
