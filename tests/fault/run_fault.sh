#!/bin/sh
# Fault suite: review the hand-made golden case with heap allocation N failing, for
# N = 1 .. the number of allocations a clean review makes (every one, or evenly spaced
# samples when there are more than SS_FAULT_MAX_RUNS). Every run must end cleanly:
# exit 0 (the failure hit something optional) or 4 (internal error), with an error
# message when it is 4, no crash, no sanitizer report, and never a half-written
# findings.sqlite.
#
#   run_fault.sh SILOSCOPE CASE_DIR [REVIEW_ARGS...]
set -u
BIN=$1
CASE=$2
shift 2
MAX=${SS_FAULT_MAX_RUNS:-400}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ss_fault.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export SILOSCOPE_QUIET=1 SOURCE_DATE_EPOCH=1767225600

SILOSCOPE_ALLOC_STATS=1 "$BIN" review "$CASE" -o "$TMP/clean" -j 1 "$@" >/dev/null 2>"$TMP/stats"
total=$(sed -n 's/.*allocations \([0-9]*\),.*/\1/p' "$TMP/stats")
if [ -z "$total" ] || [ "$total" -lt 10 ]; then
    echo "cannot count allocations: $(cat "$TMP/stats")"
    echo "0 passed, 1 failed"
    exit 1
fi
step=$(((total + MAX - 1) / MAX))
pass=0
fail=0
n=1
while [ "$n" -le "$total" ]; do
    rm -rf "$TMP/out"
    SILOSCOPE_FAULT_ALLOC=$n "$BIN" review "$CASE" -o "$TMP/out" -j 1 "$@" >"$TMP/stdout" \
        2>"$TMP/stderr"
    rc=$?
    why=""
    if grep -q 'Sanitizer' "$TMP/stderr"; then
        why="sanitizer report"
    elif [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ]; then
        why="exit $rc"
    elif [ "$rc" -eq 4 ] && ! grep -q '^siloscope: error: ' "$TMP/stderr"; then
        why="exit 4 without an error message"
    elif [ -e "$TMP/out/findings.sqlite" ] &&
        ! sqlite3 "$TMP/out/findings.sqlite" 'PRAGMA integrity_check' >/dev/null 2>&1; then
        why="findings.sqlite is damaged"
    fi
    if [ -n "$why" ]; then
        fail=$((fail + 1))
        echo "FAIL: allocation $n of $total: $why" >&2
        head -5 "$TMP/stderr" >&2
    else
        pass=$((pass + 1))
    fi
    n=$((n + step))
done
echo "fault: $total allocations, step $step"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
