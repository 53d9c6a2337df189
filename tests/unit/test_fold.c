/* test_fold - header names into template variable names (fold_key), values
 * as the filter compares them (fold_text). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"

#include "banned.h"

static void test_fold(void **state)
{
    static const struct {
        int key; /* fold_key, else fold_text */
        const char *in, *want;
    } cases[] = {
        {1, "Correo electrónico", "correo_electronico"},
        {1, "CORREO ELECTRÓNICO", "correo_electronico"},
        {1, "  E-mail  ", "e_mail"},
        {1, "Email", "email"},
        {1, "País", "pais"},
        {1, "NOMBRE COMPLETO", "nombre_completo"},
        {1, "Nombre completo:", "nombre_completo"},
        {1, "Dirección de correo", "direccion_de_correo"},
        {1, "Año", "ano"},
        {1, "ÑOÑO", "nono"},
        {1, "Teléfono (móvil)", "telefono_movil"},
        {1, "First Name", "first_name"},
        {1, "first_name", "first_name"},
        {1, "Código Postal", "codigo_postal"},
        {1, "E-mail 1 - Value", "e_mail_1_value"},
        {1, "Ciudad\xc2\xa0", "ciudad"},
        {1, "straße", "strasse"},
        {1, "Ürün", "urun"},
        {1, "¿Asistirá?", "asistira"},
        {1, "Çà et là", "ca_et_la"},
        {1, "a__b", "a_b"},
        {1, "#", ""},
        {1, "", ""},
        {1, "日本", "日本"},
        {1, "Correo electro\xcc\x81nico", "correo_electronico"}, /* NFD, as macOS writes */
        {1, "Pai\xcc\x81s", "pais"},
        {0, "  Estados   Unidos ", "estados unidos"},
        {0, "CIUDAD DE MÉXICO", "ciudad de mexico"},
        {0, "Nueva\xc2\xa0York", "nueva york"}, /* NBSP */
        {0, "Me\xcc\x81rida", "merida"},        /* NFD accent */
        {0, "O'Hare (ORD)", "o'hare (ord)"},    /* punctuation stays */
        {0, "Straße", "strasse"},
        {0, "\t\r\n", ""},
        {0, "日本", "日本"},
    };
    struct buf out = BUF_INIT;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *in = cases[i].in;
        assert_int_equal((cases[i].key ? fold_key : fold_text)(in, strlen(in), &out), 0);
        if (strcmp(out.data, cases[i].want))
            fail_msg("%s \"%s\": \"%s\", want \"%s\"", cases[i].key ? "header" : "value", in,
                     out.data, cases[i].want);
    }
    buf_release(&out);
}

/* A full buffer is an error, never a key with a piece missing. */
static void test_fold_full(void **state)
{
    struct buf out;

    (void)state;
    buf_init(&out, 4);
    assert_int_equal(fold_key("Correo electrónico", strlen("Correo electrónico"), &out), -1);
    assert_int_equal(fold_text("Ciudad de México", strlen("Ciudad de México"), &out), -1);
    assert_int_equal(fold_key("País", strlen("País"), &out), 0);
    assert_string_equal(out.data, "pais");
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_fold_full),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
