/* test_events - the ledger's events (who did what) on a real file: what is
 * recorded, who is named, the filters, and that nothing can change them. */
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
#include "events.h"
#include "ledger.h"

#include "fixed_clock.h"
#include "scratch.h"

#include "banned.h"

static char dir[] = "/tmp/test_events.XXXXXX";
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

struct seen {
    char who[8][64], what[8][32], campaign[8][32], detail[8][64];
    time_t at[8];
    int n;
};

static int collect(void *ud, const struct ledger_event *e)
{
    struct seen *s = ud;

    if (s->n < 8) {
        snprintf(s->who[s->n], sizeof(s->who[0]), "%s", e->who);
        snprintf(s->what[s->n], sizeof(s->what[0]), "%s", e->what);
        snprintf(s->campaign[s->n], sizeof(s->campaign[0]), "%s", e->campaign);
        snprintf(s->detail[s->n], sizeof(s->detail[0]), "%s", e->detail);
        s->at[s->n] = e->at;
    }
    s->n++;
    return 0;
}

static void test_operator(void **state)
{
    (void)state;
    unsetenv("MAILER_OPERATOR");
    events_set_operator(NULL);
    assert_string_equal(events_operator(), events_os_user());
    assert_true(strlen(events_os_user()) > 0);
    assert_true(strlen(events_host()) > 0);
    setenv("MAILER_OPERATOR", "Mesa de control", 1);
    assert_string_equal(events_operator(), "Mesa de control");
    events_set_operator("Ana López"); /* --por wins over the setting */
    assert_string_equal(events_operator(), "Ana López");
    events_set_operator("");
    assert_string_equal(events_operator(), "Mesa de control");
    unsetenv("MAILER_OPERATOR");
    events_set_operator(NULL);
}

static void test_record_and_filter(void **state)
{
    struct ledger *l = open_fresh();
    struct seen s;
    struct err e;

    (void)state;
    err_init(&e);
    fixed_clock("2024-01-08T16:00:00Z");
    events_set_operator("Ana");
    assert_int_equal(events_record(l, "send", "vota-film-fest", "main", "started", &e), 0);
    fixed_clock("2024-02-01T16:00:00Z");
    events_set_operator(NULL);
    assert_int_equal(events_record(l, "suppress", NULL, NULL, "add a@b.org", &e), 0);
    assert_int_equal(events_record(l, "send", "vota-film-fest", "recordatorio", NULL, &e), 0);
    fixed_clock(NULL);

    memset(&s, 0, sizeof(s));
    assert_int_equal(ledger_events_each(l, 0, NULL, NULL, collect, &s, &e), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.who[0], "Ana");
    assert_string_equal(s.who[1], events_os_user());
    assert_string_equal(s.what[1], "suppress");
    assert_string_equal(s.campaign[1], "");
    assert_string_equal(s.detail[1], "add a@b.org");
    assert_int_equal(s.at[0], 1704729600);

    memset(&s, 0, sizeof(s)); /* since */
    assert_int_equal(ledger_events_each(l, 1704729601, NULL, NULL, collect, &s, &e), 0);
    assert_int_equal(s.n, 2);
    memset(&s, 0, sizeof(s)); /* one mailing */
    assert_int_equal(ledger_events_each(l, 0, "vota-film-fest", "main", collect, &s, &e), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.detail[0], "started");
    err_release(&e);
    ledger_close(l);
}

static void test_append_only(void **state)
{
    struct ledger *l = open_fresh();
    struct seen s;
    struct err e;

    (void)state;
    err_init(&e);
    assert_int_equal(events_record(l, "unschedule", NULL, NULL, "x", &e), 0);
    assert_int_equal(ledger_exec(l, "UPDATE events SET who = 'nadie'", &e), -1);
    assert_non_null(strstr(e.msg.data, "append-only"));
    err_release(&e);
    err_init(&e);
    assert_int_equal(ledger_exec(l, "DELETE FROM events", &e), -1);
    assert_non_null(strstr(e.msg.data, "append-only"));
    err_release(&e);
    err_init(&e);
    memset(&s, 0, sizeof(s));
    assert_int_equal(ledger_events_each(l, 0, NULL, NULL, collect, &s, &e), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.who[0], events_operator());
    err_release(&e);
    ledger_close(l);
}

static int setup(void **state)
{
    (void)state;
    if (scratch_make(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/ledger.db", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return scratch_remove(dir) ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operator),
        cmocka_unit_test(test_record_and_filter),
        cmocka_unit_test(test_append_only),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
