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
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${2:-$ROOT/build-bench}
DATA=$ROOT/bench/data
mkdir -p "$DATA"

# Tools (Debian packages; DuckDB from npm, which ships its native library).
need=""
for p in isal:igzip ripgrep:rg jq:jq time:/usr/bin/time zstd:zstd bc:bc nodejs:node npm:npm; do
    command -v "${p#*:}" >/dev/null || need="$need ${p%%:*}"
done
if [ -n "$need" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi
if [ ! -d "$ROOT/bench/node_modules/@duckdb/node-api" ]; then
    (cd "$ROOT/bench" && npm install --no-save --no-audit --no-fund @duckdb/node-api >/dev/null)
fi

if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
fi
ninja -C "$BUILD" src/cli/siloscope bench/bench_ingest >/dev/null
BIN=$BUILD/src/cli/siloscope
B=$BUILD/bench/bench_ingest

CASE=$DATA/case-$SIZE
PLAIN=$DATA/azure-$SIZE.jsonl
if [ ! -d "$CASE" ]; then
    "$BIN" synth --tenants 16 --days 7 --seed 11 --size "$SIZE" -o "$CASE" -q
fi
if [ ! -f "$PLAIN" ]; then
    find "$CASE/logs" -name 'PT1H.json' -print0 | sort -z | xargs -0 cat >"$PLAIN"
fi
[ -f "$PLAIN.gz" ] || gzip -6 -c "$PLAIN" >"$PLAIN.gz"
[ -f "$PLAIN.zst" ] || zstd -q -3 -c "$PLAIN" >"$PLAIN.zst"
cat "$PLAIN" "$PLAIN.gz" "$PLAIN.zst" >/dev/null
size=$(stat -c %s "$PLAIN")
records=$(wc -l <"$PLAIN")
printf 'data: %s (%d bytes, %d records; gzip %d, zstd %d bytes), %s\n' "$PLAIN" "$size" \
    "$records" "$(stat -c %s "$PLAIN.gz")" "$(stat -c %s "$PLAIN.zst")" "$(nproc) cores"

declare -A MBS
row() {
    # label, seconds, peak KB
    local mbs
    mbs=$(echo "$size / 1000000 / $2" | bc -l)
    MBS[$1]=$mbs
    printf '%-44s %8.3f s %9.1f MB/s %12.0f rec/s %8.1f MB RSS\n' "$1" "$2" "$mbs" \
        "$(echo "$records / $2" | bc -l)" "$(echo "$3 / 1024" | bc -l)"
}

# siloscope: the driver prints its own best-of-3 time; GNU time gives its peak RSS.
ours() {
    local label=$1 out rss secs
    shift
    out=$(/usr/bin/time -f 'RSS %M' "$B" --runs 3 "$@" 2>&1)
    rss=$(echo "$out" | sed -n 's/^RSS //p')
    secs=$(echo "$out" | grep -v '^RSS' | awk '{print $5}')
    row "$label" "$secs" "$rss"
}
# peers: best of N runs of a shell pipeline.
peer() {
    local label=$1 runs=$2 best=999999 t0 t1 dt rss
    shift 2
    for _ in $(seq "$runs"); do
        t0=$(date +%s.%N)
        rss=$( { /usr/bin/time -f 'RSS %M' bash -c "$*" >/dev/null; } 2>&1 | sed -n 's/^RSS //p')
        t1=$(date +%s.%N)
        dt=$(echo "$t1 - $t0" | bc -l)
        if (($(echo "$dt < $best" | bc -l))); then best=$dt; fi
    done
    row "$label" "$best" "$rss"
}
duck() {
    local label=$1 mode=$2 threads=$3 out secs rss
    out=$(cd "$ROOT/bench" && /usr/bin/time -f 'RSS %M' node duckdb_ndjson.mjs "$PLAIN" "$mode" \
        "$threads" 2>&1)
    secs=$(echo "$out" | awk '/^duckdb/ {print $4}')
    rss=$(echo "$out" | sed -n 's/^RSS //p')
    row "$label" "$secs" "$rss"
}

echo "== siloscope (one thread unless noted)"
ours "plain: split + validate" "$PLAIN"
ours "plain: split + validate + 5 fields" --extract "$PLAIN"
ours "plain: split + 5 fields (no validation)" --extract --no-validate "$PLAIN"
ours "plain: framing only" --no-validate "$PLAIN"
ours "plain, 2 threads: split + validate" --threads 2 "$PLAIN"
ours "plain, 2 threads: split + validate + 5 fields" --threads 2 --extract "$PLAIN"
ours "gzip (ISA-L): split + validate" "$PLAIN.gz"
ours "gzip (zlib): split + validate" --zlib "$PLAIN.gz"
ours "zstd: split + validate" "$PLAIN.zst"
echo "== decoders alone (compressed file in memory, output discarded)"
ours "decode gzip: ISA-L" --decode=isal "$PLAIN.gz"
ours "decode gzip: zlib" --decode=zlib "$PLAIN.gz"
ours "decode gzip: libdeflate (whole buffer)" --decode=libdeflate "$PLAIN.gz"
ours "decode zstd" --decode=zstd "$PLAIN.zst"
echo "== peers"
peer "igzip -dc | wc -l" 3 "igzip -dc '$PLAIN.gz' | wc -l"
peer "zstd -dc | wc -l" 3 "zstd -q -dc '$PLAIN.zst' | wc -l"
peer "rg -c '\"time\"'" 3 "rg -c '\"time\"' '$PLAIN'"
peer "jq -c ." 1 "jq -c . '$PLAIN'"
duck "duckdb read_ndjson_auto: count, 1 thread" count 1
duck "duckdb read_ndjson_auto: 5 fields, 1 thread" fields 1
duck "duckdb read_ndjson_auto: 5 fields, 2 threads" fields 2

ratio() { printf '%-60s %6.2fx\n' "$1" "$(echo "${MBS[$2]} / ${MBS[$3]}" | bc -l)"; }
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
