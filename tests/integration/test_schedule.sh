#!/usr/bin/env bash
# test_schedule - the office's calendar run unattended: `mailer due` at many
# clock values (MAILER_NOW) sends exactly what is due, once, in time order;
# a second run is silent; missing content exits 66 naming the file and does
# not stop the other campaigns; a reminder goes to the frozen audience minus
# anyone suppressed since; a filtered audience; `send --at` and `unschedule`;
# a test send never counts and never blocks the real one.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"
. "$SOURCE_DIR/tests/servers/lib.sh"

work=$(mktemp -d)
trap 'capture_cleanup; rm -rf "$work"' EXIT
capture_start "$work/outbox" --auth demo:s3cret --require-tls
home=$work/home
mkdir -p "$home"
cp -r "$SOURCE_DIR/campaigns" "$SOURCE_DIR/contacts" "$SOURCE_DIR/templates" "$home/"
export SMTP_URL="smtp://127.0.0.1:$CAPTURE_PORT" SMTP_USER=demo SMTP_PASSWORD=s3cret
export CA_FILE=$CAPTURE_CA MAILER_DB=$work/mailer.db MAILER_HOME=$home
cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }

# sent CAMPAIGN EDITION: how many deliveries of that mailing were accepted
sent() {
    "$MAILER" status "$1" --edition "$2" --format json | /usr/bin/python3 -c '
import json, sys
rows = [m for m in json.load(sys.stdin) if not m["test"]]
print(rows[0]["sent"] if rows and rows[0]["state"] == "complete" else "none")'
}

# due AT EXPECTED_EXIT: run `mailer due` at a Mexico City time, check its exit code
due() {
    local now=$1 want=$2 code=0
    MAILER_NOW=$now "$MAILER" due > due.out 2> due.err || code=$?
    [ "$code" = "$want" ] || fail "due at $now exited $code, want $want: $(cat due.out due.err)"
}

# The sample campaigns come paused (a new home sends nothing by itself):
# `due` leaves them alone, `campaigns list` says so.
missing=$(grep -L '^paused = yes$' "$home"/campaigns/*.ini || true)
[ -z "$missing" ] || fail "sample campaigns not paused: $missing"
export MAILER_DB=$work/paused.db
MAILER_NOW=2026-12-09T15:30:00Z "$MAILER" due --dry-run > paused.out
[ ! -s paused.out ] || fail "due lists paused campaigns: $(cat paused.out)"
code=0; MAILER_NOW=2026-12-09T15:30:00Z "$MAILER" due > paused.out 2>&1 || code=$?
[ "$code" = 0 ] && [ ! -s paused.out ] && [ ! -e "$work/outbox/000001.eml" ] ||
    fail "due on a paused home: exit $code, $(cat paused.out)"
MAILER_NOW=2026-12-09T15:30:00Z "$MAILER" campaigns list > paused.out
[ "$(grep -c 'paused = yes in its file' paused.out)" = 7 ] || fail "campaigns list: $(cat paused.out)"
# Turned on, as guide 0 says (paused = no), the calendar runs.
sed -i 's/^paused = yes$/paused = no/' "$home"/campaigns/*.ini
export MAILER_DB=$work/mailer.db

# A test send first: «[PRUEBA]», recorded as a test, never blocks the real send.
MAILER_NOW=2026-11-10T16:00:00Z "$MAILER" send corazon-chilango --edition 2026-11 \
    --test-to coordinacion@iecm.example,revision@iecm.example --row 3 > /dev/null 2>&1 ||
    fail "test send"
n=$(capture_count)
[ "$n" = 2 ] || fail "test send delivered $n messages"
grep -l "^Subject: =?UTF-8?Q?=5BPRUEBA=5D" "$work/outbox"/*.eml > /dev/null ||
    grep -l "^Subject: \[PRUEBA\]" "$work/outbox"/*.eml > /dev/null || fail "test subject"
! grep -q "^List-Unsubscribe:" "$work/outbox"/000001.eml || fail "a test send carries List-Unsubscribe"

# A reminder cannot be checked before the call it reminds of has gone.
code=0; "$MAILER" check convocatoria-observadores --edition recordatorio-1 > rem.out 2>&1 || code=$?
[ "$code" = 65 ] && grep -q "has not been sent yet" rem.out || fail "early reminder check: $code $(cat rem.out)"

# A dry run lists what would go, and sends nothing.
MAILER_NOW=2026-11-16T14:30:00Z "$MAILER" due --dry-run > dry.out
grep -q "corazon-chilango 2026-11" dry.out && grep -q "podcast-voto-chilango 2026-10" dry.out &&
    grep -q "pulso-internacional 2026-W46" dry.out || fail "dry run: $(cat dry.out)"
[ "$(capture_count)" = 2 ] || fail "dry run sent something"

# Monday 16 November 08:30: the bulletin of November, October's podcast, week 46's digest.
due 2026-11-16T14:30:00Z 0
[ "$(sent corazon-chilango 2026-11)" = 51 ] || fail "corazon 2026-11: $(sent corazon-chilango 2026-11)"
[ "$(sent podcast-voto-chilango 2026-10)" = 51 ] || fail "podcast 2026-10"
[ "$(sent pulso-internacional 2026-W46)" = 15 ] || fail "pulso W46"
[ "$(capture_count)" = $((2 + 51 + 51 + 15)) ] || fail "count after the first due: $(capture_count)"
# Run twice, send once: the same time again is silent.
due 2026-11-16T14:40:00Z 0
[ ! -s due.out ] && [ ! -s due.err ] || fail "second due printed: $(cat due.out due.err)"
[ "$(capture_count)" = 119 ] || fail "second due sent again"

# Monday 23: November's podcast (due since the 20th) and week 47.
due 2026-11-23T14:30:00Z 0
[ "$(sent podcast-voto-chilango 2026-11)" = 51 ] || fail "podcast 2026-11"
[ "$(sent pulso-internacional 2026-W47)" = 15 ] || fail "pulso W47"

# Wednesday 25, 11:00: the training invitation to the observation network.
due 2026-11-25T17:00:00Z 0
[ "$(sent red-observacion-capacitacion main)" = 22 ] || fail "red-observacion"

# `send --at` schedules; `unschedule` takes back.
MAILER_NOW=2026-11-25T17:00:00Z "$MAILER" send vota-film-fest --at '2026-11-30 12:00' > at.out ||
    fail "send --at"
grep -q "scheduled for 2026-11-30 12:00" at.out || fail "send --at said: $(cat at.out)"
MAILER_NOW=2026-11-25T17:00:00Z "$MAILER" send podcast-voto-chilango --edition especial \
    --at '2026-11-30 12:00' > /dev/null 2>&1 && fail "--at with missing content was accepted"
"$MAILER" send pulso-internacional --edition 2026-W47 --at '2026-11-29 10:00' > /dev/null
"$MAILER" unschedule pulso-internacional --edition 2026-W47 > /dev/null || fail "unschedule"
# Once more: an edition the campaign file schedules is skipped, never sent by `due`.
"$MAILER" unschedule pulso-internacional --edition 2026-W47 > skip.out || fail "skip: $(cat skip.out)"
grep -q "is skipped" skip.out || fail "skip said: $(cat skip.out)"
# A campaign sent only by hand has nothing to take back.
grep -v '^send_at\|^schedule' "$home/campaigns/vota-film-fest.ini" > "$home/campaigns/a-mano.ini"
code=0; "$MAILER" unschedule a-mano --edition main 2>/dev/null || code=$?
[ "$code" = 65 ] || fail "unschedule of nothing exited $code"
rm "$home/campaigns/a-mano.ini"

# Monday 30, 12:30: week 48's digest (content added now), the Chicago tour
# invitation (Illinois contacts only) and the film festival (--at).
cp "$home/campaigns/pulso-internacional/2026-W47.json" "$home/campaigns/pulso-internacional/2026-W48.json"
due 2026-11-30T18:30:00Z 0
[ "$(sent invitacion-gira-chicago main)" = 9 ] || fail "gira chicago: $(sent invitacion-gira-chicago main)"
[ "$(sent vota-film-fest main)" = 73 ] || fail "vota film fest"
[ "$(sent pulso-internacional 2026-W48)" = 15 ] || fail "pulso W48"

# Tuesday 1 December, 09:30: the bulletin of December has no content yet
# (exit 66, naming the file), and the convocatoria still goes.
due 2026-12-01T15:30:00Z 66
grep -q "campaigns/corazon-chilango/2026-12.md" due.err || fail "missing content message: $(cat due.err)"
[ "$(sent convocatoria-observadores main)" = 51 ] || fail "convocatoria main"
# Cron runs again ten minutes later: the missing file is not said again that
# day (once a day, not exit 66 on every run), and `campaigns list` shows the
# overdue edition as the next one.
due 2026-12-01T15:40:00Z 0
[ ! -s due.err ] || fail "the missing content was said twice in one day: $(cat due.err)"
MAILER_NOW=2026-12-01T15:40:00Z "$MAILER" campaigns list > list.out
grep "corazon-chilango" list.out | grep -c "2026-12 at 2026-12-01 .*(overdue)" > /dev/null ||
    fail "campaigns list does not show 2026-12 as overdue: $(cat list.out)"
grep "convocatoria-observadores" list.out | grep -c "main (scheduled) " > /dev/null ||
    fail "campaigns list does not say the call went by its schedule: $(cat list.out)"

# Someone unsubscribes; the reminder goes to the frozen audience minus them.
"$MAILER" suppress add mafer.lopez@gmail.com --reason unsubscribe
echo 'Ximena,Ortega,ximena.nueva@gmail.com,Chicago,Illinois,Estados Unidos' >> "$home/contacts/diaspora.csv"
"$MAILER" check convocatoria-observadores --edition recordatorio-1 > rem.out 2>&1 ||
    fail "reminder check: $(cat rem.out)"
grep -q "1 suppressed: 50 recipients" rem.out || fail "reminder audience: $(cat rem.out)"
echo '# an edition of December' > "$home/campaigns/corazon-chilango/2026-12.md"
cp "$home/campaigns/pulso-internacional/2026-W47.json" "$home/campaigns/pulso-internacional/2026-W49.json"
due 2026-12-08T15:30:00Z 0
[ "$(sent convocatoria-observadores recordatorio-1)" = 50 ] || fail "reminder: $(sent convocatoria-observadores recordatorio-1)"
# December's bulletin reads the list afresh: one new contact, one unsubscribed.
[ "$(sent corazon-chilango 2026-12)" = 51 ] || fail "corazon 2026-12: $(sent corazon-chilango 2026-12)"
[ "$(grep -l '"ximena.nueva@gmail.com"' "$work/outbox"/*.json | wc -l)" = 1 ] ||
    fail "the new contact should get December's bulletin only"
# Who got what on 8 December: not the unsubscribed contact, and the reminder
# not the contact added after the call.
/usr/bin/python3 - "$work/outbox" <<'PY'
import email, email.policy, glob, json, sys
for j in glob.glob(sys.argv[1] + "/*.json"):
    rcpt = json.load(open(j))["rcpt_tos"][0]
    msg = email.message_from_bytes(open(j[:-5] + ".eml", "rb").read(), policy=email.policy.default)
    dec8 = "8 Dec 2026" in msg["Date"]
    if dec8 and rcpt == "mafer.lopez@gmail.com":
        sys.exit("an unsubscribed contact got mail on 8 December")
    if rcpt == "ximena.nueva@gmail.com" and str(msg["Subject"]).startswith("Recordatorio"):
        sys.exit("the reminder reached a contact added after the call")
PY

# The report: test sends never count; the convocatoria and its reminder are one row.
"$MAILER" report --quarter 2026Q4 --format json > report.json
/usr/bin/python3 - <<'PY'
import json
r = json.load(open("report.json"))
rows = [row for a in r["audiences"] for row in a["rows"]]
conv = [x for x in rows if x["informacion"] == "Invitación para participar como Observador/a Electoral"]
assert len(conv) == 1, conv
assert conv[0]["fecha_de_envio"] == "Martes 1 y martes 8 de diciembre de 2026", conv[0]
assert conv[0]["destinatarios"] == 101, conv[0]
assert not any("PRUEBA" in x["informacion"] for x in rows)
# the November bulletin was sent once for real (the test send does not count)
nov = [x for x in rows if x["informacion"] == "Boletín informativo noviembre de 2026"]
assert len(nov) == 1 and nov[0]["destinatarios"] == 51, nov
PY
echo "test_schedule: ok"
