/* test_array - the one doubling rule of growable arrays (array_grow). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "array.h"

#include "banned.h"

static void test_doubling(void **state)
{
    size_t alloc = 0, n, sizes[8], k = 0;
    int *v = NULL, *nv;

    (void)state;
    for (n = 0; n < 1000; n++) {
        if (n == alloc) {
            nv = array_grow(v, &alloc, 16, sizeof(*nv));
            assert_non_null(nv);
            v = nv;
            if (k < 8)
                sizes[k++] = alloc;
        }
        v[n] = (int)n;
    }
    for (n = 0; n < 1000; n++)
        assert_int_equal(v[n], (int)n); /* kept across every move */
    assert_int_equal(sizes[0], 16);
    assert_int_equal(sizes[1], 32);
    assert_int_equal(sizes[2], 64);
    assert_int_equal(alloc, 1024);
    free(v);
}

/* A size that would overflow is refused, the array left as it was. */
static void test_overflow(void **state)
{
    size_t alloc = SIZE_MAX / 16 + 1;
    char *v = malloc(4), *nv;

    (void)state;
    assert_non_null(v);
    nv = array_grow(v, &alloc, 8, 8);
    assert_null(nv);
    assert_int_equal(alloc, SIZE_MAX / 16 + 1);
    alloc = 0;
    assert_null(array_grow(v, &alloc, 0, 8)); /* nothing asked */
    assert_null(array_grow(v, &alloc, 4, 0));
    assert_int_equal(alloc, 0);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubling),
        cmocka_unit_test(test_overflow),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
