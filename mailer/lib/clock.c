/* clock - the time the mailer believes it is, and how it writes times. */
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static int fixed;       /* the clock is fixed */
static time_t fixed_at; /* at this time */

time_t clock_now(void)
{
    return fixed ? fixed_at : time(NULL);
}

void clock_fix(const time_t *at)
{
    fixed = at != NULL;
    fixed_at = at ? *at : 0;
}

double clock_mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void clock_iso(time_t t, char *out, size_t size)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int clock_parse_iso(const char *s, time_t *out)
{
    struct tm tm;
    int n = 0, sec = 0;

    memset(&tm, 0, sizeof(tm));
    if (sscanf(s, "%4d-%2d-%2d%*[T ]%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &n) != 5 ||
        n == 0)
        return -1;
    s += n;
    if (*s == ':') {
        if (sscanf(s, ":%2d%n", &sec, &n) != 1)
            return -1;
        s += n;
    }
    if (*s == 'Z')
        s++;
    if (*s)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_sec = sec;
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || sec > 60)
        return -1;
    *out = timegm(&tm);
    return 0;
}

/* Switch the process zone to Mexico City for one conversion. The mailer is
 * single-threaded; the zone is restored afterwards. */
static void with_zone(int set, char **saved)
{
    if (set) {
        const char *tz = getenv("TZ");
        *saved = tz ? strdup(tz) : NULL;
        setenv("TZ", CLOCK_ZONE, 1);
    } else {
        if (*saved)
            setenv("TZ", *saved, 1);
        else
            unsetenv("TZ");
        free(*saved);
        *saved = NULL;
    }
    tzset();
}

void clock_local(time_t t, struct tm *out)
{
    char *saved = NULL;

    with_zone(1, &saved);
    localtime_r(&t, out);
    with_zone(0, &saved);
}

time_t clock_from_local(int year, int mon, int mday, int hour, int min)
{
    char *saved = NULL;
    struct tm tm;
    time_t t;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year;
    tm.tm_mon = mon;
    tm.tm_mday = mday;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_isdst = -1;
    with_zone(1, &saved);
    t = mktime(&tm);
    with_zone(0, &saved);
    return t;
}
