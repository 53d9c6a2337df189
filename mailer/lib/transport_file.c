/* transport_file - the "file" backend of transport.h: each message
 * becomes DIR/NNNNNN.eml at once (dry runs, tests), numbered after the
 * highest already there, written beside and renamed into place. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transport_int.h"

#include "banned.h"

#define FILE_SLOTS 64

struct file_sink {
    struct transport base;
    char *dir;
    unsigned long next; /* number of the next file */
    struct transport_job *done_head, **done_tail;
};

static int file_scan(struct file_sink *f, struct err *err)
{
    DIR *d = opendir(f->dir);
    struct dirent *de;

    if (!d)
        return err_errno(err, ERR_IO, "transport: %s", f->dir);
    while ((de = readdir(d))) {
        char *end;
        unsigned long n = strtoul(de->d_name, &end, 10);
        if (end != de->d_name && !strcmp(end, ".eml") && n >= f->next)
            f->next = n + 1;
    }
    closedir(d);
    return 0;
}

static int file_write(const char *path, const char *body, size_t len, struct err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    size_t off = 0;

    if (fd < 0)
        return err_errno(err, ERR_IO, "transport: %s", path);
    while (off < len) {
        ssize_t w = write(fd, body + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            err_errno(err, ERR_IO, "transport: writing %s", path);
            close(fd);
            unlink(path);
            return -1;
        }
        off += (size_t)w;
    }
    if (close(fd))
        return err_errno(err, ERR_IO, "transport: writing %s", path);
    return 0;
}

static int file_submit(struct transport *t, const char *from, const char *rcpt, char *body,
                       size_t len, void *tag, struct err *err)
{
    struct file_sink *f = (struct file_sink *)t;
    char tmp[4096], path[4096];
    struct transport_job *j = transport_job_new(from, rcpt, body, len, tag, err);

    if (!j)
        return -1;
    snprintf(path, sizeof(path), "%s/%06lu.eml", f->dir, f->next);
    snprintf(tmp, sizeof(tmp), "%s/.%06lu.eml.tmp", f->dir, f->next);
    if (file_write(tmp, body, len, err))
        goto fail;
    if (rename(tmp, path)) {
        err_errno(err, ERR_IO, "transport: rename to %s", path);
        unlink(tmp);
        goto fail;
    }
    f->next++;
    transport_result_set(&j->result, TRANSPORT_SENT, 250, "250 file");
    *f->done_tail = j;
    f->done_tail = &j->next;
    return 0;
fail:
    transport_job_free(j); /* frees body too: the caller's data is gone either way */
    return -1;
}

static int file_poll(struct transport *t, int timeout_ms, transport_done_fn done, void *ud,
                     struct err *err)
{
    struct file_sink *f = (struct file_sink *)t;
    struct transport_job *list = f->done_head;

    (void)timeout_ms;
    (void)err;
    f->done_head = NULL;
    f->done_tail = &f->done_head;
    return transport_jobs_report(t, list, done, ud);
}

static void file_free(struct transport *t)
{
    struct file_sink *f = (struct file_sink *)t;

    transport_jobs_free(f->done_head);
    free(f->dir);
    free(f);
}

static struct transport *file_new(const struct transport_config *cfg, struct err *err)
{
    struct file_sink *f = calloc(1, sizeof(*f));

    if (!f || !(f->dir = strdup(cfg->url))) {
        free(f);
        err_nomem(err);
        return NULL;
    }
    f->base.ops = &transport_file_ops;
    f->base.concurrency = f->base.capacity = FILE_SLOTS;
    f->base.refill = 1;
    f->done_tail = &f->done_head;
    f->next = 1;
    if (mkdir(f->dir, 0755) && errno != EEXIST) {
        err_errno(err, ERR_IO, "transport: cannot create %s", f->dir);
        goto fail;
    }
    if (file_scan(f, err))
        goto fail;
    return &f->base;
fail:
    file_free(&f->base);
    return NULL;
}

const struct transport_ops transport_file_ops = {"file",    file_new,  file_submit,
                                                 file_poll, file_free, NULL};
