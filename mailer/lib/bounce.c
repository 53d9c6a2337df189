/* bounce - classify one message that came back to the bounce/reply mailbox. */
#include "bounce.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <libetpan/libetpan.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce_int.h"
#include "buf.h"
#include "rfc2047.h"
#include "utf8.h"

#include "banned.h"

#define TEXT_CAP (2u * 1024 * 1024)
#define MAX_RCPTS 64
#define MAX_DEPTH 12

/* What the walk over the MIME tree collects (all UTF-8, LF line ends). */
struct scan {
    struct buf headers;  /* the notice's own header block, unfolded */
    struct buf text;     /* its text/plain parts (or stripped HTML), decoded */
    struct buf html;     /* text/html parts stripped of tags, used when no text */
    struct buf dsn;      /* message/(global-)delivery-status */
    struct buf feedback; /* message/feedback-report */
    struct buf orig;     /* the returned message's header block */
    int report_type;     /* 1 delivery-status, 2 feedback-report */
    int oom;
};

/* ---- small string helpers ------------------------------------------------ */

static void scan_add(struct scan *s, struct buf *b, const char *p, size_t n)
{
    if (buf_add(b, p, n) && errno == ENOMEM)
        s->oom = 1;
}

/* CRLF, bare LF and bare CR all become CRLF (what libetpan expects). */
static int to_crlf(const char *p, size_t n, struct buf *out)
{
    size_t i;

    if (buf_grow(out, n + n / 16 + 2))
        return -1;
    for (i = 0; i < n; i++) {
        if (p[i] == '\r') {
            if (i + 1 < n && p[i + 1] == '\n')
                i++;
            if (buf_add(out, "\r\n", 2))
                return -1;
        } else if (p[i] == '\n') {
            if (buf_add(out, "\r\n", 2))
                return -1;
        } else if (buf_addch(out, p[i])) {
            return -1;
        }
    }
    return 0;
}

/* Append p[0..n) with CRLF / CR turned into LF and NUL dropped. */
static void add_lf(struct scan *s, struct buf *b, const char *p, size_t n)
{
    size_t i, start = 0;

    for (i = 0; i < n; i++) {
        if (p[i] != '\r' && p[i] != '\0')
            continue;
        scan_add(s, b, p + start, i - start);
        if (p[i] == '\r' && !(i + 1 < n && p[i + 1] == '\n'))
            scan_add(s, b, "\n", 1);
        start = i + 1;
    }
    scan_add(s, b, p + start, n - start);
}

/* Windows-1252 0x80-0x9F (the rest of Latin-1 maps to itself). */
static const unsigned short cp1252[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

static void add_cp(struct buf *b, unsigned cp)
{
    char u[3];

    if (cp < 0x80) {
        buf_addch(b, (int)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        buf_add(b, u, 2);
    } else {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        buf_add(b, u, 3);
    }
}

/* Bytes that are not UTF-8: read them as Windows-1252. */
static void cp1252_to_utf8(const char *p, size_t n, struct buf *out)
{
    size_t i;
    unsigned char c;

    for (i = 0; i < n; i++) {
        c = (unsigned char)p[i];
        add_cp(out, c >= 0x80 && c < 0xA0 ? cp1252[c - 0x80] : c);
    }
}

static int charset_is(const char *cs, const char *name)
{
    return cs && !strcasecmp(cs, name);
}

/* Convert p[0..n) from charset to UTF-8 into out (appended). Unknown or
 * absent charsets: UTF-8 when valid, else Windows-1252. */
static void to_utf8(const char *charset, const char *p, size_t n, struct buf *out)
{
    iconv_t cd = (iconv_t)-1;
    char chunk[4096], *in = (char *)p, *o;
    size_t inleft = n, oleft;

    if (utf8_valid(p, n) && (!charset || charset_is(charset, "utf-8") ||
                             charset_is(charset, "us-ascii") || charset_is(charset, "utf8"))) {
        buf_add(out, p, n);
        return;
    }
    /* Japanese notices often send ISO-2022-JP (7-bit, ESC $ B) unlabelled. */
    if ((!charset || charset_is(charset, "us-ascii")) &&
        (memmem(p, n, "\x1b$B", 3) || memmem(p, n, "\x1b$@", 3)))
        charset = "ISO-2022-JP";
    if (charset && !charset_is(charset, "utf-8") && !charset_is(charset, "us-ascii"))
        cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1) {
        cp1252_to_utf8(p, n, out);
        return;
    }
    while (inleft) {
        o = chunk;
        oleft = sizeof(chunk);
        if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 && errno != E2BIG) {
            buf_add(out, chunk, (size_t)(o - chunk));
            buf_addstr(out, "\xEF\xBF\xBD"); /* U+FFFD for a bad or cut byte */
            in++;
            inleft--;
            continue;
        }
        buf_add(out, chunk, (size_t)(o - chunk));
    }
    iconv_close(cd);
}

/* Lower-case ASCII and drop the accents of Latin-1 letters: "Suscripción"
 * -> "suscripcion". Other bytes pass through. */
static void fold(const char *s, size_t n, struct buf *out)
{
    static const char map[] = /* U+00C0..U+00FF */
        "aaaaaaaceeeeiiiidnooooo*ouuuuyts"
        "aaaaaaaceeeeiiiidnooooo/ouuuuyty";
    size_t i;
    unsigned cp;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xC3 && i + 1 < n && ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
            cp = 0xC0 + ((unsigned char)s[i + 1] & 0x3F);
            buf_addch(out, map[cp - 0xC0]);
            i++;
        } else {
            buf_addch(out, tolower(c));
        }
    }
}

static void lower_ascii(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static char *fold_dup(const char *s)
{
    struct buf b;

    buf_init(&b, 0);
    fold(s, strlen(s), &b);
    return buf_detach(&b, NULL);
}

char *bounce_fold_dup(const char *s)
{
    return fold_dup(s);
}

/* Is needle in hay as whole words (no letter or digit on either side)? */
static const char *find_word(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    const char *p = hay;

    while ((p = strstr(p, needle))) {
        int before = p > hay && (isalnum((unsigned char)p[-1]) || (unsigned char)p[-1] >= 0x80);
        int after = isalnum((unsigned char)p[n]) || (unsigned char)p[n] >= 0x80;
        if (!before && !after)
            return p;
        p++;
    }
    return NULL;
}

static int any_in(const char *hay, const char *const *needles)
{
    for (; *needles; needles++)
        if (strstr(hay, *needles))
            return 1;
    return 0;
}

static int count_words(const char *s)
{
    int n = 0, in = 0;

    for (; *s; s++) {
        int w = !isspace((unsigned char)*s);
        n += w && !in;
        in = w;
    }
    return n;
}

static char *trimmed_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

/* ---- header blocks --------------------------------------------------------- */

/* Append the header block at p (up to the first empty line) with folds
 * undone, one "Name: value" per line, LF ends. */
static void headers_unfold(struct scan *s, struct buf *out, const char *p, size_t n)
{
    struct buf lf;
    size_t i;

    buf_init(&lf, TEXT_CAP);
    add_lf(s, &lf, p, n);
    for (i = 0; i < lf.len; i++) {
        if (lf.data[i] == '\n' && (i + 1 == lf.len || lf.data[i + 1] == '\n'))
            break;
        if (lf.data[i] == '\n' && (lf.data[i + 1] == ' ' || lf.data[i + 1] == '\t'))
            continue;
        scan_add(s, out, lf.data + i, 1);
    }
    scan_add(s, out, "\n", 1);
    buf_release(&lf);
}

/* The value of the first header `name` in an unfolded block, trimmed
 * (caller frees); NULL when absent. Lines may be indented or quoted with
 * "> " when `loose` (headers quoted in a notice's text). */
static char *header_get(const char *block, const char *name, int loose)
{
    size_t n = strlen(name);
    const char *line = block, *end, *v;

    for (; *line; line = end + (*end == '\n')) {
        end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        v = line;
        while (loose && v < end && (*v == ' ' || *v == '\t' || *v == '>'))
            v++;
        if ((size_t)(end - v) > n && !strncasecmp(v, name, n) && v[n] == ':')
            return trimmed_dup(v + n + 1, (size_t)(end - v - n - 1));
    }
    return NULL;
}

static int header_has(const char *block, const char *name)
{
    char *v = header_get(block, name, 0);
    int has = v != NULL;

    free(v);
    return has;
}

/* "<id@host>" -> "id@host" (caller frees); NULL when there is no id. */
static char *msgid_clean(const char *v)
{
    const char *lt, *gt;

    if (!v)
        return NULL;
    lt = strchr(v, '<');
    gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt && gt > lt + 1)
        return trimmed_dup(lt + 1, (size_t)(gt - lt - 1));
    if (*v && !strchr(v, ' ') && strchr(v, '@'))
        return strdup(v);
    return NULL;
}

static int addr_char(int c)
{
    return isalnum(c) || strchr("!#$%&'*+-/=?^_`{|}~.", c) || c >= 0x80;
}

/* The first thing that looks like local@domain.tld in s, lower-cased
 * (caller frees); NULL when none. */
static char *addr_find(const char *s, const char **after)
{
    const char *at = s, *a, *b;

    while ((at = strchr(at, '@'))) {
        a = at;
        while (a > s && addr_char((unsigned char)a[-1]))
            a--;
        b = at + 1;
        while (*b &&
               (isalnum((unsigned char)*b) || *b == '-' || *b == '.' || (unsigned char)*b >= 0x80))
            b++;
        while (b > at + 1 && b[-1] == '.')
            b--;
        if (a < at && memchr(at + 1, '.', (size_t)(b - at - 1))) {
            char *r;
            while (*a == '.')
                a++;
            r = xstrndup(a, (size_t)(b - a));
            if (r)
                lower_ascii(r);
            if (after)
                *after = b;
            return r;
        }
        at++;
    }
    return NULL;
}

/* The sender's address from a From value (libetpan's parser, or any
 * address-looking text when it fails). */
static char *from_address(const char *v)
{
    struct mailimf_mailbox_list *ml = NULL;
    size_t idx = 0;
    char *r = NULL;

    if (!v)
        return strdup("");
    if (mailimf_mailbox_list_parse(v, strlen(v), &idx, &ml) == MAILIMF_NO_ERROR && ml &&
        clist_begin(ml->mb_list)) {
        struct mailimf_mailbox *mb = clist_content(clist_begin(ml->mb_list));
        if (mb->mb_addr_spec && strchr(mb->mb_addr_spec, '@') &&
            !strpbrk(mb->mb_addr_spec, " \t\r\n") && (r = strdup(mb->mb_addr_spec)))
            lower_ascii(r);
    }
    if (ml)
        mailimf_mailbox_list_free(ml);
    if (!r)
        r = addr_find(v, NULL);
    return r ? r : strdup("");
}

/* ---- the MIME walk --------------------------------------------------------- */

static void content_name(const struct mailmime_content *ct, char *out, size_t size)
{
    const char *type = "text";

    if (ct && ct->ct_type && ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE) {
        const struct mailmime_discrete_type *d = ct->ct_type->tp_data.tp_discrete_type;
        static const char *const names[] = {"", "text", "image", "audio", "video", "application"};
        type = d->dt_type == MAILMIME_DISCRETE_TYPE_EXTENSION ? d->dt_extension
               : d->dt_type > 0 && d->dt_type < 6             ? names[d->dt_type]
                                                              : "x";
    } else if (ct && ct->ct_type) {
        const struct mailmime_composite_type *c = ct->ct_type->tp_data.tp_composite_type;
        type = c->ct_type == MAILMIME_COMPOSITE_TYPE_MESSAGE     ? "message"
               : c->ct_type == MAILMIME_COMPOSITE_TYPE_MULTIPART ? "multipart"
                                                                 : c->ct_token;
    }
    snprintf(out, size, "%s/%s", type ? type : "x",
             ct && ct->ct_subtype ? ct->ct_subtype : "plain");
    for (; *out; out++)
        *out = (char)tolower((unsigned char)*out);
}

/* Decode a single part's transfer encoding and append it (LF ends, UTF-8). */
static void add_decoded(struct scan *s, struct buf *to, const struct mailmime *m, int convert)
{
    const struct mailmime_data *d = m->mm_data.mm_single;
    char *res = NULL, *charset;
    size_t idx = 0, len = 0;
    struct buf u;

    if (!d || d->dt_type != MAILMIME_DATA_TEXT)
        return;
    if (mailmime_part_parse(d->dt_data.dt_text.dt_data, d->dt_data.dt_text.dt_length, &idx,
                            d->dt_encoding, &res, &len) != MAILIMF_NO_ERROR)
        return;
    buf_init(&u, TEXT_CAP);
    charset = m->mm_content_type ? mailmime_content_charset_get(m->mm_content_type) : NULL;
    if (convert)
        to_utf8(charset, res, len, &u);
    else
        buf_add(&u, res, len);
    add_lf(s, to, u.data, u.len);
    scan_add(s, to, "\n", 1);
    buf_release(&u);
    mailmime_decoded_part_free(res);
}

/* Text of an HTML part: tags dropped, block ends as line breaks, a few
 * entities decoded. Good enough to read a notice's sentences. */
static void html_to_text(struct scan *s, const char *p, size_t n)
{
    static const struct {
        const char *ent, *val;
    } ents[] = {{"&amp;", "&"},   {"&lt;", "<"},  {"&gt;", ">"},    {"&nbsp;", " "},
                {"&quot;", "\""}, {"&#39;", "'"}, {"&#8217;", "'"}, {"&apos;", "'"}};
    size_t i, k;

    for (i = 0; i < n; i++) {
        if (p[i] == '<') {
            const char *t = p + i + 1;
            if (!strncasecmp(t, "br", 2) || !strncasecmp(t, "/p", 2) ||
                !strncasecmp(t, "/div", 4) || !strncasecmp(t, "/tr", 3) ||
                !strncasecmp(t, "/li", 3) || !strncasecmp(t, "/h", 2))
                scan_add(s, &s->html, "\n", 1);
            while (i < n && p[i] != '>')
                i++;
            continue;
        }
        for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++)
            if (!strncmp(p + i, ents[k].ent, strlen(ents[k].ent)))
                break;
        if (k < sizeof(ents) / sizeof(ents[0])) {
            scan_add(s, &s->html, ents[k].val, strlen(ents[k].val));
            i += strlen(ents[k].ent) - 1;
        } else if (p[i] != '\n' || (s->html.len && s->html.data[s->html.len - 1] != '\n')) {
            scan_add(s, &s->html, p[i] == '\n' ? " " : p + i, 1);
        }
    }
    scan_add(s, &s->html, "\n", 1);
}

static void walk(struct scan *s, const struct mailmime *m, int depth, int in_original);

static void walk_single(struct scan *s, const struct mailmime *m, int in_original)
{
    char type[128];

    content_name(m->mm_content_type, type, sizeof(type));
    if (!strcmp(type, "message/delivery-status") ||
        !strcmp(type, "message/global-delivery-status")) {
        add_decoded(s, &s->dsn, m, 1);
        scan_add(s, &s->dsn, "\n", 1);
    } else if (!strcmp(type, "message/feedback-report")) {
        add_decoded(s, &s->feedback, m, 1);
    } else if (!strcmp(type, "text/rfc822-headers") || !strcmp(type, "message/global-headers") ||
               !strcmp(type, "message/global")) {
        if (!s->orig.len) {
            struct buf raw;
            buf_init(&raw, TEXT_CAP);
            add_decoded(s, &raw, m, 0);
            headers_unfold(s, &s->orig, raw.data, raw.len);
            buf_release(&raw);
        }
    } else if (!in_original && !strcmp(type, "text/plain")) {
        add_decoded(s, &s->text, m, 1);
    } else if (!in_original && !strcmp(type, "text/html")) {
        struct buf h;
        buf_init(&h, TEXT_CAP);
        add_decoded(s, &h, m, 1);
        html_to_text(s, h.data, h.len);
        buf_release(&h);
    }
}

static void walk(struct scan *s, const struct mailmime *m, int depth, int in_original)
{
    clistiter *it;

    if (!m || depth > MAX_DEPTH)
        return;
    if (m->mm_type == MAILMIME_SINGLE) {
        walk_single(s, m, in_original);
    } else if (m->mm_type == MAILMIME_MULTIPLE) {
        char type[128], *rt;
        content_name(m->mm_content_type, type, sizeof(type));
        rt = !strcmp(type, "multipart/report")
                 ? mailmime_content_param_get(m->mm_content_type, "report-type")
                 : NULL;
        if (rt && !in_original && !s->report_type)
            s->report_type = !strcasecmp(rt, "delivery-status")          ? 1
                             : !strcasecmp(rt, "global-delivery-status") ? 1
                             : !strcasecmp(rt, "feedback-report")        ? 2
                                                                         : 0;
        for (it = clist_begin(m->mm_data.mm_multipart.mm_mp_list); it; it = clist_next(it))
            walk(s, clist_content(it), depth + 1, in_original);
    } else if (m->mm_type == MAILMIME_MESSAGE) {
        if (depth > 0 && !in_original && !s->orig.len && m->mm_body)
            headers_unfold(s, &s->orig, m->mm_body->dt_data.dt_text.dt_data,
                           m->mm_body->dt_data.dt_text.dt_length);
        walk(s, m->mm_data.mm_message.mm_msg_mime, depth + 1, in_original || depth > 0);
    }
}

/* ---- classification of a status --------------------------------------------- */

/* The first enhanced status code (class.subject.detail, class 2/4/5) in s,
 * into out; 0 when found. "#5.1.1" (qmail) and "5.1.1" both count. */
static int status_find(const char *s, char *out, size_t size)
{
    const char *p;

    for (p = s; p && *p; p++) {
        int a, b, c, n = 0;
        if ((*p != '2' && *p != '4' && *p != '5') ||
            (p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '.')))
            continue;
        if (sscanf(p, "%1d.%3d.%3d%n", &a, &b, &c, &n) == 3 && n >= 5 && p[n] != '.' &&
            !isdigit((unsigned char)p[n])) {
            snprintf(out, size, "%d.%d.%d", a, b, c);
            return 0;
        }
    }
    return -1;
}

/* A basic SMTP reply code (4xx/5xx followed by space or '-') in s. */
static int smtp_code_find(const char *s)
{
    const char *p;

    for (p = s; *p; p++) {
        if ((*p == '4' || *p == '5') && isdigit((unsigned char)p[1]) &&
            isdigit((unsigned char)p[2]) && (p[3] == ' ' || p[3] == '-') &&
            (p == s || !isalnum((unsigned char)p[-1])))
            return (*p - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
    }
    return 0;
}

/* Words that say the address itself is bad (folded text). */
static const char *const hard_words[] = {"user unknown",
                                         "unknown user",
                                         "no such user",
                                         "no such recipient",
                                         "unknown recipient",
                                         "does not exist",
                                         "doesn't exist",
                                         "doesnt exist",
                                         "not exist",
                                         "recipient not found",
                                         "recipientnotfound",
                                         "address not found",
                                         "couldn't be found",
                                         "could not be found",
                                         "no mailbox",
                                         "mailbox not found",
                                         "mailbox unavailable",
                                         "invalid recipient",
                                         "invalid mailbox",
                                         "invalid address",
                                         "bad destination mailbox",
                                         "unrouteable address",
                                         "no such domain",
                                         "domain not found",
                                         "host not found",
                                         "host or domain name not found",
                                         "name service error",
                                         "nxdomain",
                                         "null mx",
                                         "does not accept mail",
                                         "doesn't accept mail",
                                         "account is disabled",
                                         "account has been disabled",
                                         "mailbox is disabled",
                                         "account disabled",
                                         "mailbox disabled",
                                         "inactive",
                                         "no longer",
                                         "has moved",
                                         "user not found",
                                         "not our customer",
                                         "doesn't have a",
                                         "does not have a",
                                         "usuario desconocido",
                                         "no existe",
                                         "buzon no disponible",
                                         NULL};

enum bounce_class bounce_class_of(const char *status, const char *diagnostic)
{
    char *f = fold_dup(diagnostic ? diagnostic : "");
    char st[16] = "";
    enum bounce_class c;

    if (status && *status)
        snprintf(st, sizeof(st), "%s", status);
    else if (f && status_find(f, st, sizeof(st)))
        snprintf(st, sizeof(st), "%s", smtp_code_find(f) >= 500 ? "5.0.0" : "");
    c = bounce_class_from(bounce_reason_of(st, diagnostic), st);
    free(f);
    return c == BOUNCE_CLASS_NONE ? BOUNCE_SOFT : c;
}

/* ---- results ----------------------------------------------------------------- */

static int rcpt_add(struct bounce_result *r, const char *addr, const char *status,
                    const char *action, const char *diag)
{
    struct bounce_rcpt *n, *x;
    size_t i;

    for (i = 0; i < r->nrcpt; i++)
        if (!strcmp(r->rcpt[i].address, addr))
            return 0;
    if (r->nrcpt >= MAX_RCPTS)
        return 0;
    n = realloc(r->rcpt, (r->nrcpt + 1) * sizeof(*n));
    if (!n)
        return -1;
    r->rcpt = n;
    x = &n[r->nrcpt];
    memset(x, 0, sizeof(*x));
    x->address = strdup(addr);
    x->status = strdup(status ? status : "");
    x->action = strdup(action ? action : "");
    x->diagnostic = strdup(diag ? diag : "");
    r->nrcpt++;
    if (!x->address || !x->status || !x->action || !x->diagnostic)
        return -1;
    return 0;
}

static void set_why(struct bounce_result *r, const char *why)
{
    free(r->why);
    r->why = strdup(why);
}

/* ---- RFC 3464 ------------------------------------------------------------------ */

/* "rfc822; <a@b>" / "utf-8; a@b" -> "a@b" lower-cased; NULL when no address. */
static char *dsn_address(const char *v)
{
    const char *semi;

    if (!v)
        return NULL;
    semi = strchr(v, ';');
    return addr_find(semi ? semi + 1 : v, NULL);
}

/* Status field: "5.1.1 (bad mailbox)" -> "5.1.1". */
static void dsn_status(const char *v, char *out, size_t size)
{
    out[0] = '\0';
    if (v && status_find(v, out, size))
        out[0] = '\0';
}

static int dsn_group(struct bounce_result *r, const char *group)
{
    char *fin = header_get(group, "Final-Recipient", 0);
    char *orig = header_get(group, "Original-Recipient", 0);
    char *act = header_get(group, "Action", 0);
    char *status = header_get(group, "Status", 0);
    char *diag = header_get(group, "Diagnostic-Code", 0);
    char *addr = dsn_address(orig);
    char st[16], *action = NULL, *d = diag;
    int rc = 0;

    if (!addr)
        addr = dsn_address(fin);
    if (!addr)
        goto out;
    dsn_status(status, st, sizeof(st));
    if (!*st && diag)
        dsn_status(diag, st, sizeof(st));
    action = fold_dup(act ? act : (st[0] == '4' ? "delayed" : "failed"));
    if (!action)
        goto out;
    if (d && strchr(d, ';') && strchr(d, ';') - d < 12) /* "smtp; 550 ..." */
        d = strchr(d, ';') + 1;
    while (d && isspace((unsigned char)*d))
        d++;
    rc = rcpt_add(r, addr, st, action, d);
    if (!rc && r->nrcpt && !strcmp(r->rcpt[r->nrcpt - 1].address, addr)) {
        struct bounce_rcpt *x = &r->rcpt[r->nrcpt - 1];
        if (!strcmp(action, "delivered") || !strcmp(action, "relayed") ||
            !strcmp(action, "expanded") || st[0] == '2') {
            x->reason = BOUNCE_R_DELIVERED;
            x->class = BOUNCE_CLASS_NONE;
        } else {
            x->reason = bounce_reason_of(st, d);
            x->class = !strcmp(action, "delayed") ? BOUNCE_SOFT : bounce_class_from(x->reason, st);
        }
    }
out:
    free(fin);
    free(orig);
    free(act);
    free(status);
    free(diag);
    free(addr);
    free(action);
    return rc;
}

/* Per-recipient field groups are separated by empty lines; the first group
 * is per-message. Returns -1 on out of memory. */
static int dsn_read(struct scan *s, struct bounce_result *r)
{
    struct buf g;
    const char *p = s->dsn.data, *blank;
    int rc = 0, first = 1;

    buf_init(&g, 0);
    while (*p && !rc) {
        while (*p == '\n')
            p++;
        if (!*p)
            break;
        blank = strstr(p, "\n\n");
        if (!blank)
            blank = p + strlen(p);
        buf_reset(&g);
        headers_unfold(s, &g, p, (size_t)(blank - p) + 1);
        if (!first || !header_has(g.data, "Reporting-MTA") || header_has(g.data, "Action"))
            rc = dsn_group(r, g.data);
        first = 0;
        p = blank;
    }
    buf_release(&g);
    return rc;
}

/* ---- notices that are not RFC 3464 ------------------------------------------- */

/* Folded phrases that only a delivery-failure notice says. */
static const char *const notice_phrases[] = {"this is the qmail-send program",
                                             "delivery has failed to these recipients",
                                             "couldn't be delivered",
                                             "could not be delivered",
                                             "wasn't delivered to",
                                             "was not delivered to",
                                             "address not found",
                                             "the email account that you tried to reach",
                                             "unable to deliver your message",
                                             "created automatically by mail delivery software",
                                             "the following address(es) failed",
                                             "addresses had permanent fatal errors",
                                             "i'm sorry to have to inform you",
                                             "delivery to the following recipient",
                                             "permanent error",
                                             "undeliverable",
                                             "delivery failed",
                                             "remote host said",
                                             "remote server returned",
                                             "smtp error from remote",
                                             "no se pudo entregar",
                                             "no se ha podido entregar",
                                             "no pudo ser entregado",
                                             "has not yet been delivered",
                                             "could not deliver",
                                             "failed permanently",
                                             "requested action not taken",
                                             "error message below",
                                             "are not member",
                                             "not a member",
                                             "permission to post",
                                             "sent <<< rcpt to",
                                             NULL};

static const char *const notice_subjects[] = {
    "undeliver",
    "delivery status notification",
    "returned mail",
    "failure notice",
    "mail delivery failed",
    "delivery failure",
    "delivery has failed",
    "message not delivered",
    "nondeliverable",
    "non remis",
    "no se puede entregar",
    "no entregado",
    "no se pudo entregar",
    "delivery notification",
    "mail delivery subsystem",
    "delayed mail",
    "warning: message",
    "failed delivery",
    "mail failed",
    "returning to sender",
    "returned to sender",
    "delivery problem",
    "undelivered",
    "could not send",
    "not member",
    "errors from",
    "\xe3\x82\xa8\xe3\x83\xa9\xe3\x83\xbc\xe9\x80\x9a\xe7\x9f\xa5", /* エラー通知 */
    "\xe9\x85\x8d\xe4\xbf\xa1\xe3\x81\xa7\xe3\x81\x8d\xe3\x81\xbe\xe3\x81\x9b\xe3\x82"
    "\x93",                     /* 配信できません */
    "\xe4\xb8\x8d\xe9\x81\x94", /* 不達 */
    NULL};

static const char *const daemon_senders[] = {
    "mailer-daemon", "postmaster",  "mail-daemon",   "mailerdaemon",
    "mail delivery", "post_master", "mailer_daemon", NULL};

/* Lines after which the failed addresses are listed. */
static const char *const anchors[] = {
    "to the following address",                /* qmail, Yahoo */
    "delivery has failed to these recipients", /* Exchange */
    "the following address(es) failed",        /* Exim */
    "address(es) failed:",                     /* Exim, the line folded */
    "following list of recipients",            /* OpenSMTPD */
    "following recipient(s)",
    "the following recipients",
    "could not be delivered to:",
    "delivery to the following recipients failed",
    "failed recipient",
    "addresses had permanent fatal errors", /* Sendmail */
    "delivery to the following recipient",  /* older Gmail */
    "the mail system",                      /* Postfix */
    "could not be delivered to the following",
    "no se pudo entregar a los siguientes",
    "no se pudo entregar a estos destinatarios", /* Exchange in Spanish */
    "no se ha podido entregar a los siguientes",
    NULL};

/* Phrases that put the address right after them on the same line. */
static const char *const leads[] = {"delivered to ", "your message to ",    "message to ",
                                    "mensaje a ",    "rcpt to: ",           "rcpt to:",
                                    "recipient: ",   "recipient address: ", NULL};

/* Where the copy of the returned message begins in a notice's text. */
static const char *const copy_marks[] = {"--- below this line is a copy of the message",
                                         "this is a copy of the message",
                                         "----- original message",
                                         "original message headers",
                                         "--- original message",
                                         "------ this is a copy",
                                         "----- unsent message follows",
                                         "original message follows",
                                         "message headers follow",
                                         "below is a copy of the original message",
                                         "header of the original message",
                                         "original message header",
                                         "----- the original message",
                                         NULL};

static const char *const delay_phrases[] = {"has not yet been delivered",
                                            "will keep trying",
                                            "will be retried",
                                            "still being retried",
                                            "still trying",
                                            "warning: message",
                                            NULL};

/* Is the line (trimmed, at most a trailing ':' or text after "<addr>:")
 * led by an address? Returns it (caller frees) and where the rest starts. */
static char *line_addr(const char *line, const char *end, const char **rest)
{
    const char *p = line, *after = NULL;
    char *a;

    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (end - p > 4 && !strncmp(p, ">>> ", 4)) /* Sendmail's "   >>> addr <addr>" */
        p += 4;
    if (p < end && *p == '<')
        p++;
    if (p >= end || !addr_char((unsigned char)*p))
        return NULL;
    a = addr_find(p, &after);
    if (!a || after > end || strncmp(a, p, strlen(a)) != 0) {
        /* the address must start the line (lower_ascii'd text) */
        free(a);
        return NULL;
    }
    if (*after == '>')
        after++;
    if (*after == ':')
        after++;
    *rest = after;
    return a;
}

struct notice {
    char *low;        /* the notice text, ASCII lower-cased (offsets = text) */
    const char *text; /* the decoded text */
    size_t cut;       /* where the returned copy begins */
};

static void diag_append(struct buf *d, const char *p, const char *end)
{
    while (p < end && isspace((unsigned char)*p))
        p++;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    if (p == end)
        return;
    if (d->len)
        buf_addch(d, ' ');
    buf_add(d, p, (size_t)(end - p));
}

static int add_notice_rcpt(struct bounce_result *r, const struct notice *n, const char *addr,
                           const char *diag);

/* The lines after an anchor: "addr" or "<addr>:" lines start a recipient,
 * the others are its diagnostic, an empty line after one ends the list. */
static int read_block(struct bounce_result *r, const struct notice *n, const char *p)
{
    const char *end, *rest, *lp;
    char *cur = NULL, *a;
    struct buf diag;
    int rc = 0, seen = 0;

    buf_init(&diag, 4096);
    while (*p == '\n' || *p == ' ')
        p++;
    for (; *p && (size_t)(p - n->low) < n->cut && !rc; p = end + (*end == '\n')) {
        end = strchr(p, '\n');
        if (!end)
            end = p + strlen(p);
        lp = p;
        while (lp < end && isspace((unsigned char)*lp))
            lp++;
        if (lp == end) {
            if (seen)
                break;
            continue;
        }
        if ((a = line_addr(p, end, &rest))) {
            if (cur)
                rc = add_notice_rcpt(r, n, cur, diag.data);
            free(cur);
            cur = a;
            buf_reset(&diag);
            diag_append(&diag, n->text + (rest - n->low), n->text + (end - n->low));
            seen = 1;
        } else if (cur) {
            diag_append(&diag, n->text + (p - n->low), n->text + (end - n->low));
        } else if (seen) {
            break;
        }
    }
    if (cur && !rc)
        rc = add_notice_rcpt(r, n, cur, diag.data);
    free(cur);
    buf_release(&diag);
    return rc;
}

/* The diagnostic of a notice that gave no per-recipient text: the line
 * holding the first reply code, or what follows "the response ... was:". */
static void notice_diag(const struct notice *n, struct buf *out)
{
    static const char *const marks[] = {"the response from the remote server was:",
                                        "remote server returned",
                                        "remote host said:",
                                        "smtp error from remote mail server",
                                        "(reason:",
                                        NULL};
    const char *const *m;
    const char *p = NULL, *end;
    size_t i;

    for (m = marks; *m && !p; m++)
        if ((p = strstr(n->low, *m)) && (size_t)(p - n->low) < n->cut)
            p += strlen(*m);
        else
            p = NULL;
    if (!p) {
        char st[16];
        for (i = 0; i < n->cut && !p; i = (size_t)(end - n->low) + 1) {
            end = strchr(n->low + i, '\n');
            if (!end)
                break;
            struct buf line;
            buf_init(&line, 0);
            buf_add(&line, n->low + i, (size_t)(end - n->low) - i);
            if (!status_find(line.data, st, sizeof(st)) || smtp_code_find(line.data) >= 400)
                p = n->low + i;
            buf_release(&line);
        }
    }
    if (!p)
        return;
    while (*p == '\n' || *p == ' ' || *p == '\'' || *p == ':')
        p++;
    end = strchr(p, '\n');
    if (!end)
        end = p + strlen(p);
    diag_append(out, n->text + (p - n->low), n->text + (end - n->low));
    if (out->len && out->data[out->len - 1] == '\'')
        buf_setlen(out, out->len - 1);
}

static int add_notice_rcpt(struct bounce_result *r, const struct notice *n, const char *addr,
                           const char *diag)
{
    struct buf d, low;
    char st[16] = "", *f;
    const char *action = "failed";
    int code, rc;

    buf_init(&d, 4096);
    buf_addstr(&d, diag ? diag : "");
    if (!d.len || (status_find(d.data, st, sizeof(st)) && !smtp_code_find(d.data))) {
        struct buf more;
        buf_init(&more, 4096);
        notice_diag(n, &more);
        if (more.len && !strstr(d.data, more.data))
            diag_append(&d, more.data, more.data + more.len);
        buf_release(&more);
    }
    buf_init(&low, 0);
    buf_add(&low, n->low, n->cut);
    f = fold_dup(d.data);
    if (!*st && status_find(d.data, st, sizeof(st)) && status_find(low.data, st, sizeof(st))) {
        code = smtp_code_find(d.data);
        if (!code)
            code = smtp_code_find(low.data);
        if (strstr(low.data, "retry timeout exceeded") ||
            strstr(low.data, "retry time not reached"))
            snprintf(st, sizeof(st), "4.4.7");
        else if (code >= 500 || strstr(low.data, "permanent") || (f && any_in(f, hard_words)))
            snprintf(st, sizeof(st), "5.0.0");
        else if (code >= 400 || any_in(low.data, delay_phrases))
            snprintf(st, sizeof(st), "4.0.0");
        else /* a failure notice that gives no code: it failed for good */
            snprintf(st, sizeof(st), "5.0.0");
    }
    if (st[0] != '5' && any_in(low.data, delay_phrases))
        action = "delayed";
    rc = rcpt_add(r, addr, st, action, d.data);
    if (!rc && r->nrcpt && !strcmp(r->rcpt[r->nrcpt - 1].address, addr)) {
        struct bounce_rcpt *x = &r->rcpt[r->nrcpt - 1];
        x->reason = bounce_reason_of(st, d.data);
        if (x->reason == BOUNCE_R_UNDEFINED || x->reason == BOUNCE_R_SYSTEM) {
            /* The words may be elsewhere in the notice than beside the address. */
            char *fl = fold_dup(low.data);
            enum bounce_reason t = bounce_reason_text(fl);
            if (t != BOUNCE_R_UNDEFINED)
                x->reason = t;
            free(fl);
        }
        x->class = !strcmp(action, "delayed") ? BOUNCE_SOFT : bounce_class_from(x->reason, st);
    }
    free(f);
    buf_release(&low);
    buf_release(&d);
    return rc;
}

static int is_own_text_addr(const char *a, const char *from)
{
    return !strncmp(a, "mailer-daemon@", 14) || !strncmp(a, "postmaster@", 11) ||
           !strncmp(a, "mail-daemon@", 12) || !strncmp(a, "mailer_daemon@", 14) ||
           !strncmp(a, "root@", 5) || (from && !strcmp(a, from));
}

/* The address the returned message came from (ours): its From header in
 * the returned part, else in headers quoted after the cut; NULL if none. */
static char *original_sender(const struct scan *s, const struct notice *n)
{
    char *v = s->orig.len ? header_get(s->orig.data, "From", 0) : NULL, *a;

    if (!v && n->text[n->cut])
        v = header_get(n->text + n->cut, "From", 1);
    a = v ? addr_find(v, NULL) : NULL;
    free(v);
    return a;
}

/* Any address in the notice's own words that is neither the notice's
 * sender, a daemon, nor the original sender: the failed recipients. */
static int notice_any_addr(struct bounce_result *r, const struct notice *n, const char *self)
{
    const char *p = n->low, *end = n->low + n->cut, *after;
    char *addr;
    int rc = 0;

    while (!rc && p < end && (addr = addr_find(p, &after))) {
        if (after > end) {
            free(addr);
            break;
        }
        /* "envelope-from <x>", "generated from x", "Message-ID: <x>" are not recipients. */
        size_t off = (size_t)(after - n->low) - strlen(addr);
        const char *ctx = n->low + (off > 24 ? off - 24 : 0);
        char before[32];
        snprintf(before, sizeof(before), "%.*s", (int)(n->low + off - ctx), ctx);
        if (!is_own_text_addr(addr, r->from) && !(self && !strcmp(addr, self)) &&
            !strstr(before, "from") && !strstr(before, "message-id") && !strstr(before, "sender") &&
            !strstr(before, " id ") && !strstr(before, "return-path") && !strstr(addr, "=") &&
            !strstr(before, "reply-to")) {
            const char *le = strchr(after, '\n');
            rc = add_notice_rcpt(r, n, addr, "");
            (void)le;
        }
        free(addr);
        p = after;
    }
    return rc;
}

/* The To of the returned message, when the notice names nobody else. */
static int notice_orig_to(const struct scan *s, struct bounce_result *r, const struct notice *n,
                          const char *self)
{
    char *v = s->orig.len ? header_get(s->orig.data, "To", 0) : NULL, *addr;
    const char *rest;
    int rc = 0;

    if (!v && n->text[n->cut])
        v = header_get(n->text + n->cut, "To", 1);
    for (rest = v; !rc && rest && (addr = addr_find(rest, &rest));) {
        if (!(self && !strcmp(addr, self)))
            rc = add_notice_rcpt(r, n, addr, "");
        free(addr);
    }
    free(v);
    return rc;
}

/* Find the failed recipients of a plain-text notice. */
static int notice_read(struct scan *s, struct bounce_result *r, const char *text,
                       const char *failed_hdr)
{
    struct notice n = {0};
    const char *const *a;
    const char *p, *q;
    char *self = NULL;
    int rc = 0;

    n.text = text;
    n.low = strdup(text);
    if (!n.low)
        return -1;
    lower_ascii(n.low);
    n.cut = strlen(n.low);
    for (a = copy_marks; *a; a++)
        if ((p = strstr(n.low, *a)) && (size_t)(p - n.low) < n.cut)
            n.cut = (size_t)(p - n.low);
    self = original_sender(s, &n);
    for (a = anchors; *a && !rc && !r->nrcpt; a++) {
        p = strstr(n.low, *a);
        if (p && (size_t)(p - n.low) < n.cut && (q = strchr(p, '\n')))
            rc = read_block(r, &n, q + 1);
    }
    for (a = leads; *a && !rc && !r->nrcpt; a++) {
        for (p = n.low; (p = strstr(p, *a)) && (size_t)(p - n.low) < n.cut; p++) {
            const char *start = p + strlen(*a), *end = strchr(start, '\n');
            char *addr = addr_find(start, &q);
            if (addr && (!end || q <= end) && q - start < 80 + (long)strlen(addr) &&
                !is_own_text_addr(addr, r->from) && !(self && !strcmp(addr, self))) {
                rc = add_notice_rcpt(r, &n, addr, "");
                free(addr);
                break;
            }
            free(addr);
        }
    }
    if (!rc && !r->nrcpt && failed_hdr) {
        const char *rest = failed_hdr;
        char *addr;
        while (!rc && (addr = addr_find(rest, &rest))) {
            rc = add_notice_rcpt(r, &n, addr, "");
            free(addr);
        }
    }
    /* Then: a line that is only "<addr>" or "<addr>:". */
    for (p = n.low; !rc && !r->nrcpt && p && *p && (size_t)(p - n.low) < n.cut;) {
        const char *end = strchr(p, '\n'), *rest;
        char *addr;
        if (!end)
            end = p + strlen(p);
        if (*p == '<' && (addr = line_addr(p, end, &rest))) {
            if (!is_own_text_addr(addr, r->from) && !(self && !strcmp(addr, self)))
                rc = read_block(r, &n, p);
            free(addr);
        }
        p = *end ? end + 1 : end;
    }
    /* Last resorts: any other address in its words, then the returned To. */
    if (!rc && !r->nrcpt)
        rc = notice_any_addr(r, &n, self);
    if (!rc && !r->nrcpt)
        rc = notice_orig_to(s, r, &n, self);
    free(self);
    free(n.low);
    return rc;
}

static int is_notice(const struct scan *s, const char *from_hdr, const char *subject,
                     const char *text)
{
    char *ff = fold_dup(from_hdr ? from_hdr : ""), *fs = fold_dup(subject ? subject : "");
    char *ft = fold_dup(text), *rp = header_get(s->headers.data, "Return-Path", 0);
    int daemon, subj, body, r;

    /* A daemon's own address says it all; a null Return-Path (auto-replies
     * have one too) needs the subject or the words as well. */
    daemon = ff && any_in(ff, daemon_senders);
    subj = fs && any_in(fs, notice_subjects);
    body = ft && any_in(ft, notice_phrases);
    r = daemon || (rp && !strcmp(rp, "<>") && (subj || body)) || (subj && body);
    free(ff);
    free(fs);
    free(ft);
    free(rp);
    return r;
}

/* ---- autoreplies and unsubscribe requests --------------------------------------- */

static const char *const auto_subjects[] = {"out of office",
                                            "out of the office",
                                            "automatic reply",
                                            "auto reply",
                                            "autoreply",
                                            "auto-reply",
                                            "autoresponse",
                                            "auto response",
                                            "respuesta automatica",
                                            "fuera de la oficina",
                                            "fuera de oficina",
                                            "ausencia",
                                            "ausente",
                                            "reponse automatique",
                                            "abwesenheit",
                                            "vacation",
                                            "de vacaciones",
                                            "on leave",
                                            NULL};

static int is_autoreply(const struct scan *s, const char *fsubject, struct bounce_result *r)
{
    char *as = header_get(s->headers.data, "Auto-Submitted", 0);
    char *prec = header_get(s->headers.data, "Precedence", 0);
    int hit = 0;

    if (as && strncasecmp(as, "no", 2)) {
        set_why(r, "Auto-Submitted header");
        hit = 1;
    } else if (header_has(s->headers.data, "X-Autoreply") ||
               header_has(s->headers.data, "X-Autorespond") ||
               header_has(s->headers.data, "X-Autogenerated")) {
        set_why(r, "X-Autoreply header");
        hit = 1;
    } else if (prec && !strcasecmp(prec, "auto_reply")) {
        set_why(r, "Precedence: auto_reply");
        hit = 1;
    } else if (any_in(fsubject, auto_subjects) || !strncmp(fsubject, "auto:", 5)) {
        set_why(r, "auto-reply subject");
        hit = 1;
    }
    free(as);
    free(prec);
    return hit;
}

/* Phrases that ask to leave, whatever else the line says. */
static const char *const unsub_strong[] = {"unsubscribe",
                                           "darme de baja",
                                           "dar de baja",
                                           "denme de baja",
                                           "den de baja",
                                           "dame de baja",
                                           "me doy de baja",
                                           "cancelar suscripcion",
                                           "cancelar mi suscripcion",
                                           "cancelar la suscripcion",
                                           "anular suscripcion",
                                           "desuscribir",
                                           "desuscribirme",
                                           "desinscribir",
                                           "desinscribirme",
                                           "no mas correos",
                                           "no quiero recibir",
                                           "remove me",
                                           "opt out",
                                           "opt-out",
                                           NULL};

/* Single words that ask to leave only when they are (nearly) all there is. */
static const char *const unsub_weak[] = {"baja",     "cancelar", "remove", "remover", "stop",
                                         "eliminar", "borrar",   "alto",   NULL};

static int unsub_line(const char *f)
{
    const char *const *w;

    for (w = unsub_strong; *w; w++)
        if (find_word(f, *w))
            return 1;
    if (count_words(f) > 6)
        return 0;
    for (w = unsub_weak; *w; w++)
        if (find_word(f, *w))
            return 1;
    return 0;
}

/* Subject without "Re:", "RE:", "Fwd:", "RV:", "[list]" prefixes (folded). */
static const char *subject_core(const char *f)
{
    static const char *const pre[] = {"re:", "fwd:", "fw:", "rv:", "reenv:", "aw:", "r:", NULL};
    const char *const *p;
    int again = 1;

    while (again) {
        again = 0;
        while (*f == ' ')
            f++;
        for (p = pre; *p; p++)
            if (!strncmp(f, *p, strlen(*p))) {
                f += strlen(*p);
                again = 1;
            }
    }
    return f;
}

/* The first line of the sender's own words: not quoted, not an attribution. */
static char *first_line(const char *text)
{
    const char *p = text, *end;

    for (; *p; p = *end ? end + 1 : end) {
        end = strchr(p, '\n');
        if (!end)
            end = p + strlen(p);
        char *line = trimmed_dup(p, (size_t)(end - p));
        if (!line)
            return NULL;
        if (*line && *line != '>') {
            char *f = fold_dup(line);
            size_t n = f ? strlen(f) : 0;
            free(line);
            if (!f || !((n > 6 && !strcmp(f + n - 6, "wrote:")) ||
                        (n > 9 && !strcmp(f + n - 9, "escribio:"))))
                return f;
            free(f);
            continue;
        }
        free(line);
    }
    return strdup("");
}

static int is_unsubscribe(const char *fsubject, const char *text, struct bounce_result *r)
{
    char *line = first_line(text);
    int hit = 0;

    if (unsub_line(subject_core(fsubject))) {
        set_why(r, "unsubscribe word in the subject");
        hit = 1;
    } else if (line && *line && unsub_line(line)) {
        set_why(r, "unsubscribe word in the first line");
        hit = 1;
    }
    free(line);
    return hit;
}

/* ---- putting it together ----------------------------------------------------------- */

static int complaint_read(struct scan *s, struct bounce_result *r)
{
    struct buf g;
    char *rcpt, *type, *addr = NULL;
    int rc;

    buf_init(&g, 0);
    headers_unfold(s, &g, s->feedback.data, s->feedback.len);
    rcpt = header_get(g.data, "Original-Rcpt-To", 0);
    type = header_get(g.data, "Feedback-Type", 0);
    if (rcpt)
        addr = addr_find(rcpt, NULL);
    if (!addr && s->orig.len) {
        char *to = header_get(s->orig.data, "To", 0);
        if (to)
            addr = addr_find(to, NULL);
        free(to);
    }
    r->type = BOUNCE_COMPLAINT;
    set_why(r, "ARF feedback report");
    rc = addr ? rcpt_add(r, addr, "", "", type ? type : "abuse") : 0;
    if (!rc && r->nrcpt)
        r->rcpt[0].reason = BOUNCE_R_FEEDBACK;
    free(rcpt);
    free(type);
    free(addr);
    buf_release(&g);
    return rc;
}

/* The Message-ID of the message that came back: from the returned headers,
 * else from headers quoted in the notice's text (after its own words). */
static char *original_id(const struct scan *s, const char *text)
{
    char *v = NULL, *id = NULL;
    const char *const *m;
    const char *from = NULL, *p;
    struct buf low;

    if (s->orig.len && (v = header_get(s->orig.data, "Message-ID", 0)))
        goto out;
    buf_init(&low, 0);
    buf_addstr(&low, text);
    lower_ascii(low.data);
    for (m = copy_marks; *m; m++)
        if ((p = strstr(low.data, *m)) && (!from || p < low.data + (from - text)))
            from = text + (p - low.data);
    buf_release(&low);
    v = header_get(from ? from : text, "Message-ID", 1);
    if (!v && from)
        v = header_get(text, "Message-ID", 1);
out:
    id = msgid_clean(v);
    free(v);
    return id;
}

/* The Message-ID a reply answers: In-Reply-To, else the last of References. */
static char *reply_target(const struct scan *s)
{
    char *v = header_get(s->headers.data, "In-Reply-To", 0), *id = NULL, *last;

    if (!v && (v = header_get(s->headers.data, "References", 0)) && (last = strrchr(v, '<')))
        memmove(v, last, strlen(last) + 1);
    id = msgid_clean(v);
    free(v);
    return id;
}

static void rcpt_free(struct bounce_rcpt *x)
{
    free(x->address);
    free(x->status);
    free(x->action);
    free(x->diagnostic);
}

/* Drop the delivered recipients of a report that has failures too; 1 when
 * failures are left, 0 when it reports only successes (or nothing). */
static int failures_only(struct bounce_result *r)
{
    size_t i, n = 0, fail = 0;

    for (i = 0; i < r->nrcpt; i++)
        fail += r->rcpt[i].reason != BOUNCE_R_DELIVERED;
    if (!fail)
        return 0;
    for (i = 0; i < r->nrcpt; i++) {
        if (r->rcpt[i].reason == BOUNCE_R_DELIVERED)
            rcpt_free(&r->rcpt[i]);
        else
            r->rcpt[n++] = r->rcpt[i];
    }
    r->nrcpt = n;
    return 1;
}

static int classify(struct scan *s, struct bounce_result *r)
{
    const char *text = s->text.len ? s->text.data : s->html.data;
    char *from_hdr = header_get(s->headers.data, "From", 0);
    char *subj_raw = header_get(s->headers.data, "Subject", 0);
    char *failed = header_get(s->headers.data, "X-Failed-Recipients", 0);
    char *fsubject = NULL, *id;
    struct buf subj;
    int rc = 0;

    buf_init(&subj, 4096);
    if (subj_raw)
        rfc2047_decode(&subj, subj_raw, strlen(subj_raw));
    r->subject = buf_detach(&subj, NULL);
    r->from = from_address(from_hdr);
    fsubject = fold_dup(r->subject ? r->subject : "");
    if (!r->subject || !r->from || !fsubject) {
        rc = -1;
        goto out;
    }
    if (s->feedback.len || s->report_type == 2) {
        rc = complaint_read(s, r);
    } else if (s->dsn.len && (rc = dsn_read(s, r)) == 0 && r->nrcpt) {
        if (failures_only(r)) {
            r->type = BOUNCE_BOUNCE;
            set_why(r, "RFC 3464 delivery status notification");
        } else {
            set_why(r, "a delivery status notification without failures");
        }
    } else if (!rc && is_notice(s, from_hdr, r->subject, text)) {
        r->type = BOUNCE_BOUNCE;
        set_why(r, "delivery failure notice (not RFC 3464)");
        rc = notice_read(s, r, text, failed);
    } else if (!rc && s->dsn.len) {
        set_why(r, "a delivery status notification without failures");
    } else if (!rc && is_autoreply(s, fsubject, r)) {
        r->type = BOUNCE_AUTOREPLY;
        if (*r->from && !(rc = rcpt_add(r, r->from, "", "", r->why)))
            r->rcpt[0].reason = BOUNCE_R_VACATION;
    } else if (!rc && is_unsubscribe(fsubject, text, r)) {
        r->type = BOUNCE_UNSUBSCRIBE;
        if (*r->from)
            rc = rcpt_add(r, r->from, "", "", r->why);
        /* The message they answer names the address we wrote to, which may
         * not be the one they write from. */
        if (!rc && (id = reply_target(s))) {
            free(r->original_message_id);
            r->original_message_id = id;
        }
    }
    if (!rc && (r->type == BOUNCE_BOUNCE || r->type == BOUNCE_COMPLAINT)) {
        id = original_id(s, text);
        if (id) {
            free(r->original_message_id);
            r->original_message_id = id;
        }
    }
out:
    free(from_hdr);
    free(subj_raw);
    free(failed);
    free(fsubject);
    return rc;
}

int bounce_parse(const char *data, size_t len, struct bounce_result *out, struct err *err)
{
    struct scan s;
    struct buf norm;
    struct mailmime *mime = NULL;
    size_t idx = 0;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    out->original_message_id = strdup("");
    out->why = strdup("nothing recognised");
    buf_init(&norm, 0);
    buf_init(&s.headers, TEXT_CAP);
    buf_init(&s.text, TEXT_CAP);
    buf_init(&s.html, TEXT_CAP);
    buf_init(&s.dsn, TEXT_CAP);
    buf_init(&s.feedback, TEXT_CAP);
    buf_init(&s.orig, TEXT_CAP);
    if (len > BOUNCE_MAX_SIZE) {
        err_set(err, ERR_DATA, "message of %zu bytes is larger than %u: left for a person", len,
                BOUNCE_MAX_SIZE);
        goto out;
    }
    if (!out->original_message_id || !out->why || to_crlf(data, len, &norm))
        goto nomem;
    headers_unfold(&s, &s.headers, norm.data, norm.len);
    if (mailmime_parse(norm.data, norm.len, &idx, &mime) == MAILIMF_NO_ERROR)
        walk(&s, mime, 0, 0);
    else
        add_lf(&s, &s.text, norm.data, norm.len); /* unparsable: read it as text */
    if (s.oom || classify(&s, out))
        goto nomem;
    rc = 0;
    goto out;
nomem:
    err_nomem(err);
out:
    if (mime)
        mailmime_free(mime);
    buf_release(&norm);
    buf_release(&s.headers);
    buf_release(&s.text);
    buf_release(&s.html);
    buf_release(&s.dsn);
    buf_release(&s.feedback);
    buf_release(&s.orig);
    return rc;
}

void bounce_release(struct bounce_result *r)
{
    size_t i;

    for (i = 0; i < r->nrcpt; i++)
        rcpt_free(&r->rcpt[i]);
    free(r->rcpt);
    free(r->original_message_id);
    free(r->from);
    free(r->subject);
    free(r->why);
    memset(r, 0, sizeof(*r));
}

const char *bounce_type_name(enum bounce_type t)
{
    switch (t) {
    case BOUNCE_BOUNCE:
        return "bounce";
    case BOUNCE_COMPLAINT:
        return "complaint";
    case BOUNCE_UNSUBSCRIBE:
        return "unsubscribe";
    case BOUNCE_AUTOREPLY:
        return "autoreply";
    default:
        return "other";
    }
}

const char *bounce_class_name(enum bounce_class c)
{
    return c == BOUNCE_HARD ? "hard" : c == BOUNCE_SOFT ? "soft" : NULL;
}
