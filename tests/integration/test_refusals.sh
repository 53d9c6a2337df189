#!/usr/bin/env bash
# test_refusals - refusals by scope and unknown outcomes (DESIGN §8, issue 15),
# against the capture server answering what Microsoft 365 and Gmail really
# send, at the phase they send it. For each case the messages the server
# received are counted against the ledger's states: 0 lost, 0 unintended
# duplicates, 0 recipients failed by an account-wide reply, the right exit
# code, and a message that names the reason with the server's whole reply.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"
. "$SOURCE_DIR/tests/servers/lib.sh"

work=$(mktemp -d)
trap 'capture_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
home=$work/home
mkdir -p "$home/campaigns" "$home/contacts" "$home/templates"
printf 'Hola, {{nombre}}.\n' > "$home/templates/aviso.txt.mustache"
printf '<html><body><p>Hola, {{nombre}}.</p></body></html>\n' > "$home/templates/aviso.html.mustache"
# campaign NAME ADDRESS...: a campaign whose list holds these addresses
campaign() {
    local c=$1 a
    shift
    cat > "$home/campaigns/$c.ini" <<INI
[campaign]
name = Prueba $c
kind = invitation
subject = Aviso
lists = $c
template = aviso
from = Voto Chilango <votochilango@votochilango.example>
edition = once
INI
    { echo "nombre,email"; for a in "$@"; do echo "Persona $a,$a@example.org"; done; } \
        > "$home/contacts/$c.csv"
}
people() { local i; for i in $(seq 1 "$1"); do echo "p$i"; done; }
# (2 s keeps the hang cases short; tests/valgrind.sh gives more: TEST_SMTP_TIMEOUT)
export CA_FILE= SMTP_CONCURRENCY=2 SMTP_TIMEOUT=${TEST_SMTP_TIMEOUT:-2s} SMTP_USER= SMTP_PASSWORD=
export MAILER_DB=$work/mailer.db MAILER_HOME=$home MAILER_NOW=2026-11-22T16:00:00Z
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
sql() { /usr/bin/python3 -c 'import sqlite3,sys; print("\n".join("|".join(map(str,r)) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$MAILER_DB" "$1"; }
# states CAMPAIGN: "sent=N pending=N failed=N deferred=N sending=N"
states() {
    local s out=""
    for s in sent pending failed deferred sending; do
        out+="$s=$(sql "select count(*) from deliveries d join mailings m on m.id = d.mailing_id where m.campaign = '$1' and d.state = '$s'") "
    done
    echo "${out% }"
}
# received DIR: how many messages the server saved; copies DIR ADDR: of one address
received() { find "$1" -maxdepth 1 -name '*.json' | wc -l; }
copies() { cat "$1"/*.json 2>/dev/null | grep -o "\"rcpt_tos\": \[\"$2\"" | wc -l; }
# no_duplicates DIR: every address at most once
no_duplicates() {
    local d
    d=$(cat "$1"/*.json 2>/dev/null | grep -o '"rcpt_tos": \["[^"]*"' | sort | uniq -d)
    [ -z "$d" ] || fail "sent twice: $d"
}
# server NAME [ARGS]: a capture server in $work/NAME; SMTP_URL points at it
server() {
    local name=$1
    shift
    capture_start "$work/$name" "$@"
    export SMTP_URL="smtp://127.0.0.1:$CAPTURE_PORT" CA_FILE=$CAPTURE_CA
}
run() { # OUT ARGS...: the mailer's exit code in $code
    local out=$1
    shift
    code=0
    "$MAILER" "$@" > "$out" 2>&1 || code=$?
}

# --- 1. Microsoft 365's daily quota after 3 messages: stop, nobody failed ------
campaign m365 $(people 10)
M365='554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Message submission quota exceeded.'
server m365 --rule "data:3:$M365"
run m365.out send m365
[ "$code" = 75 ] || fail "m365 quota: exit $code (want 75): $(cat m365.out)"
grep -q "SubmissionQuotaExceededException" m365.out || fail "m365: no server reply: $(cat m365.out)"
grep -q "sending quota" m365.out || fail "m365: no reason: $(cat m365.out)"
[ "$(grep -c . m365.out)" -le 2 ] || fail "m365: more than one sentence: $(cat m365.out)"
[ "$(received "$work/m365")" = 3 ] || fail "m365: server got $(received "$work/m365")"
[ "$(states m365)" = "sent=3 pending=7 failed=0 deferred=0 sending=0" ] || fail "m365: $(states m365)"
# the quota is over: the next run sends the other 7, nobody twice
capture_stop
server m365b
run m365b.out send m365
[ "$code" = 0 ] || fail "m365 next run: exit $code: $(cat m365b.out)"
[ "$(states m365)" = "sent=10 pending=0 failed=0 deferred=0 sending=0" ] || fail "m365 b: $(states m365)"
[ $(($(received "$work/m365") + $(received "$work/m365b"))) = 10 ] || fail "m365: not 10 messages"
cat "$work/m365b"/*.json >> /dev/null
echo "ok: Microsoft 365 quota stops the run (75), 0 failed, the rest go next run"

# --- 2. Gmail's multi-line daily limit: the whole reply is kept ---------------
campaign gmail $(people 6)
server gmail --rule 'data:2:550-5.4.5 Daily user sending limit exceeded. For more information on Gmail|550-5.4.5 sending limits go to|550 5.4.5  https://support.google.com/a/answer/166852 - gsmtp'
run gmail.out send gmail
[ "$code" = 75 ] || fail "gmail: exit $code: $(cat gmail.out)"
grep -q "Daily user sending limit exceeded" gmail.out || fail "gmail: reason lost: $(cat gmail.out)"
grep -q "support.google.com" gmail.out || fail "gmail: last line lost: $(cat gmail.out)"
[ "$(states gmail)" = "sent=2 pending=4 failed=0 deferred=0 sending=0" ] || fail "gmail: $(states gmail)"
reply=$(sql "select smtp_reply from deliveries where smtp_code = 550 limit 1")
[[ $reply == "550-5.4.5 Daily user sending limit exceeded."*"550 5.4.5  https://support.google.com"*gsmtp ]] ||
    fail "gmail: ledger reply: $reply"
[ "$(sql "select enhanced_status from deliveries where smtp_code = 550 limit 1")" = 5.4.5 ] ||
    fail "gmail: enhanced status"
echo "ok: Gmail's 550 5.4.5 (three lines) stops the run (75), the whole reply kept"

# --- 3. 5.7.708 (IP blocked) at RCPT: not allowed, 78, nobody failed -----------
campaign ip $(people 5)
server ip --rule 'rcpt:0:550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.'
run ip.out send ip
[ "$code" = 78 ] || fail "5.7.708: exit $code: $(cat ip.out)"
grep -q "traffic not accepted from this IP" ip.out || fail "5.7.708 message: $(cat ip.out)"
[ "$(states ip)" = "sent=0 pending=5 failed=0 deferred=0 sending=0" ] || fail "5.7.708: $(states ip)"
# without a login nothing holds the second connection back: at most one try each
[ "$(grep -c 'rcpt rule' "$CAPTURE_LOG")" -le 2 ] || fail "5.7.708: tried $(grep -c 'rcpt rule' "$CAPTURE_LOG") times"
echo "ok: 550 5.7.708 stops at the first refusal of each connection (78), all 5 pending"

# --- 4. 452 4.3.1 the server's storage: stop (75), not deferred one by one ------
campaign disk $(people 6)
server disk --rule 'rcpt:1:452 4.3.1 Insufficient system storage'
run disk.out send disk
[ "$code" = 75 ] || fail "4.3.1: exit $code: $(cat disk.out)"
grep -q "Insufficient system storage" disk.out || fail "4.3.1 message: $(cat disk.out)"
[ "$(states disk)" = "sent=1 pending=5 failed=0 deferred=0 sending=0" ] || fail "4.3.1: $(states disk)"
echo "ok: 452 4.3.1 stops the run (75), nothing deferred or failed"

# --- 5. a refused login: tried once, not once per connection or message -------
campaign login $(people 8)
server login --auth demo:right
SMTP_USER=demo SMTP_PASSWORD=wrong run login.out send login --concurrency 4
[ "$code" = 78 ] || fail "535: exit $code: $(cat login.out)"
grep -qi "password" login.out || fail "535 message: $(cat login.out)"
[ "$(grep -c 'refused' "$CAPTURE_LOG")" = 1 ] || fail "535: $(grep -c refused "$CAPTURE_LOG") logins tried"
[ "$(states login)" = "sent=0 pending=8 failed=0 deferred=0 sending=0" ] || fail "535: $(states login)"
echo "ok: a refused login is tried once (78), all 8 pending"

# --- 6. 530 with no SMTP_USER: says that, not "check SMTP_USER" --------------
run noauth.out send login
grep -q "no SMTP_USER is set" noauth.out || fail "530 without a user: $(cat noauth.out)"
! grep -q "check SMTP_USER" noauth.out || fail "530 without a user says check SMTP_USER: $(cat noauth.out)"
[ "$code" = 78 ] || fail "530 exit $code"
capture_stop

# --- 7. 454 to STARTTLS: temporary (75), not a configuration error ------------
campaign tls $(people 3)
server tls --rule 'starttls:0:454 4.7.0 TLS not available due to temporary reason'
run tls.out send tls
[ "$code" = 75 ] || fail "454 STARTTLS: exit $code: $(cat tls.out)"
grep -q "454 4.7.0" tls.out || fail "454 message: $(cat tls.out)"
! grep -qi "certificate\|CA_FILE" tls.out || fail "454 with a certificate hint: $(cat tls.out)"
[ "$(states tls)" = "sent=0 pending=3 failed=0 deferred=0 sending=0" ] || fail "454: $(states tls)"
echo "ok: 454 to STARTTLS exits 75"

# --- 8. the safeguard: five recipients in a row refused with the same 5xx -------
campaign same $(people 10)
server same --rule 'rcpt:2:550 5.7.1 Recipient address rejected: Access denied'
run same.out send same
[ "$code" = 75 ] || fail "same 5xx: exit $code: $(cat same.out)"
grep -q "in a row" same.out || fail "same 5xx message: $(cat same.out)"
[ "$(states same)" = "sent=2 pending=8 failed=0 deferred=0 sending=0" ] || fail "same 5xx: $(states same)"
# a person says the refusals are real: --force fails them
run same2.out send same --force
[ "$(states same)" = "sent=2 pending=0 failed=8 deferred=0 sending=0" ] || fail "same --force: $(states same)"
# ... and `retry --failed` puts them back
run retry.out retry same --failed --code 550
[ "$code" = 0 ] || fail "retry: exit $code: $(cat retry.out)"
grep -q "^8 failed deliveries are pending again" retry.out || fail "retry count: $(cat retry.out)"
[ "$(states same)" = "sent=2 pending=8 failed=0 deferred=0 sending=0" ] || fail "retry: $(states same)"
run retry2.out retry same --failed --code 554
grep -q "no failed deliveries that match" retry2.out || fail "retry --code 554: $(cat retry2.out)"
run retry3.out retry same
[ "$code" = 64 ] || fail "retry without --failed: exit $code"
capture_stop
echo "ok: five same 5xx in a row stop the run, all pending; --force fails them; retry restores"

# --- 9. no reply after the final dot: uncertain, never re-sent silently --------
campaign drop p1 tgone1 p2 thang1 p3
server drop
run drop.out send drop
[ "$code" = 75 ] || fail "drop: exit $code: $(cat drop.out)"
grep -q "2 uncertain deliveries" drop.out || fail "drop message: $(cat drop.out)"
! grep -q "could not be reached" drop.out || fail "drop called unreachable: $(cat drop.out)"
[ "$(states drop)" = "sent=3 pending=0 failed=0 deferred=0 sending=2" ] || fail "drop: $(states drop)"
[ "$(copies "$work/drop" tgone1@example.org)" = 1 ] || fail "tgone not received"
# the next run (and a later one) does not send them again
run drop2.out send drop
MAILER_NOW=2026-11-23T16:00:00Z run drop3.out send drop
[ "$(copies "$work/drop" tgone1@example.org)" = 1 ] || fail "uncertain re-sent silently"
[ "$(copies "$work/drop" thang1@example.org)" = 1 ] || fail "uncertain (hang) re-sent silently"
[ "$(states drop)" = "sent=3 pending=0 failed=0 deferred=0 sending=2" ] || fail "drop 2: $(states drop)"
no_duplicates "$work/drop"
# the office's setting: re-sent after the delay, with the same Message-ID
MAILER_NOW=2026-11-23T16:30:00Z RESEND_UNCERTAIN_AFTER=2d run drop4.out send drop
[ "$(copies "$work/drop" tgone1@example.org)" = 1 ] || fail "re-sent before the delay"
MAILER_NOW=2026-11-25T17:00:00Z RESEND_UNCERTAIN_AFTER=2d run drop5.out send drop
[ "$(copies "$work/drop" tgone1@example.org)" = 2 ] || fail "not re-sent after the delay: $(cat drop5.out)"
ids=$(grep -l "tgone1@example.org" "$work/drop"/*.json | sed 's/json$/eml/' | xargs grep -h '^Message-ID:' | sort -u | wc -l)
[ "$ids" = 1 ] || fail "re-sent with another Message-ID"
capture_stop
echo "ok: no reply after the final dot is uncertain (75), not re-sent but by RESEND_UNCERTAIN_AFTER"

# --- 10. a server that refuses connections: named, with the cause -------------
campaign down p1
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SMTP_URL=smtp://127.0.0.1:$port run down.out send down
grep -q "127.0.0.1:$port" down.out || fail "refused connection: server not named: $(cat down.out)"
grep -qi "connect" down.out || fail "refused connection: no cause: $(cat down.out)"
# ... and `status` says why the mailing waits
"$MAILER" status down > down.status
grep -qi "last reply from the server: .*connect" down.status || fail "status gives no cause: $(cat down.status)"
echo "ok: a server refusing connections is named, with the cause"
echo "test_refusals: ok"
