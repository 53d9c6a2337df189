/* test_contacts_nomem - fail the Nth allocation, for every N, while
 * loading lists: contacts_load() must fail cleanly (-1 and a message, or
 * success when the failure hit something it could do without), never crash,
 * and leave no allocation behind.
 *
 * A run that succeeds all the same must give the same audience.
 *
 * malloc/calloc/realloc/free are interposed here and forward to glibc's
 * __libc_* entry points. Skipped under AddressSanitizer and valgrind, which
 * own malloc.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contacts.h"

#include "skipped.h"

#include "banned.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#ifndef UNDER_ASAN
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

/* volatile: GCC takes malloc for the builtin, which reads no memory of ours,
 * and would drop the store that arms the countdown before it */
static volatile long countdown = -1; /* fail when it reaches 0; <0: never */
static long live;                    /* allocations not freed */
static int failed;

static int should_fail(void)
{
    if (countdown < 0)
        return 0;
    if (countdown-- == 0) {
        failed = 1;
        return 1;
    }
    return 0;
}

void *malloc(size_t n)
{
    void *p = should_fail() ? NULL : __libc_malloc(n);
    if (p)
        live++;
    return p;
}

void *calloc(size_t a, size_t b)
{
    void *p = should_fail() ? NULL : __libc_calloc(a, b);
    if (p)
        live++;
    return p;
}

void *realloc(void *old, size_t n)
{
    void *p;

    if (should_fail())
        return NULL;
    p = __libc_realloc(old, n);
    if (p && !old)
        live++;
    return p;
}

void free(void *p)
{
    if (p)
        live--;
    __libc_free(p);
}

static int take(void *ud, const struct contact *c)
{
    (void)c;
    ++*(size_t *)ud;
    return 0;
}

static int load_once(const char *const *lists, size_t n, const char *filter, struct err *err,
                     size_t *accepted)
{
    struct audience_spec spec = {0};
    struct buf report = BUF_INIT;
    struct audience_stats st;
    int rc;

    spec.lists = lists;
    spec.nlists = n;
    spec.filter = filter;
    *accepted = 0;
    rc = contacts_load(&spec, take, accepted, &st, &report, err);
    buf_release(&report);
    return rc;
}

static void test_every_allocation_fails(void **state)
{
    const char *fx = getenv("FIXTURES");
    char a[2048], b[2048], c[2048];
    const char *lists[3] = {a, b, c};
    const char *filter = "ciudad != Toronto";
    struct err err;
    size_t accepted, want;
    long n, base, ok = 0, refused = 0;
    int rc;

    (void)state;
    assert_non_null(fx);
    /* under valgrind (or another malloc owner) these wrappers are bypassed */
    countdown = 0;
    {
        void *volatile probe = malloc(16);
        countdown = -1;
        if (probe) {
            free(probe);
            SKIPPED("malloc is not interposed here (valgrind?)\n");
        }
    }
    snprintf(a, sizeof(a), "%s/contacts/diaspora_a.csv", fx);
    snprintf(b, sizeof(b), "%s/contacts/diaspora_b.csv", fx);
    snprintf(c, sizeof(c), "%s/contacts/excel_cp1252.csv", fx);
    /* warm-up (iconv and stdio keep caches of their own), and the audience
     * every run that succeeds must give */
    countdown = -1;
    err_init(&err);
    assert_int_equal(load_once(lists, 3, filter, &err, &want), 0);
    err_release(&err);
    for (n = 0;; n++) {
        base = live;
        failed = 0;
        err_init(&err);
        countdown = n;
        rc = load_once(lists, 3, filter, &err, &accepted);
        countdown = -1;
        if (rc == 0 && !failed)
            break; /* every allocation has been failed once */
        if (rc == 0) {
            /* an allocation whose failure it could absorb (e.g. stdio), never
             * by taking or leaving out a contact */
            if (accepted != want)
                fail_msg("allocation %ld failed: %zu contacts, not %zu", n, accepted, want);
            ok++;
        } else {
            assert_int_equal(rc, -1);
            if (!err.msg.len)
                fail_msg("allocation %ld: -1 without a message", n);
            refused++;
        }
        err_release(&err);
        if (live != base)
            fail_msg("allocation %ld failed: %ld allocations leaked", n, live - base);
    }
    err_release(&err);
    print_message("%ld allocations failed in turn: %ld refused cleanly, %ld absorbed\n", n, refused,
                  ok);
    assert_true(n > 50);
}
#endif

int main(void)
{
#ifdef UNDER_ASAN
    printf("test_contacts_nomem: skipped under AddressSanitizer\n");
    return 77; /* skipped (SKIP_RETURN_CODE in tests/CMakeLists.txt) */
#else
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_fails),
    };
    return skipped_exit(cmocka_run_group_tests(tests, NULL, NULL));
#endif
}
