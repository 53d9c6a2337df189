#!/usr/bin/env bash
# test_contacts_cli - `mailer contacts show/check` and `mailer address check`
# on the Excel-style fixtures: output shapes, verdicts, exit codes.
set -u
FX="$SOURCE_DIR/tests/fixtures/contacts"
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

fail() {
    echo "FAIL: $*" >&2
    fails=$((fails + 1))
}

# run EXPECTED_RC NAME -- ARGS...: stdout in $T/out, stderr in $T/err
run() {
    local want=$1 name=$2
    shift 3
    "$MAILER" "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || fail "$name: exit $rc, want $want; stderr: $(cat "$T/err")"
}

# pyassert NAME CODE: CODE sees the JSON document from $T/out as `d`
pyassert() {
    local name=$1 code=$2
    $PY -c "
import json, sys
d = json.load(open('$T/out', encoding='utf-8'))
$code
" 2>"$T/pyerr" || fail "$name: $(tail -3 "$T/pyerr")"
}

# ---- contacts show ---------------------------------------------------
run 0 "show bom+semicolon json" -- contacts show --format json "$FX/excel_bom_semicolon.csv"
pyassert "show bom+semicolon json" "
assert len(d) == 4, d
assert list(d[0].keys()) == ['Nombre', 'Apellidos', 'Correo electrónico', 'Ciudad', 'País'], d[0].keys()
assert d[1]['Correo electrónico'] == 'MARIA.NUNEZ@Example.COM'
assert d[0]['País'] == 'Estados Unidos'
"

run 0 "show cp1252 json" -- contacts show --format json "$FX/excel_cp1252.csv"
pyassert "show cp1252 json" "
assert d[0]['Nombre completo'] == 'Begoña Ibáñez', d[0]
assert d[2]['Ciudad'] == 'Montréal'
"
grep -q "excel_cp1252.csv:2: not valid UTF-8, read as Windows-1252" "$T/err" ||
    fail "show cp1252: no encoding warning on stderr"

run 0 "show quoted json" -- contacts show --format json "$FX/quoted_multiline.csv"
pyassert "show quoted json" "
assert d[0]['name'] == 'Pérez, Juan'
assert d[0]['notes'] == 'line one\nline two'
assert d[1]['name'] == 'Ana \"La Güera\" Ruiz'
assert d[2]['notes'] == 'multi\r\nline\r\nnote'
assert d[3]['notes'] == 'last line without newline'
"

run 0 "show tsv json" -- contacts show --format json "$FX/google_sheets.tsv"
pyassert "show tsv json" "
assert [r['E-mail Address'] for r in d] == ['karla.soto@example.com', 'pedro@example.net', 'elena@example.com']
assert d[2]['Last Name'] == ''
"

run 0 "show trailing json" -- contacts show --format json "$FX/trailing_empty.csv"
pyassert "show trailing json" "
assert d[0] == {'Nombre': 'Uno', 'Email': 'uno@example.com', 'Ciudad': 'Chicago'}, d[0]
assert len(d) == 4, d  # the ',,,,,' rows are rows as parsed; blank lines are not
"

run 0 "show text" -- contacts show "$FX/mac_cr.csv"
grep -q "mac_cr.csv:3" "$T/out" && grep -q "  email: cr2@example.com" "$T/out" ||
    fail "show text: $(cat "$T/out")"

run 0 "show delimiter override" -- contacts show --format json --delimiter comma "$FX/excel_bom_semicolon.csv"
pyassert "show delimiter override" "
assert list(d[0].keys()) == ['Nombre;Apellidos;Correo electrónico;Ciudad;País'], d[0]
"

run 65 "show bad quoting" -- contacts show "$FX/bad_quoting.csv"
grep -q "bad_quoting.csv:2: malformed quoting" "$T/err" || fail "show bad quoting: $(cat "$T/err")"
run 66 "show missing file" -- contacts show "$T/nope.csv"
run 64 "show two files" -- contacts show a.csv b.csv
run 65 "show utf16" -- contacts show "$FX/utf16.csv"

# ---- contacts check --------------------------------------------------
run 0 "check two overlapping lists" -- contacts check --format json "$FX/diaspora_a.csv" "$FX/diaspora_b.csv"
pyassert "check two overlapping lists" "
s = d['summary']
assert s == {'rows': 9, 'accepted': 6, 'invalid': 0, 'duplicates': 3, 'filtered': 0, 'suppressed': 0}, s
ok = [r['address'].lower() for r in d['rows'] if r['verdict'] == 'ok']
assert len(ok) == len(set(ok)) == 6, ok
dup = [r for r in d['rows'] if r['verdict'] == 'duplicate']
assert {(r['file'].split('/')[-1], r['line'], r['first'].split('/')[-1], r['first_line']) for r in dup} == {
    ('diaspora_a.csv', 4, 'diaspora_a.csv', 2), ('diaspora_b.csv', 2, 'diaspora_a.csv', 3),
    ('diaspora_b.csv', 5, 'diaspora_a.csv', 5)}, dup
lupe = [r for r in d['rows'] if r['input'] == 'lupe@gmial.com'][0]
assert lupe['verdict'] == 'ok' and lupe['hint'] == 'lupe@gmail.com', lupe
assert d['error'] is None
a, b = d['lists']
assert a['delimiter'] == ',' and a['address_column'] == 'Correo electrónico' and a['name_columns'] == ['Nombre'], a
assert a['variables'] == ['nombre', 'correo_electronico', 'ciudad', 'pais', 'email'], a
assert b['delimiter'] == ';' and b['address_column'] == 'email', b
"

run 0 "check filter" -- contacts check --format json \
    --filter 'ciudad in (Chicago, Dallas) and pais = "Estados Unidos"' "$FX/diaspora_a.csv" "$FX/diaspora_b.csv"
pyassert "check filter" "
assert d['summary']['accepted'] == 4 and d['summary']['filtered'] == 2, d['summary']
"

run 65 "check unknown filter column" -- contacts check --filter 'estado = TX' "$FX/diaspora_a.csv"
grep -q 'the filter names column "estado"' "$T/err" || fail "unknown filter column: $(cat "$T/err")"

run 65 "check adversarial" -- contacts check "$FX/adversarial.csv"
grep -q 'adversarial.csv:4: invalid address "mallory@example.com\\x0d\\x0aRCPT' "$T/out" ||
    fail "check adversarial: $(cat "$T/out")"
[ "$(grep -c . "$T/out")" -eq 5 ] || fail "check adversarial: want list line + 3 verdicts + summary: $(cat "$T/out")"
grep -q "adversarial.csv: delimiter ',', address column \"email\"; {{nombre}} and the name in To: \"nombre\"; variables: nombre email ciudad$" "$T/out" ||
    fail "check adversarial: list line: $(head -1 "$T/out")"
grep -q "^30 rows: 27 accepted, 3 invalid" "$T/out" || fail "check adversarial summary: $(cat "$T/out")"

run 65 "check adversarial json" -- contacts check --format json "$FX/adversarial.csv"
pyassert "check adversarial json" "
bad = [r for r in d['rows'] if r['verdict'] == 'invalid']
assert [r['line'] for r in bad] == [4, 6, 7], bad
assert bad[0]['input'].startswith('mallory@example.com\r\nRCPT'), bad[0]
assert all('\r' not in r['address'] and '\n' not in r['address'] for r in d['rows'])
"

run 65 "check mostly invalid" -- contacts check "$FX/mostly_invalid.csv"
grep -q "mostly_invalid.csv: 3 of 21 rows (14 %) have an invalid address" "$T/err" ||
    fail "mostly invalid: $(cat "$T/err")"
grep -q 'mostly_invalid.csv:21: invalid address "bad2@gmail,com": comma in the domain (did you mean bad2@gmail.com?)' "$T/out" ||
    fail "mostly invalid hint: $(cat "$T/out")"
run 65 "check mostly invalid forced" -- contacts check --force "$FX/mostly_invalid.csv"
grep -q "have an invalid address" "$T/err" && fail "forced: still refused"

run 65 "check no address column" -- contacts check "$FX/no_address_column.csv"
grep -q 'no address column.*headers found: "Nombre", "Telefono", "Ciudad"' "$T/err" ||
    fail "no address column: $(cat "$T/err")"
run 65 "check two address columns" -- contacts check --format json "$FX/two_address_columns.csv"
pyassert "check two address columns json" "
assert '2 columns could hold the addresses' in d['error'], d
"
run 0 "check two address columns, column named" -- contacts check --column Correo "$FX/two_address_columns.csv"
grep -q 'address column "Correo"' "$T/out" || fail "column named: $(cat "$T/out")"
run 0 "check tsv list line" -- contacts check "$FX/google_sheets.tsv"
grep -q 'delimiter tab, address column "E-mail Address"; {{nombre}} and the name in To: "First Name" + "Last Name"' "$T/out" ||
    fail "tsv list line: $(cat "$T/out")"

run 0 "check cp1252" -- contacts check "$FX/excel_cp1252.csv"
grep -q "warning: .*excel_cp1252.csv:2: not valid UTF-8, read as Windows-1252" "$T/err" ||
    fail "check cp1252 warning: $(cat "$T/err")"
run 65 "check cp1252 forced utf-8" -- contacts check --encoding utf-8 "$FX/excel_cp1252.csv"

for f in excel_bom_semicolon.csv quoted_multiline.csv google_sheets.tsv trailing_empty.csv mac_cr.csv; do
    run 0 "check $f" -- contacts check "$FX/$f"
done

# ---- address check ---------------------------------------------------
run 65 "address json" -- address check --format json 'Juan.Perez@Example.COM' 'juan@gmial.com' \
    'John <john@example.com>' 'juan@bücher.example' $'a@example.com\r\nRCPT TO:<x@y>' '"a b"@example.org'
pyassert "address json" "
assert [r['input'] for r in d][:2] == ['Juan.Perez@Example.COM', 'juan@gmial.com']
assert d[0] == {'input': 'Juan.Perez@Example.COM', 'valid': True, 'reason': None, 'normalized': 'Juan.Perez@example.com'}, d[0]
assert d[1]['valid'] and d[1]['hint'] == 'juan@gmail.com', d[1]
assert not d[2]['valid'] and 'angle brackets' in d[2]['reason'] and d[2]['normalized'] is None, d[2]
assert d[3]['normalized'] == 'juan@xn--bcher-kva.example', d[3]
assert not d[4]['valid'] and 'line break' in d[4]['reason'], d[4]
assert d[5]['valid'] and d[5]['normalized'] == '\"a b\"@example.org', d[5]
assert all(set(r) <= {'input', 'valid', 'reason', 'normalized', 'hint', 'warning'} for r in d)
"
run 0 "address all valid" -- address check a@example.com b@example.org
[ "$(grep -c '^valid' "$T/out")" -eq 2 ] || fail "address text: $(cat "$T/out")"
run 65 "address text invalid" -- address check 'juan.perez@gmail,com'
grep -q 'invalid  "juan.perez@gmail,com": comma in the domain (did you mean juan.perez@gmail.com?)' "$T/out" ||
    fail "address text: $(cat "$T/out")"
run 64 "address no args" -- address check
run 64 "address bad format" -- address check --format xml a@b.c

run 65 "address pasted" -- address check --format json 'a@x.example; b@y.example' 'mailto:ana@x.example'
pyassert "address pasted" "
assert not d[0]['valid'] and 'two addresses in one cell' in d[0]['reason'] and d[0]['hint'] == 'a@x.example', d[0]
assert d[1]['valid'] and d[1]['normalized'] == 'ana@x.example' and 'mailto:' in d[1]['warning'], d[1]
"

# ---- a campaign's lists, as check reads them -------------------------
# A home with one campaign and three lists: one with no address column the
# mailer knows (contacts/oficina.ini names it), one with two, one fine.
H=$T/home
mkdir -p "$H/campaigns" "$H/contacts" "$H/templates"
printf 'Nombre,Primer apellido,Correo personal,Organizacion,Fecha\nAna,Ruiz,ana@x.example,,lunes\nLuis,Paz,mailto:luis@x.example,IECM,\n' > "$H/contacts/oficina.csv"
printf 'Nombre,Correo,Email\nEva,e@x.example,f@x.example\n' > "$H/contacts/dos.csv"
printf 'Nombre,Correo\nIra,i@x.example\n' > "$H/contacts/buena.csv"
printf 'Hola {{nombre}} ({{organizacion}})\n' > "$H/templates/t.txt.mustache"
printf '<p>Hola {{nombre}}</p>\n' > "$H/templates/t.html.mustache"
printf '[campaign]\nsubject = Hola\nlists = oficina, dos, buena\ntemplate = t\n[defaults]\nfecha = martes\n' > "$H/campaigns/c.ini"
export MAILER_HOME=$H MAILER_DB=$T/check.db
# every list's problem is said, not only the first one's
run 65 "check lists" -- check c
grep -q 'oficina.csv:1: no address column .*contacts/oficina.ini (address_column = NAME)' "$T/err" &&
    grep -q 'dos.csv:1: 2 columns could hold the addresses' "$T/err" ||
    fail "check lists: every list's problem: $(cat "$T/err")"
grep -q '\[defaults\] fecha is never used' "$T/out" || fail "check lists: reserved default: $(cat "$T/out")"
# the list says how to read it (its companion file), and so does the campaign
printf '[list]\naddress_column = Correo personal\nname_columns = Nombre, Primer apellido\n' > "$H/contacts/oficina.ini"
printf '[list dos]\naddress_column = Email\n' >> "$H/campaigns/c.ini"
run 65 "check lists read" -- check c
grep -q 'oficina.csv: delimiter .*address column "Correo personal"; {{nombre}}: the column "Nombre"; name in To: "Nombre" + "Primer apellido"' "$T/out" ||
    fail "check lists read: oficina: $(cat "$T/out")"
grep -q 'dos.csv: delimiter .*address column "Email"' "$T/out" || fail "check lists read: dos: $(cat "$T/out")"
grep -q 'the column "Fecha" hides {{fecha}}' "$T/out" || fail "check lists read: reserved column: $(cat "$T/out")"
grep -q '"mailto:luis@x.example" is taken as luis@x.example' "$T/out" || fail "check lists read: mailto: $(cat "$T/out")"
# Ana's empty Organizacion is missing (no default), Luis's is not; with a default none is
grep -q 'missing {{organizacion}} for 3 contacts (first: [^ ]*oficina.csv:2 [^ ]*dos.csv:2 ' "$T/out" ||
    fail "check lists read: empty cell: $(cat "$T/out")"
sed -i 's/^\[list dos\]/[defaults]\norganizacion = sin organización\n[list dos]/' "$H/campaigns/c.ini"
run 0 "check lists default" -- check c
grep -q '  sendable' "$T/out" || fail "check lists default: $(cat "$T/out")"
# a [list NAME] of a list the campaign does not use, with its line
printf '[list otra]\naddress_column = x\n' >> "$H/campaigns/c.ini"
run 65 "check list section" -- check c
grep -q "c.ini:1[0-9]: \[list otra\]: otra is not one of the campaign's lists" "$T/err" ||
    fail "check list section: $(cat "$T/err")"
# an image the HTML shows that the campaign does not carry: said before a send
sed -i '/^\[list otra\]/,$d' "$H/campaigns/c.ini"
printf '<p>Hola {{nombre}} <img src="cid:nada.png"></p>\n' > "$H/templates/t.html.mustache"
run 65 "check unknown cid" -- check c
grep -q "the HTML shows cid:nada.png, which is not one of the campaign's inline_images" "$T/err" ||
    fail "check unknown cid: $(cat "$T/out" "$T/err")"
unset MAILER_HOME MAILER_DB

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)" >&2
    exit 1
fi
echo "ok: contacts show/check, address check"
