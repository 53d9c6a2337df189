/* refusal - what an SMTP reply is about: the table of codes (refusal.h).
 *
 * The table is read top to bottom and the first row that matches decides.
 * A row matches when each of its given fields does:
 *   code      the reply code (554), or 4 / 5 for any code of that class;
 *   enhanced  the enhanced status: "5.7.1" exactly, or "5.7." for 5.7.anything;
 *             several separated by '|';
 *   words     words of the whole reply (every line), any case; several
 *             separated by '|', any one suffices.
 * Rows with words come before the rows of the same codes without: a text
 * names the cause better than a code that providers use for many.
 *
 * After the match a 4xx that the table puts on the recipient or the message
 * is temporary (deferred); a 4xx on the account is still the account's
 * (rate limits, the server's storage: the run stops), always exit 75.
 *
 *   reply (example)                                          scope      exit
 *   554 5.2.0 STOREDRV...SubmissionQuotaExceededException    account    75
 *   550 5.4.5 Daily user sending limit exceeded              account    75
 *   550 5.7.708 Service unavailable. Access denied, traffic
 *       not accepted from this IP                            account    78
 *   452 4.3.1 Insufficient system storage                    account    75
 *   554 5.7.1 <x>: Relay access denied                       account    78
 *   5.7.3 / 5.7.57 / 5.7.139 / 5.7.8 / 5.7.9 / 5.7.14 auth   account    78
 *   550 5.7.60 SMTP; Client does not have permissions to
 *       send as this sender                                  account    78
 *   5.7.23 / 5.7.25 / 5.7.26 / 5.7.27 SPF, PTR, DMARC        account    78
 *   5.1.7 / 5.1.8 bad sender address                         account    78
 *   421 4.7.0 Try again later (rate), any other 4.7.x        account    75
 *   454 (TLS or login not available now)                     account    75
 *   530 authentication required / STARTTLS first             account    78
 *   534 / 535 / 538 login refused                            account    78
 *   451 4.7.1 Greylisted                                     temporary  -
 *   552 5.2.2 mailbox full                                   recipient  -
 *   5.2.3, 5.3.4, 552 too large                              message    -
 *   550 5.1.1 user unknown, other 5.1.x, 5.2.x, 5.4.x        recipient  -
 *   5.6.x content, 5.5.x protocol, other 5.7.x policy, 554   message    -
 *   other 5xx                                                recipient  -
 *   other 4xx                                                temporary  -
 */
#include "refusal.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

enum reason {
    R_QUOTA,
    R_RATE,
    R_IP,
    R_RELAY,
    R_AUTH,
    R_AUTH_REQUIRED,
    R_TLS_REQUIRED,
    R_NOT_NOW,
    R_SENDAS,
    R_SENDER,
    R_DOMAIN_AUTH,
    R_STORAGE,
    R_GREYLIST,
    R_USER,
    R_MAILBOX_FULL,
    R_MAILBOX,
    R_ROUTE,
    R_CONTENT,
    R_SIZE,
    R_PROTOCOL,
    R_POLICY,
    R_TEMP,
    R_OTHER,
};

/* The sentence for a reason (English msgids: po/extract_lib.py takes them). */
static const char *reason_text(enum reason r)
{
    switch (r) {
    case R_QUOTA:
        return "the account's sending quota is used up";
    case R_RATE:
        return "the server limits how much or how fast this account sends";
    case R_IP:
        return "the server does not accept mail from this computer's IP address";
    case R_RELAY:
        return "the server does not relay mail for this sender (relay access denied)";
    case R_AUTH:
        return "the server refused the login (user name, password or app password)";
    case R_AUTH_REQUIRED:
        return "the server requires a login to send";
    case R_TLS_REQUIRED:
        return "the server requires STARTTLS before sending";
    case R_NOT_NOW:
        return "the server cannot start TLS or a login just now";
    case R_SENDAS:
        return "the account may not send with this From address";
    case R_SENDER:
        return "the server refused the sender address";
    case R_DOMAIN_AUTH:
        return "the sender's domain fails SPF, DKIM, DMARC or reverse DNS checks";
    case R_STORAGE:
        return "the server is out of storage";
    case R_GREYLIST:
        return "the server greylists: it asks to try again later";
    case R_USER:
        return "the recipient's address does not exist";
    case R_MAILBOX_FULL:
        return "the recipient's mailbox is full";
    case R_MAILBOX:
        return "the recipient's mailbox is unavailable";
    case R_ROUTE:
        return "the recipient's domain cannot be reached";
    case R_CONTENT:
        return "the server refused the message's content";
    case R_SIZE:
        return "the message is too large for the server";
    case R_PROTOCOL:
        return "the server refused a command of this message";
    case R_POLICY:
        return "the server refused this message by its policy";
    case R_TEMP:
        return "the server asked to try again later";
    case R_OTHER:
        break;
    }
    return "the server refused the delivery";
}

struct row {
    int code;             /* 554; 4 or 5: the class; 0: any */
    const char *enhanced; /* "5.7.1", "5.7." prefix, '|' alternatives; NULL: any */
    const char *words;    /* '|' alternatives, any case; NULL: any */
    enum refusal_scope scope;
    int tempfail;
    enum reason reason;
};

#define ACCOUNT REFUSAL_ACCOUNT
#define RCPT REFUSAL_RECIPIENT
#define MSG REFUSAL_MESSAGE
#define TEMP REFUSAL_TEMPORARY

static const struct row table[] = {
    /* quotas and sending limits, named in the text (M365 uses 5.2.0 and
     * even 5.2.2 for its submission quota) */
    {0, NULL, "SubmissionQuotaExceeded|submission quota", ACCOUNT, 1, R_QUOTA},
    {0, NULL, "sending limit|sending quota|relay limit|daily limit|message rate limit", ACCOUNT, 1,
     R_QUOTA},
    /* the sending computer is blocked */
    {0, "5.7.708|4.7.708|5.7.606|5.7.511", NULL, ACCOUNT, 0, R_IP},
    {0, NULL, "traffic not accepted from this IP|banned sending IP|Client host rejected", ACCOUNT,
     0, R_IP},
    /* the server's own disk */
    {0, "4.3.1|5.3.1", NULL, ACCOUNT, 1, R_STORAGE},
    {0, NULL, "Insufficient system storage", ACCOUNT, 1, R_STORAGE},
    /* login, send-as, relay, sender */
    {0, "5.7.3|5.7.57|5.7.139|5.7.8|5.7.9|5.7.14|4.7.8|4.7.9|4.7.14", NULL, ACCOUNT, 0, R_AUTH},
    {0, "5.7.60", NULL, ACCOUNT, 0, R_SENDAS},
    {0, NULL, "SendAsDenied|send as this sender|not allowed to send as", ACCOUNT, 0, R_SENDAS},
    {5, NULL,
     "Relay access denied|relaying denied|relay not permitted|Unable to relay|relay denied",
     ACCOUNT, 0, R_RELAY},
    {5, "5.7.0", "authenticat", ACCOUNT, 0, R_AUTH_REQUIRED},
    {0, "5.7.23|5.7.25|5.7.26|5.7.27", NULL, ACCOUNT, 0, R_DOMAIN_AUTH},
    {0, "5.1.7|5.1.8", NULL, ACCOUNT, 0, R_SENDER},
    {5, NULL, "Sender address rejected", ACCOUNT, 0, R_SENDER},
    /* rate limits */
    {0, "5.4.5|4.4.5", NULL, ACCOUNT, 1, R_RATE},
    {4, "4.7.", "greylist|graylist|grey-list", TEMP, 0, R_GREYLIST},
    {4, "4.7.", NULL, ACCOUNT, 1, R_RATE},
    /* SMTP's own codes for TLS and AUTH */
    {454, NULL, NULL, ACCOUNT, 1, R_NOT_NOW},
    {530, NULL, "TLS", ACCOUNT, 0, R_TLS_REQUIRED},
    {530, NULL, NULL, ACCOUNT, 0, R_AUTH_REQUIRED},
    {534, NULL, NULL, ACCOUNT, 0, R_AUTH},
    {535, NULL, NULL, ACCOUNT, 0, R_AUTH},
    {538, NULL, NULL, ACCOUNT, 0, R_TLS_REQUIRED},
    /* about the recipient or the message */
    {0, NULL, "greylist|graylist|grey-list", TEMP, 0, R_GREYLIST},
    {0, "5.2.2|4.2.2", NULL, RCPT, 0, R_MAILBOX_FULL},
    {0, "5.2.3|5.3.4|4.3.4", NULL, MSG, 0, R_SIZE},
    {0, "5.1.2|5.1.10|4.1.2", NULL, RCPT, 0, R_ROUTE},
    {0, "5.1.|4.1.", NULL, RCPT, 0, R_USER},
    {0, "5.2.|4.2.", NULL, RCPT, 0, R_MAILBOX},
    {0, "5.4.|4.4.", NULL, RCPT, 0, R_ROUTE},
    {0, "5.6.|4.6.", NULL, MSG, 0, R_CONTENT},
    {5, NULL, "user unknown|unknown user|no such user|does not exist|mailbox unavailable", RCPT, 0,
     R_USER},
    {0, "5.5.|4.5.", NULL, MSG, 0, R_PROTOCOL},
    {0, "5.7.|4.7.", NULL, MSG, 0, R_POLICY},
    {0, "5.3.|4.3.", NULL, MSG, 0, R_OTHER},
    {552, NULL, NULL, MSG, 0, R_SIZE},
    {554, NULL, NULL, MSG, 0, R_POLICY},
    {5, NULL, NULL, RCPT, 0, R_OTHER},
    {4, NULL, NULL, TEMP, 0, R_TEMP},
};

/* s contains one of the '|'-separated alternatives, any case. */
static int has_words(const char *s, const char *alternatives)
{
    const char *p = alternatives;

    while (*p) {
        size_t n = strcspn(p, "|");
        for (const char *q = s; *q; q++)
            if (!strncasecmp(q, p, n))
                return 1;
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

/* enhanced is one of the alternatives ("5.7.1" exactly, "5.7." a prefix). */
static int enhanced_is(const char *enhanced, const char *alternatives)
{
    const char *p = alternatives;

    while (*p) {
        size_t n = strcspn(p, "|");
        if (p[n - 1] == '.' ? !strncmp(enhanced, p, n)
                            : strlen(enhanced) == n && !strncmp(enhanced, p, n))
            return 1;
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

static int row_matches(const struct row *r, int code, const char *enhanced, const char *text)
{
    if (r->code >= 100 && r->code != code)
        return 0;
    if (r->code > 0 && r->code < 10 && code / 100 != r->code)
        return 0;
    if (r->enhanced && (!*enhanced || !enhanced_is(enhanced, r->enhanced)))
        return 0;
    return !r->words || has_words(text, r->words);
}

void refusal_classify(int code, const char *enhanced, const char *text, struct refusal *out)
{
    size_t i;

    if (!enhanced)
        enhanced = "";
    if (!text)
        text = "";
    out->scope = REFUSAL_NONE;
    out->tempfail = 0;
    out->why = reason_text(R_OTHER);
    if (code / 100 != 4 && code / 100 != 5)
        return;
    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (!row_matches(&table[i], code, enhanced, text))
            continue;
        out->scope = table[i].scope;
        out->tempfail = table[i].tempfail;
        out->why = reason_text(table[i].reason);
        break;
    }
    if (code / 100 == 4 && (out->scope == REFUSAL_RECIPIENT || out->scope == REFUSAL_MESSAGE))
        out->scope = REFUSAL_TEMPORARY;
    if (code / 100 == 4 && out->scope == REFUSAL_ACCOUNT)
        out->tempfail = 1; /* the server itself says it may pass */
}
