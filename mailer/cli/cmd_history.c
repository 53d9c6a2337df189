/* cmd_history - mailer history add|import|list: mailings the office sent
 * outside the mailer, recorded for the quarterly report (history.h). They
 * are marked as recorded, never sent, and have no deliveries. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "clock.h"
#include "datefmt.h"
#include "history.h"
#include "i18n.h"

#include "banned.h"

struct history_opts {
    const char *list, *kind, *date, *title, *sender;
    unsigned year, recipients;
    int has_recipients, json;
};

static int usage(void)
{
    return cli_usage("history", _("add --list L --date DATE --title T [--kind K] [--recipients N] "
                                  "[--sender S] [--year YYYY] | import FILE --list L [--kind K] "
                                  "[--sender S] [--year YYYY] | list [--list L] "
                                  "[--format text|json]"));
}

static int parse(int argc, char **argv, struct history_opts *o)
{
    static const struct option opts[] = {
        {"list", required_argument, NULL, 'l'},   {"lista", required_argument, NULL, 'l'},
        {"kind", required_argument, NULL, 'k'},   {"date", required_argument, NULL, 'd'},
        {"title", required_argument, NULL, 't'},  {"sender", required_argument, NULL, 's'},
        {"year", required_argument, NULL, 'y'},   {"recipients", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'f'}, {NULL, 0, NULL, 0},
    };
    int opt, k;

    while ((opt = cli_getopt(argc, argv, "l:k:d:t:s:y:r:f:", opts)) != -1) {
        switch (opt) {
        case 'l':
            if (!cli_list_name_ok(optarg) || !strcmp(optarg, "*"))
                return cli_usage("history", _("--list: \"%s\" is not a list name"), optarg);
            o->list = optarg;
            break;
        case 'k':
            if (cli_parse_enum("history", "--kind", optarg, cli_kinds, &k))
                return EX_USAGE;
            o->kind = cli_kind_ids[k];
            break;
        case 'd':
            o->date = optarg;
            break;
        case 't':
            o->title = optarg;
            break;
        case 's':
            o->sender = optarg;
            break;
        case 'y':
            if (cli_parse_uint("history", "--year", optarg, 1900, 2999, &o->year))
                return EX_USAGE;
            break;
        case 'r':
            if (cli_parse_uint("history", "--recipients", optarg, 0, 100000000, &o->recipients))
                return EX_USAGE;
            o->has_recipients = 1;
            break;
        case 'f':
            if (cli_parse_enum("history", "--format", optarg, cli_text_json, &o->json))
                return EX_USAGE;
            break;
        default:
            return usage();
        }
    }
    return 0;
}

/* Warnings of the library (a wrong weekday, a column not used), in the
 * language of the messages. */
static void print_warnings(const struct buf *warnings)
{
    struct buf text = BUF_INIT;
    const char *line = warnings->data, *nl;

    for (; *line; line = nl + 1) {
        if (!(nl = strchr(line, '\n')))
            break;
        buf_reset(&text);
        if (i18n_lib_line(line, (size_t)(nl - line), &text))
            cli_die_nomem();
        fprintf(stderr, _("mailer: warning: %s\n"), text.data);
    }
    buf_release(&text);
}

static int record(struct cli *cli, const struct history_table *t, const struct history_opts *o,
                  const char *detail, struct err *err)
{
    struct history_result res;
    struct ledger *l;
    size_t i;
    long context = 0;
    int rc;

    if (!(l = cli_ledger(cli, err)))
        return cli_fail(err);
    rc = history_record(l, t, o->list, o->kind, o->sender, detail, &res, err);
    ledger_close(l);
    if (rc)
        return cli_fail(err);
    for (i = 0; i < t->n; i++)
        context += t->rows[i].year_from == HISTORY_YEAR_CONTEXT;
    if (cli->quiet)
        return EX_OK;
    printf(ngettext("%s: %ld mailing recorded for the list %s",
                    "%s: %ld mailings recorded for the list %s", (unsigned long)res.added),
           t->origin, res.added, o->list);
    if (res.already)
        printf(ngettext(" (%ld was already recorded)", " (%ld were already recorded)",
                        (unsigned long)res.already),
               res.already);
    putchar('\n');
    if (context)
        printf(ngettext("%ld date written without a year took it from the rows around it (give "
                        "--year YYYY to set it)\n",
                        "%ld dates written without a year took it from the rows around them "
                        "(give --year YYYY to set it)\n",
                        (unsigned long)context),
               context);
    return EX_OK;
}

/* After reading: the warnings, then the problems, or the recording; what
 * the reading held is released. */
static int conclude(struct cli *cli, struct history_table *t, const struct history_opts *o,
                    int failed, struct buf *warnings, struct buf *detail, struct err *err)
{
    int rc;

    print_warnings(warnings);
    rc = failed ? cli_fail(err) : record(cli, t, o, detail->data, err);
    history_table_release(t);
    buf_release(warnings);
    buf_release(detail);
    err_release(err);
    return rc;
}

static int history_import(struct cli *cli, const char *file, const struct history_opts *o)
{
    struct history_table t;
    struct buf warnings = BUF_INIT, detail = BUF_INIT;
    struct err err;
    int failed;

    err_init(&err);
    history_table_init(&t, file);
    failed = history_read(file, (int)o->year, &t, &warnings, &err) ||
             (buf_addf(&detail, "import %s --list %s", file, o->list) && err_nomem(&err));
    return conclude(cli, &t, o, failed, &warnings, &detail, &err);
}

static int history_add(struct cli *cli, const struct history_opts *o)
{
    struct history_table t;
    struct buf warnings = BUF_INIT, detail = BUF_INIT;
    struct err err;
    int failed;

    if (!o->date || !o->title)
        return cli_usage("history", _("add needs --list, --date and --title"));
    err_init(&err);
    history_table_init(&t, "add");
    failed = history_add_row(&t, o->date, o->title, o->kind, o->sender,
                             o->has_recipients ? (long)o->recipients : -1, (int)o->year, &warnings,
                             &err) ||
             (buf_addf(&detail, "add --list %s: %s (%s)", o->list, o->title, o->date) &&
              err_nomem(&err));
    return conclude(cli, &t, o, failed, &warnings, &detail, &err);
}

/* ---- listing ---- */

struct printer {
    const char *list;
    int json, *count;
    struct buf text;
};

/* The dates of a recorded mailing as the report writes them. */
static int dates_text(const struct ledger_history *h, struct buf *out)
{
    struct tm tm;

    if (*h->month) {
        clock_local(h->dates[0], &tm);
        return datefmt_month_row(out, tm.tm_year + 1900, tm.tm_mon + 1);
    }
    if (h->range)
        return datefmt_range(out, h->dates[0], h->dates[1]);
    return datefmt_list(out, h->dates, h->ndates);
}

static void print_json(const struct ledger_history *h, int count)
{
    char iso[32];
    size_t i;

    printf("%s\n  {\"recorded\": true, \"state\": \"recorded\", \"list\": ", /* data */
           count ? "," : "");
    cli_json_str(h->list);
    cli_json_member("kind", h->kind);
    cli_json_member("title", h->title);
    printf(", \"dates\": ["); /* data */
    for (i = 0; i < h->ndates; i++) {
        clock_iso(h->dates[i], iso, sizeof(iso));
        printf("%s\"%s\"", i ? ", " : "", iso); /* data */
    }
    printf("], \"range\": %s, \"month\": ", h->range ? "true" : "false"); /* data */
    cli_json_str(*h->month ? h->month : NULL);
    cli_json_member("date_text", h->date_text);
    if (h->recipients >= 0)
        printf(", \"recipients\": %ld", h->recipients); /* data */
    else
        printf(", \"recipients\": null"); /* data */
    cli_json_member("sender", h->sender);
    cli_json_member("source", h->source);
    clock_iso(h->recorded_at, iso, sizeof(iso));
    printf(", \"recorded_at\": \"%s\"}", iso); /* data */
}

static int print_one(void *ud, const struct ledger_history *h)
{
    struct printer *p = ud;

    if (p->list && strcmp(p->list, h->list))
        return 0;
    if (p->json) {
        print_json(h, *p->count);
    } else {
        buf_reset(&p->text);
        if (dates_text(h, &p->text))
            return -1;
        printf(_("%-20s %s: %s (recorded, %s)\n"), h->list, p->text.data, h->title, h->source);
    }
    ++*p->count;
    return 0;
}

int cli_history_print(struct ledger *l, const char *list, int json, int *count, struct err *err)
{
    struct printer p = {list, json, count, BUF_INIT};
    int rc = ledger_history_each(l, 0, 0, print_one, &p, err);

    buf_release(&p.text);
    if (rc > 0)
        return err_nomem(err);
    return rc;
}

static int history_list(struct cli *cli, const struct history_opts *o)
{
    struct ledger *l;
    struct err err;
    int rc = EX_OK, count = 0;

    err_init(&err);
    if (o->json)
        printf("[");
    if (!(l = cli_ledger(cli, &err)) || cli_history_print(l, o->list, o->json, &count, &err))
        rc = cli_fail(&err);
    if (o->json)
        printf("\n]\n");
    else if (!rc && !count && !cli->quiet)
        fputs(_("no mailings recorded with 'mailer history'\n"), stdout);
    ledger_close(l);
    err_release(&err);
    return rc;
}

int cmd_history(int argc, char **argv, struct cli *cli)
{
    struct history_opts o;
    const char *verb;
    int rc;

    memset(&o, 0, sizeof(o));
    if (argc < 2)
        return usage();
    verb = argv[1];
    if ((rc = parse(argc - 1, argv + 1, &o)))
        return rc;
    optind++; /* argv[optind] is now relative to argv: past the verb */
    if (!strcmp(verb, "list")) {
        if (optind != argc)
            return usage();
        return history_list(cli, &o);
    }
    if (strcmp(verb, "add") && strcmp(verb, "import"))
        return cli_usage("history", _("\"%s\": use add, import or list"), verb);
    if (!o.list)
        return cli_usage("history", _("%s needs --list L (the list the mailings went to)"), verb);
    if (!strcmp(verb, "add")) {
        if (optind != argc)
            return usage();
        return history_add(cli, &o);
    }
    if (optind + 1 != argc)
        return cli_usage("history", _("import takes one file"));
    return history_import(cli, argv[optind], &o);
}
