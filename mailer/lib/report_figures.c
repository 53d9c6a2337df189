/* report_figures - the period's mailings (sent by the mailer, or recorded
 * with `mailer history`) read from the ledger into the rows of each
 * audience, their totals and the targets achieved (report_int.h). */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "events.h"
#include "report_int.h"
#include "template.h"

#include "banned.h"

/* The figures a recorded mailing never has. */
#define UNKNOWN_DELIVERY                                                                           \
    ((1u << V_ENT) | (1u << V_REB) | (1u << V_DUROS) | (1u << V_SUAVES) | (1u << V_FALL) |         \
     (1u << V_BAJAS))

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
    a->conf = report_config_list(d->cfg, lists, strlen(lists));
    a->recorded_recipients = 1;
    a->month_rows = calloc(d->nmonths, sizeof(long));
    a->month_sends = calloc(d->nmonths, sizeof(long));
    a->month_delivered = calloc(d->nmonths, sizeof(long));
    if (!(a->lists = strdup(lists)) || !a->month_rows || !a->month_sends || !a->month_delivered)
        return NULL;
    return a;
}

static struct report_item *new_item(struct report_data *d, struct report_audience *a, int month,
                                    const char *campaign, const char *title)
{
    struct report_item *grown, *it;

    grown = realloc(a->items, (a->nitems + 1) * sizeof(*a->items));
    if (!grown)
        return NULL;
    a->items = grown;
    it = memset(&a->items[a->nitems++], 0, sizeof(*it));
    it->month = month;
    it->seq = d->seq++;
    if (!(it->title = strdup(title)) || !(it->campaign = strdup(campaign)))
        return NULL;
    return it;
}

/* By mailing, one row per (campaign, title): a campaign sent again under
 * the same title (a convocatoria and its reminders) is one row with all
 * its dates; two campaigns that happen to share a title stay two rows.
 * By month, one row per (month, campaign, title). Recorded mailings have
 * campaign "": by month, those of one title in one month are one row. */
static struct report_item *find_item(struct report_data *d, struct report_audience *a, int month,
                                     const char *campaign, const char *title)
{
    size_t i;

    for (i = 0; i < a->nitems; i++)
        if (a->items[i].month == month && !strcmp(a->items[i].title, title) &&
            !strcmp(a->items[i].campaign, campaign))
            return &a->items[i];
    return new_item(d, a, month, campaign, title);
}

static int add_date(struct report_item *it, time_t t)
{
    time_t *grown = realloc(it->dates, (it->ndates + 1) * sizeof(*it->dates));

    if (!grown)
        return -1;
    it->dates = grown;
    it->dates[it->ndates++] = t;
    return 0;
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

/* The month index of t in the period, or (size_t)-1 outside it. */
static size_t month_index(const struct report_data *d, time_t t)
{
    return (size_t)(report_figures_month_of(t) - d->month0);
}

static int on_row(void *ud, const struct ledger_report_mailing *r)
{
    struct report_data *d = ud;
    const char *title = *r->report_title ? r->report_title : r->subject;
    int month = report_figures_month_of(r->first_sent);
    size_t mi = month_index(d, r->first_sent);
    struct report_audience *a;
    struct report_item *it;
    const long v[NV] = {r->recipients,   r->delivered, r->bounced,     r->bounced_hard,
                        r->bounced_soft, r->failed,    r->unsubscribed};
    int k;

    if (d->o->list && !report_figures_list_matches(r->lists, d->o->list))
        return 0;
    if (!(a = find_audience(d, r->lists)) ||
        !(it = find_item(d, a, a->by == REPORT_BY_MONTH ? month : -1, r->campaign, title)) ||
        count_edition(d, r->campaign) || add_date(it, r->first_sent) ||
        (*r->from_address && strset_add(&a->senders, r->from_address)))
        return d->nomem = 1;
    it->sends++;
    for (k = 0; k < NV; k++)
        it->v[k] += v[k];
    /* Bajas count people: once per row and once in the total, however many
     * of its mailings (a convocatoria and its reminders) they got */
    for (k = 0; k < (int)r->unsubscribed; k++)
        if (strset_add(&it->unsub, r->unsubscribed_addresses[k]) ||
            strset_add(&a->unsub, r->unsubscribed_addresses[k]))
            return d->nomem = 1;
    it->v[V_BAJAS] = (long)it->unsub.n;
    /* the chart counts what a mailing delivered in the month it is dated
     * by, as the table does */
    if (mi < d->nmonths)
        a->month_delivered[mi] += r->delivered;
    return 0;
}

/* "tablas/informe-2024T1.tsv:12" -> "informe-2024T1.tsv"; "add" stays. */
static int add_source(struct report_audience *a, const char *source)
{
    const char *slash = strrchr(source, '/'), *colon;
    char *name;
    int rc;

    if (slash)
        source = slash + 1;
    colon = strrchr(source, ':');
    if (!(name = xstrndup(source, colon ? (size_t)(colon - source) : strlen(source))))
        return -1;
    rc = strset_add(&a->sources, name);
    free(name);
    return rc;
}

static int on_recorded(void *ud, const struct ledger_history *h)
{
    struct report_data *d = ud;
    struct report_audience *a;
    struct report_item *it;
    size_t k, before;

    if (d->o->list && strcmp(h->list, d->o->list))
        return 0;
    if (!(a = find_audience(d, h->list)))
        return d->nomem = 1;
    before = a->nitems;
    it = a->by == REPORT_BY_MONTH
             ? find_item(d, a, report_figures_month_of(h->dates[0]), "", h->title)
             : new_item(d, a, -1, "", h->title);
    if (!it || (*h->sender && strset_add(&a->senders, h->sender)) || add_source(a, h->source))
        return d->nomem = 1;
    for (k = 0; k < h->ndates; k++)
        if (add_date(it, h->dates[k]))
            return d->nomem = 1;
    a->recorded += a->nitems > before;
    it->recorded = 1;
    it->range = h->range;
    it->sends += h->range ? 1 : (long)h->ndates;
    it->unknown |= UNKNOWN_DELIVERY;
    if (h->recipients >= 0) {
        it->v[V_DEST] += h->recipients;
    } else {
        it->unknown |= 1u << V_DEST;
        a->recorded_recipients = 0;
    }
    return 0;
}

/* Rows in the order of their first date (by month: of their month first);
 * rows of one date in the order they were read. */
static int by_date(const void *x, const void *y)
{
    const struct report_item *a = x, *b = y;

    if (a->month != b->month)
        return a->month < b->month ? -1 : 1;
    if (a->dates[0] != b->dates[0])
        return a->dates[0] < b->dates[0] ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void months(struct report_data *d, struct report_audience *a)
{
    size_t i, j, mi;

    qsort(a->items, a->nitems, sizeof(*a->items), by_date);
    for (i = 0; i < a->nitems; i++) {
        const struct report_item *it = &a->items[i];
        if ((mi = month_index(d, it->dates[0])) < d->nmonths)
            a->month_rows[mi]++;
        for (j = 0; j < (it->range ? 1 : it->ndates); j++)
            if ((mi = month_index(d, it->dates[j])) < d->nmonths)
                a->month_sends[mi]++;
    }
}

/* The lists a campaign's mailings went to: in the period, else ever. */
struct campaign_lists {
    const char *campaign;
    char *lists;
};

static int first_lists(void *ud, const struct mailing *m)
{
    struct campaign_lists *c = ud;

    if (m->test)
        return 0;
    c->lists = strdup(m->lists);
    return 1;
}

/* A target of the kind LIST.comunicaciones shown with --list L only for L;
 * CAMPAIGN.ediciones only when the campaign's mailings go to L. */
static int target_of_list(const struct report_data *d, struct ledger *l,
                          const struct report_target *t, int *yes, struct err *err)
{
    struct campaign_lists c = {t->subject, NULL};
    size_t i, j;

    *yes = 0;
    if (t->kind == REPORT_TARGET_MAILINGS) {
        *yes = !strcmp(t->subject, d->o->list);
        return 0;
    }
    for (i = 0; i < d->naud; i++)
        for (j = 0; j < d->aud[i].nitems; j++)
            if (!strcmp(d->aud[i].items[j].campaign, t->subject))
                return *yes = 1, 0; /* the period's rows are all of L already */
    if (ledger_mailings_each(l, t->subject, first_lists, &c, err) < 0)
        return -1;
    *yes = c.lists && report_figures_list_matches(c.lists, d->o->list);
    free(c.lists);
    return 0;
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
            n += report_figures_rows(&d->aud[i]);
    return n;
}

/* How well a target's section fits the quarter: 3 its quarter, 2 its
 * year, 1 every quarter, 0 not this one. */
static int fit(const struct report_period *p, const struct report_target *t)
{
    if (!t->year)
        return 1;
    if (t->year != p->year || (t->quarter && t->quarter != p->quarter))
        return 0;
    return t->quarter ? 3 : 2;
}

/* The targets of a quarter: for each key (in the order informe.conf first
 * names it) the most particular section's. */
static int targets(struct report_data *d, struct ledger *l, struct err *err)
{
    const struct report_config *c = d->cfg;
    size_t i, j;
    int best, yes;

    if (!d->p->quarter || !c->ntargets)
        return 0;
    if (!(d->targets = calloc(c->ntargets, sizeof(*d->targets))))
        return err_nomem(err);
    for (i = 0; i < c->ntargets; i++) {
        const struct report_target *t = NULL;
        for (j = 0; j < i; j++)
            if (!strcmp(c->targets[j].key, c->targets[i].key))
                break;
        if (j < i)
            continue; /* a key decided at its first appearance */
        for (best = 0, j = i; j < c->ntargets; j++)
            if (!strcmp(c->targets[j].key, c->targets[i].key) && fit(d->p, &c->targets[j]) > best)
                best = fit(d->p, &c->targets[j]), t = &c->targets[j];
        if (!t)
            continue;
        if (d->o->list && target_of_list(d, l, t, &yes, err))
            return -1;
        if (d->o->list && !yes)
            continue;
        d->targets[d->ntargets].t = t;
        d->targets[d->ntargets++].achieved = achieved(d, t);
    }
    return 0;
}

/* One event of the ledger, kept (as the JSON report shows it) when it falls
 * in the period. */
static int on_event(void *ud, const struct ledger_event *e)
{
    struct report_data *d = ud;

    if (e->at >= d->p->to)
        return 1; /* oldest first: the rest are later still */
    if ((d->events_json.len && buf_addch(&d->events_json, ',')) ||
        buf_addstr(&d->events_json, "\n  ") || events_json(&d->events_json, e))
        return d->nomem = 1, 1;
    return 0;
}

int report_figures_collect(struct report_data *d, struct ledger *l, struct err *err)
{
    time_t now = d->o->now ? d->o->now : clock_now();
    size_t i;

    d->month0 = report_figures_month_of(d->p->from);
    d->nmonths = (size_t)(report_figures_month_of(d->p->to - 1) - d->month0 + 1);
    d->running = now >= d->p->from && now < d->p->to;
    if (!(d->sentence = report_words_default_sentence(err)))
        return -1;
    if (ledger_report_mailings(l, d->p->from, d->p->to, on_row, d, err) < 0 ||
        (!d->nomem && ledger_history_each(l, d->p->from, d->p->to, on_recorded, d, err) < 0) ||
        (!d->nomem && ledger_events_each(l, d->p->from, NULL, NULL, on_event, d, err) < 0))
        return -1;
    if (d->nomem)
        return err_nomem(err);
    for (i = 0; i < d->naud; i++) {
        months(d, &d->aud[i]);
        report_table_layout(d, &d->aud[i]);
    }
    return targets(d, l, err);
}

void report_figures_release(struct report_data *d)
{
    size_t i, j;

    for (i = 0; i < d->naud; i++) {
        struct report_audience *a = &d->aud[i];
        for (j = 0; j < a->nitems; j++) {
            free(a->items[j].title);
            free(a->items[j].campaign);
            free(a->items[j].dates);
            strset_release(&a->items[j].unsub);
        }
        strset_release(&a->unsub);
        strset_release(&a->senders);
        strset_release(&a->sources);
        free(a->items);
        free(a->lists);
        free(a->month_rows);
        free(a->month_sends);
        free(a->month_delivered);
    }
    for (i = 0; i < d->neds; i++)
        free(d->eds[i].campaign);
    free(d->eds);
    free(d->aud);
    free(d->targets);
    template_free(d->sentence);
    buf_release(&d->events_json);
}

long report_figures_rows(const struct report_audience *a)
{
    return (long)a->nitems;
}

long report_figures_sends(const struct report_audience *a)
{
    long n = 0;
    size_t i;

    for (i = 0; i < a->nitems; i++)
        n += a->items[i].sends;
    return n;
}

void report_figures_totals(const struct report_audience *a, long v[NV], unsigned *unknown)
{
    unsigned known = 0;
    size_t i;
    int k;

    for (k = 0; k < NV; k++)
        v[k] = 0;
    for (i = 0; i < a->nitems; i++) {
        known |= ~a->items[i].unknown;
        for (k = 0; k < NV; k++)
            if (!(a->items[i].unknown & (1u << k)))
                v[k] += a->items[i].v[k];
    }
    v[V_BAJAS] = (long)a->unsub.n;
    *unknown = ~known & ((1u << NV) - 1);
}
