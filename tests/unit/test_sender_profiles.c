/* test_sender_profiles - senders.ini: the named senders over the default
 * one of .env; what a profile takes from .env and what it never does (a
 * login, an address, a mailbox); every problem said with its file and line;
 * a file holding a password refused when others may read it; the example
 * file the office starts from; and what `config` and `check` say of each
 * secret without running any command. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "sender.h"

#include "scratch.h"

#include "banned.h"

static char dir[] = "/tmp/test_sender_profiles.XXXXXX";

/* Write text to dir/name with mode; its path into path. */
static void write_file(const char *name, const char *text, mode_t mode, char *path, size_t size)
{
    FILE *f;

    snprintf(path, size, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

/* The settings of a .env holding env_text (nothing from the environment). */
static void settings(struct config *c, const char *env_text)
{
    char path[256];
    struct err e;

    for (int i = 0; i < CFG_COUNT; i++)
        unsetenv(config_settings[i].name);
    write_file("test.env", env_text, 0600, path, sizeof(path));
    err_init(&e);
    if (config_load(c, path, &e))
        fail_msg("%s", e.msg.data);
    err_release(&e);
}

/* Load ini_text (mode) over env_text: 0, or -1 with the problems in e. */
static int load(struct sender_profiles *p, const char *env_text, const char *ini_text, mode_t mode,
                struct err *e)
{
    char path[256];
    struct config c;
    int rc;

    settings(&c, env_text);
    write_file("senders.ini", ini_text, mode, path, sizeof(path));
    rc = sender_profiles_load(p, &c, path, e);
    config_release(&c);
    return rc;
}

static const char dotenv[] = "MAIL_FROM=Voto Chilango <votochilango@votochilango.example>\n"
                             "SMTP_URL=smtp://relay.example:587\n"
                             "SMTP_USER=votochilango@votochilango.example\n"
                             "SMTP_PASSWORD=la-del-env\n"
                             "SMTP_TLS=none\n"
                             "SMTP_HELO=mx.votochilango.example\n"
                             "SMTP_PRESET=m365\n"
                             "BOUNCE_ADDRESS=rebotes@votochilango.example\n"
                             "BOUNCE_VERP=yes\n"
                             "UNSUBSCRIBE_URL=https://votochilango.example/baja\n"
                             "BOUNCE_IMAP_URL=imaps://imap.example/INBOX\n"
                             "BOUNCE_IMAP_USER=rebotes\n"
                             "BOUNCE_IMAP_PASSWORD=imap-del-env\n";

/* No senders.ini: the default sender alone, as before profiles. */
static void test_no_file(void **state)
{
    struct sender_profiles p;
    struct config c;
    struct err e;

    (void)state;
    err_init(&e);
    settings(&c, dotenv);
    assert_int_equal(sender_profiles_load(&p, &c, "/nonexistent/senders.ini", &e), 0);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.v[0].name, "default");
    assert_string_equal(p.v[0].file, "");
    assert_string_equal(p.v[0].smtp_url, "smtp://relay.example:587");
    assert_ptr_equal(sender_profiles_find(&p, NULL), &p.v[0]);
    assert_ptr_equal(sender_profiles_find(&p, ""), &p.v[0]);
    assert_ptr_equal(sender_profiles_find(&p, "default"), &p.v[0]);
    assert_null(sender_profiles_find(&p, "red"));
    sender_profiles_release(&p);
    config_release(&c);
    err_release(&e);
}

/* A profile has its own login, addresses and mailbox; how it talks and how
 * fast is .env's unless it says otherwise. */
static void test_own_and_inherited(void **state)
{
    struct sender_profiles p;
    const struct sender *r, *d;
    struct err e;

    (void)state;
    err_init(&e);
    if (load(&p, dotenv,
             "; la Red de Observación\r\n"
             "[remitente red]\r\n"
             "mail_from = \"Red de Observación <observacion@iecm.example>\"\r\n"
             "SMTP_URL=smtp://smtp.iecm.example:587   # su servidor\r\n"
             "  Smtp_User = observacion@iecm.example\r\n"
             "SMTP_PASSWORD_COMMAND = 'pass show red # con almohadilla'\r\n"
             "SMTP_RATE = 10/min\r\n"
             "\r\n"
             "[sender pulso]\n"
             "MAIL_FROM = pulso@iecm.example\n"
             "SMTP_URL = smtps://smtp.iecm.example:465\n",
             0644, &e))
        fail_msg("%s", e.msg.data);
    assert_int_equal(p.n, 3);
    d = sender_profiles_find(&p, "default");
    r = sender_profiles_find(&p, "red");
    assert_non_null(r);
    assert_string_equal(r->name, "red");
    assert_non_null(strstr(r->file, "senders.ini"));
    assert_int_equal(r->line, 2);
    assert_string_equal(r->from, "Red de Observación <observacion@iecm.example>");
    assert_string_equal(r->smtp_url, "smtp://smtp.iecm.example:587");
    assert_string_equal(r->smtp_user, "observacion@iecm.example");
    assert_string_equal(r->smtp_password_command, "pass show red # con almohadilla");
    /* never .env's: the password, the envelope, the mailbox */
    assert_string_equal(r->smtp_password, "");
    assert_string_equal(r->bounce_address, "");
    assert_string_equal(r->imap_url, "");
    assert_string_equal(r->imap_user, "");
    assert_string_equal(r->imap_password, "");
    /* .env's: TLS, HELO, VERP, the one-click base, the preset's daily limit */
    assert_int_equal(r->smtp_require_tls, 0);
    assert_string_equal(r->smtp_helo, "mx.votochilango.example");
    assert_int_equal(r->verp, 1);
    assert_string_equal(r->unsubscribe_url, "https://votochilango.example/baja");
    assert_int_equal(r->daily_limit, 10000);
    /* its own rate over the preset's */
    assert_int_equal(r->rate_count, 10);
    assert_int_equal(r->rate_seconds, 60);
    /* [sender NAME] is the same as [remitente NAME]; no login of .env */
    assert_string_equal(sender_profiles_find(&p, "pulso")->smtp_user, "");
    assert_int_equal(sender_profiles_find(&p, "pulso")->line, 9);
    /* the default is untouched */
    assert_string_equal(d->smtp_password, "la-del-env");
    assert_int_equal(d->rate_count, 30);
    sender_profiles_release(&p);
    err_release(&e);
}

/* Every problem of the file, each with its line; nothing is loaded. */
static void test_problems_with_lines(void **state)
{
    static const char *const said[] = {
        "senders.ini:1: SMTP_URL is outside a section",
        "senders.ini:2: unknown section [perfil x]",
        "senders.ini:3: [remitente default]: \"default\" is the sender of .env",
        "senders.ini:4: [remitente mal nombre]: a sender's name is",
        "senders.ini:8: unknown setting \"SMTP_URLL\"",
        "senders.ini:9: RETRY_MAX_AGE is not a setting of a sender: it belongs in .env",
        "senders.ini:10: SMTP_RATE: \"muchos\" is not a rate",
        "senders.ini:11: expected NAME = value",
        "senders.ini:12: SMTP_URL is set twice in [remitente a] (first on line 6)",
        "senders.ini:13: SMTP_CONCURRENCY: must be between 1 and 64",
        "senders.ini:14: MAIL_FROM: unterminated \"...\" quote",
        "senders.ini:5: [remitente a]: MAIL_FROM is missing",
        "senders.ini:5: [remitente a]: SMTP_USER is set, but not its password",
        "senders.ini:15: [remitente a] is defined twice (first on line 5)",
        "senders.ini:16: [remitente b]: MAIL_FROM is missing",
        "senders.ini:16: [remitente b]: SMTP_URL is missing",
        "senders.ini:16: [remitente b]: BOUNCE_IMAP_URL is set, but not its user",
        "senders.ini:19: MAIL_FROM: \"Sin dirección\" holds no address",
        "senders.ini:18: [remitente c]: SMTP_URL is missing",
        "senders.ini:20: a section is written [remitente NAME]",
    };
    struct sender_profiles p;
    struct err e;
    size_t i;

    (void)state;
    err_init(&e);
    assert_int_equal(load(&p, dotenv,
                          "SMTP_URL = smtp://x\n"               /* 1 */
                          "[perfil x]\n"                        /* 2 */
                          "[remitente default]\n"               /* 3 */
                          "[remitente mal nombre]\n"            /* 4 */
                          "[remitente a]\n"                     /* 5 */
                          "SMTP_URL = smtp://a.example:587\n"   /* 6 */
                          "SMTP_USER = a@iecm.example\n"        /* 7 */
                          "SMTP_URLL = smtp://x\n"              /* 8 */
                          "RETRY_MAX_AGE = 3d\n"                /* 9 */
                          "SMTP_RATE = muchos\n"                /* 10 */
                          "sin igual\n"                         /* 11 */
                          "SMTP_URL = smtp://b.example:587\n"   /* 12 */
                          "SMTP_CONCURRENCY = 100\n"            /* 13 */
                          "MAIL_FROM = \"sin cerrar\n"          /* 14 */
                          "[remitente a]\n"                     /* 15 */
                          "[remitente b]\n"                     /* 16 */
                          "BOUNCE_IMAP_URL = imaps://x/INBOX\n" /* 17 */
                          "[remitente c]\n"                     /* 18 */
                          "MAIL_FROM = Sin dirección\n"         /* 19 */
                          "[remitente d\n",                     /* 20 */
                          0600, &e),
                     -1);
    assert_int_equal(e.kind, ERR_CONFIG);
    for (i = 0; i < sizeof(said) / sizeof(said[0]); i++)
        if (!strstr(e.msg.data, said[i]))
            fail_msg("not said: %s\nsaid:\n%s", said[i], e.msg.data);
    assert_null(p.v);
    assert_int_equal(p.n, 0);
    err_release(&e);
}

/* A password written in the file: refused while others may read it, as
 * .env is; a command needs no such care. */
static void test_password_file_mode(void **state)
{
    static const char with_password[] = "[remitente red]\n"
                                        "MAIL_FROM = red@iecm.example\n"
                                        "SMTP_URL = smtp://smtp.iecm.example:587\n"
                                        "SMTP_USER = red@iecm.example\n"
                                        "SMTP_PASSWORD = s3cr3t\n";
    struct sender_profiles p;
    struct err e;

    (void)state;
    err_init(&e);
    assert_int_equal(load(&p, dotenv, with_password, 0644, &e), -1);
    assert_int_equal(e.kind, ERR_CONFIG);
    assert_non_null(strstr(e.msg.data, "holds a password and can be read by other users"));
    assert_non_null(strstr(e.msg.data, "chmod 600"));
    err_clear(&e);
    assert_int_equal(load(&p, dotenv, with_password, 0640, &e), -1);
    err_clear(&e);
    if (load(&p, dotenv, with_password, 0600, &e))
        fail_msg("%s", e.msg.data);
    assert_string_equal(sender_profiles_find(&p, "red")->smtp_password, "s3cr3t");
    sender_profiles_release(&p);
    err_release(&e);
}

/* take moves one sender out; the others stay findable. */
static void test_take(void **state)
{
    struct sender_profiles p;
    struct sender s;
    struct err e;

    (void)state;
    err_init(&e);
    if (load(&p, dotenv, "[remitente red]\nMAIL_FROM = red@iecm.example\nSMTP_URL = smtp://r:587\n",
             0600, &e))
        fail_msg("%s", e.msg.data);
    assert_int_equal(sender_profiles_take(&p, "otro", &s), -1);
    assert_int_equal(sender_profiles_take(&p, "red", &s), 0);
    assert_string_equal(s.name, "red");
    assert_null(sender_profiles_find(&p, "red"));
    assert_non_null(sender_profiles_find(&p, "default"));
    sender_profiles_release(&p);
    sender_release(&s);
    err_release(&e);
}

/* The example the office copies loads as it is: three mailboxes, each with
 * its own login and mailbox, Microsoft 365's limits. */
static void test_example_file(void **state)
{
    const char *src = getenv("SOURCE_DIR");
    struct sender_profiles p;
    struct config c;
    char path[512];
    struct err e;

    (void)state;
    assert_non_null(src);
    snprintf(path, sizeof(path), "%s/senders.ini.example", src);
    err_init(&e);
    settings(&c, "");
    if (sender_profiles_load(&p, &c, path, &e))
        fail_msg("%s", e.msg.data);
    assert_int_equal(p.n, 4);
    for (size_t i = 1; i < p.n; i++) {
        assert_int_equal(p.v[i].rate_count, 30);
        assert_true(p.v[i].daily_limit > 0);
        assert_string_not_equal(p.v[i].smtp_user, "");
        assert_string_not_equal(p.v[i].imap_url, "");
    }
    assert_string_equal(sender_profiles_find(&p, "institucional")->smtp_oauth_token_command,
                        "/usr/local/bin/token-m365 pulso.internacional");
    assert_int_equal(sender_profiles_find(&p, "institucional")->daily_limit, 5000);
    sender_profiles_release(&p);
    config_release(&c);
    err_release(&e);
}

/* What `config` and `check` say of each secret: where a password is written,
 * whether a command's program is there (never run), what is missing. */
static void test_secrets(void **state)
{
    struct sender_profiles p;
    struct sender_secret x[SENDER_SECRETS_MAX];
    const struct sender *s;
    struct err e;
    size_t n;

    (void)state;
    err_init(&e);
    if (load(&p, dotenv,
             "[remitente a]\nMAIL_FROM = a@iecm.example\nSMTP_URL = smtp://a:587\n"
             "SMTP_USER = a@iecm.example\n"
             /* would leave a trace if it ran */
             "SMTP_PASSWORD_COMMAND = '\"/bin/sh\" -c \"touch ran\"'\n"
             "BOUNCE_IMAP_URL = imaps://imap/INBOX\nBOUNCE_IMAP_USER = a\n"
             "BOUNCE_IMAP_PASSWORD_COMMAND = no-such-program-here --please\n"
             "[remitente b]\nMAIL_FROM = b@iecm.example\nSMTP_URL = smtp://b:587\n"
             "SMTP_OAUTH_TOKEN_COMMAND = /nonexistent/token\n"
             "UNSUBSCRIBE_MAILTO = bajas@iecm.example\n"
             "UNSUBSCRIBE_IMAP_URL = imaps://imap/Bajas\n",
             0600, &e))
        fail_msg("%s", e.msg.data);
    s = sender_profiles_find(&p, "a");
    sender_secrets(s, x, &n);
    assert_int_equal(n, 2);
    assert_string_equal(x[0].setting, "SMTP_PASSWORD_COMMAND");
    assert_int_equal(x[0].source, SENDER_SECRET_COMMAND);
    assert_string_equal(x[0].program, "/bin/sh");
    assert_int_equal(x[0].ok, 1);
    assert_int_equal(access("ran", F_OK), -1); /* found, not run */
    assert_string_equal(x[1].setting, "BOUNCE_IMAP_PASSWORD_COMMAND");
    assert_string_equal(x[1].program, "no-such-program-here");
    assert_int_equal(x[1].ok, 0);

    s = sender_profiles_find(&p, "b");
    sender_secrets(s, x, &n);
    assert_int_equal(n, 1); /* no login: no password asked; token command listed */
    assert_string_equal(x[0].setting, "SMTP_OAUTH_TOKEN_COMMAND");
    assert_int_equal(x[0].ok, 0);

    s = sender_profiles_find(&p, "default");
    sender_secrets(s, x, &n);
    assert_int_equal(n, 2);
    assert_string_equal(x[0].setting, "SMTP_PASSWORD");
    assert_int_equal(x[0].source, SENDER_SECRET_LITERAL);
    assert_int_equal(x[0].ok, 1);
    assert_string_equal(x[1].setting, "BOUNCE_IMAP_PASSWORD");
    sender_profiles_release(&p);
    err_release(&e);
}

/* .env's login with no password anywhere: said missing. */
static void test_secret_missing(void **state)
{
    struct sender_secret x[SENDER_SECRETS_MAX];
    struct sender s;
    struct config c;
    struct err e;
    size_t n;

    (void)state;
    err_init(&e);
    settings(&c, "SMTP_USER=alguien@iecm.example\n");
    assert_int_equal(sender_from_config(&s, &c, &e), 0);
    sender_secrets(&s, x, &n);
    assert_int_equal(n, 1);
    assert_int_equal(x[0].source, SENDER_SECRET_MISSING);
    assert_int_equal(x[0].ok, 0);
    sender_release(&s);
    config_release(&c);
    err_release(&e);
}

static int setup(void **state)
{
    (void)state;
    if (scratch_make(dir) || chdir(dir))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return scratch_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_file),
        cmocka_unit_test(test_own_and_inherited),
        cmocka_unit_test(test_problems_with_lines),
        cmocka_unit_test(test_password_file_mode),
        cmocka_unit_test(test_take),
        cmocka_unit_test(test_example_file),
        cmocka_unit_test(test_secrets),
        cmocka_unit_test(test_secret_missing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
