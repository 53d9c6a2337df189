/* err - what went wrong, for the caller to print and map to an exit code. */
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

void err_init(struct err *e)
{
    e->kind = ERR_NONE;
    buf_init(&e->msg, 64 * 1024);
}

void err_release(struct err *e)
{
    buf_release(&e->msg);
    e->kind = ERR_NONE;
}

void err_clear(struct err *e)
{
    buf_reset(&e->msg);
    e->kind = ERR_NONE;
}

/* The line is recorded whole or not at all: when it cannot be (out of
 * memory, or the messages at their cap), what was there stays, and the
 * kind still says what went wrong. errnum: append ": strerror(errnum)". */
static void err_vset(struct err *e, enum err_kind kind, int errnum, const char *fmt, va_list ap)
{
    size_t was;

    if (!e)
        return;
    if (e->kind == ERR_NONE)
        e->kind = kind;
    was = e->msg.len;
    if ((was && buf_addch(&e->msg, '\n')) || buf_vaddf(&e->msg, fmt, ap) ||
        (errnum && buf_addf(&e->msg, ": %s", strerror(errnum))))
        buf_setlen(&e->msg, was);
}

int err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_vset(e, kind, 0, fmt, ap);
    va_end(ap);
    return -1;
}

int err_errno(struct err *e, enum err_kind kind, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;

    va_start(ap, fmt);
    err_vset(e, kind, saved, fmt, ap);
    va_end(ap);
    errno = saved;
    return -1;
}

int err_nomem(struct err *e)
{
    return err_set(e, ERR_NOMEM, "out of memory");
}

void bug_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "BUG: %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
