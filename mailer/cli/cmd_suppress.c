/* cmd_suppress - mailer suppress add|remove ADDR... [--reason R] [--lista L] [--force] |
 * suppress list: a suppression holds for one list (--lista L) or, without
 * --lista, for everything (scope '*'). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "cli_events.h"
#include "i18n.h"
#include "clock.h"

#include "banned.h"

static int print_one(void *ud, const char *address, const char *scope, const char *reason,
                     const char *source, time_t created_at)
{
    char when[32];

    (void)ud;
    clock_iso(created_at, when, sizeof(when));
    printf("%s\t%s\t%s\t%s\t%s\n", address, reason, *source ? source : "-", when,
           scope && *scope ? scope : "*");
    return 0;
}

int cmd_suppress(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"reason", required_argument, NULL, 'r'},
        {"force", no_argument, NULL, 'f'},
        {"lista", required_argument, NULL, 'l'},
        {"list", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    const char *reason = "manual", *verb, *scope = NULL;
    struct ledger *l;
    struct err err;
    int opt, force = 0, rc = EX_OK, i;

    while ((opt = cli_getopt(argc, argv, "r:fl:", opts)) != -1) {
        if (opt == 'r')
            reason = optarg;
        else if (opt == 'l' && cli_list_name_ok(optarg))
            scope = optarg;
        else if (opt == 'l')
            return cli_usage("suppress", _("--lista: \"%s\" is not a list name"), optarg);
        else if (opt == 'f')
            force = 1;
        else
            return cli_usage("suppress", _("add|remove ADDR... [--reason R] | list"));
    }
    if (optind >= argc)
        return cli_usage("suppress", _("add|remove ADDR... [--reason R] | list"));
    verb = argv[optind++];
    if (strcmp(verb, "list") && (strcmp(verb, "add") && strcmp(verb, "remove")))
        return cli_usage("suppress", _("\"%s\": use add, remove or list"), verb);
    if (!strcmp(verb, "list") ? optind != argc : optind == argc)
        return cli_usage("suppress", _("add|remove ADDR... | list"));
    err_init(&err);
    if (!(l = cli_ledger(cli, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    if (!strcmp(verb, "list")) {
        if (ledger_suppress_each(l, print_one, NULL, NULL, &err) < 0)
            rc = cli_fail(&err);
        goto out;
    }
    for (i = optind; i < argc && rc == EX_OK; i++) {
        char why[64] = "";
        if (strpbrk(argv[i], " \r\n\t") || !strchr(argv[i], '@')) {
            rc = cli_usage("suppress", _("\"%s\" is not an address"), argv[i]);
        } else if (!strcmp(verb, "add") && scope && strcmp(scope, "*")) {
            if (ledger_suppress_add_scope(l, argv[i], scope, reason, "manual", &err) < 0)
                rc = cli_fail(&err);
        } else if (!strcmp(verb, "add")) {
            if (ledger_suppress_add(l, argv[i], reason, "manual", &err))
                rc = cli_fail(&err);
        } else if (ledger_suppressed(l, argv[i], why, sizeof(why), &err) < 0) {
            rc = cli_fail(&err);
        } else if (!strcmp(why, "hard-bounce") && !force) {
            fprintf(stderr,
                    _("mailer: %s bounced permanently (the address does not exist); removing it "
                      "needs --force\n"),
                    argv[i]);
            rc = EX_DATAERR;
        } else if (ledger_suppress_remove_scope(l, argv[i], scope, &err) < 0) {
            rc = cli_fail(&err);
        }
    }
out:
    events_command(l, rc, strcmp(verb, "list") ? "suppress" : NULL, argc, argv);
    ledger_close(l);
    err_release(&err);
    return rc;
}
