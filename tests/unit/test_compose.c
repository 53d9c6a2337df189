/* test_compose - a contact's columns to the ledger's JSON and back
 * (compose_vars_json, compose_vars_parse; the JSON reader and escaper
 * themselves: test_value). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "value.h"

#include "banned.h"

/* What value_to_json writes for the map without its empty strings: the
 * JSON compose_vars_json wrote before it wrote directly. */
static char *reference_json(const struct value *vars)
{
    struct value *kept = value_new_map();
    struct buf out = BUF_INIT;
    const struct value *v;
    const char *key;
    size_t i, len;

    for (i = 0; (v = value_map_at(vars, i, &key)); i++) {
        if (value_type(v) == VALUE_STRING && value_text(v, &len) && len == 0)
            continue;
        assert_int_equal(value_map_set(kept, key, value_dup(v)), 0);
    }
    assert_int_equal(value_to_json(kept, &out, 0), 0);
    value_free(kept);
    return buf_detach(&out, NULL);
}

static void test_roundtrip(void **state)
{
    static const struct {
        const char *key, *val;
    } cols[] = {
        {"nombre", "María Fernanda"},
        {"apellidos", "Núñez \"la Güera\" O'Connor"},
        {"vacia", ""},
        {"ruta", "C:\\datos\\lista.csv"},
        {"control", "tab\there\nline\rret\x01\x1f\x7f end"},
        {"correo electrónico", "mafer@example.org"},
        {"slash", "a/b </script>"},
        {"emoji", "\xF0\x9F\x97\xB3 voto"},
    };
    struct value *vars = value_new_map(), *back;
    struct buf json = BUF_INIT, again = BUF_INIT;
    struct err e;
    char *want;
    size_t i;

    (void)state;
    err_init(&e);
    for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
        assert_int_equal(value_map_set_string(vars, cols[i].key, cols[i].val), 0);
    assert_int_equal(value_map_set(vars, "edad", value_new_number(42, "42")), 0);
    assert_int_equal(compose_vars_json(vars, &json), 0);
    want = reference_json(vars);
    assert_string_equal(json.data, want);
    assert_null(strstr(json.data, "vacia"));

    back = compose_vars_parse(json.data, json.len, &e);
    assert_non_null(back);
    assert_int_equal(value_to_json(back, &again, 0), 0);
    assert_string_equal(again.data, want);

    value_free(back);
    value_free(vars);
    buf_release(&json);
    buf_release(&again);
    free(want);
    err_release(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
