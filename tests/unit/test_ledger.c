/* test_ledger - the SQLite ledger on a real file: schema, states, counts,
 * suppressions, the report query. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "ledger.h"

#include "scratch.h"

#include "banned.h"

static char dir[] = "/tmp/test_ledger.XXXXXX";
static char path[300];

static struct ledger *open_fresh(void)
{
    struct err e;
    struct ledger *l;

    scratch_unlink_db(path);
    err_init(&e);
    l = ledger_open(path, &e);
    if (!l)
        fail_msg("%s", e.msg.data);
    err_release(&e);
    return l;
}

static int64_t new_mailing(struct ledger *l, const char *campaign, const char *edition, int test)
{
    struct mailing m = {0};
    struct err e;

    err_init(&e);
    m.campaign = (char *)campaign;
    m.edition = (char *)edition;
    m.kind = "bulletin";
    m.subject = "Corazón Chilango · noviembre de 2026";
    m.report_title = "Boletín informativo noviembre 2026";
    m.lists = "diaspora";
    m.test = test;
    assert_int_equal(ledger_mailing_create(l, &m, &e), 0);
    err_release(&e);
    return m.id;
}

static void test_schema(void **state)
{
    struct ledger *l = open_fresh();
    struct err e;

    (void)state;
    assert_true(ledger_schema_version(l) >= 6); /* migrations are appended */
    err_init(&e);
    /* a ledger from a newer mailer is refused, not damaged */
    assert_int_equal(ledger_exec(l, "INSERT INTO schema_version VALUES (99)", &e), 0);
    ledger_close(l);
    l = ledger_open(path, &e);
    assert_null(l);
    assert_non_null(strstr(e.msg.data, "newer than this mailer"));
    err_release(&e);
}

/* The instance id: 16 hex digits, the same at every open of one ledger,
 * different in another ledger and in a backup. */
static void test_instance_id(void **state)
{
    struct ledger *l = open_fresh(), *other;
    char id[17], other_path[320], backup[320];
    struct err e;

    (void)state;
    err_init(&e);
    assert_int_equal(strlen(ledger_instance_id(l)), 16);
    assert_int_equal(strspn(ledger_instance_id(l), "0123456789abcdef"), 16);
    snprintf(id, sizeof(id), "%s", ledger_instance_id(l));
    ledger_close(l);
    l = ledger_open(path, &e);
    assert_non_null(l);
    assert_string_equal(ledger_instance_id(l), id);

    snprintf(other_path, sizeof(other_path), "%s.other", path);
    scratch_unlink_db(other_path);
    other = ledger_open(other_path, &e);
    assert_non_null(other);
    assert_string_not_equal(ledger_instance_id(other), id);
    ledger_close(other);
    scratch_unlink_db(other_path);

    snprintf(backup, sizeof(backup), "%s.backup", path);
    scratch_unlink_db(backup);
    assert_int_equal(ledger_backup(l, backup, &e), 0);
    assert_int_equal(ledger_backup(l, backup, &e), -1); /* never over a file */
    assert_int_equal(e.kind, ERR_USAGE);
    err_clear(&e);
    other = ledger_open(backup, &e);
    assert_non_null(other);
    assert_int_equal(ledger_schema_version(other), ledger_schema_version(l));
    assert_string_not_equal(ledger_instance_id(other), id);
    ledger_close(other);
    scratch_unlink_db(backup);
    ledger_close(l);
    err_release(&e);
}

/* An empty file or an SQLite file of something else is refused, not taken
 * for a new ledger (which would send everything again), and left as it was. */
static void test_refuses_empty_and_foreign(void **state)
{
    struct ledger *l;
    struct err e;
    FILE *f;
    long size;

    (void)state;
    err_init(&e);
    scratch_unlink_db(path);
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    l = ledger_open(path, &e);
    assert_null(l);
    assert_int_equal(e.kind, ERR_DATA);
    assert_non_null(strstr(e.msg.data, path));
    assert_non_null(strstr(e.msg.data, "empty"));
    f = fopen(path, "r");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fclose(f);
    assert_int_equal(size, 0);
    err_clear(&e);

    f = fopen(path, "w");
    assert_non_null(f);
    fputs("nombre,email\nAna,ana@example.org\n", f);
    fclose(f);
    l = ledger_open(path, &e);
    assert_null(l);
    assert_int_equal(e.kind, ERR_DATA);
    assert_non_null(strstr(e.msg.data, "not a ledger"));
    err_clear(&e);
    scratch_unlink_db(path);
    err_release(&e);
}

static void test_mailing_and_deliveries(void **state)
{
    struct ledger *l = open_fresh();
    struct delivery d[8];
    struct delivery_counts c;
    struct mailing m;
    struct err e;
    size_t n, i;
    int64_t id;
    time_t now = 1800000000;

    (void)state;
    err_init(&e);
    id = new_mailing(l, "corazon-chilango", "2026-11", 0);
    assert_int_equal(ledger_mailing_find(l, "corazon-chilango", "2026-11", &m, &e), 0);
    assert_int_equal(m.id, id);
    assert_string_equal(m.subject, "Corazón Chilango · noviembre de 2026");
    assert_int_equal(m.state, MAILING_NEW);
    assert_string_equal(ledger_mailing_state_name(m.state), "new");
    mailing_release(&m);
    assert_int_equal(ledger_mailing_find(l, "corazon-chilango", "2026-12", &m, &e), 1);

    assert_int_equal(
        ledger_delivery_add(l, id, "ana@example.org", "diaspora", "Ana", "{}", "m1", &e), 0);
    assert_int_equal(
        ledger_delivery_add(l, id, "beto@example.org", "diaspora", "Beto", "{}", "m2", &e), 0);
    assert_int_equal(
        ledger_delivery_add(l, id, "caro@example.org", "diaspora", "Caro", "{}", "m3", &e), 0);
    assert_int_equal(
        ledger_delivery_add(l, id, "dani@example.org", "diaspora", "Dani", "{}", "m4", &e), 0);
    /* the same address twice in one mailing is ignored */
    assert_int_equal(
        ledger_delivery_add(l, id, "ana@example.org", "diaspora", "Ana", "{}", "m1", &e), 1);

    assert_int_equal(ledger_deliveries_due(l, id, now, 0, 0, d, 8, &n, &e), 0);
    assert_int_equal(n, 4);
    assert_string_equal(d[0].address, "ana@example.org");
    assert_int_equal(d[0].state, DELIVERY_PENDING);
    assert_string_equal(ledger_delivery_state_name(d[0].state), "pending");
    /* ana sent, beto deferred for an hour, caro failed, dani left sending (a crash) */
    assert_int_equal(ledger_delivery_sending(l, d[0].id, now, &e), 0);
    assert_int_equal(ledger_delivery_result(l, d[0].id, DELIVERY_SENT, 250, "2.0.0",
                                            "250 2.0.0 Ok: queued as ABC", 0, now, &e),
                     0);
    assert_int_equal(ledger_delivery_sending(l, d[1].id, now, &e), 0);
    assert_int_equal(ledger_delivery_result(l, d[1].id, DELIVERY_DEFERRED, 451, "4.3.0",
                                            "451 4.3.0 busy", now + 3600, now, &e),
                     0);
    assert_int_equal(ledger_delivery_sending(l, d[2].id, now, &e), 0);
    assert_int_equal(ledger_delivery_result(l, d[2].id, DELIVERY_FAILED, 550, "5.1.1",
                                            "550 5.1.1 no such user", 0, now, &e),
                     0);
    assert_int_equal(ledger_delivery_sending(l, d[3].id, now, &e), 0);
    for (i = 0; i < n; i++)
        delivery_release(&d[i]);

    /* nothing is due now: beto's time has not come, dani is uncertain */
    assert_int_equal(ledger_deliveries_due(l, id, now, 0, 0, d, 8, &n, &e), 0);
    assert_int_equal(n, 0);
    /* with --resend-uncertain, dani comes back, with the same Message-ID */
    assert_int_equal(ledger_deliveries_due(l, id, now, 0, 1, d, 8, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].address, "dani@example.org");
    assert_string_equal(d[0].message_id, "m4");
    assert_int_equal(d[0].attempts, 1);
    delivery_release(&d[0]);
    /* an hour later beto is due again */
    assert_int_equal(ledger_deliveries_due(l, id, now + 3600, 0, 0, d, 8, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].address, "beto@example.org");
    assert_int_equal(d[0].first_attempt_at, now);
    delivery_release(&d[0]);

    assert_int_equal(ledger_mailing_counts(l, id, &c, &e), 0);
    assert_int_equal(c.total, 4);
    assert_int_equal(c.sent, 1);
    assert_int_equal(c.deferred, 1);
    assert_int_equal(c.failed, 1);
    assert_int_equal(c.sending, 1);
    assert_int_equal(c.pending, 0);
    assert_int_equal(c.next_deferred, now + 3600);
    ledger_close(l);

    /* everything was committed: a new connection sees it */
    l = ledger_open(path, &e);
    assert_non_null(l);
    assert_int_equal(ledger_mailing_counts(l, id, &c, &e), 0);
    assert_int_equal(c.sent, 1);
    assert_int_equal(c.sending, 1);
    ledger_close(l);
    err_release(&e);
}

static void test_suppressions(void **state)
{
    struct ledger *l = open_fresh();
    char reason[64];
    struct err e;

    (void)state;
    err_init(&e);
    assert_int_equal(ledger_suppressed(l, "ana@example.org", reason, sizeof(reason), &e), 0);
    assert_int_equal(ledger_suppress_add(l, "Ana@Example.org", "unsubscribe", "imap:17", &e), 0);
    assert_int_equal(ledger_suppressed(l, "ana@example.org", reason, sizeof(reason), &e), 1);
    assert_string_equal(reason, "unsubscribe");
    assert_int_equal(ledger_suppressed(l, "ANA@EXAMPLE.ORG", reason, sizeof(reason), &e), 1);
    assert_int_equal(ledger_suppress_add(l, "ana@example.org", "hard-bounce", "imap:18", &e), 0);
    assert_int_equal(ledger_suppressed(l, "ana@example.org", reason, sizeof(reason), &e), 1);
    assert_string_equal(reason, "hard-bounce");
    assert_int_equal(ledger_suppress_remove(l, "ANA@example.org", &e), 0);
    assert_int_equal(ledger_suppress_remove(l, "ana@example.org", &e), 1);
    assert_int_equal(ledger_suppressed(l, "ana@example.org", reason, sizeof(reason), &e), 0);
    ledger_close(l);
    err_release(&e);
}

/* SQL metacharacters in data are data. */
static void test_hostile_text(void **state)
{
    struct ledger *l = open_fresh();
    struct delivery d[2];
    struct err e;
    size_t n;
    int64_t id;

    (void)state;
    err_init(&e);
    id = new_mailing(l, "x'); DROP TABLE deliveries; --", "2026-11", 0);
    assert_int_equal(ledger_delivery_add(l, id, "o'brien@example.org", "l",
                                         "Robert'); DROP TABLE mailings;--", "{\"a\":\"'\"}", "m",
                                         &e),
                     0);
    assert_int_equal(ledger_deliveries_due(l, id, 2000000000, 0, 0, d, 2, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(d[0].name, "Robert'); DROP TABLE mailings;--");
    delivery_release(&d[0]);
    ledger_close(l);
    err_release(&e);
}

struct seen {
    int n;
    char titles[4][128];
    long delivered[4], recipients[4];
};

static int on_row(void *ud, const struct report_row *r)
{
    struct seen *s = ud;

    snprintf(s->titles[s->n], sizeof(s->titles[0]), "%s", r->report_title);
    s->delivered[s->n] = r->delivered;
    s->recipients[s->n] = r->recipients;
    s->n++;
    return 0;
}

static void deliver(struct ledger *l, int64_t id, const char *addr, enum delivery_state state,
                    time_t at)
{
    struct delivery d[64];
    struct err e;
    size_t n, i;

    err_init(&e);
    assert_int_equal(ledger_delivery_add(l, id, addr, "diaspora", "", "{}", addr, &e), 0);
    assert_int_equal(ledger_deliveries_due(l, id, at, 0, 0, d, 64, &n, &e), 0);
    for (i = 0; i < n; i++) {
        if (!strcmp(d[i].address, addr)) {
            ledger_delivery_sending(l, d[i].id, at, &e);
            ledger_delivery_result(l, d[i].id, state, 250, "", "", 0, at, &e);
        }
        delivery_release(&d[i]);
    }
    err_release(&e);
}

static void test_report_rows(void **state)
{
    struct ledger *l = open_fresh();
    struct seen s = {0};
    struct err e;
    time_t q1 = 1704088800; /* 2024-01-01 00:00 Mexico City (06:00Z) */
    time_t q2 = 1711951200; /* 2024-04-01 00:00 Mexico City */
    int64_t a, b, t;

    (void)state;
    err_init(&e);
    a = new_mailing(l, "corazon-chilango", "2024-01", 0);
    deliver(l, a, "ana@example.org", DELIVERY_SENT, q1 + 86400);
    deliver(l, a, "beto@example.org", DELIVERY_FAILED, q1 + 86400);
    deliver(l, a, "caro@example.org", DELIVERY_SENT, q1 + 86400 + 60);
    /* 23:30 in Mexico City on 31 March is 05:30Z on 1 April: still Q1 */
    b = new_mailing(l, "podcast", "2024-03", 0);
    deliver(l, b, "ana@example.org", DELIVERY_SENT, q2 - 1800);
    /* a test send never counts */
    t = new_mailing(l, "podcast", "2024-03+prueba", 1);
    deliver(l, t, "yo@example.org", DELIVERY_SENT, q1 + 7200);
    assert_int_equal(ledger_report(l, q1, q2, on_row, &s, &e), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.recipients[0], 3);
    assert_int_equal(s.delivered[0], 2);
    assert_int_equal(s.delivered[1], 1);
    ledger_close(l);
    err_release(&e);
}

/* The daily limit is counted per sender (migration 11): another sender's
 * messages, even newer ones, count for that sender only. */
static void test_sent_since(void **state)
{
    struct ledger *l = open_fresh();
    struct mailing m = {0}, found = {0};
    struct err e;
    time_t now = 1800000000, at;
    long n;
    int64_t id;

    (void)state;
    err_init(&e);
    id = new_mailing(l, "c", "e", 0);
    deliver(l, id, "a@example.org", DELIVERY_SENT, now - 90000); /* more than a day ago */
    deliver(l, id, "b@example.org", DELIVERY_SENT, now - 3600);
    deliver(l, id, "c@example.org", DELIVERY_SENT, now - 60);
    m.campaign = "red-boletin";
    m.edition = "main";
    m.sender = "red";
    assert_int_equal(ledger_mailing_create(l, &m, &e), 0);
    deliver(l, m.id, "d@example.org", DELIVERY_SENT, now - 30);
    deliver(l, m.id, "e@example.org", DELIVERY_SENT, now - 20);
    deliver(l, m.id, "f@example.org", DELIVERY_SENT, now - 10);
    assert_int_equal(ledger_sent_since(l, "default", now - 86400, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ledger_sent_since(l, "red", now - 86400, &n, &e), 0);
    assert_int_equal(n, 3);
    assert_int_equal(ledger_sent_since(l, "otro", now - 86400, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_int_equal(ledger_nth_latest_sent(l, "default", 2, &at, &e), 0);
    assert_int_equal(at, now - 3600);
    assert_int_equal(ledger_nth_latest_sent(l, "default", 1, &at, &e), 0);
    assert_int_equal(at, now - 60); /* its latest, not red's */
    assert_int_equal(ledger_nth_latest_sent(l, "red", 3, &at, &e), 0);
    assert_int_equal(at, now - 30);
    /* a mailing says which sender it left from; an earlier one, the default */
    assert_int_equal(ledger_mailing_find(l, "red-boletin", "main", &found, &e), 0);
    assert_string_equal(found.sender, "red");
    mailing_release(&found);
    assert_int_equal(ledger_mailing_find(l, "c", "e", &found, &e), 0);
    assert_string_equal(found.sender, "default");
    mailing_release(&found);
    ledger_close(l);
    err_release(&e);
}

/* The set of addresses seen while freezing an audience: first wins, and it
 * says where the first was. */
static void test_seen_set(void **state)
{
    struct ledger *l = open_fresh();
    uint32_t fl = 0, fline = 0;
    struct err e;

    (void)state;
    err_init(&e);
    assert_int_equal(ledger_seen_add(l, "ana@example.org", 0, 2, &fl, &fline, &e), 0);
    assert_int_equal(ledger_seen_add(l, "beto@example.org", 0, 3, &fl, &fline, &e), 0);
    assert_int_equal(ledger_seen_add(l, "ana@example.org", 1, 9, &fl, &fline, &e), 1);
    assert_int_equal(fl, 0);
    assert_int_equal(fline, 2);
    assert_int_equal(ledger_seen_clear(l, &e), 0);
    assert_int_equal(ledger_seen_add(l, "ana@example.org", 1, 9, &fl, &fline, &e), 0);
    ledger_close(l);
    err_release(&e);
}

static int setup(void **state)
{
    (void)state;
    if (scratch_make(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/sub/mailer.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return scratch_remove(dir);
}

/* Every state is written by its name and read back as itself: the names
 * stored stay those of the one table ("pending" ... "bounced", "new" ...
 * "complete"); a name the table does not know is a data error, never taken
 * for some state. */
struct seen_states {
    enum delivery_state got[8];
    size_t n;
};

static int collect_state(void *ud, const struct delivery *d)
{
    struct seen_states *s = ud;

    s->got[s->n++] = d->state;
    return 0;
}

static void test_states_round_trip(void **state)
{
    static const struct {
        enum delivery_state state;
        const char *name;
    } deliveries[] = {{DELIVERY_PENDING, "pending"}, {DELIVERY_SENDING, "sending"},
                      {DELIVERY_SENT, "sent"},       {DELIVERY_DEFERRED, "deferred"},
                      {DELIVERY_FAILED, "failed"},   {DELIVERY_BOUNCED, "bounced"}};
    static const struct {
        enum mailing_state state;
        const char *name;
    } mailings[] = {
        {MAILING_NEW, "new"}, {MAILING_SENDING, "sending"}, {MAILING_COMPLETE, "complete"}};
    struct ledger *l = open_fresh();
    struct seen_states seen = {{0}, 0};
    struct delivery d[8];
    struct mailing m;
    struct err e;
    size_t i, n;
    int64_t id = new_mailing(l, "corazon-chilango", "2026-11", 0);
    char addr[64];

    (void)state;
    err_init(&e);
    for (i = 0; i < 6; i++) {
        snprintf(addr, sizeof(addr), "p%zu@example.org", i);
        assert_int_equal(ledger_delivery_add(l, id, addr, "diaspora", "", "{}", addr, &e), 0);
    }
    assert_int_equal(ledger_deliveries_due(l, id, 1800000000, 0, 0, d, 8, &n, &e), 0);
    assert_int_equal(n, 6);
    for (i = 0; i < n; i++) {
        assert_string_equal(ledger_delivery_state_name(deliveries[i].state), deliveries[i].name);
        assert_int_equal(
            ledger_delivery_result(l, d[i].id, deliveries[i].state, 250, "", "", 0, 1800000000, &e),
            0);
        delivery_release(&d[i]);
    }
    assert_int_equal(ledger_deliveries_each(l, id, collect_state, &seen, &e), 0);
    assert_int_equal(seen.n, 6);
    for (i = 0; i < seen.n; i++)
        assert_int_equal(seen.got[i], deliveries[i].state);
    for (i = 0; i < sizeof(mailings) / sizeof(mailings[0]); i++) {
        assert_string_equal(ledger_mailing_state_name(mailings[i].state), mailings[i].name);
        assert_int_equal(ledger_mailing_set_state(l, id, mailings[i].state, &e), 0);
        assert_int_equal(ledger_mailing_find(l, "corazon-chilango", "2026-11", &m, &e), 0);
        assert_int_equal(m.state, mailings[i].state);
        mailing_release(&m);
    }
    /* a name not in the table */
    assert_int_equal(ledger_exec(l, "UPDATE deliveries SET state = 'lost' WHERE id = 1", &e), 0);
    seen.n = 0;
    assert_int_equal(ledger_deliveries_each(l, id, collect_state, &seen, &e), -1);
    assert_int_equal(e.kind, ERR_DATA);
    assert_non_null(strstr(e.msg.data, "state it does not know, \"lost\""));
    err_clear(&e);
    assert_int_equal(ledger_exec(l, "UPDATE mailings SET state = 'odd'", &e), 0);
    assert_int_equal(ledger_mailing_find(l, "corazon-chilango", "2026-11", &m, &e), -1);
    assert_int_equal(e.kind, ERR_DATA);
    err_release(&e);
    ledger_close(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema),
        cmocka_unit_test(test_mailing_and_deliveries),
        cmocka_unit_test(test_states_round_trip),
        cmocka_unit_test(test_suppressions),
        cmocka_unit_test(test_hostile_text),
        cmocka_unit_test(test_report_rows),
        cmocka_unit_test(test_sent_since),
        cmocka_unit_test(test_seen_set),
        cmocka_unit_test(test_instance_id),
        cmocka_unit_test(test_refuses_empty_and_foreign),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
