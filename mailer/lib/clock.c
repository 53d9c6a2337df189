/* clock - the time the mailer believes it is, and how it writes times. */
#include "clock.h"

#include <pthread.h>
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

/* The process's zone is Mexico City's, set once: everything the mailer
 * shows is in that zone, and setting TZ for each conversion (as this did)
 * raced with the transport's threads reading the environment (libcurl asks
 * it for proxies). Without the zone data (no tzdata) glibc would silently
 * take UTC; then CST6, the zone's rule since its last summer time ended in
 * October 2022, is the best there is. */
static pthread_once_t zone_once = PTHREAD_ONCE_INIT;

static void zone_init(void)
{
    time_t july_2023 = 1688212800; /* 2023-07-01T12:00:00Z: 06:00 in Mexico City */
    struct tm tm;

    setenv("TZ", CLOCK_ZONE, 1);
    tzset();
    localtime_r(&july_2023, &tm);
    if (tm.tm_gmtoff != -6 * 3600) {
        setenv("TZ", "CST6", 1);
        tzset();
    }
}

void clock_local(time_t t, struct tm *out)
{
    pthread_once(&zone_once, zone_init);
    localtime_r(&t, out);
}

int clock_utc_offset(time_t t)
{
    struct tm tm;

    clock_local(t, &tm);
    return (int)(tm.tm_gmtoff / 60);
}

time_t clock_from_local(int year, int mon, int mday, int hour, int min)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year;
    tm.tm_mon = mon;
    tm.tm_mday = mday;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_isdst = -1;
    pthread_once(&zone_once, zone_init);
    return mktime(&tm);
}
