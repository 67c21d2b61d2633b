#!/bin/sh
# Quick start, command 1: install what is missing, build, generate the demo case and
# review it. Prints where the report is.
set -eu
cd "$(dirname "$0")/.."

scripts/deps.sh
if [ ! -f build/build.ninja ]; then
    meson setup build --buildtype=release -Dtests=false >/dev/null
fi
ninja -C build >/dev/null

BIN=build/src/cli/siloscope
rm -rf demo/case demo/review
$BIN synth --tenants 12 --days 3 --seed 7 -o demo/case
# The AWS public keys stand in for what a reviewer fetches with
# `aws cloudtrail list-public-keys`; digest signatures are verified with them.
$BIN review demo/case -o demo/review --aws-keys demo/case/aws/list-public-keys.json
