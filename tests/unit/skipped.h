/* skipped - a test that cannot run here says why and is counted, and the
 * program then exits 77, which ctest reports as skipped (SKIP_RETURN_CODE in
 * tests/CMakeLists.txt), never as passed: cmocka's own skip() alone would
 * leave the program's exit status 0.
 *
 *     if (!fixture) SKIPPED("%s not present\n", path);   inside a test
 *     return skipped_exit(cmocka_run_group_tests(...));  in main
 */
#ifndef MAILER_TEST_SKIPPED_H
#define MAILER_TEST_SKIPPED_H

static int skipped_count __attribute__((unused));

#define SKIPPED(...)                                                                               \
    do {                                                                                           \
        print_message("SKIP: " __VA_ARGS__);                                                       \
        skipped_count++;                                                                           \
        skip();                                                                                    \
    } while (0)

/* failed: what cmocka_run_group_tests returned (the number of failures). */
static inline int skipped_exit(int failed)
{
    if (failed)
        return failed;
    return skipped_count ? 77 : 0;
}

#endif
