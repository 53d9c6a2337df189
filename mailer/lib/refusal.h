/* refusal - what an SMTP reply is about (DESIGN §8, "refusals by scope").
 *
 * Every reply that is not a 2xx is one of:
 *   recipient  the recipient's mailbox (5.1.1 user unknown, 5.2.2 full, ...):
 *              that delivery fails;
 *   message    this message (5.6.x content, 5.3.4 size, ...): that delivery
 *              fails, and the reason is kept;
 *   account    the sender, the account or the connection (quotas, rate
 *              limits, relay or IP blocks, authentication, send-as): the run
 *              stops at once, nobody is failed, every untried delivery stays
 *              pending; exit 75 when it will pass by itself (quota, rate,
 *              the server's storage), 78 when a person must act (not allowed);
 *   temporary  4xx about this delivery (greylisting, a busy mailbox): deferred.
 * The fifth scope, unknown outcome (the final "." of DATA was written and no
 * reply came), is not a reply: the transport reports it (TRANSPORT_UNCERTAIN).
 *
 * One table in refusal.c decides, first match wins, by reply code, enhanced
 * status (RFC 3463) and words of the reply text; docs/05-envio-real.md
 * («Rechazos del servidor») shows it to the people who read the reasons.
 */
#ifndef MAILER_REFUSAL_H
#define MAILER_REFUSAL_H

enum refusal_scope {
    REFUSAL_NONE,      /* 2xx: not a refusal */
    REFUSAL_RECIPIENT, /* fails that delivery */
    REFUSAL_MESSAGE,   /* fails that delivery */
    REFUSAL_ACCOUNT,   /* stops the run, nothing failed */
    REFUSAL_TEMPORARY, /* defers that delivery */
};

struct refusal {
    enum refusal_scope scope;
    int tempfail;    /* account: 1 quota, rate, storage (exit 75); 0 not allowed (78) */
    const char *why; /* English sentence (a msgid) naming the cause; never NULL */
};

/* Classify a reply: code (e.g. 554), enhanced status ("5.2.0", "" or NULL
 * when none) and the whole reply text (every line; NULL is ""). */
void refusal_classify(int code, const char *enhanced, const char *text, struct refusal *out);

#endif
