/* report_table - the columns of an audience's table and the cells of its
 * rows, the same for every writer (report_int.h). */
#include "report.h"

#include <string.h>

#include "report_int.h"

#include "banned.h"

static const char *const headers[NCOLS] = {
    "No.",       "Fecha de envío", "Información", "Destinatarios", "Entregados",
    "Rebotados", "Duros",          "Suaves",      "Fallidos",      "Bajas"};

/* The setting of a's [lista] section, else of [informe]. */
static const struct report_list *columns_of(const struct report_data *d,
                                            const struct report_audience *a)
{
    if (a->conf && a->conf->ncolumns)
        return a->conf;
    return d->cfg->general.ncolumns ? &d->cfg->general : NULL;
}

void report_table_layout(const struct report_data *d, struct report_audience *a)
{
    const struct report_list *conf = columns_of(d, a);
    unsigned unknown;
    long v[NV];
    int col;

    a->ncols = 0;
    if (conf) {
        memcpy(a->cols, conf->columns, sizeof(a->cols[0]) * (size_t)conf->ncolumns);
        a->ncols = conf->ncolumns;
        return;
    }
    /* the hard/soft columns only when some bounce of the audience has a class */
    report_figures_totals(a, v, &unknown);
    for (col = 0; col < NCOLS; col++)
        if ((col != C_DEST + V_DUROS && col != C_DEST + V_SUAVES) || v[V_DUROS] + v[V_SUAVES] > 0)
            a->cols[a->ncols++] = col;
}

const char *report_table_header(const struct report_data *d, const struct report_audience *a,
                                int col)
{
    if (a->conf && a->conf->headings[col])
        return a->conf->headings[col];
    if (d->cfg->general.headings[col])
        return d->cfg->general.headings[col];
    return col == C_FECHA && a->by == REPORT_BY_MONTH ? "Mes" : headers[col];
}

int report_table_figure(const struct report_item *it, int k, const char *unknown, struct buf *out)
{
    if (it->unknown & (1u << k))
        return buf_addstr(out, unknown);
    return buf_addf(out, "%ld", it->v[k]);
}

int report_table_cells(const struct report_audience *a, size_t i, struct buf cell[NCOLS])
{
    unsigned unknown;
    long v[NV];
    int col, rc;

    for (col = 0; col < NCOLS; col++)
        buf_reset(&cell[col]);
    if (i < a->nitems) {
        const struct report_item *it = &a->items[i];
        rc = buf_addf(&cell[C_NO], "%zu%s", i + 1, it->recorded ? "*" : "") ||
             report_words_item_date(it, &cell[C_FECHA]) || buf_addstr(&cell[C_INFO], it->title);
        for (col = 0; col < NV && !rc; col++)
            rc = report_table_figure(it, col, "—", &cell[C_DEST + col]);
        return rc ? -1 : 0;
    }
    report_figures_totals(a, v, &unknown);
    rc = buf_addstr(&cell[C_NO], "Total") || report_words_count(a, &cell[C_INFO]);
    for (col = 0; col < NV && !rc; col++)
        rc = unknown & (1u << col) ? buf_addstr(&cell[C_DEST + col], "—")
                                   : buf_addf(&cell[C_DEST + col], "%ld", v[col]);
    return rc ? -1 : 0;
}

void report_table_cells_init(struct buf cell[NCOLS])
{
    int col;

    for (col = 0; col < NCOLS; col++)
        buf_init(&cell[col], 0);
}

void report_table_cells_release(struct buf cell[NCOLS])
{
    int col;

    for (col = 0; col < NCOLS; col++)
        buf_release(&cell[col]);
}
