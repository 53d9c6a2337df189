/* transport - submit messages: SMTP over libcurl, or a file sink.
 *
 * A transport takes messages and reports each one's outcome through a
 * callback. Backends are chosen by name, each in a file of its own behind one
 * table of operations (transport_int.h): "smtp" (transport_smtp.c, the only
 * includer of libcurl) drives `concurrency` connections, one worker thread
 * and libcurl easy handle each, each connection reused for many messages
 * (not a curl multi handle: libcurl 7.88 blocks the whole multi while it
 * waits for the reply to the end of DATA); "file" (transport_file.c) writes
 * each message to DIR/NNNNNN.eml (dry runs, tests) and completes at once.
 * The caller keeps no more than transport_slots() messages in flight (for
 * smtp, one per connection and as many again queued) and calls
 * transport_poll() to collect outcomes. To stop cleanly, stop submitting and
 * poll until transport_in_flight() is 0; transport_free() abandons the rest.
 *
 * Outcomes are classified by the SMTP reply code (4xx TEMPFAIL, 5xx PERMFAIL,
 * 535/534/538 and 530 "authentication required" AUTHFAIL, 530 "STARTTLS
 * first" TLSFAIL), never by the libcurl error; no reply at all is NETFAIL,
 * except once the whole message was handed over: then no reply to the final
 * "." is UNCERTAIN (the server may have it; never sent again here). Every
 * reply is also classified by scope (refusal.h: recipient, message,
 * account, temporary); the whole reply is kept, every line of it.
 *
 * Account-wide refusals stop the transport: after one (a refused login, a
 * quota, TLS that cannot be set up) no connection starts another message,
 * and every message still queued is reported UNTRIED without being sent;
 * transport_halt() does the same on the caller's word. Until one message
 * has gone through (past AUTH), one connection tries first and the others
 * wait, so that a wrong password is tried once, not once per connection.
 * After any failure the connection is closed and the next message opens a new
 * one. Timeouts: timeout_ms bounds connecting (TCP, TLS, EHLO, AUTH together),
 * each reply (in whole seconds, rounded up: libcurl 7.88's
 * CURLOPT_SERVER_RESPONSE_TIMEOUT) and a stalled upload.
 *
 * The transport never retries a message on its own but in one case: when a
 * message got no 2xx reply at all and failed with 421 or no reply on a reused
 * connection (the server closed it while idle) or on a relay that could not be
 * reached while another relay is up, it is sent once more on a new
 * connection. Everything else is the caller's decision (deferral, backoff).
 *
 * Relay pool: url may list several relays separated by spaces. Each
 * connection is bound to one relay, chosen round-robin when the connection is
 * first used; a relay that could not be reached (no greeting) is skipped for
 * relay_retry_ms, then tried again. When every relay is down they are tried
 * anyway (the messages fail with TRANSPORT_NETFAIL and the caller defers them).
 * There are no weights: a relay listed twice gets twice the connections.
 *
 * Security: smtp:// uses STARTTLS (CURLUSESSL_ALL) unless require_tls is 0,
 * which means plain SMTP with no TLS at all; transport_new refuses plain SMTP
 * with credentials unless every relay is loopback (127.0.0.0/8, ::1,
 * localhost). Certificates are always verified. Passwords and tokens are
 * never written anywhere: the verbose trace shows AUTH lines as [redacted].
 */
#ifndef MAILER_TRANSPORT_H
#define MAILER_TRANSPORT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "refusal.h"

enum transport_outcome {
    TRANSPORT_SENT,      /* 2xx after DATA */
    TRANSPORT_TEMPFAIL,  /* 4xx: try again later */
    TRANSPORT_PERMFAIL,  /* 5xx: do not try again */
    TRANSPORT_NETFAIL,   /* no reply: connection refused, dropped, timeout */
    TRANSPORT_AUTHFAIL,  /* the server refused our credentials (config problem) */
    TRANSPORT_TLSFAIL,   /* TLS could not be set up or the certificate is not trusted */
    TRANSPORT_UNCERTAIN, /* the whole message went, no reply to it: the server may have it */
    TRANSPORT_UNTRIED,   /* never started: the transport was halted */
};

struct transport_result {
    enum transport_outcome outcome;
    int code;               /* SMTP reply code, 0 when none */
    char enhanced[16];      /* "5.1.1", "" when none */
    char reply[1024];       /* the whole reply, its lines joined by a space, e.g. "550-5.4.5
                          Daily user sending limit exceeded. 550 5.4.5 https://... - gsmtp";
                          when there was no reply, what went wrong ("connection refused") */
    struct refusal refusal; /* its scope; for AUTHFAIL and TLSFAIL the account's */
};

struct transport_config {
    const char *url;  /* smtp://host:port, smtps://host:port, several separated by
                             spaces (relay pool), or a directory for "file" */
    const char *user; /* NULL: no AUTH */
    const char *password;
    const char *oauth_token; /* XOAUTH2 bearer token, NULL: none */
    const char *ca_file;     /* NULL: system trust store */
    const char *helo;        /* EHLO name, NULL: "localhost" */
    int require_tls;         /* 1: STARTTLS required on smtp:// */
    int concurrency;         /* connections, >= 1 */
    long timeout_ms;         /* connect, each reply, stalled upload; 0: 60 s */
    int verbose;             /* libcurl protocol trace to stderr, passwords redacted */
    long relay_retry_ms;     /* how long an unreachable relay is skipped, 0: 30 s */
    /* smtp: called from the connection's thread just before a message's
     * transfer starts (the hand-off journal), with its tag; NULL: none */
    void (*started)(void *ud, void *tag);
    void *started_ud;
};

/* Called when a message is done; tag is what transport_submit was given. */
typedef void (*transport_done_fn)(void *ud, void *tag, const struct transport_result *r);

struct transport;

/* Make a transport: backend "smtp" or "file". cfg's strings are copied; cfg is
 * trusted configuration but is checked (scheme, CR/LF, plain SMTP with
 * credentials to a non-loopback host: ERR_CONFIG). Nothing is connected yet.
 * NULL with err set on failure; free with transport_free. */
struct transport *transport_new(const char *backend, const struct transport_config *cfg,
                                struct err *err);
/* The same with a backend given rather than named (transport_int.h says how
 * one is written): for the unit tests of send.c, whose backend of their own
 * scripts the outcomes (send_opts.backend). */
struct transport_ops;
struct transport *transport_open(const struct transport_ops *ops,
                                 const struct transport_config *cfg, struct err *err);
/* Start no more messages: those queued are reported TRANSPORT_UNTRIED; those
 * being sent finish. */
void transport_halt(struct transport *t);
/* Abandon messages in flight (not reported), close connections, free t. NULL is ok. */
void transport_free(struct transport *t);
/* How many more messages may be submitted now. */
int transport_slots(const struct transport *t);
/* Whether to submit now: enough slots are free for a group (the queue is
 * down to its low-water mark), so that messages go in groups rather than
 * one at a time as each finishes. */
int transport_wants(const struct transport *t);
/* Messages submitted and not yet reported. */
int transport_in_flight(const struct transport *t);
/* Submit one message to one recipient. The transport takes data's content
 * (data is left empty); data must end with CRLF, lines are CRLF, curl does
 * the dot-stuffing. mail_from ("" for the null sender) and rcpt are untrusted
 * addresses without angle brackets: CR, LF, '<' and '>' are refused
 * (ERR_DATA, data left untouched). -1 also when no slot is free (ERR_SOFTWARE,
 * data untouched) or the file backend cannot write (ERR_IO, data consumed).
 * Call from one thread; done callbacks run in the thread calling poll. */
int transport_submit(struct transport *t, const char *mail_from, const char *rcpt, struct buf *data,
                     void *tag, struct err *err);
/* Wait up to timeout_ms for progress and report finished messages through
 * done (done may call transport_submit). Returns the number reported at once
 * when nothing is in flight or something finished, -1 on error. */
int transport_poll(struct transport *t, int timeout_ms, transport_done_fn done, void *ud,
                   struct err *err);

#endif
