#!/bin/bash
# One-click unsubscribes while a send runs (issue 16): `mailer serve` answers
# RFC 8058 POSTs for recipients of a 20,000-recipient mailing that
# `mailer send` is delivering at that moment (to Postfix's smtp-sink on
# loopback) and of an earlier mailing, both writing the same SQLite ledger.
#
# Figures, each beside its peer measured in the same run:
#   - the send's wall time with the POSTs beside it, against the same send
#     alone (the earlier mailing): how much the unsubscribes disturb it;
#   - serve's requests/s and latency (p50, p99) during the send, against the
#     same number of POSTs on an idle ledger afterwards;
#   - every POST answered 200 and recorded (a suppression row each), none lost.
# A benchmark prints figures, never a verdict; it fails only if a POST is lost
# or a send does not finish.
#
#   BENCH_N        recipients of each mailing        (default 20000)
#   BENCH_POSTS    one-click POSTs during the send   (default 2000: half for
#                  the running mailing, half for the earlier one)
#   BENCH_CLIENTS  concurrent clients, each POST on a new connection as a
#                  provider makes it                 (default 8)
set -euo pipefail
: "${SOURCE_DIR:?}" "${BUILD_DIR:?}"
N=${BENCH_N:-20000}
POSTS=${BENCH_POSTS:-2000}
CLIENTS=${BENCH_CLIENTS:-8}
bench=$SOURCE_DIR/bench
mailer=$BUILD_DIR/mailer
py=/usr/bin/python3
work=$(mktemp -d)
sink_pid= serve_pid=
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
    [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

[ -x /usr/sbin/smtp-sink ] || { echo "bench_serve: smtp-sink missing (apt-get install postfix)" >&2; exit 1; }
[ -x "$mailer" ] || cmake --build "$BUILD_DIR" --target mailer >/dev/null
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
    for _ in $(seq 100); do
        $py -c "import socket; socket.create_connection(('127.0.0.1',$1)).close()" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "bench_serve: nothing listens on port $1" >&2
    exit 1
}

sport=$(free_port)
sudo_=
[ "$(id -u)" = 0 ] || sudo_=sudo
$sudo_ /usr/sbin/smtp-sink -u nobody 127.0.0.1:"$sport" 1000 >/dev/null 2>&1 &
sink_pid=$!
wait_port "$sport"

home=$work/home
$py "$bench/bench_send.py" home "$home" "$N"
wport=$(free_port)
export MAILER_HOME=$home SMTP_URL=smtp://127.0.0.1:$sport SMTP_TLS=none MAILER_DB=$work/mailer.db
export UNSUBSCRIBE_URL=https://www.votochilango.example/baja  # as behind nginx
unset SMTP_RATE SMTP_DAILY_LIMIT SMTP_PRESET SMTP_USER SMTP_PASSWORD SMTP_PASSWORD_COMMAND
unset SMTP_CONCURRENCY MAILER_NOW
cd "$work"
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
db() { sqlite3 "$MAILER_DB" "$@"; }

# 1. The earlier mailing, alone: the send's peer.
t0=$(now)
"$mailer" -q send bench --edition anterior --concurrency 4 >send1.out 2>&1 ||
    { echo "bench_serve: the first send failed: $(cat send1.out)" >&2; exit 1; }
alone=$(elapsed "$t0" "$(now)")

"$mailer" serve --listen "127.0.0.1:$wport" 2>serve.log &
serve_pid=$!
wait_port "$wport"

# 2. The second mailing, with the POSTs beside it once its audience is frozen.
t0=$(now)
"$mailer" -q send bench --edition actual --concurrency 4 >send2.out 2>&1 &
send_pid=$!
for _ in $(seq 600); do
    [ "$(db "SELECT count(*) FROM deliveries d JOIN mailings m ON m.id = d.mailing_id
             WHERE m.edition = 'actual'" 2>/dev/null || echo 0)" = "$N" ] && break
    sleep 0.05
done
half=$((POSTS / 2))
db "SELECT d.token FROM deliveries d JOIN mailings m ON m.id = d.mailing_id
    WHERE m.edition = 'actual' ORDER BY d.id DESC LIMIT $half" >tokens.busy
db "SELECT d.token FROM deliveries d JOIN mailings m ON m.id = d.mailing_id
    WHERE m.edition = 'anterior' ORDER BY d.id LIMIT $((POSTS - half))" >>tokens.busy
$py "$bench/bench_serve.py" "http://127.0.0.1:$wport/baja" tokens.busy "$CLIENTS" >busy.out
code=0
wait "$send_pid" || code=$?
with=$(elapsed "$t0" "$(now)")
[ "$code" = 0 ] || { echo "bench_serve: the send beside serve exited $code: $(cat send2.out)" >&2; exit 1; }
# Did the send finish while the POSTs were still coming? Then it was not
# disturbed for its whole length, and the figure says so.
overlap=$(awk -v w="$with" -v p="$(sed -n 's/^seconds //p' busy.out)" 'BEGIN { printf "%.0f", 100 * (p < w ? p / w : 1) }')

# 3. The same number of POSTs on an idle ledger: serve's peer.
db "SELECT d.token FROM deliveries d JOIN mailings m ON m.id = d.mailing_id
    WHERE m.edition = 'anterior' ORDER BY d.id DESC LIMIT $POSTS" >tokens.idle
$py "$bench/bench_serve.py" "http://127.0.0.1:$wport/baja" tokens.idle "$CLIENTS" >idle.out
kill "$serve_pid"
wait "$serve_pid" || true
serve_pid=

# Every POST recorded: one suppression per address posted, none lost.
# (Both mailings go to the same list: two tokens may name one address.)
# (The tokens go on stdin: 4,000 of them are more than one argument may hold.)
posted="$(sort -u tokens.busy tokens.idle | sed "s/.*/'&'/" | paste -sd,)"
want=$(db <<<"SELECT count(DISTINCT lower(address)) FROM deliveries WHERE token IN ($posted);")
got=$(db <<<"SELECT count(DISTINCT s.address) FROM suppressions s
          JOIN deliveries d ON lower(d.address) = s.address WHERE d.token IN ($posted);")
ok=$(($(sed -n 's/^ok //p' busy.out) + $(sed -n 's/^ok //p' idle.out)))
skipped=$(db "SELECT $N - count(*) FROM deliveries d JOIN mailings m ON m.id = d.mailing_id
              WHERE m.edition = 'actual' AND d.state = 'sent'")

field() { sed -n "s/^$2 //p" "$1"; }
printf 'mailer serve beside mailer send: %d recipients a mailing, %d one-click POSTs, %d clients\n' \
    "$N" "$POSTS" "$CLIENTS"
printf '  send alone (earlier mailing)          %8.2f s\n' "$alone"
printf '  send with the POSTs beside it         %8.2f s   ratio %.2f (1.00 = undisturbed); POSTs covered %s%% of it\n' \
    "$with" "$(awk -v a="$alone" -v b="$with" 'BEGIN { print b / a }')" "$overlap"
printf '  serve during the send                 %8.0f req/s   p50 %.1f ms   p99 %.1f ms\n' \
    "$(field busy.out rate)" "$(field busy.out p50)" "$(field busy.out p99)"
printf '  serve on an idle ledger (its peer)    %8.0f req/s   p50 %.1f ms   p99 %.1f ms   ratio busy/idle %.2f\n' \
    "$(field idle.out rate)" "$(field idle.out p50)" "$(field idle.out p99)" \
    "$(awk -v a="$(field busy.out rate)" -v b="$(field idle.out rate)" 'BEGIN { print a / b }')"
printf '  answered 200: %d of %d; recorded: %d of %d addresses; the running mailing skipped %d unsubscribed before their turn\n' \
    "$ok" "$((2 * POSTS))" "$got" "$want" "$skipped"
[ "$got" = "$want" ] && [ "$ok" = "$((2 * POSTS))" ] || { echo "bench_serve: POSTs lost" >&2; exit 1; }
