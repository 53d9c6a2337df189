/* config - settings from defaults, .env, the environment and flags. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"

#include "banned.h"

const struct config_setting config_settings[CFG_COUNT] = {
    [CFG_SMTP_URL] = {"SMTP_URL", CONFIG_STRING, "smtp://127.0.0.1:587", NULL, 0,
                      "submission server(s): smtp://host:587 (STARTTLS) or smtps://host:465; "
                      "several separated by spaces, each optionally *WEIGHT"},
    [CFG_SMTP_TLS] = {"SMTP_TLS", CONFIG_CHOICE, "required", "required|none", 0,
                      "STARTTLS on smtp:// URLs: required, or none (loopback only)"},
    [CFG_SMTP_USER] = {"SMTP_USER", CONFIG_STRING, "", NULL, 0, "AUTH user name (empty: no AUTH)"},
    [CFG_SMTP_PASSWORD] = {"SMTP_PASSWORD", CONFIG_STRING, "", NULL, 1, "AUTH password"},
    [CFG_SMTP_PASSWORD_COMMAND] = {"SMTP_PASSWORD_COMMAND", CONFIG_STRING, "", NULL, 0,
                                   "command whose first output line is the password"},
    [CFG_SMTP_OAUTH_TOKEN_COMMAND] = {"SMTP_OAUTH_TOKEN_COMMAND", CONFIG_STRING, "", NULL, 0,
                                      "command printing an OAuth2 bearer token (XOAUTH2)"},
    [CFG_SMTP_CONCURRENCY] = {"SMTP_CONCURRENCY", CONFIG_INT, "4", NULL, 0,
                              "parallel SMTP connections (1-64)"},
    [CFG_SMTP_PRESET] = {"SMTP_PRESET", CONFIG_CHOICE, "", "|m365|gmail|none", 0,
                         "provider limits: m365 = 30/min and 10000/day"},
    [CFG_SMTP_RATE] = {"SMTP_RATE", CONFIG_RATE, "", NULL, 0,
                       "messages per time: 30/min, 2/s, 1000/hour (empty: no limit)"},
    [CFG_SMTP_DAILY_LIMIT] = {"SMTP_DAILY_LIMIT", CONFIG_INT, "0", NULL, 0,
                              "messages per rolling 24 hours (0: no limit)"},
    [CFG_SMTP_TIMEOUT] = {"SMTP_TIMEOUT", CONFIG_DURATION, "60s", NULL, 0,
                          "how long to wait for a server reply"},
    [CFG_SMTP_HELO] = {"SMTP_HELO", CONFIG_STRING, "localhost", NULL, 0, "EHLO name"},
    [CFG_CA_FILE] = {"CA_FILE", CONFIG_STRING, "", NULL, 0,
                     "PEM file of trusted CAs (empty: the system trust store)"},
    [CFG_MAIL_FROM] = {"MAIL_FROM", CONFIG_STRING,
                       "Voto Chilango <votochilango@votochilango.example>", NULL, 0,
                       "default From: of campaigns that do not set one"},
    [CFG_BOUNCE_ADDRESS] = {"BOUNCE_ADDRESS", CONFIG_STRING, "", NULL, 0,
                            "envelope sender that receives bounces (empty: the From address)"},
    [CFG_BOUNCE_VERP] = {"BOUNCE_VERP", CONFIG_CHOICE, "no", "no|yes", 0,
                         "yes: envelope sender bounces+TOKEN@domain, TOKEN naming the delivery"},
    [CFG_UNSUBSCRIBE_MAILTO] = {"UNSUBSCRIBE_MAILTO", CONFIG_STRING, "", NULL, 0,
                                "address for List-Unsubscribe (empty: the bounce address)"},
    [CFG_UNSUBSCRIBE_URL] = {"UNSUBSCRIBE_URL", CONFIG_STRING, "", NULL, 0,
                             "https one-click unsubscribe URL (empty: none)"},
    [CFG_RETRY_MAX_AGE] = {"RETRY_MAX_AGE", CONFIG_DURATION, "3d", NULL, 0,
                           "how long a deferred message is retried before it fails"},
    [CFG_RESEND_UNCERTAIN_AFTER] = {"RESEND_UNCERTAIN_AFTER", CONFIG_DURATION, "0", NULL, 0,
                                    "re-send an uncertain delivery after this long (0: never; "
                                    "risks a duplicate)"},
    [CFG_BOUNCE_IMAP_URL] = {"BOUNCE_IMAP_URL", CONFIG_STRING, "", NULL, 0,
                             "bounce mailbox: imaps://host:993/INBOX"},
    [CFG_BOUNCE_IMAP_USER] = {"BOUNCE_IMAP_USER", CONFIG_STRING, "", NULL, 0,
                              "bounce mailbox user"},
    [CFG_BOUNCE_IMAP_PASSWORD] = {"BOUNCE_IMAP_PASSWORD", CONFIG_STRING, "", NULL, 1,
                                  "bounce mailbox password"},
    [CFG_BOUNCE_IMAP_PASSWORD_COMMAND] = {"BOUNCE_IMAP_PASSWORD_COMMAND", CONFIG_STRING, "", NULL,
                                          0,
                                          "command whose first output line is the bounce "
                                          "mailbox password (instead of BOUNCE_IMAP_PASSWORD)"},
    [CFG_UNSUBSCRIBE_IMAP_URL] = {"UNSUBSCRIBE_IMAP_URL", CONFIG_STRING, "", NULL, 0,
                                  "mailbox of UNSUBSCRIBE_MAILTO when it is another address "
                                  "(\"bounce\": the bounce mailbox receives it)"},
    [CFG_UNSUBSCRIBE_IMAP_USER] = {"UNSUBSCRIBE_IMAP_USER", CONFIG_STRING, "", NULL, 0,
                                   "unsubscribe mailbox user (empty: BOUNCE_IMAP_USER)"},
    [CFG_UNSUBSCRIBE_IMAP_PASSWORD] = {"UNSUBSCRIBE_IMAP_PASSWORD", CONFIG_STRING, "", NULL, 1,
                                       "unsubscribe mailbox password (empty: "
                                       "BOUNCE_IMAP_PASSWORD)"},
    [CFG_BOUNCE_SOFT_LIMIT] = {"BOUNCE_SOFT_LIMIT", CONFIG_INT, "3", NULL, 0,
                               "soft bounces (mailbox full, greylisting...) that suppress an "
                               "address"},
    [CFG_BOUNCE_SOFT_WINDOW] = {"BOUNCE_SOFT_WINDOW", CONFIG_DURATION, "30d", NULL, 0,
                                "the window in which soft bounces are counted"},
    [CFG_MAILER_DB] = {"MAILER_DB", CONFIG_STRING, "var/mailer.db", NULL, 0,
                       "the SQLite ledger of mailings and deliveries"},
    [CFG_MAILER_HOME] = {"MAILER_HOME", CONFIG_STRING, ".", NULL, 0,
                         "directory holding campaigns/, contacts/ and templates/"},
    [CFG_NOTIFY_TO] = {"NOTIFY_TO", CONFIG_STRING, "", NULL, 0,
                       "who gets a summary when a cron run needs a person (addresses, by "
                       "commas; empty: only stderr)"},
};

int config_find(const char *name)
{
    int i;

    for (i = 0; i < CFG_COUNT; i++)
        if (!strcmp(config_settings[i].name, name))
            return i;
    return -1;
}

int config_parse_duration(const char *s, long *seconds)
{
    char *end;
    long n, mul = 1;

    errno = 0;
    n = strtol(s, &end, 10);
    if (errno || end == s || n < 0)
        return -1;
    if (!strcmp(end, "") || !strcmp(end, "s"))
        mul = 1;
    else if (!strcmp(end, "m") || !strcmp(end, "min"))
        mul = 60;
    else if (!strcmp(end, "h"))
        mul = 3600;
    else if (!strcmp(end, "d"))
        mul = 86400;
    else
        return -1;
    if (n > LONG_MAX / mul) /* found by fuzz_config: 290122513495155597d */
        return -1;
    *seconds = n * mul;
    return 0;
}

int config_parse_rate(const char *s, long *count, long *seconds)
{
    static const struct {
        const char *unit;
        long seconds;
    } units[] = {{"s", 1},    {"sec", 1},     {"second", 1}, {"min", 60},   {"minute", 60},
                 {"h", 3600}, {"hour", 3600}, {"d", 86400},  {"day", 86400}};
    char *end;
    long n;
    size_t i;

    errno = 0;
    n = strtol(s, &end, 10);
    if (errno || end == s || n <= 0 || *end != '/')
        return -1;
    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (!strcmp(end + 1, units[i].unit)) {
            *count = n;
            *seconds = units[i].seconds;
            return 0;
        }
    }
    return -1;
}

/* Check value against the setting's type; "" is always allowed for
 * strings and means "unset". */
int config_check(enum config_id id, const char *v, const char *where, struct err *err)
{
    const struct config_setting *s = &config_settings[id];
    long a, b;
    char *end;

    switch (s->type) {
    case CONFIG_STRING:
    case CONFIG_URL:
        if (strpbrk(v, "\r\n"))
            return err_set(err, ERR_CONFIG, "%s: %s: line breaks are not allowed", where, s->name);
        return 0;
    case CONFIG_INT:
        errno = 0;
        a = strtol(v, &end, 10);
        if (errno || end == v || *end || a < 0)
            return err_set(err, ERR_CONFIG, "%s: %s: \"%s\" is not a whole number", where, s->name,
                           v);
        if (id == CFG_SMTP_CONCURRENCY && (a < 1 || a > 64))
            return err_set(err, ERR_CONFIG, "%s: %s: must be between 1 and 64", where, s->name);
        return 0;
    case CONFIG_RATE:
        if (*v && config_parse_rate(v, &a, &b))
            return err_set(err, ERR_CONFIG,
                           "%s: %s: \"%s\" is not a rate (write it like 30/min, 2/s, 1000/hour)",
                           where, s->name, v);
        return 0;
    case CONFIG_DURATION:
        if (config_parse_duration(v, &a))
            return err_set(err, ERR_CONFIG,
                           "%s: %s: \"%s\" is not a duration (write it like 90s, 15m, 2h, 3d)",
                           where, s->name, v);
        return 0;
    case CONFIG_CHOICE: {
        const char *p = s->choices;
        size_t n = strlen(v);
        while (p) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            if (len == n && !strncmp(p, v, n))
                return 0;
            p = bar ? bar + 1 : NULL;
        }
        return err_set(err, ERR_CONFIG, "%s: %s: \"%s\" is not one of %s", where, s->name, v,
                       s->choices[0] == '|' ? s->choices + 1 : s->choices);
    }
    }
    return 0;
}

int config_set(struct config *c, enum config_id id, const char *value, const char *origin,
               struct err *err)
{
    char *copy;

    if (config_check(id, value, origin, err))
        return -1;
    copy = strdup(value);
    if (!copy)
        return err_nomem(err);
    free(c->value[id]);
    c->value[id] = copy;
    snprintf(c->origin[id], sizeof(c->origin[id]), "%s", origin);
    return 0;
}

/* An allocation failure is an error too: a password must never lose a
 * character silently. */
int config_parse_value(const char *p, struct buf *out, const char **why)
{
    int nomem = 0;

    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\'') {
        const char *end = strchr(p + 1, '\'');
        if (!end)
            return *why = "unterminated '...' quote", -1;
        nomem |= buf_add(out, p + 1, (size_t)(end - p - 1));
        p = end + 1;
    } else if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1]) {
                p++;
                nomem |= buf_addch(out, *p == 'n' ? '\n' : *p);
            } else {
                nomem |= buf_addch(out, *p);
            }
        }
        if (*p != '"')
            return *why = "unterminated \"...\" quote", -1;
        p++;
    } else {
        const char *start = p;
        while (*p && *p != '#')
            p++;
        while (p > start && (p[-1] == ' ' || p[-1] == '\t'))
            p--;
        nomem |= buf_add(out, start, (size_t)(p - start));
        if (nomem)
            return *why = "out of memory", -1;
        return 0;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p && *p != '#')
        return *why = "text after the closing quote", -1;
    if (nomem)
        return *why = "out of memory", -1;
    return 0;
}

static int parse_line(struct config *c, char *line, const char *where, int *has_secret,
                      struct err *err)
{
    struct buf val = BUF_INIT;
    const char *why = NULL;
    char *p = line, *eq, *name_end;
    int id, rc = -1;

    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0' || *p == '#')
        return 0;
    if (!strncmp(p, "export", 6) && (p[6] == ' ' || p[6] == '\t'))
        for (p += 6; *p == ' ' || *p == '\t';)
            p++;
    eq = strchr(p, '=');
    if (!eq)
        return err_set(err, ERR_CONFIG, "%s: expected NAME=value", where);
    name_end = eq;
    while (name_end > p && (name_end[-1] == ' ' || name_end[-1] == '\t'))
        name_end--;
    *name_end = '\0';
    id = config_find(p);
    if (id < 0)
        return err_set(err, ERR_CONFIG, "%s: unknown setting \"%s\" (see .env.example)", where, p);
    if (config_parse_value(eq + 1, &val, &why)) {
        err_set(err, ERR_CONFIG, "%s: %s: %s", where, p, why);
        goto out;
    }
    if (config_settings[id].secret && val.len)
        *has_secret = 1;
    rc = config_set(c, (enum config_id)id, val.data, where, err);
    if (!rc)
        snprintf(c->origin[id], sizeof(c->origin[id]), ".env");
out:
    buf_release(&val);
    return rc;
}

static int load_env_file(struct config *c, const char *path, int required, struct err *err)
{
    struct buf text = BUF_INIT, where = BUF_INIT;
    struct stat st;
    char *line, *next;
    size_t lineno = 0;
    int has_secret = 0, rc = -1, bad = 0;

    if (stat(path, &st)) {
        if (errno == ENOENT && !required)
            return 0;
        return err_errno(err, required ? ERR_NOINPUT : ERR_CONFIG, "%s", path);
    }
    text.cap = 1024 * 1024;
    if (buf_read_file(&text, path)) {
        err_errno(err, ERR_CONFIG, "%s: cannot read", path);
        goto out;
    }
    for (line = text.data; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (*line && line[strlen(line) - 1] == '\r')
            line[strlen(line) - 1] = '\0';
        if (buf_setf(&where, "%s:%zu", path, ++lineno)) {
            err_nomem(err);
            goto out;
        }
        if (parse_line(c, line, where.data, &has_secret, err)) /* report every bad line */
            bad = 1;
    }
    if (bad)
        goto out;
    if (has_secret && config_private(path, st.st_mode, err))
        goto out;
    rc = 0;
out:
    buf_release(&text);
    buf_release(&where);
    return rc;
}

int config_private(const char *path, mode_t mode, struct err *err)
{
    if (!(mode & 077))
        return 0;
    return err_set(err, ERR_CONFIG,
                   "%s holds a password and can be read by other users: run 'chmod 600 %s'", path,
                   path);
}

int config_copy(struct config *dst, const struct config *src, struct err *err)
{
    int i;

    memset(dst, 0, sizeof(*dst));
    for (i = 0; i < CFG_COUNT; i++) {
        if (src->value[i] && !(dst->value[i] = strdup(src->value[i]))) {
            config_release(dst);
            return err_nomem(err);
        }
        memcpy(dst->origin[i], src->origin[i], sizeof(dst->origin[i]));
    }
    return 0;
}

int config_load(struct config *c, const char *env_file, struct err *err)
{
    int i;

    memset(c, 0, sizeof(*c));
    for (i = 0; i < CFG_COUNT; i++)
        if (config_set(c, (enum config_id)i, config_settings[i].def, "default", err))
            return -1;
    if (load_env_file(c, env_file ? env_file : ".env", env_file != NULL, err))
        return -1;
    for (i = 0; i < CFG_COUNT; i++) {
        const char *v = getenv(config_settings[i].name);
        char where[64];
        if (!v)
            continue;
        snprintf(where, sizeof(where), "environment variable %s", config_settings[i].name);
        if (config_set(c, (enum config_id)i, v, where, err))
            return -1;
        snprintf(c->origin[i], sizeof(c->origin[i]), "env");
    }
    return 0;
}

void config_release(struct config *c)
{
    int i;

    for (i = 0; i < CFG_COUNT; i++) {
        if (c->value[i] && config_settings[i].secret)
            explicit_bzero(c->value[i], strlen(c->value[i]));
        free(c->value[i]);
        c->value[i] = NULL;
    }
}

const char *config_get(const struct config *c, enum config_id id)
{
    return c->value[id] ? c->value[id] : "";
}

long config_get_long(const struct config *c, enum config_id id)
{
    long v = 0;

    if (config_settings[id].type == CONFIG_DURATION)
        config_parse_duration(config_get(c, id), &v);
    else
        v = strtol(config_get(c, id), NULL, 10);
    return v;
}
