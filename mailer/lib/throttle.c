/* throttle - keep to the provider's limits: a steady rate and a daily cap. */
#include "throttle.h"

#include <string.h>

#include "clock.h"

#include "banned.h"

int throttle_init(struct throttle *t, const struct sender *s, struct ledger *l, struct err *err)
{
    memset(t, 0, sizeof(*t));
    t->now = clock_mono;
    t->daily_limit = s->daily_limit;
    if (s->rate_count > 0)
        t->interval = (double)s->rate_seconds / (double)s->rate_count;
    if (t->daily_limit && ledger_sent_since(l, clock_now() - 86400, &t->sent_24h, err))
        return -1;
    t->next = t->now();
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

    if (ledger_nth_latest_sent(l, t->daily_limit, &oldest, err))
        return 0;
    return oldest ? oldest + 86400 : clock_now();
}
