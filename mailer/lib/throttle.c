/* throttle - keep to the provider's limits: a steady rate and a daily cap. */
#include "throttle.h"

#include <string.h>

#include "clock.h"

#include "banned.h"

int throttle_init(struct throttle *t, const struct sender *s, struct ledger *l, struct err *err)
{
    time_t last = 0;
    double wait;

    memset(t, 0, sizeof(*t));
    t->now = clock_mono;
    t->sender = s->name;
    t->daily_limit = s->daily_limit;
    if (s->rate_count > 0)
        t->interval = (double)s->rate_seconds / (double)s->rate_count;
    if (t->daily_limit && ledger_sent_since(l, s->name, clock_now() - 86400, &t->sent_24h, err))
        return -1;
    t->next = t->now();
    /* the ledger knows the second: a rate of less than a second between
     * messages is not carried over (one message early is nothing to it) */
    if (t->interval >= 1 && ledger_nth_latest_sent(l, s->name, 1, &last, err))
        return -1;
    /* wait from the end of the second it was accepted in */
    wait = last ? (double)(last + 1 - clock_now()) + t->interval : 0;
    if (wait > t->interval + 1)
        wait = t->interval + 1; /* a clock set back (tests) never waits longer */
    if (wait > 0)
        t->next += wait;
    return 0;
}

double throttle_delay(const struct throttle *t)
{
    double d = t->next - t->now();

    return d > 0 ? d : 0;
}

void throttle_take(struct throttle *t)
{
    double now = t->now();

    /* Steady: never let an idle stretch turn into a burst. */
    t->next = (t->next > now ? t->next : now) + t->interval;
    t->sent_24h++;
}

int throttle_daily_reached(const struct throttle *t)
{
    return t->daily_limit && t->sent_24h >= t->daily_limit;
}

time_t throttle_daily_resume(const struct throttle *t, struct ledger *l, struct err *err)
{
    time_t oldest = 0;

    if (ledger_nth_latest_sent(l, t->sender, t->daily_limit, &oldest, err))
        return 0;
    return oldest ? oldest + 86400 : clock_now();
}
