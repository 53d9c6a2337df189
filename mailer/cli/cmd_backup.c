/* cmd_backup - mailer backup FILE: a consistent copy of the ledger into a
 * new file, with SQLite's online backup (safe while a send or `due` runs);
 * the copy is checked before it is put in place. docs/05-envio-real.md says
 * how to restore it. */
#include <stdio.h>
#include <sysexits.h>

#include "cli.h"
#include "i18n.h"

#include "banned.h"

int cmd_backup(int argc, char **argv, struct cli *cli)
{
    struct ledger *l;
    struct err err;
    int rc = EX_OK;

    if (argc != 2 || argv[1][0] == '-')
        return cli_usage("backup", _("give the name of a new file: mailer backup FILE"));
    err_init(&err);
    if (!(l = cli_ledger(cli, &err)) || ledger_backup(l, argv[1], &err))
        rc = cli_fail(&err);
    else if (!cli->quiet)
        printf(_("ledger copied to %s\n"), argv[1]);
    ledger_close(l);
    err_release(&err);
    return rc;
}
