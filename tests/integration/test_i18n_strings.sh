#!/usr/bin/env bash
# test_i18n_strings - every message for people can be translated, and is:
#   1. each printing/error call in mailer/cli/*.c has its format in _() or
#      ngettext() (po/check_cli_strings.py; JSON and roff are marked /* data */);
#   2. mailer/cli/lib_messages.c lists every message format of mailer/lib
#      (po/extract_lib.py finds err_set/err_errno formats, reasons, report lines);
#   3. po/mailer.pot is what xgettext extracts today;
#   4. po/es.po translates all of it: no untranslated or fuzzy entry, formats
#      checked by msgfmt --check;
#   5. getopt's own (English) messages never reach people: every command's
#      bad option, missing value and value to a flag, under LANGUAGE=es, is
#      said in Spanish;
#   6. the comments of the files a staff member edits (.env.example,
#      senders.ini.example, campaigns/*.ini, informe.conf, contacts/README.md, contacts/*.ini,
#      crontab, systemd units) are Spanish (po/check_comments.py).
# After changing a message: po/update.sh, translate in po/es.po, run again.
set -euo pipefail
: "${SOURCE_DIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$SOURCE_DIR"

/usr/bin/python3 po/check_cli_strings.py "$SOURCE_DIR" ||
    fail "strings for people without _(): mark them, then run po/update.sh"

/usr/bin/python3 po/extract_lib.py "$SOURCE_DIR" > "$work/lib_messages.c"
diff -u mailer/cli/lib_messages.c "$work/lib_messages.c" ||
    fail "a library message changed: run po/update.sh and translate the new ones in po/es.po"

po/xgettext.sh > "$work/mailer.pot"
# Compare the messages, not the line numbers of the references.
strip() { grep -v '^#' "$1"; }
diff -u <(strip po/mailer.pot) <(strip "$work/mailer.pot") ||
    fail "po/mailer.pot is stale: run po/update.sh"

for po in po/*.po; do
    msgcmp --use-untranslated "$po" "$work/mailer.pot" || fail "$po lacks messages of mailer.pot"
    stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1) || fail "$po: $stats"
    case $stats in
    *untranslated* | *fuzzy*) fail "$po is not complete: $stats" ;;
    esac
    total=$(grep -c '^msgid ' "$work/mailer.pot")
    echo "$po: $stats (template: $((total - 1)) messages)"
done

# getopt's messages: every command, an unknown option, a missing value, a
# value given to an option that takes none; Spanish, never getopt's English.
# Under valgrind (tests/valgrind.sh sets TEST_VALGRIND) one bad option per
# command: each line is a process of over a second there, and the four kinds
# differ in their words, which the other passes check, not in what is freed.
if [ -n "${MAILER:-}" ]; then
    n=0
    kinds=("--no-such-option" "-Z" "--format" "--dry-run=x")
    [ -n "${TEST_VALGRIND:-}" ] && kinds=("--no-such-option")
    for cmd in $("$MAILER" help --commands); do
        for args in "${kinds[@]}"; do
            code=0
            LANGUAGE=es "$MAILER" --db "$work/getopt.db" $cmd $args > "$work/getopt.out" 2>&1 || code=$?
            if grep -E "unrecognized option|invalid option|requires an argument|doesn't allow an argument|ambiguous" "$work/getopt.out"; then
                fail "mailer $cmd $args: getopt's English reached people: $(cat "$work/getopt.out")"
            fi
            n=$((n + 1))
        done
    done
    code=0
    LANGUAGE=es "$MAILER" check --no-such-option x > "$work/getopt.out" 2>&1 || code=$?
    [ "$code" = 64 ] && grep -c "opción desconocida: --no-such-option" "$work/getopt.out" > /dev/null ||
        fail "check --no-such-option: exit $code: $(cat "$work/getopt.out")"
    code=0
    LANGUAGE=es "$MAILER" send x --limit > "$work/getopt.out" 2>&1 || code=$?
    [ "$code" = 64 ] && grep -c "la opción --limit necesita un valor" "$work/getopt.out" > /dev/null ||
        fail "send --limit: exit $code: $(cat "$work/getopt.out")"
    echo "getopt: $n bad command lines, all in Spanish"
fi

# The comments people edit are Spanish, and the check notices English.
/usr/bin/python3 po/check_comments.py "$SOURCE_DIR" || fail "English comments in files people edit"
mkdir -p "$work/eng/campaigns"
printf '; The campaign is sent every Monday to the list.\n[campaign]\nname = x\n' > "$work/eng/campaigns/x.ini"
/usr/bin/python3 po/check_comments.py "$work/eng" 1 > "$work/eng.out" &&
    fail "check_comments.py did not notice an English comment"
grep -c 'x.ini:1: English in a comment' "$work/eng.out" > /dev/null ||
    fail "check_comments.py: $(cat "$work/eng.out")"
printf '; La campaña sale cada lunes a la lista.\n[campaign]\nname = x\n' > "$work/eng/campaigns/x.ini"
/usr/bin/python3 po/check_comments.py "$work/eng" 1 > "$work/eng.out" ||
    fail "check_comments.py refused a Spanish comment: $(cat "$work/eng.out")"

# The check itself catches a bare string: a fake source file with one.
mkdir -p "$work/fake/mailer/cli"
printf 'void f(void) { printf("sent %%d messages\\n", 3); }\n' > "$work/fake/mailer/cli/x.c"
if /usr/bin/python3 po/check_cli_strings.py "$work/fake" > /dev/null; then
    fail "check_cli_strings.py did not notice an untranslatable printf"
fi
printf 'void f(void) { printf(_("sent %%d messages\\n"), 3); }\n' > "$work/fake/mailer/cli/x.c"
/usr/bin/python3 po/check_cli_strings.py "$work/fake" > /dev/null || fail "a marked string was refused"
echo ok
