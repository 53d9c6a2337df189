#!/usr/bin/env bash
# test_options - every numeric, enumerated and date option of every command
# refuses junk with a usage error (exit 64) that names the option and the
# value, in English and in Spanish, before anything is sent or recorded (the
# ledger is not even opened): "--limit abc" was once "no limit" and
# "--limit 2x" was 2. The options: send --limit --concurrency --row --at,
# preview --row, retry --code --since, log --since --format, status/address/
# contacts/bounces --format, contacts --delimiter --encoding, report --quarter
# --from --format --by, serve --listen. Good values still work: a dry run
# with --limit 2 --concurrency 1 writes two messages.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export MAILER_HOME=$SOURCE_DIR MAILER_DB=$work/mailer.db MAILER_NOW=2026-11-22T16:00:00Z
cd "$work"

n=0
# refused OPTION VALUE -- COMMAND...: exit 64, and stderr names OPTION and VALUE
refused() {
    local opt=$1 val=$2 code=0
    shift 3
    "$MAILER" "$@" > out 2> err || code=$?
    [ "$code" = 64 ] || fail "$* exit $code, want 64: $(cat err)"
    grep -qF -- "$opt" err || fail "$*: the message does not name $opt: $(cat err)"
    grep -qF -- "\"$val\"" err || fail "$*: the message does not quote \"$val\": $(cat err)"
    [ ! -s out ] || fail "$*: wrote to stdout: $(cat out)"
    n=$((n + 1))
}
c=corazon-chilango
for v in abc 2x 0 -1 +3 " 3" "" 99999999999999999999; do
    refused --limit "$v" -- send "$c" --edition 2026-11 --limit "$v"
done
for v in 0 65 x 1.5; do
    refused --concurrency "$v" -- send "$c" --edition 2026-11 --concurrency "$v"
done
refused --row 0 -- send "$c" --test-to a@iecm.example --row 0
refused --row 3x -- preview "$c" --row 3x
for cmd in "status" "address check a@iecm.example" "contacts show contacts/x.csv" \
    "bounces parse x.eml"; do
    # shellcheck disable=SC2086
    refused --format xml -- $cmd --format xml
done
refused --format pdf -- report --quarter 2026Q4 --format pdf
refused --by semana -- report --quarter 2026Q4 --by semana
for v in 2026Q5 2026Q0 2026 junk; do
    refused --quarter "$v" -- report --quarter "$v"
done
for v in junk "2026-11-30" "2026-11-30 25:00" "2026-13-01 10:00" "2026-11-30 10:00x"; do
    refused --at "$v" -- send "$c" --at "$v"
done
for v in abc 399 600 5x; do
    refused --code "$v" -- retry "$c" --failed --code "$v"
done
for v in junk 2026-13-45 "2026-11-31x"; do
    refused --since "$v" -- retry "$c" --failed --since "$v"
    refused --since "$v" -- log --since "$v"
done
refused --format xml -- log --format xml
refused --delimiter pipe -- contacts show contacts/x.csv --delimiter pipe
refused --encoding ebcdic -- contacts show contacts/x.csv --encoding ebcdic
for v in junk 127.0.0.1:0 127.0.0.1:65536 127.0.0.1:99999999999999999999 :8025 "127.0.0.1:80x"; do
    refused --listen "$v" -- serve --listen "$v"
done
# a missing value is said by the option parser, naming the option
code=0; "$MAILER" serve --listen > out 2> err || code=$?
[ "$code" = 64 ] && grep -q -- '--listen needs a value' err || fail "serve --listen: $code $(cat err)"
# report's --from/--to name the pair (the value is report.c's to quote)
code=0; "$MAILER" report --from junk --to 2026-01-01 > out 2> err || code=$?
[ "$code" = 64 ] && grep -q -- '--from' err || fail "report --from junk: $code $(cat err)"
[ ! -e "$MAILER_DB" ] || fail "a refused option opened the ledger"

# Spanish: the same refusal, translated
code=0
LANGUAGE=es LC_ALL=C.UTF-8 "$MAILER" send "$c" --limit abc 2> err || code=$?
[ "$code" = 64 ] || fail "es: exit $code"
grep -q -- '--limit lleva un número entero desde 1, no «abc»' err || fail "es: $(cat err)"
grep -q -- '--by lleva uno de estos valores: envio, mes' <(LANGUAGE=es LC_ALL=C.UTF-8 \
    "$MAILER" report --quarter 2026Q4 --by x 2>&1) || fail "es: --by"
grep -q -- '--since lleva una fecha, AAAA-MM-DD, no «ayer»' <(LANGUAGE=es LC_ALL=C.UTF-8 \
    "$MAILER" log --since ayer 2>&1) || fail "es: --since"
grep -q -- '--at lleva una hora de la Ciudad de México' <(LANGUAGE=es LC_ALL=C.UTF-8 \
    "$MAILER" send "$c" --at mañana 2>&1) || fail "es: --at"
grep -q -- '--delimiter lleva uno de estos valores: comma' <(LANGUAGE=es LC_ALL=C.UTF-8 \
    "$MAILER" contacts show x.csv --delimiter pipe 2>&1) || fail "es: --delimiter"

# Good values are taken as they are
"$MAILER" -q send "$c" --edition 2026-11 --dry-run --out "$work/dry" --limit 2 --concurrency 1 ||
    fail "dry run with --limit 2"
got=$(find "$work/dry" -name '*.eml' | wc -l)
[ "$got" = 2 ] || fail "--limit 2 wrote $got messages"
# a second dry run into the same folder would mix with the first: refused
code=0; "$MAILER" -q send "$c" --edition 2026-11 --dry-run --out "$work/dry" > again.out 2>&1 || code=$?
[ "$code" = 64 ] && grep -q "already holds 2 messages of an earlier dry run" again.out ||
    fail "a dry run into a used folder: exit $code: $(cat again.out)"
[ "$(find "$work/dry" -name '*.eml' | wc -l)" = 2 ] || fail "the used folder was touched"
# good dates, times and codes are taken (nothing to retry; nothing logged yet)
"$MAILER" retry "$c" --failed --code 550 --since 2026-11-01 > out 2>&1 ||
    fail "retry --code 550 --since 2026-11-01: $(cat out)"
"$MAILER" log --since 2026-11-01T00:00:00Z --format json > out || fail "log --since ISO"
"$MAILER" contacts show "$SOURCE_DIR/contacts/diaspora.csv" --delimiter comma --encoding utf-8 \
    > /dev/null || fail "contacts --delimiter comma --encoding utf-8"
for by in envio envío mailing mes month; do
    "$MAILER" report --quarter 2026Q4 --by "$by" --format json > /dev/null ||
        fail "report --by $by"
done
echo "options: $n junk values refused with exit 64; good values taken"
