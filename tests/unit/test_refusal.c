/* test_refusal - the table of SMTP refusals by scope (refusal.c): replies
 * that Microsoft 365, Gmail, Postfix and Exchange really send. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "refusal.h"

#include "banned.h"

struct case_ {
    int code;
    const char *enhanced, *text;
    enum refusal_scope scope;
    int tempfail;
    const char *why_has; /* a word of the reason */
};

static const struct case_ cases[] = {
    /* account-wide: quotas and rates (75) */
    {554, "5.2.0",
     "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to "
     "process message",
     REFUSAL_ACCOUNT, 1, "quota"},
    {554, "5.2.2", "554 5.2.2 mailbox full; STOREDRV.Submission.Exception:SubmissionQuotaExceeded",
     REFUSAL_ACCOUNT, 1, "quota"},
    {550, "5.4.5",
     "550-5.4.5 Daily user sending limit exceeded. For more information on Gmail 550 5.4.5 "
     "https://support.google.com/a/answer/166852 - gsmtp",
     REFUSAL_ACCOUNT, 1, "quota"},
    {550, "5.4.5", "550 5.4.5 https://support.google.com/a/answer/166852 - gsmtp", REFUSAL_ACCOUNT,
     1, "limits"},
    {421, "4.7.0", "421 4.7.0 Try again later, closed connection.", REFUSAL_ACCOUNT, 1, "limits"},
    {452, "4.3.1", "452 4.3.1 Insufficient system storage", REFUSAL_ACCOUNT, 1, "storage"},
    {454, "4.7.0", "454 4.7.0 TLS not available due to temporary reason", REFUSAL_ACCOUNT, 1, ""},
    {454, "", "454 TLS not available", REFUSAL_ACCOUNT, 1, "TLS"},
    {450, "4.7.1", "450 4.7.1 Client host rejected: cannot find your hostname", REFUSAL_ACCOUNT, 1,
     "IP"},
    /* account-wide: not allowed (78) */
    {550, "5.7.708",
     "550 5.7.708 Service unavailable. Access denied, traffic not accepted from "
     "this IP.",
     REFUSAL_ACCOUNT, 0, "IP"},
    {554, "5.7.1", "554 5.7.1 <x@example.org>: Relay access denied", REFUSAL_ACCOUNT, 0, "relay"},
    {535, "5.7.3", "535 5.7.3 Authentication unsuccessful", REFUSAL_ACCOUNT, 0, "login"},
    {530, "5.7.57", "530 5.7.57 Client not authenticated to send mail", REFUSAL_ACCOUNT, 0,
     "login"},
    {550, "5.7.60", "550 5.7.60 SMTP; Client does not have permissions to send as this sender",
     REFUSAL_ACCOUNT, 0, "From"},
    {535, "5.7.8", "535-5.7.8 Username and Password not accepted.", REFUSAL_ACCOUNT, 0, "login"},
    {535, "", "535 Authentication failed", REFUSAL_ACCOUNT, 0, "login"},
    {530, "5.7.0", "530 5.7.0 Must issue a STARTTLS command first", REFUSAL_ACCOUNT, 0, "STARTTLS"},
    {530, "5.7.0", "530 5.7.0 Authentication required", REFUSAL_ACCOUNT, 0, "login"},
    {550, "5.7.26",
     "550 5.7.26 Unauthenticated email from example.org is not accepted due to "
     "domain's DMARC policy",
     REFUSAL_ACCOUNT, 0, "DMARC"},
    {553, "5.1.8", "553 5.1.8 <v@x>: Sender address rejected: Domain not found", REFUSAL_ACCOUNT, 0,
     "sender"},
    /* the recipient */
    {550, "5.1.1", "550 5.1.1 <a@x>: Recipient address rejected: User unknown", REFUSAL_RECIPIENT,
     0, "exist"},
    {552, "5.2.2", "552-5.2.2 The email account that you tried to reach is over quota",
     REFUSAL_RECIPIENT, 0, "full"},
    {550, "5.4.1", "550 5.4.1 Recipient address rejected: Access denied", REFUSAL_RECIPIENT, 0,
     "domain"},
    {550, "", "550 No such user here", REFUSAL_RECIPIENT, 0, "exist"},
    {550, "5.1.10", "550 5.1.10 RESOLVER.ADR.RecipientNotFound", REFUSAL_RECIPIENT, 0, "domain"},
    /* the message */
    {554, "5.7.1", "554 5.7.1 Message rejected: content refused", REFUSAL_MESSAGE, 0, "policy"},
    {552, "5.3.4", "552 5.3.4 Message size exceeds fixed limit", REFUSAL_MESSAGE, 0, "large"},
    {550, "5.6.0", "550 5.6.0 Malformed message", REFUSAL_MESSAGE, 0, "content"},
    {554, "", "554 Transaction failed", REFUSAL_MESSAGE, 0, "policy"},
    /* temporary: that delivery is deferred */
    {451, "4.3.0", "451 4.3.0 Temporary failure, try again later", REFUSAL_TEMPORARY, 0, ""},
    {452, "4.2.2", "452 4.2.2 Mailbox full", REFUSAL_TEMPORARY, 0, "full"},
    {421, "4.3.2", "421 4.3.2 Service shutting down, closing connection", REFUSAL_TEMPORARY, 0, ""},
    {451, "4.7.1", "451 4.7.1 Greylisted, see https://postgrey.schweikert.ch/", REFUSAL_TEMPORARY,
     0, "greylist"},
    {450, "", "450 Requested mail action not taken: mailbox unavailable", REFUSAL_TEMPORARY, 0, ""},
    /* not a refusal */
    {250, "2.0.0", "250 2.0.0 Ok: queued as 4F2A1", REFUSAL_NONE, 0, ""},
    {0, NULL, NULL, REFUSAL_NONE, 0, ""},
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct case_ *c = &cases[i];
        struct refusal r;
        refusal_classify(c->code, c->enhanced, c->text, &r);
        if (r.scope != c->scope || r.tempfail != c->tempfail || !r.why ||
            !strstr(r.why, c->why_has))
            fail_msg("%d %s \"%s\": scope %d tempfail %d why \"%s\"", c->code,
                     c->enhanced ? c->enhanced : "-", c->text ? c->text : "-", r.scope, r.tempfail,
                     r.why ? r.why : "(null)");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
