#!/bin/sh
# Install what siloscope needs to build and test, from Debian 12 packages only.
# Idempotent: installs only what is missing. Needs root (or sudo) when something is.
set -eu

PKGS="gcc clang meson ninja-build pkg-config git python3 clang-format
libyaml-dev libsqlite3-dev sqlite3 libpcre2-dev libvectorscan-dev
zlib1g-dev libdeflate-dev libisal-dev isal libzstd-dev zstd libssl-dev"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
fi
echo "siloscope: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
