/* bench_bounce - returned messages classified per second, single thread.
 *
 * usage: bench_bounce LIST SECONDS
 * LIST names one message file a line (the fixture collection); all are
 * read into memory first, then bounce_parse() runs over them, round after
 * round, until SECONDS have passed. Prints: "c-bounce NOTICES SECONDS
 * BYTES" (notices classified, the time they took, bytes in one round). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounce.h"
#include "buf.h"
#include "err.h"

#include "banned.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    struct buf list = BUF_INIT, *msg = NULL;
    size_t n = 0, i, bytes = 0;
    double start, limit, el;
    long done = 0;
    char *line, *next;
    int rc = 1;

    if (argc != 3 || buf_read_file(&list, argv[1])) {
        fprintf(stderr, "usage: bench_bounce LIST SECONDS\n");
        return 64;
    }
    limit = atof(argv[2]);
    for (line = list.data; *line; line = next) {
        next = strchr(line, '\n');
        next = next ? (*next = '\0', next + 1) : line + strlen(line);
        if (!*line)
            continue;
        struct buf *grown = realloc(msg, (n + 1) * sizeof(*msg));
        if (!grown)
            goto out;
        msg = grown;
        buf_init(&msg[n], BOUNCE_MAX_SIZE);
        if (buf_read_file(&msg[n], line)) {
            fprintf(stderr, "bench_bounce: cannot read %s\n", line);
            n++;
            goto out;
        }
        bytes += msg[n++].len;
    }
    start = now();
    do {
        for (i = 0; i < n; i++) {
            struct bounce_result r;
            struct err err;
            err_init(&err);
            if (bounce_parse(msg[i].data, msg[i].len, &r, &err) == 0)
                done++;
            bounce_release(&r);
            err_release(&err);
        }
        el = now() - start;
    } while (el < limit);
    printf("c-bounce %ld %.3f %zu\n", done, el, bytes);
    rc = 0;
out:
    for (i = 0; i < n; i++)
        buf_release(&msg[i]);
    free(msg);
    buf_release(&list);
    return rc;
}
