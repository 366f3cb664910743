#!/usr/bin/env bash
# Writes a seed corpus of real, small segments for the fuzz targets (fuzz/corpus/<target>/,
# not committed): sealed segments of one to a few blocks, with full and short blocks, and the
# same made unsealed (the header of a crashed writer's live segment) and torn. Each segment seed
# of `segment` gets the target's mode byte in front (0: as is, 1: CRCs recomputed).
# Usage: bash scripts/fuzz-seeds.sh   (needs cargo and python3)
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet --bin walrec
bin="${CARGO_TARGET_DIR:-target}/debug/walrec"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

n=0
# events, sync-every, blocks per segment: one short block, several full, mixed short and full.
for spec in "5 0 1" "64 0 1" "200 0 3" "150 7 4" "300 50 5" "40 1 2"; do
    read -r events every blocks <<<"$spec"
    dir="$work/wal$n"
    OTEL_SDK_DISABLED=true "$bin" generate --dir "$dir" --events "$events" \
        --segment-bytes $((128 + blocks * 4160)) --sync-every "$every" 2>/dev/null
    n=$((n + 1))
done

# For tail_recovery: WALs whose segment 1 starts at event 101, after a sealed segment 0.
for every in 0 1 9 64; do
    dir="$work/tail$every"
    OTEL_SDK_DISABLED=true "$bin" generate --dir "$dir" --events 100 2>/dev/null
    OTEL_SDK_DISABLED=true "$bin" generate --dir "$dir" --append --events 150 \
        --sync-every "$every" 2>/dev/null
done

python3 - "$work" <<'PY'
import glob, os, struct, sys

work = sys.argv[1]

def crc32c(data):
    # Bitwise CRC-32C (Castagnoli), reflected, as the crc32c crate computes it.
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF

def unsealed(seg):
    """The same segment as a crashed writer leaves its live one: flags, counts, close time 0."""
    h = bytearray(seg[:128])
    for off in (32, 40, 48, 64):
        h[off:off + 8] = b"\0" * 8
    h[72:76] = b"\0" * 4
    h[124:128] = struct.pack("<I", crc32c(bytes(h[:124])))
    return bytes(h) + seg[128:]

seeds = {"segment": [], "tail_recovery": []}
for path in sorted(glob.glob(os.path.join(work, "wal*", "segment-*.wal"))):
    seg = open(path, "rb").read()
    if len(seg) > 5 * 4160 + 128:
        continue
    live = unsealed(seg)
    torn = live[: len(live) - 100] + os.urandom(37)
    for variant in (seg, live, torn):
        seeds["segment"] += [b"\0" + variant, b"\1" + variant]

# The tail target's input is segment 1 of a WAL whose segment 0 holds events 1..=100.
for path in sorted(glob.glob(os.path.join(work, "tail*", "segment-0000000001.wal"))):
    seg = open(path, "rb").read()
    live = unsealed(seg)
    seeds["tail_recovery"] += [seg, live, live[: len(live) - 100] + os.urandom(37)]

for target, items in seeds.items():
    out = os.path.join("fuzz", "corpus", target)
    os.makedirs(out, exist_ok=True)
    for i, data in enumerate(items):
        open(os.path.join(out, f"seed-{i:03}"), "wb").write(data)
    print(f"{len(items)} seeds in {out}")
PY
