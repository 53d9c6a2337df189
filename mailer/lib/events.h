/* events - who did what to the ledger, for accountability (issue 18).
 *
 * Every mailing run (send, due), every manual change (suppress add|remove,
 * unschedule, --force, --resend-uncertain, mailing retitle, history) is one
 * row of the ledger's append-only events table: who (the operator: `mailer
 * --por NOMBRE`, else MAILER_OPERATOR, else the OS user), the OS user, the
 * host, when (UTC), what, the campaign and edition it concerns, a detail.
 * `mailer log` and `status --format json` show them; nothing edits them.
 */
#ifndef MAILER_EVENTS_H
#define MAILER_EVENTS_H

#include "buf.h"
#include "err.h"
#include "ledger.h"
#include "send.h"

/* The operator named with --por (NULL: none); the string must outlive the
 * process's use of it (argv). */
void events_set_operator(const char *name);
/* --por, else MAILER_OPERATOR, else the OS user ("?" if none is known). */
const char *events_operator(void);
/* The OS user running the command, and the host name. */
const char *events_os_user(void);
const char *events_host(void);

/* Record one event now; campaign, edition and detail may be NULL. */
int events_record(struct ledger *l, const char *what, const char *campaign, const char *edition,
                  const char *detail, struct err *err);

/* One event as a JSON object, appended to out: {"at": ISO, "who", "os_user",
 * "host", "what", "campaign", "edition", "detail"} (mailer log --format json
 * and the report's "events"). -1 when out of memory. */
int events_json(struct buf *out, const struct ledger_event *e);

#endif
