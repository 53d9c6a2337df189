/* cmd_unschedule - mailer unschedule CAMPAIGN [--edition E]: take back an
 * edition scheduled with `send --at`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "cli_events.h"
#include "i18n.h"

#include "banned.h"

/* 1 when the campaign file schedules editions (a schedule, or a send_at
 * for all or for this edition), so that a person may skip one. */
static int file_schedules(struct cli *cli, const char *id, const char *edition)
{
    struct campaign c;
    struct err err;
    int yes = 0;
    size_t i;

    err_init(&err);
    if (!campaign_load(cli_home(cli), id, &c, &err)) {
        yes = (c.schedule && *c.schedule) || (c.send_at && *c.send_at);
        for (i = 0; i < c.noverrides; i++)
            if (!strcmp(c.overrides[i].edition, edition) && c.overrides[i].send_at)
                yes = 1;
        campaign_release(&c);
    }
    err_release(&err);
    return yes;
}

int cmd_unschedule(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"edition", required_argument, NULL, 'e'},
        {NULL, 0, NULL, 0},
    };
    const char *edition = NULL;
    struct ledger *l;
    struct err err;
    long removed = 0;
    int opt, rc = EX_OK;

    while ((opt = cli_getopt(argc, argv, "e:", opts)) != -1) {
        if (opt != 'e')
            return cli_usage("unschedule", _("CAMPAIGN [--edition E]"));
        edition = optarg;
    }
    if (optind + 1 != argc)
        return cli_usage("unschedule", _("give one campaign name"));
    err_init(&err);
    if (!(l = cli_ledger(cli, &err)) ||
        ledger_schedule_remove(l, argv[optind], edition, &removed, &err)) {
        rc = cli_fail(&err);
    } else if (!removed && edition && file_schedules(cli, argv[optind], edition)) {
        /* an edition the campaign file schedules (its cadence or send_at):
         * skipped, so that `due` never sends it */
        if (ledger_edition_skip(l, argv[optind], edition, &err))
            rc = cli_fail(&err);
        else if (!cli->quiet)
            printf(_("%s edition %s is skipped: 'mailer due' will not send it\n"), argv[optind],
                   edition);
    } else if (!removed) {
        fprintf(stderr,
                _("mailer: nothing was scheduled with 'send --at' for %s%s%s (a schedule or "
                  "send_at in the campaign file is changed in the file)\n"),
                argv[optind], edition ? _(" edition ") : "", edition ? edition : "");
        rc = EX_DATAERR;
    } else if (!cli->quiet) {
        printf(ngettext("%ld scheduled edition taken back\n", "%ld scheduled editions taken back\n",
                        (unsigned long)removed),
               removed);
    }
    events_command(l, rc, "unschedule", argc, argv);
    ledger_close(l);
    err_release(&err);
    return rc;
}
