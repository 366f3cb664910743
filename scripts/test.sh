#!/usr/bin/env bash
# Runs every test. Does its own set-up, so it works on a fresh machine with cargo, python3 (pip,
# for the rotel collector) and Go (for the real backends: scripts/build-backends.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# The real OpenTelemetry collector for tests/e2e_rotel.rs (from PyPI into .tools/rotel).
WALREC_ROTEL_AGENT="$(bash scripts/install-rotel.sh)"
export WALREC_ROTEL_AGENT
# The real OpenTelemetry Collector, Prometheus 3 (and promtool 3) and Jaeger v2, built from
# their Go modules (backends/), for tests/pipeline_*.rs, tests/deploy.rs and tests/naming.rs.
# Without Go the backend suite cannot run: under CI that is a failure, elsewhere a loud notice.
if WALREC_BACKENDS_BIN="$(bash scripts/build-backends.sh)"; then
    export WALREC_BACKENDS_BIN
    export WALREC_PROMTOOL="$WALREC_BACKENDS_BIN/promtool"
else
    status=$?
    if [ "$status" -ne 3 ] || [ "${CI:-}" = "true" ]; then
        echo "scripts/build-backends.sh failed (exit $status): the backend suite cannot run" >&2
        exit 1
    fi
    export WALREC_BACKENDS_SKIP=1
    echo "**********************************************************************" >&2
    echo "*** NO GO TOOLCHAIN: the real-backend suite (Collector, Prometheus,  ***" >&2
    echo "*** Jaeger, promtool) will NOT run; the tests that need it say so.  ***" >&2
    echo "**********************************************************************" >&2
fi
# check-jsonschema (PyPI, into .tools/venv) for deploy/compose.yaml in tests/deploy.rs.
WALREC_CHECK_JSONSCHEMA="$(bash scripts/install-check-jsonschema.sh)"
export WALREC_CHECK_JSONSCHEMA

cargo test --all-features --all-targets
cargo test --all-features --doc
# The recorder alone, as HFT users build it.
cargo test --no-default-features --lib --tests
# Model checks of the lock-free shard hand-over (a small crate of its own: builds only loom).
cargo test --release --manifest-path tests/loom_model/Cargo.toml
