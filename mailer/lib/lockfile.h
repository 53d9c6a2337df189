/* lockfile - one run at a time per mailing, per sending mailbox (send.c),
 * or for the scheduler.
 *
 * An flock(2) on a file that records who holds it (pid, host, since); the
 * kernel drops it when the holder dies, so a crash never leaves a stale lock.
 */
#ifndef MAILER_LOCKFILE_H
#define MAILER_LOCKFILE_H

#include <stddef.h>

#include "err.h"

struct lockfile {
    int fd;
};

/* Take the lock at path (creating it and its directory). If another process
 * holds it: -1 with ERR_TEMPFAIL and a message saying who. */
int lockfile_take(struct lockfile *lk, const char *path, const char *what, struct err *err);
/* Try to take the lock at path without waiting: 0 taken (the file says
 * "pid N on HOST since TIME", then ": doing" when doing is not NULL), 1 held
 * by another process (holder, of size > 0, gets what its file says, ""
 * when nothing), -1 an error. */
int lockfile_try(struct lockfile *lk, const char *path, const char *doing, char *holder,
                 size_t size, struct err *err);
void lockfile_release(struct lockfile *lk);

#endif
