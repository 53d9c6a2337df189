#!/usr/bin/env bash
# test_notify - cron finishes the job or tells a person (issue 15): a day of
# `mailer -q due` every hour on a MAILER_NOW clock. The bulletin is
# scheduled at 11:00; the server takes 5 messages and then answers
# Microsoft 365's daily quota (554 5.2.0) to the rest: the run stops with
# nobody failed, and one Spanish summary goes to NOTIFY_TO through the
# sender's server (the capture server spares that mailbox from its quota,
# as another mailbox of the institute would be). The afternoon's runs meet
# the same refusal and neither mail nor print it again. The next day the
# quota is over: the rest goes out, nobody twice, and nothing more is told.
# Then the other way: a server that refuses the login cannot carry the
# notice, so it is printed whole (cron's own mail), once that day.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"
. "$SOURCE_DIR/tests/servers/lib.sh"

work=$(mktemp -d)
trap 'capture_cleanup; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
home=$work/home
mkdir -p "$home/campaigns" "$home/contacts" "$home/templates"
printf 'Hola, {{nombre}}.\n' >"$home/templates/aviso.txt.mustache"
printf '<html><body><p>Hola, {{nombre}}.</p></body></html>\n' >"$home/templates/aviso.html.mustache"
cat >"$home/campaigns/boletin.ini" <<'INI'
[campaign]
name = Boletín de prueba
kind = bulletin
subject = Boletín
lists = boletin
template = aviso
from = Voto Chilango <votochilango@votochilango.example>
edition = once
INI
{
    echo "nombre,email"
    for i in $(seq 1 12); do echo "Persona $i,p$i@example.org"; done
} >"$home/contacts/boletin.csv"
OFICINA=oficina@iecm.example
M365='554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Message submission quota exceeded.'
export SMTP_CONCURRENCY=1 SMTP_TIMEOUT=${TEST_SMTP_TIMEOUT:-5s} SMTP_USER=buzon SMTP_PASSWORD=s3cret
export MAILER_DB=$work/mailer.db MAILER_HOME=$home NOTIFY_TO=$OFICINA LANG=C.UTF-8
cd "$work"
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
sql() { sqlite3 "$MAILER_DB" "$1"; }
# to DIR ADDR: messages the server saved for ADDR
to() { cat "$1"/*.json 2>/dev/null | grep -c "\"rcpt_tos\": \[\"$2\"" || true; }
server() { # NAME ARGS...: a capture server with a login; SMTP_URL points at it
    local name=$1
    shift
    capture_start "$work/$name" --auth buzon:s3cret --require-tls "$@"
    export SMTP_URL="smtp://127.0.0.1:$CAPTURE_PORT" CA_FILE=$CAPTURE_CA
}
# due LOCAL_TIME: one cron run at that Mexico City time (UTC-6 in November)
due() {
    local t
    t=$(date -u -d "$1 CST" +%Y-%m-%dT%H:%M:%SZ)
    code=0
    MAILER_NOW=$t "$MAILER" -q due >>"$work/cron.out" 2>"$work/due.err" || code=$?
    cat "$work/due.err" >>"$work/cron.err"
}

# --- 1. a day with the quota hit at noon ---------------------------------------
server dia1 --rule "data:5:$M365" --spare "$OFICINA"
MAILER_NOW=2026-11-23T14:00:00Z "$MAILER" send boletin --at '2026-11-23 11:00' >at.out 2>&1 ||
    fail "send --at: $(cat at.out)"
: >cron.err
printed=0
for h in $(seq 8 23); do
    due "2026-11-23 $h:00"
    [ -s due.err ] && printed=$((printed + 1))
    if [ "$h" = 11 ]; then
        [ "$code" = 75 ] || fail "11:00: exit $code, not 75: $(cat due.err)"
        grep -q "quota" due.err || fail "11:00 did not say why: $(cat due.err)"
    fi
done
[ "$(to "$work/dia1" "$OFICINA")" = 1 ] || fail "notices mailed on day 1: $(to "$work/dia1" "$OFICINA")"
[ "$printed" = 1 ] || fail "cron printed something on $printed runs, not once: $(cat cron.err)"
[ "$(sql "SELECT count(*) FROM deliveries WHERE state = 'failed'")" = 0 ] || fail "recipients failed by the quota"
[ "$(sql "SELECT count(*) FROM deliveries WHERE state = 'sent'")" = 5 ] || fail "sent on day 1: $(sql "SELECT state, count(*) FROM deliveries GROUP BY state")"
notice=$(grep -l "\"rcpt_tos\": \[\"$OFICINA\"" "$work"/dia1/*.json | sed 's/json$/eml/')
/usr/bin/python3 - "$notice" <<'PY' || fail "the notice: $(cat "$notice")"
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
subject, body = str(m["Subject"]), m.get_body(("plain",)).get_content()
assert m["To"].addresses[0].addr_spec == "oficina@iecm.example", m["To"]
assert m["From"].addresses[0].addr_spec == "votochilango@votochilango.example", m["From"]
assert "1 problem" in subject, subject
assert "boletin main" in body and "SubmissionQuotaExceeded" in body, body
print("ok: notice", repr(subject))
PY

# The next day the quota is over: the rest goes out, nobody twice, nothing told.
capture_cleanup
server dia2
: >cron.err
for t in 00:00 00:30 01:00; do
    due "2026-11-24 $t"
    [ "$code" = 0 ] || fail "day 2 $t: exit $code: $(cat due.err)"
done
[ ! -s cron.err ] || fail "day 2 printed: $(cat cron.err)"
[ "$(sql "SELECT count(*) FROM deliveries WHERE state = 'sent'")" = 12 ] || fail "day 2: $(sql "SELECT state, count(*) FROM deliveries GROUP BY state")"
[ "$(sql "SELECT state FROM mailings")" = complete ] || fail "not complete"
[ "$(to "$work/dia2" "$OFICINA")" = 0 ] || fail "a notice on day 2"
dups=$(cat "$work"/dia1/*.json "$work"/dia2/*.json | grep -o '"rcpt_tos": \["p[^"]*"' | sort | uniq -d)
[ -z "$dups" ] || fail "sent twice: $dups"
echo "ok: quota at noon, one notice, the rest the next day, nobody twice"

# --- 2. the server refuses the login: the notice cannot go that way -----------
capture_cleanup
server dia3
export SMTP_PASSWORD=wrong
MAILER_NOW=2026-11-25T14:00:00Z "$MAILER" send boletin --edition segunda --at '2026-11-25 11:00' >at2.out 2>&1 ||
    fail "send --at 2: $(cat at2.out)"
: >cron.err
due "2026-11-25 11:00"
[ "$code" = 78 ] || fail "refused login: exit $code: $(cat due.err)"
grep -q "refused the login" due.err || fail "the refusal: $(cat due.err)"
grep -q "could not be mailed" due.err || fail "the notice was not printed: $(cat due.err)"
grep -q "boletin segunda" due.err || fail "the printed notice does not name the mailing: $(cat due.err)"
due "2026-11-25 11:30"
due "2026-11-25 12:00"
[ "$(grep -c "could not be mailed" cron.err)" = 1 ] || fail "printed more than once: $(cat cron.err)"
[ "$(to "$work/dia3" "$OFICINA")" = 0 ] || fail "a notice went through a refused login"
echo "ok: refused login, the notice printed once for cron's mail"

# --- 3. in Spanish, as cron runs it with LANG=es_MX.UTF-8 ----------------------
MAILER_NOW=2026-11-26T18:00:00Z LANGUAGE=es LANG=es_MX.UTF-8 "$MAILER" -q due >es.out 2>&1 || true
grep -q "necesita" es.out || fail "the Spanish notice: $(cat es.out)"
echo "test_notify: ok"
