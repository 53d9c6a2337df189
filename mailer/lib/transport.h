/* transport - submit messages: SMTP over libcurl, or a file sink.
 *
 * A transport takes messages and reports each one's outcome through a
 * callback. Backends are chosen by name: "smtp" drives up to `concurrency`
 * connections with a libcurl multi handle, each connection reused for many
 * messages; "file" writes each message to DIR/NNNNNN.eml (dry runs, tests)
 * and completes at once. The caller keeps no more than transport_slots()
 * messages in flight and calls transport_poll() to collect outcomes.
 */
#ifndef MAILER_TRANSPORT_H
#define MAILER_TRANSPORT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

enum transport_outcome {
    TRANSPORT_SENT,     /* 2xx after DATA */
    TRANSPORT_TEMPFAIL, /* 4xx: try again later */
    TRANSPORT_PERMFAIL, /* 5xx: do not try again */
    TRANSPORT_NETFAIL,  /* no reply: connection refused, dropped, timeout */
    TRANSPORT_AUTHFAIL, /* the server refused our credentials (config problem) */
    TRANSPORT_TLSFAIL,  /* TLS could not be set up or the certificate is not trusted */
};

struct transport_result {
    enum transport_outcome outcome;
    int code;           /* SMTP reply code, 0 when none */
    char enhanced[16];  /* "5.1.1", "" when none */
    char reply[512];    /* last reply line, e.g. "250 2.0.0 Ok: queued as 4F2A1" */
};

struct transport_config {
    const char *url;      /* smtp://host:port, smtps://host:port, or a directory for "file" */
    const char *user;     /* NULL: no AUTH */
    const char *password;
    const char *oauth_token; /* XOAUTH2 bearer token, NULL: none */
    const char *ca_file;  /* NULL: system trust store */
    const char *helo;     /* EHLO name, NULL: "localhost" */
    int require_tls;      /* 1: STARTTLS required on smtp:// */
    int concurrency;      /* connections, >= 1 */
    long timeout_ms;      /* per reply */
    int verbose;          /* libcurl protocol trace to stderr, passwords redacted */
};

/* Called when a message is done; tag is what transport_submit was given. */
typedef void (*transport_done_fn)(void *ud, void *tag, const struct transport_result *r);

struct transport;

struct transport *transport_new(const char *backend, const struct transport_config *cfg,
                                struct err *err);
void transport_free(struct transport *t);
/* How many more messages may be submitted now. */
int transport_slots(const struct transport *t);
/* Messages submitted and not yet reported. */
int transport_in_flight(const struct transport *t);
/* Submit one message to one recipient. The transport takes data's content
 * (data is left empty). */
int transport_submit(struct transport *t, const char *mail_from, const char *rcpt,
                     struct buf *data, void *tag, struct err *err);
/* Wait up to timeout_ms for progress and report finished messages through
 * done. Returns the number reported, -1 on error. */
int transport_poll(struct transport *t, int timeout_ms, transport_done_fn done, void *ud,
                   struct err *err);

#endif
