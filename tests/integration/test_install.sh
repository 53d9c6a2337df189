#!/usr/bin/env bash
# test_install - `cmake --install` into a DESTDIR puts every file in its usual
# place (GNUInstallDirs), the installed binary finds its Spanish catalogue
# and a mailer home from MAILER_HOME or the working directory; `cpack -G DEB`
# makes a .deb with those files and the run-time dependencies.
set -euo pipefail
: "${SOURCE_DIR:?}" "${BUILD_DIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
unset LANGUAGE LC_ALL LC_MESSAGES MAILER_LOCALEDIR
export LANG=C.UTF-8

dest=$work/root
DESTDIR=$dest cmake --install "$BUILD_DIR" --prefix /usr > "$work/install.log" ||
    fail "cmake --install: $(cat "$work/install.log")"
for f in usr/bin/mailer usr/share/man/man1/mailer.1 usr/share/man/es/man1/mailer.1 \
    usr/share/locale/es/LC_MESSAGES/mailer.mo usr/share/bash-completion/completions/mailer \
    usr/share/doc/mailer/examples/.env.example usr/share/doc/mailer/examples/crontab.example \
    usr/share/doc/mailer/examples/systemd/mailer-due.timer \
    usr/share/doc/mailer/examples/systemd/mailer-due.service \
    usr/share/doc/mailer/examples/home/campaigns/corazon-chilango.ini \
    usr/share/doc/mailer/README.md usr/share/doc/mailer/README.md; do
    [ -e "$dest/$f" ] || fail "not installed: /$f"
done
ls "$dest/usr/share/doc/mailer/"*.md > /dev/null || fail "no guides installed"
[ -x "$dest/usr/bin/mailer" ] || fail "the binary is not executable"

mailer=$dest/usr/bin/mailer
# The installed binary reads the installed catalogue (beside it: ../share/locale).
out=$(LANGUAGE=es "$mailer" --help) || fail "installed --help"
grep -q 'Comandos:' <<< "$out" || fail "installed binary not in Spanish: $out"
# A mailer home from the installed examples, used from MAILER_HOME and from the
# working directory.
cp -r "$dest/usr/share/doc/mailer/examples/home" "$work/home"
code=0
MAILER_DB=$work/m.db MAILER_HOME=$work/home MAILER_NOW=2026-11-22T16:00:00Z \
    "$mailer" check corazon-chilango --edition 2026-11 > "$work/check.out" 2>&1 || code=$?
[ "$code" = 0 ] || fail "check from MAILER_HOME exited $code: $(cat "$work/check.out")"
grep -q "51 recipients" "$work/check.out" || fail "check from MAILER_HOME: $(cat "$work/check.out")"
(cd "$work/home" && MAILER_DB=$work/m2.db LANGUAGE=es "$mailer" campaigns list) > "$work/list.out" ||
    fail "campaigns list from the working directory: $(cat "$work/list.out")"
grep -q '^CAMPAÑA' "$work/list.out" && grep -q 'corazon-chilango' "$work/list.out" ||
    fail "campaigns list: $(cat "$work/list.out")"
# The man pages render.
man -l "$dest/usr/share/man/man1/mailer.1" 2> /dev/null | grep -c 'campaigns list' > /dev/null ||
    fail "man page does not render"

# The .deb.
if command -v cpack > /dev/null && command -v dpkg-deb > /dev/null; then
    (cd "$work" && cpack -G DEB --config "$BUILD_DIR/CPackConfig.cmake" -B "$work/pkg" > cpack.log 2>&1) ||
        fail "cpack: $(cat "$work/cpack.log")"
    deb=$(ls "$work"/pkg/*.deb)
    dpkg-deb --info "$deb" > "$work/info"
    for d in libcurl3-gnutls libetpan20 libsqlite3-0 libcmark0.30.2 libidn2-0 libjson-c5; do
        grep -q "Depends:.*$d" "$work/info" || fail "the .deb does not depend on $d: $(cat "$work/info")"
    done
    dpkg-deb --contents "$deb" > "$work/contents"
    for f in ./usr/bin/mailer ./usr/share/man/man1/mailer.1 ./usr/share/locale/es/LC_MESSAGES/mailer.mo \
        ./usr/share/bash-completion/completions/mailer; do
        grep -q " $f\$" "$work/contents" || fail ".deb lacks $f"
    done
    echo "deb: $(basename "$deb") $(stat -c %s "$deb") bytes"
fi
echo ok
