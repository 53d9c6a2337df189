/* transport_int - what transport.c and its backends (transport_smtp.c,
 * transport_file.c) share; not part of the API.
 *
 * A backend is one struct transport_ops, found by its name in transport.c's
 * table (as OpenSMTPD's queue_backend.c picks queue_fs or queue_ram). Its
 * `open` makes a struct that begins with struct transport (the base) and
 * sets base.ops, base.concurrency, base.capacity and base.refill; the API
 * functions of transport.c do the checks and the counting common to every
 * backend (addresses, free slots, in_flight) and call the ops for the rest.
 */
#ifndef MAILER_TRANSPORT_INT_H
#define MAILER_TRANSPORT_INT_H

#include <stddef.h>

#include "err.h"
#include "transport.h"

struct transport_ops {
    const char *name; /* "smtp", "file": what transport_new is given */
    /* cfg is checked for what every backend needs (a URL, concurrency in
     * range); NULL with err set on failure */
    struct transport *(*open)(const struct transport_config *cfg, struct err *err);
    /* Take one message (body is the backend's, freed by it even on
     * failure); from and rcpt are checked already. */
    int (*submit)(struct transport *t, const char *from, const char *rcpt, char *body, size_t len,
                  void *tag, struct err *err);
    int (*poll)(struct transport *t, int timeout_ms, transport_done_fn done, void *ud,
                struct err *err);
    void (*free)(struct transport *t);
    void (*halt)(struct transport *t); /* NULL: nothing to halt */
};

/* The base of every backend's struct. */
struct transport {
    const struct transport_ops *ops;
    int concurrency; /* connections (file: files written at once) */
    int capacity;    /* messages in flight at most: the connections' and the queued */
    int refill;      /* free slots worth a new group (transport_wants) */
    int in_flight;   /* submitted and not yet reported */
};

/* One message; also the entry of a backend's work and done queues. */
struct transport_job {
    struct transport_job *next;
    char *from; /* "<addr>" */
    char *rcpt;
    char *body;
    size_t len, off;
    void *tag;
    struct transport_result result;
};

extern const struct transport_ops transport_smtp_ops, transport_file_ops;

/* A job owning body (body is freed on failure too); NULL with err set. */
struct transport_job *transport_job_new(const char *from, const char *rcpt, char *body, size_t len,
                                        void *tag, struct err *err);
/* Free a job and what it holds; NULL is ok. */
void transport_job_free(struct transport_job *j);
/* Free every job of a list. */
void transport_jobs_free(struct transport_job *list);
/* Report every job of list through done (done may be NULL), counting each
 * out of t->in_flight, and free it; returns how many. */
int transport_jobs_report(struct transport *t, struct transport_job *list, transport_done_fn done,
                          void *ud);
/* Set an outcome with its code and reply (no enhanced status, no scope). */
void transport_result_set(struct transport_result *r, enum transport_outcome outcome, int code,
                          const char *reply);

#endif
