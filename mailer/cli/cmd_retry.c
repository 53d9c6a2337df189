/* cmd_retry - mailer retry CAMPAIGN [--edition E] --failed [--code C]
 * [--since T]: put failed deliveries back to pending, for when a server
 * refused wrongly (issue 15). The next `send` or `due` sends them; the
 * change is recorded in the events with who did it. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <sysexits.h>

#include "cli.h"
#include "cli_events.h"
#include "clock.h"
#include "i18n.h"

#include "banned.h"

int cmd_retry(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"edition", required_argument, NULL, 'e'},
        {"failed", no_argument, NULL, 'F'},
        {"code", required_argument, NULL, 'c'},
        {"since", required_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    const char *usage = _("CAMPAIGN [--edition E] --failed [--code C] [--since YYYY-MM-DD]");
    const char *edition = NULL;
    struct ledger *l = NULL;
    struct err err;
    unsigned code = 0;
    time_t since = 0;
    long changed = 0;
    int opt, failed = 0, rc = EX_OK;

    while ((opt = cli_getopt(argc, argv, "e:Fc:s:", opts)) != -1) {
        switch (opt) {
        case 'e':
            edition = optarg;
            break;
        case 'F':
            failed = 1;
            break;
        case 'c':
            if ((rc = cli_parse_uint("retry", "--code", optarg, 400, 599, &code)))
                return rc;
            break;
        case 's':
            if ((rc = cli_parse_date("retry", "--since", optarg, &since)))
                return rc;
            break;
        default:
            return cli_usage("retry", "%s", usage);
        }
    }
    if (optind + 1 != argc)
        return cli_usage("retry", _("give one campaign name"));
    if (!failed) /* the only kind of retry there is; said, so a later one can be added */
        return cli_usage("retry", _("say which deliveries: --failed"));
    err_init(&err);
    if (!(l = cli_ledger(cli, &err)) || ledger_retry_failed(l, argv[optind], edition, (int)code,
                                                            since, clock_now(), &changed, &err)) {
        rc = cli_fail(&err);
    } else if (!changed) {
        fprintf(stderr, _("mailer: %s%s%s has no failed deliveries that match\n"), argv[optind],
                edition ? _(" edition ") : "", edition ? edition : "");
    } else if (!cli->quiet) {
        printf(ngettext("%ld failed delivery is pending again; the next send or due sends it\n",
                        "%ld failed deliveries are pending again; the next send or due sends "
                        "them\n",
                        (unsigned long)changed),
               changed);
    }
    if (changed)
        events_command(l, rc, "retry", argc, argv);
    if (l)
        ledger_close(l);
    err_release(&err);
    return rc;
}
