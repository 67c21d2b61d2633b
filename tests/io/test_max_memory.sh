#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# tests/io/test_max_memory.sh - the budget of what Sigma keeps for correlations and
# findings (--max-memory, docs/sigma.md "Memory"): past it `hunt` prints every match and
# hit count, no correlation line, says why on stderr and exits 3; `review` writes its
# outputs with one sigma.limit-reached finding (the budget and each rule's hit count) in
# place of the Sigma findings and exits 0. Whether the budget is passed depends only on
# the records: the smallest budget that lets the correlation run is the same with 1 and
# 3 workers (records spread over three inputs). Bad values exit 2. Exact outputs.
# Prints "N passed, N failed".
#
# usage: test_max_memory.sh SILOSCOPE
set -u

LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
SS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# shellcheck source=tests/io/lib.sh
. "$LIB"

mkdir -p rules case
cat >rules/fail.yml <<'YML'
title: Failed sign-in
id: 6a0c1e2f-3b4d-4c5e-8f70-91a2b3c4d5e6
name: failed_signin
logsource:
    category: test
detection:
    selection:
        result: fail
    condition: selection
level: low
---
title: Repeated failed sign-ins
id: 7b1d2f30-4c5e-4d6f-9a81-a2b3c4d5e6f7
correlation:
    type: event_count
    rules: [failed_signin]
    group-by: [user]
    timespan: 1h
    condition:
        gte: 2
level: high
---
title: Successful sign-in
id: 8c2e3041-5d6f-4e70-8b92-b3c4d5e6f708
logsource:
    category: test
detection:
    selection:
        result: ok
    condition: selection
level: informational
YML
printf '%s\n' '{"time":"2024-03-01T10:00:00Z","user":"alice","result":"fail"}' \
    '{"time":"2024-03-01T10:09:00Z","user":"alice","result":"ok"}' >case/a.jsonl
printf '%s\n' '{"time":"2024-03-01T10:05:00Z","user":"alice","result":"fail"}' >case/b.jsonl
printf '%s\n' '{"time":"2024-03-01T10:07:00Z","user":"bob","result":"fail"}' >case/c.jsonl

"$SS" hunt -j 1 --rules rules case >full.txt 2>full.err
rc=$?
[ $rc = 0 ] && ok || bad "hunt: exit $rc, expected 0"
[ "$(grep -c '"type":"correlation".*"group":"user=alice","events":2' full.txt)" = 1 ] && ok ||
    bad "hunt: no correlation of alice's 2 failures"

"$SS" hunt -j 3 --rules rules --max-memory 100 case >small.txt 2>small.err
rc=$?
[ $rc = 3 ] && ok || bad "hunt past the budget: exit $rc, expected 3"
grep -q '^siloscope: error: hunt: correlations not run: the events kept for them passed the memory budget of 100 bytes (--max-memory); the matches and hit counts are complete$' small.err &&
    ok || bad "hunt past the budget: message: $(cat small.err)"
[ "$(grep -c '"type":"correlation"' small.txt)" = 0 ] && ok || bad "hunt: a correlation line"
grep -v '"type":"correlation"\|"type":"summary"' full.txt |
    sed 's/"rule":"7b1d[^}]*"hits":1}/X/' >a.txt
grep -v '"type":"summary"' small.txt | sed 's/"rule":"7b1d[^}]*"hits":null}/X/' >b.txt
cmp -s a.txt b.txt && ok || bad "hunt: matches or hit counts differ past the budget"
grep -q '^{"type":"summary","records":4,"candidates":4,"evaluations":7,"matches":1,"rule_hits":4,' small.txt &&
    ok || bad "hunt past the budget: summary $(tail -1 small.txt)"
grep -q '"rule":"7b1d2f30-4c5e-4d6f-9a81-a2b3c4d5e6f7",.*"hits":null}$' small.txt && ok ||
    bad "hunt: the correlation's hits are not null"
"$SS" hunt --table -j 3 --rules rules --max-memory 100 case >table.txt 2>/dev/null
grep -q '^   not run  high          7b1d2f30-4c5e-4d6f-9a81-a2b3c4d5e6f7  Repeated failed sign-ins$' table.txt &&
    ok || bad "hunt --table: the correlation's count is not 'not run': $(cat table.txt)"

# the smallest budget that lets the correlation run, found by bisection
threshold() {
    lo=1
    hi=1048576
    while [ $lo -lt $hi ]; do
        mid=$(((lo + hi) / 2))
        if "$SS" hunt -j "$1" --rules rules --max-memory $mid case >/dev/null 2>&1; then
            hi=$mid
        else
            lo=$((mid + 1))
        fi
    done
    echo $lo
}
t1=$(threshold 1)
t3=$(threshold 3)
[ "$t1" = "$t3" ] && ok || bad "the budget needed differs: $t1 with 1 worker, $t3 with 3"
[ "$t1" -gt 200 ] && [ "$t1" -lt 4096 ] && ok || bad "the budget needed is $t1 bytes"

for v in 0 2T 12x; do
    "$SS" hunt --rules rules --max-memory $v case >/dev/null 2>err.txt
    rc=$?
    [ $rc = 2 ] && ok || bad "--max-memory $v: exit $rc, expected 2"
done
grep -q "^siloscope: error: hunt: option '--max-memory' wants a number, not '12x'$" err.txt &&
    ok || bad "--max-memory 12x: $(cat err.txt)"

"$SS" review case -o rv -j 2 --rules rules >/dev/null 2>rv.err
rc=$?
[ $rc = 0 ] && ok || bad "review: exit $rc"
[ "$(sqlite3 rv/findings.sqlite "select count(*) from finding where check_id like 'sigma:%'")" = 2 ] &&
    ok || bad "review: not 2 Sigma findings (the successful sign-in, the correlation)"
"$SS" review case -o rv1 -j 1 --rules rules --max-memory 100 >/dev/null 2>rv1.err
rc=$?
[ $rc = 0 ] && ok || bad "review past the budget: exit $rc"
"$SS" review case -o rv3 -j 3 --rules rules --max-memory 100 >/dev/null 2>/dev/null
grep -q "^siloscope: warning: review: the Sigma hits and events to keep passed --max-memory (100 bytes): no Sigma finding or correlation was made; a sigma.limit-reached finding says so$" rv1.err &&
    ok || bad "review past the budget: $(cat rv1.err)"
[ "$(sqlite3 rv1/findings.sqlite "select count(*) from finding where check_id like 'sigma%'")" = 1 ] &&
    ok || bad "review past the budget: not one Sigma finding"
[ "$(sqlite3 rv1/findings.sqlite "select check_id || ' ' || severity || ' ' || data_json from finding where check_id like 'sigma%'")" = 'sigma.limit-reached 3 {"budget_bytes":100,"rules":[{"rule_id":"8c2e3041-5d6f-4e70-8b92-b3c4d5e6f708","hits":1}]}' ] &&
    ok || bad "review past the budget: $(sqlite3 rv1/findings.sqlite "select data_json from finding")"
grep -q '"max_memory":100,' rv1/manifest.json && ok || bad "review: max_memory not in the manifest"
r1=$(grep -o '"findings_root": *"[0-9a-f]*"' rv1/manifest.json)
r3=$(grep -o '"findings_root": *"[0-9a-f]*"' rv3/manifest.json)
[ -n "$r1" ] && [ "$r1" = "$r3" ] && ok || bad "review past the budget: roots differ ($r1, $r3)"
finish
