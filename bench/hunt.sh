#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/hunt.sh - Sigma matching throughput (issue 4): siloscope's engine with the whole
# cloud rule set, next to jq and DuckDB running one equivalent filter over the same data
# in the same run (this 2-core machine is noisy: compare the ratios, not the absolute
# figures).
#
# Data: `siloscope synth` writes a case; its Azure logs (Activity, Entra, Storage: JSON
# lines) are concatenated into one plain file, then compressed with gzip -6 and zstd -3.
# Prints MB/s of decoded bytes, records/s and peak RSS for:
#   rules       load + compile time of the cloud rules folder and of every Sigma rule in
#               the shared corpus (target: the whole SigmaHQ folder in under 1 s)
#   siloscope   bench_hunt: read + prefilter + match every record with all cloud rules,
#               1 and 2 threads on the plain file; gzip and zstd on one matching thread,
#               with a decode thread beside it (SS_READER_PIPELINE, as `siloscope hunt`
#               does) and without (decoding and matching in series on one thread)
#   decoders    ISA-L and zstd alone (target: .gz/.zst hunt >= 0.8x of decoding alone),
#               and decoding + record framing with and without the decode thread
#   peers       jq and DuckDB with one equivalent filter (operationName ends with /DELETE)
#   hunt        the `siloscope hunt` command itself over the plain, gzip and zstd file
#               with -j 1 and -j 2 (a large input is matched in batches by every
#               worker), next to `igzip -dc` and `zstd -dc` writing to /dev/null; its
#               fixed startup (a one-record file), subtracted in a second ratio; and
#               the whole case directory (22k files, in the page cache); with more than
#               2 cores, -j (all of them) too; and the pipeline alone (one rule that
#               matches nothing, -j 3: the ceiling of a compressed hunt with enough cores)
#
# usage: bench/hunt.sh [SIZE] [BUILD_DIR]      SIZE of the synth case (default 400M)
set -euo pipefail

SIZE=${1:-400M}
BUILD=${2:-}
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
CORPUS=${SS_SHARED_CORPUS:-$ROOT/../shared/corpus}
CLOUD_RULES=$CORPUS/sigma-rules/SigmaHQ-sigma

echo "== rules: load + compile"
"$BH" --load-only --rules "$CLOUD_RULES"
all=("--rules" "$CLOUD_RULES")
for d in rules rules-threat-hunting rules-emerging-threats; do
    [ -d "$CORPUS/sigma-vectors/sigmahq-regression/$d" ] &&
        all+=("--rules" "$CORPUS/sigma-vectors/sigmahq-regression/$d")
done
"$BH" --load-only "${all[@]}"
echo "== siloscope Sigma engine, every cloud rule (one thread unless noted)"
ours "plain: hunt" "$BH" --rules "$CLOUD_RULES" "$PLAIN"
ours "plain: hunt, prefilter off" "$BH" --no-prefilter --rules "$CLOUD_RULES" "$PLAIN"
ours "plain: hunt, every record validated" "$BH" --validate-all --rules "$CLOUD_RULES" "$PLAIN"
ours "plain, 2 threads: hunt" "$BH" --threads 2 --rules "$CLOUD_RULES" "$PLAIN"
ours "gzip: hunt + decode thread" "$BH" --rules "$CLOUD_RULES" "$PLAIN.gz"
ours "gzip: hunt, serial (one thread)" "$BH" --no-pipeline --rules "$CLOUD_RULES" "$PLAIN.gz"
ours "zstd: hunt + decode thread" "$BH" --rules "$CLOUD_RULES" "$PLAIN.zst"
ours "zstd: hunt, serial (one thread)" "$BH" --no-pipeline --rules "$CLOUD_RULES" "$PLAIN.zst"
echo "== reading and decoding alone"
ours "plain: framing only" "$BI" --no-validate "$PLAIN"
ours "decode gzip: ISA-L" "$BI" --decode=isal "$PLAIN.gz"
ours "decode zstd" "$BI" --decode=zstd "$PLAIN.zst"
ours "gzip: framing, serial" "$BI" --no-validate "$PLAIN.gz"
ours "gzip: framing + decode thread" "$BI" --no-validate --pipeline "$PLAIN.gz"
ours "zstd: framing, serial" "$BI" --no-validate "$PLAIN.zst"
ours "zstd: framing + decode thread" "$BI" --no-validate --pipeline "$PLAIN.zst"
echo "== peers: one filter (operationName ends with /DELETE, case-insensitive)"
peer "jq select(...)" 1 \
    "jq -c 'select((.operationName // \"\") | ascii_downcase | endswith(\"/delete\"))' '$PLAIN' | wc -l"
duck "duckdb read_ndjson_auto WHERE ..., 1 thread" filter 1
duck "duckdb read_ndjson_auto WHERE ..., 2 threads" filter 2
echo "== siloscope hunt command, one file (rules load and output included; stdout to /dev/null)"
peer "siloscope hunt -j 1 FILE" 3 "'$BIN' hunt -j 1 --rules '$CLOUD_RULES' '$PLAIN'"
peer "siloscope hunt -j 2 FILE" 3 "'$BIN' hunt -j 2 --rules '$CLOUD_RULES' '$PLAIN'"
peer "siloscope hunt -j 1 FILE.gz" 3 "'$BIN' hunt -j 1 --rules '$CLOUD_RULES' '$PLAIN.gz'"
peer "siloscope hunt -j 2 FILE.gz" 3 "'$BIN' hunt -j 2 --rules '$CLOUD_RULES' '$PLAIN.gz'"
peer "siloscope hunt -j 1 FILE.zst" 3 "'$BIN' hunt -j 1 --rules '$CLOUD_RULES' '$PLAIN.zst'"
peer "siloscope hunt -j 2 FILE.zst" 3 "'$BIN' hunt -j 2 --rules '$CLOUD_RULES' '$PLAIN.zst'"
# the fixed cost of every hunt: start, load and compile the rules, one record
head -n 1 "$PLAIN" >"$DATA/one-record.jsonl"
peer "siloscope hunt -j 2 one record (startup)" 5 \
    "'$BIN' hunt -j 2 --rules '$CLOUD_RULES' '$DATA/one-record.jsonl'"
# every core (on a machine with more than 2), then the pipeline alone: one rule that no
# record can match, so that matching is off the critical path as it is with enough
# cores (decoding, framing and batching left); -j 3 so that the decode thread runs
NPROC=$(nproc)
if [ "$NPROC" -gt 2 ]; then
    for f in "$PLAIN" "$PLAIN.gz" "$PLAIN.zst"; do
        peer "siloscope hunt -j $NPROC FILE${f#"$PLAIN"}" 3 "'$BIN' hunt -j $NPROC --rules '$CLOUD_RULES' '$f'"
    done
fi
mkdir -p "$DATA/never-rule"
cat >"$DATA/never-rule/never.yml" <<'YML'
title: Never matches
id: 5b0c4a0e-1d6f-4a53-9f0e-3f2d8f6c1a11
status: test
logsource:
    product: azure
    service: activitylogs
detection:
    selection:
        operationName: zzqqxx-never-seen-operation
    condition: selection
level: low
YML
for f in "$PLAIN.gz" "$PLAIN.zst"; do
    peer "siloscope hunt -j 3 FILE${f#"$PLAIN"}, one rule matching nothing" 5 \
        "'$BIN' hunt -j 3 --rules '$DATA/never-rule' '$f'"
done
echo "== decompression tools alone (stdout to /dev/null)"
peer "igzip -dc FILE.gz" 3 "igzip -dc '$PLAIN.gz'"
peer "zstd -dc FILE.zst" 3 "zstd -dc '$PLAIN.zst'"
echo "== siloscope hunt command (output included), whole case directory, 2 threads"
find "$CASE" -type f -print0 | xargs -0 cat >/dev/null # in the page cache, like the file
peer "siloscope hunt -j 2 CASE (all kinds)" 3 "'$BIN' hunt -j 2 --rules '$CLOUD_RULES' '$CASE'"

echo "== ratios (targets from issue 4)"
printf '%-66s %6.0f MB/s\n' "plain, 1 thread, all cloud rules (>= 1000 MB/s)" "${MBS[plain: hunt]}"
ratio "gzip hunt (+ decode thread) vs ISA-L decoding alone (>= 0.8x)" \
    "gzip: hunt + decode thread" "decode gzip: ISA-L"
ratio "zstd hunt (+ decode thread) vs zstd decoding alone (>= 0.8x)" \
    "zstd: hunt + decode thread" "decode zstd"
# the hunt without its fixed startup, against the tool
steady() {
    local start=${SECS["siloscope hunt -j 2 one record (startup)"]}
    printf '%-66s %6.2fx\n' "$1" "$(echo "${SECS[$3]} / (${SECS[$2]} - $start)" | bc -l)"
}
ratio "siloscope hunt -j 2 FILE.gz vs igzip -dc (>= 0.8x)" "siloscope hunt -j 2 FILE.gz" \
    "igzip -dc FILE.gz"
steady "  the same, its startup (rules load + compile) subtracted" \
    "siloscope hunt -j 2 FILE.gz" "igzip -dc FILE.gz"
ratio "siloscope hunt -j 2 FILE.zst vs zstd -dc (>= 0.8x)" "siloscope hunt -j 2 FILE.zst" \
    "zstd -dc FILE.zst"
steady "  the same, its startup (rules load + compile) subtracted" \
    "siloscope hunt -j 2 FILE.zst" "zstd -dc FILE.zst"
if [ "$NPROC" -gt 2 ]; then
    ratio "siloscope hunt -j $NPROC FILE.gz vs igzip -dc (>= 0.8x)" \
        "siloscope hunt -j $NPROC FILE.gz" "igzip -dc FILE.gz"
    ratio "siloscope hunt -j $NPROC FILE.zst vs zstd -dc (>= 0.8x)" \
        "siloscope hunt -j $NPROC FILE.zst" "zstd -dc FILE.zst"
fi
ratio "pipeline alone (no match), FILE.gz vs igzip -dc: the ceiling with enough cores" \
    "siloscope hunt -j 3 FILE.gz, one rule matching nothing" "igzip -dc FILE.gz"
ratio "pipeline alone (no match), FILE.zst vs zstd -dc: the ceiling with enough cores" \
    "siloscope hunt -j 3 FILE.zst, one rule matching nothing" "zstd -dc FILE.zst"
ratio "siloscope hunt -j 2 FILE.gz vs ISA-L decoding alone, in memory" \
    "siloscope hunt -j 2 FILE.gz" "decode gzip: ISA-L"
ratio "siloscope hunt -j 2 FILE.zst vs zstd decoding alone, in memory" \
    "siloscope hunt -j 2 FILE.zst" "decode zstd"
ratio "siloscope hunt: -j 2 vs -j 1, FILE.gz" "siloscope hunt -j 2 FILE.gz" \
    "siloscope hunt -j 1 FILE.gz"
ratio "gzip hunt, serial, vs ISA-L decoding alone" "gzip: hunt, serial (one thread)" \
    "decode gzip: ISA-L"
ratio "zstd hunt, serial, vs zstd decoding alone" "zstd: hunt, serial (one thread)" "decode zstd"
ratio "gzip hunt + decode thread vs plain hunt (matching bound: 1.0)" \
    "gzip: hunt + decode thread" "plain: hunt"
ratio "zstd hunt + decode thread vs plain hunt (matching bound: 1.0)" \
    "zstd: hunt + decode thread" "plain: hunt"
ratio "2 threads vs 1 thread" "plain, 2 threads: hunt" "plain: hunt"
ratio "hunt (all rules) vs jq (one filter)" "plain: hunt" "jq select(...)"
ratio "hunt (all rules) vs DuckDB (one filter), 1 thread" "plain: hunt" \
    "duckdb read_ndjson_auto WHERE ..., 1 thread"
