#!/usr/bin/env bash
# test_history - the office's record through the command line: `mailer
# history import` of its two real 2024 tables and of a hand-made 2021 one
# (wrong weekdays warned, naming the right one, also in Spanish; years from
# the rows around), a bad table refused whole with file:line and column, a
# second import adding nothing, `history add`, `status` listing what was
# recorded, `due` never sending it; the report with them (a target of
# informe.conf that matches nothing refused with its line, and said by
# check); `mailing retitle` changing the report's title; `campaigns new`
# giving a campaign that checks clean, and one-off editions added to it;
# `mailer log` naming the operator of every one of these actions.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"
PY=/usr/bin/python3
FX=$SOURCE_DIR/tests/fixtures

fail() { echo "FAIL: $*" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
home=$work/home
mkdir -p "$home/campaigns"
cp -r "$SOURCE_DIR/contacts" "$SOURCE_DIR/templates" "$home/"
export MAILER_HOME=$home MAILER_DB=$work/mailer.db LANGUAGE= MAIL_FROM='Voto Chilango <votochilango@votochilango.example>'
unset MAILER_OPERATOR
cd "$work"

# rc WANT -- ARGS: run the mailer, keep its output in $out / $err
run() {
    local want=$1
    shift 2
    set +e
    "$MAILER" "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    set -e
    out=$(cat "$work/out")
    err=$(cat "$work/err")
    [ "$rc" -eq "$want" ] || fail "mailer $* exited $rc, not $want: $out $err"
}
recorded() { "$MAILER" history list --format json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

# ---- import the office's tables ----
run 0 -- --por "Ana López" history import "$FX/history/informe-2024T1-voto-chilango.tsv" \
    --list diaspora --sender votochilango@iecm.mx
[[ $out == *": 12 mailings recorded for the list diaspora" ]] || fail "import: $out"
MAILER_OPERATOR="Beto Ruiz" run 0 -- history import "$FX/history/informe-2024T1-red-observacion.tsv" \
    --list red-observacion --kind invitacion
[[ $out == *": 35 mailings recorded for the list red-observacion" ]] || fail "import: $out"
# the same table again: nothing doubled
run 0 -- --por "Ana López" history import "$FX/history/informe-2024T1-voto-chilango.tsv" --list diaspora
[[ $out == *"0 mailings recorded"*"(12 were already recorded)" ]] || fail "re-import: $out"
[ "$(recorded)" -eq 47 ] || fail "$(recorded) recorded after a second import, not 47"

# ---- a hand-made table: wrong weekdays, years from the rows around ----
run 0 -- --por "Ana López" history import "$FX/history/julio-2021.tsv" --list diaspora
[[ $err == *'julio-2021.tsv:6: "Miércoles 27 de julio": 27 de julio de 2021 was a martes'* ]] ||
    fail "no weekday warning: $err"
[[ $err == *'julio-2021.tsv:9: "Jueves 20 de agosto de 2021": 20 de agosto de 2021 was a viernes'* ]] ||
    fail "no weekday warning: $err"
[[ $out == *"2 dates written without a year took it from the rows around them"* ]] || fail "$out"
# in Spanish, as the office reads it
LANGUAGE=es run 0 -- history import "$FX/history/julio-2021.tsv" --list otra-lista
[[ $err == *'"Miércoles 27 de julio": el 27 de julio de 2021 fue martes'* ]] ||
    fail "the weekday warning in Spanish: $err"

# ---- a bad table: every problem, nothing recorded ----
before=$(recorded)
run 65 -- history import "$FX/history/errores.csv" --list diaspora
for want in 'errores.csv:2: fecha: "32 de julio de 2021": 2021-07 has no day 32' \
    'errores.csv:3: no: "x" is not a number' 'errores.csv:4: fecha: no date' \
    'errores.csv:5: informacion: no title' 'errores.csv:6: fecha: "martes de julio de 2021"'; do
    [[ $err == *"$want"* ]] || fail "missing «$want» in: $err"
done
[ "$(recorded)" -eq "$before" ] || fail "a bad table recorded some of its rows"
run 66 -- history import "$work/no-such.tsv" --list diaspora
run 64 -- history import "$FX/history/julio-2021.tsv"
run 64 -- history import "$FX/history/julio-2021.tsv" --list diaspora --kind circular
run 64 -- history import "$FX/history/julio-2021.tsv" --list diaspora --year 21

# ---- one mailing by hand ----
run 0 -- --por "Ana López" history add --list diaspora --date "Lunes 6 de julio de 2021" \
    --title "Aviso de registro para votar" --recipients 812
[[ $err == *'"Lunes 6 de julio de 2021": 6 de julio de 2021 was a martes'* ]] || fail "add: $err"
# what an import already recorded is not recorded again by hand
run 0 -- history add --list diaspora --date "2021-07-08" --title "Boletín informativo junio 2021"
[[ $out == *"0 mailings recorded for the list diaspora (1 was already recorded)"* ]] || fail "$out"
run 65 -- history add --list diaspora --date "08 de septiembre" --title "Sin año"
[[ $err == *'"08 de septiembre" has no year: give it with --year'* ]] || fail "add: $err"
run 0 -- history add --list diaspora --date "08 de septiembre" --year 2021 --title "Con año"

# ---- status lists them; nothing sends them ----
run 0 -- status
[[ $out == *"mailings recorded with 'mailer history' (sent outside the mailer, never sent by it):"* ]] ||
    fail "status: $out"
[[ $out == *"Martes 6 de julio de 2021: Aviso de registro para votar (recorded, add)"* ]] ||
    fail "status: $out"
run 0 -- status --format json
"$PY" -c 'import json,sys; a=json.load(open(sys.argv[1])); r=[m for m in a if m.get("recorded")];
assert len(r) == len(a) and all(m["state"] == "recorded" for m in r), a' "$work/out" ||
    fail "status json: $out"
run 0 -- due --dry-run
[ -z "$out" ] || fail "due would send something: $out"

# ---- the report with them; informe.conf's targets checked ----
cp "$FX/report/informe-historial.conf" "$home/campaigns/informe.conf"
run 0 -- report --quarter 2024Q1 --format md
[[ $out == *"| 12\\* | Viernes 29 de marzo de 2024 | Invitación para escuchar y difundir el Podcast \"Voto Chilango\". |"* ]] ||
    fail "report md: $out"
[[ $out == *"mediante el correo de votochilango@iecm.mx, doce (12) comunicaciones"* ]] || fail "$out"
run 0 -- report --quarter 2024Q1 --list red-observacion
[[ $out != *"Voto Chilango"* && $out == *"- Comunicaciones a la Red de Observación: Meta: 30 · Logrado: 35 · Cumplida"* ]] ||
    fail "report --list: $out"
printf '[metas 2024]\nnadie.comunicaciones = 3\n' >>"$home/campaigns/informe.conf"
line=$(wc -l <"$home/campaigns/informe.conf")
run 78 -- report --quarter 2024Q1
[[ $err == *"informe.conf:$line: target nadie.comunicaciones: no list \"nadie\""* ]] ||
    fail "check of targets: $err"

# ---- retitle a mailing the mailer sent ----
"$PY" - "$MAILER_DB" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
mid = db.execute("INSERT INTO mailings (campaign, edition, kind, subject, report_title, lists,"
                 " created_at, state, from_address) VALUES ('vota-film-fest', 'main', 'convocatoria',"
                 " 'Vota Film Fest', 'Invitacion al Vota Film Fest con errata', 'diaspora',"
                 " '2024-02-20T16:00:00Z', 'complete', 'votochilango@iecm.mx')").lastrowid
for k in range(3):
    db.execute("INSERT INTO deliveries (mailing_id, address, list, message_id, state, updated_at,"
               " sent_at) VALUES (?, ?, 'diaspora', ?, 'sent', '2024-02-20T16:00:00Z',"
               " '2024-02-20T16:00:00Z')", (mid, "p%d@example.org" % k, "<%d@x>" % k))
db.commit()
EOF
run 0 -- --por "Ana López" mailing retitle vota-film-fest main "Invitación al Vota Film Fest"
run 65 -- mailing retitle vota-film-fest nope "x"
run 64 -- mailing retitle vota-film-fest main ""
sed -i '$d' "$home/campaigns/informe.conf"
sed -i '$d' "$home/campaigns/informe.conf"
run 0 -- report --quarter 2024Q1 --list diaspora --format json
"$PY" -c 'import json,sys; r=json.load(open(sys.argv[1]));
rows=[x for a in r["audiences"] for x in a["rows"] if not x["recorded"]]
assert [x["informacion"] for x in rows] == ["Invitación al Vota Film Fest"], rows
assert rows[0]["entregados"] == 3' "$work/out" || fail "the report after retitle: $out"

# ---- a new campaign, and one-off editions in it ----
printf '[remitente diaspora]\nMAIL_FROM = votochilango@iecm.mx\nSMTP_URL = smtp://127.0.0.1:1\n' \
    > "$home/senders.ini"
run 0 -- campaigns new avisos-2026 --kind invitacion --list diaspora --sender diaspora
grep -qx 'sender = diaspora' "$home/campaigns/avisos-2026.ini" || fail "campaigns new --sender"
run 0 -- check avisos-2026 --edition main
[[ $out == *"sender diaspora ($home/senders.ini:1)"*"sendable"* ]] || fail "check of a new campaign: $out"
run 0 -- campaigns new avisos-2026 --edition cierre-registro --date '2027-01-20 10:00'
run 0 -- check avisos-2026
[[ $out == *"edition cierre-registro"*"sendable"* ]] || fail "check of a one-off edition: $out"
run 73 -- campaigns new avisos-2026 --kind invitation --list diaspora
run 73 -- campaigns new avisos-2026 --edition cierre-registro
run 66 -- campaigns new otra --kind podcast --list nadie
run 64 -- campaigns new otra --kind circular --list diaspora
[ ! -e "$home/campaigns/otra.ini" ] || fail "a refused campaign left a file"

# ---- who did all that ----
run 0 -- log --format json
"$PY" - "$work/out" <<'EOF' || fail "log: $out"
import json, sys
ev = json.load(open(sys.argv[1]))
want = [("Ana López", "history", "informe-2024T1-voto-chilango.tsv --list diaspora: 12 recorded"),
        ("Beto Ruiz", "history", "informe-2024T1-red-observacion.tsv --list red-observacion: 35 recorded"),
        ("Ana López", "history", "0 recorded, 12 already recorded"),
        ("Ana López", "history", "julio-2021.tsv --list diaspora: 6 recorded"),
        ("Ana López", "history", "add --list diaspora: Aviso de registro para votar"),
        ("Ana López", "retitle", "\"Invitacion al Vota Film Fest con errata\" -> \"Invitación al Vota Film Fest\"")]
for who, what, detail in want:
    if not any(e["who"] == who and e["what"] == what and detail in e["detail"] for e in ev):
        sys.exit("no event %r by %r with %r in %s" % (what, who, detail, json.dumps(ev, ensure_ascii=False, indent=1)))
if any(e["what"] == "history" and "errores.csv" in e["detail"] for e in ev):
    sys.exit("the refused table was recorded as an event")
print("log: %d events, each with its operator" % len(ev))
EOF
# ... and the report's JSON of the days they were done says the same
run 0 -- report --from "$(date -u -d yesterday +%F)" --to "$(date -u -d tomorrow +%F)" --format json
"$PY" - "$work/out" <<'EOF' || fail "the report's events: $out"
import json, sys
ev = json.load(open(sys.argv[1]))["events"]
assert any(e["who"] == "Ana López" and e["what"] == "retitle" and e["host"] and e["os_user"]
           for e in ev), json.dumps(ev, ensure_ascii=False, indent=1)
assert any(e["who"] == "Beto Ruiz" and e["what"] == "history" for e in ev), ev
print("report: %d events of the period, with who, host and OS user" % len(ev))
EOF
echo "ok: history import/add/list, status, due, report, retitle, campaigns new, log"
