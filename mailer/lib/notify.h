/* notify - a short message to a person, through a sender's own server.
 *
 * `mailer due` runs from cron; when a run ends with something only a person
 * can settle (an account refusal, a refused login, uncertain deliveries, a
 * missing content file, a mailing stuck for a day), the command line mails
 * one summary to NOTIFY_TO with this module: a plain text/plain message in
 * UTF-8, From the sender's From, one envelope per recipient, over the
 * sender's SMTP settings (its login secrets are run now). The text is the
 * caller's (already in the person's language); subject and text are
 * untrusted here only in that they go through the MIME builder, which
 * encodes them (RFC 2047) and never lets them into a header raw.
 */
#ifndef MAILER_NOTIFY_H
#define MAILER_NOTIFY_H

#include "err.h"
#include "sender.h"

/* Mail subject and text to every address of to ("a@x, b@y"). 0 when the
 * server accepted it for every one; -1 with err set (the server's reply, or
 * why it could not be reached) when it did not for some: the caller then
 * says it another way. */
int notify_send(const struct sender *s, const char *to, const char *subject, const char *text,
                struct err *err);

#endif
