/* datefmt - dates written out in Spanish, as the office writes them. */
#include "datefmt.h"

#include <string.h>

#include "clock.h"

#include "banned.h"

const char *const datefmt_months[12] = {"enero",      "febrero", "marzo",     "abril",
                                        "mayo",       "junio",   "julio",     "agosto",
                                        "septiembre", "octubre", "noviembre", "diciembre"};
const char *const datefmt_weekdays[7] = {"domingo", "lunes",   "martes", "miércoles",
                                         "jueves",  "viernes", "sábado"};

/* Weekday with its first letter upper-cased (all start with ASCII). */
static int add_weekday(struct buf *out, int wday, int capital)
{
    const char *w = datefmt_weekdays[wday];

    if (buf_addch(out, capital ? w[0] - 'a' + 'A' : w[0]))
        return -1;
    return buf_addstr(out, w + 1);
}

int datefmt_long(struct buf *out, time_t t)
{
    return datefmt_list(out, &t, 1);
}

int datefmt_day(struct buf *out, time_t t)
{
    struct tm tm;

    clock_local(t, &tm);
    return buf_addf(out, "%d de %s de %d", tm.tm_mday, datefmt_months[tm.tm_mon],
                    tm.tm_year + 1900);
}

int datefmt_month(struct buf *out, int year, int month)
{
    if (month < 1 || month > 12)
        return -1;
    return buf_addf(out, "%s de %d", datefmt_months[month - 1], year);
}

/* The index of the first date after t[i] that falls on another day, or n. */
static size_t next_day(const time_t *t, size_t n, size_t i)
{
    struct tm a, b;
    size_t j;

    clock_local(t[i], &a);
    for (j = i + 1; j < n; j++) {
        clock_local(t[j], &b);
        if (b.tm_mday != a.tm_mday || b.tm_mon != a.tm_mon || b.tm_year != a.tm_year)
            break;
    }
    return j;
}

int datefmt_month_row(struct buf *out, int year, int month)
{
    const char *m;

    if (month < 1 || month > 12)
        return -1;
    m = datefmt_months[month - 1];
    return buf_addf(out, "%c%s %d", m[0] - 'a' + 'A', m + 1, year);
}

int datefmt_list(struct buf *out, const time_t *t, size_t n)
{
    struct tm cur, next;
    size_t i, j;
    int rc = 0;

    for (i = 0; i < n && !rc; i = j) {
        j = next_day(t, n, i);
        clock_local(t[i], &cur);
        if (i > 0)
            rc = buf_addstr(out, j == n ? " y " : ", ");
        rc = rc || add_weekday(out, cur.tm_wday, i == 0) || buf_addf(out, " %d", cur.tm_mday);
        if (j < n)
            clock_local(t[j], &next);
        if (j == n || next.tm_mon != cur.tm_mon || next.tm_year != cur.tm_year) {
            rc = rc || buf_addf(out, " de %s", datefmt_months[cur.tm_mon]);
            if (j == n || next.tm_year != cur.tm_year)
                rc = rc || buf_addf(out, " de %d", cur.tm_year + 1900);
        }
    }
    return rc;
}

int datefmt_range(struct buf *out, time_t from, time_t to)
{
    struct tm a, b;

    clock_local(from, &a);
    clock_local(to, &b);
    if (buf_addstr(out, "Del ") || add_weekday(out, a.tm_wday, 0) ||
        buf_addf(out, " %d", a.tm_mday))
        return -1;
    if ((a.tm_mon != b.tm_mon || a.tm_year != b.tm_year) &&
        buf_addf(out, " de %s", datefmt_months[a.tm_mon]))
        return -1;
    if (a.tm_year != b.tm_year && buf_addf(out, " de %d", a.tm_year + 1900))
        return -1;
    if (buf_addstr(out, " al ") || add_weekday(out, b.tm_wday, 0))
        return -1;
    return buf_addf(out, " %d de %s de %d", b.tm_mday, datefmt_months[b.tm_mon], b.tm_year + 1900);
}
