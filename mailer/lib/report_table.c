/* report_table - the columns of an audience's table and the cells of its
 * rows, the same for every writer (report_int.h). */
#include "report.h"

#include <string.h>

#include "report_int.h"

#include "banned.h"

static const char *const headers[NCOLS] = {
    "No.",       "Fecha de envío", "Información", "Destinatarios", "Entregados",
    "Rebotados", "Duros",          "Suaves",      "Fallidos",      "Bajas"};

const char *report_table_header(const struct report_audience *a, int col)
{
    return col == C_FECHA && a->by == REPORT_BY_MONTH ? "Mes" : headers[col];
}

/* The hard/soft columns only when some bounce of the audience has a class. */
int report_table_shown(const struct report_audience *a, int col)
{
    long v[NV];

    if (col != C_DEST + V_DUROS && col != C_DEST + V_SUAVES)
        return 1;
    report_figures_totals(a, v);
    return v[V_DUROS] + v[V_SUAVES] > 0;
}

int report_table_cells(const struct report_audience *a, size_t i, struct buf cell[NCOLS])
{
    long v[NV], n;
    int col, rc;

    for (col = 0; col < NCOLS; col++)
        buf_reset(&cell[col]);
    if (i < a->nitems) {
        rc = buf_addf(&cell[C_NO], "%zu", i + 1) ||
             report_words_item_date(&a->items[i], &cell[C_FECHA]) ||
             buf_addstr(&cell[C_INFO], a->items[i].title);
        memcpy(v, a->items[i].v, sizeof(v));
    } else {
        n = report_figures_mailings(a);
        rc = buf_addstr(&cell[C_NO], "Total") ||
             buf_addf(&cell[C_INFO], "%ld comunicaci%s", n, n == 1 ? "ón" : "ones");
        report_figures_totals(a, v);
    }
    for (col = 0; col < NV && !rc; col++)
        rc = buf_addf(&cell[C_DEST + col], "%ld", v[col]);
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
