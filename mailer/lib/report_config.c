/* report_config - campaigns/informe.conf: how the report names audiences and
 * campaigns, and the targets of the work programme (report.h). */
#include "report.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

#include "banned.h"

void report_config_init(struct report_config *c)
{
    memset(c, 0, sizeof(*c));
}

void report_config_release(struct report_config *c)
{
    size_t i;

    for (i = 0; i < c->nlists; i++) {
        free(c->lists[i].id);
        free(c->lists[i].name);
        free(c->lists[i].title);
    }
    for (i = 0; i < c->ncampaigns; i++) {
        free(c->campaigns[i].id);
        free(c->campaigns[i].name);
    }
    for (i = 0; i < c->ntargets; i++) {
        free(c->targets[i].key);
        free(c->targets[i].subject);
    }
    free(c->lists);
    free(c->campaigns);
    free(c->targets);
    memset(c, 0, sizeof(*c));
}

const struct report_list *report_config_list(const struct report_config *c, const char *id,
                                             size_t len)
{
    size_t i;

    for (i = 0; i < c->nlists; i++)
        if (strlen(c->lists[i].id) == len && !strncmp(c->lists[i].id, id, len))
            return &c->lists[i];
    return NULL;
}

const struct report_campaign *report_config_campaign(const struct report_config *c, const char *id)
{
    size_t i;

    for (i = 0; i < c->ncampaigns; i++)
        if (!strcmp(c->campaigns[i].id, id))
            return &c->campaigns[i];
    return NULL;
}

struct ini_state {
    struct report_config *c;
    struct err *err;
    const char *path;
    FILE *f;
    int line, errors, nomem;
};

static int ini_problem(struct ini_state *st, const char *what, const char *detail)
{
    err_set(st->err, ERR_CONFIG, "%s:%d: %s%s", st->path, st->line, what, detail);
    st->errors++;
    return 1; /* keep reading: report every problem */
}

static int set_str(struct ini_state *st, char **field, const char *value)
{
    free(*field);
    if (!(*field = strdup(value)))
        st->nomem = 1;
    return 1;
}

static int on_list(struct ini_state *st, const char *id, const char *name, const char *value)
{
    struct report_list *l = (struct report_list *)report_config_list(st->c, id, strlen(id)), *grown;

    if (!l) {
        if (!(grown = realloc(st->c->lists, (st->c->nlists + 1) * sizeof(*grown))))
            return st->nomem = 1;
        st->c->lists = grown;
        l = memset(&grown[st->c->nlists++], 0, sizeof(*l));
        if (!(l->id = strdup(id)))
            return st->nomem = 1;
    }
    if (!strcmp(name, "nombre"))
        return set_str(st, &l->name, value);
    if (!strcmp(name, "titulo") || !strcmp(name, "título"))
        return set_str(st, &l->title, value);
    if (!strcmp(name, "agrupar")) {
        if (!strcmp(value, "envio") || !strcmp(value, "envío"))
            l->by = REPORT_BY_MAILING;
        else if (!strcmp(value, "mes"))
            l->by = REPORT_BY_MONTH;
        else
            return ini_problem(st, "agrupar is \"envio\" or \"mes\", not ", value);
        return 1;
    }
    return ini_problem(
        st, "unknown key in a [lista] section (allowed: nombre, titulo, agrupar): ", name);
}

static int on_campaign(struct ini_state *st, const char *id, const char *name, const char *value)
{
    struct report_campaign *c = (struct report_campaign *)report_config_campaign(st->c, id), *grown;

    if (strcmp(name, "nombre"))
        return ini_problem(st, "unknown key in a [campaña] section (allowed: nombre): ", name);
    if (!c) {
        if (!(grown = realloc(st->c->campaigns, (st->c->ncampaigns + 1) * sizeof(*grown))))
            return st->nomem = 1;
        st->c->campaigns = grown;
        c = memset(&grown[st->c->ncampaigns++], 0, sizeof(*c));
        if (!(c->id = strdup(id)))
            return st->nomem = 1;
    }
    return set_str(st, &c->name, value);
}

static int on_target(struct ini_state *st, const char *key, const char *value)
{
    const char *dot = strrchr(key, '.');
    struct report_target *t, *grown;
    char *end;
    long goal;

    if (!dot || dot == key || (strcmp(dot, ".comunicaciones") && strcmp(dot, ".ediciones")))
        return ini_problem(st, "a target is LIST.comunicaciones or CAMPAIGN.ediciones, not ", key);
    errno = 0;
    goal = strtol(value, &end, 10);
    if (errno || end == value || *end || goal < 0)
        return ini_problem(st, "a target is a whole number, not ", value);
    if (!(grown = realloc(st->c->targets, (st->c->ntargets + 1) * sizeof(*grown))))
        return st->nomem = 1;
    st->c->targets = grown;
    t = memset(&grown[st->c->ntargets++], 0, sizeof(*t));
    t->kind = !strcmp(dot, ".ediciones") ? REPORT_TARGET_EDITIONS : REPORT_TARGET_MAILINGS;
    t->goal = goal;
    if (!(t->key = strdup(key)) || !(t->subject = xstrndup(key, (size_t)(dot - key))))
        st->nomem = 1;
    return 1;
}

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
    struct ini_state *st = user;

    if (!strncmp(section, "lista ", 6) && section[6])
        return on_list(st, section + 6, name, value);
    if (!strncmp(section, "campaña ", 9) && section[9])
        return on_campaign(st, section + 9, name, value);
    if (!strncmp(section, "campana ", 8) && section[8])
        return on_campaign(st, section + 8, name, value);
    if (!strcmp(section, "metas"))
        return on_target(st, name, value);
    return ini_problem(st,
                       "unknown section (use [lista NAME], [campaña NAME] or [metas]): ", section);
}

static char *ini_read_line(char *str, int num, void *stream)
{
    struct ini_state *st = stream;
    char *s = fgets(str, num, st->f);

    if (s)
        st->line++;
    return s;
}

int report_config_load(struct report_config *c, const char *path, struct err *err)
{
    struct ini_state st = {c, err, path, NULL, 0, 0, 0};
    int parse;

    if (!(st.f = fopen(path, "r"))) {
        if (errno == ENOENT)
            return 1;
        return err_errno(err, ERR_NOINPUT, "%s: cannot open", path);
    }
    parse = ini_parse_stream(ini_read_line, &st, on_ini, &st);
    fclose(st.f);
    if (parse > 0 && !st.errors) {
        st.line = parse;
        ini_problem(&st, "cannot parse this line (expected key = value or [section])", "");
    }
    if (parse < 0 || st.nomem)
        err_nomem(err);
    if (parse < 0 || st.nomem || st.errors) {
        report_config_release(c);
        return -1;
    }
    return 0;
}
