/* sender_profiles - the named senders of senders.ini (sender.h). */
#include "sender.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "array.h"
#include "buf.h"

#include "banned.h"

/* The settings of a sender. own: what names or opens a mailbox, never
 * taken from .env (reset to "" in a profile); the others are .env's
 * unless the profile sets them. */
static const struct {
    enum config_id id;
    int own;
} profile_keys[] = {
    {CFG_MAIL_FROM, 1},
    {CFG_SMTP_URL, 1},
    {CFG_SMTP_USER, 1},
    {CFG_SMTP_PASSWORD, 1},
    {CFG_SMTP_PASSWORD_COMMAND, 1},
    {CFG_SMTP_OAUTH_TOKEN_COMMAND, 1},
    {CFG_BOUNCE_ADDRESS, 1},
    {CFG_UNSUBSCRIBE_MAILTO, 1},
    {CFG_BOUNCE_IMAP_URL, 1},
    {CFG_BOUNCE_IMAP_USER, 1},
    {CFG_BOUNCE_IMAP_PASSWORD, 1},
    {CFG_BOUNCE_IMAP_PASSWORD_COMMAND, 1},
    {CFG_UNSUBSCRIBE_IMAP_URL, 1},
    {CFG_UNSUBSCRIBE_IMAP_USER, 1},
    {CFG_UNSUBSCRIBE_IMAP_PASSWORD, 1},
    {CFG_SMTP_TLS, 0},
    {CFG_SMTP_CONCURRENCY, 0},
    {CFG_SMTP_PRESET, 0},
    {CFG_SMTP_RATE, 0},
    {CFG_SMTP_DAILY_LIMIT, 0},
    {CFG_SMTP_TIMEOUT, 0},
    {CFG_SMTP_HELO, 0},
    {CFG_CA_FILE, 0},
    {CFG_BOUNCE_VERP, 0},
    {CFG_UNSUBSCRIBE_URL, 0},
};
#define NKEYS (sizeof(profile_keys) / sizeof(profile_keys[0]))

struct seen {
    char name[65];
    int line;
};

struct parse {
    const char *path;
    const struct config *cfg; /* the default sender's settings */
    struct sender_profiles *p;
    struct err *err;
    int errors;
    int has_secret;
    struct seen *seen; /* every section's name, for names given twice */
    size_t nseen, seen_alloc;
    /* the section being read (in: 1) */
    int in, line;
    struct config sec;
    int set_at[CFG_COUNT]; /* the line each setting was set on; 0: not set */
    struct buf where;      /* "path:line" */
};

int sender_name_ok(const char *s)
{
    size_t i, n = strlen(s);

    if (!n || n > 64)
        return 0;
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
            return 0;
    return 1;
}

static int key_index(enum config_id id)
{
    size_t i;

    for (i = 0; i < NKEYS; i++)
        if (profile_keys[i].id == id)
            return (int)i;
    return -1;
}

/* The section's required settings and their pairs, said at its line. */
static void section_complete(struct parse *ps, const char *name)
{
    const struct config *c = &ps->sec;
    char address[320];
    int errors = 0;

#define SET(id) (*config_get(c, id) != '\0')
    if (!SET(CFG_MAIL_FROM))
        errors++, err_set(ps->err, ERR_CONFIG,
                          "%s:%d: [remitente %s]: MAIL_FROM is missing (the From of its "
                          "campaigns)",
                          ps->path, ps->line, name);
    else if (sender_address(config_get(c, CFG_MAIL_FROM), address, sizeof(address)))
        errors++, err_set(ps->err, ERR_CONFIG, "%s:%d: MAIL_FROM: \"%s\" holds no address",
                          ps->path, ps->set_at[CFG_MAIL_FROM], config_get(c, CFG_MAIL_FROM));
    if (!SET(CFG_SMTP_URL))
        errors++,
            err_set(ps->err, ERR_CONFIG, "%s:%d: [remitente %s]: SMTP_URL is missing (its server)",
                    ps->path, ps->line, name);
    if (SET(CFG_SMTP_USER) && !SET(CFG_SMTP_PASSWORD) && !SET(CFG_SMTP_PASSWORD_COMMAND) &&
        !SET(CFG_SMTP_OAUTH_TOKEN_COMMAND))
        errors++, err_set(ps->err, ERR_CONFIG,
                          "%s:%d: [remitente %s]: SMTP_USER is set, but not its password: set "
                          "SMTP_PASSWORD_COMMAND (or SMTP_OAUTH_TOKEN_COMMAND, or "
                          "SMTP_PASSWORD); a profile never takes the login of .env",
                          ps->path, ps->line, name);
    if (SET(CFG_BOUNCE_IMAP_URL) &&
        (!SET(CFG_BOUNCE_IMAP_USER) ||
         (!SET(CFG_BOUNCE_IMAP_PASSWORD) && !SET(CFG_BOUNCE_IMAP_PASSWORD_COMMAND))))
        errors++, err_set(ps->err, ERR_CONFIG,
                          "%s:%d: [remitente %s]: BOUNCE_IMAP_URL is set, but not its user "
                          "(BOUNCE_IMAP_USER) and password (BOUNCE_IMAP_PASSWORD_COMMAND or "
                          "BOUNCE_IMAP_PASSWORD)",
                          ps->path, ps->line, name);
#undef SET
    ps->errors += errors;
}

/* The section being read becomes a sender of p (when it has no problem). */
static int section_end(struct parse *ps)
{
    struct sender s, *grown;
    const char *name;
    int errors = ps->errors, rc = 0;

    if (!ps->in)
        return 0;
    ps->in = 0;
    name = ps->seen[ps->nseen - 1].name;
    section_complete(ps, name);
    if (ps->errors == errors) {
        if (sender_from_config(&s, &ps->sec, ps->err)) {
            ps->errors++;
        } else {
            free(s.name);
            free(s.file);
            s.name = strdup(name);
            s.file = strdup(ps->path);
            s.line = ps->line;
            grown = realloc(ps->p->v, (ps->p->n + 1) * sizeof(*grown));
            if (!s.name || !s.file || !grown) {
                if (grown)
                    ps->p->v = grown;
                sender_release(&s);
                rc = err_nomem(ps->err);
            } else {
                ps->p->v = grown;
                ps->p->v[ps->p->n++] = s;
            }
        }
    }
    config_release(&ps->sec);
    return rc;
}

/* The name of a section header (line is what follows '['), "" when it is
 * not [remitente NAME] or [sender NAME]; the line is cut in place. */
static char *section_name(char *line)
{
    char *end = strrchr(line, ']'), *name;
    size_t k;

    if (!end || end[1])
        return NULL;
    *end = '\0';
    if (!strncmp(line, "remitente", 9) && (line[9] == ' ' || line[9] == '\t'))
        name = line + 9;
    else if (!strncmp(line, "sender", 6) && (line[6] == ' ' || line[6] == '\t'))
        name = line + 6;
    else
        return end; /* "" */
    while (*name == ' ' || *name == '\t')
        name++;
    for (k = strlen(name); k && (name[k - 1] == ' ' || name[k - 1] == '\t');)
        name[--k] = '\0';
    return name;
}

/* Whether a section may be called name: 0, or 1 after saying why not. */
static int section_refused(struct parse *ps, const char *line, const char *name, int lineno)
{
    size_t i;

    if (!name)
        err_set(ps->err, ERR_CONFIG, "%s:%d: a section is written [remitente NAME]", ps->path,
                lineno);
    else if (!*name)
        err_set(ps->err, ERR_CONFIG,
                "%s:%d: unknown section [%s] (write [remitente NAME] for each sender)", ps->path,
                lineno, line);
    else if (!strcmp(name, "default"))
        err_set(ps->err, ERR_CONFIG,
                "%s:%d: [remitente default]: \"default\" is the sender of .env; give this one "
                "another name",
                ps->path, lineno);
    else if (!sender_name_ok(name))
        err_set(ps->err, ERR_CONFIG,
                "%s:%d: [remitente %s]: a sender's name is letters, digits, - _ and . (at most "
                "64)",
                ps->path, lineno, name);
    else {
        for (i = 0; i < ps->nseen; i++)
            if (!strcmp(ps->seen[i].name, name))
                break;
        if (i == ps->nseen)
            return 0;
        err_set(ps->err, ERR_CONFIG, "%s:%d: [remitente %s] is defined twice (first on line %d)",
                ps->path, lineno, name, ps->seen[i].line);
    }
    ps->errors++;
    return 1;
}

/* A section header: the one before it ends, this one starts (its own-keys
 * emptied, the others .env's). */
static int section_start(struct parse *ps, char *line, int lineno)
{
    char *name;
    struct seen *grown;
    size_t i;

    if (section_end(ps))
        return -1;
    name = section_name(line);
    if (section_refused(ps, line, name, lineno))
        return 0;
    if (ps->nseen == ps->seen_alloc) {
        if (!(grown = array_grow(ps->seen, &ps->seen_alloc, 8, sizeof(*grown))))
            return err_nomem(ps->err);
        ps->seen = grown;
    }
    snprintf(ps->seen[ps->nseen].name, sizeof(ps->seen[0].name), "%s", name);
    ps->seen[ps->nseen++].line = lineno;
    if (config_copy(&ps->sec, ps->cfg, ps->err))
        return -1;
    for (i = 0; i < NKEYS; i++)
        if (profile_keys[i].own &&
            config_set(&ps->sec, profile_keys[i].id, "", "default", ps->err)) {
            config_release(&ps->sec);
            return -1;
        }
    memset(ps->set_at, 0, sizeof(ps->set_at));
    ps->in = 1;
    ps->line = lineno;
    return 0;
}

/* Why the setting called key cannot be set here (id its config_id, -1
 * unknown): 1 after saying so, else 0. */
static int setting_refused(struct parse *ps, const char *key, int id)
{
    const char *where = ps->where.data;

    if (!ps->in)
        err_set(ps->err, ERR_CONFIG,
                "%s: %s is outside a section: a sender's settings go under its [remitente NAME]",
                where, key);
    else if (id < 0)
        err_set(ps->err, ERR_CONFIG, "%s: unknown setting \"%s\" (see senders.ini.example)", where,
                key);
    else if (key_index((enum config_id)id) < 0)
        err_set(ps->err, ERR_CONFIG, "%s: %s is not a setting of a sender: it belongs in .env",
                where, key);
    else if (ps->set_at[id])
        err_set(ps->err, ERR_CONFIG, "%s: %s is set twice in [remitente %s] (first on line %d)",
                where, key, ps->seen[ps->nseen - 1].name, ps->set_at[id]);
    else
        return 0;
    ps->errors++;
    return 1;
}

/* "NAME = value" inside a section. */
static int setting(struct parse *ps, char *line, int lineno)
{
    struct buf val = BUF_INIT;
    const char *why = NULL;
    char *eq = strchr(line, '='), *k;
    int id, rc = 0;

    if (buf_setf(&ps->where, "%s:%d", ps->path, lineno))
        return err_nomem(ps->err);
    if (!eq) {
        ps->errors++;
        err_set(ps->err, ERR_CONFIG, "%s: expected NAME = value", ps->where.data);
        return 0;
    }
    for (k = eq; k > line && (k[-1] == ' ' || k[-1] == '\t');)
        k--;
    *k = '\0';
    for (k = line; *k; k++)
        *k = (char)toupper((unsigned char)*k);
    id = config_find(line);
    if (setting_refused(ps, line, id))
        return 0;
    if (config_parse_value(eq + 1, &val, &why)) {
        if (!strcmp(why, "out of memory"))
            rc = err_nomem(ps->err);
        else
            ps->errors++, err_set(ps->err, ERR_CONFIG, "%s: %s: %s", ps->where.data, line, why);
    } else if (config_set(&ps->sec, (enum config_id)id, val.data ? val.data : "", ps->where.data,
                          ps->err)) {
        ps->errors++;
    } else {
        ps->set_at[id] = lineno;
        ps->has_secret |= config_settings[id].secret && val.len;
    }
    if (val.data)
        explicit_bzero(val.data, val.len);
    buf_release(&val);
    return rc;
}

static int parse_text(struct parse *ps, char *text)
{
    char *line, *next, *p;
    int lineno = 0;
    size_t n;

    for (line = text; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        n = strlen(line);
        while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
            line[--n] = '\0';
        for (p = line; *p == ' ' || *p == '\t';)
            p++;
        if (!*p || *p == '#' || *p == ';')
            continue;
        if (*p == '[' ? section_start(ps, p + 1, lineno) : setting(ps, p, lineno))
            return -1;
    }
    return section_end(ps);
}

void sender_profiles_release(struct sender_profiles *p)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        sender_release(&p->v[i]);
    free(p->v);
    p->v = NULL;
    p->n = 0;
}

int sender_profiles_load(struct sender_profiles *p, const struct config *cfg, const char *path,
                         struct err *err)
{
    struct parse ps = {0};
    struct buf text = BUF_INIT;
    struct stat st;
    int rc = -1;

    p->n = 0;
    if (!(p->v = calloc(1, sizeof(*p->v))))
        return err_nomem(err);
    if (sender_from_config(&p->v[0], cfg, err)) {
        free(p->v);
        p->v = NULL;
        return -1;
    }
    p->n = 1;
    if (stat(path, &st)) {
        if (errno == ENOENT)
            return 0;
        err_errno(err, ERR_CONFIG, "%s", path);
        goto out;
    }
    text.cap = 1024 * 1024;
    if (buf_read_file(&text, path)) {
        err_errno(err, ERR_CONFIG, "%s: cannot read", path);
        goto out;
    }
    ps.path = path;
    ps.cfg = cfg;
    ps.p = p;
    ps.err = err;
    if (text.len && parse_text(&ps, text.data))
        goto out;
    if (ps.errors)
        goto out;
    if (ps.has_secret && config_private(path, st.st_mode, err))
        goto out;
    rc = 0;
out:
    if (ps.in)
        config_release(&ps.sec);
    if (text.data)
        explicit_bzero(text.data, text.len);
    buf_release(&text);
    buf_release(&ps.where);
    free(ps.seen);
    if (rc)
        sender_profiles_release(p);
    return rc;
}

const struct sender *sender_profiles_find(const struct sender_profiles *p, const char *name)
{
    size_t i;

    if (!name || !*name)
        name = "default";
    for (i = 0; i < p->n; i++)
        if (p->v[i].name && !strcmp(p->v[i].name, name))
            return &p->v[i];
    return NULL;
}

int sender_profiles_take(struct sender_profiles *p, const char *name, struct sender *out)
{
    struct sender *s = (struct sender *)sender_profiles_find(p, name);

    if (!s)
        return -1;
    *out = *s;
    memset(s, 0, sizeof(*s));
    return 0;
}
