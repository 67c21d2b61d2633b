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
#               1 and 2 threads on the plain file; gzip and zstd on one thread
#   decoders    ISA-L and zstd alone (target: .gz/.zst hunt >= 0.8x of decoding alone)
#   peers       jq and DuckDB with one equivalent filter (operationName ends with /DELETE)
#
# usage: bench/hunt.sh [SIZE] [BUILD_DIR]      SIZE of the synth case (default 400M)
set -euo pipefail

SIZE=${1:-400M}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${2:-$ROOT/build-bench}
DATA=$ROOT/bench/data
CORPUS=${SS_SHARED_CORPUS:-$ROOT/../shared/corpus}
CLOUD_RULES=$CORPUS/sigma-rules/SigmaHQ-sigma
mkdir -p "$DATA"

need=""
for p in jq:jq time:/usr/bin/time zstd:zstd bc:bc nodejs:node npm:npm; do
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
# bench_hunt: the meson target when bench/meson.build lists it, else built here
if ! ninja -C "$BUILD" bench/bench_hunt >/dev/null 2>&1; then
    ninja -C "$BUILD" src/sigma/libss_sigma.a src/io/libss_io.a src/json/libss_json.a \
        src/core/libss_core.a >/dev/null
    mkdir -p "$BUILD/bench"
    # shellcheck disable=SC2046
    cc -std=c17 -O2 -D_XOPEN_SOURCE=700 -I"$ROOT/src" -I"$BUILD" $(pkg-config --cflags libhs) \
        "$ROOT/bench/bench_hunt.c" "$BUILD/src/sigma/libss_sigma.a" "$BUILD/src/io/libss_io.a" \
        "$BUILD/src/json/libss_json.a" "$BUILD/src/core/libss_core.a" \
        $(pkg-config --libs yaml-0.1 libpcre2-8 libhs zlib libzstd libdeflate) \
        $(pkg-config --libs libisal 2>/dev/null || true) -lpthread -lm -o "$BUILD/bench/bench_hunt"
fi
BIN=$BUILD/src/cli/siloscope
BI=$BUILD/bench/bench_ingest
BH=$BUILD/bench/bench_hunt

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
    printf '%-48s %8.3f s %9.1f MB/s %12.0f rec/s %8.1f MB RSS\n' "$1" "$2" "$mbs" \
        "$(echo "$records / $2" | bc -l)" "$(echo "$3 / 1024" | bc -l)"
}
# bench_hunt and bench_ingest print their own best-of-N time; GNU time gives peak RSS.
ours() {
    local label=$1 tool=$2 out rss secs
    shift 2
    out=$(/usr/bin/time -f 'RSS %M' "$tool" --runs 3 "$@" 2>&1)
    rss=$(echo "$out" | sed -n 's/^RSS //p')
    secs=$(echo "$out" | grep -v -e '^RSS' -e '^rules:' | awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "s") {print $i; exit}}')
    row "$label" "$secs" "$rss"
}
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
    local label=$1 threads=$2 out secs rss
    out=$(cd "$ROOT/bench" && /usr/bin/time -f 'RSS %M' node duckdb_ndjson.mjs "$PLAIN" filter \
        "$threads" 2>&1)
    secs=$(echo "$out" | awk '/^duckdb/ {print $4}')
    rss=$(echo "$out" | sed -n 's/^RSS //p')
    row "$label" "$secs" "$rss"
}

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
ours "gzip: hunt" "$BH" --rules "$CLOUD_RULES" "$PLAIN.gz"
ours "zstd: hunt" "$BH" --rules "$CLOUD_RULES" "$PLAIN.zst"
echo "== reading and decoding alone"
ours "plain: framing only" "$BI" --no-validate "$PLAIN"
ours "decode gzip: ISA-L" "$BI" --decode=isal "$PLAIN.gz"
ours "decode zstd" "$BI" --decode=zstd "$PLAIN.zst"
echo "== peers: one filter (operationName ends with /DELETE, case-insensitive)"
peer "jq select(...)" 1 \
    "jq -c 'select((.operationName // \"\") | ascii_downcase | endswith(\"/delete\"))' '$PLAIN' | wc -l"
duck "duckdb read_ndjson_auto WHERE ..., 1 thread" 1
duck "duckdb read_ndjson_auto WHERE ..., 2 threads" 2
echo "== siloscope hunt command (output included), whole case directory, 2 threads"
peer "siloscope hunt -j 2 CASE (all kinds)" 1 "'$BIN' hunt -j 2 --rules '$CLOUD_RULES' '$CASE'"

ratio() { printf '%-66s %6.2fx\n' "$1" "$(echo "${MBS[$2]} / ${MBS[$3]}" | bc -l)"; }
echo "== ratios (targets from issue 4)"
printf '%-66s %6.0f MB/s\n' "plain, 1 thread, all cloud rules (>= 1000 MB/s)" "${MBS[plain: hunt]}"
ratio "gzip hunt vs ISA-L decoding alone (>= 0.8x)" "gzip: hunt" "decode gzip: ISA-L"
ratio "zstd hunt vs zstd decoding alone (>= 0.8x)" "zstd: hunt" "decode zstd"
ratio "2 threads vs 1 thread" "plain, 2 threads: hunt" "plain: hunt"
ratio "hunt (all rules) vs jq (one filter)" "plain: hunt" "jq select(...)"
ratio "hunt (all rules) vs DuckDB (one filter), 1 thread" "plain: hunt" \
    "duckdb read_ndjson_auto WHERE ..., 1 thread"
