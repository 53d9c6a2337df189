/* test_send - send.c's loop and the states it writes, on a real ledger file
 * in a scratch home, with a backend of the test's own behind the transport's
 * ops table (transport_int.h) that answers by the recipient's name: "ok..."
 * 250, "later..." 451 4.3.0, "bad..." 550 5.1.1, "quota..." Microsoft 365's
 * 554 5.2.0 sending quota (account-wide), "lost..." no reply after the
 * message (uncertain). The integration tests reach the same code through a
 * real SMTP server; these pin the state changes one by one:
 *   pending -> sending (committed before the backend has the message) -> sent;
 *   deferred with backoff (5 min then 10, +-20 %), failed after RETRY_MAX_AGE;
 *   failed for a recipient refusal;
 *   an account-wide refusal stops the run: nobody failed, the refused one and
 *   the untried ones pending again, the error ERR_TEMPFAIL;
 *   uncertain stays sending, and goes again only when asked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "campaign.h"
#include "clock.h"
#include "config.h"
#include "ledger.h"
#include "refusal.h"
#include "send.h"
#include "sender.h"
#include "transport_int.h"

#include "scratch.h"

#include "banned.h"

#define T0 ((time_t)1795000000) /* 2026-11-18 */

static char dir[] = "/tmp/test_send.XXXXXX";
static char db[300], locks[300];

/* ---- the scripted backend --------------------------------------------------- */

struct script {
    struct transport base;
    struct transport_job *head, **tail;   /* submitted, not yet reported */
    int halted;                           /* an account-wide refusal, or transport_halt */
    void (*started)(void *ud, void *tag); /* the hand-off journal, as smtp calls it */
    void *started_ud;
};

static struct {
    struct ledger *observer; /* a second connection: sees only what is committed */
    int submitted;           /* messages the backend was given */
    int committed_sending;   /* of which the ledger said `sending`, committed */
} seen;

static const struct transport_ops script_ops;

static struct transport *script_open(const struct transport_config *cfg, struct err *err)
{
    struct script *s = calloc(1, sizeof(*s));

    (void)err;
    assert_non_null(s);
    s->base.ops = &script_ops;
    s->base.concurrency = s->base.capacity = cfg->concurrency;
    s->base.refill = 1;
    s->tail = &s->head;
    s->started = cfg->started;
    s->started_ud = cfg->started_ud;
    return &s->base;
}

/* Every delivery of prueba's mailing but sent, failed and bounced ones
 * (each other state is due at some time), as l sees them, into d[0..32);
 * returns how many. */
static size_t unfinished(struct ledger *l, struct delivery d[32])
{
    struct mailing m;
    struct err e;
    size_t n = 0;

    err_init(&e);
    assert_int_equal(ledger_mailing_find(l, "prueba", "main", &m, &e), 0);
    assert_int_equal(ledger_deliveries_due(l, m.id, T0 + 86400 * 365, 0, 1, d, 32, &n, &e), 0);
    mailing_release(&m);
    err_release(&e);
    return n;
}

/* Is rcpt ("<x@y>") a delivery the ledger has, committed, as `sending`? */
static int committed_as_sending(const char *rcpt)
{
    struct delivery d[32];
    size_t n = unfinished(seen.observer, d);
    int found = 0;

    for (size_t i = 0; i < n; i++) {
        if (!strncmp(rcpt + 1, d[i].address, strlen(d[i].address)) &&
            d[i].state == DELIVERY_SENDING)
            found = 1;
        delivery_release(&d[i]);
    }
    return found;
}

static int script_submit(struct transport *t, const char *from, const char *rcpt, char *body,
                         size_t len, void *tag, struct err *err)
{
    struct script *s = (struct script *)t;
    struct transport_job *j = transport_job_new(from, rcpt, body, len, tag, err);

    if (!j)
        return -1;
    seen.submitted++;
    seen.committed_sending += committed_as_sending(j->rcpt);
    *s->tail = j;
    s->tail = &j->next;
    return 0;
}

static void script_answer(struct script *s, struct transport_job *j)
{
    struct transport_result *r = &j->result;
    const char *who = j->rcpt + 1; /* "<name@...>" */
    static const struct {
        const char *prefix;
        enum transport_outcome outcome;
        int code;
        const char *enhanced, *reply;
    } answers[] = {
        {"ok", TRANSPORT_SENT, 250, "2.0.0", "250 2.0.0 Ok: queued"},
        {"later", TRANSPORT_TEMPFAIL, 451, "4.3.0", "451 4.3.0 Mailbox busy, try again"},
        {"bad", TRANSPORT_PERMFAIL, 550, "5.1.1", "550 5.1.1 User unknown"},
        {"quota", TRANSPORT_PERMFAIL, 554, "5.2.0",
         "554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException"},
        {"lost", TRANSPORT_UNCERTAIN, 0, "", "no reply after the whole message was sent"},
    };

    if (s->halted) {
        transport_result_set(r, TRANSPORT_UNTRIED, 0, "not tried");
        return;
    }
    if (s->started) /* its transfer starts: from now on the server may have it */
        s->started(s->started_ud, j->tag);
    for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
        if (strncmp(who, answers[i].prefix, strlen(answers[i].prefix)))
            continue;
        transport_result_set(r, answers[i].outcome, answers[i].code, answers[i].reply);
        snprintf(r->enhanced, sizeof(r->enhanced), "%s", answers[i].enhanced);
        if (answers[i].code)
            refusal_classify(r->code, r->enhanced, r->reply, &r->refusal);
        s->halted |= r->refusal.scope == REFUSAL_ACCOUNT; /* as the smtp backend does */
        return;
    }
    fail_msg("no answer scripted for %s", who);
}

static int script_poll(struct transport *t, int timeout_ms, transport_done_fn done, void *ud,
                       struct err *err)
{
    struct script *s = (struct script *)t;
    struct transport_job *list = s->head;

    (void)timeout_ms;
    (void)err;
    for (struct transport_job *j = list; j; j = j->next)
        script_answer(s, j);
    s->head = NULL;
    s->tail = &s->head;
    return transport_jobs_report(t, list, done, ud);
}

static void script_free(struct transport *t)
{
    struct script *s = (struct script *)t;

    transport_jobs_free(s->head);
    free(s);
}

static void script_halt(struct transport *t)
{
    ((struct script *)t)->halted = 1;
}

static const struct transport_ops script_ops = {"script",    script_open, script_submit,
                                                script_poll, script_free, script_halt};

/* ---- a scratch home: one campaign, one list --------------------------------- */

static void write_file(const char *rel, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The campaign "prueba" to the addresses given (local parts, @test.example). */
static void home_with(const char *const *names, size_t n)
{
    char csv[2048] = "Nombre,Correo electrónico\n";
    char path[512];

    for (const char *sub = "campaigns\0templates\0contacts\0"; *sub; sub += strlen(sub) + 1) {
        snprintf(path, sizeof(path), "%s/%s", dir, sub);
        mkdir(path, 0755);
    }
    write_file("campaigns/prueba.ini", "[campaign]\n"
                                       "name = Prueba\n"
                                       "kind = bulletin\n"
                                       "subject = Prueba para {{nombre}}\n"
                                       "report_title = Prueba\n"
                                       "lists = prueba\n"
                                       "template = prueba\n"
                                       "from = Voto Chilango <votochilango@votochilango.example>\n"
                                       "edition = once\n"
                                       "send_at = 2026-11-18 10:00\n"
                                       "content =\n");
    write_file("templates/prueba.html.mustache", "<p>Hola, {{nombre}}.</p>\n");
    write_file("templates/prueba.txt.mustache", "Hola, {{nombre}}.\n");
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(csv);
        snprintf(csv + len, sizeof(csv) - len, "%s,%s@test.example\n", names[i], names[i]);
    }
    write_file("contacts/prueba.csv", csv);
}

/* ---- running send_run --------------------------------------------------------- */

struct fixture {
    struct campaign c;
    struct sender sender;
    struct ledger *l;
    struct send_opts o;
    struct send_report r; /* of the last run */
    struct err e;         /* of the last run */
};

static void fixture_open(struct fixture *f, const char *const *names, size_t n)
{
    struct config cfg;
    struct err e;

    memset(f, 0, sizeof(*f));
    home_with(names, n);
    for (int i = 0; i < CFG_COUNT; i++)
        unsetenv(config_settings[i].name);
    err_init(&e);
    assert_int_equal(config_load(&cfg, "/dev/null", &e), 0);
    assert_int_equal(sender_from_config(&f->sender, &cfg, &e), 0);
    config_release(&cfg);
    if (campaign_load(dir, "prueba", &f->c, &e))
        fail_msg("%s", e.msg.data);
    scratch_unlink_db(db);
    f->l = ledger_open(db, &e);
    seen.observer = ledger_open(db, &e);
    assert_non_null(f->l);
    assert_non_null(seen.observer);
    err_release(&e);
    seen.submitted = seen.committed_sending = 0;
    send_report_init(&f->r);
    err_init(&f->e);
    f->o.campaign = &f->c;
    f->o.edition = "main";
    f->o.sender = &f->sender;
    f->o.policy.retry_max_age = 3 * 86400;
    f->o.ledger = f->l;
    f->o.lock_dir = locks;
    f->o.backend = &script_ops;
}

static void fixture_close(struct fixture *f)
{
    send_report_release(&f->r);
    err_release(&f->e);
    ledger_close(f->l);
    ledger_close(seen.observer);
    seen.observer = NULL;
    sender_release(&f->sender);
    campaign_release(&f->c);
    clock_fix(NULL);
}

/* One run at time `now`: send_run's return; its report in f->r, its
 * error in f->e. */
static int run_at(struct fixture *f, time_t now)
{
    clock_fix(&now);
    send_report_release(&f->r);
    send_report_init(&f->r);
    err_clear(&f->e);
    seen.submitted = seen.committed_sending = 0;
    return send_run(&f->o, &f->r, &f->e);
}

/* The delivery to name@test.example, read whatever its state. */
static void delivery_of(struct fixture *f, const char *name, struct delivery *out)
{
    struct delivery d[32];
    size_t n = unfinished(f->l, d);
    char addr[64];

    snprintf(addr, sizeof(addr), "%s@test.example", name);
    memset(out, 0, sizeof(*out));
    out->state = DELIVERY_SENT; /* not due: sent or failed, told apart by the counts */
    out->id = -1;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(d[i].address, addr)) {
            *out = d[i];
            continue;
        }
        delivery_release(&d[i]);
    }
}

static enum mailing_state mailing_state_now(struct fixture *f)
{
    struct mailing m;
    struct err e;
    enum mailing_state s;

    err_init(&e);
    assert_int_equal(ledger_mailing_find(f->l, "prueba", "main", &m, &e), 0);
    s = m.state;
    mailing_release(&m);
    err_release(&e);
    return s;
}

/* ---- the cases ------------------------------------------------------------------ */

static void test_sent(void **state)
{
    static const char *const names[] = {"ok1", "ok2", "ok3"};
    struct fixture f;

    (void)state;
    fixture_open(&f, names, 3);
    assert_int_equal(run_at(&f, T0), 0);
    assert_int_equal(f.r.status, SEND_COMPLETE);
    assert_true(f.r.created);
    assert_int_equal(f.r.sent, 3);
    assert_int_equal(seen.submitted, 3);
    /* each was `sending`, committed, before the backend had it */
    assert_int_equal(seen.committed_sending, 3);
    assert_int_equal(f.r.counts.sent, 3);
    assert_int_equal(f.r.counts.pending + f.r.counts.sending + f.r.counts.deferred, 0);
    assert_int_equal(mailing_state_now(&f), MAILING_COMPLETE);
    /* a second run has nothing to do */
    assert_int_equal(run_at(&f, T0 + 60), 0);
    assert_int_equal(f.r.status, SEND_ALREADY_DONE);
    assert_int_equal(seen.submitted, 0);
    fixture_close(&f);
}

static void test_deferred_backoff_then_failed(void **state)
{
    static const char *const names[] = {"ok1", "later1"};
    struct fixture f;
    struct delivery d;
    char reply[256];

    (void)state;
    fixture_open(&f, names, 2);
    f.o.policy.retry_max_age = 3600;
    assert_int_equal(run_at(&f, T0), 0);
    assert_int_equal(f.r.status, SEND_INCOMPLETE);
    assert_int_equal(f.r.sent, 1);
    assert_int_equal(f.r.deferred, 1);
    delivery_of(&f, "later1", &d);
    assert_int_equal(d.state, DELIVERY_DEFERRED);
    assert_int_equal(d.attempts, 1);
    assert_in_range(d.next_attempt_at, T0 + 240, T0 + 360); /* 5 min, +-20 % */
    delivery_release(&d);
    assert_int_equal(ledger_mailing_last_reply(f.l, f.r.mailing_id, reply, sizeof(reply), &f.e), 0);
    assert_string_equal(reply, "451 4.3.0 Mailbox busy, try again");
    assert_int_equal(mailing_state_now(&f), MAILING_SENDING);

    /* before its time: not tried */
    assert_int_equal(run_at(&f, T0 + 200), 0);
    assert_int_equal(seen.submitted, 0);
    assert_int_equal(f.r.status, SEND_INCOMPLETE);

    /* its time came: tried again, refused again, the wait doubles */
    assert_int_equal(run_at(&f, T0 + 400), 0);
    assert_int_equal(seen.submitted, 1);
    assert_int_equal(seen.committed_sending, 1);
    delivery_of(&f, "later1", &d);
    assert_int_equal(d.state, DELIVERY_DEFERRED);
    assert_int_equal(d.attempts, 2);
    assert_in_range(d.next_attempt_at, T0 + 400 + 480, T0 + 400 + 720); /* 10 min, +-20 % */
    delivery_release(&d);

    /* past RETRY_MAX_AGE since its first attempt: failed, the mailing complete */
    assert_int_equal(run_at(&f, T0 + 4000), 0);
    assert_int_equal(seen.submitted, 1);
    assert_int_equal(f.r.failed, 1);
    assert_int_equal(f.r.status, SEND_COMPLETE);
    assert_int_equal(f.r.counts.failed, 1);
    assert_int_equal(f.r.counts.sent, 1);
    assert_int_equal(mailing_state_now(&f), MAILING_COMPLETE);
    fixture_close(&f);
}

static void test_failed(void **state)
{
    static const char *const names[] = {"bad1", "ok1"};
    struct fixture f;

    (void)state;
    fixture_open(&f, names, 2);
    assert_int_equal(run_at(&f, T0), 0);
    assert_int_equal(f.r.status, SEND_COMPLETE);
    assert_int_equal(f.r.failed, 1);
    assert_int_equal(f.r.sent, 1);
    assert_int_equal(f.r.counts.failed, 1);
    assert_int_equal(f.r.counts.sent, 1);
    assert_int_equal(mailing_state_now(&f), MAILING_COMPLETE);
    fixture_close(&f);
}

/* Microsoft 365's sending quota: the run stops at once; nobody is failed;
 * the refused delivery and those handed over with it but never tried are
 * pending again (attempts not counted for the untried), and so is the rest. */
static void test_account_refusal(void **state)
{
    static const char *const names[] = {"ok1", "quota1", "ok2", "ok3", "ok4", "ok5", "ok6"};
    struct fixture f;
    struct delivery d;

    (void)state;
    fixture_open(&f, names, 7);
    assert_int_equal(f.sender.concurrency, 4); /* the backend takes 4 at a time */
    assert_int_equal(run_at(&f, T0), -1);
    assert_int_equal(f.e.kind, ERR_TEMPFAIL);
    assert_non_null(strstr(f.e.msg.data, "SubmissionQuotaExceededException"));
    assert_true(f.r.account_stop);
    assert_int_equal(seen.submitted, 4); /* ok1, quota1, ok2, ok3 */
    assert_int_equal(f.r.sent, 1);
    assert_int_equal(f.r.failed, 0);
    delivery_of(&f, "quota1", &d);
    assert_int_equal(d.state, DELIVERY_PENDING);
    assert_int_equal(d.attempts, 1); /* it was tried */
    delivery_release(&d);
    delivery_of(&f, "ok2", &d);
    assert_int_equal(d.state, DELIVERY_PENDING);
    assert_int_equal(d.attempts, 0); /* never tried: the attempt is not counted */
    delivery_release(&d);
    delivery_of(&f, "ok6", &d);
    assert_int_equal(d.state, DELIVERY_PENDING);
    delivery_release(&d);
    assert_int_equal(mailing_state_now(&f), MAILING_SENDING);

    /* a later run meets the same refusal first: it stops again, nobody failed */
    assert_int_equal(run_at(&f, T0 + 3600), -1);
    assert_int_equal(f.e.kind, ERR_TEMPFAIL);
    assert_int_equal(f.r.sent, 0);
    assert_int_equal(f.r.counts.failed, 0);
    assert_int_equal(f.r.counts.pending, 6);
    fixture_close(&f);
}

/* No reply after the message: uncertain, left `sending`; not sent again
 * unless asked (--resend-uncertain), then with its outcome. */
static void test_uncertain(void **state)
{
    static const char *const names[] = {"lost1", "ok1"};
    struct fixture f;
    struct delivery d;

    (void)state;
    fixture_open(&f, names, 2);
    assert_int_equal(run_at(&f, T0), 0);
    assert_int_equal(f.r.status, SEND_INCOMPLETE);
    assert_int_equal(f.r.uncertain, 1);
    delivery_of(&f, "lost1", &d);
    assert_int_equal(d.state, DELIVERY_SENDING);
    delivery_release(&d);
    assert_int_equal(run_at(&f, T0 + 86400), 0);
    assert_int_equal(seen.submitted, 0); /* never by itself (RESEND_UNCERTAIN_AFTER 0) */
    f.o.resend_uncertain = 1;
    assert_int_equal(run_at(&f, T0 + 86400), 0);
    assert_int_equal(seen.submitted, 1);
    assert_int_equal(f.r.uncertain, 1); /* the script loses it again */
    f.o.resend_uncertain = 0;
    f.o.policy.resend_uncertain_after = 3600; /* by itself after an hour */
    assert_int_equal(run_at(&f, T0 + 86400 + 1800), 0);
    assert_int_equal(seen.submitted, 0);
    assert_int_equal(run_at(&f, T0 + 86400 + 7200), 0);
    assert_int_equal(seen.submitted, 1);
    fixture_close(&f);
}

static int setup(void **state)
{
    (void)state;
    if (scratch_make(dir))
        return -1;
    snprintf(db, sizeof(db), "%s/mailer.db", dir);
    snprintf(locks, sizeof(locks), "%s/locks", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return scratch_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sent),      cmocka_unit_test(test_deferred_backoff_then_failed),
        cmocka_unit_test(test_failed),    cmocka_unit_test(test_account_refusal),
        cmocka_unit_test(test_uncertain),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
