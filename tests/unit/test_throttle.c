/* test_throttle - a steady rate (no burst at the start of a minute, none
 * after an idle stretch) with a test clock; presets (resolved by the
 * sender); the rolling daily cap counted from the ledger. */
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
#include "config.h"
#include "ledger.h"
#include "sender.h"
#include "throttle.h"

#include "scratch.h"

#include "banned.h"

static double fake_now;
static double fake_clock(void)
{
    return fake_now;
}

static char dir[] = "/tmp/test_throttle.XXXXXX";

static struct ledger *fresh(const char *name)
{
    char path[300];
    struct err e;
    struct ledger *l;

    snprintf(path, sizeof(path), "%s/%s.db", dir, name);
    err_init(&e);
    l = ledger_open(path, &e);
    assert_non_null(l);
    err_release(&e);
    return l;
}

/* A sender from these settings, as the command line resolves it. */
static void load(struct sender *s, const char *rate, const char *daily, const char *preset)
{
    struct config c;
    struct err e;

    err_init(&e);
    unsetenv("SMTP_RATE");
    unsetenv("SMTP_DAILY_LIMIT");
    unsetenv("SMTP_PRESET");
    assert_int_equal(config_load(&c, "/dev/null", &e), 0);
    assert_int_equal(config_set(&c, CFG_SMTP_RATE, rate, "flag", &e), 0);
    assert_int_equal(config_set(&c, CFG_SMTP_DAILY_LIMIT, daily, "flag", &e), 0);
    assert_int_equal(config_set(&c, CFG_SMTP_PRESET, preset, "flag", &e), 0);
    assert_int_equal(sender_from_config(s, &c, &e), 0);
    config_release(&c);
    err_release(&e);
}

/* The same, for the sender called name. */
static void load_as(struct sender *s, const char *name, const char *rate, const char *daily,
                    const char *preset)
{
    load(s, rate, daily, preset);
    free(s->name);
    s->name = strdup(name);
}

/* A mailing of sender (NULL: the default) to count addresses
 * PREFIXi@example.org, the i-th of them sent at at[i]. */
static void sent_at(struct ledger *l, const char *campaign, const char *edition, const char *sender,
                    const char *prefix, const time_t *at, size_t count, time_t now)
{
    struct mailing m = {0};
    struct delivery d[8];
    struct err e;
    char addr[64];
    size_t n, i;

    err_init(&e);
    m.campaign = (char *)campaign; /* read only */
    m.edition = (char *)edition;
    m.sender = (char *)sender;
    assert_int_equal(ledger_mailing_create(l, &m, &e), 0);
    for (i = 0; i < count; i++) {
        snprintf(addr, sizeof(addr), "%s%zu@example.org", prefix, i);
        ledger_delivery_add(l, m.id, addr, "", "", "{}", addr, &e);
    }
    assert_int_equal(ledger_deliveries_due(l, m.id, now, 0, 0, d, count, &n, &e), 0);
    for (i = 0; i < n; i++) {
        ledger_delivery_result(l, d[i].id, DELIVERY_SENT, 250, "", "", 0, at[i], &e);
        delivery_release(&d[i]);
    }
    err_release(&e);
}

/* Send as fast as the throttle allows for `seconds` of fake time; return
 * how many went and the largest number in any 1-second window. */
static int drive(struct throttle *t, double seconds, int *max_per_second)
{
    double times[100000];
    int n = 0, i, j;

    t->now = fake_clock;
    t->next = fake_now;
    while (fake_now < seconds && n < 100000) {
        double d = throttle_delay(t);
        if (d > 0) {
            fake_now += d;
            continue;
        }
        times[n++] = fake_now;
        throttle_take(t);
    }
    *max_per_second = 0;
    for (i = 0; i < n; i++) {
        for (j = i; j < n && times[j] < times[i] + 1.0; j++)
            ;
        if (j - i > *max_per_second)
            *max_per_second = j - i;
    }
    return n;
}

static void test_steady_rate(void **state)
{
    struct ledger *l = fresh("rate");
    struct throttle t;
    struct sender s;
    struct err e;
    int n, burst;

    (void)state;
    err_init(&e);
    load(&s, "30/min", "0", "");
    assert_int_equal(throttle_init(&t, &s, l, &e), 0);
    fake_now = 0;
    n = drive(&t, 600.0, &burst); /* ten minutes */
    assert_in_range(n, 299, 301);
    assert_int_equal(burst, 1); /* one message every 2 s, never two in a second */
    /* an idle stretch does not turn into a burst */
    fake_now += 300;
    t.next = t.next; /* the throttle remembers only when the next may go */
    assert_true(throttle_delay(&t) == 0);
    throttle_take(&t);
    assert_true(throttle_delay(&t) > 1.99);
    sender_release(&s);
    ledger_close(l);
    err_release(&e);
}

static void test_presets(void **state)
{
    struct ledger *l = fresh("preset");
    struct throttle t;
    struct sender s;
    struct err e;

    (void)state;
    err_init(&e);
    load(&s, "", "0", "m365");
    assert_int_equal(throttle_init(&t, &s, l, &e), 0);
    assert_true(t.interval > 1.99 && t.interval < 2.01);
    assert_int_equal(t.daily_limit, 10000);
    sender_release(&s);
    /* explicit settings win over the preset */
    load(&s, "2/s", "500", "m365");
    assert_int_equal(throttle_init(&t, &s, l, &e), 0);
    assert_true(t.interval > 0.49 && t.interval < 0.51);
    assert_int_equal(t.daily_limit, 500);
    sender_release(&s);
    load(&s, "", "0", "");
    assert_int_equal(throttle_init(&t, &s, l, &e), 0);
    assert_true(t.interval == 0);
    assert_int_equal(t.daily_limit, 0);
    sender_release(&s);
    ledger_close(l);
    err_release(&e);
}

/* The daily cap is a rolling 24 h shared by every run, from the ledger. */
static void test_daily_from_ledger(void **state)
{
    struct ledger *l = fresh("daily");
    struct throttle t;
    struct sender s;
    struct err e;
    time_t now = 1800000000;
    /* one a day and a half ago, four within the last hour */
    const time_t at[] = {now - 129600, now - 3600 + 1, now - 3600 + 2, now - 3600 + 3,
                         now - 3600 + 4};

    (void)state;
    err_init(&e);
    sent_at(l, "c", "e", NULL, "p", at, 5, now);
    clock_fix(&now);
    load(&s, "", "5", "");
    assert_int_equal(throttle_init(&t, &s, l, &e), 0);
    assert_int_equal(t.sent_24h, 4);
    assert_false(throttle_daily_reached(&t));
    throttle_take(&t);
    assert_true(throttle_daily_reached(&t));
    sender_release(&s);
    /* with a cap of 4 it is reached at start; the budget frees up 24 h after
     * the oldest of the last four */
    load(&s, "", "4", "");
    assert_int_equal(throttle_init(&t, &s, l, &e), 0);
    assert_true(throttle_daily_reached(&t));
    assert_int_equal(throttle_daily_resume(&t, l, &e), now - 3600 + 1 + 86400);
    clock_fix(NULL);
    sender_release(&s);
    ledger_close(l);
    err_release(&e);
}

/* Limits belong to the mailbox: another sender's messages count for that
 * sender only, and a run goes on from its own sender's last message, not
 * from another's. */
static void test_per_sender(void **state)
{
    struct ledger *l = fresh("senders");
    struct throttle t;
    struct sender s;
    struct err e;
    time_t now = 1800000000;
    const time_t at[] = {now - 2, now - 1, now}; /* red's, the last one this very second */

    (void)state;
    err_init(&e);
    sent_at(l, "red-boletin", "main", "red", "r", at, 3, now);
    clock_fix(&now);
    /* the default sender: a cap of 3 not reached, no wait */
    load(&s, "30/min", "3", "");
    assert_int_equal(throttle_init(&t, &s, l, &e), 0);
    assert_int_equal(t.sent_24h, 0);
    assert_false(throttle_daily_reached(&t));
    assert_true(throttle_delay(&t) == 0);
    sender_release(&s);
    /* red: its three reach the cap; its rate goes on from its last message
     * (this very second): the next may go 2 s after the end of it */
    load_as(&s, "red", "30/min", "3", "");
    assert_int_equal(throttle_init(&t, &s, l, &e), 0);
    assert_int_equal(t.sent_24h, 3);
    assert_true(throttle_daily_reached(&t));
    assert_true(throttle_delay(&t) > 2.9 && throttle_delay(&t) <= 3.0);
    sender_release(&s);
    /* a sub-second interval is not carried over */
    load_as(&s, "red", "2/s", "0", "");
    assert_int_equal(throttle_init(&t, &s, l, &e), 0);
    assert_true(throttle_delay(&t) == 0);
    sender_release(&s);
    clock_fix(NULL);
    ledger_close(l);
    err_release(&e);
}

static int setup(void **state)
{
    (void)state;
    return scratch_make(dir);
}

static int teardown(void **state)
{
    (void)state;
    return scratch_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steady_rate),
        cmocka_unit_test(test_presets),
        cmocka_unit_test(test_daily_from_ledger),
        cmocka_unit_test(test_per_sender),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
