/* test_buf - the growable string every module writes into: its cap, its
 * growth, detach, formatted adds, and the rule that a failed add leaves the
 * buffer exactly as it was. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

#include "banned.h"

/* b holds exactly s (and its NUL). */
static void assert_holds(const struct buf *b, const char *s)
{
    assert_int_equal(b->len, strlen(s));
    assert_memory_equal(b->data, s, b->len + 1);
}

static void test_empty(void **state)
{
    struct buf a = BUF_INIT, b;

    (void)state;
    buf_init(&b, 10);
    assert_holds(&a, "");
    assert_holds(&b, "");
    assert_int_equal(b.cap, 10);
    assert_int_equal(b.alloc, 0); /* nothing allocated until the first add */
    buf_reset(&b);
    buf_setlen(&b, 0);
    buf_trim(&b);
    assert_holds(&b, "");
    buf_release(&a);
    buf_release(&b);
    assert_int_equal(b.cap, 10); /* ready again, with its cap */
}

static void test_growth(void **state)
{
    struct buf b = BUF_INIT;
    char want[5001];
    size_t i, last = 0, moves = 0;

    (void)state;
    for (i = 0; i < 5000; i++) {
        want[i] = (char)('a' + i % 26);
        assert_int_equal(buf_addch(&b, want[i]), 0);
        assert_true(b.alloc > b.len);
        if (b.alloc != last)
            moves++, last = b.alloc;
    }
    want[i] = '\0';
    assert_holds(&b, want);
    assert_true(moves <= 8); /* doubling: a handful of reallocations, not one per add */
    assert_int_equal(buf_add(&b, "", 0), 0);
    assert_int_equal(buf_add(&b, "x\0y", 3), 0); /* NUL bytes are data */
    assert_int_equal(b.len, 5003);
    assert_memory_equal(b.data + 5000, "x\0y", 4);
    assert_int_equal(buf_grow(&b, 100000), 0);
    assert_true(b.alloc >= b.len + 100000 + 1);
    assert_int_equal(b.len, 5003); /* room made, nothing added */
    buf_release(&b);
}

static void test_cap(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b, 8);
    assert_int_equal(buf_addstr(&b, "12345678"), 0); /* exactly the cap */
    assert_holds(&b, "12345678");
    errno = 0;
    assert_int_equal(buf_addch(&b, '9'), -1);
    assert_int_equal(errno, ENOSPC);
    assert_holds(&b, "12345678");
    buf_setlen(&b, 5);
    assert_int_equal(buf_addstr(&b, "abcd"), -1); /* 9 > 8: none of it */
    assert_holds(&b, "12345");
    assert_int_equal(buf_addf(&b, "%d", 1234), -1);
    assert_holds(&b, "12345");
    assert_int_equal(buf_grow(&b, 4), -1);
    assert_int_equal(buf_grow(&b, (size_t)-1), -1); /* no overflow past the check */
    assert_int_equal(buf_addstr(&b, "abc"), 0);
    assert_holds(&b, "12345abc");
    buf_release(&b);
    /* no cap: still bounded, by SIZE_MAX / 2 */
    buf_init(&b, 0);
    assert_int_equal(buf_grow(&b, (size_t)-1 / 2 + 1), -1);
    assert_int_equal(errno, ENOSPC);
    assert_holds(&b, "");
    buf_release(&b);
}

static void test_formatted(void **state)
{
    struct buf b;
    char big[300];

    (void)state;
    buf_init(&b, 64);
    assert_int_equal(buf_addf(&b, "%s:%zu: %s", "lista.csv", (size_t)12, "sin correo"), 0);
    assert_holds(&b, "lista.csv:12: sin correo");
    assert_int_equal(buf_addf(&b, "%s", ""), 0);
    assert_holds(&b, "lista.csv:12: sin correo");
    assert_int_equal(buf_setf(&b, "%05.1f|%-3s|%c", 3.14159, "a", 'z'), 0);
    assert_holds(&b, "003.1|a  |z");
    /* a replacement that does not fit leaves the old content */
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(buf_setf(&b, "%s", big), -1);
    assert_holds(&b, "003.1|a  |z");
    assert_int_equal(buf_addf(&b, "%s", big), -1);
    assert_holds(&b, "003.1|a  |z");
    assert_int_equal(buf_setf(&b, "%s", "ñandú"), 0);
    assert_holds(&b, "ñandú");
    buf_release(&b);
}

static void test_detach(void **state)
{
    struct buf b;
    size_t len = 99;
    char *s;

    (void)state;
    buf_init(&b, 100);
    s = buf_detach(&b, &len); /* never NULL, even when nothing was added */
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    free(s);
    assert_int_equal(buf_addstr(&b, "voto chilango"), 0);
    s = buf_detach(&b, &len);
    assert_string_equal(s, "voto chilango");
    assert_int_equal(len, 13);
    assert_holds(&b, ""); /* left empty, its cap kept */
    assert_int_equal(b.cap, 100);
    assert_int_equal(buf_addstr(&b, "otra"), 0);
    assert_holds(&b, "otra");
    assert_string_equal(s, "voto chilango"); /* the detached string is the caller's */
    free(s);
    buf_release(&b);
}

static void test_trim_setlen(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    assert_int_equal(buf_addstr(&b, " \t\r\n texto con espacios \v\f\n"), 0);
    buf_trim(&b);
    assert_holds(&b, "texto con espacios");
    buf_setlen(&b, 5);
    assert_holds(&b, "texto");
    buf_reset(&b);
    assert_holds(&b, "");
    assert_int_equal(buf_addstr(&b, " \t "), 0);
    buf_trim(&b);
    assert_holds(&b, "");
    buf_release(&b);
}

static void test_read_file(void **state)
{
    char path[] = "/tmp/test_buf-XXXXXX";
    struct buf b;
    int fd;

    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0123456789", 10), 10);
    close(fd);
    buf_init(&b, 15);
    assert_int_equal(buf_addstr(&b, "ab"), 0);
    assert_int_equal(buf_read_file(&b, path), 0); /* appended */
    assert_holds(&b, "ab0123456789");
    assert_int_equal(buf_read_file(&b, path), -1); /* 22 > 15 */
    assert_int_equal(errno, ENOSPC);
    assert_holds(&b, "ab0123456789"); /* nothing of the second read kept */
    unlink(path);
    assert_int_equal(buf_read_file(&b, path), -1);
    assert_int_equal(errno, ENOENT);
    assert_holds(&b, "ab0123456789");
    buf_release(&b);
}

static void test_xstrndup(void **state)
{
    char *s;

    (void)state;
    s = xstrndup("abcdef", 3);
    assert_string_equal(s, "abc");
    free(s);
    s = xstrndup("a\0b", 3); /* copies n bytes, NULs included */
    assert_memory_equal(s, "a\0b", 4);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),     cmocka_unit_test(test_growth),
        cmocka_unit_test(test_cap),       cmocka_unit_test(test_formatted),
        cmocka_unit_test(test_detach),    cmocka_unit_test(test_trim_setlen),
        cmocka_unit_test(test_read_file), cmocka_unit_test(test_xstrndup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
