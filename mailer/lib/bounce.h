/* bounce - classify one message that came back to the bounce/reply mailbox.
 *
 * Input is untrusted bytes exactly as fetched (any of CRLF, LF or bare CR
 * line ends, any charset, any transfer encoding, truncated or malformed MIME).
 * The result says what the message is:
 *
 *   bounce       a delivery status notification: RFC 3464 multipart/report
 *                (message/delivery-status or message/global-delivery-status),
 *                or the plain-text notices of qmail, Exchange/Office 365,
 *                Gmail, Yahoo, Exim, Sendmail and Postfix;
 *   complaint    an RFC 5965 ARF feedback report (someone pressed "spam");
 *   autoreply    out-of-office and other automatic replies (RFC 3834
 *                Auto-Submitted, X-Autoreply, Precedence: auto_reply, subjects);
 *   unsubscribe  a person asking to leave: «baja», «darme de baja», «cancelar
 *                suscripción», «unsubscribe», «remove»... in the subject or
 *                the first line of their own text (case and accents ignored);
 *   other        anything else: for a person to read.
 *
 * For a bounce each failed recipient gets its enhanced status (RFC 3463),
 * action, diagnostic text (UTF-8) and a class: hard when the address itself
 * is permanently bad (no such user or domain, mailbox disabled or moved,
 * bad syntax, null MX), soft for everything else (4.x.x, mailbox full,
 * quota, greylisting, rate limits, policy and spam blocks, expired delivery).
 * Uses libetpan's MIME parser and iconv; no I/O, no global state.
 */
#ifndef MAILER_BOUNCE_H
#define MAILER_BOUNCE_H

#include <stddef.h>

#include "err.h"

/* Largest message bounce_parse() reads (bigger ones are for a person). */
#define BOUNCE_MAX_SIZE (10u * 1024 * 1024)

enum bounce_type {
    BOUNCE_OTHER,
    BOUNCE_BOUNCE,
    BOUNCE_COMPLAINT,
    BOUNCE_UNSUBSCRIBE,
    BOUNCE_AUTOREPLY
};
enum bounce_class { BOUNCE_CLASS_NONE, BOUNCE_HARD, BOUNCE_SOFT };

/* One recipient of a notice. Strings are UTF-8, never NULL ("" when absent). */
struct bounce_rcpt {
    char *address;    /* lower-cased, "rfc822;" stripped */
    char *status;     /* enhanced status "5.1.1", "" when none was given */
    char *action;     /* "failed", "delayed", ... (lower case), "" when absent */
    char *diagnostic; /* the remote server's words, unfolded */
    enum bounce_class class;
};

struct bounce_result {
    enum bounce_type type;
    struct bounce_rcpt *rcpt; /* bounce: the failed recipients; complaint: the
                                 complainant; unsubscribe: the sender */
    size_t nrcpt;
    char *original_message_id; /* the Message-ID we sent, without <>; "" if unknown */
    char *from;                /* the notice's sender address, "" if none */
    char *subject;             /* the notice's subject, decoded to UTF-8 */
    char *why;                 /* one phrase: what the decision rests on */
};

/* Classify data[0..len) into *out (which the caller releases with
 * bounce_release, also after an error). -1 only when out of memory or len
 * exceeds BOUNCE_MAX_SIZE; a message that cannot be parsed is BOUNCE_OTHER. */
int bounce_parse(const char *data, size_t len, struct bounce_result *out, struct err *err);
void bounce_release(struct bounce_result *r);

/* Hard or soft from an enhanced status ("5.1.1", may be "" or NULL) and the
 * diagnostic text (may be NULL): the text decides when the code is generic
 * (x.0.0) or absent, and overrides a 5.x.x that says "mailbox full". */
enum bounce_class bounce_class_of(const char *status, const char *diagnostic);

/* "bounce", "complaint", "unsubscribe", "autoreply", "other". */
const char *bounce_type_name(enum bounce_type t);
/* "hard", "soft", or NULL for none. */
const char *bounce_class_name(enum bounce_class c);

#endif
