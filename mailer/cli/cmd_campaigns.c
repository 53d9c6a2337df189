/* cmd_campaigns - mailer campaigns list: each campaign, its kind, lists, cadence, editions. */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "clock.h"

#include "banned.h"

struct last {
    char edition[64];
};

static int first_real(void *ud, const struct mailing *m)
{
    struct last *last = ud;

    if (m->test)
        return 0;
    snprintf(last->edition, sizeof(last->edition), "%s%s", m->edition,
             strcmp(m->state, "complete") ? " (in progress)" : "");
    return 1;
}

int cmd_campaigns(int argc, char **argv, struct cli *cli)
{
    struct ledger *l = NULL;
    struct err err;
    char **ids = NULL;
    size_t n = 0, i, j;
    int rc = EX_OK;

    if (argc != 2 || strcmp(argv[1], "list"))
        return cli_usage("campaigns", "use 'mailer campaigns list'");
    err_init(&err);
    if (campaign_list(cli_home(cli), &ids, &n, &err) || !(l = cli_ledger(cli, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    printf("%-30s %-13s %-8s %-28s %-22s %s\n", "CAMPAIGN", "KIND", "EDITION", "LISTS", "LAST",
           "NEXT");
    for (i = 0; i < n; i++) {
        struct campaign c;
        struct edition e;
        struct last last = {"-"};
        struct buf lists = BUF_INIT;
        err_clear(&err);
        if (campaign_load(cli_home(cli), ids[i], &c, &err)) {
            printf("%-30s (has problems: run 'mailer check %s')\n", ids[i], ids[i]);
            campaign_release(&c);
            continue;
        }
        for (j = 0; j < c.nlists; j++)
            buf_addf(&lists, "%s%s", j ? "," : "", c.lists[j]);
        if (ledger_mailings_each(l, c.id, first_real, &last, &err) < 0) {
            rc = cli_fail(&err);
            buf_release(&lists);
            campaign_release(&c);
            goto out;
        }
        campaign_edition(&c, NULL, clock_now(), &e, &err);
        printf("%-30s %-13s %-8s %-28s %-22s %s\n", c.id, c.kind, c.cadence,
               lists.len ? lists.data : c.audience, last.edition, e.name);
        buf_release(&lists);
        campaign_release(&c);
    }
out:
    campaign_list_free(ids, n);
    ledger_close(l);
    err_release(&err);
    return rc;
}
