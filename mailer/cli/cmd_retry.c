/* cmd_retry - mailer retry CAMPAIGN [--edition E] --failed [--code C] [--since T]:
 * put failed deliveries back to pending, for when a server refused wrongly;
 * the next `mailer send` (or `mailer due`) sends them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "clock.h"
#include "i18n.h"

#include "banned.h"

int cmd_retry(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"edition", required_argument, NULL, 'e'},
        {"failed", no_argument, NULL, 'f'},
        {"code", required_argument, NULL, 'c'},
        {"since", required_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    const char *edition = NULL;
    struct ledger *l = NULL;
    struct err err;
    char buf[40], *end;
    long n = 0, code = 0;
    time_t since = 0;
    int opt, failed = 0, rc = EX_OK;

    while ((opt = getopt_long(argc, argv, "e:fc:s:", opts, NULL)) != -1) {
        switch (opt) {
        case 'e':
            edition = optarg;
            break;
        case 'f':
            failed = 1;
            break;
        case 'c':
            code = strtol(optarg, &end, 10);
            if (*end || code < 400 || code > 599)
                return cli_usage("retry", _("--code takes an SMTP reply code such as 550"));
            break;
        case 's':
            snprintf(buf, sizeof(buf), "%s%s", optarg, strlen(optarg) == 10 ? "T00:00:00Z" : "");
            if (clock_parse_iso(buf, &since))
                return cli_usage("retry", _("--since takes a date, YYYY-MM-DD (UTC)"));
            break;
        default:
            return cli_usage("retry", _("CAMPAIGN [--edition E] --failed [--code C] [--since T]"));
        }
    }
    if (optind + 1 != argc)
        return cli_usage("retry", _("give one campaign name"));
    if (!failed)
        return cli_usage("retry", _("say what to retry: --failed"));
    err_init(&err);
    if (!(l = cli_ledger(cli, &err)) || ledger_deliveries_retry(l, argv[optind], edition, (int)code,
                                                                since, clock_now(), &n, &err)) {
        rc = cli_fail(&err);
    } else {
        /* TODO(events): record */
        if (!cli->quiet)
            printf(ngettext("%ld failed delivery is pending again; 'mailer send %s' sends it\n",
                            "%ld failed deliveries are pending again; 'mailer send %s' sends "
                            "them\n",
                            (unsigned long)n),
                   n, argv[optind]);
    }
    ledger_close(l);
    err_release(&err);
    return rc;
}
