/* cmd_report - mailer report (--quarter Q | --from D --to D) [--list L] [--format F]
 *             [--by envio|mes] [--csv-sep C] [--informe FILE] [--out FILE]
 *
 * Names of the audiences and the targets come from campaigns/informe.conf in
 * the home (or --informe FILE); without it lists are named by their ids and
 * no target is shown. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "i18n.h"
#include "report.h"

#include "banned.h"

static const struct cli_choice formats[] = {
    {"text", REPORT_TEXT}, {"csv", REPORT_CSV},   {"md", REPORT_MD},
    {"json", REPORT_JSON}, {"html", REPORT_HTML}, {NULL, 0},
};
/* --by: Spanish names first (the message lists them), English aliases */
static const struct cli_choice bys[] = {
    {"envio", REPORT_BY_MAILING}, {"envío", REPORT_BY_MAILING}, {"mailing", REPORT_BY_MAILING},
    {"mes", REPORT_BY_MONTH},     {"month", REPORT_BY_MONTH},   {NULL, 0},
};

static int write_out(const char *path, const struct buf *b, struct err *err)
{
    FILE *f = path ? fopen(path, "wb") : stdout;

    if (!f)
        return err_errno(err, ERR_IO, _("%s: cannot write"), path);
    if (fwrite(b->data, 1, b->len, f) != b->len || (path && fclose(f))) {
        if (path)
            fclose(f);
        return err_errno(err, ERR_IO, _("%s: cannot write"), path ? path : _("standard output"));
    }
    return 0;
}

int cmd_report(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"quarter", required_argument, NULL, 'q'}, {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},      {"list", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'F'},  {"out", required_argument, NULL, 'o'},
        {"csv-sep", required_argument, NULL, 's'}, {"by", required_argument, NULL, 'b'},
        {"informe", required_argument, NULL, 'i'}, {NULL, 0, NULL, 0},
    };
    const char *quarter = NULL, *from = NULL, *to = NULL, *out = NULL, *informe = NULL;
    struct report_opts ro = {REPORT_TEXT, NULL, ',', REPORT_BY_DEFAULT, NULL};
    struct report_config cfg;
    struct buf path = BUF_INIT;
    struct report_period p;
    struct ledger *l = NULL;
    struct buf text = BUF_INIT;
    struct err err;
    int opt, choice, rc = EX_OK;

    while ((opt = cli_getopt(argc, argv, "q:f:t:l:F:o:s:b:i:", opts)) != -1) {
        switch (opt) {
        case 'q':
            quarter = optarg;
            break;
        case 'f':
            from = optarg;
            break;
        case 't':
            to = optarg;
            break;
        case 'l':
            ro.list = optarg;
            break;
        case 'F':
            if ((rc = cli_parse_enum("report", "--format", optarg, formats, &choice)))
                return rc;
            ro.format = (enum report_format)choice;
            break;
        case 'o':
            out = optarg;
            break;
        case 's':
            if (strlen(optarg) != 1)
                return cli_usage("report", _("--csv-sep takes one character, e.g. ';'"));
            ro.csv_sep = optarg[0];
            break;
        case 'b':
            if ((rc = cli_parse_enum("report", "--by", optarg, bys, &choice)))
                return rc;
            ro.by = (enum report_grouping)choice;
            break;
        case 'i':
            informe = optarg;
            break;
        default:
            return cli_usage("report", _("(--quarter 2026Q4 | --from DATE --to DATE) [--list L] "
                                         "[--format text|csv|md|json|html] [--by envio|mes] "
                                         "[--csv-sep C] [--informe FILE] [--out FILE]"));
        }
    }
    if (optind != argc || (!quarter == !(from || to)) || (!quarter && !(from && to)))
        return cli_usage("report", _("give --quarter, or --from and --to"));
    err_init(&err);
    report_config_init(&cfg);
    if (informe ? buf_addstr(&path, informe)
                : buf_addf(&path, "%s/campaigns/informe.conf", cli_home(cli)))
        rc = err_nomem(&err);
    else if ((rc = report_config_load(&cfg, path.data, &err)) == 1 && informe)
        rc = err_set(&err, ERR_NOINPUT, _("%s: no such file"), informe);
    ro.config = &cfg;
    if (rc < 0 ||
        (quarter ? report_parse_quarter(quarter, &p, &err)
                 : report_parse_range(from, to, &p, &err)) ||
        !(l = cli_ledger(cli, &err)) || report_write(l, &p, &ro, &text, &err) ||
        write_out(out, &text, &err))
        rc = cli_fail(&err);
    else
        rc = EX_OK;
    ledger_close(l);
    report_config_release(&cfg);
    buf_release(&path);
    buf_release(&text);
    err_release(&err);
    return rc;
}
