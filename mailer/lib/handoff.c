/* handoff - which deliveries marked `sending` reached a connection. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "handoff.h"

#include "banned.h"

#define JOURNAL_MAX (64u * 1024 * 1024) /* 8 million ids of each kind: beyond any mailing */

int handoff_open(struct handoff *h, const char *path, struct err *err)
{
    h->path = strdup(path);
    if (!h->path)
        return err_nomem(err);
    h->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (h->fd < 0) {
        err_errno(err, ERR_IO, "%s", path);
        free(h->path);
        h->path = NULL;
        return -1;
    }
    return 0;
}

/* One write(2) of the whole line or lines: O_APPEND keeps lines written by
 * different threads whole. */
static int put(struct handoff *h, const char *s, size_t n)
{
    ssize_t w;

    do
        w = write(h->fd, s, n);
    while (w < 0 && errno == EINTR);
    return w == (ssize_t)n ? 0 : -1;
}

void handoff_marked(struct handoff *h, const int64_t *ids, size_t n)
{
    char line[32];
    struct buf b = BUF_INIT;
    size_t i;

    if (h->fd < 0 || n == 0)
        return;
    for (i = 0; i < n; i++) {
        int len = snprintf(line, sizeof(line), "M %" PRId64 "\n", ids[i]);
        if (buf_add(&b, line, (size_t)len))
            break;
    }
    /* A lost M line only leaves its delivery uncertain. */
    (void)put(h, b.data ? b.data : "", b.len);
    buf_release(&b);
}

void handoff_started(struct handoff *h, int64_t id)
{
    char line[32];
    int len;

    if (h->fd < 0)
        return;
    len = snprintf(line, sizeof(line), "S %" PRId64 "\n", id);
    if (put(h, line, (size_t)len) && h->path)
        unlink(h->path); /* a lost S line could put back a message sent: no journal then */
}

void handoff_close(struct handoff *h)
{
    if (h->fd >= 0)
        close(h->fd);
    h->fd = -1;
    free(h->path);
    h->path = NULL;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The M and S ids of the journal (int64_t arrays in bufs); a line cut
 * short by the crash is ignored. */
static int journal_read(FILE *f, struct buf *marked, struct buf *started)
{
    char line[64];

    while (fgets(line, sizeof(line), f)) {
        char *end;
        long long id;
        int64_t v;

        if ((line[0] != 'M' && line[0] != 'S') || line[1] != ' ' || !strchr(line, '\n'))
            continue;
        errno = 0;
        id = strtoll(line + 2, &end, 10);
        if (errno || end == line + 2 || *end != '\n' || id <= 0)
            continue;
        v = (int64_t)id;
        if (buf_add(line[0] == 'M' ? marked : started, &v, sizeof(v)))
            return -1;
    }
    return ferror(f) ? -1 : 0;
}

int handoff_recover(const char *path, struct ledger *l, int64_t mailing_id, long *restored,
                    struct err *err)
{
    struct buf mbuf, sbuf;
    FILE *f = fopen(path, "re");
    const int64_t *marked, *started;
    size_t nmarked, nstarted, i;
    int rc = -1;

    *restored = 0;
    if (!f)
        return errno == ENOENT ? 0 : err_errno(err, ERR_IO, "%s", path);
    buf_init(&mbuf, JOURNAL_MAX);
    buf_init(&sbuf, JOURNAL_MAX);
    if (journal_read(f, &mbuf, &sbuf)) {
        err_set(err, ERR_IO, "%s: cannot read the hand-off journal", path);
        goto out;
    }
    marked = (const int64_t *)(void *)mbuf.data;
    nmarked = mbuf.len / sizeof(*marked);
    started = (const int64_t *)(void *)sbuf.data;
    nstarted = sbuf.len / sizeof(*started);
    if (nstarted) /* qsort and bsearch want an array, even an empty one */
        qsort(sbuf.data, nstarted, sizeof(*started), cmp_id);
    if (ledger_begin(l, err))
        goto out;
    for (i = 0; i < nmarked; i++) {
        int r;
        if (nstarted && bsearch(&marked[i], started, nstarted, sizeof(*started), cmp_id))
            continue;
        r = ledger_delivery_unsend(l, mailing_id, marked[i], clock_now(), err);
        if (r < 0) {
            ledger_rollback(l);
            goto out;
        }
        if (r == 0)
            (*restored)++;
    }
    if (ledger_commit(l, err)) {
        ledger_rollback(l);
        goto out;
    }
    if (unlink(path) && errno != ENOENT) {
        err_errno(err, ERR_IO, "%s", path);
        goto out;
    }
    rc = 0;
out:
    fclose(f);
    buf_release(&mbuf);
    buf_release(&sbuf);
    return rc;
}
