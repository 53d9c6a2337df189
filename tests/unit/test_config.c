/* test_config - .env parsing, precedence, validation, secrets file mode. */
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

#include "scratch.h"

#include "banned.h"

static char dir[] = "/tmp/test_config.XXXXXX";

static const char *write_env(const char *name, const char *text, mode_t mode)
{
    static char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
    return path;
}

static void clear_env(void)
{
    int i;

    for (i = 0; i < CFG_COUNT; i++)
        unsetenv(config_settings[i].name);
}

static void test_defaults(void **state)
{
    struct config c;
    struct err e;

    (void)state;
    clear_env();
    err_init(&e);
    assert_int_equal(config_load(&c, write_env("empty.env", "", 0600), &e), 0);
    assert_string_equal(config_get(&c, CFG_SMTP_TLS), "required");
    assert_int_equal(config_get_long(&c, CFG_SMTP_CONCURRENCY), 4);
    assert_int_equal(config_get_long(&c, CFG_SMTP_TIMEOUT), 60);
    assert_string_equal(c.origin[CFG_SMTP_URL], "default");
    config_release(&c);
    err_release(&e);
}

static void test_syntax(void **state)
{
    struct config c;
    struct err e;
    const char *path = write_env("syntax.env",
                                 "# a comment\n"
                                 "\n"
                                 "export SMTP_URL=smtp://mail.example:587   # trailing comment\n"
                                 "SMTP_USER = 'o''\n"
                                 "MAIL_FROM=\"Voto Chilango <vc@example.org>\"\n"
                                 "SMTP_HELO='lit # not a comment'\r\n"
                                 "SMTP_RATE=30/min\n"
                                 "BOUNCE_ADDRESS=\"a\\\"b@example.org\"\n",
                                 0644);

    (void)state;
    clear_env();
    err_init(&e);
    /* SMTP_USER = 'o'' has text after the closing quote */
    assert_int_equal(config_load(&c, path, &e), -1);
    assert_non_null(strstr(e.msg.data, "syntax.env:4: SMTP_USER: text after the closing quote"));
    config_release(&c);
    err_clear(&e);
    path = write_env("syntax2.env",
                     "export SMTP_URL=smtp://mail.example:587   # trailing comment\n"
                     "MAIL_FROM=\"Voto Chilango <vc@example.org>\"\n"
                     "SMTP_HELO='lit # not a comment'\r\n"
                     "SMTP_RATE=30/min\n"
                     "BOUNCE_ADDRESS=\"a\\\"b@example.org\"\n",
                     0644);
    assert_int_equal(config_load(&c, path, &e), 0);
    assert_string_equal(config_get(&c, CFG_SMTP_URL), "smtp://mail.example:587");
    assert_string_equal(config_get(&c, CFG_MAIL_FROM), "Voto Chilango <vc@example.org>");
    assert_string_equal(config_get(&c, CFG_SMTP_HELO), "lit # not a comment");
    assert_string_equal(config_get(&c, CFG_BOUNCE_ADDRESS), "a\"b@example.org");
    assert_string_equal(c.origin[CFG_SMTP_URL], ".env");
    config_release(&c);
    err_release(&e);
}

struct bad_case {
    const char *line;
    const char *message;
};

static void test_errors_name_file_and_line(void **state)
{
    static const struct bad_case cases[] = {
        {"SMTP_URLX=smtp://a\n", "bad.env:2: unknown setting \"SMTP_URLX\""},
        {"SMTP_CONCURRENCY=many\n", "bad.env:2: SMTP_CONCURRENCY: \"many\" is not a whole number"},
        {"SMTP_CONCURRENCY=0\n", "bad.env:2: SMTP_CONCURRENCY: must be between 1 and 64"},
        {"SMTP_RATE=30 per minute\n", "bad.env:2: SMTP_RATE: \"30 per minute\" is not a rate"},
        {"SMTP_TIMEOUT=soon\n", "bad.env:2: SMTP_TIMEOUT: \"soon\" is not a duration"},
        {"SMTP_TLS=maybe\n", "bad.env:2: SMTP_TLS: \"maybe\" is not one of required|none"},
        {"just words\n", "bad.env:2: expected NAME=value"},
        {"MAIL_FROM=\"unterminated\n", "bad.env:2: MAIL_FROM: unterminated \"...\" quote"},
    };
    struct config c;
    struct err e;
    char text[256];
    size_t i;

    (void)state;
    clear_env();
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        err_init(&e);
        snprintf(text, sizeof(text), "# first line\n%s", cases[i].line);
        assert_int_equal(config_load(&c, write_env("bad.env", text, 0600), &e), -1);
        if (!strstr(e.msg.data, cases[i].message))
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, e.msg.data, cases[i].message);
        assert_int_equal(e.kind, ERR_CONFIG);
        config_release(&c);
        err_release(&e);
    }
}

static void test_every_bad_line_reported(void **state)
{
    struct config c;
    struct err e;

    (void)state;
    clear_env();
    err_init(&e);
    assert_int_equal(config_load(&c, write_env("two.env", "NOPE=1\nSMTP_RATE=x\n", 0600), &e), -1);
    assert_non_null(strstr(e.msg.data, "two.env:1:"));
    assert_non_null(strstr(e.msg.data, "two.env:2:"));
    config_release(&c);
    err_release(&e);
}

static void test_precedence(void **state)
{
    struct config c;
    struct err e;
    const char *path = write_env("prec.env",
                                 "SMTP_URL=smtp://from-dotenv:587\n"
                                 "SMTP_HELO=dotenv.example\n",
                                 0600);

    (void)state;
    clear_env();
    err_init(&e);
    setenv("SMTP_URL", "smtp://from-env:587", 1);
    assert_int_equal(config_load(&c, path, &e), 0);
    assert_string_equal(config_get(&c, CFG_SMTP_URL), "smtp://from-env:587");
    assert_string_equal(c.origin[CFG_SMTP_URL], "env");
    assert_string_equal(config_get(&c, CFG_SMTP_HELO), "dotenv.example");
    assert_int_equal(config_set(&c, CFG_SMTP_URL, "smtp://from-flag:587", "flag", &e), 0);
    assert_string_equal(config_get(&c, CFG_SMTP_URL), "smtp://from-flag:587");
    config_release(&c);
    unsetenv("SMTP_URL");
    /* a bad environment variable is named as such */
    setenv("SMTP_CONCURRENCY", "x", 1);
    assert_int_equal(config_load(&c, path, &e), -1);
    assert_non_null(strstr(e.msg.data, "environment variable SMTP_CONCURRENCY"));
    unsetenv("SMTP_CONCURRENCY");
    config_release(&c);
    err_release(&e);
}

static void test_password_file_mode(void **state)
{
    struct config c;
    struct err e;
    const char *text = "SMTP_USER=vc\nSMTP_PASSWORD=s3cret\n";

    (void)state;
    clear_env();
    err_init(&e);
    assert_int_equal(config_load(&c, write_env("pw.env", text, 0644), &e), -1);
    assert_non_null(strstr(e.msg.data, "holds a password and can be read by other users"));
    assert_int_equal(e.kind, ERR_CONFIG);
    config_release(&c);
    err_clear(&e);
    assert_int_equal(config_load(&c, write_env("pw.env", text, 0600), &e), 0);
    assert_string_equal(config_get(&c, CFG_SMTP_PASSWORD), "s3cret");
    config_release(&c);
    /* no password: a readable file is fine */
    assert_int_equal(config_load(&c, write_env("nopw.env", "SMTP_USER=vc\n", 0644), &e), 0);
    config_release(&c);
    err_release(&e);
}

static void test_missing_named_file(void **state)
{
    struct config c;
    struct err e;

    (void)state;
    clear_env();
    err_init(&e);
    assert_int_equal(config_load(&c, "/nonexistent/.env", &e), -1);
    assert_int_equal(e.kind, ERR_NOINPUT);
    config_release(&c);
    err_release(&e);
}

static void test_rates_and_durations(void **state)
{
    static const struct {
        const char *in;
        long count, seconds;
    } rates[] = {
        {"30/min", 30, 60}, {"2/s", 2, 1}, {"1000/hour", 1000, 3600}, {"500/day", 500, 86400}};
    long n, s;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
        assert_int_equal(config_parse_rate(rates[i].in, &n, &s), 0);
        assert_int_equal(n, rates[i].count);
        assert_int_equal(s, rates[i].seconds);
    }
    assert_int_equal(config_parse_rate("0/min", &n, &s), -1);
    assert_int_equal(config_parse_rate("30", &n, &s), -1);
    assert_int_equal(config_parse_rate("30/fortnight", &n, &s), -1);
    assert_int_equal(config_parse_duration("3d", &s), 0);
    assert_int_equal(s, 3 * 86400);
    assert_int_equal(config_parse_duration("15m", &s), 0);
    assert_int_equal(s, 900);
    assert_int_equal(config_parse_duration("-1", &s), -1);
    /* found by fuzz_config: would overflow a long */
    assert_int_equal(config_parse_duration("290122513495155597d", &s), -1);
    assert_int_equal(config_parse_duration("9223372036854775807m", &s), -1);
}

/* .env.example names every setting, and nothing else. */
static void test_env_example_in_step(void **state)
{
    const char *src = getenv("SOURCE_DIR");
    char path[512], line[1024];
    int seen[CFG_COUNT] = {0}, i;
    FILE *f;

    (void)state;
    assert_non_null(src);
    snprintf(path, sizeof(path), "%s/.env.example", src);
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        char *eq = strchr(line, '=');
        if (line[0] == '#' || !eq)
            continue;
        *eq = '\0';
        i = config_find(line);
        if (i < 0)
            fail_msg(".env.example names an unknown setting %s", line);
        seen[i] = 1;
    }
    fclose(f);
    for (i = 0; i < CFG_COUNT; i++)
        if (!seen[i])
            fail_msg(".env.example lacks %s", config_settings[i].name);
    /* and it loads */
    {
        struct config c;
        struct err e;
        err_init(&e);
        clear_env();
        assert_int_equal(config_load(&c, path, &e), 0);
        config_release(&c);
        err_release(&e);
    }
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
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_every_bad_line_reported),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_password_file_mode),
        cmocka_unit_test(test_missing_named_file),
        cmocka_unit_test(test_rates_and_durations),
        cmocka_unit_test(test_env_example_in_step),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
