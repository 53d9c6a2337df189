/* cmd_unschedule - mailer unschedule CAMPAIGN [--edition E]: take back an
 * edition scheduled with `send --at`. */
#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>

#include "cli.h"
#include "cli_events.h"
#include "i18n.h"

#include "banned.h"

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
