/* test_schedule - when a campaign's editions are due: the schedule and
 * send_at a campaign file may say (and what it may not), the latest slot at
 * or before a time (a missed one is caught up, older ones are not), the next
 * one, in Mexico City time across summer time (until October 2022), month
 * ends and year ends. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "schedule.h"

#include "banned.h"

static time_t at(const char *iso)
{
    time_t t;

    if (clock_parse_iso(iso, &t))
        fail_msg("bad time %s", iso);
    return t;
}

static void test_parse(void **state)
{
    static const struct {
        const char *cadence, *schedule, *send_at;
        int ok;
        enum schedule_kind kind;
        int wday, mday, hour, min;
    } cases[] = {
        {"weekly", "monday 08:00", "", 1, SCHEDULE_WEEKLY, 1, 0, 8, 0},
        {"weekly", "Lunes 08:30", "", 1, SCHEDULE_WEEKLY, 1, 0, 8, 30},
        {"weekly", "miércoles 17:05", "", 1, SCHEDULE_WEEKLY, 3, 0, 17, 5},
        {"weekly", "sábado 23:59", "", 1, SCHEDULE_WEEKLY, 6, 0, 23, 59},
        {"weekly", "sunday 00:00", "", 1, SCHEDULE_WEEKLY, 0, 0, 0, 0},
        {"monthly", "day 1 09:00", "", 1, SCHEDULE_MONTHLY, 0, 1, 9, 0},
        {"monthly", "day 31 18:15", "", 1, SCHEDULE_MONTHLY, 0, 31, 18, 15},
        {"monthly", "", "", 1, SCHEDULE_NONE, 0, 0, 0, 0}, /* sent by hand */
        {"once", "", "", 1, SCHEDULE_NONE, 0, 0, 0, 0},
        {"once", "", "2026-12-01 09:00", 1, SCHEDULE_ONCE, 0, 0, 0, 0},
        {"weekly", "funday 08:00", "", 0, SCHEDULE_NONE, 0, 0, 0, 0},
        {"weekly", "monday 24:00", "", 0, SCHEDULE_NONE, 0, 0, 0, 0},
        {"weekly", "monday 8:60", "", 0, SCHEDULE_NONE, 0, 0, 0, 0},
        {"weekly", "monday", "", 0, SCHEDULE_NONE, 0, 0, 0, 0},
        {"weekly", "monday 08:00x", "", 0, SCHEDULE_NONE, 0, 0, 0, 0},
        {"monthly", "day 0 09:00", "", 0, SCHEDULE_NONE, 0, 0, 0, 0},
        {"monthly", "day 32 09:00", "", 0, SCHEDULE_NONE, 0, 0, 0, 0},
        {"monthly", "monday 09:00", "", 0, SCHEDULE_NONE, 0, 0, 0, 0},
        {"monthly", "", "2026-12-01 09:00", 0, SCHEDULE_NONE, 0, 0, 0, 0},
        {"once", "monday 08:00", "", 0, SCHEDULE_NONE, 0, 0, 0, 0},
        {"once", "", "2026-13-01 09:00", 0, SCHEDULE_NONE, 0, 0, 0, 0},
        {"once", "", "2026-12-01", 0, SCHEDULE_NONE, 0, 0, 0, 0},
        {"once", "", "2026-12-01 09:00 tarde", 0, SCHEDULE_NONE, 0, 0, 0, 0},
    };
    struct schedule_rule r;
    const char *why;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        why = NULL;
        int rc = schedule_parse(cases[i].cadence, cases[i].schedule, cases[i].send_at, &r, &why);
        if ((rc == 0) != cases[i].ok)
            fail_msg("%s \"%s\" \"%s\": got %d (%s)", cases[i].cadence, cases[i].schedule,
                     cases[i].send_at, rc, why ? why : "");
        if (!cases[i].ok) {
            assert_non_null(why); /* a refusal says why */
            continue;
        }
        assert_int_equal(r.kind, cases[i].kind);
        if (r.kind == SCHEDULE_WEEKLY)
            assert_int_equal(r.wday, cases[i].wday);
        if (r.kind == SCHEDULE_MONTHLY)
            assert_int_equal(r.mday, cases[i].mday);
        if (r.kind == SCHEDULE_WEEKLY || r.kind == SCHEDULE_MONTHLY) {
            assert_int_equal(r.hour, cases[i].hour);
            assert_int_equal(r.min, cases[i].min);
        }
    }
    /* send_at is Mexico City time: 09:00 there is 15:00Z in winter */
    assert_int_equal(schedule_parse("once", "", "2026-12-01 09:00", &r, &why), 0);
    assert_int_equal(r.at, at("2026-12-01T15:00:00Z"));
}

struct slot_case {
    const char *cadence, *schedule, *now;
    const char *latest, *latest_edition; /* NULL: none yet */
    const char *next, *next_edition;
};

static void check_slots(const struct slot_case *c)
{
    struct schedule_rule r;
    struct edition e;
    const char *why;
    time_t t;
    char got[32];

    assert_int_equal(schedule_parse(c->cadence, c->schedule, "", &r, &why), 0);
    t = schedule_latest(&r, c->cadence, NULL, at(c->now), &e);
    clock_iso(t, got, sizeof(got));
    if (c->latest ? t != at(c->latest) || strcmp(e.name, c->latest_edition) : t != 0)
        fail_msg("%s \"%s\" at %s: latest %s %s, want %s %s", c->cadence, c->schedule, c->now, got,
                 e.name, c->latest ? c->latest : "none", c->latest ? c->latest_edition : "");
    t = schedule_next(&r, c->cadence, NULL, at(c->now), &e);
    clock_iso(t, got, sizeof(got));
    if (t != at(c->next) || strcmp(e.name, c->next_edition))
        fail_msg("%s \"%s\" at %s: next %s %s, want %s %s", c->cadence, c->schedule, c->now, got,
                 e.name, c->next, c->next_edition);
}

static void test_weekly(void **state)
{
    static const struct slot_case cases[] = {
        /* Monday 23 Nov 2026, 08:00 in Mexico City is 14:00Z; the edition is
         * the week that ended (W47) */
        {"weekly", "monday 08:00", "2026-11-23T14:00:00Z", "2026-11-23T14:00:00Z", "2026-W47",
         "2026-11-30T14:00:00Z", "2026-W48"},
        /* a minute before: the latest is last Monday's (caught up once) */
        {"weekly", "monday 08:00", "2026-11-23T13:59:00Z", "2026-11-16T14:00:00Z", "2026-W46",
         "2026-11-23T14:00:00Z", "2026-W47"},
        /* Friday: this Monday's slot is the latest */
        {"weekly", "monday 08:00", "2026-11-27T20:00:00Z", "2026-11-23T14:00:00Z", "2026-W47",
         "2026-11-30T14:00:00Z", "2026-W48"},
        /* across the year: Monday 4 Jan 2027 sends 2026's week 53 */
        {"weekly", "lunes 08:00", "2027-01-04T15:00:00Z", "2027-01-04T14:00:00Z", "2026-W53",
         "2027-01-11T14:00:00Z", "2027-W01"},
        /* summer time 2022: 08:00 was 13:00Z */
        {"weekly", "monday 08:00", "2022-06-06T13:30:00Z", "2022-06-06T13:00:00Z", "2022-W22",
         "2022-06-13T13:00:00Z", "2022-W23"},
        /* Sunday late at night in Mexico City is Monday in UTC: not yet Monday */
        {"weekly", "monday 08:00", "2026-11-23T05:30:00Z", "2026-11-16T14:00:00Z", "2026-W46",
         "2026-11-23T14:00:00Z", "2026-W47"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_slots(&cases[i]);
}

static void test_monthly(void **state)
{
    static const struct slot_case cases[] = {
        {"monthly", "day 1 09:00", "2026-11-01T15:00:00Z", "2026-11-01T15:00:00Z", "2026-11",
         "2026-12-01T15:00:00Z", "2026-12"},
        {"monthly", "day 1 09:00", "2026-11-01T14:59:00Z", "2026-10-01T15:00:00Z", "2026-10",
         "2026-11-01T15:00:00Z", "2026-11"},
        /* day 31: the last day of a shorter month (February 2027 has 28) */
        {"monthly", "day 31 10:00", "2027-02-15T12:00:00Z", "2027-01-31T16:00:00Z", "2027-01",
         "2027-02-28T16:00:00Z", "2027-02"},
        {"monthly", "day 30 10:00", "2028-02-29T16:00:00Z", "2028-02-29T16:00:00Z", "2028-02",
         "2028-03-30T16:00:00Z", "2028-03"}, /* a leap year */
        /* across the year */
        {"monthly", "day 15 09:00", "2027-01-10T12:00:00Z", "2026-12-15T15:00:00Z", "2026-12",
         "2027-01-15T15:00:00Z", "2027-01"},
        {"monthly", "day 15 09:00", "2026-12-20T12:00:00Z", "2026-12-15T15:00:00Z", "2026-12",
         "2027-01-15T15:00:00Z", "2027-01"},
        /* the last change of summer time (30 October 2022): 09:00 was 14:00Z,
         * then 15:00Z */
        {"monthly", "day 1 09:00", "2022-10-20T12:00:00Z", "2022-10-01T14:00:00Z", "2022-10",
         "2022-11-01T15:00:00Z", "2022-11"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_slots(&cases[i]);
}

static void test_once_and_none(void **state)
{
    struct schedule_rule r;
    struct edition e;
    const char *why;

    (void)state;
    assert_int_equal(schedule_parse("once", "", "2026-12-01 09:00", &r, &why), 0);
    assert_int_equal(schedule_latest(&r, "once", "Convocatoria", at("2026-12-01T14:59:00Z"), &e),
                     0);
    assert_int_equal(schedule_next(&r, "once", "Convocatoria", at("2026-12-01T14:59:00Z"), &e),
                     at("2026-12-01T15:00:00Z"));
    assert_string_equal(e.name, "main");
    assert_string_equal(e.label, "Convocatoria");
    assert_int_equal(schedule_latest(&r, "once", NULL, at("2027-03-01T00:00:00Z"), &e),
                     at("2026-12-01T15:00:00Z")); /* still due until it is sent */
    assert_int_equal(schedule_next(&r, "once", NULL, at("2027-03-01T00:00:00Z"), &e), 0);
    /* no schedule: never due by itself */
    assert_int_equal(schedule_parse("monthly", "", "", &r, &why), 0);
    assert_int_equal(schedule_latest(&r, "monthly", NULL, at("2026-12-01T15:00:00Z"), &e), 0);
    assert_int_equal(schedule_next(&r, "monthly", NULL, at("2026-12-01T15:00:00Z"), &e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_weekly),
        cmocka_unit_test(test_monthly),
        cmocka_unit_test(test_once_and_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
