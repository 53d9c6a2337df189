#!/usr/bin/env bash
# test_send_e2e - the first real path through the whole design: campaign file,
# contact CSV, templates, MIME, SMTP with STARTTLS and AUTH to a real server on
# loopback, the SQLite ledger, the report; every received message checked with
# Python's email package and against the ledger.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"
. "$SOURCE_DIR/tests/servers/lib.sh"

work=$(mktemp -d)
trap 'capture_cleanup; rm -rf "$work"' EXIT
capture_start "$work/outbox" --auth demo:s3cret --require-tls

export SMTP_URL="smtp://127.0.0.1:$CAPTURE_PORT" SMTP_USER=demo SMTP_PASSWORD=s3cret
export CA_FILE=$CAPTURE_CA MAILER_DB=$work/mailer.db MAILER_HOME=$SOURCE_DIR
export MAILER_NOW=2026-11-22T16:00:00Z
cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }

"$MAILER" check corazon-chilango --edition 2026-11 > check.out || fail "check: $(cat check.out)"
grep -q "51 recipients" check.out || fail "check audience: $(cat check.out)"

"$MAILER" send corazon-chilango --edition 2026-11 > send.out 2> send.err ||
    fail "send exited $?: $(cat send.err)"

/usr/bin/python3 "$SOURCE_DIR/tests/integration/check_messages.py" \
    --dir "$work/outbox" --db "$MAILER_DB" --campaign corazon-chilango --edition 2026-11 \
    --subject "Corazón Chilango · Boletín de noviembre de 2026" --from-name "Voto Chilango" \
    --contacts "$SOURCE_DIR/contacts/diaspora.csv" --expect 51

# Run twice, send once: a finished edition is a quiet no-op.
before=$(ls "$work/outbox"/*.eml | wc -l)
out=$("$MAILER" send corazon-chilango --edition 2026-11 2>&1) || fail "second send failed: $out"
[ -z "$out" ] || fail "second send printed: $out"
after=$(ls "$work/outbox"/*.eml | wc -l)
[ "$before" = "$after" ] || fail "second send delivered again ($before -> $after)"

# The ledger and status agree with the server.
"$MAILER" status --format json > status.json
/usr/bin/python3 - "$before" <<'PY'
import json, sys
s = json.load(open("status.json"))
m = [x for x in s if x["campaign"] == "corazon-chilango"][0]
assert m["state"] == "complete", m
assert m["sent"] == int(sys.argv[1]) == m["total"], m
PY

# The quarterly report counts what was delivered.
"$MAILER" report --quarter 2026Q4 > report.txt
grep -q "Domingo 22 de noviembre de 2026" report.txt || fail "report date: $(cat report.txt)"
grep -q "Boletín informativo noviembre de 2026" report.txt || fail "report title: $(cat report.txt)"
grep -Eq "^Total +1 comunicación +51 +51 +0 +0 +0 *$" report.txt || fail "report counts: $(cat report.txt)"
# the sentence of campaigns/informe.conf, with the mailbox the send recorded (its From)
grep -q "se distribuyó, mediante el correo de votochilango@votochilango.example, una (1) comunicación a la base de contactos de Voto Chilango." report.txt ||
    fail "report sentence: $(cat report.txt)"

# A wrong password is a configuration error (78) and sends nothing.
SMTP_PASSWORD=wrong "$MAILER" send vota-film-fest > /dev/null 2> bad.err && fail "bad password accepted"
code=0; SMTP_PASSWORD=wrong "$MAILER" send vota-film-fest > /dev/null 2>&1 || code=$?
[ "$code" = 78 ] || fail "bad password exit $code: $(cat bad.err)"
grep -qi "password" bad.err || fail "bad password message: $(cat bad.err)"
# VERP: the envelope sender names the delivery; the From stays the campaign's.
BOUNCE_ADDRESS=rebotes@votochilango.example BOUNCE_VERP=yes \
    "$MAILER" send podcast-voto-chilango --edition 2026-11 > /dev/null 2>&1 || fail "VERP send"
/usr/bin/python3 - "$work/outbox" <<'PY'
import email, email.policy, glob, json, sys
n = 0
for j in glob.glob(sys.argv[1] + "/*.json"):
    env = json.load(open(j))
    if not env["mail_from"].startswith("rebotes"):
        continue
    msg = email.message_from_bytes(open(j[:-5] + ".eml", "rb").read(), policy=email.policy.default)
    token = msg["Message-ID"].strip("<>").split("@")[0]
    want = f"rebotes+{token}@votochilango.example"
    assert env["mail_from"] == want, (env["mail_from"], want)
    assert msg["From"].addresses[0].addr_spec == "votochilango@votochilango.example"
    n += 1
assert n == 51, n
PY
echo "test_send_e2e: ok"
