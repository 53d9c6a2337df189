#!/usr/bin/env bash
# test_guides - the guides in docs/ stay true for a person who has only the
# installed program: `cmake --install` into a scratch prefix, the example home
# copied as guide 0 says (its own cp command), and every command the guides
# mark run in order from there, with LANG=es_MX.UTF-8 (a real locale, built
# here with localedef), against the capture SMTP server (STARTTLS + AUTH) on
# loopback, with the exit code and the output the guide promises
# (tests/integration/guides.py reads the markers).
#
# What the test changes in the guides' text, and only this: /usr/share/doc/mailer
# is the scratch prefix's, /srv/votochilango is a scratch directory, /tmp/ is
# a scratch directory (several test runs share this machine), "sudo " is
# dropped. The settings guide 0 asks to type into .env are typed there, with
# this test's server in place of smtp.office365.com (and its CA in CA_FILE);
# SMTP_PRESET is left empty so that 51 messages do not wait for m365's 30/min.
# No SMTP setting comes from the environment. The senders.ini guide 10 asks
# to write gets the same server, login and CA.
#
# Blocks marked "necesita imap" read a bounce mailbox: a private Dovecot on
# loopback (tests/servers/dovecot.sh, the capture server's certificate) is
# started for the first one, and its BOUNCE_IMAP_* settings typed into .env
# as guide 7 asks. Blocks marked "necesita bounces" are skipped when `mailer
# bounces` is not in this build, "necesita imap" ones when Dovecot cannot run
# here (not root, not installed); each skip is said, and the test then exits
# 77 (skipped) once every other block has passed.
set -euo pipefail
: "${SOURCE_DIR:?}" "${BUILD_DIR:?}"
. "$SOURCE_DIR/tests/servers/lib.sh"
. "$SOURCE_DIR/tests/servers/dovecot.sh"

work=$(mktemp -d)
trap 'dovecot_cleanup; capture_cleanup; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

prefix=$work/prefix
home=$work/srv/votochilango
mkdir -p "$work/srv" "$work/tmp" "$work/locale"
cmake --install "$BUILD_DIR" --prefix "$prefix" > "$work/install.log" ||
    fail "cmake --install: $(cat "$work/install.log")"
[ -x "$prefix/bin/mailer" ] || fail "no $prefix/bin/mailer after cmake --install"

# The locale a staff member in Mexico City has (the locales package has its
# source; no root needed to compile it into a scratch LOCPATH).
localedef -i es_MX -f UTF-8 "$work/locale/es_MX.UTF-8" > "$work/localedef.log" 2>&1 ||
    fail "cannot build the es_MX.UTF-8 locale (package locales): $(cat "$work/localedef.log")"
export LOCPATH=$work/locale

capture_start "$work/outbox" --auth oficina:clave-de-prueba --require-tls

unset LANGUAGE LC_ALL LC_MESSAGES MAILER_HOME MAILER_DB MAILER_LOCALEDIR MAILER
for v in $(env | sed -n 's/^\(SMTP_[A-Z_]*\|BOUNCE_[A-Z_]*\|MAIL_FROM\|CA_FILE\|UNSUBSCRIBE_[A-Z_]*\)=.*/\1/p'); do
    unset "$v"
done
export LANG=es_MX.UTF-8 PATH=$prefix/bin:$PATH
command -v mailer | grep -cx "$prefix/bin/mailer" > /dev/null || fail "mailer is not the installed one"
LC_ALL=es_MX.UTF-8 locale 2>&1 | grep -c 'Cannot' > /dev/null && fail "es_MX.UTF-8 is not usable"
# Monday 23 November 2026, 08:00 in Mexico City: the weekly digest is due.
export MAILER_NOW=2026-11-23T14:00:00Z

# What this test's server needs in .env in place of the guide's values.
declare -A ours=(
    [SMTP_URL]="smtp://127.0.0.1:$CAPTURE_PORT" [SMTP_USER]=oficina
    [SMTP_PASSWORD]=clave-de-prueba [SMTP_PRESET]=
)

have_bounces=0
mailer help --commands | grep -cx bounces > /dev/null && have_bounces=1
ran=0 skipped=0

guide() { echo "== $1"; }
# The guide's text with this machine's scratch places in it.
places() {
    sed -e "s#/tmp/#$work/tmp/#g" -e "s#/usr/share/doc/mailer#$prefix/share/doc/mailer#g" \
        -e "s#/srv/votochilango#$home#g" -e 's/\bsudo //g'
}
# block WHERE EXIT NEEDS <<BODY: run the block's commands in the home.
block() {
    local where=$1 want=$2 needs=$3 code=0
    places > "$work/block.sh"
    if [[ $needs == *bounces* && $have_bounces == 0 ]]; then
        echo "   skipped $where: 'mailer bounces' is not in this build"
        skipped=$((skipped + 1))
        return 0
    fi
    if [[ $needs == *imap* ]] && ! bounce_mailbox; then
        echo "   skipped $where: needs the bounce mailbox (IMAP): Dovecot needs root and dovecot-imapd"
        skipped=$((skipped + 1))
        return 0
    fi
    # The clock moves a minute per block, as it would for a person.
    MAILER_NOW=$(date -u -d "2026-11-23 14:00 UTC + $((ran + skipped)) minutes" +%Y-%m-%dT%H:%M:%SZ)
    # A person starts in the home once guide 0 made it.
    (cd "$home" 2> /dev/null || cd "$work"
        MAILER_NOW=$MAILER_NOW bash -e "$work/block.sh") > "$work/out" 2>&1 || code=$?
    [ "$code" = "$want" ] || fail "$where exited $code, the guide says $want: $(cat "$work/out")"
    ran=$((ran + 1))
}
expect() {
    grep -qF -- "$(places <<< "$2")" "$work/out" ||
        fail "$1: the guide says the output has «$2»: $(cat "$work/out")"
}
# The bounce mailbox guide 7 reads: an empty INBOX on a private Dovecot,
# started once, and its settings in .env where guide 7 says they go.
bounce_mailbox() {
    grep -q '^BOUNCE_IMAP_URL=.' "$home/.env" 2> /dev/null && return 0
    [[ $(id -u) == 0 ]] && command -v dovecot > /dev/null || return 1
    chmod 755 "$work" # Dovecot reads the mailbox as nobody
    mkdir -p "$work/maildir/cur" "$work/maildir/new" "$work/maildir/tmp"
    chown -R 65534 "$work/maildir"
    dovecot_start "$work/dovecot" "$work/maildir" rebotes clave-rebotes "$CAPTURE_CERTS" ||
        fail "dovecot did not start"
    set_env .env BOUNCE_IMAP_URL "imaps://127.0.0.1:$DOVECOT_PORT/INBOX"
    set_env .env BOUNCE_IMAP_USER rebotes
    set_env .env BOUNCE_IMAP_PASSWORD clave-rebotes
}
# set_env FILE NAME VALUE: the line NAME= of the home's FILE gets VALUE.
set_env() {
    NAME=$2 VALUE=$3 perl -i -pe 's/^\Q$ENV{NAME}\E=.*/$ENV{NAME}=$ENV{VALUE}/' "$home/$1"
}
# write_ini WHERE FILE <<LINES: the senders.ini the guide asks to write, with
# this test's server, login and CA in place of the guide's, as for .env.
write_ini() {
    local file=$home/$2 line
    declare -A ini=([SMTP_URL]="smtp://127.0.0.1:$CAPTURE_PORT" [SMTP_USER]=oficina
        [SMTP_PASSWORD_COMMAND]="printf clave-de-prueba" [SMTP_PRESET]=)
    : > "$file"
    while IFS= read -r line; do
        [[ $line =~ ^([A-Z_]+)\ *=\ *(.*)$ && -v ini[${BASH_REMATCH[1]}] ]] &&
            line="${BASH_REMATCH[1]} = ${ini[${BASH_REMATCH[1]}]}"
        printf '%s\n' "$line" >> "$file"
        [[ $line == \[remitente\ *\] ]] && printf 'CA_FILE = %s\n' "$CAPTURE_CA" >> "$file"
    done
    return 0
}
# edit_file WHERE FILE <<LINES: set each NAME=value the guide lists in FILE.
edit_file() {
    [[ $2 == senders.ini ]] && { write_ini "$@"; return; }
    local where=$1 file=$home/$2 line name value
    [ -f "$file" ] || fail "$where: the guide asks to edit $2, which is not there"
    while IFS= read -r line; do
        [[ $line =~ ^([A-Z_]+)=(.*)$ ]] || fail "$where: not a NAME=value line: $line"
        name=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
        [[ -v ours[$name] ]] && value=${ours[$name]}
        grep -q "^$name=" "$file" || fail "$where: $2 has no line $name= to fill"
        set_env "$2" "$name" "$value"
    done
    set_env "$2" CA_FILE "$CAPTURE_CA"
}

/usr/bin/python3 "$SOURCE_DIR/tests/integration/guides.py" "$SOURCE_DIR"/docs/[0-9]*.md > "$work/guides.sh" ||
    fail "a guide has a command block without a marker"
. "$work/guides.sh"
[ "$ran" -ge 20 ] || fail "only $ran blocks ran"
echo "guides: $ran blocks run, $skipped skipped, from $prefix/bin/mailer"
[ "$skipped" = 0 ] || exit 77 # some block could not run here (said above)
