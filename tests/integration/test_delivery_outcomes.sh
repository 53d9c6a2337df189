#!/usr/bin/env bash
# test_delivery_outcomes - what the send loop records for each server reply,
# through the real path (capture server with fault injection by recipient):
# 2xx sent, 4xx and dropped connections deferred with a due time (exit 75,
# the next run picks them up), 5xx failed with code, enhanced status and
# reply text, a 421 that closes the connection does not stop the rest; the
# daily limit stops a run cleanly (75) and the budget is shared by runs;
# STARTTLS is refused without the CA and accepted with it.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"
. "$SOURCE_DIR/tests/servers/lib.sh"

work=$(mktemp -d)
trap 'capture_cleanup; rm -rf "$work"' EXIT
capture_start "$work/outbox" --slow-seconds 5
home=$work/home
mkdir -p "$home/campaigns" "$home/contacts" "$home/templates"
for c in fallas limite; do
cat > "$home/campaigns/$c.ini" <<INI
[campaign]
name = Prueba de $c
kind = invitation
subject = Aviso
lists = $c
template = aviso
from = Voto Chilango <votochilango@votochilango.example>
edition = once
INI
done
printf 'Hola, {{nombre}}.\n' > "$home/templates/aviso.txt.mustache"
printf '<html><body><p>Hola, {{nombre}}.</p></body></html>\n' > "$home/templates/aviso.html.mustache"
{
    echo "nombre,email"
    for a in uno dos tres cuatro cinco t451a t550a t554dataa tflakya tdropa t421a seis siete tslowa; do
        echo "Persona $a,$a@example.org"
    done
} > "$home/contacts/fallas.csv"
{ echo "nombre,email"; for i in $(seq 1 25); do echo "P $i,p$i@example.org"; done; } > "$home/contacts/limite.csv"
export SMTP_URL="smtp://127.0.0.1:$CAPTURE_PORT" CA_FILE=$CAPTURE_CA SMTP_CONCURRENCY=2 SMTP_TIMEOUT=2s
export MAILER_DB=$work/mailer.db MAILER_HOME=$home MAILER_NOW=2026-11-22T16:00:00Z
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
state() {
    /usr/bin/python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
r = db.execute("SELECT state, coalesce(smtp_code, 0), coalesce(enhanced_status, \"\"), coalesce(smtp_reply, \"\") FROM deliveries WHERE address = ?", (sys.argv[2],)).fetchone()
print("|".join(map(str, r)))' "$MAILER_DB" "$1"
}

# STARTTLS is required and the certificate must be trusted.
code=0; CA_FILE= "$MAILER" send fallas > notrust.out 2>&1 || code=$?
[ "$code" = 78 ] || fail "untrusted certificate exit $code: $(cat notrust.out)"
grep -qi "certificate\|TLS" notrust.out || fail "TLS message: $(cat notrust.out)"
[ "$(capture_count)" = 0 ] || fail "something was sent over an untrusted connection"

code=0; "$MAILER" send fallas > run1.out 2>&1 || code=$?
[ "$code" = 75 ] || fail "first run exit $code (want 75: deferred remain): $(cat run1.out)"
grep -q "deferred deliveries; the next is due at" run1.out || fail "deferred message: $(cat run1.out)"
for a in uno dos tres cuatro cinco seis siete; do
    [ "$(state $a@example.org | cut -d'|' -f1)" = sent ] || fail "$a: $(state $a@example.org)"
done
[ "$(state t451a@example.org | cut -d'|' -f1-3)" = "deferred|451|4.3.0" ] || fail "451: $(state t451a@example.org)"
[ "$(state t550a@example.org | cut -d'|' -f1-3)" = "failed|550|5.1.1" ] || fail "550: $(state t550a@example.org)"
state t550a@example.org | grep -ci "user unknown\|no such" > /dev/null || fail "550 reply text: $(state t550a@example.org)"
[ "$(state t554dataa@example.org | cut -d'|' -f1-2)" = "failed|554" ] || fail "554: $(state t554dataa@example.org)"
[ "$(state tflakya@example.org | cut -d'|' -f1)" = deferred ] || fail "flaky: $(state tflakya@example.org)"
# a drop or no reply after the final dot: the server may have it, so it is
# uncertain (kept `sending`), never deferred and re-sent by itself (issue 15)
[ "$(state tdropa@example.org | cut -d'|' -f1)" = sending ] || fail "drop: $(state tdropa@example.org)"
[ "$(state t421a@example.org | cut -d'|' -f1-2)" = "deferred|421" ] || fail "421: $(state t421a@example.org)"
[ "$(state tslowa@example.org | cut -d'|' -f1)" = sending ] || fail "slow: $(state tslowa@example.org)"

next_at() {
    /usr/bin/python3 -c '
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT next_attempt_at FROM deliveries WHERE address = ?", (sys.argv[2],)).fetchone()[0])' "$MAILER_DB" "$1"
}
# Exponential backoff with jitter: 5 min (±20 %) after the first attempt...
n1=$(next_at t451a@example.org)
[[ $n1 > 2026-11-22T16:03:59Z && $n1 < 2026-11-22T16:06:01Z ]] || fail "first backoff: $n1"

# Not due yet: a run now sends nothing more.
# (counted without the slow address: the server may still be saving that
# one when the client that gave up on it is long gone)
count_fast() { cat "$work/outbox"/*.json | grep -o '"rcpt_tos": \["[^"]*"' | grep -vc tslowa || true; }
before=$(count_fast)
code=0; "$MAILER" send fallas > run2.out 2>&1 || code=$?
[ "$code" = 75 ] && [ "$(count_fast)" = "$before" ] || fail "early retry: $code $(count_fast) vs $before"
# Two hours later the deferred ones are retried: the flaky address now goes.
code=0; MAILER_NOW=2026-11-22T18:00:00Z "$MAILER" send fallas > run3.out 2>&1 || code=$?
[ "$(state tflakya@example.org | cut -d'|' -f1)" = sent ] || fail "flaky retry: $(state tflakya@example.org)"
# ... 10 min (±20 %) after the second
n2=$(next_at t451a@example.org)
[[ $n2 > 2026-11-22T18:07:59Z && $n2 < 2026-11-22T18:12:01Z ]] || fail "second backoff: $n2"
# After RETRY_MAX_AGE the permanent 451 fails for good, and the mailing completes.
code=0; MAILER_NOW=2026-11-26T18:00:00Z RETRY_MAX_AGE=3d "$MAILER" send fallas > run4.out 2>&1 || code=$?
[ "$(state t451a@example.org | cut -d'|' -f1)" = failed ] || fail "451 after max age: $(state t451a@example.org)"
# ... and the mailing waits only for a person's word on the two uncertain ones
[ "$code" = 75 ] && grep -q "2 uncertain" run4.out || fail "only the uncertain should remain: $code $(cat run4.out)"

# The daily limit: 10 a day, shared by runs.
code=0; SMTP_DAILY_LIMIT=10 "$MAILER" send limite > lim1.out 2>&1 || code=$?
[ "$code" = 75 ] || fail "daily limit exit $code: $(cat lim1.out)"
grep -q "daily limit reached; the next message may go at" lim1.out || fail "limit message: $(cat lim1.out)"
n=$(/usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from deliveries d join mailings m on m.id=d.mailing_id where m.campaign=\"limite\" and d.state=\"sent\"").fetchone()[0])' "$MAILER_DB")
# the failing campaign's sends of the last 24 h count against the same budget
[ "$n" -le 10 ] || fail "sent $n over a limit of 10"
code=0; SMTP_DAILY_LIMIT=10 "$MAILER" send limite > lim2.out 2>&1 || code=$?
[ "$code" = 75 ] || fail "second run under the limit: $code"
code=0; MAILER_NOW=2026-11-28T18:00:00Z SMTP_DAILY_LIMIT=10 "$MAILER" send limite > lim3.out 2>&1 || code=$?
code=0; MAILER_NOW=2026-11-29T18:30:00Z SMTP_DAILY_LIMIT=10 "$MAILER" send limite > lim4.out 2>&1 || code=$?
code=0; MAILER_NOW=2026-11-30T19:00:00Z SMTP_DAILY_LIMIT=10 "$MAILER" send limite > lim5.out 2>&1 || code=$?
[ "$code" = 0 ] || fail "the limited mailing should complete over the days: $code $(cat lim5.out)"
echo "test_delivery_outcomes: ok"
