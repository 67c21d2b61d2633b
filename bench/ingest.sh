#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/ingest.sh - ingestion throughput (issue 3): siloscope's reader next to the usual
# tools, on the same files, in the same run (this 2-core machine is noisy: compare the
# ratios, not the absolute figures).
#
# Data: `siloscope synth` writes a case; its Azure logs (Activity, Entra, Storage: JSON
# lines) are concatenated into one plain file, then compressed with gzip -6 and zstd -3.
# Prints MB/s of decoded bytes, records/s and peak RSS for:
#   siloscope   reader (split + validate every record), + 5-field extraction,
#               framing only, 2 threads (byte ranges), gzip (ISA-L, zlib), zstd
#   decoders    ISA-L, zlib, libdeflate, zstd on the compressed files in memory
#   peers       igzip -dc | wc -l, zstd -dc | wc -l, rg -c, jq -c ., DuckDB read_ndjson_auto
#
# usage: bench/ingest.sh [SIZE] [BUILD_DIR]      SIZE of the synth case (default 400M)
set -euo pipefail

SIZE=${1:-400M}
BUILD=${2:-}
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

ours_i() { local l=$1; shift; ours "$l" "$BI" "$@"; }

echo "== siloscope (one thread unless noted)"
ours_i "plain: split + validate" "$PLAIN"
ours_i "plain: split + validate + 5 fields" --extract "$PLAIN"
ours_i "plain: split + 5 fields (no validation)" --extract --no-validate "$PLAIN"
ours_i "plain: framing only" --no-validate "$PLAIN"
ours_i "plain, 2 threads: split + validate" --threads 2 "$PLAIN"
ours_i "plain, 2 threads: split + validate + 5 fields" --threads 2 --extract "$PLAIN"
ours_i "gzip (ISA-L): split + validate" "$PLAIN.gz"
ours_i "gzip (zlib): split + validate" --zlib "$PLAIN.gz"
ours_i "zstd: split + validate" "$PLAIN.zst"
echo "== decoders alone (compressed file in memory, output discarded)"
ours_i "decode gzip: ISA-L" --decode=isal "$PLAIN.gz"
ours_i "decode gzip: zlib" --decode=zlib "$PLAIN.gz"
ours_i "decode gzip: libdeflate (whole buffer)" --decode=libdeflate "$PLAIN.gz"
ours_i "decode zstd" --decode=zstd "$PLAIN.zst"
echo "== peers"
peer "igzip -dc | wc -l" 3 "igzip -dc '$PLAIN.gz' | wc -l"
peer "zstd -dc | wc -l" 3 "zstd -q -dc '$PLAIN.zst' | wc -l"
peer "rg -c '\"time\"'" 3 "rg -c '\"time\"' '$PLAIN'"
peer "jq -c ." 1 "jq -c . '$PLAIN'"
duck "duckdb read_ndjson_auto: count, 1 thread" count 1
duck "duckdb read_ndjson_auto: 5 fields, 1 thread" fields 1
duck "duckdb read_ndjson_auto: 5 fields, 2 threads" fields 2

echo "== ratios (targets from issue 3)"
ratio "split + validate + 5 fields vs DuckDB 5 fields (>= 1.5x)" \
    "plain: split + validate + 5 fields" "duckdb read_ndjson_auto: 5 fields, 1 thread"
ratio "split + validate + 5 fields vs jq (>= 20x)" "plain: split + validate + 5 fields" "jq -c ."
ratio "gzip reader vs igzip -dc | wc -l (>= 0.77x, i.e. within 1.3x)" \
    "gzip (ISA-L): split + validate" "igzip -dc | wc -l"
ratio "gzip reader vs bare ISA-L decode" "gzip (ISA-L): split + validate" "decode gzip: ISA-L"
ratio "zstd reader vs zstd -dc | wc -l (>= 0.83x, i.e. within 1.2x)" "zstd: split + validate" \
    "zstd -dc | wc -l"
ratio "2 threads vs 1 thread, split + validate (>= 1.8x)" \
    "plain, 2 threads: split + validate" "plain: split + validate"
