/* lockfile - one run at a time per mailing, per sender, or for the scheduler. */
#include "lockfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"

#include "banned.h"

static void make_dirs(const char *path)
{
    char *dir = strdup(path), *p;

    if (!dir)
        return;
    for (p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0700);
            *p = '/';
        }
    }
    free(dir);
}

int lockfile_try(struct lockfile *lk, const char *path, const char *doing, char *holder,
                 size_t size, struct err *err)
{
    char host[256] = "?", since[32];
    struct buf info = BUF_INIT;
    ssize_t n;
    int rc = -1;

    make_dirs(path);
    lk->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lk->fd < 0)
        return err_errno(err, ERR_IO, "%s: cannot open the lock file", path);
    if (flock(lk->fd, LOCK_EX | LOCK_NB)) {
        n = pread(lk->fd, holder, size - 1, 0);
        holder[n > 0 ? n : 0] = '\0';
        holder[strcspn(holder, "\n")] = '\0';
        close(lk->fd);
        lk->fd = -1;
        return 1;
    }
    gethostname(host, sizeof(host) - 1);
    clock_iso(time(NULL), since, sizeof(since));
    if (buf_addf(&info, "pid %ld on %s since %s%s%s\n", (long)getpid(), host, since,
                 doing ? ": " : "", doing ? doing : ""))
        err_nomem(err);
    else if (ftruncate(lk->fd, 0) == 0 &&
             pwrite(lk->fd, info.data, info.len, 0) == (ssize_t)info.len)
        rc = 0;
    else
        err_errno(err, ERR_IO, "%s: cannot write the lock file", path);
    buf_release(&info);
    if (rc)
        lockfile_release(lk);
    return rc;
}

int lockfile_take(struct lockfile *lk, const char *path, const char *what, struct err *err)
{
    char holder[512];
    int rc = lockfile_try(lk, path, NULL, holder, sizeof(holder), err);

    if (rc == 1)
        return err_set(err, ERR_TEMPFAIL, "%s is already running (%s); try again when it ends",
                       what, *holder ? holder : "holder unknown");
    return rc;
}

void lockfile_release(struct lockfile *lk)
{
    int emptied;

    if (lk->fd < 0)
        return;
    /* what the file says is over: the next holder writes its own (should
     * this fail, a stale line stays, never a held lock) */
    emptied = ftruncate(lk->fd, 0);
    (void)emptied;
    close(lk->fd);
    lk->fd = -1;
}
