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

#endif
