#!/usr/bin/env bash
# test_cron - what cron (`mailer due` on a MAILER_NOW clock) finishes and
# refuses: an edition sent by hand with deferred deliveries is continued by
# `due` once their time has come; a ledger truncated to 0 bytes or a file
# that is not a ledger is refused and nothing is sent; two test sends in the
# same second are both delivered and a failed one ends failed; two ledgers
# never give the same Message-ID; a scheduled edition whose content is
# missing is reported once a day and can be skipped with `unschedule`.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"
. "$SOURCE_DIR/tests/servers/lib.sh"

work=$(mktemp -d)
trap 'capture_cleanup; rm -rf "$work"' EXIT
capture_start "$work/outbox" --auth demo:s3cret
home=$work/home
mkdir -p "$home/campaigns" "$home/contacts" "$home/templates"
cat > "$home/campaigns/aviso.ini" <<INI
[campaign]
name = Aviso
kind = invitation
subject = Aviso
lists = aviso
template = aviso
from = Voto Chilango <votochilango@votochilango.example>
edition = once
INI
printf 'Hola, {{nombre}}.\n' > "$home/templates/aviso.txt.mustache"
printf '<html><body><p>Hola, {{nombre}}.</p></body></html>\n' > "$home/templates/aviso.html.mustache"
{
    echo "nombre,email"
    for a in uno dos tres tflakya tflakyb; do echo "Persona $a,$a@example.org"; done
} > "$home/contacts/aviso.csv"
export SMTP_URL="smtp://127.0.0.1:$CAPTURE_PORT" CA_FILE=$CAPTURE_CA SMTP_USER=demo SMTP_PASSWORD=s3cret
export MAILER_DB=$work/mailer.db MAILER_HOME=$home
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
# mstate CAMPAIGN EDITION: "state sent deferred pending" of a real mailing
mstate() {
    "$MAILER" status "$1" --edition "$2" --format json | /usr/bin/python3 -c '
import json, sys
rows = [m for m in json.load(sys.stdin) if not m["test"]]
print(" ".join(str(rows[0][k]) for k in ("state", "sent", "deferred", "pending")) if rows else "none")'
}

# 1. Sent by hand: two deliveries deferred (451 the first time), exit 75.
code=0; MAILER_NOW=2026-11-22T16:00:00Z "$MAILER" send aviso > hand.out 2>&1 || code=$?
[ "$code" = 75 ] || fail "hand send exit $code: $(cat hand.out)"
[ "$(mstate aviso main)" = "sending 3 2 0" ] || fail "after the hand send: $(mstate aviso main)"
[ "$(capture_count)" = 3 ] || fail "hand send delivered $(capture_count)"
# A minute later the retries are not due: `due` lists nothing, sends nothing, says nothing.
MAILER_NOW=2026-11-22T16:01:00Z "$MAILER" due --dry-run > dry1.out
[ ! -s dry1.out ] || fail "due listed what is not due: $(cat dry1.out)"
code=0; MAILER_NOW=2026-11-22T16:01:00Z "$MAILER" due > due1.out 2>&1 || code=$?
[ "$code" = 0 ] && [ ! -s due1.out ] || fail "early due: $code $(cat due1.out)"
[ "$(capture_count)" = 3 ] || fail "early due sent something"
# Two hours later they are: `due` lists the mailing and finishes it.
MAILER_NOW=2026-11-22T18:00:00Z "$MAILER" due --dry-run > dry2.out
grep -q "due: aviso main, to continue" dry2.out || fail "due --dry-run: $(cat dry2.out)"
code=0; MAILER_NOW=2026-11-22T18:00:00Z "$MAILER" -q due > due2.out 2>&1 || code=$?
[ "$code" = 0 ] || fail "due exit $code: $(cat due2.out)"
[ "$(mstate aviso main)" = "complete 5 0 0" ] || fail "after due: $(mstate aviso main)"
[ "$(capture_count)" = 5 ] || fail "due delivered $(($(capture_count) - 3)), want 2"
MAILER_NOW=2026-11-22T19:00:00Z "$MAILER" due --dry-run > dry3.out
[ ! -s dry3.out ] || fail "a complete mailing is still listed: $(cat dry3.out)"

# 2. A ledger truncated to 0 bytes is refused, naming the file; nothing is sent.
"$MAILER" backup "$work/respaldo.db" > backup.out || fail "backup: $(cat backup.out)"
: > "$MAILER_DB"
rm -f "$MAILER_DB-wal" "$MAILER_DB-shm"
before=$(capture_count)
code=0; MAILER_NOW=2026-11-22T20:00:00Z "$MAILER" send aviso > trunc.out 2>&1 || code=$?
[ "$code" = 65 ] || fail "a truncated ledger: exit $code: $(cat trunc.out)"
grep -q "$MAILER_DB: the ledger is empty" trunc.out || fail "truncated ledger message: $(cat trunc.out)"
code=0; MAILER_NOW=2026-11-22T20:00:00Z "$MAILER" due > trunc-due.out 2>&1 || code=$?
[ "$code" = 65 ] || fail "due on a truncated ledger: exit $code: $(cat trunc-due.out)"
[ "$(capture_count)" = "$before" ] || fail "a truncated ledger sent $(($(capture_count) - before))"
[ ! -s "$MAILER_DB" ] || fail "the truncated ledger was written to"
# A file that is not a ledger is refused too.
code=0; MAILER_DB=$home/contacts/aviso.csv "$MAILER" status > foreign.out 2>&1 || code=$?
[ "$code" = 65 ] && grep -q "aviso.csv: this file is not a ledger" foreign.out ||
    fail "a CSV as ledger: $code $(cat foreign.out)"
# The backup restores: the mailing is there, complete, and is not sent again.
cp "$work/respaldo.db" "$MAILER_DB"
[ "$(mstate aviso main)" = "complete 5 0 0" ] || fail "restored ledger: $(mstate aviso main)"
MAILER_NOW=2026-11-22T20:10:00Z "$MAILER" send aviso > restored.out 2>&1 || fail "send after restore"
[ "$(capture_count)" = "$before" ] || fail "the restored ledger sent again"

# 3. Two fresh ledgers give different Message-IDs for the same mailing and address.
mids() {
    /usr/bin/python3 -c '
import sqlite3, sys
print("\n".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute(
    "SELECT message_id FROM deliveries ORDER BY address")))' "$1"
}
for n in 1 2; do
    MAILER_DB=$work/fresh$n.db MAILER_NOW=2026-11-22T21:00:00Z "$MAILER" -q send aviso > /dev/null 2>&1 || true
done
[ "$(mids "$work/fresh1.db" | wc -l)" = 5 ] || fail "fresh ledger 1: $(mids "$work/fresh1.db")"
[ -z "$(comm -12 <(mids "$work/fresh1.db") <(mids "$work/fresh2.db"))" ] ||
    fail "two ledgers gave the same Message-ID: $(comm -12 <(mids "$work/fresh1.db") <(mids "$work/fresh2.db"))"
# What the server got carries the ledger's Message-ID.
grep -l "^Message-ID: <$(mids "$work/fresh2.db" | sed -n 1p)>" "$work/outbox"/*.eml > /dev/null ||
    fail "the message does not carry the ledger's Message-ID"

# 4. Two test sends in the same second are two mailings, both delivered; a
# test send refused by the server (a wrong password) ends failed, with the
# reason, not «sending ... pending 1» for ever.
export MAILER_DB=$work/tests.db
before=$(capture_count)
for i in 1 2; do
    MAILER_NOW=2026-11-22T20:00:00Z "$MAILER" -q send aviso --test-to prueba$i@example.org \
        > test$i.out 2>&1 || fail "test send $i: $(cat test$i.out)"
done
[ "$(capture_count)" = $((before + 2)) ] || fail "two test sends in one second delivered $(($(capture_count) - before))"
code=0; MAILER_NOW=2026-11-22T20:00:00Z SMTP_PASSWORD=equivocada "$MAILER" -q send aviso \
    --test-to prueba3@example.org > test3.out 2>&1 || code=$?
[ "$code" = 78 ] || fail "refused test send exit $code: $(cat test3.out)"
tests=$("$MAILER" status --format json | /usr/bin/python3 -c '
import json, sys
print(" ".join(sorted("%s:%s:%s:%s" % (m["state"], m["sent"], m["failed"], m["pending"]) for m in json.load(sys.stdin) if m["test"])))')
[ "$tests" = "complete:0:1:0 complete:1:0:0 complete:1:0:0" ] || fail "test sends: $tests"
/usr/bin/python3 -c '
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute("SELECT smtp_reply FROM deliveries WHERE address = ?", ("prueba3@example.org",)).fetchone()[0]
assert "535" in r or "login" in r, r' "$MAILER_DB" || fail "the failed test send keeps no reason"

echo "test_cron: ok"
