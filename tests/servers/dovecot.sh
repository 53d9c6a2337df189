# dovecot.sh - a private Dovecot (IMAPS only) on loopback for tests (needs root).
#
#   . "$SOURCE_DIR/tests/servers/dovecot.sh"
#   trap dovecot_cleanup EXIT
#   dovecot_start DIR MAILDIR USER PASSWORD CERTDIR
#   ... imaps://127.0.0.1:$DOVECOT_PORT/INBOX, trust $CERTDIR/ca.pem ...
#   dovecot_stop
#
# dovecot_start: one user (static passdb/userdb, uid nobody) whose INBOX is
#   MAILDIR (Maildir++: other folders are MAILDIR/.NAME); the certificate is
#   CERTDIR/server.pem (tests/servers/make_certs.sh makes one). Every parent
#   of MAILDIR must be searchable by nobody. Exports DOVECOT_PORT and
#   DOVECOT_LOG, and DOVECOT_IMAP_PORT: an imap listener where LOGIN needs
#   STARTTLS first (ssl = required). It listens on 127.0.0.1 and 127.0.0.2
#   (the certificate names only the first: a host-name check can be tested).
#   It may be called again (another DIR) for more servers, one mailbox each:
#   the variables then describe the latest one.
# dovecot_stop: stops the latest server; dovecot_cleanup: every one.

dovecot_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

DOVECOT_BASE=
DOVECOT_BASES=()

dovecot_start() {
    local dir=${1:?dovecot_start DIR MAILDIR USER PASSWORD CERTDIR} maildir=${2:?} user=${3:?}
    local pass=${4:?} certs=${5:?} i
    mkdir -p "$dir/run" "$dir/state" || return 1
    chmod 755 "$dir"
    DOVECOT_PORT=$(dovecot_free_port)
    DOVECOT_IMAP_PORT=$(dovecot_free_port)
    DOVECOT_LOG=$dir/dovecot.log
    cat >"$dir/dovecot.conf" <<EOF
base_dir = $dir/run
state_dir = $dir/state
log_path = $DOVECOT_LOG
protocols = imap
listen = 127.0.0.1, 127.0.0.2
ssl = required
ssl_cert = <$certs/server.pem
ssl_key = <$certs/server.key
disable_plaintext_auth = yes
auth_mechanisms = plain
default_login_user = nobody
default_internal_user = nobody
mail_location = maildir:$maildir
passdb {
  driver = static
  args = user=$user password=$pass
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/home
}
service imap-login {
  chroot =
  inet_listener imap {
    port = $DOVECOT_IMAP_PORT
  }
  inet_listener imaps {
    port = $DOVECOT_PORT
    ssl = yes
  }
}
service anvil {
  chroot =
}
service stats {
  chroot =
}
EOF
    mkdir -p "$dir/home" && chown 65534 "$dir/home"
    DOVECOT_BASE=$dir/run
    DOVECOT_BASES+=("$dir/run")
    export DOVECOT_PORT DOVECOT_IMAP_PORT DOVECOT_LOG
    if ! dovecot -c "$dir/dovecot.conf" >"$dir/start.out" 2>&1; then
        echo "dovecot_start: dovecot did not start:" >&2
        cat "$dir/start.out" "$DOVECOT_LOG" >&2 2>/dev/null
        return 1
    fi
    for ((i = 0; i < 100; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$DOVECOT_PORT") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "dovecot_start: nothing listens on $DOVECOT_PORT" >&2
    cat "$DOVECOT_LOG" >&2 2>/dev/null
    return 1
}

# dovecot_stop_base BASE: stop the server whose base_dir is BASE.
dovecot_stop_base() {
    local base=$1 pid i
    [[ -n $base && -s $base/master.pid ]] || return 0
    pid=$(<"$base/master.pid")
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
}

dovecot_stop() {
    dovecot_stop_base "$DOVECOT_BASE"
    DOVECOT_BASE=
}

dovecot_cleanup() {
    local base
    for base in "${DOVECOT_BASES[@]}"; do
        dovecot_stop_base "$base"
    done
    DOVECOT_BASES=()
    DOVECOT_BASE=
}
