/* schedule - when a campaign's editions are due.
 *
 * A campaign says when its editions go, in America/Mexico_City time:
 * `schedule = monday 08:00` (weekly; Spanish day names too), `schedule =
 * day 1 09:00` (monthly; a day past the month's end means its last day), or
 * `send_at = 2026-12-01 09:00` (once). The edition due at a time is the one
 * whose latest slot is at or before it: a missed slot (cron was down) is
 * caught up once, older ones are not sent late.
 */
#ifndef MAILER_SCHEDULE_H
#define MAILER_SCHEDULE_H

#include <time.h>

#include "edition.h"
#include "err.h"

enum schedule_kind { SCHEDULE_NONE, SCHEDULE_WEEKLY, SCHEDULE_MONTHLY, SCHEDULE_ONCE };

struct schedule_rule {
    enum schedule_kind kind;
    int wday;      /* weekly: 0 = Sunday ... 6 = Saturday */
    int mday;      /* monthly: 1-31 */
    int hour, min; /* weekly, monthly */
    time_t at;     /* once */
};

/* Parse the campaign's schedule / send_at (strings, "" when absent) for its
 * cadence; a problem is described in why (static text). */
int schedule_parse(const char *cadence, const char *schedule, const char *send_at,
                   struct schedule_rule *r, const char **why);
/* The latest slot at or before now (0 when none yet), and its edition
 * (named by the cadence; once_label labels a "main" edition). */
time_t schedule_latest(const struct schedule_rule *r, const char *cadence, const char *once_label,
                       time_t now, struct edition *e);
/* The first slot after now (0 when none), and its edition. */
time_t schedule_next(const struct schedule_rule *r, const char *cadence, const char *once_label,
                     time_t now, struct edition *e);

#endif
