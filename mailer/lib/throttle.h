/* throttle - keep to the provider's limits: a steady rate and a daily cap.
 *
 * The limits belong to the mailbox: they are the sender's (sender.h), and
 * counted over the mailings that leave from that sender (the ledger's
 * mailings.sender), so that two campaigns of one sender share its minute
 * and its day and a sender at its limit holds no other back. The rate is
 * spread evenly (30/min is one message every 2 s, never 30 at the top of
 * the minute), and a run goes on from the sender's last accepted message
 * (the ledger's, to the second: the first message waits until one interval
 * after the end of that second; only for an interval of a second or more),
 * so the next campaign of a `mailer due` does not start with a burst. The daily cap is a rolling 24 hours counted
 * from the ledger, so separate cron runs share one budget. What the ledger
 * says when a run starts holds for the whole run: one process at a time
 * sends from a sender (its lock, send.h).
 */
#ifndef MAILER_THROTTLE_H
#define MAILER_THROTTLE_H

#include <time.h>

#include "err.h"
#include "ledger.h"
#include "sender.h"

struct throttle {
    const char *sender;  /* the sender's name (borrowed: the sender outlives the throttle) */
    double interval;     /* seconds between messages, 0: no rate limit */
    double next;         /* monotonic time the next message may go */
    long daily_limit;    /* 0: none */
    long sent_24h;       /* accepted in the last 24 h, including this run */
    double (*now)(void); /* monotonic clock (tests may replace it) */
};

/* Set up from the sender's rate and daily limit (a preset resolved there);
 * counts the sender's last 24 h from the ledger, and when its last message
 * was accepted. */
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
