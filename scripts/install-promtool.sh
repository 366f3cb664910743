#!/usr/bin/env bash
# Makes sure Prometheus' own `promtool` is available (Debian's `prometheus` package) for the
# naming tests (tests/naming.rs: `promtool check metrics` on walrec's Prometheus text).
# Idempotent: installs only when promtool is missing. Prints the command's path on stdout
# (everything else goes to stderr), so callers can
#   export WALREC_PROMTOOL="$(bash scripts/install-promtool.sh)"
set -euo pipefail

if ! command -v promtool >/dev/null 2>&1; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "promtool is missing and there is no apt-get to install Debian's prometheus package" >&2
        exit 1
    fi
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing promtool (Debian package prometheus)" >&2
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >&2
fi
command -v promtool
