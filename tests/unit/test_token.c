/* test_token - unsubscribe tokens (token.h), the endpoint's path and form
 * parsing, and the ledger's tokens and suppression scopes (issue 16). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ledger.h"
#include "token.h"

#include "scratch.h"

#include "banned.h"

static char dir[] = "/tmp/test_token.XXXXXX";
static char path[300];

static void test_new_and_valid(void **state)
{
    char a[TOKEN_LEN + 1], b[TOKEN_LEN + 1];

    (void)state;
    assert_int_equal(token_new(a), 0);
    assert_int_equal(token_new(b), 0);
    assert_int_equal(strlen(a), TOKEN_LEN);
    assert_true(token_valid(a, strlen(a)));
    assert_string_not_equal(a, b);
    assert_false(token_valid(a, TOKEN_LEN - 1));
    assert_false(token_valid("0123456789abcdef0123456789ABCDEF", TOKEN_LEN));
    assert_false(token_valid("0123456789abcdef0123456789abcdeg", TOKEN_LEN));
    assert_false(token_valid(NULL, 0));
}

static void test_path(void **state)
{
    const char *t = "0123456789abcdef0123456789abcdef";
    char tok[TOKEN_LEN + 1], p[64], u[128];

    (void)state;
    snprintf(p, sizeof(p), "/baja/%s", t);
    assert_int_equal(token_path_parse("/baja", p, strlen(p), tok), TOKEN_PATH_TOKEN);
    assert_string_equal(tok, t);
    assert_int_equal(token_path_parse("/baja", p, strlen(p) - 1, tok), TOKEN_PATH_NONE);
    assert_int_equal(token_path_parse("/otra", p, strlen(p), tok), TOKEN_PATH_NONE);
    snprintf(p, sizeof(p), "/baja/%s/", t);
    assert_int_equal(token_path_parse("/baja", p, strlen(p), tok), TOKEN_PATH_NONE);
    snprintf(p, sizeof(p), "/%s", t);
    assert_int_equal(token_path_parse("", p, strlen(p), tok), TOKEN_PATH_TOKEN);
    assert_int_equal(token_path_parse("/baja", "/baja/", 6, tok), TOKEN_PATH_NONE);
    assert_int_equal(token_url_path("https://www.votochilango.example/baja/", u, sizeof(u)), 0);
    assert_string_equal(u, "/baja");
    assert_int_equal(token_url_path("https://h.example", u, sizeof(u)), 0);
    assert_string_equal(u, "");
    assert_int_equal(token_url_path("ftp://h/x", u, sizeof(u)), -1);
    assert_int_equal(token_url_path("https://h/x?y", u, sizeof(u)), -1);
}

static void test_form(void **state)
{
    char v[32];
    const char *b = "List-Unsubscribe=One-Click";

    (void)state;
    assert_int_equal(token_form_field(b, strlen(b), "List-Unsubscribe", v, sizeof(v)), 0);
    assert_string_equal(v, "One-Click");
    b = "alcance=lista&accion=baja+ya";
    assert_int_equal(token_form_field(b, strlen(b), "accion", v, sizeof(v)), 0);
    assert_string_equal(v, "baja ya");
    assert_int_equal(token_form_field(b, strlen(b), "alcance", v, sizeof(v)), 0);
    assert_string_equal(v, "lista");
    assert_int_equal(token_form_field(b, strlen(b), "otro", v, sizeof(v)), 1);
    b = "a=%4";
    assert_int_equal(token_form_field(b, strlen(b), "a", v, sizeof(v)), -1);
    b = "a=%00";
    assert_int_equal(token_form_field(b, strlen(b), "a", v, sizeof(v)), -1);
    b = "a=%41%62";
    assert_int_equal(token_form_field(b, strlen(b), "a", v, sizeof(v)), 0);
    assert_string_equal(v, "Ab");
    b = "a=0123456789012345678901234567890123456789";
    assert_int_equal(token_form_field(b, strlen(b), "a", v, sizeof(v)), -1);
}

static void test_ledger_tokens_and_scopes(void **state)
{
    struct ledger *l;
    struct mailing m = {0};
    struct ledger_token t;
    struct delivery_counts c;
    struct err e;
    char why[64];
    long removed;
    int found = 0;

    (void)state;
    err_init(&e);
    scratch_unlink_db(path);
    l = ledger_open(path, &e);
    assert_non_null(l);
    m.campaign = "corazon";
    m.edition = "2026-11";
    m.lists = "diaspora,padron";
    assert_int_equal(ledger_mailing_create(l, &m, &e), 0);
    assert_int_equal(
        ledger_delivery_add(l, m.id, "Ana@example.org", "diaspora", "Ana", "{}", "<m1@x>", &e), 0);
    assert_int_equal(ledger_mailing_counts(l, m.id, &c, &e), 0);
    {
        struct delivery d[2];
        size_t n = 0;
        assert_int_equal(ledger_deliveries_due(l, m.id, 0, 0, 0, d, 2, &n, &e), 0);
        assert_int_equal(n, 1);
        assert_true(token_valid(d[0].token, strlen(d[0].token)));
        assert_int_equal(ledger_token_find(l, d[0].token, &t, &e), 0);
        found = 1;
        delivery_release(&d[0]);
    }
    assert_true(found);
    assert_int_equal(t.mailing_id, m.id);
    assert_string_equal(t.address, "Ana@example.org");
    assert_string_equal(t.list, "diaspora");
    assert_string_equal(t.lists, "diaspora,padron");
    ledger_token_release(&t);
    assert_int_equal(ledger_token_find(l, "0123456789abcdef0123456789abcdef", &t, &e) == 1 ||
                         (ledger_token_release(&t), 0),
                     1);
    /* a list's suppression holds for mailings of that list only */
    assert_int_equal(
        ledger_suppress_add_scope(l, "ana@example.org", "diaspora", "unsubscribe", "web:1", &e), 0);
    assert_int_equal(
        ledger_suppress_add_scope(l, "ana@example.org", "diaspora", "unsubscribe", "web:1", &e), 1);
    assert_int_equal(ledger_suppressed(l, "ana@example.org", why, sizeof(why), &e), 0);
    assert_int_equal(
        ledger_suppressed_for(l, "ANA@example.org", "padron,diaspora", why, sizeof(why), &e), 1);
    assert_int_equal(ledger_suppressed_for(l, "ana@example.org", "padron", why, sizeof(why), &e),
                     0);
    assert_int_equal(ledger_suppressed_for(l, "ana@example.org", "diasp", why, sizeof(why), &e), 0);
    /* '*' holds for every mailing */
    assert_int_equal(ledger_suppress_add(l, "beto@example.org", "manual", "manual", &e), 0);
    assert_int_equal(ledger_suppressed_for(l, "beto@example.org", "padron", why, sizeof(why), &e),
                     1);
    assert_string_equal(why, "manual");
    assert_int_equal(ledger_suppressed(l, "beto@example.org", why, sizeof(why), &e), 1);
    /* undo removes only what that source wrote */
    assert_int_equal(ledger_suppress_undo(l, "ana@example.org", "web:2", 0, &removed, &e), 0);
    assert_int_equal(removed, 0);
    assert_int_equal(ledger_suppress_undo(l, "ana@example.org", "web:1", 1, &removed, &e), 0);
    assert_int_equal(removed, 1);
    assert_int_equal(ledger_suppress_remove_scope(l, "beto@example.org", "padron", &e), 1);
    assert_int_equal(ledger_suppress_remove_scope(l, "beto@example.org", "*", &e), 0);
    ledger_token_release(&t);
    ledger_close(l);
    err_release(&e);
}

static int setup(void **state)
{
    (void)state;
    if (scratch_make(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/mailer.db", dir);
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
        cmocka_unit_test(test_new_and_valid),
        cmocka_unit_test(test_path),
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_ledger_tokens_and_scopes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
