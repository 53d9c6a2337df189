/* report_csv - the report for Excel: UTF-8 with a BOM (Excel keeps the
 * accents), CRLF, ',' or ';' between fields. */
#include "report.h"

#include <string.h>

#include "report_int.h"

#include "banned.h"

static int csv_field(struct buf *out, const char *s, char sep)
{
    if (!strchr(s, sep) && !strpbrk(s, "\"\r\n"))
        return buf_addstr(out, s);
    if (buf_addch(out, '"'))
        return -1;
    for (; *s; s++)
        if ((*s == '"' && buf_addch(out, '"')) || buf_addch(out, *s))
            return -1;
    return buf_addch(out, '"');
}

int report_csv_write(const struct report_data *d, struct buf *out)
{
    static const char *const csv_headers[NCOLS] = {
        "No.",       "Fecha de envío", "Información",    "Destinatarios", "Entregados",
        "Rebotados", "Rebotes duros",  "Rebotes suaves", "Fallidos",      "Bajas"};
    struct buf cell[NCOLS];
    char sep = d->o->csv_sep ? d->o->csv_sep : ',';
    size_t i, k;
    int col, rc;

    report_table_cells_init(cell);
    /* BOM: Excel then reads UTF-8 */
    rc = buf_addstr(out, "\xEF\xBB\xBF") || csv_field(out, "Lista", sep);
    for (col = 0; col < NCOLS && !rc; col++)
        rc = buf_addch(out, sep) || csv_field(out, csv_headers[col], sep);
    rc = rc || buf_addstr(out, "\r\n");
    for (k = 0; k < d->naud && !rc; k++) {
        for (i = 0; i <= d->aud[k].nitems && !rc; i++) {
            rc = report_table_cells(&d->aud[k], i, cell) || csv_field(out, d->aud[k].lists, sep);
            for (col = 0; col < NCOLS && !rc; col++)
                rc = buf_addch(out, sep) || csv_field(out, cell[col].data, sep);
            rc = rc || buf_addstr(out, "\r\n");
        }
    }
    report_table_cells_release(cell);
    return rc ? -1 : 0;
}
