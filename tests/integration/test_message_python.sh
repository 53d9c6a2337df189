#!/bin/bash
# Sample messages from test_message, checked by independent parsers:
# Python's email package (no defects, headers and bodies decode to the exact
# Spanish text) and SpamAssassin (local tests only: no hit from its header or
# MIME-structure rules). Prints each message's SpamAssassin score.
set -euo pipefail

: "${SOURCE_DIR:?}" "${BUILD_DIR:?}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

MESSAGE_OUT=$out FIXTURES=$SOURCE_DIR/tests/fixtures "$BUILD_DIR/tests/test_message" >"$out/unit.log" 2>&1 ||
    { cat "$out/unit.log"; echo "test_message failed"; exit 1; }
ls "$out"/*.eml >/dev/null

/usr/bin/python3 "$SOURCE_DIR/tests/integration/message_check.py" "$out"

if ! command -v spamassassin >/dev/null; then
    echo "spamassassin is not installed (apt-get install spamassassin)"
    exit 1
fi
# Rules about the form of headers and MIME structure: none may hit.
forbidden='^(MISSING_.*|MIME_.*|INVALID_.*|.*_BASE64|.*_QP|HTML_MIME_NO_HTML_TAG|MPART_ALT_DIFF.*|BAD_ENC_HEADER|SUBJ_ILLEGAL_CHARS|FROM_ILLEGAL_CHARS|HEAD_ILLEGAL_CHARS|HEAD_LONG|CHARSET_FARAWAY_HEADER|MSGID_.*|DATE_IN_.*|TO_NO_BRKTS_.*|FROM_EXCESS_.*|PP_MIME_FAKE_ASCII_TEXT|__MIME_QP_LONG_LINE|BOGUS_MSGID.*|HEADER_SPAM)$'
status=0
for eml in "$out"/*.eml; do
    name=$(basename "$eml" .eml)
    report=$(spamassassin -L -t <"$eml" 2>/dev/null)
    hdr=$(printf '%s\n' "$report" | awk '/^X-Spam-Status:/{p=1; print; next} p && /^[ \t]/{print; next} {p=0}')
    score=$(printf '%s' "$hdr" | sed -n 's/.*score=\([-0-9.]*\).*/\1/p')
    tests=$(printf '%s' "$hdr" | tr -d '\n\t ' | sed -n 's/.*tests=\([^=]*\)autolearn.*/\1/p' | tr ',' ' ')
    [ -n "$score" ] || { echo "FAIL $name: no X-Spam-Status from spamassassin"; status=1; continue; }
    bad=""
    for t in $tests; do
        [[ $t =~ $forbidden ]] && bad="$bad $t"
    done
    printf 'spamassassin %-12s score %5s  rules: %s\n' "$name" "$score" "${tests:-none}"
    if [ -n "$bad" ]; then
        echo "FAIL $name: header/MIME rules hit:$bad"
        status=1
    fi
done
exit $status
