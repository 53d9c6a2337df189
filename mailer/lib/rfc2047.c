/* rfc2047 - encoded words for non-ASCII header text. */
#include "rfc2047.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "base64.h"
#include "hex.h"
#include "utf8.h"

#include "banned.h"

#define PREFIX_LEN 10 /* "=?UTF-8?Q?" */
#define PAYLOAD_MAX (RFC2047_WORD_MAX - PREFIX_LEN - 2)
#define LINE_SOFT 76 /* fold before a word would pass this column */
#define PLAIN_WORD_MAX 60

static int add_replacement(struct buf *out)
{
    return buf_add(out, "\xEF\xBF\xBD", 3);
}

/* Append valid UTF-8; with `controls` set, also apply the header
 * normalisation of line breaks, TAB and control characters. */
static int utf8_append(struct buf *out, const char *s, size_t len, int controls)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n;
    uint32_t cp;
    int rc = 0;

    while (i < len && !rc) {
        /* ASCII that stays as it is, a run at a time */
        for (n = i; n < len && p[n] < 0x80 && (!controls || (p[n] >= 0x20 && p[n] != 0x7F)); n++)
            ;
        if (n > i) {
            rc = buf_add(out, p + i, n - i);
            i = n;
            continue;
        }
        n = utf8_decode(s + i, len - i, &cp);
        if (!n) {
            rc = add_replacement(out);
            i++;
        } else if (!controls) {
            rc = buf_add(out, p + i, n);
            i += n;
        } else if (cp == '\r' || cp == '\n' || cp == '\t') {
            rc = buf_addch(out, ' ');
            i += (cp == '\r' && i + 1 < len && p[i + 1] == '\n') ? 2 : 1;
        } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            rc = add_replacement(out);
            i += n;
        } else {
            rc = buf_add(out, p + i, n);
            i += n;
        }
    }
    return rc;
}

int rfc2047_clean(struct buf *out, const char *s, size_t len)
{
    return utf8_append(out, s, len, 1);
}

static size_t char_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c < 0xE0)
        return 2;
    if (c < 0xF0)
        return 3;
    return 4;
}

/* Characters Q may leave as they are in any header context (RFC 2047 5(3)). */
static const unsigned char q_safe_table[256] = {
    ['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['0' ... '9'] = 1, ['!'] = 1,
    ['*'] = 1,         ['+'] = 1,         ['-'] = 1,         ['/'] = 1,
};

static int q_safe(unsigned char c)
{
    return q_safe_table[c];
}

static size_t q_len(unsigned char c)
{
    return (q_safe(c) || c == ' ') ? 1 : 3;
}

static int use_q(const char *u, size_t n)
{
    size_t i, q = 0;

    for (i = 0; i < n; i++)
        q += q_len((unsigned char)u[i]);
    /* Q reads better for Spanish: keep it unless B is clearly shorter */
    return 2 * q <= 3 * ((n + 2) / 3 * 4);
}

/* The encoded word for u[0..n), appended to w: written in place after one
 * buf_grow for the longest it can be. */
static int q_word(struct buf *w, const char *u, size_t n)
{
    size_t i;
    unsigned char c;
    char *o;

    if (n > (SIZE_MAX - 16) / 3 || buf_grow(w, 12 + 3 * n))
        return -1;
    o = w->data + w->len;
    memcpy(o, "=?UTF-8?Q?", 10);
    o += 10;
    for (i = 0; i < n; i++) {
        c = (unsigned char)u[i];
        if (c == ' ') {
            *o++ = '_';
        } else if (q_safe(c)) {
            *o++ = (char)c;
        } else {
            o[0] = '=';
            o[1] = hex_upper[c >> 4];
            o[2] = hex_upper[c & 15];
            o += 3;
        }
    }
    memcpy(o, "?=", 2);
    buf_setlen(w, (size_t)(o + 2 - w->data));
    return 0;
}

static int b_word(struct buf *w, const char *u, size_t n)
{
    char *o;

    if (n > (SIZE_MAX - 16) / 2 || buf_grow(w, 12 + BASE64_LEN(n)))
        return -1;
    o = w->data + w->len;
    memcpy(o, "=?UTF-8?B?", 10);
    o = base64_put(o + 10, (const unsigned char *)u, n);
    memcpy(o, "?=", 2);
    buf_setlen(w, (size_t)(o + 2 - w->data));
    return 0;
}

/* How many bytes of u (whole characters) fit in one word's payload; the
 * payload's length in *cost. */
static size_t word_take(const char *u, size_t n, int q, size_t *cost_out)
{
    size_t take = 0, k, cost = 0, add, i;

    while (take < n) {
        k = char_len((unsigned char)u[take]);
        if (take + k > n)
            k = n - take;
        if (q) {
            for (add = 0, i = 0; i < k; i++)
                add += q_len((unsigned char)u[take + i]);
            if (cost + add > PAYLOAD_MAX)
                break;
            cost += add;
        } else if ((take + k + 2) / 3 * 4 > PAYLOAD_MAX) {
            break;
        }
        take += k;
    }
    *cost_out = q ? cost : (take + 2) / 3 * 4;
    return take;
}

/* Encoded words for clean UTF-8 u; folded with CRLF SP when `fold`. Each
 * word's length is known before it is written (word_take), so it goes
 * straight to out. */
static int encode_words(struct buf *out, const char *u, size_t n, size_t column, int fold)
{
    int q = use_q(u, n), rc = 0, first = 1;
    size_t col = column, take, wlen;

    while (n > 0 && !rc) {
        take = word_take(u, n, q, &wlen);
        wlen += 12; /* "=?UTF-8?Q?" "?=" */
        if (!first && fold && col + 1 + wlen > LINE_SOFT) {
            rc = buf_add(out, "\r\n ", 3);
            col = 1;
        } else if (!first) {
            rc = buf_addch(out, ' ');
            col++;
        }
        if (!rc)
            rc = q ? q_word(out, u, take) : b_word(out, u, take);
        col += wlen;
        first = 0;
        u += take;
        n -= take;
    }
    return rc;
}

/* Printable ASCII, single spaces between words, no "=?", no over-long word:
 * safe to write without encoding and to fold at its spaces. */
static int plain_ascii(const char *u, size_t n, size_t word_max)
{
    size_t i, word = 0;

    if (n == 0 || u[0] == ' ' || u[n - 1] == ' ')
        return 0;
    for (i = 0; i < n; i++) {
        if ((unsigned char)u[i] < 0x20 || (unsigned char)u[i] > 0x7E)
            return 0;
        if (u[i] == ' ') {
            if (u[i - 1] == ' ')
                return 0;
            word = 0;
        } else if (++word > word_max) {
            return 0;
        }
        if (u[i] == '=' && i + 1 < n && u[i + 1] == '?')
            return 0;
    }
    return 1;
}

static int fold_plain(struct buf *out, const char *u, size_t n, size_t column)
{
    size_t col = column, i = 0, j;
    int rc = 0;

    while (i < n && !rc) {
        for (j = i; j < n && u[j] != ' '; j++)
            ;
        if (i > 0 && col + 1 + (j - i) > LINE_SOFT) {
            rc = buf_add(out, "\r\n ", 3);
            col = 1;
        } else if (i > 0) {
            rc = buf_addch(out, ' ');
            col++;
        }
        if (!rc)
            rc = buf_add(out, u + i, j - i);
        col += j - i;
        i = j + 1;
    }
    return rc;
}

int rfc2047_encode_text(struct buf *out, const char *s, size_t len, size_t column)
{
    struct buf u = BUF_INIT;
    int rc;

    rc = rfc2047_clean(&u, s, len);
    if (rc)
        goto out;
    if (plain_ascii(u.data, u.len, PLAIN_WORD_MAX))
        rc = fold_plain(out, u.data, u.len, column);
    else
        rc = encode_words(out, u.data, u.len, column, 1);
out:
    buf_release(&u);
    return rc;
}

static int atext_or_space(unsigned char c)
{
    return c == ' ' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int quote_ascii(struct buf *out, const char *u, size_t n, int quote)
{
    size_t i;
    int rc;

    rc = quote ? buf_addch(out, '"') : 0;
    for (i = 0; i < n && !rc;) {
        size_t j = i;
        while (j < n && u[j] != '"' && u[j] != '\\')
            j++;
        rc = buf_add(out, u + i, j - i); /* a run without '"' or '\\' */
        if (!rc && j < n)
            rc = buf_addch(out, '\\') || buf_addch(out, u[j++]);
        i = j;
    }
    if (!rc && quote)
        rc = buf_addch(out, '"');
    return rc;
}

int rfc2047_encode_phrase(struct buf *out, const char *s, size_t len, size_t column)
{
    struct buf u = BUF_INIT;
    size_t i;
    int rc, atoms = 1;

    rc = rfc2047_clean(&u, s, len);
    if (rc || u.len == 0)
        goto out;
    if (!plain_ascii(u.data, u.len, PLAIN_WORD_MAX) || u.len > 66) {
        rc = encode_words(out, u.data, u.len, column, 1);
        goto out;
    }
    for (i = 0; i < u.len; i++)
        atoms &= atext_or_space((unsigned char)u.data[i]);
    rc = quote_ascii(out, u.data, u.len, !atoms);
out:
    buf_release(&u);
    return rc;
}

int rfc2047_encode_param(struct buf *out, const char *s, size_t len)
{
    struct buf u = BUF_INIT;
    int rc;

    rc = rfc2047_clean(&u, s, len);
    if (rc || u.len == 0)
        goto out;
    if (plain_ascii(u.data, u.len, SIZE_MAX) && !memchr(u.data, '"', u.len) &&
        !memchr(u.data, '\\', u.len))
        rc = buf_add(out, u.data, u.len);
    else
        rc = encode_words(out, u.data, u.len, 0, 0);
out:
    buf_release(&u);
    return rc;
}

/* ---- decoding ---- */

static int decode_q(struct buf *raw, const char *t, size_t n)
{
    size_t i;
    int h;

    for (i = 0; i < n; i++) {
        if (t[i] == '_') {
            if (buf_addch(raw, ' '))
                return -2;
        } else if (t[i] == '=') {
            if (i + 2 >= n)
                return -1;
            if ((h = hex_byte(t + i + 1)) < 0)
                return -1;
            if (buf_addch(raw, h))
                return -2;
            i += 2;
        } else if (buf_addch(raw, t[i])) {
            return -2;
        }
    }
    return 0;
}

static int decode_b(struct buf *raw, const char *t, size_t n)
{
    uint32_t acc = 0;
    int bits = 0, v;
    size_t i;

    for (i = 0; i < n && t[i] != '='; i++) {
        v = base64_digit((unsigned char)t[i]);
        if (v < 0)
            return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (buf_addch(raw, (acc >> bits) & 0xFF))
                return -2;
        }
    }
    return 0;
}

/* One encoded word at s; returns its length (0: not a valid word, or
 * out of memory: *oom is then set and out may hold part of the word). */
static size_t decode_word(struct buf *out, const char *s, size_t len, int *oom)
{
    const char *cs, *enc, *text, *end;
    struct buf raw = BUF_INIT;
    size_t cslen, i, n = 0;
    int rc;

    if (len < 8 || s[0] != '=' || s[1] != '?')
        return 0;
    cs = s + 2;
    enc = memchr(cs, '?', len - 2);
    if (!enc || enc + 3 >= s + len || enc[2] != '?')
        return 0;
    text = enc + 3;
    for (end = text; end + 1 < s + len && !(end[0] == '?' && end[1] == '='); end++)
        if (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            return 0;
    if (end + 1 >= s + len)
        return 0;
    cslen = (size_t)(enc - cs);
    if (memchr(cs, '*', cslen)) /* RFC 2231 language tag: UTF-8*es */
        cslen = (size_t)((const char *)memchr(cs, '*', cslen) - cs);
    if (enc[1] == 'Q' || enc[1] == 'q')
        rc = decode_q(&raw, text, (size_t)(end - text));
    else if (enc[1] == 'B' || enc[1] == 'b')
        rc = decode_b(&raw, text, (size_t)(end - text));
    else
        rc = -1;
    if (rc == -2)
        *oom = 1;
    if (rc)
        goto out;
    if ((cslen == 5 && !strncasecmp(cs, "UTF-8", 5)) ||
        (cslen == 8 && !strncasecmp(cs, "US-ASCII", 8))) {
        rc = utf8_append(out, raw.data, raw.len, 0);
    } else if ((cslen == 10 && !strncasecmp(cs, "ISO-8859-1", 10)) ||
               (cslen == 6 && !strncasecmp(cs, "LATIN1", 6))) {
        for (i = 0; i < raw.len && !rc; i++) {
            unsigned char c = (unsigned char)raw.data[i];
            rc = c < 0x80 ? buf_addch(out, c)
                          : (buf_addch(out, 0xC0 | c >> 6) || buf_addch(out, 0x80 | (c & 0x3F)));
        }
    } else {
        goto out; /* unknown charset: caller copies the word as it is */
    }
    if (!rc)
        n = (size_t)(end + 2 - s);
    else
        *oom = 1; /* utf8_append and buf_addch fail only when out is full */
out:
    buf_release(&raw);
    return n;
}

int rfc2047_decode(struct buf *out, const char *s, size_t len)
{
    size_t i = 0, n, j, mark;
    int after_word = 0, rc = 0, oom = 0;

    while (i < len && !rc && !oom) {
        if (s[i] == '\r' && i + 2 < len + 0 && s[i + 1] == '\n' &&
            (s[i + 2] == ' ' || s[i + 2] == '\t')) {
            i += 2; /* unfold */
            continue;
        }
        if (after_word && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) {
            /* whitespace between two encoded words is dropped */
            for (j = i; j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n');
                 j++)
                ;
            mark = out->len;
            if (j < len && (n = decode_word(out, s + j, len - j, &oom)) > 0) {
                i = j + n;
                continue;
            }
            buf_setlen(out, mark);
            after_word = 0;
            continue;
        }
        if (s[i] == '=' && (n = decode_word(out, s + i, len - i, &oom)) > 0) {
            i += n;
            after_word = 1;
            continue;
        }
        for (j = i + 1; j < len && s[j] != '=' && s[j] != ' ' && s[j] != '\t' && s[j] != '\r'; j++)
            ;
        if (oom)
            break;
        rc = utf8_append(out, s + i, j - i, 0);
        i = j;
        after_word = 0;
    }
    return rc || oom ? -1 : 0;
}
