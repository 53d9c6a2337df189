/* report_config - campaigns/informe.conf: how the report names audiences and
 * campaigns, the sentence and the columns of each table, and the targets of
 * the work programme (report.h). */
#include "report.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_int.h"
#include "template.h"
#include "value.h"

#include "banned.h"

/* The ids of the columns, in enum report_column order, with the spelling
 * with accents accepted too. */
static const char *const column_ids[REPORT_NCOLS] = {
    "no",        "fecha", "informacion", "destinatarios", "entregados",
    "rebotados", "duros", "suaves",      "fallidos",      "bajas"};

void report_config_init(struct report_config *c)
{
    memset(c, 0, sizeof(*c));
}

static void list_release(struct report_list *l)
{
    int k;

    free(l->id);
    free(l->name);
    free(l->title);
    template_free(l->sentence);
    for (k = 0; k < REPORT_NCOLS; k++)
        free(l->headings[k]);
}

void report_config_release(struct report_config *c)
{
    size_t i;

    list_release(&c->general);
    for (i = 0; i < c->nlists; i++)
        list_release(&c->lists[i]);
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
    free(c->path);
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

int report_config_column(const char *name)
{
    int k;

    if (!strcmp(name, "información"))
        return REPORT_COL_INFO;
    for (k = 0; k < REPORT_NCOLS; k++)
        if (!strcmp(name, column_ids[k]))
            return k;
    return -1;
}

const char *report_config_column_id(int col)
{
    return column_ids[col];
}

/* ---- reading ---- */

struct ini_state {
    struct report_config *c;
    struct err *err;
    const char *path;
    FILE *f;
    int line, errors, nomem;
    /* a value continued on the next lines (indented): the key it belongs
     * to, the text so far and the line it started on */
    struct buf cont_key, cont;
    int cont_line, cont_last;
    int indented; /* the line read starts with white space: a continuation */
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

/* The sentence's template: compiled now, and rendered with every name set
 * (true, then false, so that every section is entered) to find names that
 * the sentence does not have. */
struct missing {
    struct ini_state *st;
    int found;
};

static void on_missing(void *ud, const char *name)
{
    struct missing *m = ud;
    struct ini_state *st = m->st;

    if (!m->found++)
        ini_problem(st,
                    "enunciado: no such name in the sentence (see the comments of "
                    "informe.conf): ",
                    name);
}

static int set_sentence(struct ini_state *st, struct report_list *l, const char *value, int line)
{
    struct value *vars[2] = {NULL, NULL};
    struct missing m = {st, 0};
    struct buf origin = BUF_INIT, out = BUF_INIT;
    struct err e;
    int k, saved = st->line;

    err_init(&e);
    template_free(l->sentence);
    l->sentence = NULL;
    st->line = line;
    if (buf_addf(&origin, "%s:%d: enunciado", st->path, line) ||
        !(vars[0] = report_words_sample(1)) || !(vars[1] = report_words_sample(0))) {
        st->nomem = 1;
        goto out;
    }
    if (!(l->sentence = template_compile(value, strlen(value), origin.data, TEMPLATE_ESCAPE_NONE,
                                         NULL, &e))) {
        st->errors++;
        err_set(st->err, ERR_CONFIG, "%s", e.msg.data);
        goto out;
    }
    for (k = 0; k < 2 && !m.found; k++) {
        const struct value *stack[1] = {vars[k]};
        buf_reset(&out);
        if (template_render(l->sentence, stack, 1, &out, on_missing, &m, &e))
            st->nomem = 1;
    }
out:
    st->line = saved;
    value_free(vars[0]);
    value_free(vars[1]);
    buf_release(&origin);
    buf_release(&out);
    err_release(&e);
    return 1;
}

/* columnas = no, fecha, informacion, ... */
static int set_columns(struct ini_state *st, struct report_list *l, const char *value)
{
    char name[32];
    const char *p = value;
    size_t n;
    int col, k;

    l->ncolumns = 0;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        n = strcspn(p, ", ");
        if (!n)
            break;
        snprintf(name, sizeof(name), "%.*s", (int)n, p);
        p += n;
        if ((col = report_config_column(name)) < 0)
            return ini_problem(st,
                               "columnas: a column is one of no, fecha, informacion, "
                               "destinatarios, entregados, rebotados, duros, suaves, fallidos, "
                               "bajas; not ",
                               name);
        for (k = 0; k < l->ncolumns; k++)
            if (l->columns[k] == col)
                return ini_problem(st, "columnas: a column named twice: ", name);
        l->columns[l->ncolumns++] = col;
    }
    if (!l->ncolumns)
        return ini_problem(st, "columnas: no column", "");
    return 1;
}

/* The keys a table's section may have ([informe] and [lista]). */
static int table_key(struct ini_state *st, struct report_list *l, const char *name,
                     const char *value, int line)
{
    int col;

    if (!strcmp(name, "enunciado"))
        return set_sentence(st, l, value, line);
    if (!strcmp(name, "columnas"))
        return set_columns(st, l, value);
    if (!strncmp(name, "encabezado.", 11)) {
        if ((col = report_config_column(name + 11)) < 0)
            return ini_problem(st, "encabezado.COLUMNA: no such column: ", name + 11);
        return set_str(st, &l->headings[col], value);
    }
    return 0;
}

static int on_list(struct ini_state *st, const char *id, const char *name, const char *value,
                   int line)
{
    struct report_list *l = (struct report_list *)report_config_list(st->c, id, strlen(id)), *grown;
    int rc;

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
    if ((rc = table_key(st, l, name, value, line)))
        return rc;
    return ini_problem(st,
                       "unknown key in a [lista] section (allowed: nombre, titulo, agrupar, "
                       "enunciado, columnas, encabezado.COLUMNA): ",
                       name);
}

static int on_general(struct ini_state *st, const char *name, const char *value, int line)
{
    int rc;

    if ((rc = table_key(st, &st->c->general, name, value, line)))
        return rc;
    return ini_problem(st,
                       "unknown key in the [informe] section (allowed: enunciado, columnas, "
                       "encabezado.COLUMNA): ",
                       name);
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

/* "[metas]", "[metas 2024]", "[metas 2024T1]" / "[metas 2024Q1]" /
 * "[metas 2024-T1]": the year and quarter a target holds for (0: all);
 * -1 when the section is not one of these. */
static int targets_scope(const char *section, int *year, int *quarter)
{
    int n = 0;

    *year = *quarter = 0;
    if (!strcmp(section, "metas"))
        return 0;
    if (strncmp(section, "metas ", 6))
        return -1;
    section += 6;
    if (sscanf(section, "%4d%n", year, &n) != 1 || n != 4 || *year < 1970)
        return -1;
    section += 4;
    if (!*section)
        return 0;
    if (*section == '-')
        section++;
    if ((*section != 'T' && *section != 'Q' && *section != 't' && *section != 'q') ||
        section[1] < '1' || section[1] > '4' || section[2])
        return -1;
    *quarter = section[1] - '0';
    return 0;
}

static int on_target(struct ini_state *st, int year, int quarter, const char *key,
                     const char *value)
{
    const char *dot = strrchr(key, '.');
    struct report_target *t, *grown;
    char *end;
    long goal;
    size_t i;

    if (!dot || dot == key || (strcmp(dot, ".comunicaciones") && strcmp(dot, ".ediciones")))
        return ini_problem(st, "a target is LIST.comunicaciones or CAMPAIGN.ediciones, not ", key);
    errno = 0;
    goal = strtol(value, &end, 10);
    if (errno || end == value || *end || goal < 0)
        return ini_problem(st, "a target is a whole number, not ", value);
    for (i = 0; i < st->c->ntargets; i++)
        if (st->c->targets[i].year == year && st->c->targets[i].quarter == quarter &&
            !strcmp(st->c->targets[i].key, key))
            return ini_problem(st, "a target set twice in one section: ", key);
    if (!(grown = realloc(st->c->targets, (st->c->ntargets + 1) * sizeof(*grown))))
        return st->nomem = 1;
    st->c->targets = grown;
    t = memset(&grown[st->c->ntargets++], 0, sizeof(*t));
    t->kind = !strcmp(dot, ".ediciones") ? REPORT_TARGET_EDITIONS : REPORT_TARGET_MAILINGS;
    t->goal = goal;
    t->year = year;
    t->quarter = quarter;
    t->line = st->line;
    if (!(t->key = strdup(key)) || !(t->subject = xstrndup(key, (size_t)(dot - key))))
        st->nomem = 1;
    return 1;
}

static int dispatch(struct ini_state *st, const char *section, const char *name, const char *value,
                    int line)
{
    int year, quarter;

    if (!strcmp(section, "informe"))
        return on_general(st, name, value, line);
    if (!strncmp(section, "lista ", 6) && section[6])
        return on_list(st, section + 6, name, value, line);
    if (!strncmp(section, "campaña ", 9) && section[9])
        return on_campaign(st, section + 9, name, value);
    if (!strncmp(section, "campana ", 8) && section[8])
        return on_campaign(st, section + 8, name, value);
    if (!targets_scope(section, &year, &quarter))
        return on_target(st, year, quarter, name, value);
    return ini_problem(st,
                       "unknown section (use [informe], [lista NAME], [campaña NAME], [metas], "
                       "[metas YEAR] or [metas YEARTn]): ",
                       section);
}

/* The value of a key held back until its continuation lines are read. */
static int flush(struct ini_state *st)
{
    const char *key = st->cont_key.data, *sep;
    struct buf section = BUF_INIT;
    int rc = 1, saved = st->line;

    if (!st->cont_key.len)
        return 1;
    sep = strchr(key, '\n');
    if (buf_add(&section, key, (size_t)(sep - key))) {
        st->nomem = 1;
    } else {
        st->line = st->cont_line;
        rc = dispatch(st, section.data, sep + 1, st->cont.data, st->cont_line);
        st->line = saved;
    }
    buf_reset(&st->cont_key);
    buf_reset(&st->cont);
    buf_release(&section);
    return rc;
}

/* inih gives each continuation line (indented) of a value as the same key
 * again: they are joined with a space, as one value. */
static int on_ini(void *user, const char *section, const char *name, const char *value)
{
    struct ini_state *st = user;
    size_t slen = strlen(section);

    if (st->indented && st->cont_key.len && st->cont_last + 1 == st->line &&
        !strncmp(st->cont_key.data, section, slen) && st->cont_key.data[slen] == '\n' &&
        !strcmp(st->cont_key.data + slen + 1, name)) {
        st->cont_last = st->line;
        if (buf_addch(&st->cont, ' ') || buf_addstr(&st->cont, value))
            st->nomem = 1;
        return 1;
    }
    if (!flush(st))
        return 0;
    st->cont_line = st->cont_last = st->line;
    if (buf_addf(&st->cont_key, "%s\n%s", section, name) || buf_addstr(&st->cont, value))
        st->nomem = 1;
    return 1;
}

/* fgets for inih, counting lines; a line longer than inih reads (200
 * bytes) is a problem said as such, not two lines. */
static char *ini_read_line(char *str, int num, void *stream)
{
    struct ini_state *st = stream;
    char *s = fgets(str, num, st->f);
    int ch;

    if (!s)
        return NULL;
    st->line++;
    st->indented = s[0] == ' ' || s[0] == '\t';
    if (!strchr(s, '\n') && !feof(st->f)) {
        ini_problem(st,
                    "a line longer than 200 characters: continue the value on the next "
                    "line, indented",
                    "");
        while ((ch = fgetc(st->f)) != EOF && ch != '\n')
            ;
        snprintf(str, (size_t)num, ";\n");
    }
    return s;
}

int report_config_load(struct report_config *c, const char *path, struct err *err)
{
    struct ini_state st;
    int parse;

    memset(&st, 0, sizeof(st));
    st.c = c;
    st.err = err;
    st.path = path;
    if (!(st.f = fopen(path, "r"))) {
        if (errno == ENOENT)
            return 1;
        return err_errno(err, ERR_NOINPUT, "%s: cannot open", path);
    }
    if (!(c->path = strdup(path)))
        st.nomem = 1;
    parse = ini_parse_stream(ini_read_line, &st, on_ini, &st);
    fclose(st.f);
    flush(&st);
    if (parse > 0 && !st.errors) {
        st.line = parse;
        ini_problem(&st, "cannot parse this line (expected key = value or [section])", "");
    }
    if (parse < 0 || st.nomem)
        err_nomem(err);
    buf_release(&st.cont_key);
    buf_release(&st.cont);
    if (parse < 0 || st.nomem || st.errors) {
        report_config_release(c);
        return -1;
    }
    return 0;
}

/* ---- targets that match nothing ---- */

struct seen_names {
    const char *want;
    int list; /* looking for a list (else a campaign) */
    int found;
};

static int mailing_names(void *ud, const struct mailing *m)
{
    struct seen_names *s = ud;

    if (s->list ? report_figures_list_matches(m->lists, s->want) : !strcmp(m->campaign, s->want))
        s->found = 1;
    return s->found;
}

static int recorded_names(void *ud, const struct ledger_history *h)
{
    struct seen_names *s = ud;

    if (!strcmp(h->list, s->want))
        s->found = 1;
    return s->found;
}

static int file_exists(const char *home, const char *dir, const char *id, const char *ext)
{
    struct buf path = BUF_INIT;
    int yes;

    if (!home || buf_addf(&path, "%s/%s/%s%s", home, dir, id, ext))
        return 0;
    yes = access(path.data, F_OK) == 0;
    buf_release(&path);
    return yes;
}

int report_config_check(const struct report_config *c, struct ledger *l, const char *home,
                        struct err *err)
{
    size_t i;
    int bad = 0;

    for (i = 0; i < c->ntargets; i++) {
        const struct report_target *t = &c->targets[i];
        struct seen_names s = {t->subject, t->kind == REPORT_TARGET_MAILINGS, 0};
        if (s.list ? file_exists(home, "contacts", t->subject, ".csv")
                   : file_exists(home, "campaigns", t->subject, ".ini"))
            continue;
        if (ledger_mailings_each(l, s.list ? NULL : t->subject, mailing_names, &s, err) < 0 ||
            (s.list && !s.found && ledger_history_each(l, 0, 0, recorded_names, &s, err) < 0))
            return -1;
        if (s.found)
            continue;
        bad++;
        if (s.list)
            err_set(err, ERR_CONFIG,
                    "%s:%d: target %s: no list \"%s\" (no contacts/%s.csv, no mailing to it)",
                    c->path, t->line, t->key, t->subject, t->subject);
        else
            err_set(err, ERR_CONFIG,
                    "%s:%d: target %s: no campaign \"%s\" (no campaigns/%s.ini, no mailing of "
                    "it)",
                    c->path, t->line, t->key, t->subject, t->subject);
    }
    return bad ? -1 : 0;
}
