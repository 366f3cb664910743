#!/usr/bin/env bash
# Runs every test. Does its own set-up, so it works on a fresh machine with cargo and python3
# (pip, for the rotel collector) and apt-get (for promtool, as root or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

# The real OpenTelemetry collector for tests/e2e_rotel.rs (from PyPI into .tools/rotel).
WALREC_ROTEL_AGENT="$(bash scripts/install-rotel.sh)"
export WALREC_ROTEL_AGENT
# Prometheus' own promtool (Debian's prometheus package) for tests/naming.rs and tests/deploy.rs.
WALREC_PROMTOOL="$(bash scripts/install-promtool.sh)"
export WALREC_PROMTOOL
# check-jsonschema (PyPI, into .tools/venv) for deploy/compose.yaml in tests/deploy.rs.
WALREC_CHECK_JSONSCHEMA="$(bash scripts/install-check-jsonschema.sh)"
export WALREC_CHECK_JSONSCHEMA

cargo test --all-features --all-targets
cargo test --all-features --doc
# The recorder alone, as HFT users build it.
cargo test --no-default-features --lib --tests
# Model checks of the lock-free shard hand-over (a small crate of its own: builds only loom).
cargo test --release --manifest-path tests/loom_model/Cargo.toml
