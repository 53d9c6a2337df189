/* throttle - keep to the provider's limits: a steady rate and a daily cap. */
#include "throttle.h"

#include <string.h>

#include "clock.h"

#include "banned.h"

int throttle_init(struct throttle *t, const struct config *cfg, struct ledger *l, struct err *err)
{
    const char *preset = config_get(cfg, CFG_SMTP_PRESET);
    const char *rate = config_get(cfg, CFG_SMTP_RATE);
    long count = 0, seconds = 0;

    memset(t, 0, sizeof(*t));
    t->now = clock_mono;
    t->daily_limit = config_get_long(cfg, CFG_SMTP_DAILY_LIMIT);
    if (!strcmp(preset, "m365")) {
        /* Microsoft 365: 30 messages a minute, 10,000 recipients a day. */
        count = 30, seconds = 60;
        if (!t->daily_limit)
            t->daily_limit = 10000;
    } else if (!strcmp(preset, "gmail")) {
        /* Google Workspace: 2,000 a day; no published rate, be gentle. */
        count = 60, seconds = 60;
        if (!t->daily_limit)
            t->daily_limit = 2000;
    }
    if (*rate && config_parse_rate(rate, &count, &seconds))
        return err_set(err, ERR_CONFIG, "SMTP_RATE: \"%s\" is not a rate", rate);
    if (count > 0)
        t->interval = (double)seconds / (double)count;
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
