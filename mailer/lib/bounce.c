/* bounce - classify one message that came back to the bounce/reply mailbox:
 * the MIME walk, the decoding, and the order in which the readers of
 * bounce_int.h look at it. */
#include "bounce.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <libetpan/libetpan.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce_int.h"
#include "buf.h"
#include "fold.h"
#include "rfc2047.h"
#include "utf8.h"

#include "banned.h"

#define MAX_DEPTH 12
#define MAX_NESTING 3 /* notices inside notices */

/* ---- small string helpers ------------------------------------------------ */

void bounce_add(struct bounce_scan *s, struct buf *b, const char *p, size_t n)
{
    if (buf_add(b, p, n) && errno == ENOMEM)
        s->oom = 1;
}

/* CRLF, bare LF and bare CR all become CRLF (what libetpan expects). */
static int to_crlf(const char *p, size_t n, struct buf *out)
{
    size_t i, start = 0;

    if (buf_grow(out, n + n / 16 + 2))
        return -1;
    for (i = 0; i < n; i++) {
        if (p[i] != '\r' && p[i] != '\n')
            continue;
        if (buf_add(out, p + start, i - start) || buf_add(out, "\r\n", 2))
            return -1;
        if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
            i++;
        start = i + 1;
    }
    return buf_add(out, p + start, n - start);
}

/* Append p[0..n) with CRLF / CR turned into LF and NUL dropped. */
static void add_lf(struct bounce_scan *s, struct buf *b, const char *p, size_t n)
{
    size_t i, start = 0;

    for (i = 0; i < n; i++) {
        if (p[i] != '\r' && p[i] != '\0')
            continue;
        bounce_add(s, b, p + start, i - start);
        if (p[i] == '\r' && !(i + 1 < n && p[i + 1] == '\n'))
            bounce_add(s, b, "\n", 1);
        start = i + 1;
    }
    bounce_add(s, b, p + start, n - start);
}

/* Windows-1252 0x80-0x9F (the rest of Latin-1 maps to itself). */
static const unsigned short cp1252[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

static int add_cp(struct buf *b, unsigned cp)
{
    char u[3];

    if (cp < 0x80)
        return buf_addch(b, (int)cp);
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        return buf_add(b, u, 2);
    }
    u[0] = (char)(0xE0 | cp >> 12);
    u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[2] = (char)(0x80 | (cp & 0x3F));
    return buf_add(b, u, 3);
}

/* Bytes that are not UTF-8: read them as Windows-1252. */
static int cp1252_to_utf8(const char *p, size_t n, struct buf *out)
{
    size_t i;
    unsigned char c;

    for (i = 0; i < n; i++) {
        c = (unsigned char)p[i];
        if (add_cp(out, c >= 0x80 && c < 0xA0 ? cp1252[c - 0x80] : c))
            return -1;
    }
    return 0;
}

static int charset_is(const char *cs, const char *name)
{
    return cs && !strcasecmp(cs, name);
}

/* Names that mail software writes and iconv does not know, or knows as a
 * narrower set than the text uses. */
static const char *charset_alias(const char *cs)
{
    static const struct {
        const char *seen, *iconv;
    } alias[] = {
        {"shift-jis", "CP932"},
        {"shift_jis", "CP932"},
        {"sjis", "CP932"},
        {"x-sjis", "CP932"},
        {"ms932", "CP932"},
        {"windows-31j", "CP932"},
        {"iso-2022-jp", "ISO-2022-JP-2"},
        {"gb2312", "GB18030"},
        {"gbk", "GB18030"},
        {"x-gbk", "GB18030"},
        {"ks_c_5601-1987", "CP949"},
        {"euc-kr", "CP949"},
        {"unicode-1-1-utf-7", "UTF-7"},
        {"iso-8859-8-i", "ISO-8859-8"},
        {"utf8", "UTF-8"},
    };
    size_t i;

    for (i = 0; cs && i < sizeof(alias) / sizeof(alias[0]); i++)
        if (!strcasecmp(cs, alias[i].seen))
            return alias[i].iconv;
    return cs;
}

/* Convert p[0..n) from charset to UTF-8 into out (appended). Unknown or
 * absent charsets: UTF-8 when valid, else Windows-1252. ISO-2022-JP is
 * recognised by its escapes whatever the label says. */
static int to_utf8(const char *charset, const char *p, size_t n, struct buf *out)
{
    iconv_t cd = (iconv_t)-1;
    char chunk[4096], *in = (char *)p, *o;
    size_t inleft = n, oleft;
    int rc = 0;

    if (memmem(p, n, "\x1b$B", 3) || memmem(p, n, "\x1b$@", 3) || memmem(p, n, "\x1b(J", 3))
        charset = "ISO-2022-JP";
    else if (utf8_valid(p, n) && (!charset || charset_is(charset, "utf-8") ||
                                  charset_is(charset, "us-ascii") || charset_is(charset, "utf8")))
        return buf_add(out, p, n);
    charset = charset_alias(charset);
    if (charset && !charset_is(charset, "utf-8") && !charset_is(charset, "us-ascii"))
        cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return cp1252_to_utf8(p, n, out);
    while (inleft && !rc) {
        o = chunk;
        oleft = sizeof(chunk);
        if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 && errno != E2BIG) {
            rc = buf_add(out, chunk, (size_t)(o - chunk));
            if (!rc)
                rc = buf_addstr(out, "\xEF\xBF\xBD"); /* U+FFFD for a bad or cut byte */
            in++;
            inleft--;
            continue;
        }
        rc = buf_add(out, chunk, (size_t)(o - chunk));
    }
    iconv_close(cd);
    return rc;
}

void bounce_lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

char *bounce_fold_dup(const char *s)
{
    struct buf b;

    buf_init(&b, 0);
    if (fold_text(s, strlen(s), &b)) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
}

const char *bounce_find_word(const char *hay, const char *needle)
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

int bounce_any_in(const char *hay, const char *const *needles)
{
    for (; *needles; needles++)
        if (strstr(hay, *needles))
            return 1;
    return 0;
}

char *bounce_trimmed_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

/* ---- header blocks --------------------------------------------------------- */

void bounce_headers_unfold(struct bounce_scan *s, struct buf *out, const char *p, size_t n)
{
    struct buf lf;
    size_t i, start;

    buf_init(&lf, BOUNCE_TEXT_CAP);
    add_lf(s, &lf, p, n);
    for (i = start = 0; i < lf.len; i++) {
        if (lf.data[i] != '\n')
            continue;
        if (i + 1 == lf.len || lf.data[i + 1] == '\n')
            break;
        if (lf.data[i + 1] == ' ' || lf.data[i + 1] == '\t') {
            bounce_add(s, out, lf.data + start, i - start); /* the fold goes */
            start = i + 1;
        }
    }
    bounce_add(s, out, lf.data + start, i - start);
    bounce_add(s, out, "\n", 1);
    buf_release(&lf);
}

char *bounce_header_get(const char *block, const char *name, int loose)
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
            return bounce_trimmed_dup(v + n + 1, (size_t)(end - v - n - 1));
    }
    return NULL;
}

int bounce_header_has(const char *block, const char *name)
{
    char *v = bounce_header_get(block, name, 0);
    int has = v != NULL;

    free(v);
    return has;
}

char *bounce_msgid_clean(const char *v)
{
    const char *lt, *gt;

    if (!v)
        return NULL;
    lt = strchr(v, '<');
    gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt && gt > lt + 1)
        return bounce_trimmed_dup(lt + 1, (size_t)(gt - lt - 1));
    if (*v && !strchr(v, ' ') && strchr(v, '@'))
        return strdup(v);
    return NULL;
}

static int addr_char(int c)
{
    return isalnum(c) || strchr("!#$%&'*+-/=?^_`{|}~.", c) || c >= 0x80;
}

static int domain_char(int c)
{
    return isalnum(c) || c == '-' || c == '.' || c >= 0x80;
}

char *bounce_addr_find(const char *s, const char **after)
{
    const char *at = s, *a, *b;
    char *r;

    while ((at = strchr(at, '@'))) {
        a = at;
        while (a > s && addr_char((unsigned char)a[-1]))
            a--;
        while (a < at && *a == '.')
            a++;
        b = at + 1;
        while (*b && domain_char((unsigned char)*b))
            b++;
        while (b > at + 1 && b[-1] == '.')
            b--;
        if (a < at && memchr(at + 1, '.', (size_t)(b - at - 1)) && at[1] != '.') {
            r = xstrndup(a, (size_t)(b - a));
            if (r)
                bounce_lower(r);
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
            bounce_lower(r);
    }
    if (ml)
        mailimf_mailbox_list_free(ml);
    if (!r)
        r = bounce_addr_find(v, NULL);
    return r ? r : strdup("");
}

/* A header value in UTF-8: encoded words in any charset iconv knows, and
 * raw 8-bit text read as UTF-8, or else as its likely charset. */
static int header_text(struct buf *out, const char *v)
{
    char *dec = NULL;
    size_t idx = 0;
    struct buf raw;
    int rc;

    buf_init(&raw, BOUNCE_TEXT_CAP);
    if (strstr(v, "=?") &&
        mailmime_encoded_phrase_parse(utf8_valid(v, strlen(v)) ? "utf-8" : "iso-8859-1", v,
                                      strlen(v), &idx, "utf-8", &dec) == MAILIMF_NO_ERROR &&
        dec && utf8_valid(dec, strlen(dec)) && !strchr(dec, '\x1b'))
        rc = rfc2047_clean(out, dec, strlen(dec));
    else if (!(rc = to_utf8(NULL, v, strlen(v), &raw))) /* raw 8-bit, ISO-2022-JP */
        rc = rfc2047_clean(out, raw.data, raw.len);
    free(dec);
    buf_release(&raw);
    return rc;
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
    bounce_lower(out);
}

/* Decode a single part's transfer encoding and append it (LF ends; UTF-8
 * when convert). */
static void add_decoded(struct bounce_scan *s, struct buf *to, const struct mailmime *m,
                        int convert)
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
    buf_init(&u, BOUNCE_TEXT_CAP);
    charset = m->mm_content_type ? mailmime_content_charset_get(m->mm_content_type) : NULL;
    if (convert ? to_utf8(charset, res, len, &u) : buf_add(&u, res, len))
        s->oom |= errno == ENOMEM;
    add_lf(s, to, u.data, u.len);
    bounce_add(s, to, "\n", 1);
    buf_release(&u);
    mailmime_decoded_part_free(res);
}

/* Text of an HTML part: tags dropped, block ends as line breaks, a few
 * entities decoded. Good enough to read a notice's sentences. */
static void html_to_text(struct bounce_scan *s, const char *p, size_t n)
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
                bounce_add(s, &s->html, "\n", 1);
            else if (!strncasecmp(t, "/td", 3))
                bounce_add(s, &s->html, " ", 1);
            while (i < n && p[i] != '>')
                i++;
            continue;
        }
        for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++)
            if (!strncmp(p + i, ents[k].ent, strlen(ents[k].ent)))
                break;
        if (k < sizeof(ents) / sizeof(ents[0])) {
            bounce_add(s, &s->html, ents[k].val, strlen(ents[k].val));
            i += strlen(ents[k].ent) - 1;
        } else if (p[i] != '\n' || (s->html.len && s->html.data[s->html.len - 1] != '\n')) {
            bounce_add(s, &s->html, p[i] == '\n' ? " " : p + i, 1);
        }
    }
    bounce_add(s, &s->html, "\n", 1);
}

static void walk(struct bounce_scan *s, const struct mailmime *m, int depth, int in_original);

static void walk_single(struct bounce_scan *s, const struct mailmime *m, int in_original)
{
    char type[128];
    struct buf tmp;

    content_name(m->mm_content_type, type, sizeof(type));
    buf_init(&tmp, BOUNCE_TEXT_CAP);
    if (in_original) {
        /* The returned message's own parts: a report in there is read as
         * a message of its own (classify_inner). */
    } else if (!strcmp(type, "message/delivery-status") ||
               !strcmp(type, "message/global-delivery-status")) {
        /* A part so labelled that holds no recipient field is prose. */
        add_decoded(s, &tmp, m, 1);
        if (strcasestr(tmp.data, "recipient:") || strcasestr(tmp.data, "reporting-mta:")) {
            bounce_add(s, &s->dsn, tmp.data, tmp.len);
            bounce_add(s, &s->dsn, "\n", 1);
        } else {
            bounce_add(s, &s->text, tmp.data, tmp.len);
        }
    } else if (!strcmp(type, "message/feedback-report")) {
        add_decoded(s, &s->feedback, m, 1);
    } else if (!strcmp(type, "text/rfc822-headers") || !strcmp(type, "text/rfc822-header") ||
               !strcmp(type, "message/global-headers") || !strcmp(type, "message/global") ||
               !strcmp(type, "message/rfc822")) {
        /* message/global (RFC 6532) and a message/rfc822 libetpan left as a
         * single part: the returned message's headers. */
        if (!s->orig.len) {
            add_decoded(s, &tmp, m, 0);
            bounce_headers_unfold(s, &s->orig, tmp.data, tmp.len);
        }
    } else if (!strcmp(type, "text/plain")) {
        add_decoded(s, &s->text, m, 1);
    } else if (!strcmp(type, "text/html")) {
        add_decoded(s, &tmp, m, 1);
        html_to_text(s, tmp.data, tmp.len);
    }
    buf_release(&tmp);
}

static void walk(struct bounce_scan *s, const struct mailmime *m, int depth, int in_original)
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
        if (depth > 0 && !in_original && m->mm_body && !s->inner) {
            s->inner = m->mm_body->dt_data.dt_text.dt_data;
            s->inner_len = m->mm_body->dt_data.dt_text.dt_length;
        }
        if (depth > 0 && !in_original && !s->orig.len && m->mm_body)
            bounce_headers_unfold(s, &s->orig, m->mm_body->dt_data.dt_text.dt_data,
                                  m->mm_body->dt_data.dt_text.dt_length);
        walk(s, m->mm_data.mm_message.mm_msg_mime, depth + 1, in_original || depth > 0);
    }
}

/* ---- codes in text ------------------------------------------------------------ */

/* "550-5.1.1": a line of a multi-line reply, its code before the '-'. */
static int after_reply_code(const char *s, const char *p)
{
    return p - s >= 4 && p[-1] == '-' && isdigit((unsigned char)p[-2]) &&
           isdigit((unsigned char)p[-3]) && (p[-4] == '4' || p[-4] == '5') &&
           (p - s == 4 || !isalnum((unsigned char)p[-5]));
}

int bounce_status_find(const char *s, char *out, size_t size)
{
    const char *p;

    for (p = s; p && *p; p++) {
        int a, b, c, n = 0;
        if ((*p != '2' && *p != '4' && *p != '5') ||
            (p > s && !after_reply_code(s, p) &&
             (isalnum((unsigned char)p[-1]) || p[-1] == '.' || p[-1] == '/' || p[-1] == '-' ||
              p[-1] == '=')))
            continue;
        if (sscanf(p, "%1d.%3d.%3d%n", &a, &b, &c, &n) == 3 && n >= 5 && p[n] != '.' &&
            !isalnum((unsigned char)p[n]) && p[1] == '.' && b < 8) {
            snprintf(out, size, "%d.%d.%d", a, b, c);
            return 0;
        }
    }
    return -1;
}

int bounce_smtp_code_find(const char *s)
{
    const char *p;

    for (p = s; *p; p++) {
        if ((*p == '4' || *p == '5') && (p[1] >= '0' && p[1] <= '5') &&
            isdigit((unsigned char)p[2]) && (p[3] == ' ' || p[3] == '-' || p[3] == '\0') &&
            (p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '.' || p[-1] == '#' ||
                         p[-1] == '[' || p[-1] == '_')))
            return (*p - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
    }
    return 0;
}

const char *bounce_command_find(const char *f)
{
    static const struct {
        const char *words, *cmd;
    } t[] = {
        {"in reply to rcpt to", "RCPT"},
        {"after rcpt to", "RCPT"},
        {"after rcpt command", "RCPT"},
        {">>> rcpt to", "RCPT"},
        {"rcpt to command", "RCPT"},
        {"does not like recipient", "RCPT"},
        {"[rcpt_to]", "RCPT"},
        {"in reply to end of data", "DATA"},
        {"after end of data", "DATA"},
        {"in reply to data", "DATA"},
        {"after data", "DATA"},
        {">>> data", "DATA"},
        {"didn't like the message", "DATA"}, /* qmail: the text after DATA */
        {"for text command", "DATA"},
        {"in reply to mail from", "MAIL"},
        {"after mail from", "MAIL"},
        {"after mail command", "MAIL"},
        {">>> mail from", "MAIL"},
        {"but sender was rejected", "MAIL"},
        {"in reply to helo", "HELO"},
        {"in reply to ehlo", "HELO"},
        {"after helo", "HELO"},
        {"after ehlo", "HELO"},
        {"but my name was rejected", "HELO"},
        {"after initial connection", "CONN"},
        {"refused to talk to me", "CONN"},
        {"in reply to initial greeting", "CONN"},
        {"while connected to", "CONN"},
    };
    const char *best = "", *p;
    size_t i, at = (size_t)-1;

    /* The first one the text names: a transcript may go on past it. */
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if ((p = strstr(f, t[i].words)) && (size_t)(p - f) < at) {
            at = (size_t)(p - f);
            best = t[i].cmd;
        }
    return best;
}

int bounce_rcpt_named(const char *low, size_t n, const char *addr)
{
    const char *p, *end = low + n;
    size_t len = strlen(addr);

    for (p = low; (p = strstr(p, ">>> rcpt to:")) && p < end; p++) {
        const char *q = p + 12;
        while (q < end && (*q == ' ' || *q == '<'))
            q++;
        if ((size_t)(end - q) >= len && !strncmp(q, addr, len) &&
            (q[len] == '>' || isspace((unsigned char)q[len]) || !q[len]))
            return 1;
    }
    return 0;
}

size_t bounce_copy_start(const char *low)
{
    static const char *const marks[] = {"--- below this line is a copy of the message",
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
                                        "copy of the message header",
                                        "included is a copy of the message header",
                                        "------ original message",
                                        "--- the header of the original message",
                                        "----- message header follows",
                                        "returned message follows",
                                        "------- returned message",
                                        "----- returned message",
                                        "returned mail follows",
                                        "start of returned message",
                                        "your message reads (in part)",
                                        "summary of the undelivered message",
                                        "top 20 lines of the message follow",
                                        "lines of your original message follow",
                                        "unsent message below",
                                        "header of the source mail attached",
                                        "original message as received is as follows",
                                        "copy of the original message below this line",
                                        "below the next line is a copy of the message",
                                        "attachment is a copy of the message",
                                        NULL};
    const char *const *m;
    const char *p;
    size_t cut = strlen(low);

    for (m = marks; *m; m++)
        if ((p = strstr(low, *m)) && (size_t)(p - low) < cut)
            cut = (size_t)(p - low);
    return cut;
}

/* ---- results ----------------------------------------------------------------- */

int bounce_rcpt_add(struct bounce_result *r, const char *addr, const char *status,
                    const char *action, const char *diag)
{
    struct bounce_rcpt *n, *x;
    size_t i;

    for (i = 0; i < r->nrcpt; i++)
        if (!strcmp(r->rcpt[i].address, addr))
            return -2;
    if (r->nrcpt >= BOUNCE_MAX_RCPTS)
        return -2;
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
    x->command = "";
    r->nrcpt++;
    if (!x->address || !x->status || !x->action || !x->diagnostic)
        return -1;
    return (int)r->nrcpt - 1;
}

void bounce_rcpt_free(struct bounce_rcpt *x)
{
    free(x->address);
    free(x->status);
    free(x->action);
    free(x->diagnostic);
}

int bounce_set_why(struct bounce_result *r, const char *why)
{
    free(r->why);
    r->why = strdup(why);
    return r->why ? 0 : -1;
}

/* ---- putting it together ----------------------------------------------------------- */

/* The Message-ID of the message that came back: from the returned headers,
 * else from headers quoted in the notice's text (after its own words). */
static char *original_id(const struct bounce_scan *s, const char *text)
{
    char *v = NULL, *id, *low;
    const char *from = NULL;

    if (s->orig.len && (v = bounce_header_get(s->orig.data, "Message-ID", 0)))
        goto out;
    if (!(low = strdup(text)))
        return NULL;
    bounce_lower(low);
    from = text + bounce_copy_start(low);
    free(low);
    v = bounce_header_get(*from ? from : text, "Message-ID", 1);
    if (!v && *from)
        v = bounce_header_get(text, "Message-ID", 1);
out:
    id = bounce_msgid_clean(v);
    free(v);
    return id;
}

/* The Message-ID a reply answers: In-Reply-To, else the last of References. */
static char *reply_target(const struct bounce_scan *s)
{
    char *v = bounce_header_get(s->headers.data, "In-Reply-To", 0), *id = NULL, *last;

    if (!v && (v = bounce_header_get(s->headers.data, "References", 0)) && (last = strrchr(v, '<')))
        memmove(v, last, strlen(last) + 1);
    id = bounce_msgid_clean(v);
    free(v);
    return id;
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
            bounce_rcpt_free(&r->rcpt[i]);
        else
            r->rcpt[n++] = r->rcpt[i];
    }
    r->nrcpt = n;
    return 1;
}

/* Delivery-status fields written into the text instead of their own part
 * (some gateways do): copied into s->dsn from the first field group. */
static void dsn_in_text(struct bounce_scan *s, const char *text)
{
    const char *p = text, *start = NULL;

    for (; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
        if (!strncasecmp(p, "Reporting-MTA:", 14) || !strncasecmp(p, "Final-Recipient:", 16) ||
            !strncasecmp(p, "Original-Recipient:", 19)) {
            start = p;
            break;
        }
    }
    if (start && strstr(start, "\nAction:") && strstr(start, "\nStatus:"))
        bounce_add(s, &s->dsn, start, strlen(start));
}

static int classify_scan(struct bounce_scan *s, struct bounce_result *r, int nesting);

/* A message attached to one we do not understand (a forwarded notice, a
 * notice about a notice): read it instead. 1 when it was understood.
 * With also_delivered (the outer report listed successes only), the
 * inner report's delivered recipients are added to r as well. */
static int classify_inner(const struct bounce_scan *s, struct bounce_result *r, int nesting,
                          int also_delivered)
{
    struct bounce_result in;
    struct err err;
    size_t i;
    int rc, k;

    if (!s->inner || nesting >= MAX_NESTING)
        return 0;
    err_init(&err);
    memset(&in, 0, sizeof(in));
    rc = bounce_parse_nested(s->inner, s->inner_len, &in, nesting + 1, &err);
    err_release(&err);
    if (rc) {
        bounce_release(&in);
        return -1;
    }
    if ((in.type == BOUNCE_BOUNCE || in.type == BOUNCE_COMPLAINT) && in.nrcpt) {
        bounce_release(r);
        *r = in;
        return bounce_set_why(r, "a notice inside the message") ? -1 : 1;
    }
    for (i = 0, rc = 0; also_delivered && i < in.nrcpt && !rc; i++) {
        const struct bounce_rcpt *x = &in.rcpt[i];
        if (x->reason != BOUNCE_R_DELIVERED)
            continue;
        if ((k = bounce_rcpt_add(r, x->address, x->status, x->action, x->diagnostic)) == -1)
            rc = -1;
        else if (k >= 0)
            r->rcpt[k].reason = BOUNCE_R_DELIVERED;
    }
    bounce_release(&in);
    return rc;
}

static int read_bounce(struct bounce_scan *s, struct bounce_result *r, const char *text,
                       int nesting)
{
    int rc;

    if (!s->dsn.len)
        dsn_in_text(s, text);
    if (s->dsn.len) {
        if ((rc = bounce_dsn_read(s, r, text)) < 0)
            return -1;
        if (r->nrcpt) {
            if (failures_only(r)) {
                r->type = BOUNCE_BOUNCE;
                return bounce_set_why(r, "RFC 3464 delivery status notification");
            }
            if ((rc = classify_inner(s, r, nesting, 1)) != 0)
                return rc < 0 ? -1 : 0;
            return bounce_set_why(r, "a delivery status notification without failures");
        }
    }
    r->type = BOUNCE_BOUNCE;
    if (bounce_set_why(r, "delivery failure notice (not RFC 3464)"))
        return -1;
    return bounce_notice_read(s, r, text);
}

/* An auto-reply or challenge: not a bounce; its sender (a person's answer
 * machine) is the one recipient, "vacation". -1 when out of memory. */
static int as_autoreply(struct bounce_result *r)
{
    int i = 0;

    r->type = BOUNCE_AUTOREPLY;
    if (*r->from && (i = bounce_rcpt_add(r, r->from, "", "", r->why)) >= 0)
        r->rcpt[i].reason = BOUNCE_R_VACATION;
    return i == -1 ? -1 : 0;
}

static int classify_scan(struct bounce_scan *s, struct bounce_result *r, int nesting)
{
    const char *text = s->text.len ? s->text.data : s->html.data;
    char *from_hdr = bounce_header_get(s->headers.data, "From", 0);
    char *subj_raw = bounce_header_get(s->headers.data, "Subject", 0);
    char *fsubject = NULL, *id;
    struct buf subj;
    int rc = -1, hit;

    buf_init(&subj, 4096);
    if (subj_raw && header_text(&subj, subj_raw) && errno == ENOMEM)
        goto out;
    r->subject = buf_detach(&subj, NULL);
    r->from = from_address(from_hdr);
    fsubject = bounce_fold_dup(r->subject ? r->subject : "");
    if (!r->subject || !r->from || !fsubject)
        goto out;
    if (s->feedback.len || s->report_type == 2) {
        if (bounce_arf_read(s, r))
            goto out;
    } else if ((hit = bounce_jmrp_read(s, fsubject, text, r)) != 0 ||
               (hit = bounce_ses_read(text, r)) != 0) {
        if (hit < 0)
            goto out;
    } else if ((hit = bounce_challenge_is(s, fsubject, text, r)) != 0) {
        if (hit < 0 || as_autoreply(r))
            goto out;
    } else if (!s->dsn.len && (hit = classify_inner(s, r, nesting, 0)) != 0) {
        /* a notice forwarded, or attached to a notice of its own */
        if (hit < 0)
            goto out;
        rc = 0;
        goto out;
    } else if (s->dsn.len || bounce_notice_is(s, from_hdr, r->subject, text)) {
        if (read_bounce(s, r, text, nesting))
            goto out;
    } else if ((hit = bounce_autoreply_is(s, fsubject, r)) != 0) {
        if (hit < 0 || as_autoreply(r))
            goto out;
    } else if (bounce_unsubscribe_is(fsubject, text, r)) {
        r->type = BOUNCE_UNSUBSCRIBE;
        if (*r->from && bounce_rcpt_add(r, r->from, "", "", r->why) == -1)
            goto out;
        /* The message they answer names the address we wrote to, which may
         * not be the one they write from. */
        if ((id = reply_target(s))) {
            free(r->original_message_id);
            r->original_message_id = id;
        }
    }
    if (r->type == BOUNCE_BOUNCE || r->type == BOUNCE_COMPLAINT) {
        if ((id = original_id(s, text))) {
            free(r->original_message_id);
            r->original_message_id = id;
        }
    }
    rc = 0;
out:
    free(from_hdr);
    free(subj_raw);
    free(fsubject);
    buf_release(&subj);
    return rc;
}

/* A saved message may start with blank lines, or with an mbox "From "
 * line: how many bytes to pass over. */
static size_t preamble(const char *p, size_t n)
{
    const char *nl;
    size_t i = 0, j;

    while ((nl = memchr(p + i, '\n', n - i))) {
        for (j = i; p + j < nl && (p[j] == ' ' || p[j] == '\t' || p[j] == '\r'); j++)
            ;
        if (p + j != nl)
            break;
        i = (size_t)(nl - p) + 1;
    }
    if (n - i > 5 && !memcmp(p + i, "From ", 5) && (nl = memchr(p + i, '\n', n - i)))
        i = (size_t)(nl - p) + 1;
    return i;
}

int bounce_parse_nested(const char *data, size_t len, struct bounce_result *out, int nesting,
                        struct err *err)
{
    struct bounce_scan s;
    struct buf norm;
    struct mailmime *mime = NULL;
    const char *body;
    size_t idx = 0, got, skip;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    out->original_message_id = strdup("");
    out->why = strdup("nothing recognised");
    buf_init(&norm, 0);
    buf_init(&s.headers, BOUNCE_TEXT_CAP);
    buf_init(&s.text, BOUNCE_TEXT_CAP);
    buf_init(&s.html, BOUNCE_TEXT_CAP);
    buf_init(&s.dsn, BOUNCE_TEXT_CAP);
    buf_init(&s.feedback, BOUNCE_TEXT_CAP);
    buf_init(&s.orig, BOUNCE_TEXT_CAP);
    if (len > BOUNCE_MAX_SIZE) {
        err_set(err, ERR_DATA, "message of %zu bytes is larger than %u: left for a person", len,
                BOUNCE_MAX_SIZE);
        goto out;
    }
    skip = preamble(data, len);
    data += skip;
    len -= skip;
    if (!out->original_message_id || !out->why || to_crlf(data, len, &norm))
        goto nomem;
    bounce_headers_unfold(&s, &s.headers, norm.data, norm.len);
    if (mailmime_parse(norm.data, norm.len, &idx, &mime) == MAILIMF_NO_ERROR)
        walk(&s, mime, 0, 0);
    body = strstr(norm.data, "\r\n\r\n");
    body = body ? body + 4 : norm.data;
    got = s.text.len + s.html.len + s.dsn.len + s.feedback.len;
    if (got < 256 && norm.len - (size_t)(body - norm.data) > 2 * got + 64) {
        /* Unparsable, or a body libetpan found (next to) nothing in: a
         * boundary that matches none of the parts' lines. Read it as text. */
        struct buf raw;
        buf_init(&raw, BOUNCE_TEXT_CAP);
        if (to_utf8(NULL, body, norm.len - (size_t)(body - norm.data), &raw))
            s.oom |= errno == ENOMEM;
        buf_reset(&s.text);
        buf_reset(&s.html);
        add_lf(&s, &s.text, raw.data, raw.len);
        buf_release(&raw);
    }
    if (s.oom || classify_scan(&s, out, nesting))
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

int bounce_parse(const char *data, size_t len, struct bounce_result *out, struct err *err)
{
    return bounce_parse_nested(data, len, out, 0, err);
}

void bounce_release(struct bounce_result *r)
{
    size_t i;

    for (i = 0; i < r->nrcpt; i++)
        bounce_rcpt_free(&r->rcpt[i]);
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
