/* edition - names, labels and periods of editions. */
#include "edition.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "datefmt.h"

#include "banned.h"

/* ISO 8601 week: the Monday of week `week` of ISO year `year`, as a
 * civil date (days since the epoch). */
static long days_from_civil(int y, int m, int d)
{
    struct tm tm = {0};

    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    return (long)(timegm(&tm) / 86400);
}

static void civil_from_days(long days, int *y, int *m, int *d)
{
    time_t t = (time_t)days * 86400;
    struct tm tm;

    gmtime_r(&t, &tm);
    *y = tm.tm_year + 1900;
    *m = tm.tm_mon + 1;
    *d = tm.tm_mday;
}

static long iso_week_monday(int year, int week)
{
    long jan4 = days_from_civil(year, 1, 4);
    long wday = ((jan4 + 3) % 7 + 7) % 7; /* 0 = Monday (1970-01-01 was a Thursday) */

    return jan4 - wday + (long)(week - 1) * 7;
}

static void iso_week_of(long days, int *year, int *week)
{
    long wday = ((days + 3) % 7 + 7) % 7;
    long thursday = days - wday + 3;
    int y, m, d;

    civil_from_days(thursday, &y, &m, &d);
    *year = y;
    *week = (int)((thursday - days_from_civil(y, 1, 1)) / 7 + 1);
}

static int weeks_in_year(int year)
{
    int y, w;

    iso_week_of(days_from_civil(year, 12, 28), &y, &w);
    return w;
}

static void week_label(struct edition *e, long monday)
{
    int y1, m1, d1, y2, m2, d2;

    civil_from_days(monday, &y1, &m1, &d1);
    civil_from_days(monday + 6, &y2, &m2, &d2);
    if (y1 != y2)
        snprintf(e->label, sizeof(e->label), "semana del %d de %s de %d al %d de %s de %d", d1,
                 datefmt_months[m1 - 1], y1, d2, datefmt_months[m2 - 1], y2);
    else if (m1 != m2)
        snprintf(e->label, sizeof(e->label), "semana del %d de %s al %d de %s de %d", d1,
                 datefmt_months[m1 - 1], d2, datefmt_months[m2 - 1], y2);
    else
        snprintf(e->label, sizeof(e->label), "semana del %d al %d de %s de %d", d1, d2,
                 datefmt_months[m2 - 1], y2);
    e->start = clock_from_local(y1 - 1900, m1 - 1, d1, 0, 0);
    civil_from_days(monday + 7, &y2, &m2, &d2);
    e->end = clock_from_local(y2 - 1900, m2 - 1, d2, 0, 0);
}

void edition_named(const char *name, struct edition *e)
{
    int y, m, w, n = 0;
    char tail;

    memset(e, 0, sizeof(*e));
    snprintf(e->name, sizeof(e->name), "%s", name);
    snprintf(e->label, sizeof(e->label), "%s", name);
    if (sscanf(name, "%4d-W%2d%n%c", &y, &w, &n, &tail) == 2 && n == 8 && w >= 1 &&
        w <= weeks_in_year(y)) {
        week_label(e, iso_week_monday(y, w));
    } else if (sscanf(name, "%4d-%2d%n%c", &y, &m, &n, &tail) == 2 && n == 7 && m >= 1 && m <= 12) {
        /* datefmt_month's words, written as week_label writes its own: in
         * place, nothing to allocate, nothing to fail */
        snprintf(e->label, sizeof(e->label), "%s de %d", datefmt_months[m - 1], y);
        e->start = clock_from_local(y - 1900, m - 1, 1, 0, 0);
        e->end = clock_from_local(m == 12 ? y + 1 - 1900 : y - 1900, m % 12, 1, 0, 0);
    }
}

int edition_name_ok(const char *name)
{
    return *name && strlen(name) < sizeof(((struct edition *)0)->name) &&
           !strpbrk(name, "/\\ \t\r\n") && name[0] != '.';
}

void edition_for(const char *cadence, const char *once_label, time_t now, struct edition *e)
{
    struct tm tm;
    char name[64];
    int y, w;

    clock_local(now, &tm);
    if (!strcmp(cadence, "monthly")) {
        snprintf(name, sizeof(name), "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
    } else if (!strcmp(cadence, "weekly")) {
        /* The week that just ended: the ISO week of seven days ago. */
        iso_week_of(days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) - 7, &y, &w);
        snprintf(name, sizeof(name), "%04d-W%02d", y, w);
    } else {
        snprintf(name, sizeof(name), "main");
    }
    edition_named(name, e);
    if (!strcmp(name, "main") && once_label)
        snprintf(e->label, sizeof(e->label), "%s", once_label);
}
