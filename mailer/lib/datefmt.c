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

int datefmt_list(struct buf *out, const time_t *t, size_t n)
{
    struct tm cur, next;
    size_t i;
    int rc = 0;

    for (i = 0; i < n && !rc; i++) {
        clock_local(t[i], &cur);
        if (i > 0)
            rc = buf_addstr(out, i + 1 == n ? " y " : ", ");
        rc = rc || add_weekday(out, cur.tm_wday, i == 0) || buf_addf(out, " %d", cur.tm_mday);
        if (i + 1 < n)
            clock_local(t[i + 1], &next);
        if (i + 1 == n || next.tm_mon != cur.tm_mon || next.tm_year != cur.tm_year) {
            rc = rc || buf_addf(out, " de %s", datefmt_months[cur.tm_mon]);
            if (i + 1 == n || next.tm_year != cur.tm_year)
                rc = rc || buf_addf(out, " de %d", cur.tm_year + 1900);
        }
    }
    return rc;
}
