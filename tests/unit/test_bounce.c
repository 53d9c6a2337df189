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
    /* Exim gave up ("retry timeout exceeded"): a final failure, expired. */
    {"exim-retry-timeout.eml", BOUNCE_BOUNCE, BOUNCE_SOFT, "paciente@lento.example", "5.0.0",
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
        /* A policy status with words of a bad address, and no RCPT to tie
         * them to the address: the recipient's filter; not guessed hard. */
        {"5.7.1", "550 5.7.1 user unknown", BOUNCE_SOFT},
        {"5.7.1", "550 5.7.1 <a@b.example>: user unknown (in reply to RCPT TO command)",
         BOUNCE_HARD},
        {"4.4.7", "expired", BOUNCE_SOFT},
        {"4.7.1", "greylisted", BOUNCE_SOFT},
        {"4.2.1", "rate limited", BOUNCE_SOFT},
        {"5.0.0", "550 User unknown", BOUNCE_HARD},
        {"5.0.0", "554 Transaction failed", BOUNCE_SOFT},
        {"5.4.4", "Host or domain name not found", BOUNCE_HARD},
        {"5.4.4", "unable to route", BOUNCE_SOFT},
        {"5.3.0", "no space left", BOUNCE_SOFT},
        {"", "550 no such user here", BOUNCE_HARD},
        /* round 2: a multi-line reply's code; 5.1.0; a refusal at MAIL FROM;
         * a bare "Recipient address rejected."; the resolver's "try again". */
        {"", "550-5.1.1 The email account that you tried to reach does not exist", BOUNCE_HARD},
        {"5.1.0", "550 5.1.0 Recipient rejected", BOUNCE_HARD},
        {"5.1.0", "553 5.1.0 user unknown (in reply to MAIL FROM command)", BOUNCE_SOFT},
        {"5.0.0", "550 <a@b.example>: Recipient address rejected.", BOUNCE_HARD},
        {"5.6.0", "550 5.6.0 <a@b.example>: Recipient address rejected: Media error", BOUNCE_SOFT},
        {"5.0.0", "Name service error for domain b.example: Host not found, try again",
         BOUNCE_SOFT},
        {"5.0.0", "554 5.7.1 Recipient address rejected: Nonexistent user (in reply to RCPT TO)",
         BOUNCE_HARD},
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

/* Shapes of notices round 2 found in sources never seen before: each is a
 * whole message, what its recipients get. */
static void test_shapes(void **state)
{
    static const struct {
        const char *what, *msg;
        size_t nrcpt;
        const char *second; /* the second recipient, or NULL */
        const char *status;
        enum bounce_class class;
    } t[] = {
        {"recipients without an empty line between them",
         "From: Postmaster <postmaster@aol.example>\r\nSubject: Undeliverable\r\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n"
         "--B\r\nContent-Type: text/plain\r\n\r\nNot delivered.\r\n"
         "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
         "Reporting-MTA: dns; mx.aol.example\r\nFinal-Recipient: rfc822; full@b.example\r\n"
         "Action: failed\r\nStatus: 5.2.2\r\nFinal-Recipient: rfc822; gone@b.example\r\n"
         "Action: failed\r\nStatus: 5.1.1\r\n--B--\r\n",
         2, "gone@b.example", "5.2.2", BOUNCE_SOFT},
        {"a transcript's >>> RCPT TO for the address",
         "From: Mail Delivery Subsystem <MAILER-DAEMON@a.example>\r\n"
         "Subject: Returned mail: see transcript for details\r\n\r\n"
         "   ----- The following addresses had permanent fatal errors -----\r\n"
         "<who@b.example>\r\n\r\n   ----- Transcript of session follows -----\r\n"
         ">>> RCPT TO:<who@b.example>\r\n<<< 553 5.7.1 Invalid recipient who@b.example\r\n",
         1, NULL, "5.7.1", BOUNCE_HARD},
        {"a warning known by its subject",
         "From: Mail Delivery System <MAILER-DAEMON@a.example>\r\n"
         "Subject: Warning--Could not send mail for past 8.5 hours\r\n\r\n"
         "---The following addresses had delivery errors---\r\n"
         "who@b.example [Connection timed out]\r\n",
         1, NULL, "4.0.0", BOUNCE_SOFT},
        {"the returned message sent to its own sender (a forged From)",
         "From: MAILER-DAEMON@a.example\r\nSubject: failure notice\r\n\r\n"
         "Hi. This is the qmail-send program at a.example.\r\n\r\n<who@b.example>:\r\n"
         "Sorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
         "--- Below this line is a copy of the message.\r\n\r\n"
         "From: <who@b.example>\r\nTo: <who@b.example>\r\nSubject: hi\r\n\r\nhi\r\n",
         1, NULL, "5.1.1", BOUNCE_HARD},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct bounce_result r;
        struct err e;
        err_init(&e);
        assert_int_equal(bounce_parse(t[i].msg, strlen(t[i].msg), &r, &e), 0);
        if (r.type != BOUNCE_BOUNCE || r.nrcpt != t[i].nrcpt ||
            strcmp(r.rcpt[0].status, t[i].status) || r.rcpt[0].class != t[i].class ||
            (t[i].second && strcmp(r.rcpt[1].address, t[i].second)))
            fail_msg("%s: got %s, %zu recipients, %s %s", t[i].what, bounce_type_name(r.type),
                     r.nrcpt, r.nrcpt ? r.rcpt[0].status : "-",
                     r.nrcpt && bounce_class_name(r.rcpt[0].class)
                         ? bounce_class_name(r.rcpt[0].class)
                         : "-");
        bounce_release(&r);
        err_release(&e);
    }
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

/* One notice of each family the issue names, read from the fixture
 * collection (tests/fixtures/bounces/DIR/, see each PROVENANCE): the kind,
 * the recipients, the first one's address, status, reason and class
 * (-1: not asserted; Apache James: sisimai's list says "filtered" where we
 * read "no such user here" as the address; Shift_JIS and GB2312: what is
 * checked there is the decoding, their "(550 User unknown)" quoted without
 * RCPT is the ambiguous case bounce_notice.c keeps soft). */
struct family_case {
    const char *family, *file;
    enum bounce_type type;
    size_t nrcpt;
    const char *address, *status;
    int reason, class;
};

static const struct family_case families[] = {
    {"Postfix", "sisimai/lhost-postfix-02.eml", BOUNCE_BOUNCE, 2, "filtered@example.co.jp", "5.2.1",
     BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Sendmail V8", "sisimai/lhost-sendmail-01.eml", BOUNCE_BOUNCE, 1,
     "userunknown@bouncehammer.jp", "5.1.1", BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Sendmail V5", "sisimai/lhost-v5sendmail-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.com",
     "4.0.0", BOUNCE_R_EXPIRED, BOUNCE_SOFT},
    {"Exim", "sisimai/lhost-exim-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.ed.jp", "5.7.0",
     BOUNCE_R_BLOCKED, BOUNCE_SOFT},
    {"qmail", "sisimai/lhost-qmail-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.ne.jp", "5.5.0",
     BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Courier", "sisimai/lhost-courier-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.co.jp", "5.1.1",
     BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"OpenSMTPD", "sisimai/lhost-opensmtpd-01.eml", BOUNCE_BOUNCE, 1,
     "apdugoaidugoaidugoaeiudggadi@gmail.com", "5.1.1", BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Exchange 2003", "sisimai/lhost-exchange2003-01.eml", BOUNCE_BOUNCE, 2,
     "shironeko@example.com", "5.0.0", BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Exchange 2007", "sisimai/lhost-exchange2007-01.eml", BOUNCE_BOUNCE, 1,
     "mikeneko@example.co.jp", "5.1.1", BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Exchange Online", "sisimai/lhost-office365-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.com",
     "5.1.10", BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Outlook.com", "sisimai/lhost-outlook-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.jp",
     "5.2.2", BOUNCE_R_MAILBOX_FULL, BOUNCE_SOFT},
    {"Gmail", "sisimai/lhost-gmail-01.eml", BOUNCE_BOUNCE, 1, "userunknown@example.jp", "5.1.1",
     BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Google Workspace", "sisimai/lhost-gsuite-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.de",
     "5.1.0", BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Yahoo", "sisimai/lhost-yahoo-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.org", "5.1.1",
     BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"AOL", "bounceparser/aol.unknown.msg", BOUNCE_BOUNCE, 1, "recipient@example.net", "5.1.1",
     BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"iCloud", "sisimai/rhost-apple-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.jp", "5.1.6",
     BOUNCE_R_HAS_MOVED, BOUNCE_HARD},
    {"Amazon SES", "sisimai/lhost-amazonses-03.eml", BOUNCE_BOUNCE, 1, "kijitora@example.jp",
     "5.1.0", BOUNCE_R_MAILBOX_FULL, BOUNCE_SOFT},
    {"Amazon SES JSON", "sisimai/lhost-amazonses-09.eml", BOUNCE_BOUNCE, 1,
     "bounce@simulator.amazonses.com", "5.1.1", BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Amazon WorkMail", "sisimai/lhost-amazonworkmail-01.eml", BOUNCE_BOUNCE, 1,
     "kijitora@example.jp", "5.1.1", BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Zoho", "sisimai/lhost-zoho-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.co.jp", "5.1.1",
     BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"GMX", "sisimai/lhost-gmx-01.eml", BOUNCE_BOUNCE, 1, "shironeko@example.jp", "5.2.2",
     BOUNCE_R_MAILBOX_FULL, BOUNCE_SOFT},
    {"1&1", "sisimai/lhost-einsundeins-03.eml", BOUNCE_BOUNCE, 1, "xxxx@xxxx.com", "5.2.0",
     BOUNCE_R_SPAM, BOUNCE_SOFT},
    {"Mail.ru", "sisimai/lhost-mailru-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.jp", "5.1.1",
     BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Yandex", "sisimai/lhost-yandex-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.jp", "5.1.1",
     BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Domino", "sisimai/lhost-domino-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.jp", "5.0.0",
     BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Notes", "sisimai/lhost-notes-01.eml", BOUNCE_BOUNCE, 1, "kijitora@u1.example.co.jp", "5.0.0",
     BOUNCE_R_UNDEFINED, BOUNCE_SOFT},
    {"Oracle Messaging Server", "sisimai/lhost-messagingserver-01.eml", BOUNCE_BOUNCE, 1,
     "kijitora@example.jp", "5.1.1", BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"IMail", "sisimai/lhost-imailserver-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.com", "5.0.0",
     BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"DragonFly", "sisimai/lhost-dragonfly-01.eml", BOUNCE_BOUNCE, 1,
     "pseudo-local-part@google.example.com", "5.7.26", BOUNCE_R_SECURITY, BOUNCE_SOFT},
    {"Apache James", "sisimai/lhost-apachejames-01.eml", BOUNCE_BOUNCE, 1,
     "000000000000@vtext.example.com", "5.0.0", -1, -1},
    {"MailFoundry", "sisimai/lhost-mailfoundry-02.eml", BOUNCE_BOUNCE, 1, "kijitora@example.org",
     "5.1.1", BOUNCE_R_MAILBOX_FULL, BOUNCE_SOFT},
    {"mFILTER", "sisimai/lhost-mfilter-02.eml", BOUNCE_BOUNCE, 1, "kijitora@example.co.jp", "5.1.1",
     BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"McAfee", "sisimai/lhost-mcafee-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.co.jp", "5.0.0",
     BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Trend Micro", "sisimai/lhost-interscanmss-01.eml", BOUNCE_BOUNCE, 1, "kijitora@example.co.jp",
     "5.1.1", BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Verizon", "sisimai/lhost-verizon-01.eml", BOUNCE_BOUNCE, 1, "0000000000@vzwpix.com", "5.0.0",
     BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"au/KDDI", "sisimai/lhost-kddi-01.eml", BOUNCE_BOUNCE, 1, "kijitora@x0000000000000.dion.ne.jp",
     "5.0.0", BOUNCE_R_MAILBOX_FULL, BOUNCE_SOFT},
    {"au ezweb", "sisimai/lhost-ezweb-03.eml", BOUNCE_BOUNCE, 1,
     "this-local-part-does-not-exist-on-the-site@ezweb.ne.jp", "5.0.0", BOUNCE_R_SUSPENDED,
     BOUNCE_SOFT},
    {"NTT docomo", "sisimai/rhost-nttdocomo-01.eml", BOUNCE_BOUNCE, 1,
     "azumakuniyuki@ntt.docomo.example.ne.jp", "5.2.0", BOUNCE_R_FILTERED, BOUNCE_SOFT},
    {"SoftBank", "ours/softbank-two-recipients.eml", BOUNCE_BOUNCE, 2, "kenta.sato@softbank.ne.jp",
     "5.1.1", BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"Facebook", "sisimai/lhost-facebook-03.eml", BOUNCE_BOUNCE, 1, "kijitora@facebook.com",
     "5.1.1", BOUNCE_R_FILTERED, BOUNCE_SOFT},
    {"GoDaddy", "sisimai/rhost-godaddy-02.eml", BOUNCE_BOUNCE, 1, "kijitora@example.com", "5.1.3",
     BOUNCE_R_BLOCKED, BOUNCE_SOFT},
    {"Orange", "sisimai/rhost-franceptt-01.eml", BOUNCE_BOUNCE, 1,
     "pseudo-local-part-kijitora-nyaaan@orange.fr", "5.1.1", BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
    {"FML", "sisimai/lhost-fml-02.eml", BOUNCE_BOUNCE, 1, "neko-nyaan-ctl@example.org", "5.0.0",
     BOUNCE_R_REJECTED, BOUNCE_SOFT},
    {"Google Groups", "sisimai/lhost-googlegroups-01.eml", BOUNCE_BOUNCE, 1,
     "libsisimai@googlegroups.com", "5.0.0", BOUNCE_R_REJECTED, BOUNCE_SOFT},
    {"Barracuda", "bounceparser/spam-rejection.msg", BOUNCE_BOUNCE, 1,
     "exampleuser@exampledomain.co.uk", "5.7.1", BOUNCE_R_SPAM, BOUNCE_SOFT},
    {"RFC 3464", "sisimai/rfc3464-03.eml", BOUNCE_BOUNCE, 1, "kijitora@example.com", "5.0.0",
     BOUNCE_R_POLICY, BOUNCE_SOFT},
    {"ARF", "sisimai/arf-01.eml", BOUNCE_COMPLAINT, 1, "redacted@example.net", "",
     BOUNCE_R_FEEDBACK, BOUNCE_CLASS_NONE},
    {"JMRP", "php-bounce-handler/hotmailbounce.txt", BOUNCE_COMPLAINT, 1,
     "spamreportinguser@hotmail.com", "", BOUNCE_R_FEEDBACK, BOUNCE_CLASS_NONE},
    {"auto-reply", "sisimai/rfc3834-01.eml", BOUNCE_AUTOREPLY, 1, "kijitora@example.net", "",
     BOUNCE_R_VACATION, BOUNCE_CLASS_NONE},
    {"vacation", "bounceparser/warning-6.msg", BOUNCE_AUTOREPLY, 1, "john.smith@b.c", "",
     BOUNCE_R_VACATION, BOUNCE_CLASS_NONE},
    {"challenge-response", "bounceparser/boxbe-cr.msg", BOUNCE_AUTOREPLY, 1, "noreply@boxbe.com",
     "", BOUNCE_R_VACATION, BOUNCE_CLASS_NONE},
    {"Shift_JIS", "ours/docomo-shift-jis.eml", BOUNCE_BOUNCE, 1, "haruka.ito@docomo.example.ne.jp",
     "5.0.0", -1, -1},
    {"GB2312", "ours/tencent-gb2312-base64.eml", BOUNCE_BOUNCE, 1, "zhang.wei@qq.example.com",
     "5.0.0", -1, -1},
    {"forwarded notice", "ours/forwarded-notice.eml", BOUNCE_BOUNCE, 2, "kenta.sato@softbank.ne.jp",
     "5.1.1", BOUNCE_R_USER_UNKNOWN, BOUNCE_HARD},
};

static void test_families(void **state)
{
    size_t i;
    int bad = 0;

    (void)state;
    for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
        const struct family_case *c = &families[i];
        struct bounce_result r;
        const struct bounce_rcpt *x;
        parse_file(c->file, &r);
        x = r.nrcpt ? &r.rcpt[0] : NULL;
        if (r.type != c->type || r.nrcpt != c->nrcpt || !x || strcmp(x->address, c->address) ||
            strcmp(x->status, c->status) || (c->reason >= 0 && (int)x->reason != c->reason) ||
            (c->class >= 0 && (int)x->class != c->class)) {
            print_error("%s (%s): got %s, %zu recipients, %s %s %s %s\n", c->family, c->file,
                        bounce_type_name(r.type), r.nrcpt, x ? x->address : "-",
                        x ? x->status : "-", x ? bounce_reason_name(x->reason) : "-",
                        x && bounce_class_name(x->class) ? bounce_class_name(x->class) : "-");
            bad++;
        }
        bounce_release(&r);
    }
    assert_int_equal(bad, 0);
}

/* The whole collection against its expected.tsv files (what agreement.py
 * measures): the agreement may not fall below where it stands, and nothing
 * that is not a bounce (an auto-reply, a complaint, a person) is ever made
 * a hard bounce. */
struct tally {
    long n, class_ok, status_ok, reason_ok, hard_wrong;
};

static void check_file(const char *dir, const char *file, char rows[][3][32], size_t nrows,
                       struct tally *t)
{
    struct buf name = BUF_INIT;
    struct bounce_result r;
    size_t i;

    assert_int_equal(buf_addf(&name, "%s/%s", dir, file), 0);
    parse_file(name.data, &r);
    for (i = 0; i < nrows; i++) {
        const struct bounce_rcpt *x = i < r.nrcpt ? &r.rcpt[i] : NULL;
        const char *cls = r.type == BOUNCE_BOUNCE && x && bounce_class_name(x->class)
                              ? bounce_class_name(x->class)
                              : "none";
        const char *st = x ? x->status : "", *want_st = strcmp(rows[i][0], "-") ? rows[i][0] : "";
        const char *reason = x                            ? bounce_reason_name(x->reason)
                             : r.type == BOUNCE_COMPLAINT ? "feedback"
                             : r.type == BOUNCE_AUTOREPLY ? "vacation"
                                                          : "";
        const char *want_reason = strcmp(rows[i][1], "-") ? rows[i][1] : "";
        t->n++;
        t->class_ok += !strcmp(cls, rows[i][2]);
        t->status_ok += st[0] == want_st[0];
        t->reason_ok += !strcmp(reason, want_reason);
        t->hard_wrong += !strcmp(rows[i][2], "none") && !strcmp(cls, "hard");
    }
    bounce_release(&r);
    buf_release(&name);
}

static void read_expected(const char *dir, struct tally *t)
{
    struct buf path = BUF_INIT, data;
    char rows[64][3][32], file[256] = "", f[256], st[32], reason[32], cls[32];
    size_t nrows = 0;
    const char *line;

    buf_init(&data, 0);
    assert_int_equal(buf_addf(&path, "%s/bounces/%s/expected.tsv",
                              getenv("FIXTURES") ? getenv("FIXTURES") : "tests/fixtures", dir),
                     0);
    assert_int_equal(buf_read_file(&data, path.data), 0);
    for (line = data.data; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
        if (*line == '#' || *line == '\n' ||
            sscanf(line, "%255[^\t]\t%*[^\t]\t%*[^\t]\t%31[^\t]\t%*[^\t]\t%31[^\t]\t%31[^\t\n]", f,
                   st, reason, cls) != 4)
            continue;
        if (strcmp(f, file) && *file) {
            check_file(dir, file, rows, nrows, t);
            nrows = 0;
        }
        snprintf(file, sizeof(file), "%s", f);
        if (nrows < 64) {
            snprintf(rows[nrows][0], 32, "%s", st);
            snprintf(rows[nrows][1], 32, "%s", reason);
            snprintf(rows[nrows][2], 32, "%s", cls);
            nrows++;
        }
    }
    if (*file)
        check_file(dir, file, rows, nrows, t);
    buf_release(&path);
    buf_release(&data);
}

static void test_collection(void **state)
{
    static const char *const dirs[] = {"sisimai",      "set-of-emails", "php-bounce-handler",
                                       "bounceparser", "bounce-email",  "mailbouncedetector",
                                       "flanker",      "mail-gem",      "ours"};
    struct tally t = {0};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        read_expected(dirs[i], &t);
    print_message("%ld recipients: class %.1f %%, status class %.1f %%, reason %.1f %%\n", t.n,
                  100.0 * t.class_ok / t.n, 100.0 * t.status_ok / t.n, 100.0 * t.reason_ok / t.n);
    assert_true(t.n >= 890);
    /* Floors a little under where the rules stand (agreement.py -v says
     * where; 95.8 %, 98.4 %, 87.0 % over 899 recipients in round 2): a
     * change that loses ground fails here. */
    assert_true(t.class_ok * 1000 >= t.n * 955);
    assert_true(t.status_ok * 1000 >= t.n * 982);
    assert_true(t.reason_ok * 1000 >= t.n * 865);
    assert_int_equal(t.hard_wrong, 0);
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
        cmocka_unit_test(test_class_rule), cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_hostile),    cmocka_unit_test(test_mangled),
        cmocka_unit_test(test_too_big),    cmocka_unit_test(test_names),
        cmocka_unit_test(test_families),   cmocka_unit_test(test_collection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
