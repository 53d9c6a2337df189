/* test_history - tables of mailings sent outside the mailer (history.h):
 * the office's two 2024 tables read row by row, weekdays checked, years
 * taken from the rows around, every problem of a bad table with its line
 * and column, recording in one transaction with its event, and a second
 * import of the same table adding nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "ledger.h"

#include "scratch.h"

#include "banned.h"

static char dir[] = "/tmp/test_history.XXXXXX";

static void fixture(const char *name, char *path, size_t size)
{
    const char *fx = getenv("FIXTURES");

    snprintf(path, size, "%s/history/%s", fx ? fx : "tests/fixtures", name);
}

static void read_ok(const char *name, int year, struct history_table *t, struct buf *warnings)
{
    static char path[512]; /* the table's origin: alive while t is */
    struct err e;

    fixture(name, path, sizeof(path));
    err_init(&e);
    history_table_init(t, path);
    if (history_read(path, year, t, warnings, &e))
        fail_msg("%s: %s", path, e.msg.data);
    err_release(&e);
}

static struct ledger *fresh(const char *name)
{
    char path[300];
    struct ledger *l;
    struct err e;

    snprintf(path, sizeof(path), "%s/%s.db", dir, name);
    err_init(&e);
    if (!(l = ledger_open(path, &e)))
        fail_msg("%s", e.msg.data);
    err_release(&e);
    return l;
}

/* The office's tables: every row, its title exactly, its date. */
static void test_office_tables(void **state)
{
    struct history_table t;
    struct buf w = BUF_INIT;
    const struct history_row *r;

    (void)state;
    read_ok("informe-2024T1-voto-chilango.tsv", 0, &t, &w);
    assert_int_equal(t.n, 12);
    r = &t.rows[1];
    assert_int_equal(r->line, 5); /* two comments and the header before it */
    assert_string_equal(r->title, "Invitación a la sexta edición del concurso de cortometrajes "
                                  "Vota Film Fest \"La democracia a través de tu lente: "
                                  "¡Exprésate en corto!\"");
    assert_int_equal(r->date.n, 1);
    assert_int_equal(r->date.days[0].y, 2024);
    assert_int_equal(r->date.days[0].m, 1);
    assert_int_equal(r->date.days[0].d, 8);
    assert_string_equal(t.rows[11].title, "Invitación para escuchar y difundir el Podcast "
                                          "\"Voto Chilango\".");
    assert_int_equal(t.rows[11].date.days[0].d, 29);
    assert_int_equal(w.len, 0);
    history_table_release(&t);

    read_ok("informe-2024T1-red-observacion.tsv", 0, &t, &w);
    assert_int_equal(t.n, 35);
    assert_true(t.rows[0].date.month_only);
    assert_int_equal(t.rows[0].date.days[0].m, 1);
    assert_int_equal(t.rows[7].date.days[0].m, 2);
    assert_int_equal(t.rows[34].date.days[0].m, 3);
    assert_string_equal(t.rows[3].title, "Envío de dos noticias semanales en materia electoral");
    assert_int_equal(w.len, 0);
    history_table_release(&t);
    buf_release(&w);
}

/* Wrong weekdays are warnings naming the right one; dates without a year
 * take it from the rows around them. */
static void test_weekdays_and_years(void **state)
{
    struct history_table t;
    struct buf w = BUF_INIT;

    (void)state;
    read_ok("julio-2021.tsv", 0, &t, &w);
    assert_int_equal(t.n, 6);
    if (!strstr(w.data, "julio-2021.tsv:6: \"Miércoles 27 de julio\": 27 de julio de 2021 was a "
                        "martes\n") ||
        !strstr(w.data, "julio-2021.tsv:9: \"Jueves 20 de agosto de 2021\": 20 de agosto de "
                        "2021 was a viernes\n"))
        fail_msg("warnings:\n%s", w.data);
    assert_int_equal(t.rows[1].date.n, 3);
    assert_int_equal(t.rows[2].date.days[0].y, 2021);
    assert_int_equal(t.rows[2].year_from, HISTORY_YEAR_CONTEXT);
    assert_int_equal(t.rows[3].year_from, HISTORY_YEAR_CONTEXT);
    assert_int_equal(t.rows[0].year_from, HISTORY_YEAR_WRITTEN);
    assert_true(t.rows[4].date.range);
    history_table_release(&t);
    buf_release(&w);
}

/* A year from the row after; across the turn of a year; from --year. */
static void test_year_sources(void **state)
{
    static const char table[] = "no\tfecha\tinformacion\n"
                                "1\t30 de diciembre\tBoletín de diciembre\n"
                                "2\t6 de enero de 2026\tBoletín de enero\n"
                                "3\t20 de enero\tAviso\n";
    static const char turn[] = "1\t15 de diciembre de 2025\tA\n2\t3 de enero\tB\n";
    struct history_table t;
    struct buf w = BUF_INIT;
    struct err e;

    (void)state;
    err_init(&e);
    history_table_init(&t, "mem");
    assert_int_equal(history_read_mem("mem", table, strlen(table), 0, &t, &w, &e), 0);
    assert_int_equal(t.rows[0].date.days[0].y, 2025); /* before 6 January 2026 */
    assert_int_equal(t.rows[2].date.days[0].y, 2026);
    history_table_release(&t);
    assert_int_equal(history_read_mem("mem", turn, strlen(turn), 0, &t, &w, &e), 0);
    assert_int_equal(t.rows[1].date.days[0].y, 2026); /* after December 2025 */
    history_table_release(&t);
    assert_int_equal(history_read_mem("mem", table, strlen(table), 2030, &t, &w, &e), 0);
    assert_int_equal(t.rows[0].date.days[0].y, 2030);
    assert_int_equal(t.rows[0].year_from, HISTORY_YEAR_OPTION);
    assert_int_equal(t.rows[1].date.days[0].y, 2026); /* written */
    history_table_release(&t);
    buf_release(&w);
    err_release(&e);
}

/* Every problem of every row, with its line and its column; no row read. */
static void test_errors(void **state)
{
    static const char *const want[] = {
        "errores.csv:2: fecha: \"32 de julio de 2021\": 2021-07 has no day 32",
        "errores.csv:3: no: \"x\" is not a number",
        "errores.csv:4: fecha: no date",
        "errores.csv:5: informacion: no title",
        "errores.csv:6: fecha: \"martes de julio de 2021\": a weekday without its day",
    };
    static const char nodate[] = "1\tsin fecha\tAviso\n";
    static const char noyear[] = "1\t8 de julio\tAviso\n";
    struct history_table t;
    struct buf w = BUF_INIT;
    char path[512];
    struct err e;
    size_t i;

    (void)state;
    fixture("errores.csv", path, sizeof(path));
    err_init(&e);
    history_table_init(&t, path);
    assert_int_equal(history_read(path, 0, &t, &w, &e), -1);
    assert_int_equal(e.kind, ERR_DATA);
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(e.msg.data, want[i]))
            fail_msg("missing \"%s\" in:\n%s", want[i], e.msg.data);
    /* the quoted CSV row was read as the spreadsheet wrote it */
    assert_string_equal(t.rows[5].title, "Título con \"comillas\", y coma");
    history_table_release(&t);
    err_release(&e);

    err_init(&e);
    assert_int_equal(history_read_mem("t.tsv", nodate, strlen(nodate), 0, &t, &w, &e), -1);
    assert_non_null(strstr(e.msg.data, "t.tsv:1: fecha: \"sin fecha\": \"sin\" is not part"));
    history_table_release(&t);
    err_release(&e);
    err_init(&e);
    assert_int_equal(history_read_mem("t.tsv", noyear, strlen(noyear), 0, &t, &w, &e), -1);
    assert_non_null(strstr(e.msg.data, "t.tsv:1: fecha: \"8 de julio\" has no year: give it "
                                       "with --year"));
    history_table_release(&t);
    err_release(&e);
    err_init(&e);
    history_table_init(&t, "/no/such/table.tsv");
    assert_int_equal(history_read("/no/such/table.tsv", 0, &t, &w, &e), -1);
    assert_int_equal(e.kind, ERR_NOINPUT);
    err_release(&e);
    buf_release(&w);
}

static int count_events(void *ud, const struct ledger_event *ev)
{
    if (!strcmp(ev->what, "history"))
        snprintf(ud, 256, "%s", ev->detail);
    return 0;
}

static int count_rows(void *ud, const struct ledger_history *h)
{
    (void)h;
    ++*(long *)ud;
    return 0;
}

/* Recorded once, with the event; a second import adds nothing; the same
 * row twice in one table is two mailings. */
static void test_record_once(void **state)
{
    static const char twice[] = "1\tEnero 2024\tNoticias\n2\tEnero 2024\tNoticias\n";
    struct ledger *l = fresh("record");
    struct history_table t;
    struct history_result res;
    struct buf w = BUF_INIT;
    char detail[256] = "";
    struct err e;
    long n = 0;

    (void)state;
    err_init(&e);
    read_ok("informe-2024T1-voto-chilango.tsv", 0, &t, &w);
    assert_int_equal(history_record(l, &t, "diaspora", NULL, NULL, "import t", &res, &e), 0);
    assert_int_equal(res.added, 12);
    assert_int_equal(ledger_events_each(l, 0, NULL, NULL, count_events, detail, &e), 0);
    assert_string_equal(detail, "import t: 12 recorded, 0 already recorded");
    assert_int_equal(history_record(l, &t, "diaspora", NULL, NULL, "import t", &res, &e), 0);
    assert_int_equal(res.added, 0);
    assert_int_equal(res.already, 12);
    /* another list is another audience */
    assert_int_equal(history_record(l, &t, "red", NULL, NULL, "import t", &res, &e), 0);
    assert_int_equal(res.added, 12);
    history_table_release(&t);
    history_table_init(&t, "mem");
    assert_int_equal(history_read_mem("mem", twice, strlen(twice), 0, &t, &w, &e), 0);
    assert_int_equal(history_record(l, &t, "x", "digest", NULL, "import mem", &res, &e), 0);
    assert_int_equal(res.added, 2);
    assert_int_equal(history_record(l, &t, "x", "digest", NULL, "import mem", &res, &e), 0);
    assert_int_equal(res.added, 0);
    assert_int_equal(res.already, 2);
    history_table_release(&t);
    assert_int_equal(ledger_history_each(l, 0, 0, count_rows, &n, &e), 0);
    assert_int_equal(n, 26);
    buf_release(&w);
    err_release(&e);
    ledger_close(l);
}

/* history add: one row, its checks. */
static void test_add_row(void **state)
{
    struct history_table t;
    struct buf w = BUF_INIT;
    struct err e;

    (void)state;
    err_init(&e);
    history_table_init(&t, "add");
    assert_int_equal(history_add_row(&t, "Martes 8 de julio de 2021", "Boletín", "bulletin",
                                     "votochilango@iecm.example", 120, 0, &w, &e),
                     0);
    assert_string_equal(w.data, "\"Martes 8 de julio de 2021\": 8 de julio de 2021 was a jueves\n");
    assert_int_equal(t.rows[0].recipients, 120);
    assert_int_equal(history_add_row(&t, "8 de julio", "B", NULL, NULL, -1, 0, &w, &e), -1);
    assert_non_null(strstr(e.msg.data, "--date: \"8 de julio\" has no year"));
    err_release(&e);
    err_init(&e);
    assert_int_equal(history_add_row(&t, "8 de julio de 2021", " ", "boletin", NULL, -1, 0, &w, &e),
                     -1);
    assert_non_null(strstr(e.msg.data, "--title: no title"));
    assert_non_null(strstr(e.msg.data, "--kind: \"boletin\" is not one of"));
    history_table_release(&t);
    err_release(&e);
    buf_release(&w);
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
        cmocka_unit_test(test_office_tables), cmocka_unit_test(test_weekdays_and_years),
        cmocka_unit_test(test_year_sources),  cmocka_unit_test(test_errors),
        cmocka_unit_test(test_record_once),   cmocka_unit_test(test_add_row),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
