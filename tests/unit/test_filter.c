/* test_filter - the filter language: grammar, matching, errors, nesting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "filter.h"
#include "value.h"

#include "banned.h"

static struct value *row(const char *ciudad, const char *pais, const char *tipo)
{
    struct value *m = value_new_map();

    value_map_set_string(m, "ciudad", ciudad);
    value_map_set_string(m, "pais", pais);
    value_map_set_string(m, "tipo", tipo);
    value_map_set_string(m, "email", "x@example.com");
    return m;
}

static void test_filter(void **state)
{
    static const struct {
        const char *filter;
        const char *ciudad, *pais, *tipo;
        int want; /* 1 match, 0 not, -1 syntax error */
    } cases[] = {
        {"ciudad = Chicago", "Chicago", "", "", 1},
        {"ciudad = Chicago", "Dallas", "", "", 0},
        {"ciudad = chicago", "CHICAGO", "", "", 1},
        {"ciudad == Chicago", "Chicago", "", "", 1},
        {"ciudad = \"Chicago\"", "  Chicago ", "", "", 1},
        {"ciudad = 'Chicago'", "Chicago", "", "", 1},
        {"ciudad != Chicago", "Dallas", "", "", 1},
        {"ciudad <> Chicago", "Chicago", "", "", 0},
        {"ciudad = \"San José\"", "San Jose", "", "", 1},
        {"ciudad = San José", "SAN  JOSÉ", "", "", 1},
        {"ciudad = Querétaro", "Queretaro", "", "", 1},
        {"ciudad = Querétaro", "Quere\xcc\x81taro", "", "", 1},
        {"ciudad = \"\"", "", "", "", 1},
        {"ciudad = \"\"", "x", "", "", 0},
        {"ciudad in (Chicago, Dallas)", "Dallas", "", "", 1},
        {"ciudad in (Chicago, Dallas)", "Houston", "", "", 0},
        {"ciudad IN (chicago,dallas)", "DALLAS", "", "", 1},
        {"ciudad not in (Chicago, Dallas)", "Houston", "", "", 1},
        {"ciudad not in (Chicago, Dallas)", "Chicago", "", "", 0},
        {"ciudad in (Los Ángeles, \"San José\")", "los angeles", "", "", 1},
        {"ciudad in (Chicago)", "Chicago", "", "", 1},
        {"ciudad in (Chicago, Dallas) and pais = \"Estados Unidos\"", "Chicago", "Estados Unidos",
         "", 1},
        {"ciudad in (Chicago, Dallas) and pais = \"Estados Unidos\"", "Chicago", "Canadá", "", 0},
        {"ciudad in (Chicago, Dallas) and pais = \"Estados Unidos\"", "Toronto", "Estados Unidos",
         "", 0},
        {"ciudad in (Chicago, Dallas) and pais = Estados Unidos", "Dallas", "estados unidos", "",
         1},
        {"ciudad = Chicago or ciudad = Dallas", "Dallas", "", "", 1},
        {"ciudad = Chicago or ciudad = Dallas", "Austin", "", "", 0},
        {"ciudad = Chicago or tipo = observador and pais = México", "X", "México", "observador", 1},
        {"ciudad = Chicago or tipo = observador and pais = México", "X", "USA", "observador", 0},
        {"(ciudad = Chicago or tipo = observador) and pais = México", "Chicago", "USA", "", 0},
        {"(ciudad = Chicago or tipo = observador) and pais = México", "Chicago", "mexico", "", 1},
        {"not ciudad = Chicago", "Dallas", "", "", 1},
        {"not (ciudad = Chicago or ciudad = Dallas)", "Dallas", "", "", 0},
        {"País = México", "", "Mexico", "", 1},
        {"PAIS = méxico", "", "MÉXICO", "", 1},
        {"otro = \"\"", "", "", "", 1}, /* a column the row lacks compares as "" */
        {"ciudad = Chicago AND pais = USA", "chicago", "usa", "", 1},
        {"ciudad = 'O''Hare'", "O", "", "", -1},
        {"ciudad = \"unterminated", "", "", "", -1},
        {"ciudad Chicago", "", "", "", -1},
        {"ciudad =", "", "", "", -1},
        {"= Chicago", "", "", "", -1},
        {"ciudad in Chicago", "", "", "", -1},
        {"ciudad in (Chicago", "", "", "", -1},
        {"ciudad in (Chicago,)", "", "", "", -1},
        {"ciudad = Chicago and", "", "", "", -1},
        {"(ciudad = Chicago", "", "", "", -1},
        {"ciudad = Chicago)", "", "", "", -1},
        {"and = x", "", "", "", -1},
        {"", "", "", "", -1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct err err;
        struct filter *f;
        struct value *v;
        int m;

        err_init(&err);
        f = filter_new(cases[i].filter, &err);
        if (cases[i].want < 0) {
            if (f)
                fail_msg("filter \"%s\": compiled, want a syntax error", cases[i].filter);
            if (!strstr(err.msg.data, "filter:"))
                fail_msg("filter \"%s\": error \"%s\"", cases[i].filter, err.msg.data);
            err_release(&err);
            continue;
        }
        if (!f)
            fail_msg("filter \"%s\": %s", cases[i].filter, err.msg.data);
        v = row(cases[i].ciudad, cases[i].pais, cases[i].tipo);
        m = filter_match(f, v);
        if (m != cases[i].want)
            fail_msg("filter \"%s\" on ciudad=\"%s\" pais=\"%s\" tipo=\"%s\": %d, want %d",
                     cases[i].filter, cases[i].ciudad, cases[i].pais, cases[i].tipo, m,
                     cases[i].want);
        value_free(v);
        filter_free(f);
        err_release(&err);
    }
}

static void test_filter_deep_nesting(void **state)
{
    struct buf b = BUF_INIT;
    struct err err;
    int i;

    (void)state;
    err_init(&err);
    for (i = 0; i < 5000; i++)
        assert_int_equal(buf_addch(&b, '('), 0);
    assert_null(filter_new(b.data, &err));
    assert_non_null(strstr(err.msg.data, "nested too deep"));
    buf_release(&b);
    err_release(&err);
}

/* The columns a filter names that a list lacks: the first one, or NULL. */
static void test_filter_missing(void **state)
{
    static const char *const keys[] = {"ciudad", "pais", "email"};
    struct err err;
    struct filter *f;

    (void)state;
    err_init(&err);
    f = filter_new("ciudad = Chicago and (pais = México or Tipo in (a, b))", &err);
    assert_non_null(f);
    assert_string_equal(filter_missing(f, keys, 3), "tipo");
    assert_string_equal(filter_missing(f, keys, 0), "ciudad");
    filter_free(f);
    f = filter_new("not País != x", &err);
    assert_non_null(f);
    assert_null(filter_missing(f, keys, 3));
    filter_free(f);
    err_release(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_filter_deep_nesting),
        cmocka_unit_test(test_filter_missing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
