#!/usr/bin/env bash
# test_kill_resume - crash safety (DESIGN §3 step 7): a 2,000-message mailing
# killed with SIGKILL at random moments 20 times, then resumed. No contact
# gets the mailing twice except uncertain deliveries re-sent on purpose
# (--resend-uncertain), none is missed, and the ledger agrees with what the
# server received. Then SIGTERM: the run finishes what is in flight, records
# it, and exits 75.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"
. "$SOURCE_DIR/tests/servers/lib.sh"

work=$(mktemp -d)
trap 'capture_cleanup; rm -rf "$work"' EXIT
capture_start "$work/outbox" --no-tls
home=$work/home
mkdir -p "$home/campaigns" "$home/contacts" "$home/templates"
cat > "$home/campaigns/aviso.ini" <<'INI'
[campaign]
name = Aviso de prueba
kind = invitation
subject = Aviso para {{nombre}}
lists = masiva
template = aviso
from = Voto Chilango <votochilango@votochilango.example>
edition = once
INI
printf 'Hola, {{nombre}}.\n' > "$home/templates/aviso.txt.mustache"
printf '<html><body><p>Hola, {{nombre}}.</p></body></html>\n' > "$home/templates/aviso.html.mustache"
/usr/bin/python3 - "$home/contacts/masiva.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("Nombre,Correo\n")
    for i in range(2000):
        f.write(f"Persona {i},persona{i:04d}@example.org\n")
PY
# A steady 200/s keeps every one of the 20 runs busy when it is killed.
export SMTP_URL="smtp://127.0.0.1:$CAPTURE_PORT" SMTP_TLS=none SMTP_CONCURRENCY=4 SMTP_RATE=200/s
export MAILER_DB=$work/mailer.db MAILER_HOME=$home
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

# (read-only: a run killed before it made the ledger must not find an empty
# file, which the mailer rightly refuses, made by this probe)
uncertain_now() {
    /usr/bin/python3 -c '
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for (a,) in db.execute("SELECT address FROM deliveries WHERE state = '"'"'sending'"'"'"):
    print(a)' "$MAILER_DB" 2>/dev/null || true
}

: > uncertain.txt
kills=0
for i in $(seq 1 20); do
    "$MAILER" send aviso > /dev/null 2>&1 &
    pid=$!
    sleep "0.$((RANDOM % 6 + 1))$((RANDOM % 10))"
    kill -9 "$pid" 2>/dev/null && kills=$((kills + 1)) || true
    wait "$pid" 2>/dev/null || true
    uncertain_now >> uncertain.txt
done
echo "killed $kills runs; $(sort -u uncertain.txt | wc -l) deliveries were uncertain at some point"
[ "$kills" = 20 ] || fail "only $kills of 20 runs were still sending when killed"

# Resume: the plain run leaves uncertain ones alone (exit 75 while they remain).
code=0; SMTP_RATE= "$MAILER" send aviso > resume.out 2>&1 || code=$?
if [ -s uncertain.txt ] && [ "$(uncertain_now | wc -l)" -gt 0 ]; then
    [ "$code" = 75 ] || fail "resume with uncertain deliveries exited $code: $(cat resume.out)"
    grep -q "uncertain" resume.out || fail "resume did not mention the uncertain deliveries"
    SMTP_RATE= "$MAILER" send aviso --resend-uncertain > /dev/null 2>&1 || fail "resend-uncertain"
fi
"$MAILER" status aviso --format json > status.json
/usr/bin/python3 - "$work" <<'PY'
import collections, glob, json, sqlite3, sys
work = sys.argv[1]
uncertain = set(open(work + "/uncertain.txt").read().split())
got = collections.Counter()
mids = {}
for j in glob.glob(work + "/outbox/*.json"):
    rcpt = json.load(open(j))["rcpt_tos"][0]
    got[rcpt] += 1
    for line in open(j[:-5] + ".eml", "rb").read().split(b"\r\n"):
        if line.lower().startswith(b"message-id:"):
            mids.setdefault(rcpt, set()).add(line.split(b":", 1)[1].strip().decode())
want = {f"persona{i:04d}@example.org" for i in range(2000)}
missed = want - set(got)
assert not missed, f"{len(missed)} contacts never got the mailing, e.g. {sorted(missed)[:3]}"
twice = {a for a, n in got.items() if n > 1}
assert twice <= uncertain, f"duplicates that were never uncertain: {sorted(twice - uncertain)[:5]}"
assert all(len(v) == 1 for v in mids.values()), "a re-send carried a different Message-ID"
db = sqlite3.connect(work + "/mailer.db")
rows = dict(db.execute("SELECT address, state FROM deliveries"))
assert len(rows) == 2000 and set(rows.values()) == {"sent"}, collections.Counter(rows.values())
s = [m for m in json.load(open(work + "/status.json"))][0]
assert s["state"] == "complete" and s["sent"] == 2000, s
print(f"kill test: 2000 contacts, {len(twice)} duplicates (all uncertain, re-sent on purpose), none missed")
PY

# SIGTERM: finish what is in flight, record it, exit 75; the next run completes.
sed -i 's/^name = .*/name = Aviso dos/' "$home/campaigns/aviso.ini"
cp "$home/campaigns/aviso.ini" "$home/campaigns/aviso2.ini"
"$MAILER" send aviso2 > term.out 2>&1 &
pid=$!
sleep 0.5
# Two runs of one mailing never overlap: the second says who holds it.
code=0; "$MAILER" send aviso2 > second.out 2>&1 || code=$?
[ "$code" = 75 ] || fail "a second run of the same mailing exited $code: $(cat second.out)"
grep -q "already running (pid $pid on" second.out || fail "lock message: $(cat second.out)"
kill -TERM "$pid"
code=0; wait "$pid" || code=$?
if [ "$code" != 0 ]; then
    [ "$code" = 75 ] || fail "SIGTERM exit $code: $(cat term.out)"
    [ "$(uncertain_now | wc -l)" = 0 ] || fail "SIGTERM left uncertain deliveries"
    grep -q "stopped by a signal" term.out || fail "SIGTERM message: $(cat term.out)"
fi
"$MAILER" send aviso2 > /dev/null 2>&1 || fail "resume after SIGTERM"

# The hand-off journal: a run killed with messages queued behind its
# connections. A relay that takes 5 s to accept each message keeps both
# connections busy, two more messages wait in the transport's queue, all
# four committed `sending`. After the kill, `status` puts back to pending the
# two never started: exactly the two being transmitted stay uncertain.
fast_url="smtp://127.0.0.1:$CAPTURE_PORT"
capture_start "$work/outbox3" --no-tls --data-delay 5
cp "$home/campaigns/aviso.ini" "$home/campaigns/aviso3.ini"
/usr/bin/python3 - "$home/contacts/pocos.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("Nombre,Correo\n")
    for i in range(20):
        f.write(f"Persona {i},pocos{i:02d}@example.org\n")
PY
sed -i 's/^lists = .*/lists = pocos/' "$home/campaigns/aviso3.ini"
count_state() {
    /usr/bin/python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT count(*) FROM deliveries d JOIN mailings m ON m.id = d.mailing_id"
                 " WHERE m.campaign = ? AND d.state = ?", (sys.argv[2], sys.argv[3])).fetchone()[0])
' "$MAILER_DB" "$1" "$2"
}
slow_url="smtp://127.0.0.1:$CAPTURE_PORT"
kill_slow_run() { # two connections busy, two messages queued: kill -9
    local opened pid
    opened=$(grep -c ' open ' "$CAPTURE_LOG" 2>/dev/null || true)
    SMTP_URL=$slow_url SMTP_CONCURRENCY=2 SMTP_RATE= "$MAILER" send aviso3 > /dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        [ "$(grep -c ' open ' "$CAPTURE_LOG" 2>/dev/null || true)" -ge $((opened + 2)) ] && break
        sleep 0.05
    done
    sleep 1
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true
}
kill_slow_run
marked=$(count_state aviso3 sending)
[ "$marked" = 4 ] || fail "expected 2 messages being sent and 2 queued, all sending; the ledger has $marked sending"
journals() { find "$work" -name '*.handoff' | wc -l; }
[ "$(journals)" = 1 ] || fail "no hand-off journal left by the killed run"
"$MAILER" status aviso3 --format json > status3.json
/usr/bin/python3 - status3.json <<'PY' || fail "status after the kill: $(cat status3.json)"
import json, sys
s = json.load(open(sys.argv[1]))[0]
assert s["uncertain"] == 2, s
assert s["pending"] == 18, s
print("hand-off journal: 4 marked sending, 2 started; after the kill 2 uncertain, 2 back to pending")
PY
[ "$(journals)" = 0 ] || fail "the journal was not removed after recovery"

# The same recovery when the next run is a send: it says so (-v), sends the
# two put back with the rest, and leaves only the uncertain ones.
kill_slow_run
[ "$(count_state aviso3 sending)" = 6 ] || fail "second kill: $(count_state aviso3 sending) sending, expected 6"
code=0; SMTP_URL=$fast_url SMTP_RATE= "$MAILER" -v send aviso3 > resume3.out 2>&1 || code=$?
[ "$code" = 75 ] || fail "send after the kill exited $code: $(cat resume3.out)"
grep -q "aviso3 main: 2 messages were still queued when the last run stopped" resume3.out ||
    fail "send did not report the messages put back: $(cat resume3.out)"
[ "$(count_state aviso3 sending)" = 4 ] || fail "after the resume: $(count_state aviso3 sending) uncertain, expected 4"
[ "$(count_state aviso3 pending)" = 0 ] || fail "after the resume: $(count_state aviso3 pending) pending"
[ "$(journals)" = 0 ] || fail "the send left a journal"
echo "test_kill_resume: ok"
