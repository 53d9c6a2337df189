/* send - the send loop: audience -> ledger -> render -> submit -> record. */
#include "send.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "address.h"
#include "clock.h"
#include "compose.h"
#include "handoff.h"
#include "lockfile.h"
#include "message.h"
#include "throttle.h"

#include "banned.h"

#define BATCH 256
#define GROUP_MAX 64 /* messages handed over (and marked sending) together */
#define BACKOFF_BASE 300.0
#define BACKOFF_CAP (6 * 3600.0)
#define NETFAIL_STOP 8      /* consecutive failures without any reply: stop */
#define UNCERTAIN_STOP 3    /* consecutive unknown outcomes: stop, the rest stay pending */
#define SAME_REFUSAL_STOP 5 /* recipients in a row refused with the same 5xx: ask a person */

struct inflight {
    int64_t id;
    int attempts; /* counting this one */
    time_t first_attempt_at;
    char *address;
};

/* An outcome waiting to be recorded: outcomes that arrive together are
 * committed in one transaction. */
struct outcome {
    struct inflight *f;
    struct transport_result r;
};

/* A message composed and ready to hand over. */
struct prepared {
    const struct delivery *d;
    struct inflight *f;
    struct buf msg, envelope;
};

/* The last recipients refused in a row with one 5xx (the safeguard). */
struct same_refusals {
    int code;
    char enhanced[16];
    int n;
    int tripped; /* the run stopped for it: the same refusal now only makes pending */
    int64_t ids[SAME_REFUSAL_STOP];
    int64_t first_id; /* the delivery that began the row (submitted in id order) */
};

struct run {
    const struct send_opts *o;
    struct send_report *r;
    struct ledger *l; /* holds the mailing: o->ledger, or a memory one for dry runs */
    struct compose cp;
    struct transport *t;
    struct throttle th;
    struct mailing m;
    struct err *err;
    int fatal;          /* a callback hit an error that must stop the run */
    long netfails;      /* consecutive outcomes with no reply at all */
    long uncertain_row; /* consecutive unknown outcomes */
    struct same_refusals same;
    double started;
    struct send_progress prog;
    struct compose_gaps gaps;         /* template variables missing while freezing */
    long row;                         /* contacts seen while picking a test row */
    struct value *test_vars;          /* test send: the chosen contact's columns */
    struct prepared ahead[GROUP_MAX]; /* composed while waiting for a free slot */
    size_t nahead;                    /* for the next deliveries of the batch */
    struct outcome *done;             /* outcomes not yet recorded */
    size_t ndone, done_alloc;
    struct buf scratch;
    struct handoff ho; /* the hand-off journal (DESIGN §3 step 7, handoff.h) */
};

void send_report_init(struct send_report *r)
{
    memset(r, 0, sizeof(*r));
    buf_init(&r->audience_notes, 16 * 1024 * 1024);
}

void send_report_release(struct send_report *r)
{
    buf_release(&r->audience_notes);
}

static int missing_error(struct run *run)
{
    size_t i;
    int j;

    err_set(run->err, ERR_DATA,
            "%s: template variables are missing for some contacts; add the column to the "
            "list or a default under [defaults] in the campaign:",
            run->o->campaign->path);
    for (i = 0; i < run->gaps.n; i++) {
        const struct compose_gap *m = &run->gaps.v[i];
        struct buf rows = BUF_INIT;
        int rc = 0;
        for (j = 0; j < COMPOSE_GAP_ROWS && j < m->count && !rc; j++)
            rc = buf_addf(&rows, "%s%s", j ? ", " : "", m->first[j]);
        if (rc) {
            buf_release(&rows);
            return err_nomem(run->err);
        }
        err_set(run->err, ERR_DATA, "  {{%s}}: missing for %ld contact%s (first: %s)", m->name,
                m->count, m->count == 1 ? "" : "s", rows.len ? rows.data : "-");
        buf_release(&rows);
    }
    return -1;
}

static int is_suppressed(void *ud, const char *address, const char **reason)
{
    static char why[64];
    struct run *run = ud;
    /* for everything, or for one of the mailing's lists */
    int rc =
        ledger_suppressed_for(run->o->ledger, address, run->m.lists, why, sizeof(why), run->err);

    *reason = why;
    return rc;
}

/* Freeze one accepted contact into the mailing (or remember it as the test
 * send's row). */
static int on_contact(void *ud, const struct contact *c)
{
    struct run *run = ud;
    struct buf mid = BUF_INIT;
    int rc = -1;

    compose_gaps_contact(&run->gaps, c->file, c->line);
    if (compose_dry(&run->cp, c->vars, compose_gaps_note, &run->gaps, run->err))
        return -1;
    if (run->o->test_to) {
        long want = run->o->test_row > 0 ? run->o->test_row : 1;
        if (++run->row != want)
            return 0;
        snprintf(run->r->test_row, sizeof(run->r->test_row), "%s:%zu", c->file, c->line);
        return (run->test_vars = value_dup(c->vars)) ? 0 : err_nomem(run->err);
    }
    buf_reset(&run->scratch);
    if (message_id_make_in(&mid, ledger_instance_id(run->l), run->m.id, c->address,
                           run->cp.domain) ||
        compose_vars_json(c->vars, &run->scratch)) {
        err_nomem(run->err);
        goto out;
    }
    if (ledger_delivery_add(run->l, run->m.id, c->address, c->list, c->name, run->scratch.data,
                            mid.data, run->err) >= 0)
        rc = 0;
out:
    buf_release(&mid);
    return rc;
}

static int add_test_deliveries(struct run *run)
{
    struct buf mid = BUF_INIT;
    size_t i;
    int rc = 0;

    buf_reset(&run->scratch);
    if (!run->test_vars)
        return err_set(run->err, ERR_DATA,
                       "test send: the audience has %ld recipients, not %ld (--row counts "
                       "recipients, not lines of the file)",
                       run->row, run->o->test_row > 0 ? run->o->test_row : 1);
    if (compose_vars_json(run->test_vars, &run->scratch))
        return err_nomem(run->err);
    for (i = 0; i < run->o->ntest_to && !rc; i++) {
        struct address_result a;
        const char *to = run->o->test_to[i];
        if (!address_check(to, strlen(to), &a)) {
            rc = err_set(run->err, ERR_USAGE, "--test-to: \"%s\" is not a usable address: %s", to,
                         a.reason);
            break;
        }
        buf_reset(&mid);
        rc = message_id_make_in(&mid, ledger_instance_id(run->l), run->m.id, a.normalized,
                                run->cp.domain) ||
             ledger_delivery_add(run->l, run->m.id, a.normalized, "prueba", "", run->scratch.data,
                                 mid.data, run->err) < 0;
    }
    buf_release(&mid);
    return rc ? -1 : 0;
}

/* A reminder: the frozen audience of an earlier edition, minus anyone
 * suppressed since. */
static int on_earlier(void *ud, const struct delivery *d)
{
    struct run *run = ud;
    struct contact c = {d->address, d->name, d->list, "ledger", 0, NULL};
    struct value *vars;
    const char *why;
    int rc;

    run->r->audience.rows++;
    rc = is_suppressed(run, d->address, &why);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        run->r->audience.suppressed++;
        return 0;
    }
    vars = compose_vars_parse(d->vars, strlen(d->vars), run->err);
    if (!vars)
        return -1;
    c.vars = vars;
    rc = on_contact(run, &c);
    value_free(vars);
    if (!rc)
        run->r->audience.accepted++;
    return rc;
}

static int freeze_earlier(struct run *run, const char *edition)
{
    struct mailing earlier;
    int rc = ledger_mailing_find(run->o->ledger, run->o->campaign->id, edition, &earlier, run->err);

    if (rc < 0)
        return -1;
    if (rc == 1 || earlier.test) {
        if (rc == 0)
            mailing_release(&earlier);
        return err_set(run->err, ERR_DATA,
                       "%s: audience = edition:%s, but that edition has not been sent",
                       run->o->campaign->path, edition);
    }
    rc = ledger_deliveries_each(run->o->ledger, earlier.id, on_earlier, run, run->err);
    mailing_release(&earlier);
    return rc ? -1 : 0;
}

static int seen_before(void *ud, const char *key, uint32_t list, uint32_t line,
                       uint32_t *first_list, uint32_t *first_line)
{
    struct run *run = ud;

    return ledger_seen_add(run->l, key, list, line, first_list, first_line, run->err);
}

static int freeze_audience(struct run *run)
{
    const struct campaign *c = run->o->campaign;
    struct audience_spec spec = {0};
    struct buf subject = BUF_INIT, title = BUF_INIT, lists = BUF_INIT;
    char **paths = calloc(c->nlists ? c->nlists : 1, sizeof(*paths));
    size_t i;
    int rc = -1;

    if (!paths)
        return err_nomem(run->err);
    for (i = 0; i < c->nlists; i++) {
        struct buf p = BUF_INIT;
        if (campaign_list_path(c, i, &p) || !(paths[i] = buf_detach(&p, NULL)) ||
            buf_addf(&lists, "%s%s", i ? "," : "", c->lists[i])) {
            buf_release(&p);
            err_nomem(run->err);
            goto out;
        }
    }
    if (compose_titles(&run->cp, &subject, &title, run->err))
        goto out;
    run->m.campaign = c->id;
    run->m.edition = run->r->edition.name;
    run->m.kind = c->kind;
    run->m.subject = subject.data;
    run->m.report_title = title.data;
    run->m.lists = lists.data;
    run->m.from_address = run->cp.from_address;
    run->m.sender = run->o->sender->name;
    run->m.test = run->o->test_to != NULL;
    spec.lists = (const char *const *)paths;
    spec.nlists = c->nlists;
    spec.filter = c->filter;
    spec.suppressed = is_suppressed;
    spec.suppressed_ud = run;
    spec.force = run->o->force;
    spec.list_opts = c->list_opts; /* contacts/NAME.ini, [list NAME] */
    /* The set of addresses seen lives in the ledger, not in memory: a list
     * of a million rows freezes in bounded memory. */
    spec.dedupe = seen_before;
    spec.dedupe_ud = run;
    if (ledger_begin(run->l, run->err))
        goto out;
    if (ledger_seen_clear(run->l, run->err) || ledger_mailing_create(run->l, &run->m, run->err) ||
        (!strncmp(c->audience, "edition:", 8)
             ? freeze_earlier(run, c->audience + 8)
             : contacts_load(&spec, on_contact, run, &run->r->audience, &run->r->audience_notes,
                             run->err)) ||
        (run->o->test_to && add_test_deliveries(run)) || (run->gaps.n && missing_error(run)) ||
        ledger_commit(run->l, run->err)) {
        ledger_rollback(run->l);
        goto out;
    }
    run->r->created = 1;
    rc = 0;
out:
    memset(&run->m, 0, sizeof(run->m)); /* fields pointed at locals */
    for (i = 0; i < c->nlists; i++)
        free(paths[i]);
    free(paths);
    buf_release(&subject);
    buf_release(&title);
    buf_release(&lists);
    return rc;
}

/* Wait before attempt n+1: 5 min, 10, 20, 40 ... up to 6 h, ±20 % so that
 * deferred messages do not come back all at once. */
static double backoff(int attempts)
{
    double d = BACKOFF_BASE * pow(2.0, attempts > 1 ? attempts - 1 : 0);

    if (d > BACKOFF_CAP)
        d = BACKOFF_CAP;
    return d * (0.8 + 0.4 * ((double)rand() / RAND_MAX)); /* jitter: ±20 % */
}

/* An account-wide refusal (refusal.h): stop at once, nothing failed; the
 * delivery that got it goes back to pending with the others. */
static void account_stop(struct run *run, const struct transport_result *res)
{
    const struct sender *s = run->o->sender;

    if (run->t)
        transport_halt(run->t);
    if (run->fatal)
        return;
    run->fatal = 1;
    run->r->account_stop = 1;
    if (res->outcome == TRANSPORT_AUTHFAIL && res->code == 530 && !*s->smtp_user)
        err_set(run->err, ERR_CONFIG,
                "the SMTP server %s requires authentication and no SMTP_USER is set; nothing "
                "was sent or marked failed (its reply: %s)",
                s->smtp_url, res->reply);
    else if (res->outcome == TRANSPORT_AUTHFAIL)
        err_set(run->err, ERR_CONFIG,
                "the SMTP server %s refused the login of %s (%s): check SMTP_USER and "
                "SMTP_PASSWORD; it was tried once, and nobody was marked failed (its reply: %s)",
                s->smtp_url, s->smtp_user, res->refusal.why, res->reply);
    else if (res->refusal.tempfail)
        err_set(run->err, ERR_TEMPFAIL,
                "the SMTP server stopped this run: %s; nobody was marked failed, the rest stay "
                "pending and a later run sends them (its reply: %s)",
                res->refusal.why, res->reply);
    else
        err_set(run->err, ERR_CONFIG,
                "the SMTP server refuses to send for this account: %s; nobody was marked failed, "
                "the rest stay pending until a person fixes it (its reply: %s)",
                res->refusal.why, res->reply);
}

/* The safeguard: SAME_REFUSAL_STOP different recipients in a row refused
 * with the same 5xx (code and enhanced status) look like the server
 * refusing everyone: put them back to pending and stop for a person.
 * 1 when it stops (this delivery is not to be failed). */
static int same_refusal(struct run *run, struct inflight *f, const struct transport_result *res,
                        time_t now)
{
    struct same_refusals *s = &run->same;
    int i;

    if (run->o->force)
        return 0;   /* --force: a person said these refusals are real */
    if (s->tripped) /* those sent meanwhile, refused the same way */
        return s->code == res->code && !strcmp(s->enhanced, res->enhanced);
    if (s->n && (s->code != res->code || strcmp(s->enhanced, res->enhanced)))
        s->n = 0;
    if (s->n == 0) {
        s->first_id = f->id;
        s->code = res->code;
        snprintf(s->enhanced, sizeof(s->enhanced), "%s", res->enhanced);
    }
    s->ids[s->n++] = f->id;
    if (s->n < SAME_REFUSAL_STOP)
        return 0;
    for (i = 0; i < s->n - 1; i++)
        if (ledger_delivery_result(run->l, s->ids[i], DELIVERY_PENDING, res->code, res->enhanced,
                                   res->reply, 0, now, run->err))
            run->fatal = 1;
    run->r->failed -= s->n - 1;
    s->n = 0;
    s->tripped = 1;
    if (run->t)
        transport_halt(run->t);
    if (!run->fatal) {
        run->fatal = 1;
        run->r->account_stop = 1;
        err_set(run->err, ERR_TEMPFAIL,
                "%d recipients in a row were refused with the same reply, which looks like the "
                "server refusing everyone: the run stopped and they are pending again; if the "
                "refusals are real, run it again with --force (its reply: %s)",
                SAME_REFUSAL_STOP, res->reply);
    }
    return 1;
}

static void record_outcome(struct run *run, struct inflight *f, const struct transport_result *res)
{
    time_t now = clock_now(), next = 0;
    enum delivery_state state;

    run->netfails = res->code == 0 && res->outcome == TRANSPORT_NETFAIL ? run->netfails + 1 : 0;
    run->uncertain_row = res->outcome == TRANSPORT_UNCERTAIN ? run->uncertain_row + 1 : 0;
    /* Another outcome ends a row of same refusals, unless it is of a message
     * submitted before the row began that finished late on another
     * connection (messages are submitted in id order). */
    if (res->outcome != TRANSPORT_PERMFAIL && res->outcome != TRANSPORT_UNTRIED &&
        (!run->same.n || f->id > run->same.first_id))
        run->same.n = 0;
    if (res->outcome == TRANSPORT_NETFAIL && res->reply[0])
        snprintf(run->r->cause, sizeof(run->r->cause), "%s", res->reply);
    if (res->outcome == TRANSPORT_UNTRIED) {
        /* never started (the run stopped): pending again, the attempt uncounted */
        if (ledger_delivery_unsend(run->l, run->m.id, f->id, now, run->err) < 0)
            run->fatal = 1;
        free(f->address);
        free(f);
        return;
    }
    switch (res->outcome) {
    case TRANSPORT_SENT:
        state = DELIVERY_SENT;
        run->r->sent++;
        break;
    case TRANSPORT_UNCERTAIN:
        /* the server may have it: it stays `sending` (uncertain), sent again
         * only by a person (--resend-uncertain) or after RESEND_UNCERTAIN_AFTER */
        state = DELIVERY_SENDING;
        run->r->uncertain++;
        break;
    default:
        if (res->refusal.scope == REFUSAL_ACCOUNT || res->outcome == TRANSPORT_AUTHFAIL ||
            res->outcome == TRANSPORT_TLSFAIL) {
            state = DELIVERY_PENDING;
            account_stop(run, res);
        } else if (res->outcome == TRANSPORT_TEMPFAIL || res->outcome == TRANSPORT_NETFAIL ||
                   res->refusal.scope == REFUSAL_TEMPORARY) {
            if (f->first_attempt_at && now - f->first_attempt_at > run->o->policy.retry_max_age) {
                state = DELIVERY_FAILED;
                run->r->failed++;
            } else {
                state = DELIVERY_DEFERRED;
                next = now + (time_t)backoff(f->attempts);
                run->r->deferred++;
            }
        } else if (same_refusal(run, f, res, now)) {
            state = DELIVERY_PENDING;
        } else {
            state = DELIVERY_FAILED;
            run->r->failed++;
        }
        break;
    }
    if (ledger_delivery_result(run->l, f->id, state, res->code, res->enhanced, res->reply, next,
                               now, run->err))
        run->fatal = 1;
    if (run->o->delivered)
        run->o->delivered(run->o->ud, f->address, res);
    run->prog.done++;
    run->prog.sent = run->r->sent;
    run->prog.deferred = run->r->deferred;
    run->prog.failed = run->r->failed;
    run->prog.elapsed = clock_mono() - run->started;
    if (run->o->progress)
        run->o->progress(run->o->ud, &run->prog);
    free(f->address);
    free(f);
}

static void on_done(void *ud, void *tag, const struct transport_result *res)
{
    struct run *run = ud;

    if (run->ndone == run->done_alloc) {
        size_t n = run->done_alloc ? run->done_alloc * 2 : 64;
        struct outcome *grown = realloc(run->done, n * sizeof(*grown));
        if (!grown) {
            /* cannot queue it: record it on its own */
            record_outcome(run, tag, res);
            return;
        }
        run->done = grown;
        run->done_alloc = n;
    }
    run->done[run->ndone].f = tag;
    run->done[run->ndone].r = *res;
    run->ndone++;
}

/* Record the queued outcomes (inside the caller's transaction, if any). */
static void record_queued(struct run *run)
{
    size_t i;

    for (i = 0; i < run->ndone; i++)
        record_outcome(run, run->done[i].f, &run->done[i].r);
    run->ndone = 0;
}

/* Record the queued outcomes in one transaction. */
static int flush_outcomes(struct run *run)
{
    int in_tx;

    if (!run->ndone)
        return 0;
    in_tx = ledger_begin(run->l, run->err) == 0;
    record_queued(run);
    if (in_tx && ledger_commit(run->l, run->err)) {
        ledger_rollback(run->l);
        run->fatal = 1;
    }
    return in_tx ? 0 : -1;
}

/* Wait up to seconds for transport progress. What finished is recorded at
 * once with flush, else queued for the next group's transaction (one
 * commit then records them and marks the group sending). */
static int pump(struct run *run, double seconds, int flush)
{
    int ms = (int)ceil(seconds * 1000.0);
    int rc = transport_poll(run->t, ms, on_done, run, run->err);

    if ((flush && flush_outcomes(run)) || rc < 0)
        return -1;
    return run->fatal ? -1 : 0;
}

static void prepared_release(struct prepared *p)
{
    if (p->f)
        free(p->f->address);
    free(p->f);
    buf_release(&p->msg);
    buf_release(&p->envelope);
    p->f = NULL;
}

static int prepare(struct run *run, const struct delivery *d, struct prepared *p)
{
    struct compose_contact who = {d->address, d->name, NULL, d->message_id, clock_now(), d->token};
    struct value *vars;
    int rc = -1;

    p->d = d;
    buf_init(&p->msg, 32 * 1024 * 1024);
    buf_init(&p->envelope, 0);
    p->f = calloc(1, sizeof(*p->f));
    if (!p->f || !(p->f->address = strdup(d->address)))
        return err_nomem(run->err);
    p->f->id = d->id;
    p->f->attempts = d->attempts + 1;
    p->f->first_attempt_at = d->first_attempt_at ? d->first_attempt_at : clock_now();
    vars = compose_vars_parse(d->vars, strlen(d->vars), run->err);
    if (!vars)
        return -1;
    who.vars = vars;
    if (!compose_message(&run->cp, &who, &p->msg, NULL, NULL, run->err)) {
        if (compose_envelope(&run->cp, d->message_id, &p->envelope))
            err_nomem(run->err);
        else
            rc = 0;
    }
    value_free(vars);
    return rc;
}

static int should_stop(struct run *run, long submitted);

/* The group's deliveries are committed `sending`: say so in the journal,
 * except for uncertain ones sent again (they stay uncertain until they
 * have an outcome, started or not). */
static void journal_marked(struct run *run, const struct delivery *ds, const char *skip, size_t k)
{
    int64_t ids[GROUP_MAX];
    size_t i, n = 0;

    for (i = 0; i < k; i++)
        if (ds[i].state != DELIVERY_SENDING && !skip[i])
            ids[n++] = ds[i].id;
    handoff_marked(&run->ho, ids, n);
}

/* A connection is about to transmit (its own thread). */
static void on_started(void *ud, void *tag)
{
    struct run *run = ud;

    handoff_started(&run->ho, ((const struct inflight *)tag)->id);
}

static void ahead_release(struct run *run)
{
    while (run->nahead)
        prepared_release(&run->ahead[--run->nahead]);
}

/* Hand the next k deliveries (ds, the first run->nahead of them composed
 * already) to the transport: compose the rest; then in one transaction
 * record the outcomes that came in meanwhile and mark the k `sending`;
 * commit; then submit them (DESIGN §3: `sending` is committed before the
 * transport has the message). The outcomes may say to stop (an
 * authentication failure, the server unreachable): then nothing is marked
 * or submitted, and 1 is returned. Composed messages past k stay ahead. */
static int submit_group(struct run *run, const struct delivery *ds, size_t k, long submitted)
{
    struct prepared *p = run->ahead;
    char skip[GROUP_MAX] = {0}, why[64];
    size_t i, sent = 0;
    time_t now = clock_now();
    int rc = -1, stop, gone;

    for (; run->nahead < k; run->nahead++)
        if (prepare(run, &ds[run->nahead], &p[run->nahead])) {
            run->nahead++;
            goto fail;
        }
    if (ledger_begin(run->l, run->err))
        goto fail;
    record_queued(run);
    stop = should_stop(run, submitted);
    for (i = 0; i < k && !stop; i++) {
        /* A «baja» recorded since the audience was frozen (serve, a reply,
         * `suppress add`) is honoured by this mailing from its next group. */
        gone = run->m.test ? 0
                           : ledger_suppressed_for(run->l, ds[i].address, run->m.lists, why,
                                                   sizeof(why), run->err);
        if (gone > 0) {
            skip[i] = 1;
            run->r->skipped++;
        }
        if (gone < 0 ||
            (skip[i] ? ledger_delivery_result(run->l, ds[i].id, DELIVERY_SKIPPED, 0, NULL,
                                              "suppressed while the mailing ran", 0, now, run->err)
                     : ledger_delivery_sending(run->l, ds[i].id, now, run->err))) {
            ledger_rollback(run->l);
            run->fatal = 1; /* the outcomes just recorded were rolled back too */
            goto fail;
        }
    }
    if (ledger_commit(run->l, run->err)) {
        ledger_rollback(run->l);
        run->fatal = 1;
        goto fail;
    }
    if (stop) {
        ahead_release(run);
        return 1;
    }
    journal_marked(run, ds, skip, k);
    for (sent = 0; sent < k; sent++) {
        if (skip[sent])
            continue;
        if (transport_submit(run->t, p[sent].envelope.data, ds[sent].address, &p[sent].msg,
                             p[sent].f, run->err))
            break;
        p[sent].f = NULL; /* the transport reports it through on_done */
        throttle_take(&run->th);
    }
    /* Any not handed over are still only pending. */
    for (i = sent; i < k; i++)
        if (!skip[i])
            ledger_delivery_result(run->l, ds[i].id, DELIVERY_PENDING, 0, NULL, NULL, 0, now, NULL);
    if (sent < k)
        goto fail;
    for (i = 0; i < k; i++)
        prepared_release(&p[i]);
    memmove(p, p + k, (run->nahead - k) * sizeof(*p));
    run->nahead -= k;
    return 0;
fail:
    ahead_release(run);
    return rc;
}

/* Stop taking new messages? Sets the reason in the report. */
static int should_stop(struct run *run, long submitted)
{
    if (run->o->stop && *run->o->stop)
        return run->r->stopped = 1;
    if (run->o->limit && submitted >= run->o->limit)
        return run->r->limit_reached = 1;
    if (!run->o->dry_run_dir && throttle_daily_reached(&run->th))
        return run->r->daily_reached = 1;
    if (run->netfails >= NETFAIL_STOP)
        return run->r->unreachable = 1;
    if (run->uncertain_row >= UNCERTAIN_STOP)
        return run->r->uncertain_stop = 1;
    return run->fatal;
}

/* How many to hand over at once: every free connection, unless a rate
 * spaces them out. */
static size_t group_size(struct run *run, size_t left, long submitted)
{
    size_t k = (size_t)transport_slots(run->t);

    if (run->th.interval > 0)
        k = 1;
    if (k > left)
        k = left;
    if (k > GROUP_MAX)
        k = GROUP_MAX;
    if (run->o->limit && (long)k > run->o->limit - submitted)
        k = (size_t)(run->o->limit - submitted);
    if (!run->o->dry_run_dir && run->th.daily_limit &&
        (long)k > run->th.daily_limit - run->th.sent_24h)
        k = (size_t)(run->th.daily_limit - run->th.sent_24h);
    return k ? k : 1;
}

/* Which uncertain deliveries are due (ledger_deliveries_due): all with
 * --resend-uncertain (1), those older than RESEND_UNCERTAIN_AFTER (its
 * seconds, when more than 1), else none (0). */
static int uncertain_due(const struct send_opts *o)
{
    long after = o->policy.resend_uncertain_after;

    if (o->resend_uncertain)
        return 1;
    return after > 1 ? (after > INT_MAX ? INT_MAX : (int)after) : 0;
}

static int send_loop(struct run *run)
{
    struct delivery batch[BATCH];
    size_t n = 0, i = 0, j, k;
    int64_t after = 0;
    long submitted = 0;
    int rc = 0, sub;
    size_t ahead_max = (size_t)transport_in_flight(run->t) + (size_t)transport_slots(run->t);

    if (ahead_max > GROUP_MAX)
        ahead_max = GROUP_MAX;
    run->started = clock_mono();
    for (;;) {
        if (i == n) {
            for (j = 0; j < n; j++)
                delivery_release(&batch[j]);
            i = 0;
            if (ledger_deliveries_due(run->l, run->m.id, clock_now(), after, uncertain_due(run->o),
                                      batch, BATCH, &n, run->err)) {
                rc = -1;
                break;
            }
            if (n == 0)
                break;
            after = batch[n - 1].id;
        }
        if (should_stop(run, submitted))
            break;
        /* Until the transport wants a group (its queue down to the
         * low-water mark; under a rate, any free slot): compose the next
         * messages of the batch meanwhile (as many as it holds), looking
         * for outcomes between two; block only when there is nothing to do. */
        while (!rc && !run->fatal && !transport_wants(run->t) &&
               !(run->th.interval > 0 && transport_slots(run->t) > 0)) {
            if (run->nahead < ahead_max && i + run->nahead < n) {
                if (prepare(run, &batch[i + run->nahead], &run->ahead[run->nahead])) {
                    run->nahead++;
                    rc = -1;
                    break;
                }
                run->nahead++;
                rc = pump(run, 0, 0);
            } else {
                rc = pump(run, 1.0, 0);
            }
        }
        while (!rc && !run->fatal && throttle_delay(&run->th) > 0)
            rc = pump(run, throttle_delay(&run->th), 1);
        if (rc || should_stop(run, submitted))
            break;
        k = group_size(run, n - i, submitted);
        sub = submit_group(run, &batch[i], k, submitted);
        if (sub) {
            rc = sub < 0 ? -1 : 0;
            break;
        }
        submitted += (long)k;
        i += k;
    }
    ahead_release(run); /* composed, never marked: still pending */
    for (j = 0; j < n; j++)
        delivery_release(&batch[j]);
    /* Whatever happened, record the outcome of everything in flight. */
    if (flush_outcomes(run))
        rc = -1;
    while (transport_in_flight(run->t) > 0) {
        int polled = transport_poll(run->t, 1000, on_done, run, run->err);
        if (flush_outcomes(run) || polled < 0) {
            rc = -1;
            break;
        }
    }
    return rc || run->fatal ? -1 : 0;
}

static int count_deliveries(struct run *run)
{
    run->prog.total = 0;
    if (ledger_mailing_counts(run->l, run->m.id, &run->r->counts, run->err))
        return -1;
    run->prog.total = run->r->counts.pending + run->r->counts.deferred +
                      (run->o->resend_uncertain ? run->r->counts.sending : 0);
    return 0;
}

static int open_transport(struct run *run)
{
    const struct sender *s = run->o->sender;
    struct transport_config tc = {0};
    char *password = NULL, *token = NULL;

    if (run->o->dry_run_dir) {
        tc.url = run->o->dry_run_dir;
        tc.concurrency = 1;
        run->t = transport_new("file", &tc, run->err);
        return run->t ? 0 : -1;
    }
    if (sender_transport_config(s, run->o->concurrency, &tc, &password, &token, run->err) == 0) {
        tc.verbose = run->o->trace;
        if (run->ho.fd >= 0) {
            tc.started = on_started;
            tc.started_ud = run;
        }
        run->t = run->o->backend ? transport_open(run->o->backend, &tc, run->err)
                                 : transport_new("smtp", &tc, run->err);
    }
    sender_secret_free(password);
    sender_secret_free(token);
    return run->t ? 0 : -1;
}

/* A test send that could not go (a refused login, no server, ...) ends
 * failed, with the reason, instead of «sending ... pending 1» for ever: a
 * test is never continued (the next one is a mailing of its own). */
static void test_send_failed(struct run *run, const struct err *why)
{
    struct err ignored;

    err_init(&ignored);
    /* nothing went and the server could not be reached: said as such */
    if (!run->r->sent && run->r->cause[0])
        run->r->unreachable = 1;
    if (!ledger_mailing_fail_rest(
            run->l, run->m.id, why && why->msg.len ? why->msg.data : "the test send did not finish",
            clock_now(), &ignored)) {
        run->r->status = SEND_COMPLETE;
        ledger_mailing_counts(run->l, run->m.id, &run->r->counts, &ignored);
    }
    err_release(&ignored);
}

/* Find the mailing, or freeze a new one. 1: already complete. */
static int prepare_mailing(struct run *run)
{
    const struct send_opts *o = run->o;
    int found;

    if (o->test_to) {
        /* A test send is a mailing of its own, named by the second; a second
         * test send in the same second gets "-2", "-3"... (never the first's) */
        char stamp[32];
        size_t base = strlen(run->r->edition.name), room = sizeof(run->r->edition.name) - base;
        int n;

        clock_iso(clock_now(), stamp, sizeof(stamp));
        for (n = 1;; n++) {
            if (n == 1)
                snprintf(run->r->edition.name + base, room, "+prueba-%s", stamp);
            else
                snprintf(run->r->edition.name + base, room, "+prueba-%s-%d", stamp, n);
            found = ledger_mailing_find(run->l, o->campaign->id, run->r->edition.name, &run->m,
                                        run->err);
            if (found != 0)
                break;
            mailing_release(&run->m);
        }
    } else
        found =
            ledger_mailing_find(run->l, o->campaign->id, run->r->edition.name, &run->m, run->err);
    if (found < 0)
        return -1;
    if (found == 0 && run->m.state == MAILING_COMPLETE)
        return 1;
    /* its limits are counted on the sender it started from: never two */
    if (found == 0 && strcmp(run->m.sender, o->sender->name))
        return err_set(run->err, ERR_CONFIG,
                       "%s: %s %s started from the sender \"%s\", and the campaign now names "
                       "\"%s\": a mailing leaves from one sender; put `sender = %s` under "
                       "[edition %s] until it is finished",
                       o->campaign->path, o->campaign->id, run->r->edition.name, run->m.sender,
                       o->sender->name, run->m.sender, run->r->edition.name);
    if (found == 1) {
        if (freeze_audience(run))
            return -1;
        if (ledger_mailing_find(run->l, o->campaign->id, run->r->edition.name, &run->m, run->err))
            return -1;
    }
    run->r->mailing_id = run->m.id;
    return ledger_mailing_set_state(run->l, run->m.id, MAILING_SENDING, run->err);
}

static int finish(struct run *run)
{
    struct delivery_counts *c = &run->r->counts;

    if (ledger_mailing_counts(run->l, run->m.id, c, run->err))
        return -1;
    if (c->pending == 0 && c->sending == 0 && c->deferred == 0) {
        run->r->status = SEND_COMPLETE;
        return ledger_mailing_set_state(run->l, run->m.id, MAILING_COMPLETE, run->err);
    }
    run->r->status = SEND_INCOMPLETE;
    if (run->r->daily_reached)
        run->r->resume_at = throttle_daily_resume(&run->th, run->l, run->err);
    return 0;
}

/* A mailing's file in the lock directory: CAMPAIGN@EDITION.lock (the lock)
 * or .handoff (the journal). */
static int mailing_file(struct buf *out, const char *lock_dir, const char *campaign,
                        const char *edition, const char *ext)
{
    buf_reset(out);
    return buf_addf(out, "%s/%s@%s.%s", lock_dir, campaign, edition, ext) || !out->data;
}

int send_recover(const char *lock_dir, struct ledger *l, const struct mailing *m, long *restored,
                 struct err *err)
{
    struct buf journal = BUF_INIT, lockpath = BUF_INIT;
    struct lockfile lock = {-1};
    struct err busy;
    int rc = 0;

    *restored = 0;
    err_init(&busy);
    if (mailing_file(&journal, lock_dir, m->campaign, m->edition, "handoff") ||
        mailing_file(&lockpath, lock_dir, m->campaign, m->edition, "lock"))
        rc = err_nomem(err);
    else if (access(journal.data, F_OK) == 0 &&
             lockfile_take(&lock, lockpath.data, "this mailing", &busy) == 0)
        rc = handoff_recover(journal.data, l, m->id, restored, err);
    /* no journal, or a run holds the lock: it is not over, nothing to recover */
    lockfile_release(&lock);
    err_release(&busy);
    buf_release(&journal);
    buf_release(&lockpath);
    return rc;
}

/* The sender's lock (send.h): 0 taken, 1 not (another process sends from
 * it and the run may not wait, or a signal came while waiting), -1 error. */
static int take_sender(struct run *run, struct lockfile *lk)
{
    const struct send_opts *o = run->o;
    struct send_report *r = run->r;
    struct buf path = BUF_INIT, doing = BUF_INIT;
    struct timespec nap = {0, 200 * 1000 * 1000};
    int rc, said = 0;

    if (buf_addf(&path, "%s/sender-%s.lock", o->lock_dir, o->sender->name) ||
        buf_addf(&doing, "%s %s", o->campaign->id, r->edition.name)) {
        rc = err_nomem(run->err);
        goto out;
    }
    while ((rc = lockfile_try(lk, path.data, doing.data, r->busy_holder, sizeof(r->busy_holder),
                              run->err)) == 1) {
        if (!o->wait_sender) {
            r->sender_busy = 1;
            break;
        }
        if (o->stop && *o->stop) {
            r->stopped = 1;
            break;
        }
        if (!said++ && o->sender_waiting)
            o->sender_waiting(o->ud, o->sender->name, r->busy_holder);
        nanosleep(&nap, NULL); /* a signal ends it early */
    }
out:
    buf_release(&path);
    buf_release(&doing);
    return rc;
}

int send_run(const struct send_opts *o, struct send_report *r, struct err *err)
{
    struct run run;
    struct lockfile lock = {-1}, sender_lock = {-1};
    struct buf path = BUF_INIT, journal = BUF_INIT;
    struct err later;
    int rc = -1, prep;

    memset(&run, 0, sizeof(run));
    run.ho.fd = -1;
    err_init(&later);
    run.o = o;
    run.r = r;
    run.err = err;
    run.l = o->ledger;
    buf_init(&run.scratch, 1024 * 1024);
    if (campaign_edition(o->campaign, o->edition, clock_now(), &r->edition, err))
        goto out;
    if (o->dry_run_dir && !(run.l = ledger_open(":memory:", err)))
        goto out;
    if (!o->dry_run_dir && !o->test_to) {
        if (mailing_file(&path, o->lock_dir, o->campaign->id, r->edition.name, "lock")) {
            err_nomem(err);
            goto out;
        }
        if (lockfile_take(&lock, path.data, "this mailing", err))
            goto out;
    }
    if (compose_init(&run.cp, o->campaign, &r->edition, o->sender, o->test_to != NULL, err))
        goto out;
    run.cp.boundary_seed = o->boundary_seed;
    prep = prepare_mailing(&run);
    if (prep < 0)
        goto out;
    if (prep == 1) {
        r->status = SEND_ALREADY_DONE;
        r->mailing_id = run.m.id;
        rc = ledger_mailing_counts(run.l, run.m.id, &r->counts, err);
        goto out;
    }
    if (lock.fd >= 0) {
        /* what the last run left queued and never started goes back to
         * pending; then this run's journal */
        if (mailing_file(&journal, o->lock_dir, o->campaign->id, r->edition.name, "handoff")) {
            err_nomem(err);
            goto out;
        }
        if (handoff_recover(journal.data, run.l, run.m.id, &r->restored, err) ||
            handoff_open(&run.ho, journal.data, err))
            goto out;
    }
    if (lock.fd >= 0) {
        int busy = take_sender(&run, &sender_lock);
        if (busy < 0)
            goto out;
        if (busy) { /* nothing sent: the mailing waits, pending */
            rc = finish(&run);
            goto out;
        }
    }
    if (count_deliveries(&run) || throttle_init(&run.th, o->sender, o->ledger, err) ||
        open_transport(&run))
        goto out;
    rc = send_loop(&run);
    transport_free(run.t); /* its connections are gone: nothing more starts */
    run.t = NULL;
    if (run.ho.fd >= 0) {
        long restored = 0;
        handoff_close(&run.ho);
        if (handoff_recover(journal.data, run.l, run.m.id, &restored, rc ? &later : err))
            rc = -1;
    }
    if (finish(&run))
        rc = -1;
out:
    if (o->test_to && run.m.id && (rc || r->status == SEND_INCOMPLETE))
        test_send_failed(&run, rc ? err : NULL);
    transport_free(run.t);
    handoff_close(&run.ho);
    compose_release(&run.cp);
    mailing_release(&run.m);
    value_free(run.test_vars);
    free(run.done);
    buf_release(&run.scratch);
    buf_release(&path);
    buf_release(&journal);
    err_release(&later);
    lockfile_release(&sender_lock);
    lockfile_release(&lock);
    if (run.l != o->ledger)
        ledger_close(run.l);
    return rc;
}
