/* cmd_mailing - mailer mailing retitle CAMPAIGN EDITION "TITLE": correct the
 * title the quarterly report shows for a mailing already sent (its
 * report_title, frozen at the send), recorded in the events with the old
 * and the new title. */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "events.h"
#include "i18n.h"
#include "utf8.h"

#include "banned.h"

/* A title for the report: one line of valid UTF-8, not empty. */
static int title_ok(const char *t)
{
    const char *p;

    for (p = t; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return 0;
    return p > t && utf8_valid(t, (size_t)(p - t));
}

static int retitle(struct cli *cli, const char *campaign, const char *edition, const char *title)
{
    struct buf detail = BUF_INIT;
    struct mailing m = {0};
    struct ledger *l;
    struct err err;
    int rc = EX_OK, found = -1;

    err_init(&err);
    if (!(l = cli_ledger(cli, &err)) ||
        (found = ledger_mailing_find(l, campaign, edition, &m, &err)) < 0) {
        rc = cli_fail(&err);
        goto out;
    }
    if (found == 1) {
        fprintf(stderr,
                _("mailer: no mailing %s %s in the ledger ('mailer status %s' lists its "
                  "editions)\n"),
                campaign, edition, campaign);
        rc = EX_DATAERR;
        goto out;
    }
    if (!strcmp(m.report_title, title)) {
        if (!cli->quiet)
            printf(_("%s %s is already titled \"%s\"\n"), campaign, edition, title);
        goto out;
    }
    if (buf_addf(&detail, "\"%s\" -> \"%s\"", m.report_title, title)) {
        rc = cli_fail(&err);
        goto out;
    }
    /* the change and its event, together or not at all */
    if (ledger_begin(l, &err) || ledger_mailing_retitle(l, m.id, title, &err) ||
        events_record(l, "retitle", campaign, edition, detail.data, &err) ||
        ledger_commit(l, &err)) {
        ledger_rollback(l);
        rc = cli_fail(&err);
        goto out;
    }
    if (!cli->quiet)
        printf(_("%s %s: the report now reads \"%s\" (was \"%s\")\n"), campaign, edition, title,
               m.report_title);
out:
    mailing_release(&m);
    ledger_close(l);
    buf_release(&detail);
    err_release(&err);
    return rc;
}

int cmd_mailing(int argc, char **argv, struct cli *cli)
{
    if (argc < 2 || strcmp(argv[1], "retitle"))
        return cli_usage("mailing", _("retitle CAMPAIGN EDITION \"TITLE\""));
    if (argc != 5)
        return cli_usage("mailing",
                         _("retitle takes the campaign, the edition and the new title (in "
                           "quotes)"));
    if (!title_ok(argv[4]))
        return cli_usage("mailing", _("the title is one line of text, not empty"));
    return retitle(cli, argv[2], argv[3], argv[4]);
}
