/* fixed_clock - fix the library's clock (clock_fix) at an ISO-8601 UTC time,
 * as MAILER_NOW does for the command line; NULL: the real clock again.
 * Include after cmocka.h. */
#ifndef MAILER_TEST_FIXED_CLOCK_H
#define MAILER_TEST_FIXED_CLOCK_H

#include <time.h>

#include "clock.h"

static inline void fixed_clock(const char *iso)
{
    time_t t;

    if (!iso) {
        clock_fix(NULL);
        return;
    }
    if (clock_parse_iso(iso, &t))
        fail_msg("fixed_clock: \"%s\" is not an ISO time", iso);
    clock_fix(&t);
}

#endif
