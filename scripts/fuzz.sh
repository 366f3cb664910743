#!/usr/bin/env bash
# Runs a fuzz target over the seed corpus with inputs up to several blocks long.
# Usage: bash scripts/fuzz.sh [segment|tail_recovery] [seconds]
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-segment}"
seconds="${2:-300}"
bash scripts/fuzz-seeds.sh
# One header plus five full blocks: enough for several blocks, full and short.
max_len=$((128 + 5 * 4160 + 1))
cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- \
    -max_len="$max_len" -max_total_time="$seconds" -print_final_stats=1
