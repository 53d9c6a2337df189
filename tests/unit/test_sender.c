/* test_sender - the settings resolved once into a sender: every field from
 * its setting, the defaults, the presets of the provider's limits, and the
 * password and XOAUTH2 token commands, run only when asked. */
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

static char dir[] = "/tmp/test_sender.XXXXXX";

/* A sender from a .env holding text (and nothing from the environment). */
static void resolve(struct sender *s, const char *text)
{
    char path[256];
    struct config c;
    struct err e;
    FILE *f;

    for (int i = 0; i < CFG_COUNT; i++)
        unsetenv(config_settings[i].name);
    snprintf(path, sizeof(path), "%s/sender.env", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, 0600);
    err_init(&e);
    if (config_load(&c, path, &e) || sender_from_config(s, &c, &e))
        fail_msg("%s", e.msg.data);
    config_release(&c);
    err_release(&e);
}

static void test_defaults(void **state)
{
    struct sender s;

    (void)state;
    resolve(&s, "");
    assert_string_equal(s.name, "default");
    assert_string_equal(s.from, "Voto Chilango <votochilango@votochilango.example>");
    assert_string_equal(s.smtp_url, "smtp://127.0.0.1:587");
    assert_string_equal(s.smtp_user, ""); /* never NULL: "" when not set */
    assert_string_equal(s.smtp_password, "");
    assert_string_equal(s.bounce_address, "");
    assert_string_equal(s.imap_url, "");
    assert_int_equal(s.smtp_require_tls, 1);
    assert_string_equal(s.smtp_helo, "localhost");
    assert_int_equal(s.concurrency, 4);
    assert_int_equal(s.timeout, 60);
    assert_int_equal(s.rate_count, 0);
    assert_int_equal(s.daily_limit, 0);
    assert_int_equal(s.verp, 0);
    sender_release(&s);
    assert_null(s.name); /* released: empty */
}

static void test_every_setting(void **state)
{
    struct sender s;

    (void)state;
    resolve(&s, "MAIL_FROM=Red de Observación <red@iecm.example>\n"
                "SMTP_URL=smtp://relay1:587 smtp://relay2:587*2\n"
                "SMTP_TLS=none\n"
                "SMTP_USER=red@iecm.example\n"
                "SMTP_PASSWORD=s3cr3t\n"
                "SMTP_PASSWORD_COMMAND=pass show red\n"
                "SMTP_OAUTH_TOKEN_COMMAND=oauth2 red\n"
                "SMTP_HELO=mx.iecm.example\n"
                "CA_FILE=/etc/ssl/iecm.pem\n"
                "SMTP_CONCURRENCY=2\n"
                "SMTP_TIMEOUT=2m\n"
                "SMTP_RATE=20/min\n"
                "SMTP_DAILY_LIMIT=700\n"
                "BOUNCE_ADDRESS=rebotes@iecm.example\n"
                "BOUNCE_VERP=yes\n"
                "UNSUBSCRIBE_MAILTO=bajas@iecm.example\n"
                "UNSUBSCRIBE_URL=https://iecm.example/baja\n"
                "BOUNCE_IMAP_URL=imaps://imap.iecm.example:993/INBOX\n"
                "BOUNCE_IMAP_USER=rebotes@iecm.example\n"
                "BOUNCE_IMAP_PASSWORD=imap-s3cr3t\n");
    assert_string_equal(s.from, "Red de Observación <red@iecm.example>");
    assert_string_equal(s.smtp_url, "smtp://relay1:587 smtp://relay2:587*2");
    assert_int_equal(s.smtp_require_tls, 0);
    assert_string_equal(s.smtp_user, "red@iecm.example");
    assert_string_equal(s.smtp_password, "s3cr3t");
    assert_string_equal(s.smtp_password_command, "pass show red");
    assert_string_equal(s.smtp_oauth_token_command, "oauth2 red");
    assert_string_equal(s.smtp_helo, "mx.iecm.example");
    assert_string_equal(s.ca_file, "/etc/ssl/iecm.pem");
    assert_int_equal(s.concurrency, 2);
    assert_int_equal(s.timeout, 120);
    assert_int_equal(s.rate_count, 20);
    assert_int_equal(s.rate_seconds, 60);
    assert_int_equal(s.daily_limit, 700);
    assert_string_equal(s.bounce_address, "rebotes@iecm.example");
    assert_int_equal(s.verp, 1);
    assert_string_equal(s.unsubscribe_mailto, "bajas@iecm.example");
    assert_string_equal(s.unsubscribe_url, "https://iecm.example/baja");
    assert_string_equal(s.imap_url, "imaps://imap.iecm.example:993/INBOX");
    assert_string_equal(s.imap_user, "rebotes@iecm.example");
    assert_string_equal(s.imap_password, "imap-s3cr3t");
    sender_release(&s);
}

/* A preset gives the provider's limits where they are not set; explicit
 * settings win. */
static void test_presets(void **state)
{
    static const struct {
        const char *env;
        long count, seconds, daily;
    } cases[] = {
        {"SMTP_PRESET=m365\n", 30, 60, 10000},
        {"SMTP_PRESET=gmail\n", 60, 60, 2000},
        {"SMTP_PRESET=m365\nSMTP_RATE=2/s\nSMTP_DAILY_LIMIT=500\n", 2, 1, 500},
        {"SMTP_PRESET=none\n", 0, 0, 0},
        {"SMTP_RATE=1000/hour\n", 1000, 3600, 0},
    };
    struct sender s;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        resolve(&s, cases[i].env);
        assert_int_equal(s.rate_count, cases[i].count);
        if (cases[i].count)
            assert_int_equal(s.rate_seconds, cases[i].seconds);
        assert_int_equal(s.daily_limit, cases[i].daily);
        sender_release(&s);
    }
}

/* The password: SMTP_PASSWORD, else the command's first line, run only
 * when asked; a command that fails is a configuration error. */
static void test_password_command(void **state)
{
    struct sender s;
    struct err e;
    char *pw;

    (void)state;
    err_init(&e);
    resolve(&s, "SMTP_PASSWORD_COMMAND=printf 'abc\\nxyz'\n");
    pw = sender_password(&s, &e);
    assert_non_null(pw);
    assert_string_equal(pw, "abc");
    free(pw);
    assert_null(sender_oauth_token(&s, &e)); /* none configured: NULL, no error */
    assert_int_equal(e.kind, ERR_NONE);
    sender_release(&s);

    resolve(&s, "SMTP_PASSWORD_COMMAND=false\n");
    assert_null(sender_password(&s, &e));
    assert_int_equal(e.kind, ERR_CONFIG);
    assert_non_null(strstr(e.msg.data, "SMTP_PASSWORD_COMMAND"));
    err_clear(&e);
    sender_release(&s);

    resolve(&s, "SMTP_PASSWORD=given\nSMTP_PASSWORD_COMMAND=false\n");
    pw = sender_password(&s, &e); /* the password itself wins: the command is not run */
    assert_string_equal(pw, "given");
    free(pw);
    sender_release(&s);

    resolve(&s, "");
    assert_null(sender_password(&s, &e));
    assert_int_equal(e.kind, ERR_NONE);
    sender_release(&s);
    err_release(&e);
}

static void test_oauth_token_command(void **state)
{
    struct sender s;
    struct err e;
    char *token;

    (void)state;
    err_init(&e);
    resolve(&s, "SMTP_OAUTH_TOKEN_COMMAND=echo ya29.token\n");
    token = sender_oauth_token(&s, &e);
    assert_non_null(token);
    assert_string_equal(token, "ya29.token");
    free(token);
    sender_release(&s);
    resolve(&s, "SMTP_OAUTH_TOKEN_COMMAND=true\n"); /* prints nothing */
    assert_null(sender_oauth_token(&s, &e));
    assert_int_equal(e.kind, ERR_CONFIG);
    assert_non_null(strstr(e.msg.data, "SMTP_OAUTH_TOKEN_COMMAND"));
    sender_release(&s);
    err_release(&e);
}

static int setup(void **state)
{
    (void)state;
    return scratch_make(dir);
}

static int teardown(void **state)
{
    (void)state;
    return scratch_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_setting),
        cmocka_unit_test(test_presets),
        cmocka_unit_test(test_password_command),
        cmocka_unit_test(test_oauth_token_command),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
