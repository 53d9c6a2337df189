/* test_lockfile - one run at a time: a second taker (another process, as a
 * second `mailer send` would be) is refused with ERR_TEMPFAIL and told who
 * holds the lock; the lock goes with its holder (released, or the process
 * gone: no stale lock after a crash); the directory is made when missing;
 * a path that cannot be a file is an I/O error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lockfile.h"

#include "scratch.h"

#include "banned.h"

static char dir[] = "/tmp/test_lockfile.XXXXXX";

/* Try to take path in a child process: its exit status is 0 when it got
 * the lock, 75 (EX_TEMPFAIL) when refused with ERR_TEMPFAIL naming the
 * holder's pid, 1 otherwise. */
static int take_elsewhere(const char *path, pid_t holder)
{
    pid_t pid = fork();
    int status;

    assert_true(pid >= 0);
    if (pid == 0) {
        struct lockfile lk = {-1};
        struct err e;
        char want[64];
        int code = 1;

        err_init(&e);
        snprintf(want, sizeof(want), "pid %ld on ", (long)holder);
        if (lockfile_take(&lk, path, "this mailing", &e) == 0)
            code = 0;
        else if (e.kind == ERR_TEMPFAIL && strstr(e.msg.data, "this mailing is already running") &&
                 strstr(e.msg.data, want))
            code = 75;
        lockfile_release(&lk);
        err_release(&e);
        _exit(code);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_one_at_a_time(void **state)
{
    char path[300];
    struct lockfile lk = {-1};
    struct err e;
    struct stat st;

    (void)state;
    err_init(&e);
    /* the directory (two levels) is made */
    snprintf(path, sizeof(path), "%s/locks/deep/prueba@main.lock", dir);
    assert_int_equal(lockfile_take(&lk, path, "this mailing", &e), 0);
    assert_true(lk.fd >= 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 077, 0); /* only its owner reads who holds it */
    assert_int_equal(take_elsewhere(path, getpid()), 75);
    lockfile_release(&lk);
    assert_int_equal(lk.fd, -1);
    lockfile_release(&lk); /* twice is harmless */
    assert_int_equal(take_elsewhere(path, getpid()), 0);
    err_release(&e);
}

/* A holder killed (a crash, kill -9) leaves no lock behind. */
static void test_dead_holder(void **state)
{
    char path[300];
    int ready[2];
    char c;
    pid_t pid;
    int status;

    (void)state;
    snprintf(path, sizeof(path), "%s/crash.lock", dir);
    assert_int_equal(pipe(ready), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct lockfile lk = {-1};
        struct err e;
        err_init(&e);
        if (lockfile_take(&lk, path, "'mailer due'", &e))
            _exit(1);
        if (write(ready[1], "x", 1) != 1)
            _exit(1);
        pause(); /* holds it until killed */
        _exit(0);
    }
    close(ready[1]);
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    assert_int_equal(take_elsewhere(path, pid), 75); /* held, by that pid */
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(take_elsewhere(path, pid), 0); /* gone with it */
}

static void test_cannot_open(void **state)
{
    char path[300];
    struct lockfile lk = {-1};
    struct err e;

    (void)state;
    err_init(&e);
    snprintf(path, sizeof(path), "%s/a-directory", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(lockfile_take(&lk, path, "this mailing", &e), -1);
    assert_int_equal(e.kind, ERR_IO);
    assert_non_null(strstr(e.msg.data, path));
    assert_int_equal(lk.fd, -1);
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
        cmocka_unit_test(test_one_at_a_time),
        cmocka_unit_test(test_dead_holder),
        cmocka_unit_test(test_cannot_open),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
