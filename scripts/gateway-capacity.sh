#!/usr/bin/env bash
# What one gateway replica (deploy/collector/gateway.yaml, the real Collector, writing to the
# real Prometheus 3) spends per walrec export: runs `walrec replay` with a 10 ms export interval
# (each export is a whole recovery's, as a host sends every OTEL_METRIC_EXPORT_INTERVAL)
# straight into one gateway, and divides the gateway's CPU time by the exports and data points
# it accepted. deploy/README.md's sizing comes from this. Needs scripts/build-backends.sh's
# programs and a release walrec (built here). Every process started is stopped by its PID.
#   bash scripts/gateway-capacity.sh [replays in parallel, default 2]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${WALREC_BACKENDS_BIN:-$root/.tools/backends/bin}"
parallel="${1:-2}"
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
metric() { # the gateway's own metric $1 (summed)
    curl -s "http://127.0.0.1:$metrics_port/metrics" | awk -v n="$1" '$1 ~ "^"n"({|$)" {s += $NF} END {print s + 0}'
}

cargo build --release --quiet --bin walrec --manifest-path "$root/Cargo.toml"
walrec="$root/target/release/walrec"

prom_port="$(port)"
"$bin/prometheus" --config.file="$root/deploy/prometheus/prometheus.yml" \
    --storage.tsdb.path="$work/prometheus" --web.enable-otlp-receiver \
    --enable-feature=exemplar-storage,created-timestamp-zero-ingestion \
    --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
grpc_port="$(port)"; metrics_port="$(port)"
OTELCOL_OTLP_GRPC_LISTEN="127.0.0.1:$grpc_port" OTELCOL_HEALTH_LISTEN="127.0.0.1:$(port)" \
    OTELCOL_METRICS_HOST=127.0.0.1 OTELCOL_METRICS_PORT="$metrics_port" \
    PROMETHEUS_URL="http://127.0.0.1:$prom_port" JAEGER_OTLP_ENDPOINT="127.0.0.1:$(port)" \
    TEMPO_OTLP_ENDPOINT="127.0.0.1:$(port)" \
    "$bin/otelcol" --config="$root/deploy/collector/gateway.yaml" >"$work/gateway.log" 2>&1 &
gateway=$!
pids+=("$gateway")
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$prom_port/-/ready" >/dev/null && \
        curl -sf "http://127.0.0.1:$metrics_port/metrics" >/dev/null && break
    sleep 0.1
done

OTEL_SDK_DISABLED=true "$walrec" generate --dir "$work/wal" --events 20000000 >/dev/null
ticks_before="$(cpu_ticks "$gateway")"
points_before="$(metric otelcol_receiver_accepted_metric_points)"
for i in $(seq "$parallel"); do
    OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$grpc_port" OTEL_EXPORTER_OTLP_PROTOCOL=grpc \
        OTEL_TRACES_EXPORTER=none OTEL_METRIC_EXPORT_INTERVAL=10 OTEL_SERVICE_NAME="load-$i" \
        "$walrec" replay --dir "$work/wal" >"$work/replay-$i.out" 2>&1 &
    pids+=($!)
done
wait "${pids[@]:2}"
sleep 3 # the gateway's batch timeout (2 s), then its export to Prometheus
points="$(( $(metric otelcol_receiver_accepted_metric_points) - points_before ))"
ticks="$(( $(cpu_ticks "$gateway") - ticks_before ))"
# Data points in one export of one host: the series Prometheus holds for one replay's job.
per_export="$(curl -s "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode 'query=count({job="load-1"})' \
    | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')"
hz="$(getconf CLK_TCK)"
awk -v t="$ticks" -v hz="$hz" -v p="$points" -v e="$per_export" 'BEGIN {
    cpu = t / hz
    printf "gateway CPU %.2f s for %d data points: %.1f µs per point\n", cpu, p, cpu * 1e6 / p
    printf "one host exports %d points; at a 10 s interval one gateway core takes %.0f hosts\n", \
        e, 10 / (e * cpu / p)
}'
