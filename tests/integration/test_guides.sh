#!/usr/bin/env bash
# test_guides - the guides in docs/ stay true: every command they mark is run,
# in order, in Spanish, in a copy of the sample mailer home, against the
# capture SMTP server (STARTTLS + AUTH) on loopback, with the exit code and
# the output the guide promises (tests/integration/guides.py reads the markers).
# Blocks marked "necesita bounces" are skipped when `mailer bounces` is not in
# this build, "necesita imap" ones when no bounce mailbox is configured
# (BOUNCE_IMAP_URL); each skip is said on stdout.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}"
. "$SOURCE_DIR/tests/servers/lib.sh"

work=$(mktemp -d)
trap 'capture_cleanup; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

home=$work/votochilango
mkdir -p "$home" "$work/bin"
cp -r "$SOURCE_DIR/campaigns" "$SOURCE_DIR/contacts" "$SOURCE_DIR/templates" "$SOURCE_DIR/.env.example" "$home/"
ln -s "$MAILER" "$work/bin/mailer"
capture_start "$work/outbox" --auth oficina:clave-de-prueba --require-tls

unset LANGUAGE LC_ALL LC_MESSAGES MAILER_HOME MAILER_DB
export LANG=es_MX.UTF-8 PATH=$work/bin:$PATH
export SMTP_URL="smtp://127.0.0.1:$CAPTURE_PORT" SMTP_USER=oficina SMTP_PASSWORD=clave-de-prueba
export CA_FILE=$CAPTURE_CA BUZON=$CAPTURE_DIR
# Monday 23 November 2026, 08:00 in Mexico City: the weekly digest is due.
export MAILER_NOW=2026-11-23T14:00:00Z

have_bounces=0
"$MAILER" help --commands | grep -qx bounces && have_bounces=1
ran=0 skipped=0

guide() { echo "== $1"; }
# block WHERE EXIT NEEDS <<BODY: run the block's commands in the home.
block() {
    local where=$1 want=$2 needs=$3 code=0
    cat > "$work/block.sh"
    if [[ $needs == *bounces* && $have_bounces == 0 ]]; then
        echo "   skipped $where: 'mailer bounces' is not in this build"
        skipped=$((skipped + 1))
        return 0
    fi
    if [[ $needs == *imap* && -z ${BOUNCE_IMAP_URL:-} ]]; then
        echo "   skipped $where: needs the bounce mailbox (IMAP), not started by this test"
        skipped=$((skipped + 1))
        return 0
    fi
    # The clock moves a minute per block, as it would for a person.
    MAILER_NOW=$(date -u -d "2026-11-23 14:00 UTC + $((ran + skipped)) minutes" +%Y-%m-%dT%H:%M:%SZ)
    (cd "$home" && MAILER_NOW=$MAILER_NOW bash -e "$work/block.sh") > "$work/out" 2>&1 || code=$?
    [ "$code" = "$want" ] || fail "$where exited $code, the guide says $want: $(cat "$work/out")"
    ran=$((ran + 1))
}
expect() {
    grep -qF -- "$2" "$work/out" || fail "$1: the guide says the output has «$2»: $(cat "$work/out")"
}

/usr/bin/python3 "$SOURCE_DIR/tests/integration/guides.py" "$SOURCE_DIR"/docs/[0-9]*.md > "$work/guides.sh" ||
    fail "a guide has a command block without a marker"
. "$work/guides.sh"
[ "$ran" -ge 20 ] || fail "only $ran blocks ran"
echo "guides: $ran blocks run, $skipped skipped"
