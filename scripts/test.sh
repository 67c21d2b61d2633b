#!/bin/sh
# Quick start, command 2: the whole test suite.
#   1. gcc, --werror: unit, fuzz-corpus replay and golden end-to-end suites;
#   2. gcc with AddressSanitizer + UndefinedBehaviorSanitizer: the same suites;
#   3. clang, --werror: build, unit and golden suites (the golden roots also prove that
#      synth and review give the same bytes under both compilers);
#   4. gcc with ThreadSanitizer: the tests that run threads (pool, pipelined decoding,
#      the batch queue, hunt and review with batches);
#   5. style: clang-format, no '//' comments, trailing whitespace, area dependencies.
# Ends with one line "N passed, N failed" counting individual test cases.
set -u
cd "$(dirname "$0")/.."

scripts/deps.sh || exit 1

status=0
logs=""

run_suite() {
    # $1 build dir, rest: meson setup options
    dir=$1
    shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" --werror "$@" >"$dir.setup.log" 2>&1 || {
            cat "$dir.setup.log"
            status=1
            return
        }
    else
        meson setup --reconfigure "$dir" >/dev/null 2>&1
    fi
    if ! ninja -C "$dir"; then
        status=1
        return
    fi
    if ! meson test -C "$dir" --print-errorlogs --num-processes 2 $SUITES; then
        status=1
    fi
    logs="$logs $dir/meson-logs/testlog.txt"
}

export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1

echo "== gcc (werror)"
SUITES="" CC=gcc run_suite build-gcc
echo "== gcc + ASan + UBSan"
SUITES="" CC=gcc run_suite build-asan -Db_sanitize=address,undefined -Db_lundef=false \
    -Dbuildtype=debug
echo "== clang (werror)"
SUITES="--suite unit --suite golden" CC=clang run_suite build-clang
echo "== gcc + ThreadSanitizer (the tests that run threads)"
SUITES="cli core io hunt_pipeline review_batches" CC=gcc run_suite build-tsan-tests \
    -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debug

echo "== style"
if ! scripts/style.sh; then
    status=1
    echo "style: FAILED"
else
    echo "style: ok"
fi

# Count individual test cases from every test binary's closing line.
passed=0
failed=0
for l in $logs; do
    [ -f "$l" ] || continue
    eval "$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$l" |
        awk '{p += $1; f += $3} END {printf "p=%d f=%d\n", p, f}')"
    passed=$((passed + p))
    failed=$((failed + f))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
fi
echo "$passed passed, $failed failed"
exit $status
