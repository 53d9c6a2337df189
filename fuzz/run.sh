#!/usr/bin/env bash
# fuzz/run.sh SECONDS - build the libFuzzer harnesses (clang, ASan + UBSan)
# in build-fuzz and run each for SECONDS with its seed corpus; print one
# table (executions, coverage) and fail if any harness crashed, leaked,
# timed out or broke an invariant. Called by `./run fuzz [SECONDS]`.
# Inputs found are kept in build-fuzz/corpus/<name>/ (never in the repo);
# a crashing input is written to build-fuzz/artifacts/<name>/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_EACH=${1:-60}
OUT=$ROOT/build-fuzz

CC=clang cmake -S . -B "$OUT" -DFUZZ=ON -DSANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$OUT" -j2 --target fuzzers -- --no-print-directory >/dev/null

export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
rows=() failed=0
for src in fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    name=${name#fuzz_}
    mkdir -p "$OUT/corpus/$name" "$OUT/artifacts/$name"
    log=$OUT/fuzz_$name.log
    status=ok
    "$OUT/fuzz/fuzz_$name" "$OUT/corpus/$name" "fuzz/corpus/$name" -max_total_time="$SECONDS_EACH" \
        -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$OUT/artifacts/$name/" >"$log" 2>&1 || status=FAILED
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
    if [ "$status" != ok ]; then
        failed=1
        printf '%s\n' "fuzz: $name FAILED, log: $log" >&2
        grep -E 'ERROR|SUMMARY|invariant|runtime error' "$log" | head -5 >&2 || true
        ls "$OUT/artifacts/$name/" >&2
    fi
    rows+=("$(printf '%-10s %12s %8s %8s %8s %8s' "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
        "${corp:-?}" "$status")")
done
printf '%-10s %12s %8s %8s %8s %8s\n' harness executions cov ft corpus result
printf '%s\n' "${rows[@]}"
printf '(each harness %ss; cov/ft: libFuzzer edge and feature counts at the end)\n' "$SECONDS_EACH"
exit "$failed"
