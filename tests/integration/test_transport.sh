#!/bin/bash
# test_transport.sh - the SMTP transport against a capture server started with
# tests/servers/lib.sh: 100 messages at concurrency 4 through the cmocka program
# (its bulk case uses this server when CAPTURE_* are set), then what the server
# itself recorded: messages, envelope JSON, connections in its log.
set -euo pipefail
: "${SOURCE_DIR:?}" "${BUILD_DIR:?}"
bin=$BUILD_DIR/tests/test_transport
[[ -x $bin ]] || { echo "test_transport: $bin not built" >&2; exit 1; }

tmp=$(mktemp -d /tmp/test_transport_sh.XXXXXX)
. "$SOURCE_DIR/tests/servers/lib.sh"
trap 'capture_cleanup; rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

capture_start "$tmp/mail" || fail "capture server did not start"
[[ $CAPTURE_PORT =~ ^[0-9]+$ ]] || fail "CAPTURE_PORT=$CAPTURE_PORT"
[[ -s $CAPTURE_CA && -s $CAPTURE_CERTS/expired.pem && -s $CAPTURE_CERTS/wronghost.pem ]] ||
    fail "certificates missing"
kill -0 "$CAPTURE_PID" || fail "server not running"

TRANSPORT_TEST_FILTER='test_bulk*' "$bin" || fail "cmocka bulk case"

(( $(capture_count) == 100 )) || fail "expected 100 messages, got $(capture_count)"
opens=$(capture_connections)
(( opens >= 1 && opens <= 4 )) || fail "expected 1..4 connections for 100 messages, log has $opens"
/usr/bin/python3 - "$CAPTURE_DIR" <<'PY' || fail "envelope JSON"
import json, os, sys
d = sys.argv[1]
metas = [json.load(open(os.path.join(d, n))) for n in sorted(os.listdir(d)) if n.endswith(".json")]
assert len(metas) == 100, len(metas)
assert all(m["tls"] and m["mail_from"] == "rebotes@iecm.test" and len(m["rcpt_tos"]) == 1
           for m in metas), metas[0]
assert sorted(m["rcpt_tos"][0] for m in metas) == ["votante%03d@example.test" % i for i in range(100)]
for n in sorted(os.listdir(d)):
    if n.endswith(".eml"):
        data = open(os.path.join(d, n), "rb").read()
        assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b""), n
PY

# The server by itself: refuses MAIL before STARTTLS when told to, and stops cleanly.
capture_start "$tmp/strict" --require-tls
reply=$(printf 'EHLO x\r\nMAIL FROM:<a@b.c>\r\nQUIT\r\n' |
    timeout 5 /usr/bin/python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.stdin.buffer.read()); s.shutdown(socket.SHUT_WR)
out = b""
while chunk := s.recv(4096): out += chunk
print(out.decode())' "$CAPTURE_PORT")
grep -q '^530 ' <<<"$reply" || fail "no 530 before STARTTLS: $reply"
pid=$CAPTURE_PID
capture_stop
! kill -0 "$pid" 2>/dev/null || fail "server still running after capture_stop"
echo "test_transport.sh: ok"
