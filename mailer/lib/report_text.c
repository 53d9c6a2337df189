/* report_text - the report aligned for a terminal: UTF-8 code points count
 * as one column; Fecha and Información wrap within their column. */
#include "report.h"

#include <string.h>

#include "report_int.h"

#include "banned.h"

#define WIDTH_FECHA 34
#define WIDTH_INFO 48
#define WIDTH_NOTE 100

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
static int wrap(const char *s, size_t w, struct buf *out)
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
        if (buf_add(out, s, cut) || buf_addch(out, '\n'))
            return -1;
        s += take, len -= take;
        while (len && *s == ' ')
            s++, len--;
    }
    return 0;
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

static int pad(struct buf *out, size_t n)
{
    while (n--)
        if (buf_addch(out, ' '))
            return -1;
    return 0;
}

static int text_line(const struct report_audience *a, struct buf wr[NCOLS], size_t k,
                     const size_t w[NCOLS], struct buf *out)
{
    const char *s;
    size_t n, room;
    int i, col, last;

    for (i = 0; i < a->ncols; i++) {
        col = a->cols[i];
        last = i + 1 == a->ncols;
        n = nth_line(&wr[col], k, &s);
        room = w[col] - width(s, n);
        if ((col >= C_DEST && pad(out, room)) || buf_add(out, s, n) ||
            (col < C_DEST && !last && pad(out, room)) || (!last && buf_addstr(out, "  ")))
            return -1;
    }
    while (out->len && out->data[out->len - 1] == ' ')
        out->len--;
    return buf_addch(out, '\n');
}

static int text_row(const struct report_audience *a, struct buf cell[NCOLS], const size_t w[NCOLS],
                    struct buf *out)
{
    struct buf wr[NCOLS];
    size_t lines = 1, k, n;
    int col, rc = 0;

    report_table_cells_init(wr);
    for (col = 0; col < NCOLS && !rc; col++) {
        rc = wrap(cell[col].data, col_limit(col), &wr[col]);
        n = 0;
        for (k = 0; k < wr[col].len; k++)
            n += wr[col].data[k] == '\n';
        if (n > lines)
            lines = n;
    }
    for (k = 0; k < lines && !rc; k++)
        rc = text_line(a, wr, k, w, out);
    report_table_cells_release(wr);
    return rc;
}

static int text_target(const struct report_data *d, struct buf *out,
                       const struct report_shown_target *t, const char *label, int n)
{
    if (n == 0 && buf_addstr(out, "\nMetas del programa de trabajo\n\n"))
        return -1;
    return buf_addf(out, "- %s: Meta: %ld · Logrado: %ld · %s\n", label, t->t->goal, t->achieved,
                    report_words_verdict(d, t->t->goal, t->achieved));
}

/* The width of each column: its header, or its widest cell (up to the
 * column's limit). */
static int widths(const struct report_data *d, const struct report_audience *a,
                  struct buf cell[NCOLS], size_t w[NCOLS])
{
    size_t i, cw;
    int col;

    for (col = 0; col < NCOLS; col++)
        w[col] = width(report_table_header(d, a, col), strlen(report_table_header(d, a, col)));
    for (i = 0; i <= a->nitems; i++) {
        if (report_table_cells(a, i, cell))
            return -1;
        for (col = 0; col < NCOLS; col++) {
            cw = width(cell[col].data, cell[col].len);
            if (cw > col_limit(col))
                cw = col_limit(col);
            if (cw > w[col])
                w[col] = cw;
        }
    }
    return 0;
}

/* The note on recorded rows, wrapped for a terminal. */
static int text_note(const struct report_audience *a, struct buf *out)
{
    struct buf note = BUF_INIT;
    int rc = report_words_note(a, &note) || wrap(note.data, WIDTH_NOTE, out);

    buf_release(&note);
    return rc ? -1 : 0;
}

static int text_audience(const struct report_data *d, const struct report_audience *a,
                         struct buf cell[NCOLS], struct buf *out)
{
    size_t w[NCOLS], i;
    int col;

    if (widths(d, a, cell, w) || buf_addch(out, '\n') || report_words_heading(d, a, out) ||
        buf_addstr(out, "\n\n"))
        return -1;
    for (col = 0; col < NCOLS; col++)
        if (buf_setf(&cell[col], "%s", report_table_header(d, a, col)))
            return -1;
    if (text_row(a, cell, w, out))
        return -1;
    for (i = 0; i <= a->nitems; i++)
        if (report_table_cells(a, i, cell) || text_row(a, cell, w, out))
            return -1;
    if (a->recorded && text_note(a, out))
        return -1;
    if (buf_addch(out, '\n') || report_words_sentence(d, a, out) || buf_addch(out, '\n'))
        return -1;
    return 0;
}

int report_text_write(const struct report_data *d, struct buf *out)
{
    struct buf cell[NCOLS];
    size_t k;
    int rc;

    report_table_cells_init(cell);
    rc = buf_addf(out, "Informe de comunicaciones enviadas: %s\n", d->p->label);
    if (!rc && !d->naud)
        rc = buf_addstr(out, "\nNo se envió ninguna comunicación en el periodo.\n");
    for (k = 0; k < d->naud && !rc; k++)
        rc = text_audience(d, &d->aud[k], cell, out);
    if (!rc)
        rc = report_words_targets_each(d, out, text_target);
    report_table_cells_release(cell);
    return rc ? -1 : 0;
}
