/* report - the quarterly report: what was delivered, to whom, when. */
#include "report.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "datefmt.h"

#include "banned.h"

static const char *const quarter_names[4] = {"primer", "segundo", "tercer", "cuarto"};

/* Figures of a row, in column order from Destinatarios on. */
enum { V_DEST, V_ENT, V_REB, V_DUROS, V_SUAVES, V_FALL, V_BAJAS, NV };

/* Addresses, sorted, each once. */
struct strset {
    char **v;
    size_t n;
};

struct item {
    char *campaign;
    char *title;
    int month; /* year * 12 + month0 of a by-month row, -1 by mailing */
    time_t *dates;
    size_t ndates;
    long v[NV];          /* v[V_BAJAS] is unsub.n */
    struct strset unsub; /* who unsubscribed after one of its mailings */
};

struct audience {
    char *lists;
    enum report_grouping by;
    struct item *items;
    size_t nitems;
    long *month_mailings, *month_delivered; /* per month of the period */
    struct strset unsub;                    /* the Total row's Bajas */
};

struct edition_count {
    char *campaign;
    long n;
};

struct collect {
    const struct report_opts *o;
    const struct report_config *cfg; /* never NULL (an empty one) */
    const struct report_period *p;
    int month0;     /* year * 12 + month0 of the period's first month */
    size_t nmonths; /* months the period touches */
    struct audience *aud;
    size_t naud;
    struct edition_count *eds;
    size_t neds;
    int nomem;
};

int report_parse_quarter(const char *s, struct report_period *p, struct err *err)
{
    int year, q, n = 0;

    memset(p, 0, sizeof(*p));
    if ((sscanf(s, "%4dQ%1d%n", &year, &q, &n) != 2 || (size_t)n != strlen(s)) &&
        (sscanf(s, "%4d-T%1d%n", &year, &q, &n) != 2 || (size_t)n != strlen(s)) &&
        (sscanf(s, "%4dT%1d%n", &year, &q, &n) != 2 || (size_t)n != strlen(s)))
        return err_set(err, ERR_USAGE,
                       "--quarter: \"%s\" is not a quarter (write 2026Q4 or 2026-T4)", s);
    if (q < 1 || q > 4 || year < 1970)
        return err_set(err, ERR_USAGE, "--quarter: \"%s\": the quarter is 1 to 4", s);
    p->from = clock_from_local(year - 1900, (q - 1) * 3, 1, 0, 0);
    p->to = q == 4 ? clock_from_local(year + 1 - 1900, 0, 1, 0, 0)
                   : clock_from_local(year - 1900, q * 3, 1, 0, 0);
    p->quarter = q;
    snprintf(p->label, sizeof(p->label), "el %s trimestre de %d", quarter_names[q - 1], year);
    snprintf(p->id, sizeof(p->id), "%dQ%d", year, q);
    return 0;
}

static int parse_day(const char *s, int *y, int *m, int *d)
{
    int n = 0;

    return sscanf(s, "%4d-%2d-%2d%n", y, m, d, &n) == 3 && (size_t)n == strlen(s) && *m >= 1 &&
           *m <= 12 && *d >= 1 && *d <= 31;
}

int report_parse_range(const char *from, const char *to, struct report_period *p, struct err *err)
{
    int y1, m1, d1, y2, m2, d2;
    struct buf a = BUF_INIT, b = BUF_INIT;

    memset(p, 0, sizeof(*p));
    if (!parse_day(from, &y1, &m1, &d1) || !parse_day(to, &y2, &m2, &d2))
        return err_set(err, ERR_USAGE, "--from/--to: write dates as YYYY-MM-DD");
    p->from = clock_from_local(y1 - 1900, m1 - 1, d1, 0, 0);
    p->to = clock_from_local(y2 - 1900, m2 - 1, d2 + 1, 0, 0);
    if (p->to <= p->from)
        return err_set(err, ERR_USAGE, "--from/--to: %s is after %s", from, to);
    datefmt_day(&a, p->from);
    datefmt_day(&b, p->to - 1);
    snprintf(p->label, sizeof(p->label), "el periodo del %s al %s", a.data, b.data);
    snprintf(p->id, sizeof(p->id), "%s..%s", from, to);
    buf_release(&a);
    buf_release(&b);
    return 0;
}

/* ---- informe.conf ---- */

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

static const struct report_list *config_list(const struct report_config *c, const char *id,
                                             size_t len)
{
    size_t i;

    for (i = 0; i < c->nlists; i++)
        if (strlen(c->lists[i].id) == len && !strncmp(c->lists[i].id, id, len))
            return &c->lists[i];
    return NULL;
}

static const struct report_campaign *config_campaign(const struct report_config *c, const char *id)
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
    struct report_list *l = (struct report_list *)config_list(st->c, id, strlen(id)), *grown;

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
    struct report_campaign *c = (struct report_campaign *)config_campaign(st->c, id), *grown;

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

/* ---- collecting the rows ---- */

static int strset_add(struct strset *s, const char *a)
{
    size_t lo = 0, hi = s->n, mid;
    char **grown;
    int cmp;

    while (lo < hi) {
        mid = (lo + hi) / 2;
        if (!(cmp = strcmp(a, s->v[mid])))
            return 0;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (!(grown = realloc(s->v, (s->n + 1) * sizeof(*grown))))
        return -1;
    s->v = grown;
    memmove(&s->v[lo + 1], &s->v[lo], (s->n - lo) * sizeof(*s->v));
    if (!(s->v[lo] = strdup(a))) {
        memmove(&s->v[lo], &s->v[lo + 1], (s->n - lo) * sizeof(*s->v));
        return -1;
    }
    s->n++;
    return 0;
}

static void strset_release(struct strset *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

static int list_matches(const char *lists, const char *want)
{
    size_t n;
    const char *p = lists;

    if (!want)
        return 1;
    n = strlen(want);
    while ((p = strstr(p, want))) {
        if ((p == lists || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
            return 1;
        p += n;
    }
    return 0;
}

static int month_of(time_t t)
{
    struct tm tm;

    clock_local(t, &tm);
    return (tm.tm_year + 1900) * 12 + tm.tm_mon;
}

/* By month only when every list of the audience asks for it. */
static enum report_grouping grouping(const struct collect *c, const char *lists)
{
    const char *comma;
    const struct report_list *l;

    if (c->o->by != REPORT_BY_DEFAULT)
        return c->o->by;
    for (;; lists = comma + 1) {
        comma = strchr(lists, ',');
        if (!comma)
            comma = lists + strlen(lists);
        l = config_list(c->cfg, lists, (size_t)(comma - lists));
        if (!l || l->by != REPORT_BY_MONTH)
            return REPORT_BY_MAILING;
        if (!*comma)
            return REPORT_BY_MONTH;
    }
}

static struct audience *find_audience(struct collect *c, const char *lists)
{
    struct audience *grown, *a;
    size_t i;

    for (i = 0; i < c->naud; i++)
        if (!strcmp(c->aud[i].lists, lists))
            return &c->aud[i];
    grown = realloc(c->aud, (c->naud + 1) * sizeof(*c->aud));
    if (!grown)
        return NULL;
    c->aud = grown;
    a = memset(&c->aud[c->naud++], 0, sizeof(*a));
    a->by = grouping(c, lists);
    a->month_mailings = calloc(c->nmonths, sizeof(long));
    a->month_delivered = calloc(c->nmonths, sizeof(long));
    if (!(a->lists = strdup(lists)) || !a->month_mailings || !a->month_delivered)
        return NULL;
    return a;
}

/* By mailing, one row per (campaign, title): a campaign sent again under
 * the same title (a convocatoria and its reminders) is one row with all
 * its dates; two campaigns that happen to share a title stay two rows.
 * By month, one row per (month, campaign, title). */
static struct item *find_item(struct audience *a, int month, const char *campaign,
                              const char *title)
{
    struct item *grown, *it;
    size_t i;

    for (i = 0; i < a->nitems; i++)
        if (a->items[i].month == month && !strcmp(a->items[i].title, title) &&
            !strcmp(a->items[i].campaign, campaign))
            return &a->items[i];
    grown = realloc(a->items, (a->nitems + 1) * sizeof(*a->items));
    if (!grown)
        return NULL;
    a->items = grown;
    it = memset(&a->items[a->nitems++], 0, sizeof(*it));
    it->month = month;
    if (!(it->title = strdup(title)) || !(it->campaign = strdup(campaign)))
        return NULL;
    return it;
}

static int count_edition(struct collect *c, const char *campaign)
{
    struct edition_count *grown;
    size_t i;

    for (i = 0; i < c->neds; i++)
        if (!strcmp(c->eds[i].campaign, campaign))
            return c->eds[i].n++, 0;
    if (!(grown = realloc(c->eds, (c->neds + 1) * sizeof(*grown))))
        return -1;
    c->eds = grown;
    c->eds[c->neds].n = 1;
    if (!(c->eds[c->neds].campaign = strdup(campaign)))
        return -1;
    c->neds++;
    return 0;
}

static int on_row(void *ud, const struct ledger_report_mailing *r)
{
    struct collect *c = ud;
    const char *title = *r->report_title ? r->report_title : r->subject;
    int month = month_of(r->first_sent);
    size_t mi = (size_t)(month - c->month0);
    struct audience *a;
    struct item *it;
    time_t *grown;
    const long v[NV] = {r->recipients,   r->delivered, r->bounced,     r->bounced_hard,
                        r->bounced_soft, r->failed,    r->unsubscribed};
    int k;

    if (c->o->list && !list_matches(r->lists, c->o->list))
        return 0;
    if (!(a = find_audience(c, r->lists)) ||
        !(it = find_item(a, a->by == REPORT_BY_MONTH ? month : -1, r->campaign, title)) ||
        count_edition(c, r->campaign))
        return c->nomem = 1;
    grown = realloc(it->dates, (it->ndates + 1) * sizeof(*it->dates));
    if (!grown)
        return c->nomem = 1;
    it->dates = grown;
    it->dates[it->ndates++] = r->first_sent;
    for (k = 0; k < NV; k++)
        it->v[k] += v[k];
    /* Bajas count people: once per row and once in the total, however many
     * of its mailings (a convocatoria and its reminders) they got */
    for (k = 0; k < (int)r->unsubscribed; k++)
        if (strset_add(&it->unsub, r->unsubscribed_addresses[k]) ||
            strset_add(&a->unsub, r->unsubscribed_addresses[k]))
            return c->nomem = 1;
    it->v[V_BAJAS] = (long)it->unsub.n;
    /* the chart counts a mailing, and what it delivered, in the month it is
     * dated by, as the table does */
    if (mi < c->nmonths) {
        a->month_mailings[mi]++;
        a->month_delivered[mi] += r->delivered;
    }
    return 0;
}

static void collect_release(struct collect *c)
{
    size_t i, j;

    for (i = 0; i < c->naud; i++) {
        for (j = 0; j < c->aud[i].nitems; j++) {
            free(c->aud[i].items[j].title);
            free(c->aud[i].items[j].campaign);
            free(c->aud[i].items[j].dates);
            strset_release(&c->aud[i].items[j].unsub);
        }
        strset_release(&c->aud[i].unsub);
        free(c->aud[i].items);
        free(c->aud[i].lists);
        free(c->aud[i].month_mailings);
        free(c->aud[i].month_delivered);
    }
    for (i = 0; i < c->neds; i++)
        free(c->eds[i].campaign);
    free(c->eds);
    free(c->aud);
}

/* ---- words ---- */

static long mailings_in(const struct audience *a)
{
    long n = 0;
    size_t i;

    for (i = 0; i < a->nitems; i++)
        n += (long)a->items[i].ndates;
    return n;
}

static void totals(const struct audience *a, long v[NV])
{
    size_t i;
    int k;

    for (k = 0; k < NV; k++)
        v[k] = 0;
    for (i = 0; i < a->nitems; i++)
        for (k = 0; k < NV; k++)
            v[k] += a->items[i].v[k];
    v[V_BAJAS] = (long)a->unsub.n;
}

/* "la base de contactos de Voto Chilango y la Red de Observación"; a list
 * informe.conf does not name is "la lista ID". */
static void audience_name(const struct collect *c, const char *lists, struct buf *out)
{
    const char *p = lists, *comma;
    const struct report_list *l;
    size_t n = 1, i;

    for (comma = lists; (comma = strchr(comma, ',')); comma++)
        n++;
    for (i = 0; i < n; i++, p = comma + 1) {
        comma = strchr(p, ',');
        if (!comma)
            comma = p + strlen(p);
        if (i)
            buf_addstr(out, i + 1 == n ? " y " : ", ");
        l = config_list(c->cfg, p, (size_t)(comma - p));
        if (l && l->name)
            buf_addstr(out, l->name);
        else
            buf_addf(out, "la lista %.*s", (int)(comma - p), p);
    }
}

/* The table's heading: informe.conf's titulo, else the name with a capital
 * and the list ids, else "Lista: ID". */
static void audience_heading(const struct collect *c, const struct audience *a, struct buf *out)
{
    const struct report_list *l = config_list(c->cfg, a->lists, strlen(a->lists));
    size_t start = out->len;

    if (l && l->title) {
        buf_addstr(out, l->title);
        return;
    }
    audience_name(c, a->lists, out);
    if (!strncmp(out->data + start, "la lista ", 9)) {
        buf_setlen(out, start);
        buf_addf(out, "Lista: %s", a->lists);
        return;
    }
    if (out->data[start] >= 'a' && out->data[start] <= 'z')
        out->data[start] = (char)(out->data[start] - 'a' + 'A');
    buf_addf(out, " (%s)", a->lists);
}

static void sentence(const struct collect *c, const struct audience *a, struct buf *out)
{
    long n = mailings_in(a);

    buf_addf(out, "Durante %s se distribuy%s %ld comunicaci%s a ", c->p->label,
             n == 1 ? "ó" : "eron", n, n == 1 ? "ón" : "ones");
    audience_name(c, a->lists, out);
    if (a->by == REPORT_BY_MONTH)
        buf_addf(out, "; la difusión versó sobre %zu tema%s", a->nitems, a->nitems == 1 ? "" : "s");
    buf_addch(out, '.');
}

static void item_date(const struct item *it, struct buf *out)
{
    const char *m;

    if (it->month < 0) {
        datefmt_list(out, it->dates, it->ndates);
        return;
    }
    m = datefmt_months[it->month % 12];
    buf_addf(out, "%c%s %d", m[0] - 'a' + 'A', m + 1, it->month / 12);
}

/* ---- targets ---- */

struct target_result {
    const struct report_target *t;
    long achieved;
};

static long achieved(const struct collect *c, const struct report_target *t)
{
    long n = 0;
    size_t i;

    if (t->kind == REPORT_TARGET_EDITIONS) {
        for (i = 0; i < c->neds; i++)
            if (!strcmp(c->eds[i].campaign, t->subject))
                n = c->eds[i].n;
        return n;
    }
    for (i = 0; i < c->naud; i++)
        if (list_matches(c->aud[i].lists, t->subject))
            n += mailings_in(&c->aud[i]);
    return n;
}

/* Targets apply to a quarter; with --list only that list's. */
static int target_shown(const struct collect *c, const struct report_target *t)
{
    if (!c->p->quarter)
        return 0;
    if (c->o->list && t->kind == REPORT_TARGET_MAILINGS)
        return !strcmp(t->subject, c->o->list);
    return 1;
}

static void target_label(const struct collect *c, const struct report_target *t, struct buf *out)
{
    const struct report_campaign *rc;

    if (t->kind == REPORT_TARGET_MAILINGS) {
        buf_addstr(out, "Comunicaciones a ");
        audience_name(c, t->subject, out);
        return;
    }
    rc = config_campaign(c->cfg, t->subject);
    buf_addf(out, "Ediciones de %s", rc && rc->name ? rc->name : t->subject);
}

static const char *target_verdict(long goal, long got)
{
    return got >= goal ? "Cumplida" : "No cumplida";
}

/* ---- columns ---- */

enum { C_NO, C_FECHA, C_INFO, C_DEST, NCOLS = C_DEST + NV };
static const char *const headers[NCOLS] = {
    "No.",       "Fecha de envío", "Información", "Destinatarios", "Entregados",
    "Rebotados", "Duros",          "Suaves",      "Fallidos",      "Bajas"};

static const char *header(const struct audience *a, int col)
{
    return col == C_FECHA && a->by == REPORT_BY_MONTH ? "Mes" : headers[col];
}

/* The hard/soft columns only when some bounce of the audience has a class. */
static int col_shown(const struct audience *a, int col)
{
    long v[NV];

    if (col != C_DEST + V_DUROS && col != C_DEST + V_SUAVES)
        return 1;
    totals(a, v);
    return v[V_DUROS] + v[V_SUAVES] > 0;
}

/* The cells of row i (the totals row when i == a->nitems). */
static void cells(const struct audience *a, size_t i, struct buf cell[NCOLS])
{
    long v[NV];
    int col;

    for (col = 0; col < NCOLS; col++)
        buf_reset(&cell[col]);
    if (i < a->nitems) {
        buf_addf(&cell[C_NO], "%zu", i + 1);
        item_date(&a->items[i], &cell[C_FECHA]);
        buf_addstr(&cell[C_INFO], a->items[i].title);
        memcpy(v, a->items[i].v, sizeof(v));
    } else {
        buf_addstr(&cell[C_NO], "Total");
        buf_addf(&cell[C_INFO], "%ld comunicaci%s", mailings_in(a),
                 mailings_in(a) == 1 ? "ón" : "ones");
        totals(a, v);
    }
    for (col = 0; col < NV; col++)
        buf_addf(&cell[C_DEST + col], "%ld", v[col]);
}

static void cells_init(struct buf cell[NCOLS])
{
    int col;

    for (col = 0; col < NCOLS; col++)
        buf_init(&cell[col], 0);
}

static void cells_release(struct buf cell[NCOLS])
{
    int col;

    for (col = 0; col < NCOLS; col++)
        buf_release(&cell[col]);
}

/* ---- text ---- */

#define WIDTH_FECHA 34
#define WIDTH_INFO 48

/* Columns a string takes on a terminal: UTF-8 code points. */
static size_t width(const char *s, size_t len)
{
    size_t w = 0, i;

    for (i = 0; i < len; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Bytes of s that make up its first n code points. */
static size_t bytes_for(const char *s, size_t len, size_t n)
{
    size_t i = 0;

    while (i < len && n) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        n--;
    }
    return i;
}

/* s wrapped at spaces into lines of at most w columns, each ending in '\n'
 * (a word longer than w is cut). */
static void wrap(const char *s, size_t w, struct buf *out)
{
    size_t len = strlen(s), take, cut;

    while (len > 0) {
        if (width(s, len) <= w) {
            take = cut = len;
        } else {
            take = bytes_for(s, len, w + 1); /* the char after the line may be a space */
            for (cut = take; cut > 0 && s[cut - 1] != ' '; cut--)
                ;
            if (cut == 0)
                take = cut = bytes_for(s, len, w);
            else
                take = cut--; /* drop the space */
        }
        buf_add(out, s, cut);
        buf_addch(out, '\n');
        s += take, len -= take;
        while (len && *s == ' ')
            s++, len--;
    }
}

static size_t col_limit(int col)
{
    return col == C_FECHA ? WIDTH_FECHA : col == C_INFO ? WIDTH_INFO : (size_t)-1;
}

/* Line k (0-based) of a wrapped cell: its bytes in *line, length returned. */
static size_t nth_line(const struct buf *wrapped, size_t k, const char **line)
{
    const char *p = wrapped->data, *end = wrapped->data + wrapped->len, *nl;

    for (; k && p < end; k--)
        p = memchr(p, '\n', (size_t)(end - p)) + 1;
    *line = p;
    if (p >= end)
        return 0;
    nl = memchr(p, '\n', (size_t)(end - p));
    return (size_t)(nl - p);
}

static void text_row(const struct audience *a, struct buf cell[NCOLS], const size_t w[NCOLS],
                     struct buf *out)
{
    struct buf wr[NCOLS];
    size_t lines = 1, k, n, pad;
    const char *s;
    int col, last = NCOLS - 1;

    for (col = 0; col < NCOLS; col++) {
        buf_init(&wr[col], 0);
        wrap(cell[col].data, col_limit(col), &wr[col]);
        n = 0;
        for (k = 0; k < wr[col].len; k++)
            n += wr[col].data[k] == '\n';
        if (n > lines)
            lines = n;
    }
    for (k = 0; k < lines; k++) {
        for (col = 0; col < NCOLS; col++) {
            if (!col_shown(a, col))
                continue;
            n = nth_line(&wr[col], k, &s);
            pad = w[col] - width(s, n);
            if (col >= C_DEST)
                while (pad--)
                    buf_addch(out, ' ');
            buf_add(out, s, n);
            if (col < C_DEST && col != last)
                while (pad--)
                    buf_addch(out, ' ');
            if (col != last)
                buf_addstr(out, "  ");
        }
        while (out->len && out->data[out->len - 1] == ' ')
            out->len--;
        buf_addch(out, '\n');
    }
    for (col = 0; col < NCOLS; col++)
        buf_release(&wr[col]);
}

/* One target the report shows: its label, what was achieved, and its place
 * among those shown (0: the first, which opens the section). */
typedef void (*target_row_fn)(struct buf *out, const struct report_target *t, const char *label,
                              long got, int n);

/* Each target the report shows, in order, through row; how many. */
static int targets_each(const struct collect *c, struct buf *out, target_row_fn row)
{
    struct buf label = BUF_INIT;
    int n = 0;

    for (size_t i = 0; i < c->cfg->ntargets; i++) {
        const struct report_target *t = &c->cfg->targets[i];
        if (!target_shown(c, t))
            continue;
        buf_reset(&label);
        target_label(c, t, &label);
        row(out, t, label.data ? label.data : "", achieved(c, t), n++);
    }
    buf_release(&label);
    return n;
}

static void text_target(struct buf *out, const struct report_target *t, const char *label, long got,
                        int n)
{
    if (n == 0)
        buf_addstr(out, "\nMetas del programa de trabajo\n\n");
    buf_addf(out, "- %s: Meta: %ld · Logrado: %ld · %s\n", label, t->goal, got,
             target_verdict(t->goal, got));
}

static void write_text(const struct collect *c, struct buf *out)
{
    struct buf cell[NCOLS];
    size_t w[NCOLS], i, k, cw;
    int col;

    cells_init(cell);
    buf_addf(out, "Informe de comunicaciones enviadas: %s\n", c->p->label);
    if (!c->naud)
        buf_addstr(out, "\nNo se envió ninguna comunicación en el periodo.\n");
    for (k = 0; k < c->naud; k++) {
        const struct audience *a = &c->aud[k];
        for (col = 0; col < NCOLS; col++)
            w[col] = width(header(a, col), strlen(header(a, col)));
        for (i = 0; i <= a->nitems; i++) {
            cells(a, i, cell);
            for (col = 0; col < NCOLS; col++) {
                cw = width(cell[col].data, cell[col].len);
                if (cw > col_limit(col))
                    cw = col_limit(col);
                if (cw > w[col])
                    w[col] = cw;
            }
        }
        buf_addch(out, '\n');
        audience_heading(c, a, out);
        buf_addstr(out, "\n\n");
        for (col = 0; col < NCOLS; col++)
            buf_setf(&cell[col], "%s", header(a, col));
        text_row(a, cell, w, out);
        for (i = 0; i <= a->nitems; i++) {
            cells(a, i, cell);
            text_row(a, cell, w, out);
        }
        buf_addch(out, '\n');
        sentence(c, a, out);
        buf_addch(out, '\n');
    }
    targets_each(c, out, text_target);
    cells_release(cell);
}

/* ---- CSV ---- */

static void csv_field(struct buf *out, const char *s, char sep)
{
    if (!strchr(s, sep) && !strpbrk(s, "\"\r\n")) {
        buf_addstr(out, s);
        return;
    }
    buf_addch(out, '"');
    for (; *s; s++) {
        if (*s == '"')
            buf_addch(out, '"');
        buf_addch(out, *s);
    }
    buf_addch(out, '"');
}

static void write_csv(const struct collect *c, struct buf *out)
{
    static const char *const csv_headers[NCOLS] = {
        "No.",       "Fecha de envío", "Información",    "Destinatarios", "Entregados",
        "Rebotados", "Rebotes duros",  "Rebotes suaves", "Fallidos",      "Bajas"};
    struct buf cell[NCOLS];
    char sep = c->o->csv_sep ? c->o->csv_sep : ',';
    size_t i, k;
    int col;

    cells_init(cell);
    buf_addstr(out, "\xEF\xBB\xBF"); /* BOM: Excel then reads UTF-8 */
    csv_field(out, "Lista", sep);
    for (col = 0; col < NCOLS; col++)
        buf_addch(out, sep), csv_field(out, csv_headers[col], sep);
    buf_addstr(out, "\r\n");
    for (k = 0; k < c->naud; k++) {
        for (i = 0; i <= c->aud[k].nitems; i++) {
            cells(&c->aud[k], i, cell);
            csv_field(out, c->aud[k].lists, sep);
            for (col = 0; col < NCOLS; col++)
                buf_addch(out, sep), csv_field(out, cell[col].data, sep);
            buf_addstr(out, "\r\n");
        }
    }
    cells_release(cell);
}

/* ---- Markdown ---- */

static void md_cell(struct buf *out, const char *s)
{
    for (; *s; s++) {
        if (strchr("|\\*_`[]<>", *s))
            buf_addch(out, '\\');
        buf_addch(out, *s == '\n' ? ' ' : *s);
    }
}

static void md_target(struct buf *out, const struct report_target *t, const char *label, long got,
                      int n)
{
    if (n == 0)
        buf_addstr(out, "\n## Metas del programa de trabajo\n\n"
                        "| Meta | Objetivo | Logrado | Estado |\n| --- | ---: | ---: | --- |\n");
    buf_addstr(out, "| ");
    md_cell(out, label);
    buf_addf(out, " | %ld | %ld | %s |\n", t->goal, got, target_verdict(t->goal, got));
}

static void write_md(const struct collect *c, struct buf *out)
{
    struct buf cell[NCOLS], tmp = BUF_INIT;
    size_t i, k;
    int col;

    cells_init(cell);
    buf_addf(out, "# Informe de comunicaciones enviadas: %s\n", c->p->label);
    for (k = 0; k < c->naud; k++) {
        const struct audience *a = &c->aud[k];
        buf_reset(&tmp);
        audience_heading(c, a, &tmp);
        buf_addstr(out, "\n## ");
        md_cell(out, tmp.data);
        buf_addstr(out, "\n\n|");
        for (col = 0; col < NCOLS; col++)
            if (col_shown(a, col))
                buf_addf(out, " %s |", header(a, col));
        buf_addstr(out, "\n|");
        for (col = 0; col < NCOLS; col++)
            if (col_shown(a, col))
                buf_addstr(out, col >= C_DEST ? " ---: |" : " --- |");
        buf_addch(out, '\n');
        for (i = 0; i <= a->nitems; i++) {
            cells(a, i, cell);
            buf_addch(out, '|');
            for (col = 0; col < NCOLS; col++) {
                if (!col_shown(a, col))
                    continue;
                if (i == a->nitems && col == C_FECHA) {
                    buf_addstr(out, "  |");
                    continue;
                }
                buf_addstr(out, i == a->nitems ? " **" : " ");
                md_cell(out, cell[col].data);
                buf_addstr(out, i == a->nitems ? "** |" : " |");
            }
            buf_addch(out, '\n');
        }
        buf_addch(out, '\n');
        buf_reset(&tmp);
        sentence(c, a, &tmp);
        md_cell(out, tmp.data);
        buf_addch(out, '\n');
    }
    targets_each(c, out, md_target);
    buf_release(&tmp);
    cells_release(cell);
}

/* ---- JSON ---- */

static void json_str(struct buf *out, const char *s)
{
    buf_addch(out, '"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            buf_addf(out, "\\%c", ch);
        else if (ch < 0x20)
            buf_addf(out, "\\u%04x", ch);
        else
            buf_addch(out, (char)ch);
    }
    buf_addch(out, '"');
}

static const char *const json_names[NV] = {
    "destinatarios",    "entregados", "rebotados", "rebotados_duros",
    "rebotados_suaves", "fallidos",   "bajas"};

static void json_figures(struct buf *out, const long v[NV])
{
    int k;

    for (k = 0; k < NV; k++)
        buf_addf(out, "%s\"%s\": %ld", k ? ", " : "", json_names[k], v[k]);
}

static void json_row(struct buf *out, const struct item *it, size_t no, struct buf *tmp)
{
    char iso[32];
    size_t j;

    buf_addf(out, "\n    {\"no\": %zu, \"dates\": [", no);
    for (j = 0; j < it->ndates; j++) {
        clock_iso(it->dates[j], iso, sizeof(iso));
        buf_addf(out, "%s\"%s\"", j ? ", " : "", iso);
    }
    buf_addstr(out, "], ");
    if (it->month >= 0)
        buf_addf(out, "\"month\": \"%04d-%02d\", ", it->month / 12, it->month % 12 + 1);
    buf_reset(tmp);
    item_date(it, tmp);
    buf_addstr(out, "\"fecha_de_envio\": ");
    json_str(out, tmp->data);
    buf_addstr(out, ", \"informacion\": ");
    json_str(out, it->title);
    buf_addstr(out, ", \"campaign\": ");
    json_str(out, it->campaign);
    buf_addstr(out, ", ");
    json_figures(out, it->v);
    buf_addch(out, '}');
}

static void json_audience(const struct collect *c, const struct audience *a, struct buf *out)
{
    struct buf tmp = BUF_INIT;
    long v[NV];
    size_t i;
    int m;

    buf_addstr(out, "\n  {\"lists\": ");
    json_str(out, a->lists);
    audience_name(c, a->lists, &tmp);
    buf_addstr(out, ", \"name\": ");
    json_str(out, tmp.data);
    buf_reset(&tmp);
    audience_heading(c, a, &tmp);
    buf_addstr(out, ", \"heading\": ");
    json_str(out, tmp.data);
    buf_addf(out, ", \"by\": \"%s\", \"mailings\": %ld,\n   \"rows\": [",
             a->by == REPORT_BY_MONTH ? "month" : "mailing", mailings_in(a));
    for (i = 0; i < a->nitems; i++) {
        if (i)
            buf_addch(out, ',');
        json_row(out, &a->items[i], i + 1, &tmp);
    }
    totals(a, v);
    buf_addstr(out, "],\n   \"totals\": {");
    json_figures(out, v);
    buf_addstr(out, "},\n   \"months\": [");
    for (i = 0; i < c->nmonths; i++) {
        m = c->month0 + (int)i;
        buf_addf(out, "%s{\"month\": \"%04d-%02d\", \"comunicaciones\": %ld, \"entregados\": %ld}",
                 i ? ", " : "", m / 12, m % 12 + 1, a->month_mailings[i], a->month_delivered[i]);
    }
    buf_reset(&tmp);
    sentence(c, a, &tmp);
    buf_addstr(out, "],\n   \"sentence\": ");
    json_str(out, tmp.data);
    buf_addch(out, '}');
    buf_release(&tmp);
}

static void json_target(struct buf *out, const struct report_target *t, const char *label, long got,
                        int n)
{
    buf_addstr(out, n ? ",\n  {\"key\": " : "\n  {\"key\": ");
    json_str(out, t->key);
    buf_addstr(out, ", \"subject\": ");
    json_str(out, t->subject);
    buf_addf(out, ", \"kind\": \"%s\", \"label\": ",
             t->kind == REPORT_TARGET_EDITIONS ? "ediciones" : "comunicaciones");
    json_str(out, label);
    buf_addf(out, ", \"goal\": %ld, \"achieved\": %ld, \"met\": %s}", t->goal, got,
             got >= t->goal ? "true" : "false");
}

static void json_targets(const struct collect *c, struct buf *out)
{
    buf_addstr(out, "\"targets\": [");
    targets_each(c, out, json_target);
    buf_addstr(out, "]");
}

static void write_json(const struct collect *c, struct buf *out)
{
    char iso[32];
    size_t k;

    buf_addstr(out, "{\"period\": {\"id\": ");
    json_str(out, c->p->id);
    clock_iso(c->p->from, iso, sizeof(iso));
    buf_addf(out, ", \"from\": \"%s\"", iso);
    clock_iso(c->p->to, iso, sizeof(iso));
    buf_addf(out, ", \"to\": \"%s\", \"label\": ", iso);
    json_str(out, c->p->label);
    buf_addf(out, ", \"quarter\": %s},\n \"audiences\": [", c->p->quarter ? "true" : "false");
    for (k = 0; k < c->naud; k++) {
        if (k)
            buf_addch(out, ',');
        json_audience(c, &c->aud[k], out);
    }
    buf_addstr(out, "],\n ");
    json_targets(c, out);
    buf_addstr(out, "}\n");
}

/* ---- HTML ---- */

static void html_esc(struct buf *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            buf_addstr(out, "&amp;");
            break;
        case '<':
            buf_addstr(out, "&lt;");
            break;
        case '>':
            buf_addstr(out, "&gt;");
            break;
        case '"':
            buf_addstr(out, "&quot;");
            break;
        case '\'':
            buf_addstr(out, "&#39;");
            break;
        default:
            buf_addch(out, *s);
        }
    }
}

static const char html_style[] =
    "<style>\n"
    ":root { --c1: #8a1538; --c2: #4a7c9d; }\n"
    "body { font-family: \"Helvetica Neue\", Arial, sans-serif; color: #222; margin: 2em; "
    "line-height: 1.35; }\n"
    "h1 { font-size: 1.5em; margin-bottom: 0.2em; }\n"
    "h2 { font-size: 1.2em; color: var(--c1); border-bottom: 2px solid var(--c1); "
    "padding-bottom: 0.2em; }\n"
    ".periodo { color: #555; margin-top: 0; }\n"
    "table { border-collapse: collapse; width: 100%; font-size: 0.9em; }\n"
    "th, td { border: 1px solid #bbb; padding: 0.3em 0.5em; vertical-align: top; "
    "text-align: left; }\n"
    "th { background: #f1e4e8; }\n"
    "td.n, th.n { text-align: right; white-space: nowrap; }\n"
    "tfoot td { font-weight: bold; background: #f6f6f6; }\n"
    ".enunciado { font-style: italic; }\n"
    "figure { margin: 1em 0; }\n"
    "figcaption { font-size: 0.85em; color: #555; }\n"
    "svg text { font-family: inherit; font-size: 11px; fill: #222; }\n"
    "svg .comunicaciones { fill: var(--c1); }\n"
    "svg .entregados { fill: var(--c2); }\n"
    ".metas .cumplida { color: #1b6e20; font-weight: bold; }\n"
    ".metas .no-cumplida { color: #a11; font-weight: bold; }\n"
    "@page { size: letter landscape; margin: 1.5cm; }\n"
    "@media print {\n"
    "  body { margin: 0; }\n"
    "  .audiencia + .audiencia, .metas { break-before: page; page-break-before: always; }\n"
    "  thead { display: table-header-group; }\n"
    "  tr, figure { break-inside: avoid; page-break-inside: avoid; }\n"
    "  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
    "  svg .comunicaciones, svg .entregados { -webkit-print-color-adjust: exact; "
    "print-color-adjust: exact; }\n"
    "}\n"
    "</style>\n";

#define CH_TOP 40   /* room for the legend */
#define CH_PLOT 160 /* bar area height */
#define CH_LEFT 20
#define CH_GROUP 110 /* width per month */
#define CH_BAR 34

static void svg_bar(struct buf *out, const char *cls, int x, long v, long max)
{
    int h = max ? (int)((double)v * CH_PLOT / (double)max + 0.5) : 0;
    int y = CH_TOP + CH_PLOT - h;

    buf_addf(out,
             "<rect class=\"barra %s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">"
             "<title>%ld</title></rect>"
             "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%ld</text>",
             cls, x, y, CH_BAR, h, v, x + CH_BAR / 2, y - 4, v);
}

/* Grouped bars per month: mailings and deliveries, each series on its own
 * scale (tens against thousands) with the value written on every bar. */
static void html_chart(const struct collect *c, const struct audience *a, size_t k, struct buf *out)
{
    int w = CH_LEFT * 2 + (int)c->nmonths * CH_GROUP, hgt = CH_TOP + CH_PLOT + 30;
    long maxm = 0, maxd = 0;
    size_t i;
    int x, m;

    if (w < 420)
        w = 420;
    for (i = 0; i < c->nmonths; i++) {
        if (a->month_mailings[i] > maxm)
            maxm = a->month_mailings[i];
        if (a->month_delivered[i] > maxd)
            maxd = a->month_delivered[i];
    }
    buf_addf(out,
             "<figure class=\"grafica\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
             "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
             "aria-labelledby=\"graf-%zu\"><title id=\"graf-%zu\">Comunicaciones y correos "
             "entregados por mes</title>\n",
             w, hgt, w, hgt, k, k);
    buf_addf(out,
             "<g class=\"leyenda\"><rect class=\"comunicaciones\" x=\"%d\" y=\"8\" width=\"12\" "
             "height=\"12\"/><text x=\"%d\" y=\"18\">Comunicaciones</text>"
             "<rect class=\"entregados\" x=\"%d\" y=\"8\" width=\"12\" height=\"12\"/>"
             "<text x=\"%d\" y=\"18\">Correos entregados</text></g>\n",
             CH_LEFT, CH_LEFT + 16, CH_LEFT + 130, CH_LEFT + 146);
    buf_addf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", CH_LEFT,
             CH_TOP + CH_PLOT, w - CH_LEFT, CH_TOP + CH_PLOT);
    for (i = 0; i < c->nmonths; i++) {
        m = c->month0 + (int)i;
        x = CH_LEFT + (int)i * CH_GROUP + (CH_GROUP - 2 * CH_BAR - 6) / 2;
        buf_addf(out, "<g class=\"mes\" data-mes=\"%04d-%02d\">", m / 12, m % 12 + 1);
        svg_bar(out, "comunicaciones", x, a->month_mailings[i], maxm);
        svg_bar(out, "entregados", x + CH_BAR + 6, a->month_delivered[i], maxd);
        buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s %d</text></g>\n",
                 x + CH_BAR + 3, CH_TOP + CH_PLOT + 18, datefmt_months[m % 12], m / 12);
    }
    buf_addstr(out, "</svg>\n<figcaption>Comunicaciones y correos entregados por mes de envío; "
                    "cada serie con su propia escala, el número sobre cada barra es el "
                    "valor.</figcaption>\n</figure>\n");
}

static void html_table(const struct audience *a, struct buf *out)
{
    struct buf cell[NCOLS];
    size_t i;
    int col;

    cells_init(cell);
    buf_addstr(out, "<table class=\"envios\">\n<thead><tr>");
    for (col = 0; col < NCOLS; col++)
        if (col_shown(a, col))
            buf_addf(out, "<th%s scope=\"col\">%s</th>", col >= C_DEST ? " class=\"n\"" : "",
                     header(a, col));
    buf_addstr(out, "</tr></thead>\n<tbody>\n");
    for (i = 0; i <= a->nitems; i++) {
        cells(a, i, cell);
        if (i == a->nitems)
            buf_addstr(out, "</tbody>\n<tfoot>\n");
        buf_addstr(out, i == a->nitems ? "<tr class=\"total\">" : "<tr class=\"fila\">");
        for (col = 0; col < NCOLS; col++) {
            if (!col_shown(a, col))
                continue;
            buf_addstr(out, col >= C_DEST ? "<td class=\"n\">" : "<td>");
            html_esc(out, cell[col].data);
            buf_addstr(out, "</td>");
        }
        buf_addstr(out, "</tr>\n");
    }
    buf_addstr(out, "</tfoot>\n</table>\n");
    cells_release(cell);
}

static void html_target(struct buf *out, const struct report_target *t, const char *label, long got,
                        int n)
{
    if (n == 0)
        buf_addstr(out, "<section class=\"metas\">\n<h2>Metas del programa de trabajo</h2>\n"
                        "<table>\n<thead><tr><th scope=\"col\">Meta</th><th class=\"n\" "
                        "scope=\"col\">Objetivo</th><th class=\"n\" scope=\"col\">Logrado"
                        "</th><th scope=\"col\">Estado</th></tr></thead>\n<tbody>\n");
    buf_addstr(out, "<tr class=\"meta\"><td>");
    html_esc(out, label);
    buf_addf(out,
             "</td><td class=\"n\">%ld</td><td class=\"n\">%ld</td>"
             "<td class=\"%s\">%s</td></tr>\n",
             t->goal, got, got >= t->goal ? "cumplida" : "no-cumplida",
             target_verdict(t->goal, got));
}

static void html_targets(const struct collect *c, struct buf *out)
{
    if (targets_each(c, out, html_target))
        buf_addstr(out, "</tbody>\n</table>\n</section>\n");
}

static void write_html(const struct collect *c, struct buf *out)
{
    struct buf tmp = BUF_INIT;
    size_t k;

    buf_addstr(out, "<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<title>Informe de comunicaciones enviadas: ");
    html_esc(out, c->p->label);
    buf_addstr(out, "</title>\n");
    buf_addstr(out, html_style);
    buf_addstr(out, "</head>\n<body>\n<header>\n<h1>Informe de comunicaciones enviadas</h1>\n"
                    "<p class=\"periodo\">Periodo: ");
    html_esc(out, c->p->label);
    buf_addstr(out, "</p>\n</header>\n");
    if (!c->naud)
        buf_addstr(out, "<p>No se envió ninguna comunicación en el periodo.</p>\n");
    for (k = 0; k < c->naud; k++) {
        const struct audience *a = &c->aud[k];
        buf_addstr(out, "<section class=\"audiencia\" data-lista=\"");
        html_esc(out, a->lists);
        buf_addstr(out, "\">\n<h2>");
        buf_reset(&tmp);
        audience_heading(c, a, &tmp);
        html_esc(out, tmp.data);
        buf_addstr(out, "</h2>\n");
        html_table(a, out);
        buf_reset(&tmp);
        sentence(c, a, &tmp);
        buf_addstr(out, "<p class=\"enunciado\">");
        html_esc(out, tmp.data);
        buf_addstr(out, "</p>\n");
        html_chart(c, a, k, out);
        buf_addstr(out, "</section>\n");
    }
    html_targets(c, out);
    buf_addstr(out, "</body>\n</html>\n");
    buf_release(&tmp);
}

/* ---- entry ---- */

static void render(const struct collect *c, enum report_format f, struct buf *out)
{
    switch (f) {
    case REPORT_TEXT:
        write_text(c, out);
        break;
    case REPORT_CSV:
        write_csv(c, out);
        break;
    case REPORT_MD:
        write_md(c, out);
        break;
    case REPORT_JSON:
        write_json(c, out);
        break;
    case REPORT_HTML:
        write_html(c, out);
        break;
    }
}

int report_write_formats(struct ledger *l, const struct report_period *p,
                         const struct report_opts *o, const enum report_format *formats,
                         struct buf *outs, size_t n, struct err *err)
{
    static const struct report_config none;
    struct collect c;
    size_t i;
    int rc = -1;

    memset(&c, 0, sizeof(c));
    c.o = o;
    c.p = p;
    c.cfg = o->config ? o->config : &none;
    c.month0 = month_of(p->from);
    c.nmonths = (size_t)(month_of(p->to - 1) - c.month0 + 1);
    if (ledger_report_mailings(l, p->from, p->to, on_row, &c, err) < 0)
        goto out;
    if (c.nomem) {
        err_nomem(err);
        goto out;
    }
    for (i = 0; i < n; i++)
        render(&c, formats[i], &outs[i]);
    rc = 0;
out:
    collect_release(&c);
    return rc;
}

int report_write(struct ledger *l, const struct report_period *p, const struct report_opts *o,
                 struct buf *out, struct err *err)
{
    return report_write_formats(l, p, o, &o->format, out, 1, err);
}
