/* report_md - the report in Markdown: a section per audience with a pipe
 * table, then the targets, to paste into a document. */
#include "report.h"

#include <string.h>

#include "report_int.h"

#include "banned.h"

static int md_cell(struct buf *out, const char *s)
{
    for (; *s; s++)
        if ((strchr("|\\*_`[]<>", *s) && buf_addch(out, '\\')) ||
            buf_addch(out, *s == '\n' ? ' ' : *s))
            return -1;
    return 0;
}

static int md_target(const struct report_data *d, struct buf *out,
                     const struct report_shown_target *t, const char *label, int n)
{
    if (n == 0 &&
        buf_addstr(out, "\n## Metas del programa de trabajo\n\n"
                        "| Meta | Objetivo | Logrado | Estado |\n| --- | ---: | ---: | --- |\n"))
        return -1;
    return buf_addstr(out, "| ") || md_cell(out, label) ||
                   buf_addf(out, " | %ld | %ld | %s |\n", t->t->goal, t->achieved,
                            report_words_verdict(d, t->t->goal, t->achieved))
               ? -1
               : 0;
}

static int md_header(const struct report_data *d, const struct report_audience *a, struct buf *out)
{
    int i;

    if (buf_addch(out, '|'))
        return -1;
    for (i = 0; i < a->ncols; i++)
        if (buf_addch(out, ' ') || md_cell(out, report_table_header(d, a, a->cols[i])) ||
            buf_addstr(out, " |"))
            return -1;
    if (buf_addstr(out, "\n|"))
        return -1;
    for (i = 0; i < a->ncols; i++)
        if (buf_addstr(out, a->cols[i] >= C_DEST ? " ---: |" : " --- |"))
            return -1;
    return buf_addch(out, '\n');
}

/* Row i; the Total row (i == nitems) in bold, without a date. */
static int md_row(const struct report_audience *a, size_t i, struct buf cell[NCOLS],
                  struct buf *out)
{
    int k, col, total = i == a->nitems;

    if (report_table_cells(a, i, cell) || buf_addch(out, '|'))
        return -1;
    for (k = 0; k < a->ncols; k++) {
        col = a->cols[k];
        if (total && col == C_FECHA) {
            if (buf_addstr(out, "  |"))
                return -1;
            continue;
        }
        if (buf_addstr(out, total ? " **" : " ") || md_cell(out, cell[col].data) ||
            buf_addstr(out, total ? "** |" : " |"))
            return -1;
    }
    return buf_addch(out, '\n');
}

static int md_audience(const struct report_data *d, const struct report_audience *a,
                       struct buf cell[NCOLS], struct buf *tmp, struct buf *out)
{
    size_t i;

    buf_reset(tmp);
    if (report_words_heading(d, a, tmp) || buf_addstr(out, "\n## ") || md_cell(out, tmp->data) ||
        buf_addstr(out, "\n\n") || md_header(d, a, out))
        return -1;
    for (i = 0; i <= a->nitems; i++)
        if (md_row(a, i, cell, out))
            return -1;
    buf_reset(tmp);
    if (a->recorded && (report_words_note(a, tmp) || buf_addch(out, '\n') ||
                        md_cell(out, tmp->data) || buf_addch(out, '\n')))
        return -1;
    buf_reset(tmp);
    if (buf_addch(out, '\n') || report_words_sentence(d, a, tmp) || md_cell(out, tmp->data) ||
        buf_addch(out, '\n'))
        return -1;
    return 0;
}

int report_md_write(const struct report_data *d, struct buf *out)
{
    struct buf cell[NCOLS], tmp = BUF_INIT;
    size_t k;
    int rc;

    report_table_cells_init(cell);
    rc = buf_addf(out, "# Informe de comunicaciones enviadas: %s\n", d->p->label);
    for (k = 0; k < d->naud && !rc; k++)
        rc = md_audience(d, &d->aud[k], cell, &tmp, out);
    if (!rc)
        rc = report_words_targets_each(d, out, md_target);
    buf_release(&tmp);
    report_table_cells_release(cell);
    return rc ? -1 : 0;
}
