/* test_transport - the SMTP and file transports against the capture SMTP
 * server (tests/servers/capture_smtp.py) on loopback, started by the test
 * through tests/servers/lib.sh. Every case starts the servers it needs.
 */
#include <errno.h>
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "buf.h"
#include "err.h"
#include "transport.h"

#include "banned.h"

struct server {
    char dir[512]; /* messages */
    char ca[512];
    int port;
    pid_t pid;
};

static char tmp_root[256];

/* Timeouts are multiplied by $TIMEOUT_SCALE (valgrind makes TLS handshakes
 * some 50 times slower). */
static long scaled(long ms)
{
    const char *s = getenv("TIMEOUT_SCALE");
    long k = s ? atol(s) : 1;

    return ms * (k > 0 ? k : 1);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Start a capture server through lib.sh with extra arguments. */
static void server_start(struct server *s, const char *name, const char *args)
{
    const char *src = getenv("SOURCE_DIR");
    char cmd[2048];
    FILE *p;
    int n;

    assert_non_null(src);
    snprintf(s->dir, sizeof(s->dir), "%s/%s", tmp_root, name);
    snprintf(cmd, sizeof(cmd),
             "CAPTURE_WATCH_PID=%d bash -c '. \"%s/tests/servers/lib.sh\" && "
             "capture_start \"%s\" %s >&2 && echo \"$CAPTURE_PORT $CAPTURE_PID $CAPTURE_CA\"'",
             (int)getpid(), src, s->dir, args);
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fscanf(p, "%d %d %511s", &s->port, &s->pid, s->ca);
    pclose(p);
    assert_int_equal(n, 3);
}

/* "--cert DIR/NAME.pem --key DIR/NAME.key" with the certificates of s (same CA). */
static void cert_args(char *out, size_t size, const struct server *s, const char *name)
{
    size_t dir = strlen(s->ca) - strlen("/ca.pem");

    snprintf(out, size, "--cert %.*s/%s.pem --key %.*s/%s.key", (int)dir, s->ca, name, (int)dir,
             s->ca, name);
}

/* The server is not our child (lib.sh started it): gone or a zombie waiting
 * for whoever adopted it. */
static int server_gone(pid_t pid)
{
    char path[64], stat[256];
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return 1;
    n = fread(stat, 1, sizeof(stat) - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *paren = strrchr(stat, ')');
    return !paren || paren[1] != ' ' || paren[2] == 'Z';
}

static void server_stop(struct server *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGTERM);
    for (int i = 0; i < 100 && !server_gone(s->pid); i++)
        usleep(20000);
    s->pid = 0;
}

/* ---- messages ------------------------------------------------------------ */

struct msg {
    char rcpt[128];
    struct buf body; /* what was submitted (kept for comparison) */
    int done;
    double done_at;
    struct transport_result res;
};

static void msg_make(struct msg *m, const char *rcpt, int i)
{
    struct buf *b = &m->body;

    snprintf(m->rcpt, sizeof(m->rcpt), "%s", rcpt);
    buf_init(b, 0);
    assert_int_equal(
        buf_addf(b,
                 "From: Instituto <avisos@iecm.test>\r\nTo: <%s>\r\nSubject: Aviso %d\r\n"
                 "Message-ID: <%d.test@iecm.test>\r\nMIME-Version: 1.0\r\n"
                 "Content-Type: text/plain; charset=utf-8\r\n"
                 "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                 rcpt, i, i),
        0);
    assert_int_equal(
        buf_addf(b, "Mensaje n=C3=BAmero %d.\r\n.una l=C3=ADnea con punto al inicio\r\n.\r\n", i),
        0);
    for (int k = 0; k < i % 7; k++)
        assert_int_equal(
            buf_addf(b, "l=C3=ADnea %d de relleno para variar el tama=C3=B1o del mensaje\r\n", k),
            0);
}

static void msg_done(void *ud, void *tag, const struct transport_result *r)
{
    struct msg *msgs = ud;
    struct msg *m = &msgs[(intptr_t)tag];

    assert_false(m->done);
    m->done = 1;
    m->done_at = now_s();
    m->res = *r;
}

/* Submit msgs[0..n) keeping the transport full, wait for every outcome. */
static void run(struct transport *t, struct msg *msgs, int n)
{
    struct err err;
    int next = 0, reported = 0;
    double deadline = now_s() + scaled(60000) / 1000.0;

    err_init(&err);
    while (reported < n) {
        while (next < n && transport_slots(t) > 0) {
            struct buf copy;
            buf_init(&copy, 0);
            assert_int_equal(buf_add(&copy, msgs[next].body.data, msgs[next].body.len), 0);
            assert_int_equal(transport_submit(t, "rebotes@iecm.test", msgs[next].rcpt, &copy,
                                              (void *)(intptr_t)next, &err),
                             0);
            assert_int_equal(copy.len, 0); /* the transport took it */
            buf_release(&copy);
            next++;
        }
        int got = transport_poll(t, 500, msg_done, msgs, &err);
        assert_true(got >= 0);
        reported += got;
        assert_true(now_s() < deadline);
    }
    assert_int_equal(transport_in_flight(t), 0);
    err_release(&err);
}

static void msgs_free(struct msg *msgs, int n)
{
    for (int i = 0; i < n; i++)
        buf_release(&msgs[i].body);
    free(msgs);
}

static struct transport *smtp_open(const struct transport_config *cfg)
{
    struct err err;
    struct transport *t;

    err_init(&err);
    t = transport_new("smtp", cfg, &err);
    if (!t)
        fail_msg("transport_new: %s", err.msg.data);
    err_release(&err);
    return t;
}

static void url_of(char *url, size_t size, const char *scheme, const struct server *s)
{
    snprintf(url, size, "%s://127.0.0.1:%d", scheme, s->port);
}

/* One message to rcpt through a transport built from cfg; its result. */
static struct transport_result send_one(const struct transport_config *cfg, const char *rcpt)
{
    struct transport *t = smtp_open(cfg);
    struct msg *m = calloc(1, sizeof(*m));
    struct transport_result r;

    msg_make(m, rcpt, 1);
    run(t, m, 1);
    r = m->res;
    transport_free(t);
    msgs_free(m, 1);
    return r;
}

/* ---- what the server saved ----------------------------------------------- */

struct saved {
    char rcpt[128];
    int conn, tls;
    char auth_user[64];
    struct buf eml;
};

/* Read every NNNNNN.json / .eml pair of dir; returns how many. */
static int saved_read(const char *dir, struct saved **out)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    struct saved *v = NULL;
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d))) {
        char path[600];
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 5, ".json"))
            continue;
        v = realloc(v, sizeof(*v) * (size_t)(n + 1));
        struct saved *s = &v[n++];
        memset(s, 0, sizeof(*s));
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        json_object *o = json_object_from_file(path), *x;
        assert_non_null(o);
        assert_true(json_object_object_get_ex(o, "rcpt_tos", &x));
        snprintf(s->rcpt, sizeof(s->rcpt), "%s",
                 json_object_get_string(json_object_array_get_idx(x, 0)));
        json_object_object_get_ex(o, "conn", &x);
        s->conn = json_object_get_int(x);
        json_object_object_get_ex(o, "tls", &x);
        s->tls = json_object_get_boolean(x);
        json_object_object_get_ex(o, "auth_user", &x);
        snprintf(s->auth_user, sizeof(s->auth_user), "%s", x ? json_object_get_string(x) : "");
        json_object_put(o);
        snprintf(path + strlen(path) - 5, 6, ".eml");
        buf_init(&s->eml, 0);
        assert_int_equal(buf_read_file(&s->eml, path), 0);
    }
    closedir(d);
    *out = v;
    return n;
}

static void saved_free(struct saved *v, int n)
{
    for (int i = 0; i < n; i++)
        buf_release(&v[i].eml);
    free(v);
}

static const struct saved *saved_find(const struct saved *v, int n, const char *rcpt)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i].rcpt, rcpt))
            return &v[i];
    return NULL;
}

/* How many connections delivered messages saved in dir. */
static int saved_connections(const char *dir)
{
    struct saved *v;
    int n = saved_read(dir, &v), conns = 0;
    char seen[1024] = {0};

    for (int i = 0; i < n; i++)
        if (v[i].conn > 0 && v[i].conn < 1024 && !seen[v[i].conn]++)
            conns++;
    saved_free(v, n);
    return conns;
}

static int saved_count(const char *dir)
{
    struct saved *v;
    int n = saved_read(dir, &v);

    saved_free(v, n);
    return n;
}

/* ---- cases ------------------------------------------------------------------ */

static struct transport_config base_cfg(char *url, const struct server *s)
{
    struct transport_config cfg = {0};

    url_of(url, 256, "smtp", s);
    cfg.url = url;
    cfg.ca_file = s->ca;
    cfg.require_tls = 1;
    cfg.concurrency = 1;
    cfg.timeout_ms = scaled(5000);
    cfg.helo = "mailer.iecm.test";
    cfg.verbose = getenv("TRANSPORT_VERBOSE") != NULL;
    return cfg;
}

/* 100 messages at concurrency 4 over STARTTLS: all accepted, saved byte for
 * byte, over at most 4 reused connections. */
static void test_bulk_exact_bytes_and_reuse(void **state)
{
    struct server s = {0};
    char url[256];
    const int n = 100;
    struct msg *msgs = calloc(n, sizeof(*msgs));
    struct saved *v;
    int conns[16] = {0}, distinct = 0;

    (void)state;
    const char *env_port = getenv("CAPTURE_PORT");
    if (env_port && getenv("CAPTURE_DIR") && getenv("CAPTURE_CA")) {
        /* tests/integration/test_transport.sh started one for us */
        s.port = atoi(env_port);
        snprintf(s.dir, sizeof(s.dir), "%s", getenv("CAPTURE_DIR"));
        snprintf(s.ca, sizeof(s.ca), "%s", getenv("CAPTURE_CA"));
    } else {
        server_start(&s, "bulk", "");
    }
    int before = saved_count(s.dir);
    struct transport_config cfg = base_cfg(url, &s);
    cfg.concurrency = 4;
    struct transport *t = smtp_open(&cfg);
    for (int i = 0; i < n; i++) {
        char rcpt[64];
        snprintf(rcpt, sizeof(rcpt), "votante%03d@example.test", i);
        msg_make(&msgs[i], rcpt, i);
    }
    run(t, msgs, n);
    transport_free(t);
    for (int i = 0; i < n; i++) {
        assert_int_equal(msgs[i].res.outcome, TRANSPORT_SENT);
        assert_int_equal(msgs[i].res.code, 250);
        assert_string_equal(msgs[i].res.enhanced, "2.0.0");
        assert_non_null(strstr(msgs[i].res.reply, "250 2.0.0 Ok: queued as"));
    }
    int got = saved_read(s.dir, &v);
    assert_int_equal(got, before + n);
    for (int i = 0; i < n; i++) {
        const struct saved *sv = saved_find(v, got, msgs[i].rcpt);
        assert_non_null(sv);
        assert_int_equal(sv->eml.len, msgs[i].body.len);
        assert_memory_equal(sv->eml.data, msgs[i].body.data, msgs[i].body.len);
        assert_true(sv->tls);
        int seen = 0;
        for (int k = 0; k < distinct; k++)
            seen |= conns[k] == sv->conn;
        if (!seen && distinct < 16)
            conns[distinct++] = sv->conn;
    }
    assert_true(distinct >= 1 && distinct <= 4); /* reused: 100 messages, <= 4 connections */
    saved_free(v, got);
    msgs_free(msgs, n);
    if (!env_port)
        server_stop(&s);
}

/* STARTTLS: refused without the test CA, wrong host and expired certificates
 * refused even with it. */
static void test_tls_verification(void **state)
{
    struct server ok = {0}, wrong = {0}, expired = {0};
    char url[256], args[1024];
    struct transport_result r;

    (void)state;
    server_start(&ok, "tls-ok", "");
    struct transport_config cfg = base_cfg(url, &ok);
    cfg.ca_file = NULL; /* system store: does not know the test CA */
    r = send_one(&cfg, "a@example.test");
    assert_int_equal(r.outcome, TRANSPORT_TLSFAIL);
    assert_int_equal(r.code, 0);
    assert_true(strlen(r.reply) > 0);
    cfg.ca_file = ok.ca;
    r = send_one(&cfg, "b@example.test");
    assert_int_equal(r.outcome, TRANSPORT_SENT);
    assert_int_equal(saved_count(ok.dir), 1);

    cert_args(args, sizeof(args), &ok, "wronghost");
    server_start(&wrong, "tls-wrong", args);
    cfg = base_cfg(url, &wrong);
    cfg.ca_file = ok.ca; /* the same CA signed it */
    r = send_one(&cfg, "c@example.test");
    assert_int_equal(r.outcome, TRANSPORT_TLSFAIL);

    cert_args(args, sizeof(args), &ok, "expired");
    server_start(&expired, "tls-expired", args);
    cfg = base_cfg(url, &expired);
    cfg.ca_file = ok.ca;
    r = send_one(&cfg, "d@example.test");
    assert_int_equal(r.outcome, TRANSPORT_TLSFAIL);
    assert_int_equal(saved_count(wrong.dir) + saved_count(expired.dir), 0);
    server_stop(&ok);
    server_stop(&wrong);
    server_stop(&expired);
}

/* A server that offers no STARTTLS: refused when TLS is required; a server
 * that requires it: refused (530) when we speak plain. smtps:// works. */
static void test_tls_policy(void **state)
{
    struct server plain = {0}, strict = {0}, implicit = {0};
    char url[256];
    struct transport_result r;

    (void)state;
    server_start(&plain, "notls", "--no-tls");
    struct transport_config cfg = base_cfg(url, &plain);
    r = send_one(&cfg, "a@example.test");
    assert_int_equal(r.outcome, TRANSPORT_TLSFAIL);
    cfg.require_tls = 0;
    r = send_one(&cfg, "a@example.test");
    assert_int_equal(r.outcome, TRANSPORT_SENT);

    server_start(&strict, "strict", "--require-tls");
    cfg = base_cfg(url, &strict);
    cfg.require_tls = 0;
    r = send_one(&cfg, "a@example.test");
    assert_int_equal(r.outcome, TRANSPORT_TLSFAIL);
    assert_int_equal(r.code, 530);
    assert_int_equal(saved_count(strict.dir), 0);

    server_start(&implicit, "smtps", "--implicit-tls");
    cfg = base_cfg(url, &implicit);
    url_of(url, sizeof(url), "smtps", &implicit);
    r = send_one(&cfg, "a@example.test");
    assert_int_equal(r.outcome, TRANSPORT_SENT);
    struct saved *v;
    assert_int_equal(saved_read(implicit.dir, &v), 1);
    assert_true(v[0].tls);
    saved_free(v, 1);
    server_stop(&plain);
    server_stop(&strict);
    server_stop(&implicit);
}

static void test_auth(void **state)
{
    struct server s = {0};
    char url[256];
    struct transport_result r;
    struct saved *v;

    (void)state;
    server_start(&s, "auth", "--auth elector:s3cr3t-Pa55");
    struct transport_config cfg = base_cfg(url, &s);
    cfg.user = "elector";
    cfg.password = "s3cr3t-Pa55";
    r = send_one(&cfg, "good@example.test");
    assert_int_equal(r.outcome, TRANSPORT_SENT);

    cfg.password = "wrong";
    r = send_one(&cfg, "bad@example.test");
    assert_int_equal(r.outcome, TRANSPORT_AUTHFAIL);
    assert_int_equal(r.code, 535);
    assert_string_equal(r.enhanced, "5.7.8");

    cfg.user = cfg.password = NULL; /* none: 530 5.7.0 authentication required */
    r = send_one(&cfg, "none@example.test");
    assert_int_equal(r.outcome, TRANSPORT_AUTHFAIL);
    assert_int_equal(r.code, 530);

    cfg.user = "elector";
    cfg.oauth_token = "s3cr3t-Pa55"; /* the capture server's XOAUTH2 token is the password */
    r = send_one(&cfg, "oauth@example.test");
    assert_int_equal(r.outcome, TRANSPORT_SENT);

    /* verbose: the trace goes to stderr with credentials redacted */
    char trace[600];
    struct buf log = BUF_INIT;
    snprintf(trace, sizeof(trace), "%s/trace.txt", tmp_root);
    fflush(stderr);
    int saved_fd = dup(2);
    FILE *tf = fopen(trace, "w");
    assert_non_null(tf);
    dup2(fileno(tf), 2);
    cfg.oauth_token = NULL;
    cfg.password = "s3cr3t-Pa55";
    cfg.verbose = 1;
    r = send_one(&cfg, "verbose@example.test");
    fflush(stderr);
    dup2(saved_fd, 2);
    close(saved_fd);
    fclose(tf);
    assert_int_equal(r.outcome, TRANSPORT_SENT);
    assert_int_equal(buf_read_file(&log, trace), 0);
    assert_non_null(strstr(log.data, "> AUTH PLAIN [redacted]"));
    assert_non_null(strstr(log.data, "> MAIL FROM:<rebotes@iecm.test>"));
    assert_null(strstr(log.data, "s3cr3t"));
    assert_null(strstr(log.data, "ZWxlY3Rvcg"));   /* base64 of "elector..." */
    assert_null(strstr(log.data, "AGVsZWN0b3IA")); /* base64 of "\0elector\0" (PLAIN) */
    buf_release(&log);

    /* AUTH LOGIN: two challenges, both answers redacted */
    struct server login = {0};
    char args[1024];
    cert_args(args, sizeof(args), &s, "server");
    assert_int_equal(buf_addstr(&log, args), 0);
    assert_int_equal(buf_addstr(&log, " --auth elector:s3cr3t-Pa55 --auth-mechanisms LOGIN"), 0);
    server_start(&login, "auth-login", log.data);
    buf_release(&log);
    snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", login.port);
    tf = fopen(trace, "w");
    saved_fd = dup(2);
    dup2(fileno(tf), 2);
    r = send_one(&cfg, "login@example.test");
    fflush(stderr);
    dup2(saved_fd, 2);
    close(saved_fd);
    fclose(tf);
    assert_int_equal(r.outcome, TRANSPORT_SENT);
    assert_int_equal(buf_read_file(&log, trace), 0);
    assert_non_null(strstr(log.data, "> AUTH LOGIN [redacted]"));
    assert_non_null(strstr(log.data, "> [redacted]"));
    assert_null(strstr(log.data, "s3cr3t"));
    assert_null(strstr(log.data, "ZWxlY3Rvcg")); /* base64 of "elector" */
    assert_null(strstr(log.data, "czNjcjN0"));   /* base64 of the password */
    buf_release(&log);
    assert_int_equal(saved_count(login.dir), 1);
    server_stop(&login);

    assert_int_equal(saved_read(s.dir, &v), 3);
    assert_string_equal(v[0].auth_user, "elector");
    assert_string_equal(v[1].auth_user, "elector");
    assert_non_null(saved_find(v, 3, "good@example.test"));
    assert_non_null(saved_find(v, 3, "oauth@example.test"));
    saved_free(v, 3);
    server_stop(&s);
}

struct fault_case {
    const char *rcpt;
    enum transport_outcome outcome;
    int code;
    const char *enhanced;
    const char *reply_has;
};

/* Faults by recipient, mixed with good messages on the same connections. */
static void test_faults(void **state)
{
    static const struct fault_case cases[] = {
        {"t451@example.test", TRANSPORT_TEMPFAIL, 451, "4.3.0", "451 4.3.0"},
        {"ok1@example.test", TRANSPORT_SENT, 250, "2.0.0", "250 2.0.0"},
        {"t452full@example.test", TRANSPORT_TEMPFAIL, 452, "4.2.2", "Mailbox full"},
        {"t550@example.test", TRANSPORT_PERMFAIL, 550, "5.1.1", "User unknown"},
        {"ok2@example.test", TRANSPORT_SENT, 250, "2.0.0", "queued as"},
        {"t554data@example.test", TRANSPORT_PERMFAIL, 554, "5.7.1", "content refused"},
        {"tdrop@example.test", TRANSPORT_UNCERTAIN, 0, "", ""},
        {"ok3@example.test", TRANSPORT_SENT, 250, "2.0.0", "250"},
        {"tflaky1@example.test", TRANSPORT_TEMPFAIL, 451, "4.3.0", "Flaky"},
        {"tflaky1@example.test", TRANSPORT_SENT, 250, "2.0.0", "250"},
    };
    const int n = sizeof(cases) / sizeof(cases[0]);
    struct server s = {0};
    char url[256];
    struct msg *msgs = calloc(n, sizeof(*msgs));

    (void)state;
    server_start(&s, "faults", "");
    struct transport_config cfg = base_cfg(url, &s);
    struct transport *t = smtp_open(&cfg); /* concurrency 1: in order */
    for (int i = 0; i < n; i++)
        msg_make(&msgs[i], cases[i].rcpt, i);
    run(t, msgs, n);
    transport_free(t);
    for (int i = 0; i < n; i++) {
        const struct transport_result *r = &msgs[i].res;
        if (r->outcome != cases[i].outcome || r->code != cases[i].code ||
            strcmp(r->enhanced, cases[i].enhanced) || !strstr(r->reply, cases[i].reply_has))
            fail_msg("%s: outcome %d code %d enhanced \"%s\" reply \"%s\"", cases[i].rcpt,
                     r->outcome, r->code, r->enhanced, r->reply);
    }
    assert_int_equal(saved_count(s.dir), 4); /* ok1 ok2 ok3 and flaky's second try */
    msgs_free(msgs, n);
    server_stop(&s);
}

/* 421 and close at RCPT: that message fails (TEMPFAIL 421), the next ones go
 * out on a new connection. A server that accepts and then closes the idle
 * connection with 421 costs nothing: the next message is sent again. */
static void test_421(void **state)
{
    const char *rcpts[] = {"t421@example.test", "n1@example.test", "n2@example.test",
                           "tbye@example.test", "n3@example.test", "n4@example.test"};
    const int n = 6;
    struct server s = {0};
    char url[256];
    struct msg *msgs = calloc(n, sizeof(*msgs));
    struct saved *v;

    (void)state;
    server_start(&s, "421", "");
    struct transport_config cfg = base_cfg(url, &s);
    struct transport *t = smtp_open(&cfg);
    for (int i = 0; i < n; i++)
        msg_make(&msgs[i], rcpts[i], i);
    run(t, msgs, 3);
    usleep(200000);
    run(t, msgs + 3, 1);
    usleep(300000); /* the server has closed the idle connection by now */
    run(t, msgs + 4, 2);
    transport_free(t);
    assert_true(msgs[0].res.outcome == TRANSPORT_TEMPFAIL ||
                msgs[0].res.outcome == TRANSPORT_NETFAIL);
    assert_int_equal(msgs[0].res.code, 421);
    for (int i = 1; i < n; i++)
        if (msgs[i].res.outcome != TRANSPORT_SENT)
            fail_msg("%s: outcome %d reply %s", rcpts[i], msgs[i].res.outcome, msgs[i].res.reply);
    int got = saved_read(s.dir, &v);
    assert_int_equal(got, 5);
    assert_true(saved_find(v, got, "n1@example.test")->conn > 1);
    assert_true(saved_find(v, got, "n3@example.test")->conn >
                saved_find(v, got, "tbye@example.test")->conn);
    saved_free(v, got);
    msgs_free(msgs, n);
    server_stop(&s);
}

/* A reply slower than the timeout: NETFAIL after about the timeout, and the
 * other connection is not held up meanwhile. */
static void test_slow_reply(void **state)
{
    struct server s = {0};
    char url[256];
    struct msg *msgs = calloc(2, sizeof(*msgs));

    (void)state;
    char args[64];
    snprintf(args, sizeof(args), "--slow-seconds %ld", scaled(6));
    server_start(&s, "slow", args);
    struct transport_config cfg = base_cfg(url, &s);
    cfg.concurrency = 2;
    cfg.timeout_ms = scaled(1500);
    struct transport *t = smtp_open(&cfg);
    msg_make(&msgs[0], "tslow@example.test", 0);
    msg_make(&msgs[1], "quick@example.test", 1);
    double start = now_s();
    run(t, msgs, 2);
    transport_free(t);
    /* the whole message went and no reply came in time: the server may
     * have it (uncertain, never re-sent as if it had failed) */
    assert_int_equal(msgs[0].res.outcome, TRANSPORT_UNCERTAIN);
    if (getenv("TRANSPORT_VERBOSE"))
        fprintf(stderr, "slow: failed after %.2f s, quick after %.2f s\n", msgs[0].done_at - start,
                msgs[1].done_at - start);
    assert_true(msgs[0].done_at - start < scaled(5000) / 1000.0);
    assert_int_equal(msgs[1].res.outcome, TRANSPORT_SENT);
    assert_true(msgs[1].done_at < msgs[0].done_at);
    msgs_free(msgs, 2);
    server_stop(&s);
}

/* Connections work in parallel: once 4 connections are up, 8 messages at
 * concurrency 4 against a relay that takes 0.4 s to answer each DATA take
 * about 2 x 0.4 s, not 8 x 0.4 s. */
static void test_parallel_latency(void **state)
{
    struct server s = {0};
    char url[256];
    const int warm = 4, n = 12;
    struct msg *msgs = calloc(n, sizeof(*msgs));

    (void)state;
    server_start(&s, "latency", "--data-delay 0.4");
    struct transport_config cfg = base_cfg(url, &s);
    cfg.concurrency = 4;
    struct transport *t = smtp_open(&cfg);
    for (int i = 0; i < n; i++) {
        char rcpt[64];
        snprintf(rcpt, sizeof(rcpt), "p%d@example.test", i);
        msg_make(&msgs[i], rcpt, i);
    }
    run(t, msgs, warm); /* 4 connections up (the 0.4 s keeps each one busy) */
    double start = now_s();
    run(t, msgs + warm, n - warm);
    double took = now_s() - start;
    transport_free(t);
    for (int i = 0; i < n; i++)
        assert_int_equal(msgs[i].res.outcome, TRANSPORT_SENT);
    if (took > 0.4 * (n - warm) * 0.6)
        fail_msg("%d messages took %.2f s: the connections did not work in parallel", n - warm,
                 took);
    msgs_free(msgs, n);
    server_stop(&s);
}

/* transport_free with a message in flight returns at once (the transfer is
 * aborted, the message not reported). */
static void test_free_in_flight(void **state)
{
    struct server s = {0};
    char url[256];
    struct err err;
    struct buf data = BUF_INIT;

    (void)state;
    server_start(&s, "free", "--slow-seconds 30");
    struct transport_config cfg = base_cfg(url, &s);
    cfg.timeout_ms = scaled(20000);
    struct transport *t = smtp_open(&cfg);
    err_init(&err);
    assert_int_equal(buf_addstr(&data, "Subject: x\r\n\r\nx\r\n"), 0);
    assert_int_equal(transport_submit(t, "a@iecm.test", "tslow@example.test", &data, NULL, &err),
                     0);
    assert_int_equal(transport_poll(t, (int)scaled(1000), msg_done, NULL, &err), 0);
    assert_int_equal(transport_in_flight(t), 1);
    assert_int_equal(transport_slots(t), 1); /* one connection, one more may queue */
    double start = now_s();
    transport_free(t);
    if (getenv("TRANSPORT_VERBOSE"))
        fprintf(stderr, "free took %.2f s\n", now_s() - start);
    assert_true(now_s() - start < scaled(3000) / 1000.0);
    buf_release(&data);
    err_release(&err);
    server_stop(&s);
}

/* Plain SMTP with credentials: allowed to loopback only. */
static void test_plain_credentials(void **state)
{
    struct server s = {0};
    char url[256];
    struct err err;
    struct saved *v;

    (void)state;
    server_start(&s, "plain-auth", "--no-tls --auth elector:pw");
    struct transport_config cfg = base_cfg(url, &s);
    cfg.require_tls = 0;
    cfg.user = "elector";
    cfg.password = "pw";
    struct transport_result r = send_one(&cfg, "a@example.test");
    assert_int_equal(r.outcome, TRANSPORT_SENT);
    assert_int_equal(saved_read(s.dir, &v), 1);
    assert_false(v[0].tls);
    assert_string_equal(v[0].auth_user, "elector");
    saved_free(v, 1);
    server_stop(&s);

    static const struct {
        const char *url;
        int ok;
    } urls[] = {
        {"smtp://localhost:2525", 1},
        {"smtp://127.0.0.2:25", 1},
        {"smtp://[::1]:25", 1},
        {"smtp://192.0.2.10:25", 0},
        {"smtp://mail.example.test:587", 0},
        {"smtp://127.0.0.1:25 smtp://192.0.2.1:25", 0},
        {"smtp://localhost.evil.test:25", 0},
    };
    err_init(&err);
    for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
        cfg.url = urls[i].url;
        struct transport *t = transport_new("smtp", &cfg, &err);
        if (!!t != urls[i].ok)
            fail_msg("%s: expected %s", urls[i].url, urls[i].ok ? "accepted" : "refused");
        if (!t) {
            assert_int_equal(err.kind, ERR_CONFIG);
            assert_non_null(strstr(err.msg.data, "plain SMTP"));
        }
        transport_free(t);
        err_clear(&err);
    }
    err_release(&err);
}

static void test_bad_config_and_input(void **state)
{
    struct transport_config cfg = {.url = "smtp://127.0.0.1:1", .concurrency = 1, .require_tls = 1};
    struct err err;
    struct buf data = BUF_INIT;
    struct transport *t;

    (void)state;
    err_init(&err);
    assert_null(transport_new("carrier-pigeon", &cfg, &err));
    assert_int_equal(err.kind, ERR_CONFIG);
    err_clear(&err);
    cfg.url = "http://127.0.0.1:25";
    assert_null(transport_new("smtp", &cfg, &err));
    assert_int_equal(err.kind, ERR_CONFIG);
    err_clear(&err);
    cfg.url = "smtp://user:pw@127.0.0.1:25";
    assert_null(transport_new("smtp", &cfg, &err));
    err_clear(&err);
    cfg.url = "smtp://127.0.0.1:1";
    cfg.helo = "bad/helo";
    assert_null(transport_new("smtp", &cfg, &err));
    err_clear(&err);
    cfg.helo = NULL;
    cfg.concurrency = 0;
    assert_null(transport_new("smtp", &cfg, &err));
    err_clear(&err);
    cfg.concurrency = 1;
    t = transport_new("smtp", &cfg, &err);
    assert_non_null(t);
    assert_int_equal(buf_addstr(&data, "Subject: x\r\n\r\nx\r\n"), 0);
    static const char *bad[] = {"a@b.c\r\nRCPT TO:<evil@x>", "<a@b.c>", "a b@c.d", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(transport_submit(t, "x@y.z", bad[i], &data, NULL, &err), -1);
        assert_int_equal(err.kind, ERR_DATA);
        assert_true(data.len > 0); /* untouched */
        err_clear(&err);
    }
    assert_int_equal(transport_submit(t, "x\n@y.z", "a@b.c", &data, NULL, &err), -1);
    err_clear(&err);
    /* nothing listens on port 1: a network failure, reported, not an error */
    struct msg *m = calloc(1, sizeof(*m));
    msg_make(m, "a@b.c", 0);
    run(t, m, 1);
    assert_int_equal(m->res.outcome, TRANSPORT_NETFAIL);
    assert_true(strlen(m->res.reply) > 0);
    msgs_free(m, 1);
    transport_free(t);
    buf_release(&data);
    err_release(&err);
}

/* Three relays, one of them down: every message goes out, spread over the
 * two that are up. */
static void test_relay_pool(void **state)
{
    struct server a = {0}, b = {0};
    char url[512], args[1024];
    const int n = 40;
    struct msg *msgs = calloc(n, sizeof(*msgs));

    (void)state;
    server_start(&a, "relay-a", "");
    cert_args(args, sizeof(args), &a, "server"); /* one CA for both */
    server_start(&b, "relay-b", args);
    snprintf(url, sizeof(url), "smtp://127.0.0.1:1  smtp://127.0.0.1:%d smtp://127.0.0.1:%d",
             a.port, b.port);
    struct transport_config cfg = {.url = url,
                                   .ca_file = a.ca,
                                   .require_tls = 1,
                                   .concurrency = 4,
                                   .timeout_ms = scaled(5000)};
    struct transport *t = smtp_open(&cfg);
    for (int i = 0; i < n; i++) {
        char rcpt[64];
        snprintf(rcpt, sizeof(rcpt), "r%02d@example.test", i);
        msg_make(&msgs[i], rcpt, i);
    }
    run(t, msgs, n);
    transport_free(t);
    for (int i = 0; i < n; i++)
        if (msgs[i].res.outcome != TRANSPORT_SENT)
            fail_msg("%s: outcome %d reply %s", msgs[i].rcpt, msgs[i].res.outcome,
                     msgs[i].res.reply);
    int na = saved_count(a.dir), nb = saved_count(b.dir);
    assert_int_equal(na + nb, n);
    assert_true(na > 0 && nb > 0);
    msgs_free(msgs, n);
    server_stop(&a);
    server_stop(&b);
}

/* Weights: "URL*3" gets three connections out of four, "URL*1" one. */
static void test_relay_weights(void **state)
{
    struct server a = {0}, b = {0};
    char url[512], args[1024];
    const int n = 60;
    struct msg *msgs = calloc(n, sizeof(*msgs));
    struct err err;

    (void)state;
    server_start(&a, "weight-a", "");
    cert_args(args, sizeof(args), &a, "server");
    server_start(&b, "weight-b", args);
    snprintf(url, sizeof(url), "smtp://127.0.0.1:%d*3 smtp://127.0.0.1:%d*1", a.port, b.port);
    struct transport_config cfg = {.url = url,
                                   .ca_file = a.ca,
                                   .require_tls = 1,
                                   .concurrency = 4,
                                   .timeout_ms = scaled(5000)};
    struct transport *t = smtp_open(&cfg);
    for (int i = 0; i < n; i++) {
        char rcpt[64];
        snprintf(rcpt, sizeof(rcpt), "w%02d@example.test", i);
        msg_make(&msgs[i], rcpt, i);
    }
    run(t, msgs, n);
    transport_free(t);
    int na = saved_count(a.dir), nb = saved_count(b.dir);
    assert_int_equal(na + nb, n);
    /* each of the 4 connections keeps its relay: 3 go to a, 1 to b */
    int ca = saved_connections(a.dir), cb = saved_connections(b.dir);
    if (ca != 3 || cb != 1)
        fail_msg("weights 3:1 gave %d:%d connections (%d:%d messages)", ca, cb, na, nb);
    msgs_free(msgs, n);
    server_stop(&a);
    server_stop(&b);
    /* a weight out of range is a configuration error */
    err_init(&err);
    cfg.url = "smtp://127.0.0.1:25*0";
    assert_null(transport_new("smtp", &cfg, &err));
    assert_int_equal(err.kind, ERR_CONFIG);
    err_release(&err);
}

static void test_file_backend(void **state)
{
    char dir[300], path[400];
    struct err err;
    struct buf got = BUF_INIT;
    struct msg *msgs = calloc(3, sizeof(*msgs));

    (void)state;
    snprintf(dir, sizeof(dir), "%s/filesink", tmp_root);
    struct transport_config cfg = {.url = dir, .concurrency = 1};
    err_init(&err);
    for (int round = 0; round < 2; round++) {
        struct transport *t = transport_new("file", &cfg, &err);
        assert_non_null(t);
        for (int i = 0; i < 3; i++) {
            buf_release(&msgs[i].body);
            msg_make(&msgs[i], "a@example.test", round * 3 + i);
            msgs[i].done = 0;
        }
        run(t, msgs, 3);
        transport_free(t);
        for (int i = 0; i < 3; i++) {
            assert_int_equal(msgs[i].res.outcome, TRANSPORT_SENT);
            assert_int_equal(msgs[i].res.code, 250);
            assert_string_equal(msgs[i].res.reply, "250 file");
            /* numbering continues across transports on the same directory */
            snprintf(path, sizeof(path), "%s/%06d.eml", dir, round * 3 + i + 1);
            assert_int_equal(buf_read_file(&got, path), 0);
            assert_int_equal(got.len, msgs[i].body.len);
            assert_memory_equal(got.data, msgs[i].body.data, got.len);
            buf_release(&got);
        }
    }
    msgs_free(msgs, 3);
    err_release(&err);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmp_root, sizeof(tmp_root), "/tmp/test_transport.XXXXXX");
    return mkdtemp(tmp_root) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[400];

    (void)state;
    if (getenv("KEEP_TMP"))
        return 0;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_backend),
        cmocka_unit_test(test_bad_config_and_input),
        cmocka_unit_test(test_bulk_exact_bytes_and_reuse),
        cmocka_unit_test(test_tls_verification),
        cmocka_unit_test(test_tls_policy),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_421),
        cmocka_unit_test(test_slow_reply),
        cmocka_unit_test(test_free_in_flight),
        cmocka_unit_test(test_parallel_latency),
        cmocka_unit_test(test_plain_credentials),
        cmocka_unit_test(test_relay_pool),
        cmocka_unit_test(test_relay_weights),
    };

    if (!getenv("SOURCE_DIR")) {
        fprintf(stderr, "test_transport: SOURCE_DIR not set, skipped\n");
        return 77; /* skipped (SKIP_RETURN_CODE in tests/CMakeLists.txt) */
    }
    if (getenv("TRANSPORT_TEST_FILTER"))
        cmocka_set_test_filter(getenv("TRANSPORT_TEST_FILTER"));
    return cmocka_run_group_tests(tests, setup, teardown);
}
