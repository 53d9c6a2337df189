/* report_figures - the period's mailings read from the ledger into the rows
 * of each audience, their totals and the targets achieved (report_int.h). */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "report_int.h"

#include "banned.h"

static int strset_add(struct report_strset *s, const char *a)
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

static void strset_release(struct report_strset *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

int report_figures_list_matches(const char *lists, const char *want)
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

int report_figures_month_of(time_t t)
{
    struct tm tm;

    clock_local(t, &tm);
    return (tm.tm_year + 1900) * 12 + tm.tm_mon;
}

/* By month only when every list of the audience asks for it. */
static enum report_grouping grouping(const struct report_data *d, const char *lists)
{
    const char *comma;
    const struct report_list *l;

    if (d->o->by != REPORT_BY_DEFAULT)
        return d->o->by;
    for (;; lists = comma + 1) {
        comma = strchr(lists, ',');
        if (!comma)
            comma = lists + strlen(lists);
        l = report_config_list(d->cfg, lists, (size_t)(comma - lists));
        if (!l || l->by != REPORT_BY_MONTH)
            return REPORT_BY_MAILING;
        if (!*comma)
            return REPORT_BY_MONTH;
    }
}

static struct report_audience *find_audience(struct report_data *d, const char *lists)
{
    struct report_audience *grown, *a;
    size_t i;

    for (i = 0; i < d->naud; i++)
        if (!strcmp(d->aud[i].lists, lists))
            return &d->aud[i];
    grown = realloc(d->aud, (d->naud + 1) * sizeof(*d->aud));
    if (!grown)
        return NULL;
    d->aud = grown;
    a = memset(&d->aud[d->naud++], 0, sizeof(*a));
    a->by = grouping(d, lists);
    a->month_mailings = calloc(d->nmonths, sizeof(long));
    a->month_delivered = calloc(d->nmonths, sizeof(long));
    if (!(a->lists = strdup(lists)) || !a->month_mailings || !a->month_delivered)
        return NULL;
    return a;
}

/* By mailing, one row per (campaign, title): a campaign sent again under
 * the same title (a convocatoria and its reminders) is one row with all
 * its dates; two campaigns that happen to share a title stay two rows.
 * By month, one row per (month, campaign, title). */
static struct report_item *find_item(struct report_audience *a, int month, const char *campaign,
                                     const char *title)
{
    struct report_item *grown, *it;
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

static int count_edition(struct report_data *d, const char *campaign)
{
    struct report_edition_count *grown;
    size_t i;

    for (i = 0; i < d->neds; i++)
        if (!strcmp(d->eds[i].campaign, campaign))
            return d->eds[i].n++, 0;
    if (!(grown = realloc(d->eds, (d->neds + 1) * sizeof(*grown))))
        return -1;
    d->eds = grown;
    d->eds[d->neds].n = 1;
    if (!(d->eds[d->neds].campaign = strdup(campaign)))
        return -1;
    d->neds++;
    return 0;
}

static int on_row(void *ud, const struct ledger_report_mailing *r)
{
    struct report_data *d = ud;
    const char *title = *r->report_title ? r->report_title : r->subject;
    int month = report_figures_month_of(r->first_sent);
    size_t mi = (size_t)(month - d->month0);
    struct report_audience *a;
    struct report_item *it;
    time_t *grown;
    const long v[NV] = {r->recipients,   r->delivered, r->bounced,     r->bounced_hard,
                        r->bounced_soft, r->failed,    r->unsubscribed};
    int k;

    if (d->o->list && !report_figures_list_matches(r->lists, d->o->list))
        return 0;
    if (!(a = find_audience(d, r->lists)) ||
        !(it = find_item(a, a->by == REPORT_BY_MONTH ? month : -1, r->campaign, title)) ||
        count_edition(d, r->campaign))
        return d->nomem = 1;
    grown = realloc(it->dates, (it->ndates + 1) * sizeof(*it->dates));
    if (!grown)
        return d->nomem = 1;
    it->dates = grown;
    it->dates[it->ndates++] = r->first_sent;
    for (k = 0; k < NV; k++)
        it->v[k] += v[k];
    /* Bajas count people: once per row and once in the total, however many
     * of its mailings (a convocatoria and its reminders) they got */
    for (k = 0; k < (int)r->unsubscribed; k++)
        if (strset_add(&it->unsub, r->unsubscribed_addresses[k]) ||
            strset_add(&a->unsub, r->unsubscribed_addresses[k]))
            return d->nomem = 1;
    it->v[V_BAJAS] = (long)it->unsub.n;
    /* the chart counts a mailing, and what it delivered, in the month it is
     * dated by, as the table does */
    if (mi < d->nmonths) {
        a->month_mailings[mi]++;
        a->month_delivered[mi] += r->delivered;
    }
    return 0;
}

int report_figures_collect(struct report_data *d, struct ledger *l, struct err *err)
{
    d->month0 = report_figures_month_of(d->p->from);
    d->nmonths = (size_t)(report_figures_month_of(d->p->to - 1) - d->month0 + 1);
    if (ledger_report_mailings(l, d->p->from, d->p->to, on_row, d, err) < 0)
        return -1;
    if (d->nomem)
        return err_nomem(err);
    return 0;
}

void report_figures_release(struct report_data *d)
{
    size_t i, j;

    for (i = 0; i < d->naud; i++) {
        for (j = 0; j < d->aud[i].nitems; j++) {
            free(d->aud[i].items[j].title);
            free(d->aud[i].items[j].campaign);
            free(d->aud[i].items[j].dates);
            strset_release(&d->aud[i].items[j].unsub);
        }
        strset_release(&d->aud[i].unsub);
        free(d->aud[i].items);
        free(d->aud[i].lists);
        free(d->aud[i].month_mailings);
        free(d->aud[i].month_delivered);
    }
    for (i = 0; i < d->neds; i++)
        free(d->eds[i].campaign);
    free(d->eds);
    free(d->aud);
}

long report_figures_mailings(const struct report_audience *a)
{
    long n = 0;
    size_t i;

    for (i = 0; i < a->nitems; i++)
        n += (long)a->items[i].ndates;
    return n;
}

void report_figures_totals(const struct report_audience *a, long v[NV])
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

static long achieved(const struct report_data *d, const struct report_target *t)
{
    long n = 0;
    size_t i;

    if (t->kind == REPORT_TARGET_EDITIONS) {
        for (i = 0; i < d->neds; i++)
            if (!strcmp(d->eds[i].campaign, t->subject))
                n = d->eds[i].n;
        return n;
    }
    for (i = 0; i < d->naud; i++)
        if (report_figures_list_matches(d->aud[i].lists, t->subject))
            n += report_figures_mailings(&d->aud[i]);
    return n;
}

/* Targets apply to a quarter; with --list only that list's. */
static int target_shown(const struct report_data *d, const struct report_target *t)
{
    if (!d->p->quarter)
        return 0;
    if (d->o->list && t->kind == REPORT_TARGET_MAILINGS)
        return !strcmp(t->subject, d->o->list);
    return 1;
}

int report_figures_targets_each(const struct report_data *d, struct buf *out, report_target_fn row,
                                int *n)
{
    struct buf label = BUF_INIT;
    int rc = 0;

    *n = 0;
    for (size_t i = 0; i < d->cfg->ntargets && !rc; i++) {
        const struct report_target *t = &d->cfg->targets[i];
        if (!target_shown(d, t))
            continue;
        buf_reset(&label);
        rc = report_words_target_label(d, t, &label) ||
             row(out, t, label.data, achieved(d, t), (*n)++);
    }
    buf_release(&label);
    return rc ? -1 : 0;
}
