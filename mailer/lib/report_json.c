/* report_json - the report for programs, in the stable shape report.h
 * documents (numbers are JSON numbers, times UTC ISO, an unknown figure
 * null). */
#include "report.h"

#include <string.h>

#include "clock.h"
#include "report_int.h"
#include "value.h"

#include "banned.h"

static const char *const json_names[NV] = {
    "destinatarios",    "entregados", "rebotados", "rebotados_duros",
    "rebotados_suaves", "fallidos",   "bajas"};

static int json_figures(struct buf *out, const long v[NV], unsigned unknown)
{
    int k;

    for (k = 0; k < NV; k++)
        if (buf_addf(out, "%s\"%s\": ", k ? ", " : "", json_names[k]) ||
            (unknown & (1u << k) ? buf_addstr(out, "null") : buf_addf(out, "%ld", v[k])))
            return -1;
    return 0;
}

static int json_dates(struct buf *out, const struct report_item *it)
{
    char iso[32];
    size_t j;

    for (j = 0; j < it->ndates; j++) {
        clock_iso(it->dates[j], iso, sizeof(iso));
        if (buf_addf(out, "%s\"%s\"", j ? ", " : "", iso))
            return -1;
    }
    return 0;
}

static int json_row(struct buf *out, const struct report_item *it, size_t no, struct buf *tmp)
{
    buf_reset(tmp);
    if (buf_addf(out, "\n    {\"no\": %zu, \"recorded\": %s, \"dates\": [", no,
                 it->recorded ? "true" : "false") ||
        json_dates(out, it) || buf_addf(out, "], \"range\": %s, ", it->range ? "true" : "false") ||
        (it->month >= 0 &&
         buf_addf(out, "\"month\": \"%04d-%02d\", ", it->month / 12, it->month % 12 + 1)) ||
        report_words_item_date(it, tmp) || buf_addstr(out, "\"fecha_de_envio\": ") ||
        value_json_quote(out, tmp->data) || buf_addstr(out, ", \"informacion\": ") ||
        value_json_quote(out, it->title) || buf_addstr(out, ", \"campaign\": ") ||
        value_json_quote(out, it->campaign) || buf_addf(out, ", \"envios\": %ld, ", it->sends) ||
        json_figures(out, it->v, it->unknown) || buf_addch(out, '}'))
        return -1;
    return 0;
}

static int json_months(const struct report_data *d, const struct report_audience *a,
                       struct buf *out)
{
    size_t i;
    int m;

    for (i = 0; i < d->nmonths; i++) {
        m = d->month0 + (int)i;
        if (buf_addf(out,
                     "%s{\"month\": \"%04d-%02d\", \"comunicaciones\": %ld, \"envios\": %ld, "
                     "\"entregados\": %ld}",
                     i ? ", " : "", m / 12, m % 12 + 1, a->month_rows[i], a->month_sends[i],
                     a->month_delivered[i]))
            return -1;
    }
    return 0;
}

static int json_columns(const struct report_data *d, const struct report_audience *a,
                        struct buf *out)
{
    int i;

    for (i = 0; i < a->ncols; i++)
        if (buf_addf(out, "%s{\"id\": \"%s\", \"heading\": ", i ? ", " : "",
                     report_config_column_id(a->cols[i])) ||
            value_json_quote(out, report_table_header(d, a, a->cols[i])) || buf_addch(out, '}'))
            return -1;
    return 0;
}

static int json_head(const struct report_data *d, const struct report_audience *a, struct buf *tmp,
                     struct buf *out)
{
    size_t i;

    buf_reset(tmp);
    if (buf_addstr(out, "\n  {\"lists\": ") || value_json_quote(out, a->lists) ||
        report_words_audience_name(d, a->lists, tmp) || buf_addstr(out, ", \"name\": ") ||
        value_json_quote(out, tmp->data))
        return -1;
    buf_reset(tmp);
    if (report_words_heading(d, a, tmp) || buf_addstr(out, ", \"heading\": ") ||
        value_json_quote(out, tmp->data) ||
        buf_addf(out,
                 ", \"by\": \"%s\", \"comunicaciones\": %ld, \"envios\": %ld, \"mailings\": %ld, "
                 "\"recorded\": %ld,\n   \"senders\": [",
                 a->by == REPORT_BY_MONTH ? "month" : "mailing", report_figures_rows(a),
                 report_figures_sends(a), report_figures_sends(a), a->recorded))
        return -1;
    for (i = 0; i < a->senders.n; i++)
        if ((i && buf_addstr(out, ", ")) || value_json_quote(out, a->senders.v[i]))
            return -1;
    return buf_addstr(out, "], \"columns\": [") || json_columns(d, a, out) ? -1 : 0;
}

static int json_audience(const struct report_data *d, const struct report_audience *a,
                         struct buf *tmp, struct buf *out)
{
    unsigned unknown;
    long v[NV];
    size_t i;

    if (json_head(d, a, tmp, out) || buf_addstr(out, "],\n   \"rows\": ["))
        return -1;
    for (i = 0; i < a->nitems; i++)
        if ((i && buf_addch(out, ',')) || json_row(out, &a->items[i], i + 1, tmp))
            return -1;
    report_figures_totals(a, v, &unknown);
    buf_reset(tmp);
    if (buf_addstr(out, "],\n   \"totals\": {") || json_figures(out, v, unknown) ||
        buf_addstr(out, "},\n   \"months\": [") || json_months(d, a, out) ||
        report_words_sentence(d, a, tmp) || buf_addstr(out, "],\n   \"sentence\": ") ||
        value_json_quote(out, tmp->data))
        return -1;
    buf_reset(tmp);
    if (report_words_note(a, tmp) || buf_addstr(out, ", \"note\": ") ||
        value_json_quote(out, tmp->data) || buf_addch(out, '}'))
        return -1;
    return 0;
}

static int json_target(const struct report_data *d, struct buf *out,
                       const struct report_shown_target *st, const char *label, int n)
{
    const struct report_target *t = st->t;
    const char *verdict = report_words_verdict(d, t->goal, st->achieved);

    return buf_addstr(out, n ? ",\n  {\"key\": " : "\n  {\"key\": ") ||
                   value_json_quote(out, t->key) || buf_addstr(out, ", \"subject\": ") ||
                   value_json_quote(out, t->subject) ||
                   buf_addf(out, ", \"kind\": \"%s\", \"label\": ",
                            t->kind == REPORT_TARGET_EDITIONS ? "ediciones" : "comunicaciones") ||
                   value_json_quote(out, label) ||
                   buf_addf(out,
                            ", \"goal\": %ld, \"achieved\": %ld, \"met\": %s, \"state\": ", t->goal,
                            st->achieved, st->achieved >= t->goal ? "true" : "false") ||
                   buf_addch(out, '"') || buf_addch(out, verdict[0] - 'A' + 'a') ||
                   buf_addstr(out, verdict + 1) || buf_addstr(out, "\"}")
               ? -1
               : 0;
}

int report_json_write(const struct report_data *d, struct buf *out)
{
    struct buf tmp = BUF_INIT;
    char from[32], to[32];
    size_t k;
    int rc;

    clock_iso(d->p->from, from, sizeof(from));
    clock_iso(d->p->to, to, sizeof(to));
    rc = buf_addstr(out, "{\"period\": {\"id\": ") || value_json_quote(out, d->p->id) ||
         buf_addf(out, ", \"from\": \"%s\", \"to\": \"%s\", \"label\": ", from, to) ||
         value_json_quote(out, d->p->label) ||
         buf_addf(out, ", \"quarter\": %s, \"running\": %s},\n \"audiences\": [",
                  d->p->quarter ? "true" : "false", d->running ? "true" : "false");
    for (k = 0; k < d->naud && !rc; k++)
        rc = (k && buf_addch(out, ',')) || json_audience(d, &d->aud[k], &tmp, out);
    rc = rc || buf_addstr(out, "],\n \"targets\": [") ||
         report_words_targets_each(d, out, json_target) || buf_addstr(out, "],\n \"events\": [") ||
         buf_add(out, d->events_json.data, d->events_json.len) || buf_addstr(out, "]}\n");
    buf_release(&tmp);
    return rc ? -1 : 0;
}
