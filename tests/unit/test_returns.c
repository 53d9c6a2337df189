/* test_returns - what returned mail does to a real ledger file: bounced
 * deliveries, the bounces table, suppression rules (hard at once, soft after
 * three in 30 days, complaints, unsubscribes), and the mailbox position. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "clock.h"
#include "ledger.h"
#include "returns.h"

#include "fixed_clock.h"
#include "scratch.h"

#include "banned.h"

static char dir[] = "/tmp/test_returns.XXXXXX";
static char path[300];

struct env {
    struct ledger *l;
    int64_t mailing, ana, beto; /* deliveries */
};

static int64_t sent_delivery(struct ledger *l, int64_t mailing, const char *addr, const char *mid)
{
    struct delivery d[4];
    struct err e;
    size_t n, i;
    int64_t id = 0;

    err_init(&e);
    assert_int_equal(ledger_delivery_add(l, mailing, addr, "prueba", "", "{}", mid, &e), 0);
    assert_int_equal(ledger_deliveries_due(l, mailing, clock_now(), 0, 0, d, 4, &n, &e), 0);
    for (i = 0; i < n; i++) {
        if (!strcmp(d[i].address, addr))
            id = d[i].id;
        delivery_release(&d[i]);
    }
    assert_true(id > 0);
    assert_int_equal(ledger_delivery_sending(l, id, clock_now(), &e), 0);
    assert_int_equal(
        ledger_delivery_result(l, id, DELIVERY_SENT, 250, "2.0.0", "250 ok", 0, clock_now(), &e),
        0);
    err_release(&e);
    return id;
}

static int setup(void **state)
{
    struct env *env = calloc(1, sizeof(*env));
    struct mailing m = {0};
    struct err e;
    char side[320];

    fixed_clock("2026-11-22T16:00:00Z");
    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
    err_init(&e);
    env->l = ledger_open(path, &e);
    if (!env->l)
        fail_msg("%s", e.msg.data);
    m.campaign = "aviso";
    m.edition = "main";
    assert_int_equal(ledger_mailing_create(env->l, &m, &e), 0);
    env->mailing = m.id;
    env->ana = sent_delivery(env->l, m.id, "ana@test.example", "m1.aaaa@votochilango.example");
    env->beto = sent_delivery(env->l, m.id, "beto@test.example", "m1.bbbb@votochilango.example");
    err_release(&e);
    *state = env;
    return 0;
}

static int teardown(void **state)
{
    struct env *env = *state;

    ledger_close(env->l);
    free(env);
    return 0;
}

/* A one-recipient result built by hand (the bounce module is tested apart). */
static void one(struct bounce_result *r, enum bounce_type type, const char *addr,
                const char *status, const char *action, enum bounce_class class, const char *mid)
{
    memset(r, 0, sizeof(*r));
    r->type = type;
    r->original_message_id = strdup(mid ? mid : "");
    if (addr) {
        r->rcpt = calloc(1, sizeof(*r->rcpt));
        r->nrcpt = 1;
        r->rcpt[0].address = strdup(addr);
        r->rcpt[0].status = strdup(status ? status : "");
        r->rcpt[0].action = strdup(action ? action : "");
        r->rcpt[0].diagnostic = strdup("550 5.1.1 test");
        r->rcpt[0].class = class;
    }
}

static int apply(struct env *env, struct bounce_result *r, struct returns_stats *st)
{
    struct err e;
    int rc;

    err_init(&e);
    rc = returns_apply(env->l, r, "INBOX;UIDVALIDITY=1;UID=1", NULL, st, &e);
    if (rc < 0)
        fail_msg("%s", e.msg.data);
    err_release(&e);
    bounce_release(r);
    return rc;
}

static void reason(struct env *env, const char *addr, const char *want)
{
    char why[64] = "";
    struct err e;
    int rc;

    err_init(&e);
    rc = ledger_suppressed(env->l, addr, why, sizeof(why), &e);
    err_release(&e);
    if (!want) {
        assert_int_equal(rc, 0);
        return;
    }
    assert_int_equal(rc, 1);
    assert_string_equal(why, want);
}

static void counts(struct env *env, long sent, long bounced)
{
    struct delivery_counts c;
    struct err e;

    err_init(&e);
    assert_int_equal(ledger_mailing_counts(env->l, env->mailing, &c, &e), 0);
    assert_int_equal(c.sent, sent);
    assert_int_equal(c.bounced, bounced);
    err_release(&e);
}

/* Read the file independently of the ledger module (as a person would). */
static long query_long(struct env *env, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long n = -1;

    (void)env;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void test_hard_by_message_id(void **state)
{
    struct env *env = *state;
    struct returns_stats st = {0};
    struct bounce_result r;

    /* The notice names a forwarding target; the Message-ID names ana. */
    one(&r, BOUNCE_BOUNCE, "ana.new@elsewhere.example", "5.1.1", "failed", BOUNCE_HARD,
        "m1.aaaa@votochilango.example");
    assert_int_equal(apply(env, &r, &st), 0);
    assert_int_equal(st.hard, 1);
    assert_int_equal(st.matched, 1);
    assert_int_equal(st.suppressed, 1);
    reason(env, "ana@test.example", "hard-bounce");
    reason(env, "ana.new@elsewhere.example", NULL);
    counts(env, 1, 1);
    assert_int_equal(query_long(env, "SELECT count(*) FROM bounces WHERE delivery_id IS NOT NULL"
                                     " AND class = 'hard' AND status = '5.1.1'"
                                     " AND message_id = 'm1.aaaa@votochilango.example'"),
                     1);
    /* A later soft bounce does not downgrade the delivery. */
    one(&r, BOUNCE_BOUNCE, "ana@test.example", "4.2.2", "failed", BOUNCE_SOFT, NULL);
    assert_int_equal(apply(env, &r, &st), 0);
    assert_int_equal(query_long(env, "SELECT count(*) FROM deliveries WHERE bounce_class = 'hard'"),
                     1);
    assert_int_equal(st.suppressed, 1); /* already suppressed: not counted again */
}

static void test_soft_three_in_30_days(void **state)
{
    struct env *env = *state;
    struct returns_stats st = {0};
    struct bounce_result r;
    static const char *const when[] = {"2026-09-01T10:00:00Z", "2026-11-01T10:00:00Z",
                                       "2026-11-10T10:00:00Z", "2026-11-20T10:00:00Z"};
    size_t i;

    for (i = 0; i < 4; i++) {
        fixed_clock(when[i]);
        one(&r, BOUNCE_BOUNCE, "beto@test.example", "5.2.2", "failed", BOUNCE_SOFT, NULL);
        assert_int_equal(apply(env, &r, &st), 0);
        /* The first is older than 30 days by the fourth: only 2, 3, 4 count. */
        reason(env, "beto@test.example", i < 3 ? NULL : "soft-bounce");
    }
    assert_int_equal(st.soft, 4);
    assert_int_equal(st.suppressed, 1);
    counts(env, 1, 1);
}

static void test_delayed_changes_nothing(void **state)
{
    struct env *env = *state;
    struct returns_stats st = {0};
    struct bounce_result r;
    int i;

    for (i = 0; i < 4; i++) {
        one(&r, BOUNCE_BOUNCE, "beto@test.example", "4.4.1", "delayed", BOUNCE_SOFT, NULL);
        assert_int_equal(apply(env, &r, &st), 0);
    }
    assert_int_equal(st.delayed, 4);
    reason(env, "beto@test.example", NULL);
    counts(env, 2, 0);
    assert_int_equal(query_long(env, "SELECT count(*) FROM bounces WHERE action = 'delayed'"), 4);
}

static void test_complaint_redacted(void **state)
{
    struct env *env = *state;
    struct returns_stats st = {0};
    struct bounce_result r;

    one(&r, BOUNCE_COMPLAINT, NULL, NULL, NULL, BOUNCE_CLASS_NONE, "m1.bbbb@votochilango.example");
    assert_int_equal(apply(env, &r, &st), 0);
    assert_int_equal(st.complaints, 1);
    reason(env, "beto@test.example", "complaint");
    counts(env, 2, 0); /* a complaint is no bounce */
    /* Nothing to go on at all: for a person. */
    one(&r, BOUNCE_COMPLAINT, NULL, NULL, NULL, BOUNCE_CLASS_NONE, NULL);
    assert_int_equal(apply(env, &r, &st), 1);
    assert_int_equal(st.review, 1);
}

static void test_unsubscribe_and_others(void **state)
{
    struct env *env = *state;
    struct returns_stats st = {0};
    struct bounce_result r;

    one(&r, BOUNCE_UNSUBSCRIBE, "Ana@Test.Example", NULL, NULL, BOUNCE_CLASS_NONE, NULL);
    assert_int_equal(apply(env, &r, &st), 0);
    reason(env, "ana@test.example", "unsubscribe");
    assert_int_equal(
        query_long(env, "SELECT count(*) FROM bounces WHERE kind = 'unsubscribe' AND delivery_id"
                        " IS NOT NULL"),
        1);
    /* An earlier reason stays: a later hard bounce does not relabel it. */
    one(&r, BOUNCE_BOUNCE, "ana@test.example", "5.1.1", "failed", BOUNCE_HARD, NULL);
    assert_int_equal(apply(env, &r, &st), 0);
    reason(env, "ana@test.example", "unsubscribe");
    one(&r, BOUNCE_AUTOREPLY, NULL, NULL, NULL, BOUNCE_CLASS_NONE, NULL);
    assert_int_equal(apply(env, &r, &st), 0);
    one(&r, BOUNCE_OTHER, NULL, NULL, NULL, BOUNCE_CLASS_NONE, NULL);
    assert_int_equal(apply(env, &r, &st), 1);
    one(&r, BOUNCE_BOUNCE, NULL, NULL, NULL, BOUNCE_CLASS_NONE, NULL); /* no recipient */
    assert_int_equal(apply(env, &r, &st), 1);
    assert_int_equal(st.autoreplies, 1);
    assert_int_equal(st.review, 2);
    assert_int_equal(st.seen, 5);
}

static void test_unsubscribe_from_another_address(void **state)
{
    struct env *env = *state;
    struct returns_stats st = {0};
    struct bounce_result r;

    /* Beto answers our message (In-Reply-To) from his work address. */
    one(&r, BOUNCE_UNSUBSCRIBE, "beto@trabajo.example", NULL, NULL, BOUNCE_CLASS_NONE,
        "m1.bbbb@votochilango.example");
    assert_int_equal(apply(env, &r, &st), 0);
    reason(env, "beto@test.example", "unsubscribe");
    reason(env, "beto@trabajo.example", "unsubscribe");
    assert_int_equal(st.suppressed, 2);
    assert_int_equal(st.unsubscribes, 1);
    reason(env, "ana@test.example", NULL);
}

static void test_unmatched_bounce(void **state)
{
    struct env *env = *state;
    struct returns_stats st = {0};
    struct bounce_result r;

    one(&r, BOUNCE_BOUNCE, "stranger@else.example", "5.1.1", "failed", BOUNCE_HARD, NULL);
    assert_int_equal(apply(env, &r, &st), 0);
    assert_int_equal(st.matched, 0);
    reason(env, "stranger@else.example", "hard-bounce");
    counts(env, 2, 0);
}

static void test_imap_state(void **state)
{
    struct env *env = *state;
    unsigned long v, u;
    struct err e;

    err_init(&e);
    assert_int_equal(ledger_imap_state(env->l, "u@h:993/INBOX", &v, &u, &e), 1);
    assert_int_equal(ledger_imap_state_set(env->l, "u@h:993/INBOX", 4000000000UL, 17, &e), 0);
    assert_int_equal(ledger_imap_state_set(env->l, "u@h:993/INBOX", 4000000000UL, 18, &e), 0);
    assert_int_equal(ledger_imap_state(env->l, "u@h:993/INBOX", &v, &u, &e), 0);
    assert_int_equal(v, 4000000000UL);
    assert_int_equal(u, 18);
    err_release(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hard_by_message_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_soft_three_in_30_days, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delayed_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complaint_redacted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsubscribe_and_others, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsubscribe_from_another_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmatched_bounce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_imap_state, setup, teardown),
    };
    int rc;

    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof(path), "%s/mailer.db", dir);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    scratch_unlink_db(path);
    rmdir(dir);
    return rc;
}
