/* cli - what every subcommand shares. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "datefmt.h"
#include "i18n.h"
#include "value.h"

#include "banned.h"

int cli_exit_code(enum err_kind kind)
{
    switch (kind) {
    case ERR_NONE:
        return EX_OK;
    case ERR_USAGE:
        return EX_USAGE;
    case ERR_DATA:
        return EX_DATAERR;
    case ERR_NOINPUT:
        return EX_NOINPUT;
    case ERR_UNAVAILABLE:
        return EX_UNAVAILABLE;
    case ERR_IO:
        return EX_IOERR;
    case ERR_TEMPFAIL:
        return EX_TEMPFAIL;
    case ERR_CONFIG:
        return EX_CONFIG;
    case ERR_NOMEM:
    case ERR_SOFTWARE:
        return EX_SOFTWARE;
    }
    return EX_SOFTWARE;
}

void cli_clock_from_env(void)
{
    const char *now = getenv("MAILER_NOW");
    time_t t;
    char *end;

    if (!now || !*now)
        return;
    if (clock_parse_iso(now, &t)) {
        t = (time_t)strtoll(now, &end, 10);
        if (*end)
            return;
    }
    clock_fix(&t);
}

/* What to do next, after the message itself, for the kinds a person can act on. */
static const char *next_step(enum err_kind kind)
{
    switch (kind) {
    case ERR_CONFIG:
        return _("check the settings with 'mailer config'; .env.example describes each one");
    case ERR_NOMEM:
    case ERR_SOFTWARE:
        return _("this is a fault of the mailer: please report it with the command you ran");
    default:
        return NULL;
    }
}

int cli_fail(const struct err *e)
{
    struct buf text = BUF_INIT;
    const char *shown, *p, *nl, *hint;

    if (!e->msg.len)
        fputs(_("mailer: failed\n"), stderr);
    shown = p = i18n_lib_show(e->msg.data, &text);
    while (*p) {
        nl = strchr(p, '\n');
        if (!nl)
            nl = p + strlen(p);
        fprintf(stderr, "mailer: %.*s\n", (int)(nl - p), p);
        p = *nl ? nl + 1 : nl;
    }
    hint = next_step(e->kind);
    /* The settings hint is for .env and the environment: a password file
     * message says what to run, and informe.conf names its own line. */
    if (hint &&
        (e->kind != ERR_CONFIG || (!strstr(shown, "chmod") && !strstr(e->msg.data, ".conf:"))))
        fprintf(stderr, "mailer: %s\n", hint);
    buf_release(&text);
    return cli_exit_code(e->kind == ERR_NONE ? ERR_SOFTWARE : e->kind);
}

void cli_die_nomem(void)
{
    fflush(stdout);
    exit(cli_fail_nomem());
}

int cli_fail_nomem(void)
{
    struct err e;
    int rc;

    err_init(&e);
    err_nomem(&e);
    rc = cli_fail(&e);
    err_release(&e);
    return rc;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "mailer %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fprintf(stderr, _("(try 'mailer help %s')\n"), cmd);
    return EX_USAGE;
}

/* The long option el ("--name" or "--name=value", perhaps abbreviated) names, if
 * its value is val. */
static const struct option *long_named(const struct option *longopts, const char *el, int val)
{
    size_t len = strcspn(el + 2, "=");

    for (; longopts && longopts->name; longopts++)
        if (longopts->val == val && !strncmp(longopts->name, el + 2, len) &&
            strlen(longopts->name) >= len)
            return longopts;
    return NULL;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
    const struct option *lo;
    const char *el, *who, *p;
    char name[128];
    int c, missing;

    opterr = 0;
    c = getopt_long(argc, argv, shortopts, longopts, NULL);
    if (c != '?')
        return c;
    /* "mailer check: ..." for a command, "mailer: ..." for mailer's own options. */
    who = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (!strcmp(who, "mailer"))
        fputs("mailer: ", stderr);
    else
        fprintf(stderr, "mailer %s: ", who);
    el = optind > 0 && optind <= argc ? argv[optind - 1] : "";
    if (!optopt) { /* an unknown (or ambiguous) long option */
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(el, "="), el);
        fprintf(stderr, _("unknown option: %s\n"), name);
    } else if (!strncmp(el, "--", 2) && (lo = long_named(longopts, el, optopt))) {
        if (strchr(el, '='))
            fprintf(stderr, _("option --%s takes no value\n"), lo->name);
        else
            fprintf(stderr, _("option --%s needs a value\n"), lo->name);
    } else {
        p = strchr(shortopts, optopt);
        missing = p && optopt != ':' && p[1] == ':';
        fprintf(stderr, missing ? _("option -%c needs a value\n") : _("unknown option: -%c\n"),
                optopt);
    }
    return c;
}

int cli_need_smtp(const struct cli *cli, const struct sender *s)
{
    const char *origin = cli->config.origin[CFG_SMTP_URL];
    const char *url = config_get(&cli->config, CFG_SMTP_URL);
    struct buf path = BUF_INIT;
    struct stat st;
    char cwd[4096];

    if (strcmp(s->name, "default") || (strcmp(origin, "default") && *url))
        return 0;
    if (cli->env_file              ? buf_addstr(&path, cli->env_file)
        : getcwd(cwd, sizeof(cwd)) ? buf_addf(&path, "%s/.env", cwd)
                                   : buf_addstr(&path, ".env")) {
        buf_release(&path);
        return cli_fail_nomem();
    }
    if (stat(path.data, &st))
        fprintf(stderr,
                _("mailer: no SMTP server is configured: there is no %s, and SMTP_URL is "
                  "not in the environment\n"),
                path.data);
    else
        fprintf(stderr,
                _("mailer: no SMTP server is configured: SMTP_URL is missing or empty in %s\n"),
                path.data);
    fputs(_("mailer: copy .env.example to .env in the mailer's directory and fill SMTP_URL, "
            "SMTP_USER and SMTP_PASSWORD (guide 0); nothing was sent\n"),
          stderr);
    buf_release(&path);
    return EX_CONFIG;
}

const char *cli_home(const struct cli *cli)
{
    return config_get(&cli->config, CFG_MAILER_HOME);
}

/* The ledger path: MAILER_DB, relative to the home when not absolute. */
static int db_path(const struct cli *cli, struct buf *out)
{
    const char *db = config_get(&cli->config, CFG_MAILER_DB);

    if (db[0] == '/' || !strcmp(cli_home(cli), "."))
        return buf_addstr(out, db);
    return buf_addf(out, "%s/%s", cli_home(cli), db);
}

struct ledger *cli_ledger(const struct cli *cli, struct err *err)
{
    struct buf path = BUF_INIT;
    struct ledger *l = NULL;

    if (db_path(cli, &path))
        err_nomem(err);
    else
        l = ledger_open(path.data, err);
    buf_release(&path);
    return l;
}

int cli_lock_dir(const struct cli *cli, struct buf *out)
{
    struct buf path = BUF_INIT;
    char *slash;
    int rc;

    rc = db_path(cli, &path);
    if (!rc && (slash = strrchr(path.data, '/')))
        buf_setlen(&path, (size_t)(slash - path.data));
    else if (!rc)
        rc = buf_setf(&path, ".");
    if (!rc)
        rc = buf_addf(out, "%s/locks", path.data);
    buf_release(&path);
    return rc;
}

int cli_senders_path(const struct cli *cli, struct buf *out)
{
    if (!strcmp(cli_home(cli), "."))
        return buf_addstr(out, "senders.ini");
    return buf_addf(out, "%s/senders.ini", cli_home(cli));
}

int cli_senders(const struct cli *cli, struct sender_profiles *p, struct err *err)
{
    struct buf path = BUF_INIT;
    int rc;

    memset(p, 0, sizeof(*p));
    if (cli_senders_path(cli, &path))
        return err_nomem(err);
    rc = sender_profiles_load(p, &cli->config, path.data, err);
    buf_release(&path);
    return rc;
}

const char *cli_sender_name(const char *name)
{
    return !name || !*name || !strcmp(name, "default") ? _("default (.env)") : name;
}

/* The names of the senders p defines, "default, diaspora, red". */
static int sender_names(const struct sender_profiles *p, struct buf *out)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        if (buf_addf(out, "%s%s", i ? ", " : "", p->v[i].name))
            return -1;
    return 0;
}

int cli_sender(const struct cli *cli, const struct campaign *c, struct sender *s, struct err *err)
{
    const char *name = c && c->sender ? c->sender : "";
    struct sender_profiles p;
    struct buf names = BUF_INIT, path = BUF_INIT;
    int rc = 0;

    memset(s, 0, sizeof(*s));
    if (cli_senders(cli, &p, err))
        return -1;
    if (!sender_profiles_take(&p, name, s))
        goto out;
    if (sender_names(&p, &names) || cli_senders_path(cli, &path))
        rc = err_nomem(err);
    else
        rc = err_set(err, ERR_CONFIG,
                     _("%s:%d: sender \"%s\" is not defined: %s has %s (each [remitente NAME] "
                       "of it, and default: the one of .env)"),
                     c->path, c->sender_line, name, path.data, names.data);
out:
    sender_profiles_release(&p);
    buf_release(&names);
    buf_release(&path);
    return rc;
}

int cli_campaign(const struct cli *cli, const char *id, struct campaign *c)
{
    struct err err;
    int rc = 0;

    err_init(&err);
    if (campaign_load(cli_home(cli), id, c, &err)) {
        rc = cli_fail(&err);
        campaign_release(c);
    }
    err_release(&err);
    return rc;
}

void cli_when(time_t t, char *out, size_t size)
{
    struct buf day = BUF_INIT;
    struct tm tm;
    char hm[16];

    clock_local(t, &tm);
    if (strcmp(i18n_lang(), "es") || datefmt_long(&day, t)) {
        strftime(out, size, _("%Y-%m-%d %H:%M (Mexico City time)"), &tm);
    } else {
        /* "lunes 30 de noviembre de 2026 a las 12:00 (hora de la Ciudad de México)" */
        day.data[0] = (char)tolower((unsigned char)day.data[0]);
        strftime(hm, sizeof(hm), "%H:%M", &tm);
        snprintf(out, size, "%s a las %s (hora de la Ciudad de México)", /* es */ day.data, hm);
    }
    buf_release(&day);
}

const char *cli_value_name(const char *value)
{
    /* the values campaign.c accepts for kind and edition */
    static const char *const names[] = {
        N_("bulletin"), N_("convocatoria"), N_("podcast"), N_("invitation"),
        N_("digest"),   N_("weekly"),       N_("monthly"), N_("once"),
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(value, names[i]))
            return _(names[i]);
    return value;
}

const char *cli_bounce_word(const char *name)
{
    /* bounce.h's names: kinds, classes, reasons */
    static const char *const words[][2] = {
        {"bounce", N_("bounce")},
        {"complaint", N_("complaint")},
        {"unsubscribe", N_("unsubscribe")},
        {"autoreply", N_("autoreply")},
        {"other", N_("other")},
        {"hard", N_("hard")},
        {"soft", N_("soft")},
        {"undefined", N_("undefined")},
        {"user unknown", N_("user unknown")},
        {"host unknown", N_("host unknown")},
        {"has moved", N_("has moved")},
        {"not accepted", N_("not accepted")},
        {"mailbox full", N_("mailbox full")},
        {"message too big", N_("message too big")},
        {"filtered", N_("filtered by the recipient")},
        {"spam detected", N_("spam detected")},
        {"blocked", N_("blocked")},
        {"policy", N_("policy")},
        {"rejected sender", N_("rejected sender")},
        {"rate limited", N_("rate limited")},
        {"expired", N_("expired")},
        {"network error", N_("network error")},
        {"system error", N_("system error")},
        {"security error", N_("security error")},
        {"suspended", N_("suspended")},
        {"vacation", N_("automatic reply")},
        {"delivered", N_("delivered")},
        {"feedback", N_("spam complaint")},
    };
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (!strcmp(name, words[i][0]))
            return _(words[i][1]);
    return name;
}

/* ---- option values (cli_parse_uint, cli_parse_enum) ------------------------ */

const struct cli_choice cli_text_json[] = {{"text", 0}, {"json", 1}, {NULL, 0}};
const struct cli_choice cli_kinds[] = {
    {"bulletin", 0}, {"boletin", 0},    {"boletín", 0},    {"convocatoria", 1},
    {"podcast", 2},  {"invitation", 3}, {"invitacion", 3}, {"invitación", 3},
    {"digest", 4},   {"resumen", 4},    {NULL, 0},
};
const char *const cli_kind_ids[] = {"bulletin", "convocatoria", "podcast", "invitation", "digest"};

int cli_parse_uint(const char *cmd, const char *opt, const char *arg, unsigned min, unsigned max,
                   unsigned *out)
{
    unsigned long v;
    char *end;

    /* strtoul alone would take " 3", "+3" and "-1" (as ULONG_MAX): digits only */
    if (!isdigit((unsigned char)arg[0]))
        goto bad;
    errno = 0;
    v = strtoul(arg, &end, 10);
    if (errno || *end || v < min || v > max)
        goto bad;
    *out = (unsigned)v;
    return 0;
bad:
    if (max >= INT_MAX) /* no bound a person needs to know */
        return cli_usage(cmd, _("%s takes a whole number from %u up, not \"%s\""), opt, min, arg);
    return cli_usage(cmd, _("%s takes a whole number from %u to %u, not \"%s\""), opt, min, max,
                     arg);
}

int cli_refuse_choice(const char *cmd, const char *opt, const char *names, const char *arg)
{
    return cli_usage(cmd, _("%s takes one of: %s (not \"%s\")"), opt, names, arg);
}

int cli_parse_enum(const char *cmd, const char *opt, const char *arg,
                   const struct cli_choice *choices, int *out)
{
    struct buf names = BUF_INIT;
    const struct cli_choice *c;
    int rc;

    for (c = choices; c->name; c++)
        if (!strcmp(arg, c->name))
            return *out = c->value, 0;
    for (c = choices; c->name; c++)
        if ((c == choices || c->value != c[-1].value) &&
            buf_addf(&names, "%s%s", names.len ? ", " : "", c->name))
            break; /* out of memory: the message, with fewer names */
    rc = cli_refuse_choice(cmd, opt, names.data, arg);
    buf_release(&names);
    return rc;
}

int cli_list_name_ok(const char *s)
{
    size_t i, n = strlen(s);

    if (!n || n > 64 || !strcmp(s, "*"))
        return n == 1;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
            return 0;
    return 1;
}

int cli_parse_date(const char *cmd, const char *opt, const char *arg, time_t *out)
{
    if (cli_parse_since(arg, out))
        return cli_usage(cmd, _("%s takes a date, YYYY-MM-DD, not \"%s\""), opt, arg);
    return 0;
}

int cli_parse_local_time(const char *cmd, const char *opt, const char *arg, time_t *out)
{
    int y, mo, d, h, mi, n = 0;

    if (sscanf(arg, "%4d-%2d-%2d %2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || arg[n] || mo < 1 ||
        mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59)
        return cli_usage(cmd,
                         _("%s takes a time in Mexico City, written 'YYYY-MM-DD HH:MM', "
                           "not \"%s\""),
                         opt, arg);
    *out = clock_from_local(y - 1900, mo - 1, d, h, mi);
    return 0;
}

/* "YYYY-MM-DD" (midnight in Mexico City) or an ISO instant. */
int cli_parse_since(const char *s, time_t *t)
{
    int y, m, d, n = 0;

    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && !s[n] && m >= 1 && m <= 12 && d >= 1 &&
        d <= 31) {
        *t = clock_from_local(y - 1900, m - 1, d, 0, 0);
        return 0;
    }
    return clock_parse_iso(s, t);
}

void cli_json_strn(const char *s, size_t n)
{
    struct buf b = BUF_INIT;

    if (value_json_string(&b, s, n))
        cli_die_nomem();
    fwrite(b.data, 1, b.len, stdout);
    buf_release(&b);
}

void cli_json_str(const char *s)
{
    if (s)
        cli_json_strn(s, strlen(s));
    else
        fputs("null", stdout); /* data */
}

void cli_json_member(const char *name, const char *s)
{
    printf(", \"%s\": ", name); /* data */
    cli_json_str(s);
}
