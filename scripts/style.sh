#!/bin/sh
# House-style checks that a compiler does not make (STYLE.md 2, 26, 29).
set -u
cd "$(dirname "$0")/.."
rc=0
files=$(git ls-files '*.c' '*.h')

# Formatting.
if command -v clang-format >/dev/null; then
    # shellcheck disable=SC2086
    if ! clang-format --dry-run --Werror $files 2>/tmp/ss_style.$$; then
        head -40 /tmp/ss_style.$$
        echo "style: run clang-format -i on the files above"
        rc=1
    fi
    rm -f /tmp/ss_style.$$
fi

# No C++ comments (ignore '//' inside string literals such as URLs).
if grep -nE '^\s*//|[;{})]\s*//' $files; then
    echo "style: '//' comments are not allowed"
    rc=1
fi

# Trailing whitespace and missing final newline.
if grep -nE '\s+$' $files; then
    echo "style: trailing whitespace"
    rc=1
fi
for f in $files; do
    if [ -s "$f" ] && [ "$(tail -c1 "$f" | od -An -c | tr -d ' ')" != '\n' ]; then
        echo "style: $f: no newline at end of file"
        rc=1
    fi
done

# Area dependencies point left (docs/ARCHITECTURE.md).
check_dep() {
    # $1 area, $2 regex of areas it must not include
    if grep -nE "#include \"($2)/" $(git ls-files "src/$1/*.c" "src/$1/*.h") 2>/dev/null; then
        echo "style: src/$1 must not include ($2)"
        rc=1
    fi
}
check_dep core 'json|io|sigma|inventory|checks|evidence|store|report|synth|cli'
check_dep json 'io|sigma|inventory|checks|evidence|store|report|synth|cli'
check_dep io 'sigma|inventory|checks|evidence|store|report|synth|cli'
check_dep sigma 'inventory|checks|evidence|store|report|synth|cli|io'
check_dep checks 'sigma|evidence|store|report|synth|cli'
check_dep evidence 'io|sigma|inventory|checks|store|report|synth|cli'
check_dep store 'json|io|sigma|inventory|checks|evidence|report|synth|cli'
check_dep report 'json|io|sigma|inventory|checks|evidence|synth|cli'
check_dep synth 'json|io|sigma|inventory|checks|evidence|store|report|cli'
if grep -ln 'sqlite3.h' $(git ls-files 'src/*.c' 'src/*.h') | grep -v '^src/store/'; then
    echo "style: only src/store may include sqlite3.h"
    rc=1
fi
exit $rc
