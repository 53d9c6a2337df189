#!/usr/bin/env bash
# test_i18n - the mailer speaks Spanish and English: help, errors (the CLI's
# own and the library's, translated back by format), plurals, dates, the
# words of `bounces parse` (its JSON stays English), the
# language chosen by LANGUAGE / LC_ALL / LC_MESSAGES / LANG (installed locale
# or not), English as the fallback; the man page is the help table's; the
# bash completion offers commands, options and campaign names.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
unset LANGUAGE LC_ALL LC_MESSAGES
export LANG=C.UTF-8 MAILER_HOME=$SOURCE_DIR MAILER_DB=$work/mailer.db MAILER_NOW=2026-11-22T16:00:00Z

# run EXPECTED_EXIT ENV... -- ARGS: the mailer's exit code must be EXPECTED_EXIT;
# stdout + stderr land in out.
run() {
    local want=$1 code=0
    shift
    local envs=()
    while [ "$1" != -- ]; do envs+=("$1"); shift; done
    shift
    env "${envs[@]}" "$MAILER" "$@" > out 2>&1 || code=$?
    [ "$code" = "$want" ] || fail "mailer $* (${envs[*]}) exited $code, want $want: $(cat out)"
}
has() { grep -qF -- "$1" out || fail "expected «$1» in: $(cat out)"; }
lacks() { ! grep -qF -- "$1" out || fail "did not expect «$1» in: $(cat out)"; }

# --- errors: a missing campaign is 66 in both languages ----------------------
run 66 LANGUAGE= -- send nonexistent
has 'campaign "nonexistent": cannot open'
run 66 LANGUAGE=es -- send nonexistent
has 'campaña «nonexistent»: no se puede abrir'
has '«mailer campaigns list» muestra las campañas'
# Every way of asking for Spanish, with or without the locale installed.
for e in LANG=es_MX.UTF-8 LC_ALL=es_MX.UTF-8 LC_MESSAGES=es_MX.UTF-8 LANG=es_ES.UTF-8 \
    "LANGUAGE=es LANG=C" "LANGUAGE=es_MX:en LANG=C.UTF-8" "LANG=es_MX"; do
    # shellcheck disable=SC2086
    run 66 $e -- send nonexistent
    has 'no se puede abrir'
done
# English is the fallback: a language without a catalogue, or C.
for e in LANG=fr_FR.UTF-8 LANGUAGE=de LANG=C LANG=POSIX; do
    # shellcheck disable=SC2086
    run 66 $e -- send nonexistent
    has 'cannot open'
done

# Usage errors (64): the CLI's own messages.
run 64 LANGUAGE=es -- frobnicate
has '«frobnicate» no es un comando'
run 64 LANGUAGE= -- frobnicate
has "'frobnicate' is not a command"
run 64 LANGUAGE=es -- send
has 'indique el nombre de una campaña'
has '(pruebe «mailer help send»)'
run 64 LANGUAGE=es -- report --quarter 2026Q4 --format pdf
has '--format lleva uno de estos valores: text, csv, md, json, html (no «pdf»)'

# A configuration error names the file and line, and says what to do next.
printf 'SMTP_RATE=abc\n' > bad.env
run 78 LANGUAGE=es -- --env bad.env config
has 'bad.env:1: SMTP_RATE: «abc» no es un ritmo de envío (escríbalo como 30/min'
has 'revise la configuración con «mailer config»'
run 78 LANGUAGE= -- --env bad.env config
has 'bad.env:1: SMTP_RATE: "abc" is not a rate'

# Library messages with values inside values: a contact list's rows.
run 65 LANGUAGE=es -- contacts check "$SOURCE_DIR/tests/fixtures/contacts/adversarial.csv"
has 'adversarial.csv:4: dirección inválida «mallory@example.com'
has 'salto de línea en la dirección'
has 'filas 30: aceptadas 27, inválidas 3'
run 65 LANGUAGE= -- contacts check "$SOURCE_DIR/tests/fixtures/contacts/adversarial.csv"
has 'adversarial.csv:4: invalid address "mallory@example.com'
has 'line break in the address'
run 65 LANGUAGE=es -- address check ana@gmial.com 'a b@x'
has 'válida    ana@gmial.com (¿quiso decir ana@gmail.com?)'
has 'inválida  «a b@x»: espacio en la parte local'

# Every library message format, filled with sample values, comes back as its
# Spanish translation with the same values (none is shadowed by another).
run 0 LANGUAGE=es -- help --check-catalogue
has ' not translated back'
has ', 0 not translated back'

# --- plurals and dates ------------------------------------------------------
run 0 LANGUAGE=es -- send convocatoria-observadores --edition main --at '2026-12-01 09:00'
has 'quedó programada para el martes 1 de diciembre de 2026 a las 09:00 (hora de la Ciudad de México)'
run 0 LANGUAGE=es -- unschedule convocatoria-observadores
has '1 edición programada retirada'
run 0 LANGUAGE= -- send convocatoria-observadores --edition main --at '2026-12-01 09:00'
has 'scheduled for 2026-12-01 09:00 (Mexico City time)'
run 0 LANGUAGE= -- send convocatoria-observadores --edition recordatorio-1 --at '2026-12-02 09:00'
run 0 LANGUAGE= -- unschedule convocatoria-observadores
has '2 scheduled editions taken back'
run 0 LANGUAGE=es -- send convocatoria-observadores --edition main --at '2026-12-01 09:00'
run 0 LANGUAGE=es -- send convocatoria-observadores --edition recordatorio-1 --at '2026-12-02 09:00'
run 0 LANGUAGE=es -- unschedule convocatoria-observadores
has '2 ediciones programadas retiradas'
run 0 LANGUAGE=es -- status
has 'todavía no hay envíos'

# --- help ---------------------------------------------------------------------
run 0 LANGUAGE= -- --help
has 'Commands:'
has 'Examples:'
run 0 LANGUAGE=es -- --help
has 'Comandos:'
has 'Ejemplos:'
has 'envía (o continúa) una edición de una campaña'
run 0 LANGUAGE= -- help --commands
cp out commands
[ "$(wc -l < commands)" -ge 14 ] || fail "commands: $(cat commands)"
run 0 LANGUAGE= -- help --man
cp out man.1
while read -r c; do
    for lang in "" es; do
        run 0 LANGUAGE=$lang -- help "$c"
        cp out help.txt
        if [ -z "$lang" ]; then has "mailer $c"; has 'Examples:'; else has "mailer $c"; has 'Ejemplos:'; fi
        [ "$c" = help ] && continue
        # `mailer COMMAND --help` is the same text.
        run 0 LANGUAGE=$lang -- "$c" --help
        cmp -s out help.txt || fail "mailer $c --help differs from mailer help $c"
    done
    # Every command has its own section in the man page.
    grep -qx ".SS $c" man.1 || fail "man page lacks $c"
done < commands
run 0 LANGUAGE=es -- help --man
has '.SH COMANDOS'
# The page built with the binary is the help table's, not a copy that drifts.
if [ -n "${BUILD_DIR:-}" ] && [ -f "$BUILD_DIR/man/mailer.1" ]; then
    LANGUAGE= "$MAILER" help --man | cmp -s - "$BUILD_DIR/man/mailer.1" ||
        fail "build/man/mailer.1 is not the output of 'mailer help --man'"
    LANGUAGE=es "$MAILER" help --man | cmp -s - "$BUILD_DIR/man/es/mailer.1" ||
        fail "build/man/es/mailer.1 is not the output of 'mailer help --man' in Spanish"
fi
if command -v groff > /dev/null; then
    groff -man -Tutf8 -ww "$BUILD_DIR/man/mailer.1" > /dev/null 2> groff.err
    [ ! -s groff.err ] || fail "groff warnings: $(cat groff.err)"
fi
run 64 LANGUAGE=es -- help nada
has '«nada» no es un comando'

# --- bounces parse: its words for people in Spanish, its JSON in English ---------
if "$MAILER" help --commands | grep -qx bounces; then
    notice=$SOURCE_DIR/tests/fixtures/bounces/sisimai/lhost-postfix-04.eml # 5.1.1 user unknown
    full=$SOURCE_DIR/tests/fixtures/bounces/sisimai/lhost-gmx-01.eml      # 5.2.2 mailbox full
    complaint=$SOURCE_DIR/tests/fixtures/bounces/sisimai/arf-01.eml
    run 0 LANGUAGE=es -- bounces parse "$notice" "$full" "$complaint"
    has $'\trebote\tpermanente\t'
    has 'usuario desconocido'
    has $'\trebote\ttemporal\t'
    has 'buzón lleno'
    has $'\tqueja\t-\t'
    lacks $'\tbounce\t'
    lacks 'hard'
    run 0 LANGUAGE=es -- bounces parse --format json "$notice"
    has '"type": "bounce", "class": "hard"'
    has '"reason": "user unknown"'
    run 0 LANGUAGE= -- bounces parse "$notice" "$full"
    has $'\tbounce\thard\t'
    has $'\tbounce\tsoft\t'
    has 'mailbox full'
fi

# --- bash completion ------------------------------------------------------------
# shellcheck disable=SC1091
. "$SOURCE_DIR/contrib/bash-completion/mailer"
complete_words() { # words... : COMPREPLY for the last one
    COMP_WORDS=("$MAILER" "$@")
    COMP_CWORD=$#
    COMPREPLY=()
    _mailer
    printf '%s\n' "${COMPREPLY[@]}"
}
complete_words se | grep -cx send > /dev/null || fail "completion of 'se': $(complete_words se)"
complete_words send corazon | grep -cx corazon-chilango > /dev/null || fail "campaign names: $(complete_words send corazon)"
complete_words send corazon-chilango --te | grep -cx -- --test-to > /dev/null || fail "send options"
complete_words report --format "" | grep -cx html > /dev/null || fail "report formats"
complete_words --db x contacts "" | grep -cx check > /dev/null || fail "contacts subcommands"
(cd "$SOURCE_DIR" && MAILER_HOME= complete_words check vota) | grep -cx vota-film-fest > /dev/null ||
    fail "campaign names from the working directory"
echo "ok"
