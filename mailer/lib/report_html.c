/* report_html - the report as one self-contained page (lang="es", UTF-8,
 * inline CSS, no external asset): the tables, the sentences, an inline SVG
 * chart per audience and the targets; prints to PDF with a page break
 * between audiences. Every string from the ledger or informe.conf is
 * HTML-escaped. */
#include "report.h"

#include "datefmt.h"
#include "html.h"
#include "report_int.h"

#include "banned.h"

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
    "td { overflow-wrap: anywhere; }\n"
    "th { background: #f1e4e8; }\n"
    "td.n, th.n { text-align: right; white-space: nowrap; overflow-wrap: normal; }\n"
    ".nota { font-size: 0.85em; color: #555; }\n"
    "tfoot td { font-weight: bold; background: #f6f6f6; }\n"
    ".enunciado { font-style: italic; }\n"
    "figure { margin: 1em 0; }\n"
    "figcaption { font-size: 0.85em; color: #555; }\n"
    "svg text { font-family: inherit; font-size: 11px; fill: #222; }\n"
    "svg .comunicaciones { fill: var(--c1); }\n"
    "svg .entregados { fill: var(--c2); }\n"
    ".metas .cumplida { color: #1b6e20; font-weight: bold; }\n"
    ".metas .no-cumplida { color: #a11; font-weight: bold; }\n"
    ".metas .en-curso { color: #8a5a00; font-weight: bold; }\n"
    "svg { max-width: 100%; height: auto; }\n"
    /* a window 800 px wide shows every column, Bajas included */
    "@media screen and (max-width: 900px) {\n"
    "  body { margin: 0.75em; }\n"
    "  table { font-size: 0.78em; }\n"
    "  th, td { padding: 0.25em 0.3em; }\n"
    "}\n"
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

static int svg_bar(struct buf *out, const char *cls, int x, long v, long max)
{
    int h = max ? (int)((double)v * CH_PLOT / (double)max + 0.5) : 0;
    int y = CH_TOP + CH_PLOT - h;

    return buf_addf(out,
                    "<rect class=\"barra %s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">"
                    "<title>%ld</title></rect>"
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%ld</text>",
                    cls, x, y, CH_BAR, h, v, x + CH_BAR / 2, y - 4, v);
}

static int chart_month(const struct report_data *d, const struct report_audience *a, size_t i,
                       long maxm, long maxd, struct buf *out)
{
    int m = d->month0 + (int)i;
    int x = CH_LEFT + (int)i * CH_GROUP + (CH_GROUP - 2 * CH_BAR - 6) / 2;

    return buf_addf(out, "<g class=\"mes\" data-mes=\"%04d-%02d\">", m / 12, m % 12 + 1) ||
                   svg_bar(out, "comunicaciones", x, a->month_rows[i], maxm) ||
                   svg_bar(out, "entregados", x + CH_BAR + 6, a->month_delivered[i], maxd) ||
                   buf_addf(out,
                            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s %d</text></g>\n",
                            x + CH_BAR + 3, CH_TOP + CH_PLOT + 18, datefmt_months[m % 12], m / 12)
               ? -1
               : 0;
}

/* Grouped bars per month: mailings and deliveries, each series on its own
 * scale (tens against thousands) with the value written on every bar. */
static int html_chart(const struct report_data *d, const struct report_audience *a, size_t k,
                      struct buf *out)
{
    int w = CH_LEFT * 2 + (int)d->nmonths * CH_GROUP, hgt = CH_TOP + CH_PLOT + 30;
    long maxm = 0, maxd = 0;
    size_t i;

    if (w < 420)
        w = 420;
    for (i = 0; i < d->nmonths; i++) {
        if (a->month_rows[i] > maxm)
            maxm = a->month_rows[i];
        if (a->month_delivered[i] > maxd)
            maxd = a->month_delivered[i];
    }
    if (buf_addf(out,
                 "<figure class=\"grafica\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
                 "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                 "aria-labelledby=\"graf-%zu\"><title id=\"graf-%zu\">Comunicaciones y correos "
                 "entregados por mes</title>\n",
                 w, hgt, w, hgt, k, k) ||
        buf_addf(out,
                 "<g class=\"leyenda\"><rect class=\"comunicaciones\" x=\"%d\" y=\"8\" "
                 "width=\"12\" height=\"12\"/><text x=\"%d\" y=\"18\">Comunicaciones</text>"
                 "<rect class=\"entregados\" x=\"%d\" y=\"8\" width=\"12\" height=\"12\"/>"
                 "<text x=\"%d\" y=\"18\">Correos entregados</text></g>\n",
                 CH_LEFT, CH_LEFT + 16, CH_LEFT + 130, CH_LEFT + 146) ||
        buf_addf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", CH_LEFT,
                 CH_TOP + CH_PLOT, w - CH_LEFT, CH_TOP + CH_PLOT))
        return -1;
    for (i = 0; i < d->nmonths; i++)
        if (chart_month(d, a, i, maxm, maxd, out))
            return -1;
    return buf_addstr(out, "</svg>\n<figcaption>Comunicaciones y correos entregados por mes de "
                           "envío; cada serie con su propia escala, el número sobre cada barra "
                           "es el valor.</figcaption>\n</figure>\n");
}

static int html_row(const struct report_audience *a, size_t i, struct buf cell[NCOLS],
                    struct buf *out)
{
    int k, col;

    if (report_table_cells(a, i, cell) ||
        (i == a->nitems && buf_addstr(out, "</tbody>\n<tfoot>\n")) ||
        buf_addstr(out, i == a->nitems         ? "<tr class=\"total\">"
                        : a->items[i].recorded ? "<tr class=\"fila registrada\">"
                                               : "<tr class=\"fila\">"))
        return -1;
    for (k = 0; k < a->ncols; k++) {
        col = a->cols[k];
        if (buf_addstr(out, col >= C_DEST ? "<td class=\"n\">" : "<td>") ||
            html_escape_str(out, cell[col].data) || buf_addstr(out, "</td>"))
            return -1;
    }
    return buf_addstr(out, "</tr>\n");
}

static int html_table(const struct report_data *d, const struct report_audience *a,
                      struct buf cell[NCOLS], struct buf *out)
{
    size_t i;
    int k, col;

    if (buf_addstr(out, "<table class=\"envios\">\n<thead><tr>"))
        return -1;
    for (k = 0; k < a->ncols; k++) {
        col = a->cols[k];
        if (buf_addf(out, "<th%s scope=\"col\">", col >= C_DEST ? " class=\"n\"" : "") ||
            html_escape_str(out, report_table_header(d, a, col)) || buf_addstr(out, "</th>"))
            return -1;
    }
    if (buf_addstr(out, "</tr></thead>\n<tbody>\n"))
        return -1;
    for (i = 0; i <= a->nitems; i++)
        if (html_row(a, i, cell, out))
            return -1;
    return buf_addstr(out, "</tfoot>\n</table>\n");
}

static int html_target(const struct report_data *d, struct buf *out,
                       const struct report_shown_target *t, const char *label, int n)
{
    const char *verdict = report_words_verdict(d, t->t->goal, t->achieved);

    if (n == 0 &&
        buf_addstr(out, "<section class=\"metas\">\n<h2>Metas del programa de trabajo</h2>\n"
                        "<table>\n<thead><tr><th scope=\"col\">Meta</th><th class=\"n\" "
                        "scope=\"col\">Objetivo</th><th class=\"n\" scope=\"col\">Logrado"
                        "</th><th scope=\"col\">Estado</th></tr></thead>\n<tbody>\n"))
        return -1;
    return buf_addstr(out, "<tr class=\"meta\"><td>") || html_escape_str(out, label) ||
                   buf_addf(out,
                            "</td><td class=\"n\">%ld</td><td class=\"n\">%ld</td>"
                            "<td class=\"%s\">%s</td></tr>\n",
                            t->t->goal, t->achieved,
                            t->achieved >= t->t->goal ? "cumplida"
                            : d->running              ? "en-curso"
                                                      : "no-cumplida",
                            verdict)
               ? -1
               : 0;
}

static int html_audience(const struct report_data *d, size_t k, struct buf cell[NCOLS],
                         struct buf *tmp, struct buf *out)
{
    const struct report_audience *a = &d->aud[k];

    buf_reset(tmp);
    if (buf_addstr(out, "<section class=\"audiencia\" data-lista=\"") ||
        html_escape_str(out, a->lists) || buf_addstr(out, "\">\n<h2>") ||
        report_words_heading(d, a, tmp) || html_escape_str(out, tmp->data) ||
        buf_addstr(out, "</h2>\n") || html_table(d, a, cell, out))
        return -1;
    buf_reset(tmp);
    if (a->recorded && (report_words_note(a, tmp) || buf_addstr(out, "<p class=\"nota\">") ||
                        html_escape_str(out, tmp->data) || buf_addstr(out, "</p>\n")))
        return -1;
    buf_reset(tmp);
    if (report_words_sentence(d, a, tmp) || buf_addstr(out, "<p class=\"enunciado\">") ||
        html_escape_str(out, tmp->data) || buf_addstr(out, "</p>\n") || html_chart(d, a, k, out) ||
        buf_addstr(out, "</section>\n"))
        return -1;
    return 0;
}

static int html_head(const struct report_data *d, struct buf *out)
{
    return buf_addstr(out, "<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n<meta charset=\"utf-8\">\n"
                           "<meta name=\"viewport\" content=\"width=device-width, "
                           "initial-scale=1\">\n<title>Informe de comunicaciones enviadas: ") ||
                   html_escape_str(out, d->p->label) || buf_addstr(out, "</title>\n") ||
                   buf_addstr(out, html_style) ||
                   buf_addstr(out, "</head>\n<body>\n<header>\n<h1>Informe de comunicaciones "
                                   "enviadas</h1>\n<p class=\"periodo\">Periodo: ") ||
                   html_escape_str(out, d->p->label) || buf_addstr(out, "</p>\n</header>\n")
               ? -1
               : 0;
}

int report_html_write(const struct report_data *d, struct buf *out)
{
    struct buf cell[NCOLS], tmp = BUF_INIT;
    size_t k;
    int rc;

    report_table_cells_init(cell);
    rc = html_head(d, out);
    if (!rc && !d->naud)
        rc = buf_addstr(out, "<p>No se envió ninguna comunicación en el periodo.</p>\n");
    for (k = 0; k < d->naud && !rc; k++)
        rc = html_audience(d, k, cell, &tmp, out);
    rc = rc || report_words_targets_each(d, out, html_target) ||
         (d->ntargets && buf_addstr(out, "</tbody>\n</table>\n</section>\n")) ||
         buf_addstr(out, "</body>\n</html>\n");
    buf_release(&tmp);
    report_table_cells_release(cell);
    return rc ? -1 : 0;
}
