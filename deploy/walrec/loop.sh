#!/bin/sh
# The compose service's work: write one WAL, then replay it again and again, so that the
# dashboard always has a recent recovery. Exporting is configured by the OTEL_* variables alone.
set -eu
wal="${WALREC_DIR:-$HOME/wal}"
events="${WALREC_EVENTS:-4000000}"
pause="${WALREC_PAUSE_SECONDS:-10}"

if [ ! -d "$wal" ] || [ -z "$(ls -A "$wal")" ]; then
    walrec generate --dir "$wal" --events "$events"
fi
while :; do
    walrec replay --dir "$wal" --label deploy || echo "walrec replay failed; retrying" >&2
    sleep "$pause"
done
