/* throttle - keep to the provider's limits: a steady rate and a daily cap.
 *
 * The rate is spread evenly (30/min is one message every 2 s, never 30 at
 * the top of the minute). The daily cap is a rolling 24 hours counted from
 * the ledger, so separate cron runs share one budget.
 */
#ifndef MAILER_THROTTLE_H
#define MAILER_THROTTLE_H

#include <time.h>

#include "err.h"
#include "ledger.h"
#include "sender.h"

struct throttle {
    double interval;     /* seconds between messages, 0: no rate limit */
    double next;         /* monotonic time the next message may go */
    long daily_limit;    /* 0: none */
    long sent_24h;       /* accepted in the last 24 h, including this run */
    double (*now)(void); /* monotonic clock (tests may replace it) */
};

/* Set up from the sender's rate and daily limit (a preset resolved there);
 * counts the last 24 h from the ledger. */
int throttle_init(struct throttle *t, const struct sender *s, struct ledger *l, struct err *err);
/* Seconds to wait before the next message may go (0: now). */
double throttle_delay(const struct throttle *t);
/* Record that a message is going now. */
void throttle_take(struct throttle *t);
/* 1 when the daily budget is spent. */
int throttle_daily_reached(const struct throttle *t);
/* When the next message may go under the daily cap. */
time_t throttle_daily_resume(const struct throttle *t, struct ledger *l, struct err *err);

#endif
