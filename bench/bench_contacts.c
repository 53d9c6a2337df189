/* bench_contacts - load, validate and dedupe a contact list with
 * contacts_load(); print rows/s and peak RSS.
 *
 *     bench_contacts [--no-vars] FILE.csv [FILE2.csv ...]
 *
 * --no-vars: the contacts need no template variables (freezing an audience).
 *
 * Prints one line: "rows=N accepted=N invalid=N duplicates=N seconds=S
 * cpu_seconds=C rows_per_s=R rows_per_cpu_s=R2 peak_rss_kb=K" (CPU time
 * counts the whole process, so it includes start-up; it is the figure to
 * trust on a machine shared with other jobs). bench/bench_contacts.sh generates the list
 * and compares with Python's csv module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "contacts.h"

#include "banned.h"

struct sink {
    size_t n;
    size_t bytes;
};

static int take(void *ud, const struct contact *c)
{
    struct sink *s = ud;

    s->n++;
    s->bytes += c->line; /* touch the contact so nothing is optimized away */
    return 0;
}

int main(int argc, char **argv)
{
    struct audience_spec spec = {0};
    struct audience_stats st;
    struct sink sink = {0, 0};
    struct buf report = BUF_INIT;
    struct err err;
    struct timespec t0, t1;
    struct rusage ru;
    double secs, cpu;
    int rc, first = 1;

    if (argc > 1 && !strcmp(argv[1], "--no-vars")) {
        spec.no_vars = 1;
        first = 2;
    }
    if (argc <= first) {
        fprintf(stderr, "usage: bench_contacts [--no-vars] FILE.csv...\n");
        return 64;
    }
    err_init(&err);
    spec.lists = (const char *const *)(argv + first);
    spec.nlists = (size_t)(argc - first);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = contacts_load(&spec, take, &sink, &st, &report, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc) {
        fprintf(stderr, "bench_contacts: %s\n", err.msg.data);
        err_release(&err);
        buf_release(&report);
        return 1;
    }
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    getrusage(RUSAGE_SELF, &ru);
    cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
          (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("rows=%zu accepted=%zu invalid=%zu duplicates=%zu seconds=%.3f cpu_seconds=%.3f "
           "rows_per_s=%.0f rows_per_cpu_s=%.0f peak_rss_kb=%ld\n",
           st.rows, st.accepted, st.invalid, st.duplicates, secs, cpu, (double)st.rows / secs,
           (double)st.rows / cpu, ru.ru_maxrss);
    err_release(&err);
    buf_release(&report);
    return 0;
}
