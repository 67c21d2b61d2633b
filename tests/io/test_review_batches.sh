#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# tests/io/test_review_batches.sh - end to end, batched checking in review (cli/batch.h,
# docs/ARCHITECTURE.md): a large compressed input is read and validated by its task
# while every worker runs the checks and the rules on batches of its records. A synth
# case's Azure logs (8,845 records, one cut short, and one matching record of 2 MiB,
# larger than a batch) as one gzip file of 1.5 MB must
# give byte-identical findings and the same Merkle roots with 1, 2 and 3 workers, and
# exactly the findings, evidence and bad record of the single-worker review; the same
# records as a plain file give the same evidence. Prints "N passed, N failed".
#
# usage: test_review_batches.sh SILOSCOPE RULES_DIR
set -u

LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh

SS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
RULES=$(cd "$2" && pwd)
# shellcheck source=tests/io/lib.sh
. "$LIB"
synth_case
mkdir -p big/logs
awk -v cut="$CUT" 'NR == 3000 { print cut }
    NR == 5000 { while ((getline l <"big.json") > 0) print l }
    { print }' good.jsonl | gzip -6 >big/logs/azure.jsonl.gz
gz=$(wc -c <big/logs/azure.jsonl.gz)
[ "$gz" -gt 1048576 ] && ok || bad "gzip input of $gz bytes is under 1 MiB: not batched"

root() {
    python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["inputs_root"], m["findings_root"])' "$1/manifest.json"
}
for j in 1 2 3; do
    "$SS" review big -o out$j -j $j --rules "$RULES" >out$j.txt 2>err$j.txt
    rc=$?
    [ $rc -eq 0 ] && ok || bad "-j $j: review exited $rc"
done
grep -q '^  records   8847 read, 1 bad$' out1.txt && ok || bad "records line: $(grep records out1.txt)"
grep -q '^  findings  5 (2 high, 3 medium)$' out1.txt && ok || bad "findings line: $(grep findings out1.txt)"
got=$(sqlite3 out1/findings.sqlite \
    "SELECT check_id || ' ' || n_evidence || ' ' || n_evidence_total FROM finding ORDER BY check_id" |
    tr '\n' ';')
want="access.signin-embargoed-country 9 9;audit.activity-log-gap 2 2;audit.diagnostic-setting-deleted 2 2;sigma:7c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f 1 1;sigma:7c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f 2 2;"
[ "$got" = "$want" ] && ok || bad "findings: $got"
got=$(sqlite3 out1/findings.sqlite "SELECT rec_index, length FROM evidence WHERE length > 1048576")
[ "$got" = "5001|2097283" ] && ok || bad "the 2 MiB record is not cited: $got"
got=$(sqlite3 out1/findings.sqlite "SELECT input, offset, line, reason FROM bad_record")
[ "$got" = "0|6716216|3000|unexpected end of input" ] && ok || bad "bad record: $got"
for j in 2 3; do
    if cmp -s out1/findings.jsonl out$j/findings.jsonl; then ok; else bad "-j $j: findings differ from -j 1"; fi
    [ "$(root out1)" = "$(root out$j)" ] && ok || bad "-j $j: roots differ from -j 1"
done
# The same records as a plain file: cited records are read back through a window moved
# with pread (the 2 MiB record is larger than it), and give the decoded file's evidence.
mkdir -p plain/logs
gzip -dc big/logs/azure.jsonl.gz >plain/logs/azure.jsonl
"$SS" review plain -o outp -j 2 --rules "$RULES" >outp.txt 2>errp.txt
rc=$?
[ $rc -eq 0 ] && ok || bad "plain: review exited $rc"
ev="SELECT offset, length, rec_index, hex(sha256) FROM evidence ORDER BY offset, finding"
got=$(sqlite3 outp/findings.sqlite "$ev" | md5sum)
want=$(sqlite3 out1/findings.sqlite "$ev" | md5sum)
[ "$got" = "$want" ] && ok || bad "plain: evidence differs from the gzip input's"
got=$(sqlite3 outp/findings.sqlite "SELECT count(*) FROM evidence")
[ "$got" = "16" ] && ok || bad "plain: $got evidence rows"

finish
