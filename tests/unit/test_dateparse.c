/* test_dateparse - dates as the office writes them, read back: lists with
 * «,» and «y», weekdays right and wrong, runs across months and years,
 * ranges, a month alone, ISO, and what is refused. Table-driven. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dateparse.h"

#include "banned.h"

/* want: "Y-M-D/W" per day (W the weekday written, - for none), "|"-joined,
 * then ";month" or ";range" when so; "year?" when a year is needed. */
static const struct {
    const char *text;
    int year;
    const char *want;
} good[] = {
    {"Viernes 9, martes 20 y jueves 22 de julio de 2021", 0,
     "2021-07-09/5|2021-07-20/2|2021-07-22/4"},
    {"viernes 9, martes 20 y jueves 22 de julio de 2021", 0,
     "2021-07-09/5|2021-07-20/2|2021-07-22/4"},
    {"9, 20 y 22 de julio de 2021", 0, "2021-07-09/-|2021-07-20/-|2021-07-22/-"},
    {"Martes 8 de julio de 2021", 0, "2021-07-08/2"}, /* a Thursday: the caller warns */
    {"Jueves 8 de julio de 2021", 0, "2021-07-08/4"},
    {"1 de enero de 2024", 0, "2024-01-01/-"},
    {"1° de enero de 2024", 0, "2024-01-01/-"},
    {"1º de enero de 2024", 0, "2024-01-01/-"},
    {"22 de julio del 2021", 0, "2021-07-22/-"},
    {"08 de septiembre", 2021, "2021-09-08/-"},
    {"08 de septiembre", 0, "year?"},
    {"8 de setiembre de 2021", 0, "2021-09-08/-"},
    {"MIÉRCOLES 2 DE DICIEMBRE DE 2026", 0, "2026-12-02/3"},
    {"miercoles 2 de diciembre de 2026", 0, "2026-12-02/3"},
    {"Sábado 31 de agosto de 2024.", 0, "2024-08-31/6"},
    {"Miércoles 2 y miércoles 2 de diciembre de 2026", 0, "2026-12-02/3"},
    {"Jueves 30 de enero y viernes 7 de febrero de 2025", 0, "2025-01-30/4|2025-02-07/5"},
    {"Martes 30 de diciembre de 2025 y martes 6 de enero de 2026", 0, "2025-12-30/2|2026-01-06/2"},
    {"30 de diciembre y 6 de enero de 2026", 0, "2025-12-30/-|2026-01-06/-"},
    {"30 de diciembre de 2025 y 6 de enero", 0, "2025-12-30/-|2026-01-06/-"},
    {"30 de diciembre y 6 de enero", 2025, "2025-12-30/-|2026-01-06/-"},
    {"22 y 9 de julio de 2021", 0, "2021-07-09/-|2021-07-22/-"},
    {"9 jul 2021", 0, "2021-07-09/-"},
    {"9 de feb. de 2024", 0, "2024-02-09/-"},
    /* ranges */
    {"del 9 al 13 de julio de 2021", 0, "2021-07-09/-|2021-07-13/-;range"},
    {"Del viernes 9 al martes 13 de julio de 2021", 0, "2021-07-09/5|2021-07-13/2;range"},
    {"9-13 de julio", 2021, "2021-07-09/-|2021-07-13/-;range"},
    {"del 30 de junio al 2 de julio de 2021", 0, "2021-06-30/-|2021-07-02/-;range"},
    {"del 28 de diciembre de 2025 al 3 de enero de 2026", 0, "2025-12-28/-|2026-01-03/-;range"},
    /* a month only */
    {"Enero 2024", 0, "2024-01-01/-;month"},
    {"enero de 2024", 0, "2024-01-01/-;month"},
    {"Febrero", 2024, "2024-02-01/-;month"},
    {"Febrero", 0, "year?"},
    {"2024-03", 0, "2024-03-01/-;month"},
    /* ISO and day-first */
    {"2024-01-25", 0, "2024-01-25/-"},
    {"2024-01-25, 2024-02-01", 0, "2024-01-25/-|2024-02-01/-"},
    {"2024-01-25 y 2024-02-01", 0, "2024-01-25/-|2024-02-01/-"},
    {"25/01/2024", 0, "2024-01-25/-"},
    {"2024-02-29", 0, "2024-02-29/-"},
};

static const struct {
    const char *text;
    const char *want; /* in the error */
} refused[] = {
    {"32 de julio de 2021", "has no day 32"},
    {"29 de febrero de 2023", "2023-02 has no day 29"},
    {"31 de abril de 2024", "has no day 31"},
    {"2023-02-29", "has no day 29"},
    {"martes de julio de 2021", "a weekday without its day"},
    {"9 de julyo de 2021", "\"julyo\" is not part of a date"},
    {"9 de 2021", "a year that does not follow a month"},
    {"9 y 10", "a day without its month"},
    {"", "no date"},
    {"  ", "no date"},
    {"del 13 al 9 de julio de 2021", "ends before it starts"},
    {"del 9 al 9 de julio de 2021", "two different days"},
    {"9 al 13 y 20 de julio de 2021", "a range is two dates"},
    {"2021", "a year that does not follow a month"},
    {"9 de julio de 2021 <script>", "a character that is not part of a date"},
    {"123 de julio", "neither a day nor a year"},
    {"9 de julio de 1850", "a year out of range"},
    {"Enero 4048", "a year out of range"},
    {"2024-13-01", "no such month"},
};

static void describe(const struct dateparse *d, char *out, size_t size)
{
    size_t i, len = 0;

    out[0] = '\0';
    for (i = 0; i < d->n; i++) {
        char w[16];
        if (d->days[i].wday >= 0)
            snprintf(w, sizeof(w), "%d", d->days[i].wday);
        else
            snprintf(w, sizeof(w), "-");
        len += (size_t)snprintf(out + len, size - len, "%s%04d-%02d-%02d/%s", i ? "|" : "",
                                d->days[i].y, d->days[i].m, d->days[i].d, w);
    }
    if (d->month_only)
        snprintf(out + len, size - len, ";month");
    else if (d->range)
        snprintf(out + len, size - len, ";range");
}

static void test_accepted(void **state)
{
    struct dateparse d;
    struct err e;
    char got[512];
    size_t i;
    int rc;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        err_init(&e);
        rc = dateparse_spanish(good[i].text, good[i].year, &d, &e);
        if (rc < 0)
            fail_msg("\"%s\": refused: %s", good[i].text, e.msg.data);
        if (rc == 1)
            snprintf(got, sizeof(got), "year?");
        else
            describe(&d, got, sizeof(got));
        if (strcmp(got, good[i].want))
            fail_msg("\"%s\" (year %d): got %s, want %s", good[i].text, good[i].year, got,
                     good[i].want);
        err_release(&e);
    }
}

static void test_refused(void **state)
{
    struct dateparse d;
    struct err e;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        err_init(&e);
        if (dateparse_spanish(refused[i].text, 2021, &d, &e) != -1)
            fail_msg("\"%s\" was accepted", refused[i].text);
        if (!strstr(e.msg.data, refused[i].want) || e.kind != ERR_DATA)
            fail_msg("\"%s\": error \"%s\" lacks \"%s\"", refused[i].text, e.msg.data,
                     refused[i].want);
        err_release(&e);
    }
}

/* The year of the text wins over the caller's; the caller's is said to be
 * used (year_given 0) so that an importer can say where it came from. */
static void test_year_given(void **state)
{
    struct dateparse d;
    struct err e;

    (void)state;
    err_init(&e);
    assert_int_equal(dateparse_spanish("9 de julio de 2021", 2030, &d, &e), 0);
    assert_int_equal(d.days[0].y, 2021);
    assert_int_equal(d.year_given, 1);
    assert_int_equal(dateparse_spanish("9 de julio", 2030, &d, &e), 0);
    assert_int_equal(d.days[0].y, 2030);
    assert_int_equal(d.year_given, 0);
    err_release(&e);
}

/* Weekdays of a calendar: every weekday, leap days, turns of centuries. */
static void test_weekdays(void **state)
{
    static const struct {
        int y, m, d, w;
    } cases[] = {
        {2021, 7, 8, 4},  {2021, 7, 9, 5},  {2024, 2, 29, 4}, {2000, 1, 1, 6}, {1900, 3, 1, 4},
        {2026, 12, 2, 3}, {2024, 3, 31, 0}, {2024, 1, 1, 1},  {2023, 1, 3, 2},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(dateparse_weekday(cases[i].y, cases[i].m, cases[i].d), cases[i].w);
    assert_int_equal(dateparse_month_days(2024, 2), 29);
    assert_int_equal(dateparse_month_days(2100, 2), 28);
    assert_int_equal(dateparse_month_days(2000, 2), 29);
    assert_int_equal(dateparse_month_days(2023, 4), 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_year_given),
        cmocka_unit_test(test_weekdays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
