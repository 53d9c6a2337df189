#!/usr/bin/env bash
# valgrind-mailer.sh - stands in for the mailer binary in integration tests
# (MAILER points here; tests call "$MAILER" as one word): runs the real
# binary, VALGRIND_MAILER, under memcheck. Each process writes its report to
# VALGRIND_LOG_DIR/mailer.PID.log; tests/valgrind.sh reads them all, so an
# error fails the run even where a test expects the mailer to fail. The exit
# code is the mailer's own (tests check 65, 75, 78...). Inlined frames are
# left out of the stacks (--read-inline-info=no): most of a process's time
# under memcheck is its start-up, reading debug information, and this saves
# about a sixth of that; an error is found all the same.
: "${VALGRIND_MAILER:?path of the real mailer binary}" "${VALGRIND_LOG_DIR:?}"
exec valgrind --quiet --read-inline-info=no --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --suppressions="$(dirname "$0")/valgrind.supp" \
    --show-leak-kinds=definite,indirect --track-origins=no --num-callers=30 \
    --log-file="$VALGRIND_LOG_DIR/mailer.%p.log" "$VALGRIND_MAILER" "$@"
