/* test_contacts - header mapping, filters on lists, dedupe across lists,
 * policy (the filter language itself: test_filter; header keys: test_fold). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contacts.h"
#include "listconf.h"

#include "banned.h"

static char fixture_dir[2048];
static char tmp_dir[64];

static const char *fx(const char *name)
{
    static char paths[8][4096];
    static int next;
    char *p = paths[next++ % 8];

    snprintf(p, 4096, "%s/%s", fixture_dir, name);
    return p;
}

static const char *tmp_csv(const char *name, const char *content)
{
    static char paths[8][128];
    static int next;
    char *p = paths[next++ % 8];
    FILE *f;

    snprintf(p, 128, "%s/%s", tmp_dir, name);
    f = fopen(p, "wb");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    return p;
}

/* ---- loading --------------------------------------------------------- */

struct got {
    struct buf out; /* "address|name|list:line\n" per contact */
    size_t n;
    const char *var; /* a variable to append, or NULL */
};

static int collect(void *ud, const struct contact *c)
{
    struct got *g = ud;
    const struct value *v;

    g->n++;
    assert_int_equal(buf_addf(&g->out, "%s|%s|%s:%zu", c->address, c->name, c->list, c->line), 0);
    if (g->var) {
        v = c->vars ? value_map_get(c->vars, g->var) : NULL;
        assert_int_equal(buf_addf(&g->out, "|%s",
                                  !v                    ? "(none)"
                                  : value_text(v, NULL) ? value_text(v, NULL)
                                                        : "null"),
                         0);
    }
    assert_int_equal(buf_addch(&g->out, '\n'), 0);
    return 0;
}

static int load(const char *const *lists, size_t n, const char *filter, int force, struct got *g,
                struct audience_stats *st, struct buf *report, struct err *err)
{
    struct audience_spec spec = {0};

    spec.lists = lists;
    spec.nlists = n;
    spec.filter = filter;
    spec.force = force;
    return contacts_load(&spec, collect, g, st, report, err);
}

static void test_excel_fixtures(void **state)
{
    static const struct {
        const char *file;
        const char *var;
        const char *want;
        const char *report; /* substring, or NULL for an empty report */
    } cases[] = {
        {"excel_bom_semicolon.csv", "correo_electronico",
         "jose.perez@example.com|José Pérez López|excel_bom_semicolon:2|jose.perez@example.com\n"
         "MARIA.NUNEZ@example.com|María Núñez|excel_bom_semicolon:3|MARIA.NUNEZ@Example.COM\n"
         "ana@correo.example.mx|Ana García|excel_bom_semicolon:4|ana@correo.example.mx\n"
         "luis.ortiz@example.org|Luis Ortiz|excel_bom_semicolon:5|luis.ortiz@example.org\n",
         NULL},
        {"excel_cp1252.csv", "ciudad",
         "begona@example.com|Begoña Ibáñez|excel_cp1252:2|Querétaro\n"
         "joaquin@example.com|Joaquín Muñoz|excel_cp1252:3|San José\n"
         "renee@example.com|Renée Çelik|excel_cp1252:4|Montréal\n",
         "excel_cp1252.csv:2: not valid UTF-8, read as Windows-1252"},
        {"quoted_multiline.csv", "notes",
         "a@example.com|Pérez, Juan|quoted_multiline:2|line one\nline two\n"
         "b@example.com|Ana \"La Güera\" Ruiz|quoted_multiline:4|plain\n"
         "c@example.com|Carlos|quoted_multiline:5|multi\r\nline\r\nnote\n"
         "d@example.com|Dora|quoted_multiline:8|last line without newline\n",
         NULL},
        {"google_sheets.tsv", "city",
         "karla.soto@example.com|Karla Soto|google_sheets.tsv:2|Los Angeles\n"
         "pedro@example.net|Pedro Ramírez|google_sheets.tsv:3|Houston\n"
         "elena@example.com|Elena|google_sheets.tsv:4|Chicago\n",
         NULL},
        {"trailing_empty.csv", "nombre",
         "uno@example.com|Uno|trailing_empty:2|Uno\n"
         "dos@example.com|Dos|trailing_empty:5|Dos\n",
         NULL},
        {"mac_cr.csv", "email",
         "cr1@example.com|Uno|mac_cr:2|cr1@example.com\n"
         "cr2@example.com|Dos|mac_cr:3|cr2@example.com\n",
         NULL},
        {"adversarial.csv", "nombre",
         "eve@example.com|Eve Bcc: victim@example.com|adversarial:2|Eve\r\nBcc: "
         "victim@example.com\n",
         "adversarial.csv:4: invalid address \"mallory@example.com\\r\\nRCPT "
         "TO:<x@evil.example>\": line break"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *list = fx(cases[i].file);
        struct got g = {BUF_INIT, 0, cases[i].var};
        struct buf report = BUF_INIT;
        struct audience_stats st;
        struct err err;

        err_init(&err);
        if (load(&list, 1, NULL, 0, &g, &st, &report, &err))
            fail_msg("%s: %s", cases[i].file, err.msg.data);
        if (strncmp(g.out.data, cases[i].want, strlen(cases[i].want)))
            fail_msg("%s:\n got  \"%s\"\n want \"%s\"", cases[i].file, g.out.data, cases[i].want);
        if (cases[i].report ? !strstr(report.data, cases[i].report) : report.len > 0)
            fail_msg("%s: report \"%s\"", cases[i].file, report.data);
        assert_int_equal(st.accepted, g.n);
        buf_release(&g.out);
        buf_release(&report);
        err_release(&err);
    }
}

static void test_adversarial(void **state)
{
    const char *list = fx("adversarial.csv");
    struct got g = {BUF_INIT, 0, NULL};
    struct buf report = BUF_INIT;
    struct audience_stats st;
    struct err err;

    (void)state;
    err_init(&err);
    assert_int_equal(load(&list, 1, NULL, 0, &g, &st, &report, &err), 0);
    assert_int_equal(st.rows, 30);
    assert_int_equal(st.invalid, 3);
    assert_int_equal(st.accepted, 27);
    /* no contact carries a CR or LF in its address or name */
    assert_null(strchr(g.out.data, '\r'));
    assert_int_equal(g.n, 27);
    assert_non_null(strstr(report.data, "adversarial.csv:6: invalid address \"nul@exa\\x01mple"));
    assert_non_null(strstr(report.data, "adversarial.csv:7: invalid address \"Angle <"));
    /* every report line is one line */
    assert_int_equal(strlen(report.data) > 0, 1);
    buf_release(&g.out);
    buf_release(&report);
    err_release(&err);
}

static void test_structural_errors(void **state)
{
    static const struct {
        const char *file;
        const char *err;
    } cases[] = {
        {"no_address_column.csv", "no_address_column.csv:1: no address column (such as \"email\" "
                                  "or \"correo\"); if it has another name, write it in "
                                  "contacts/NAME.ini (address_column = NAME); headers found: "
                                  "\"Nombre\", \"Telefono\", \"Ciudad\""},
        {"two_address_columns.csv", "two_address_columns.csv:1: 2 columns could hold the "
                                    "addresses (\"Email\", \"Correo\"): write the one to use in "
                                    "contacts/NAME.ini (address_column = NAME)"},
        {"two_address_columns.csv", "headers found: \"Nombre\", \"Email\", \"Correo\""},
        {"mostly_invalid.csv", "mostly_invalid.csv: 3 of 21 rows (14 %) have an invalid address"},
        {"bad_quoting.csv", "bad_quoting.csv:2: malformed quoting"},
        {"unterminated_quote.csv", "unterminated_quote.csv:2: quoted field not closed"},
        {"utf16.csv", "UTF-16"},
        {"does_not_exist.csv", "does_not_exist.csv"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *list = fx(cases[i].file);
        struct got g = {BUF_INIT, 0, NULL};
        struct err err;

        err_init(&err);
        if (load(&list, 1, NULL, 0, &g, NULL, NULL, &err) != -1)
            fail_msg("%s: loaded", cases[i].file);
        if (!strstr(err.msg.data, cases[i].err))
            fail_msg("%s: error \"%s\", want \"%s\"", cases[i].file, err.msg.data, cases[i].err);
        buf_release(&g.out);
        err_release(&err);
    }
}

static void test_force_and_hints(void **state)
{
    const char *list = fx("mostly_invalid.csv");
    struct got g = {BUF_INIT, 0, NULL};
    struct buf report = BUF_INIT;
    struct audience_stats st;
    struct err err;

    (void)state;
    err_init(&err);
    assert_int_equal(load(&list, 1, NULL, 1, &g, &st, &report, &err), 0);
    assert_int_equal(st.rows, 21);
    assert_int_equal(st.invalid, 3);
    assert_int_equal(st.accepted, 18);
    assert_non_null(strstr(report.data, "mostly_invalid.csv:20: invalid address "
                                        "\"bad1.example.com\": missing @\n"));
    assert_non_null(strstr(report.data, "mostly_invalid.csv:21: invalid address "
                                        "\"bad2@gmail,com\": comma in the domain (did you mean "
                                        "bad2@gmail.com?)\n"));
    assert_non_null(strstr(report.data, "mostly_invalid.csv:22: invalid address "
                                        "\"bad3@@example.com\""));
    buf_release(&g.out);
    buf_release(&report);
    err_release(&err);
}

/* The integration property of the issue at the library level: two
 * overlapping lists reach each distinct valid address once, first
 * occurrence wins, each duplicate reported with both locations. */
static void test_overlapping_lists(void **state)
{
    const char *lists[2];
    struct got g = {BUF_INIT, 0, "pais"};
    struct buf report = BUF_INIT;
    struct audience_stats st;
    struct err err;
    char *p;
    size_t count;

    (void)state;
    lists[0] = fx("diaspora_a.csv");
    lists[1] = fx("diaspora_b.csv");
    err_init(&err);
    assert_int_equal(load(lists, 2, NULL, 0, &g, &st, &report, &err), 0);
    assert_string_equal(g.out.data, "juan@example.com|Juan|diaspora_a:2|Estados Unidos\n"
                                    "rosa@example.com|Rosa|diaspora_a:3|Estados Unidos\n"
                                    "tomas@example.com|Tomás|diaspora_a:5|Estados Unidos\n"
                                    "lupe@gmial.com|Lupe|diaspora_a:6|Estados Unidos\n"
                                    "ivan@example.com|Iván|diaspora_b:3|estados unidos\n"
                                    "sofia@xn--bcher-kva.example|Sofía|diaspora_b:4|Canadá\n");
    assert_int_equal(st.rows, 9);
    assert_int_equal(st.duplicates, 3);
    assert_int_equal(st.accepted, 6);
    /* each address exactly once, case-insensitively */
    for (p = g.out.data, count = 0; (p = strstr(p, "rosa@")) != NULL; p++)
        count++;
    assert_int_equal(count, 1);
    assert_non_null(strstr(report.data, "diaspora_a.csv:4: duplicate JUAN@example.com (first at "));
    assert_non_null(strstr(report.data, "diaspora_a.csv:2)"));
    assert_non_null(strstr(report.data, "diaspora_b.csv:2: duplicate Rosa@example.com (first at "));
    assert_non_null(strstr(report.data, "diaspora_b.csv:5: duplicate tomas@example.com"));
    buf_release(&g.out);
    buf_release(&report);
    err_release(&err);
}

static void test_filter_on_lists(void **state)
{
    const char *lists[2];
    struct got g = {BUF_INIT, 0, NULL};
    struct audience_stats st;
    struct err err;

    (void)state;
    lists[0] = fx("diaspora_a.csv");
    lists[1] = fx("diaspora_b.csv");
    err_init(&err);
    assert_int_equal(load(lists, 2, "ciudad in (Chicago, Dallas) and pais = \"Estados Unidos\"", 0,
                          &g, &st, NULL, &err),
                     0);
    assert_string_equal(g.out.data, "juan@example.com|Juan|diaspora_a:2\n"
                                    "rosa@example.com|Rosa|diaspora_a:3\n"
                                    "lupe@gmial.com|Lupe|diaspora_a:6\n"
                                    "ivan@example.com|Iván|diaspora_b:3\n");
    assert_int_equal(st.filtered, 2);
    assert_int_equal(st.duplicates, 3);
    buf_release(&g.out);
    err_release(&err);

    /* the filter may use the canonical columns */
    g.out = (struct buf)BUF_INIT;
    err_init(&err);
    assert_int_equal(
        load(lists, 2, "email = ivan@example.com or nombre = rosa", 0, &g, &st, NULL, &err), 0);
    assert_string_equal(g.out.data, "rosa@example.com|Rosa|diaspora_a:3\n"
                                    "ivan@example.com|Iván|diaspora_b:3\n");
    buf_release(&g.out);
    err_release(&err);

    /* an unknown column is a structural error naming the list */
    g.out = (struct buf)BUF_INIT;
    g.n = 0;
    err_init(&err);
    assert_int_equal(load(lists, 2, "estado = Texas", 0, &g, &st, NULL, &err), -1);
    assert_non_null(strstr(err.msg.data, "diaspora_a.csv:1: the filter names column \"estado\""));
    assert_non_null(strstr(err.msg.data, "headers found: \"Nombre\", \"Correo electrónico\""));
    assert_int_equal(g.n, 0);
    buf_release(&g.out);
    err_release(&err);

    /* a syntax error too */
    err_init(&err);
    assert_int_equal(load(lists, 2, "ciudad in Chicago", 0, &g, &st, NULL, &err), -1);
    assert_non_null(strstr(err.msg.data, "filter:"));
    err_release(&err);
}

static int suppress_rosa(void *ud, const char *address, const char **reason)
{
    (*(int *)ud)++;
    if (!strcmp(address, "rosa@example.com")) {
        *reason = "unsubscribed";
        return 1;
    }
    return 0;
}

static int fail_suppression(void *ud, const char *address, const char **reason)
{
    (void)ud;
    (void)address;
    (void)reason;
    return -1;
}

static void test_suppression(void **state)
{
    const char *lists[2];
    struct audience_spec spec = {0};
    struct got g = {BUF_INIT, 0, NULL};
    struct audience_stats st;
    struct err err;
    int calls = 0;

    (void)state;
    lists[0] = fx("diaspora_a.csv");
    lists[1] = fx("diaspora_b.csv");
    spec.lists = lists;
    spec.nlists = 2;
    spec.suppressed = suppress_rosa;
    spec.suppressed_ud = &calls;
    err_init(&err);
    assert_int_equal(contacts_load(&spec, collect, &g, &st, NULL, &err), 0);
    assert_null(strstr(g.out.data, "rosa@"));
    assert_int_equal(st.suppressed, 1);
    assert_int_equal(st.accepted, 5);
    assert_int_equal(calls, 6); /* duplicates are not looked up again */
    spec.suppressed = fail_suppression;
    assert_int_equal(contacts_load(&spec, collect, &g, &st, NULL, &err), -1);
    assert_non_null(strstr(err.msg.data, "suppression"));
    buf_release(&g.out);
    err_release(&err);
}

struct verdicts {
    struct buf out;
};

static int record_verdict(void *ud, const struct contacts_verdict *v)
{
    static const char *const names[] = {"ok", "invalid", "duplicate", "filtered", "suppressed"};
    struct verdicts *vs = ud;

    assert_int_equal(buf_addf(&vs->out, "%zu:%s", v->line, names[v->kind]), 0);
    if (v->first_file)
        assert_int_equal(buf_addf(&vs->out, "@%zu", v->first_line), 0);
    assert_int_equal(buf_addch(&vs->out, ' '), 0);
    return 0;
}

static void test_verdicts(void **state)
{
    const char *lists[2];
    struct audience_spec spec = {0};
    struct got g = {BUF_INIT, 0, NULL};
    struct verdicts vs = {BUF_INIT};
    struct err err;

    (void)state;
    lists[0] = fx("diaspora_a.csv");
    lists[1] = fx("diaspora_b.csv");
    spec.lists = lists;
    spec.nlists = 2;
    spec.filter = "ciudad != Toronto";
    spec.verdict = record_verdict;
    spec.verdict_ud = &vs;
    err_init(&err);
    assert_int_equal(contacts_load(&spec, collect, &g, NULL, NULL, &err), 0);
    assert_string_equal(vs.out.data, "2:ok 3:ok 4:duplicate@2 5:ok 6:ok "
                                     "2:duplicate@3 3:ok 4:filtered 5:duplicate@5 ");
    buf_release(&g.out);
    buf_release(&vs.out);
    err_release(&err);
}

static int record_list(void *ud, const struct contacts_list_info *info)
{
    struct verdicts *vs = ud;
    size_t i;

    assert_int_equal(
        buf_addf(&vs->out, "[%zu %c %s |", info->line, info->delim, info->address_column), 0);
    for (i = 0; i < 3 && info->name_columns[i]; i++)
        assert_int_equal(buf_addf(&vs->out, " %s", info->name_columns[i]), 0);
    assert_int_equal(buf_addstr(&vs->out, " |"), 0);
    for (i = 0; i < info->ncols; i++)
        assert_int_equal(buf_addf(&vs->out, " %s=%s", info->headers[i], info->keys[i]), 0);
    assert_int_equal(buf_addstr(&vs->out, "] "), 0);
    return strstr(info->file, "google") ? 9 : 0;
}

static void test_list_info(void **state)
{
    const char *lists[3];
    struct audience_spec spec = {0};
    struct verdicts vs = {BUF_INIT};
    struct err err;

    (void)state;
    lists[0] = fx("excel_bom_semicolon.csv");
    lists[1] = fx("trailing_empty.csv");
    lists[2] = fx("google_sheets.tsv");
    spec.lists = lists;
    spec.nlists = 3;
    spec.list_info = record_list;
    spec.verdict_ud = &vs;
    err_init(&err);
    /* a non-zero return stops loading and comes back from contacts_load */
    assert_int_equal(contacts_load(&spec, NULL, NULL, NULL, NULL, &err), 9);
    assert_string_equal(vs.out.data,
                        "[1 ; Correo electrónico | Nombre Apellidos | Nombre=nombre "
                        "Apellidos=apellidos Correo electrónico=correo_electronico Ciudad=ciudad "
                        "País=pais] "
                        "[1 , Email | Nombre | Nombre=nombre Email=email Ciudad=ciudad] "
                        "[1 \t E-mail Address | First Name Last Name | First Name=first_name "
                        "Last Name=last_name E-mail Address=e_mail_address City=city] ");
    buf_release(&vs.out);
    err_release(&err);
}

static void test_list_options(void **state)
{
    const char *list;
    struct contacts_list_opts o = {0, CSVREAD_AUTO, NULL, {NULL, NULL, NULL}, NULL};
    struct audience_spec spec = {0};
    struct got g = {BUF_INIT, 0, NULL};
    struct err err;

    (void)state;
    err_init(&err);
    /* two candidate columns: the list options name the right one */
    list = fx("two_address_columns.csv");
    spec.lists = &list;
    spec.nlists = 1;
    spec.list_opts = &o;
    o.address_column = "Correo";
    assert_int_equal(contacts_load(&spec, collect, &g, NULL, NULL, &err), 0);
    assert_string_equal(g.out.data, "juan2@example.com|Juan|two_address_columns:2\n");
    /* by its normalized name too; a missing one is an error */
    buf_reset(&g.out);
    o.address_column = "EMAIL";
    assert_int_equal(contacts_load(&spec, collect, &g, NULL, NULL, &err), 0);
    assert_string_equal(g.out.data, "juan@example.com|Juan|two_address_columns:2\n");
    o.address_column = "mail_principal";
    assert_int_equal(contacts_load(&spec, collect, &g, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg.data, "no column \"mail_principal\""));
    err_clear(&err);
    /* an odd column name ("Contacto") only works when named */
    list = tmp_csv("odd.csv", "Nombre|Contacto\nAna|ana@example.com\n");
    spec.lists = &list;
    o.address_column = "contacto";
    assert_int_equal(contacts_load(&spec, collect, &g, NULL, NULL, &err), -1); /* sniffed ',' */
    err_clear(&err);
    list = tmp_csv("odd2.csv", "Nombre;Contacto;Ciudad,Estado\nAna;ana@example.com;Austin,TX\n");
    spec.lists = &list;
    o.delim = ';';
    buf_reset(&g.out);
    g.var = "ciudad_estado";
    assert_int_equal(contacts_load(&spec, collect, &g, NULL, NULL, &err), 0);
    assert_string_equal(g.out.data, "ana@example.com|Ana|odd2:2|Austin,TX\n");
    /* encoding forced to Latin-1: no warning */
    {
        struct buf report = BUF_INIT;
        list = tmp_csv("latin1.csv", "email,nombre\nx@example.com,Jos\xe9\n");
        o.delim = 0;
        o.address_column = NULL;
        o.encoding = CSVREAD_LATIN1;
        buf_reset(&g.out);
        g.var = NULL;
        assert_int_equal(contacts_load(&spec, collect, &g, NULL, &report, &err), 0);
        assert_string_equal(g.out.data, "x@example.com|José|latin1:2\n");
        assert_int_equal(report.len, 0);
        o.encoding = CSVREAD_UTF8;
        assert_int_equal(contacts_load(&spec, collect, &g, NULL, &report, &err), -1);
        assert_non_null(strstr(err.msg.data, "latin1.csv:2: byte 0xe9 is not UTF-8"));
        buf_release(&report);
    }
    buf_release(&g.out);
    err_release(&err);
}

struct one {
    struct buf out;
};

static int take_one(void *ud, const struct contact *c)
{
    struct one *o = ud;
    const struct value *n = value_map_get(c->vars, "nombre"), *e = value_map_get(c->vars, "email");

    /* an empty cell (or name) is null: a default may fill it */
    assert_int_equal(buf_addf(&o->out, "%s|%s|%s", c->name,
                              !n                    ? ""
                              : value_text(n, NULL) ? value_text(n, NULL)
                                                    : "null",
                              e ? value_text(e, NULL) : ""),
                     0);
    return 0;
}

static void test_names(void **state)
{
    static const struct {
        const char *csv;
        const char *want; /* name|nombre var|email var */
    } cases[] = {
        {"email,nombre\nx@example.com,Ana\n", "Ana|Ana|x@example.com"},
        {"email,Nombre,Apellido\nx@example.com,Ana,Ruiz\n", "Ana Ruiz|Ana|x@example.com"},
        {"email,Nombre,Apellidos\nx@example.com,Ana,Ruiz Soto\n",
         "Ana Ruiz Soto|Ana|x@example.com"},
        {"email,Nombre,Apellido paterno,Apellido materno\nx@example.com,Ana,Ruiz,Soto\n",
         "Ana Ruiz Soto|Ana|x@example.com"},
        {"Email,First Name,Last Name\nX@Example.com,Ann,Lee\n", "Ann Lee|Ann Lee|X@example.com"},
        {"correo,Nombre completo,Nombre\nx@example.com,Ana Ruiz,Ana\n",
         "Ana Ruiz|Ana|x@example.com"},
        {"correo,Nombre completo\nx@example.com,  Ana \t Ruiz  \n",
         "Ana Ruiz|Ana Ruiz|x@example.com"},
        {"correo,Nombre completo,Nombre,Apellido\nx@example.com,,Ana,Ruiz\n",
         "Ana Ruiz|Ana|x@example.com"},
        {"correo,Ciudad\nx@example.com,Chicago\n", "|null|x@example.com"},
        {"E-mail,Name\n  x@EXAMPLE.com  ,Bob\n", "Bob|Bob|x@example.com"},
        {"email,nombre\nx@example.com,\"Eve\nBcc: y@example.com\"\n",
         "Eve Bcc: y@example.com|Eve\nBcc: y@example.com|x@example.com"},
        {"Correo electrónico,Nombre\nx@example.com,Ana\n", "Ana|Ana|x@example.com"},
        {"Dirección de correo electrónico,Nombre\nx@example.com,Ana\n", "Ana|Ana|x@example.com"},
        {"E-mail 1 - Value,Name\nx@example.com,Ana\n", "Ana|Ana|x@example.com"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *list = tmp_csv("names.csv", cases[i].csv);
        struct audience_spec spec = {0};
        struct one o = {BUF_INIT};
        struct err err;

        spec.lists = &list;
        spec.nlists = 1;
        err_init(&err);
        if (contacts_load(&spec, take_one, &o, NULL, NULL, &err))
            fail_msg("case %zu: %s", i, err.msg.data);
        if (strcmp(o.out.data, cases[i].want))
            fail_msg("case %zu:\n got  \"%s\"\n want \"%s\"", i, o.out.data, cases[i].want);
        buf_release(&o.out);
        err_release(&err);
    }
}

/* A list whose headers the mailer does not know says how to read it in
 * contacts/NAME.ini (listconf): the address column and the name columns. */
static void test_list_conf_file(void **state)
{
    const char *list =
        tmp_csv("oficina.csv", "Nombre,Apellido paterno,Correo personal,Correo "
                               "de trabajo\nAna,Ruiz,ana@example.com,ar@iecm.example\n");
    struct listconf lc = {0};
    struct contacts_list_opts o;
    struct audience_spec spec = {0};
    struct one one = {BUF_INIT};
    struct buf ini = BUF_INIT;
    struct err err;
    FILE *f;

    (void)state;
    err_init(&err);
    /* columns it does not know, no companion file: refused, saying where to name them */
    spec.lists = &list;
    spec.nlists = 1;
    assert_int_equal(contacts_load(&spec, take_one, &one, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg.data, "oficina.csv:1: no address column"));
    assert_non_null(strstr(err.msg.data, "(address_column = NAME)"));
    err_clear(&err);
    assert_int_equal(listconf_path(list, &ini), 0);
    f = fopen(ini.data, "w");
    assert_non_null(f);
    fputs("; cómo leer oficina.csv\n[list]\naddress_column = Correo personal\n"
          "name_columns = Nombre, Apellido paterno\n",
          f);
    fclose(f);
    assert_int_equal(listconf_read(&lc, list, &err), 0);
    assert_true(lc.found);
    listconf_opts(&lc, &o);
    spec.list_opts = &o;
    if (contacts_load(&spec, take_one, &one, NULL, NULL, &err))
        fail_msg("%s", err.msg.data);
    /* To: name from both columns; {{nombre}} stays the list's own «Nombre» */
    assert_string_equal(one.out.data, "Ana Ruiz|Ana|ana@example.com");
    listconf_release(&lc);
    /* a key it does not know, with its line */
    f = fopen(ini.data, "w");
    fputs("[list]\naddress_column = Correo personal\ncolumna = x\n", f);
    fclose(f);
    assert_int_equal(listconf_read(&lc, list, &err), -1);
    assert_non_null(strstr(err.msg.data, "oficina.ini:3: columna: unknown key"));
    listconf_release(&lc);
    err_clear(&err);
    /* a column it names that the list lacks */
    f = fopen(ini.data, "w");
    fputs("[list]\naddress_column = Email\n", f);
    fclose(f);
    assert_int_equal(listconf_read(&lc, list, &err), 0);
    listconf_opts(&lc, &o);
    assert_int_equal(contacts_load(&spec, take_one, &one, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg.data, "no column \"Email\" (the address column named in"));
    assert_non_null(strstr(err.msg.data, "oficina.ini)"));
    listconf_release(&lc);
    remove(ini.data);
    buf_release(&ini);
    buf_release(&one.out);
    err_release(&err);
}

/* Every list's own problem is said, not only the first one's. */
static void test_every_list_reported(void **state)
{
    const char *lists[3];
    struct got g = {BUF_INIT, 0, NULL};
    struct err err;

    (void)state;
    lists[0] = tmp_csv("sin_correo.csv", "Nombre,Ciudad\nAna,Roma\n");
    lists[1] = tmp_csv("buena.csv", "Nombre,Correo\nLuis,luis@example.com\n");
    lists[2] = tmp_csv("dos_correos.csv", "Nombre,Correo,Email\nEva,e@example.com,f@example.com\n");
    err_init(&err);
    assert_int_equal(load(lists, 3, NULL, 0, &g, NULL, NULL, &err), -1);
    assert_non_null(strstr(err.msg.data, "sin_correo.csv:1: no address column"));
    assert_non_null(strstr(err.msg.data, "dos_correos.csv:1: 2 columns could hold"));
    buf_release(&g.out);
    err_release(&err);
}

static void test_rows_policy(void **state)
{
    const char *list;
    struct got g = {BUF_INIT, 0, "ciudad"};
    struct buf report = BUF_INIT;
    struct audience_stats st;
    struct err err;

    (void)state;
    err_init(&err);
    /* a row with more fields than the header is invalid (stray delimiter);
     * missing trailing fields are empty; all-empty rows are skipped */
    list = tmp_csv("policy.csv", "email,nombre,ciudad\n"
                                 "a@example.com,A,X\n"
                                 "b@example.com,B\n"
                                 "c@example.com,C,X,extra\n"
                                 ",,\n"
                                 "d@example.com,D,X,,\n"
                                 ",Sin correo,X\n"
                                 "e@example.com,E,X\n"
                                 "f@example.com,F,X\n"
                                 "g@example.com,G,X\n"
                                 "h@example.com,H,X\n"
                                 "i@example.com,I,X\n"
                                 "j@example.com,J,X\n"
                                 "k@example.com,K,X\n"
                                 "l@example.com,L,X\n"
                                 "m@example.com,M,X\n"
                                 "n@example.com,N,X\n"
                                 "o@example.com,O,X\n"
                                 "p@example.com,P,X\n"
                                 "q@example.com,Q,X\n"
                                 "r@example.com,R,X\n"
                                 "s@example.com,S,X\n"
                                 "t@example.com,T,X\n");
    assert_int_equal(load(&list, 1, NULL, 0, &g, &st, &report, &err), 0);
    assert_int_equal(st.rows, 21); /* 2 invalid of 21: under 10 % */
    assert_int_equal(st.invalid, 2);
    assert_int_equal(st.accepted, 19);
    assert_non_null(strstr(g.out.data, "b@example.com|B|policy:3|null\n"));
    assert_non_null(strstr(g.out.data, "d@example.com|D|policy:6|X\n"));
    assert_non_null(strstr(report.data, "policy.csv:4: invalid address \"c@example.com\": row "
                                        "has 4 fields, the header 3"));
    assert_non_null(strstr(report.data, "policy.csv:7: invalid address \"\": empty address"));
    buf_release(&g.out);
    buf_release(&report);
    err_release(&err);

    /* headers in a message are escaped: one line, whatever the file holds */
    err_init(&err);
    list = tmp_csv("nl_header.csv", "\"Nombre\r\nBcc: x\",Tel\nJuan,1\n");
    assert_int_equal(load(&list, 1, NULL, 0, &g, &st, NULL, &err), -1);
    assert_non_null(strstr(err.msg.data, "headers found: \"Nombre\\r\\nBcc: x\", \"Tel\""));
    assert_null(strchr(err.msg.data, '\n'));
    err_release(&err);

    /* an empty file has no header */
    err_init(&err);
    list = tmp_csv("empty.csv", "");
    assert_int_equal(load(&list, 1, NULL, 0, &g, &st, NULL, &err), -1);
    assert_non_null(strstr(err.msg.data, "empty.csv: empty file"));
    err_release(&err);
    /* a header-only list is an empty audience, not an error */
    err_init(&err);
    list = tmp_csv("header_only.csv", "email,nombre\r\n");
    assert_int_equal(load(&list, 1, NULL, 0, &g, &st, NULL, &err), 0);
    assert_int_equal(st.accepted, 0);
    err_release(&err);
}

static void test_no_vars(void **state)
{
    const char *list = fx("excel_bom_semicolon.csv");
    struct audience_spec spec = {0};
    struct got g = {BUF_INIT, 0, "ciudad"};
    struct err err;

    (void)state;
    err_init(&err);
    spec.lists = &list;
    spec.nlists = 1;
    spec.no_vars = 1;
    spec.filter = "ciudad = Dallas";
    assert_int_equal(contacts_load(&spec, collect, &g, NULL, NULL, &err), 0);
    assert_string_equal(g.out.data, "MARIA.NUNEZ@example.com|María Núñez|excel_bom_semicolon:3|"
                                    "(none)\n");
    buf_release(&g.out);
    err_release(&err);
}

static int stop_after_two(void *ud, const struct contact *c)
{
    (void)c;
    return ++*(int *)ud == 2 ? 7 : 0;
}

static void test_fn_stops(void **state)
{
    const char *list = fx("excel_bom_semicolon.csv");
    struct audience_spec spec = {0};
    struct err err;
    int n = 0;

    (void)state;
    err_init(&err);
    spec.lists = &list;
    spec.nlists = 1;
    assert_int_equal(contacts_load(&spec, stop_after_two, &n, NULL, NULL, &err), 7);
    assert_int_equal(n, 2);
    err_release(&err);
}

static int count_contact(void *ud, const struct contact *c)
{
    (void)c;
    ++*(size_t *)ud;
    return 0;
}

static void test_many_rows_dedupe(void **state)
{
    size_t n = 0;
    const char *list;
    struct buf csv = BUF_INIT;
    struct audience_spec spec = {0};
    struct audience_stats st;
    struct err err;
    size_t i;

    (void)state;
    /* 30,000 rows, every address twice in different case: the dedupe set
     * grows through several resizes and still finds every duplicate */
    assert_int_equal(buf_addstr(&csv, "email\n"), 0);
    for (i = 0; i < 15000; i++)
        assert_int_equal(buf_addf(&csv, "user%zu@example.com\nUSER%zu@EXAMPLE.COM\n", i, i), 0);
    list = tmp_csv("many.csv", csv.data);
    err_init(&err);
    spec.lists = &list;
    spec.nlists = 1;
    spec.no_vars = 1;
    assert_int_equal(contacts_load(&spec, count_contact, &n, &st, NULL, &err), 0);
    assert_int_equal(n, 15000);
    assert_int_equal(st.rows, 30000);
    assert_int_equal(st.duplicates, 15000);
    assert_int_equal(st.accepted, 15000);
    buf_release(&csv);
    err_release(&err);
}

int main(void)
{
    const char *f = getenv("FIXTURES");
    char *d;
    int rc;

    snprintf(fixture_dir, sizeof(fixture_dir), "%s/contacts", f ? f : "tests/fixtures");
    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/test_contacts.XXXXXX");
    d = mkdtemp(tmp_dir);
    if (!d)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_excel_fixtures),
        cmocka_unit_test(test_adversarial),
        cmocka_unit_test(test_structural_errors),
        cmocka_unit_test(test_force_and_hints),
        cmocka_unit_test(test_overlapping_lists),
        cmocka_unit_test(test_filter_on_lists),
        cmocka_unit_test(test_suppression),
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_list_options),
        cmocka_unit_test(test_list_info),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_rows_policy),
        cmocka_unit_test(test_no_vars),
        cmocka_unit_test(test_fn_stops),
        cmocka_unit_test(test_many_rows_dedupe),
        cmocka_unit_test(test_list_conf_file),
        cmocka_unit_test(test_every_list_reported),
    };
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
        if (system(cmd) != 0)
            rc = rc ? rc : 1;
    }
    return rc;
}
