#!/usr/bin/env bash
# Fails when target/ outgrows its budget, naming the largest parts. A fresh CI machine once ran
# out of disk mid-build: keep the whole CI build's footprint (every profile .ci/run builds) well
# under what such a machine has free. WALREC_TARGET_BUDGET_GB overrides the budget.
set -euo pipefail
cd "$(dirname "$0")/.."

budget_gb="${WALREC_TARGET_BUDGET_GB:-12}"
used_kb="$(du -sk target | cut -f1)"
used_gb=$(( (used_kb + 1048575) / 1048576 ))
echo "target/ uses ${used_gb} GB (budget ${budget_gb} GB)"
if [ "$used_gb" -gt "$budget_gb" ]; then
    echo "target/ is over its ${budget_gb} GB budget; largest parts:" >&2
    du -sh target/*/* 2>/dev/null | sort -rh | head -8 >&2
    exit 1
fi
