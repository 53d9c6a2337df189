#!/usr/bin/env bash
# test_security - the promises of SECURITY.md about secrets, TLS and paths,
# through the real `mailer` binary and real servers on loopback:
#  1. certificate verification: a server with a certificate for another host,
#     or an expired one (both signed by the trusted test CA), is refused with
#     a clear message and exit 78, and nothing is sent;
#  2. no AUTH over plain SMTP except to loopback: SMTP_TLS=none with
#     SMTP_USER to a non-loopback host is refused before connecting;
#  3. passwords never in argv (no flag takes one) and never printed: `mailer
#     -v send`, `mailer -v -v send` (SMTP dialogue) and `mailer config` do not
#     show a distinctive password, in clear or base64 (AUTH PLAIN / LOGIN);
#     the ledger does not hold it either, and is created mode 600;
#  4. a .env holding a password readable by others is refused (78);
#  5. paths from campaign files stay in the mailer home: a content file or an
#     attachment that is a symbolic link to a file outside is refused by
#     `mailer check` and `mailer send --dry-run` (nothing written);
#     attachments too big for a 25 MB message are refused by `mailer check`;
#  6. --test-to with more than 64 addresses is a usage error (64).
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"
. "$SOURCE_DIR/tests/servers/lib.sh"

work=$(mktemp -d)
trap 'capture_cleanup; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

PW='Zq9-pw-Chilango-7781-secreto'
home=$work/home
mkdir -p "$home/campaigns" "$home/contacts" "$home/templates" "$home/content" "$home/files"
cat > "$home/campaigns/aviso.ini" <<'INI'
[campaign]
name = Aviso
kind = invitation
subject = Aviso para {{nombre}}
lists = gente
template = aviso
from = Voto Chilango <votochilango@votochilango.example>
edition = once
INI
printf 'Hola, {{nombre}}.\n' > "$home/templates/aviso.txt.mustache"
printf '<p>Hola, {{nombre}}.</p>\n' > "$home/templates/aviso.html.mustache"
printf 'nombre,email\nAna,ana@example.org\nLuis,luis@example.org\n' > "$home/contacts/gente.csv"

# A generous timeout: under valgrind on a loaded machine a TLS handshake
# can take seconds, and a timeout would be a deferral (75), not the 78 wanted.
export MAILER_HOME=$home MAILER_NOW=2026-11-22T16:00:00Z SMTP_TIMEOUT=60s
unset SMTP_PASSWORD SMTP_USER CA_FILE SMTP_URL SMTP_TLS 2>/dev/null || true
cd "$work"

# --- 1. certificate verification -----------------------------------------
for kind in wronghost expired; do
    certs=$work/$kind.srv/certs
    bash "$SOURCE_DIR/tests/servers/make_certs.sh" "$certs"
    capture_start "$work/$kind" --cert "$certs/$kind.pem" --key "$certs/$kind.key" --require-tls \
        --auth "demo:$PW"
    code=0
    SMTP_URL="smtp://127.0.0.1:$CAPTURE_PORT" CA_FILE=$certs/ca.pem SMTP_USER=demo \
        SMTP_PASSWORD=$PW MAILER_DB=$work/$kind.db \
        "$MAILER" send aviso > "$kind.out" 2>&1 || code=$?
    [ "$code" = 78 ] || fail "$kind certificate: exit $code: $(cat "$kind.out")"
    grep -qiE "certificate|TLS" "$kind.out" || fail "$kind: no clear message: $(cat "$kind.out")"
    [ "$(capture_count)" = 0 ] || fail "$kind: a message went out over an unverified connection"
    ! grep -q " auth " "$CAPTURE_LOG" || fail "$kind: credentials were sent: $(cat "$CAPTURE_LOG")"
    ! grep -qF "$PW" "$kind.out" || fail "$kind: password printed"
    echo "ok: $kind certificate refused (78), nothing sent: $(grep -iE 'certificate|TLS' "$kind.out" | sed -n 1p)"
done

# --- 2. no AUTH over plain SMTP except to loopback --------------------------
start=$(date +%s%N)
code=0
SMTP_URL=smtp://192.0.2.25:25 SMTP_TLS=none SMTP_USER=demo SMTP_PASSWORD=$PW SMTP_TIMEOUT=30s \
    MAILER_DB=$work/plain.db "$MAILER" send aviso > plain.out 2>&1 || code=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$code" = 78 ] || fail "plaintext AUTH to 192.0.2.25: exit $code: $(cat plain.out)"
grep -q "refusing to send credentials over plain SMTP" plain.out || fail "message: $(cat plain.out)"
# SMTP_TIMEOUT is 30 s: an attempt to connect to TEST-NET-1 would take that long.
(( ms < 20000 )) || fail "took ${ms} ms: it tried to connect"
echo "ok: plain AUTH to a non-loopback host refused before connecting (${ms} ms)"

# --- 3. passwords: never a flag, never printed --------------------------------
! grep -qiE '"[a-z-]*pass[a-z-]*"' "$SOURCE_DIR"/mailer/cli/*.c ||
    fail "a command-line option names a password: $(grep -iE '"[a-z-]*pass[a-z-]*"' "$SOURCE_DIR"/mailer/cli/*.c)"
for cmd in "" send check preview config due; do
    "$MAILER" $cmd --help 2>&1 | grep -ciE -- '--[a-z-]*pass' > /dev/null && fail "mailer $cmd --help offers a password flag"
done
code=0; "$MAILER" --password "$PW" config > /dev/null 2>&1 || code=$?
[ "$code" = 64 ] || fail "--password accepted (exit $code)"

capture_start "$work/ok" --auth "demo:$PW" --require-tls
export SMTP_URL="smtp://127.0.0.1:$CAPTURE_PORT" CA_FILE=$CAPTURE_CA SMTP_USER=demo
printf 'SMTP_PASSWORD=%s\n' "$PW" > "$work/secret.env"
chmod 600 "$work/secret.env"
b64() { printf '%b' "$1" | base64 -w0; }
needles=("$PW" "$(b64 "\0demo\0$PW")" "$(b64 "$PW")" "$(b64 "demo\0$PW")")
check_clean() { # FILE WHAT
    local n
    for n in "${needles[@]}"; do
        ! grep -aqF -- "$n" "$1" || fail "$2 shows the password (as \"$n\")"
    done
}
MAILER_DB=$work/v.db "$MAILER" --env "$work/secret.env" -v send aviso > v.out 2>&1 ||
    fail "-v send: $(cat v.out)"
[ "$(capture_count)" = 2 ] || fail "-v send delivered $(capture_count) of 2"
check_clean v.out "mailer -v send"
grep -q "auth PLAIN\|auth LOGIN" "$CAPTURE_LOG" || fail "no AUTH happened: $(cat "$CAPTURE_LOG")"
MAILER_DB=$work/vv.db "$MAILER" --env "$work/secret.env" -v -v send aviso > vv.out 2>&1 ||
    fail "-v -v send: $(cat vv.out)"
grep -q '> AUTH [A-Z]* \[redacted\]' vv.out || fail "-v -v shows no redacted AUTH: $(head -40 vv.out)"
grep -q '< 235' vv.out || fail "-v -v shows no SMTP dialogue: $(head -40 vv.out)"
check_clean vv.out "mailer -v -v send (SMTP dialogue)"
"$MAILER" --env "$work/secret.env" -v config > config.out 2>&1 || fail "config: $(cat config.out)"
check_clean config.out "mailer config"
check_clean "$work/v.db" "the ledger"
# The ledger (names, addresses) is readable by its owner only, its WAL too.
for f in "$work/v.db" "$work/v.db-wal"; do
    [ ! -e "$f" ] || [ "$(stat -c %a "$f")" = 600 ] || fail "$f has mode $(stat -c %a "$f")"
done
[ "$(stat -c %a "$work/v.db")" = 600 ] || fail "ledger mode"
echo "ok: the password is in no flag, not in -v / -v -v / config output, not in the ledger"

# --- 4. .env permissions ------------------------------------------------------
chmod 644 "$work/secret.env"
code=0; "$MAILER" --env "$work/secret.env" config > perm.out 2>&1 || code=$?
[ "$code" = 78 ] || fail ".env readable by others accepted (exit $code)"
grep -q "chmod 600" perm.out || fail ".env permission message: $(cat perm.out)"
chmod 600 "$work/secret.env"
echo "ok: a world-readable .env with a password is refused (78)"

# --- 5. paths from campaign files stay in the home -------------------------------
printf '# Secreto\n\nfuera del proyecto\n' > "$work/outside.md"
printf '%%PDF-1.4\n%%%%EOF\n' > "$work/outside.pdf"
ln -s "$work/outside.md" "$home/content/main.md"
cat > "$home/campaigns/fuga.ini" <<'INI'
[campaign]
name = Fuga
kind = bulletin
subject = Fuga
lists = gente
template = aviso
from = Voto Chilango <votochilango@votochilango.example>
edition = once
content = content/{edition}.md
INI
for args in "check fuga" "send fuga --dry-run --out $work/out-content"; do
    code=0; MAILER_DB=$work/paths.db "$MAILER" $args > paths.out 2>&1 || code=$?
    [ "$code" = 65 ] || fail "mailer $args with a content symlink outside: exit $code: $(cat paths.out)"
    grep -qiE "outside|fuera" paths.out || fail "mailer $args: message: $(cat paths.out)"
done
[ -z "$(ls -A "$work/out-content" 2>/dev/null)" ] || fail "dry run wrote messages"
rm "$home/content/main.md"
printf '# Boletín\n\ndentro\n' > "$home/content/main.md"
ln -s "$work/outside.pdf" "$home/files/boletin.pdf"
printf 'attachments = files/boletin.pdf\n' >> "$home/campaigns/fuga.ini"
for args in "check fuga" "send fuga --dry-run --out $work/out-attach"; do
    code=0; MAILER_DB=$work/paths.db "$MAILER" $args > paths.out 2>&1 || code=$?
    [ "$code" = 65 ] || fail "mailer $args with an attachment symlink outside: exit $code: $(cat paths.out)"
done
[ -z "$(ls -A "$work/out-attach" 2>/dev/null)" ] || fail "dry run wrote messages"
# the same files inside the home are fine
rm "$home/files/boletin.pdf"
cp "$work/outside.pdf" "$home/files/boletin.pdf"
MAILER_DB=$work/paths.db "$MAILER" check fuga > paths.out 2>&1 || fail "inside: $(cat paths.out)"
echo "ok: content and attachment symlinks leaving the home are refused (65)"

# --- 5b. message size: attachments that cannot fit in 25 MB, caught by check ---------
truncate -s 20M "$home/files/boletin.pdf"
code=0; MAILER_DB=$work/paths.db "$MAILER" check fuga > size.out 2>&1 || code=$?
[ "$code" = 65 ] || fail "20 MB attachment: check exit $code: $(cat size.out)"
grep -q "25 MB" size.out || fail "size message: $(cat size.out)"
cp "$work/outside.pdf" "$home/files/boletin.pdf"
echo "ok: attachments over the 25 MB message limit are refused by mailer check (65)"

# --- 6. recipients of a test send -----------------------------------------------
many=$(seq -s, -f 'prueba%g@example.org' 65)
code=0; MAILER_DB=$work/t.db "$MAILER" send aviso --test-to "$many" > many.out 2>&1 || code=$?
[ "$code" = 64 ] || fail "65 --test-to addresses: exit $code"
grep -q "at most 64" many.out || fail "--test-to message: $(cat many.out)"
echo "ok: --test-to beyond 64 addresses is refused (64)"
echo "test_security: ok"
