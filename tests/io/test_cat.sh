#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# tests/io/test_cat.sh - end-to-end tests of `siloscope cat` (docs/io.md "siloscope cat"):
# exact stdout, stderr and exit code for plain, gzip and zstd inputs, directories,
# --fields, --with-location and --strict. Prints "N passed, N failed".
#
# usage: test_cat.sh SILOSCOPE
set -u

LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
SS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# shellcheck source=tests/io/lib.sh
. "$LIB"

# check NAME EXPECTED_EXIT EXPECTED_STDOUT_FILE EXPECTED_STDERR_FILE -- ARGS...
check() {
    name=$1
    want_rc=$2
    want_out=$3
    want_err=$4
    shift 5
    "$SS" cat "$@" >out.txt 2>err.txt
    rc=$?
    ok=1
    if [ "$rc" -ne "$want_rc" ]; then
        echo "FAIL $name: exit $rc, expected $want_rc"
        ok=0
    fi
    if ! cmp -s out.txt "$want_out"; then
        echo "FAIL $name: stdout differs"
        diff "$want_out" out.txt | head -20
        ok=0
    fi
    if ! cmp -s err.txt "$want_err"; then
        echo "FAIL $name: stderr differs"
        diff "$want_err" err.txt | head -20
        ok=0
    fi
    if [ $ok -eq 1 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
    fi
}

: >empty.txt

# JSON lines with CRLF, a blank line, trailing garbage, a truncated last line
printf '{"a":1,"b":{"c":"x"}}\r\n\n{"a":2} junk\n{"a":3}\n{"a":' >l.jsonl
# a pretty-printed CloudTrail file, gzip-compressed in two members
printf '{\n "Records": [\n  {"eventName":"A","n":1},\n' >ct.part1
printf '  {"eventName":"B"}\n ]\n}\n' >ct.part2
{ gzip -c ct.part1; gzip -c ct.part2; } >ct.json.gz
# Azure lines in zstd, in a directory with a text file that is not JSON
mkdir -p case/sub
printf '{"time":"t1","category":"c"}\n{"time":"t2","category":"c"}\n' | zstd -q -c >case/sub/PT1H.json
printf 'not json\n' >case/README.txt
printf '[]' >case/empty-array.json

printf '{"a":1,"b":{"c":"x"}}\n{"a":3}\n' >want.txt
cat >want_err.txt <<EOF
siloscope: warning: l.jsonl: offset 32, line 3: trailing characters after the value, found 'j'
siloscope: warning: l.jsonl: offset 50, line 5: truncated last line: unexpected end of input
EOF
check plain 0 want.txt want_err.txt -- l.jsonl

printf '{"eventName":"A","n":1}\n{"eventName":"B"}\n' >want.txt
check gzip-multi-member 0 want.txt empty.txt -- ct.json.gz

printf '{"time":"t1","category":"c"}\n{"time":"t2","category":"c"}\n' >want.txt
cat >want_err.txt <<EOF
siloscope: warning: skipping 'case/README.txt': not JSON
EOF
check directory-zstd 0 want.txt want_err.txt -- case

cat >want.txt <<'EOF'
{"_loc":{"file":"ct.json.gz","input":0,"offset":18,"length":23,"index":0,"line":3},"record":{"eventName":"A","n":1}}
{"_loc":{"file":"ct.json.gz","input":0,"offset":45,"length":17,"index":1,"line":4},"record":{"eventName":"B"}}
{"_loc":{"file":"case/sub/PT1H.json","input":2,"offset":0,"length":28,"index":1,"line":1},"record":{"time":"t1","category":"c"}}
{"_loc":{"file":"case/sub/PT1H.json","input":2,"offset":29,"length":28,"index":2,"line":2},"record":{"time":"t2","category":"c"}}
EOF
cat >want_err.txt <<EOF
siloscope: warning: skipping 'case/README.txt': not JSON
EOF
check with-location 0 want.txt want_err.txt -- --with-location ct.json.gz case

# --fields: raw values, missing -> null; a quoted segment may hold a comma
printf '{"k,1":true,"o":{"p":[1, 2]}}\n{"o":null}\n' >f.jsonl
cat >want.txt <<'EOF'
{"\"k,1\"":true,"o.p[1]":2,"o.p":[1, 2],"x":null}
{"\"k,1\"":null,"o.p[1]":null,"o.p":null,"x":null}
EOF
check fields 0 want.txt empty.txt -- --fields '"k,1",o.p[1],o.p,x' f.jsonl

cat >want.txt <<'EOF'
{"_loc":{"file":"f.jsonl","input":0,"offset":30,"length":10,"index":2,"line":2},"o":null}
EOF
"$SS" cat --with-location --fields o f.jsonl | tail -n 1 >got.txt
if cmp -s got.txt want.txt; then pass=$((pass + 1)); else
    echo "FAIL fields-with-location"
    diff want.txt got.txt
    fail=$((fail + 1))
fi

# pretty-printed records come out on one line, line breaks as spaces, same length
printf '[\n {\n  "a": 1\n },\n 2\n]\n' >p.json
printf '{   "a": 1  }\n2\n' >want.txt
check one-line 0 want.txt empty.txt -- p.json

# --strict: the first bad record fails with its location
printf '{"a":1,"b":{"c":"x"}}\n' >want.txt
cat >want_err.txt <<EOF
siloscope: error: l.jsonl: offset 32, line 3: trailing characters after the value, found 'j'
EOF
check strict 3 want.txt want_err.txt -- --strict l.jsonl

# a damaged stream: records before the damage, then the located error
head -c 40 ct.json.gz >trunc.gz
printf '' >want.txt
"$SS" cat trunc.gz >out.txt 2>err.txt
rc=$?
if [ $rc -eq 0 ] && grep -q "truncated gzip stream" err.txt; then pass=$((pass + 1)); else
    echo "FAIL damaged: exit $rc"
    cat err.txt
    fail=$((fail + 1))
fi
"$SS" cat --strict trunc.gz >out.txt 2>err.txt
rc=$?
if [ $rc -eq 3 ] && grep -q "^siloscope: error: trunc.gz: offset" err.txt; then pass=$((pass + 1)); else
    echo "FAIL damaged-strict: exit $rc"
    cat err.txt
    fail=$((fail + 1))
fi

# usage and input errors
cat >want_err.txt <<EOF
siloscope: error: cannot open 'missing.json': No such file or directory
EOF
check missing 3 empty.txt want_err.txt -- missing.json
cat >want_err.txt <<EOF
siloscope: error: cat: missing INPUT (see 'siloscope cat --help')
EOF
check no-input 2 empty.txt want_err.txt --
"$SS" cat --fields 'a[' l.jsonl >out.txt 2>err.txt
rc=$?
if [ $rc -eq 2 ] && grep -q "bad field path 'a\['" err.txt; then pass=$((pass + 1)); else
    echo "FAIL bad-field: exit $rc"
    fail=$((fail + 1))
fi
"$SS" cat --help >out.txt 2>err.txt
rc=$?
if [ $rc -eq 0 ] && grep -q "^usage: siloscope cat" out.txt; then pass=$((pass + 1)); else
    echo "FAIL help: exit $rc"
    fail=$((fail + 1))
fi

finish
