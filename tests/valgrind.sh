#!/usr/bin/env bash
# valgrind.sh [BUILD_DIR] - the test suite under valgrind memcheck, zero
# errors and zero leaks (definite and indirect) allowed. Called by
# `./run test` after the sanitizer run, on the plain build (default: build).
#  - unit tests: each tests/test_* program under
#    valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
#    --error-exitcode=1;
#  - integration tests: each tests/integration/test_*.sh with MAILER set to
#    tests/valgrind-mailer.sh, which runs the real binary under memcheck
#    and logs each process; every log must be clean.
# Left out here (each still runs in the plain and the sanitizer builds):
#  - test_torture: it replaces malloc itself, which memcheck cannot follow;
#  - test_transport (unit): its cases assert deadlines of 1-2 s around TLS
#    handshakes, which take longer than that under valgrind;
#  - test_delivery_outcomes: SMTP_TIMEOUT=2s with a deliberately slow
#    server: under valgrind the handshake itself times out (exit 69, not 78);
#  - test_kill_resume: 2,000 messages killed 20 times: longer under valgrind
#    than all the rest together, for paths test_send_e2e, test_schedule and
#    test_samples already take there.
# Two tests at a time (the machine has 2 cores); about 11 minutes.
# Prints one line per test with its time; exits 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$(cd "${1:-build}" && pwd)
LOGS=$BUILD/valgrind
rm -rf "$LOGS"
mkdir -p "$LOGS/mailer"
export SOURCE_DIR=$ROOT SHARED_DIR=$ROOT/../shared FIXTURES=$ROOT/tests/fixtures BUILD_DIR=$BUILD
export VALGRIND_MAILER=$BUILD/mailer VALGRIND_LOG_DIR=$LOGS/mailer
# test_refusals answers within 2 s a reply; under valgrind a TLS handshake alone
# can take longer, so it waits longer for the server here
export TEST_SMTP_TIMEOUT=20s
# test_i18n_strings: one bad option per command, not four (their words are
# checked in the other passes; here each is a process of over a second)
export TEST_VALGRIND=1
SKIP_UNIT="test_torture test_transport"
SKIP_INTEGRATION="test_kill_resume test_delivery_outcomes"

run_one() { # KIND PATH
    local kind=$1 path=$2 name start rc
    name=$(basename "$path" .sh)
    start=$(date +%s)
    if [ "$kind" = unit ]; then
        valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
            --show-leak-kinds=definite,indirect --error-exitcode=1 --num-callers=30 \
            --read-inline-info=no \
            --suppressions="$ROOT/tests/valgrind.supp" "$path" >"$LOGS/$kind-$name.log" 2>&1
    else
        MAILER=$ROOT/tests/valgrind-mailer.sh bash "$path" >"$LOGS/$kind-$name.log" 2>&1
    fi
    rc=$?
    local verdict="FAILED (log: $LOGS/$kind-$name.log)"
    [ $rc = 0 ] && verdict=ok
    [ $rc = 77 ] && verdict=skipped rc=0 # exit 77: cannot run here (as in ctest)
    printf '%-11s %-28s %4ss %s\n' "$kind" "$name" "$(($(date +%s) - start))" "$verdict"
    return $rc
}
export -f run_one
export LOGS ROOT

jobs=()
# The longest first (their times under valgrind, about 2026-12), so that two
# long ones do not end the run alone on one core; then the others, then the
# unit tests, which are short.
LONGEST="test_notify test_i18n test_schedule test_refusals test_i18n_strings test_options
test_senders test_serve test_samples test_cron test_bounces_e2e test_history"
integration=()
for name in $LONGEST; do integration+=("tests/integration/$name.sh"); done
for t in tests/integration/test_*.sh; do
    case " $(echo $LONGEST) " in *" $(basename "$t" .sh) "*) continue ;; esac
    integration+=("$t")
done
for t in "${integration[@]}"; do
    [ -e "$t" ] || { echo "valgrind.sh: $t is not there (LONGEST names it)" >&2; exit 1; }
    case " $SKIP_INTEGRATION " in *" $(basename "$t" .sh) "*) continue ;; esac
    jobs+=("integration $ROOT/$t")
done
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    case " $SKIP_UNIT " in *" $(basename "$t") "*) continue ;; esac
    jobs+=("unit $t")
done
start=$(date +%s)
failed=0
printf '%s\n' "${jobs[@]}" | xargs -P2 -L1 bash -c 'run_one "$0" "$1"' || failed=1

# Every mailer process the integration tests started: no error, no leak.
n=0
for log in "$LOGS"/mailer/*.log; do
    [ -e "$log" ] || continue
    n=$((n + 1))
    if [ -s "$log" ]; then
        failed=1
        echo "valgrind: $log:" >&2
        head -40 "$log" >&2
    fi
done
echo "valgrind: $n mailer processes checked, ${#jobs[@]} tests, $(($(date +%s) - start)) s" \
    "(skipped: $SKIP_UNIT $SKIP_INTEGRATION)"
exit $failed
