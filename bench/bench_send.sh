#!/bin/bash
# Whole-pipeline send benchmark (issue 6 item 7): `mailer send` (durable
# ledger, audience freeze included) against Postfix's smtp-sink on loopback,
# personalized ~5 KB HTML + ~1.5 KB text messages, concurrency 1, 4 and 8; in
# the same run, smtp-source -d (renders and records nothing: the ceiling),
# Nodemailer with a pooled transport and Python's smtplib (one connection per
# thread). Then the peak RSS of a send from a frozen 1,000,000-recipient
# audience (--limit, so that it ends in a reasonable time).
#
#   BENCH_N        messages per mailer / smtp-source run   (default 100000)
#   BENCH_NODE_N   messages per Nodemailer run             (default 20000: its
#                  rate still climbs while V8 warms up, ~13 % from 5,000 to
#                  20,000 messages and ~5 % more to 40,000)
#   BENCH_PEER_N   messages per smtplib run                (default 5000: its
#                  rate is flat, and it is ~30x slower)
#   BENCH_CONCS    concurrencies                           (default "1 4 8")
#   BENCH_REPEAT   runs of each measurement, interleaved; the table shows
#                  each one's best and the spread (default 2: the machine
#                  this was written on is shared and very noisy)
#   BENCH_BIG_N    audience of the RSS run, 0 to skip      (default 1000000)
#   BENCH_BIG_SEND messages sent in the RSS run            (default 20000)
set -euo pipefail
: "${SOURCE_DIR:?}" "${BUILD_DIR:?}"
N=${BENCH_N:-100000}
PEER_N=${BENCH_PEER_N:-5000}
NODE_N=${BENCH_NODE_N:-20000}
CONCS=${BENCH_CONCS:-1 4 8}
REPEAT=${BENCH_REPEAT:-2}
BIG_N=${BENCH_BIG_N:-1000000}
BIG_SEND=${BENCH_BIG_SEND:-20000}
bench=$SOURCE_DIR/bench
mailer=$BUILD_DIR/mailer
py=/usr/bin/python3
work=$(mktemp -d)
sink_pid=
cleanup() {
    [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

for p in /usr/sbin/smtp-sink /usr/sbin/smtp-source; do
    [ -x "$p" ] || { echo "bench_send: $p missing (apt-get install postfix)" >&2; exit 1; }
done
if [ ! -d "$bench/node_modules/nodemailer" ]; then
    npm install --silent --no-audit --no-fund --no-save --no-package-lock --prefix "$bench" nodemailer >/dev/null
fi
[ -x "$mailer" ] || cmake --build "$BUILD_DIR" --target mailer >/dev/null

# A free port, then Postfix's sink (it drops privileges to -u; needs root).
port=$($py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sudo_=
[ "$(id -u)" = 0 ] || sudo_=sudo
$sudo_ /usr/sbin/smtp-sink -u nobody 127.0.0.1:"$port" 1000 >/dev/null 2>&1 &
sink_pid=$!
for _ in $(seq 50); do
    $py -c "import socket; socket.create_connection(('127.0.0.1',$port)).close()" 2>/dev/null && break
    sleep 0.1
done

home=$work/home
$py "$bench/bench_send.py" home "$home" "$N"
export MAILER_HOME=$home SMTP_URL=smtp://127.0.0.1:$port SMTP_TLS=none
unset SMTP_RATE SMTP_DAILY_LIMIT SMTP_PRESET SMTP_USER SMTP_PASSWORD SMTP_PASSWORD_COMMAND SMTP_CONCURRENCY
unset MAILER_NOW MAILER_DB
cd "$work"

# Size of what we send, so that smtp-source sends the same.
"$mailer" --db "$work/dry.db" send bench --dry-run --out "$work/dry" --limit 100 >/dev/null
size=$(cat "$work"/dry/*.eml | wc -c)
size=$((size / $(ls "$work"/dry/*.eml | wc -l)))

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
results=$work/results
: >"$results"
for rep in $(seq "$REPEAT"); do
for c in $CONCS; do
    db=$work/c$c.db
    t0=$(now)
    /usr/bin/time -f %M -o "$work/rss" "$mailer" -q --db "$db" send bench --concurrency "$c" \
        >"$work/out" 2>&1 || { echo "mailer send failed:" >&2; cat "$work/out" >&2; exit 1; }
    t1=$(now)
    sent=$(sqlite3 "$db" "SELECT count(*) FROM deliveries WHERE state = 'sent'")
    [ "$sent" = "$N" ] || { echo "mailer sent $sent of $N" >&2; exit 1; }
    # The send phase alone: from the mailing's start (audience frozen) to
    # its end, whole seconds in the ledger.
    phase=$(sqlite3 "$db" "SELECT strftime('%s', finished_at) - strftime('%s', started_at) FROM mailings")
    echo "mailer $c $N $(elapsed "$t0" "$t1") $(cat "$work/rss") $phase" >>"$results"
    rm -f "$db" "$db"-*

    t0=$(now)
    /usr/bin/time -f %M -o "$work/rss" /usr/sbin/smtp-source -d -s "$c" -m "$N" -l "$size" \
        -f votochilango@votochilango.example -t bench@dominio.example 127.0.0.1:"$port"
    t1=$(now)
    echo "smtp-source $c $N $(elapsed "$t0" "$t1") $(cat "$work/rss") -" >>"$results"

    /usr/bin/time -f %M -o "$work/rss" node "$bench/bench_send.js" "$home" "$NODE_N" "$c" "$port" >"$work/out"
    read -r _ n secs <"$work/out"
    echo "nodemailer $c $n $secs $(cat "$work/rss") -" >>"$results"

    /usr/bin/time -f %M -o "$work/rss" $py "$bench/bench_send.py" smtplib "$home" "$PEER_N" "$c" "$port" >"$work/out"
    read -r _ n secs <"$work/out"
    echo "smtplib $c $n $secs $(cat "$work/rss") -" >>"$results"
done
done

big=
if [ "$BIG_N" -gt 0 ]; then
    bighome=$work/big
    $py "$bench/bench_send.py" home "$bighome" "$BIG_N"
    t0=$(now)
    MAILER_HOME=$bighome /usr/bin/time -f %M -o "$work/rss" "$mailer" -q --db "$work/big.db" \
        send bench --concurrency 8 --limit "$BIG_SEND" >"$work/out" 2>&1 || [ $? = 75 ] ||
        { echo "big send failed:" >&2; cat "$work/out" >&2; exit 1; }
    t1=$(now)
    frozen=$(sqlite3 "$work/big.db" "SELECT count(*) FROM deliveries")
    bsent=$(sqlite3 "$work/big.db" "SELECT count(*) FROM deliveries WHERE state = 'sent'")
    freeze=$(sqlite3 "$work/big.db" "SELECT strftime('%s', started_at) - strftime('%s', created_at) FROM mailings")
    big="$frozen $bsent $(cat "$work/rss") $(elapsed "$t0" "$t1") $freeze"
    # The next run of the same mailing: nothing to freeze, deliveries
    # streamed from the 1M-row ledger.
    MAILER_HOME=$bighome /usr/bin/time -f %M -o "$work/rss" "$mailer" -q --db "$work/big.db" \
        send bench --concurrency 8 --limit "$BIG_SEND" >"$work/out" 2>&1 || [ $? = 75 ] ||
        { echo "big resume failed:" >&2; cat "$work/out" >&2; exit 1; }
    big="$big $(cat "$work/rss") $(sqlite3 "$work/big.db" "SELECT count(*) FROM deliveries WHERE state = 'sent'")"
fi

printf 'mailer send vs peers, smtp-sink on 127.0.0.1, %d B messages (HTML %d B + text %d B templates, personalized)\n' \
    "$size" "$(wc -c <"$home/templates/bench.html.mustache")" "$(wc -c <"$home/templates/bench.txt.mustache")"
printf 'mailer and smtp-source: %d messages each; Nodemailer %d, smtplib %d (rates compare; counts differ)\n' "$N" "$NODE_N" "$PEER_N"
awk -v big="$big" -v reps="$REPEAT" '
{ k = $1 SUBSEP $2; r = $3 / $4
  if (!(k in best)) { keys[++nk] = k; lo[k] = r }
  if (!(k in best) || r > best[k]) { best[k] = r; line[k] = $0 }
  if (r < lo[k]) lo[k] = r
  if (!($2 in seen)) { seen[$2] = 1; order[++nc] = $2 } }
END {
    printf "best of %d interleaved runs each (the range of the runs in brackets)\n", reps
    printf "%-12s %5s %8s %9s %10s %15s %9s %s\n", "tool", "conc", "msgs", "seconds", "msgs/s", "(range)", "peak RSS", "note"
    for (i = 1; i <= nk; i++) {
        split(line[keys[i]], f, " ")
        note = ""
        if (f[1] == "mailer")
            note = f[6] >= 5 ? sprintf("send phase alone ~%.0f msgs/s (%d s, ledger seconds)", f[3] / f[6], f[6]) \
                            : "send phase: too short for the whole seconds of the ledger"
        printf "%-12s %5d %8d %9.2f %10.0f %15s %7.1f MB %s\n", f[1], f[2], f[3], f[4], best[keys[i]],
               sprintf("(%.0f-%.0f)", lo[keys[i]], best[keys[i]]), f[5] / 1024, note
        rate[f[1], f[2]] = best[keys[i]]
    }
    printf "\n%5s %18s %22s   (best against best; targets: >= 0.5x, >= 10x)\n", "conc", "mailer/smtp-source", "mailer/faster peer"
    for (j = 1; j <= nc; j++) {
        c = order[j]; peer = rate["nodemailer", c] > rate["smtplib", c] ? rate["nodemailer", c] : rate["smtplib", c]
        printf "%5d %17.2fx %21.1fx\n", c, rate["mailer", c] / rate["smtp-source", c], rate["mailer", c] / peer
    }
    if (big != "") {
        split(big, b, " ")
        printf "\n%d-recipient audience, conc 8, --limit: first run (freeze %d s + %d sent) %.1f s, peak RSS %.1f MB; next run (%d more sent, streamed from the ledger) peak RSS %.1f MB (target < 64 MB)\n", b[1], b[5], b[2], b[4], b[3] / 1024, b[7] - b[2], b[6] / 1024
    }
}' "$results"
