/* returns - what a returned message means for the ledger. */
#include "returns.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clock.h"

#include "banned.h"

/* Suppress address unless it already is; counts new ones. */
static int suppress(struct ledger *l, const char *address, const char *reason, const char *source,
                    struct returns_stats *st, struct err *err)
{
    int rc = ledger_suppressed(l, address, NULL, 0, err);

    if (rc)
        return rc < 0 ? -1 : 0;
    if (ledger_suppress_add(l, address, reason, source, err))
        return -1;
    st->suppressed++;
    return 0;
}

static int one_bounce(struct ledger *l, const struct bounce_result *r, const struct bounce_rcpt *x,
                      const char *source, const struct returns_policy *p, struct returns_stats *st,
                      struct err *err)
{
    struct bounce_row row = {0};
    char addr[320];
    const char *who;
    int delayed = !strcmp(x->action, "delayed"), m;
    long n;

    m = ledger_delivery_match(l, r->original_message_id, x->address, &row.delivery_id, addr,
                              sizeof(addr), err);
    if (m < 0)
        return -1;
    who = m == 0 && *addr ? addr : x->address;
    row.kind = "bounce";
    row.address = who;
    row.status = x->status;
    row.action = *x->action ? x->action : "failed";
    row.klass = bounce_class_name(x->class);
    row.reason = bounce_reason_name(x->reason);
    row.diagnostic = x->diagnostic;
    row.message_id = r->original_message_id;
    row.source_uid = source;
    if (ledger_bounce_add(l, &row, err))
        return -1;
    if (delayed) {
        st->delayed++;
        return 0;
    }
    if (x->class == BOUNCE_HARD)
        st->hard++;
    else
        st->soft++;
    if (row.delivery_id) {
        int b = ledger_delivery_bounced(l, row.delivery_id, row.klass, err);
        if (b < 0)
            return -1;
        st->matched += b == 0;
    }
    if (x->class == BOUNCE_HARD)
        return suppress(l, who, "hard-bounce", source, st, err);
    if (ledger_soft_bounces(l, who, clock_now() - p->soft_window, &n, err))
        return -1;
    return n >= p->soft_limit ? suppress(l, who, "soft-bounce", source, st, err) : 0;
}

/* Complaint or unsubscribe: the address of the delivery the Message-ID (or
 * the address) points at, else the address given; and for an unsubscribe
 * the sender too. */
static int one_request(struct ledger *l, const struct bounce_result *r, const char *kind,
                       const char *source, struct returns_stats *st, struct err *err)
{
    struct bounce_row row = {0};
    const char *address = r->nrcpt ? r->rcpt[0].address : "";
    char addr[320];
    int m;

    m = ledger_delivery_match(l, r->original_message_id, address, &row.delivery_id, addr,
                              sizeof(addr), err);
    if (m < 0)
        return -1;
    if (m == 0 && *addr)
        address = addr;
    if (!*address)
        return 1;
    row.kind = kind;
    row.address = address;
    row.reason = r->type == BOUNCE_COMPLAINT ? bounce_reason_name(BOUNCE_R_FEEDBACK) : NULL;
    row.diagnostic = r->nrcpt ? r->rcpt[0].diagnostic : NULL;
    row.message_id = r->original_message_id;
    row.source_uid = source;
    if (ledger_bounce_add(l, &row, err) || suppress(l, address, kind, source, st, err))
        return -1;
    /* A «baja» answering our message from another address: both go. */
    if (!strcmp(kind, "unsubscribe") && r->nrcpt && *r->rcpt[0].address &&
        strcasecmp(r->rcpt[0].address, address))
        return suppress(l, r->rcpt[0].address, kind, source, st, err);
    return 0;
}

int returns_apply(struct ledger *l, const struct bounce_result *r, const char *source,
                  const struct returns_policy *policy, struct returns_stats *st, struct err *err)
{
    struct returns_policy p = {RETURNS_SOFT_LIMIT, RETURNS_SOFT_WINDOW};
    size_t i;
    int rc = 0;

    if (policy && policy->soft_limit > 0)
        p.soft_limit = policy->soft_limit;
    if (policy && policy->soft_window > 0)
        p.soft_window = policy->soft_window;
    st->seen++;
    switch (r->type) {
    case BOUNCE_BOUNCE:
        if (!r->nrcpt)
            break;
        st->bounces++;
        for (i = 0; i < r->nrcpt && !rc; i++)
            rc = one_bounce(l, r, &r->rcpt[i], source, &p, st, err);
        return rc;
    case BOUNCE_COMPLAINT:
        rc = one_request(l, r, "complaint", source, st, err);
        st->complaints += rc == 0;
        break;
    case BOUNCE_UNSUBSCRIBE:
        rc = one_request(l, r, "unsubscribe", source, st, err);
        st->unsubscribes += rc == 0;
        break;
    case BOUNCE_AUTOREPLY:
        st->autoreplies++;
        return 0;
    default:
        break;
    }
    if (rc == 0 && (r->type == BOUNCE_COMPLAINT || r->type == BOUNCE_UNSUBSCRIBE))
        return 0;
    if (rc < 0)
        return -1;
    st->review++;
    return 1;
}
