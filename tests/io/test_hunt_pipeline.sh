#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# tests/io/test_hunt_pipeline.sh - end to end, pipelined decoding (docs/io.md "Pipelined
# decoding"), batched matching and streamed output (docs/sigma.md "siloscope hunt"):
# `siloscope hunt` over the same Azure JSON lines (twice over, with 12 records cut short
# and one of 2 MiB) as a plain file, as gzip (several members) and as zstd must print
# exactly the same matches, summary and warnings (file names aside), with one, two and
# three workers. The files are large enough (over 8 MiB plain, over 1 MiB stored
# compressed) that with one worker a compressed input decodes on a decode thread, with
# two its reader decodes and every worker matches batches, and with three both (a
# batched input gets a decode thread from three workers on). Rules: the golden
# mixed-rules folder, rules that match every record (so the output spans many parts),
# plus the SigmaHQ cloud rules of the shared corpus when present. Prints "N passed, N
# failed".
#
# usage: test_hunt_pipeline.sh SILOSCOPE RULES_DIR [CORPUS_DIR]
set -u

LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh

SS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
RULES=$(cd "$2" && pwd)
CORPUS=${SS_SHARED_CORPUS:-${3:-}}
# shellcheck source=tests/io/lib.sh
. "$LIB"
synth_case
# 12 records cut short, spread over the file (so over several batches with -j 2): each
# holds a rule's literal, so it is validated, and reported where it stands; the first
# 10 are listed and then counted. Line 5007 is one matching record of 2 MiB, larger
# than a batch.
awk -v cut="$CUT" 'NR % 700 == 0 && NR <= 8400 { print cut }
    NR == 5000 { while ((getline l <"big.json") > 0) print l }
    { print }' good.jsonl good.jsonl >all.jsonl
size=$(wc -c <all.jsonl)
[ "$size" -gt 4000000 ] && ok || bad "synth wrote only $size bytes of Azure logs"
# gzip as three members, so the member boundaries fall inside the stream
head -c 3000000 all.jsonl | gzip -6 >all.jsonl.gz
tail -c +3000001 all.jsonl | head -c 5000000 | gzip -1 >>all.jsonl.gz
tail -c +8000001 all.jsonl | gzip -9 >>all.jsonl.gz
gz=$(wc -c <all.jsonl.gz)
[ "$gz" -gt 1048576 ] && ok || bad "gzip input of $gz bytes is under 1 MiB: no decode thread"
have_zstd=0
if command -v zstd >/dev/null 2>&1; then
    zstd -q -3 -c all.jsonl >all.jsonl.zst && have_zstd=1
fi

# Rules that match every Activity, sign-in and audit record, so that the output (over
# 1.5 MB) spans many parts: printed every 1 MiB with one worker, per batch with two.
mkdir -p every
for svc in activitylogs signinlogs auditlogs; do
    printf 'title: Every %s record\nlogsource:\n    product: azure\n    service: %s\n' "$svc" "$svc" \
        >every/$svc.yml
    printf 'detection:\n    selection:\n        time|contains: ":"\n    condition: selection\n' \
        >>every/$svc.yml
    printf 'level: informational\n' >>every/$svc.yml
done
set -- --rules "$RULES" --rules every
if [ -n "$CORPUS" ] && [ -d "$CORPUS/sigma-rules/SigmaHQ-sigma" ]; then
    set -- "$@" --rules "$CORPUS/sigma-rules/SigmaHQ-sigma"
fi

for j in 1 2 3; do
    "$SS" hunt -j "$j" "$@" all.jsonl >plain$j.out 2>plain$j.err
    echo "rc=$?" >>plain$j.out
    sed "s|all.jsonl|INPUT|g" plain$j.out plain$j.err >plain$j.txt
    grep -q '"type":"summary","records":[1-9]' plain$j.txt && ok || bad "-j $j: no records read"
    grep -q '"type":"match"' plain$j.txt && ok || bad "-j $j: no match at all"
    big=$(wc -c <plain$j.out)
    [ "$big" -gt 1500000 ] && ok || bad "-j $j: only $big bytes of output"
    grep -q '^rc=0$' plain$j.txt && ok || bad "-j $j: plain hunt failed"
    n=$(grep -c ': invalid JSON record: ' plain$j.err)
    [ "$n" = 10 ] && ok || bad "-j $j: $n invalid records listed, not 10"
    grep -q '^siloscope: warning: all.jsonl: 12 bad records in all$' plain$j.err && ok ||
        bad "-j $j: no count of the 12 bad records"
    grep -q '"time":"2024-07-15T07:00:00Z","rule":"7c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f".*"length":2097283,"line":5007}$' plain$j.out &&
        ok || bad "-j $j: no match for the 2 MiB record at line 5007"
    first=$(grep -m1 ': invalid JSON record: ' plain$j.err | sed 's/.*line \([0-9]*\):.*/\1/')
    [ "$first" = 700 ] && ok || bad "-j $j: first invalid record at line '$first', not 700"
    for ext in gz zst; do
        [ "$ext" = zst ] && [ "$have_zstd" = 0 ] && continue
        "$SS" hunt -j "$j" "$@" all.jsonl.$ext >$ext$j.out 2>$ext$j.err
        echo "rc=$?" >>$ext$j.out
        sed "s|all.jsonl.$ext|INPUT|g" $ext$j.out $ext$j.err >$ext$j.txt
        if cmp -s plain$j.txt $ext$j.txt; then
            ok
        else
            bad "-j $j: hunt over .$ext differs from the plain file"
            diff plain$j.txt $ext$j.txt | head -10
        fi
    done
done
for j in 2 3; do
    if cmp -s plain1.txt plain$j.txt; then ok; else bad "-j 1 and -j $j differ"; fi
done

finish
