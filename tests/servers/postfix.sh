# postfix.sh - a private Postfix instance on loopback for tests (needs root).
#
#   . "$SOURCE_DIR/tests/servers/postfix.sh"
#   trap postfix_cleanup EXIT
#   postfix_start DIR [LOCAL_DOMAIN [VIRTUAL_ADDRESS [ALIASES]]]
#   ... SMTP on 127.0.0.1:$POSTFIX_PORT ...
#   postfix_flush; postfix_wait_queue_empty 30
#   postfix_stop
#
# postfix_start DIR DOMAIN VADDR ALIASES: config, queue and logs under DIR.
#   DOMAIN (default test.example) is a local domain where only the ALIASES
#   exist ("ana beto": delivered to /dev/null); any other user is accepted
#   and then bounced by `local` with dsn=5.1.1, so Postfix itself writes the
#   DSN. VADDR (default bounces@bounces.example) is a virtual mailbox whose
#   mail lands in the Maildir $POSTFIX_MAILDIR (files owned by nobody).
#   Exports POSTFIX_PORT POSTFIX_CONF POSTFIX_MAILDIR POSTFIX_LOG.
# Postfix refuses a config dir that /etc/postfix/main.cf does not list in
# alternate_config_directories: it is added (under a lock, other runs may be
# doing the same) and removed again by postfix_stop.

POSTFIX_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
POSTFIX_CONF=
POSTFIX_LOCK=/run/lock/mailer-tests-postfix-main-cf.lock

postfix_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# postfix_alternate add|remove DIR: edit the default main.cf's list.
postfix_alternate() {
    local op=$1 dir=$2
    mkdir -p "$(dirname "$POSTFIX_LOCK")"
    (
        flock 9
        [[ -e /etc/postfix/main.cf ]] || : >/etc/postfix/main.cf
        local cur new d
        cur=$(postconf -h alternate_config_directories 2>/dev/null)
        new=
        for d in ${cur//,/ }; do
            [[ $d == "$dir" ]] || new="$new $d"
        done
        [[ $op == add ]] && new="$new $dir"
        new=${new# }
        if [[ -n $new ]]; then
            postconf -e "alternate_config_directories = $new"
        else
            postconf -X alternate_config_directories
        fi
    ) 9>"$POSTFIX_LOCK"
}

postfix_start() {
    local dir=${1:?postfix_start DIR [DOMAIN [VADDR [ALIASES]]]}
    local domain=${2:-test.example} vaddr=${3:-bounces@bounces.example} aliases=${4:-ana beto}
    local vdomain=${vaddr#*@} vuser=${vaddr%@*} a amap="" i
    mkdir -p "$dir/etc" "$dir/queue" "$dir/data" "$dir/mail" || return 1
    chmod 755 "$dir" "$dir/mail"
    chown postfix "$dir/data"
    chown 65534 "$dir/mail"
    POSTFIX_PORT=$(postfix_free_port)
    for a in $aliases; do amap="$amap{$a=/dev/null},"; done
    cat >"$dir/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
myhostname = mx.$domain
mydomain = $domain
myorigin = $domain
mydestination = $domain
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtputf8_enable = no
biff = no
append_dot_mydomain = no
local_recipient_maps =
alias_maps = inline:{ ${amap%,} }
alias_database =
allow_mail_to_files = alias
virtual_mailbox_domains = $vdomain
virtual_mailbox_base = $dir/mail
virtual_mailbox_maps = inline:{ {$vaddr=$vuser/Maildir/} }
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
delay_warning_time = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtpd_banner = \$myhostname ESMTP test
EOF
    # The stock master.cf, chroot off everywhere, smtpd on our port only.
    local master=/etc/postfix/master.cf
    [[ -s $master ]] || master=/usr/share/postfix/master.cf.dist
    awk -v port="$POSTFIX_PORT" '
        /^#/ || /^[ \t]/ || NF < 8 { print; next }
        $1 == "smtp" && $2 == "inet" { $1 = "127.0.0.1:" port; $5 = "n"; print; next }
        $2 ~ /^(inet|unix|fifo|pass|unix-dgram)$/ { $5 = "n" }
        { print }' "$master" >"$dir/etc/master.cf"
    POSTFIX_CONF=$dir/etc
    POSTFIX_MAILDIR=$dir/mail/$vuser/Maildir
    POSTFIX_LOG=$dir/maillog
    export POSTFIX_PORT POSTFIX_CONF POSTFIX_MAILDIR POSTFIX_LOG
    postfix_alternate add "$POSTFIX_CONF" || return 1
    if ! postfix -c "$POSTFIX_CONF" start >"$dir/start.out" 2>&1; then
        echo "postfix_start: postfix did not start:" >&2
        cat "$dir/start.out" "$POSTFIX_LOG" >&2 2>/dev/null
        return 1
    fi
    for ((i = 0; i < 100; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$POSTFIX_PORT") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "postfix_start: nothing listens on $POSTFIX_PORT" >&2
    cat "$POSTFIX_LOG" >&2 2>/dev/null
    return 1
}

# Ask the queue manager to try every deferred message now.
postfix_flush() {
    postqueue -c "$POSTFIX_CONF" -f >/dev/null 2>&1 || true
}

# postfix_wait_queue_empty SECONDS: 0 once nothing is queued (incoming,
# active, deferred, maildrop), 1 on timeout.
postfix_wait_queue_empty() {
    local limit=${1:-30} q i
    q=$(postconf -c "$POSTFIX_CONF" -h queue_directory)
    for ((i = 0; i < limit * 5; i++)); do
        if [[ -z $(find "$q/incoming" "$q/active" "$q/deferred" "$q/maildrop" -type f 2>/dev/null | sed -n 1p) ]]; then
            return 0
        fi
        ((i % 10 == 9)) && postfix_flush
        sleep 0.2
    done
    return 1
}

postfix_stop() {
    [[ -n $POSTFIX_CONF ]] || return 0
    postfix -c "$POSTFIX_CONF" stop >/dev/null 2>&1 || true
    local pidf i
    pidf=$(postconf -c "$POSTFIX_CONF" -h queue_directory 2>/dev/null)/pid/master.pid
    for ((i = 0; i < 50; i++)); do
        [[ -s $pidf ]] && kill -0 "$(tr -d ' ' <"$pidf")" 2>/dev/null || break
        sleep 0.1
    done
    postfix_alternate remove "$POSTFIX_CONF"
    POSTFIX_CONF=
}

postfix_cleanup() {
    postfix_stop
}
