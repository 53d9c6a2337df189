/* cli_senders - a sender (sender.h) as people read it, for `mailer config`
 * and `mailer check`: where it is defined, its From, server, login, limits
 * and mailboxes, and whether each of its secrets can be had: found without
 * running any command and never shown. */
#ifndef MAILER_CLI_SENDERS_H
#define MAILER_CLI_SENDERS_H

#include "cli.h"

/* Print sender s: its name and where it is defined, then (full) one line
 * for each of its settings, then one line for each secret, every line
 * starting with indent. Returns how many secrets of its SMTP login cannot
 * be had: their command is not there (*imap_problems: of its mailboxes;
 * NULL: not wanted). A login with no password at all is said, not counted:
 * the run's environment may give it. */
int cli_sender_print(const struct cli *cli, const struct sender *s, const char *indent, int full,
                     int *imap_problems);

#endif
