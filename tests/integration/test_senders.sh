#!/usr/bin/env bash
# test_senders - one home, several mailboxes (issue 18 item 1), with real
# servers on loopback: two senders of senders.ini, each with its own capture
# SMTP server (STARTTLS required, its own login: a password command for one,
# a password written in the private file for the other), its own CA, From,
# envelope sender and limits, and its own Dovecot mailbox.
#   1. `config` and `check` say which sender each campaign uses and whether
#      each secret can be had, without running a password command or showing
#      a password; a campaign naming no sender, a file others may read, a
#      missing program: said, exit 78.
#   2. One `mailer due`: each campaign leaves by its sender's server with its
#      From and envelope; one sender's daily limit is reached (its next
#      campaign waits for the next run) while the other sender finishes; two
#      campaigns of one sender share its rate (no burst between them).
#   3. A mailing keeps the sender it started from.
#   4. An account-wide refusal (554 5.2.0, Microsoft 365's quota) stops one
#      sender; the other's campaigns go on in the same run.
#   5. `bounces fetch` reads each sender's mailbox once (a third sender that
#      shares one is not read twice) and records each bounce.
#   6. `campaigns new --sender`, `status --format json`, the report's mailbox.
#   7. Two processes sending from one sender: one at a time (the second
#      waits, or `due` leaves it to its next run), so the mailbox's rate
#      holds across them.
#   8. With no server in .env, the summary for NOTIFY_TO leaves by a sender
#      of senders.ini.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"

if [[ $(id -u) != 0 ]] || ! command -v dovecot >/dev/null; then
    echo "test_senders: needs root and dovecot-imapd (./run installs them)" >&2
    exit 1
fi
. "$SOURCE_DIR/tests/servers/lib.sh"
. "$SOURCE_DIR/tests/servers/dovecot.sh"

work=$(mktemp -d)
chmod 755 "$work" # nobody (dovecot) must reach its maildirs
trap 'dovecot_cleanup; capture_cleanup; rm -rf "$work"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
py() { /usr/bin/python3 - "$@"; }

for v in $(sed -n 's/^\([A-Z_]*\)=.*/\1/p' "$SOURCE_DIR/.env.example"); do unset "$v"; done
unset MAILER_NOW MAILER_OPERATOR

# ---- servers: one CA per sender, shared by its SMTP server and its mailbox --
bash "$SOURCE_DIR/tests/servers/make_certs.sh" "$work/smtp-d.srv/certs"
bash "$SOURCE_DIR/tests/servers/make_certs.sh" "$work/smtp-r.srv/certs"
mkdir -p "$work/smtp-r2.srv" && cp -r "$work/smtp-r.srv/certs" "$work/smtp-r2.srv/certs"
capture_start "$work/smtp-d" --auth diaspora:clave-d --require-tls || fail "capture d"
port_d=$CAPTURE_PORT
capture_start "$work/smtp-r" --auth red:clave-r --require-tls || fail "capture r"
port_r=$CAPTURE_PORT
# the red's server after its first message: Microsoft 365's daily quota
capture_start "$work/smtp-r2" --auth red:clave-r --require-tls \
    --rule 'data:1:554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException' ||
    fail "capture r2"
port_r2=$CAPTURE_PORT
for m in d r; do
    mkdir -p "$work/maildir-$m"/{new,cur,tmp}
    chown -R 65534:65534 "$work/maildir-$m"
done
dovecot_start "$work/dovecot-d" "$work/maildir-d" rebotes-d cl4ve-d "$work/smtp-d.srv/certs" ||
    fail "dovecot d"
imap_d=$DOVECOT_PORT log_d=$DOVECOT_LOG
dovecot_start "$work/dovecot-r" "$work/maildir-r" rebotes-r cl4ve-r "$work/smtp-r.srv/certs" ||
    fail "dovecot r"
imap_r=$DOVECOT_PORT

# ---- the home ----------------------------------------------------------------
home=$work/home
mkdir -p "$home/campaigns" "$home/contacts" "$home/templates"
cp -r "$SOURCE_DIR/templates/." "$home/templates/"
cp "$SOURCE_DIR/tests/fixtures/bounce-home/templates/"aviso.* "$home/templates/"
day() { TZ=America/Mexico_City date -d "$1 days ago" +%F; }
# campaign NAME SENDER SEND_AT [N]: N recipients of its own (3 unless said),
# NAME-1..N@test.example
campaign() {
    local name=$1 sender=$2 at=$3 i
    {
        echo "Nombre,Correo"
        for i in $(seq "${4:-3}"); do echo "Persona $i,$name-$i@test.example"; done
    } >"$home/contacts/$name.csv"
    cat >"$home/campaigns/$name.ini" <<EOF
[campaign]
name = Campaña $name
kind = bulletin
subject = Aviso de $name para {{nombre}}
lists = $name
template = aviso
sender = $sender
edition = once
send_at = $at
paused = no
[defaults]
nombre = amiga, amigo
EOF
}
campaign a1 diaspora "$(day 6) 10:00"
campaign a2 diaspora "$(day 5) 10:00"
campaign a3 diaspora "$(day 4) 10:00"
campaign b1 red "$(day 3) 10:00"
# .env: the default sender sends nothing here (no SMTP_URL)
printf 'MAIL_FROM="Voto Chilango <votochilango@votochilango.example>"\n' >"$home/.env"
senders_ini() { # RED_PORT DIASPORA_DAILY_LIMIT
    cat >"$home/senders.ini" <<EOF
# dos buzones y una cuenta que comparte el de la diáspora
[remitente diaspora]
MAIL_FROM = "Voto Chilango <votochilango@votochilango.example>"
SMTP_URL = smtp://127.0.0.1:$port_d
SMTP_USER = diaspora
SMTP_PASSWORD_COMMAND = sh -c 'touch $work/ran-d; printf clave-d'
CA_FILE = $work/smtp-d.srv/certs/ca.pem
BOUNCE_ADDRESS = rebotes@votochilango.example
SMTP_RATE = 30/min
SMTP_DAILY_LIMIT = $2
BOUNCE_IMAP_URL = imaps://127.0.0.1:$imap_d/INBOX
BOUNCE_IMAP_USER = rebotes-d
BOUNCE_IMAP_PASSWORD_COMMAND = printf cl4ve-d

[remitente red]
MAIL_FROM = "Red de Observación IECM <observacion@iecm.example>"
SMTP_URL = smtp://127.0.0.1:$1
SMTP_USER = red
SMTP_PASSWORD = clave-r
CA_FILE = $work/smtp-r.srv/certs/ca.pem
BOUNCE_ADDRESS = rebotes@iecm.example
BOUNCE_VERP = yes
SMTP_DAILY_LIMIT = 100
BOUNCE_IMAP_URL = imaps://127.0.0.1:$imap_r/INBOX
BOUNCE_IMAP_USER = rebotes-r
BOUNCE_IMAP_PASSWORD = cl4ve-r

[remitente institucional]
MAIL_FROM = "Voto Chilango institucional <votochilango@votochilango.example>"
SMTP_URL = smtp://127.0.0.1:$port_d
SMTP_USER = diaspora
SMTP_PASSWORD_COMMAND = printf clave-d
CA_FILE = $work/smtp-d.srv/certs/ca.pem
BOUNCE_IMAP_URL = imaps://127.0.0.1:$imap_d/INBOX
BOUNCE_IMAP_USER = rebotes-d
BOUNCE_IMAP_PASSWORD_COMMAND = printf cl4ve-d
EOF
    chmod 600 "$home/senders.ini"
}
senders_ini "$port_r" 5
cd "$home"
export MAILER_DB=$work/mailer.db
at() { grep -n "^\[remitente $1\]" senders.ini | cut -d: -f1; } # the line of a section

# ---- 1. config and check, before anything is sent ------------------------------
"$MAILER" config >config.out 2>&1 || fail "config: $(cat config.out)"
for want in "sender default (.env)" "SMTP: not configured (SMTP_URL): it sends nothing" \
    "sender diaspora (senders.ini:$(at diaspora))" "sender red (senders.ini:$(at red))" \
    "sender institucional (senders.ini:$(at institucional))" \
    "SMTP_PASSWORD_COMMAND: its command sh is there" \
    "SMTP_PASSWORD: written in senders.ini, which only its owner can read" \
    "BOUNCE_IMAP_PASSWORD_COMMAND: its command printf is there" \
    "campaigns: a1, a2, a3" "campaigns: b1" "rate: 30 messages every 60 s" \
    "daily limit: 5 messages in 24 hours" "envelope sender (bounces): rebotes@iecm.example (VERP)"; do
    grep -qF "$want" config.out || fail "config does not say «$want»: $(cat config.out)"
done
grep -q "clave-r\|cl4ve-r" config.out && fail "config shows a password: $(cat config.out)"
[[ -e $work/ran-d ]] && fail "config ran a password command"
"$MAILER" check a1 >check.out 2>&1 || fail "check a1: $(cat check.out)"
grep -qF "sender diaspora (senders.ini:$(at diaspora))" check.out || fail "check a1: $(cat check.out)"
grep -qF "SMTP_PASSWORD_COMMAND: its command sh is there" check.out || fail "check a1 secrets"
grep -qF "sendable" check.out || fail "check a1: $(cat check.out)"
"$MAILER" check b1 >check.out 2>&1 || fail "check b1: $(cat check.out)"
grep -qF "sender red (senders.ini:$(at red))" check.out || fail "check b1: $(cat check.out)"
[[ -e $work/ran-d ]] && fail "check ran a password command"
LANGUAGE=es "$MAILER" check b1 >check-es.out 2>&1 || fail "check b1 (es): $(cat check-es.out)"
grep -qF "remitente red (senders.ini:$(at red))" check-es.out || fail "check in Spanish: $(cat check-es.out)"
grep -qF "escrita en senders.ini, que solo su dueño puede leer" check-es.out ||
    fail "check in Spanish (secret): $(cat check-es.out)"

# a campaign naming a sender nobody defined: check and config say where
campaign zz nadie "$(day 1) 10:00"
sed -i 's/^paused = no/paused = yes/' campaigns/zz.ini
zz=$(grep -n '^sender = ' campaigns/zz.ini | cut -d: -f1)
code=0; "$MAILER" check zz >bad.out 2>&1 || code=$?
[[ $code == 78 ]] || fail "check of an unknown sender: exit $code: $(cat bad.out)"
grep -qF "campaigns/zz.ini:$zz: sender \"nadie\" is not defined: senders.ini has default, diaspora, red, institucional" bad.out ||
    fail "unknown sender: $(cat bad.out)"
code=0; "$MAILER" config >bad.out 2>&1 || code=$?
[[ $code == 78 ]] && grep -qF "campaigns/zz.ini:$zz: sender \"nadie\" is not defined" bad.out ||
    fail "config with an unknown sender: exit $code: $(cat bad.out)"
rm campaigns/zz.ini contacts/zz.csv
# a file with a password that others may read is refused, as .env is
chmod 644 senders.ini
code=0; "$MAILER" check a1 >bad.out 2>&1 || code=$?
[[ $code == 78 ]] && grep -qF "senders.ini holds a password and can be read by other users: run 'chmod 600 senders.ini'" bad.out ||
    fail "a readable senders.ini: exit $code: $(cat bad.out)"
chmod 600 senders.ini
# a mistake in the file: every one with its line
cp senders.ini senders.ok
n=$(wc -l <senders.ini)
printf '[remitente otro]\nSMTP_URL = smtp://x:587\nSMTP_RATE = rapido\nRETRY_MAX_AGE = 1d\n' >>senders.ini
code=0; "$MAILER" check a1 >bad.out 2>&1 || code=$?
[[ $code == 78 ]] && grep -qF "senders.ini:$((n + 3)): SMTP_RATE: \"rapido\" is not a rate" bad.out &&
    grep -qF "senders.ini:$((n + 4)): RETRY_MAX_AGE is not a setting of a sender: it belongs in .env" bad.out &&
    grep -qF "senders.ini:$((n + 1)): [remitente otro]: MAIL_FROM is missing" bad.out ||
    fail "a bad senders.ini: exit $code: $(cat bad.out)"
mv senders.ok senders.ini
# a password command whose program is not there: not sendable, before any send
sed -i 's/^SMTP_PASSWORD_COMMAND = sh -c/SMTP_PASSWORD_COMMAND = no-such-pass -c/' senders.ini
code=0; "$MAILER" check a1 >bad.out 2>&1 || code=$?
[[ $code == 78 ]] && grep -qF "SMTP_PASSWORD_COMMAND: its command no-such-pass is not found" bad.out &&
    grep -qF "not sendable: the command of its sender's password is not there" bad.out ||
    fail "a missing password program: exit $code: $(cat bad.out)"
senders_ini "$port_r" 5
echo "test_senders: config and check ok"

# ---- 2. one due: two senders, one daily limit, one shared rate --------------
code=0
"$MAILER" due >due1.out 2>&1 || code=$?
[[ $code == 75 ]] || fail "due 1: exit $code: $(cat due1.out)"
grep -qF "daily limit reached" due1.out || fail "due 1 did not say the daily limit: $(cat due1.out)"
grep -qF "a3 main waits for the next run: its sender diaspora stopped in this one" due1.out ||
    fail "due 1 did not skip a3: $(cat due1.out)"
[[ -e $work/ran-d ]] || fail "the password command was never run"
[[ $(capture_count "$work/smtp-d") == 5 && $(capture_count "$work/smtp-r") == 3 ]] ||
    fail "due 1: diaspora got $(capture_count "$work/smtp-d"), red $(capture_count "$work/smtp-r"): $(cat due1.out)"
py "$work/smtp-d" "$work/smtp-r" <<'PY' || fail "due 1: the messages"
import email, email.policy, glob, json, os, re, sys
def messages(d):
    out = []
    for j in sorted(glob.glob(d + "/*.json")):
        meta = json.load(open(j))
        msg = email.message_from_binary_file(open(j[:-5] + ".eml", "rb"), policy=email.policy.default)
        out.append((meta, msg, os.stat(j[:-5] + ".eml").st_mtime))
    return out
d, r = messages(sys.argv[1]), messages(sys.argv[2])
for meta, msg, _ in d:
    assert meta["auth_user"] == "diaspora" and meta["tls"], meta
    assert meta["mail_from"] == "rebotes@votochilango.example", meta
    assert msg["From"].addresses[0].addr_spec == "votochilango@votochilango.example", msg["From"]
    assert re.match(r"a[12]-\d@test.example", meta["rcpt_tos"][0]), meta
for meta, msg, _ in r:
    assert meta["auth_user"] == "red" and meta["tls"], meta
    assert re.fullmatch(r"rebotes\+[^@]+@iecm\.example", meta["mail_from"]), meta  # VERP
    assert msg["From"].addresses[0].addr_spec == "observacion@iecm.example", msg["From"]
    assert msg["From"].addresses[0].display_name == "Red de Observación IECM", msg["From"]
    assert re.match(r"b1-\d@test.example", meta["rcpt_tos"][0]), meta
# 30/min: one every 2 s, a1's and a2's messages too (the rate goes on across
# campaigns of one sender). The times are when the capture server saved each
# message: the mailer hands them over at its pace, but a message on a new
# connection waits for its handshake (seconds under valgrind), so two may be
# saved close together within a run (valgrind saw 0.006 s). The checks: the
# span (3 s of slack), and the gap between campaigns, where a burst would be
# a gap near 0 (the next campaign waits from the second of the last message)
times = sorted(t for _, _, t in d)
gaps = [b - a for a, b in zip(times, times[1:])]
assert times[-1] - times[0] > 2 * len(gaps) - 3, gaps
first = lambda c: min(t for meta, _, t in d if meta["rcpt_tos"][0].startswith(c))
last = lambda c: max(t for meta, _, t in d if meta["rcpt_tos"][0].startswith(c))
assert first("a2-") - last("a1-") > 1.0, gaps
PY
"$MAILER" status --format json >status1.json
py <<'PY' || fail "status: $(cat status1.json)"
import json
m = {x["campaign"]: x for x in json.load(open("status1.json")) if "campaign" in x}
assert m["a1"]["sender"] == "diaspora" and m["a1"]["sent"] == 3, m["a1"]
assert m["a1"]["from"] == "votochilango@votochilango.example", m["a1"]
assert m["a2"]["sender"] == "diaspora" and m["a2"]["sent"] == 2 and m["a2"]["pending"] == 1, m["a2"]
assert m["b1"]["sender"] == "red" and m["b1"]["sent"] == 3, m["b1"]
assert m["b1"]["from"] == "observacion@iecm.example", m["b1"]
assert "a3" not in m, m
PY
echo "test_senders: due 1 ok (daily limit of one sender, the other finished)"

# ---- 3. a mailing keeps the sender it started from ----------------------------
sed -i 's/^sender = diaspora/sender = red/' campaigns/a2.ini
code=0; "$MAILER" send a2 >mix.out 2>&1 || code=$?
[[ $code == 78 ]] && grep -qF 'a2 main started from the sender "diaspora", and the campaign now names "red"' mix.out ||
    fail "a mailing changing sender: exit $code: $(cat mix.out)"
sed -i 's/^sender = red/sender = diaspora/' campaigns/a2.ini

# ---- 4. an account-wide refusal stops one sender, not the other ------------------
senders_ini "$port_r2" 50
campaign b2 red "$(day 2) 09:00"
campaign b3 red "$(day 2) 10:00"
campaign a4 diaspora "$(day 2) 11:00"
code=0
"$MAILER" due >due2.out 2>&1 || code=$?
[[ $code == 75 ]] || fail "due 2: exit $code: $(cat due2.out)"
grep -qF "SubmissionQuotaExceeded" due2.out || fail "due 2 did not say the refusal: $(cat due2.out)"
grep -qF "b3 main waits for the next run: its sender red stopped in this one" due2.out ||
    fail "due 2 did not skip b3: $(cat due2.out)"
# diaspora: a3 (3), a4 (3) and the rest of a2 (1); red: one message before the refusal
[[ $(capture_count "$work/smtp-d") == 12 && $(capture_count "$work/smtp-r2") == 1 ]] ||
    fail "due 2: diaspora got $(capture_count "$work/smtp-d"), red $(capture_count "$work/smtp-r2"): $(cat due2.out)"
"$MAILER" status --format json >status2.json
py <<'PY' || fail "status 2: $(cat status2.json)"
import json
m = {x["campaign"]: x for x in json.load(open("status2.json")) if "campaign" in x}
for c in ("a2", "a3", "a4"):
    assert m[c]["state"] == "complete" and m[c]["sender"] == "diaspora", m[c]
assert m["b2"]["sent"] == 1 and m["b2"]["pending"] == 2 and m["b2"]["failed"] == 0, m["b2"]
assert "b3" not in m, m
PY
echo "test_senders: due 2 ok (an account refusal of one sender, the other finished)"

# ---- 5. each sender's bounces from its own mailbox, each mailbox once ------------
msgid() { py "$1" <<'PY'; }
import os, sqlite3, sys
print(sqlite3.connect(os.environ["MAILER_DB"]).execute(
    "SELECT message_id FROM deliveries WHERE address = ?", (sys.argv[1],)).fetchone()[0])
PY
dsn() { # TO ADDRESS: a Postfix-like DSN for the delivery to ADDRESS
    cat <<EOF
From: MAILER-DAEMON@mx.test.example (Mail Delivery System)
To: $1
Subject: Undelivered Mail Returned to Sender
Date: $(date -R)
Message-ID: <$RANDOM.$2@mx.test.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BND"

--BND
Content-Type: text/plain; charset=utf-8

<$2>: 550 5.1.1 user unknown

--BND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.test.example

Final-Recipient: rfc822; $2
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--BND
Content-Type: text/rfc822-headers

To: $2
Message-ID: <$(msgid "$2")>

--BND--
EOF
}
dsn rebotes@votochilango.example a1-1@test.example >"$work/dsn-d.eml"
dsn rebotes@iecm.example b1-2@test.example >"$work/dsn-r.eml"
install -o 65534 -g 65534 -m 600 "$work/dsn-d.eml" "$work/maildir-d/new/1.dsn-d.test:2,"
install -o 65534 -g 65534 -m 600 "$work/dsn-r.eml" "$work/maildir-r/new/1.dsn-r.test:2,"
"$MAILER" -v bounces fetch >fetch.out 2>&1 || fail "bounces fetch: $(cat fetch.out)"
[[ $(grep -c '^mailbox ' fetch.out) == 2 ]] || fail "mailboxes read: $(cat fetch.out)"
grep -qF "mailbox BOUNCE_IMAP_URL [remitente diaspora] (sender diaspora): imaps://127.0.0.1:$imap_d/INBOX" fetch.out &&
    grep -qF "mailbox BOUNCE_IMAP_URL [remitente red] (sender red): imaps://127.0.0.1:$imap_r/INBOX" fetch.out ||
    fail "fetch: $(cat fetch.out)"
grep -qF "2 new messages: 2 bounces (2 hard, 0 soft)" fetch.out || fail "fetch said: $(cat fetch.out)"
[[ $(grep -c 'Login: user=<rebotes-d>' "$log_d") == 1 ]] || fail "the shared mailbox was read twice"
py <<'PY' || fail "bounces in the ledger"
import os, sqlite3
db = sqlite3.connect(os.environ["MAILER_DB"])
rows = db.execute("SELECT address, state FROM deliveries WHERE state = 'bounced' ORDER BY address").fetchall()
assert rows == [("a1-1@test.example", "bounced"), ("b1-2@test.example", "bounced")], rows
assert db.execute("SELECT count(*) FROM imap_state").fetchone()[0] == 2
PY
for m in d r; do
    [[ -z $(find "$work/maildir-$m/new" "$work/maildir-$m/cur" -type f) ]] ||
        fail "maildir $m: not filed"
    [[ $(find "$work/maildir-$m/.Procesados" -type f -path '*/[nc][eu][wr]/*' | wc -l) == 1 ]] ||
        fail "maildir $m: not one message in Procesados"
done
echo "test_senders: bounces ok (each mailbox once)"

# ---- 6. campaigns new --sender, and the report's mailbox --------------------------
"$MAILER" campaigns new c-red --kind bulletin --list b1 --sender red >new.out 2>&1 ||
    fail "campaigns new --sender: $(cat new.out)"
grep -qx 'sender = red' campaigns/c-red.ini || fail "campaigns new wrote: $(cat campaigns/c-red.ini)"
"$MAILER" check c-red >new.out 2>&1 || fail "check c-red: $(cat new.out)"
grep -qF "sender red (senders.ini:$(at red))" new.out || fail "check c-red: $(cat new.out)"
code=0; "$MAILER" campaigns new c-nadie --kind bulletin --list b1 --sender nadie >new.out 2>&1 || code=$?
[[ $code == 78 && ! -e campaigns/c-nadie.ini ]] && grep -qF "there is no sender nadie" new.out ||
    fail "campaigns new --sender nadie: exit $code: $(cat new.out)"
# ---- 7. two processes, one sender: one at a time, within its limits -----------
# Two `mailer send` of one sender started together: the second waits for the
# first to end, says why, then sends; the mailbox's rate holds across the two.
senders_ini "$port_r" 50
# d1 takes at least 10 s (6 messages at 30/min): d2 reaches the lock before
# it ends, even under valgrind on a loaded machine
campaign d1 diaspora "$(day 1) 10:00" 6
campaign d2 diaspora "$(day 1) 10:00"
before=$(capture_count "$work/smtp-d")
"$MAILER" send d1 >p1.out 2>&1 &
p1=$!
for _ in $(seq 300); do # d1 holds the sender's lock (and says so in it): up to 30 s
    grep -qF ": d1 main" "$work/locks/sender-diaspora.lock" 2>/dev/null && break
    sleep 0.1
done
grep -qF ": d1 main" "$work/locks/sender-diaspora.lock" || fail "d1 never took its sender's lock"
"$MAILER" send d2 >p2.out 2>&1 &
p2=$!
code1=0 code2=0
wait $p1 || code1=$?
wait $p2 || code2=$?
[[ $code1 == 0 && $code2 == 0 ]] || fail "two sends: exit $code1 and $code2: $(cat p1.out p2.out)"
grep -qF "the sender diaspora is sending in another process (pid $p1 on " p2.out &&
    grep -qF ": d1 main); its limits are its mailbox's, so this mailing waits" p2.out ||
    fail "d2 did not say it waited for d1: $(cat p2.out)"
[[ $(capture_count "$work/smtp-d") == $((before + 9)) ]] ||
    fail "two sends: $(($(capture_count "$work/smtp-d") - before)) messages, not 9"
py "$work/smtp-d" <<'PY' || fail "two processes, one sender: the rate"
import glob, json, os, sys
sent = []
for j in glob.glob(sys.argv[1] + "/*.json"):
    rcpt = json.load(open(j))["rcpt_tos"][0]
    if rcpt.startswith(("d1-", "d2-")):
        sent.append((os.stat(j[:-5] + ".eml").st_mtime, rcpt))
sent.sort()
assert len(sent) == 9, sent
# one after the other: d1's six, then d2's three
assert [r[:2] for _, r in sent] == ["d1"] * 6 + ["d2"] * 3, sent
# 30/min over both processes: one every 2 s, checked as in due 1 (the span,
# with 3 s of slack for handshakes, and the gap between the two mailings);
# two processes at once would mix d1's and d2's messages above, in a span
# near 10 s
times = [t for t, _ in sent]
gaps = [b - a for a, b in zip(times, times[1:])]
assert times[-1] - times[0] > 2 * len(gaps) - 3, gaps
assert times[6] - times[5] > 1.0, gaps
PY
# `mailer due` while a person's send holds the sender: due sends nothing of
# it (its next run does) and goes on with the other sender
campaign d3 diaspora "$(day 1) 11:00"
campaign b4 red "$(day 1) 11:00"
before=$(capture_count "$work/smtp-d")
exec 9>>"$work/locks/sender-diaspora.lock"
flock -x 9
code=0; "$MAILER" due >due3.out 2>&1 9>&- || code=$?
exec 9>&-
[[ $code == 75 ]] || fail "due with a busy sender: exit $code: $(cat due3.out)"
grep -qF "d3 main waits for the next run: its sender diaspora is sending in another process" due3.out ||
    fail "due 3 did not say why d3 waits: $(cat due3.out)"
[[ $(capture_count "$work/smtp-d") == "$before" ]] ||
    fail "due 3: diaspora got $(($(capture_count "$work/smtp-d") - before)): $(cat due3.out)"
"$MAILER" status --format json >status3.json
py <<'PY' || fail "status 3: $(cat status3.json)"
import json
m = {x["campaign"]: x for x in json.load(open("status3.json")) if "campaign" in x}
# red went on (b4, and what due 2 left of b2 and b3); d3 waits, all pending
for c in ("b2", "b3", "b4"):
    assert m[c]["state"] == "complete" and m[c]["sent"] == 3, m[c]
assert m["d3"]["sent"] == 0 and m["d3"]["pending"] == 3, m["d3"]
PY
"$MAILER" due >due4.out 2>&1 || fail "due 4: $(cat due4.out)"
[[ $(capture_count "$work/smtp-d") == $((before + 3)) ]] || fail "due 4 did not send d3: $(cat due4.out)"
# a person's send waiting for the sender stops at Ctrl-C: nothing sent, 75
campaign d4 diaspora "$(day 1) 12:00"
before=$(capture_count "$work/smtp-d")
exec 9>>"$work/locks/sender-diaspora.lock"
flock -x 9
"$MAILER" send d4 >p4.out 2>&1 9>&- &
p4=$!
for _ in $(seq 300); do # up to 30 s (a loaded machine, valgrind)
    grep -qF "is sending in another process (holder unknown)" p4.out && break
    sleep 0.1
done
grep -qF "is sending in another process (holder unknown)" p4.out ||
    fail "d4 did not say it waits for the sender: $(cat p4.out)"
kill -INT $p4
code=0; wait $p4 || code=$?
exec 9>&-
[[ $code == 75 ]] && grep -qF "stopped by a signal; run the same command to continue" p4.out ||
    fail "Ctrl-C while waiting for the sender: exit $code: $(cat p4.out)"
[[ $(capture_count "$work/smtp-d") == "$before" ]] || fail "d4 sent while it waited"
echo "test_senders: two processes of one sender ok (one at a time)"

# ---- 8. the notice for a person leaves by a sender that can send ----------------
# .env's default sender has no server here: the summary for NOTIFY_TO goes by
# the first sender of senders.ini (diaspora), not to cron's output
# (a problem for a person: red's server answers Microsoft 365's quota again)
senders_ini "$port_r2" 50
campaign e1 red "$(day 1) 13:00"
code=0
NOTIFY_TO=oficina@iecm.example "$MAILER" -q due >due5.out 2>&1 || code=$?
[[ $code == 75 ]] || fail "due 5 with red's quota: exit $code: $(cat due5.out)"
grep -qF "could not be mailed" due5.out && fail "due 5 did not mail the notice: $(cat due5.out)"
py "$work/smtp-d" <<'PY' || fail "the notice by diaspora: $(cat due5.out)"
import email, email.policy, glob, json, sys
got = []
for j in glob.glob(sys.argv[1] + "/*.json"):
    meta = json.load(open(j))
    if meta["rcpt_tos"] == ["oficina@iecm.example"]:
        got.append((meta, email.message_from_binary_file(open(j[:-5] + ".eml", "rb"), policy=email.policy.default)))
assert len(got) == 1, got
meta, msg = got[0]
assert meta["auth_user"] == "diaspora", meta
assert msg["From"].addresses[0].addr_spec == "votochilango@votochilango.example", msg["From"]
assert "e1 main" in msg.get_body(("plain",)).get_content(), msg.get_body(("plain",)).get_content()
PY
echo "test_senders: the notice for a person ok (by a sender that can send)"

q=$(TZ=America/Mexico_City date +%Y)Q$((($(TZ=America/Mexico_City date +%-m) - 1) / 3 + 1))
"$MAILER" report --quarter "$q" --format json >report.json || fail "report"
grep -qF "votochilango@votochilango.example" report.json && grep -qF "observacion@iecm.example" report.json ||
    fail "the report does not name both mailboxes: $(cat report.json)"
echo "test_senders: ok"
