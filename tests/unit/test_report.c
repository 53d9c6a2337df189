/* test_report - the quarterly report from a ledger: the office's own
 * January-March 2024 table (../shared/fixtures) comes back row by row;
 * quarter boundaries in Mexico City time; formats. */
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
#include "datefmt.h"
#include "ledger.h"
#include "report.h"
#include "value.h"

#include "banned.h"

static char dir[] = "/tmp/test_report.XXXXXX";

struct row {
    char no[1024], fecha[1024], info[1024];
};

static struct ledger *fresh(const char *name)
{
    char path[300];
    struct err e;
    struct ledger *l;

    snprintf(path, sizeof(path), "%s/%s.db", dir, name);
    err_init(&e);
    l = ledger_open(path, &e);
    if (!l)
        fail_msg("%s", e.msg.data);
    err_release(&e);
    return l;
}

/* A mailing with `n` deliveries accepted at `at` (and one failed). */
static void seed(struct ledger *l, const char *campaign, const char *edition, const char *title,
                 const char *lists, time_t at, int n, int test)
{
    struct mailing m = {0};
    struct delivery d[16];
    struct err e;
    char addr[64];
    size_t got, i;
    int k;

    err_init(&e);
    m.campaign = (char *)campaign;
    m.edition = (char *)edition;
    m.kind = "bulletin";
    m.subject = (char *)title;
    m.report_title = (char *)title;
    m.lists = (char *)lists;
    m.test = test;
    assert_int_equal(ledger_mailing_create(l, &m, &e), 0);
    for (k = 0; k <= n; k++) {
        snprintf(addr, sizeof(addr), "p%d@example.org", k);
        assert_int_equal(ledger_delivery_add(l, m.id, addr, lists, "", "{}", addr, &e), 0);
    }
    assert_int_equal(ledger_deliveries_due(l, m.id, at, 0, 0, d, 16, &got, &e), 0);
    for (i = 0; i < got; i++) {
        ledger_delivery_sending(l, d[i].id, at, &e);
        ledger_delivery_result(l, d[i].id, i < (size_t)n ? "sent" : "failed",
                               i < (size_t)n ? 250 : 550, "", "", 0, at + (time_t)i, &e);
        delivery_release(&d[i]);
    }
    err_release(&e);
}

/* "8 de enero de 2024" -> noon that day in Mexico City. */
static time_t parse_spanish(const char *s)
{
    char month[32];
    int d, y, m;

    if (sscanf(s, "%d de %31s de %d", &d, month, &y) != 3)
        fail_msg("cannot read the date \"%s\"", s);
    for (m = 0; m < 12; m++)
        if (!strcmp(month, datefmt_months[m]))
            return clock_from_local(y - 1900, m, d, 12, 0);
    fail_msg("unknown month in \"%s\"", s);
    return 0;
}

static size_t read_fixture(const char *path, struct row *rows, size_t max)
{
    char line[1024];
    size_t n = 0;
    FILE *f = fopen(path, "r");

    assert_non_null(f);
    while (fgets(line, sizeof(line), f) && n < max) {
        char *t1, *t2;
        if (line[0] == '#' || !strncmp(line, "no\t", 3))
            continue;
        line[strcspn(line, "\r\n")] = '\0';
        t1 = strchr(line, '\t');
        t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        assert_non_null(t2);
        *t1 = *t2 = '\0';
        snprintf(rows[n].no, sizeof(rows[n].no), "%s", line);
        snprintf(rows[n].fecha, sizeof(rows[n].fecha), "%s", t1 + 1);
        snprintf(rows[n].info, sizeof(rows[n].info), "%s", t2 + 1);
        n++;
    }
    fclose(f);
    return n;
}

static void test_office_table_2024q1(void **state)
{
    const char *shared = getenv("SHARED_DIR");
    struct row rows[32];
    struct report_period p;
    struct report_opts o = {REPORT_JSON, NULL, ',', REPORT_BY_DEFAULT, NULL};
    struct buf out = BUF_INIT;
    struct ledger *l;
    struct value *v;
    struct err e;
    char path[512], campaign[32];
    const struct value *aud, *r;
    size_t n, i;

    (void)state;
    snprintf(path, sizeof(path), "%s/fixtures/informe-2024T1-voto-chilango.tsv",
             shared ? shared : "../shared");
    if (access(path, R_OK)) {
        print_message("SKIP: %s not present (the shared fixtures are beside the repository)\n",
                      path);
        skip();
    }
    n = read_fixture(path, rows, 32);
    assert_int_equal(n, 12);
    l = fresh("q1");
    /* each row of the office's table is its own mailing (rows 2 and 5 share a title
     * but are two campaigns); plus a test send and a mailing of the next quarter */
    for (i = 0; i < n; i++) {
        snprintf(campaign, sizeof(campaign), "envio-%zu", i + 1);
        seed(l, campaign, "main", rows[i].info, "diaspora", parse_spanish(rows[i].fecha), 3, 0);
    }
    seed(l, "prueba", "main+prueba", "Prueba", "diaspora", parse_spanish("9 de enero de 2024"), 1, 1);
    seed(l, "abril", "main", "Boletín abril", "diaspora", parse_spanish("1 de abril de 2024"), 1, 0);
    err_init(&e);
    assert_int_equal(report_parse_quarter("2024-T1", &p, &e), 0);
    assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    v = value_from_json(out.data, out.len, "report", &e);
    assert_non_null(v);
    aud = value_list_at(value_map_get(v, "audiences"), 0);
    assert_int_equal(value_list_len(value_map_get(v, "audiences")), 1);
    assert_int_equal(value_list_len(value_map_get(aud, "rows")), 12);
    for (i = 0; i < n; i++) {
        const char *fecha, *comma;
        r = value_list_at(value_map_get(aud, "rows"), i);
        fecha = value_text(value_map_get(r, "fecha_de_envio"), NULL);
        comma = strchr(fecha, ' '); /* after the weekday */
        assert_non_null(comma);
        if (strcmp(comma + 1, rows[i].fecha))
            fail_msg("row %zu: date \"%s\", the office wrote \"%s\"", i + 1, fecha, rows[i].fecha);
        assert_string_equal(value_text(value_map_get(r, "informacion"), NULL), rows[i].info);
        assert_string_equal(value_text(value_map_get(r, "entregados"), NULL), "3");
        assert_string_equal(value_text(value_map_get(r, "fallidos"), NULL), "1");
    }
    assert_string_equal(value_text(value_map_get(aud, "sentence"), NULL),
                        "Durante el primer trimestre de 2024 se distribuyeron 12 comunicaciones "
                        "a la lista diaspora.");
    value_free(v);
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

/* A campaign sent again under the same title is one row with all its dates. */
static void test_reminders_one_row(void **state)
{
    struct report_opts o = {REPORT_MD, NULL, ',', REPORT_BY_DEFAULT, NULL};
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = fresh("reminders");
    struct err e;

    (void)state;
    err_init(&e);
    seed(l, "conv", "main", "Invitación a observar", "red", parse_spanish("9 de julio de 2021"), 2, 0);
    seed(l, "conv", "recordatorio-1", "Invitación a observar", "red", parse_spanish("20 de julio de 2021"), 2, 0);
    seed(l, "conv", "recordatorio-2", "Invitación a observar", "red", parse_spanish("22 de julio de 2021"), 2, 0);
    assert_int_equal(report_parse_quarter("2021Q3", &p, &e), 0);
    assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    if (!strstr(out.data, "| 1 | Viernes 9, martes 20 y jueves 22 de julio de 2021 | Invitación a "
                          "observar | 9 | 6 | 0 | 3 | 0 |"))
        fail_msg("%s", out.data);
    assert_non_null(strstr(out.data, "se distribuyeron 3 comunicaciones"));
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

/* 23:30 on 31 March in Mexico City is April in UTC, and still Q1. */
static void test_quarter_boundary(void **state)
{
    struct report_opts o = {REPORT_CSV, NULL, ';', REPORT_BY_DEFAULT, NULL};
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = fresh("boundary");
    struct err e;
    time_t late = clock_from_local(124, 2, 31, 23, 30);

    (void)state;
    err_init(&e);
    seed(l, "tarde", "main", "Envío nocturno; con punto y coma", "diaspora", late, 1, 0);
    assert_int_equal(report_parse_quarter("2024Q1", &p, &e), 0);
    assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    assert_memory_equal(out.data, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(out.data, "Domingo 31 de marzo de 2024;\"Envío nocturno; con punto y coma\""));
    buf_reset(&out);
    assert_int_equal(report_parse_quarter("2024Q2", &p, &e), 0);
    assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    assert_null(strstr(out.data, "nocturno"));
    assert_int_equal(report_parse_quarter("2024Q5", &p, &e), -1);
    assert_int_equal(report_parse_range("2024-03-31", "2024-03-31", &p, &e), 0);
    buf_reset(&out);
    assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    assert_non_null(strstr(out.data, "nocturno"));
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[300];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_office_table_2024q1),
        cmocka_unit_test(test_reminders_one_row),
        cmocka_unit_test(test_quarter_boundary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
