#!/usr/bin/env bash
# test_library_owners - each external library is wrapped by one module
# (ARCHITECTURE.md): only the files named here include its headers. libcurl
# in particular is the SMTP backend's alone (transport_smtp.c), not the
# transport's API nor its file sink. A module split into several files is
# named by a pattern (bounce*.c). The checker is tried on a doctored copy
# that includes curl from the file sink: it must catch it.
set -euo pipefail
: "${SOURCE_DIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# header prefix | the files of mailer/ that may include it (shell patterns)
owners='curl/|lib/transport_smtp.c
sqlite3.h|lib/ledger.c
json-c/|lib/value.c
csv.h|lib/csvread.c
idn2.h|lib/address.c
cmark|lib/content.c
microhttpd.h|lib/web.c
ini.h|lib/campaign*.c lib/listconf.c lib/report*.c
libetpan/|lib/message*.c lib/bounce*.c lib/mailbox*.c
gnutls/|lib/mailbox*.c'

check() { # DIR (a copy of mailer/): 0 when every include is its owner's
    local dir=$1 bad=0 prefix allowed f rel ok pat
    while IFS='|' read -r prefix allowed; do
        while IFS= read -r f; do
            rel=${f#"$dir"/}
            ok=0
            for pat in $allowed; do
                # shellcheck disable=SC2053
                [[ $rel == $pat ]] && ok=1
            done
            [ $ok = 1 ] || { echo "$rel includes <$prefix...>, which is not its module's" >&2; bad=1; }
        done < <(grep -rlE "^#include <$prefix" "$dir" --include='*.c' --include='*.h' || true)
    done <<< "$owners"
    return $bad
}

check "$SOURCE_DIR/mailer" || { echo "FAIL: a library is included outside its module" >&2; exit 1; }
grep -q '^#include <curl/curl.h>' "$SOURCE_DIR/mailer/lib/transport_smtp.c" ||
    { echo "FAIL: transport_smtp.c does not include libcurl: the table is stale" >&2; exit 1; }

# the checker catches a doctored copy
cp -r "$SOURCE_DIR/mailer" "$work/mailer"
sed -i 's|^#include "transport_int.h"|#include <curl/curl.h>\n#include "transport_int.h"|' \
    "$work/mailer/lib/transport_file.c"
if check "$work/mailer" 2> "$work/err"; then
    echo "FAIL: the checker missed curl included by transport_file.c" >&2
    exit 1
fi
grep -q 'lib/transport_file.c includes <curl/' "$work/err" || { cat "$work/err" >&2; exit 1; }
echo "library owners: $(wc -l <<< "$owners") libraries, each included by its module only"
