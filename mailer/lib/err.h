/* err - what went wrong, for the caller to print and map to an exit code.
 *
 * Library functions that can fail take a struct err * and return -1 (or an
 * error enum of their own) after err_set(): the message names what is wrong
 * and where ("contacts/diaspora.csv:118: invalid address ..."). The kind says
 * how the CLI should exit; only main() knows sysexits.h.
 */
#ifndef MAILER_ERR_H
#define MAILER_ERR_H

#include "buf.h"

enum err_kind {
    ERR_NONE = 0,
    ERR_USAGE,       /* bad command line */
    ERR_DATA,        /* bad input data: CSV row, template, campaign content */
    ERR_NOINPUT,     /* a file that must exist does not */
    ERR_UNAVAILABLE, /* a server or service cannot be used */
    ERR_SOFTWARE,    /* internal error */
    ERR_IO,          /* reading or writing a file or the database failed */
    ERR_TEMPFAIL,    /* try again later: limits, deferrals, locks */
    ERR_CONFIG,      /* configuration error (settings, credentials) */
    ERR_NOMEM,       /* out of memory */
};

struct err {
    enum err_kind kind; /* the first kind set wins */
    struct buf msg;     /* one or more lines, no trailing newline */
};

void err_init(struct err *e);
void err_release(struct err *e);
/* Record an error (a further call adds a line); always returns -1. A line
 * that cannot be recorded (out of memory, or 64 KiB of lines already) is
 * left out whole, never cut; the kind is recorded all the same. */
int err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* err_set() with ": strerror(errno)" appended. */
int err_errno(struct err *e, enum err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int err_nomem(struct err *e);
/* Forget a recorded error. */
void err_clear(struct err *e);

/* An impossible state: print where and abort. */
#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void bug_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
