/* scratch - a scratch directory for one test program: made by its group
 * setup, removed with everything in it by its group teardown. */
#ifndef MAILER_TEST_SCRATCH_H
#define MAILER_TEST_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline int scratch_make(char *dir)
{
    return mkdtemp(dir) ? 0 : -1;
}

static inline int scratch_remove(const char *dir)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

/* Remove an SQLite file and its -wal and -shm companions. */
static inline void scratch_unlink_db(const char *path)
{
    char side[1024];

    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
}

#endif
