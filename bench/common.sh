# SPDX-License-Identifier: Apache-2.0
#
# bench/common.sh - what bench/ingest.sh and bench/hunt.sh share; sourced, not run.
#
# Before sourcing set SIZE (synth case size) and optionally BUILD. It installs the peer
# tools (Debian packages; DuckDB from the npm package @duckdb/node-api), builds a release
# siloscope with the benchmark drivers, generates the data with `siloscope synth`, and
# defines the measuring helpers:
#   row LABEL SECONDS PEAK_KB     print one result line (MB/s, records/s, RSS); keeps MB/s
#                                 in MBS[LABEL] and the seconds in SECS[LABEL]
#   ours LABEL DRIVER ARGS...     a bench_* driver (prints its own best-of-3 time)
#   peer LABEL RUNS COMMAND       best of RUNS runs of a shell pipeline
#   duck LABEL MODE THREADS       DuckDB read_ndjson_auto (bench/duckdb_ndjson.mjs)
#   ratio TEXT LABEL_A LABEL_B    MB/s of A over MB/s of B
# Data: the case's Azure logs (PT1H.json, JSON lines) concatenated into $PLAIN, plus
# $PLAIN.gz (gzip -6) and $PLAIN.zst (zstd -3).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
DATA=$ROOT/bench/data
mkdir -p "$DATA"

need=""
for p in isal:igzip ripgrep:rg jq:jq time:/usr/bin/time zstd:zstd bc:bc nodejs:node npm:npm; do
    command -v "${p#*:}" >/dev/null || need="$need ${p%%:*}"
done
if [ -n "$need" ]; then
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi
if [ ! -d "$ROOT/bench/node_modules/@duckdb/node-api" ]; then
    (cd "$ROOT/bench" && npm install --no-save --no-audit --no-fund @duckdb/node-api >/dev/null)
fi

if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
fi
ninja -C "$BUILD" src/cli/siloscope bench/bench_ingest bench/bench_hunt >/dev/null
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

declare -A MBS SECS
row() {
    local mbs
    mbs=$(echo "$size / 1000000 / $2" | bc -l)
    MBS[$1]=$mbs
    SECS[$1]=$2
    printf '%-48s %8.3f s %9.1f MB/s %12.0f rec/s %8.1f MB RSS\n' "$1" "$2" "$mbs" \
        "$(echo "$records / $2" | bc -l)" "$(echo "$3 / 1024" | bc -l)"
}
ours() {
    local label=$1 tool=$2 out rss secs
    shift 2
    out=$(/usr/bin/time -f 'RSS %M' "$tool" --runs 3 "$@" 2>&1)
    rss=$(echo "$out" | sed -n 's/^RSS //p')
    secs=$(echo "$out" | grep -v -e '^RSS' -e '^rules:' |
        awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "s") {print $i; exit}}')
    row "$label" "$secs" "$rss"
}
peer() {
    local label=$1 runs=$2 best=999999 t0 t1 dt rss
    shift 2
    for _ in $(seq "$runs"); do
        t0=$(date +%s.%N)
        rss=$({ /usr/bin/time -f 'RSS %M' bash -c "$*" >/dev/null; } 2>&1 | sed -n 's/^RSS //p')
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
ratio() { printf '%-66s %6.2fx\n' "$1" "$(echo "${MBS[$2]} / ${MBS[$3]}" | bc -l)"; }
