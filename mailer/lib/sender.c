/* sender - one sending mailbox, its settings resolved once and typed. */
#include "sender.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "transport.h"

#include "banned.h"

/* A copy of setting id ("" when unset); 0, or -1 out of memory. */
static int take(char **dst, const struct config *cfg, enum config_id id)
{
    *dst = strdup(config_get(cfg, id));
    return *dst ? 0 : -1;
}

/* The rate and daily limit: SMTP_RATE and SMTP_DAILY_LIMIT, a preset's
 * where they are not set (Microsoft 365: 30 a minute and 10,000 a day;
 * Google Workspace: 2,000 a day and no published rate, so 60 a minute). */
static int resolve_limits(struct sender *s, const struct config *cfg, struct err *err)
{
    const char *preset = config_get(cfg, CFG_SMTP_PRESET);
    const char *rate = config_get(cfg, CFG_SMTP_RATE);

    s->daily_limit = config_get_long(cfg, CFG_SMTP_DAILY_LIMIT);
    if (!strcmp(preset, "m365")) {
        s->rate_count = 30, s->rate_seconds = 60;
        if (!s->daily_limit)
            s->daily_limit = 10000;
    } else if (!strcmp(preset, "gmail")) {
        s->rate_count = 60, s->rate_seconds = 60;
        if (!s->daily_limit)
            s->daily_limit = 2000;
    }
    if (*rate && config_parse_rate(rate, &s->rate_count, &s->rate_seconds))
        return err_set(err, ERR_CONFIG, "SMTP_RATE: \"%s\" is not a rate", rate);
    return 0;
}

int sender_from_config(struct sender *s, const struct config *cfg, struct err *err)
{
    memset(s, 0, sizeof(*s));
    if (!(s->name = strdup("default")) || !(s->file = strdup("")) ||
        take(&s->from, cfg, CFG_MAIL_FROM) || take(&s->smtp_url, cfg, CFG_SMTP_URL) ||
        take(&s->smtp_user, cfg, CFG_SMTP_USER) ||
        take(&s->smtp_password, cfg, CFG_SMTP_PASSWORD) ||
        take(&s->smtp_password_command, cfg, CFG_SMTP_PASSWORD_COMMAND) ||
        take(&s->smtp_oauth_token_command, cfg, CFG_SMTP_OAUTH_TOKEN_COMMAND) ||
        take(&s->smtp_helo, cfg, CFG_SMTP_HELO) || take(&s->ca_file, cfg, CFG_CA_FILE) ||
        take(&s->bounce_address, cfg, CFG_BOUNCE_ADDRESS) ||
        take(&s->unsubscribe_mailto, cfg, CFG_UNSUBSCRIBE_MAILTO) ||
        take(&s->unsubscribe_url, cfg, CFG_UNSUBSCRIBE_URL) ||
        take(&s->imap_url, cfg, CFG_BOUNCE_IMAP_URL) ||
        take(&s->imap_user, cfg, CFG_BOUNCE_IMAP_USER) ||
        take(&s->imap_password, cfg, CFG_BOUNCE_IMAP_PASSWORD) ||
        take(&s->imap_password_command, cfg, CFG_BOUNCE_IMAP_PASSWORD_COMMAND) ||
        take(&s->unsub_imap_url, cfg, CFG_UNSUBSCRIBE_IMAP_URL) ||
        take(&s->unsub_imap_user, cfg, CFG_UNSUBSCRIBE_IMAP_USER) ||
        take(&s->unsub_imap_password, cfg, CFG_UNSUBSCRIBE_IMAP_PASSWORD)) {
        sender_release(s);
        return err_nomem(err);
    }
    s->smtp_require_tls = strcmp(config_get(cfg, CFG_SMTP_TLS), "none") != 0;
    s->concurrency = (int)config_get_long(cfg, CFG_SMTP_CONCURRENCY);
    s->timeout = config_get_long(cfg, CFG_SMTP_TIMEOUT);
    s->verp = !strcmp(config_get(cfg, CFG_BOUNCE_VERP), "yes");
    if (resolve_limits(s, cfg, err)) {
        sender_release(s);
        return -1;
    }
    return 0;
}

void sender_secret_free(char *secret)
{
    if (secret)
        explicit_bzero(secret, strlen(secret));
    free(secret);
}

void sender_release(struct sender *s)
{
    free(s->name);
    free(s->file);
    free(s->from);
    free(s->smtp_url);
    free(s->smtp_user);
    sender_secret_free(s->smtp_password);
    free(s->smtp_password_command);
    free(s->smtp_oauth_token_command);
    free(s->smtp_helo);
    free(s->ca_file);
    free(s->bounce_address);
    free(s->unsubscribe_mailto);
    free(s->unsubscribe_url);
    free(s->imap_url);
    free(s->imap_user);
    sender_secret_free(s->imap_password);
    free(s->imap_password_command);
    free(s->unsub_imap_url);
    free(s->unsub_imap_user);
    sender_secret_free(s->unsub_imap_password);
    memset(s, 0, sizeof(*s));
}

char *sender_secret_run(const char *command, const char *what, struct err *err)
{
    struct buf out = BUF_INIT;
    char chunk[512];
    FILE *p;
    size_t n;
    int status, full = 0;

    out.cap = 64 * 1024;
    p = popen(command, "r");
    if (!p) {
        err_errno(err, ERR_CONFIG, "%s: cannot run", what);
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0 && !full)
        if (buf_add(&out, chunk, n))
            full = errno == ENOSPC ? 2 : 1; /* over the cap, or out of memory */
    explicit_bzero(chunk, sizeof(chunk));
    status = pclose(p);
    if (full || status != 0 || out.len == 0) {
        if (full == 2)
            err_set(err, ERR_CONFIG, "%s: the command printed more than 64 KiB", what);
        else if (full)
            err_nomem(err);
        else
            err_set(err, ERR_CONFIG, "%s: the command failed or printed nothing", what);
        explicit_bzero(out.data, out.len);
        buf_release(&out);
        return NULL;
    }
    n = strcspn(out.data, "\r\n");
    explicit_bzero(out.data + n, out.len - n);
    buf_setlen(&out, n);
    return buf_detach(&out, NULL);
}

char *sender_password(const struct sender *s, struct err *err)
{
    char *pw;

    if (*s->smtp_password) {
        if (!(pw = strdup(s->smtp_password)))
            err_nomem(err);
        return pw;
    }
    if (!*s->smtp_password_command)
        return NULL;
    return sender_secret_run(s->smtp_password_command, "SMTP_PASSWORD_COMMAND", err);
}

char *sender_oauth_token(const struct sender *s, struct err *err)
{
    if (!*s->smtp_oauth_token_command)
        return NULL;
    return sender_secret_run(s->smtp_oauth_token_command, "SMTP_OAUTH_TOKEN_COMMAND", err);
}

int sender_address(const char *from, char *out, size_t size)
{
    const char *p = strchr(from, '<') ? strchr(from, '<') + 1 : from;
    size_t n;

    while (*p == ' ' || *p == '\t')
        p++;
    n = strcspn(p, "> \t");
    if (n >= size || !memchr(p, '@', n)) {
        if (size)
            out[0] = '\0';
        return -1;
    }
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

/* The program a command runs (its first word, quotes removed) into out, and
 * whether it exists and may be run: by its path when it has a '/', else
 * in a directory of PATH. */
static int program_found(const char *command, char *out, size_t size)
{
    const char *p = command, *path = getenv("PATH"), *dir;
    char quote = 0, full[4096];
    size_t n = 0, len;

    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\'' || *p == '"')
        quote = *p++;
    for (; *p && (quote ? *p != quote : (*p != ' ' && *p != '\t')) && n + 1 < size; p++)
        out[n++] = *p;
    out[n] = '\0';
    if (!n)
        return 0;
    if (strchr(out, '/'))
        return access(out, X_OK) == 0;
    for (dir = path ? path : "/usr/bin:/bin"; dir;
         dir = strchr(dir, ':') ? strchr(dir, ':') + 1 : NULL) {
        len = strcspn(dir, ":");
        if (snprintf(full, sizeof(full), "%.*s/%s", (int)len, len ? dir : ".", out) <
                (int)sizeof(full) &&
            access(full, X_OK) == 0)
            return 1;
    }
    return 0;
}

/* One secret: a literal, else a command, else missing when needed. */
static void secret_of(struct sender_secret *out, size_t *n, const char *literal_setting,
                      const char *literal, const char *command_setting, const char *command,
                      int needed)
{
    struct sender_secret *x = &out[*n];

    memset(x, 0, sizeof(*x));
    if (*literal) {
        x->setting = literal_setting;
        x->source = SENDER_SECRET_LITERAL;
        x->ok = 1;
    } else if (command && *command) {
        x->setting = command_setting;
        x->source = SENDER_SECRET_COMMAND;
        x->ok = program_found(command, x->program, sizeof(x->program));
    } else if (needed) {
        x->setting = command_setting ? command_setting : literal_setting;
        x->source = SENDER_SECRET_MISSING;
    } else {
        return;
    }
    (*n)++;
}

void sender_secrets(const struct sender *s, struct sender_secret out[SENDER_SECRETS_MAX], size_t *n)
{
    int unsub = *s->unsub_imap_url && strcmp(s->unsub_imap_url, "bounce");

    *n = 0;
    /* a token command logs in by itself; a password alongside it is listed too */
    secret_of(out, n, "SMTP_PASSWORD", s->smtp_password, "SMTP_PASSWORD_COMMAND",
              s->smtp_password_command, *s->smtp_user && !*s->smtp_oauth_token_command);
    secret_of(out, n, "", "", "SMTP_OAUTH_TOKEN_COMMAND", s->smtp_oauth_token_command, 0);
    secret_of(out, n, "BOUNCE_IMAP_PASSWORD", s->imap_password, "BOUNCE_IMAP_PASSWORD_COMMAND",
              s->imap_password_command, *s->imap_url != '\0');
    if (unsub)
        secret_of(out, n, "UNSUBSCRIBE_IMAP_PASSWORD", s->unsub_imap_password, NULL, NULL, 0);
}

int sender_transport_config(const struct sender *s, int concurrency, struct transport_config *tc,
                            char **password, char **token, struct err *err)
{
    *token = NULL;
    if (!(*password = sender_password(s, err)) && err->kind != ERR_NONE)
        return -1;
    if (!(*token = sender_oauth_token(s, err)) && err->kind != ERR_NONE)
        return -1;
    memset(tc, 0, sizeof(*tc));
    tc->url = s->smtp_url;
    tc->user = *s->smtp_user ? s->smtp_user : NULL;
    tc->password = *password;
    tc->oauth_token = *token;
    tc->ca_file = *s->ca_file ? s->ca_file : NULL;
    tc->helo = s->smtp_helo;
    tc->require_tls = s->smtp_require_tls;
    tc->concurrency = concurrency > 0 ? concurrency : s->concurrency;
    tc->timeout_ms = s->timeout * 1000;
    return 0;
}
