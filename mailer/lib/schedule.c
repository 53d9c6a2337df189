/* schedule - when a campaign's editions are due. */
#include "schedule.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clock.h"

#include "banned.h"

static const char *const days_en[7] = {"sunday",   "monday", "tuesday", "wednesday",
                                       "thursday", "friday", "saturday"};
static const char *const days_es[7] = {"domingo", "lunes",   "martes", "miercoles",
                                       "jueves",  "viernes", "sabado"};

static int parse_hhmm(const char *s, int *h, int *m)
{
    int n = 0;

    return sscanf(s, "%2d:%2d%n", h, m, &n) == 2 && s[n] == '\0' && *h >= 0 && *h < 24 && *m >= 0 &&
           *m < 60;
}

static int parse_day_name(const char *s, size_t len, int *wday)
{
    int i;

    for (i = 0; i < 7; i++) {
        if ((strlen(days_en[i]) == len && !strncasecmp(s, days_en[i], len)) ||
            (strlen(days_es[i]) == len && !strncasecmp(s, days_es[i], len))) {
            *wday = i;
            return 1;
        }
    }
    /* accented forms */
    if (len == strlen("miércoles") && !strncasecmp(s, "miércoles", len))
        return *wday = 3, 1;
    if (len == strlen("sábado") && !strncasecmp(s, "sábado", len))
        return *wday = 6, 1;
    return 0;
}

int schedule_parse(const char *cadence, const char *schedule, const char *send_at,
                   struct schedule_rule *r, const char **why)
{
    const char *space;
    int y, mo, d, h, mi, n = 0;

    memset(r, 0, sizeof(*r));
    if (!strcmp(cadence, "once")) {
        if (*schedule)
            return *why = "a once campaign is scheduled with send_at = YYYY-MM-DD HH:MM", -1;
        if (!*send_at)
            return 0;
        if (sscanf(send_at, "%4d-%2d-%2d %2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || send_at[n] ||
            mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59)
            return *why = "send_at: write it as YYYY-MM-DD HH:MM (Mexico City time)", -1;
        r->kind = SCHEDULE_ONCE;
        r->at = clock_from_local(y - 1900, mo - 1, d, h, mi);
        return 0;
    }
    if (*send_at)
        return *why = "send_at is for once campaigns; weekly and monthly use schedule", -1;
    if (!*schedule)
        return 0;
    space = strchr(schedule, ' ');
    if (!strcmp(cadence, "weekly")) {
        if (!space || !parse_day_name(schedule, (size_t)(space - schedule), &r->wday) ||
            !parse_hhmm(space + 1, &r->hour, &r->min))
            return *why = "schedule: write it as a day and a time, e.g. monday 08:00", -1;
        r->kind = SCHEDULE_WEEKLY;
        return 0;
    }
    if (sscanf(schedule, "day %2d %2d:%2d%n", &r->mday, &r->hour, &r->min, &n) != 3 ||
        schedule[n] || r->mday < 1 || r->mday > 31 || r->hour > 23 || r->min > 59)
        return *why = "schedule: write it as day N HH:MM, e.g. day 1 09:00", -1;
    r->kind = SCHEDULE_MONTHLY;
    return 0;
}

static int days_in_month(int year, int mon0)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    return days[mon0] + (mon0 == 1 && leap);
}

/* The monthly slot of (year, mon0): its instant and edition. */
static time_t monthly_slot(const struct schedule_rule *r, int year, int mon0, struct edition *e)
{
    int mday = r->mday > days_in_month(year, mon0) ? days_in_month(year, mon0) : r->mday;
    char name[32];

    snprintf(name, sizeof(name), "%04d-%02d", year, mon0 + 1);
    edition_named(name, e);
    return clock_from_local(year - 1900, mon0, mday, r->hour, r->min);
}

/* The weekly slot in the week holding local day (y, m0, d) shifted by
 * `weeks`; its edition is the ISO week that ended before the slot's week. */
static time_t weekly_slot(const struct schedule_rule *r, const char *cadence, const char *label,
                          time_t now, int weeks, struct edition *e)
{
    struct tm tm;
    int back;
    time_t slot;

    clock_local(now, &tm);
    back = (tm.tm_wday + 6) % 7; /* days since Monday */
    slot = clock_from_local(tm.tm_year, tm.tm_mon,
                            tm.tm_mday - back + (r->wday + 6) % 7 + 7 * weeks, r->hour, r->min);
    edition_for(cadence, label, slot, e);
    return slot;
}

/* step < 0: slot is at or before now; step > 0: after it. */
static int on_side(time_t slot, time_t now, int step)
{
    return step < 0 ? slot <= now : slot > now;
}

/* The slot of r nearest now on one side of it: the latest at or before
 * now (step -1) or the next after it (step 1), with its edition; 0 when
 * there is none. */
static time_t slot_beside(const struct schedule_rule *r, const char *cadence, const char *label,
                          time_t now, int step, struct edition *e)
{
    struct tm tm;
    time_t slot;
    int mon0;

    switch (r->kind) {
    case SCHEDULE_NONE:
        return 0;
    case SCHEDULE_ONCE:
        edition_for(cadence, label, now, e);
        return on_side(r->at, now, step) ? r->at : 0;
    case SCHEDULE_WEEKLY:
        slot = weekly_slot(r, cadence, label, now, 0, e);
        return on_side(slot, now, step) ? slot : weekly_slot(r, cadence, label, now, step, e);
    case SCHEDULE_MONTHLY:
        clock_local(now, &tm);
        slot = monthly_slot(r, tm.tm_year + 1900, tm.tm_mon, e);
        if (on_side(slot, now, step))
            return slot;
        mon0 = tm.tm_mon + step; /* the month before or after, across a new year */
        return monthly_slot(r,
                            tm.tm_year + 1900 +
                                (mon0 < 0    ? -1
                                 : mon0 > 11 ? 1
                                             : 0),
                            (mon0 + 12) % 12, e);
    }
    return 0;
}

time_t schedule_latest(const struct schedule_rule *r, const char *cadence, const char *label,
                       time_t now, struct edition *e)
{
    return slot_beside(r, cadence, label, now, -1, e);
}

time_t schedule_next(const struct schedule_rule *r, const char *cadence, const char *label,
                     time_t now, struct edition *e)
{
    return slot_beside(r, cadence, label, now, 1, e);
}
