/* buf - growable byte string with a size cap.
 *
 * A struct buf is always NUL-terminated and its data is never NULL after
 * buf_init() (it points at a shared empty string until the first add).
 * The cap (0 = no cap beyond SIZE_MAX/2) bounds len: an add that would pass
 * it fails with -1, so untrusted input can never grow a buffer without
 * limit. Functions returning int give 0 on success and -1 on cap exceeded or
 * out of memory (errno ENOSPC / ENOMEM), and a failure leaves the buffer as
 * it was: never a piece of what was asked. Their results must be checked
 * (WARN_UNUSED_RESULT). Tested by tests/unit/test_buf.c.
 */
#ifndef MAILER_BUF_H
#define MAILER_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* A result the caller may not drop (as curl's WARN_UNUSED_RESULT on its
 * Curl_dyn_add*): an add that failed must never leave a message, a report
 * or a page with a piece missing. GCC warns even through a (void) cast. */
#ifndef WARN_UNUSED_RESULT
#define WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#endif

struct buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap;
};

extern char buf_empty[];
#define BUF_INIT                                                                                   \
    {                                                                                              \
        buf_empty, 0, 0, 0                                                                         \
    }

/* Set up a caller-owned buf with a cap on its length (0: no cap). */
void buf_init(struct buf *b, size_t cap);
/* Free what b holds; b is ready for reuse as after buf_init with the same cap. */
void buf_release(struct buf *b);
/* Hand the string to the caller (free() it); b is left empty. Never NULL
 * unless out of memory. */
char *buf_detach(struct buf *b, size_t *len);
/* Make room for extra more bytes. */
WARN_UNUSED_RESULT int buf_grow(struct buf *b, size_t extra);
void buf_reset(struct buf *b);
/* Cut to len (len <= b->len). */
void buf_setlen(struct buf *b, size_t len);

WARN_UNUSED_RESULT int buf_add(struct buf *b, const void *data, size_t len);
WARN_UNUSED_RESULT int buf_addstr(struct buf *b, const char *s);
WARN_UNUSED_RESULT int buf_addch(struct buf *b, int c);
WARN_UNUSED_RESULT int buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
WARN_UNUSED_RESULT int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Replace the content with a formatted string (the arguments must not point
 * into b). */
WARN_UNUSED_RESULT int buf_setf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append a whole file (at most b's cap); -1 with errno set on failure
 * (ENOSPC: larger than the cap). */
WARN_UNUSED_RESULT int buf_read_file(struct buf *b, const char *path);

/* Strip ASCII whitespace at both ends. */
void buf_trim(struct buf *b);

/* strdup/strndup/malloc that abort nothing: NULL on failure. */
char *xstrndup(const char *s, size_t n);

#endif
