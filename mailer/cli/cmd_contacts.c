/* cmd_contacts - mailer contacts show FILE | contacts check FILE...
 *
 *   contacts show  FILE [--format text|json] [--delimiter D] [--encoding E]
 *       rows exactly as parsed, no validation; JSON: an array of objects from
 *       header name (as written, after BOM removal) to string value.
 *   contacts check FILE... [--format text|json] [--delimiter D] [--encoding E]
 *                  [--column NAME] [--filter EXPR] [--force]
 *       per-row verdicts with file:line and a summary; exit 0 when every row
 *       is usable, 65 when a row is invalid or a list is refused.
 *       Text: per list, how its header was read (delimiter, address and name
 *       columns, variables); one line per invalid row, duplicate, or valid
 *       address with a "did you mean" hint (every row with -v); a summary.
 *
 * A list's companion file (contacts/NAME.ini beside NAME.csv, listconf.h)
 * says its address and name columns, delimiter and encoding; the options
 * given here win over it.
 *
 * JSON shapes (stable):
 *   show:  [{"<header as written>": "<value>", ...}, ...]; fields beyond the
 *          header that are not empty get the key "column_N" (1-based).
 *   check: {"rows": [{"file", "line", "verdict": "ok" | "invalid" |
 *          "duplicate" | "filtered" | "suppressed", "input", "address"
 *          (normalized, "" when invalid), "reason"?, "hint"?, "first"?,
 *          "first_line"?}, ...],
 *          "summary": {"rows", "accepted", "invalid", "duplicates",
 *          "filtered", "suppressed"},
 *          "lists": [{"file", "delimiter": "," | ";" | "tab", "address_column",
 *          "name_columns": [...], "variables": [... every template variable]}],
 *          "error": null | "<why the list was refused>"}
 * Charset warnings go to stderr in both formats.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "audience.h"
#include "cli.h"
#include "i18n.h"
#include "contacts.h"
#include "csvread.h"
#include "listconf.h"
#include "value.h"

#include "banned.h"

struct opts {
    int json;
    int force;
    const char *filter;
    struct contacts_list_opts list;
};

static void print_warnings(const struct buf *w)
{
    struct buf text = BUF_INIT, line = BUF_INIT;
    const char *p = i18n_lib_show(w->data, &text), *nl;

    while (*p) {
        nl = strchr(p, '\n');
        if (!nl)
            nl = p + strlen(p);
        buf_reset(&line);
        if (buf_add(&line, p, (size_t)(nl - p)))
            cli_die_nomem();
        fprintf(stderr, _("mailer: warning: %s\n"), line.data);
        p = *nl ? nl + 1 : nl;
    }
    buf_release(&text);
    buf_release(&line);
}

/* ---- show ------------------------------------------------------------ */

struct show {
    int json;
    size_t nhead;
    char **head;
    size_t *headlen;
    size_t rows;
};

static int show_header(struct show *s, const struct csvread_record *rec)
{
    size_t i, n = rec->nfields;

    while (n && !rec->lens[n - 1])
        n--;
    s->head = calloc(n + 1, sizeof(*s->head));
    s->headlen = calloc(n + 1, sizeof(*s->headlen));
    if (!s->head || !s->headlen)
        return -1;
    for (i = 0; i < n; i++) {
        s->head[i] = xstrndup(rec->fields[i], rec->lens[i]);
        s->headlen[i] = rec->lens[i];
        if (!s->head[i])
            return -1;
        s->nhead = i + 1;
    }
    if (s->json)
        printf("[");
    return 0;
}

static int show_row(void *ud, const struct csvread_record *rec)
{
    struct show *s = ud;
    char key[32];
    size_t i;
    int first = 1;

    if (rec->index == 0)
        return show_header(s, rec);
    if (!s->json)
        printf("%s:%zu\n", rec->file, rec->line);
    else
        printf("%s\n  {", s->rows ? "," : ""); /* data */
    s->rows++;
    for (i = 0; i < rec->nfields || i < s->nhead; i++) {
        const char *v = i < rec->nfields ? rec->fields[i] : "";
        size_t vlen = i < rec->nfields ? rec->lens[i] : 0;
        const char *k = key;
        size_t klen;

        if (i < s->nhead) {
            k = s->head[i];
            klen = s->headlen[i];
        } else {
            if (!vlen)
                continue;
            klen = (size_t)snprintf(key, sizeof(key), "column_%zu", i + 1); /* data */
        }
        if (s->json) {
            printf("%s", first ? "" : ", ");
            cli_json_strn(k, klen);
            printf(": ");
            cli_json_strn(v, vlen);
        } else {
            printf("  %.*s: ", (int)klen, k);
            fwrite(v, 1, vlen, stdout);
            printf("\n");
        }
        first = 0;
    }
    if (s->json)
        printf("}");
    return 0;
}

static int contacts_show(const char *file, const struct opts *o)
{
    struct csvread_opts copts = {o->list.delim, o->list.encoding};
    struct listconf conf = {0};
    struct show s = {0};
    struct buf warnings = BUF_INIT;
    struct err err;
    size_t i;
    int rc;

    err_init(&err);
    s.json = o->json;
    /* the list's companion file says its delimiter and encoding, unless given here */
    if ((rc = listconf_read(&conf, file, &err)) == 0) {
        copts.delim = copts.delim ? copts.delim : conf.delim;
        copts.encoding = copts.encoding != CSVREAD_AUTO ? copts.encoding : conf.encoding;
        rc = csvread_file(file, &copts, show_row, &s, &warnings, &err);
    }
    listconf_release(&conf);
    print_warnings(&warnings);
    if (s.json && s.head)
        printf("%s]\n", s.rows ? "\n" : "");
    else if (s.json && !rc)
        printf("[]\n");
    if (rc)
        rc = err.kind != ERR_NONE ? cli_fail(&err) : EX_SOFTWARE;
    for (i = 0; i < s.nhead; i++)
        free(s.head[i]);
    free(s.head);
    free(s.headlen);
    buf_release(&warnings);
    err_release(&err);
    return rc;
}

/* ---- check ----------------------------------------------------------- */

static const char *const kind_names[] = {"ok", "invalid", "duplicate", "filtered", "suppressed"};
/* The same verdicts in the text output, for people. */
static const char *const kind_words[] = {N_("ok"), N_("invalid"), N_("duplicate"), N_("filtered"),
                                         N_("suppressed")};

struct check {
    int json, verbose;
    size_t n;
    struct value *lists; /* JSON: one object per list header */
    struct err *err;
};

static const char *delim_name(int d)
{
    return d == ';' ? ";" : d == '\t' ? "tab" : d == ',' ? "," : "other";
}

static int has_key(const struct contacts_list_info *info, const char *key)
{
    size_t i;

    for (i = 0; i < info->ncols; i++)
        if (!strcmp(info->keys[i], key))
            return 1;
    return 0;
}

/* How each list was read: people see at once a wrong column or delimiter. */
static int check_list_info(void *ud, const struct contacts_list_info *info)
{
    struct check *c = ud;
    struct value *o, *names, *vars;
    size_t i;

    if (!c->json) {
        audience_print_list(info);
        return 0;
    }
    o = value_new_map();
    names = value_new_list();
    vars = value_new_list();
    if (!o || !names || !vars)
        goto nomem;
    for (i = 0; i < 3 && info->name_columns[i]; i++)
        if (value_list_append(names, value_new_cstring(info->name_columns[i])))
            goto nomem;
    for (i = 0; i < info->ncols; i++)
        if (value_list_append(vars, value_new_cstring(info->keys[i])))
            goto nomem;
    if ((!has_key(info, "email") && value_list_append(vars, value_new_cstring("email"))) ||
        (!has_key(info, "nombre") && value_list_append(vars, value_new_cstring("nombre"))))
        goto nomem;
    if (value_map_set_string(o, "file", info->file) ||
        value_map_set_string(o, "delimiter", delim_name(info->delim)) ||
        value_map_set_string(o, "address_column", info->address_column) ||
        value_map_set(o, "name_columns", names) || value_map_set(o, "variables", vars)) {
        names = vars = NULL;
        goto nomem;
    }
    return value_list_append(c->lists, o) ? err_nomem(c->err) : 0;
nomem:
    value_free(o);
    value_free(names);
    value_free(vars);
    return err_nomem(c->err);
}

static int check_verdict_json(struct check *c, const struct contacts_verdict *v)
{
    printf("%s\n    {\"file\": ", c->n ? "," : ""); /* data */
    cli_json_str(v->file);
    printf(", \"line\": %zu, \"verdict\": \"%s\", \"input\": ", v->line,
           kind_names[v->kind]); /* data */
    cli_json_str(v->input);
    cli_json_member("address", v->address);
    if (v->reason)
        cli_json_member("reason", v->reason);
    if (v->hint)
        cli_json_member("hint", v->hint);
    if (v->first_file) {
        cli_json_member("first", v->first_file);
        printf(", \"first_line\": %zu", v->first_line); /* data */
    }
    printf("}");
    c->n++;
    return 0;
}

/* Text: one line per problem (and per row with -v). */
static int check_verdict(void *ud, const struct contacts_verdict *v)
{
    struct check *c = ud;
    struct buf in = BUF_INIT, why = BUF_INIT;
    size_t i;

    if (c->json)
        return check_verdict_json(c, v);
    for (i = 0; v->input[i] && i < 120; i++)
        if (buf_addf(&in, (unsigned char)v->input[i] < 32 ? "\\x%02x" : "%c",
                     (unsigned char)v->input[i])) {
            buf_release(&in);
            return err_nomem(c->err);
        }
    switch (v->kind) {
    case CONTACTS_INVALID:
        /* the reason may be made with values (a malformed row): matched as the library's */
        buf_reset(&why);
        if (i18n_lib_line(v->reason, strlen(v->reason), &why))
            cli_die_nomem();
        printf(_("%s:%zu: invalid address \"%s\": %s"), v->file, v->line, in.data, why.data);
        if (v->hint)
            printf(_(" (did you mean %s?)"), v->hint);
        printf("\n");
        break;
    case CONTACTS_DUPLICATE:
        printf(_("%s:%zu: duplicate %s (first at %s:%zu)\n"), v->file, v->line, v->address,
               v->first_file, v->first_line);
        break;
    case CONTACTS_OK:
        if (v->hint)
            printf(_("%s:%zu: ok %s, but did you mean %s?\n"), v->file, v->line, v->address,
                   v->hint);
        else if (c->verbose)
            printf(_("%s:%zu: ok %s\n"), v->file, v->line, v->address);
        break;
    default:
        if (c->verbose)
            printf(_("%s:%zu: %s %s%s%s\n"), v->file, v->line, _(kind_words[v->kind]), v->address,
                   v->reason ? ": " : "", v->reason ? _(v->reason) : "");
    }
    buf_release(&in);
    buf_release(&why);
    return 0;
}

static int accept_contact(void *ud, const struct contact *c)
{
    (void)ud;
    (void)c;
    return 0;
}

/* Lines of the report that are not per-row verdicts: charset warnings. */
static void print_report_warnings(const struct buf *report)
{
    struct buf w = BUF_INIT;
    const char *p = report->data, *nl;

    while (*p) {
        nl = strchr(p, '\n');
        if (!nl)
            nl = p + strlen(p);
        if (!memmem(p, (size_t)(nl - p), ": invalid address \"", 19) &&
            !memmem(p, (size_t)(nl - p), ": duplicate ", 12) &&
            buf_addf(&w, "%.*s\n", (int)(nl - p), p))
            cli_die_nomem();
        p = *nl ? nl + 1 : nl;
    }
    print_warnings(&w);
    buf_release(&w);
}

static int contacts_check(int nfiles, char **files, const struct opts *o, int verbose)
{
    struct contacts_list_opts *lo = calloc((size_t)nfiles, sizeof(*lo));
    struct listconf *conf = calloc((size_t)nfiles, sizeof(*conf));
    struct audience_spec spec = {0};
    struct audience_stats st = {0};
    struct buf lists = BUF_INIT;
    struct buf report = BUF_INIT;
    struct err err;
    struct check c = {o->json, verbose, 0, value_new_list(), &err};
    int i, rc;

    err_init(&err);
    if (!lo || !conf || !c.lists) {
        err_nomem(&err);
        rc = cli_fail(&err);
        goto out;
    }
    /* each list's companion file (contacts/NAME.ini), then the options given */
    for (i = 0; i < nfiles; i++) {
        if (listconf_read(&conf[i], files[i], &err)) {
            rc = cli_fail(&err);
            goto out;
        }
        listconf_opts(&conf[i], &lo[i]);
        if (o->list.delim)
            lo[i].delim = o->list.delim;
        if (o->list.encoding != CSVREAD_AUTO)
            lo[i].encoding = o->list.encoding;
        if (o->list.address_column)
            lo[i].address_column = o->list.address_column;
    }
    spec.lists = (const char *const *)files;
    spec.nlists = (size_t)nfiles;
    spec.filter = o->filter;
    spec.force = o->force;
    spec.list_opts = lo;
    spec.verdict = check_verdict;
    spec.verdict_ud = &c;
    spec.list_info = check_list_info;
    if (c.json)
        printf("{\n  \"rows\": ["); /* data */
    rc = contacts_load(&spec, accept_contact, NULL, &st, &report, &err);
    print_report_warnings(&report);
    if (c.json) {
        printf(
            "%s],\n  \"summary\": {\"rows\": %zu, \"accepted\": %zu, \"invalid\": %zu, " /* data */
            "\"duplicates\": %zu, \"filtered\": %zu, \"suppressed\": %zu},\n  \"lists\": ",
            c.n ? "\n  " : "", st.rows, st.accepted, st.invalid, st.duplicates, st.filtered,
            st.suppressed);
        if (value_to_json(c.lists, &lists, 0))
            cli_die_nomem();
        printf("%s,\n  \"error\": ", lists.data); /* data */
        if (rc)
            cli_json_strn(err.msg.data, err.msg.len);
        else
            printf("null"); /* data */
        printf("\n}\n");
    } else {
        printf(_("%zu rows: %zu accepted, %zu invalid, %zu duplicates, %zu filtered out, "
                 "%zu suppressed\n"),
               st.rows, st.accepted, st.invalid, st.duplicates, st.filtered, st.suppressed);
    }
    if (rc)
        rc = cli_fail(&err);
    else
        rc = st.invalid ? EX_DATAERR : EX_OK;
out:
    for (i = 0; conf && i < nfiles; i++)
        listconf_release(&conf[i]);
    free(conf);
    free(lo);
    value_free(c.lists);
    buf_release(&lists);
    buf_release(&report);
    err_release(&err);
    return rc;
}

int cmd_contacts(int argc, char **argv, struct cli *cli)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"delimiter", required_argument, NULL, 'd'},
        {"encoding", required_argument, NULL, 'e'},
        {"column", required_argument, NULL, 'c'},
        {"filter", required_argument, NULL, 'F'},
        {"force", no_argument, NULL, 'X'},
        {NULL, 0, NULL, 0},
    };
    struct opts o = {0};
    int c;

    while ((c = cli_getopt(argc, argv, "f:d:e:c:F:", longopts)) != -1) {
        switch (c) {
        case 'f':
            if ((c = cli_parse_enum("contacts", "--format", optarg, cli_text_json, &o.json)))
                return c;
            break;
        case 'd':
            o.list.delim = csvread_parse_delim(optarg);
            if (o.list.delim < 0)
                return cli_refuse_choice("contacts", "--delimiter", "comma, semicolon, tab",
                                         optarg);
            break;
        case 'e':
            c = csvread_parse_encoding(optarg);
            if (c < 0)
                return cli_refuse_choice("contacts", "--encoding",
                                         "auto, utf-8, windows-1252, latin1", optarg);
            o.list.encoding = (enum csvread_encoding)c;
            break;
        case 'c':
            o.list.address_column = optarg;
            break;
        case 'F':
            o.filter = optarg;
            break;
        case 'X':
            o.force = 1;
            break;
        default:
            return cli_usage("contacts", _("see 'mailer help contacts'"));
        }
    }
    if (optind + 1 < argc && !strcmp(argv[optind], "show")) {
        if (optind + 2 != argc)
            return cli_usage("contacts", _("show takes one FILE"));
        return contacts_show(argv[optind + 1], &o);
    }
    if (optind + 1 < argc && !strcmp(argv[optind], "check"))
        return contacts_check(argc - optind - 1, argv + optind + 1, &o, cli->verbose);
    return cli_usage("contacts", _("usage: contacts show FILE | contacts check FILE..."));
}
