/* test_bounce - classification of returned messages: every fixture notice
 * under tests/fixtures/bounces/, the hard/soft rule, and hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "buf.h"

#include "banned.h"

#define MID "m7.1a2b3c4d5e6f7081@votochilango.example"

struct fixture_case {
    const char *file;
    enum bounce_type type;
    enum bounce_class class; /* of the first recipient */
    const char *recipient, *status, *action;
    const char *mid; /* the original Message-ID expected ("" none) */
    size_t nrcpt;
};

static const struct fixture_case fixtures[] = {
    {"arf-complaint-redacted.eml", BOUNCE_COMPLAINT, BOUNCE_CLASS_NONE, "redacted@yahoo.example",
     NULL, NULL, MID, 1},
    {"arf-complaint.eml", BOUNCE_COMPLAINT, BOUNCE_CLASS_NONE, "quejoso@yahoo.example", NULL, NULL,
     MID, 1},
    /* An auto-reply names its sender, with the reason "vacation". */
    {"autoreply-fuera-oficina-latin1.eml", BOUNCE_AUTOREPLY, BOUNCE_CLASS_NONE,
     "jose@oficina.example", NULL, NULL, "", 1},
    {"autoreply-outlook-en.eml", BOUNCE_AUTOREPLY, BOUNCE_CLASS_NONE, "juana@empresa.example", NULL,
     NULL, "", 1},
    {"autoreply-subject-only.eml", BOUNCE_AUTOREPLY, BOUNCE_CLASS_NONE, "luis@vacaciones.example",
     NULL, NULL, "", 1},
    {"autoreply-x-autoreply.eml", BOUNCE_AUTOREPLY, BOUNCE_CLASS_NONE, "info@negocio.example", NULL,
     NULL, "", 1},
    {"baja-bottom-post.eml", BOUNCE_UNSUBSCRIBE, BOUNCE_CLASS_NONE, "tere@correo.example", NULL,
     NULL, MID, 1},
    {"baja-cancelar-suscripcion-accents.eml", BOUNCE_UNSUBSCRIBE, BOUNCE_CLASS_NONE,
     "rosa@correo.example", NULL, NULL, "", 1},
    {"baja-reply-body-qp.eml", BOUNCE_UNSUBSCRIBE, BOUNCE_CLASS_NONE,
     "pedro.ramirez@correo.example", NULL, NULL, MID, 1},
    {"baja-subject-mailto.eml", BOUNCE_UNSUBSCRIBE, BOUNCE_CLASS_NONE, "marta.lopez@correo.example",
     NULL, NULL, "", 1},
    {"dsn-bad-syntax-5.1.3.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "mal..escrito@correo.example", "5.1.3",
     "failed", MID, 1},
    {"dsn-delayed-4.4.1.eml", BOUNCE_BOUNCE, BOUNCE_SOFT, "lento@tarde.example", "4.4.1", "delayed",
     MID, 1},
    /* A disabled account is "suspended": soft (it may come back). */
    {"dsn-disabled-5.2.1-base64.eml", BOUNCE_BOUNCE, BOUNCE_SOFT, "cerrada@correo.example", "5.2.1",
     "failed", MID, 1},
    {"dsn-expired-4.4.7.eml", BOUNCE_BOUNCE, BOUNCE_SOFT, "caido@lejos.example", "4.4.7", "failed",
     MID, 1},
    {"dsn-generic-5.0.0-unknown.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "fulano@viejo.example", "5.0.0",
     "failed", MID, 1},
    {"dsn-global-utf8.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "josé@correo.example", "5.1.1", "failed",
     MID, 1},
    {"dsn-gmail-address-not-found.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "no.existe@gmail.example",
     "5.1.1", "failed", MID, 1},
    {"dsn-greylist-4.7.1.eml", BOUNCE_BOUNCE, BOUNCE_SOFT, "gris@lista.example", "4.7.1", "delayed",
     MID, 1},
    {"dsn-moved-5.1.6.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "mudanza@antes.example", "5.1.6", "failed",
     MID, 1},
    {"dsn-no-such-domain-5.4.4.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "alguien@noexiste.example",
     "5.4.4", "failed", MID, 1},
    {"dsn-null-mx-5.1.10.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "alguien@sinmx.example", "5.1.10",
     "failed", MID, 1},
    {"dsn-office365-recipient-not-found.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "nadie@contoso.example",
     "5.1.10", "failed", MID, 1},
    {"dsn-policy-spam-5.7.1.eml", BOUNCE_BOUNCE, BOUNCE_SOFT, "filtro@empresa.example", "5.7.1",
     "failed", MID, 1},
    {"dsn-postfix-3.7-local-unknown-user.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "nadie@test.example",
     "5.1.1", "failed", "m1.abc@votochilango.example", 1},
    {"dsn-postfix-mailbox-full-crlf.eml", BOUNCE_BOUNCE, BOUNCE_SOFT, "llena@correo.example",
     "5.2.2", "failed", MID, 1},
    {"dsn-postfix-user-unknown.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "nadie@test.example", "5.1.1",
     "failed", MID, 1},
    {"dsn-ratelimit-4.7.28.eml", BOUNCE_BOUNCE, BOUNCE_SOFT, "mucho@gmail.example", "4.7.28",
     "delayed", MID, 1},
    {"dsn-sendmail-two-recipients.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "ana@uno.example", "5.1.1",
     "failed", MID, 2},
    /* Only successes: for a person, the recipient listed as delivered. */
    {"dsn-success-delivered.eml", BOUNCE_OTHER, BOUNCE_CLASS_NONE, "feliz@correo.example", "2.0.0",
     "delivered", "", 1},
    {"exchange-ndr-qp.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "nadie@contoso.example", "5.1.10", "failed",
     MID, 1},
    {"exchange-ndr-spanish-cp1252.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "nadie@contoso.example",
     "5.1.10", "failed", MID, 1},
    {"exim-retry-timeout.eml", BOUNCE_BOUNCE, BOUNCE_SOFT, "paciente@lento.example", "4.4.7",
     "failed", MID, 1},
    {"exim-user-unknown.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "desconocido@exim.example", "5.1.1",
     "failed", MID, 1},
    {"gmail-text-base64.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "nadie.aqui@gmail.example", "5.1.1",
     "failed", MID, 1},
    {"human-question-delivery.eml", BOUNCE_OTHER, BOUNCE_CLASS_NONE, NULL, NULL, NULL, "", 0},
    {"human-reply-baja-word.eml", BOUNCE_OTHER, BOUNCE_CLASS_NONE, NULL, NULL, NULL, "", 0},
    {"human-reply.eml", BOUNCE_OTHER, BOUNCE_CLASS_NONE, NULL, NULL, NULL, "", 0},
    {"postfix-spanish-latin1-qp.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "senora@latino.example", "5.1.1",
     "failed", "", 1},
    {"qmail-no-mailbox.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "perdido@viejo.example", "5.1.1", "failed",
     MID, 1},
    {"qmail-over-quota-bare-cr.eml", BOUNCE_BOUNCE, BOUNCE_SOFT, "lleno@viejo.example", "5.2.2",
     "failed", MID, 1},
    {"sendmail-text.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "fantasma@send.example", "5.1.1", "failed",
     MID, 1},
    {"unsubscribe-english.eml", BOUNCE_UNSUBSCRIBE, BOUNCE_CLASS_NONE, "mike@example.org", NULL,
     NULL, "", 1},
    {"unsubscribe-subject-en.eml", BOUNCE_UNSUBSCRIBE, BOUNCE_CLASS_NONE, "someone@example.net",
     NULL, NULL, "", 1},
    {"yahoo-mailbox-disabled.eml", BOUNCE_BOUNCE, BOUNCE_SOFT, "dormida@yahoo.example", "5.0.0",
     "failed", MID, 1},
    {"yahoo-no-account.eml", BOUNCE_BOUNCE, BOUNCE_HARD, "nocuenta@yahoo.example", "5.0.0",
     "failed", MID, 1},
};

static void parse_file(const char *name, struct bounce_result *r)
{
    const char *dir = getenv("FIXTURES");
    struct buf path, data;
    struct err e;

    buf_init(&path, 0);
    buf_init(&data, BOUNCE_MAX_SIZE);
    err_init(&e);
    assert_int_equal(buf_addf(&path, "%s/bounces/%s", dir ? dir : "tests/fixtures", name), 0);
    if (buf_read_file(&data, path.data))
        fail_msg("cannot read %s", path.data);
    assert_int_equal(bounce_parse(data.data, data.len, r, &e), 0);
    buf_release(&path);
    buf_release(&data);
    err_release(&e);
}

static void test_fixtures(void **state)
{
    size_t i;
    int bad = 0;

    (void)state;
    assert_true(sizeof(fixtures) / sizeof(fixtures[0]) >= 25);
    for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
        const struct fixture_case *c = &fixtures[i];
        struct bounce_result r;
        const struct bounce_rcpt *x;

        parse_file(c->file, &r);
        x = r.nrcpt ? &r.rcpt[0] : NULL;
        if (r.type != c->type || r.nrcpt != c->nrcpt ||
            (c->recipient && (!x || strcmp(x->address, c->recipient))) ||
            (c->status && strcmp(x->status, c->status)) ||
            (c->action && strcmp(x->action, c->action)) ||
            (c->type == BOUNCE_BOUNCE && x->class != c->class) ||
            strcmp(r.original_message_id, c->mid)) {
            print_error("%s: got %s %s %s %s %s mid=%s (%zu recipients; %s)\n", c->file,
                        bounce_type_name(r.type),
                        x && bounce_class_name(x->class) ? bounce_class_name(x->class) : "-",
                        x ? x->address : "-", x ? x->status : "-", x ? x->action : "-",
                        r.original_message_id, r.nrcpt, r.why);
            bad++;
        }
        bounce_release(&r);
    }
    assert_int_equal(bad, 0);
}

/* The second recipient of a multi-recipient DSN, and "delivered" groups
 * left out. */
static void test_multi_recipient(void **state)
{
    struct bounce_result r;

    (void)state;
    parse_file("dsn-sendmail-two-recipients.eml", &r);
    assert_int_equal(r.nrcpt, 2);
    assert_string_equal(r.rcpt[1].address, "beto@uno.example");
    assert_string_equal(r.rcpt[1].status, "4.2.2");
    assert_int_equal(r.rcpt[1].class, BOUNCE_SOFT);
    assert_string_equal(r.rcpt[1].diagnostic, "452 4.2.2 Over quota");
    bounce_release(&r);
}

/* Charsets and encodings reach the caller as UTF-8. */
static void test_decoding(void **state)
{
    struct bounce_result r;

    (void)state;
    parse_file("postfix-spanish-latin1-qp.eml", &r);
    assert_non_null(strstr(r.rcpt[0].diagnostic, "buzón inexistente"));
    assert_string_equal(r.subject, "Correo no entregado devuelto al remitente");
    bounce_release(&r);
    parse_file("autoreply-fuera-oficina-latin1.eml", &r);
    assert_string_equal(r.subject, "Respuesta automática: Fuera de la oficina");
    bounce_release(&r);
    parse_file("gmail-text-base64.eml", &r);
    assert_non_null(strstr(r.rcpt[0].diagnostic, "does not exist"));
    bounce_release(&r);
}

/* The same notice with each kind of line end classifies the same. */
static void test_line_ends(void **state)
{
    static const char *const ends[] = {"\r\n", "\n", "\r"};
    static const char *const lines[] = {
        "From: MAILER-DAEMON@mx.example",
        "Subject: failure notice",
        "",
        "Hi. This is the qmail-send program at mx.example.",
        "I'm afraid I wasn't able to deliver your message to the following addresses.",
        "This is a permanent error; I've given up. Sorry it didn't work out.",
        "",
        "<Fulana@Example.COM>:",
        "Sorry, no mailbox here by that name. (#5.1.1)",
        "",
        "--- Below this line is a copy of the message.",
        "",
        "Message-ID: <abc@votochilango.example>",
        "Subject: hola"};
    size_t e, i;

    (void)state;
    for (e = 0; e < 3; e++) {
        struct bounce_result r;
        struct buf b;
        struct err err;
        buf_init(&b, 0);
        err_init(&err);
        for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
            assert_int_equal(buf_addf(&b, "%s%s", lines[i], ends[e]), 0);
        assert_int_equal(bounce_parse(b.data, b.len, &r, &err), 0);
        assert_int_equal(r.type, BOUNCE_BOUNCE);
        assert_int_equal(r.nrcpt, 1);
        assert_string_equal(r.rcpt[0].address, "fulana@example.com");
        assert_string_equal(r.rcpt[0].status, "5.1.1");
        assert_int_equal(r.rcpt[0].class, BOUNCE_HARD);
        assert_string_equal(r.original_message_id, "abc@votochilango.example");
        bounce_release(&r);
        buf_release(&b);
        err_release(&err);
    }
}

static void test_class_rule(void **state)
{
    static const struct {
        const char *status, *diag;
        enum bounce_class want;
    } t[] = {
        {"5.1.1", "550 5.1.1 User unknown", BOUNCE_HARD},
        {"5.1.2", NULL, BOUNCE_HARD},
        {"5.1.3", NULL, BOUNCE_HARD},
        {"5.1.6", NULL, BOUNCE_HARD},
        {"5.1.10", "RESOLVER.ADR.RecipientNotFound", BOUNCE_HARD},
        {"5.2.1", "mailbox disabled", BOUNCE_SOFT}, /* suspended */
        {"5.2.2", "552 5.2.2 Mailbox full", BOUNCE_SOFT},
        {"5.1.1", "550 5.1.1 mailbox full (over quota)", BOUNCE_SOFT},
        {"5.7.1", "554 5.7.1 rejected: spam", BOUNCE_SOFT},
        {"5.7.1", "550 5.7.1 user unknown", BOUNCE_HARD}, /* the words say the address */
        {"4.4.7", "expired", BOUNCE_SOFT},
        {"4.7.1", "greylisted", BOUNCE_SOFT},
        {"4.2.1", "rate limited", BOUNCE_SOFT},
        {"5.0.0", "550 User unknown", BOUNCE_HARD},
        {"5.0.0", "554 Transaction failed", BOUNCE_SOFT},
        {"5.4.4", "Host or domain name not found", BOUNCE_HARD},
        {"5.4.4", "unable to route", BOUNCE_SOFT},
        {"5.3.0", "no space left", BOUNCE_SOFT},
        {"", "550 no such user here", BOUNCE_HARD},
        {"", "421 try again later", BOUNCE_SOFT},
        {NULL, NULL, BOUNCE_SOFT},
        {"", "", BOUNCE_SOFT},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (bounce_class_of(t[i].status, t[i].diag) != t[i].want)
            fail_msg("%s / %s: want %s", t[i].status ? t[i].status : "NULL",
                     t[i].diag ? t[i].diag : "NULL", bounce_class_name(t[i].want));
}

/* Hostile or broken input: never a crash, never a bounce made up. */
static void test_hostile(void **state)
{
    static const char *const inputs[] = {
        "",
        "\r\n\r\n\r\n",
        "no headers at all",
        "Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\n",
        "Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\n"
        "Content-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822;\r\nAction: "
        "failed\r\n",
        "Subject: =?utf-8?B?////?= \r\nFrom: <>\r\n\r\n\xff\xfe", /* + NUL, 0x01 below */
        "From: x\r\nContent-Type: text/plain; charset=no-such-charset\r\n\r\nBaja\xe1\r\n",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        struct bounce_result r;
        struct err e;
        struct buf in;
        buf_init(&in, 0);
        assert_int_equal(buf_addstr(&in, inputs[i]), 0);
        if (i == 5)
            assert_int_equal(buf_add(&in, "\0\x01", 2), 0); /* NUL in the body */
        err_init(&e);
        assert_int_equal(bounce_parse(in.data, in.len, &r, &e), 0);
        buf_release(&in);
        assert_true(r.type != BOUNCE_BOUNCE || r.nrcpt == 0);
        bounce_release(&r);
        err_release(&e);
    }
}

/* Every fixture cut short at many points and with bytes changed (a fixed
 * pseudo-random sequence): no crash, no leak (ASan/valgrind), and a bounce
 * always names its recipients. */
static void test_mangled(void **state)
{
    size_t i, cut, k;
    unsigned seed = 12345;

    (void)state;
    for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
        const char *dir = getenv("FIXTURES");
        struct buf path, data, m;
        buf_init(&path, 0);
        buf_init(&data, BOUNCE_MAX_SIZE);
        buf_init(&m, 0);
        assert_int_equal(
            buf_addf(&path, "%s/bounces/%s", dir ? dir : "tests/fixtures", fixtures[i].file), 0);
        assert_int_equal(buf_read_file(&data, path.data), 0);
        for (cut = 0; cut <= data.len; cut += data.len / 23 + 1) {
            for (k = 0; k < 4; k++) {
                struct bounce_result r;
                struct err e;
                size_t j;
                buf_reset(&m);
                assert_int_equal(buf_add(&m, data.data, cut), 0);
                for (j = 0; j < 4 * k && m.len; j++) {
                    seed = seed * 1103515245u + 12345u;
                    m.data[(seed >> 8) % m.len] = (char)(seed >> 16);
                }
                err_init(&e);
                assert_int_equal(bounce_parse(m.data, m.len, &r, &e), 0);
                assert_true(r.type != BOUNCE_BOUNCE || r.nrcpt > 0 || r.why);
                for (j = 0; j < r.nrcpt; j++)
                    assert_non_null(strchr(r.rcpt[j].address, '@'));
                bounce_release(&r);
                err_release(&e);
            }
        }
        buf_release(&path);
        buf_release(&data);
        buf_release(&m);
    }
}

static void test_too_big(void **state)
{
    struct bounce_result r;
    struct err e;
    char *big = calloc(1, BOUNCE_MAX_SIZE + 2);

    (void)state;
    assert_non_null(big);
    err_init(&e);
    assert_int_equal(bounce_parse(big, BOUNCE_MAX_SIZE + 1, &r, &e), -1);
    assert_non_null(strstr(e.msg.data, "left for a person"));
    bounce_release(&r);
    err_release(&e);
    free(big);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(bounce_type_name(BOUNCE_BOUNCE), "bounce");
    assert_string_equal(bounce_type_name(BOUNCE_UNSUBSCRIBE), "unsubscribe");
    assert_string_equal(bounce_class_name(BOUNCE_HARD), "hard");
    assert_null(bounce_class_name(BOUNCE_CLASS_NONE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),   cmocka_unit_test(test_multi_recipient),
        cmocka_unit_test(test_decoding),   cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_class_rule), cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_mangled),    cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
