#!/usr/bin/env bash
# test_serve - one-click unsubscribe end to end (issue 16): a real send to the
# capture SMTP server, the List-Unsubscribe URL of a received message, the
# POST Gmail makes (real curl) to a real `mailer serve` on loopback, the
# ledger's suppression with its scope, the next mailing without the address;
# the Spanish page in headless Chromium (its screenshots read back by OCR),
# the form confirmed, undone; the
# neutral 404; hostile requests (413, 414, 405, 404, 403) with the server
# still answering; a log without addresses.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"
. "$SOURCE_DIR/tests/servers/lib.sh"

work=$(mktemp -d)
serve_pid=
cleanup() {
    [[ -n $serve_pid ]] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
    capture_cleanup
    [[ -n ${KEEP_WORK:-} ]] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
capture_start "$work/outbox" --auth demo:s3cret --require-tls

BASE=https://www.votochilango.example/baja
export SMTP_URL="smtp://127.0.0.1:$CAPTURE_PORT" SMTP_USER=demo SMTP_PASSWORD=s3cret
export CA_FILE=$CAPTURE_CA MAILER_DB=$work/mailer.db MAILER_HOME=$SOURCE_DIR
export UNSUBSCRIBE_URL=$BASE/ UNSUBSCRIBE_MAILTO=baja@votochilango.example
cd "$work"

fail() {
    echo "FAIL: $*" >&2
    [[ -f serve.log ]] && sed 's/^/serve.log: /' serve.log >&2
    exit 1
}
db() { sqlite3 "$MAILER_DB" "$@"; }

"$MAILER" send corazon-chilango --edition 2026-11 >send.out 2>&1 || fail "send: $(cat send.out)"

# 1. Every message has its own URL, in the header and in the body.
/usr/bin/python3 - "$work/outbox" "$BASE" >urls.txt <<'PY' || fail "messages"
import email, email.policy, glob, re, sys
base = sys.argv[2]
seen = {}
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_bytes(open(f, "rb").read(), policy=email.policy.default)
    lu = str(m["List-Unsubscribe"])
    assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", f
    urls = re.findall(r"<([^>]*)>", lu)
    assert len(urls) == 2, lu
    mailto, url = urls
    tok = re.fullmatch(re.escape(base) + r"/([0-9a-f]{32})", url)
    assert tok, url
    tok = tok.group(1)
    assert mailto == f"mailto:baja+{tok}@votochilango.example?subject=unsubscribe", mailto
    to = m["To"].addresses[0].addr_spec
    assert to.split("@")[0] not in url and to not in lu, "address in the URL"
    text = m.get_body(("plain",)).get_content()
    assert url in text, "baja_url of the body is not the header's URL"
    assert tok not in seen, "two messages share a token"
    seen[tok] = to
    print(to, url)
assert len(seen) == 51, len(seen)
PY
line=$(grep '^mafer.lopez@gmail.com ' urls.txt) || fail "no message for mafer"
URL=${line#* }
TOKEN=${URL##*/}
line2=$(grep '^joseluis.hdz@hotmail.com ' urls.txt) || fail "no message for joseluis"
TOKEN2=${line2##*/}
[[ $(db "SELECT address FROM deliveries WHERE token = '$TOKEN'") == mafer.lopez@gmail.com ]] ||
    fail "the ledger does not know the token"

# 2. mailer serve on a free loopback port, as behind the reverse proxy.
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$MAILER" serve --listen "127.0.0.1:$PORT" 2>serve.log &
serve_pid=$!
for ((i = 0; i < 100; i++)); do
    grep -q 'listening on' serve.log 2>/dev/null && break
    sleep 0.05
done
grep -q 'listening on' serve.log || fail "serve did not start"
LOCAL=http://127.0.0.1:$PORT
local_url() { echo "$LOCAL${1#https://www.votochilango.example}"; }

# 3. What Gmail posts (RFC 8058), with the real curl: 200, no page, no
# redirect, no cookie; recorded at once for the message's list.
code=$(curl -s -o body.out -D head.out -w '%{http_code}' -X POST \
    -H 'Content-Type: application/x-www-form-urlencoded' --data 'List-Unsubscribe=One-Click' \
    "$(local_url "$URL")")
[[ $code == 200 ]] || fail "one-click: $code $(cat body.out)"
[[ ! -s body.out ]] || fail "one-click answered a page: $(cat body.out)"
grep -qi '^set-cookie' head.out && fail "one-click set a cookie"
grep -qi '^location' head.out && fail "one-click redirected"
grep -qi '^cache-control: no-store' head.out || fail "no Cache-Control: $(cat head.out)"
grep -qi '^x-content-type-options: nosniff' head.out || fail "no nosniff"
grep -qi "^content-security-policy: default-src 'none'" head.out || fail "no CSP"
[[ $(db "SELECT scope || '|' || reason FROM suppressions WHERE address = 'mafer.lopez@gmail.com'") == 'diaspora|unsubscribe' ]] ||
    fail "suppression: $(db 'SELECT * FROM suppressions')"
"$MAILER" suppress list | grep -c $'^mafer.lopez@gmail.com\tunsubscribe\tweb:[0-9]*\t.*\tdiaspora$' > /dev/null ||
    fail "suppress list: $("$MAILER" suppress list)"
# a replay changes nothing and is still 200 (providers retry)
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data 'List-Unsubscribe=One-Click' "$(local_url "$URL")")
[[ $code == 200 ]] || fail "replayed one-click: $code"
[[ $(db "SELECT count(*) FROM suppressions WHERE address = 'mafer.lopez@gmail.com'") == 1 ]] ||
    fail "a replay added a row"

# 4. The next mailing to that list skips the address; a list-scoped «baja»
# is not an «everything» one.
"$MAILER" send podcast-voto-chilango --edition 2026-11 >send2.out 2>&1 || fail "send 2: $(cat send2.out)"
mid=$(db "SELECT id FROM mailings WHERE campaign = 'podcast-voto-chilango'")
[[ $(db "SELECT count(*) FROM deliveries WHERE mailing_id = $mid AND address = 'mafer.lopez@gmail.com'") == 0 ]] ||
    fail "the next mailing went to the unsubscribed address"
[[ $(db "SELECT count(*) FROM deliveries WHERE mailing_id = $mid") == 50 ]] || fail "next mailing size"
"$MAILER" suppress add otra@example.org --lista red-observacion || fail "suppress add --lista"
[[ $(db "SELECT scope FROM suppressions WHERE address = 'otra@example.org'") == red-observacion ]] ||
    fail "suppress --lista scope"
"$MAILER" suppress remove otra@example.org --lista red-observacion || fail "suppress remove --lista"
[[ $(db "SELECT count(*) FROM suppressions WHERE address = 'otra@example.org'") == 0 ]] ||
    fail "suppress remove --lista"

# 4b. A «baja» while a mailing runs: the mailing honours it from its next
# group. vota-film-fest goes to 5 people, then one of those still waiting
# clicks; the rest of the run leaves that one out (state skipped, nothing
# sent to it, status says so).
"$MAILER" send vota-film-fest --limit 5 >vff1.out 2>&1 || [[ $? == 75 ]] || fail "vota-film-fest --limit: $(cat vff1.out)"
vff=$(db "SELECT id FROM mailings WHERE campaign = 'vota-film-fest' AND test = 0")
read -r waddr wtok < <(db -separator ' ' "SELECT address, token FROM deliveries WHERE mailing_id = $vff
    AND state = 'pending' AND list = 'diaspora' ORDER BY id DESC LIMIT 1")
[[ -n $wtok ]] || fail "no pending delivery of vota-film-fest: $(db "SELECT state, count(*) FROM deliveries WHERE mailing_id = $vff GROUP BY state")"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data 'List-Unsubscribe=One-Click' "$LOCAL/baja/$wtok")
[[ $code == 200 ]] || fail "one-click during the mailing: $code"
before=$(grep -l "$waddr" "$work/outbox"/*.eml 2>/dev/null | wc -l)
"$MAILER" -v send vota-film-fest >vff2.out 2>&1 || fail "vota-film-fest, the rest: $(cat vff2.out)"
[[ $(db "SELECT state FROM deliveries WHERE mailing_id = $vff AND address = '$waddr'") == skipped ]] ||
    fail "the unsubscribed recipient: $(db "SELECT state FROM deliveries WHERE mailing_id = $vff AND address = '$waddr'")"
[[ $(grep -l "$waddr" "$work/outbox"/*.eml 2>/dev/null | wc -l) == "$before" ]] ||
    fail "the mailing went to $waddr after the baja"
grep -q "1 recipient unsubscribed while the mailing ran" vff2.out || fail "send did not say it: $(cat vff2.out)"
[[ $(db "SELECT count(*) FROM deliveries WHERE mailing_id = $vff AND state IN ('pending', 'sending', 'deferred')") == 0 ]] ||
    fail "vota-film-fest not finished"
"$MAILER" status vota-film-fest | grep -q "1 not sent: unsubscribed while the mailing ran" ||
    fail "status: $("$MAILER" status vota-film-fest)"
"$MAILER" status vota-film-fest --format json | grep -q '"skipped": 1' || fail "status json skipped"

# 5. The page, in headless Chromium: the list's name and the two choices; a
# GET changes nothing.
chromium --headless --no-sandbox --disable-gpu --dump-dom "$LOCAL/baja/$TOKEN2" >page.html 2>chromium.err ||
    fail "chromium: $(tail -5 chromium.err)"
grep -q 'lang="es"' page.html || fail "page language"
grep -q 'la base de contactos de Voto Chilango' page.html || fail "page does not name the list: $(cat page.html)"
grep -q 'Solo esta lista' page.html || fail "no «solo esta lista»"
grep -q 'Todas las comunicaciones del IECM' page.html || fail "no «todas»"
grep -q 'joseluis' page.html && fail "the page shows the address"
chromium --headless --no-sandbox --disable-gpu --window-size=800,900 \
    --screenshot="$work/page.png" "$LOCAL/baja/$TOKEN2" >/dev/null 2>&1 || fail "screenshot"
[[ $(stat -c %s "$work/page.png") -gt 5000 ]] || fail "empty screenshot"
[[ $(db "SELECT count(*) FROM suppressions WHERE address = 'joseluis.hdz@hotmail.com'") == 0 ]] ||
    fail "a GET unsubscribed"

# 6. The form: another site's Origin is refused; the same origin records
# «todas»; undo takes it back.
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Origin: https://evil.example' \
    --data 'alcance=todas' "$LOCAL/baja/$TOKEN2")
[[ $code == 403 ]] || fail "cross-site form: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Sec-Fetch-Site: cross-site' \
    --data 'alcance=todas' "$LOCAL/baja/$TOKEN2")
[[ $code == 403 ]] || fail "cross-site (Sec-Fetch-Site) form: $code"
code=$(curl -s -o done.html -w '%{http_code}' -H 'Origin: https://www.votochilango.example' \
    --data 'alcance=todas' "$LOCAL/baja/$TOKEN2")
[[ $code == 200 ]] || fail "form: $code"
grep -q 'Me di de baja por error' done.html || fail "no undo on the confirmation: $(cat done.html)"
[[ $(db "SELECT scope FROM suppressions WHERE address = 'joseluis.hdz@hotmail.com'") == '*' ]] ||
    fail "form «todas»: $(db 'SELECT * FROM suppressions')"
code=$(curl -s -o undone.html -w '%{http_code}' --data 'accion=deshacer' "$LOCAL/baja/$TOKEN2")
[[ $code == 200 ]] || fail "undo: $code"
grep -q 'Su baja se deshizo' undone.html || fail "undo page: $(cat undone.html)"
[[ $(db "SELECT count(*) FROM suppressions WHERE address = 'joseluis.hdz@hotmail.com'") == 0 ]] ||
    fail "undo left the suppression"

# 6b. The same as a person does it, in a real Chromium driven by ChromeDriver:
# the page at 375 and 800 px, the form submitted by the browser itself (its
# own Origin and Sec-Fetch-Site headers), the confirmation, the undo. The
# browser reaches serve as it would through nginx: the public base is the
# origin it sees.
line3=$(grep '^paola.estrada@gmail.com ' urls.txt) || fail "no message for paola"
TOKEN3=${line3##*/}
PORT2=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
UNSUBSCRIBE_URL=http://127.0.0.1:$PORT2/baja "$MAILER" serve --listen "127.0.0.1:$PORT2" 2>serve2.log &
serve2_pid=$!
for ((i = 0; i < 100; i++)); do
    grep -q 'listening on' serve2.log 2>/dev/null && break
    sleep 0.05
done
/usr/bin/python3 "$SOURCE_DIR/tests/integration/serve_browser.py" "http://127.0.0.1:$PORT2/baja/$TOKEN3" \
    "la base de contactos de Voto Chilango" "$work" "$MAILER_DB" paola.estrada@gmail.com >browser.out 2>&1 ||
    { kill "$serve2_pid"; fail "in Chromium: $(cat browser.out)"; }
kill "$serve2_pid"
wait "$serve2_pid" || true
cat browser.out
# What a person sees, read back from the screenshots themselves (tesseract's
# OCR, Spanish): the list's name and both choices, at both widths
for w in 375 800; do
    [[ $(stat -c %s "$work/baja-$w.png") -gt 5000 ]] || fail "empty screenshot at $w px"
    tesseract "$work/baja-$w.png" - -l spa >ocr-$w.txt 2>/dev/null || fail "tesseract on baja-$w.png"
    /usr/bin/python3 - ocr-$w.txt <<'PY' || fail "the screenshot at $w px: $(cat ocr-$w.txt)"
import re, sys
seen = re.sub(r"\s+", " ", open(sys.argv[1], encoding="utf-8").read()).lower()
for want in ("base de contactos de voto chilango", "solo esta lista",
             "todas las comunicaciones del", "confirmar la baja"):
    assert want in seen, want
PY
done
echo "test_serve: the screenshots show the list's name and both choices"

# 7. One neutral 404 for an unknown token, a malformed one, another path.
nonce() { sed 's/nonce="[0-9a-f]*"//'; }
curl -s -o u1.html -w '%{http_code}' "$LOCAL/baja/0123456789abcdef0123456789abcdef" >c1
curl -s -o u2.html -w '%{http_code}' "$LOCAL/baja/${TOKEN:0:31}Z" >c2
curl -s -o u3.html -w '%{http_code}' "$LOCAL/baja/${TOKEN}00" >c3
curl -s -o u4.html -w '%{http_code}' "$LOCAL/otra/$TOKEN" >c4
curl -s -o u5.html -w '%{http_code}' -X POST --data 'List-Unsubscribe=One-Click' \
    "$LOCAL/baja/0123456789abcdef0123456789abcdef" >c5
for n in 1 2 3 4 5; do
    [[ $(cat c$n) == 404 ]] || fail "404 case $n: $(cat c$n)"
    cmp -s <(nonce <u1.html) <(nonce <u$n.html) || fail "404 page $n differs"
done
grep -q 'Este enlace no es válido' u1.html || fail "404 page text"

# 8. Test sends and dry runs carry tokens that do nothing.
"$MAILER" send vota-film-fest --test-to prueba@example.org >test.out 2>&1 || fail "test send: $(cat test.out)"
ttok=$(db "SELECT d.token FROM deliveries d JOIN mailings m ON m.id = d.mailing_id WHERE m.test = 1 LIMIT 1")
[[ ${#ttok} == 32 ]] || fail "test send token: $ttok"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data 'List-Unsubscribe=One-Click' "$LOCAL/baja/$ttok")
[[ $code == 404 ]] || fail "a test send's token: $code"
"$MAILER" send invitacion-gira-chicago --dry-run --out "$work/dry" >dry.out 2>&1 || fail "dry run: $(cat dry.out)"
dtok=$(grep -rhoE "$BASE/[0-9a-f]{32}" "$work/dry" | sed -n 1p)
[[ -n $dtok ]] || fail "dry run without a URL"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data 'List-Unsubscribe=One-Click' "$(local_url "$dtok")")
[[ $code == 404 ]] || fail "a dry run's token: $code"

# 9. Hostile requests: a clear 4xx each, and the server keeps serving.
head -c 100000 /dev/zero | tr '\0' a >big.txt
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @big.txt "$LOCAL/baja/$TOKEN")
[[ $code == 413 ]] || fail "oversized body: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
    --data-binary @big.txt "$LOCAL/baja/$TOKEN")
[[ $code == 413 ]] || fail "oversized chunked body: $code"
long=$(head -c 10000 /dev/zero | tr '\0' a)
code=$(curl -s -o /dev/null -w '%{http_code}' "$LOCAL/baja/$long")
[[ $code == 414 || $code == 431 ]] || fail "10,000-byte URL: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$LOCAL/baja/${long:0:400}")
[[ $code == 404 ]] || fail "400-byte path: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$LOCAL/baja/$TOKEN")
[[ $code == 405 ]] || fail "DELETE: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data x "$LOCAL/baja/$TOKEN")
[[ $code == 405 ]] || fail "PUT: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --data 'List-Unsubscribe=Two-Clicks' "$LOCAL/baja/$TOKEN")
[[ $code == 400 ]] || fail "bad one-click value: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --data 'alcance=%zz' "$LOCAL/baja/$TOKEN")
[[ $code == 400 ]] || fail "bad escape: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$LOCAL/baja/%00%0d%0a<script>")
[[ $code == 404 ]] || fail "hostile path: $code"
# a slow client is dropped, the others are served meanwhile
/usr/bin/python3 - "$PORT" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.send(b"GET /baja/")
time.sleep(3)
s.close()
PY
slow=$!
code=$(curl -s -o /dev/null -w '%{http_code}' "$LOCAL/baja/$TOKEN")
[[ $code == 200 ]] || fail "served beside a slow client: $code"
wait "$slow" || true
code=$(curl -s -o page2.html -w '%{http_code}' "$LOCAL/baja/$TOKEN")
[[ $code == 200 ]] || fail "the server stopped serving: $code"
kill -0 "$serve_pid" || fail "serve died"

# 10. One line per request, none with an address or a whole token.
grep -q '@' serve.log && fail "an address in the log: $(grep @ serve.log)"
grep -q "$TOKEN" serve.log && fail "a whole token in the log"
[[ $(grep -c ' POST token/' serve.log) -ge 5 ]] || fail "log lines: $(cat serve.log)"

# 11. The report's Bajas counts the one-click «baja».
kill "$serve_pid"
wait "$serve_pid" || fail "serve did not stop cleanly on SIGTERM"
serve_pid=
q=$(date -u +%Y)Q$((($(date -u +%-m) - 1) / 3 + 1))
"$MAILER" report --quarter "$q" --format json >report.json || fail "report"
/usr/bin/python3 - <<'PY' || fail "report bajas: $(cat report.json)"
import json
r = json.load(open("report.json"))
s = json.dumps(r)
assert '"bajas": 1' in s or '"bajas":1' in s, s[:2000]
PY
echo "test_serve: ok"
