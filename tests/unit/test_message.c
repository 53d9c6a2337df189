/* test_message - MIME structure, headers, line lengths, header injection,
 * golden .eml files, Message-ID.
 *
 * Golden files: tests/fixtures/messages/<case>.eml, built with a fixed date
 * and boundary seed and compared byte for byte. UPDATE_GOLDEN=1 rewrites
 * them. MESSAGE_OUT=DIR writes every sample message there, with what it
 * should decode to, for tests/integration/test_message_python.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "message.h"
#include "rfc2047.h"

#include "banned.h"

#define DATE 1763769600 /* 2025-11-22 00:00:00 UTC */

static char logo_path[4200], pdf_path[4200], fixtures[4096];

static const char text_body[] =
    "Hola, Ana María:\n\n"
    "Este mes en Corazón Chilango: ¿ya te registraste para votar desde el extranjero?\n"
    "¡Faltan pocos días! Consulta la convocatoria en https://iecm.example.org/voto.\n\n"
    "Saludos,\nVoto Chilango\n";

static const char html_body[] =
    "<!DOCTYPE html>\n<html lang=\"es\">\n<head><meta charset=\"utf-8\">"
    "<title>Corazón Chilango</title></head>\n<body>\n"
    "<p><img src=\"cid:logo@votochilango.example.org\" alt=\"Voto Chilango\" width=\"16\" "
    "height=\"16\"></p>\n"
    "<p>Hola, Ana María:</p>\n"
    "<p>Este mes en <b>Corazón Chilango</b>: ¿ya te registraste para votar desde el "
    "extranjero?</p>\n"
    "<p>¡Faltan pocos días! Consulta la convocatoria en "
    "<a href=\"https://iecm.example.org/voto\">https://iecm.example.org/voto</a>.</p>\n"
    "<p>Saludos,<br>Voto Chilango</p>\n</body>\n</html>\n";

static struct message_file inline_logo[1];
static struct message_file attach_pdf[1];

static struct message_spec base_spec(void)
{
    struct message_spec m = {
        .from_name = "Voto Chilango — IECM",
        .from_address = "votochilango@iecm.example.org",
        .to_name = "Ana María Peña",
        .to_address = "ana.pena@example.com",
        .reply_to = "respuestas@iecm.example.org",
        .subject = "Corazón Chilango de noviembre: ¿ya te registraste para votar desde el "
                   "extranjero?",
        .text = text_body,
        .text_len = sizeof(text_body) - 1,
        .html = html_body,
        .html_len = sizeof(html_body) - 1,
        .message_id = "m7.0123456789abcdef@iecm.example.org",
        .date = DATE,
        .list_id = "Corazón Chilango <corazon-chilango.iecm.example.org>",
        .unsubscribe_mailto = "bajas@iecm.example.org",
        .unsubscribe_url = "https://iecm.example.org/baja?t=0123456789abcdef",
        .inline_files = inline_logo,
        .ninline = 1,
        .attachments = attach_pdf,
        .nattachments = 1,
        .boundary_seed = "golden",
    };
    return m;
}

static int setup(void **state)
{
    const char *f = getenv("FIXTURES");

    (void)state;
    snprintf(fixtures, 4000, "%s/messages", f ? f : "tests/fixtures");
    snprintf(logo_path, sizeof(logo_path), "%s/logo.png", fixtures);
    snprintf(pdf_path, sizeof(pdf_path), "%s/boletin.pdf", fixtures);
    inline_logo[0] = (struct message_file){
        .path = logo_path, .filename = "logo.png", .content_id = "logo@votochilango.example.org"};
    attach_pdf[0] = (struct message_file){.path = pdf_path,
                                          .filename = "Boletín Corazón Chilango, noviembre.pdf"};
    return 0;
}

static void build_ok(const struct message_spec *m, struct buf *out)
{
    struct err err;

    err_init(&err);
    buf_reset(out);
    if (message_build(m, out, &err) != 0)
        fail_msg("message_build: %s", err.msg.data);
    err_release(&err);
}

/* ---- helpers that look at the result ---- */

/* Header names in order, one per line, from the raw header block. */
static void raw_header_names(const char *msg, struct buf *names)
{
    const char *end = strstr(msg, "\r\n\r\n"), *p = msg, *colon, *eol;

    assert_non_null(end);
    buf_reset(names);
    while (p < end + 2) {
        eol = strstr(p, "\r\n");
        if (*p != ' ' && *p != '\t') {
            colon = memchr(p, ':', (size_t)(eol - p));
            assert_non_null(colon);
            assert_int_equal(buf_add(names, p, (size_t)(colon - p)), 0);
            assert_int_equal(buf_addch(names, '\n'), 0);
        }
        p = eol + 2;
    }
}

static const char *field_name(struct mailimf_field *f)
{
    switch (f->fld_type) {
    case MAILIMF_FIELD_ORIG_DATE:
        return "Date";
    case MAILIMF_FIELD_FROM:
        return "From";
    case MAILIMF_FIELD_SENDER:
        return "Sender";
    case MAILIMF_FIELD_REPLY_TO:
        return "Reply-To";
    case MAILIMF_FIELD_TO:
        return "To";
    case MAILIMF_FIELD_CC:
        return "Cc";
    case MAILIMF_FIELD_BCC:
        return "Bcc";
    case MAILIMF_FIELD_MESSAGE_ID:
        return "Message-ID";
    case MAILIMF_FIELD_SUBJECT:
        return "Subject";
    case MAILIMF_FIELD_OPTIONAL_FIELD:
        return f->fld_data.fld_optional_field->fld_name;
    default:
        return "?";
    }
}

/* The same list as libetpan's parser sees it. */
static void parsed_header_names(const char *msg, size_t len, struct buf *names)
{
    struct mailimf_fields *fields = NULL;
    size_t idx = 0;
    clistiter *cur;

    assert_int_equal(mailimf_fields_parse(msg, len, &idx, &fields), MAILIMF_NO_ERROR);
    buf_reset(names);
    for (cur = clist_begin(fields->fld_list); cur; cur = clist_next(cur)) {
        assert_int_equal(buf_addstr(names, field_name(clist_content(cur))), 0);
        assert_int_equal(buf_addch(names, '\n'), 0);
    }
    mailimf_fields_free(fields);
    /* the parser stopped exactly at the blank line */
    assert_memory_equal(msg + idx, "\r\n", 2);
    assert_ptr_equal(msg + idx, strstr(msg, "\r\n\r\n") + 2);
}

/* "mixed(related(alternative(text/plain,text/html),image/png),application/pdf)" */
static void describe(struct mailmime *mime, struct buf *d)
{
    struct mailmime_content *ct = mime->mm_content_type;
    clistiter *cur;

    switch (mime->mm_type) {
    case MAILMIME_MESSAGE:
        describe(mime->mm_data.mm_message.mm_msg_mime, d);
        break;
    case MAILMIME_MULTIPLE:
        assert_int_equal(buf_addf(d, "%s(", ct->ct_subtype), 0);
        for (cur = clist_begin(mime->mm_data.mm_multipart.mm_mp_list); cur; cur = clist_next(cur)) {
            describe(clist_content(cur), d);
            if (clist_next(cur))
                assert_int_equal(buf_addch(d, ','), 0);
        }
        assert_int_equal(buf_addch(d, ')'), 0);
        break;
    default:
        assert_int_equal(
            buf_addf(d, "%s/%s",
                     ct->ct_type->tp_data.tp_discrete_type->dt_type == MAILMIME_DISCRETE_TYPE_TEXT
                         ? "text"
                     : ct->ct_type->tp_data.tp_discrete_type->dt_type ==
                             MAILMIME_DISCRETE_TYPE_IMAGE
                         ? "image"
                         : "application",
                     ct->ct_subtype),
            0);
    }
}

static struct mailmime *find_part(struct mailmime *mime, const char *subtype)
{
    struct mailmime *r;
    clistiter *cur;

    if (mime->mm_type == MAILMIME_MESSAGE)
        return find_part(mime->mm_data.mm_message.mm_msg_mime, subtype);
    if (mime->mm_type == MAILMIME_MULTIPLE) {
        for (cur = clist_begin(mime->mm_data.mm_multipart.mm_mp_list); cur; cur = clist_next(cur))
            if ((r = find_part(clist_content(cur), subtype)))
                return r;
        return NULL;
    }
    return strcasecmp(mime->mm_content_type->ct_subtype, subtype) == 0 ? mime : NULL;
}

/* Decoded body of the part with that subtype. */
static void part_body(const char *msg, size_t len, const char *subtype, struct buf *out)
{
    struct mailmime *mime = NULL, *part;
    size_t idx = 0, dlen = 0, pidx = 0;
    char *dec = NULL;
    struct mailmime_data *d;

    assert_int_equal(mailmime_parse(msg, len, &idx, &mime), MAILIMF_NO_ERROR);
    part = find_part(mime, subtype);
    assert_non_null(part);
    d = part->mm_data.mm_single;
    assert_int_equal(mailmime_part_parse(d->dt_data.dt_text.dt_data, d->dt_data.dt_text.dt_length,
                                         &pidx, d->dt_encoding, &dec, &dlen),
                     MAILIMF_NO_ERROR);
    buf_reset(out);
    assert_int_equal(buf_add(out, dec, dlen), 0);
    mailmime_decoded_part_free(dec);
    mailmime_free(mime);
}

/* LF -> CRLF, as a text part goes on the wire. */
static void crlf(const char *s, size_t n, struct buf *out)
{
    size_t i;

    buf_reset(out);
    for (i = 0; i < n; i++) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
            assert_int_equal(buf_addch(out, '\r'), 0);
        assert_int_equal(buf_addch(out, s[i]), 0);
    }
}

/* 7-bit, CRLF only, no line over 998 octets; and no line over 78 except a
 * MIME name/filename parameter (a quoted string libetpan cannot fold). */
static void assert_wire_safe(const char *s, size_t n)
{
    size_t i, line = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r') {
            assert_true(i + 1 < n && s[i + 1] == '\n');
            assert_true(line <= 998);
            if (line > 78 && !memmem(s + i - line, line, "name=\"", 6))
                fail_msg("line of %zu octets: %.*s", line, (int)line, s + i - line);
            line = 0;
            i++;
            continue;
        }
        assert_true(c != '\n' && c != 0 && c < 0x80);
        line++;
    }
    assert_int_equal(line, 0); /* ends with CRLF */
}

/* Value of the first header `name` (raw, folds kept), decoded. */
static void header_decoded(const char *msg, const char *name, struct buf *out)
{
    struct buf key = BUF_INIT;
    const char *p, *eol, *end = strstr(msg, "\r\n\r\n");

    assert_int_equal(buf_addf(&key, "\r\n%s: ", name), 0);
    p = strncmp(msg, key.data + 2, key.len - 2) == 0 ? msg + key.len - 2 : strstr(msg, key.data);
    assert_true(p && p < end);
    if (p != msg + key.len - 2)
        p += key.len;
    for (eol = p; !(eol[0] == '\r' && eol[2] != ' ' && eol[2] != '\t'); eol++)
        ;
    buf_reset(out);
    assert_int_equal(rfc2047_decode(out, p, (size_t)(eol - p)), 0);
    buf_release(&key);
}

/* ---- sample messages (golden files, Python check) ---- */

struct sample {
    const char *name;
    struct message_spec spec;
};

static size_t samples_make(struct sample *s)
{
    size_t n = 0;

    s[n].name = "bulletin";
    s[n++].spec = base_spec();

    s[n].name = "invitation";
    s[n].spec = base_spec();
    s[n].spec.nattachments = 0;
    s[n].spec.unsubscribe_url = NULL;
    s[n].spec.to_name = "José Ángel Núñez";
    s[n].spec.to_address = "jose.nunez@example.net";
    s[n++].spec.subject = "Invitación: conversatorio virtual «Votar desde Chicago» 🎙️";

    s[n].name = "test-send";
    s[n].spec = base_spec();
    s[n].spec.ninline = 0;
    s[n].spec.nattachments = 0;
    s[n].spec.list_id = NULL;
    s[n].spec.unsubscribe_mailto = NULL;
    s[n].spec.unsubscribe_url = NULL;
    s[n].spec.from_name = "Voto Chilango";
    s[n].spec.to_name = "Prueba, Equipo \"QA\"";
    s[n++].spec.subject = "[PRUEBA] Pulso Internacional 2026-W47";

    s[n].name = "text-only";
    s[n].spec = base_spec();
    s[n].spec.html = NULL;
    s[n].spec.ninline = 0;
    s[n].spec.nattachments = 0;
    s[n].spec.reply_to = NULL;
    s[n].spec.to_name = NULL;
    s[n++].spec.subject = "Minuta de la reunión de la Red de Observación";

    s[n].name = "injection";
    s[n].spec = base_spec();
    s[n].spec.nattachments = 0;
    s[n].spec.from_name = "IECM\r\nBcc: all@evil.example";
    s[n].spec.to_name = "Ana\r\nBcc: x@evil.example\r\n\r\n<html>pwned";
    s[n].spec.subject = "Hola\nBcc: y@evil.example\rX-Spam: no\0tail";
    s[n++].spec.list_id = "Lista\r\nBcc: z@evil.example <lista.iecm.example.org>";
    return n;
}

static void expect_write(const struct sample *s, const char *dir)
{
    struct buf path = BUF_INIT, e = BUF_INIT;
    const struct message_spec *m = &s->spec;
    FILE *f;

#define CLEAN(key, v)                                                                              \
    do {                                                                                           \
        assert_int_equal(buf_addstr(&e, key "="), 0);                                              \
        if (v)                                                                                     \
            assert_int_equal(rfc2047_clean(&e, v, strlen(v)), 0);                                  \
        assert_int_equal(buf_addch(&e, '\n'), 0);                                                  \
    } while (0)
    CLEAN("subject", m->subject);
    CLEAN("from_name", m->from_name);
    CLEAN("to_name", m->to_name);
    assert_int_equal(
        buf_addf(&e,
                 "from_addr=%s\nto_addr=%s\nhtml=%d\nninline=%zu\nnattach=%zu\nlist=%d\nurl=%d\n",
                 m->from_address, m->to_address, m->html != NULL, m->ninline, m->nattachments,
                 m->unsubscribe_mailto != NULL, m->unsubscribe_url != NULL),
        0);
    if (m->ninline)
        assert_int_equal(buf_addf(&e, "inline=%s\n", m->inline_files[0].path), 0);
    if (m->nattachments) {
        assert_int_equal(buf_addf(&e, "attach=%s\n", m->attachments[0].path), 0);
        CLEAN("attach_name", m->attachments[0].filename);
    }
#undef CLEAN
    assert_int_equal(buf_addf(&path, "%s/%s.expect", dir, s->name), 0);
    assert_non_null(f = fopen(path.data, "wb"));
    fwrite(e.data, 1, e.len, f);
    fclose(f);
    assert_int_equal(buf_setf(&path, "%s/%s.text", dir, s->name), 0);
    assert_non_null(f = fopen(path.data, "wb"));
    fwrite(m->text, 1, m->text_len, f);
    fclose(f);
    if (m->html) {
        assert_int_equal(buf_setf(&path, "%s/%s.html", dir, s->name), 0);
        assert_non_null(f = fopen(path.data, "wb"));
        fwrite(m->html, 1, m->html_len, f);
        fclose(f);
    }
    buf_release(&path);
    buf_release(&e);
}

static void test_golden(void **state)
{
    struct sample s[8];
    struct buf out = BUF_INIT, want, path = BUF_INIT;
    const char *dir = getenv("MESSAGE_OUT");
    int update = getenv("UPDATE_GOLDEN") != NULL;
    size_t i, n = samples_make(s);
    FILE *f;

    (void)state;
    buf_init(&want, 1 << 20);
    for (i = 0; i < n; i++) {
        build_ok(&s[i].spec, &out);
        assert_wire_safe(out.data, out.len);
        assert_int_equal(buf_setf(&path, "%s/%s.eml", fixtures, s[i].name), 0);
        if (update) {
            assert_non_null(f = fopen(path.data, "wb"));
            fwrite(out.data, 1, out.len, f);
            fclose(f);
        }
        buf_reset(&want);
        if (buf_read_file(&want, path.data) != 0)
            fail_msg("%s: %s (UPDATE_GOLDEN=1 creates it)", path.data, strerror(errno));
        if (want.len != out.len || memcmp(want.data, out.data, out.len) != 0)
            fail_msg("%s differs from the built message", path.data);
        if (dir) {
            assert_int_equal(buf_setf(&path, "%s/%s.eml", dir, s[i].name), 0);
            assert_non_null(f = fopen(path.data, "wb"));
            fwrite(out.data, 1, out.len, f);
            fclose(f);
            expect_write(&s[i], dir);
        }
    }
    buf_release(&out);
    buf_release(&want);
    buf_release(&path);
}

/* ---- structure and headers ---- */

struct shape_case {
    size_t ninline, nattach;
    int html;
    const char *want;
};

static const struct shape_case shapes[] = {
    {0, 0, 0, "text/plain"},
    {0, 0, 1, "alternative(text/plain,text/html)"},
    {1, 0, 1, "related(alternative(text/plain,text/html),image/png)"},
    {0, 1, 1, "mixed(alternative(text/plain,text/html),application/pdf)"},
    {1, 1, 1, "mixed(related(alternative(text/plain,text/html),image/png),application/pdf)"},
    {0, 1, 0, "mixed(text/plain,application/pdf)"},
};

static void test_structure(void **state)
{
    struct message_spec m;
    struct buf out = BUF_INIT, d = BUF_INIT;
    struct mailmime *mime;
    size_t i, idx;

    (void)state;
    for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        m = base_spec();
        m.ninline = shapes[i].ninline;
        m.nattachments = shapes[i].nattach;
        if (!shapes[i].html)
            m.html = NULL;
        build_ok(&m, &out);
        assert_wire_safe(out.data, out.len);
        idx = 0;
        mime = NULL;
        assert_int_equal(mailmime_parse(out.data, out.len, &idx, &mime), MAILIMF_NO_ERROR);
        buf_reset(&d);
        describe(mime, &d);
        assert_string_equal(d.data, shapes[i].want);
        mailmime_free(mime);
    }
    buf_release(&out);
    buf_release(&d);
}

static void test_headers(void **state)
{
    struct message_spec m = base_spec();
    struct buf out = BUF_INIT, names = BUF_INIT, v = BUF_INIT;
    static const char all[] =
        "Date\nFrom\nReply-To\nTo\nMessage-ID\nSubject\nList-Id\n"
        "List-Unsubscribe\nList-Unsubscribe-Post\nMIME-Version\nContent-Type\n";

    (void)state;
    build_ok(&m, &out);
    raw_header_names(out.data, &names);
    assert_string_equal(names.data, all);
    parsed_header_names(out.data, out.len, &names);
    assert_string_equal(names.data, all);
    assert_non_null(strstr(out.data, "Date: Fri, 21 Nov 2025 18:00:00 -0600\r\n"));
    assert_non_null(strstr(out.data, "Message-ID: <m7.0123456789abcdef@iecm.example.org>\r\n"));
    assert_non_null(strstr(out.data, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    header_decoded(out.data, "Subject", &v);
    assert_string_equal(v.data, m.subject);
    header_decoded(out.data, "From", &v);
    assert_string_equal(v.data, "Voto Chilango — IECM <votochilango@iecm.example.org>");
    header_decoded(out.data, "To", &v);
    assert_string_equal(v.data, "Ana María Peña <ana.pena@example.com>");
    header_decoded(out.data, "List-Id", &v);
    assert_string_equal(v.data, "Corazón Chilango <corazon-chilango.iecm.example.org>");
    header_decoded(out.data, "List-Unsubscribe", &v);
    assert_string_equal(v.data, "<mailto:bajas@iecm.example.org?subject=unsubscribe>, "
                                "<https://iecm.example.org/baja?t=0123456789abcdef>");

    /* mailto only: no One-Click; none at all for a test send */
    m.unsubscribe_url = NULL;
    build_ok(&m, &out);
    assert_non_null(strstr(out.data, "\r\nList-Unsubscribe: <mailto:"));
    assert_null(strstr(out.data, "List-Unsubscribe-Post"));
    assert_null(strstr(out.data, "https://iecm.example.org/baja"));
    m.unsubscribe_mailto = NULL;
    m.unsubscribe_url = "https://iecm.example.org/baja";
    m.list_id = NULL;
    m.reply_to = NULL;
    build_ok(&m, &out);
    raw_header_names(out.data, &names);
    assert_string_equal(names.data,
                        "Date\nFrom\nTo\nMessage-ID\nSubject\nMIME-Version\nContent-Type\n");
    buf_release(&out);
    buf_release(&names);
    buf_release(&v);
}

/* HTML with lines far over 998 octets (and no newline at all) is
 * quoted-printable with soft breaks and decodes to the same bytes. */
static void test_long_lines(void **state)
{
    struct message_spec m = base_spec();
    struct buf html = BUF_INIT, out = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
    int i;

    (void)state;
    assert_int_equal(buf_addstr(&html, "<html><body><table>"), 0);
    for (i = 0; i < 400; i++)
        assert_int_equal(
            buf_addf(&html, "<tr><td style=\"padding:0\">Celda %d: señal ñ €</td></tr>", i), 0);
    assert_int_equal(
        buf_addstr(&html, "</table>\n<p>   espacios al final   \n.\nFrom here\n</p></body></html>"),
        0);
    m.html = html.data;
    m.html_len = html.len;
    m.ninline = m.nattachments = 0;
    build_ok(&m, &out);
    assert_wire_safe(out.data, out.len);
    part_body(out.data, out.len, "html", &got);
    crlf(html.data, html.len, &want);
    if (got.len != want.len)
        fail_msg("html: got %zu octets ending \"%s\", want %zu", got.len, got.data + got.len - 20,
                 want.len);
    assert_memory_equal(got.data, want.data, want.len);
    part_body(out.data, out.len, "plain", &got);
    crlf(text_body, sizeof(text_body) - 1, &want);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, want.len);
    buf_release(&html);
    buf_release(&out);
    buf_release(&got);
    buf_release(&want);
}

/* Names, subject and list name full of CR, LF and NUL: never a new header,
 * never the end of the header block. */
struct inject_case {
    const char *from_name, *to_name, *subject, *list_id;
};

static const struct inject_case injections[] = {
    {"IECM\r\nBcc: a@evil.example", NULL, "s", NULL},
    {NULL, "Ana\r\nBcc: b@evil.example", "s", NULL},
    {NULL, "Ana\nBcc: b@evil.example", "s", NULL},
    {NULL, "Ana\rBcc: b@evil.example", "s", NULL},
    {NULL, "Ana\r\n\r\nbody", "s", NULL},
    {NULL, "Ana María\r\nBcc: b@evil.example", "s", NULL},
    {NULL, "\"Ana\" <c@evil.example>, d@evil.example", "s", NULL},
    {NULL, NULL, "Hola\r\nBcc: c@evil.example", NULL},
    {NULL, NULL, "Hola\r\n\r\n<html>", NULL},
    {NULL, NULL, "Año\nBcc: c@evil.example", NULL},
    {NULL, NULL, "Hola\r\n Bcc: folded", NULL},
    {NULL, NULL, "=?UTF-8?Q?a=0D=0ABcc:_d@evil.example?=", NULL},
    {NULL, NULL, "", NULL},
    {NULL, NULL, "s", "Lista\r\nBcc: e@evil.example <l.iecm.example.org>"},
};

static void test_injection(void **state)
{
    struct message_spec m;
    struct buf out = BUF_INIT, names = BUF_INIT, v = BUF_INIT, clean = BUF_INIT;
    size_t i;
    static const char all[] =
        "Date\nFrom\nReply-To\nTo\nMessage-ID\nSubject\nList-Id\n"
        "List-Unsubscribe\nList-Unsubscribe-Post\nMIME-Version\nContent-Type\n";

    (void)state;
    for (i = 0; i < sizeof(injections) / sizeof(injections[0]); i++) {
        m = base_spec();
        m.nattachments = 0;
        if (injections[i].from_name)
            m.from_name = injections[i].from_name;
        if (injections[i].to_name)
            m.to_name = injections[i].to_name;
        m.subject = injections[i].subject;
        if (injections[i].list_id)
            m.list_id = injections[i].list_id;
        build_ok(&m, &out);
        assert_wire_safe(out.data, out.len);
        assert_null(strstr(out.data, "\nBcc"));
        assert_null(strstr(out.data, "\rBcc"));
        raw_header_names(out.data, &names);
        assert_string_equal(names.data, all);
        parsed_header_names(out.data, out.len, &names);
        assert_string_equal(names.data, all);
        header_decoded(out.data, "Subject", &v);
        buf_reset(&clean);
        assert_int_equal(rfc2047_clean(&clean, m.subject, strlen(m.subject)), 0);
        assert_string_equal(v.data, clean.data);
    }
    buf_release(&out);
    buf_release(&names);
    buf_release(&v);
    buf_release(&clean);
}

/* Addresses, IDs and URLs are refused, not encoded. */
static void test_refused(void **state)
{
    static const char *bad_addr[] = {
        "a@b.example\r\nBcc: x@evil.example",
        "a@b.example\n",
        "a b@c.example",
        "a@b",
        "",
        "<a@b.example>",
        "a@b.example>",
        "\"a\"@b.example",
        "a..b@c.example",
        ".a@b.example",
        "a@-b.example",
        "a@b..example",
        "añ@b.example",
        "a@b.example,c@d.example",
        "a@b\x01.example",
    };
    struct message_spec m;
    struct buf out = BUF_INIT;
    struct err err;
    size_t i;
    int field;

    (void)state;
    err_init(&err);
    for (i = 0; i < sizeof(bad_addr) / sizeof(bad_addr[0]); i++) {
        for (field = 0; field < 4; field++) {
            m = base_spec();
            if (field == 0)
                m.to_address = bad_addr[i];
            else if (field == 1)
                m.from_address = bad_addr[i];
            else if (field == 2)
                m.reply_to = bad_addr[i];
            else
                m.unsubscribe_mailto = bad_addr[i];
            err_clear(&err);
            buf_reset(&out);
            if (message_build(&m, &out, &err) != -1)
                fail_msg("address \"%s\" accepted in field %d", bad_addr[i], field);
            assert_int_equal(err.kind, ERR_DATA);
            assert_int_equal(out.len, 0);
        }
    }
    m = base_spec();
    m.message_id = "a@b\r\nBcc: x@evil.example";
    err_clear(&err);
    assert_int_equal(message_build(&m, &out, &err), -1);
    m = base_spec();
    m.unsubscribe_url = "https://x.example/a b";
    err_clear(&err);
    assert_int_equal(message_build(&m, &out, &err), -1);
    m.unsubscribe_url = "http://x.example/";
    assert_int_equal(message_build(&m, &out, &err), -1);
    m.unsubscribe_url = "https://x.example/>\r\nBcc: x@evil.example";
    assert_int_equal(message_build(&m, &out, &err), -1);
    m = base_spec();
    m.list_id = "Lista <a b>";
    assert_int_equal(message_build(&m, &out, &err), -1);
    m.list_id = "Lista <l.example>\r\nBcc: x@evil.example";
    assert_int_equal(message_build(&m, &out, &err), -1);
    /* the error names the field and shows the value without raw controls */
    m = base_spec();
    m.to_address = "ana@example.com\r\nBcc: x@evil.example";
    err_clear(&err);
    assert_int_equal(message_build(&m, &out, &err), -1);
    assert_string_equal(err.msg.data,
                        "message: invalid To address \"ana@example.com??Bcc: x@evil.example\"");
    /* a capped output buffer: an error, and nothing half-written */
    m = base_spec();
    buf_release(&out);
    buf_init(&out, 1000);
    err_clear(&err);
    assert_int_equal(message_build(&m, &out, &err), -1);
    assert_int_equal(err.kind, ERR_DATA);
    assert_int_equal(out.len, 0);
    buf_release(&out);
    buf_init(&out, 0);
    m = base_spec();
    m.text = "\xff\xfe";
    m.text_len = 2;
    assert_int_equal(message_build(&m, &out, &err), -1);
    assert_int_equal(out.len, 0);
    err_release(&err);
    buf_release(&out);
}

struct type_case {
    const char *name;
    const char *type; /* NULL: refused */
};

static const struct type_case types[] = {
    {"a.pdf", "application/pdf"},
    {"a.PNG", "image/png"},
    {"a.jpg", "image/jpeg"},
    {"a.jpeg", "image/jpeg"},
    {"a.gif", "image/gif"},
    {"a.webp", "image/webp"},
    {"a.svg", "image/svg+xml"},
    {"a.txt", "text/plain"},
    {"a.csv", "text/csv"},
    {"a.html", "text/html"},
    {"cita.ics", "text/calendar"},
    {"a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"a.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"a.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"a.doc", "application/msword"},
    {"a.zip", "application/zip"},
    {"podcast.mp3", "audio/mpeg"},
    {"a.exe", NULL},
    {"a.xyz", NULL},
    {"sin-extension", NULL},
    {"a.pdf.", NULL},
};

static void test_mime_types(void **state)
{
    struct message_spec m;
    struct message_file f;
    struct buf out = BUF_INIT, want = BUF_INIT;
    struct err err;
    size_t i;

    (void)state;
    err_init(&err);
    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        m = base_spec();
        f = (struct message_file){.path = pdf_path, .filename = types[i].name};
        m.attachments = &f;
        buf_reset(&out);
        err_clear(&err);
        if (!types[i].type) {
            assert_int_equal(message_build(&m, &out, &err), -1);
            assert_int_equal(err.kind, ERR_DATA);
            assert_non_null(strstr(err.msg.data, "unknown file type"));
            continue;
        }
        assert_int_equal(message_build(&m, &out, &err), 0);
        assert_int_equal(buf_setf(&want, "Content-Type: %s;", types[i].type), 0);
        if (!strstr(out.data, want.data))
            fail_msg("%s: no \"%s\"", types[i].name, want.data);
        assert_int_equal(buf_setf(&want, "name=\"%s\"", types[i].name), 0);
        if (!strstr(out.data, want.data))
            fail_msg("%s: no \"%s\"", types[i].name, want.data);
    }
    m = base_spec();
    f = (struct message_file){.path = "/nonexistent/boletin.pdf"};
    m.attachments = &f;
    err_clear(&err);
    assert_int_equal(message_build(&m, &out, &err), -1);
    assert_int_equal(err.kind, ERR_DATA);
    assert_non_null(strstr(err.msg.data, "/nonexistent/boletin.pdf"));
    f = (struct message_file){.path = pdf_path, .content_id = "bad id\r\nBcc: x@evil"};
    m.attachments = NULL;
    m.nattachments = 0;
    m.inline_files = &f;
    assert_int_equal(message_build(&m, &out, &err), -1);
    err_release(&err);
    buf_release(&out);
    buf_release(&want);
}

/* An iCalendar file is text/calendar with charset and its METHOD (what
 * calendar programs need to offer it); a Reply-To keeps its display name. */
static void test_calendar_and_reply_to(void **state)
{
    char ics[] = "/tmp/test_message_XXXXXX.ics";
    struct message_spec m = base_spec();
    struct message_file f;
    struct buf out = BUF_INIT;
    struct err err;
    int fd = mkstemps(ics, 4);

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n", 48), 48);
    close(fd);
    err_init(&err);
    f = (struct message_file){.path = ics, .filename = "cita.ics"};
    m.attachments = &f;
    m.nattachments = 1;
    m.reply_to_name = "Observación Electoral IECM";
    assert_int_equal(message_build(&m, &out, &err), 0);
    assert_non_null(
        strstr(out.data, "Content-Type: text/calendar; charset=\"utf-8\"; method=\"REQUEST\""));
    assert_non_null(
        strstr(out.data, "Reply-To: =?UTF-8?Q?Observaci=C3=B3n_Electoral_IECM?=\r\n <"));
    /* loaded once for a mailing: the method is read then; none said: PUBLISH */
    fd = open(ics, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", 32), 32);
    close(fd);
    assert_int_equal(message_file_load(&f, &err), 0);
    assert_string_equal(f.calendar_method, "PUBLISH");
    buf_reset(&out);
    assert_int_equal(message_build(&m, &out, &err), 0);
    assert_non_null(strstr(out.data, "charset=\"utf-8\"; method=\"PUBLISH\""));
    message_file_release(&f);
    unlink(ics);
    err_release(&err);
    buf_release(&out);
}

static void test_attachment_name(void **state)
{
    struct message_spec m = base_spec();
    struct buf out = BUF_INIT, got = BUF_INIT, want = BUF_INIT, name = BUF_INIT;
    const char *p, *q;

    (void)state;
    build_ok(&m, &out);
    /* the filename parameter holds encoded words that decode to the name */
    p = strstr(out.data, "filename=\"=?");
    assert_non_null(p);
    p += 10;
    q = strchr(p, '"');
    assert_int_equal(rfc2047_decode(&name, p, (size_t)(q - p)), 0);
    assert_string_equal(name.data, "Boletín Corazón Chilango, noviembre.pdf");
    /* the longest name accepted (200 octets) still fits in 998-octet lines;
     * one character more is refused */
    {
        struct message_file f = {.path = pdf_path};
        struct buf longname = BUF_INIT;
        struct err err;

        err_init(&err);
        while (longname.len < 196)
            assert_int_equal(buf_addstr(&longname, "ñ"), 0);
        assert_int_equal(buf_addstr(&longname, ".pdf"), 0);
        assert_int_equal(longname.len, 200);
        f.filename = longname.data;
        m.attachments = &f;
        build_ok(&m, &out);
        assert_wire_safe(out.data, out.len);
        buf_reset(&longname);
        while (longname.len < 198)
            assert_int_equal(buf_addstr(&longname, "ñ"), 0);
        assert_int_equal(buf_addstr(&longname, ".pdf"), 0);
        f.filename = longname.data;
        assert_int_equal(message_build(&m, &out, &err), -1);
        assert_non_null(strstr(err.msg.data, "too long"));
        err_release(&err);
        buf_release(&longname);
        m = base_spec();
        build_ok(&m, &out);
    }
    assert_int_equal(buf_read_file(&want, pdf_path), 0);
    part_body(out.data, out.len, "pdf", &got);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, want.len);
    buf_release(&out);
    buf_release(&got);
    buf_release(&want);
    buf_release(&name);
}

static void test_boundaries_random(void **state)
{
    struct message_spec m = base_spec();
    struct buf a = BUF_INIT, b = BUF_INIT;

    (void)state;
    m.boundary_seed = NULL;
    build_ok(&m, &a);
    build_ok(&m, &b);
    assert_true(a.len == b.len && memcmp(a.data, b.data, a.len) != 0);
    m.boundary_seed = "x";
    build_ok(&m, &a);
    build_ok(&m, &b);
    assert_true(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    buf_release(&a);
    buf_release(&b);
}

static void test_message_id(void **state)
{
    struct buf a = BUF_INIT, b = BUF_INIT;

    (void)state;
    assert_int_equal(message_id_make(&a, 7, "Ana.Pena@Example.com", "iecm.example.org"), 0);
    assert_int_equal(message_id_make(&b, 7, "ana.pena@example.com", "iecm.example.org"), 0);
    assert_string_equal(a.data, b.data);
    assert_int_equal(strncmp(a.data, "m7.", 3), 0);
    assert_int_equal(a.len, strlen("m7.") + 16 + strlen("@iecm.example.org"));
    assert_non_null(strstr(a.data, "@iecm.example.org"));
    buf_reset(&b);
    assert_int_equal(message_id_make(&b, 8, "ana.pena@example.com", "iecm.example.org"), 0);
    assert_string_not_equal(a.data + 3, b.data + 3);
    buf_reset(&b);
    assert_int_equal(message_id_make(&b, 7, "ana.pena2@example.com", "iecm.example.org"), 0);
    assert_string_not_equal(a.data, b.data);
    buf_reset(&b);
    assert_int_equal(message_id_make(&b, 7, "a@b.example", "evil\r\n.example"), -1);
    assert_int_equal(message_id_make(&b, 7, "a@b.example", "localhost"), -1);
    /* a known value, so the scheme cannot drift silently between releases */
    buf_reset(&b);
    assert_int_equal(message_id_make(&b, 1, "a@b.example", "d.example"), 0);
    assert_string_equal(b.data, "m1.4703969a54569a47@d.example");
    buf_release(&a);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),          cmocka_unit_test(test_calendar_and_reply_to),
        cmocka_unit_test(test_structure),       cmocka_unit_test(test_headers),
        cmocka_unit_test(test_long_lines),      cmocka_unit_test(test_injection),
        cmocka_unit_test(test_refused),         cmocka_unit_test(test_mime_types),
        cmocka_unit_test(test_attachment_name), cmocka_unit_test(test_boundaries_random),
        cmocka_unit_test(test_message_id),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
