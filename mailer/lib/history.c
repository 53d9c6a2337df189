/* history - mailings the office sent outside the mailer, recorded for the
 * report (history.h). */
#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "clock.h"
#include "contacts.h"
#include "csvread.h"
#include "datefmt.h"
#include "events.h"
#include "fold.h"

#include "banned.h"

#define HISTORY_FILE_MAX (16u << 20)

enum { COL_NO, COL_DATE, COL_TITLE, COL_RECIPIENTS, COL_KIND, COL_SENDER, NCOL };

/* Header names (as fold_key writes them) and their column. */
static const struct {
    int col;
    const char *key;
} header_names[] = {
    {COL_NO, "no"},
    {COL_NO, "n"},
    {COL_NO, "num"},
    {COL_NO, "numero"},
    {COL_DATE, "fecha"},
    {COL_DATE, "fechas"},
    {COL_DATE, "fecha_de_envio"},
    {COL_DATE, "fechas_de_envio"},
    {COL_DATE, "fecha_envio"},
    {COL_DATE, "mes"},
    {COL_DATE, "date"},
    {COL_DATE, "dates"},
    {COL_DATE, "month"},
    {COL_TITLE, "informacion"},
    {COL_TITLE, "titulo"},
    {COL_TITLE, "asunto"},
    {COL_TITLE, "tema"},
    {COL_TITLE, "title"},
    {COL_TITLE, "subject"},
    {COL_RECIPIENTS, "destinatarios"},
    {COL_RECIPIENTS, "recipients"},
    {COL_KIND, "tipo"},
    {COL_KIND, "kind"},
    {COL_SENDER, "remitente"},
    {COL_SENDER, "buzon"},
    {COL_SENDER, "sender"},
};
/* Names of the columns of a table without a header, for messages. */
static const char *const default_names[NCOL] = {"no",   "fecha",    "informacion", "destinatarios",
                                                "tipo", "remitente"};

struct reader {
    struct history_table *t;
    const char *name;
    size_t offset; /* lines dropped before the header */
    int col[NCOL]; /* field of each column, -1 when absent */
    char names[NCOL][64];
    int decided; /* the first record was read */
    int year;
    struct buf *warnings;
    struct err *err;
    int nomem;
};

void history_table_init(struct history_table *t, const char *origin)
{
    memset(t, 0, sizeof(*t));
    t->origin = origin;
}

void history_table_release(struct history_table *t)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        free(t->rows[i].date_text);
        free(t->rows[i].title);
        free(t->rows[i].kind);
        free(t->rows[i].sender);
    }
    free(t->rows);
    t->rows = NULL;
    t->n = 0;
}

time_t history_day_time(const struct dateparse_day *d)
{
    return clock_from_local(d->y - 1900, d->m - 1, d->d, 12, 0);
}

/* ---- the file into CSV records ---- */

static int is_comment(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    return n && *s == '#';
}

static int is_blank(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t' || *s == '\r'))
        s++, n--;
    return n == 0;
}

/* A TSV field as a CSV field: TSV has no quoting, so a quote inside a title
 * is part of it; a field a spreadsheet already quoted stays as it is. */
static int quote_field(struct buf *out, const char *s, size_t n)
{
    size_t i;

    if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
        return buf_add(out, s, n);
    if (buf_addch(out, '"'))
        return -1;
    for (i = 0; i < n; i++)
        if ((s[i] == '"' && buf_addch(out, '"')) || buf_addch(out, s[i]))
            return -1;
    return buf_addch(out, '"');
}

static int tsv_line(struct buf *out, const char *s, size_t n)
{
    const char *tab;

    if (n && s[n - 1] == '\r')
        n--;
    while ((tab = memchr(s, '\t', n))) {
        if (quote_field(out, s, (size_t)(tab - s)) || buf_addch(out, '\t'))
            return -1;
        n -= (size_t)(tab - s) + 1;
        s = tab + 1;
    }
    return quote_field(out, s, n);
}

/* The table as CSV for csvread: the comments and blank lines before the
 * header dropped (*offset counts them), those after it left empty (so that
 * line numbers stay the file's), a TSV table's fields quoted. */
static int prepare(const char *data, size_t len, struct buf *out, size_t *offset, int *tsv)
{
    const char *end = data + len, *nl;
    size_t n;
    int started = 0;

    *offset = 0;
    *tsv = 0;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        data += 3;
    for (; data < end; data = nl ? nl + 1 : end) {
        nl = memchr(data, '\n', (size_t)(end - data));
        n = (size_t)((nl ? nl : end) - data);
        if (!started && (is_comment(data, n) || is_blank(data, n))) {
            ++*offset;
            continue;
        }
        if (!started) {
            started = 1;
            *tsv = memchr(data, '\t', n) != NULL;
        }
        if (is_comment(data, n) || is_blank(data, n)) {
            if (buf_addch(out, '\n'))
                return -1;
            continue;
        }
        if ((*tsv ? tsv_line(out, data, n) : buf_add(out, data, n)) || (nl && buf_addch(out, '\n')))
            return -1;
    }
    return 0;
}

/* ---- records into rows ---- */

static int header(struct reader *r, const struct csvread_record *rec, size_t line)
{
    struct buf key = BUF_INIT;
    int known = 0, rc = 0;
    size_t i, k;

    for (i = 0; i < rec->nfields && !rc; i++) {
        if ((rc = fold_key(rec->fields[i], rec->lens[i], &key)))
            break;
        for (k = 0; k < sizeof(header_names) / sizeof(header_names[0]); k++)
            if (!strcmp(key.data, header_names[k].key))
                break;
        if (k == sizeof(header_names) / sizeof(header_names[0])) {
            if (*key.data)
                rc = buf_addf(r->warnings, "%s:%zu: column \"%s\" is not used", r->name, line,
                              rec->fields[i]) ||
                     buf_addch(r->warnings, '\n');
            continue;
        }
        if (r->col[header_names[k].col] >= 0) {
            err_set(r->err, ERR_DATA, "%s:%zu: two columns for %s", r->name, line,
                    default_names[header_names[k].col]);
            continue;
        }
        r->col[header_names[k].col] = (int)i;
        snprintf(r->names[header_names[k].col], sizeof(r->names[0]), "%s", rec->fields[i]);
        known++;
    }
    buf_release(&key);
    if (rc)
        return r->nomem = 1;
    return known;
}

/* The first record: a header, or the first row of a table without one. */
static int decide(struct reader *r, const struct csvread_record *rec, size_t line)
{
    int known, k;

    r->decided = 1;
    for (k = 0; k < NCOL; k++) {
        r->col[k] = -1;
        snprintf(r->names[k], sizeof(r->names[0]), "%s", default_names[k]);
    }
    if ((known = header(r, rec, line)) < 0 || r->nomem)
        return -1;
    if (known) {
        if (r->col[COL_DATE] < 0 || r->col[COL_TITLE] < 0) {
            err_set(r->err, ERR_DATA,
                    "%s:%zu: the table needs a date column (Fecha de envío or Mes) and a title "
                    "column (Información)",
                    r->name, line);
            return -1;
        }
        return 1;
    }
    for (k = 0; k < NCOL; k++)
        r->col[k] = -1;
    if (rec->nfields >= 3)
        r->col[COL_NO] = 0, r->col[COL_DATE] = 1, r->col[COL_TITLE] = 2;
    else if (rec->nfields == 2)
        r->col[COL_DATE] = 0, r->col[COL_TITLE] = 1;
    else {
        err_set(r->err, ERR_DATA,
                "%s:%zu: a table of mailings has the columns No., date and title, or a header "
                "naming them",
                r->name, line);
        return -1;
    }
    return 0;
}

/* Field col of the record, spaces around it dropped, into out. */
static int field(const struct reader *r, const struct csvread_record *rec, int col, struct buf *out)
{
    buf_reset(out);
    if (r->col[col] < 0 || (size_t)r->col[col] >= rec->nfields)
        return 0;
    if (buf_add(out, rec->fields[r->col[col]], rec->lens[r->col[col]]))
        return -1;
    buf_trim(out);
    return 0;
}

/* A title as one line: runs of white space (a line break inside a
 * spreadsheet cell) become one space; other control characters are refused. */
static int clean_title(const char *s, struct buf *out)
{
    int space = 0;

    buf_reset(out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = 1;
            continue;
        }
        if (c < 0x20 || c == 0x7f)
            return 1;
        if ((space && out->len && buf_addch(out, ' ')) || buf_addch(out, *s))
            return -1;
        space = 0;
    }
    return 0;
}

static int whole_number(const char *s, int dot_ok, long *out)
{
    long v = 0;
    size_t i = 0;

    if (!s[0])
        return 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (v > 100000000L)
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    if (s[i] == '.' && dot_ok && !s[i + 1])
        i++;
    *out = v;
    return i > 0 && !s[i];
}

static struct history_row *new_row(struct history_table *t)
{
    struct history_row *grown = realloc(t->rows, (t->n + 1) * sizeof(*grown));

    if (!grown)
        return NULL;
    t->rows = grown;
    memset(&grown[t->n], 0, sizeof(grown[0]));
    grown[t->n].recipients = -1;
    return &grown[t->n++];
}

/* Read the date of row (year: the caller's, 0 none): 0, 1 when it waits for
 * a year from the rows around it, -1 with a problem recorded. */
static int read_date(struct reader *r, struct history_row *row, int year)
{
    struct err e;
    int rc;

    err_init(&e);
    rc = dateparse_spanish(row->date_text, year, &row->date, &e);
    if (rc < 0)
        err_set(r->err, ERR_DATA, "%s:%zu: %s: %s", r->name, row->line, r->names[COL_DATE],
                e.msg.data);
    err_release(&e);
    if (!rc)
        row->year_from = row->date.year_given ? HISTORY_YEAR_WRITTEN : HISTORY_YEAR_OPTION;
    return rc;
}

static int row_fields(struct reader *r, const struct csvread_record *rec, size_t line,
                      struct history_row *row)
{
    struct buf f = BUF_INIT, title = BUF_INIT;
    long n;
    int rc = -1, c;

    row->line = line;
    if (field(r, rec, COL_NO, &f))
        goto out;
    if (*f.data && !whole_number(f.data, 1, &n))
        err_set(r->err, ERR_DATA, "%s:%zu: %s: \"%s\" is not a number", r->name, line,
                r->names[COL_NO], f.data);
    if (field(r, rec, COL_TITLE, &f) || (c = clean_title(f.data, &title)) < 0)
        goto out;
    if (c)
        err_set(r->err, ERR_DATA, "%s:%zu: %s: a control character in the title", r->name, line,
                r->names[COL_TITLE]);
    else if (!title.len)
        err_set(r->err, ERR_DATA, "%s:%zu: %s: no title", r->name, line, r->names[COL_TITLE]);
    if (!(row->title = buf_detach(&title, NULL)) || field(r, rec, COL_RECIPIENTS, &f))
        goto out;
    if (*f.data && !whole_number(f.data, 0, &row->recipients))
        err_set(r->err, ERR_DATA, "%s:%zu: %s: \"%s\" is not a whole number", r->name, line,
                r->names[COL_RECIPIENTS], f.data);
    if (field(r, rec, COL_KIND, &f))
        goto out;
    if (*f.data && !campaign_kind_ok(f.data))
        err_set(r->err, ERR_DATA,
                "%s:%zu: %s: \"%s\" is not one of bulletin, convocatoria, podcast, invitation, "
                "digest",
                r->name, line, r->names[COL_KIND], f.data);
    if ((*f.data && !(row->kind = strdup(f.data))) || field(r, rec, COL_SENDER, &f) ||
        (*f.data && !(row->sender = strdup(f.data))) || field(r, rec, COL_DATE, &f) ||
        !(row->date_text = strdup(f.data)))
        goto out;
    if (!*f.data)
        err_set(r->err, ERR_DATA, "%s:%zu: %s: no date", r->name, line, r->names[COL_DATE]);
    else
        read_date(r, row, r->year);
    rc = 0;
out:
    buf_release(&f);
    buf_release(&title);
    return rc;
}

static int on_record(void *ud, const struct csvread_record *rec)
{
    struct reader *r = ud;
    size_t line = rec->line + r->offset, i;
    struct history_row *row;
    int is_header = 0;

    if (!r->decided && (is_header = decide(r, rec, line)) < 0)
        return r->nomem ? -1 : 1; /* stop: the columns are unknown */
    if (is_header)
        return 0;
    for (i = 0; i < rec->nfields && !rec->lens[i]; i++)
        ;
    if (i == rec->nfields)
        return 0; /* a row of empty cells */
    if (!(row = new_row(r->t)) || row_fields(r, rec, line, row))
        return r->nomem = 1, -1;
    return 0;
}

/* ---- years from the rows around ---- */

static int day_cmp(const struct dateparse_day *a, const struct dateparse_day *b)
{
    if (a->y != b->y)
        return a->y - b->y;
    if (a->m != b->m)
        return a->m - b->m;
    return a->d - b->d;
}

/* Row i has no year: the last dated row before it gives one (one more when
 * row i's first month comes before that row's last), else the first dated
 * row after it (one less when row i ends after it starts). */
static void year_from_context(struct reader *r, size_t i)
{
    struct history_row *row = &r->t->rows[i];
    const struct dateparse_day *near = NULL;
    size_t j;
    int before = 0, year;

    for (j = i; j-- > 0;)
        if (r->t->rows[j].date.n) {
            near = &r->t->rows[j].date.days[r->t->rows[j].date.n - 1];
            before = 1;
            break;
        }
    for (j = i + 1; !near && j < r->t->n; j++)
        if (r->t->rows[j].date.n && r->t->rows[j].date.year_given)
            near = &r->t->rows[j].date.days[0];
    if (!near) {
        err_set(r->err, ERR_DATA, "%s:%zu: %s: \"%s\" has no year: give it with --year", r->name,
                row->line, r->names[COL_DATE], row->date_text);
        return;
    }
    year = near->y;
    if (read_date(r, row, year))
        return;
    if (before && day_cmp(&row->date.days[0], near) < 0)
        year++;
    else if (!before && day_cmp(&row->date.days[row->date.n - 1], near) > 0)
        year--;
    if (year != near->y && read_date(r, row, year))
        return;
    row->year_from = HISTORY_YEAR_CONTEXT;
}

/* ---- warnings ---- */

static int weekday_warnings(const struct reader *r, const struct history_row *row)
{
    struct buf day = BUF_INIT;
    size_t i;
    int w, rc = 0;

    for (i = 0; i < row->date.n && !rc; i++) {
        const struct dateparse_day *d = &row->date.days[i];
        w = dateparse_weekday(d->y, d->m, d->d);
        if (d->wday < 0 || d->wday == w)
            continue;
        buf_reset(&day);
        rc = buf_addf(&day, "%d de %s de %d", d->d, datefmt_months[d->m - 1], d->y);
        if (!rc && row->line)
            rc = buf_addf(r->warnings, "%s:%zu: \"%s\": %s was a %s", r->name, row->line,
                          row->date_text, day.data, datefmt_weekdays[w]);
        else if (!rc)
            rc = buf_addf(r->warnings, "\"%s\": %s was a %s", row->date_text, day.data,
                          datefmt_weekdays[w]);
        rc = rc || buf_addch(r->warnings, '\n');
    }
    buf_release(&day);
    return rc;
}

static int finish(struct reader *r, size_t first)
{
    size_t i;

    for (i = first; i < r->t->n; i++)
        if (!r->t->rows[i].date.n && *r->t->rows[i].date_text && !r->year)
            year_from_context(r, i);
    for (i = first; i < r->t->n; i++)
        if (weekday_warnings(r, &r->t->rows[i]))
            return err_nomem(r->err);
    return r->err->kind != ERR_NONE ? -1 : 0;
}

int history_read_mem(const char *name, const char *data, size_t len, int year,
                     struct history_table *t, struct buf *warnings, struct err *err)
{
    struct reader r = {.t = t, .name = name, .year = year, .warnings = warnings, .err = err};
    struct buf csv = BUF_INIT, csvwarn = BUF_INIT;
    struct csvread_opts opts = {0, CSVREAD_AUTO};
    int tsv, rc;

    if (prepare(data, len, &csv, &r.offset, &tsv)) {
        buf_release(&csv);
        return err_nomem(err);
    }
    if (tsv)
        opts.delim = '\t';
    rc = csvread_mem(name, csv.data, csv.len, &opts, on_record, &r, &csvwarn, err);
    buf_release(&csv);
    if (csvwarn.len && buf_addstr(warnings, csvwarn.data))
        rc = -1;
    buf_release(&csvwarn);
    if (r.nomem)
        return err_nomem(err);
    if (rc < 0 || (rc > 0 && err->kind != ERR_NONE))
        return -1;
    if (!r.decided) {
        return err_set(err, ERR_DATA, "%s: no mailings in the table", name);
    }
    return finish(&r, 0);
}

int history_read(const char *path, int year, struct history_table *t, struct buf *warnings,
                 struct err *err)
{
    struct buf data;
    int rc;

    buf_init(&data, HISTORY_FILE_MAX);
    if (buf_read_file(&data, path)) {
        buf_release(&data);
        return err_errno(err, ERR_NOINPUT, "%s: cannot read", path);
    }
    rc = history_read_mem(path, data.data, data.len, year, t, warnings, err);
    buf_release(&data);
    return rc;
}

int history_add_row(struct history_table *t, const char *date_text, const char *title,
                    const char *kind, const char *sender, long recipients, int year,
                    struct buf *warnings, struct err *err)
{
    struct reader r;
    struct history_row *row;
    struct buf clean = BUF_INIT;
    int c, rc;

    memset(&r, 0, sizeof(r));
    r.t = t;
    r.name = t->origin;
    r.year = year;
    r.warnings = warnings;
    r.err = err;
    if ((c = clean_title(title, &clean)) < 0 || !(row = new_row(t)) ||
        !(row->title = buf_detach(&clean, NULL)) || !(row->date_text = strdup(date_text)) ||
        (kind && *kind && !(row->kind = strdup(kind))) ||
        (sender && *sender && !(row->sender = strdup(sender)))) {
        buf_release(&clean);
        return err_nomem(err);
    }
    row->recipients = recipients;
    if (c)
        err_set(err, ERR_DATA, "--title: a control character in the title");
    else if (!*row->title)
        err_set(err, ERR_DATA, "--title: no title");
    if (kind && *kind && !campaign_kind_ok(kind))
        err_set(err, ERR_DATA,
                "--kind: \"%s\" is not one of bulletin, convocatoria, podcast, invitation, "
                "digest",
                kind);
    if ((rc = dateparse_spanish(date_text, year, &row->date, err)) == 1)
        err_set(err, ERR_DATA, "--date: \"%s\" has no year: give it with --year", date_text);
    if (err->kind != ERR_NONE)
        return -1;
    return weekday_warnings(&r, row) ? err_nomem(err) : 0;
}

/* ---- recording ---- */

static int same_row(const struct history_row *a, const struct history_row *b)
{
    size_t i;

    if (strcmp(a->title, b->title) || a->date.n != b->date.n || a->date.range != b->date.range ||
        a->date.month_only != b->date.month_only)
        return 0;
    for (i = 0; i < a->date.n; i++)
        if (day_cmp(&a->date.days[i], &b->date.days[i]))
            return 0;
    return 1;
}

/* The ledger's view of row i (times in times[], the month in month). */
static void to_ledger(const struct history_table *t, size_t i, const char *list, const char *kind,
                      const char *sender, time_t *times, char month[16], char *source, size_t ssize,
                      struct ledger_history *h)
{
    const struct history_row *row = &t->rows[i];
    size_t k;

    memset(h, 0, sizeof(*h));
    for (k = 0; k < row->date.n; k++)
        times[k] = history_day_time(&row->date.days[k]);
    month[0] = '\0';
    if (row->date.month_only)
        snprintf(month, 16, "%04d-%02d", row->date.days[0].y, row->date.days[0].m);
    if (row->line)
        snprintf(source, ssize, "%s:%zu", t->origin, row->line);
    else
        snprintf(source, ssize, "%s", t->origin);
    h->list = list;
    h->kind = row->kind ? row->kind : kind ? kind : "";
    h->title = row->title;
    h->month = month;
    h->date_text = row->date_text;
    h->sender = row->sender ? row->sender : sender ? sender : "";
    h->source = source;
    h->dates = times;
    h->ndates = row->date.n;
    h->range = row->date.range;
    h->recipients = row->recipients;
}

int history_record(struct ledger *l, const struct history_table *t, const char *list,
                   const char *kind, const char *sender, const char *detail,
                   struct history_result *res, struct err *err)
{
    struct ledger_history h;
    time_t times[DATEPARSE_MAX];
    char month[16], source[512];
    long *there = calloc(t->n ? t->n : 1, sizeof(long)), seen;
    struct buf what = BUF_INIT;
    size_t i, j;
    int rc = -1;

    memset(res, 0, sizeof(*res));
    if (!there)
        return err_nomem(err);
    if (ledger_begin(l, err))
        goto out;
    /* how many of each row the ledger holds before anything is added */
    for (i = 0; i < t->n; i++) {
        to_ledger(t, i, list, kind, sender, times, month, source, sizeof(source), &h);
        if (ledger_history_count(l, &h, &there[i], err))
            goto fail;
    }
    for (i = 0; i < t->n; i++) {
        for (seen = 0, j = 0; j < i; j++)
            seen += same_row(&t->rows[j], &t->rows[i]);
        if (seen < there[i]) {
            res->already++;
            continue;
        }
        to_ledger(t, i, list, kind, sender, times, month, source, sizeof(source), &h);
        if (ledger_history_add(l, &h, NULL, err))
            goto fail;
        res->added++;
    }
    if (buf_addf(&what, "%s: %ld recorded, %ld already recorded", detail, res->added,
                 res->already)) {
        err_nomem(err);
        goto fail;
    }
    if (events_record(l, "history", NULL, NULL, what.data, err) || ledger_commit(l, err))
        goto fail;
    rc = 0;
    goto out;
fail:
    ledger_rollback(l);
    memset(res, 0, sizeof(*res));
out:
    free(there);
    buf_release(&what);
    return rc;
}
