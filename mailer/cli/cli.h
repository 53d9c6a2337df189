/* cli - what every subcommand shares: global options, printing errors,
 * mapping library error kinds to sysexits.h codes.
 *
 * Each subcommand lives in cmd_<name>.c and exports
 *     int cmd_<name>(int argc, char **argv, struct cli *cli);
 * argv[0] is the subcommand name; the return value is the exit code.
 */
#ifndef MAILER_CLI_H
#define MAILER_CLI_H

#include <stdio.h>

#include "config.h"
#include "err.h"

struct cli {
    const char *env_file; /* --env FILE, NULL: ./.env when present */
    const char *db_path;  /* --db PATH, NULL: from config */
    int quiet;            /* -q */
    int verbose;          /* -v */
    struct config config; /* loaded before the command runs */
};

/* Exit code (sysexits.h) for an error kind. */
int cli_exit_code(enum err_kind kind);
/* Print "mailer: " + each line of the error to stderr; return its exit code. */
int cli_fail(const struct err *e);
/* Print a usage error for cmd to stderr; return EX_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
