#!/usr/bin/env bash
# update.sh - regenerate what the translators work from, after a message changed:
#   mailer/cli/lib_messages.c  every message format of mailer/lib (extract_lib.py)
#   po/mailer.pot              every translatable string (xgettext)
#   po/*.po                    merged with the new template (msgmerge); then translate
#                              the new or fuzzy entries and run the tests
# tests/integration/test_i18n_strings.sh fails until this was run and es.po is complete.
set -euo pipefail
cd "$(dirname "$0")/.."
/usr/bin/python3 po/extract_lib.py . > mailer/cli/lib_messages.c.new
mv mailer/cli/lib_messages.c.new mailer/cli/lib_messages.c
po/xgettext.sh > po/mailer.pot
for po in po/*.po; do
    msgmerge --quiet --update --backup=none --no-fuzzy-matching --no-wrap "$po" po/mailer.pot
    msgattrib --no-obsolete --no-wrap --output-file="$po" "$po"
done
