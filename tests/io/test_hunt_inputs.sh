#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# tests/io/test_hunt_inputs.sh - `siloscope hunt` reads every input it can and says which
# it cannot (docs/sigma.md "siloscope hunt"): a file whose first record is larger than
# the sniff window (1.1 MiB, then a small one) is read, both records matched; files whose
# content is not understood, and paths discovery skipped (a dangling link), are each named
# on stderr with the reason, the first 20, then counted, and counted in the summary
# ("inputs_unknown", "paths_skipped"); file names and values with line
# breaks, escape sequences or bytes that are not UTF-8 cannot forge table rows or break
# the JSON lines; an invalid record that no rule could match is reported only with
# --validate-all. Exact messages and counts.
# Prints "N passed, N failed".
#
# usage: test_hunt_inputs.sh SILOSCOPE
set -u

LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
SS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# shellcheck source=tests/io/lib.sh
. "$LIB"

mkdir -p rules case/notes
cat >rules/end.yml <<'YML'
title: Value ends with END
id: 0d9c3b1a-5e4f-4a8b-9c7d-6e5f4a3b2c1d
logsource:
    category: test
detection:
    selection:
        a|endswith: END
    condition: selection
level: low
YML
awk 'BEGIN { pad = "x"; while (length(pad) < 1153434) pad = pad pad
    print "{\"a\":\"" substr(pad, 1, 1153434) "END\"}"; print "{\"a\":\"small END\"}" }' \
    >case/big-first.jsonl
printf 'plain text, not JSON\n' >case/README.txt
printf '\000\001\002\003\004' >case/blob.bin
ln -s missing case/dangling
i=0
while [ $i -lt 22 ]; do
    printf 'note %d\n' $i >case/notes/n$i.txt
    i=$((i + 1))
done

"$SS" hunt -j 2 --rules rules case >out.txt 2>err.txt
rc=$?
[ $rc = 0 ] && ok || bad "exit $rc, expected 0"
grep -q '^{"type":"summary","records":2,"candidates":2,"evaluations":2,"matches":2,"rule_hits":2,"inputs":1,"inputs_skipped":0,"inputs_unknown":24,"paths_skipped":1}$' out.txt &&
    ok || bad "summary: $(tail -1 out.txt)"
[ "$(grep -c '"type":"match"' out.txt)" = 2 ] && ok || bad "not 2 matches"
grep -q "^siloscope: warning: hunt: 'case/README.txt': not read: not JSON$" err.txt && ok ||
    bad "README.txt not reported"
grep -q "^siloscope: warning: hunt: 'case/blob.bin': not read: binary data$" err.txt && ok ||
    bad "blob.bin not reported"
grep -q "^siloscope: warning: hunt: 'case/dangling': skipped: dangling symbolic link$" err.txt &&
    ok || bad "the dangling link not reported"
[ "$(grep -c ': not read: ' err.txt)" = 19 ] && ok || bad "not 19 inputs named"
grep -q '^siloscope: warning: hunt: 5 more paths not read (content not understood, or skipped)$' err.txt &&
    ok || bad "no count of the 5 more"
# the same file named alone
"$SS" hunt --rules rules case/big-first.jsonl >one.txt 2>&1
grep -q '"records":2,.*"matches":2,' one.txt && ok || bad "named file: $(tail -1 one.txt)"
# damage after more bad records than are listed (10): still reported, with no line
mkdir -p dmg
i=0
while [ $i -lt 15 ]; do
    printf '{"a": broken END %d\n' $i
    i=$((i + 1))
done >dmg/d.jsonl
printf '{"a":"z END"}\n' >>dmg/d.jsonl
gzip -n dmg/d.jsonl
size=$(wc -c <dmg/d.jsonl.gz)
printf 'XXXX' | dd of=dmg/d.jsonl.gz bs=1 seek=$((size - 8)) conv=notrunc 2>/dev/null
"$SS" hunt --rules rules dmg >dmg.out 2>dmg.err
[ "$(grep -c ': invalid JSON record: ' dmg.err)" = 10 ] && ok || bad "not 10 invalid records listed"
grep -q "^siloscope: warning: dmg/d.jsonl.gz: offset 6, line 1: invalid JSON record: expected a value, found 'b'$" dmg.err &&
    ok || bad "no reason and place for the first invalid record: $(head -1 dmg.err)"
grep -q '^siloscope: warning: dmg/d.jsonl.gz: offset [0-9]*: damaged gzip stream at stored offset [0-9]*: checksum mismatch$' dmg.err &&
    ok || bad "the damaged stream is not reported: $(cat dmg.err)"
grep -q '"matches":1,' dmg.out && ok || bad "the record before the damage not matched"

# a mapping whose kinds no input has (a typo): said, not silently useless
cat >badkinds.yml <<'YML'
mapping: typo
logsource:
    category: test
kinds: [jsonll]
time: [t]
YML
"$SS" hunt --mapping badkinds.yml --rules rules case/big-first.jsonl >/dev/null 2>bk.err
grep -q "^siloscope: warning: a mapping routes rules to input kind 'jsonll', which no input has" bk.err &&
    ok || bad "unknown mapping kind not reported: $(cat bk.err)"

# an invalid record no rule could match is not interpreted, unless --validate-all
mkdir -p inval
printf '%s\n' '{"a":"one END"}' '{"b":"no literal here"' '{"a":"two END"}' >inval/v.jsonl
"$SS" hunt --rules rules inval >inval.txt 2>inval.err
[ ! -s inval.err ] && ok || bad "hunt: a warning for a record no rule could match: $(cat inval.err)"
"$SS" hunt --validate-all --rules rules inval >inval2.txt 2>inval2.err
[ "$(cat inval2.err)" = "siloscope: warning: inval/v.jsonl: offset 38, line 2: invalid JSON record: unexpected end of input" ] &&
    ok || bad "hunt --validate-all: $(cat inval2.err)"
# an invalid record a rule could match: the same report either way
mkdir -p inval3
printf '%s\n' '{"a":"one END"}' '{"a":"two END",}' >inval3/v.jsonl
"$SS" hunt --rules rules inval3 >/dev/null 2>inval3.err
"$SS" hunt --validate-all --rules rules inval3 >/dev/null 2>inval4.err
[ "$(cat inval3.err)" = "siloscope: warning: inval3/v.jsonl: offset 31, line 2: invalid JSON record: expected a string key, found '}'" ] &&
    cmp -s inval3.err inval4.err && ok || bad "invalid record reports: $(cat inval3.err inval4.err)"
grep -v summary inval.txt >a.txt
grep -v summary inval2.txt >b.txt
cmp -s a.txt b.txt && [ "$(grep -c '"type":"match"' a.txt)" = 2 ] && ok ||
    bad "hunt --validate-all: other matches"

# hostile names: a line break, a terminal escape, a byte that is not UTF-8
mkdir -p odd
nl='
'
esc=$(printf '\033')
ff=$(printf '\377')
printf '{"a":"x END"}\n' >"odd/x${nl}2024-01-01T00:00:00Z critical FORGED ${esc}[2J.jsonl"
printf '{"a":"y END","e":"v${esc}[31m"}\n' >"odd/bad${ff}name.jsonl"
"$SS" hunt --table --rules rules odd >table.txt 2>&1
! grep -q '^2024-01-01T00:00:00Z critical FORGED' table.txt && ok || bad "a file name forged a table row"
! grep -q "$esc" table.txt && ok || bad "an escape sequence reached the table"
[ "$(grep -c '\.jsonl:1$' table.txt)" = 2 ] && ok || bad "not 2 table rows: $(cat table.txt)"
"$SS" hunt --rules rules odd >odd.txt 2>&1
python3 -c 'import json, sys
n = 0
for l in open(sys.argv[1], "rb"):
    json.loads(l.decode("utf-8"))  # 2 matches, hits, summary
    n += 1
sys.exit(0 if n == 4 else 1)' odd.txt && ok || bad "JSON lines not valid UTF-8 JSON: $(cat -v odd.txt)"
finish
