/* test_report - the quarterly report from a ledger: the office's own
 * January-March 2024 tables (tests/fixtures/history) come back row by row,
 * from mailings sent by the mailer and from the tables recorded with
 * `mailer history`;
 * quarter boundaries in Mexico City time; every format against golden
 * files in tests/fixtures/report/.
 *
 * To regenerate the golden files after an intended change:
 *     UPDATE_GOLDEN=1 FIXTURES=$PWD/tests/fixtures build/tests/test_report
 * then review `git diff tests/fixtures/report`. */
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

#include "clock.h"
#include "datefmt.h"
#include "history.h"
#include "ledger.h"
#include "report.h"
#include "report_int.h"
#include "value.h"

#include "scratch.h"
#include "skipped.h"

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
        ledger_delivery_result(l, d[i].id, i < (size_t)n ? DELIVERY_SENT : DELIVERY_FAILED,
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

/* The office's tables (tests/fixtures/history: copies of ../shared/fixtures). */
static void office_table(const char *name, char *path, size_t size)
{
    const char *fx = getenv("FIXTURES");

    snprintf(path, size, "%s/history/%s", fx ? fx : "tests/fixtures", name);
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
    struct row rows[32];
    struct report_period p;
    struct report_opts o = {REPORT_JSON, NULL, ',', REPORT_BY_DEFAULT, NULL, 0};
    struct buf out = BUF_INIT;
    struct ledger *l;
    struct value *v;
    struct err e;
    char path[512], campaign[32];
    const struct value *aud, *r;
    size_t n, i;

    (void)state;
    office_table("informe-2024T1-voto-chilango.tsv", path, sizeof(path));
    n = read_fixture(path, rows, 32);
    assert_int_equal(n, 12);
    l = fresh("q1");
    /* each row of the office's table is its own mailing (rows 2 and 5 share a title
     * but are two campaigns); plus a test send and a mailing of the next quarter */
    for (i = 0; i < n; i++) {
        snprintf(campaign, sizeof(campaign), "envio-%zu", i + 1);
        seed(l, campaign, "main", rows[i].info, "diaspora", parse_spanish(rows[i].fecha), 3, 0);
    }
    seed(l, "prueba", "main+prueba", "Prueba", "diaspora", parse_spanish("9 de enero de 2024"), 1,
         1);
    seed(l, "abril", "main", "Boletín abril", "diaspora", parse_spanish("1 de abril de 2024"), 1,
         0);
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
    struct report_opts o = {REPORT_MD, NULL, ',', REPORT_BY_DEFAULT, NULL, 0};
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = fresh("reminders");
    struct err e;

    (void)state;
    err_init(&e);
    seed(l, "conv", "main", "Invitación a observar", "red", parse_spanish("9 de julio de 2021"), 2,
         0);
    seed(l, "conv", "recordatorio-1", "Invitación a observar", "red",
         parse_spanish("20 de julio de 2021"), 2, 0);
    seed(l, "conv", "recordatorio-2", "Invitación a observar", "red",
         parse_spanish("22 de julio de 2021"), 2, 0);
    assert_int_equal(report_parse_quarter("2021Q3", &p, &e), 0);
    assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    if (!strstr(out.data, "| 1 | Viernes 9, martes 20 y jueves 22 de julio de 2021 | Invitación a "
                          "observar | 9 | 6 | 0 | 3 | 0 |"))
        fail_msg("%s", out.data);
    /* one communication, sent three times */
    assert_non_null(strstr(out.data, "se distribuyó 1 comunicación (3 envíos) a la lista red."));
    assert_non_null(strstr(out.data, "| **Total** |  | **1 comunicación, 3 envíos** |"));
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

/* 23:30 on 31 March in Mexico City is April in UTC, and still Q1. */
static void test_quarter_boundary(void **state)
{
    struct report_opts o = {REPORT_CSV, NULL, ';', REPORT_BY_DEFAULT, NULL, 0};
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
    assert_non_null(
        strstr(out.data, "Domingo 31 de marzo de 2024;\"Envío nocturno; con punto y coma\""));
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

/* ---- fixed data for the golden files and the finer tests ---- */

static void sql(struct ledger *l, const char *fmt, ...)
{
    char q[1024];
    va_list ap;
    struct err e;

    va_start(ap, fmt);
    vsnprintf(q, sizeof(q), fmt, ap);
    va_end(ap);
    err_init(&e);
    if (ledger_exec(l, q, &e))
        fail_msg("%s: %s", q, e.msg.data);
    err_release(&e);
}

static int64_t last_mailing(struct ledger *l, const char *campaign, const char *edition)
{
    struct mailing m;
    struct err e;
    int64_t id;

    err_init(&e);
    assert_int_equal(ledger_mailing_find(l, campaign, edition, &m, &e), 0);
    id = m.id;
    mailing_release(&m);
    err_release(&e);
    return id;
}

/* The k-th accepted delivery of a mailing bounces, with a class or none. */
static void bounce(struct ledger *l, int64_t mailing, int k, const char *class)
{
    sql(l,
        "UPDATE deliveries SET state = 'bounced' WHERE id = (SELECT id FROM deliveries"
        " WHERE mailing_id = %lld AND state IN ('sent','bounced') ORDER BY id LIMIT 1 OFFSET %d)",
        (long long)mailing, k);
    if (class)
        sql(l,
            "INSERT INTO bounces (delivery_id, address, class, received_at) SELECT id, address,"
            " '%s', '2024-04-01T00:00:00Z' FROM deliveries WHERE mailing_id = %lld"
            " AND state = 'bounced' ORDER BY id LIMIT 1 OFFSET %d",
            class, (long long)mailing, k);
}

static void unsubscribe(struct ledger *l, const char *address, const char *when)
{
    sql(l,
        "INSERT INTO suppressions (address, reason, source, created_at)"
        " VALUES ('%s', 'unsubscribe', 'test', '%s')",
        address, when);
}

static time_t at(int y, int m, int d, int hh, int mm)
{
    return clock_from_local(y - 1900, m - 1, d, hh, mm);
}

/* A small quarter of both audiences: reminders, bounces of each class,
 * unsubscribes, a title to escape, a mailing to both lists, a test send. */
static struct ledger *golden_ledger(const char *name)
{
    struct ledger *l = fresh(name);
    int64_t id;

    seed(l, "corazon-chilango", "2024-01", "Boletín informativo diciembre 2023", "diaspora",
         at(2024, 1, 1, 9, 0), 8, 0);
    id = last_mailing(l, "corazon-chilango", "2024-01");
    bounce(l, id, 0, "hard");
    bounce(l, id, 1, "soft");
    bounce(l, id, 2, NULL);
    seed(
        l, "vota-film-fest", "main",
        "Invitación a la sexta edición del concurso de "
        "cortometrajes Vota Film Fest \"La democracia a través de tu lente: ¡Exprésate en corto!\"",
        "diaspora", at(2024, 1, 8, 10, 0), 6, 0);
    seed(
        l, "vota-film-fest", "recordatorio",
        "Invitación a la sexta edición del concurso de "
        "cortometrajes Vota Film Fest \"La democracia a través de tu lente: ¡Exprésate en corto!\"",
        "diaspora", at(2024, 2, 1, 10, 0), 6, 0);
    seed(l, "corazon-chilango", "2024-02",
         "Boletín informativo enero 2024 <edición & \"especial\">", "diaspora",
         at(2024, 2, 2, 9, 0), 8, 0);
    seed(l, "corazon-chilango", "2024-03", "Boletín informativo febrero 2024", "diaspora",
         at(2024, 3, 31, 23, 30), 8, 0); /* April in UTC, Q1 in Mexico City */
    seed(l, "prueba", "main+prueba", "Prueba", "diaspora", at(2024, 1, 9, 9, 0), 2, 1);
    seed(l, "red-convocatoria", "main",
         "Invitación a formar parte de la Red de Observación del "
         "IECM",
         "red-observacion", at(2024, 1, 10, 12, 0), 4, 0);
    seed(l, "red-convocatoria", "recordatorio",
         "Invitación a formar parte de la Red de "
         "Observación del IECM",
         "red-observacion", at(2024, 1, 24, 12, 0), 4, 0);
    seed(l, "red-convocatoria", "marzo",
         "Invitación a formar parte de la Red de Observación del "
         "IECM",
         "red-observacion", at(2024, 3, 5, 12, 0), 4, 0);
    seed(l, "red-noticias", "2024-W06", "Envío de dos noticias semanales en materia electoral",
         "red-observacion", at(2024, 2, 6, 8, 0), 4, 0);
    seed(l, "debate", "main", "Difusión del Primer Debate", "diaspora,red-observacion",
         at(2024, 3, 13, 18, 0), 10, 0);
    /* p1 unsubscribes in February: counts for the mailings it got before
     * (from January on), not for those after; P2 was stored with capitals */
    unsubscribe(l, "p1@example.org", "2024-02-01T20:00:00Z");
    sql(l, "UPDATE deliveries SET address = 'P2@Example.org' WHERE address = 'p2@example.org'");
    unsubscribe(l, "p2@example.org", "2024-01-05T00:00:00Z");
    return l;
}

static void load_config(struct report_config *cfg)
{
    const char *fx = getenv("FIXTURES");
    char path[512];
    struct err e;

    snprintf(path, sizeof(path), "%s/report/informe.conf", fx ? fx : "tests/fixtures");
    err_init(&e);
    report_config_init(cfg);
    if (report_config_load(cfg, path, &e))
        fail_msg("%s: %s", path, e.msg.data);
    err_release(&e);
}

/* Compare out with tests/fixtures/report/NAME; UPDATE_GOLDEN=1 rewrites
 * the file instead (then review the diff with git). */
static void golden(const char *name, const struct buf *out)
{
    const char *fx = getenv("FIXTURES");
    char path[512];
    struct buf want = BUF_INIT;
    FILE *f;

    snprintf(path, sizeof(path), "%s/report/%s", fx ? fx : "tests/fixtures", name);
    if (getenv("UPDATE_GOLDEN")) {
        f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(out->data, 1, out->len, f), out->len);
        assert_int_equal(fclose(f), 0);
        return;
    }
    if (buf_read_file(&want, path))
        fail_msg("%s: missing (run with UPDATE_GOLDEN=1 to write it)", path);
    if (want.len != out->len || memcmp(want.data, out->data, out->len))
        fail_msg("%s differs from this output:\n%s", path, out->data);
    buf_release(&want);
}

static void test_golden_formats(void **state)
{
    static const struct {
        enum report_format f;
        char sep;
        const char *file;
    } cases[] = {
        {REPORT_TEXT, ',', "2024Q1.txt"},          {REPORT_CSV, ',', "2024Q1.csv"},
        {REPORT_CSV, ';', "2024Q1-semicolon.csv"}, {REPORT_MD, ',', "2024Q1.md"},
        {REPORT_JSON, ',', "2024Q1.json"},         {REPORT_HTML, ',', "2024Q1.html"},
    };
    struct report_config cfg;
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = golden_ledger("golden1");
    struct err e;
    size_t i;

    (void)state;
    err_init(&e);
    load_config(&cfg);
    assert_int_equal(report_parse_quarter("2024Q1", &p, &e), 0);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct report_opts o = {cases[i].f, NULL, cases[i].sep, REPORT_BY_DEFAULT, &cfg, 0};
        buf_reset(&out);
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
        golden(cases[i].file, &out);
    }
    /* all formats from one reading of the ledger: the same bytes */
    {
        static const enum report_format all[5] = {REPORT_TEXT, REPORT_CSV, REPORT_MD, REPORT_JSON,
                                                  REPORT_HTML};
        static const char *const files[5] = {"2024Q1.txt", "2024Q1.csv", "2024Q1.md", "2024Q1.json",
                                             "2024Q1.html"};
        struct report_opts o = {REPORT_TEXT, NULL, ',', REPORT_BY_DEFAULT, &cfg, 0};
        struct buf outs[5];
        for (i = 0; i < 5; i++)
            buf_init(&outs[i], 0);
        assert_int_equal(report_write_formats(l, &p, &o, all, outs, 5, &e), 0);
        for (i = 0; i < 5; i++) {
            if (!getenv("UPDATE_GOLDEN"))
                golden(files[i], &outs[i]);
            buf_release(&outs[i]);
        }
    }
    /* without informe.conf: list ids, by mailing, no targets */
    {
        struct report_opts o = {REPORT_TEXT, NULL, ',', REPORT_BY_DEFAULT, NULL, 0};
        buf_reset(&out);
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
        golden("2024Q1-sin-informe.txt", &out);
    }
    report_config_release(&cfg);
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

/* The figures of the golden quarter, checked one by one through JSON. */
static void test_figures(void **state)
{
    struct report_config cfg;
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = golden_ledger("golden2");
    struct value *v;
    struct err e;
    const struct value *aud, *row, *t;

    (void)state;
    err_init(&e);
    load_config(&cfg);
    assert_int_equal(report_parse_quarter("2024Q1", &p, &e), 0);
    {
        struct report_opts o = {REPORT_JSON, NULL, ',', REPORT_BY_DEFAULT, &cfg, 0};
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    }
    v = value_from_json(out.data, out.len, "report", &e);
    assert_non_null(v);
    aud = value_list_at(value_map_get(v, "audiences"), 0);
    assert_string_equal(value_text(value_map_get(aud, "lists"), NULL), "diaspora");
    assert_string_equal(value_text(value_map_get(aud, "mailings"), NULL), "5");
    assert_int_equal(value_list_len(value_map_get(aud, "rows")), 4);
    /* row 1: 9 deliveries, 8 accepted, 3 bounced (1 hard, 1 soft, 1 unclassified), 1 failed;
     * p1 (Feb) and P2 (before January's mailing? no: 5 January, after 1 January) */
    row = value_list_at(value_map_get(aud, "rows"), 0);
    assert_string_equal(value_text(value_map_get(row, "destinatarios"), NULL), "9");
    assert_string_equal(value_text(value_map_get(row, "entregados"), NULL), "8");
    assert_string_equal(value_text(value_map_get(row, "rebotados"), NULL), "3");
    assert_string_equal(value_text(value_map_get(row, "rebotados_duros"), NULL), "1");
    assert_string_equal(value_text(value_map_get(row, "rebotados_suaves"), NULL), "1");
    assert_string_equal(value_text(value_map_get(row, "fallidos"), NULL), "1");
    assert_string_equal(value_text(value_map_get(row, "bajas"), NULL), "2");
    /* row 2: the Film Fest and its reminder, one row with both dates; the
     * unsubscribe of P2 (5 January) came before them; p1's came after both,
     * and p1 counts once */
    row = value_list_at(value_map_get(aud, "rows"), 1);
    assert_string_equal(value_text(value_map_get(row, "fecha_de_envio"), NULL),
                        "Lunes 8 de enero y jueves 1 de febrero de 2024");
    assert_string_equal(value_text(value_map_get(row, "bajas"), NULL), "1");
    /* the total counts people too: p1 and P2 */
    assert_string_equal(value_text(value_map_get(value_map_get(aud, "totals"), "bajas"), NULL),
                        "2");
    /* row 4: 23:30 on 31 March in Mexico City, no unsubscribe after it */
    row = value_list_at(value_map_get(aud, "rows"), 3);
    assert_string_equal(value_text(value_map_get(row, "fecha_de_envio"), NULL),
                        "Domingo 31 de marzo de 2024");
    assert_string_equal(value_text(value_map_get(row, "bajas"), NULL), "0");
    assert_string_equal(value_text(value_map_get(aud, "sentence"), NULL),
                        "Durante el primer trimestre de 2024 se distribuyeron 4 comunicaciones "
                        "(5 envíos) a la base de contactos de Voto Chilango.");
    /* the Red de Observación by month: the convocatoria and its reminder are
     * one January row, March is another */
    aud = value_list_at(value_map_get(v, "audiences"), 1);
    assert_string_equal(value_text(value_map_get(aud, "by"), NULL), "month");
    assert_int_equal(value_list_len(value_map_get(aud, "rows")), 3);
    row = value_list_at(value_map_get(aud, "rows"), 0);
    assert_string_equal(value_text(value_map_get(row, "fecha_de_envio"), NULL), "Enero 2024");
    assert_int_equal(value_list_len(value_map_get(row, "dates")), 2);
    /* January: one communication (a row), sent twice */
    assert_string_equal(
        value_text(value_map_get(value_list_at(value_map_get(aud, "months"), 0), "comunicaciones"),
                   NULL),
        "1");
    assert_string_equal(
        value_text(value_map_get(value_list_at(value_map_get(aud, "months"), 0), "envios"), NULL),
        "2");
    /* the debate went to both lists: its own audience */
    aud = value_list_at(value_map_get(v, "audiences"), 2);
    assert_string_equal(value_text(value_map_get(aud, "name"), NULL),
                        "la base de contactos de Voto Chilango y la Red de Observación");
    /* targets: 20 communications to the diaspora (its 4 rows, and the
     * debate's: its audience is its own pair of lists, but it reached the
     * diaspora too: 5), 3 editions of Corazón Chilango (3: met) */
    t = value_list_at(value_map_get(v, "targets"), 0);
    assert_string_equal(value_text(value_map_get(t, "achieved"), NULL), "5");
    assert_string_equal(value_text(value_map_get(t, "state"), NULL), "no cumplida");
    assert_string_equal(value_text(value_map_get(t, "met"), NULL), "false");
    t = value_list_at(value_map_get(v, "targets"), 2);
    assert_string_equal(value_text(value_map_get(t, "key"), NULL), "corazon-chilango.ediciones");
    assert_string_equal(value_text(value_map_get(t, "achieved"), NULL), "3");
    assert_string_equal(value_text(value_map_get(t, "met"), NULL), "true");
    value_free(v);
    /* the office's line in text */
    buf_reset(&out);
    {
        struct report_opts o = {REPORT_TEXT, NULL, ',', REPORT_BY_DEFAULT, &cfg, 0};
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    }
    assert_non_null(strstr(out.data, "- Comunicaciones a la base de contactos de Voto Chilango: "
                                     "Meta: 20 · Logrado: 5 · No cumplida\n"));
    assert_non_null(strstr(out.data, "- Ediciones de Corazón Chilango: Meta: 3 · Logrado: 3 · "
                                     "Cumplida\n"));
    /* a date range is not a quarter: no targets */
    buf_reset(&out);
    assert_int_equal(report_parse_range("2024-01-01", "2024-03-31", &p, &e), 0);
    {
        struct report_opts o = {REPORT_TEXT, NULL, ',', REPORT_BY_DEFAULT, &cfg, 0};
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    }
    assert_null(strstr(out.data, "Meta:"));
    assert_non_null(strstr(out.data, "Durante el periodo del 1 de enero de 2024 al 31 de marzo "
                                     "de 2024 se distribuyeron 4 comunicaciones (5 envíos)"));
    report_config_release(&cfg);
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

/* An empty bounces table still gives Rebotados, and no split columns. */
static void test_bounces_unclassified(void **state)
{
    struct report_opts o = {REPORT_MD, NULL, ',', REPORT_BY_DEFAULT, NULL, 0};
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = fresh("unclassified");
    struct err e;

    (void)state;
    err_init(&e);
    seed(l, "c", "main", "Aviso", "diaspora", at(2024, 5, 2, 10, 0), 5, 0);
    bounce(l, last_mailing(l, "c", "main"), 0, NULL);
    bounce(l, last_mailing(l, "c", "main"), 1, NULL);
    assert_int_equal(report_parse_quarter("2024Q2", &p, &e), 0);
    assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    if (!strstr(out.data, "| 1 | Jueves 2 de mayo de 2024 | Aviso | 6 | 5 | 2 | 1 | 0 |"))
        fail_msg("%s", out.data);
    assert_null(strstr(out.data, "Duros"));
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

/* Weekday and month names for every month (the 15ths of 2025 fall on all
 * seven weekdays). */
static void test_spanish_every_month(void **state)
{
    static const char *const want[12] = {
        "Miércoles 15 de enero de 2025",  "Sábado 15 de febrero de 2025",
        "Sábado 15 de marzo de 2025",     "Martes 15 de abril de 2025",
        "Jueves 15 de mayo de 2025",      "Domingo 15 de junio de 2025",
        "Martes 15 de julio de 2025",     "Viernes 15 de agosto de 2025",
        "Lunes 15 de septiembre de 2025", "Miércoles 15 de octubre de 2025",
        "Sábado 15 de noviembre de 2025", "Lunes 15 de diciembre de 2025"};
    static const char *const months[12] = {"Enero 2025",   "Febrero 2025",   "Marzo 2025",
                                           "Abril 2025",   "Mayo 2025",      "Junio 2025",
                                           "Julio 2025",   "Agosto 2025",    "Septiembre 2025",
                                           "Octubre 2025", "Noviembre 2025", "Diciembre 2025"};
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = fresh("months");
    struct value *v;
    struct err e;
    char campaign[16];
    const struct value *rows;
    int m, by;

    (void)state;
    err_init(&e);
    for (m = 0; m < 12; m++) {
        snprintf(campaign, sizeof(campaign), "mes-%d", m + 1);
        /* 00:30 local: still the 15th in Mexico City, the 15th in UTC too */
        seed(l, campaign, "main", campaign, "diaspora", at(2025, m + 1, 15, 0, 30), 1, 0);
    }
    assert_int_equal(report_parse_range("2025-01-01", "2025-12-31", &p, &e), 0);
    for (by = REPORT_BY_MAILING; by <= REPORT_BY_MONTH; by++) {
        struct report_opts o = {REPORT_JSON, NULL, ',', (enum report_grouping)by, NULL, 0};
        buf_reset(&out);
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
        v = value_from_json(out.data, out.len, "report", &e);
        assert_non_null(v);
        rows = value_map_get(value_list_at(value_map_get(v, "audiences"), 0), "rows");
        assert_int_equal(value_list_len(rows), 12);
        for (m = 0; m < 12; m++)
            assert_string_equal(
                value_text(value_map_get(value_list_at(rows, (size_t)m), "fecha_de_envio"), NULL),
                by == REPORT_BY_MAILING ? want[m] : months[m]);
        assert_int_equal(value_list_len(value_map_get(
                             value_list_at(value_map_get(v, "audiences"), 0), "months")),
                         12);
        value_free(v);
    }
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

/* The office's Red de Observación table (35 topics, January-March 2024) by
 * month: each topic a mailing that month; "Envío de dos noticias
 * semanales" is two mailings in each month, still one row. */
static void test_office_red_by_month(void **state)
{
    struct report_config cfg;
    struct row rows[40];
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l;
    struct value *v;
    struct err e;
    char path[512], campaign[32];
    const struct value *aud, *r;
    size_t n, i;
    int m, day[4] = {0};

    (void)state;
    office_table("informe-2024T1-red-observacion.tsv", path, sizeof(path));
    n = read_fixture(path, rows, 40);
    assert_int_equal(n, 35);
    l = fresh("red");
    for (i = 0; i < n; i++) { /* the rows of a month on its 1st, 2nd, ... day */
        m = !strncmp(rows[i].fecha, "Enero", 5) ? 1 : !strncmp(rows[i].fecha, "Febrero", 7) ? 2 : 3;
        snprintf(campaign, sizeof(campaign), "tema-%zu", i + 1);
        seed(l, campaign, "main", rows[i].info, "red-observacion", at(2024, m, ++day[m], 10, 0), 2,
             0);
        if (strstr(rows[i].info, "dos noticias"))
            seed(l, campaign, "segunda", rows[i].info, "red-observacion", at(2024, m, 25, 10, 0), 2,
                 0);
    }
    err_init(&e);
    load_config(&cfg);
    assert_int_equal(report_parse_quarter("2024Q1", &p, &e), 0);
    {
        struct report_opts o = {REPORT_JSON, NULL, ',', REPORT_BY_DEFAULT, &cfg, 0};
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    }
    v = value_from_json(out.data, out.len, "report", &e);
    assert_non_null(v);
    aud = value_list_at(value_map_get(v, "audiences"), 0);
    assert_int_equal(value_list_len(value_map_get(aud, "rows")), 35);
    for (i = 0; i < n; i++) {
        r = value_list_at(value_map_get(aud, "rows"), i);
        assert_string_equal(value_text(value_map_get(r, "fecha_de_envio"), NULL), rows[i].fecha);
        assert_string_equal(value_text(value_map_get(r, "informacion"), NULL), rows[i].info);
    }
    assert_string_equal(value_text(value_map_get(aud, "sentence"), NULL),
                        "Durante el primer trimestre de 2024 se distribuyeron 35 comunicaciones "
                        "(38 envíos) a la Red de Observación; la difusión versó sobre 35 temas.");
    value_free(v);
    report_config_release(&cfg);
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

/* Text: wide titles wrap within their column; accents count as one column,
 * so every line that ends in a number is as wide as the header. */
static void test_text_alignment(void **state)
{
    struct report_config cfg;
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = golden_ledger("golden3");
    struct err e;
    const char *line, *nl;
    size_t header_w = 0, w, checked = 0;

    (void)state;
    err_init(&e);
    load_config(&cfg);
    assert_int_equal(report_parse_quarter("2024Q1", &p, &e), 0);
    {
        struct report_opts o = {REPORT_TEXT, "diaspora", ',', REPORT_BY_DEFAULT, &cfg, 0};
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    }
    for (line = out.data; (nl = strchr(line, '\n')); line = nl + 1) {
        const char *s;
        if (nl == line || !((nl[-1] >= '0' && nl[-1] <= '9') || !strncmp(line, "No.", 3)))
            continue;
        if (!strncmp(line, "- ", 2)) /* a target line */
            continue;
        for (w = 0, s = line; s < nl; s++)
            w += ((unsigned char)*s & 0xC0) != 0x80;
        if (!strncmp(line, "No.", 3))
            header_w = w;
        else if (header_w) {
            if (w != header_w)
                fail_msg("line of %zu columns, header %zu:\n%.*s\n%s", w, header_w,
                         (int)(nl - line), line, out.data);
            checked++;
        }
    }
    assert_true(checked >= 5);
    /* the Film Fest row takes three lines: its dates wrap in their column,
     * its title (124 characters) in its own */
    assert_non_null(strstr(out.data, "\n       febrero de 2024                     cortometrajes "
                                     "Vota Film Fest \"La democracia a\n"));
    report_config_release(&cfg);
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

static void test_config_errors(void **state)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"[metas]\ndiaspora = 20\n", ":2: a target is LIST.comunicaciones"},
        {"[metas]\n\ndiaspora.comunicaciones = veinte\n", ":3: a target is a whole number"},
        {"[lista x]\ncolor = rojo\n", ":2: unknown key in a [lista] section"},
        {"[lista x]\nagrupar = semana\n", ":2: agrupar is \"envio\" or \"mes\""},
        {"[otra]\nx = 1\n", ":2: unknown section"},
        {"nombre\n", ":1: cannot parse this line"},
        {"[lista x]\ncolumnas = no, fecha, color\n", ":2: columnas: a column is one of"},
        {"[informe]\ncolumnas = no, no\n", ":2: columnas: a column named twice: no"},
        {"[informe]\nencabezado.color = Color\n", ":2: encabezado.COLUMNA: no such column"},
        {"[informe]\n\nenunciado = Se enviaron {{correos}}.\n",
         ":3: enunciado: no such name in the sentence"},
        {"[lista x]\nenunciado = {{#una}}sin cerrar\n", ":2: enunciado"},
        {"[metas 2024T5]\nx.comunicaciones = 1\n", ":2: unknown section"},
        {"[metas 2024]\nx.comunicaciones = 1\nx.comunicaciones = 2\n",
         ":3: a target set twice in one section"},
        {"[informe]\n; 250 caracteres\ncolumnas = no, fecha, informacion, no, fecha, informacion, "
         "no, fecha, informacion, no, fecha, informacion, no, fecha, informacion, no, fecha, "
         "informacion, no, fecha, informacion, no, fecha, informacion, no, fecha, informacion, "
         "no, fecha\n",
         ":3: a line longer than 200 characters"},
    };
    struct report_config cfg;
    char path[300];
    struct err e;
    FILE *f;
    size_t i;

    (void)state;
    snprintf(path, sizeof(path), "%s/informe.ini", dir);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        f = fopen(path, "w");
        fputs(cases[i].text, f);
        fclose(f);
        err_init(&e);
        report_config_init(&cfg);
        assert_int_equal(report_config_load(&cfg, path, &e), -1);
        if (!strstr(e.msg.data, cases[i].want))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg.data, cases[i].want);
        assert_int_equal(cfg.ntargets + cfg.nlists, 0);
        err_release(&e);
    }
    snprintf(path, sizeof(path), "%s/no-such-informe.ini", dir);
    err_init(&e);
    assert_int_equal(report_config_load(&cfg, path, &e), 1);
    err_release(&e);
}

/* Every string from the ledger is escaped in HTML. */
static void test_html_escapes(void **state)
{
    struct report_opts o = {REPORT_HTML, NULL, ',', REPORT_BY_DEFAULT, NULL, 0};
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = fresh("escape");
    struct err e;

    (void)state;
    err_init(&e);
    seed(l, "x", "main", "<script>alert('x')</script> & \"más\"", "lista<b>", at(2024, 7, 1, 9, 0),
         1, 0);
    assert_int_equal(report_parse_quarter("2024Q3", &p, &e), 0);
    assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    assert_null(strstr(out.data, "<script>"));
    assert_null(strstr(out.data, "lista<b>"));
    assert_non_null(strstr(out.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
                                     "&quot;más&quot;"));
    assert_non_null(strstr(out.data, "<html lang=\"es\">"));
    assert_null(strstr(out.data, "src="));
    assert_null(strstr(out.data, "href="));
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

/* ---- what the office recorded with `mailer history` ---- */

static void load_config_file(const char *name, struct report_config *cfg)
{
    const char *fx = getenv("FIXTURES");
    char path[512];
    struct err e;

    snprintf(path, sizeof(path), "%s/report/%s", fx ? fx : "tests/fixtures", name);
    err_init(&e);
    report_config_init(cfg);
    if (report_config_load(cfg, path, &e))
        fail_msg("%s: %s", path, e.msg.data);
    err_release(&e);
}

static void record_table(struct ledger *l, const char *name, const char *list, const char *sender)
{
    char path[512];
    struct history_table t;
    struct history_result res;
    struct buf w = BUF_INIT;
    struct err e;

    office_table(name, path, sizeof(path));
    err_init(&e);
    history_table_init(&t, path);
    if (history_read(path, 0, &t, &w, &e) ||
        history_record(l, &t, list, NULL, sender, "import", &res, &e))
        fail_msg("%s: %s", path, e.msg.data);
    history_table_release(&t);
    buf_release(&w);
    err_release(&e);
}

/* The office's two tables recorded with `mailer history`: the report gives
 * them back as the office printed them (dates, titles, one row each;
 * weekdays added, and right), with the sentences and columns of
 * informe-historial.conf, in every format (golden files). */
static void test_history_as_printed(void **state)
{
    static const struct {
        enum report_format f;
        const char *file;
    } cases[] = {
        {REPORT_TEXT, "historial-2024T1.txt"},  {REPORT_CSV, "historial-2024T1.csv"},
        {REPORT_MD, "historial-2024T1.md"},     {REPORT_JSON, "historial-2024T1.json"},
        {REPORT_HTML, "historial-2024T1.html"},
    };
    struct report_config cfg;
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = fresh("historial");
    struct row rows[40];
    char path[512];
    const struct value *aud, *r;
    struct value *v;
    struct err e;
    size_t i, n;

    (void)state;
    err_init(&e);
    record_table(l, "informe-2024T1-voto-chilango.tsv", "diaspora", "votochilango@iecm.mx");
    record_table(l, "informe-2024T1-red-observacion.tsv", "red-observacion", NULL);
    load_config_file("informe-historial.conf", &cfg);
    assert_int_equal(report_config_check(&cfg, l, NULL, &e), 0);
    assert_int_equal(report_parse_quarter("2024Q1", &p, &e), 0);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct report_opts o = {cases[i].f,        NULL, ',',
                                REPORT_BY_DEFAULT, &cfg, at(2024, 4, 15, 10, 0)};
        buf_reset(&out);
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
        golden(cases[i].file, &out);
    }
    /* row by row against the office's tables */
    {
        struct report_opts o = {REPORT_JSON,       NULL, ',',
                                REPORT_BY_DEFAULT, &cfg, at(2024, 4, 15, 10, 0)};
        buf_reset(&out);
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    }
    v = value_from_json(out.data, out.len, "report", &e);
    assert_non_null(v);
    office_table("informe-2024T1-voto-chilango.tsv", path, sizeof(path));
    n = read_fixture(path, rows, 40);
    aud = value_list_at(value_map_get(v, "audiences"), 0);
    assert_string_equal(value_text(value_map_get(aud, "lists"), NULL), "diaspora");
    assert_int_equal(value_list_len(value_map_get(aud, "rows")), n);
    for (i = 0; i < n; i++) {
        const char *fecha, *space;
        r = value_list_at(value_map_get(aud, "rows"), i);
        fecha = value_text(value_map_get(r, "fecha_de_envio"), NULL);
        space = strchr(fecha, ' '); /* after the weekday the mailer adds */
        assert_non_null(space);
        if (strcmp(space + 1, rows[i].fecha))
            fail_msg("row %zu: \"%s\", the office wrote \"%s\"", i + 1, fecha, rows[i].fecha);
        assert_string_equal(value_text(value_map_get(r, "informacion"), NULL), rows[i].info);
        assert_string_equal(value_text(value_map_get(r, "recorded"), NULL), "true");
        assert_int_equal(value_type(value_map_get(r, "entregados")), VALUE_NULL);
    }
    /* the office's own sentence: «se distribuyeron, mediante el correo de
     * votochilango@iecm.mx, 12 comunicaciones a la base de contactos de Voto
     * Chilango» */
    assert_string_equal(value_text(value_map_get(aud, "sentence"), NULL),
                        "Durante el primer trimestre de 2024 se distribuyeron, mediante el correo "
                        "de votochilango@iecm.mx, doce (12) comunicaciones a la base de contactos "
                        "de Voto Chilango.");
    office_table("informe-2024T1-red-observacion.tsv", path, sizeof(path));
    n = read_fixture(path, rows, 40);
    aud = value_list_at(value_map_get(v, "audiences"), 1);
    assert_int_equal(value_list_len(value_map_get(aud, "rows")), n);
    for (i = 0; i < n; i++) {
        r = value_list_at(value_map_get(aud, "rows"), i);
        assert_string_equal(value_text(value_map_get(r, "fecha_de_envio"), NULL), rows[i].fecha);
        assert_string_equal(value_text(value_map_get(r, "informacion"), NULL), rows[i].info);
    }
    /* «La difusión versó sobre 35 temas diferentes» */
    assert_string_equal(value_text(value_map_get(aud, "sentence"), NULL),
                        "La difusión versó sobre treinta y cinco (35) temas diferentes.");
    value_free(v);
    report_config_release(&cfg);
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

/* While the quarter runs, a target not reached yet is «En curso». */
static void test_target_running(void **state)
{
    struct report_config cfg;
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = golden_ledger("running");
    struct err e;

    (void)state;
    err_init(&e);
    load_config(&cfg);
    assert_int_equal(report_parse_quarter("2024Q1", &p, &e), 0);
    {
        struct report_opts o = {REPORT_TEXT,       NULL, ',',
                                REPORT_BY_DEFAULT, &cfg, at(2024, 3, 31, 22, 0)};
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    }
    assert_non_null(strstr(out.data, "Voto Chilango: Meta: 20 · Logrado: 5 · En curso\n"));
    assert_non_null(strstr(out.data, "Ediciones de Corazón Chilango: Meta: 3 · Logrado: 3 · "
                                     "Cumplida\n"));
    buf_reset(&out);
    {
        struct report_opts o = {REPORT_HTML,       NULL, ',',
                                REPORT_BY_DEFAULT, &cfg, at(2024, 3, 31, 22, 0)};
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    }
    assert_non_null(strstr(out.data, "<td class=\"en-curso\">En curso</td>"));
    /* the first minute of April in Mexico City: the quarter is over */
    buf_reset(&out);
    {
        struct report_opts o = {REPORT_JSON,       NULL, ',',
                                REPORT_BY_DEFAULT, &cfg, at(2024, 4, 1, 0, 1)};
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    }
    assert_non_null(strstr(out.data, "\"running\": false"));
    assert_non_null(strstr(out.data, "\"met\": false, \"state\": \"no cumplida\""));
    report_config_release(&cfg);
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

/* --list L shows only L's targets: its communications, and the editions of
 * campaigns whose mailings go to L. */
static void test_list_targets(void **state)
{
    struct report_config cfg;
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = golden_ledger("listtargets");
    struct err e;

    (void)state;
    err_init(&e);
    load_config(&cfg);
    assert_int_equal(report_parse_quarter("2024Q1", &p, &e), 0);
    {
        struct report_opts o = {REPORT_TEXT, "red-observacion", ',', REPORT_BY_DEFAULT, &cfg, 0};
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    }
    assert_non_null(strstr(out.data, "- Comunicaciones a la Red de Observación: Meta: 4 · "
                                     "Logrado: 4 · Cumplida\n"));
    assert_null(strstr(out.data, "Voto Chilango: Meta"));
    assert_null(strstr(out.data, "Corazón Chilango"));
    buf_reset(&out);
    {
        struct report_opts o = {REPORT_TEXT, "diaspora", ',', REPORT_BY_DEFAULT, &cfg, 0};
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    }
    assert_non_null(strstr(out.data, "- Ediciones de Corazón Chilango: Meta: 3"));
    assert_non_null(strstr(out.data, "- Comunicaciones a la base de contactos de Voto Chilango"));
    assert_null(strstr(out.data, "- Comunicaciones a la Red"));
    /* a quarter without a mailing of the campaign: its lists from an
     * earlier mailing still say where it goes */
    buf_reset(&out);
    assert_int_equal(report_parse_quarter("2024Q2", &p, &e), 0);
    {
        struct report_opts o = {REPORT_TEXT, "diaspora", ',', REPORT_BY_DEFAULT, &cfg, 0};
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    }
    assert_non_null(strstr(out.data, "- Ediciones de Corazón Chilango: Meta: 3 · Logrado: 0"));
    report_config_release(&cfg);
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Targets per year and per quarter: the most particular section wins. */
static void test_targets_by_period(void **state)
{
    static const struct {
        const char *quarter;
        const char *want;
    } cases[] = {
        {"2024Q1", "Meta: 20 · Logrado: 5"},
        {"2024Q2", "Meta: 30 · Logrado: 0"},
        {"2025-T1", "Meta: 10 · Logrado: 0"},
    };
    struct report_config cfg;
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = golden_ledger("byperiod");
    char path[300];
    struct err e;
    size_t i;

    (void)state;
    snprintf(path, sizeof(path), "%s/metas.conf", dir);
    write_file(path, "[metas 2024T2]\ndiaspora.comunicaciones = 30\n"
                     "[metas]\ndiaspora.comunicaciones = 10\n"
                     "[metas 2024]\ndiaspora.comunicaciones = 20\n");
    err_init(&e);
    report_config_init(&cfg);
    assert_int_equal(report_config_load(&cfg, path, &e), 0);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct report_opts o = {REPORT_TEXT, NULL, ',', REPORT_BY_DEFAULT, &cfg, 1};
        assert_int_equal(report_parse_quarter(cases[i].quarter, &p, &e), 0);
        buf_reset(&out);
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
        if (!strstr(out.data, cases[i].want))
            fail_msg("%s: lacks \"%s\":\n%s", cases[i].quarter, cases[i].want,
                     strstr(out.data, "Metas") ? strstr(out.data, "Metas") : out.data);
    }
    report_config_release(&cfg);
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

/* A target that matches no list and no campaign is a configuration problem
 * with its line; a list with a contacts file, or with mailings, matches. */
static void test_config_check(void **state)
{
    struct report_config cfg;
    struct ledger *l = golden_ledger("check");
    char path[400], home[300];
    struct err e;

    (void)state;
    snprintf(path, sizeof(path), "%s/check.conf", dir);
    write_file(path, "[metas]\ndiaspora.comunicaciones = 1\nnadie.comunicaciones = 2\n"
                     "fantasma.ediciones = 3\ncorazon-chilango.ediciones = 3\n"
                     "[metas 2025]\nnueva.comunicaciones = 4\n");
    err_init(&e);
    report_config_init(&cfg);
    assert_int_equal(report_config_load(&cfg, path, &e), 0);
    assert_int_equal(report_config_check(&cfg, l, NULL, &e), -1);
    assert_int_equal(e.kind, ERR_CONFIG);
    if (!strstr(e.msg.data, "check.conf:3: target nadie.comunicaciones: no list \"nadie\"") ||
        !strstr(e.msg.data, "check.conf:4: target fantasma.ediciones: no campaign \"fantasma\"") ||
        !strstr(e.msg.data, "check.conf:7: target nueva.comunicaciones") ||
        strstr(e.msg.data, "diaspora") || strstr(e.msg.data, "corazon"))
        fail_msg("%s", e.msg.data);
    err_release(&e);
    /* a list that has its file in the home, before any mailing */
    snprintf(home, sizeof(home), "%s/home", dir);
    assert_int_equal(mkdir(home, 0700), 0);
    snprintf(path, sizeof(path), "%s/contacts", home);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/contacts/nueva.csv", home);
    write_file(path, "correo\n");
    err_init(&e);
    assert_int_equal(report_config_check(&cfg, l, home, &e), -1);
    assert_null(strstr(e.msg.data, "nueva"));
    report_config_release(&cfg);
    err_release(&e);
    ledger_close(l);
}

/* Two editions with one title sent the same day: that day once. */
static void test_same_day_once(void **state)
{
    struct report_opts o = {REPORT_JSON, NULL, ',', REPORT_BY_DEFAULT, NULL, 0};
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = fresh("sameday");
    struct err e;

    (void)state;
    err_init(&e);
    seed(l, "aviso", "manana", "Aviso importante", "diaspora", at(2026, 12, 2, 9, 0), 2, 0);
    seed(l, "aviso", "tarde", "Aviso importante", "diaspora", at(2026, 12, 2, 18, 0), 2, 0);
    assert_int_equal(report_parse_quarter("2026Q4", &p, &e), 0);
    assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    if (!strstr(out.data, "\"fecha_de_envio\": \"Miércoles 2 de diciembre de 2026\""))
        fail_msg("%s", out.data);
    assert_non_null(strstr(out.data, "\"comunicaciones\": 1, \"envios\": 2"));
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

/* Per audience: which columns, in what order, under what heading; the
 * sentence of each. */
static void test_columns_and_sentence(void **state)
{
    struct report_config cfg;
    struct report_period p;
    struct buf out = BUF_INIT;
    struct ledger *l = golden_ledger("columns");
    char path[300];
    struct err e;

    (void)state;
    snprintf(path, sizeof(path), "%s/columnas.conf", dir);
    write_file(path,
               "[informe]\nenunciado = {{comunicaciones_letra}} comunicaciones, {{envios_letra}} "
               "envíos.\n"
               "[lista diaspora]\nnombre = la diáspora\ncolumnas = fecha, informacion, bajas, no\n"
               "encabezado.bajas = Personas que se dieron de baja\n"
               "enunciado = Se enviaron {{envios}} correos a {{nombre}}{{^envios_distintos}} "
               "(sin recordatorios){{/envios_distintos}}.\n");
    err_init(&e);
    report_config_init(&cfg);
    assert_int_equal(report_config_load(&cfg, path, &e), 0);
    assert_int_equal(report_parse_quarter("2024Q1", &p, &e), 0);
    {
        struct report_opts o = {REPORT_MD, NULL, ',', REPORT_BY_DEFAULT, &cfg, 0};
        assert_int_equal(report_write(l, &p, &o, &out, &e), 0);
    }
    if (!strstr(out.data, "\n| Fecha de envío | Información | Personas que se dieron de baja | "
                          "No. |\n| --- | --- | ---: | --- |\n") ||
        !strstr(out.data, "\nSe enviaron 5 correos a la diáspora.\n") ||
        /* the other audiences: every column, [informe]'s sentence */
        !strstr(out.data, "\n| No. | Fecha de envío | Información | Destinatarios | Entregados | "
                          "Rebotados | Fallidos | Bajas |\n") ||
        !strstr(out.data, "\ndos comunicaciones, cuatro envíos.\n") ||
        !strstr(out.data, "\nuna comunicaciones, un envíos.\n"))
        fail_msg("%s", out.data);
    report_config_release(&cfg);
    buf_release(&out);
    err_release(&e);
    ledger_close(l);
}

/* Numbers in words, feminine (comunicaciones) and apocopated (envíos). */
static void test_number_words(void **state)
{
    static const struct {
        long n;
        const char *fem, *masc;
    } cases[] = {
        {0, "cero", "cero"},
        {1, "una", "un"},
        {12, "doce", "doce"},
        {16, "dieciséis", "dieciséis"},
        {21, "veintiuna", "veintiún"},
        {22, "veintidós", "veintidós"},
        {30, "treinta", "treinta"},
        {31, "treinta y una", "treinta y un"},
        {99, "noventa y nueve", "noventa y nueve"},
        {100, "cien", "cien"},
        {101, "ciento una", "ciento un"},
        {200, "doscientas", "doscientos"},
        {555, "quinientas cincuenta y cinco", "quinientos cincuenta y cinco"},
        {1000, "mil", "mil"},
        {1001, "mil una", "mil un"},
        {2021, "dos mil veintiuna", "dos mil veintiún"},
        {21000, "veintiún mil", "veintiún mil"},
        {200000, "doscientas mil", "doscientos mil"},
        {999999, "novecientas noventa y nueve mil novecientas noventa y nueve",
         "novecientos noventa y nueve mil novecientos noventa y nueve"},
        {1000000, "1000000", "1000000"},
    };
    struct buf b = BUF_INIT;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_reset(&b);
        assert_int_equal(report_words_number(&b, cases[i].n, 1), 0);
        assert_string_equal(b.data, cases[i].fem);
        buf_reset(&b);
        assert_int_equal(report_words_number(&b, cases[i].n, 0), 0);
        assert_string_equal(b.data, cases[i].masc);
    }
    buf_release(&b);
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
        cmocka_unit_test(test_office_table_2024q1),
        cmocka_unit_test(test_reminders_one_row),
        cmocka_unit_test(test_quarter_boundary),
        cmocka_unit_test(test_golden_formats),
        cmocka_unit_test(test_figures),
        cmocka_unit_test(test_bounces_unclassified),
        cmocka_unit_test(test_spanish_every_month),
        cmocka_unit_test(test_office_red_by_month),
        cmocka_unit_test(test_text_alignment),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_html_escapes),
        cmocka_unit_test(test_history_as_printed),
        cmocka_unit_test(test_target_running),
        cmocka_unit_test(test_list_targets),
        cmocka_unit_test(test_targets_by_period),
        cmocka_unit_test(test_config_check),
        cmocka_unit_test(test_same_day_once),
        cmocka_unit_test(test_columns_and_sentence),
        cmocka_unit_test(test_number_words),
    };
    return skipped_exit(cmocka_run_group_tests(tests, setup, teardown));
}
