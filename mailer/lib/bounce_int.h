/* bounce_int - what the bounce_*.c files share; not part of the API.
 *
 *   bounce.c             the entry point: MIME walk, decoding, the order of
 *                        the readers below, the shared text helpers
 *   bounce_dsn.c         standard reports: RFC 3464 / RFC 6533 delivery
 *                        status, RFC 5965 feedback (ARF)
 *   bounce_notice.c      the notices that are not RFC 3464: the texts of
 *                        Postfix, Sendmail, qmail, Exim, Exchange... (vendors)
 *   bounce_ses.c         notifications written as JSON (Amazon SES / SNS)
 *   bounce_autoreply.c   auto-replies, vacation notices, challenge-response
 *   bounce_unsubscribe.c a person asking to leave («baja»)
 *   bounce_reason.c      the reason and class of each recipient
 *
 * Every function taking a struct bounce_scan sets its oom flag when a
 * buffer cannot grow; those returning int give -1 only for out of memory.
 */
#ifndef MAILER_BOUNCE_INT_H
#define MAILER_BOUNCE_INT_H

#include <stddef.h>

#include "bounce.h"
#include "buf.h"

#define BOUNCE_TEXT_CAP (2u * 1024 * 1024)
#define BOUNCE_MAX_RCPTS 64

/* What the walk over the MIME tree collects (all UTF-8, LF line ends). */
struct bounce_scan {
    struct buf headers;  /* the notice's own header block, unfolded */
    struct buf text;     /* its text/plain parts, decoded */
    struct buf html;     /* its text/html parts stripped of tags */
    struct buf dsn;      /* message/(global-)delivery-status parts */
    struct buf feedback; /* message/feedback-report */
    struct buf orig;     /* the returned message's header block */
    const char *inner;   /* the first attached message (message/rfc822), raw */
    size_t inner_len;
    int report_type; /* 1 delivery-status, 2 feedback-report */
    int oom;
};

/* bounce_parse of a message nested `nesting` deep in another. */
int bounce_parse_nested(const char *data, size_t len, struct bounce_result *out, int nesting,
                        struct err *err);

/* ---- text helpers (bounce.c) ---- */

/* Append, or set s->oom. */
void bounce_add(struct bounce_scan *s, struct buf *b, const char *p, size_t n);
/* Text as it is compared (fold.c's fold_text): lower case, Latin-1 accents
 * dropped, every run of white space (line ends too) one space, so a phrase
 * a server wrapped over two lines still matches (caller frees; NULL on
 * ENOMEM). */
char *bounce_fold_dup(const char *s);
/* ASCII lower case in place: for a copy whose offsets must stay those of
 * the text (a notice's lines are found in it and taken from the text),
 * which fold_text, dropping accents and spaces, would move. */
void bounce_lower(char *s);
/* 1 when one of needles (NULL-terminated) is a substring of hay. */
int bounce_any_in(const char *hay, const char *const *needles);
/* needle in hay as whole words (no letter or digit on either side). */
const char *bounce_find_word(const char *hay, const char *needle);
/* s[0..n) without surrounding white space (caller frees). */
char *bounce_trimmed_dup(const char *s, size_t n);
/* The header block at p (to the first empty line) appended unfolded, one
 * "Name: value" per line, LF ends. */
void bounce_headers_unfold(struct bounce_scan *s, struct buf *out, const char *p, size_t n);
/* The value of the first header `name` in an unfolded block (caller frees),
 * NULL when absent; with `loose`, lines may be indented or quoted by '>'. */
char *bounce_header_get(const char *block, const char *name, int loose);
int bounce_header_has(const char *block, const char *name);
/* "<id@host>" -> "id@host" (caller frees); NULL when there is no id. */
char *bounce_msgid_clean(const char *v);
/* The first local@domain.tld in s, lower-cased (caller frees), and where it
 * ends; NULL when none. */
char *bounce_addr_find(const char *s, const char **after);
/* The first enhanced status code (2/4/5.x.y, also "#5.1.1") in s into out;
 * 0 when found. */
int bounce_status_find(const char *s, char *out, size_t size);
/* The first SMTP reply code (4xx/5xx followed by space, '-' or end) in s. */
int bounce_smtp_code_find(const char *s);
/* The SMTP command a (folded) text says was refused: "RCPT", "DATA",
 * "MAIL", "HELO", "CONN", or "" when it does not say. */
const char *bounce_command_find(const char *folded);
/* 1 when low[0..n) (ASCII lower-cased) names addr in a ">>> RCPT TO:" line:
 * a session transcript (Sendmail, Courier) showing the command that was
 * refused for it. */
int bounce_rcpt_named(const char *low, size_t n, const char *addr);
/* Where the copy of the returned message begins in a notice's (ASCII
 * lower-cased) text; strlen(low) when it has none. */
size_t bounce_copy_start(const char *low);

/* ---- results (bounce.c) ---- */

/* Add a recipient (address lower-cased by the caller); a repeated address
 * is not added. Returns its index, or -1 when out of memory; -2 when it was
 * there already or the list is full. */
int bounce_rcpt_add(struct bounce_result *r, const char *addr, const char *status,
                    const char *action, const char *diag);
void bounce_rcpt_free(struct bounce_rcpt *x);
/* The phrase bounce_result.why gives; -1 when out of memory. */
int bounce_set_why(struct bounce_result *r, const char *why);

/* ---- the readers ---- */

/* bounce_dsn.c: the recipients of the delivery-status parts, each with its
 * reason (context: the notice's text, for what the groups leave unsaid). */
int bounce_dsn_read(struct bounce_scan *s, struct bounce_result *r, const char *context);
/* bounce_dsn.c: the complainant of an ARF report. */
int bounce_arf_read(struct bounce_scan *s, struct bounce_result *r);

/* bounce_notice.c: is this a delivery failure notice (by its sender,
 * subject and words)? */
int bounce_notice_is(const struct bounce_scan *s, const char *from_hdr, const char *subject,
                     const char *text);
/* bounce_notice.c: the failed recipients of a notice, each with its status,
 * diagnostic and reason. */
int bounce_notice_read(struct bounce_scan *s, struct bounce_result *r, const char *text);

/* bounce_ses.c: a notification written as JSON (Amazon SES through SNS):
 * 1 when it was one (r filled), 0 when not, -1 when out of memory. */
int bounce_ses_read(const char *text, struct bounce_result *r);

/* bounce_autoreply.c: an auto-reply or vacation notice (sets r->why); 1
 * when it is one, -1 when out of memory. Asked only of a message
 * bounce_challenge_is has already found not to be a challenge. */
int bounce_autoreply_is(const struct bounce_scan *s, const char *fsubject, struct bounce_result *r);

/* bounce_autoreply.c: a challenge-response system asking the sender to
 * prove it is a person (also when written as a delivery-status report). */
int bounce_challenge_is(const struct bounce_scan *s, const char *fsubject, const char *text,
                        struct bounce_result *r);

/* bounce_dsn.c: Microsoft's JMRP complaint ("complaint about message
 * from IP", the reported message attached): 1 when it is one. */
int bounce_jmrp_read(struct bounce_scan *s, const char *fsubject, const char *text,
                     struct bounce_result *r);

/* bounce_unsubscribe.c: a person asking to leave (sets r->why); 1 when so. */
int bounce_unsubscribe_is(const char *fsubject, const char *text, struct bounce_result *r);

/* ---- reasons (bounce_reason.c) ---- */

/* What is known of one failed recipient. */
struct bounce_facts {
    const char *status;     /* enhanced status, "" when none */
    const char *diagnostic; /* the server's words for this recipient */
    const char *context;    /* the notice's own words (may be NULL) */
    const char *command;    /* "RCPT", "DATA"... or "" */
    int delayed;            /* a warning, not a final failure */
};

/* The reason folded words alone give, BOUNCE_R_UNDEFINED when none. */
enum bounce_reason bounce_reason_text(const char *folded);
/* The reason for one recipient from all that is known of it. */
enum bounce_reason bounce_reason_judge(const struct bounce_facts *f);
/* user unknown, host unknown, has moved, not accepted: the address is bad. */
int bounce_reason_is_address(enum bounce_reason reason);

#endif
