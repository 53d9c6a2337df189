#!/bin/bash
# Returned messages classified per second, single thread: bounce_parse()
# against Python's email package (parse, find the delivery-status part),
# over the same files (the whole fixture collection), same run.
set -euo pipefail
: "${SOURCE_DIR:?}" "${BUILD_DIR:?}"
SECONDS_EACH=${BENCH_SECONDS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -x "$BUILD_DIR/bench/bench_bounce" ] || cmake --build "$BUILD_DIR" --target bench_bounce >/dev/null
find "$SOURCE_DIR/tests/fixtures/bounces" -type f \( -name '*.eml' -o -name '*.msg' -o -name '*.txt' \) |
    sort >"$work/list"

c=$("$BUILD_DIR/bench/bench_bounce" "$work/list" "$SECONDS_EACH")
py=$(/usr/bin/python3 "$SOURCE_DIR/bench/bench_bounce.py" "$work/list" "$SECONDS_EACH")

printf 'bounce classification, single thread, %s s each: %s messages, %s bytes a round\n' \
    "$SECONDS_EACH" "$(wc -l <"$work/list")" "$(echo "$c" | awk '{print $4}')"
printf '%s\n%s\n' "$c" "$py" | awk '
{ name[NR] = $1; rate[NR] = $2 / $3 }
END {
    printf "%-14s %12s %10s\n", "parser", "notices/s", "vs ours"
    for (i = 1; i <= NR; i++)
        printf "%-14s %12.0f %9.1fx\n", name[i], rate[i], rate[1] / rate[i]
}'
