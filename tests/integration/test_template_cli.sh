#!/bin/bash
# mailer template render: output, escaping by extension, partials, exit codes.
set -u
: "${MAILER:?}" "${SOURCE_DIR:?}"
F="$SOURCE_DIR/tests/fixtures/templates"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # name, expected exit code, actual exit code
    if [ "$2" != "$3" ]; then
        echo "FAIL $1: exit $3, want $2"; fails=$((fails + 1))
    else
        echo "ok   $1"
    fi
}
contains() { # name, file, text
    if grep -qF -- "$3" "$2"; then echo "ok   $1"; else
        echo "FAIL $1: no \"$3\" in:"; cat "$2"; fails=$((fails + 1)); fi
}

# Layout ({{<layout}} / {{$block}}), partials, HTML escaping, triple mustache.
"$MAILER" template render "$F/boletin.html.mustache" --data "$F/data/boletin.json" \
    >"$tmp/out" 2>"$tmp/err"
check "render boletin" 0 $?
if cmp -s "$tmp/out" "$F/boletin.html.expected"; then echo "ok   boletin output"; else
    echo "FAIL boletin output:"; diff "$tmp/out" "$F/boletin.html.expected"; fails=$((fails + 1)); fi

# Options before the template, explicit partials directory.
"$MAILER" template render --partials "$F/partials" --data "$F/data/boletin.json" \
    "$F/boletin.html.mustache" >"$tmp/out2"
check "options first" 0 $?
cmp -s "$tmp/out2" "$F/boletin.html.expected" || { echo "FAIL options first output"; fails=$((fails + 1)); }

# .txt.mustache never escapes.
"$MAILER" template render "$F/aviso.txt.mustache" --data "$F/data/boletin.json" >"$tmp/out"
check "render text" 0 $?
contains "text not escaped" "$tmp/out" "Hola María <Peña> & noviembre de 2026"

# Missing variables: a warning by default, an error with --strict.
"$MAILER" template render "$F/aviso.txt.mustache" >"$tmp/out" 2>"$tmp/err"
check "missing warns" 0 $?
contains "missing named" "$tmp/err" '"nombre" has no value in the data'
"$MAILER" template render --strict "$F/aviso.txt.mustache" >"$tmp/out" 2>"$tmp/err"
check "missing strict" 65 $?
[ -s "$tmp/out" ] && { echo "FAIL strict printed output"; fails=$((fails + 1)); }

# Syntax errors: 65, file:line:column, the line and a caret.
"$MAILER" template render "$F/mal_cerrada.html.mustache" >"$tmp/out" 2>"$tmp/err"
check "mismatched close" 65 $?
contains "error position" "$tmp/err" "mal_cerrada.html.mustache:4:1: \"{{/nota}}\" does not close \"notas\" (opened at line 2, column 1)"
contains "error caret" "$tmp/err" "mailer:     ^"
"$MAILER" template render "$F/roto.html.mustache" >"$tmp/out" 2>"$tmp/err"
check "unknown partial" 65 $?
contains "unknown partial" "$tmp/err" "roto.html.mustache:3:6: unknown partial \"no-existe\""

# Missing files: 66.
"$MAILER" template render "$F/no-existe.html.mustache" >"$tmp/out" 2>"$tmp/err"
check "missing template" 66 $?
"$MAILER" template render "$F/aviso.txt.mustache" --data "$tmp/none.json" >"$tmp/out" 2>"$tmp/err"
check "missing data" 66 $?
printf '{"a": ' >"$tmp/bad.json"
"$MAILER" template render "$F/aviso.txt.mustache" --data "$tmp/bad.json" >"$tmp/out" 2>"$tmp/err"
check "bad JSON" 65 $?

# Usage errors: 64.
"$MAILER" template >/dev/null 2>&1
check "no subcommand" 64 $?
"$MAILER" template render >/dev/null 2>&1
check "no template" 64 $?

[ "$fails" -eq 0 ] && echo "all template CLI checks passed"
exit "$fails"
