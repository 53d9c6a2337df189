#!/usr/bin/env bash
# test_header_injection - no input can add a header, a recipient or end the
# header block. tests/fixtures/security/hostile.csv puts CR, LF, CR LF, NUL,
# TAB, C0/C1 controls, overlong and invalid UTF-8, encoded words that decode
# to CR LF and 3,000-20,000-byte values in every column (name, email, and
# the columns the subject uses); hostile.ini does the same to the campaign's
# name, subject, From display name and [defaults]. `mailer send --dry-run`
# writes one .eml per recipient; Python's email package (an independent
# parser) then checks each: only the headers the mailer writes, each once;
# one To address, the contact's own; no header defects; 7-bit, CRLF only,
# lines <= 998 octets; and the contacts whose address holds CR/LF are refused.
# The same messages also go through a capture server (a real SMTP dialogue)
# and must arrive with the same single recipient each.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"
. "$SOURCE_DIR/tests/servers/lib.sh"

work=$(mktemp -d)
trap 'capture_cleanup; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

home=$work/home
mkdir -p "$home/campaigns" "$home/contacts" "$home/templates"
cp "$SOURCE_DIR/tests/fixtures/security/hostile.csv" "$home/contacts/hostile.csv"
cp "$SOURCE_DIR/tests/fixtures/security/hostile.ini" "$home/campaigns/hostil.ini"
printf 'Hola, {{nombre}} de {{ciudad}}: {{nota}} {{extra}}\n' > "$home/templates/aviso.txt.mustache"
printf '<p>Hola, {{nombre}} de {{ciudad}}: {{nota}} {{{extra}}}</p>\n' > "$home/templates/aviso.html.mustache"
export MAILER_HOME=$home MAILER_DB=$work/mailer.db MAILER_NOW=2026-11-22T16:00:00Z
cd "$work"

code=0
"$MAILER" send hostil --dry-run --out "$work/out" --force > send.out 2>&1 || code=$?
[ "$code" = 0 ] || fail "dry run exit $code: $(head -c 2000 send.out)"

check() { # DIR EXPECTED-COUNT
    /usr/bin/python3 - "$1" "$2" <<'PY'
import email, email.policy, glob, os, sys
d, want = sys.argv[1], int(sys.argv[2])
allowed = {"date", "from", "reply-to", "to", "message-id", "subject", "list-id",
           "list-unsubscribe", "list-unsubscribe-post", "mime-version", "content-type",
           "content-transfer-encoding"}
expected_to = {"ana@example.org", "luis@example.org", "eva@example.org", "marta@example.org",
               "invalido@example.org", "largo@example.org", "enc@example.org",
               "tab@example.org", "normal@example.org"}
files = sorted(glob.glob(os.path.join(d, "**", "*.eml"), recursive=True))
assert len(files) == want, f"{len(files)} messages, want {want}"
seen_to = []
for f in files:
    raw = open(f, "rb").read()
    assert all(b < 0x80 for b in raw), f"{f}: not 7-bit"
    assert b"\x00" not in raw, f"{f}: NUL"
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b""), f"{f}: bare CR or LF"
    lines = raw.split(b"\r\n")
    assert max(len(l) for l in lines) <= 998, f"{f}: line over 998 octets"
    head = raw.split(b"\r\n\r\n", 1)[0]
    names = [l.split(b":", 1)[0].decode().lower() for l in head.split(b"\r\n") if l[:1] not in (b" ", b"\t")]
    assert set(names) <= allowed, f"{f}: unexpected headers {set(names) - allowed}"
    assert len(names) == len(set(names)), f"{f}: a header twice: {names}"
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    hdr_defects = [x for x in msg.defects]
    for k in msg.keys():
        hdr_defects += getattr(msg[k], "defects", [])
    bad = [x for x in hdr_defects if type(x).__name__ in (
        "MissingHeaderBodySeparatorDefect", "InvalidHeaderDefect", "HeaderMissingRequiredValue",
        "NonPrintableDefect", "ObsoleteHeaderDefect")]
    assert not bad, f"{f}: header defects {bad}"
    assert set(k.lower() for k in msg.keys()) <= allowed
    tos = msg["To"].addresses
    assert len(tos) == 1, f"{f}: To has {len(tos)} addresses"
    assert msg["Bcc"] is None and msg["Cc"] is None and msg["X-Injected"] is None
    for k in ("Subject", "From", "To"):
        v = str(msg[k])
        assert "\r" not in v and "\n" not in v and "\x00" not in v, f"{f}: {k} decodes to a line break or NUL: {v!r}"
    seen_to.append(tos[0].addr_spec)
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            part.get_content()  # decodes
assert set(seen_to) == expected_to and len(seen_to) == len(expected_to), sorted(seen_to)
print(f"ok: {len(files)} messages from hostile input: only the mailer's headers, one recipient each")
PY
}
check "$work/out" 9 || fail "dry-run messages"
grep -q "x@example.org" send.out || grep -ci "invalid" send.out > /dev/null || fail "refused addresses not reported: $(head -c 1500 send.out)"

# Through a real SMTP dialogue: the envelope has exactly one recipient each.
capture_start "$work/outbox"
code=0
SMTP_URL="smtp://127.0.0.1:$CAPTURE_PORT" CA_FILE=$CAPTURE_CA "$MAILER" send hostil --force \
    > real.out 2>&1 || code=$?
[ "$code" = 0 ] || fail "send exit $code: $(head -c 2000 real.out)"
check "$CAPTURE_DIR" 9 || fail "delivered messages"
/usr/bin/python3 - "$CAPTURE_DIR" <<'PY' || fail "envelopes"
import glob, json, os, sys
envs = [json.load(open(j)) for j in glob.glob(os.path.join(sys.argv[1], "*.json"))]
assert len(envs) == 9 and all(len(e["rcpt_tos"]) == 1 for e in envs), envs
assert not any("attacker" in r for e in envs for r in e["rcpt_tos"]), envs
print("ok: 9 envelopes, one recipient each, none of the attacker's")
PY
echo "test_header_injection: ok"
