/* fuzz_history - what `mailer history` reads from a person's table: the
 * Spanish dates (dateparse: every day it gives is a real one, in order,
 * each once; a range is two days) and whole TSV/CSV tables (history: every
 * row read has a title without control characters and at least one day).
 * Input: the first byte picks dates (even) or a table (odd) and the year of
 * dates written without one; the rest is the text. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dateparse.h"
#include "fuzz.h"
#include "history.h"

#include "banned.h"

static void check_days(const struct dateparse *d)
{
    size_t i;

    FUZZ_ASSERT(d->n >= 1 && d->n <= DATEPARSE_MAX);
    FUZZ_ASSERT(!d->range || d->n == 2);
    for (i = 0; i < d->n; i++) {
        const struct dateparse_day *x = &d->days[i];
        FUZZ_ASSERT(x->m >= 1 && x->m <= 12 && x->y >= 1900 && x->y <= 2999);
        FUZZ_ASSERT(x->d >= 1 && x->d <= dateparse_month_days(x->y, x->m));
        FUZZ_ASSERT(x->wday >= -1 && x->wday <= 6);
        if (i)
            FUZZ_ASSERT(x->y * 10000 + x->m * 100 + x->d >
                        d->days[i - 1].y * 10000 + d->days[i - 1].m * 100 + d->days[i - 1].d);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct history_table t;
    struct buf warnings = BUF_INIT;
    struct dateparse d;
    struct err err;
    int year, rc;
    size_t i;

    if (len < 1)
        return 0;
    year = data[0] & 2 ? 2021 : 0;
    err_init(&err);
    if (!(data[0] & 1)) {
        char *text = malloc(len);
        if (!text)
            abort();
        memcpy(text, data + 1, len - 1);
        text[len - 1] = '\0';
        rc = dateparse_spanish(text, year, &d, &err);
        FUZZ_ASSERT(rc >= -1 && rc <= 1);
        if (rc == 0)
            check_days(&d);
        FUZZ_ASSERT(rc != -1 || err.kind == ERR_DATA || err.kind == ERR_NOMEM);
        free(text);
    } else {
        history_table_init(&t, "fuzz.tsv");
        rc = history_read_mem("fuzz.tsv", (const char *)data + 1, len - 1, year, &t, &warnings,
                              &err);
        for (i = 0; rc == 0 && i < t.n; i++) {
            const char *p;
            FUZZ_ASSERT(t.rows[i].title && *t.rows[i].title);
            for (p = t.rows[i].title; *p; p++)
                FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f);
            check_days(&t.rows[i].date);
        }
        history_table_release(&t);
    }
    buf_release(&warnings);
    err_release(&err);
    return 0;
}
