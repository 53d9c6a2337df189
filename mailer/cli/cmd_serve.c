/* cmd_serve - mailer serve [--listen HOST:PORT]: the unsubscribe endpoint
 * (web.h) for the links and List-Unsubscribe headers of the messages,
 * under the path of UNSUBSCRIBE_URL, behind nginx or Apache (contrib/). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "i18n.h"
#include "report.h"
#include "web.h"

#include "banned.h"

static volatile sig_atomic_t stop_requested;

/* A list's name for the pages: [lista ID] nombre = ... of informe.conf. */
static const char *list_name(void *ud, const char *list)
{
    const struct report_config *cfg = ud;
    size_t i;

    for (i = 0; i < cfg->nlists; i++)
        if (!strcmp(cfg->lists[i].id, list))
            return cfg->lists[i].name;
    return NULL;
}

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

int cmd_serve(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"listen", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    struct web_opts o = {"127.0.0.1:8025", NULL, NULL, stderr, &stop_requested, list_name, NULL};
    struct report_config names;
    struct err err;
    int opt, rc = EX_OK;

    while ((opt = cli_getopt(argc, argv, "l:", opts)) != -1) {
        if (opt != 'l')
            return cli_usage("serve", _("[--listen HOST:PORT]"));
        o.listen = optarg;
    }
    if (optind != argc)
        return cli_usage("serve", _("[--listen HOST:PORT]"));
    err_init(&err);
    if (web_listen_check(o.listen, &err)) { /* before anything else */
        rc = cli_fail(&err);
        err_release(&err);
        return rc;
    }
    err_release(&err);
    o.base_url = config_get(&cli->config, CFG_UNSUBSCRIBE_URL);
    if (!*o.base_url) {
        fprintf(stderr, _("mailer: serve: UNSUBSCRIBE_URL is not set: give the public address "
                          "of the unsubscribe page (https://HOST/baja)\n"));
        return EX_CONFIG;
    }
    err_init(&err);
    /* The pages name each list as the report does; a broken informe.conf
     * is said, and the pages fall back to the lists' ids. */
    if (cli_informe_load(cli, NULL, &names, &err)) {
        cli_fail(&err); /* said; serving goes on */
        err_clear(&err);
    }
    o.list_ud = &names;
    if (!(o.ledger = cli_ledger(cli, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    if (web_serve(&o, &err))
        rc = cli_fail(&err);
out:
    ledger_close(o.ledger);
    report_config_release(&names);
    err_release(&err);
    return rc;
}
