/* audience - load a campaign's audience for the commands that look at it
 * (check, preview) without sending. */
#ifndef MAILER_CLI_AUDIENCE_H
#define MAILER_CLI_AUDIENCE_H

#include "campaign.h"
#include "contacts.h"
#include "ledger.h"

/* Fill spec for campaign c (paths allocated; free with audience_spec_release);
 * suppression is read from l when non-NULL. */
int audience_spec_init(struct audience_spec *spec, const struct campaign *c, struct ledger *l);
void audience_spec_release(struct audience_spec *spec);

/* How a list's header was read, for people (check, contacts check), on
 * stdout: delimiter, address column, what {{nombre}} and the name in To:
 * are made of, the variables; then a warning for each column that hides a
 * name the mailer fills (compose_reserved). */
void audience_print_list(const struct contacts_list_info *info);

#endif
