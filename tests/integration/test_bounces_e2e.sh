#!/usr/bin/env bash
# test_bounces_e2e - the bounce loop with only real servers on loopback:
# the mailer sends a campaign through a private Postfix to test.example,
# where two of the four addresses do not exist; Postfix itself writes the
# DSNs and delivers them (virtual) into a Maildir that a private Dovecot
# serves over IMAPS with a throwaway CA. `mailer bounces fetch` reads them,
# marks the deliveries bounced and suppresses the dead addresses; a «baja»
# reply written into the same Maildir unsubscribes its sender; the next
# campaign skips all three; a second fetch finds nothing new; nothing in
# the mailbox is lost; a server whose certificate is not from CA_FILE is
# refused before the password is sent. UNSUBSCRIBE_MAILTO is another
# address whose mail lands in the folder Bajas: `bounces fetch` reads that
# mailbox too (UNSUBSCRIBE_IMAP_URL), and refuses to run without it.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"

if [[ $(id -u) != 0 ]] || ! command -v postfix >/dev/null || ! command -v dovecot >/dev/null; then
    echo "test_bounces_e2e: needs root, postfix and dovecot-imapd (./run installs them)" >&2
    exit 1
fi
. "$SOURCE_DIR/tests/servers/postfix.sh"
. "$SOURCE_DIR/tests/servers/dovecot.sh"

t0=$EPOCHREALTIME
lap() { awk -v a="$t0" -v b="$EPOCHREALTIME" -v w="$1" 'BEGIN { printf "test_bounces_e2e: %-34s %5.1f s\n", w, b - a }'; }
fail() {
    echo "FAIL: $*" >&2
    [[ -n ${POSTFIX_LOG:-} ]] && tail -20 "$POSTFIX_LOG" >&2
    [[ -n ${DOVECOT_LOG:-} ]] && tail -20 "$DOVECOT_LOG" >&2
    exit 1
}

work=$(mktemp -d)
chmod 755 "$work" # postfix and nobody (dovecot) must reach their dirs
trap 'dovecot_cleanup; postfix_cleanup; rm -rf "$work"' EXIT

bash "$SOURCE_DIR/tests/servers/make_certs.sh" "$work/certs"
bash "$SOURCE_DIR/tests/servers/make_certs.sh" "$work/other-ca"
postfix_start "$work/postfix" test.example bounces@bounces.example "ana beto" ||
    fail "postfix did not start"
mkdir -p "$POSTFIX_MAILDIR"/{new,cur,tmp}
chown -R 65534:65534 "$work/postfix/mail"
dovecot_start "$work/dovecot" "$POSTFIX_MAILDIR" rebotes 'cl4ve-rebotes' "$work/certs" ||
    fail "dovecot did not start"
lap "servers up"

export MAILER_HOME=$SOURCE_DIR/tests/fixtures/bounce-home MAILER_DB=$work/mailer.db
export SMTP_URL="smtp://127.0.0.1:$POSTFIX_PORT" SMTP_TLS=none SMTP_USER= SMTP_PASSWORD=
export BOUNCE_ADDRESS=bounces@bounces.example
export BOUNCE_IMAP_URL="imaps://127.0.0.1:$DOVECOT_PORT/INBOX" BOUNCE_IMAP_USER=rebotes
export BOUNCE_IMAP_PASSWORD='cl4ve-rebotes' CA_FILE=$work/certs/ca.pem
export UNSUBSCRIBE_MAILTO=baja@bounces.example
export UNSUBSCRIBE_IMAP_URL="imaps://127.0.0.1:$DOVECOT_PORT/Bajas"
cd "$work"

inbox() { find "$POSTFIX_MAILDIR/new" "$POSTFIX_MAILDIR/cur" -type f | wc -l; }
mkdir -p "$POSTFIX_MAILDIR"/.Bajas/{new,cur,tmp} && chown -R 65534:65534 "$POSTFIX_MAILDIR/.Bajas"
folder() { { find "$POSTFIX_MAILDIR/.$1/new" "$POSTFIX_MAILDIR/.$1/cur" -type f 2>/dev/null || true; } | wc -l; }

# 1. The first campaign: 4 accepted by Postfix, 2 of them bounce.
"$MAILER" send aviso-uno >send1.out 2>&1 || fail "send aviso-uno: $(cat send1.out)"
"$MAILER" status aviso-uno --format json >status1.json
/usr/bin/python3 -c 'import json,sys; m=json.load(open("status1.json"))[0]; assert m["sent"]==4, m' ||
    fail "first send: $(cat status1.json)"
lap "campaign 1 sent"

# 2. Wait (bounded) for Postfix to write both DSNs into the Maildir.
for ((i = 0; i < 150; i++)); do
    [[ $(inbox) -ge 2 ]] && break
    ((i % 10 == 9)) && postfix_flush
    sleep 0.2
done
[[ $(inbox) == 2 ]] || fail "expected 2 DSNs in the Maildir, found $(inbox)"
lap "DSNs delivered by Postfix"

# 3. A certificate from another CA is refused, before LOGIN.
logins_before=$(grep -c 'Login: user=<rebotes>' "$DOVECOT_LOG" || true)
code=0
CA_FILE=$work/other-ca/ca.pem "$MAILER" bounces fetch >wrongca.out 2>&1 || code=$?
[[ $code == 69 ]] || fail "wrong CA: exit $code: $(cat wrongca.out)"
grep -q "not trusted" wrongca.out || fail "wrong CA message: $(cat wrongca.out)"
[[ $(grep -c 'Login: user=<rebotes>' "$DOVECOT_LOG" || true) == "$logins_before" ]] ||
    fail "logged in despite an untrusted certificate"
[[ $(inbox) == 2 ]] || fail "the refused run touched the mailbox"

# ... and so is a certificate that does not name the host we asked for.
code=0
BOUNCE_IMAP_URL="imaps://127.0.0.2:$DOVECOT_PORT/INBOX" "$MAILER" bounces fetch >wronghost.out 2>&1 || code=$?
[[ $code == 69 ]] || fail "wrong host: exit $code: $(cat wronghost.out)"
grep -q "another name" wronghost.out || fail "wrong host message: $(cat wronghost.out)"
# (the unsubscribe mailbox, on 127.0.0.1, is still read: a mailbox that
# cannot be read does not stop the others)
grep -q 'Login: user=<rebotes>.*lip=127.0.0.2' "$DOVECOT_LOG" &&
    fail "logged in despite a certificate for another name"
lap "untrusted certificates refused"

# ... and so is an imap:// server that will not do STARTTLS: no LOGIN in clear.
/usr/bin/python3 - "$work/notls.port" "$work/notls.log" <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1); s.settimeout(20)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
c, _ = s.accept(); c.settimeout(10)
f = c.makefile("rwb")
f.write(b"* OK [CAPABILITY IMAP4rev1 LOGIN] no TLS here\r\n"); f.flush()
with open(sys.argv[2], "wb") as log:
    for line in f:
        log.write(line); log.flush()
        tag = line.split(b" ")[0]
        f.write(tag + b" BAD no STARTTLS\r\n"); f.flush()
PY
notls_pid=$!
for ((i = 0; i < 50; i++)); do [[ -s $work/notls.port ]] && break; sleep 0.1; done
code=0
BOUNCE_IMAP_URL="imap://127.0.0.1:$(<"$work/notls.port")/INBOX" "$MAILER" bounces fetch >notls.out 2>&1 || code=$?
wait "$notls_pid" || true
[[ $code == 69 ]] || fail "no STARTTLS: exit $code: $(cat notls.out)"
grep -q "STARTTLS" notls.out || fail "no STARTTLS message: $(cat notls.out)"
grep -q "STARTTLS" "$work/notls.log" || fail "never asked for STARTTLS: $(cat "$work/notls.log")"
grep -qi "login" "$work/notls.log" && fail "sent LOGIN without TLS: $(cat "$work/notls.log")"

# ... and so is a second mailbox for UNSUBSCRIBE_MAILTO left unset: a «baja»
# sent there would never be read.
code=0
UNSUBSCRIBE_IMAP_URL= "$MAILER" bounces fetch >nounsub.out 2>&1 || code=$?
[[ $code == 78 ]] || fail "UNSUBSCRIBE_MAILTO without its mailbox: exit $code: $(cat nounsub.out)"
grep -q "UNSUBSCRIBE_IMAP_URL" nounsub.out || fail "no UNSUBSCRIBE_IMAP_URL hint: $(cat nounsub.out)"

# 4. A dry run changes nothing (over STARTTLS this time).
BOUNCE_IMAP_URL="imap://127.0.0.1:$DOVECOT_IMAP_PORT/INBOX" UNSUBSCRIBE_IMAP_URL=bounce \
    "$MAILER" -v bounces fetch --dry-run >dry.out 2>&1 || fail "dry run: $(cat dry.out)"
grep -q "Login: user=<rebotes>.*lip=127.0.0.1, mpid=[0-9]*, TLS" "$DOVECOT_LOG" ||
    fail "no STARTTLS login in the Dovecot log"
grep -q "2 bounces (2 hard, 0 soft)" dry.out || fail "dry run said: $(cat dry.out)"
[[ $(inbox) == 2 ]] || fail "dry run moved messages"
[[ -z $("$MAILER" suppress list) ]] || fail "dry run suppressed addresses"

# 5. The real fetch: both deliveries bounced (hard), both addresses suppressed.
"$MAILER" -v bounces fetch >fetch1.out 2>&1 || fail "fetch: $(cat fetch1.out)"
grep -q "2 new messages: 2 bounces (2 hard, 0 soft)" fetch1.out || fail "fetch said: $(cat fetch1.out)"
"$MAILER" suppress list >supp1.out
grep -q $'^nadie@test.example\thard-bounce' supp1.out || fail "nadie not suppressed: $(cat supp1.out)"
grep -q $'^fantasma@test.example\thard-bounce' supp1.out || fail "fantasma not suppressed"
[[ $(wc -l <supp1.out) == 2 ]] || fail "suppressed: $(cat supp1.out)"
"$MAILER" status aviso-uno --format json >status2.json
/usr/bin/python3 - <<'PY' || fail "ledger after fetch"
import json, sqlite3
m = json.load(open("status2.json"))[0]
assert m["bounced"] == 2 and m["sent"] == 2, m
assert m["bounce_reasons"] == {"user unknown": 2}, m
db = sqlite3.connect("mailer.db")
rows = db.execute("""SELECT d.address, d.state, d.bounce_class, b.class, b.status, b.kind,
                            b.message_id = d.message_id, b.reason
                     FROM bounces b JOIN deliveries d ON d.id = b.delivery_id
                     ORDER BY d.address""").fetchall()
assert rows == [("fantasma@test.example", "bounced", "hard", "hard", "5.1.1", "bounce", 1,
                 "user unknown"),
                ("nadie@test.example", "bounced", "hard", "hard", "5.1.1", "bounce", 1,
                 "user unknown")], rows
PY
[[ $(inbox) == 0 && $(folder Procesados) == 2 ]] ||
    fail "after fetch: inbox $(inbox), Procesados $(folder Procesados)"
lap "fetch 1 (2 DSNs)"

# 6. A «baja» reply from beto, to the unsubscribe address: into Bajas...
cat >"$work/baja.eml" <<EOF
From: Beto <Beto@test.example>
To: bounces@bounces.example
Subject: Re: Aviso para Beto
In-Reply-To: <$(/usr/bin/python3 -c 'import sqlite3; print(sqlite3.connect("mailer.db").execute("SELECT message_id FROM deliveries WHERE address=\"beto@test.example\"").fetchone()[0])')>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Quiero darme de baja, por favor.

> Hola, Beto.
EOF
install -o 65534 -g 65534 -m 600 "$work/baja.eml" "$POSTFIX_MAILDIR/.Bajas/new/$(date +%s).baja.test:2,"
# ... and an ordinary question, which is for a person (Revisar).
printf 'From: Ana <ana@test.example>\nTo: bounces@bounces.example\nSubject: Re: Aviso para Ana\n\n¿Cuándo es la próxima reunión?\n' >"$work/pregunta.eml"
install -o 65534 -g 65534 -m 600 "$work/pregunta.eml" "$POSTFIX_MAILDIR/new/$(date +%s).pregunta.test:2,"
# Not a terminal, no -v: it speaks because a person is needed.
"$MAILER" bounces fetch >fetch2.out 2>&1 || fail "fetch 2: $(cat fetch2.out)"
grep -q "2 new messages: 0 bounces (0 hard, 0 soft), 0 complaints, 1 unsubscribe, 0 autoreplies, 1 for a person" fetch2.out ||
    fail "fetch 2 said: $(cat fetch2.out)"
[[ $(folder Revisar) == 1 ]] || fail "the question is not in Revisar"
[[ $(folder Bajas) == 0 ]] || fail "the «baja» was left in Bajas"
"$MAILER" suppress list | grep -c '^ana@' > /dev/null && fail "a question unsubscribed its sender"
"$MAILER" suppress list | grep -c $'^beto@test.example\tunsubscribe' > /dev/null || fail "beto not unsubscribed"
lap "fetch 2 (baja)"

# 7. A third fetch finds nothing new and prints nothing (cron).
out=$("$MAILER" bounces fetch 2>&1) || fail "fetch 3: $out"
[[ -z $out ]] || fail "fetch 3 printed: $out"
[[ $(/usr/bin/python3 -c 'import sqlite3; print(sqlite3.connect("mailer.db").execute("SELECT count(*) FROM bounces").fetchone()[0])') == 3 ]] ||
    fail "bounces rows counted twice"

# 7b. A run killed after its commit but before the move leaves a handled
# message in INBOX with its UID recorded: the next run files it, and counts
# nothing twice. (Simulated: a copy of a DSN already counted arrives, and the
# ledger is told its UID was handled.)
dsn=$(find "$POSTFIX_MAILDIR/.Procesados" -path '*/cur/*' -o -path '*/new/*' | sed -n 1p)
install -o 65534 -g 65534 -m 600 "$dsn" "$POSTFIX_MAILDIR/new/$(date +%s).killed.test:2,"
/usr/bin/python3 - <<'PY' || fail "could not simulate the killed run"
import sqlite3
db = sqlite3.connect("mailer.db")
n = db.execute("UPDATE imap_state SET last_uid = last_uid + 1"
               " WHERE mailbox LIKE '%/INBOX'").rowcount
db.commit()
assert n == 1, n
PY
"$MAILER" bounces fetch >fetch4.out 2>&1 || fail "fetch 4: $(cat fetch4.out)"
[[ -z $(cat fetch4.out) ]] || fail "fetch 4 counted the handled message: $(cat fetch4.out)"
[[ $(inbox) == 0 ]] || fail "the handled message was not filed"
[[ $(/usr/bin/python3 -c 'import sqlite3; print(sqlite3.connect("mailer.db").execute("SELECT count(*) FROM bounces").fetchone()[0])') == 3 ]] ||
    fail "the handled message was counted again"
lap "killed run recovered"

# 8. The next campaign skips the two dead addresses and the unsubscribed one.
"$MAILER" send aviso-dos >send2.out 2>&1 || fail "send aviso-dos: $(cat send2.out)"
"$MAILER" status aviso-dos --format json >status3.json
/usr/bin/python3 - <<'PY' || fail "second campaign audience: $(cat status3.json)"
import json, sqlite3
m = json.load(open("status3.json"))[0]
assert m["total"] == 1 and m["sent"] == 1, m
db = sqlite3.connect("mailer.db")
rows = db.execute("SELECT address FROM deliveries d JOIN mailings m ON m.id = d.mailing_id"
                  " WHERE m.campaign = 'aviso-dos'").fetchall()
assert rows == [("ana@test.example",)], rows
PY
lap "campaign 2 skipped 3 addresses"

# 9. Nothing lost: every message Postfix or we put in the Maildir is in a folder.
postfix_wait_queue_empty 30 || fail "postfix queue not empty"
total=$(($(inbox) + $(folder Procesados) + $(folder Revisar)))
[[ $total == 5 && $(folder Procesados) == 4 && $(folder Revisar) == 1 ]] ||
    fail "messages: inbox $(inbox), Procesados $(folder Procesados), Revisar $(folder Revisar)"

# 9b. Per mailing: hard and soft bounces and unsubscribes (the query the
# quarterly report can use).
/usr/bin/python3 - <<'PY' || fail "per-mailing bounce query"
import sqlite3
db = sqlite3.connect("mailer.db")
rows = db.execute("""
  SELECT m.campaign,
         sum(d.state = 'bounced' AND d.bounce_class = 'hard') AS hard,
         sum(d.state = 'bounced' AND d.bounce_class = 'soft') AS soft,
         (SELECT count(DISTINCT b.address) FROM bounces b
            JOIN deliveries d2 ON d2.id = b.delivery_id
           WHERE d2.mailing_id = m.id AND b.kind = 'unsubscribe') AS unsubscribed
    FROM mailings m JOIN deliveries d ON d.mailing_id = m.id
   GROUP BY m.id ORDER BY m.id""").fetchall()
assert rows == [("aviso-uno", 2, 0, 1), ("aviso-dos", 0, 0, 0)], rows
PY

# 9b. The quarterly report shows them: Rebotados (hard) and Bajas of the first mailing.
q=$(/usr/bin/python3 -c 'import datetime; d=datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=-6))); print(f"{d.year}Q{(d.month-1)//3+1}")')
"$MAILER" report --quarter "$q" --format json >report.json || fail "report"
/usr/bin/python3 - <<'PY' || fail "report: $(cat report.json)"
import json
r = json.load(open("report.json"))
rows = [row for a in r["audiences"] for row in a["rows"]]
assert len(rows) == 2, rows
first = rows[0]
assert first["rebotados"] == 2 and first["entregados"] == 4 and first["bajas"] == 1, first
PY

# 10. People may lift a suppression; a hard bounce needs --force.
code=0
"$MAILER" suppress remove nadie@test.example >rm.out 2>&1 || code=$?
[[ $code == 65 ]] || fail "removing a hard bounce without --force: exit $code"
"$MAILER" suppress remove --force nadie@test.example || fail "suppress remove --force"
"$MAILER" suppress remove beto@test.example || fail "suppress remove (unsubscribe)"
lap "done"
echo "test_bounces_e2e: ok"
