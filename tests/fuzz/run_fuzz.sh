#!/usr/bin/env bash
# run_fuzz - build the libFuzzer harnesses with clang and run each for a
# while (default 60 s). Not part of ctest. Usage: tests/fuzz/run_fuzz.sh [SECONDS]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SECS=${1:-60}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
LIB="$SRC/mailer/lib"
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I$LIB -I/usr/include"
for h in csvread address filter; do
    clang $CFLAGS -o "$OUT/fuzz_$h" "$SRC/tests/fuzz/fuzz_$h.c" "$LIB/csvread.c" "$LIB/address.c" \
        "$LIB/contacts.c" "$LIB/value.c" "$LIB/buf.c" "$LIB/err.c" -lcsv -lidn2 -ljson-c -lm
    mkdir -p "$OUT/corpus_$h"
    if [ "$h" = csvread ]; then
        cp "$SRC"/tests/fixtures/contacts/* "$OUT/corpus_$h/"
    elif [ "$h" = filter ]; then
        printf '%s' 'ciudad in (Chicago, Dallas) and pais = "Estados Unidos"' >"$OUT/corpus_$h/a"
        printf '%s' 'not (País = México or x != "y")' >"$OUT/corpus_$h/b"
    else
        printf '%s' 'juan@example.com' >"$OUT/corpus_$h/a"
        printf '%s' '"a b"@[IPv6:::1]' >"$OUT/corpus_$h/b"
        printf '%s' 'x@bücher.example' >"$OUT/corpus_$h/c"
    fi
    "$OUT/fuzz_$h" -max_total_time="$SECS" -max_len=4096 "$OUT/corpus_$h" 2>&1 | tail -3
done
