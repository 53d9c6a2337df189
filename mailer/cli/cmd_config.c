/* cmd_config - mailer config: the settings in effect and where each comes
 * from; then the senders (.env's and senders.ini's), which campaigns leave
 * from each, and whether each secret can be had (never shown, no command
 * run). Exit 78 when the command of a secret is not there or a campaign
 * names a sender that is not defined. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "cli_senders.h"
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

/* The home's campaigns (those that load; *n of them). */
static struct campaign *load_campaigns(const struct cli *cli, size_t *n)
{
    struct campaign *v;
    struct err err;
    char **ids = NULL;
    size_t nids = 0, i;

    *n = 0;
    err_init(&err);
    if (campaign_list(cli_home(cli), &ids, &nids, &err) ||
        !(v = calloc(nids ? nids : 1, sizeof(*v)))) {
        campaign_list_free(ids, nids);
        err_release(&err);
        return NULL;
    }
    for (i = 0; i < nids; i++) {
        if (campaign_load(cli_home(cli), ids[i], &v[*n], &err)) {
            printf(_("campaign %s cannot be read: 'mailer check %s' says why\n"), ids[i], ids[i]);
            campaign_release(&v[*n]);
            err_clear(&err);
            continue;
        }
        ++*n;
    }
    campaign_list_free(ids, nids);
    err_release(&err);
    return v;
}

/* 1 when a campaign's `sender =` value (name, "" the default) is sender. */
static int same_sender(const char *sender, const char *name)
{
    return !strcmp(*name ? name : "default", sender);
}

/* "  campaigns: a, b [edition e]" of the sender called name. */
static void print_campaigns(const struct campaign *v, size_t n, const char *name)
{
    size_t i, j;
    int any = 0;

    printf(_("  campaigns:"));
    for (i = 0; i < n; i++) {
        if (same_sender(name, v[i].sender))
            printf("%s %s", any++ ? "," : "", v[i].id); /* data */
        for (j = 0; j < v[i].noverrides; j++)
            if (v[i].overrides[j].sender && same_sender(name, v[i].overrides[j].sender))
                printf("%s %s [edition %s]", any++ ? "," : "", v[i].id, /* data */
                       v[i].overrides[j].edition);
    }
    printf("%s\n", any ? "" : _(" none"));
}

/* Said when name (of path:line) is no sender of p: 1, else 0. */
static int unknown_sender(const struct sender_profiles *p, const char *path, int line,
                          const char *name)
{
    if (sender_profiles_find(p, name))
        return 0;
    printf(_("%s:%d: sender \"%s\" is not defined\n"), path, line, name);
    return 1;
}

/* The campaigns (or editions of them) naming a sender p does not define. */
static int unknown_senders(const struct campaign *v, size_t n, const struct sender_profiles *p)
{
    size_t i, j;
    int bad = 0;

    for (i = 0; i < n; i++) {
        bad += unknown_sender(p, v[i].path, v[i].sender_line, v[i].sender);
        for (j = 0; j < v[i].noverrides; j++)
            if (v[i].overrides[j].sender)
                bad += unknown_sender(p, v[i].path, v[i].overrides[j].sender_line,
                                      v[i].overrides[j].sender);
    }
    return bad;
}

/* The senders and their campaigns; EX_CONFIG when something cannot work. */
static int print_senders(struct cli *cli)
{
    struct sender_profiles p;
    struct campaign *v;
    struct err err;
    size_t n = 0, i;
    int problems = 0, imap;

    err_init(&err);
    if (cli_senders(cli, &p, &err)) {
        int rc = cli_fail(&err);
        err_release(&err);
        return rc;
    }
    v = load_campaigns(cli, &n);
    for (i = 0; i < p.n; i++) {
        putchar('\n');
        problems += cli_sender_print(cli, &p.v[i], "", 1, &imap);
        problems += imap;
        if (v)
            print_campaigns(v, n, p.v[i].name);
    }
    if (v)
        problems += unknown_senders(v, n, &p);
    for (i = 0; v && i < n; i++)
        campaign_release(&v[i]);
    free(v);
    sender_profiles_release(&p);
    err_release(&err);
    return problems ? EX_CONFIG : EX_OK;
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
    return print_senders(cli);
}
