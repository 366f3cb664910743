#!/usr/bin/env bash
# Runs every test. Does its own set-up, so it works on a fresh machine with only cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --all-features --all-targets
cargo test --all-features --doc
# The recorder alone, as HFT users build it.
cargo test --no-default-features --lib --tests
