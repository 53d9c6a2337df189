/* buf - growable byte string with a size cap. */
#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

char buf_empty[1];

void buf_init(struct buf *b, size_t cap)
{
    b->data = buf_empty;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void buf_release(struct buf *b)
{
    if (b->alloc)
        free(b->data);
    buf_init(b, b->cap);
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *s;

    if (len)
        *len = b->len;
    if (b->alloc) {
        s = b->data;
    } else {
        s = malloc(1);
        if (s)
            s[0] = '\0';
    }
    buf_init(b, b->cap);
    return s;
}

int buf_grow(struct buf *b, size_t extra)
{
    size_t limit = b->cap ? b->cap : SIZE_MAX / 2;
    size_t want, n;
    char *p;

    if (extra > limit || b->len > limit - extra) {
        errno = ENOSPC;
        return -1;
    }
    want = b->len + extra + 1;
    if (want <= b->alloc)
        return 0;
    n = b->alloc ? b->alloc : 64;
    while (n < want)
        n = n < SIZE_MAX / 4 ? n * 2 : want;
    p = realloc(b->alloc ? b->data : NULL, n);
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    if (!b->alloc)
        p[0] = '\0';
    b->data = p;
    b->alloc = n;
    return 0;
}

void buf_reset(struct buf *b)
{
    buf_setlen(b, 0);
}

void buf_setlen(struct buf *b, size_t len)
{
    if (!b->alloc)
        return;
    b->len = len;
    b->data[len] = '\0';
}

int buf_add(struct buf *b, const void *data, size_t len)
{
    if (len == 0)
        return 0;
    if (buf_grow(b, len))
        return -1;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int buf_addstr(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addch(struct buf *b, int c)
{
    char ch = (char)c;

    return buf_add(b, &ch, 1);
}

int buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return -1;
    if (buf_grow(b, (size_t)n))
        return -1;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int buf_setf(struct buf *b, const char *fmt, ...)
{
    size_t was = b->len;
    va_list ap;
    int rc;

    /* written from the start; on failure nothing was written, and the old
     * content, still there, is the content again */
    b->len = 0;
    va_start(ap, fmt);
    rc = buf_vaddf(b, fmt, ap);
    va_end(ap);
    if (rc)
        b->len = was;
    return rc;
}

int buf_read_file(struct buf *b, const char *path)
{
    char chunk[65536];
    size_t was = b->len;
    ssize_t n;
    int fd, saved;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (buf_add(b, chunk, (size_t)n)) {
            n = -1;
            break;
        }
    }
    saved = errno;
    close(fd);
    if (n < 0)
        buf_setlen(b, was);
    errno = saved;
    return n < 0 ? -1 : 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

void buf_trim(struct buf *b)
{
    size_t start = 0, end = b->len;

    while (start < end && is_space(b->data[start]))
        start++;
    while (end > start && is_space(b->data[end - 1]))
        end--;
    if (start)
        memmove(b->data, b->data + start, end - start);
    buf_setlen(b, end - start);
}

char *xstrndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);

    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
