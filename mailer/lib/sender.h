/* sender - one sending mailbox, its settings resolved once and typed.
 *
 * A sender is everything a mailing needs of the mailbox it leaves from:
 * the From of campaigns that set none, the SMTP server(s) and login, TLS,
 * the provider's limits, the envelope (bounce) address and VERP, the
 * unsubscribe addresses, and the mailbox where bounces and replies come
 * back (IMAP). The command line resolves one before a command needs it and
 * passes it down: compose, throttle and send read the struct, never the
 * settings (config.h).
 *
 * The default sender, "default", comes from .env and the environment
 * (sender_from_config); the named profiles of senders.ini (issue 18) are
 * read by sender_profiles_load (sender_profiles.c, the other half of this
 * module) into the same struct. A campaign names its sender (`sender =
 * NAME`); its limits are counted per sender (throttle.h).
 *
 * Every string is owned by the struct and never NULL: "" when not set.
 * Secrets (the SMTP and IMAP passwords) are wiped by sender_release. A
 * password given by a command is run only when a send needs it
 * (sender_password), so that check, preview and dry runs never run it.
 */
#ifndef MAILER_SENDER_H
#define MAILER_SENDER_H

#include <stddef.h>

#include "config.h"
#include "err.h"

struct sender {
    char *name; /* "default": the one of .env */
    char *file; /* where it is defined: "" for .env's, else senders.ini's path */
    int line;   /* the line of its [remitente NAME] section; 0 for .env's */
    char *from; /* From of campaigns that set none: "Name <address>" */

    /* submission (SMTP) */
    char *smtp_url;                 /* one or several relays, separated by spaces */
    char *smtp_user;                /* "": no AUTH */
    char *smtp_password;            /* secret; "": from the command, or none */
    char *smtp_password_command;    /* its first output line is the password */
    char *smtp_oauth_token_command; /* prints an XOAUTH2 bearer token */
    int smtp_require_tls;           /* STARTTLS on smtp:// (0: plain, loopback only) */
    char *smtp_helo;                /* EHLO name */
    char *ca_file;                  /* PEM file of trusted CAs, "": the system's */
    int concurrency;                /* connections, 1..64 */
    long timeout;                   /* seconds to wait for a reply */

    /* the provider's limits, a preset (m365, gmail) resolved */
    long rate_count, rate_seconds; /* rate_count messages per rate_seconds; 0: no rate */
    long daily_limit;              /* messages per rolling 24 hours; 0: none */

    /* what comes back */
    char *bounce_address;     /* envelope sender, "": the From address */
    int verp;                 /* envelope local+TOKEN@domain */
    char *unsubscribe_mailto; /* List-Unsubscribe mailto, "": the bounce address */
    char *unsubscribe_url;    /* public base of the one-click endpoint, "": none */
    char *imap_url;           /* the bounce/reply mailbox, imaps://host:993/INBOX */
    char *imap_user;
    char *imap_password;         /* secret; "": from the command */
    char *imap_password_command; /* its first output line is the mailbox password */
    /* the mailbox of unsubscribe_mailto when it is another address
     * (UNSUBSCRIBE_IMAP_*: "bounce" says the bounce mailbox receives it; the
     * user and password, when "", are the bounce mailbox's) */
    char *unsub_imap_url;
    char *unsub_imap_user;
    char *unsub_imap_password; /* secret */
};

/* The default sender from the settings (.env, the environment, flags).
 * On failure (out of memory, a malformed rate) s is released and err set. */
int sender_from_config(struct sender *s, const struct config *cfg, struct err *err);
/* Free what s holds, wiping its secrets; s is then empty. */
void sender_release(struct sender *s);

/* The SMTP password: smtp_password, else the first line the password
 * command prints (run now). Free with sender_secret_free. NULL with err unset
 * when none is configured, NULL with err set when the command fails. */
char *sender_password(const struct sender *s, struct err *err);
/* The XOAUTH2 bearer token the token command prints (run now), the same
 * way; NULL with err unset when no command is configured. */
char *sender_oauth_token(const struct sender *s, struct err *err);
/* The first line command prints, run now (what names the setting, for
 * messages): the password commands. Wipe and free with sender_secret_free;
 * NULL with err set when it fails or prints nothing. */
char *sender_secret_run(const char *command, const char *what, struct err *err);
/* Wipe and free a secret (NULL is ok). */
void sender_secret_free(char *secret);

/* The SMTP transport settings of s (transport.h) for concurrency
 * connections (0: the sender's own), its login secrets run now (a password
 * or token command) into *password and *token (NULL when not configured;
 * free both with sender_secret_free, also on failure): tc's strings point
 * into s and them. 0, or -1 with err set. */
struct transport_config;
int sender_transport_config(const struct sender *s, int concurrency, struct transport_config *tc,
                            char **password, char **token, struct err *err);

/* The address of a From value ("Name <a@b>" or "a@b"), into out: 0, or -1
 * when from holds no address (out then ""). Not checked further. */
int sender_address(const char *from, char *out, size_t size);

/* A secret a sender needs, and whether it can be had, found without
 * running any command and without showing it (mailer config, check). */
enum sender_secret_source {
    SENDER_SECRET_MISSING, /* needed (a login, a mailbox) and not configured */
    SENDER_SECRET_LITERAL, /* written in the sender's file (private, checked when read) */
    SENDER_SECRET_COMMAND, /* a command prints it */
};
struct sender_secret {
    const char *setting; /* static: "SMTP_PASSWORD_COMMAND", "BOUNCE_IMAP_PASSWORD"... */
    enum sender_secret_source source;
    char program[256]; /* a command's program (its first word) */
    int ok;            /* literal: 1; command: its program exists and may be run; missing: 0 */
};
#define SENDER_SECRETS_MAX 5
/* The secrets of s, in out[0..*n): the SMTP login's (password, password
 * command, XOAUTH2 token command), the bounce mailbox's and the
 * unsubscribe mailbox's. */
void sender_secrets(const struct sender *s, struct sender_secret out[SENDER_SECRETS_MAX],
                    size_t *n);

/* ---- sender_profiles.c: senders.ini ----
 *
 * senders.ini, in the mailer home, holds the named senders: sections
 * [remitente NAME] (or [sender NAME]), each with settings of .env's names
 * (any case) and value syntax (bare, 'single' or "double" quoted; `#` and
 * `;` start a comment line). NAME: letters, digits, '-', '_', '.' (at most
 * 64); "default" is .env's and cannot be redefined.
 *
 * What names or opens a mailbox is the profile's own and is never taken from
 * .env: MAIL_FROM and SMTP_URL (both required), SMTP_USER and its password,
 * password command or XOAUTH2 token command (one of them when SMTP_USER is
 * set), BOUNCE_ADDRESS, UNSUBSCRIBE_MAILTO, BOUNCE_IMAP_* and
 * UNSUBSCRIBE_IMAP_*: a login is never borrowed from another mailbox. How to
 * talk to servers and how fast (SMTP_TLS, SMTP_HELO, SMTP_TIMEOUT, CA_FILE,
 * SMTP_CONCURRENCY, SMTP_PRESET, SMTP_RATE, SMTP_DAILY_LIMIT, BOUNCE_VERP,
 * UNSUBSCRIBE_URL) is taken from the default sender's settings unless the
 * profile sets it; the limits are still counted per sender. A run-wide
 * setting (RETRY_MAX_AGE, MAILER_DB...) is refused: it belongs in .env.
 *
 * Every problem (unknown section or setting, bad value, a name twice, a
 * required setting missing) is reported as "file:line: ...", all of them.
 * A file holding a password (SMTP_PASSWORD, BOUNCE_IMAP_PASSWORD,
 * UNSUBSCRIBE_IMAP_PASSWORD) is refused when group or others may read it,
 * as .env is. The file is untrusted text.
 */
struct sender_profiles {
    struct sender *v; /* v[0] is the default sender, then the file's in order */
    size_t n;
};

/* The default sender from cfg and the profiles of path (a missing file: no
 * profiles). On failure p is empty and err holds every problem. */
int sender_profiles_load(struct sender_profiles *p, const struct config *cfg, const char *path,
                         struct err *err);
/* The sender called name ("" or NULL: the default), NULL when none is. */
const struct sender *sender_profiles_find(const struct sender_profiles *p, const char *name);
/* Move the sender called name out of p into out (p keeps an empty one);
 * -1 when there is none. */
int sender_profiles_take(struct sender_profiles *p, const char *name, struct sender *out);
void sender_profiles_release(struct sender_profiles *p);
/* 1 when s may name a sender (the rule above). */
int sender_name_ok(const char *s);

#endif
