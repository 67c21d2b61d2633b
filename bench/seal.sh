#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/seal.sh - what sealing costs a review (issue 5, point 9: at most 10%).
#
# Runs `siloscope review` over a synth case, sealed (every input hashed as stored during
# the read pass, evidence records re-hashed, manifest, Merkle roots, DSSE signature, case
# log) and unsealed (SILOSCOPE_BENCH_NO_SEAL: no input hashing, no manifest; a
# benchmark-only switch), in alternating pairs so that machine noise hits both alike.
# With the SigmaHQ cloud rules when the shared corpus is present, so that the review
# carries findings to seal. Prints the median wall time of each, the review's MB/s and
# peak RSS, and the overhead of sealing = sealed / unsealed - 1.
#
# usage: bench/seal.sh [SIZE] [BUILD_DIR] [PAIRS]   (defaults 400M, build-bench, 5)
set -euo pipefail

SIZE=${1:-400M}
BUILD=${2:-}
PAIRS=${3:-5}
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
CORPUS=${SS_SHARED_CORPUS:-$ROOT/../shared/corpus}
CLOUD_RULES=$CORPUS/sigma-rules/SigmaHQ-sigma
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$BIN" keygen "$OUT/key" >/dev/null

args=()
[ -d "$CLOUD_RULES" ] && args+=(--rules "$CLOUD_RULES")
case_bytes=$(du -sb "$CASE" | cut -f1)

# one review: prints "WALL_SECONDS CPU_SECONDS PEAK_KB FINDINGS SEAL_PHASE_SECONDS"
one() {
    local out n ph
    rm -rf "$OUT/r"
    out=$({ /usr/bin/time -f 'RSS %M %e %U %S' "$BIN" review "$CASE" -o "$OUT/r" -j "$1" \
        --key "$OUT/key" "${args[@]}" >"$OUT/summary"; } 2>&1 | grep '^RSS ')
    n=$(sed -n 's/^  findings  \([0-9]*\).*/\1/p' "$OUT/summary")
    ph=$(sed -n "s/^  time .* with the seal \([0-9.]*\)).*/\1/p" "$OUT/summary")
    echo "$out $n $ph" | awk '{printf "%s %.2f %s %s %s\n", $3, $4 + $5, $2, $6, $7}'
}

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# Pairs alternate which run goes first; the overhead is the median of the per-pair
# ratios, which cancels the slow drifts of a shared machine better than a ratio of medians.
for j in 1 2; do
    wall=() cpu=() ws=() wu=() phase=()
    for k in $(seq "$PAIRS"); do
        if ((k % 2)); then
            read -r s1 c1 rss1 n1 p1 <<<"$(one "$j")"
            read -r s0 c0 rss0 _ _ <<<"$(export SILOSCOPE_BENCH_NO_SEAL=1; one "$j" 2>/dev/null)"
        else
            read -r s0 c0 rss0 _ _ <<<"$(export SILOSCOPE_BENCH_NO_SEAL=1; one "$j" 2>/dev/null)"
            read -r s1 c1 rss1 n1 p1 <<<"$(one "$j")"
        fi
        ws+=("$s1") wu+=("$s0") phase+=("$p1")
        wall+=("$(echo "$s1 / $s0" | bc -l)") cpu+=("$(echo "$c1 / $c0" | bc -l)")
    done
    ms=$(printf '%s\n' "${ws[@]}" | median)
    mu=$(printf '%s\n' "${wu[@]}" | median)
    printf '== %d thread(s), case %s (%d bytes), %s findings, %d pairs\n' "$j" "$CASE" \
        "$case_bytes" "$n1" "$PAIRS"
    printf '%-10s median %6.2f s %8.1f MB/s %7.1f MB RSS  runs: %s\n' "sealed" "$ms" \
        "$(echo "$case_bytes / 1000000 / $ms" | bc -l)" "$(echo "$rss1 / 1024" | bc -l)" "${ws[*]}"
    printf '%-10s median %6.2f s %8.1f MB/s %7.1f MB RSS  runs: %s\n' "unsealed" "$mu" \
        "$(echo "$case_bytes / 1000000 / $mu" | bc -l)" "$(echo "$rss0 / 1024" | bc -l)" "${wu[*]}"
    printf 'seal phase (manifest, roots, signature, case log): median %.2f s\n' \
        "$(printf '%s\n' "${phase[@]}" | median)"
    printf 'sealing overhead, median of per-pair ratios: wall %+.1f%%, CPU %+.1f%%\n' \
        "$(echo "($(printf '%s\n' "${wall[@]}" | median) - 1) * 100" | bc -l)" \
        "$(echo "($(printf '%s\n' "${cpu[@]}" | median) - 1) * 100" | bc -l)"
done
