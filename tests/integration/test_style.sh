#!/usr/bin/env bash
# test_style - every C file (mailer/, tests/unit/, fuzz/, bench/) includes
# "banned.h", and includes nothing after it: the banned calls stay banned
# because no system header can redefine them afterwards (mailer/lib/banned.h).
# The layout itself is checked by clang-format in `./run test`.
set -euo pipefail
: "${SOURCE_DIR:?}"
cd "$SOURCE_DIR"
bad=0 n=0
while IFS= read -r f; do
    n=$((n + 1))
    at=$(grep -n '^#include "banned.h"' "$f" | sed -n 1p | cut -d: -f1)
    if [ -z "$at" ]; then
        echo "FAIL: $f does not include \"banned.h\"" >&2
        bad=1
        continue
    fi
    after=$(tail -n +"$((at + 1))" "$f" | grep -n '^#include' | sed -n 1p || true)
    if [ -n "$after" ]; then
        echo "FAIL: $f:$((at + ${after%%:*})): #include after \"banned.h\"" >&2
        bad=1
    fi
done < <(find mailer tests/unit fuzz bench -name '*.c' | sort)
[ "$n" -gt 50 ] || { echo "FAIL: only $n C files found" >&2; exit 1; }
[ $bad = 0 ] || exit 1
echo "style: $n C files include banned.h after their system headers"
