/* test_handoff - the hand-off journal on a real ledger file: after a stop,
 * deliveries marked `sending` and never started go back to `pending`; those
 * started, re-sent uncertain ones, other mailings' and ones already with an
 * outcome are left alone; a torn last line and a missing journal are fine;
 * lines written by many threads at once stay whole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "handoff.h"
#include "ledger.h"

#include "scratch.h"

#include "banned.h"

static char dir[] = "/tmp/test_handoff.XXXXXX";
static char db[300], journal[300];

static struct ledger *open_fresh(void)
{
    struct err e;
    struct ledger *l;

    scratch_unlink_db(db);
    unlink(journal);
    err_init(&e);
    l = ledger_open(db, &e);
    if (!l)
        fail_msg("%s", e.msg.data);
    err_release(&e);
    return l;
}

static int64_t new_mailing(struct ledger *l, const char *campaign, int64_t *ids, int n)
{
    struct mailing m = {0};
    struct err e;
    char addr[64];

    err_init(&e);
    m.campaign = (char *)campaign;
    m.edition = "main";
    m.kind = "bulletin";
    m.subject = "Aviso";
    m.report_title = "Aviso";
    m.lists = "l";
    assert_int_equal(ledger_mailing_create(l, &m, &e), 0);
    for (int i = 0; i < n; i++) {
        snprintf(addr, sizeof(addr), "%s%d@example.org", campaign, i);
        assert_int_equal(ledger_delivery_add(l, m.id, addr, "l", "", "{}", addr, &e), 0);
    }
    err_release(&e);
    /* ids in insertion order */
    {
        struct delivery ds[16];
        size_t got = 0;
        assert_true(n <= 16);
        err_init(&e);
        assert_int_equal(ledger_deliveries_due(l, m.id, 0, 0, 0, ds, 16, &got, &e), 0);
        assert_int_equal((int)got, n);
        for (size_t i = 0; i < got; i++) {
            ids[i] = ds[i].id;
            delivery_release(&ds[i]);
        }
        err_release(&e);
    }
    return m.id;
}

static const char *state_of(struct ledger *l, int64_t mailing, int64_t id, int *attempts)
{
    static char state[32];
    struct delivery ds[16];
    size_t got = 0;
    struct err e;

    err_init(&e);
    /* every state, uncertain included */
    assert_int_equal(ledger_deliveries_due(l, mailing, 4102444800, 0, 1, ds, 16, &got, &e), 0);
    snprintf(state, sizeof(state), "(not due)");
    for (size_t i = 0; i < got; i++) {
        if (ds[i].id == id) {
            snprintf(state, sizeof(state), "%s", ledger_delivery_state_name(ds[i].state));
            if (attempts)
                *attempts = ds[i].attempts;
        }
        delivery_release(&ds[i]);
    }
    err_release(&e);
    return state;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_recover(void **state)
{
    struct ledger *l = open_fresh();
    int64_t a[6], b[2];
    int64_t ma = new_mailing(l, "a", a, 6), mb = new_mailing(l, "b", b, 2);
    struct err e;
    long restored = -1;
    char text[512];
    int attempts = -1;

    (void)state;
    err_init(&e);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ledger_delivery_sending(l, a[i], 1000, &e), 0);
    assert_int_equal(ledger_delivery_sending(l, b[0], 1000, &e), 0);
    /* a[3] got its outcome before the stop */
    assert_int_equal(
        ledger_delivery_result(l, a[3], DELIVERY_SENT, 250, NULL, "250 ok", 0, 1001, &e), 0);
    /* a[0] started; a[1], a[2], a[3] never; a[4] was an uncertain delivery
     * re-sent (no M line); b[0] is another mailing's; the last line torn */
    snprintf(text, sizeof(text),
             "M %lld\nM %lld\nS %lld\nM %lld\nM %lld\nM %lld\nS %lld\nM %lld\nM 99",
             (long long)a[0], (long long)a[1], (long long)a[0], (long long)a[2], (long long)a[3],
             (long long)b[0], (long long)a[4], (long long)a[5]);
    write_file(journal, text);
    assert_int_equal(handoff_recover(journal, l, ma, &restored, &e), 0);
    assert_int_equal(restored, 2);
    assert_string_equal(state_of(l, ma, a[0], NULL), "sending");
    assert_string_equal(state_of(l, ma, a[1], &attempts), "pending");
    assert_int_equal(attempts, 0);
    assert_string_equal(state_of(l, ma, a[2], NULL), "pending");
    assert_string_equal(state_of(l, ma, a[3], NULL), "(not due)"); /* sent */
    assert_string_equal(state_of(l, ma, a[4], NULL), "sending");
    assert_string_equal(state_of(l, ma, a[5], NULL), "pending"); /* was never marked */
    assert_string_equal(state_of(l, mb, b[0], NULL), "sending");
    assert_int_equal(access(journal, F_OK), -1); /* removed */
    /* no journal: nothing to do */
    assert_int_equal(handoff_recover(journal, l, ma, &restored, &e), 0);
    assert_int_equal(restored, 0);
    /* only M lines (killed before any connection started): all go back */
    assert_int_equal(ledger_delivery_sending(l, b[1], 1000, &e), 0);
    snprintf(text, sizeof(text), "M %lld\nM %lld\n", (long long)b[0], (long long)b[1]);
    write_file(journal, text);
    assert_int_equal(handoff_recover(journal, l, mb, &restored, &e), 0);
    assert_int_equal(restored, 2);
    assert_string_equal(state_of(l, mb, b[0], NULL), "pending");
    assert_string_equal(state_of(l, mb, b[1], NULL), "pending");
    err_release(&e);
    ledger_close(l);
}

struct writer {
    struct handoff *h;
    int64_t base;
};

static void *write_many(void *arg)
{
    struct writer *w = arg;

    for (int64_t i = 0; i < 2000; i++)
        handoff_started(w->h, w->base + i);
    return NULL;
}

/* Eight threads write S lines while the main thread writes M lines: every
 * line arrives whole. */
static void test_threads(void **state)
{
    struct handoff h = {-1, NULL};
    struct writer w[8];
    pthread_t th[8];
    struct err e;
    int64_t ids[100];
    char line[64];
    long lines = 0, bad = 0;
    FILE *f;

    (void)state;
    err_init(&e);
    unlink(journal);
    assert_int_equal(handoff_open(&h, journal, &e), 0);
    for (int i = 0; i < 8; i++) {
        w[i].h = &h;
        w[i].base = 1000000 * (i + 1);
        assert_int_equal(pthread_create(&th[i], NULL, write_many, &w[i]), 0);
    }
    for (int i = 0; i < 100; i++)
        ids[i] = 7000000000LL + i;
    for (int r = 0; r < 50; r++)
        handoff_marked(&h, ids, 100);
    for (int i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    handoff_close(&h);
    f = fopen(journal, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        lines++;
        if (!((line[0] == 'M' && !strncmp(line + 2, "70000000", 8)) ||
              (line[0] == 'S' && line[2] >= '1' && line[2] <= '8')) ||
            line[1] != ' ' || !strchr(line, '\n'))
            bad++;
    }
    fclose(f);
    assert_int_equal(lines, 8 * 2000 + 50 * 100);
    assert_int_equal(bad, 0);
    /* handoff_open starts a fresh journal */
    assert_int_equal(handoff_open(&h, journal, &e), 0);
    handoff_close(&h);
    {
        struct stat st;
        assert_int_equal(stat(journal, &st), 0);
        assert_int_equal((int)st.st_size, 0);
    }
    err_release(&e);
}

static int setup(void **state)
{
    (void)state;
    if (scratch_make(dir))
        return -1;
    snprintf(db, sizeof(db), "%s/mailer.db", dir);
    snprintf(journal, sizeof(journal), "%s/a@main.handoff", dir);
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
        cmocka_unit_test(test_recover),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
