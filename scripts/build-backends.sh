#!/usr/bin/env bash
# Builds the real backends the end-to-end tests run — the OpenTelemetry Collector (walrec's
# distribution: the components deploy/collector uses), Prometheus 3 with promtool 3, and
# Jaeger v2 — from their Go modules in backends/ (versions: backends/releases.tsv) into
# .tools/backends/bin. Go's module and build caches stay in the user's default locations, so a
# rebuild in a fresh clone relinks in seconds; a cold build takes minutes (README.md).
# Prints the bin folder on stdout (everything else goes to stderr), so callers can
#   export WALREC_BACKENDS_BIN="$(bash scripts/build-backends.sh)"
# WALREC_BACKENDS_OUT builds into another folder (to time a cold build apart from the cache).
# Exits 3 when there is no Go toolchain (scripts/test.sh decides what that means).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${WALREC_BACKENDS_OUT:-$root/.tools/backends/bin}"

if ! command -v go >/dev/null 2>&1; then
    echo "no Go toolchain (go) on PATH: the real backends cannot be built" >&2
    exit 3
fi
mkdir -p "$bin"

# Every pinned module must be what its go.mod resolves (a go.mod edited without the table, or
# the table without go.mod, stops here rather than testing another release than compose runs).
while IFS=$'\t' read -r dir module version _service _image; do
    case "$dir" in ''|'#'*) continue ;; esac
    resolved="$(cd "$root/backends/$dir" && go list -m -f '{{.Version}}' "$module")"
    if [ "$resolved" != "$version" ]; then
        echo "backends/$dir/go.mod resolves $module $resolved, backends/releases.tsv says $version" >&2
        exit 1
    fi
done < "$root/backends/releases.tsv"

build() { # dir, output name or folder, packages…
    local dir="$1" out="$2"; shift 2
    echo "building $* (backends/$dir)" >&2
    (cd "$root/backends/$dir" && go build -trimpath "${extra_flags[@]}" -o "$out" "$@") >&2
}

extra_flags=()
build otelcol "$bin/otelcol" .
build jaeger "$bin/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger
# remove_all_sd: Prometheus' documented build without its cloud service discoveries (the
# tests scrape nothing but static targets); it halves the cold build.
extra_flags=(-tags remove_all_sd)
build prometheus "$bin/" github.com/prometheus/prometheus/cmd/prometheus \
    github.com/prometheus/prometheus/cmd/promtool
echo "$bin"
