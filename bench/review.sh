#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/review.sh - `siloscope review` of one large compressed input: the Azure logs of
# a synth case as one gzip file (bench/common.sh: 416.7 MB decoded, 33.5 MB stored for
# SIZE=400M), reviewed with the SigmaHQ cloud rules on 1 and 2 threads. Prints, per run,
# the review's own phase times (read: reading, checks, rules, evidence resolution; write:
# seal, database, OCSF and HTML), the wall time, peak RSS and the size of report.html.
# With OLD=path/to/siloscope, that build runs too, alternating with this one.
#
# usage: [OLD=BIN] bench/review.sh [SIZE] [BUILD_DIR] [ROUNDS]
set -euo pipefail

SIZE=${1:-400M}
BUILD=${2:-}
ROUNDS=${3:-3}
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
CORPUS=${SS_SHARED_CORPUS:-$ROOT/../shared/corpus}
CLOUD_RULES=$CORPUS/sigma-rules/SigmaHQ-sigma

CASE1=$DATA/review-one-gz-$SIZE
mkdir -p "$CASE1/logs"
[ -f "$CASE1/logs/azure.jsonl.gz" ] || cp "$PLAIN.gz" "$CASE1/logs/azure.jsonl.gz"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/ss_benchrev_XXXXXX")
trap 'rm -rf "$OUT"' EXIT

run() {
    local label=$1 bin=$2 j=$3 line rss
    rm -rf "$OUT/o"
    rss=$({ /usr/bin/time -f 'RSS %M' "$bin" review "$CASE1" -o "$OUT/o" -j "$j" \
        --rules "$CLOUD_RULES" >"$OUT/stdout"; } 2>&1 | sed -n 's/^RSS //p')
    line=$(sed -n 's/^  time *//p' "$OUT/stdout")
    printf '%-10s -j %s  %s  | %.1f MB RSS, report.html %.1f MB\n' "$label" "$j" "$line" \
        "$(echo "$rss / 1024" | bc -l)" "$(echo "$(stat -c %s "$OUT/o/report.html") / 1000000" | bc -l)"
}

for _ in $(seq "$ROUNDS"); do
    for j in 1 2; do
        run this "$BIN" "$j"
        if [ -n "${OLD:-}" ]; then run old "$OLD" "$j"; fi
    done
done
