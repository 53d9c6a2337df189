/* dateparse - dates as the office writes them in its tables, read back. */
#include "dateparse.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define WORD_MAX 32
#define TOKENS_MAX 256

enum tok_kind { T_NUM, T_YEAR, T_ISO, T_MONTH, T_WEEKDAY, T_DE, T_AND, T_TO, T_FROM };

struct tok {
    enum tok_kind kind;
    int a, b, c; /* number; year; ISO y, m, d (d 0: a month); month 1-12; weekday 0-6 */
};

/* An entry being read: a day, or a range's end. */
struct entry {
    int y, m, d, wday;
    int explicit_year;
};

struct parser {
    const char *text;
    struct err *err;
    struct tok t[TOKENS_MAX];
    size_t nt;
};

static const char *const months[12] = {"enero",      "febrero", "marzo",     "abril",
                                       "mayo",       "junio",   "julio",     "agosto",
                                       "septiembre", "octubre", "noviembre", "diciembre"};
static const char *const weekdays[7] = {"domingo", "lunes",   "martes", "miercoles",
                                        "jueves",  "viernes", "sabado"};

int dateparse_weekday(int y, int m, int d)
{
    static const int off[12] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};

    if (m < 3)
        y--;
    return (y + y / 4 - y / 100 + y / 400 + off[m - 1] + d) % 7;
}

int dateparse_month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

/* One letter of s lower-cased and without its accent (á é í ó ú ü ñ, and
 * their capitals, are two bytes in UTF-8): its ASCII letter, and how many
 * bytes it took; 0 when s is not a letter. */
static int letter(const unsigned char *s, size_t *used)
{
    static const char from[] = "\xa1\xa9\xad\xb3\xba\xbc\xb1\x81\x89\x8d\x93\x9a\x9c\x91";
    static const char to[] = "aeiouunaeiouun";
    const char *hit;

    *used = 1;
    if (*s >= 'A' && *s <= 'Z')
        return *s - 'A' + 'a';
    if (*s >= 'a' && *s <= 'z')
        return *s;
    if (s[0] == 0xC3 && s[1] && (hit = strchr(from, (char)s[1]))) {
        *used = 2;
        return to[hit - from];
    }
    return 0;
}

static int lookup(const char *w, const char *const *names, int n)
{
    int i;

    for (i = 0; i < n; i++)
        if (!strcmp(w, names[i]) || (strlen(w) == 3 && !strncmp(w, names[i], 3)))
            return i;
    return -1;
}

static int push(struct parser *p, enum tok_kind kind, int a, int b, int c)
{
    if (p->nt == TOKENS_MAX)
        return err_set(p->err, ERR_DATA, "\"%s\": too long for a date", p->text);
    p->t[p->nt].kind = kind;
    p->t[p->nt].a = a;
    p->t[p->nt].b = b;
    p->t[p->nt].c = c;
    p->nt++;
    return 0;
}

static int word_token(struct parser *p, const char *w)
{
    int k;

    if (!strcmp(w, "de") || !strcmp(w, "del"))
        return push(p, T_DE, 0, 0, 0);
    if (!strcmp(w, "y") || !strcmp(w, "e"))
        return push(p, T_AND, 0, 0, 0);
    if (!strcmp(w, "al") || !strcmp(w, "a") || !strcmp(w, "hasta"))
        return push(p, T_TO, 0, 0, 0);
    if (!strcmp(w, "desde"))
        return push(p, T_FROM, 0, 0, 0);
    if (!strcmp(w, "setiembre"))
        return push(p, T_MONTH, 9, 0, 0);
    if ((k = lookup(w, months, 12)) >= 0)
        return push(p, T_MONTH, k + 1, 0, 0);
    for (k = 0; k < 7; k++)
        if (!strcmp(w, weekdays[k]))
            return push(p, T_WEEKDAY, k, 0, 0);
    return err_set(p->err, ERR_DATA, "\"%s\": \"%s\" is not part of a date", p->text, w);
}

/* Digits at s: their value (at most 4 digits) and count. */
static int digits(const char *s, int *value)
{
    int n = 0;

    *value = 0;
    while (s[n] >= '0' && s[n] <= '9' && n < 5)
        *value = *value * 10 + (s[n++] - '0');
    return n;
}

/* A number at s: a day, a year, an ISO date (2024-01-25, 2024-01) or a
 * Mexican one (25/01/2024). Returns the bytes taken, 0 on error. */
static size_t number_token(struct parser *p, const char *s)
{
    int v, m, d, y, n = digits(s, &v), n2, n3;

    if (n == 4 && s[4] == '-' && (n2 = digits(s + 5, &m)) == 2) {
        if (s[7] == '-' && (n3 = digits(s + 8, &d)) == 2)
            return push(p, T_ISO, v, m, d) ? 0 : 10;
        return push(p, T_ISO, v, m, 0) ? 0 : 7;
    }
    if (n <= 2 && s[n] == '/' && (n2 = digits(s + n + 1, &m)) >= 1 && n2 <= 2 &&
        s[n + 1 + n2] == '/' && (n3 = digits(s + n + n2 + 2, &y)) == 4)
        return push(p, T_ISO, y, m, v) ? 0 : (size_t)(n + n2 + n3 + 2);
    if (n == 4)
        return push(p, T_YEAR, v, 0, 0) ? 0 : 4;
    if (n > 2) {
        err_set(p->err, ERR_DATA, "\"%s\": a number that is neither a day nor a year", p->text);
        return 0;
    }
    if (push(p, T_NUM, v, 0, 0))
        return 0;
    /* 1° / 1º, as the first of a month is often written */
    if (!strncmp(s + n, "\xc2\xb0", 2) || !strncmp(s + n, "\xc2\xba", 2))
        return (size_t)n + 2;
    return (size_t)n;
}

static int tokenize(struct parser *p)
{
    const unsigned char *s = (const unsigned char *)p->text;
    char w[WORD_MAX];
    size_t used, n, len;
    int ch;

    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == ',' || *s == '.' || *s == ';') {
            s++;
        } else if (*s == '-') {
            if (push(p, T_TO, 0, 0, 0))
                return -1;
            s++;
        } else if (*s >= '0' && *s <= '9') {
            if (!(n = number_token(p, (const char *)s)))
                return -1;
            s += n;
        } else if (letter(s, &used)) {
            for (len = 0; (ch = letter(s, &used)); s += used)
                if (len + 1 < sizeof(w))
                    w[len++] = (char)ch;
            w[len] = '\0';
            if (word_token(p, w))
                return -1;
        } else {
            return err_set(p->err, ERR_DATA, "\"%s\": a character that is not part of a date",
                           p->text);
        }
    }
    return 0;
}

/* A month (and a year) written after days applies to those of them that
 * have none yet. */
static void apply_month(struct entry *e, size_t n, int month)
{
    while (n-- > 0 && !e[n].m)
        e[n].m = month;
}

/* A year written after days applies back to those without one, one less
 * across the turn of a year («30 de diciembre y 6 de enero de 2026»). */
static void apply_year(struct entry *e, size_t n, int year)
{
    size_t i = n;
    int cur = year;

    while (i-- > 0 && !e[i].y) {
        if (i + 1 < n && e[i].m > e[i + 1].m)
            cur--;
        e[i].y = cur;
        e[i].explicit_year = 1;
    }
}

/* Days after the last year written take it (one more across the turn of a
 * year); with no year written at all, the caller's year is the first
 * day's. 1 when a year is needed and none is known. */
static int fill_years(struct entry *e, size_t n, int year)
{
    size_t i;
    int cur = 0;

    for (i = 0; i < n; i++) {
        if (e[i].y)
            cur = e[i].y;
        else if (cur)
            e[i].y = e[i].m < e[i - 1].m ? ++cur : cur;
    }
    if (n && !e[0].y) {
        if (!(cur = year))
            return 1;
        for (i = 0; i < n; i++)
            e[i].y = i && e[i].m < e[i - 1].m ? ++cur : cur;
    }
    return 0;
}

/* Read the tokens into entries: days, each with its weekday; *range when
 * two ends were joined by «al» or «-». */
static int read_entries(struct parser *p, struct entry *e, size_t *n, int *range)
{
    size_t i;
    int wday = -1, after_month = 0;

    *n = 0;
    *range = 0;
    for (i = 0; i < p->nt; i++) {
        const struct tok *t = &p->t[i];
        switch (t->kind) {
        case T_WEEKDAY:
            if (wday >= 0 || i + 1 == p->nt || p->t[i + 1].kind != T_NUM)
                return err_set(p->err, ERR_DATA, "\"%s\": a weekday without its day", p->text);
            wday = t->a;
            break;
        case T_NUM:
        case T_ISO:
            if (*n == DATEPARSE_MAX)
                return err_set(p->err, ERR_DATA, "\"%s\": too many dates", p->text);
            memset(&e[*n], 0, sizeof(e[*n]));
            e[*n].wday = wday;
            if (t->kind == T_NUM) {
                e[*n].d = t->a;
            } else {
                if (!t->c)
                    return err_set(p->err, ERR_DATA, "\"%s\": a month among days", p->text);
                e[*n].y = t->a, e[*n].m = t->b, e[*n].d = t->c;
                e[*n].explicit_year = 1;
            }
            (*n)++;
            wday = -1;
            after_month = 0;
            break;
        case T_MONTH:
            if (!*n)
                return err_set(p->err, ERR_DATA, "\"%s\": a month without a day", p->text);
            apply_month(e, *n, t->a);
            after_month = 1;
            break;
        case T_YEAR:
            if (!after_month)
                return err_set(p->err, ERR_DATA, "\"%s\": a year that does not follow a month",
                               p->text);
            apply_year(e, *n, t->a);
            after_month = 0;
            break;
        case T_DE:
        case T_AND:
        case T_FROM:
            break;
        case T_TO:
            if (*range || *n != 1)
                return err_set(p->err, ERR_DATA,
                               "\"%s\": a range is two dates: «del 9 al 13 de julio»", p->text);
            *range = 1;
            break;
        }
    }
    if (wday >= 0)
        return err_set(p->err, ERR_DATA, "\"%s\": a weekday without its day", p->text);
    if (!*n)
        return err_set(p->err, ERR_DATA, "\"%s\": no date", p->text);
    if (*range && *n != 2)
        return err_set(p->err, ERR_DATA, "\"%s\": a range is two dates: «del 9 al 13 de julio»",
                       p->text);
    for (i = 0; i < *n; i++)
        if (!e[i].m)
            return err_set(p->err, ERR_DATA, "\"%s\": a day without its month", p->text);
    return 0;
}

/* «Enero 2024», «enero de 2024», «Enero», «2024-01». */
static int month_only(struct parser *p, int year, struct dateparse *out)
{
    size_t i = 0;
    int m = 0, y = 0;

    if (p->nt == 1 && p->t[0].kind == T_ISO && !p->t[0].c) {
        y = p->t[0].a, m = p->t[0].b;
    } else {
        if (p->t[i].kind != T_MONTH)
            return 2;
        m = p->t[i++].a;
        if (i < p->nt && p->t[i].kind == T_DE)
            i++;
        if (i < p->nt && p->t[i].kind == T_YEAR)
            y = p->t[i++].a;
        if (i != p->nt)
            return 2;
    }
    if (m < 1 || m > 12)
        return err_set(p->err, ERR_DATA, "\"%s\": no such month", p->text);
    out->year_given = y != 0;
    if (!y && !(y = year))
        return 1;
    if (y < 1900 || y > 2999)
        return err_set(p->err, ERR_DATA, "\"%s\": a year out of range", p->text);
    out->month_only = 1;
    out->n = 1;
    out->days[0].y = y;
    out->days[0].m = m;
    out->days[0].d = 1;
    out->days[0].wday = -1;
    return 0;
}

static int by_date(const void *a, const void *b)
{
    const struct dateparse_day *x = a, *y = b;

    if (x->y != y->y)
        return x->y - y->y;
    if (x->m != y->m)
        return x->m - y->m;
    return x->d - y->d;
}

static int check_and_store(struct parser *p, const struct entry *e, size_t n, int range,
                           struct dateparse *out)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        if (e[i].m < 1 || e[i].m > 12)
            return err_set(p->err, ERR_DATA, "\"%s\": no such month", p->text);
        if (e[i].y < 1900 || e[i].y > 2999)
            return err_set(p->err, ERR_DATA, "\"%s\": a year out of range", p->text);
        if (e[i].d < 1 || e[i].d > dateparse_month_days(e[i].y, e[i].m))
            return err_set(p->err, ERR_DATA, "\"%s\": %d-%02d has no day %d", p->text, e[i].y,
                           e[i].m, e[i].d);
        out->days[i].y = e[i].y;
        out->days[i].m = e[i].m;
        out->days[i].d = e[i].d;
        out->days[i].wday = e[i].wday;
    }
    qsort(out->days, n, sizeof(out->days[0]), by_date);
    for (i = 0; i < n; i++) /* each day once */
        if (!k || by_date(&out->days[k - 1], &out->days[i]))
            out->days[k++] = out->days[i];
    if (range && k != 2)
        return err_set(p->err, ERR_DATA, "\"%s\": a range is two different days", p->text);
    if (range && (e[0].y != out->days[0].y || e[0].m != out->days[0].m || e[0].d != out->days[0].d))
        return err_set(p->err, ERR_DATA, "\"%s\": a range that ends before it starts", p->text);
    out->n = k;
    out->range = range;
    return 0;
}

int dateparse_spanish(const char *text, int year, struct dateparse *out, struct err *err)
{
    struct parser *p = calloc(1, sizeof(*p));
    struct entry *e = calloc(DATEPARSE_MAX, sizeof(*e));
    size_t i, n;
    int rc, range;

    memset(out, 0, sizeof(*out));
    if (!p || !e) {
        rc = err_nomem(err);
        goto out;
    }
    p->text = text;
    p->err = err;
    if ((rc = tokenize(p)))
        goto out;
    if (!p->nt) {
        rc = err_set(p->err, ERR_DATA, "\"%s\": no date", p->text);
        goto out;
    }
    if ((rc = month_only(p, year, out)) != 2)
        goto out;
    if ((rc = read_entries(p, e, &n, &range)))
        goto out;
    for (i = 0; i < n; i++)
        out->year_given |= e[i].explicit_year;
    if ((rc = fill_years(e, n, year)))
        goto out;
    rc = check_and_store(p, e, n, range, out);
out:
    free(p);
    free(e);
    return rc;
}
