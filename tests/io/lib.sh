# SPDX-License-Identifier: Apache-2.0
#
# tests/io/lib.sh - what the end-to-end io scripts share; sourced, not run. Set SS (the
# siloscope binary, an absolute path) first. It makes and enters a temporary directory
# (removed on exit) and defines:
#   ok / bad MESSAGE   count a passed / failed check (bad prints "FAIL MESSAGE")
#   synth_case         write the synth case the scripts read to ./case (12M, 2 tenants,
#                      2 days, seed 3; exits 77, skipped, if synth cannot run), and from
#                      it ./good.jsonl (its Azure logs in path order), $CUT (an Activity
#                      record cut short that holds a rule's literal) and ./big.json (a
#                      matching Activity record of 2 MiB, larger than a batch)
#   finish             print "N passed, N failed"; its status is the scripts' result
T=$(mktemp -d "${TMPDIR:-/tmp}/ss_io_XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
pass=0
fail=0

ok() {
    pass=$((pass + 1))
}
bad() {
    echo "FAIL $*"
    fail=$((fail + 1))
}
CUT='{"operationName":"MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/DELETE","category":"Administrative","cut":'
synth_case() {
    if ! "$SS" synth -o case --size 12M --tenants 2 --days 2 --seed 3 -q; then
        echo "skip: siloscope synth is not available"
        exit 77
    fi
    find case/logs -name PT1H.json | LC_ALL=C sort | while read -r f; do cat "$f"; done >good.jsonl
    awk 'BEGIN {
        pad = "x"
        while (length(pad) < 2097152) pad = pad pad
        print "{\"time\":\"2024-07-15T07:00:00Z\",\"operationName\":" \
            "\"MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/DELETE\",\"category\":\"Administrative\"," \
            "\"pad\":\"" pad "\"}"
    }' >big.json
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
