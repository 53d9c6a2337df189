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
 * Today there is one sender, "default", from .env and the environment
 * (sender_from_config). Named profiles (issue 18: senders.ini, a campaign's
 * `sender = NAME`, limits per mailbox) fill the same struct from another
 * source, over the default's values.
 *
 * Every string is owned by the struct and never NULL: "" when not set.
 * Secrets (the SMTP and IMAP passwords) are wiped by sender_release. A
 * password given by a command is run only when a send needs it
 * (sender_password), so that check, preview and dry runs never run it.
 */
#ifndef MAILER_SENDER_H
#define MAILER_SENDER_H

#include "config.h"
#include "err.h"

struct sender {
    char *name; /* "default": the one of .env */
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
    char *imap_password; /* secret */
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

#endif
