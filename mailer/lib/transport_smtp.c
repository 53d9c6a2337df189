/* transport_smtp - the "smtp" backend of transport.h: SMTP over libcurl.
 *
 * One worker thread per connection, each driving its own curl easy
 * handle with curl_easy_perform(). Reusing the easy handle reuses its
 * connection: the next message starts at MAIL FROM. Threads rather than a
 * curl multi handle because libcurl 7.88 waits for the reply to the end of
 * DATA inside smtp_done() with a blocking loop: in a multi handle one slow
 * "250 queued" stalls every other connection (checked with curl --parallel
 * against a server that delays its DATA reply), which would make concurrency
 * useless against a real relay whose slowest step is exactly that reply.
 *
 * Besides the message each connection is sending, as many again wait in the
 * work queue, so that a connection never waits for the caller to compose
 * and record; and a worker wakes the caller only when the queue runs low
 * (half a queue left, or less), so that the caller records outcomes and
 * refills the queue in groups (one ledger commit a group) instead of once
 * a message. Measured on the send benchmark: 20 % to 35 % more messages a
 * second at 1 to 8 connections, a third less system time.
 *
 * The only file of the mailer that includes libcurl.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "transport_int.h"

#include "banned.h"

#define RELAY_RETRY_MS_DEFAULT 30000L
#define TIMEOUT_MS_DEFAULT 60000L
#ifndef QUEUE_PER_CONNECTION
#define QUEUE_PER_CONNECTION 1 /* messages queued per connection */
#endif

/* ---- smtp backend: configuration ------------------------------------------ */

struct relay {
    char *url;            /* as given, with the EHLO path when helo is set */
    long long down_until; /* monotonic ms; skipped until then */
    int weight;           /* "URL*N": N turns of the wheel, default 1 */
};

struct worker {
    struct smtp *t;
    pthread_t thread;
    int started;
    CURL *easy;
    int id;
    int relay;          /* index into relays, -1: none yet */
    int url_relay;      /* the relay whose URL the easy handle has, -1: none */
    int in_auth;        /* verbose: between AUTH and its final reply */
    int probe;          /* this worker's message is the run's first try (the gate) */
    int warm;           /* the last transfer succeeded: its connection is kept */
    curl_socket_t sock; /* the connection's socket, under t->lock */
    struct transport_job *job;
    /* reply tracking for the current transfer: the last final replies, each
     * with every line of it (after a failure curl sends QUIT, and its "221"
     * comes last) */
    char lines[4][1024];
    int nlines;
    char partial[1024]; /* the lines "NNN-..." of a reply not yet complete */
    size_t npartial;
    const char *line; /* the one that goes with CURLINFO_RESPONSE_CODE */
    int saw_reply, saw_2xx;
    int body_replied; /* a reply came after the whole message was handed over */
    char errbuf[CURL_ERROR_SIZE];
};

struct smtp {
    struct transport base;
    char *user, *password, *token, *ca_file;
    int verbose, require_tls;
    long timeout_ms, relay_retry_ms;
    struct relay *relays;
    int nrelays, next_relay; /* next_relay: position on the wheel */
    int *wheel;              /* relay indices, each `weight` times, interleaved */
    int nwheel;
    struct worker *workers;
    int nworkers;
    pthread_mutex_t lock;
    pthread_cond_t work_cond, done_cond;
    struct transport_job *work_head, **work_tail;
    int queued;    /* jobs in the work queue */
    int low_water; /* a finished job wakes the caller when queued <= low_water */
    struct transport_job *done_head, **done_tail;
    atomic_int stopping;
    /* under lock: halted (an account-wide refusal, or transport_halt): queued
     * messages are not tried; proven: a message has gone through past AUTH;
     * probing: a connection is trying first, the others wait on gate_cond */
    int halted, proven, probing;
    pthread_cond_t gate_cond;
    void (*started)(void *ud, void *tag);
    void *started_ud;
};

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The host of "smtp://host:port/path", without brackets. */
static int url_host(const char *url, char *host, size_t size)
{
    const char *p = strstr(url, "://"), *end;

    if (!p)
        return -1;
    p += 3;
    if (*p == '[') {
        end = strchr(++p, ']');
        if (!end)
            return -1;
    } else {
        end = p + strcspn(p, ":/?#");
    }
    if (end == p || (size_t)(end - p) >= size)
        return -1;
    memcpy(host, p, (size_t)(end - p));
    host[end - p] = '\0';
    return 0;
}

static int host_is_loopback(const char *host)
{
    unsigned char a6[16];
    struct in_addr a4;

    if (!strcasecmp(host, "localhost"))
        return 1;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, a6) == 1) {
        static const unsigned char one[16] = {[15] = 1};
        return !memcmp(a6, one, sizeof(one));
    }
    return 0;
}

/* EHLO name: becomes the URL path, which curl URL-decodes; keep it to
 * hostname characters (or an address literal). */
static int helo_check(const char *helo, struct err *err)
{
    if (!*helo || strlen(helo) > 255)
        return err_set(err, ERR_CONFIG, "transport: EHLO name must be 1..255 characters");
    for (const char *p = helo; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr(".-[]:", *p))
            return err_set(err, ERR_CONFIG, "transport: invalid EHLO name \"%s\"", helo);
    return 0;
}

/* Check one relay URL and store it (with the EHLO path). */
static int smtp_add_relay(struct smtp *t, const char *url, size_t len,
                          const struct transport_config *cfg, struct err *err)
{
    struct buf b = BUF_INIT;
    char host[256];
    const char *rest;
    int smtps;

    if (buf_add(&b, url, len))
        goto nomem;
    if (!strncasecmp(b.data, "smtp://", 7))
        smtps = 0;
    else if (!strncasecmp(b.data, "smtps://", 8))
        smtps = 1;
    else {
        err_set(err, ERR_CONFIG, "transport: \"%s\": URL must start with smtp:// or smtps://",
                b.data);
        goto fail;
    }
    rest = strstr(b.data, "://") + 3;
    if (strpbrk(b.data, "@\r\n\t") || url_host(b.data, host, sizeof(host))) {
        err_set(err, ERR_CONFIG,
                "transport: \"%s\": invalid relay URL (credentials go in SMTP_USER and "
                "SMTP_PASSWORD, not in the URL)",
                b.data);
        goto fail;
    }
    if (!smtps && !cfg->require_tls && (cfg->user || cfg->oauth_token) && !host_is_loopback(host)) {
        err_set(err, ERR_CONFIG,
                "transport: refusing to send credentials over plain SMTP to %s: use STARTTLS "
                "(require TLS) or smtps://",
                host);
        goto fail;
    }
    if (cfg->helo) {
        const char *slash = strchr(rest, '/');
        if (slash)
            buf_setlen(&b, (size_t)(slash - b.data));
        if (buf_addf(&b, "/%s", cfg->helo))
            goto nomem;
    }
    t->relays[t->nrelays].url = buf_detach(&b, NULL);
    if (!t->relays[t->nrelays].url)
        goto nomem;
    t->nrelays++;
    return 0;
nomem:
    err_nomem(err);
fail:
    buf_release(&b);
    return -1;
}

/* The order relays are handed out in: smooth weighted round-robin, so a
 * relay of weight 3 next to one of weight 1 goes A A B A, not A A A B. */
static int smtp_make_wheel(struct smtp *t, struct err *err)
{
    int total = 0, i, k, best;
    int *current = calloc((size_t)t->nrelays, sizeof(*current));

    for (i = 0; i < t->nrelays; i++)
        total += t->relays[i].weight;
    t->wheel = calloc((size_t)total, sizeof(*t->wheel));
    if (!current || !t->wheel) {
        free(current);
        return err_nomem(err);
    }
    for (k = 0; k < total; k++) {
        best = 0;
        for (i = 0; i < t->nrelays; i++) {
            current[i] += t->relays[i].weight;
            if (current[i] > current[best])
                best = i;
        }
        current[best] -= total;
        t->wheel[k] = best;
    }
    t->nwheel = total;
    free(current);
    return 0;
}

static int smtp_parse_relays(struct smtp *t, const struct transport_config *cfg, struct err *err)
{
    const char *p = cfg->url;
    size_t n = 0;

    for (const char *q = p; *q; q++)
        n += !isspace((unsigned char)*q) && (q == p || isspace((unsigned char)q[-1]));
    if (!n)
        return err_set(err, ERR_CONFIG, "transport: no relay URL");
    t->relays = calloc(n, sizeof(*t->relays));
    if (!t->relays)
        return err_nomem(err);
    while (*p) {
        size_t len, url_len;
        const char *star;
        int weight = 1;
        while (isspace((unsigned char)*p))
            p++;
        len = strcspn(p, " \t\r\n");
        if (!len)
            break;
        /* "smtp://relay2:25*3": a weight, the share of connections it gets */
        star = memchr(p, '*', len);
        url_len = star ? (size_t)(star - p) : len;
        if (star) {
            char *end;
            long w = strtol(star + 1, &end, 10);
            if (end != p + len || w < 1 || w > 100)
                return err_set(err, ERR_CONFIG,
                               "transport: \"%.*s\": a relay's weight is *1 to *100", (int)len, p);
            weight = (int)w;
        }
        if (smtp_add_relay(t, p, url_len, cfg, err))
            return -1;
        t->relays[t->nrelays - 1].weight = weight;
        p += len;
    }
    return smtp_make_wheel(t, err);
}

/* ---- smtp backend: one transfer -------------------------------------------- */

/* Every reply line comes here: keep each whole reply, its lines joined by a
 * space ("550-5.4.5 Daily user sending limit exceeded. 550 5.4.5 https://...
 * - gsmtp": the reason is in the first lines, the last often holds only a
 * link). A line "NNN-text" continues, "NNN text" ends a reply. */
static size_t smtp_on_reply(char *data, size_t size, size_t nitems, void *ud)
{
    struct worker *w = ud;
    size_t len = size * nitems, n = len, room;

    while (n && (data[n - 1] == '\n' || data[n - 1] == '\r'))
        n--;
    if (n < 3 || !isdigit((unsigned char)data[0]) || !isdigit((unsigned char)data[1]) ||
        !isdigit((unsigned char)data[2]))
        return len;
    if (n > 3 && data[3] == '-') {
        room = sizeof(w->partial) - 1 - w->npartial;
        if (room > 1) {
            if (n + 1 > room)
                n = room - 1;
            memcpy(w->partial + w->npartial, data, n);
            w->npartial += n;
            w->partial[w->npartial++] = ' ';
            w->partial[w->npartial] = '\0';
        }
        return len;
    }
    if (n == 3 || data[3] == ' ') {
        char *line = w->lines[w->nlines++ % 4];
        size_t k = w->npartial;
        memcpy(line, w->partial, k);
        if (n > sizeof(w->lines[0]) - 1 - k)
            n = sizeof(w->lines[0]) - 1 - k;
        memcpy(line + k, data, n);
        line[k + n] = '\0';
        w->npartial = 0;
        w->partial[0] = '\0';
        w->saw_reply = 1;
        if (data[0] == '2')
            w->saw_2xx = 1;
        if (w->probe && !memcmp(data, "235", 3)) {
            /* the login works: the other connections need not wait for the
             * first message to end (a slow DATA reply would hold them) */
            pthread_mutex_lock(&w->t->lock);
            w->t->proven = 1;
            pthread_cond_broadcast(&w->t->gate_cond);
            pthread_mutex_unlock(&w->t->lock);
        }
        if (w->job && w->job->len && w->job->off == w->job->len)
            w->body_replied = 1;
    }
    return len;
}

static size_t smtp_on_read(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct worker *w = ud;
    struct transport_job *j = w->job;
    size_t n = size * nmemb, left = j->len - j->off;

    if (n > left)
        n = left;
    memcpy(ptr, j->body + j->off, n);
    j->off += n;
    return n;
}

static int smtp_on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    struct worker *w = ud;

    (void)dt, (void)dn, (void)ut, (void)un;
    return atomic_load(&w->t->stopping) ? 1 : 0;
}

/* The verbose trace, with whatever follows AUTH (credentials, tokens)
 * replaced until the server's final reply to it. */
static int smtp_on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
    struct worker *w = ud;
    int n = (int)size;

    (void)h;
    while (n && (data[n - 1] == '\n' || data[n - 1] == '\r'))
        n--;
    switch (type) {
    case CURLINFO_TEXT:
        fprintf(stderr, "[smtp %d] * %.*s\n", w->id, n, data);
        break;
    case CURLINFO_HEADER_IN:
        fprintf(stderr, "[smtp %d] < %.*s\n", w->id, n, data);
        if (w->in_auth && n >= 3 && strncmp(data, "334", 3))
            w->in_auth = 0;
        break;
    case CURLINFO_HEADER_OUT:
        if (n >= 5 && !strncasecmp(data, "AUTH ", 5)) {
            int mech = (int)strcspn(data + 5, " \r\n");
            fprintf(stderr, "[smtp %d] > AUTH %.*s [redacted]\n", w->id, mech, data + 5);
            w->in_auth = 1;
        } else if (w->in_auth) {
            fprintf(stderr, "[smtp %d] > [redacted]\n", w->id);
        } else {
            fprintf(stderr, "[smtp %d] > %.*s\n", w->id, n, data);
        }
        break;
    case CURLINFO_DATA_OUT:
        fprintf(stderr, "[smtp %d] > [%zu bytes of message]\n", w->id, size);
        break;
    default:
        break;
    }
    return 0;
}

static int curl_is_tls_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_USE_SSL_FAILED:
        return 1;
    default:
        return 0;
    }
}

/* Why TLS could not be set up, when no reply says it. */
static const char *tls_reason(CURLcode rc, const char *what)
{
    if (rc == CURLE_USE_SSL_FAILED)
        return "the server does not offer STARTTLS (SMTP_TLS=none turns TLS off, only for a "
               "server on this computer)";
    if (strcasestr(what, "expir"))
        return "the server's certificate has expired";
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
        rc == CURLE_SSL_ISSUER_ERROR)
        return "the server's certificate is not trusted or is not for this host name (see "
               "CA_FILE)";
    return "TLS with the server could not be set up";
}

/* Outcome of a finished transfer: by the reply code, not the CURLcode (a 554
 * after DATA is CURLE_WEIRD_SERVER_REPLY with an empty error buffer); and
 * each reply's scope by the refusal table. */

/* "550 5.1.1 <x>: User unknown" (or the first line of a multi-line reply,
 * "550-5.4.5 ...") -> "5.1.1" when the enhanced status class matches the
 * reply code's first digit (RFC 3463). */
static void result_parse_enhanced(struct transport_result *r)
{
    const char *p = r->reply;
    size_t n = 0;
    int parts = 0, digits = 0;

    if (strlen(p) < 5 || (p[3] != ' ' && p[3] != '-') || p[4] != p[0])
        return;
    for (p += 4; *p && *p != ' ' && n < sizeof(r->enhanced) - 1; p++, n++) {
        if (*p == '.') {
            if (!digits)
                return;
            parts++;
            digits = 0;
        } else if (isdigit((unsigned char)*p) && digits < 3) {
            digits++;
        } else {
            return;
        }
    }
    if (parts != 2 || !digits || (*p && *p != ' '))
        return;
    memcpy(r->enhanced, r->reply + 4, n);
    r->enhanced[n] = '\0';
}

static void smtp_classify(struct worker *w, CURLcode rc, struct transport_result *r)
{
    long code = 0;
    char what[CURL_ERROR_SIZE + 64];
    const struct transport_job *j = w->job;

    curl_easy_getinfo(w->easy, CURLINFO_RESPONSE_CODE, &code);
    w->line = "";
    for (int i = 0; i < 4 && i < w->nlines; i++) {
        const char *l = w->lines[(w->nlines - 1 - i) % 4];
        if (code && strtol(l, NULL, 10) == code) {
            w->line = l;
            break;
        }
    }
    if (rc == CURLE_OK) {
        transport_result_set(r, TRANSPORT_SENT, (int)code, w->line);
        result_parse_enhanced(r);
        return;
    }
    snprintf(what, sizeof(what), "%s", w->errbuf[0] ? w->errbuf : curl_easy_strerror(rc));
    if (j && j->len && j->off == j->len && !w->body_replied && !curl_is_tls_error(rc)) {
        /* the final "." went (or was on its way) and nothing answered it */
        char text[sizeof(what) + 80];
        snprintf(text, sizeof(text), "no reply after the whole message was sent: %s", what);
        transport_result_set(r, TRANSPORT_UNCERTAIN, 0, text);
        return;
    }
    if (curl_is_tls_error(rc)) {
        if (code / 100 == 4 || code / 100 == 5) { /* "454 4.7.0 TLS not available" */
            transport_result_set(r, TRANSPORT_TLSFAIL, (int)code, w->line);
            result_parse_enhanced(r);
            refusal_classify(r->code, r->enhanced, r->reply, &r->refusal);
            if (r->refusal.scope != REFUSAL_ACCOUNT) {
                r->refusal.scope = REFUSAL_ACCOUNT;
                r->refusal.tempfail = code / 100 == 4;
            }
            return;
        }
        transport_result_set(r, TRANSPORT_TLSFAIL, 0, what);
        r->refusal.scope = REFUSAL_ACCOUNT;
        r->refusal.why = tls_reason(rc, what);
        return;
    }
    if (rc == CURLE_LOGIN_DENIED || code == 535 || code == 534 || code == 538 ||
        (code == 530 && !strcasestr(w->line, "TLS"))) {
        transport_result_set(r, TRANSPORT_AUTHFAIL, (int)code, code ? w->line : what);
        result_parse_enhanced(r);
        refusal_classify(code ? (int)code : 535, r->enhanced, r->reply, &r->refusal);
        r->refusal.scope = REFUSAL_ACCOUNT;
        return;
    }
    if (code == 530) { /* "530 Must issue a STARTTLS command first" */
        transport_result_set(r, TRANSPORT_TLSFAIL, (int)code, w->line);
        result_parse_enhanced(r);
        refusal_classify(r->code, r->enhanced, r->reply, &r->refusal);
        return;
    }
    if (code / 100 == 4 || code / 100 == 5) {
        transport_result_set(r, code / 100 == 4 ? TRANSPORT_TEMPFAIL : TRANSPORT_PERMFAIL,
                             (int)code, w->line);
        result_parse_enhanced(r);
        refusal_classify(r->code, r->enhanced, r->reply, &r->refusal);
        return;
    }
    transport_result_set(r, TRANSPORT_NETFAIL, 0, what);
    r->refusal.scope = REFUSAL_TEMPORARY;
}

static int relay_is_up(struct smtp *t, int i, long long now)
{
    int up;

    pthread_mutex_lock(&t->lock);
    up = t->relays[i].down_until <= now;
    pthread_mutex_unlock(&t->lock);
    return up;
}

/* Keep w's relay while it is up; else the next one up, round-robin; when
 * every relay is down, the next one anyway. */
static void smtp_pick_relay(struct worker *w)
{
    struct smtp *t = w->t;
    long long now = now_ms();
    int pick = -1;

    if (w->relay >= 0 && relay_is_up(t, w->relay, now))
        return;
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < t->nwheel && pick < 0; i++) {
        int pos = (t->next_relay + i) % t->nwheel;
        if (t->relays[t->wheel[pos]].down_until <= now) {
            pick = t->wheel[pos];
            t->next_relay = (pos + 1) % t->nwheel;
        }
    }
    if (pick < 0) {
        pick = t->wheel[t->next_relay % t->nwheel];
        t->next_relay = (t->next_relay + 1) % t->nwheel;
    }
    pthread_mutex_unlock(&t->lock);
    w->relay = pick;
}

static void smtp_mark_down(struct worker *w)
{
    struct smtp *t = w->t;

    pthread_mutex_lock(&t->lock);
    t->relays[w->relay].down_until = now_ms() + t->relay_retry_ms;
    pthread_mutex_unlock(&t->lock);
}

static int smtp_other_relay_up(struct worker *w)
{
    long long now = now_ms();

    for (int i = 0; i < w->t->nrelays; i++)
        if (i != w->relay && relay_is_up(w->t, i, now))
            return 1;
    return 0;
}

static int smtp_easy_setup(struct smtp *t, struct worker *w, struct err *err);

/* Sockets are opened and closed through these so that a connection can be cut
 * from outside: curl_easy_cleanup() sends QUIT and waits for the reply (up to
 * the reply timeout) even on a connection that just timed out, and a worker
 * blocked waiting for a reply wakes up at once when transport_free() cuts it. */
static curl_socket_t smtp_on_open(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct worker *w = ud;
    curl_socket_t fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);

    (void)purpose;
    if (fd >= 0) {
        pthread_mutex_lock(&w->t->lock);
        w->sock = fd;
        pthread_mutex_unlock(&w->t->lock);
    }
    return fd;
}

static int smtp_on_close(void *ud, curl_socket_t fd)
{
    struct worker *w = ud;

    pthread_mutex_lock(&w->t->lock);
    if (w->sock == fd)
        w->sock = CURL_SOCKET_BAD;
    pthread_mutex_unlock(&w->t->lock);
    return close(fd);
}

/* Cut w's connection (the caller holds t->lock). */
static void smtp_hang_up_locked(struct worker *w)
{
    if (w->sock != CURL_SOCKET_BAD)
        shutdown(w->sock, SHUT_RDWR);
}

static void smtp_hang_up(struct worker *w)
{
    pthread_mutex_lock(&w->t->lock);
    smtp_hang_up_locked(w);
    pthread_mutex_unlock(&w->t->lock);
}

/* A fresh easy handle, closing the connection of the old one: after a failure
 * libcurl 7.88 may keep a connection that is out of step (after a reply
 * timeout it is "left intact" with our DATA still unanswered; the late reply
 * would be read as the answer to the next MAIL FROM). */
static int smtp_easy_renew(struct worker *w)
{
    struct err err;
    int rc;

    if (w->easy) {
        smtp_hang_up(w);
        curl_easy_cleanup(w->easy);
    }
    w->easy = NULL;
    w->warm = 0;
    w->url_relay = -1;
    err_init(&err);
    rc = smtp_easy_setup(w->t, w, &err);
    err_release(&err);
    return rc;
}

static int curl_is_connect_error(CURLcode rc)
{
    return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
           rc == CURLE_OPERATION_TIMEDOUT;
}

/* One attempt; returns 1 when the message may be sent again at once: it got
 * no 2xx and either met a connection the server had closed while idle (421
 * or no reply), or its relay could not be reached and another one is up.
 * A connection is reused when the last transfer succeeded and curl made no
 * new one (after a failure the handle is renewed, so its connection is gone). */
static int smtp_attempt(struct worker *w, struct transport_job *j)
{
    struct curl_slist rcpt = {j->rcpt, NULL};
    CURLcode rc;
    long connects = 0;
    int reused;

    if (!w->easy && smtp_easy_renew(w)) {
        transport_result_set(&j->result, TRANSPORT_NETFAIL, 0, "cannot set up a curl handle");
        return 0;
    }
    smtp_pick_relay(w);
    if (w->url_relay != w->relay) { /* curl parses a URL each time it is set */
        curl_easy_setopt(w->easy, CURLOPT_URL, w->t->relays[w->relay].url);
        w->url_relay = w->relay;
    }
    j->off = 0;
    w->nlines = 0;
    w->npartial = 0;
    w->errbuf[0] = '\0';
    w->saw_reply = w->saw_2xx = w->body_replied = 0;
    curl_easy_setopt(w->easy, CURLOPT_MAIL_FROM, j->from);
    curl_easy_setopt(w->easy, CURLOPT_MAIL_RCPT, &rcpt);
    curl_easy_setopt(w->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)j->len);
    rc = curl_easy_perform(w->easy);
    curl_easy_setopt(w->easy, CURLOPT_MAIL_RCPT, NULL);
    curl_easy_getinfo(w->easy, CURLINFO_NUM_CONNECTS, &connects);
    reused = w->warm && connects == 0;
    w->warm = rc == CURLE_OK;
    smtp_classify(w, rc, &j->result);
    if (rc != CURLE_OK)
        smtp_easy_renew(w);
    if (j->result.outcome == TRANSPORT_SENT || j->result.outcome == TRANSPORT_UNCERTAIN ||
        j->result.refusal.scope == REFUSAL_ACCOUNT || w->saw_2xx || rc == CURLE_ABORTED_BY_CALLBACK)
        return 0;
    if (reused && !w->saw_reply && j->result.outcome == TRANSPORT_NETFAIL)
        return 1; /* closed while idle, without a word */
    if (reused && j->result.code == 421)
        return 1; /* closed while idle, with 421 */
    if (!reused && !w->saw_reply && curl_is_connect_error(rc)) {
        smtp_mark_down(w);
        return smtp_other_relay_up(w);
    }
    return 0;
}

static void smtp_send(struct worker *w, struct transport_job *j)
{
    w->job = j;
    if (w->t->started)
        w->t->started(w->t->started_ud, j->tag);
    if (smtp_attempt(w, j) && !atomic_load(&w->t->stopping))
        smtp_attempt(w, j);
    w->job = NULL;
}

/* Before a message (t->lock held): wait while another connection is the
 * first to try; 1 when this one is that first, -1 when halted or stopping
 * (the message is not to be tried). */
static int smtp_gate_locked(struct smtp *t)
{
    while (!t->proven && t->probing && !t->halted && !atomic_load(&t->stopping))
        pthread_cond_wait(&t->gate_cond, &t->lock);
    if (t->halted || atomic_load(&t->stopping))
        return -1;
    if (t->proven || (!t->user && !t->token)) /* no login to get wrong */
        return 0;
    t->probing = 1;
    return 1;
}

/* After a message (t->lock held): what it says of the account. */
static void smtp_gate_after_locked(struct smtp *t, int probe, const struct transport_result *r)
{
    if (r->refusal.scope == REFUSAL_ACCOUNT)
        t->halted = 1;
    else if (r->outcome != TRANSPORT_NETFAIL)
        t->proven = 1; /* a reply past AUTH: the login works */
    if (probe)
        t->probing = 0;
    pthread_cond_broadcast(&t->gate_cond);
}

static void *smtp_worker(void *arg)
{
    struct worker *w = arg;
    struct smtp *t = w->t;
    struct transport_job *j = NULL;
    int probe;

    pthread_mutex_lock(&t->lock);
    for (;;) {
        if (j) { /* one lock hold reports a job and takes the next */
            *t->done_tail = j;
            t->done_tail = &j->next;
            if (t->queued <= t->low_water)
                pthread_cond_signal(&t->done_cond);
        }
        while (!atomic_load(&t->stopping) && !t->work_head)
            pthread_cond_wait(&t->work_cond, &t->lock);
        if (atomic_load(&t->stopping))
            break;
        j = t->work_head;
        t->queued--;
        t->work_head = j->next;
        if (!t->work_head)
            t->work_tail = &t->work_head;
        j->next = NULL;
        probe = smtp_gate_locked(t);
        if (probe < 0) {
            transport_result_set(&j->result, TRANSPORT_UNTRIED, 0,
                                 "not tried: the run stopped after a refusal of the account");
            continue;
        }
        w->probe = probe;
        pthread_mutex_unlock(&t->lock);

        smtp_send(w, j);

        pthread_mutex_lock(&t->lock);
        w->probe = 0;
        smtp_gate_after_locked(t, probe, &j->result);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

/* ---- smtp backend: transport ops -------------------------------------------- */

static int smtp_submit(struct transport *bt, const char *from, const char *rcpt, char *body,
                       size_t len, void *tag, struct err *err)
{
    struct smtp *t = (struct smtp *)bt;
    struct transport_job *j = transport_job_new(from, rcpt, body, len, tag, err);

    if (!j)
        return -1;
    pthread_mutex_lock(&t->lock);
    *t->work_tail = j;
    t->work_tail = &j->next;
    t->queued++;
    pthread_cond_signal(&t->work_cond);
    pthread_mutex_unlock(&t->lock);
    return 0;
}

static int smtp_poll(struct transport *bt, int timeout_ms, transport_done_fn done, void *ud,
                     struct err *err)
{
    struct smtp *t = (struct smtp *)bt;
    struct transport_job *list;
    struct timespec until;

    (void)err;
    if (!bt->in_flight)
        return 0;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&t->lock);
    while (!t->done_head && timeout_ms > 0)
        if (pthread_cond_timedwait(&t->done_cond, &t->lock, &until) == ETIMEDOUT)
            break;
    list = t->done_head;
    t->done_head = NULL;
    t->done_tail = &t->done_head;
    pthread_mutex_unlock(&t->lock);
    return transport_jobs_report(bt, list, done, ud);
}

static void smtp_halt(struct transport *bt)
{
    struct smtp *t = (struct smtp *)bt;

    pthread_mutex_lock(&t->lock);
    t->halted = 1;
    pthread_cond_broadcast(&t->gate_cond);
    pthread_mutex_unlock(&t->lock);
}

static void smtp_free(struct transport *bt)
{
    struct smtp *t = (struct smtp *)bt;

    pthread_mutex_lock(&t->lock);
    atomic_store(&t->stopping, 1);
    pthread_cond_broadcast(&t->work_cond);
    pthread_cond_broadcast(&t->gate_cond);
    for (int i = 0; i < t->nworkers; i++)
        smtp_hang_up_locked(&t->workers[i]);
    pthread_mutex_unlock(&t->lock);
    for (int i = 0; i < t->nworkers; i++) {
        struct worker *w = &t->workers[i];
        if (w->started)
            pthread_join(w->thread, NULL);
        if (w->easy) {
            smtp_hang_up(w);
            curl_easy_cleanup(w->easy);
        }
    }
    transport_jobs_free(t->work_head);
    transport_jobs_free(t->done_head);
    for (int i = 0; i < t->nrelays; i++)
        free(t->relays[i].url);
    free(t->relays);
    free(t->wheel);
    free(t->workers);
    free(t->user);
    if (t->password) {
        explicit_bzero(t->password, strlen(t->password));
        free(t->password);
    }
    if (t->token) {
        explicit_bzero(t->token, strlen(t->token));
        free(t->token);
    }
    free(t->ca_file);
    pthread_cond_destroy(&t->work_cond);
    pthread_cond_destroy(&t->done_cond);
    pthread_cond_destroy(&t->gate_cond);
    pthread_mutex_destroy(&t->lock);
    free(t);
    curl_global_cleanup();
}

static int smtp_easy_setup(struct smtp *t, struct worker *w, struct err *err)
{
    CURL *e = curl_easy_init();
    long secs = (t->timeout_ms + 999) / 1000;
    CURLcode rc = CURLE_OK;

    if (!e)
        return err_set(err, ERR_SOFTWARE, "transport: curl_easy_init failed");
    w->easy = e;
    /* Options that never change; the URL, sender and recipient are set per message. */
    rc |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    rc |= curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, smtp_on_open);
    rc |= curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, w);
    rc |= curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, smtp_on_close);
    rc |= curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, w);
    rc |= curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    rc |= curl_easy_setopt(e, CURLOPT_READFUNCTION, smtp_on_read);
    rc |= curl_easy_setopt(e, CURLOPT_READDATA, w);
    rc |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, smtp_on_reply);
    rc |= curl_easy_setopt(e, CURLOPT_HEADERDATA, w);
    rc |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, w->errbuf);
    rc |= curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    rc |= curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, smtp_on_progress);
    rc |= curl_easy_setopt(e, CURLOPT_XFERINFODATA, w);
    rc |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, t->timeout_ms);
    rc |= curl_easy_setopt(e, CURLOPT_SERVER_RESPONSE_TIMEOUT, secs);
    rc |= curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    rc |= curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, secs);
    rc |= curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    rc |= curl_easy_setopt(e, CURLOPT_MAXCONNECTS, 1L);
    rc |= curl_easy_setopt(e, CURLOPT_USE_SSL,
                           t->require_tls ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
    rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    if (t->ca_file)
        rc |= curl_easy_setopt(e, CURLOPT_CAINFO, t->ca_file);
    if (t->user)
        rc |= curl_easy_setopt(e, CURLOPT_USERNAME, t->user);
    if (t->password)
        rc |= curl_easy_setopt(e, CURLOPT_PASSWORD, t->password);
    if (t->token)
        rc |= curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, t->token);
    if (t->verbose) {
        rc |= curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, smtp_on_debug);
        rc |= curl_easy_setopt(e, CURLOPT_DEBUGDATA, w);
        rc |= curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
    }
    if (rc != CURLE_OK) {
        curl_easy_cleanup(e);
        w->easy = NULL;
        return err_set(err, ERR_SOFTWARE, "transport: libcurl refused an option (%s)",
                       curl_easy_strerror(rc));
    }
    return 0;
}

static int dup_opt(char **dst, const char *src, struct err *err)
{
    if (!src)
        return 0;
    *dst = strdup(src);
    return *dst ? 0 : err_nomem(err);
}

static int smtp_start_workers(struct smtp *t, const struct transport_config *cfg, struct err *err)
{
    t->workers = calloc((size_t)cfg->concurrency, sizeof(*t->workers));
    if (!t->workers)
        return err_nomem(err);
    t->nworkers = cfg->concurrency;
    t->low_water = (QUEUE_PER_CONNECTION * cfg->concurrency + 1) / 2;
    for (int i = 0; i < t->nworkers; i++) {
        struct worker *w = &t->workers[i];
        w->t = t;
        w->id = i + 1;
        w->relay = w->url_relay = -1;
        w->sock = CURL_SOCKET_BAD;
    }
    for (int i = 0; i < t->nworkers; i++)
        if (smtp_easy_setup(t, &t->workers[i], err))
            return -1;
    for (int i = 0; i < t->nworkers; i++) {
        struct worker *w = &t->workers[i];
        int e = pthread_create(&w->thread, NULL, smtp_worker, w);
        if (e)
            return err_set(err, ERR_SOFTWARE, "transport: pthread_create: %s", strerror(e));
        w->started = 1;
    }
    return 0;
}

static struct transport *smtp_new(const struct transport_config *cfg, struct err *err)
{
    struct smtp *t;

    if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
        err_set(err, ERR_SOFTWARE, "transport: curl_global_init failed");
        return NULL;
    }
    t = calloc(1, sizeof(*t));
    if (!t) {
        curl_global_cleanup();
        err_nomem(err);
        return NULL;
    }
    t->base.ops = &transport_smtp_ops;
    t->base.concurrency = cfg->concurrency;
    t->base.capacity = (1 + QUEUE_PER_CONNECTION) * cfg->concurrency;
    t->started = cfg->started;
    t->started_ud = cfg->started_ud;
    t->verbose = cfg->verbose;
    t->require_tls = cfg->require_tls;
    t->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : TIMEOUT_MS_DEFAULT;
    t->relay_retry_ms = cfg->relay_retry_ms > 0 ? cfg->relay_retry_ms : RELAY_RETRY_MS_DEFAULT;
    t->work_tail = &t->work_head;
    t->done_tail = &t->done_head;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->work_cond, NULL);
    pthread_cond_init(&t->done_cond, NULL);
    pthread_cond_init(&t->gate_cond, NULL);
    if (cfg->oauth_token && !cfg->user) {
        err_set(err, ERR_CONFIG, "transport: XOAUTH2 needs a user name as well as the token");
        goto fail;
    }
    /* The gate (smtp_gate_locked): with a login, the first message goes
     * alone until the server accepts the login, so that a refused password
     * is tried once, not once per connection; without one nothing to prove. */
    t->proven = !cfg->user;
    if ((cfg->helo && helo_check(cfg->helo, err)) || smtp_parse_relays(t, cfg, err))
        goto fail;
    if (dup_opt(&t->user, cfg->user, err) || dup_opt(&t->password, cfg->password, err) ||
        dup_opt(&t->token, cfg->oauth_token, err) || dup_opt(&t->ca_file, cfg->ca_file, err))
        goto fail;
    if (smtp_start_workers(t, cfg, err))
        goto fail;
    /* the caller refills once the queue is down to the low-water mark */
    t->base.refill = t->base.capacity - t->base.concurrency - t->low_water;
    return &t->base;
fail:
    smtp_free(&t->base);
    return NULL;
}

const struct transport_ops transport_smtp_ops = {"smtp",    smtp_new,  smtp_submit,
                                                 smtp_poll, smtp_free, smtp_halt};
