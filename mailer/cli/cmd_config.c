/* cmd_config - mailer config: the settings in effect and where each comes from. */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "i18n.h"

#include "banned.h"

/* Where a value comes from, for people (a .env path is shown as it is). */
static const char *origin_words(const char *origin)
{
    if (!strcmp(origin, "default"))
        return _("default");
    if (!strcmp(origin, "env"))
        return _("environment");
    if (!strcmp(origin, "flag"))
        return _("command-line option");
    return origin;
}

int cmd_config(int argc, char **argv, struct cli *cli)
{
    int i;

    (void)argv;
    if (argc != 1)
        return cli_usage("config", _("takes no arguments"));
    for (i = 0; i < CFG_COUNT; i++) {
        const char *v = config_get(&cli->config, (enum config_id)i);
        printf("%s=%s\t# %s\n", config_settings[i].name,
               config_settings[i].secret && *v ? _("(set, not shown)") : v,
               origin_words(cli->config.origin[i]));
    }
    return EX_OK;
}
