/* csvread - CSV bytes into records, the way spreadsheets really write them. */
#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvread.h"
#include "utf8.h"

#include "banned.h"

#define CHUNK (64 * 1024)
#define RECORD_MAX (4 * 1024 * 1024)
#define HEAD_MAX (64 * 1024)

struct reader {
    const char *file;
    csvread_fn fn;
    void *ud;
    struct buf *warnings;
    struct err *err;
    struct csv_parser p;
    int p_ready;
    enum csvread_encoding enc;
    iconv_t cd;        /* (iconv_t)-1 until converting */
    int nonascii_utf8; /* valid multi-byte UTF-8 seen: no switching later */
    int delim;
    int started;            /* header chunk processed: BOM stripped, delimiter known */
    struct buf head;        /* bytes held back until the header line is complete */
    unsigned char carry[4]; /* incomplete UTF-8 sequence at a chunk's end */
    size_t ncarry;
    struct buf tmp;  /* carry + chunk */
    struct buf conv; /* converted chunk */
    size_t line;     /* current physical line */
    size_t rec_line; /* line where the record in progress starts */
    int rec_pending; /* the next non-empty line starts a record */
    int last_cr;     /* the previous chunk ended with CR */
    size_t index;
    struct buf data; /* field bytes of the record in progress */
    size_t *offs, *lens;
    const char **ptrs;
    size_t nf, af;
    int field_done;
    size_t since_field;
    int stop; /* set by an error or a non-zero callback */
    int rc;
};

static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

static int fail(struct reader *r, int rc)
{
    r->stop = 1;
    r->rc = rc;
    return rc;
}

/* Append a field to the record in progress; s[len] need not be a NUL. */
static int add_field(struct reader *r, const char *s, size_t len)
{
    r->field_done = 1;
    if (len > CSVREAD_FIELD_MAX)
        return fail(r, err_set(r->err, ERR_DATA, "%s:%zu: field %zu is longer than %d KiB", r->file,
                               r->rec_line, r->nf + 1, CSVREAD_FIELD_MAX / 1024));
    if (r->nf >= CSVREAD_FIELDS_MAX)
        return fail(r, err_set(r->err, ERR_DATA, "%s:%zu: more than %d fields in a record", r->file,
                               r->rec_line, CSVREAD_FIELDS_MAX));
    if (r->nf == r->af) {
        size_t n = r->af ? r->af * 2 : 32;
        size_t *o = realloc(r->offs, n * sizeof(*o));
        if (o)
            r->offs = o;
        size_t *l = o ? realloc(r->lens, n * sizeof(*l)) : NULL;
        if (l)
            r->lens = l;
        const char **pp = l ? realloc(r->ptrs, n * sizeof(*pp)) : NULL;
        if (!pp)
            return fail(r, err_nomem(r->err));
        r->ptrs = pp;
        r->af = n;
    }
    r->offs[r->nf] = r->data.len;
    r->lens[r->nf] = len;
    if (buf_grow(&r->data, len + 1))
        return fail(r, errno == ENOSPC
                           ? err_set(r->err, ERR_DATA, "%s:%zu: record longer than %d MiB", r->file,
                                     r->rec_line, RECORD_MAX / (1024 * 1024))
                           : err_nomem(r->err));
    /* the field and its NUL; buf_grow left room for the buffer's own NUL */
    if (len)
        memcpy(r->data.data + r->data.len, s, len);
    r->data.len += len + 1;
    r->data.data[r->data.len - 1] = '\0';
    r->data.data[r->data.len] = '\0';
    r->nf++;
    return 0;
}

static void on_field(void *s, size_t len, void *ud)
{
    struct reader *r = ud;

    if (!r->stop)
        add_field(r, s, len);
}

static void on_record(int c, void *ud)
{
    struct reader *r = ud;
    struct csvread_record rec;
    size_t i;
    int rc;

    (void)c;
    if (r->stop)
        return;
    r->field_done = 1;
    for (i = 0; i < r->nf; i++)
        r->ptrs[i] = r->data.data + r->offs[i];
    rec.file = r->file;
    rec.line = r->rec_line;
    rec.index = r->index++;
    rec.nfields = r->nf;
    rec.fields = r->ptrs;
    rec.lens = r->lens;
    rec.delim = r->delim;
    rc = r->fn(r->ud, &rec);
    r->nf = 0;
    buf_reset(&r->data);
    r->rec_pending = 1;
    if (rc)
        fail(r, rc);
}

static int parse_segment(struct reader *r, const char *s, size_t n)
{
    size_t done;

    if (r->rec_pending && s[0] != '\r' && s[0] != '\n') {
        r->rec_line = r->line;
        r->rec_pending = 0;
    }
    r->field_done = 0;
    done = csv_parse(&r->p, s, n, on_field, on_record, r);
    if (r->stop)
        return r->rc;
    if (done < n)
        return fail(r, err_set(r->err, ERR_DATA, "%s:%zu: malformed quoting (%s)", r->file, r->line,
                               csv_strerror(csv_error(&r->p))));
    r->since_field = r->field_done ? 0 : r->since_field + n;
    if (r->since_field > 2 * (size_t)CSVREAD_FIELD_MAX + 2)
        return fail(r, err_set(r->err, ERR_DATA, "%s:%zu: field %zu is longer than %d KiB", r->file,
                               r->rec_line, r->nf + 1, CSVREAD_FIELD_MAX / 1024));
    return 0;
}

/* A whole line with no quote, starting a record: split it here. libcsv
 * (strict, no space trimming) would give the same fields; this path only
 * saves its per-byte state machine on the lines that need none. */
static int fast_line(struct reader *r, const char *s, size_t n)
{
    const char *end = s + n, *d;

    r->rec_line = r->line;
    r->rec_pending = 0;
    for (;;) {
        d = memchr(s, r->delim, (size_t)(end - s));
        if (add_field(r, s, (size_t)((d ? d : end) - s)))
            return r->rc;
        if (!d)
            break;
        s = d + 1;
    }
    on_record(0, r);
    r->since_field = 0;
    return r->stop ? r->rc : 0;
}

/* Feed UTF-8 text to libcsv one physical line at a time, so that every
 * record knows the line it starts on. */
static int feed(struct reader *r, const char *s, size_t n)
{
    size_t i = 0, j, end;
    int term;

    if (n && r->last_cr && s[0] == '\n') {
        if (parse_segment(r, s, 1))
            return r->rc;
        i = 1;
    }
    r->last_cr = 0;
    while (i < n) {
        const char *lf = memchr(s + i, '\n', n - i);
        const char *cr = memchr(s + i, '\r', (lf ? (size_t)(lf - s) : n) - i);
        j = cr ? (size_t)(cr - s) : lf ? (size_t)(lf - s) : n;
        term = j < n;
        end = j;
        if (term) {
            end = j + 1;
            if (s[j] == '\r') {
                if (j + 1 < n && s[j + 1] == '\n')
                    end = j + 2;
                else if (j + 1 == n)
                    r->last_cr = 1;
            }
        }
        if (term && r->rec_pending && j > i && !memchr(s + i, '"', j - i)) {
            if (fast_line(r, s + i, j - i))
                return r->rc;
        } else if (parse_segment(r, s + i, end - i)) {
            return r->rc;
        }
        if (term)
            r->line++;
        i = end;
    }
    return 0;
}

static size_t count_lines(const char *s, size_t n)
{
    size_t i, lines = 0;

    for (i = 0; i < n; i++)
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n')))
            lines++;
    return lines;
}

static const char *encoding_name(enum csvread_encoding e)
{
    return e == CSVREAD_LATIN1 ? "ISO-8859-1" : "WINDOWS-1252";
}

static int open_iconv(struct reader *r, enum csvread_encoding e)
{
    r->cd = iconv_open("UTF-8", encoding_name(e));
    if (r->cd == (iconv_t)-1)
        return fail(r, err_errno(r->err, ERR_SOFTWARE, "iconv_open(%s)", encoding_name(e)));
    return 0;
}

static int convert(struct reader *r, const char *s, size_t n)
{
    char *in = (char *)s, *out;
    size_t inleft = n, outleft;

    buf_reset(&r->conv);
    if (buf_grow(&r->conv, 3 * n + 4))
        return fail(r, err_nomem(r->err));
    out = r->conv.data;
    outleft = r->conv.alloc - 1;
    if (iconv(r->cd, &in, &inleft, &out, &outleft) == (size_t)-1) {
        size_t at = (size_t)(in - s);
        return fail(r, err_set(r->err, ERR_DATA, "%s:%zu: byte 0x%02x is not %s text", r->file,
                               r->line + count_lines(s, at), (unsigned char)s[at],
                               encoding_name(r->enc)));
    }
    buf_setlen(&r->conv, (size_t)(out - r->conv.data));
    return feed(r, r->conv.data, r->conv.len);
}

/* Check (or convert) a chunk of text and feed it; final: no more input. */
static int decode(struct reader *r, const char *s, size_t n, int final)
{
    size_t ok;
    int incomplete = 0;

    if (r->cd != (iconv_t)-1)
        return convert(r, s, n);
    if (r->ncarry) {
        buf_reset(&r->tmp);
        if (buf_add(&r->tmp, r->carry, r->ncarry) || buf_add(&r->tmp, s, n))
            return fail(r, err_nomem(r->err));
        s = r->tmp.data, n = r->tmp.len;
        r->ncarry = 0;
    }
    ok = utf8_valid_prefix(s, n, &incomplete, &r->nonascii_utf8);
    if (incomplete && !final && n - ok < sizeof(r->carry)) {
        if (feed(r, s, ok))
            return r->rc;
        memcpy(r->carry, s + ok, n - ok);
        r->ncarry = n - ok;
        return 0;
    }
    if (ok == n)
        return feed(r, s, n);
    if (feed(r, s, ok))
        return r->rc;
    if (r->enc == CSVREAD_UTF8 || r->nonascii_utf8)
        return fail(r, err_set(r->err, ERR_DATA,
                               "%s:%zu: byte 0x%02x is not UTF-8%s; save the list as CSV UTF-8",
                               r->file, r->line, (unsigned char)s[ok],
                               r->nonascii_utf8 ? " (the file mixes encodings)" : ""));
    r->enc = CSVREAD_WINDOWS_1252;
    if (r->warnings &&
        buf_addf(r->warnings, "%s:%zu: not valid UTF-8, read as Windows-1252\n", r->file, r->line))
        return fail(r, err_nomem(r->err));
    if (open_iconv(r, r->enc))
        return r->rc;
    return convert(r, s + ok, n - ok);
}

static int sniff(const char *s, size_t n)
{
    size_t i, comma = 0, semi = 0, tab = 0;
    int quoted = 0;

    for (i = 0; i < n; i++) {
        if (s[i] == '"')
            quoted = !quoted;
        else if (quoted)
            continue;
        else if (s[i] == '\r' || s[i] == '\n')
            break;
        else if (s[i] == ',')
            comma++;
        else if (s[i] == ';')
            semi++;
        else if (s[i] == '\t')
            tab++;
    }
    if (tab > comma && tab > semi)
        return '\t';
    if (semi > comma)
        return ';';
    return ',';
}

/* Excel's "sep=;" first line names the delimiter; *off moves past it. */
static void sep_line(struct reader *r, const char *h, size_t n, size_t *off)
{
    const char *p = h + *off;
    size_t left = n - *off;

    if (left < 5 || strncasecmp(p, "sep=", 4) || p[4] == '"' || p[4] == '\r' || p[4] == '\n' ||
        (left > 5 && p[5] != '\r' && p[5] != '\n'))
        return;
    if (!r->delim)
        r->delim = (unsigned char)p[4];
    *off += 5;
    if (left > 5 && p[5] == '\r') {
        (*off)++;
        if (left == 6)
            r->last_cr = 1;
    }
    if (*off < n && h[*off] == '\n')
        (*off)++;
    r->line = 2;
}

/* The header chunk: refuse UTF-16, strip a BOM, pick the delimiter. *off:
 * where the text starts. */
static int start(struct reader *r, size_t *off)
{
    const unsigned char *h = (const unsigned char *)r->head.data;
    size_t n = r->head.len;

    r->started = 1;
    *off = 0;
    if (n >= 2 && ((h[0] == 0xff && h[1] == 0xfe) || (h[0] == 0xfe && h[1] == 0xff)))
        return fail(r, err_set(r->err, ERR_DATA,
                               "%s: UTF-16 text (Excel \"Unicode text\"); save the list as CSV "
                               "UTF-8",
                               r->file));
    if (n >= 3 && h[0] == 0xef && h[1] == 0xbb && h[2] == 0xbf)
        *off = 3;
    sep_line(r, r->head.data, n, off);
    if (!r->delim)
        r->delim = sniff(r->head.data + *off, n - *off);
    csv_set_delim(&r->p, (unsigned char)r->delim);
    return 0;
}

static int push(struct reader *r, const char *s, size_t n, int final)
{
    if (r->stop)
        return r->rc;
    if (!r->started) {
        if (buf_add(&r->head, s, n))
            return fail(r, err_nomem(r->err));
        if (!final && r->head.len < HEAD_MAX && !memchr(r->head.data, '\n', r->head.len) &&
            !memchr(r->head.data, '\r', r->head.len))
            return 0;
        size_t off;
        if (start(r, &off))
            return r->rc;
        decode(r, r->head.data + off, r->head.len - off, final);
        buf_release(&r->head);
        return r->stop ? r->rc : 0;
    }
    return decode(r, s, n, final);
}

static int finish(struct reader *r)
{
    if (r->stop)
        return r->rc;
    if (push(r, "", 0, 1))
        return r->rc;
    if (r->ncarry && decode(r, "", 0, 1))
        return r->rc;
    if (csv_fini(&r->p, on_field, on_record, r) != 0 && !r->stop)
        return fail(r, err_set(r->err, ERR_DATA, "%s:%zu: quoted field not closed at end of file",
                               r->file, r->rec_line));
    return r->stop ? r->rc : 0;
}

static int reader_init(struct reader *r, const char *file, const struct csvread_opts *opts,
                       csvread_fn fn, void *ud, struct buf *warnings, struct err *err)
{
    memset(r, 0, sizeof(*r));
    r->file = file;
    r->fn = fn;
    r->ud = ud;
    r->warnings = warnings;
    r->err = err;
    r->cd = (iconv_t)-1;
    r->line = 1;
    r->rec_line = 1;
    r->rec_pending = 1;
    buf_init(&r->head, 0);
    buf_init(&r->tmp, 0);
    buf_init(&r->conv, 0);
    buf_init(&r->data, RECORD_MAX);
    if (opts) {
        r->delim = opts->delim;
        r->enc = opts->encoding;
    }
    if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return err_nomem(err);
    r->p_ready = 1;
    csv_set_space_func(&r->p, no_space);
    if (r->enc == CSVREAD_WINDOWS_1252 || r->enc == CSVREAD_LATIN1)
        return open_iconv(r, r->enc);
    return 0;
}

static void reader_release(struct reader *r)
{
    if (r->p_ready)
        csv_free(&r->p);
    if (r->cd != (iconv_t)-1)
        iconv_close(r->cd);
    buf_release(&r->head);
    buf_release(&r->tmp);
    buf_release(&r->conv);
    buf_release(&r->data);
    free(r->offs);
    free(r->lens);
    free(r->ptrs);
}

int csvread_mem(const char *name, const char *data, size_t len, const struct csvread_opts *opts,
                csvread_fn fn, void *ud, struct buf *warnings, struct err *err)
{
    struct reader r;
    size_t off = 0, n;
    int rc;

    rc = reader_init(&r, name, opts, fn, ud, warnings, err);
    if (rc)
        goto out;
    while (off < len) {
        n = len - off < CHUNK ? len - off : CHUNK;
        rc = push(&r, data + off, n, 0);
        if (rc)
            goto out;
        off += n;
    }
    rc = finish(&r);
out:
    reader_release(&r);
    return rc;
}

int csvread_file(const char *path, const struct csvread_opts *opts, csvread_fn fn, void *ud,
                 struct buf *warnings, struct err *err)
{
    struct reader r;
    FILE *f = NULL;
    char *chunk = NULL;
    size_t n;
    int rc;

    rc = reader_init(&r, path, opts, fn, ud, warnings, err);
    if (rc)
        goto out;
    f = fopen(path, "rb");
    if (!f) {
        rc = err_errno(err, errno == ENOENT ? ERR_NOINPUT : ERR_IO, "%s", path);
        goto out;
    }
    chunk = malloc(CHUNK);
    if (!chunk) {
        rc = err_nomem(err);
        goto out;
    }
    while ((n = fread(chunk, 1, CHUNK, f)) > 0) {
        rc = push(&r, chunk, n, 0);
        if (rc)
            goto out;
    }
    if (ferror(f)) {
        rc = err_errno(err, ERR_IO, "%s", path);
        goto out;
    }
    rc = finish(&r);
out:
    if (f)
        fclose(f);
    free(chunk);
    reader_release(&r);
    return rc;
}

int csvread_parse_delim(const char *s)
{
    if (!strcmp(s, ",") || !strcasecmp(s, "comma"))
        return ',';
    if (!strcmp(s, ";") || !strcasecmp(s, "semicolon"))
        return ';';
    if (!strcmp(s, "\t") || !strcasecmp(s, "tab") || !strcmp(s, "\\t"))
        return '\t';
    return -1;
}

int csvread_parse_encoding(const char *s)
{
    if (!strcasecmp(s, "auto"))
        return CSVREAD_AUTO;
    if (!strcasecmp(s, "utf-8") || !strcasecmp(s, "utf8"))
        return CSVREAD_UTF8;
    if (!strcasecmp(s, "windows-1252") || !strcasecmp(s, "cp1252"))
        return CSVREAD_WINDOWS_1252;
    if (!strcasecmp(s, "latin1") || !strcasecmp(s, "latin-1") || !strcasecmp(s, "iso-8859-1"))
        return CSVREAD_LATIN1;
    return -1;
}
