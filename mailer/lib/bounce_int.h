/* bounce_int - what the bounce_*.c files share; not part of the API. */
#ifndef MAILER_BOUNCE_INT_H
#define MAILER_BOUNCE_INT_H

#include "bounce.h"

/* Lower-case ASCII, Latin-1 accents dropped (caller frees; NULL on ENOMEM). */
char *bounce_fold_dup(const char *s);

/* The reason folded words alone give, BOUNCE_R_UNDEFINED when none. */
enum bounce_reason bounce_reason_text(const char *folded);

/* user unknown, host unknown, has moved, not accepted: the address is bad. */
int bounce_reason_is_address(enum bounce_reason reason);

#endif
