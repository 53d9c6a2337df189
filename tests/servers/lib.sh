# lib.sh - start and stop the capture SMTP server from tests and the demo.
#
#   . "$SOURCE_DIR/tests/servers/lib.sh"
#   trap capture_cleanup EXIT
#   capture_start "$tmp/mail" [--require-tls] [--auth user:pass] [...]
#   ... messages land in $CAPTURE_DIR/NNNNNN.eml (+ .json) ...
#   capture_stop
#
# capture_start DIR [ARGS...]: starts tests/servers/capture_smtp.py in the
#   background on a free 127.0.0.1 port, STARTTLS offered with a certificate
#   from make_certs.sh (kept in DIR.srv/certs), extra ARGS passed on. Waits
#   (up to 10 s) until it listens, then exports
#     CAPTURE_PORT  the port          CAPTURE_PID  the server's pid
#     CAPTURE_DIR   DIR               CAPTURE_CA   the CA file to trust
#     CAPTURE_LOG   its log (one line per connection, auth, message)
#     CAPTURE_CERTS the certificate directory (server, expired, wronghost)
#   Returns 1 (and prints the log) if it did not start. It may be called again
#   for more servers; the variables then describe the latest one. The server
#   exits by itself when the shell that started it (or $CAPTURE_WATCH_PID) is gone.
# capture_stop [PID]: stops one server (default: $CAPTURE_PID) and waits for it.
# capture_cleanup: stops every server started here; safe in an EXIT trap,
#   safe to call twice.
# capture_count [DIR]: how many messages were saved (default: $CAPTURE_DIR).
# capture_connections [LOG]: how many connections it accepted (default: $CAPTURE_LOG).

CAPTURE_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CAPTURE_PYTHON=${CAPTURE_PYTHON:-/usr/bin/python3}
CAPTURE_PIDS=()

capture_start() {
    local dir=${1:?capture_start DIR [ARGS...]}
    shift
    local srv=${dir%/}.srv
    mkdir -p "$dir" "$srv" || return 1
    bash "$CAPTURE_LIB_DIR/make_certs.sh" "$srv/certs" || return 1
    rm -f "$srv/ready"
    "$CAPTURE_PYTHON" "$CAPTURE_LIB_DIR/capture_smtp.py" --port 0 --dir "$dir" \
        --cert "$srv/certs/server.pem" --key "$srv/certs/server.key" \
        --ready-file "$srv/ready" --log "$srv/log" --watch-pid "${CAPTURE_WATCH_PID:-$$}" "$@" \
        </dev/null >>"$srv/stderr" 2>&1 &
    local pid=$! i
    CAPTURE_PIDS+=("$pid")
    for ((i = 0; i < 200; i++)); do
        [[ -s $srv/ready ]] && break
        if ! kill -0 "$pid" 2>/dev/null; then break; fi
        sleep 0.05
    done
    if [[ ! -s $srv/ready ]]; then
        echo "capture_start: the capture server did not start:" >&2
        cat "$srv/stderr" "$srv/log" >&2 2>/dev/null
        capture_stop "$pid"
        return 1
    fi
    export CAPTURE_PORT=$(<"$srv/ready") CAPTURE_PID=$pid CAPTURE_DIR=$dir
    export CAPTURE_CA=$srv/certs/ca.pem CAPTURE_LOG=$srv/log CAPTURE_CERTS=$srv/certs
}

capture_stop() {
    local pid=${1:-${CAPTURE_PID:-}} i
    [[ -n $pid ]] || return 0
    kill "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 0
}

capture_cleanup() {
    local pid
    for pid in "${CAPTURE_PIDS[@]}"; do
        capture_stop "$pid"
    done
    CAPTURE_PIDS=()
}

capture_count() {
    local dir=${1:-$CAPTURE_DIR}
    find "$dir" -maxdepth 1 -name '*.json' | wc -l
}

# capture_connections [LOG]: how many connections the server accepted
# (default: $CAPTURE_LOG); fewer than messages means connections were reused.
capture_connections() {
    grep -c ' open ' "${1:-$CAPTURE_LOG}" || true
}
