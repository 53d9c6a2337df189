/* message - one personalized MIME message, built with libetpan. */
#include "message.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <libetpan/libetpan.h>

#include "base64.h"
#include "clock.h"
#include "hex.h"
#include "rfc2047.h"
#include "utf8.h"

#include "banned.h"

#define FILE_CAP MESSAGE_MAX /* larger attachments are refused */
#define FILENAME_MAX_LEN 200
#define LINE_MAX_OCTETS 998

/* What one build owns besides the libetpan tree: file contents (the tree
 * points into them, set_body_text does not copy) and scratch strings. */
/* A body in the tree is a short placeholder; tree_write() puts the encoded
 * body in its place. libetpan's writer goes through every octet of the data
 * it writes (for line lengths it does not need to check: our encoders keep
 * lines short), which was half of the cost of a message. */
struct body {
    const char *data; /* encoded, in struct build */
    size_t len;
    char placeholder[48];
};

struct build {
    const struct message_spec *m;
    struct buf *files;
    size_t nfiles;
    struct body *bodies;
    size_t nbodies;
    struct buf qp; /* quoted-printable text body, then HTML body */
    size_t qp_text_len;
    uint64_t boundary_seed;
    unsigned boundaries;
    struct err *err;
};

static const struct {
    const char *ext;
    const char *type;
} mime_types[] = {
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"svg", "image/svg+xml"},
    {"txt", "text/plain"},
    {"csv", "text/csv"},
    {"html", "text/html"},
    {"htm", "text/html"},
    {"ics", "text/calendar"},
    {"doc", "application/msword"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"xls", "application/vnd.ms-excel"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"ppt", "application/vnd.ms-powerpoint"},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"odt", "application/vnd.oasis.opendocument.text"},
    {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
    {"zip", "application/zip"},
    {"mp3", "audio/mpeg"},
    {"m4a", "audio/mp4"},
    {"mp4", "video/mp4"},
};

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

/* ---- validation of what goes into structured headers ---- */

static int atext(unsigned char c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int domain_ok(const char *d, size_t n)
{
    size_t i, label = 0;

    if (n == 0 || n > 253 || d[0] == '.' || d[n - 1] == '.')
        return 0;
    for (i = 0; i < n; i++) {
        if (d[i] == '.') {
            if (label == 0 || d[i - 1] == '-')
                return 0;
            label = 0;
        } else if (isalnum((unsigned char)d[i]) || (d[i] == '-' && label > 0)) {
            if (++label > 63)
                return 0;
        } else {
            return 0;
        }
    }
    return d[n - 1] != '-' && memchr(d, '.', n) != NULL;
}

/* local@domain, dot-atom local part, plain ASCII: defence in depth behind
 * the address module, and the reason no CR/LF/NUL can reach a header. */
static int address_ok(const char *a)
{
    const char *at;
    size_t n, i;

    if (!a)
        return 0;
    n = strlen(a);
    at = strrchr(a, '@');
    if (n > 254 || !at || at == a || at - a > 64 || a[0] == '.' || at[-1] == '.')
        return 0;
    for (i = 0; a + i < at; i++)
        if (!(atext((unsigned char)a[i]) || (a[i] == '.' && a[i + 1] != '.')))
            return 0;
    return domain_ok(at + 1, strlen(at + 1));
}

/* Message-ID / Content-ID / List-Id identifiers: dot-atom text, maybe one '@'. */
static int id_ok(const char *s, int need_at)
{
    size_t i, n = s ? strlen(s) : 0, ats = 0;

    if (n == 0 || n > 250)
        return 0;
    for (i = 0; i < n; i++) {
        if (s[i] == '@')
            ats++;
        else if (!atext((unsigned char)s[i]) && s[i] != '.')
            return 0;
    }
    return need_at ? ats == 1 : ats <= 1;
}

static int url_ok(const char *u)
{
    size_t i, n = strlen(u);

    if (n > 900 || strncmp(u, "https://", 8) != 0 || n == 8)
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7F || u[i] == '<' ||
            u[i] == '>' || u[i] == '"')
            return 0;
    return 1;
}

/* A printable copy of untrusted text for an error message. */
static const char *shown(char *dst, size_t size, const char *s)
{
    size_t i;

    for (i = 0; s && s[i] && i + 1 < size; i++)
        dst[i] = (s[i] >= 0x20 && s[i] < 0x7F) ? s[i] : '?';
    dst[i] = '\0';
    return dst;
}

static int bad_field(struct err *err, const char *field, const char *value)
{
    char v[81];

    return err_set(err, ERR_DATA, "message: invalid %s \"%s\"", field, shown(v, sizeof(v), value));
}

static int check_spec(const struct message_spec *m, struct err *err)
{
    if (!address_ok(m->from_address))
        return bad_field(err, "From address", m->from_address);
    if (!address_ok(m->to_address))
        return bad_field(err, "To address", m->to_address);
    if (m->reply_to && !address_ok(m->reply_to))
        return bad_field(err, "Reply-To address", m->reply_to);
    if (m->unsubscribe_mailto && !address_ok(m->unsubscribe_mailto))
        return bad_field(err, "List-Unsubscribe address", m->unsubscribe_mailto);
    if (m->unsubscribe_mailto && m->unsubscribe_url && !url_ok(m->unsubscribe_url))
        return bad_field(err, "List-Unsubscribe URL (https://, no spaces or <>)",
                         m->unsubscribe_url);
    if (!id_ok(m->message_id, 1))
        return bad_field(err, "Message-ID", m->message_id);
    if (!m->subject || !m->text)
        return err_set(err, ERR_DATA, "message: subject and text body are required");
    /* the bodies' UTF-8 is checked while they are encoded (bodies_encode) */
    return 0;
}

/* ---- headers ---- */

static char *dup_buf(struct buf *b)
{
    return xstrndup(b->data, b->len);
}

/* A mailbox with an encoded display name. libetpan quotes a name that is
 * not all atext itself, so an ASCII name that needs quoting is handed over
 * clean and unquoted (it escapes '"' and '\'); encoded words are atext. */
/* Display names longer than this once encoded (about 1,000 characters) are
 * not written: a From name is an error, a contact's name is left out of To. */
#define DISPLAY_NAME_ENCODED_MAX 4000

/* A mailbox; NULL when out of memory, or (*too_long set) when name is too
 * long to write. */
static struct mailimf_mailbox *mailbox_make(const char *name, const char *addr, size_t column,
                                            int *too_long)
{
    struct buf b = BUF_INIT;
    struct mailimf_mailbox *mb = NULL;
    char *dn = NULL, *as = NULL;

    *too_long = 0;
    if (name && *name && rfc2047_encode_phrase(&b, name, strlen(name), column))
        goto out;
    if (b.len > DISPLAY_NAME_ENCODED_MAX) {
        *too_long = 1;
        goto out;
    }
    /* Encoded words go to libetpan separated by spaces, unfolded: it folds
     * the header itself, and it would put a phrase holding CR LF inside
     * quotes, where encoded words are not decoded (RFC 2047 5(3)). */
    for (size_t i = 0, j = 0; i <= b.len; i++) {
        if (i + 2 < b.len && b.data[i] == '\r' && b.data[i + 1] == '\n' && b.data[i + 2] == ' ')
            i += 2;
        b.data[j++] = b.data[i]; /* the NUL too */
        if (i == b.len)
            buf_setlen(&b, j - 1);
    }
    if (b.len && b.data[0] == '"') {
        buf_reset(&b);
        if (rfc2047_clean(&b, name, strlen(name)))
            goto out;
    }
    dn = b.len ? dup_buf(&b) : NULL;
    as = strdup(addr);
    if ((b.len && !dn) || !as)
        goto out;
    mb = mailimf_mailbox_new(dn, as);
out:
    if (!mb) {
        free(dn);
        free(as);
    }
    buf_release(&b);
    return mb;
}

static int address_list_add(struct mailimf_address_list *list, struct mailimf_mailbox *mb)
{
    struct mailimf_address *a = mb ? mailimf_address_new(MAILIMF_ADDRESS_MAILBOX, mb, NULL) : NULL;

    if (!a) {
        if (mb)
            mailimf_mailbox_free(mb);
        return -1;
    }
    if (mailimf_address_list_add(list, a) != MAILIMF_NO_ERROR) {
        mailimf_address_free(a);
        return -1;
    }
    return 0;
}

/* Date: in Mexico City by the zone's rules for that day (clock.h): -0500
 * in the summers up to 2022, -0600 otherwise. libetpan takes the zone as
 * hhmm in a number (-500). */
static struct mailimf_date_time *date_make(time_t t)
{
    struct tm tm;
    int off = clock_utc_offset(t), mag = off < 0 ? -off : off;

    clock_local(t, &tm);
    return mailimf_date_time_new(tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900, tm.tm_hour,
                                 tm.tm_min, tm.tm_sec,
                                 (off < 0 ? -1 : 1) * (mag / 60 * 100 + mag % 60));
}

static int custom_add(struct mailimf_fields *f, const char *name, struct buf *value)
{
    char *n = strdup(name), *v = dup_buf(value);
    struct mailimf_field *field = n && v ? mailimf_field_new_custom(n, v) : NULL;

    if (!field) {
        free(n);
        free(v);
        return -1;
    }
    if (mailimf_fields_add(f, field) != MAILIMF_NO_ERROR) {
        mailimf_field_free(field);
        return -1;
    }
    return 0;
}

/* List-Id: "Name <id>" (name encoded) or a bare id. */
static int list_id_add(struct mailimf_fields *f, const char *list_id, struct err *err)
{
    struct buf v = BUF_INIT, id = BUF_INIT;
    const char *lt = strrchr(list_id, '<');
    size_t namelen = lt ? (size_t)(lt - list_id) : 0;
    int rc = -1;

    if (lt) {
        const char *gt = strchr(lt, '>');
        if (!gt || gt[1] != '\0' || buf_add(&id, lt + 1, (size_t)(gt - lt - 1)))
            goto bad;
        while (namelen && list_id[namelen - 1] == ' ')
            namelen--;
    } else if (buf_addstr(&id, list_id)) {
        goto bad;
    }
    if (!id_ok(id.data, 0) || strchr(id.data, '@'))
        goto bad;
    if (namelen && (rfc2047_encode_phrase(&v, list_id, namelen, 9) || buf_addch(&v, ' ')))
        goto nomem;
    if (buf_addf(&v, "<%s>", id.data) || custom_add(f, "List-Id", &v))
        goto nomem;
    rc = 0;
    goto out;
bad:
    rc = bad_field(err, "List-Id (want \"Name <list.example.org>\")", list_id);
    goto out;
nomem:
    rc = err_nomem(err);
out:
    buf_release(&v);
    buf_release(&id);
    return rc;
}

static int list_headers_add(struct mailimf_fields *f, const struct message_spec *m, struct err *err)
{
    struct buf v = BUF_INIT;
    int rc = 0;

    if (m->list_id && list_id_add(f, m->list_id, err))
        return -1;
    if (!m->unsubscribe_mailto)
        return 0;
    rc = buf_addf(&v, "<mailto:%s?subject=unsubscribe>", m->unsubscribe_mailto);
    if (!rc && m->unsubscribe_url)
        rc = buf_addf(&v, ", <%s>", m->unsubscribe_url);
    if (!rc)
        rc = custom_add(f, "List-Unsubscribe", &v);
    if (!rc && m->unsubscribe_url) {
        buf_reset(&v);
        rc = buf_addstr(&v, "List-Unsubscribe=One-Click") ||
             custom_add(f, "List-Unsubscribe-Post", &v);
    }
    buf_release(&v);
    return rc ? err_nomem(err) : 0;
}

static struct mailimf_fields *fields_make(const struct message_spec *m, struct err *err)
{
    struct mailimf_date_time *date = date_make(m->date);
    struct mailimf_mailbox_list *from = mailimf_mailbox_list_new_empty();
    struct mailimf_address_list *to = mailimf_address_list_new_empty();
    struct mailimf_address_list *reply = m->reply_to ? mailimf_address_list_new_empty() : NULL;
    struct mailimf_mailbox *mb;
    struct mailimf_fields *f = NULL;
    struct buf subj = BUF_INIT;
    char *subject = NULL, *mid = strdup(m->message_id);
    int too_long;

    if (!date || !from || !to || (m->reply_to && !reply) || !mid)
        goto fail;
    if (!(mb = mailbox_make(m->from_name, m->from_address, 6, &too_long))) {
        if (too_long) {
            err_set(err, ERR_DATA,
                    "message: the From name is too long for a header (at most about %d "
                    "characters)",
                    DISPLAY_NAME_ENCODED_MAX / 4);
            goto fail_set;
        }
        goto fail;
    }
    if (mailimf_mailbox_list_add(from, mb) != MAILIMF_NO_ERROR) {
        mailimf_mailbox_free(mb);
        goto fail;
    }
    /* A contact's name too long for the To header (hostile or broken list)
     * is left out of it: the message still goes to the address alone, and
     * the body still greets the contact by name. */
    mb = mailbox_make(m->to_name, m->to_address, 4, &too_long);
    if (!mb && too_long)
        mb = mailbox_make(NULL, m->to_address, 4, &too_long);
    if (!mb || address_list_add(to, mb))
        goto fail;
    /* Reply-To with its name ("Observación Electoral IECM <...>"), or the
     * address alone when the name cannot be a header */
    mb = reply ? mailbox_make(m->reply_to_name, m->reply_to, 10, &too_long) : NULL;
    if (reply && !mb && too_long)
        mb = mailbox_make(NULL, m->reply_to, 10, &too_long);
    if (reply && address_list_add(reply, mb))
        goto fail;
    if (rfc2047_encode_text(&subj, m->subject, strlen(m->subject), 9) ||
        !(subject = dup_buf(&subj)))
        goto fail;
    f = mailimf_fields_new_with_data_all(date, from, NULL, reply, to, NULL, NULL, mid, NULL, NULL,
                                         subject);
    if (!f)
        goto fail;
    buf_release(&subj);
    if (list_headers_add(f, m, err)) {
        mailimf_fields_free(f);
        return NULL;
    }
    return f;
fail:
    err_nomem(err);
fail_set:
    if (date)
        mailimf_date_time_free(date);
    if (from)
        mailimf_mailbox_list_free(from);
    if (to)
        mailimf_address_list_free(to);
    if (reply)
        mailimf_address_list_free(reply);
    free(mid);
    free(subject);
    buf_release(&subj);
    return NULL;
}

/* ---- body parts ---- */

/* Quoted-printable (RFC 2045 6.7) of UTF-8 text: LF and CRLF become CRLF
 * hard breaks, lines end with a soft break before 76 columns, an =XX is
 * never split, whitespace before a break is encoded, and a line never
 * starts with "." or "From " (for naive transports and mbox readers).
 * Done here because libetpan's own encoder doubles whitespace that ends a
 * line ("a \n" comes back as "a  \n"). */
/* Octets copied as they are in the middle of a line: printable ASCII but
 * '=', and the space (not at the end of a line: checked after the run). */
static const unsigned char qp_run[256] = {
    [' ' ... '<'] = 1,
    ['>' ... '~'] = 1,
};

/* Eight octets at once: a mask with the high bit set in every octet that
 * is not in qp_run (0x20..0x7E but '='). Each test works on the low seven
 * bits with the high bit forced, so no carry or borrow crosses an octet:
 * the mask is exact, and its first set octet is where a run stops. */
static uint64_t qp_stops8(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t low = v & ~highs;

    return (v & highs) |                                       /* 0x80 and above */
           ((low + ones) & highs) |                            /* 0x7F */
           (~((low | highs) - ones * 0x20) & highs) |          /* below 0x20 */
           (~(((low ^ (ones * '=')) | highs) - ones) & highs); /* '=' */
}

/* Index of the first octet (in memory order) flagged in a non-zero mask. */
static size_t qp_first8(uint64_t stops)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (size_t)__builtin_clzll(stops) >> 3;
#else
    return (size_t)__builtin_ctzll(stops) >> 3;
#endif
}

/* Copy the run of qp_run octets at s[i..n), at most room of them, to w;
 * the number copied. Words are stored whole and the length cut at the
 * first stop: w needs 8 octets of room past the end of the run (qp_encode
 * sizes the output for it). */
static size_t qp_run_copy(char *w, const char *s, size_t i, size_t n, size_t room)
{
    size_t j = i, end = n - i < room ? n : i + room, k;
    uint64_t v, stops;

    while (j < end && j + 8 <= n) {
        memcpy(&v, s + j, 8);
        memcpy(w + (j - i), &v, 8);
        stops = qp_stops8(v);
        k = stops ? qp_first8(stops) : 8;
        j += k;
        if (k < 8)
            break;
    }
    if (j > end)
        j = end;
    for (; j < end && qp_run[(unsigned char)s[j]]; j++)
        w[j - i] = s[j];
    return j - i;
}

/* 0, -1 out of memory, 1 the text is not valid UTF-8 (checked first
 * by utf8_valid: no overlongs, surrogates or > U+10FFFF). */
static int qp_encode(struct buf *out, const char *s, size_t n)
{
    size_t i = 0, col = 0, tl, k;
    unsigned char c;
    char *w;
    int lit;

    if (!utf8_valid(s, n))
        return 1;
    /* at most 3 octets an input octet and 3 a soft break (one per 25 =XX at
     * worst), with 16 to spare for qp_run_copy's whole words */
    if (n > (SIZE_MAX - 16) / 4 || buf_grow(out, n * 4 + 16))
        return -1;
    w = out->data + out->len;
    while (i < n) {
        c = (unsigned char)s[i];
        /* the common case: printable ASCII that fits on the line (up to
         * column 74; not a '.' or 'F' that starts one), or a space that does
         * not end a line; runs of them are copied a word at once */
        if (col < 75 && qp_run[c] && (col || (c != '.' && c != 'F'))) {
            k = qp_run_copy(w, s, i, n, 75 - col);
            /* a space that would end a line is left to the careful path */
            if (s[i + k - 1] == ' ' && (i + k == n || s[i + k] == '\r' || s[i + k] == '\n'))
                k--;
            if (k) {
                w += k;
                col += k;
                i += k;
                continue;
            }
        }
        if (c >= 0x7F && col <= 72) { /* UTF-8 octets: always =XX */
            w[0] = '=';
            w[1] = hex_upper[c >> 4];
            w[2] = hex_upper[c & 15];
            w += 3;
            col += 3;
            i++;
            continue;
        }
        if (c == '\n' || (c == '\r' && i + 1 < n && s[i + 1] == '\n')) {
            i += c == '\r' ? 2 : 1;
            *w++ = '\r';
            *w++ = '\n';
            col = 0;
            continue;
        }
        if (c == ' ' || c == '\t')
            lit = i + 1 < n && s[i + 1] != '\n' && s[i + 1] != '\r';
        else
            lit = c >= 33 && c <= 126 && c != '=' &&
                  !(col == 0 &&
                    (c == '.' || (c == 'F' && n - i >= 5 && memcmp(s + i, "From ", 5) == 0)));
        tl = lit ? 1 : 3;
        if (col + tl > 75) { /* soft break; the octet starts the next line */
            memcpy(w, "=\r\n", 3);
            w += 3;
            col = 0;
            continue;
        }
        if (lit) {
            *w++ = (char)c;
        } else {
            *w++ = '=';
            *w++ = hex_upper[c >> 4];
            *w++ = hex_upper[c & 15];
        }
        col += tl;
        i++;
    }
    buf_setlen(out, (size_t)(w - out->data));
    return 0;
}

/* Base64 in lines of 76 and a final CRLF, as libetpan would write it, but
 * in one pass: libetpan's writer appends four octets at a time. Whole
 * lines (57 input octets) first; CRLF after a line only when more follows. */
static int base64_encode(struct buf *out, const unsigned char *p, size_t n)
{
    size_t i, need = BASE64_LEN(n);
    char *w;

    if (n > SIZE_MAX / 2 || buf_grow(out, need + need / 76 * 2 + 4))
        return -1;
    w = out->data + out->len;
    for (i = 0; n - i > 57; i += 57) {
        w = base64_put(w, p + i, 57);
        *w++ = '\r';
        *w++ = '\n';
    }
    w = base64_put(w, p + i, n - i);
    *w++ = '\r';
    *w++ = '\n';
    buf_setlen(out, (size_t)(w - out->data));
    return 0;
}

/* Small writers for placeholders and boundaries (snprintf cost more than
 * the rest of building them); each returns the end of what it wrote. */
static char *put_str(char *w, const char *s)
{
    size_t n = strlen(s);

    memcpy(w, s, n);
    return w + n;
}

static char *put_dec(char *w, size_t v)
{
    char tmp[24];
    size_t n = 0;

    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        *w++ = tmp[--n];
    return w;
}

static char *put_hex16(char *w, uint64_t v) /* "%016llx" */
{
    int i;

    for (i = 15; i >= 0; i--, v >>= 4)
        w[i] = hex_lower[v & 15];
    return w + 16;
}

/* A Content-Type for "top/sub" built directly: what
 * mailmime_content_new_with_str() parses it into, without the parser (a
 * tenth of the cost of a part). Types of other tops go to the parser. */
static struct mailmime_content *content_make(const char *type)
{
    static const struct {
        const char *name;
        int composite, code;
    } tops[] = {
        {"text", 0, MAILMIME_DISCRETE_TYPE_TEXT},
        {"image", 0, MAILMIME_DISCRETE_TYPE_IMAGE},
        {"audio", 0, MAILMIME_DISCRETE_TYPE_AUDIO},
        {"video", 0, MAILMIME_DISCRETE_TYPE_VIDEO},
        {"application", 0, MAILMIME_DISCRETE_TYPE_APPLICATION},
        {"multipart", 1, MAILMIME_COMPOSITE_TYPE_MULTIPART},
    };
    const char *slash = strchr(type, '/');
    struct mailmime_discrete_type *dt = NULL;
    struct mailmime_composite_type *ct = NULL;
    struct mailmime_type *tp = NULL;
    struct mailmime_content *content = NULL;
    clist *params = NULL;
    char *sub = NULL;
    size_t i, n = slash ? (size_t)(slash - type) : 0;

    for (i = 0; i < sizeof(tops) / sizeof(tops[0]); i++)
        if (n && strlen(tops[i].name) == n && !memcmp(type, tops[i].name, n))
            break;
    if (i == sizeof(tops) / sizeof(tops[0]))
        return mailmime_content_new_with_str(type);
    if (tops[i].composite)
        ct = mailmime_composite_type_new(tops[i].code, NULL);
    else
        dt = mailmime_discrete_type_new(tops[i].code, NULL);
    if ((!ct && !dt) ||
        !(tp = mailmime_type_new(ct ? MAILMIME_TYPE_COMPOSITE_TYPE : MAILMIME_TYPE_DISCRETE_TYPE,
                                 dt, ct)))
        goto fail;
    ct = NULL;
    dt = NULL;
    if (!(sub = strdup(slash + 1)) || !(params = clist_new()) ||
        !(content = mailmime_content_new(tp, sub, params)))
        goto fail;
    return content;
fail:
    if (ct)
        mailmime_composite_type_free(ct);
    if (dt)
        mailmime_discrete_type_free(dt);
    if (tp)
        mailmime_type_free(tp);
    if (params)
        clist_free(params);
    free(sub);
    return NULL;
}

/* Append name=value to a Content-Type's parameters; -1 when out of memory. */
static int add_param(struct mailmime_content *ct, const char *name, const char *value)
{
    struct mailmime_parameter *p = mailmime_param_new_with_data((char *)name, (char *)value);

    if (!p || clist_append(ct->ct_parameters, p) < 0) {
        if (p)
            mailmime_parameter_free(p);
        return -1;
    }
    return 0;
}

/* Data for a part: the placeholder of an already encoded body. "=_" never
 * occurs in quoted-printable or base64 text, and the token is as random as
 * the boundaries, so no body or header can contain a placeholder. */
static struct mailmime_data *body_data(struct build *b, int mechanism, const char *data, size_t len)
{
    struct body *bd = &b->bodies[b->nbodies];
    char *w = put_hex16(put_str(bd->placeholder, "=_vcbody"), b->boundary_seed);

    *put_dec(put_str(w, "_"), b->nbodies) = '\0'; /* "=_vcbody%016llx_%zu" */
    bd->data = data;
    bd->len = len;
    b->nbodies++;
    return mailmime_data_new_data(mechanism, 1, bd->placeholder, strlen(bd->placeholder));
}

static struct mailmime *text_part(struct build *b, const char *type, const char *qp, size_t len)
{
    struct mailmime_content *ct = content_make(type);
    struct mailmime_parameter *cs = mailmime_param_new_with_data("charset", "utf-8");
    struct mailmime_fields *fl = mailmime_fields_new_encoding(MAILMIME_MECHANISM_QUOTED_PRINTABLE);
    struct mailmime_data *data;
    struct mailmime *part = NULL;

    if (!ct || !cs || !fl || clist_append(ct->ct_parameters, cs) < 0)
        goto fail;
    cs = NULL;
    part = mailmime_new_empty(ct, fl);
    if (!part)
        goto fail;
    /* Encoded already (bodies_encode), so libetpan writes it as it is; the
     * data does not copy: qp lives in struct build until the message is
     * written. */
    if (!(data = body_data(b, MAILMIME_MECHANISM_QUOTED_PRINTABLE, qp, len))) {
        mailmime_free(part);
        return NULL;
    }
    part->mm_data.mm_single = data;
    return part;
fail:
    if (ct)
        mailmime_content_free(ct);
    if (cs)
        mailmime_parameter_free(cs);
    if (fl)
        mailmime_fields_free(fl);
    return NULL;
}

static struct mailmime *multipart(struct build *b, const char *type)
{
    struct mailmime_content *ct = content_make(type);
    struct mailmime_fields *fl = mailmime_fields_new_empty();
    struct mailmime_parameter *p = NULL;
    struct mailmime *part = NULL;
    clist *parts = clist_new();
    char bnd[48], *w = bnd;
    unsigned n = ++b->boundaries;
    uint64_t h = fnv1a(b->boundary_seed, &n, sizeof(n));

    /* The boundary parameter is made here, not by mailmime_new_empty(),
     * whose own (time, random(), gethostname(), getpid()) would be thrown
     * away. "=_" never occurs in quoted-printable or base64 output, so the
     * boundary cannot collide with a body line. */
    w = put_str(w, "=_vc");
    w = put_dec(w, n);
    w = put_str(w, "_");
    *put_hex16(w, h) = '\0';
    if (!ct || !fl || !parts || !(p = mailmime_param_new_with_data("boundary", bnd)) ||
        clist_append(ct->ct_parameters, p) < 0)
        goto fail;
    p = NULL;
    if (!(part = mailmime_new(MAILMIME_MULTIPLE, NULL, 0, fl, ct, NULL, NULL, NULL, parts, NULL,
                              NULL)))
        goto fail;
    return part;
fail:
    if (p)
        mailmime_parameter_free(p);
    if (ct)
        mailmime_content_free(ct);
    if (fl)
        mailmime_fields_free(fl);
    if (parts)
        clist_free(parts);
    return NULL;
}

/* Wrap child in a new multipart of the given type, followed by nothing yet. */
static struct mailmime *wrap(struct build *b, const char *type, struct mailmime *child)
{
    struct mailmime *mp = multipart(b, type);

    if (!mp)
        return NULL;
    if (mailmime_smart_add_part(mp, child) != MAILIMF_NO_ERROR) {
        mailmime_free(mp);
        return NULL;
    }
    return mp;
}

static const char *mime_type_for(const char *name)
{
    const char *dot = strrchr(name, '.');
    size_t i;

    if (!dot)
        return NULL;
    for (i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
        if (!strcasecmp(dot + 1, mime_types[i].ext))
            return mime_types[i].type;
    return NULL;
}

/* The name shown for a file and its MIME type; -1 with err set. */
static int file_check(struct build *b, const struct message_file *mf, const char **shown,
                      const char **type)
{
    *shown = mf->filename;
    if (!*shown) {
        *shown = strrchr(mf->path, '/');
        *shown = *shown ? *shown + 1 : mf->path;
    }
    if (!(*type = mime_type_for(*shown)))
        return err_set(b->err, ERR_DATA, "%s: unknown file type (extension) for an attachment",
                       mf->path);
    if (strlen(*shown) > FILENAME_MAX_LEN || strchr(*shown, '/'))
        return err_set(b->err, ERR_DATA, "%s: attachment name too long or holds '/'", mf->path);
    if (mf->content_id && !id_ok(mf->content_id, 0))
        return err_set(b->err, ERR_DATA, "%s: invalid Content-ID", mf->path);
    return 0;
}

/* An iCalendar file's METHOD line: REQUEST, or PUBLISH (the default), in
 * the text s[0..len) already read: its first 200 lines of at most 255
 * octets (a longer line counts as several). */
static const char *calendar_method(const char *s, size_t len)
{
    const char *method = "PUBLISH"; /* a header value, not a message */
    size_t i, end, room;
    const char *nl;
    int n;

    for (i = 0, n = 0; i < len && n < 200; i = end, n++) {
        room = len - i < 255 ? len - i : 255;
        nl = memchr(s + i, '\n', room);
        end = nl ? (size_t)(nl - s) + 1 : i + room;
        if (end - i >= 14 && !strncasecmp(s + i, "METHOD:REQUEST", 14)) {
            method = "REQUEST";
            break;
        }
    }
    return method;
}

/* An empty base64 part: Content-Type with name=, Content-ID when inline,
 * Content-Disposition with filename=. NULL when out of memory.
 * method: an iCalendar part's (text/calendar gets charset and method), else NULL. */
static struct mailmime *file_headers(const char *shown, const char *type, const char *content_id,
                                     const char *method)
{
    struct buf name = BUF_INIT;
    struct mailmime_content *ct = NULL;
    struct mailmime_parameter *np = NULL;
    struct mailmime_disposition *dsp = NULL;
    struct mailmime_mechanism *enc = NULL;
    struct mailmime_fields *fl = NULL;
    struct mailmime *part = NULL;
    char *fname = NULL, *cid = NULL;

    /* libetpan cannot write RFC 2231 filename*=: RFC 2047 words inside the
     * quoted parameters instead, which Gmail, Outlook and Thunderbird read. */
    if (rfc2047_encode_param(&name, shown, strlen(shown)))
        goto out;
    ct = content_make(type);
    if (ct && method && (add_param(ct, "charset", "utf-8") || add_param(ct, "method", method))) {
        mailmime_content_free(ct);
        ct = NULL;
    }
    np = mailmime_param_new_with_data("name", name.data);
    if (!ct || !np || clist_append(ct->ct_parameters, np) < 0)
        goto out;
    np = NULL;
    fname = dup_buf(&name);
    cid = content_id ? strdup(content_id) : NULL;
    if (!fname || (content_id && !cid))
        goto out;
    dsp = mailmime_disposition_new_with_data(content_id ? MAILMIME_DISPOSITION_TYPE_INLINE
                                                        : MAILMIME_DISPOSITION_TYPE_ATTACHMENT,
                                             fname, NULL, NULL, NULL, (size_t)-1);
    if (!dsp)
        goto out;
    fname = NULL;
    if (!(enc = mailmime_mechanism_new(MAILMIME_MECHANISM_BASE64, NULL)) ||
        !(fl = mailmime_fields_new_with_data(enc, cid, NULL, dsp, NULL)))
        goto out;
    enc = NULL;
    cid = NULL;
    dsp = NULL;
    if ((part = mailmime_new_empty(ct, fl))) {
        ct = NULL;
        fl = NULL;
    }
out:
    if (ct)
        mailmime_content_free(ct);
    if (np)
        mailmime_parameter_free(np);
    if (dsp)
        mailmime_disposition_free(dsp);
    if (enc)
        mailmime_mechanism_free(enc);
    if (fl)
        mailmime_fields_free(fl);
    free(fname);
    free(cid);
    buf_release(&name);
    return part;
}

/* Read path and append its base64 text to encoded; *method, its
 * iCalendar METHOD (calendar_method), from the same read. */
static int file_encode(const char *path, struct buf *encoded, const char **method, struct err *err)
{
    struct buf raw;
    int rc = -1;

    buf_init(&raw, FILE_CAP);
    if (buf_read_file(&raw, path)) {
        if (errno == ENOSPC)
            err_set(err, ERR_DATA, "%s: larger than %u MB, the limit for a whole message", path,
                    MESSAGE_MAX >> 20);
        else
            err_errno(err, ERR_DATA, "%s: cannot read attachment", path);
    } else if (base64_encode(encoded, (const unsigned char *)raw.data, raw.len)) {
        err_nomem(err);
    } else {
        *method = calendar_method(raw.data, raw.len);
        rc = 0;
    }
    buf_release(&raw);
    return rc;
}

int message_file_load(struct message_file *mf, struct err *err)
{
    struct buf encoded = BUF_INIT;

    message_file_release(mf);
    if (file_encode(mf->path, &encoded, &mf->calendar_method, err)) {
        buf_release(&encoded);
        return -1;
    }
    if (!encoded.data && buf_addstr(&encoded, "")) /* an empty file */
        return err_nomem(err);
    mf->encoded = buf_detach(&encoded, &mf->encoded_len);
    return mf->encoded ? 0 : err_nomem(err);
}

void message_file_release(struct message_file *mf)
{
    free(mf->encoded);
    mf->encoded = NULL;
    mf->encoded_len = 0;
}

/* One file as a base64 part: its text loaded once (message_file_load), or
 * read and encoded now into `encoded`, kept until the message is written
 * (the tree points into it). */
static struct mailmime *file_part(struct build *b, const struct message_file *mf,
                                  struct buf *encoded)
{
    const char *shown, *type, *data = mf->encoded, *method = mf->calendar_method;
    size_t len = mf->encoded_len;
    struct mailmime *part;
    struct mailmime_data *body;

    if (file_check(b, mf, &shown, &type))
        return NULL;
    if (!data) {
        if (file_encode(mf->path, encoded, &method, b->err))
            return NULL;
        data = encoded->data;
        len = encoded->len;
    }
    if (!(part = file_headers(shown, type, mf->content_id,
                              strcmp(type, "text/calendar") ? NULL : method))) {
        err_nomem(b->err);
        return NULL;
    }
    if (!(body = body_data(b, MAILMIME_MECHANISM_BASE64, data, len))) {
        mailmime_free(part);
        err_nomem(b->err);
        return NULL;
    }
    part->mm_data.mm_single = body;
    return part;
}

/* Add files[0..n) as parts of mp; data holds their contents. */
static int files_add(struct build *b, struct mailmime *mp, const struct message_file *files,
                     size_t n)
{
    struct mailmime *part;
    size_t i;

    for (i = 0; i < n; i++) {
        part = file_part(b, &files[i], &b->files[b->nfiles++]);
        if (!part)
            return -1;
        if (mailmime_smart_add_part(mp, part) != MAILIMF_NO_ERROR) {
            mailmime_free(part);
            return err_nomem(b->err);
        }
    }
    return 0;
}

static struct mailmime *alternative_make(struct build *b)
{
    const struct message_spec *m = b->m;
    struct mailmime *alt, *part;

    if (!m->html)
        return text_part(b, "text/plain", b->qp.data, b->qp_text_len);
    if (!(alt = multipart(b, "multipart/alternative")))
        return NULL;
    if (!(part = text_part(b, "text/plain", b->qp.data, b->qp_text_len)))
        goto fail;
    if (mailmime_smart_add_part(alt, part) != MAILIMF_NO_ERROR)
        goto fail_part;
    if (!(part =
              text_part(b, "text/html", b->qp.data + b->qp_text_len, b->qp.len - b->qp_text_len)))
        goto fail;
    if (mailmime_smart_add_part(alt, part) != MAILIMF_NO_ERROR)
        goto fail_part;
    return alt;
fail_part:
    mailmime_free(part);
fail:
    mailmime_free(alt);
    return NULL;
}

/* alternative, inside related (inline images), inside mixed (attachments). */
static struct mailmime *body_make(struct build *b)
{
    const struct message_spec *m = b->m;
    struct mailmime *body, *outer;

    if (!(body = alternative_make(b))) {
        err_nomem(b->err);
        return NULL;
    }
    if (m->ninline) {
        struct mailmime_parameter *type;
        if (!(outer = wrap(b, "multipart/related", body)))
            goto nomem;
        body = outer;
        /* RFC 2387: the type of the root part, which comes first */
        type = mailmime_param_new_with_data("type", "multipart/alternative");
        if (!type || clist_append(body->mm_content_type->ct_parameters, type) < 0) {
            if (type)
                mailmime_parameter_free(type);
            goto nomem;
        }
        if (files_add(b, body, m->inline_files, m->ninline))
            goto fail;
    }
    if (m->nattachments) {
        if (!(outer = wrap(b, "multipart/mixed", body)))
            goto nomem;
        body = outer;
        if (files_add(b, body, m->attachments, m->nattachments))
            goto fail;
    }
    return body;
nomem:
    err_nomem(b->err);
fail:
    mailmime_free(body);
    return NULL;
}

/* The promise of the header: 7-bit, CRLF only, no line over 998 octets.
 * A safety net behind the construction, written with word-at-a-time and
 * memchr passes because it reads every octet of every message. */
static int output_check(const char *s, size_t n, struct err *err)
{
    const char *p = s, *end = s + n, *nl;
    uint64_t v, acc = 0;
    size_t i;

    for (i = 0; i + 8 <= n; i += 8) {
        memcpy(&v, s + i, 8);
        acc |= v;
    }
    for (; i < n; i++)
        acc |= (unsigned char)s[i];
    if (acc & 0x8080808080808080ULL || memchr(s, 0, n))
        goto bad;
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl || nl == p || nl[-1] != '\r' || nl - p - 1 > LINE_MAX_OCTETS ||
            memchr(p, '\r', (size_t)(nl - p - 1)))
            goto bad;
        p = nl + 1;
    }
    return 0;
bad:
    return err_set(err, ERR_SOFTWARE, "message: built message breaks the 7-bit/CRLF/998 rule");
}

static int build_init(struct build *b, const struct message_spec *m, struct err *err)
{
    uint64_t rnd;
    size_t i, n = m->ninline + m->nattachments;

    *b = (struct build){m, NULL, 0, NULL, 0, BUF_INIT, 0, FNV_OFFSET, 0, err};
    if (m->boundary_seed) {
        b->boundary_seed = fnv1a(FNV_OFFSET, m->boundary_seed, strlen(m->boundary_seed));
    } else {
        if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
            return err_errno(err, ERR_SOFTWARE, "message: getrandom");
        b->boundary_seed = fnv1a(FNV_OFFSET, &rnd, sizeof(rnd));
    }
    if (!(b->files = calloc(n + 1, sizeof(*b->files))) ||
        !(b->bodies = calloc(n + 2, sizeof(*b->bodies)))) {
        free(b->files);
        b->files = NULL;
        return err_nomem(err);
    }
    for (i = 0; i < n; i++)
        buf_init(&b->files[i], 0);
    return 0;
}

static void build_release(struct build *b)
{
    size_t i;

    for (i = 0; i < b->nfiles; i++)
        buf_release(&b->files[i]);
    free(b->files);
    free(b->bodies);
    buf_release(&b->qp);
}

/* Append the written tree to out with each placeholder replaced by its
 * body, in order. */
static int splice(const struct build *b, const char *s, size_t n, struct buf *out)
{
    const char *p = s, *end = s + n, *hit, *from;
    size_t i;

    for (i = 0; i < b->nbodies; i++) {
        const struct body *bd = &b->bodies[i];
        size_t len = strlen(bd->placeholder);
        /* A body's placeholder stands alone on its line (libetpan writes
         * part data after the blank line); the same text anywhere else, say
         * in a header a contact's name reached, is left as it is. */
        for (from = p;; from = hit + 1) {
            hit = memmem(from, (size_t)(end - from), bd->placeholder, len);
            if (!hit)
                return -1;
            if ((hit == s || (hit - s >= 2 && hit[-2] == '\r' && hit[-1] == '\n')) &&
                (hit + len == end ||
                 (end - (hit + len) >= 2 && hit[len] == '\r' && hit[len + 1] == '\n')))
                break;
        }
        if (buf_add(out, p, (size_t)(hit - p)) || buf_add(out, bd->data, bd->len))
            return -1;
        p = hit + len;
    }
    return buf_add(out, p, (size_t)(end - p));
}

/* Write the tree, end it with CRLF, check it, append it to out. */
static int tree_write(const struct build *b, struct mailmime *root, struct buf *out,
                      struct err *err)
{
    /* the tree without its bodies (headers and placeholders) is a few KB:
     * start there instead of growing from nothing */
    MMAPString *mm = mmap_string_sized_new(4096);
    size_t start = out->len, total, i;
    int col = 0, rc = -1;

    if (!mm)
        return err_nomem(err);
    if (mailmime_write_mem(mm, &col, root) != MAILIMF_NO_ERROR) {
        err_set(err, ERR_DATA, "message: libetpan could not write the message");
        goto out;
    }
    /* the size the message will have, before any of it is copied */
    total = mm->len;
    for (i = 0; i < b->nbodies; i++)
        total += b->bodies[i].len - strlen(b->bodies[i].placeholder);
    if (total > MESSAGE_MAX) {
        err_set(err, ERR_DATA,
                "message: %zu bytes, more than the %u MB a message may have (most servers "
                "refuse it): make the attachments or images smaller",
                total, MESSAGE_MAX >> 20);
        goto out;
    }
    if (splice(b, mm->str, mm->len, out) ||
        /* a single-part body may end without a line break: end the message */
        ((out->len - start < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0) &&
         buf_add(out, "\r\n", 2))) {
        buf_setlen(out, start);
        err_errno(err, ERR_DATA, "message: output buffer");
        goto out;
    }
    if (output_check(out->data + start, out->len - start, err)) {
        buf_setlen(out, start);
        goto out;
    }
    rc = 0;
out:
    mmap_string_free(mm);
    return rc;
}

/* Both bodies in quoted-printable, one after the other in one buffer
 * (sized once for both), their UTF-8 checked on the way. */
static int bodies_encode(struct build *b, const struct message_spec *m, struct err *err)
{
    size_t html_len = m->html ? m->html_len : 0;
    int rc;

    /* qp_encode's own bound for both at once, so the second does not move
     * the first */
    if (m->text_len < SIZE_MAX / 8 && html_len < SIZE_MAX / 8 &&
        buf_grow(&b->qp, (m->text_len + html_len) * 4 + 32))
        return err_nomem(err);
    rc = qp_encode(&b->qp, m->text, m->text_len);
    if (rc == 1)
        return err_set(err, ERR_DATA, "message: text body is not valid UTF-8");
    b->qp_text_len = b->qp.len;
    if (!rc && m->html)
        rc = qp_encode(&b->qp, m->html, m->html_len);
    if (rc == 1)
        return err_set(err, ERR_DATA, "message: HTML body is not valid UTF-8");
    return rc ? err_nomem(err) : 0;
}

int message_build(const struct message_spec *m, struct buf *out, struct err *err)
{
    struct build b;
    struct mailimf_fields *imf = NULL;
    struct mailmime *root = NULL, *body = NULL;
    int rc = -1;

    if (check_spec(m, err) || build_init(&b, m, err))
        return -1;
    if (bodies_encode(&b, m, err))
        goto out;
    if (!(imf = fields_make(m, err)) || !(body = body_make(&b)))
        goto out;
    if (!(root = mailmime_new_message_data(NULL))) {
        err_nomem(err);
        goto out;
    }
    mailmime_set_imf_fields(root, imf);
    imf = NULL;
    if (mailmime_smart_add_part(root, body) != MAILIMF_NO_ERROR) {
        err_nomem(err);
        goto out;
    }
    body = NULL;
    rc = tree_write(&b, root, out, err);
out:
    if (root)
        mailmime_free(root);
    if (body)
        mailmime_free(body);
    if (imf)
        mailimf_fields_free(imf);
    build_release(&b);
    return rc;
}

int message_id_make(struct buf *out, int64_t mailing_id, const char *address, const char *domain)
{
    return message_id_make_in(out, NULL, mailing_id, address, domain);
}

int message_id_make_in(struct buf *out, const char *instance, int64_t mailing_id,
                       const char *address, const char *domain)
{
    uint64_t h = FNV_OFFSET;
    char mid[24];
    size_t i;
    unsigned char c;

    if (!address || !domain || !domain_ok(domain, strlen(domain)) ||
        (instance && strspn(instance, "0123456789abcdef") != strlen(instance))) {
        errno = EINVAL;
        return -1;
    }
    if (instance && *instance)
        h = fnv1a(h, instance, strlen(instance));
    snprintf(mid, sizeof(mid), "%lld", (long long)mailing_id);
    h = fnv1a(h, mid, strlen(mid));
    h = fnv1a(h, ":", 1);
    for (i = 0; address[i]; i++) {
        c = (unsigned char)tolower((unsigned char)address[i]);
        h = fnv1a(h, &c, 1);
    }
    if (instance && *instance)
        return buf_addf(out, "m%lld.%s.%016llx@%s", (long long)mailing_id, instance,
                        (unsigned long long)h, domain);
    return buf_addf(out, "m%lld.%016llx@%s", (long long)mailing_id, (unsigned long long)h, domain);
}
