/* cli - what every subcommand shares: global options, printing errors,
 * mapping library error kinds to sysexits.h codes.
 *
 * Each subcommand lives in cmd_<name>.c and exports
 *     int cmd_<name>(int argc, char **argv, struct cli *cli);
 * argv[0] is the subcommand name; the return value is the exit code.
 */
#ifndef MAILER_CLI_H
#define MAILER_CLI_H

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <time.h>

#include "buf.h"
#include "campaign.h"
#include "config.h"
#include "err.h"
#include "ledger.h"
#include "send.h"
#include "sender.h"

struct cli {
    const char *env_file; /* --env FILE, NULL: ./.env when present */
    const char *db_path;  /* --db PATH, NULL: from config */
    int quiet;            /* -q */
    int verbose;          /* -v */
    struct config config; /* loaded before the command runs */
};

/* MAILER_NOW (ISO-8601 UTC "2026-11-23T14:00:00Z" or seconds since the
 * epoch) fixes the library's clock (clock_fix), for tests of the scheduler
 * and of the ledger's timestamps; unset or neither form: the real clock. */
void cli_clock_from_env(void);

/* Exit code (sysexits.h) for an error kind. */
int cli_exit_code(enum err_kind kind);
/* Print "mailer: " + each line of the error to stderr; return its exit code. */
int cli_fail(const struct err *e);
/* cli_fail for an out-of-memory met in the command line itself. */
int cli_fail_nomem(void);
/* Out of memory half-way through output: say so and exit (cli_fail_nomem's
 * code), what was printed flushed first. Only where a result cannot be
 * returned (printing JSON). */
_Noreturn void cli_die_nomem(void);
/* Print a usage error for cmd to stderr; return EX_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- option values --------------------------------------------------------
 * One parser for every numeric, enumerated and date option: a value that is
 * not what the option takes is a usage error for cmd naming the option and
 * the value (printed; the return value is EX_USAGE), never a default.
 * tests/integration/test_options.sh tries junk on every one of them. */

/* A whole number from min to max, in decimal digits only: "abc", "2x", "-1",
 * " 3", "" and numbers out of range are refused. 0 on success. A max of
 * INT_MAX or more means no bound worth saying: the message says "from min up". */
int cli_parse_uint(const char *cmd, const char *opt, const char *arg, unsigned min, unsigned max,
                   unsigned *out);

/* One of the names of a table ended by {NULL, 0}; several names may give
 * the same value (aliases: the message lists the first of each). */
struct cli_choice {
    const char *name;
    int value;
};
int cli_parse_enum(const char *cmd, const char *opt, const char *arg,
                   const struct cli_choice *choices, int *out);
/* --format text|json: text 0, json 1. */
extern const struct cli_choice cli_text_json[];
/* --kind: a campaign's kind, by its name or its Spanish one ("invitacion"):
 * the value indexes cli_kind_ids ("invitation"). */
extern const struct cli_choice cli_kinds[];
extern const char *const cli_kind_ids[];

/* The refusal of a value not among names ("comma, semicolon, tab"), for an
 * option whose names a library parses (cli_parse_enum says it the same way). */
int cli_refuse_choice(const char *cmd, const char *opt, const char *names, const char *arg);

/* A date: "YYYY-MM-DD" (midnight in Mexico City) or an ISO instant
 * (cli_parse_since), e.g. --since. */
int cli_parse_date(const char *cmd, const char *opt, const char *arg, time_t *out);
/* A time of day in Mexico City, "YYYY-MM-DD HH:MM", e.g. send --at. */
int cli_parse_local_time(const char *cmd, const char *opt, const char *arg, time_t *out);

/* getopt_long for every command (and main): getopt's own messages are
 * English, so they are off (opterr = 0) and an unknown option, a missing
 * argument or an argument to an option that takes none is said here, in the
 * language of the messages ("mailer check: opción desconocida: --force").
 * The command then prints its usage line as before. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* Before anything is sent (a real or a test send, not a dry run): the
 * sender s must have an SMTP server. A named sender always has one (its
 * SMTP_URL is required); the default one's must be in .env or the
 * environment. When none is, say so with the file looked for, and return
 * EX_CONFIG; 0 when one is. */
int cli_need_smtp(const struct cli *cli, const struct sender *s);

/* A time for people, in Mexico City, in the language of the messages:
 * "2026-11-30 12:00 (Mexico City time)" or "lunes 30 de noviembre de 2026 a
 * las 12:00 (hora de la Ciudad de México)". */
void cli_when(time_t t, char *out, size_t size);
/* A value of a campaign file as people read it: a kind ("bulletin" ->
 * "boletín") or a cadence ("monthly" -> "mensual"), in the language of the
 * messages; any other value as it is. */
const char *cli_value_name(const char *value);
/* A name bounce.h gives (a kind "bounce", a class "hard", a reason "user
 * unknown") as people read it, in the language of the messages; any other
 * name as it is. The ledger and JSON keep bounce.h's English names. */
const char *cli_bounce_word(const char *name);
/* A --since value: "YYYY-MM-DD" (midnight in Mexico City) or an ISO
 * instant, into t: 0, or -1 when it is neither. */
int cli_parse_since(const char *s, time_t *t);
/* 1 when s can name a contact list (contacts/NAME.csv: letters, digits,
 * '-', '_', '.'; at most 64), or is "*" (every list). */
int cli_list_name_ok(const char *s);
/* The mailings recorded with `mailer history` (of one list, or all when
 * list is NULL), printed for `history list` and `status`: text lines, or
 * JSON objects after *count earlier ones of an array (count updated).
 * 0, or -1 with err set. */
int cli_history_print(struct ledger *l, const char *list, int json, int *count, struct err *err);
/* Read the report's informe.conf into cfg: path (--informe), else
 * campaigns/informe.conf of the home, which may be absent (cfg stays
 * empty). 0, or -1 with err set (every problem of the file). */
struct report_config;
int cli_informe_load(const struct cli *cli, const char *path, struct report_config *cfg,
                     struct err *err);
/* Print s as a JSON string on stdout (value_json_quote); NULL as null. Out
 * of memory, the command dies (cli_die_nomem): never a value missing. */
void cli_json_str(const char *s);
/* The same for s[0..n), which may hold NUL bytes. */
void cli_json_strn(const char *s, size_t n);
/* The next member of a JSON object on stdout: ', "name": ' and s as
 * cli_json_str prints it. */
void cli_json_member(const char *name, const char *s);

/* MAILER_HOME: where campaigns/, contacts/ and templates/ are. */
const char *cli_home(const struct cli *cli);
/* Open the ledger (MAILER_DB, relative to the home). */
struct ledger *cli_ledger(const struct cli *cli, struct err *err);
/* Directory for lock files, beside the ledger. */
int cli_lock_dir(const struct cli *cli, struct buf *out);
/* Load a campaign; on failure print every problem and return the exit code
 * (c is then released); 0 on success. */
int cli_campaign(const struct cli *cli, const char *id, struct campaign *c);

/* mailer campaigns new ... (argv[0] "new"), in cmd_campaigns_new.c. */
int campaigns_new(int argc, char **argv, struct cli *cli);

/* The senders of the home (sender.h): the default one of the settings
 * (.env), and the profiles of senders.ini in the home (cli_senders_path).
 * -1 with err set (every problem of the file); release with
 * sender_profiles_release. */
int cli_senders(const struct cli *cli, struct sender_profiles *p, struct err *err);
/* senders.ini of the home ("senders.ini" when the home is "."). */
WARN_UNUSED_RESULT int cli_senders_path(const struct cli *cli, struct buf *out);
/* The sender campaign c leaves from (its `sender =`, after its edition's:
 * campaign_apply_edition; "" or NULL c: the default), resolved once: every
 * module below takes it, none reads the settings. A name senders.ini does
 * not define is a configuration error naming the campaign's file and line.
 * -1 with err set on failure; release s with sender_release either way. */
int cli_sender(const struct cli *cli, const struct campaign *c, struct sender *s, struct err *err);
/* "default" for .env's sender, else its name: how people read a name. */
const char *cli_sender_name(const char *name);

/* What one run of `mailer due` left behind, for the rest of that run. */
struct due_watch {
    int needs_person;   /* an account refusal, a refused login, uncertain deliveries... */
    int sender_stopped; /* stopped for a reason of its sender's mailbox (its daily limit,
                           an account-wide refusal, its server unreachable or silent):
                           due skips the sender's other mailings in that run */
    int sender_busy;    /* its sender was sending in another process: nothing was sent, and
                           due skips the sender's other mailings in that run too */
};

/* Run one send (o->campaign and o->edition set, the edition's overrides
 * applied): progress, signals, summary, exit code. From `mailer due`
 * (watch not NULL): quiet about a mailing whose only remaining deliveries
 * are deferred, and watch says what the run left for a person and for the
 * sender's other mailings. */
int cli_send_edition(struct cli *cli, struct send_opts *o, struct due_watch *watch);

#endif
