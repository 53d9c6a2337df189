/* report - the quarterly report: what was delivered, to whom, when. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "datefmt.h"

#include "banned.h"

static const char *const quarter_names[4] = {"primer", "segundo", "tercer", "cuarto"};

struct item {
    char *campaign;
    char *title;
    time_t *dates;
    size_t ndates;
    long recipients, delivered, bounced, failed, unsubscribed;
};

struct audience {
    char *lists;
    struct item *items;
    size_t nitems;
};

struct collect {
    const struct report_opts *o;
    struct audience *aud;
    size_t naud;
    int nomem;
};

int report_parse_quarter(const char *s, struct report_period *p, struct err *err)
{
    int year, q, n = 0;

    memset(p, 0, sizeof(*p));
    if ((sscanf(s, "%4dQ%1d%n", &year, &q, &n) != 2 || (size_t)n != strlen(s)) &&
        (sscanf(s, "%4d-T%1d%n", &year, &q, &n) != 2 || (size_t)n != strlen(s)) &&
        (sscanf(s, "%4dT%1d%n", &year, &q, &n) != 2 || (size_t)n != strlen(s)))
        return err_set(err, ERR_USAGE, "--quarter: \"%s\" is not a quarter (write 2026Q4 or 2026-T4)",
                       s);
    if (q < 1 || q > 4 || year < 1970)
        return err_set(err, ERR_USAGE, "--quarter: \"%s\": the quarter is 1 to 4", s);
    p->from = clock_from_local(year - 1900, (q - 1) * 3, 1, 0, 0);
    p->to = q == 4 ? clock_from_local(year + 1 - 1900, 0, 1, 0, 0)
                   : clock_from_local(year - 1900, q * 3, 1, 0, 0);
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

int report_parse_range(const char *from, const char *to, struct report_period *p,
                       struct err *err)
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
    datefmt_day(&a, p->from);
    datefmt_day(&b, p->to - 1);
    snprintf(p->label, sizeof(p->label), "el periodo del %s al %s", a.data, b.data);
    snprintf(p->id, sizeof(p->id), "%s..%s", from, to);
    buf_release(&a);
    buf_release(&b);
    return 0;
}

static int list_matches(const char *lists, const char *want)
{
    size_t n = strlen(want);
    const char *p = lists;

    if (!want)
        return 1;
    while ((p = strstr(p, want))) {
        if ((p == lists || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
            return 1;
        p += n;
    }
    return 0;
}

static struct audience *find_audience(struct collect *c, const char *lists)
{
    struct audience *grown;
    size_t i;

    for (i = 0; i < c->naud; i++)
        if (!strcmp(c->aud[i].lists, lists))
            return &c->aud[i];
    grown = realloc(c->aud, (c->naud + 1) * sizeof(*c->aud));
    if (!grown)
        return NULL;
    c->aud = grown;
    memset(&c->aud[c->naud], 0, sizeof(*c->aud));
    if (!(c->aud[c->naud].lists = strdup(lists)))
        return NULL;
    return &c->aud[c->naud++];
}

/* One row per (campaign, title): a campaign sent again under the same title
 * (a convocatoria and its reminders) is one row with all its dates; two
 * campaigns that happen to share a title stay two rows. */
static struct item *find_item(struct audience *a, const char *campaign, const char *title)
{
    struct item *grown;
    size_t i;

    for (i = 0; i < a->nitems; i++)
        if (!strcmp(a->items[i].title, title) && !strcmp(a->items[i].campaign, campaign))
            return &a->items[i];
    grown = realloc(a->items, (a->nitems + 1) * sizeof(*a->items));
    if (!grown)
        return NULL;
    a->items = grown;
    memset(&a->items[a->nitems], 0, sizeof(*a->items));
    if (!(a->items[a->nitems].title = strdup(title)) ||
        !(a->items[a->nitems].campaign = strdup(campaign)))
        return NULL;
    return &a->items[a->nitems++];
}

static int on_row(void *ud, const struct report_row *r)
{
    struct collect *c = ud;
    const char *title = *r->report_title ? r->report_title : r->subject;
    struct audience *a;
    struct item *it;
    time_t *grown;

    if (c->o->list && !list_matches(r->lists, c->o->list))
        return 0;
    if (!(a = find_audience(c, r->lists)) || !(it = find_item(a, r->campaign, title)))
        return c->nomem = 1;
    grown = realloc(it->dates, (it->ndates + 1) * sizeof(*it->dates));
    if (!grown)
        return c->nomem = 1;
    it->dates = grown;
    it->dates[it->ndates++] = r->first_sent;
    it->recipients += r->recipients;
    it->delivered += r->delivered;
    it->bounced += r->bounced;
    it->failed += r->failed;
    it->unsubscribed += r->unsubscribed;
    return 0;
}

static void collect_release(struct collect *c)
{
    size_t i, j;

    for (i = 0; i < c->naud; i++) {
        for (j = 0; j < c->aud[i].nitems; j++) {
            free(c->aud[i].items[j].title);
            free(c->aud[i].items[j].campaign);
            free(c->aud[i].items[j].dates);
        }
        free(c->aud[i].items);
        free(c->aud[i].lists);
    }
    free(c->aud);
}

/* Columns a string takes on a terminal: UTF-8 code points. */
static size_t width(const char *s)
{
    size_t w = 0;

    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static int pad(struct buf *out, const char *s, size_t w, int right)
{
    size_t n = width(s);
    int rc = 0;

    if (right)
        while (n++ < w && !rc)
            rc = buf_addch(out, ' ');
    rc = rc || buf_addstr(out, s);
    if (!right)
        while (n++ < w && !rc)
            rc = buf_addch(out, ' ');
    return rc;
}

static long mailings_in(const struct audience *a)
{
    long n = 0;
    size_t i;

    for (i = 0; i < a->nitems; i++)
        n += (long)a->items[i].ndates;
    return n;
}

static int sentence(struct buf *out, const struct report_period *p, const struct audience *a)
{
    long n = mailings_in(a);

    return buf_addf(out, "Durante %s se distribuy%s %ld comunicaci%s a la lista %s.", p->label,
                    n == 1 ? "ó" : "eron", n, n == 1 ? "ón" : "ones", a->lists);
}

#define NCOLS 8
static const char *const headers[NCOLS] = {"No.",        "Fecha de envío", "Información",
                                           "Destinatarios", "Entregados", "Rebotados",
                                           "Fallidos",   "Bajas"};

/* The cells of one row (or the totals row when it == NULL). */
static void cells(const struct audience *a, const struct item *it, size_t no,
                  struct buf cell[NCOLS])
{
    long v[5] = {0};
    size_t i;
    int c;

    for (c = 0; c < NCOLS; c++)
        buf_reset(&cell[c]);
    if (it) {
        buf_addf(&cell[0], "%zu", no);
        datefmt_list(&cell[1], it->dates, it->ndates);
        buf_addstr(&cell[2], it->title);
        v[0] = it->recipients, v[1] = it->delivered, v[2] = it->bounced, v[3] = it->failed,
        v[4] = it->unsubscribed;
    } else {
        buf_addstr(&cell[0], "Total");
        buf_addf(&cell[2], "%ld comunicaci%s", mailings_in(a),
                 mailings_in(a) == 1 ? "ón" : "ones");
        for (i = 0; i < a->nitems; i++) {
            v[0] += a->items[i].recipients, v[1] += a->items[i].delivered;
            v[2] += a->items[i].bounced, v[3] += a->items[i].failed;
            v[4] += a->items[i].unsubscribed;
        }
    }
    for (c = 0; c < 5; c++)
        buf_addf(&cell[3 + c], "%ld", v[c]);
}

static int write_text(const struct collect *c, const struct report_period *p, struct buf *out)
{
    struct buf cell[NCOLS];
    size_t w[NCOLS], i, k;
    int col;

    for (col = 0; col < NCOLS; col++)
        buf_init(&cell[col], 0);
    buf_addf(out, "Informe de comunicaciones enviadas: %s\n", p->label);
    if (!c->naud)
        buf_addstr(out, "\nNo se envió ninguna comunicación en el periodo.\n");
    for (k = 0; k < c->naud; k++) {
        const struct audience *a = &c->aud[k];
        for (col = 0; col < NCOLS; col++)
            w[col] = width(headers[col]);
        for (i = 0; i <= a->nitems; i++) {
            cells(a, i < a->nitems ? &a->items[i] : NULL, i + 1, cell);
            for (col = 0; col < NCOLS; col++)
                if (width(cell[col].data) > w[col])
                    w[col] = width(cell[col].data);
        }
        buf_addf(out, "\nLista: %s\n\n", a->lists);
        for (col = 0; col < NCOLS; col++)
            pad(out, headers[col], w[col], col >= 3), buf_addstr(out, col + 1 < NCOLS ? "  " : "\n");
        for (i = 0; i <= a->nitems; i++) {
            cells(a, i < a->nitems ? &a->items[i] : NULL, i + 1, cell);
            for (col = 0; col < NCOLS; col++)
                pad(out, cell[col].data, w[col], col >= 3),
                    buf_addstr(out, col + 1 < NCOLS ? "  " : "\n");
        }
        buf_addch(out, '\n');
        sentence(out, p, a);
        buf_addch(out, '\n');
    }
    for (col = 0; col < NCOLS; col++)
        buf_release(&cell[col]);
    return 0;
}

static void csv_field(struct buf *out, const char *s, char sep)
{
    if (!strchr(s, sep) && !strpbrk(s, "\"\r\n")) {
        buf_addstr(out, s);
        return;
    }
    buf_addch(out, '"');
    for (; *s; s++) {
        if (*s == '"')
            buf_addch(out, '"');
        buf_addch(out, *s);
    }
    buf_addch(out, '"');
}

static int write_csv(const struct collect *c, const struct report_opts *o, struct buf *out)
{
    struct buf cell[NCOLS];
    char sep = o->csv_sep ? o->csv_sep : ',';
    size_t i, k;
    int col;

    for (col = 0; col < NCOLS; col++)
        buf_init(&cell[col], 0);
    buf_addstr(out, "\xEF\xBB\xBF"); /* BOM: Excel then reads UTF-8 */
    csv_field(out, "Lista", sep);
    for (col = 0; col < NCOLS; col++)
        buf_addch(out, sep), csv_field(out, headers[col], sep);
    buf_addstr(out, "\r\n");
    for (k = 0; k < c->naud; k++) {
        for (i = 0; i < c->aud[k].nitems; i++) {
            cells(&c->aud[k], &c->aud[k].items[i], i + 1, cell);
            csv_field(out, c->aud[k].lists, sep);
            for (col = 0; col < NCOLS; col++)
                buf_addch(out, sep), csv_field(out, cell[col].data, sep);
            buf_addstr(out, "\r\n");
        }
    }
    for (col = 0; col < NCOLS; col++)
        buf_release(&cell[col]);
    return 0;
}

static void md_cell(struct buf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            buf_addch(out, '\\');
        buf_addch(out, *s == '\n' ? ' ' : *s);
    }
}

static int write_md(const struct collect *c, const struct report_period *p, struct buf *out)
{
    struct buf cell[NCOLS];
    size_t i, k;
    int col;

    for (col = 0; col < NCOLS; col++)
        buf_init(&cell[col], 0);
    buf_addf(out, "# Informe de comunicaciones enviadas: %s\n", p->label);
    for (k = 0; k < c->naud; k++) {
        const struct audience *a = &c->aud[k];
        buf_addf(out, "\n## Lista: %s\n\n|", a->lists);
        for (col = 0; col < NCOLS; col++)
            buf_addf(out, " %s |", headers[col]);
        buf_addstr(out, "\n|");
        for (col = 0; col < NCOLS; col++)
            buf_addstr(out, col >= 3 ? " ---: |" : " --- |");
        buf_addch(out, '\n');
        for (i = 0; i <= a->nitems; i++) {
            cells(a, i < a->nitems ? &a->items[i] : NULL, i + 1, cell);
            buf_addch(out, '|');
            for (col = 0; col < NCOLS; col++) {
                buf_addstr(out, i == a->nitems && col != 1 ? " **" : " ");
                md_cell(out, cell[col].data);
                buf_addstr(out, i == a->nitems && col != 1 ? "** |" : " |");
            }
            buf_addch(out, '\n');
        }
        buf_addch(out, '\n');
        sentence(out, p, a);
        buf_addch(out, '\n');
    }
    for (col = 0; col < NCOLS; col++)
        buf_release(&cell[col]);
    return 0;
}

static void json_str(struct buf *out, const char *s)
{
    buf_addch(out, '"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            buf_addf(out, "\\%c", ch);
        else if (ch < 0x20)
            buf_addf(out, "\\u%04x", ch);
        else
            buf_addch(out, (char)ch);
    }
    buf_addch(out, '"');
}

static int write_json(const struct collect *c, const struct report_period *p, struct buf *out)
{
    struct buf tmp = BUF_INIT;
    char iso[32];
    size_t i, j, k;

    buf_addstr(out, "{\"period\": {\"id\": ");
    json_str(out, p->id);
    clock_iso(p->from, iso, sizeof(iso));
    buf_addf(out, ", \"from\": \"%s\"", iso);
    clock_iso(p->to, iso, sizeof(iso));
    buf_addf(out, ", \"to\": \"%s\", \"label\": ", iso);
    json_str(out, p->label);
    buf_addstr(out, "},\n \"audiences\": [");
    for (k = 0; k < c->naud; k++) {
        const struct audience *a = &c->aud[k];
        buf_addstr(out, k ? ",\n  {\"lists\": " : "\n  {\"lists\": ");
        json_str(out, a->lists);
        buf_addf(out, ", \"mailings\": %ld, \"rows\": [", mailings_in(a));
        for (i = 0; i < a->nitems; i++) {
            const struct item *it = &a->items[i];
            buf_addf(out, "%s\n    {\"no\": %zu, \"dates\": [", i ? "," : "", i + 1);
            for (j = 0; j < it->ndates; j++) {
                clock_iso(it->dates[j], iso, sizeof(iso));
                buf_addf(out, "%s\"%s\"", j ? ", " : "", iso);
            }
            buf_reset(&tmp);
            datefmt_list(&tmp, it->dates, it->ndates);
            buf_addstr(out, "], \"fecha_de_envio\": ");
            json_str(out, tmp.data);
            buf_addstr(out, ", \"informacion\": ");
            json_str(out, it->title);
            buf_addf(out,
                     ", \"destinatarios\": %ld, \"entregados\": %ld, \"rebotados\": %ld,"
                     " \"fallidos\": %ld, \"bajas\": %ld}",
                     it->recipients, it->delivered, it->bounced, it->failed, it->unsubscribed);
        }
        buf_reset(&tmp);
        sentence(&tmp, p, a);
        buf_addstr(out, "],\n   \"sentence\": ");
        json_str(out, tmp.data);
        buf_addch(out, '}');
    }
    buf_addstr(out, "]}\n");
    buf_release(&tmp);
    return 0;
}

int report_write(struct ledger *l, const struct report_period *p, const struct report_opts *o,
                 struct buf *out, struct err *err)
{
    struct collect c = {o, NULL, 0, 0};
    int rc = -1;

    if (ledger_report(l, p->from, p->to, on_row, &c, err) < 0)
        goto out;
    if (c.nomem) {
        err_nomem(err);
        goto out;
    }
    switch (o->format) {
    case REPORT_TEXT:
        rc = write_text(&c, p, out);
        break;
    case REPORT_CSV:
        rc = write_csv(&c, o, out);
        break;
    case REPORT_MD:
        rc = write_md(&c, p, out);
        break;
    case REPORT_JSON:
        rc = write_json(&c, p, out);
        break;
    }
out:
    collect_release(&c);
    return rc;
}
