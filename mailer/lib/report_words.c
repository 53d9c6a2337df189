/* report_words - the report's Spanish: names of audiences, headings, the
 * office's sentence, the date of a row, the targets' words (report_int.h). */
#include "report.h"

#include <string.h>

#include "datefmt.h"
#include "report_int.h"

#include "banned.h"

int report_words_audience_name(const struct report_data *d, const char *lists, struct buf *out)
{
    const char *p = lists, *comma;
    const struct report_list *l;
    size_t n = 1, i;
    int rc = 0;

    for (comma = lists; (comma = strchr(comma, ',')); comma++)
        n++;
    for (i = 0; i < n && !rc; i++, p = comma + 1) {
        comma = strchr(p, ',');
        if (!comma)
            comma = p + strlen(p);
        if (i)
            rc = buf_addstr(out, i + 1 == n ? " y " : ", ");
        l = report_config_list(d->cfg, p, (size_t)(comma - p));
        if (l && l->name)
            rc = rc || buf_addstr(out, l->name);
        else
            rc = rc || buf_addf(out, "la lista %.*s", (int)(comma - p), p);
    }
    return rc ? -1 : 0;
}

/* informe.conf's titulo, else the name with a capital and the list ids,
 * else "Lista: ID". */
int report_words_heading(const struct report_data *d, const struct report_audience *a,
                         struct buf *out)
{
    const struct report_list *l = report_config_list(d->cfg, a->lists, strlen(a->lists));
    size_t start = out->len;

    if (l && l->title)
        return buf_addstr(out, l->title);
    if (report_words_audience_name(d, a->lists, out))
        return -1;
    if (!strncmp(out->data + start, "la lista ", 9)) {
        buf_setlen(out, start);
        return buf_addf(out, "Lista: %s", a->lists);
    }
    if (out->data[start] >= 'a' && out->data[start] <= 'z')
        out->data[start] = (char)(out->data[start] - 'a' + 'A');
    return buf_addf(out, " (%s)", a->lists);
}

int report_words_sentence(const struct report_data *d, const struct report_audience *a,
                          struct buf *out)
{
    long n = report_figures_mailings(a);

    if (buf_addf(out, "Durante %s se distribuy%s %ld comunicaci%s a ", d->p->label,
                 n == 1 ? "ó" : "eron", n, n == 1 ? "ón" : "ones") ||
        report_words_audience_name(d, a->lists, out))
        return -1;
    if (a->by == REPORT_BY_MONTH &&
        buf_addf(out, "; la difusión versó sobre %zu tema%s", a->nitems, a->nitems == 1 ? "" : "s"))
        return -1;
    return buf_addch(out, '.');
}

int report_words_item_date(const struct report_item *it, struct buf *out)
{
    if (it->month < 0)
        return datefmt_list(out, it->dates, it->ndates);
    return datefmt_month_row(out, it->month / 12, it->month % 12 + 1);
}

int report_words_target_label(const struct report_data *d, const struct report_target *t,
                              struct buf *out)
{
    const struct report_campaign *rc;

    if (t->kind == REPORT_TARGET_MAILINGS)
        return buf_addstr(out, "Comunicaciones a ") ||
                       report_words_audience_name(d, t->subject, out)
                   ? -1
                   : 0;
    rc = report_config_campaign(d->cfg, t->subject);
    return buf_addf(out, "Ediciones de %s", rc && rc->name ? rc->name : t->subject);
}

const char *report_words_verdict(long goal, long got)
{
    return got >= goal ? "Cumplida" : "No cumplida";
}
