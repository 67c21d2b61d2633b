#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/bench_ingest.sh - ingestion throughput (io area) against the usual tools.
#
# Generates Azure Activity JSON lines (docs/formats.md §1.3 shape, varied ids, IPs,
# times; about 750 bytes a record) into bench/data/ingest/, compresses them with gzip -6
# and zstd -3, builds bench/bench_ingest.c against an existing build directory, then
# prints MB/s (decoded) and records/s for:
#   siloscope reader  plain / gzip (ISA-L) / gzip (zlib) / zstd, validating every record
#   bare decoders     isal, zlib, libdeflate (whole buffer), zstd: no splitting
#   tools             igzip -dc | wc -l, zstd -dc | wc -l, rg -c, jq -c .
#
# usage: bench/bench_ingest.sh [MB] [BUILD_DIR]     (defaults: 256, build)
# Run it on a quiet machine: it is single-threaded unless noted, and the numbers are
# best of 3.
set -euo pipefail

MB=${1:-256}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${2:-$ROOT/build}
DATA=$ROOT/bench/data/ingest
mkdir -p "$DATA"
PLAIN=$DATA/activity-${MB}M.jsonl

for lib in src/io/libss_io.a src/json/libss_json.a src/core/libss_core.a; do
    if [ ! -f "$BUILD/$lib" ]; then
        echo "bench_ingest: $BUILD/$lib missing; build first (ninja -C $BUILD)" >&2
        exit 2
    fi
done

ISAL_FLAGS=""
if pkg-config --exists libisal; then
    ISAL_FLAGS="-DSS_HAVE_ISAL=1 $(pkg-config --libs libisal)"
fi
# shellcheck disable=SC2086
cc -std=c17 -O2 -D_XOPEN_SOURCE=700 -I"$ROOT/src" -I"$ROOT" -I"$BUILD" \
    "$ROOT/bench/bench_ingest.c" "$BUILD/src/io/libss_io.a" "$BUILD/src/json/libss_json.a" \
    "$BUILD/src/core/libss_core.a" $ISAL_FLAGS \
    $(pkg-config --libs libzstd zlib libdeflate) -lpthread -lm -o "$DATA/bench_ingest"

if [ ! -f "$PLAIN" ]; then
    echo "generating $PLAIN ..." >&2
    python3 - "$PLAIN" "$MB" <<'EOF'
import random, sys
path, mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
def guid():
    return '%08x-%04x-%04x-%04x-%012x' % (rnd.getrandbits(32), rnd.getrandbits(16),
        rnd.getrandbits(16), rnd.getrandbits(16), rnd.getrandbits(48))
subs = [guid() for _ in range(8)]
rgs = ['RG-DATA', 'RG-NET', 'RG-APP', 'rg-prod-weu', 'RG-SHARED']
ops = [('MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION', 'Microsoft.Storage/storageAccounts/listKeys/action'),
       ('MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE', 'Microsoft.Authorization/roleAssignments/write'),
       ('MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE', 'Microsoft.Compute/virtualMachines/write'),
       ('MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE', 'Microsoft.Network/networkSecurityGroups/securityRules/write'),
       ('MICROSOFT.KEYVAULT/VAULTS/SECRETS/READ', 'Microsoft.KeyVault/vaults/secrets/read')]
users = ['ops@contoso.example', 'dev1@contoso.example', 'guest_ext#EXT#@contoso.example', 'sp-deploy']
limit = mb * 1000 * 1000
n = 0
with open(path, 'w') as f:
    t = 1714554000
    while n < limit:
        sub = rnd.choice(subs); rg = rnd.choice(rgs); op, act = rnd.choice(ops)
        t += rnd.randint(0, 3)
        hh, mm, ss = (t // 3600) % 24, (t // 60) % 60, t % 60
        ip = '%d.%d.%d.%d' % (rnd.choice([198, 203, 20, 52]), rnd.randint(0, 255), rnd.randint(0, 255), rnd.randint(1, 254))
        name = 'st%06d' % rnd.randint(0, 999999)
        res = rnd.choice(['Start', 'Success', 'Failure'])
        dur = rnd.randint(0, 3000)
        durs = str(dur) if rnd.random() < 0.8 else '"%d"' % dur
        rec = ('{"time":"2024-05-01T%02d:%02d:%02d.%07dZ","resourceId":"/SUBSCRIPTIONS/%s/RESOURCEGROUPS/%s/PROVIDERS/%s",'
               '"operationName":"%s","category":"Administrative","resultType":"%s","resultSignature":"Succeeded.OK",'
               '"durationMs":%s,"callerIpAddress":"%s","correlationId":"%s","identity":{"authorization":{"scope":'
               '"/subscriptions/%s/resourceGroups/%s","action":"%s","evidence":{"role":"Contributor",'
               '"roleAssignmentId":"%s","principalId":"%s","principalType":"User"}},"claims":{'
               '"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"%s","ipaddr":"%s","appid":"%s"}},'
               '"level":"Information","location":"global","properties":{"statusCode":"OK","serviceRequestId":null,'
               '"requestbody":"{\\"name\\":\\"%s\\",\\"tags\\":{}}","eventCategory":"Administrative"}}\n') % (
            hh, mm, ss, rnd.randint(0, 9999999), sub.upper(), rg, op.split('/', 1)[0] + '/' + name.upper(),
            op, res, durs, ip, guid(), sub, rg.lower(), act, guid().replace('-', ''), guid().replace('-', ''),
            rnd.choice(users), ip, guid(), name)
        f.write(rec)
        n += len(rec)
EOF
fi
[ -f "$PLAIN.gz" ] || gzip -6 -k -c "$PLAIN" > "$PLAIN.gz"
[ -f "$PLAIN.zst" ] || zstd -q -3 -k -c "$PLAIN" > "$PLAIN.zst"
# warm the page cache
cat "$PLAIN" "$PLAIN.gz" "$PLAIN.zst" > /dev/null

B="$DATA/bench_ingest"
echo "== siloscope reader (decode + split + validate every record; one thread)"
"$B" "$PLAIN" "$PLAIN.gz" "$PLAIN.zst"
"$B" --zlib "$PLAIN.gz"
echo "== siloscope reader, framing only (SS_READER_NO_VALIDATE)"
"$B" --no-validate "$PLAIN" "$PLAIN.gz" "$PLAIN.zst"
echo "== siloscope reader, plain input in byte ranges (2 threads)"
"$B" --threads 2 "$PLAIN"
echo "== bare decoders (input in memory, output discarded)"
for e in isal zlib libdeflate; do "$B" --decode=$e "$PLAIN.gz"; done
"$B" --decode=zstd "$PLAIN.zst"

size=$(stat -c %s "$PLAIN")
tool() {
    local label=$1
    shift
    local best=999999 t0 t1 dt
    for _ in 1 2 3; do
        t0=$(date +%s.%N)
        bash -c "$*" > /dev/null
        t1=$(date +%s.%N)
        dt=$(echo "$t1 - $t0" | bc -l)
        if (($(echo "$dt < $best" | bc -l))); then best=$dt; fi
    done
    printf '%-40s %8.3f s %9.1f MB/s\n' "$label" "$best" "$(echo "$size / 1000000 / $best" | bc -l)"
}
echo "== tools (same data; MB/s of decoded bytes)"
command -v igzip > /dev/null && tool "igzip -dc | wc -l" "igzip -dc '$PLAIN.gz' | wc -l"
tool "gzip -dc | wc -l" "gzip -dc '$PLAIN.gz' | wc -l"
tool "zstd -dc | wc -l" "zstd -q -dc '$PLAIN.zst' | wc -l"
tool "wc -l" "wc -l '$PLAIN'"
command -v rg > /dev/null && tool "rg -c ." "rg -c . '$PLAIN'"
command -v jq > /dev/null && tool "jq -c . (validating parse)" "jq -c . '$PLAIN'"
exit 0
