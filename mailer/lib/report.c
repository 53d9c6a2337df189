/* report - the quarterly report: the period, and one reading of the ledger
 * written in each format asked (report.h). The parts: report_config.c
 * (informe.conf), report_figures.c (the rows and figures), report_words.c
 * (the office's Spanish), report_table.c (columns and cells), and a writer
 * per format (report_text.c, report_csv.c, report_md.c, report_json.c,
 * report_html.c). */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "datefmt.h"
#include "report_int.h"

#include "banned.h"

static const char *const quarter_names[4] = {"primer", "segundo", "tercer", "cuarto"};

int report_parse_quarter(const char *s, struct report_period *p, struct err *err)
{
    int year, q, n = 0;

    memset(p, 0, sizeof(*p));
    if ((sscanf(s, "%4dQ%1d%n", &year, &q, &n) != 2 || (size_t)n != strlen(s)) &&
        (sscanf(s, "%4d-T%1d%n", &year, &q, &n) != 2 || (size_t)n != strlen(s)) &&
        (sscanf(s, "%4dT%1d%n", &year, &q, &n) != 2 || (size_t)n != strlen(s)))
        return err_set(err, ERR_USAGE,
                       "--quarter: \"%s\" is not a quarter (write 2026Q4 or 2026-T4)", s);
    if (q < 1 || q > 4 || year < 1970)
        return err_set(err, ERR_USAGE, "--quarter: \"%s\": the quarter is 1 to 4", s);
    p->from = clock_from_local(year - 1900, (q - 1) * 3, 1, 0, 0);
    p->to = q == 4 ? clock_from_local(year + 1 - 1900, 0, 1, 0, 0)
                   : clock_from_local(year - 1900, q * 3, 1, 0, 0);
    p->quarter = q;
    p->year = year;
    snprintf(p->label, sizeof(p->label), "el %s trimestre de %d", quarter_names[q - 1], year);
    snprintf(p->id, sizeof(p->id), "%dQ%d", year, q);
    return 0;
}

static int parse_day(const char *s, int *y, int *m, int *d)
{
    int n = 0;

    return sscanf(s, "%4d-%2d-%2d%n", y, m, d, &n) == 3 && (size_t)n == strlen(s) && *m >= 1 &&
           *m <= 12 && *d >= 1 && *d <= 31;
}

int report_parse_range(const char *from, const char *to, struct report_period *p, struct err *err)
{
    int y1, m1, d1, y2, m2, d2;
    struct buf a = BUF_INIT, b = BUF_INIT;

    memset(p, 0, sizeof(*p));
    if (!parse_day(from, &y1, &m1, &d1) || !parse_day(to, &y2, &m2, &d2))
        return err_set(err, ERR_USAGE, "--from/--to: write dates as YYYY-MM-DD");
    p->from = clock_from_local(y1 - 1900, m1 - 1, d1, 0, 0);
    p->to = clock_from_local(y2 - 1900, m2 - 1, d2 + 1, 0, 0);
    if (p->to <= p->from)
        return err_set(err, ERR_USAGE, "--from/--to: %s is after %s", from, to);
    if (datefmt_day(&a, p->from) || datefmt_day(&b, p->to - 1)) {
        buf_release(&a);
        buf_release(&b);
        return err_nomem(err);
    }
    snprintf(p->label, sizeof(p->label), "el periodo del %s al %s", a.data, b.data);
    snprintf(p->id, sizeof(p->id), "%s..%s", from, to);
    buf_release(&a);
    buf_release(&b);
    return 0;
}

static int render(const struct report_data *d, enum report_format f, struct buf *out)
{
    switch (f) {
    case REPORT_TEXT:
        return report_text_write(d, out);
    case REPORT_CSV:
        return report_csv_write(d, out);
    case REPORT_MD:
        return report_md_write(d, out);
    case REPORT_JSON:
        return report_json_write(d, out);
    case REPORT_HTML:
        return report_html_write(d, out);
    }
    BUG("report format %d", (int)f);
}

int report_write_formats(struct ledger *l, const struct report_period *p,
                         const struct report_opts *o, const enum report_format *formats,
                         struct buf *outs, size_t n, struct err *err)
{
    static const struct report_config none;
    struct report_data d;
    size_t i;
    int rc = -1;

    memset(&d, 0, sizeof(d));
    d.o = o;
    d.p = p;
    d.cfg = o->config ? o->config : &none;
    if (report_figures_collect(&d, l, err))
        goto out;
    for (i = 0; i < n; i++)
        if (render(&d, formats[i], &outs[i])) {
            err_nomem(err);
            goto out;
        }
    rc = 0;
out:
    report_figures_release(&d);
    return rc;
}

int report_write(struct ledger *l, const struct report_period *p, const struct report_opts *o,
                 struct buf *out, struct err *err)
{
    return report_write_formats(l, p, o, &o->format, out, 1, err);
}
