/* test_edition - the periods of editions in Mexico City time (the zone had
 * summer time until October 2022: a period that crosses a change is not a
 * whole number of 24-hour days), which names name an edition, and the
 * edition a cadence gives at a time, with a once campaign's label. The
 * Spanish labels of weeks across year ends are in test_dates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "edition.h"

#include "banned.h"

static time_t at(const char *iso)
{
    time_t t;

    if (clock_parse_iso(iso, &t))
        fail_msg("bad time %s", iso);
    return t;
}

static void test_periods(void **state)
{
    static const struct {
        const char *name, *start, *end;
    } cases[] = {
        /* midnight in Mexico City: 06:00Z in standard time, 05:00Z in summer time */
        {"2026-11", "2026-11-01T06:00:00Z", "2026-12-01T06:00:00Z"},
        {"2026-12", "2026-12-01T06:00:00Z", "2027-01-01T06:00:00Z"}, /* across the year */
        {"2026-W47", "2026-11-16T06:00:00Z", "2026-11-23T06:00:00Z"},
        {"2026-W53", "2026-12-28T06:00:00Z", "2027-01-04T06:00:00Z"},
        /* 2022: summer time from 3 April to 30 October, then never again */
        {"2022-04", "2022-04-01T06:00:00Z", "2022-05-01T05:00:00Z"},
        {"2022-10", "2022-10-01T05:00:00Z", "2022-11-01T06:00:00Z"},
        {"2022-W13", "2022-03-28T06:00:00Z", "2022-04-04T05:00:00Z"},
        {"2022-W43", "2022-10-24T05:00:00Z", "2022-10-31T06:00:00Z"},
    };
    struct edition e;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        edition_named(cases[i].name, &e);
        assert_string_equal(e.name, cases[i].name);
        if (e.start != at(cases[i].start) || e.end != at(cases[i].end)) {
            char s[32], x[32];
            clock_iso(e.start, s, sizeof(s));
            clock_iso(e.end, x, sizeof(x));
            fail_msg("%s: [%s, %s), want [%s, %s)", cases[i].name, s, x, cases[i].start,
                     cases[i].end);
        }
    }
}

/* Names that are not a month or a week are kept as they are, with no
 * period: a 13th month, week 0, week 53 of a year of 52, a trailing letter. */
static void test_not_periods(void **state)
{
    static const char *const names[] = {"main",     "recordatorio-1", "2026-13",  "2026-00",
                                        "2026-W00", "2025-W53",       "2026-11x", "2026-W47x"};
    struct edition e;

    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        edition_named(names[i], &e);
        assert_string_equal(e.name, names[i]);
        assert_string_equal(e.label, names[i]);
        assert_int_equal(e.start, 0);
        assert_int_equal(e.end, 0);
    }
}

static void test_name_ok(void **state)
{
    static const struct {
        const char *name;
        int ok;
    } cases[] = {
        {"2026-11", 1},
        {"main", 1},
        {"recordatorio-1", 1},
        {"", 0},
        {".hidden", 0},
        {"../etc", 0},
        {"a/b", 0},
        {"a\\b", 0},
        {"a b", 0},
        {"a\tb", 0},
        {"a\nb", 0},
        {"a\rb", 0},
        {"ñandú", 1},
        /* 63 bytes fit the name, 64 do not */
        {"123456789012345678901234567890123456789012345678901234567890123", 1},
        {"1234567890123456789012345678901234567890123456789012345678901234", 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (edition_name_ok(cases[i].name) != cases[i].ok)
            fail_msg("\"%s\": got %d, want %d", cases[i].name, !cases[i].ok, cases[i].ok);
}

/* The edition a cadence gives is named by local time, not UTC; a once
 * campaign's "main" takes its label. */
static void test_for_cadence(void **state)
{
    struct edition e;

    (void)state;
    /* 23:30 on 31 October in Mexico City is already November in UTC */
    edition_for("monthly", NULL, at("2026-11-01T05:30:00Z"), &e);
    assert_string_equal(e.name, "2026-10");
    assert_string_equal(e.label, "octubre de 2026");
    /* Sunday night in Mexico City: the week that ended is the one before */
    edition_for("weekly", NULL, at("2026-11-23T05:00:00Z"), &e);
    assert_string_equal(e.name, "2026-W46");
    edition_for("weekly", NULL, at("2026-11-23T07:00:00Z"), &e);
    assert_string_equal(e.name, "2026-W47");
    edition_for("once", "Convocatoria 2026", at("2026-11-23T07:00:00Z"), &e);
    assert_string_equal(e.name, "main");
    assert_string_equal(e.label, "Convocatoria 2026");
    assert_int_equal(e.start, 0);
    edition_for("once", NULL, at("2026-11-23T07:00:00Z"), &e);
    assert_string_equal(e.label, "main");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_not_periods),
        cmocka_unit_test(test_name_ok),
        cmocka_unit_test(test_for_cadence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
