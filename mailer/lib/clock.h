/* clock - the time the mailer believes it is, and how it writes times.
 *
 * The clock is the real one unless it was fixed (clock_fix): the command
 * line fixes it from MAILER_NOW for tests of the scheduler and of the
 * ledger's timestamps, unit tests fix it themselves; the library never
 * reads the environment for it. Times are stored in UTC and shown in
 * America/Mexico_City.
 */
#ifndef MAILER_CLOCK_H
#define MAILER_CLOCK_H

#include <stddef.h>
#include <time.h>

#define CLOCK_ZONE "America/Mexico_City"

/* Now: the fixed time when there is one, else the real time. */
time_t clock_now(void);
/* Fix the clock at *at (NULL: the real clock again). Call before any
 * thread that reads the clock starts. */
void clock_fix(const time_t *at);
/* Now in seconds with sub-second precision (the real clock, monotonic). */
double clock_mono(void);
/* "2026-11-22T14:05:00Z" into out (at least 21 bytes). */
void clock_iso(time_t t, char *out, size_t size);
/* Parse the form clock_iso writes, or "YYYY-MM-DD HH:MM[:SS]" in UTC; -1 on error. */
int clock_parse_iso(const char *s, time_t *out);
/* Local civil time in America/Mexico_City, by the zone's real rules for
 * that date (summer time until October 2022: -0500 then, -0600 otherwise).
 * The process's TZ is set to the zone once, at the first call. */
void clock_local(time_t t, struct tm *out);
/* Minutes east of UTC in Mexico City at t: -300 or -360. */
int clock_utc_offset(time_t t);
/* The UTC instant of a civil time in America/Mexico_City (fields as in
 * struct tm: year-1900, mon 0-11). */
time_t clock_from_local(int year, int mon, int mday, int hour, int min);

#endif
