#!/usr/bin/env bash
# test_samples - every sample campaign checks clean, previews, and dry-runs
# through the same code path as a real send (one .eml per recipient, nothing
# recorded); the first message of each is compared byte for byte with a golden
# file (fixed clock, deterministic boundaries); every message is parsed by
# Python's email package (no defects, both alternatives, names decode) and the
# first of each is scored by SpamAssassin (local tests only) with no hit from
# its header and MIME-structure rules.
#   UPDATE_GOLDEN=1 rewrites tests/fixtures/samples/*.eml
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MAILER_DB=$work/mailer.db MAILER_HOME=$SOURCE_DIR
export MAILER_NOW=2026-11-23T15:00:00Z MAILER_TEST_BOUNDARY_SEED=votochilango
golden=$SOURCE_DIR/tests/fixtures/samples
fail() { echo "FAIL: $*" >&2; exit 1; }

edition_of() {
    case $1 in
    corazon-chilango | podcast-voto-chilango) echo 2026-11 ;;
    pulso-internacional) echo 2026-W47 ;;
    *) echo main ;;
    esac
}

count=0
for ini in "$SOURCE_DIR"/campaigns/*.ini; do
    c=$(basename "$ini" .ini)
    [ "$c" = informe ] && continue
    e=$(edition_of "$c")
    "$MAILER" check "$c" --edition "$e" > "$work/$c.check" 2>&1 || fail "check $c: $(cat "$work/$c.check")"
    n=$(sed -n 's/.*: \([0-9]*\) recipients$/\1/p' "$work/$c.check")
    "$MAILER" preview "$c" --edition "$e" --row 1 --eml "$work/$c.preview.eml" --html "$work/$c.html" ||
        fail "preview $c"
    grep -qi "<html" "$work/$c.html" || fail "preview $c: no HTML page"
    grep -q "cid:" "$work/$c.html" && fail "preview $c: unresolved cid: in the HTML page"
    "$MAILER" -q send "$c" --edition "$e" --dry-run --out "$work/$c" || fail "dry run $c"
    got=$(ls "$work/$c"/*.eml | wc -l)
    [ "$got" = "$n" ] || fail "dry run $c wrote $got messages for $n recipients"
    # the preview of row 1 is the dry run's first message, apart from its Message-ID
    norm() { sed -e '/^Message-ID:/d' -e 's/=_vc[0-9]*_[0-9a-f]*/BOUNDARY/g' "$1"; }
    diff <(norm "$work/$c.preview.eml") <(norm "$work/$c/000001.eml") > /dev/null ||
        fail "preview and dry run of $c differ"
    if [ -n "${UPDATE_GOLDEN:-}" ]; then
        cp "$work/$c/000001.eml" "$golden/$c.eml"
    else
        cmp -s "$work/$c/000001.eml" "$golden/$c.eml" ||
            fail "$c: first message differs from $golden/$c.eml (UPDATE_GOLDEN=1 to accept)"
    fi
    count=$((count + got))
done
# a dry run records nothing
"$MAILER" status --format json | grep -c '"campaign"' > /dev/null && fail "a dry run was recorded in the ledger"

/usr/bin/python3 - "$work" <<'PY'
import email, email.policy, glob, os, sys
work = sys.argv[1]
allowed = {"encoded word inside quoted string", "missing trailing whitespace after encoded-word"}
n = 0
for path in sorted(glob.glob(work + "/*/*.eml")):
    raw = open(path, "rb").read()
    if any(b > 127 for b in raw) or b"\n" in raw.replace(b"\r\n", b""):
        sys.exit(f"{path}: not 7-bit CRLF")
    if any(len(l) > 998 for l in raw.split(b"\r\n")):
        sys.exit(f"{path}: line over 998 octets")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for part in msg.walk():
        bad = [d for d in part.defects if str(d) not in allowed]
        if bad:
            sys.exit(f"{path}: defects {bad}")
    alt = msg if msg.get_content_type() == "multipart/alternative" else next(
        p for p in msg.walk() if p.get_content_type() == "multipart/alternative")
    kinds = [p.get_content_type() for p in alt.iter_parts()]
    if kinds != ["text/plain", "text/html"]:
        sys.exit(f"{path}: alternatives {kinds}")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    subject = str(msg["Subject"])
    if "=?" in subject or "\ufffd" in subject + text + html:
        sys.exit(f"{path}: undecoded or replaced text in {subject!r}")
    if not msg["List-Unsubscribe"] or not msg["Message-ID"] or not msg["Date"]:
        sys.exit(f"{path}: a required header is missing")
    n += 1
print(f"python email: {n} sample messages parsed, no defects")
PY

forbidden='^(MISSING_.*|MIME_.*|INVALID_.*|.*_BASE64|HTML_MIME_NO_HTML_TAG|MPART_ALT_DIFF.*|BAD_ENC_HEADER|SUBJ_ILLEGAL_CHARS|FROM_ILLEGAL_CHARS|HEAD_ILLEGAL_CHARS|HEAD_LONG|MSGID_.*|DATE_IN_.*|TO_NO_BRKTS_.*|FROM_EXCESS_.*|BOGUS_MSGID.*|HEADER_SPAM)$'
for first in "$work"/*/000001.eml; do
    c=$(basename "$(dirname "$first")")
    hdr=$(spamassassin -L -t < "$first" 2>/dev/null | awk '/^X-Spam-Status:/{p=1; print; next} p && /^[ \t]/{print; next} {p=0}')
    score=$(printf '%s' "$hdr" | sed -n 's/.*score=\([-0-9.]*\).*/\1/p')
    tests=$(printf '%s' "$hdr" | tr -d '\n\t ' | sed -n 's/.*tests=\([^=]*\)autolearn.*/\1/p' | tr ',' ' ')
    [ -n "$score" ] || fail "spamassassin gave no score for $c"
    printf 'spamassassin %-30s score %5s  rules: %s\n' "$c" "$score" "${tests:-none}"
    for t in $tests; do [[ $t =~ $forbidden ]] && fail "$c: header/MIME rule $t"; done
done
echo "test_samples: ok ($count messages)"
