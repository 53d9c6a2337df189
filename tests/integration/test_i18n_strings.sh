#!/usr/bin/env bash
# test_i18n_strings - every message for people can be translated, and is:
#   1. each printing/error call in mailer/cli/*.c has its format in _() or
#      ngettext() (po/check_cli_strings.py; JSON and roff are marked /* data */);
#   2. mailer/cli/lib_messages.c lists every message format of mailer/lib
#      (po/extract_lib.py finds err_set/err_errno formats, reasons, report lines);
#   3. po/mailer.pot is what xgettext extracts today;
#   4. po/es.po translates all of it: no untranslated or fuzzy entry, formats
#      checked by msgfmt --check.
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

# The check itself catches a bare string: a fake source file with one.
mkdir -p "$work/fake/mailer/cli"
printf 'void f(void) { printf("sent %%d messages\\n", 3); }\n' > "$work/fake/mailer/cli/x.c"
if /usr/bin/python3 po/check_cli_strings.py "$work/fake" > /dev/null; then
    fail "check_cli_strings.py did not notice an untranslatable printf"
fi
printf 'void f(void) { printf(_("sent %%d messages\\n"), 3); }\n' > "$work/fake/mailer/cli/x.c"
/usr/bin/python3 po/check_cli_strings.py "$work/fake" > /dev/null || fail "a marked string was refused"
echo ok
