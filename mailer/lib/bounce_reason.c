/* bounce_reason - why a recipient failed, from its enhanced status, the
 * remote server's words, the SMTP command that was refused and the
 * notice's own words, and the class that follows (docs/07-rebotes.md).
 *
 * The rules are ours, written from RFC 3463 / RFC 5248 and from the
 * replies that MTAs and providers document (Postfix, Exim, Sendmail,
 * Exchange, Gmail, Yahoo...), matched on lower-cased, accent-folded text.
 * In order:
 *  1. a 2.x.x status, or a delivered action: delivered;
 *  2. a precise status code (x.1.1, x.2.2, x.4.7, x.7.25...) unless the
 *     words name a narrower cause ("550 5.1.1 mailbox full");
 *  3. the words (first matching list below), a cause before its
 *     consequence ("expired" only when no cause is given);
 *  4. the notice's own words, the status's subject (x.2.x mailbox,
 *     x.4.x network...), the refused command (greeting: blocked; MAIL FROM:
 *     rejected sender);
 *  5. "user unknown" is the address only when the recipient itself was
 *     refused: words of that kind after DATA, with a mailbox status (x.2.0,
 *     x.2.1) without RCPT, or as "550 : User unknown" (no address: the
 *     Japanese carriers' refusal by the recipient's settings) are
 *     "filtered"; after MAIL FROM they are about our sender ("rejected
 *     sender"); a host unknown with a 4.x.x status is a DNS failure
 *     ("network error"). */
#include "bounce.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounce_int.h"

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
static const char *const w_too_big[] = {"max message size",
                                        "message size exceeded",
                                        "class=size",
                                        "exceeds size limit",
                                        "message too large",
                                        "message too big",
                                        "message size exceeds",
                                        "size exceeds",
                                        "exceeds the maximum size",
                                        "exceeds maximum message size",
                                        "exceeds size limit",
                                        "exceeded max message size",
                                        "maximum message size",
                                        "message length exceeds",
                                        "recipsizelimit",
                                        "message is too large",
                                        "mail too large",
                                        "email is too large",
                                        "line limit exceeded",
                                        "message size limit",
                                        "too large for",
                                        "message file too big",
                                        "size of message exceeds",
                                        "larger than the current system limit",
                                        "message exceeds",
                                        NULL};
static const char *const w_full[] = {
    "\xe9\x82\xae\xe7\xae\xb1\xe5\xb7\xb2\xe6\xbb\xa1",
    "\xe7\xa9\xba\xe9\x97\xb4\xe4\xb8\x8d\xe8\xb6\xb3",
    "\xe5\xae\xb9\xe9\x87\x8f\xe8\xb6\x85\xe9\x81\x8e",
    "\xe5\xae\xb9\xe9\x87\x8f\xe3\x82\xaa\xe3\x83\xbc\xe3\x83\x90\xe3\x83\xbc",
    "too many messages on the server",
    "zuviele mails",
    "mailbox size limit exceeded",
    "mailbox exceeds",
    "mailbox full",
    "mailbox is full",
    "mailbox size limit",
    "over quota",
    "overquota",
    "quota exceeded",
    "exceeded quota",
    "exceeds quota",
    "exceed quota",
    "quota full",
    "quota limit",
    "exceeded storage",
    "quotaexceeded",
    "mailbox exceeded",
    "user is over",
    "is over quota",
    "over the quota",
    "over its quota",
    "has exceeded its",
    "storage quota",
    "out of storage",
    "not enough storage",
    "storage space",
    "mailbox has exceeded",
    "full mailbox",
    "mailbox is over",
    "inbox is full",
    "account is full",
    "disk quota",
    "buzon lleno",
    "boite pleine",
    "boite aux lettres pleine",
    "mailfolder is full",
    "too much mail",
    "would exceed mailbox",
    "insufficient space",
    "mailbox quota",
    "\xe3\x83\x9c\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9\xe3\x81\x8c"
    "\xe4\xb8\x80\xe6\x9d\xaf", /* (メール)ボックスが一杯 */
    NULL};
static const char *const w_rate[] = {"too many recipients",
                                     "too many connections",
                                     "rate limit",
                                     "ratelimit",
                                     "rate-limit",
                                     "receiving mail at a rate",
                                     "too many messages",
                                     "frequency limited",
                                     "throttl",
                                     "sending rate",
                                     "too many sessions",
                                     "too many concurrent",
                                     "exceeded the rate",
                                     "connection rate",
                                     "too fast",
                                     "has sent to too many",
                                     "try to reduce the number",
                                     "too many smtp",
                                     NULL};
static const char *const w_moved[] = {"has moved",
                                      "address has changed",
                                      "recipient has moved",
                                      "mailbox has moved",
                                      "moved to",
                                      "not our customer",
                                      NULL};
static const char *const w_not_accepted[] = {"null mx",
                                             "does not accept mail",
                                             "doesn't accept mail",
                                             "does not accept e-mail",
                                             "doesn't receive email",
                                             "does not receive email",
                                             "no smtp service",
                                             "not accept mail",
                                             "accepts no mail",
                                             "not accepting network messages",
                                             "no mx record",
                                             "couldn't find a mail exchanger",
                                             "mail exchanger or ip address",
                                             NULL};
/* Header and format errors: before "dkim" and "blocked", whose words they
 * may contain ("Duplicate header 'DKIM-Signature'", "...has been blocked"). */
static const char *const w_virus[] = {"^virus", "^malware", "^infected", NULL};
static const char *const w_format[] = {"relay access denied",
                                       "relaying denied",
                                       "relay denied",
                                       "not permitted to relay",
                                       "relay not permitted",
                                       "unable to relay",
                                       "we do not relay",
                                       "duplicate header",
                                       "rfc 5322",
                                       "rfc5322",
                                       "rfc 2822",
                                       "rfc2822",
                                       "not rfc compliant",
                                       "header error",
                                       "header syntax",
                                       "malformed header",
                                       "multiple subject",
                                       "message content rejected",
                                       "content rejected",
                                       NULL};
static const char *const w_suspended[] = {"currently suspended",
                                          "suspended mailbox",
                                          "[suspend]",
                                          "por falta de uso",
                                          "account suspended",
                                          "has been suspended",
                                          "is suspended",
                                          "mailbox suspended",
                                          "suspended account",
                                          "user suspended",
                                          "suspended for",
                                          "account is disabled",
                                          "account has been disabled",
                                          "account disabled",
                                          "mailbox disabled",
                                          "mailbox is disabled",
                                          "is disabled",
                                          "disabled recipient",
                                          "been disabled",
                                          "is inactive",
                                          "inactive account",
                                          "account is inactive",
                                          "is frozen",
                                          "temporary locked",
                                          "temporarily locked",
                                          "account is locked",
                                          "est bloque",
                                          "discontinued",
                                          "deactivated",
                                          "not active",
                                          "account expired",
                                          "has expired account",
                                          NULL};
/* The resolver's "try again": a DNS failure that may pass, not a domain
 * that does not exist (before w_host, whose "host not found" it says). */
static const char *const w_dns_again[] = {"not found, try again", NULL};
static const char *const w_host[] = {"host unknown",
                                     "unknown host",
                                     "host not found",
                                     "no such domain",
                                     "domain not found",
                                     "invalid domain",
                                     "unrouteable address",
                                     "unroutable address",
                                     "unrouteable mail domain",
                                     "unroutable mail domain",
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
                                     "dominio no existe",
                                     "host name lookup failure",
                                     "name or service not known",
                                     NULL};
static const char *const w_user[] = {
    "\xe3\x83\xaa\xe3\x82\xb9\xe3\x83\x88\xe3\x81\xab\xe3\x81\x82\xe3\x82\x8a\xe3\x81\xbe\xe3\x81"
    "\x9b\xe3\x82\x93",
    "\xe7\x94\xa8\xe6\x88\xb7\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8",
    "\xe6\x94\xb6\xe4\xbb\xb6\xe4\xba\xba\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8",
    "\xe9\x82\xae\xe7\xae\xb1\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8",
    "\xe5\x9c\xb0\xe5\x9d\x80\xe4\xb8\x8d\xe5\xad\x98\xe5\x9c\xa8",
    "no mail box",
    "bad_recipient",
    "unknown e-mail address",
    "unknown email address",
    "is not an active address",
    "user unknown",
    "unknown user",
    "no such user",
    "no such recipient",
    "unknown recipient",
    "recipient unknown",
    "unknown or illegal",
    "illegal alias",
    "recipient not found",
    "recipnotfound",
    "recipientnotfound",
    "address not found",
    "address unknown",
    "does not exist",
    "doesn't exist",
    "doesnt exist",
    "not exist",
    "no mailbox",
    "mailbox not found",
    "mailbox unavailable",
    "mailbox not available",
    "mailbox is not available",
    "invalid recipient",
    "invalid mailbox",
    "invalid address",
    "invalid user",
    "bad destination mailbox",
    "bad recipient",
    "user not found",
    "no such mailbox",
    "no such address",
    "no such account",
    "no such person",
    "unknown address",
    "unknown mailbox",
    "is not a valid mailbox",
    "not a valid recipient",
    "no account",
    "user doesn't have a",
    "user does not have a",
    "doesn't have an account",
    "does not have an account",
    "recipient name is not recognized",
    "check if address is correct",
    "not a valid user",
    "not listed in",
    "addressee unknown",
    "mailbox unknown",
    "unknown local",
    "no valid recipients",
    "no user",
    "not a known user",
    "user not known",
    "not found in",
    "mailbox does not",
    "couldn't be found",
    "could not be found",
    "recipient address rejected: access denied",
    "no existe",
    "usuario desconocido",
    "destinatario desconocido",
    "nonexistent",
    "non-existent",
    "no longer valid",
    "buzon no disponible",
    "inconnu",
    "n'existe pas",
    "unbekannt",
    "delivery userid",
    "\xe8\xa6\x8b\xe3\x81\xa4\xe3\x81\x8b\xe3\x82\x8a\xe3\x81\xbe"
    "\xe3\x81\x9b\xe3\x82\x93", /* 見つかりません */
    "\xe5\xad\x98\xe5\x9c\xa8\xe3\x81\x97\xe3\x81\xbe\xe3\x81\x9b"
    "\xe3\x82\x93", /* 存在しません */
    "not found",
    NULL};
static const char *const w_filtered[] = {"restricted sms",
                                         "refused due to recipient",
                                         "recipient preferences",
                                         "rejected by the recipient",
                                         "user refuses",
                                         "user reject",
                                         "refuses to receive",
                                         "blocked by the recipient",
                                         "blocked by recipient",
                                         "recipient has blocked",
                                         "not accepting any mail",
                                         "content filter",
                                         "filtered",
                                         NULL};
/* The client IP's name or listing: before "sender domain" and the like. */
static const char *const w_blocked_ip[] = {"reverse dns", "rdns",    "ptr record",
                                           "no ptr",      "dnsbl",   "blocked using",
                                           "spamhaus",    "spamcop", NULL};
static const char *const w_rejected[] = {
    "groups.google.com",
    /* a group refused the sender, in any language */
    "\xe6\x8a\x95\xe7\xa8\xbf\xe3\x81\x99\xe3\x82\x8b\xe6\xa8\xa9\xe9\x99\x90",
    "sender address rejected", "sender rejected", "domain of sender", "sender verify",
    "sender domain", "unroutable sender", "sender not allowed", "invalid sender", "sender is not",
    "from address", "from: domain", "sender unknown", "sending to/from", "permission to post",
    "not allowed to post", "posting to this group", "post messages to", "are not member",
    "not a member", "sender denied", NULL};
static const char *const w_security[] = {"spf",
                                         "dkim",
                                         "dmarc",
                                         "authentication required",
                                         "authrequired",
                                         "smtp authentication",
                                         "unauthenticated",
                                         "not authenticated",
                                         "authentication information",
                                         "authentication checks",
                                         "delivery not authorized",
                                         "tls required",
                                         "encryption required",
                                         "must use tls",
                                         "authentication failed",
                                         "auth failure",
                                         NULL};
static const char *const w_blocked[] = {"server requires confirmation",
                                        "not allowed to send",
                                        "whitelist",
                                        "user complaints",
                                        "blocked using",
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
                                        "rdns",
                                        "reverse lookup",
                                        "ptr record",
                                        "no ptr",
                                        "ip name lookup",
                                        "client host rejected",
                                        "reputation",
                                        "bad ip",
                                        "your ip",
                                        "ip address",
                                        "invalid ip",
                                        "mismatches client ip",
                                        "dynamic ip",
                                        "dial-up",
                                        "dialup",
                                        "residential",
                                        "access denied",
                                        "connections not accepted",
                                        "not accepting connections",
                                        "not allowed to connect",
                                        "smtp server of your isp",
                                        "open relay",
                                        "relay quota",
                                        "banned",
                                        "blocked",
                                        "(bl)",
                                        "refused to talk",
                                        NULL};
/* Spam said as such; the bare word comes late (w_spam_word): "to protect
 * our users from spam, the message has been blocked" is about the IP. */
static const char *const w_spam[] = {"spamassassin",
                                     "spambouncer",
                                     "spamreject",
                                     "ube",
                                     "junk",
                                     "unsolicited",
                                     "bulk mail",
                                     "bulk email",
                                     "classification as bulk",
                                     "blacklisted url",
                                     "mail rejete",
                                     "ofr_506",
                                     "spam detected",
                                     "detected as spam",
                                     "identified as spam",
                                     "classified as spam",
                                     "rejected as spam",
                                     "spam classification",
                                     "appears to be spam",
                                     "looks like spam",
                                     "probably spam",
                                     "similar to spam",
                                     "this email is spam",
                                     "spam content",
                                     "spam score",
                                     "spam points",
                                     "spam rejection",
                                     "spam-like",
                                     "spam email",
                                     "spam block",
                                     "spam pattern",
                                     "spam message",
                                     NULL};
static const char *const w_spam_word[] = {"spam", "spamming", NULL};
static const char *const w_policy[] = {"policy",
                                       "configured to relay",
                                       "insecure mail relay",
                                       "protocol violation",
                                       "not compliant",
                                       "not allowed",
                                       "multiple addresses",
                                       "not accepted",
                                       "not verified",
                                       NULL};
static const char *const w_expired[] = {"socket error",
                                        "connection timed out",
                                        "timed out",
                                        "did not accept our requests to connect",
                                        "host not reachable",
                                        "retry timeout",
                                        "retry time not reached",
                                        "message expired",
                                        "queue.expired",
                                        "too long in queue",
                                        "in the queue too long",
                                        "delivery time expired",
                                        "could not be delivered for",
                                        "cannot send message for",
                                        "envelope expired",
                                        "expired",
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
                                        "dns failure",
                                        "connection dropped",
                                        "could not connect",
                                        "unable to connect",
                                        "failed to connect",
                                        "establish an smtp connection",
                                        "smtp connection",
                                        "unreachable",
                                        "malformed or unexpected name server reply",
                                        "unable to route",
                                        NULL};
static const char *const w_system[] = {"transaction failed",
                                       "malformed address",
                                       "pipe to |",
                                       "system error",
                                       "internal error",
                                       "local error",
                                       "configuration error",
                                       "config error",
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
                                       "improper sequence",
                                       "not implemented",
                                       "syntax error",
                                       "ldap",
                                       "couldn't create",
                                       "mail system problem",
                                       "protocol error",
                                       "does not support tls",
                                       "need rcpt",
                                       "i/o error",
                                       NULL};

/* The recipient refused with no cause given ("550 <a@b>: Recipient address
 * rejected."): the address, when neither the words nor the status's
 * subject name another cause (step 4). */
static const char *const w_rcpt_refused[] = {"recipient address rejected", "recipient rejected",
                                             NULL};

static const struct rule rules[] = {
    {BOUNCE_R_TOO_BIG, w_too_big},
    {BOUNCE_R_MAILBOX_FULL, w_full},
    {BOUNCE_R_RATE, w_rate},
    {BOUNCE_R_HAS_MOVED, w_moved},
    {BOUNCE_R_NOT_ACCEPTED, w_not_accepted},
    {BOUNCE_R_SECURITY, w_virus},
    {BOUNCE_R_SPAM, w_spam},
    {BOUNCE_R_POLICY, w_format},
    {BOUNCE_R_SUSPENDED, w_suspended},
    {BOUNCE_R_FILTERED, w_filtered},
    {BOUNCE_R_BLOCKED, w_blocked_ip},
    {BOUNCE_R_REJECTED, w_rejected},
    {BOUNCE_R_NETWORK, w_dns_again},
    {BOUNCE_R_HOST_UNKNOWN, w_host},
    {BOUNCE_R_USER_UNKNOWN, w_user},
    {BOUNCE_R_SECURITY, w_security},
    {BOUNCE_R_BLOCKED, w_blocked},
    {BOUNCE_R_SPAM, w_spam_word},
    {BOUNCE_R_POLICY, w_policy},
    {BOUNCE_R_EXPIRED, w_expired},
    {BOUNCE_R_NETWORK, w_network},
    {BOUNCE_R_SYSTEM, w_system},
};

static int has(const char *f, const char *w)
{
    const char *p;
    size_t n;

    /* Short words (spf, rbl, junk, spam), and those marked '^' ("virus",
     * not "antivirus"), must stand alone. */
    if (*w == '^')
        w++;
    else if ((n = strlen(w)) > 4)
        return strstr(f, w) != NULL;
    n = strlen(w);
    for (p = f; (p = strstr(p, w)); p++)
        if ((p == f || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]))
            return 1;
    return 0;
}

/* The first rule (other than `skip`) with a phrase in the folded text. */
static enum bounce_reason text_reason(const char *folded, enum bounce_reason skip)
{
    size_t i;
    const char *const *w;

    if (!folded || !*folded)
        return BOUNCE_R_UNDEFINED;
    for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
        if (rules[i].reason != skip)
            for (w = rules[i].words; *w; w++)
                if (has(folded, *w))
                    return rules[i].reason;
    return BOUNCE_R_UNDEFINED;
}

enum bounce_reason bounce_reason_text(const char *folded)
{
    enum bounce_reason r = text_reason(folded, BOUNCE_R_UNDEFINED), cause;

    /* A cause before its consequence: "expired" only when nothing says why. */
    if (r == BOUNCE_R_EXPIRED &&
        (cause = text_reason(folded, BOUNCE_R_EXPIRED)) != BOUNCE_R_UNDEFINED)
        return cause;
    return r;
}

static int status_parts(const char *st, int *subject, int *detail)
{
    return st && sscanf(st, "%*d.%d.%d", subject, detail) == 2;
}

/* The reason an enhanced status names by itself (RFC 3463, RFC 7372);
 * UNDEFINED when the code is too broad to say (x.0.0, x.7.1, ...). */
static enum bounce_reason status_specific(const char *st)
{
    int subject = 0, detail = 0;

    if (!status_parts(st, &subject, &detail))
        return BOUNCE_R_UNDEFINED;
    switch (subject * 1000 + detail) {
    case 1000: /* "other address status": sisimai reads it as the address too */
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
    case 2001:
        return BOUNCE_R_SUSPENDED;
    case 2002:
        return BOUNCE_R_MAILBOX_FULL;
    case 2003:
    case 3004:
        return BOUNCE_R_TOO_BIG;
    case 3002:
        return BOUNCE_R_NOT_ACCEPTED;
    case 4004:
        return BOUNCE_R_HOST_UNKNOWN;
    case 4007:
        return BOUNCE_R_EXPIRED;
    case 4006:
        return BOUNCE_R_NETWORK;
    case 5003:
        return BOUNCE_R_TOO_BIG; /* too many recipients */
    case 7025:
        return BOUNCE_R_BLOCKED; /* reverse DNS validation failed */
    case 7026:
    case 7023:
    case 7024:
    case 7007:
    case 7005:
    case 7008:
        return BOUNCE_R_SECURITY;
    default:
        return BOUNCE_R_UNDEFINED;
    }
}

/* What the subject of a status says when nothing else does. */
static enum bounce_reason status_broad(const char *st)
{
    int subject = 0, detail = 0;

    if (!status_parts(st, &subject, &detail))
        return BOUNCE_R_UNDEFINED;
    switch (subject) {
    case 1:
        return detail == 0 ? BOUNCE_R_UNDEFINED : BOUNCE_R_USER_UNKNOWN;
    case 2:
        return detail == 0 ? BOUNCE_R_FILTERED : BOUNCE_R_MAILBOX_FULL;
    case 3:
        return BOUNCE_R_SYSTEM;
    case 4:
        return BOUNCE_R_NETWORK;
    case 5:
        return BOUNCE_R_SYSTEM;
    case 6:
        return BOUNCE_R_POLICY;
    case 7:
        return detail == 1 || detail == 0 ? BOUNCE_R_POLICY : BOUNCE_R_SECURITY;
    default:
        return BOUNCE_R_UNDEFINED;
    }
}

/* A precise code and the words together (step 2 above). */
static enum bounce_reason combine(enum bounce_reason code, enum bounce_reason words)
{
    if (code == BOUNCE_R_UNDEFINED)
        return words;
    if (words == BOUNCE_R_UNDEFINED || words == code)
        return code;
    switch (code) {
    case BOUNCE_R_USER_UNKNOWN: /* "5.1.1 mailbox full", "5.1.1 ... disabled" */
        return words == BOUNCE_R_MAILBOX_FULL || words == BOUNCE_R_SUSPENDED ||
                       words == BOUNCE_R_RATE || words == BOUNCE_R_HAS_MOVED ||
                       words == BOUNCE_R_FILTERED || words == BOUNCE_R_BLOCKED ||
                       words == BOUNCE_R_SPAM || words == BOUNCE_R_SECURITY ||
                       words == BOUNCE_R_TOO_BIG || words == BOUNCE_R_REJECTED
                   ? words
                   : code;
    case BOUNCE_R_NOT_ACCEPTED: /* Exchange's 5.1.10 "RecipientNotFound", 4.3.2 rate */
        return words;
    case BOUNCE_R_SUSPENDED: /* 5.2.1 "User unknown" */
        return words == BOUNCE_R_USER_UNKNOWN || words == BOUNCE_R_MAILBOX_FULL ||
                       words == BOUNCE_R_FILTERED || words == BOUNCE_R_SPAM
                   ? words
                   : code;
    case BOUNCE_R_HOST_UNKNOWN: /* 5.4.4 with network words */
        return words == BOUNCE_R_NETWORK || words == BOUNCE_R_USER_UNKNOWN ||
                       words == BOUNCE_R_NOT_ACCEPTED
                   ? words
                   : code;
    case BOUNCE_R_EXPIRED: /* the cause of the expiry */
        return words;
    case BOUNCE_R_REJECTED:
        return words == BOUNCE_R_BLOCKED || words == BOUNCE_R_RATE ? words : code;
    case BOUNCE_R_SECURITY:
        return words == BOUNCE_R_BLOCKED || words == BOUNCE_R_SPAM ? words : code;
    default:
        return code;
    }
}

/* "550 : User unknown", "550: : User unknown": refused with no address. */
static int anonymous_refusal(const char *folded)
{
    const char *p;

    for (p = folded; (p = strstr(p, ": user unknown")); p++) {
        const char *q = p;
        while (q > folded && (q[-1] == ' ' || q[-1] == ':'))
            q--;
        if (q >= folded + 3 && isdigit((unsigned char)q[-1]) && isdigit((unsigned char)q[-2]) &&
            isdigit((unsigned char)q[-3]))
            return 1;
    }
    return 0;
}

/* Step 5 above. */
static enum bounce_reason adjust(enum bounce_reason r, const struct bounce_facts *f, const char *fd)
{
    int subject = 0, detail = 0;

    status_parts(f->status, &subject, &detail);
    if (r == BOUNCE_R_USER_UNKNOWN && !strcmp(f->command, "MAIL"))
        return BOUNCE_R_REJECTED; /* refused before any recipient was named */
    if (r == BOUNCE_R_USER_UNKNOWN && status_specific(f->status) != BOUNCE_R_USER_UNKNOWN) {
        /* Refused after DATA, with a policy status (5.7.x) or a mailbox one
         * (5.2.0) without RCPT, or with no address: the recipient's filter. */
        if (!strcmp(f->command, "DATA") || anonymous_refusal(fd) ||
            (strcmp(f->command, "RCPT") && (subject == 7 || (subject == 2 && detail == 0))))
            return BOUNCE_R_FILTERED;
    }
    if (r == BOUNCE_R_HOST_UNKNOWN && f->status[0] == '4')
        return BOUNCE_R_NETWORK;
    if (r == BOUNCE_R_HOST_UNKNOWN && !strcmp(f->command, "HELO"))
        return BOUNCE_R_BLOCKED;
    return r;
}

/* Folded words with addresses and the paths of URLs blanked:
 * "<filtered@example.com>" and ".../reason/#userunknown" name no cause (a
 * host, "www.spamhaus.org", may). Caller frees. */
static char *words_only(const char *s)
{
    char *f = bounce_fold_dup(s ? s : ""), *p, *a;
    const char *after;

    if (!f)
        return NULL;
    for (p = f; (p = strstr(p, "://"));) {
        char *q = p + 3;
        while (*q && !isspace((unsigned char)*q) && *q != '/' && *q != '?' && *q != '#')
            q++;
        while (*q && !isspace((unsigned char)*q) && *q != '>' && *q != ')')
            *q++ = ' ';
        p = q;
    }
    for (p = f; (a = bounce_addr_find(p, &after));) {
        char *end = f + (after - f), *start = end - strlen(a);
        free(a);
        if (start < f)
            break;
        memset(start, ' ', (size_t)(end - start));
        p = end;
    }
    for (p = a = f; *p; p++) /* white space runs (folds) become one space */
        if (!isspace((unsigned char)*p) || (a > f && a[-1] != ' '))
            *a++ = isspace((unsigned char)*p) ? ' ' : *p;
    *a = '\0';
    return f;
}

enum bounce_reason bounce_reason_judge(const struct bounce_facts *f)
{
    char *fd = words_only(f->diagnostic);
    char *fc = NULL;
    const char *st = f->status ? f->status : "";
    enum bounce_reason r;

    if (st[0] == '2') {
        r = BOUNCE_R_DELIVERED;
        goto out;
    }
    r = combine(status_specific(st), bounce_reason_text(fd));
    if (r == BOUNCE_R_UNDEFINED && f->context && (fc = words_only(f->context)))
        r = bounce_reason_text(fc);
    /* Refused at the greeting or HELO: our server was; after MAIL FROM: our
     * sender was (when the words give no better cause). */
    if ((r == BOUNCE_R_UNDEFINED || r == BOUNCE_R_SYSTEM) &&
        (!strcmp(f->command, "CONN") || !strcmp(f->command, "HELO")))
        r = BOUNCE_R_BLOCKED;
    else if (r == BOUNCE_R_UNDEFINED && !strcmp(f->command, "MAIL"))
        r = BOUNCE_R_REJECTED;
    if (r == BOUNCE_R_UNDEFINED)
        r = status_broad(st);
    if (r == BOUNCE_R_UNDEFINED && fd && bounce_any_in(fd, w_rcpt_refused))
        r = BOUNCE_R_USER_UNKNOWN;
    if (r == BOUNCE_R_UNDEFINED && f->delayed)
        r = BOUNCE_R_EXPIRED;
    r = adjust(r, f, fd ? fd : "");
out:
    free(fd);
    free(fc);
    return r;
}

enum bounce_reason bounce_reason_of(const char *status, const char *diagnostic)
{
    struct bounce_facts f = {status ? status : "", diagnostic, NULL, "", 0};
    char *fd = bounce_fold_dup(diagnostic ? diagnostic : "");
    enum bounce_reason r;

    if (fd)
        f.command = bounce_command_find(fd);
    r = bounce_reason_judge(&f);
    free(fd);
    return r;
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

enum bounce_class bounce_class_of(const char *status, const char *diagnostic)
{
    char st[16] = "";
    int code;
    enum bounce_class c;

    if (status && *status)
        snprintf(st, sizeof(st), "%s", status);
    else if (diagnostic && bounce_status_find(diagnostic, st, sizeof(st)))
        snprintf(st, sizeof(st), "%s",
                 (code = bounce_smtp_code_find(diagnostic)) >= 500 ? "5.0.0"
                 : code >= 400                                     ? "4.0.0"
                                                                   : "");
    c = bounce_class_from(bounce_reason_of(st, diagnostic), st);
    return c == BOUNCE_CLASS_NONE ? BOUNCE_SOFT : c;
}
