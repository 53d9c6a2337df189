/* cli_senders - a sender as people read it (mailer config, mailer check). */
#include "cli_senders.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"

#include "banned.h"

/* The .env the default sender comes from. */
static const char *env_path(const struct cli *cli)
{
    return cli->env_file ? cli->env_file : ".env";
}

static int is_default(const struct sender *s)
{
    return !strcmp(s->name, "default");
}

/* Where a literal secret of s was written: its file, or the environment. */
static void print_literal(const struct cli *cli, const struct sender *s,
                          const struct sender_secret *x, const char *indent)
{
    int id = config_find(x->setting);

    if (is_default(s) && id >= 0 && !strcmp(cli->config.origin[id], "env"))
        printf(_("%s  %s: given in the environment\n"), indent, x->setting);
    else
        printf(_("%s  %s: written in %s, which only its owner can read\n"), indent, x->setting,
               is_default(s) ? env_path(cli) : s->file);
}

/* One line per secret; the number of commands that are not there, SMTP's
 * and IMAP's. */
static void print_secrets(const struct cli *cli, const struct sender *s, const char *indent,
                          int *smtp, int *imap)
{
    struct sender_secret x[SENDER_SECRETS_MAX];
    size_t n, i;

    sender_secrets(s, x, &n);
    for (i = 0; i < n; i++) {
        if (x[i].source == SENDER_SECRET_LITERAL)
            print_literal(cli, s, &x[i], indent);
        else if (x[i].source == SENDER_SECRET_COMMAND && x[i].ok)
            printf(_("%s  %s: its command %s is there (it runs only to send or to read the "
                     "mailbox)\n"),
                   indent, x[i].setting, x[i].program);
        else if (x[i].source == SENDER_SECRET_COMMAND)
            printf(_("%s  %s: its command %s is not found: sending or reading will fail\n"), indent,
                   x[i].setting, x[i].program[0] ? x[i].program : "\"\"");
        else
            printf(_("%s  %s: missing: sending or reading will fail until it is set\n"), indent,
                   x[i].setting);
        /* a command that is not there fails for sure; a login without a
         * password (one may come from the environment of the run) is said */
        if (x[i].source == SENDER_SECRET_COMMAND && !x[i].ok)
            ++*(strncmp(x[i].setting, "SMTP_", 5) ? imap : smtp);
    }
}

/* The settings of s, a line each. */
static void print_settings(const struct cli *cli, const struct sender *s, const char *indent)
{
    printf(_("%s  From: %s\n"), indent, s->from);
    if (is_default(s) && !strcmp(cli->config.origin[CFG_SMTP_URL], "default"))
        printf(_("%s  SMTP: not configured (SMTP_URL): it sends nothing\n"), indent);
    else if (*s->smtp_user)
        printf(_("%s  SMTP: %s, user %s\n"), indent, s->smtp_url, s->smtp_user);
    else
        printf(_("%s  SMTP: %s, no login\n"), indent, s->smtp_url);
    if (s->rate_count > 0)
        printf(_("%s  rate: %ld messages every %ld s\n"), indent, s->rate_count, s->rate_seconds);
    else
        printf(_("%s  rate: no limit\n"), indent);
    if (s->daily_limit > 0)
        printf(_("%s  daily limit: %ld messages in 24 hours\n"), indent, s->daily_limit);
    else
        printf(_("%s  daily limit: none\n"), indent);
    printf(_("%s  connections: %d\n"), indent, s->concurrency);
    printf(_("%s  envelope sender (bounces): %s%s\n"), indent,
           *s->bounce_address ? s->bounce_address : _("the From address"),
           s->verp ? _(" (VERP)") : "");
    if (*s->imap_url)
        printf(_("%s  bounce mailbox: %s, user %s\n"), indent, s->imap_url, s->imap_user);
    else
        printf(_("%s  bounce mailbox: none (BOUNCE_IMAP_URL)\n"), indent);
    if (*s->unsub_imap_url)
        printf(_("%s  unsubscribe mailbox: %s\n"), indent, s->unsub_imap_url);
    printf(_("%s  unsubscribe: %s%s%s\n"), indent,
           *s->unsubscribe_mailto ? s->unsubscribe_mailto : _("the bounce address"),
           *s->unsubscribe_url ? ", " : "", s->unsubscribe_url);
}

int cli_sender_print(const struct cli *cli, const struct sender *s, const char *indent, int full,
                     int *imap_problems)
{
    int smtp = 0, imap = 0;

    if (is_default(s))
        printf(_("%ssender default (%s)\n"), indent, env_path(cli));
    else
        printf(_("%ssender %s (%s:%d)\n"), indent, s->name, s->file, s->line);
    if (full)
        print_settings(cli, s, indent);
    else
        printf(_("%s  From %s, by %s\n"), indent, s->from, s->smtp_url);
    print_secrets(cli, s, indent, &smtp, &imap);
    if (imap_problems)
        *imap_problems = imap;
    return smtp;
}
