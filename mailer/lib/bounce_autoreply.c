/* bounce_autoreply - messages a machine sends back that are not bounces:
 * out-of-office and vacation replies (RFC 3834 Auto-Submitted, X-Autoreply,
 * Precedence: auto_reply, their subjects), and challenge-response systems
 * asking the sender to prove it is a person before the message is shown
 * (Boxbe, SpamArrest, MailInBlack, Bluebottle, ChoiceMail and the like).
 * Neither says anything about the address: nothing is suppressed. */
#include "bounce.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce_int.h"

#include "banned.h"

static const char *const auto_subjects[] = {
    "thank you for your e-mail",
    "thank you for your email",
    "thank you for your message",
    "thanks for your email",
    "thanks for your message",
    "gracias por su mensaje",
    "gracias por tu mensaje",
    "gracias por su correo",
    "gracias por tu correo",
    "automatyczna odpowied",
    "out of office",
    "out of the office",
    "automatic reply",
    "auto reply",
    "autoreply",
    "auto-reply",
    "autoresponse",
    "auto response",
    "auto-response",
    "automatische antwort",
    "respuesta automatica",
    "fuera de la oficina",
    "fuera de oficina",
    "ausencia",
    "ausente",
    "reponse automatique",
    "absence",
    "abwesenheit",
    "risposta automatica",
    "resposta automatica",
    "vacation",
    "de vacaciones",
    "on leave",
    "away from my mail",
    "\xe8\x87\xaa\xe5\x8b\x95\xe5\xbf\x9c\xe7\xad\x94", /* 自動応答 */
    "\xe8\x87\xaa\xe5\x8b\x95\xe8\xbf\x94\xe4\xbf\xa1", /* 自動返信 */
    NULL};

/* A challenge: "prove you are a person, then your message goes through". */
static const char *const challenge_subjects[] = {"please confirm",
                                                 "confirm your",
                                                 "verify your",
                                                 "verification required",
                                                 "sender verification",
                                                 "authentication request",
                                                 "awaiting your",
                                                 "is waiting for your",
                                                 "requires your confirmation",
                                                 "request for authorization",
                                                 "spam arrest",
                                                 "spamarrest",
                                                 "boxbe",
                                                 "your message is pending",
                                                 "message held",
                                                 "confirme su",
                                                 "confirma tu",
                                                 "verifique",
                                                 NULL};
/* Named services and the scheme itself: enough without the subject. */
static const char *const challenge_names[] = {
    "boxbe",      "spamarrest", "spam arrest",        "mailinblack",        "bluebottle",
    "choicemail", "sendio",     "challenge-response", "challenge/response", NULL};
static const char *const challenge_words[] = {"to have your message delivered",
                                              "to get your message delivered",
                                              "please click the link below to confirm",
                                              "verify that you are a human",
                                              "verify that you are a person",
                                              "prove that you are a human",
                                              "approved senders list",
                                              "approved sender list",
                                              "add you to my list of approved",
                                              "is protected by",
                                              "i use a spam filter",
                                              "spam protection system",
                                              "has been held for verification",
                                              "your message will be delivered once",
                                              "confirm that you sent",
                                              "guest list",
                                              "waitlisted",
                                              "not pre-approved",
                                              "allowed list",
                                              NULL};
static const char *const challenge_headers[] = {"X-Boxbe-Delivery", "X-SpamArrest-Challenge",
                                                "X-Challenge",      "X-ChoiceMail-Registration",
                                                "X-Mib-Challenge",  NULL};

static int is_challenge(const struct bounce_scan *s, const char *fsubject, const char *ftext)
{
    const char *const *h;

    for (h = challenge_headers; *h; h++)
        if (bounce_header_has(s->headers.data, *h))
            return 1;
    return (bounce_any_in(ftext, challenge_names) && bounce_any_in(ftext, challenge_words)) ||
           (bounce_any_in(fsubject, challenge_subjects) && bounce_any_in(ftext, challenge_words));
}

int bounce_challenge_is(const struct bounce_scan *s, const char *fsubject, const char *text,
                        struct bounce_result *r)
{
    char *ftext = bounce_fold_dup(text);
    int hit;

    if (!ftext)
        return -1;
    hit = is_challenge(s, fsubject, ftext) ||
          (s->dsn.len && bounce_any_in(ftext, challenge_names)); /* "X-Boxbe-Notice" */
    free(ftext);
    if (hit && bounce_set_why(r, "challenge-response (a person is asked to confirm)"))
        return -1;
    return hit;
}

int bounce_autoreply_is(const struct bounce_scan *s, const char *fsubject, struct bounce_result *r)
{
    char *as = bounce_header_get(s->headers.data, "Auto-Submitted", 0);
    char *prec = bounce_header_get(s->headers.data, "Precedence", 0);
    const char *why = NULL;
    int hit;

    if (as && strncasecmp(as, "no", 2))
        why = "Auto-Submitted header";
    else if (bounce_header_has(s->headers.data, "X-Autoreply") ||
             bounce_header_has(s->headers.data, "X-Autorespond") ||
             bounce_header_has(s->headers.data, "X-Autogenerated"))
        why = "X-Autoreply header";
    else if (prec && !strcasecmp(prec, "auto_reply"))
        why = "Precedence: auto_reply";
    else if (bounce_any_in(fsubject, auto_subjects) || !strncmp(fsubject, "auto:", 5))
        why = "auto-reply subject";
    hit = why ? (bounce_set_why(r, why) ? -1 : 1) : 0;
    free(as);
    free(prec);
    return hit;
}
