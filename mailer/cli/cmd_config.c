/* cmd_config - mailer config: the settings in effect and where each comes from. */
#include <stdio.h>
#include <sysexits.h>

#include "cli.h"
#include "i18n.h"

#include "banned.h"

int cmd_config(int argc, char **argv, struct cli *cli)
{
    int i;

    (void)argv;
    if (argc != 1)
        return cli_usage("config", _("takes no arguments"));
    for (i = 0; i < CFG_COUNT; i++) {
        const char *v = config_get(&cli->config, (enum config_id)i);
        printf("%s=%s\t# %s\n", config_settings[i].name,
               config_settings[i].secret && *v ? _("(set, not shown)") : v, cli->config.origin[i]);
    }
    return EX_OK;
}
