#!/usr/bin/env bash
# Reproduces every figure in BENCHMARKS.md: waits for a quiet machine, runs the peers, replay
# and export benches RUNS times (interleaved, so drift shows up as spread), runs the fidelity
# example once, and prints the tables (median of the runs, min–max spread, ratios to walrec).
#
#   bash scripts/bench.sh                 # RUNS=3, 1 s warm-up, 3 s measurement per bench
#   RUNS=5 MEASURE=5 bash scripts/bench.sh
#   SUMMARY_ONLY=1 bash scripts/bench.sh  # only the tables, from the last results
#
# Raw criterion output is kept in target/bench-results/run<N>/<bench>.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1}
MEASURE=${MEASURE:-3}
QUIET_WAIT=${QUIET_WAIT:-300}
OUT=target/bench-results
BENCHES=(peers replay export)
mkdir -p "$OUT"

# Another cargo/rustc (other people build on this machine) or anything else using the CPU
# skews every figure. "Busy" = a compiler is running, or over 20 % of all CPU time was in use
# in the last 2 s (measured now, not the load average, which our own previous run inflates).
cpu_busy_pct() {
    local a b
    a=($(head -1 /proc/stat))
    sleep 2
    b=($(head -1 /proc/stat))
    local idle=$(((b[4] + b[5]) - (a[4] + a[5]))) total=0 i
    for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
    echo $((total > 0 ? 100 * (total - idle) / total : 0))
}
busy() {
    local name
    for name in cargo rustc clippy-driver rustdoc cc1 ld; do
        pgrep -x "$name" >/dev/null && return 0
    done
    (($(cpu_busy_pct) > 20))
}
wait_quiet() {
    local waited=0
    while busy && ((waited < QUIET_WAIT)); do
        sleep 5
        waited=$((waited + 5))
    done
    if busy; then
        echo "warning: machine still busy after ${QUIET_WAIT}s: $(cat /proc/loadavg)" >&2
    fi
}

if [[ -z "${SUMMARY_ONLY:-}" ]]; then
# Build first, so compiling does not count towards the load of the first run.
cargo bench --all-features --no-run
cargo build --release --all-features --example fidelity

{
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
    echo "cores: $(nproc)"
    echo "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
    echo "tsc flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(constant_tsc|nonstop_tsc|tsc_known_freq)$' | tr '\n' ' ')"
    echo "rustc: $(rustc --version)"
} >"$OUT/machine.txt"
: >"$OUT/load.txt"

for run in $(seq 1 "$RUNS"); do
    mkdir -p "$OUT/run$run"
    for bench in "${BENCHES[@]}"; do
        wait_quiet
        echo "run $run $bench: loadavg $(cut -d' ' -f1-3 /proc/loadavg), cpu busy $(cpu_busy_pct) % before" | tee -a "$OUT/load.txt"
        cargo bench --all-features --bench "$bench" -- \
            --warm-up-time "$WARMUP" --measurement-time "$MEASURE" --noplot \
            >"$OUT/run$run/$bench.txt"
    done
done

wait_quiet
echo "fidelity: loadavg $(cut -d' ' -f1-3 /proc/loadavg), cpu busy $(cpu_busy_pct) % before" | tee -a "$OUT/load.txt"
cargo run --release --all-features --example fidelity >"$OUT/fidelity.md"
fi

python3 - "$OUT" "$RUNS" <<'EOF' | tee "$OUT/tables.md"
import re, statistics, sys
from pathlib import Path

out, runs = Path(sys.argv[1]), int(sys.argv[2])
UNIT = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
ELEM = {"elem/s": 1, "Kelem/s": 1e3, "Melem/s": 1e6, "Gelem/s": 1e9,
        "B/s": 1 / 2**30, "KiB/s": 1 / 2**20, "MiB/s": 1 / 2**10, "GiB/s": 1.0}

def parse(text):
    """name -> (median time in ns, median throughput or None)"""
    res, name, last = {}, None, None
    for line in text.splitlines():
        m = re.match(r"^(\S.*?)\s+time:\s+\[(.*)\]", line)
        if "%" in line:  # the "change:" block against the previous run
            continue
        if m or re.match(r"^\s+time:\s+\[", line):
            if m:
                name, body = m.group(1).strip(), m.group(2)
            else:
                name, body = last, line.split("[", 1)[1].rstrip("]")
            parts = body.split()
            res[name] = [float(parts[2]) * UNIT[parts[3]], None]
            continue
        m = re.match(r"^\s+thrpt:\s+\[(.*)\]", line)
        if m and name in res:
            parts = m.group(1).split()
            res[name][1] = float(parts[2]) * ELEM[parts[3]]
            continue
        if line and not line[0].isspace() and "time:" not in line:
            last = line.strip()
    return res

data = {}  # (bench, name) -> [per-run (time, thrpt)]
for r in range(1, runs + 1):
    for bench in ["peers", "replay", "export"]:
        f = out / f"run{r}" / f"{bench}.txt"
        if f.exists():
            for name, v in parse(f.read_text()).items():
                data.setdefault((bench, name), []).append(v)

def t(bench, name):
    return statistics.median(v[0] for v in data[(bench, name)])

def spread(bench, name, idx=0):
    vals = [v[idx] for v in data[(bench, name)]]
    return min(vals), max(vals), len(vals)

def fmt(ns):
    return f"{ns:.2f} ns" if ns < 1e3 else f"{ns/1e3:.2f} µs" if ns < 1e6 else f"{ns/1e6:.2f} ms"

print(f"# Tables ({runs} runs; median, min–max)\n")
for group in ["one_thread", "two_threads"]:
    hook, rec = t("peers", f"{group}/walrec/on_next_event"), t("peers", f"{group}/walrec/record")
    clock = t("peers", f"{group}/baseline/clock_read")
    print(f"## peers, {group.replace('_', ' ')} (time per op per thread)\n")
    print("| variant | median | min–max | × walrec on_next_event | × walrec record | × clock read |")
    print("|---|---:|---:|---:|---:|---:|")
    for (bench, name) in data:
        if bench == "peers" and name.startswith(group + "/"):
            m, (lo, hi, _) = t(bench, name), spread(bench, name)
            print(f"| {name.split('/', 1)[1]} | {fmt(m)} | {fmt(lo)}–{fmt(hi)} | {m/hook:.2f} | {m/rec:.2f} | {m/clock:.2f} |")
    print()

print("## replay (1 Mi events per iteration)\n")
print("| variant | median time | M events/s (median) | min–max M events/s | × telemetry_on time | overhead/event vs off | in clock reads |")
print("|---|---:|---:|---:|---:|---:|---:|")
clock = t("replay", "clock_read")
for group in ["replay", "hot_loop"]:
    on = t("replay", f"{group}/telemetry_on")
    off = t("replay", f"{group}/telemetry_off")
    for var in ["telemetry_off", "telemetry_on", "otel_sdk"]:
        name = f"{group}/{var}"
        if (("replay", name)) not in data:
            continue
        m = t("replay", name)
        thr = statistics.median(v[1] for v in data[("replay", name)]) / 1e6
        lo, hi, _ = spread("replay", name, 1)
        per = (m - off) / 2**20
        print(f"| {name} | {fmt(m)} | {thr:.1f} | {lo/1e6:.1f}–{hi/1e6:.1f} | {m/on:.2f} | {per:.2f} ns | {per/clock:.2f} |")
print(f"| clock_read | {fmt(clock)} | | | | | |")
if ("replay", "instant_read") in data:
    print(f"| instant_read | {fmt(t('replay', 'instant_read'))} | | | | | |")
print()
print("## segment verification (16 MiB segment, GiB/s)\n")
print("| variant | median time | GiB/s (median) | min–max GiB/s | × crc32c_raw time |")
print("|---|---:|---:|---:|---:|")
raw = t("replay", "verify/crc32c_raw")
for name in ["verify/segment_open_and_verify", "verify/crc32c_raw"]:
    m = t("replay", name)
    thr = statistics.median(v[1] for v in data[("replay", name)])
    lo, hi, _ = spread("replay", name, 1)
    print(f"| {name} | {fmt(m)} | {thr:.2f} | {lo:.2f}–{hi:.2f} | {m/raw:.2f} |")
print()
print("## export (per interval, one thread)\n")
print("| variant | median | min–max |")
print("|---|---:|---:|")
for (bench, name) in data:
    if bench == "export":
        m, (lo, hi, _) = t(bench, name), spread(bench, name)
        print(f"| {name} | {fmt(m)} | {fmt(lo)}–{fmt(hi)} |")
print()
EOF
echo "fidelity: $OUT/fidelity.md; load: $OUT/load.txt; machine: $OUT/machine.txt"
