/* test_campaign - campaign files are checked as a whole, with file:line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign.h"
#include "clock.h"

#include "banned.h"

static char home[512];

static void test_every_problem_reported(void **state)
{
    static const char *const want[] = {
        "campaigns/bad.ini:11: unknown key \"colour\" in [campaign]",
        "campaigns/bad.ini:13: unknown section [extra]",
        /* a bad value names the line of its key */
        "campaigns/bad.ini:4: kind \"boletin\" is not one of bulletin",
        "campaigns/bad.ini:9: edition \"daily\" is not one of weekly, monthly, once",
        "campaigns/bad.ini:8: from \"Voto Chilango <votochilango.example>\" is not an address",
        "campaigns/bad.ini:6: list \"inexistente\" not found",
        "campaigns/bad.ini:7: template \"falta\"",
        "campaigns/bad.ini:10: paused must be yes or no, not \"quizas\"",
    };
    struct campaign c;
    struct err e;
    size_t i;

    (void)state;
    err_init(&e);
    assert_int_equal(campaign_load(home, "bad", &c, &e), -1);
    assert_int_equal(e.kind, ERR_DATA);
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(e.msg.data, want[i]))
            fail_msg("missing \"%s\" in:\n%s", want[i], e.msg.data);
    campaign_release(&c);
    err_release(&e);
}

static void test_paths_stay_home(void **state)
{
    static const char *const want[] = {
        "list \"../../etc/passwd\": give a name from contacts/, not a path",
        "template \"../secret\": give a name from templates/, not a path",
        "content \"../../../etc/{edition}\": the path must be relative",
        "file \"/etc/passwd\": the path must be relative",
        "file \"campaigns/../../x.pdf\": the path must be relative",
    };
    struct campaign c;
    struct err e;
    size_t i;

    (void)state;
    err_init(&e);
    assert_int_equal(campaign_load(home, "escape", &c, &e), -1);
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(e.msg.data, want[i]))
            fail_msg("missing \"%s\" in:\n%s", want[i], e.msg.data);
    campaign_release(&c);
    err_release(&e);
}

static void test_good(void **state)
{
    struct campaign c;
    struct err e;

    (void)state;
    err_init(&e);
    if (campaign_load(home, "good", &c, &e))
        fail_msg("%s", e.msg.data);
    assert_string_equal(c.name, "Campaña de prueba");
    assert_string_equal(c.report_title, "Invitación para {{nombre}}");
    assert_int_equal(c.nlists, 1);
    assert_string_equal(value_text(value_map_get(c.defaults, "nombre"), NULL), "amiga, amigo");
    campaign_release(&c);
    assert_int_equal(campaign_load(home, "missing", &c, &e), -1);
    assert_int_equal(e.kind, ERR_NOINPUT);
    campaign_release(&c);
    err_clear(&e);
    assert_int_equal(campaign_load(home, "../good", &c, &e), -1);
    campaign_release(&c);
    err_release(&e);
}

/* Every sample campaign in the repository loads clean, and is paused: an
 * example home sends nothing by itself until a person turns a campaign on. */
static void test_samples(void **state)
{
    const char *src = getenv("SOURCE_DIR");
    struct campaign c;
    struct err e;
    char **ids;
    size_t n, i;

    (void)state;
    assert_non_null(src);
    err_init(&e);
    assert_int_equal(campaign_list(src, &ids, &n, &e), 0);
    assert_true(n >= 7);
    for (i = 0; i < n; i++) {
        if (campaign_load(src, ids[i], &c, &e))
            fail_msg("%s: %s", ids[i], e.msg.data);
        if (!c.paused)
            fail_msg("%s: a sample campaign must say paused = yes", ids[i]);
        campaign_release(&c);
    }
    campaign_list_free(ids, n);
    err_release(&e);
}

/* One campaign holds the year's one-off mailings: each [edition] its own
 * subject, report title and date; the default edition is the next due. */
static void test_one_off_editions(void **state)
{
    struct campaign c;
    struct edition e;
    struct err e2;
    time_t dec = clock_from_local(126, 11, 1, 9, 0); /* 2026-12-01 */
    time_t mid = clock_from_local(127, 0, 15, 9, 0); /* 2027-01-15 */
    time_t feb = clock_from_local(127, 1, 1, 9, 0);  /* 2027-02-01 */

    (void)state;
    err_init(&e2);
    if (campaign_load(home, "avisos", &c, &e2))
        fail_msg("%s", e2.msg.data);
    assert_int_equal(c.noverrides, 3);
    /* its sender, and where it is said (an edition may name its own) */
    assert_string_equal(c.sender, "diaspora");
    assert_int_equal(c.sender_line, 10);
    assert_int_equal(campaign_edition(&c, NULL, dec, &e, &e2), 0);
    assert_string_equal(e.name, "registro");
    assert_int_equal(campaign_edition(&c, NULL, mid, &e, &e2), 0);
    assert_string_equal(e.name, "cierre");
    assert_int_equal(campaign_edition(&c, NULL, feb, &e, &e2), 0);
    assert_string_equal(e.name, "cierre"); /* the last one due */
    assert_int_equal(campaign_edition(&c, "podcast", feb, &e, &e2), 0);
    assert_int_equal(campaign_apply_edition(&c, "cierre"), 0);
    assert_string_equal(c.subject, "Último día del registro");
    assert_string_equal(c.report_title, "Aviso sobre el cierre del registro");
    assert_string_equal(c.send_at, "2027-01-20 10:00");
    assert_string_equal(c.sender, "red");
    assert_int_equal(c.sender_line, 22);
    campaign_release(&c);
    /* a campaign with a send_at of its own keeps "main"; no sender: "" */
    assert_int_equal(campaign_load(home, "good", &c, &e2), 0);
    assert_string_equal(c.sender, "");
    assert_int_equal(c.sender_line, 0);
    assert_int_equal(campaign_edition(&c, NULL, dec, &e, &e2), 0);
    assert_string_equal(e.name, "main");
    campaign_release(&c);
    /* an edition's date and name are checked where they are written */
    assert_int_equal(campaign_load(home, "avisos-malos", &c, &e2), -1);
    if (!strstr(e2.msg.data, "campaigns/avisos-malos.ini:12: send_at: write it as YYYY-MM-DD") ||
        !strstr(e2.msg.data, "campaigns/avisos-malos.ini:15: [edition con espacio]: not an "
                             "edition name"))
        fail_msg("%s", e2.msg.data);
    campaign_release(&c);
    err_release(&e2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_problem_reported),
        cmocka_unit_test(test_paths_stay_home),
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_samples),
        cmocka_unit_test(test_one_off_editions),
    };
    const char *fx = getenv("FIXTURES");

    snprintf(home, sizeof(home), "%s/campaign-home", fx ? fx : "tests/fixtures");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
