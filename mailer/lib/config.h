/* config - settings from defaults, .env, the environment and flags.
 *
 * Precedence: flag > environment variable > .env file > built-in default.
 * Every setting is in the table in config.c (and in .env.example, which a
 * test keeps in step with it). A .env line is `NAME=value`, optionally
 * prefixed with `export`, the value bare, 'single-quoted' (literal) or
 * "double-quoted" (\" \\ \n escapes); `#` starts a comment outside quotes.
 * An unknown name or a malformed value is an error naming file:line. A .env
 * that holds a password and is readable by group or others is refused.
 *
 * The command line reads the settings and resolves them into typed structs
 * (sender.h for a sending mailbox); the modules below take those structs.
 */
#ifndef MAILER_CONFIG_H
#define MAILER_CONFIG_H

#include <sys/types.h>

#include "err.h"

struct buf;

enum config_id {
    CFG_SMTP_URL,
    CFG_SMTP_TLS,
    CFG_SMTP_USER,
    CFG_SMTP_PASSWORD,
    CFG_SMTP_PASSWORD_COMMAND,
    CFG_SMTP_OAUTH_TOKEN_COMMAND,
    CFG_SMTP_CONCURRENCY,
    CFG_SMTP_PRESET,
    CFG_SMTP_RATE,
    CFG_SMTP_DAILY_LIMIT,
    CFG_SMTP_TIMEOUT,
    CFG_SMTP_HELO,
    CFG_CA_FILE,
    CFG_MAIL_FROM,
    CFG_BOUNCE_ADDRESS,
    CFG_BOUNCE_VERP,
    CFG_UNSUBSCRIBE_MAILTO,
    CFG_UNSUBSCRIBE_URL,
    CFG_RETRY_MAX_AGE,
    CFG_RESEND_UNCERTAIN_AFTER,
    CFG_BOUNCE_IMAP_URL,
    CFG_BOUNCE_IMAP_USER,
    CFG_BOUNCE_IMAP_PASSWORD,
    CFG_BOUNCE_IMAP_PASSWORD_COMMAND,
    CFG_UNSUBSCRIBE_IMAP_URL,
    CFG_UNSUBSCRIBE_IMAP_USER,
    CFG_UNSUBSCRIBE_IMAP_PASSWORD,
    CFG_BOUNCE_SOFT_LIMIT,
    CFG_BOUNCE_SOFT_WINDOW,
    CFG_MAILER_DB,
    CFG_MAILER_HOME,
    CFG_NOTIFY_TO,
    CFG_COUNT
};

enum config_type {
    CONFIG_STRING,
    CONFIG_INT,
    CONFIG_URL,
    CONFIG_RATE,
    CONFIG_DURATION,
    CONFIG_CHOICE
};

struct config_setting {
    const char *name;
    enum config_type type;
    const char *def;     /* default value ("" for none) */
    const char *choices; /* CONFIG_CHOICE: "a|b|c" */
    int secret;          /* never printed, refused in a world-readable .env */
    const char *help;
};

struct config {
    char *value[CFG_COUNT];
    char origin[CFG_COUNT][16]; /* "default", "env", ".env", "flag" */
};

extern const struct config_setting config_settings[CFG_COUNT];

/* Fill c with defaults, then env_file (NULL: ".env" if it exists; a named
 * file must exist), then the process environment. */
int config_load(struct config *c, const char *env_file, struct err *err);
void config_release(struct config *c);
/* Set one setting (a flag); origin is recorded for `-v`. */
int config_set(struct config *c, enum config_id id, const char *value, const char *origin,
               struct err *err);
/* Look a setting up by name; -1 when unknown. */
int config_find(const char *name);

const char *config_get(const struct config *c, enum config_id id);
long config_get_long(const struct config *c, enum config_id id);

/* The value part of a .env line (what follows '='): bare (up to a `#`,
 * trailing blanks dropped), 'single-quoted' (literal) or "double-quoted"
 * (\" \\ \n escapes), appended to out. 0, or -1 with *why (static English
 * text: "unterminated '...' quote", "out of memory") set. Untrusted input;
 * senders.ini's values are read by it too (sender_profiles.c). */
int config_parse_value(const char *p, struct buf *out, const char **why);
/* Check value against the type of setting id: 0, or -1 with err set to
 * "where: NAME: what is wrong" (ERR_CONFIG). "" is allowed for strings. */
int config_check(enum config_id id, const char *value, const char *where, struct err *err);
/* A file that holds a password (path, its mode from stat) may not be
 * readable by group or others: 0, or -1 with err set ("run 'chmod 600'"). */
int config_private(const char *path, mode_t mode, struct err *err);
/* dst (not initialised) becomes a copy of src; -1 with err set (out of
 * memory), dst then empty. Release with config_release. */
int config_copy(struct config *dst, const struct config *src, struct err *err);

/* Parse "30/min", "2/s", "1000/hour", "500/day" into count and seconds. */
int config_parse_rate(const char *s, long *count, long *seconds);
/* Parse "90", "90s", "15m", "2h", "3d" into seconds. */
int config_parse_duration(const char *s, long *seconds);

#endif
