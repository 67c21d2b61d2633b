#!/bin/sh
# Golden end-to-end tests: run the siloscope binary on small cases and compare exact
# outputs with the expected files kept beside this script.
#
#   run_golden.sh SILOSCOPE GOLDEN_DIR [--update]
#
# Each case directory holds either case/ (a hand-made case) or synth.args (arguments
# for `siloscope synth`), optionally review.args (extra review arguments; GOLDEN stands
# for this directory and CASEDIR for the case), plus expected.stdout (the review summary
# without the timing line) and expected.txt (facts read back from the outputs: exit code, manifest roots,
# database counts). --update rewrites the expected files from the current outputs.
# Prints "N passed, N failed" and exits non-zero on any failure.
set -u

BIN=$1
GOLDEN=$2
UPDATE=${3:-}
export SOURCE_DATE_EPOCH=1767225600
export SILOSCOPE_QUIET=1
export LC_ALL=C
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ss_golden.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*" >&2
}

# Compare file $2 with expected file $1 (or update it).
expect_file() {
    if [ "$UPDATE" = "--update" ]; then
        cp "$2" "$1"
        ok
    elif diff -u "$1" "$2" >&2; then
        ok
    else
        bad "$3: output differs from $1"
    fi
}

json_field() {
    # $1 file, $2 top-level string field
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

facts() {
    # $1 out dir, $2 exit code
    out=$1
    echo "exit $2"
    echo "inputs_root $(json_field "$out/manifest.json" inputs_root)"
    echo "findings_root $(json_field "$out/manifest.json" findings_root)"
    for q in "SELECT count(*) FROM input" \
        "SELECT status, count(*), sum(n_records), sum(n_bad_records) FROM input GROUP BY status ORDER BY status" \
        "SELECT kind, compression, count(*), sum(n_records) FROM input GROUP BY kind, compression ORDER BY kind, compression" \
        "SELECT count(*) FROM bad_record" \
        "SELECT count(*) FROM skipped" \
        "SELECT check_id, severity, count(*) FROM finding GROUP BY check_id, severity ORDER BY check_id" \
        "SELECT count(*), sum(n_evidence), (SELECT count(*) FROM excerpt) FROM finding"; do
        echo "$q"
        sqlite3 -separator ' ' "$out/findings.sqlite" "$q" | sed 's/^/  /'
    done
    echo "ocsf_lines $(wc -l <"$out/findings.ocsf.jsonl")"
    for f in report.html manifest.json manifest.dsse.json findings.ocsf.jsonl findings.sqlite; do
        [ -e "$out/$f" ] && echo "present $f" || echo "missing $f"
    done
}

review_case() {
    # $1 name, $2 case dir
    name=$1
    c=$2
    dir=$GOLDEN/$name
    extra=""
    [ -f "$dir/review.args" ] && extra=$(sed -e "s|GOLDEN|$GOLDEN|g" -e "s|CASEDIR|$c|g" "$dir/review.args")
    # shellcheck disable=SC2086
    "$BIN" review "$c" -o "$TMP/$name.j1" -j 1 $extra >"$TMP/$name.stdout" 2>"$TMP/$name.stderr"
    rc=$?
    [ $rc -eq 0 ] || { bad "$name: review exited $rc"; cat "$TMP/$name.stderr" >&2; return; }
    ok
    grep -v '^  time ' "$TMP/$name.stdout" | sed -e "s|$TMP|TMP|g" -e "s|$GOLDEN|GOLDEN|g" \
        >"$TMP/$name.summary"
    expect_file "$dir/expected.stdout" "$TMP/$name.summary" "$name summary"
    facts "$TMP/$name.j1" $rc >"$TMP/$name.facts"
    expect_file "$dir/expected.txt" "$TMP/$name.facts" "$name facts"

    # Determinism: -j 2 gives byte-identical findings and the same roots.
    # shellcheck disable=SC2086
    "$BIN" review "$c" -o "$TMP/$name.j2" -j 2 $extra >/dev/null 2>&1
    if cmp -s "$TMP/$name.j1/findings.ocsf.jsonl" "$TMP/$name.j2/findings.ocsf.jsonl" &&
        [ "$(json_field "$TMP/$name.j1/manifest.json" findings_root)" = \
            "$(json_field "$TMP/$name.j2/manifest.json" findings_root)" ] &&
        [ "$(json_field "$TMP/$name.j1/manifest.json" inputs_root)" = \
            "$(json_field "$TMP/$name.j2/manifest.json" inputs_root)" ]; then
        ok
    else
        bad "$name: -j 1 and -j 2 outputs differ"
    fi
}

# Hand-made cases.
for d in "$GOLDEN"/*/; do
    name=$(basename "$d")
    if [ -d "$d/case" ]; then
        review_case "$name" "$GOLDEN/$name/case"
    elif [ -f "$d/synth.args" ]; then
        # shellcheck disable=SC2046
        if "$BIN" synth $(cat "$d/synth.args") -o "$TMP/$name.case" >/dev/null 2>"$TMP/synth.err"; then
            review_case "$name" "$TMP/$name.case"
        else
            bad "$name: synth failed"
            cat "$TMP/synth.err" >&2
        fi
    fi
done

# Seal round trip: a signed review verifies; altering one input byte makes verify fail
# and name that input.
if [ -d "$GOLDEN/mixed/case" ]; then
    cp -r "$GOLDEN/mixed/case" "$TMP/sealcase"
    if "$BIN" keygen "$TMP/seal.key" >/dev/null 2>&1 &&
        "$BIN" review "$TMP/sealcase" -o "$TMP/sealout" --key "$TMP/seal.key" >/dev/null 2>&1 &&
        "$BIN" verify "$TMP/sealout" --case "$TMP/sealcase" --key "$TMP/seal.key.pub" >/dev/null 2>&1; then
        ok
    else
        bad "signed review does not verify"
    fi
    printf 'X' | dd of="$TMP/sealcase/gcp/activity.json" bs=1 seek=10 conv=notrunc 2>/dev/null
    "$BIN" verify "$TMP/sealout" --case "$TMP/sealcase" --key "$TMP/seal.key.pub" >"$TMP/verify.out" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -q "^FAIL  input 'gcp/activity.json': modified" "$TMP/verify.out"; then
        ok
    else
        bad "verify after altering an input: exit $rc, $(head -3 "$TMP/verify.out")"
    fi
fi

# Error paths: exact exit codes and messages.
expect_error() {
    # $1 expected exit code, $2 expected stderr line, rest: arguments
    want_rc=$1
    want_err=$2
    shift 2
    "$BIN" "$@" >"$TMP/err.stdout" 2>"$TMP/err.stderr"
    rc=$?
    got=$(sed "s|$TMP|TMP|g" "$TMP/err.stderr" | head -1)
    if [ "$rc" -eq "$want_rc" ] && [ "$got" = "$want_err" ]; then
        ok
    else
        bad "siloscope $*: exit $rc, stderr '$got' (want $want_rc, '$want_err')"
    fi
}
mkdir -p "$TMP/empty" && : >"$TMP/afile"
expect_error 3 "siloscope: error: review: cannot open case 'TMP/nope': No such file or directory" \
    review "$TMP/nope" -o "$TMP/o1"
expect_error 3 "siloscope: error: review: case 'TMP/empty' is empty: no files to review" \
    review "$TMP/empty" -o "$TMP/o2"
expect_error 3 "siloscope: error: review: case 'TMP/afile' is not a directory" \
    review "$TMP/afile" -o "$TMP/o3"
expect_error 3 "siloscope: error: review: cannot read policy 'TMP/nopolicy': No such file or directory" \
    review "$GOLDEN/mixed/case" -o "$TMP/o4" --policy "$TMP/nopolicy"
expect_error 3 "siloscope: error: review: cannot use AWS public keys: TMP/nokeys: offset 0: cannot read the key list: No such file or directory" \
    review "$GOLDEN/mixed/case" -o "$TMP/o5" --aws-keys "$TMP/nokeys"
printf '{"PublicKeyList":[{"Value":"AAAA","Fingerprint":"ab"}]}' >"$TMP/badkeys.json"
expect_error 3 "siloscope: error: review: cannot use AWS public keys: TMP/badkeys.json: offset 18: key 1: Value is not the base64 DER of an RSA public key" \
    review "$GOLDEN/mixed/case" -o "$TMP/o6" --aws-keys "$TMP/badkeys.json"
expect_error 2 "siloscope: error: review: missing CASE directory (see 'siloscope review --help')" \
    review
expect_error 2 "siloscope: error: review: unknown option '--bogus' (see 'siloscope review --help')" \
    review "$TMP/empty" --bogus
expect_error 2 "siloscope: error: review: --threads must be between 1 and 1024" \
    review "$TMP/empty" -j 0
expect_error 2 "siloscope: error: review: unknown level 'severe' for --fail-on" \
    review "$TMP/empty" --fail-on severe
expect_error 2 "siloscope: error: unknown command 'frobnicate' (see 'siloscope --help')" \
    frobnicate
expect_error 2 "siloscope: error: 'inventory' is not available yet in this version" inventory

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
