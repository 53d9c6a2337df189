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
 * For a bounce each recipient gets its enhanced status (RFC 3463; mined
 * from the text, or from the SMTP reply code, when the notice has no
 * delivery-status part), action, diagnostic text (UTF-8), a reason and a
 * class. The reason is one of (docs/07-rebotes.md):
 *   user unknown, host unknown, has moved, not accepted (null MX, no mail
 *   service), mailbox full, message too big, filtered, spam detected,
 *   blocked (IP, DNSBL, reverse DNS), policy, rejected sender, rate limited,
 *   expired, network error, system error, security error (SPF/DKIM/DMARC,
 *   authentication, virus, TLS), suspended (account disabled or locked),
 *   vacation, delivered, feedback, undefined.
 * The class follows from reason and status: hard only for a 5.x.x whose
 * reason says the address itself is bad (user unknown, host unknown, has
 * moved, not accepted); soft for every other failure (a 4.x.x, and any
 * warning, is never hard); none for "delivered" recipients of a success
 * report. Words of an unknown user are the address when the recipient was
 * refused at RCPT TO or the status says so; after DATA, or with a mailbox
 * or policy status and no RCPT, they are "filtered" (sisimai's taxonomy;
 * where we differ from it: tests/fixtures/bounces/README.md).
 * Notice formats read: RFC 3464 reports (also inside a forwarded or
 * returned message/rfc822), and the texts of Postfix, Sendmail (V5/V8),
 * Exim, qmail, Courier, OpenSMTPD, Exchange 2003-Online, Gmail/Workspace,
 * Yahoo/AOL, iCloud, SES/WorkMail, Zoho, GMX/1&1, Mail.ru, Yandex, Notes,
 * Messaging Server, IMail, DragonFly, James, MailFoundry, mFILTER, McAfee,
 * InterScan, Verizon, au/docomo/SoftBank, list managers (FML, Google
 * Groups) and others, in any charset iconv knows (ISO-2022-JP, Shift_JIS,
 * GB2312...). What none of the rules understands is BOUNCE_OTHER: for a
 * person, never guessed into a hard bounce.
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
enum bounce_reason {
    BOUNCE_R_UNDEFINED,
    BOUNCE_R_USER_UNKNOWN,
    BOUNCE_R_HOST_UNKNOWN,
    BOUNCE_R_HAS_MOVED,
    BOUNCE_R_NOT_ACCEPTED,
    BOUNCE_R_MAILBOX_FULL,
    BOUNCE_R_TOO_BIG,
    BOUNCE_R_FILTERED,
    BOUNCE_R_SPAM,
    BOUNCE_R_BLOCKED,
    BOUNCE_R_POLICY,
    BOUNCE_R_REJECTED,
    BOUNCE_R_RATE,
    BOUNCE_R_EXPIRED,
    BOUNCE_R_NETWORK,
    BOUNCE_R_SYSTEM,
    BOUNCE_R_SECURITY,
    BOUNCE_R_SUSPENDED,
    BOUNCE_R_VACATION,
    BOUNCE_R_DELIVERED,
    BOUNCE_R_FEEDBACK
};

/* One recipient of a notice. Strings are UTF-8, never NULL ("" when absent). */
struct bounce_rcpt {
    char *address;       /* lower-cased, "rfc822;" stripped */
    char *status;        /* enhanced status "5.1.1", "" when none was given */
    char *action;        /* "failed", "delayed", ... (lower case), "" when absent */
    char *diagnostic;    /* the remote server's words, unfolded */
    const char *command; /* the SMTP command refused: "RCPT", "DATA", "MAIL",
                            "HELO", "CONN", or "" (a static string) */
    enum bounce_class class;
    enum bounce_reason reason;
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

/* The reason an enhanced status (may be "" or NULL) and the diagnostic
 * give: a precise code (x.1.1, x.2.2, x.4.7...) first, then the words,
 * then the code's subject; BOUNCE_R_UNDEFINED when neither says. */
enum bounce_reason bounce_reason_of(const char *status, const char *diagnostic);
/* Hard, soft or none from a reason and its status (see above). */
enum bounce_class bounce_class_from(enum bounce_reason reason, const char *status);
/* "user unknown", ..., "undefined" (the names above). */
const char *bounce_reason_name(enum bounce_reason r);

/* "bounce", "complaint", "unsubscribe", "autoreply", "other". */
const char *bounce_type_name(enum bounce_type t);
/* "hard", "soft", or NULL for none. */
const char *bounce_class_name(enum bounce_class c);

#endif
