#!/usr/bin/env bash
# test_first_run - a new home cannot surprise anyone: the sample campaigns
# are paused, so `due` sends nothing and says nothing; without a .env (or
# with SMTP_URL empty) a send or a test send is refused before the audience
# is frozen, naming the .env looked for (exit 78, the ledger holds no
# mailing); a server that cannot be reached is named with its port, for a
# test send (69, «the test was not sent») as for a real one (69).
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
home=$work/home
mkdir -p "$home"
cp -r "$SOURCE_DIR/campaigns" "$SOURCE_DIR/contacts" "$SOURCE_DIR/templates" "$SOURCE_DIR/.env.example" "$home/"
for v in $(env | sed -n 's/^\(SMTP_[A-Z_]*\|MAILER_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
cd "$home"
export MAILER_NOW=2026-12-09T16:00:00Z # every sample's time has come
mailings() { /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM mailings").fetchone()[0])' var/mailer.db; }

# A fresh home: nothing due, nothing said.
code=0; "$MAILER" -q due > due.out 2>&1 || code=$?
[ "$code" = 0 ] && [ ! -s due.out ] || fail "due on a fresh home: exit $code: $(cat due.out)"
[ "$(mailings)" = 0 ] || fail "due on a fresh home made a mailing"

# No .env: said with the file looked for, before anything is frozen.
for args in "send podcast-voto-chilango --edition 2026-11" \
    "send podcast-voto-chilango --edition 2026-11 --test-to yo@iecm.example"; do
    code=0; "$MAILER" $args > out 2>&1 || code=$?
    [ "$code" = 78 ] && grep -q "no SMTP server is configured: there is no $home/.env" out ||
        fail "$args without .env: exit $code: $(cat out)"
done
[ "$(mailings)" = 0 ] || fail "a send without .env froze an audience"
# A copied .env.example whose SMTP_URL is still empty: the same, naming the file.
cp .env.example .env
code=0; "$MAILER" send podcast-voto-chilango --edition 2026-11 > out 2>&1 || code=$?
[ "$code" = 78 ] && grep -q "SMTP_URL is missing or empty in $home/.env" out ||
    fail "empty SMTP_URL: exit $code: $(cat out)"
[ "$(mailings)" = 0 ] || fail "a send with an empty SMTP_URL froze an audience"

# A server that does not answer: named, with its port.
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -i "s#^SMTP_URL=.*#SMTP_URL=smtp://127.0.0.1:$port#" .env
code=0; "$MAILER" send podcast-voto-chilango --edition 2026-11 --test-to yo@iecm.example > out 2>&1 || code=$?
[ "$code" = 69 ] && grep -q "the SMTP server smtp://127.0.0.1:$port could not be reached (.*); the test was not sent" out ||
    fail "test send to a closed port: exit $code: $(cat out)"
code=0; "$MAILER" send podcast-voto-chilango --edition 2026-11 > out 2>&1 || code=$?
[ "$code" = 69 ] && grep -q "the SMTP server smtp://127.0.0.1:$port could not be reached" out ||
    fail "send to a closed port: exit $code: $(cat out)"
echo "ok: a fresh home sends nothing; no .env, an empty SMTP_URL and an unreachable server are said"
