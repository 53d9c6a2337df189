/* cli_events - the commands' calls into the events (events.h): one call
 * per command, a failure to record printed as a warning. */
#ifndef MAILER_CLI_EVENTS_H
#define MAILER_CLI_EVENTS_H

#include "events.h"

/* For a command that changed the ledger: when rc is 0 and what is not NULL,
 * record `what` with the command's arguments (argv[1..], quoted where they
 * hold spaces) as the detail; a failure to record is printed, not fatal. */
void events_command(struct ledger *l, int rc, const char *what, int argc, char *const *argv);

/* After send_run: record the run ("send", or "due" when from_due; with
 * --force, --resend-uncertain, a test send and the outcome in the detail).
 * Nothing for a dry run, nor for a `due` that had nothing to do. */
void events_send_run(struct ledger *l, const struct send_opts *o, const struct send_report *r,
                     int from_due);

#endif
