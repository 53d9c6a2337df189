/* returns - what a returned message means for the ledger.
 *
 * A bounce is matched to its delivery (by the Message-ID we sent, else the
 * most recent accepted delivery to the recipient), which becomes `bounced`
 * with the class, and a row goes into `bounces`. The address suppressed is
 * the delivery's own (the one in our lists) when matched, else the one the
 * notice names:
 *   hard bounce                       -> suppressed at once, "hard-bounce"
 *   soft bounce (action failed)       -> suppressed at the policy's count of
 *                                        soft bounces in its window, "soft-bounce"
 *   delayed (a warning, not a result) -> recorded only
 *   complaint (ARF)                   -> suppressed, "complaint"
 *   unsubscribe request               -> the sender suppressed, "unsubscribe",
 *                                        and the delivery it answers (In-Reply-To)
 *   auto-reply                        -> nothing
 * An address already suppressed keeps its first reason. The caller holds
 * the transaction (so effects and the mailbox position commit together).
 */
#ifndef MAILER_RETURNS_H
#define MAILER_RETURNS_H

#include <time.h>

#include "bounce.h"
#include "err.h"
#include "ledger.h"

/* Soft bounces that suppress an address, and in what window (no setting yet). */
#define RETURNS_SOFT_LIMIT 3
#define RETURNS_SOFT_WINDOW (30L * 24 * 3600)

struct returns_stats {
    long seen;                                  /* messages looked at */
    long bounces, hard, soft, delayed;          /* notices; their recipients by class */
    long complaints, unsubscribes, autoreplies; /* the other understood kinds */
    long review;                                /* for a person */
    long matched;                               /* deliveries marked bounced */
    long suppressed;                            /* addresses newly suppressed */
};

struct returns_policy {
    long soft_limit;  /* 0: RETURNS_SOFT_LIMIT */
    long soft_window; /* seconds; 0: RETURNS_SOFT_WINDOW */
};

/* Apply one classified message. source names it in the ledger
 * ("INBOX;UIDVALIDITY=7;UID=42"). Returns 0 when understood (file it as
 * processed), 1 when a person should read it, -1 on a ledger error. */
int returns_apply(struct ledger *l, const struct bounce_result *r, const char *source,
                  const struct returns_policy *policy, struct returns_stats *st, struct err *err);

#endif
