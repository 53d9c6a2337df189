/* transport - the API of transport.h and what every backend shares: the
 * checks of an address, the count of messages in flight, the jobs. The
 * backends live one a file behind struct transport_ops (transport_int.h):
 * transport_smtp.c (libcurl, worker threads) and transport_file.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport_int.h"

#include "banned.h"

#define ADDRESS_MAX 998

static const struct transport_ops *const backends[] = {&transport_smtp_ops, &transport_file_ops};

/* ---- jobs and results (transport_int.h) ------------------------------------ */

void transport_result_set(struct transport_result *r, enum transport_outcome outcome, int code,
                          const char *reply)
{
    r->outcome = outcome;
    r->code = code;
    r->enhanced[0] = '\0';
    snprintf(r->reply, sizeof(r->reply), "%s", reply ? reply : "");
    refusal_classify(0, NULL, NULL, &r->refusal);
}

void transport_job_free(struct transport_job *j)
{
    if (!j)
        return;
    free(j->from);
    free(j->rcpt);
    free(j->body);
    free(j);
}

/* Addresses are untrusted: CR/LF would inject SMTP commands, brackets would
 * change the path curl builds. */
static int address_check(const char *what, const char *addr, int empty_ok, struct err *err)
{
    size_t len = strlen(addr);

    if (!len && !empty_ok)
        return err_set(err, ERR_DATA, "transport: empty %s address", what);
    if (len > ADDRESS_MAX)
        return err_set(err, ERR_DATA, "transport: %s address longer than %d bytes", what,
                       ADDRESS_MAX);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)addr[i];
        if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == ' ')
            return err_set(err, ERR_DATA,
                           "transport: %s address contains a control character, space "
                           "or angle bracket",
                           what);
    }
    return 0;
}

struct transport_job *transport_job_new(const char *from, const char *rcpt, char *body, size_t len,
                                        void *tag, struct err *err)
{
    struct transport_job *j = calloc(1, sizeof(*j));
    struct buf b = BUF_INIT;

    if (!j) {
        free(body);
        err_nomem(err);
        return NULL;
    }
    j->body = body;
    if (buf_addf(&b, "<%s>", from))
        goto nomem;
    j->from = buf_detach(&b, NULL);
    if (!j->from || buf_addf(&b, "<%s>", rcpt))
        goto nomem;
    j->rcpt = buf_detach(&b, NULL);
    if (!j->rcpt)
        goto nomem;
    j->len = len;
    j->tag = tag;
    return j;
nomem:
    buf_release(&b);
    transport_job_free(j);
    err_nomem(err);
    return NULL;
}

void transport_jobs_free(struct transport_job *list)
{
    while (list) {
        struct transport_job *j = list;
        list = j->next;
        transport_job_free(j);
    }
}

int transport_jobs_report(struct transport *t, struct transport_job *list, transport_done_fn done,
                          void *ud)
{
    int n = 0;

    while (list) {
        struct transport_job *j = list;
        list = j->next;
        t->in_flight--;
        n++;
        if (done)
            done(ud, j->tag, &j->result);
        transport_job_free(j);
    }
    return n;
}

/* ---- public entry points -------------------------------------------------- */

struct transport *transport_open(const struct transport_ops *ops,
                                 const struct transport_config *cfg, struct err *err)
{
    if (!cfg || !cfg->url || !*cfg->url) {
        err_set(err, ERR_CONFIG, "transport: no URL configured");
        return NULL;
    }
    if (cfg->concurrency < 1 || cfg->concurrency > 256) {
        err_set(err, ERR_CONFIG, "transport: concurrency %d out of range 1..256", cfg->concurrency);
        return NULL;
    }
    return ops->open(cfg, err);
}

struct transport *transport_new(const char *backend, const struct transport_config *cfg,
                                struct err *err)
{
    size_t i;

    for (i = 0; backend && i < sizeof(backends) / sizeof(backends[0]); i++)
        if (!strcmp(backend, backends[i]->name))
            return transport_open(backends[i], cfg, err);
    err_set(err, ERR_CONFIG, "transport: unknown backend \"%s\" (smtp or file)",
            backend ? backend : "(null)");
    return NULL;
}

void transport_halt(struct transport *t)
{
    if (t && t->ops->halt)
        t->ops->halt(t);
}

void transport_free(struct transport *t)
{
    if (t)
        t->ops->free(t);
}

int transport_slots(const struct transport *t)
{
    return t->capacity - t->in_flight;
}

int transport_wants(const struct transport *t)
{
    int slots = t->capacity - t->in_flight;

    return slots > 0 && slots >= t->refill;
}

int transport_in_flight(const struct transport *t)
{
    return t->in_flight;
}

int transport_submit(struct transport *t, const char *mail_from, const char *rcpt, struct buf *data,
                     void *tag, struct err *err)
{
    char *body;
    size_t len;

    if (address_check("sender", mail_from, 1, err) || address_check("recipient", rcpt, 0, err))
        return -1;
    if (t->in_flight >= t->capacity)
        return err_set(err, ERR_SOFTWARE, "transport: submit with no free slot");
    body = buf_detach(data, &len);
    if (!body)
        return err_nomem(err);
    if (t->ops->submit(t, mail_from, rcpt, body, len, tag, err))
        return -1;
    t->in_flight++;
    return 0;
}

int transport_poll(struct transport *t, int timeout_ms, transport_done_fn done, void *ud,
                   struct err *err)
{
    return t->ops->poll(t, timeout_ms, done, ud, err);
}
