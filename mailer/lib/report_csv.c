/* report_csv - the report for Excel: UTF-8 with a BOM (Excel keeps the
 * accents), CRLF, ',' or ';' between fields; the rows, the totals and the
 * targets as three blocks, each with its header, an empty line between. */
#include "report.h"

#include <string.h>

#include "report_int.h"

#include "banned.h"

static const char *const figure_headers[NV] = {"Destinatarios", "Entregados",     "Rebotados",
                                               "Rebotes duros", "Rebotes suaves", "Fallidos",
                                               "Bajas"};

struct csv {
    struct buf *out;
    char sep;
};

static int field(const struct csv *c, const char *s, int first)
{
    if (!first && buf_addch(c->out, c->sep))
        return -1;
    if (!strchr(s, c->sep) && !strpbrk(s, "\"\r\n"))
        return buf_addstr(c->out, s);
    if (buf_addch(c->out, '"'))
        return -1;
    for (; *s; s++)
        if ((*s == '"' && buf_addch(c->out, '"')) || buf_addch(c->out, *s))
            return -1;
    return buf_addch(c->out, '"');
}

static int header(const struct csv *c, const char *const *names, size_t n, int figures)
{
    size_t i;
    int k;

    for (i = 0; i < n; i++)
        if (field(c, names[i], i == 0))
            return -1;
    for (k = 0; k < NV && figures; k++)
        if (field(c, figure_headers[k], 0))
            return -1;
    return buf_addstr(c->out, "\r\n");
}

static int row(const struct csv *c, const struct report_audience *a, size_t i, struct buf *tmp)
{
    const struct report_item *it = &a->items[i];
    int k;

    buf_reset(tmp);
    if (field(c, a->lists, 1) || buf_addf(c->out, "%c%zu", c->sep, i + 1) ||
        report_words_item_date(it, tmp) || field(c, tmp->data, 0) || field(c, it->title, 0) ||
        field(c, it->recorded ? "sí" : "no", 0))
        return -1;
    for (k = 0; k < NV; k++) {
        buf_reset(tmp);
        if (report_table_figure(it, k, "", tmp) || field(c, tmp->data, 0))
            return -1;
    }
    return buf_addstr(c->out, "\r\n");
}

static int totals(const struct csv *c, const struct report_audience *a)
{
    unsigned unknown;
    long v[NV];
    int k;

    report_figures_totals(a, v, &unknown);
    if (field(c, a->lists, 1) || buf_addf(c->out, "%c%ld%c%ld", c->sep, report_figures_rows(a),
                                          c->sep, report_figures_sends(a)))
        return -1;
    for (k = 0; k < NV; k++)
        if (buf_addch(c->out, c->sep) || (!(unknown & (1u << k)) && buf_addf(c->out, "%ld", v[k])))
            return -1;
    return buf_addstr(c->out, "\r\n");
}

static int target(const struct report_data *d, struct buf *out, const struct report_shown_target *t,
                  const char *label, int n)
{
    static const char *const names[] = {"Meta", "Objetivo", "Logrado", "Estado"};
    const struct csv c = {out, d->o->csv_sep ? d->o->csv_sep : ','};

    if (n == 0 && (buf_addstr(out, "\r\n") || header(&c, names, 4, 0)))
        return -1;
    return field(&c, label, 1) ||
                   buf_addf(out, "%c%ld%c%ld", c.sep, t->t->goal, c.sep, t->achieved) ||
                   field(&c, report_words_verdict(d, t->t->goal, t->achieved), 0) ||
                   buf_addstr(out, "\r\n")
               ? -1
               : 0;
}

int report_csv_write(const struct report_data *d, struct buf *out)
{
    static const char *const rows[] = {"Lista", "No.", "Fecha de envío", "Información",
                                       "Registrado"};
    static const char *const sums[] = {"Lista", "Comunicaciones", "Envíos"};
    const struct csv c = {out, d->o->csv_sep ? d->o->csv_sep : ','};
    struct buf tmp = BUF_INIT;
    size_t i, k;
    int rc;

    /* BOM: Excel then reads UTF-8 */
    rc = buf_addstr(out, "\xEF\xBB\xBF") || header(&c, rows, 5, 1);
    for (k = 0; k < d->naud && !rc; k++)
        for (i = 0; i < d->aud[k].nitems && !rc; i++)
            rc = row(&c, &d->aud[k], i, &tmp);
    rc = rc || buf_addstr(out, "\r\n") || header(&c, sums, 3, 1);
    for (k = 0; k < d->naud && !rc; k++)
        rc = totals(&c, &d->aud[k]);
    rc = rc || report_words_targets_each(d, out, target);
    buf_release(&tmp);
    return rc ? -1 : 0;
}
