# SPDX-License-Identifier: Apache-2.0
#
# tests/io/lib.sh - what the end-to-end io scripts share; sourced, not run. Set SS (the
# siloscope binary, an absolute path) first. It makes and enters a temporary directory
# (removed on exit) and defines:
#   ok / bad MESSAGE   count a passed / failed check (bad prints "FAIL MESSAGE")
#   synth_case         write the synth case the scripts read to ./case (12M, 2 tenants,
#                      2 days, seed 3); exits 77 (skipped) if synth cannot run
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
synth_case() {
    if ! "$SS" synth -o case --size 12M --tenants 2 --days 2 --seed 3 -q; then
        echo "skip: siloscope synth is not available"
        exit 77
    fi
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
