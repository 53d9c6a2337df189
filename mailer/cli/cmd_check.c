/* cmd_check - mailer check CAMPAIGN [--edition E]: pre-flight, exit 0 sendable, 65 not. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "audience.h"
#include "cli.h"
#include "i18n.h"
#include "clock.h"
#include "compose.h"

#include "banned.h"

struct checker {
    struct compose cp;
    struct err *err;
    struct compose_gaps gaps;
};

static int on_contact(void *ud, const struct contact *c)
{
    struct checker *ck = ud;

    compose_gaps_contact(&ck->gaps, c->file, c->line);
    return compose_dry(&ck->cp, c->vars, compose_gaps_note, &ck->gaps, ck->err);
}

struct earlier {
    struct checker *ck;
    struct ledger *l;
    struct audience_stats *st;
};

/* A reminder's audience: the deliveries of the earlier edition, minus
 * anyone suppressed since. */
static int on_delivery(void *ud, const struct delivery *d)
{
    struct earlier *e = ud;
    struct contact c = {d->address, d->name, d->list, "ledger", 0, NULL};
    struct value *vars;
    char why[64];
    int rc;

    e->st->rows++;
    rc = ledger_suppressed(e->l, d->address, why, sizeof(why), e->ck->err);
    if (rc)
        return rc < 0 ? -1 : (e->st->suppressed++, 0);
    if (!(vars = value_from_json(d->vars, strlen(d->vars), "ledger", e->ck->err)))
        return -1;
    c.vars = vars;
    rc = on_contact(e->ck, &c);
    value_free(vars);
    e->st->accepted += rc == 0;
    return rc;
}

static int check_earlier(struct checker *ck, struct ledger *l, const struct campaign *c,
                         struct audience_stats *st, struct err *err)
{
    struct earlier e = {ck, l, st};
    struct mailing m;
    int rc = ledger_mailing_find(l, c->id, c->audience + 8, &m, err);

    if (rc < 0)
        return -1;
    if (rc == 1)
        return err_set(err, ERR_DATA,
                       _("%s: this edition goes to the audience of edition %s, which has not "
                         "been sent yet"),
                       c->path, c->audience + 8);
    printf(_("  audience: the people edition %s went to, minus anyone suppressed since\n"),
           m.edition);
    rc = ledger_deliveries_each(l, m.id, on_delivery, &e, err);
    mailing_release(&m);
    return rc ? -1 : 0;
}

static void print_missing(const struct checker *ck, const struct campaign *c)
{
    size_t i;
    long j;

    for (i = 0; i < ck->gaps.n; i++) {
        const struct compose_gap *m = &ck->gaps.v[i];
        printf(ngettext("  missing {{%s}} for %ld contact (first:",
                        "  missing {{%s}} for %ld contacts (first:", (unsigned long)m->count),
               m->name, m->count);
        for (j = 0; j < m->count && j < COMPOSE_GAP_ROWS; j++)
            printf(" %s", m->first[j]);
        printf(_("); add the column, or a default under [defaults] in %s\n"), c->path);
    }
}

/* The list's report lines (invalid, duplicate), written by the library. */
static void print_notes(const struct buf *notes)
{
    struct buf text = BUF_INIT;

    if (!notes->len)
        return;
    printf("%s\n", i18n_lib_show(notes->data, &text));
    buf_release(&text);
}

int cmd_check(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"edition", required_argument, NULL, 'e'},
        {NULL, 0, NULL, 0},
    };
    const char *edition = NULL;
    struct checker ck;
    struct audience_spec spec = {0};
    struct audience_stats st = {0};
    struct buf notes = BUF_INIT;
    struct edition e;
    struct campaign c;
    struct ledger *l = NULL;
    struct err err;
    int opt, rc;

    while ((opt = cli_getopt(argc, argv, "e:", opts)) != -1) {
        if (opt != 'e')
            return cli_usage("check", _("CAMPAIGN [--edition E]"));
        edition = optarg;
    }
    if (optind + 1 != argc)
        return cli_usage("check", _("give one campaign name"));
    if ((rc = cli_campaign(cli, argv[optind], &c)))
        return rc == EX_DATAERR || rc == EX_NOINPUT ? rc : rc;
    memset(&ck, 0, sizeof(ck));
    err_init(&err);
    ck.err = &err;
    notes.cap = 16 * 1024 * 1024;
    if (campaign_edition(&c, edition, clock_now(), &e, &err) ||
        campaign_apply_edition(&c, e.name) || compose_init(&ck.cp, &c, &e, &cli->config, 0, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    printf(_("%s: %s (%s), edition %s «%s»\n"), c.id, c.name, c.kind, e.name, e.label);
    if (!edition && !strcmp(c.cadence, "weekly"))
        printf(_("  weekly: the default edition is the week that just ended\n"));
    l = cli_ledger(cli, &err);
    if (!l || audience_spec_init(&spec, &c, l) ||
        (!strncmp(c.audience, "edition:", 8)
             ? check_earlier(&ck, l, &c, &st, &err)
             : contacts_load(&spec, on_contact, &ck, &st, &notes, &err))) {
        print_notes(&notes);
        rc = cli_fail(&err);
        goto out;
    }
    print_notes(&notes);
    printf(_("  audience: %zu rows loaded, %zu invalid, %zu duplicates, %zu filtered out, "
             "%zu suppressed: %zu recipients\n"),
           st.rows, st.invalid, st.duplicates, st.filtered, st.suppressed, st.accepted);
    print_missing(&ck, &c);
    if (ck.gaps.n) {
        printf(_("  not sendable: template variables are missing\n"));
        rc = EX_DATAERR;
    } else if (!st.accepted) {
        printf(_("  not sendable: nobody to send to\n"));
        rc = EX_DATAERR;
    } else {
        printf(_("  sendable\n"));
        rc = EX_OK;
    }
out:
    audience_spec_release(&spec);
    compose_release(&ck.cp);
    ledger_close(l);
    campaign_release(&c);
    buf_release(&notes);
    err_release(&err);
    return rc;
}
