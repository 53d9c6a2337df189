#!/usr/bin/env bash
# xgettext.sh - the message template of mailer/cli/*.c to stdout (see update.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=ngettext:1,2 \
    --add-comments=xgettext --sort-by-file --no-wrap --package-name=mailer \
    --msgid-bugs-address=votochilango@votochilango.example --output=- mailer/cli/*.c |
    sed -e 's/^"Content-Type: text\/plain; charset=CHARSET\\n"/"Content-Type: text\/plain; charset=UTF-8\\n"/' \
        -e '/^"POT-Creation-Date:/d'
