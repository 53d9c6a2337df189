/* test_dates - Spanish dates and campaign editions: weekdays of every
 * month, date lists as the office writes them, ISO weeks across years;
 * Mexico City's zone rules across 2021, 2022 and 2023 in the times shown
 * and in the Date: header. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "campaign.h"
#include "clock.h"
#include "datefmt.h"
#include "message.h"

#include "banned.h"

/* Noon in Mexico City of a civil date. */
static time_t noon(int y, int m, int d)
{
    return clock_from_local(y - 1900, m - 1, d, 12, 0);
}

static void test_long_dates_every_month(void **state)
{
    /* weekdays checked against a calendar */
    static const struct {
        int y, m, d;
        const char *want;
    } cases[] = {
        {2024, 1, 25, "Jueves 25 de enero de 2024"},
        {2024, 2, 29, "Jueves 29 de febrero de 2024"},
        {2024, 3, 13, "Miércoles 13 de marzo de 2024"},
        {2024, 4, 1, "Lunes 1 de abril de 2024"},
        {2024, 5, 5, "Domingo 5 de mayo de 2024"},
        {2024, 6, 2, "Domingo 2 de junio de 2024"},
        {2021, 7, 8, "Jueves 8 de julio de 2021"},
        {2024, 8, 31, "Sábado 31 de agosto de 2024"},
        {2024, 9, 16, "Lunes 16 de septiembre de 2024"},
        {2024, 10, 1, "Martes 1 de octubre de 2024"},
        {2026, 11, 22, "Domingo 22 de noviembre de 2026"},
        {2026, 12, 31, "Jueves 31 de diciembre de 2026"},
    };
    struct buf b = BUF_INIT;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_reset(&b);
        assert_int_equal(datefmt_long(&b, noon(cases[i].y, cases[i].m, cases[i].d)), 0);
        assert_string_equal(b.data, cases[i].want);
    }
    buf_release(&b);
}

static void test_date_lists(void **state)
{
    time_t julio[3] = {noon(2021, 7, 9), noon(2021, 7, 20), noon(2021, 7, 22)};
    time_t cross[2] = {noon(2025, 1, 30), noon(2025, 2, 7)};
    time_t years[2] = {noon(2025, 12, 30), noon(2026, 1, 6)};
    struct buf b = BUF_INIT;

    (void)state;
    assert_int_equal(datefmt_list(&b, julio, 3), 0);
    assert_string_equal(b.data, "Viernes 9, martes 20 y jueves 22 de julio de 2021");
    buf_reset(&b);
    assert_int_equal(datefmt_list(&b, cross, 2), 0);
    assert_string_equal(b.data, "Jueves 30 de enero y viernes 7 de febrero de 2025");
    buf_reset(&b);
    assert_int_equal(datefmt_list(&b, years, 2), 0);
    assert_string_equal(b.data, "Martes 30 de diciembre de 2025 y martes 6 de enero de 2026");
    buf_release(&b);
}

/* A late-evening time in Mexico City is already the next day in UTC. */
static void test_local_not_utc(void **state)
{
    struct buf b = BUF_INIT;
    time_t t;

    (void)state;
    assert_int_equal(clock_parse_iso("2024-04-01T05:30:00Z", &t), 0);
    assert_int_equal(datefmt_long(&b, t), 0);
    assert_string_equal(b.data, "Domingo 31 de marzo de 2024");
    buf_release(&b);
}

static void test_named_editions(void **state)
{
    static const struct {
        const char *name, *label;
    } cases[] = {
        {"2026-11", "noviembre de 2026"},
        {"2026-W47", "semana del 16 al 22 de noviembre de 2026"},
        {"2026-W44", "semana del 26 de octubre al 1 de noviembre de 2026"},
        {"2026-W53", "semana del 28 de diciembre de 2026 al 3 de enero de 2027"},
        {"2027-W01", "semana del 4 al 10 de enero de 2027"},
        {"2020-W53", "semana del 28 de diciembre de 2020 al 3 de enero de 2021"},
        {"2025-W01", "semana del 30 de diciembre de 2024 al 5 de enero de 2025"},
        {"2025-W53", "2025-W53"}, /* 2025 has 52 ISO weeks: not a week */
        {"recordatorio-1", "recordatorio-1"},
    };
    struct edition e;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        edition_named(cases[i].name, &e);
        if (strcmp(e.label, cases[i].label))
            fail_msg("%s: got \"%s\", want \"%s\"", cases[i].name, e.label, cases[i].label);
    }
}

static void test_cadence_editions(void **state)
{
    static const struct {
        const char *cadence, *now, *want;
    } cases[] = {
        {"monthly", "2026-11-22T15:00:00Z", "2026-11"},
        {"monthly", "2026-12-01T05:00:00Z", "2026-11"}, /* 23:00 on 30 Nov in Mexico City */
        {"weekly", "2026-11-23T14:00:00Z", "2026-W47"}, /* Monday: the week that just ended */
        {"weekly", "2027-01-04T14:00:00Z", "2026-W53"},
        {"weekly", "2021-01-04T14:00:00Z", "2020-W53"},
        {"weekly", "2026-01-05T14:00:00Z", "2026-W01"},
        {"once", "2026-11-22T15:00:00Z", "main"},
    };
    struct campaign c = {0};
    struct edition e;
    struct err err;
    time_t now;
    size_t i;

    (void)state;
    err_init(&err);
    c.name = "Prueba";
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        c.cadence = (char *)cases[i].cadence;
        assert_int_equal(clock_parse_iso(cases[i].now, &now), 0);
        assert_int_equal(campaign_edition(&c, NULL, now, &e, &err), 0);
        if (strcmp(e.name, cases[i].want))
            fail_msg("%s at %s: got %s, want %s", cases[i].cadence, cases[i].now, e.name,
                     cases[i].want);
    }
    assert_int_equal(campaign_edition(&c, "../etc", now, &e, &err), -1);
    err_release(&err);
}

/* America/Mexico_City by its real rules: summer time (-0500) from the first
 * Sunday of April to the last Sunday of October until 2022, none since
 * (-0600). Each time shown and the Date: header follow the rule of its
 * date, not a fixed -0600. */
static void test_zone_rules(void **state)
{
    static const struct {
        const char *utc;  /* an instant */
        int hour, offset; /* its hour in Mexico City, minutes east of UTC */
        const char *date; /* the Date: header of a message sent then */
    } cases[] = {
        {"2021-01-15T18:00:00Z", 12, -360, "Fri, 15 Jan 2021 12:00:00 -0600"},
        {"2021-07-08T17:00:00Z", 12, -300, "Thu, 8 Jul 2021 12:00:00 -0500"},
        {"2022-04-03T07:59:00Z", 1, -360, "Sun, 3 Apr 2022 01:59:00 -0600"},
        {"2022-04-03T08:00:00Z", 3, -300, "Sun, 3 Apr 2022 03:00:00 -0500"},
        {"2022-10-29T17:00:00Z", 12, -300, "Sat, 29 Oct 2022 12:00:00 -0500"},
        {"2022-10-30T06:59:00Z", 1, -300, "Sun, 30 Oct 2022 01:59:00 -0500"},
        {"2022-10-30T07:00:00Z", 1, -360, "Sun, 30 Oct 2022 01:00:00 -0600"},
        {"2022-10-31T18:00:00Z", 12, -360, "Mon, 31 Oct 2022 12:00:00 -0600"},
        {"2023-04-02T08:00:00Z", 2, -360, "Sun, 2 Apr 2023 02:00:00 -0600"},
        {"2023-07-08T18:00:00Z", 12, -360, "Sat, 8 Jul 2023 12:00:00 -0600"},
    };
    struct message_spec m = {0};
    struct buf out = BUF_INIT, want = BUF_INIT;
    struct tm tm;
    struct err e;
    time_t t;
    size_t i;

    (void)state;
    m.from_address = "votochilango@iecm.example.org";
    m.to_address = "ana@example.com";
    m.subject = "Prueba";
    m.text = "Hola.\n";
    m.text_len = 6;
    m.message_id = "m1.0123456789abcdef@iecm.example.org";
    m.boundary_seed = "zone";
    err_init(&e);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(clock_parse_iso(cases[i].utc, &t), 0);
        clock_local(t, &tm);
        if (tm.tm_hour != cases[i].hour || clock_utc_offset(t) != cases[i].offset)
            fail_msg("%s: %02d:%02d (%d min), want %02d h (%d min)", cases[i].utc, tm.tm_hour,
                     tm.tm_min, clock_utc_offset(t), cases[i].hour, cases[i].offset);
        m.date = t;
        buf_reset(&out);
        assert_int_equal(message_build(&m, &out, &e), 0);
        buf_reset(&want);
        assert_int_equal(buf_addf(&want, "Date: %s\r\n", cases[i].date), 0);
        if (!strstr(out.data, want.data))
            fail_msg("%s: want \"%s\" in\n%.300s", cases[i].utc, cases[i].date, out.data);
    }
    /* noon of a civil day, either side of the change */
    assert_int_equal(clock_from_local(121, 6, 8, 12, 0), 1625763600); /* 2021-07-08T17:00Z */
    assert_int_equal(clock_from_local(123, 6, 8, 12, 0), 1688839200); /* 2023-07-08T18:00Z */
    buf_release(&out);
    buf_release(&want);
    err_release(&e);
}

int main(void)
{
    /* one test a line (clang-format would pack them in columns) */
    /* clang-format off */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_dates_every_month),
        cmocka_unit_test(test_date_lists),
        cmocka_unit_test(test_local_not_utc),
        cmocka_unit_test(test_named_editions),
        cmocka_unit_test(test_cadence_editions),
        cmocka_unit_test(test_zone_rules),
    };
    /* clang-format on */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
