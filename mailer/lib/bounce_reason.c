/* bounce_reason - why a recipient failed, from its enhanced status and the
 * remote server's words, and the class that follows from the two.
 *
 * The rules are ours: phrases that MTAs and providers put in their replies
 * (RFC 3463 / RFC 5248 codes, Postfix, Exim, Sendmail, Exchange, Gmail,
 * Yahoo, ... wordings), matched on lower-cased, accent-folded text. */
#include "bounce.h"
#include "bounce_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *const names[] = {
    "undefined",    "user unknown",    "host unknown", "has moved",     "not accepted",
    "mailbox full", "message too big", "filtered",     "spam detected", "blocked",
    "policy",       "rejected sender", "rate limited", "expired",       "network error",
    "system error", "security error",  "suspended",    "vacation",      "delivered",
    "feedback",
};

const char *bounce_reason_name(enum bounce_reason r)
{
    return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : names[0];
}

struct rule {
    enum bounce_reason reason;
    const char *const *words;
};

/* Order matters: the first list with a phrase in the text wins, so the
 * narrow causes come before the broad ones ("blocked", "policy"). */
static const char *const w_too_big[] = {"message too large",
                                        "message too big",
                                        "message size exceeds",
                                        "size exceeds",
                                        "exceeds the maximum size",
                                        "exceeds maximum message size",
                                        "message length exceeds",
                                        "recipsizelimit",
                                        "message is too large",
                                        "mail too large",
                                        "line limit exceeded",
                                        "message size limit",
                                        "size limit",
                                        "too large for",
                                        NULL};
static const char *const w_full[] = {"mailbox full",
                                     "mailbox is full",
                                     "mailbox size limit",
                                     "over quota",
                                     "overquota",
                                     "quota exceeded",
                                     "exceeded storage",
                                     "quotaexceeded",
                                     "mailbox exceeded",
                                     "user is over",
                                     "over the quota",
                                     "over its quota",
                                     "storage quota",
                                     "out of storage",
                                     "not enough storage",
                                     "storage space",
                                     "mailbox has exceeded",
                                     "full mailbox",
                                     "is full",
                                     "disk quota",
                                     "buzon lleno",
                                     "boite pleine",
                                     "mailfolder is full",
                                     "too much mail",
                                     "quota",
                                     NULL};
static const char *const w_rate[] = {"too many connections",
                                     "rate limit",
                                     "ratelimit",
                                     "too many recipients",
                                     "receiving mail at a rate",
                                     "too many messages",
                                     "frequency limited",
                                     "throttl",
                                     "sending rate",
                                     "too many sessions",
                                     "rate that",
                                     "exceeded the rate",
                                     "too fast",
                                     "has sent to too many",
                                     "unexpected volume",
                                     "connection rate",
                                     NULL};
static const char *const w_moved[] = {"has moved",           "no longer on server",
                                      "not our customer",    "not our user",
                                      "address has changed", "moved to",
                                      "recipient has moved", NULL};
static const char *const w_not_accepted[] = {"null mx",
                                             "does not accept mail",
                                             "doesn't receive email",
                                             "does not receive email",
                                             "doesn't accept mail",
                                             "no smtp service",
                                             "not accept mail",
                                             "no mx record",
                                             "couldn't find a mail exchanger",
                                             "mail exchanger or ip address",
                                             NULL};
static const char *const w_suspended[] = {"account is disabled",
                                          "account has been disabled",
                                          "account disabled",
                                          "mailbox disabled",
                                          "mailbox is disabled",
                                          "is disabled",
                                          "disabled recipient",
                                          "is inactive",
                                          "inactive account",
                                          "account is inactive",
                                          "suspended",
                                          "is frozen",
                                          "temporary locked",
                                          "temporarily locked",
                                          "account is locked",
                                          "is blocked",
                                          "est bloque",
                                          "discontinued",
                                          "deactivated",
                                          "not active",
                                          NULL};
static const char *const w_host[] = {"host unknown",
                                     "unknown host",
                                     "host not found",
                                     "no such domain",
                                     "domain not found",
                                     "invalid domain",
                                     "unrouteable address",
                                     "unroutable address",
                                     "host or domain name not found",
                                     "domain does not exist",
                                     "domain name not found",
                                     "domain is not reachable",
                                     "couldn't find any host",
                                     "could not find any host",
                                     "nxdomain",
                                     "domain may not exist",
                                     "unknown domain",
                                     "no such host",
                                     "bad destination system",
                                     "domain does not exist",
                                     "dominio no existe",
                                     NULL};
static const char *const w_user[] = {"user unknown",
                                     "unknown user",
                                     "no such user",
                                     "no such recipient",
                                     "unknown recipient",
                                     "unknown or illegal",
                                     "recipient not found",
                                     "recipnotfound",
                                     "recipientnotfound",
                                     "address not found",
                                     "address unknown",
                                     "does not exist",
                                     "doesn't exist",
                                     "not exist",
                                     "no mailbox",
                                     "mailbox not found",
                                     "mailbox unavailable",
                                     "mailbox not available",
                                     "invalid recipient",
                                     "invalid mailbox",
                                     "invalid address",
                                     "bad destination mailbox",
                                     "user not found",
                                     "no such mailbox",
                                     "no such address",
                                     "unknown address",
                                     "is not a valid mailbox",
                                     "no account",
                                     "not a valid user",
                                     "doesn't have a",
                                     "does not have a",
                                     "not listed in",
                                     "recipient rejected",
                                     "user doesn't exist",
                                     "addressee unknown",
                                     "mailbox unknown",
                                     "unknown local",
                                     "no valid recipients",
                                     "no user",
                                     "not a known user",
                                     "not found in",
                                     "mailbox does not",
                                     "couldn't be found",
                                     "could not be found",
                                     "no existe",
                                     "usuario desconocido",
                                     "buzon no disponible",
                                     "inconnu",
                                     "n'existe pas",
                                     "unbekannt",
                                     "delivery userid",
                                     "invalid user",
                                     "\xe8\xa6\x8b\xe3\x81\xa4\xe3\x81\x8b\xe3\x82\x8a\xe3\x81\xbe"
                                     "\xe3\x81\x9b\xe3\x82\x93", /* 見つかりません */
                                     "\xe5\xad\x98\xe5\x9c\xa8\xe3\x81\x97\xe3\x81\xbe\xe3\x81\x9b"
                                     "\xe3\x82\x93", /* 存在しません */
                                     "not found",
                                     NULL};
static const char *const w_security[] = {"spf",
                                         "dkim",
                                         "dmarc",
                                         "authentication required",
                                         "authrequired",
                                         "smtp authentication",
                                         "unauthenticated",
                                         "not authenticated",
                                         "virus",
                                         "malware",
                                         "tls required",
                                         "starttls",
                                         "encryption required",
                                         "must use tls",
                                         "authentication failed",
                                         "auth failure",
                                         NULL};
static const char *const w_blocked[] = {"blocked using",
                                        "blacklist",
                                        "blocklist",
                                        "block list",
                                        "listed in",
                                        "listed at",
                                        "rbl",
                                        "dnsbl",
                                        "spamhaus",
                                        "spamcop",
                                        "reverse dns",
                                        "reverse lookup",
                                        "ptr record",
                                        "no ptr",
                                        "client host rejected",
                                        "reputation",
                                        "bad ip",
                                        "ip address",
                                        "your ip",
                                        "access denied",
                                        "connections not accepted",
                                        "not allowed to connect",
                                        "banned",
                                        "poor reputation",
                                        "blocked",
                                        "ip blocked",
                                        "service refuse",
                                        NULL};
static const char *const w_spam[] = {
    "spam", "ube", "junk", "unsolicited", "bulk mail", "content rejected", "message content", NULL};
static const char *const w_rejected[] = {"sender address rejected",
                                         "sender rejected",
                                         "domain of sender",
                                         "sender verify",
                                         "sender domain",
                                         "unroutable sender",
                                         "sender not allowed",
                                         "invalid sender",
                                         "sender is not",
                                         "from address",
                                         "from: domain",
                                         "responsible address",
                                         "sender unknown",
                                         "sending to/from",
                                         NULL};
static const char *const w_mail_from[] = {"after mail from",     "permission to post",
                                          "not allowed to post", "posting to this group",
                                          "post messages to",    NULL};
static const char *const w_policy[] = {"policy",
                                       "relay access denied",
                                       "relaying denied",
                                       "not permitted to relay",
                                       "configured to relay",
                                       "relay not permitted",
                                       "unable to relay",
                                       "header error",
                                       "protocol violation",
                                       "not compliant",
                                       "rfc 5322",
                                       "rfc5322",
                                       "rfc 2822",
                                       "not allowed",
                                       "duplicate header",
                                       "multiple addresses",
                                       "not accepted",
                                       "not verified",
                                       NULL};
static const char *const w_filtered[] = {"filtered",
                                         "filter",
                                         "refused due to recipient",
                                         "recipient preferences",
                                         "rejected by the recipient",
                                         NULL};
static const char *const w_expired[] = {"retry timeout",
                                        "retry time not reached",
                                        "message expired",
                                        "queue.expired",
                                        "too long in queue",
                                        "in the queue too long",
                                        "delivery time expired",
                                        "could not be delivered for",
                                        "cannot send message for",
                                        "expired",
                                        "giving up",
                                        "timed out",
                                        "time out",
                                        "multiple retries",
                                        "unable to deliver in",
                                        "failing for a long time",
                                        "delivery expired",
                                        "queue too long",
                                        NULL};
static const char *const w_network[] = {"connection refused",
                                        "no route to host",
                                        "network is unreachable",
                                        "lost connection",
                                        "connection reset",
                                        "routing loop",
                                        "mail loop",
                                        "too many hops",
                                        "hop count",
                                        "loops back",
                                        "name service error",
                                        "dns error",
                                        "dns query",
                                        "dns lookup",
                                        "connection dropped",
                                        "conversation",
                                        "could not connect",
                                        "unable to connect",
                                        "failed to connect",
                                        "smtp connection",
                                        "did not accept our requests to connect",
                                        NULL};
static const char *const w_system[] = {"system error",
                                       "internal error",
                                       "local error",
                                       "configuration error",
                                       "server error",
                                       "temporarily unavailable",
                                       "service unavailable",
                                       "currently unavailable",
                                       "insufficient",
                                       "disk space",
                                       "out of memory",
                                       "system problem",
                                       "try again later",
                                       "try later",
                                       "temporary failure",
                                       "transaction failed",
                                       "improper sequence",
                                       "not implemented",
                                       "syntax error",
                                       "ldap",
                                       "couldn't create",
                                       "mail system problem",
                                       NULL};

static const struct rule rules[] = {
    {BOUNCE_R_TOO_BIG, w_too_big},     {BOUNCE_R_RATE, w_rate},
    {BOUNCE_R_HAS_MOVED, w_moved},     {BOUNCE_R_NOT_ACCEPTED, w_not_accepted},
    {BOUNCE_R_SECURITY, w_security},   {BOUNCE_R_MAILBOX_FULL, w_full},
    {BOUNCE_R_SUSPENDED, w_suspended}, {BOUNCE_R_HOST_UNKNOWN, w_host},
    {BOUNCE_R_USER_UNKNOWN, w_user},   {BOUNCE_R_REJECTED, w_rejected},
    {BOUNCE_R_BLOCKED, w_blocked},     {BOUNCE_R_SPAM, w_spam},
    {BOUNCE_R_FILTERED, w_filtered},   {BOUNCE_R_REJECTED, w_mail_from},
    {BOUNCE_R_POLICY, w_policy},       {BOUNCE_R_EXPIRED, w_expired},
    {BOUNCE_R_NETWORK, w_network},     {BOUNCE_R_SYSTEM, w_system},
};

static int has(const char *f, const char *w)
{
    const char *p;
    size_t n = strlen(w);

    /* Short words (spf, ube, rbl) must stand alone. */
    if (n > 4)
        return strstr(f, w) != NULL;
    for (p = f; (p = strstr(p, w)); p++)
        if ((p == f || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]))
            return 1;
    return 0;
}

/* The reason the words alone give, NULL when none. */
enum bounce_reason bounce_reason_text(const char *folded)
{
    size_t i;
    const char *const *w;

    if (!folded || !*folded)
        return BOUNCE_R_UNDEFINED;
    for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        for (w = rules[i].words; *w; w++)
            if (has(folded, *w))
                return rules[i].reason;
    return BOUNCE_R_UNDEFINED;
}

/* The reason an enhanced status names by itself (RFC 3463), NULL when the
 * code is too broad to say (x.0.0, x.7.1, ...). */
static enum bounce_reason reason_status(const char *st, int specific_only)
{
    int subject = 0, detail = 0;

    if (!st || sscanf(st, "%*d.%d.%d", &subject, &detail) != 2)
        return BOUNCE_R_UNDEFINED;
    switch (subject * 1000 + detail) {
    case 1001:
    case 1003:
        return BOUNCE_R_USER_UNKNOWN;
    case 1002:
        return BOUNCE_R_HOST_UNKNOWN;
    case 1006:
        return BOUNCE_R_HAS_MOVED;
    case 1010:
        return BOUNCE_R_NOT_ACCEPTED;
    case 1007:
    case 1008:
        return BOUNCE_R_REJECTED;
    case 2002:
        return BOUNCE_R_MAILBOX_FULL;
    case 2003:
    case 3004:
        return BOUNCE_R_TOO_BIG;
    case 4007:
        return BOUNCE_R_EXPIRED;
    case 4006:
        return BOUNCE_R_NETWORK;
    case 7026:
    case 7025:
    case 7023:
    case 7024:
    case 7007:
    case 7005:
        return BOUNCE_R_SECURITY;
    default:
        break;
    }
    if (specific_only)
        return BOUNCE_R_UNDEFINED;
    switch (subject) {
    case 1:
        return detail == 0 ? BOUNCE_R_UNDEFINED : BOUNCE_R_USER_UNKNOWN;
    case 2:
        return detail == 1 ? BOUNCE_R_SUSPENDED : BOUNCE_R_MAILBOX_FULL;
    case 3:
        return BOUNCE_R_SYSTEM;
    case 4:
        return BOUNCE_R_NETWORK;
    case 5:
        return BOUNCE_R_SYSTEM;
    case 6:
        return BOUNCE_R_POLICY;
    case 7:
        return detail == 1 ? BOUNCE_R_POLICY : BOUNCE_R_SECURITY;
    default:
        return BOUNCE_R_UNDEFINED;
    }
}

enum bounce_reason bounce_reason_of(const char *status, const char *diagnostic)
{
    char *f = bounce_fold_dup(diagnostic ? diagnostic : "");
    enum bounce_reason r = reason_status(status, 1), t = bounce_reason_text(f);

    free(f);
    /* A precise code wins over words, except where the words are narrower
     * (a 5.1.1 that says "mailbox full" or "disabled"). */
    if (r == BOUNCE_R_USER_UNKNOWN && (t == BOUNCE_R_MAILBOX_FULL || t == BOUNCE_R_SUSPENDED ||
                                       t == BOUNCE_R_RATE || t == BOUNCE_R_HAS_MOVED))
        return t;
    if (r != BOUNCE_R_UNDEFINED)
        return r;
    if (t != BOUNCE_R_UNDEFINED)
        return t;
    return reason_status(status, 0);
}

int bounce_reason_is_address(enum bounce_reason reason)
{
    return reason == BOUNCE_R_USER_UNKNOWN || reason == BOUNCE_R_HOST_UNKNOWN ||
           reason == BOUNCE_R_HAS_MOVED || reason == BOUNCE_R_NOT_ACCEPTED;
}

enum bounce_class bounce_class_from(enum bounce_reason reason, const char *status)
{
    if (reason == BOUNCE_R_DELIVERED || reason == BOUNCE_R_VACATION || reason == BOUNCE_R_FEEDBACK)
        return BOUNCE_CLASS_NONE;
    if (status && status[0] == '5' && bounce_reason_is_address(reason))
        return BOUNCE_HARD;
    return BOUNCE_SOFT;
}
