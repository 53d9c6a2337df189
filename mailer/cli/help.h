/* help - the one source of the help text: `mailer --help`, `mailer help
 * COMMAND`, `mailer COMMAND --help`, the mailer(1) man page (`mailer help
 * --man`, generated at build time) and the bash completion's word lists. */
#ifndef MAILER_HELP_H
#define MAILER_HELP_H

#include <stdio.h>

/* available(name): 1 when the command is built into this binary. */
typedef int help_available_fn(const char *name);

/* The general help: usage line, commands with their summaries, exit codes. */
void help_general(FILE *to, help_available_fn *available);
/* One command's help (usage, description, examples); -1 if unknown. */
int help_command(FILE *to, const char *name);
/* The summary of a command (translated), NULL if unknown. */
const char *help_summary(const char *name);
/* The man page in roff, in the language in effect. */
void help_man(FILE *to, help_available_fn *available);
/* Command names, one per line (for the completion). */
void help_names(FILE *to, help_available_fn *available);

#endif
