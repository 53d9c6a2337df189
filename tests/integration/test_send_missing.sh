#!/usr/bin/env bash
# test_send_missing - the freeze's missing-variable check (compose_dry, which
# skips contacts of a shape already found complete): a column that one of
# two lists lacks, and a variable only looked up inside a section that is
# truthy for some rows, are each counted for exactly the contacts that lack
# them; the send stops (65) before anything is frozen or sent.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$work/home/campaigns" "$work/home/templates" "$work/home/contacts"
cat > "$work/home/campaigns/faltan.ini" <<'INI'
[campaign]
name = Faltan variables
kind = bulletin
subject = Hola {{nombre}}
report_title = Prueba
lists = gente, otros
filter =
template = faltan
from = Voto Chilango <votochilango@votochilango.example>
edition = once
content =
attachments =

[defaults]
nombre = amiga, amigo
INI
printf 'Hola {{nombre}} de {{ciudad}}.\n{{#vip}}Tu descuento: {{descuento}}{{/vip}}\n' \
    > "$work/home/templates/faltan.txt.mustache"
printf '<p>Hola {{nombre}} de {{ciudad}}.</p>\n' > "$work/home/templates/faltan.html.mustache"
# gente.csv has Ciudad, otros.csv does not; nobody has Descuento, which is
# looked up only for a truthy Vip.
cat > "$work/home/contacts/gente.csv" <<'CSV'
Nombre,Correo,Ciudad,Vip
Ana,ana@example.org,Chicago,
Carla,carla@example.org,Dallas,sí
Dora,dora@example.org,Houston,
Fito,fito@example.org,Austin,sí
CSV
cat > "$work/home/contacts/otros.csv" <<'CSV'
Nombre,Correo,Vip
Beto,beto@example.org,
Eva,eva@example.org,sí
CSV

cd "$work"
code=0
MAILER_HOME=$work/home SMTP_URL=smtp://127.0.0.1:9 SMTP_TLS=none \
    "$MAILER" --db "$work/m.db" send faltan > out 2> err || code=$?
[ "$code" = 65 ] || fail "exit $code, want 65: $(cat err)"
grep -q "{{ciudad}}: missing for 2 contacts (first: .*otros.csv:2, .*otros.csv:3)" err ||
    fail "ciudad: $(cat err)"
grep -q "{{descuento}}: missing for 3 contacts (first: .*gente.csv:3, .*gente.csv:5, .*otros.csv:3)" err ||
    fail "descuento: $(cat err)"
n=$(grep -c "}}: missing for" err)
[ "$n" = 2 ] || fail "$n names reported, want 2: $(cat err)"
frozen=$(sqlite3 "$work/m.db" "SELECT count(*) FROM deliveries" 2>/dev/null || echo 0)
[ "$frozen" = 0 ] || fail "$frozen deliveries frozen after the error"
echo "test_send_missing: ok"
