#!/bin/bash
# The quarterly report over a ledger of 1,000,000 deliveries in 200 mailings
# (bench_report --build: three lists, reminders, 1.5 % failed, 1.5 % bounced
# with classes, 250 unsubscribes in the quarter and 5,000 older ones), in a
# temporary directory. Times `mailer report` as people run it (a process per
# format), the five formats in-process, and, as the peer, the sqlite3 CLI
# running the same figures as one aggregate query on the same file (and the
# report's first version, a GROUP BY over every delivery). Target: the whole
# report under 0.5 s. Prints one table; the sums of both sides must agree.
set -euo pipefail
: "${SOURCE_DIR:?}" "${BUILD_DIR:?}"
REPS=${BENCH_REPS:-7}
BIN="$BUILD_DIR/bench/bench_report"
MAILER="$BUILD_DIR/mailer"
[ -x "$BIN" ] && [ -x "$MAILER" ] || { echo "bench_report: build first" >&2; exit 1; }
command -v sqlite3 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/ledger.db
"$BIN" --build "$db"
cat >"$tmp/informe.conf" <<'EOF'
[lista diaspora]
nombre = la base de contactos de Voto Chilango
[lista red-observacion]
nombre = la Red de Observación
agrupar = mes
[metas]
diaspora.comunicaciones = 20
EOF
FROM=2026-10-01T06:00:00Z TO=2027-01-01T06:00:00Z

# The figures the report reads, as one statement for the sqlite3 CLI.
cat >"$tmp/same.sql" <<EOF
WITH f AS (SELECT m.id AS id, (SELECT min(d.sent_at) FROM deliveries d
  WHERE d.mailing_id = m.id AND d.sent_at IS NOT NULL) AS first FROM mailings m WHERE m.test = 0)
SELECT m.id, m.campaign, m.edition, m.lists, f.first,
 (SELECT max(d.sent_at) FROM deliveries d WHERE d.mailing_id = m.id AND d.sent_at IS NOT NULL),
 (SELECT count(*) FROM deliveries d WHERE d.mailing_id = m.id),
 (SELECT count(*) FROM deliveries d WHERE d.mailing_id = m.id AND d.state IN ('sent', 'bounced')),
 (SELECT count(*) FROM deliveries d WHERE d.mailing_id = m.id AND d.state = 'bounced'),
 (SELECT count(*) FROM deliveries d WHERE d.mailing_id = m.id AND d.state = 'bounced'
   AND EXISTS (SELECT 1 FROM bounces b WHERE b.delivery_id = d.id AND b.class = 'hard')),
 (SELECT count(*) FROM deliveries d WHERE d.mailing_id = m.id AND d.state = 'failed'),
 (SELECT count(*) FROM suppressions s WHERE s.reason = 'unsubscribe' AND s.created_at >= f.first
   AND s.created_at < '$TO' AND EXISTS (SELECT 1 FROM deliveries d INDEXED BY deliveries_mailing_laddr
   WHERE d.mailing_id = m.id AND lower(d.address) = +s.address))
FROM f JOIN mailings m ON m.id = f.id WHERE f.first >= '$FROM' AND f.first < '$TO'
ORDER BY f.first, m.id;
EOF
# The report's first version (before migration 3): one GROUP BY over the join.
cat >"$tmp/v1.sql" <<EOF
SELECT m.id, m.campaign, m.edition, m.kind, m.subject, m.report_title, m.lists,
 min(d.sent_at), max(d.sent_at), count(d.id), sum(d.state IN ('sent', 'bounced')),
 sum(d.state = 'bounced'), sum(d.state = 'failed'),
 (SELECT count(*) FROM suppressions s JOIN deliveries d2 ON d2.address = s.address
   WHERE d2.mailing_id = m.id AND s.reason = 'unsubscribe' AND s.created_at >= min(d.sent_at))
FROM mailings m JOIN deliveries d ON d.mailing_id = m.id WHERE m.test = 0 GROUP BY m.id
HAVING min(d.sent_at) >= '$FROM' AND min(d.sent_at) < '$TO' ORDER BY min(d.sent_at), m.id;
EOF

# best of REPS wall-clock seconds of a command
best() {
    local b=999 i t0 t1
    for ((i = 0; i < REPS; i++)); do
        t0=$(date +%s.%N)
        "$@" >/dev/null
        t1=$(date +%s.%N)
        b=$(echo "$t1 $t0 $b" | awk '{d = $1 - $2; print (d < $3 ? d : $3)}')
    done
    echo "$b"
}
report() { MAILER_HOME=$tmp "$MAILER" --db "$db" report --quarter 2026Q4 --informe "$tmp/informe.conf" "$@"; }

# Both sides count the same: totals of the JSON report against the query
# (not Bajas: the report counts people once per row and per audience, the
# query per mailing).
report --format json --out "$tmp/r.json"
ours=$(/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
t = [sum(a["totals"][k] for a in r["audiences"]) for k in
     ("destinatarios", "entregados", "rebotados", "rebotados_duros", "fallidos")]
print(sum(a["mailings"] for a in r["audiences"]), *t)' "$tmp/r.json")
peer=$(sqlite3 -separator ' ' "$db" <"$tmp/same.sql" |
    awk '{n++; for (i = 7; i <= 11; i++) s[i] += $i} END {print n, s[7], s[8], s[9], s[10], s[11]}')
[ "$ours" = "$peer" ] || { echo "bench_report: totals differ: report $ours, sqlite3 $peer" >&2; exit 1; }

t_text=$(best report --format text --out /dev/null)
t_html=$(best report --format html --out /dev/null)
mapfile -t inproc < <("$BIN" "$db" "$REPS" | awk '{print $2}')
t_same=$(best sqlite3 "$db" ".read $tmp/same.sql")
t_v1=$(best sqlite3 "$db" ".read $tmp/v1.sql")

printf '\nQuarterly report, %s deliveries in %s mailings (2026Q4), best of %s\n' \
    "$(sqlite3 "$db" 'SELECT count(*) FROM deliveries')" "$(sqlite3 "$db" 'SELECT count(*) FROM mailings')" "$REPS"
printf '%-62s %8s %7s\n' "what" "seconds" "ratio"
row() { printf '%-62s %8.3f %7s\n' "$1" "$2" "$(awk -v a="$2" -v b="$t_same" 'BEGIN {printf "%.2f", a / b}')"; }
row "peer: sqlite3 CLI, the report's figures as one query" "$t_same"
row "ref:  sqlite3 CLI, the first version's GROUP BY (no index)" "$t_v1"
row "mailer report --format text (whole process)" "$t_text"
row "mailer report --format html (whole process)" "$t_html"
row "in-process: open + text" "${inproc[0]}"
row "in-process: open + csv" "${inproc[1]}"
row "in-process: open + md" "${inproc[2]}"
row "in-process: open + json" "${inproc[3]}"
row "in-process: open + html" "${inproc[4]}"
row "in-process: the five formats one after the other" "${inproc[5]}"
row "in-process: the five formats from one reading" "${inproc[6]}"
echo "ratio = seconds / peer's (same file, same figures: totals $ours)."
echo "Target: the whole report under 0.5 s."
