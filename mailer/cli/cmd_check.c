/* cmd_check - mailer check CAMPAIGN [--edition E] [--force]: pre-flight, exit 0
 * sendable, 65 not (78 when its sender is not defined or the command of
 * its password is not there). --force takes a list with over 10 % invalid rows, as
 * `send --force` would. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "audience.h"
#include "cli.h"
#include "cli_senders.h"
#include "i18n.h"
#include "report.h"
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
        printf(_("); add the column (or fill its empty cells), or a default under [defaults] "
                 "in %s\n"),
               c->path);
    }
}

/* How each list is read (address column, what {{nombre}} is), as it loads. */
static int on_list(void *ud, const struct contacts_list_info *info)
{
    (void)ud;
    printf("  ");
    audience_print_list(info);
    return 0;
}

/* A [defaults] key the mailer fills itself is never used: said. */
static void warn_reserved_defaults(const struct campaign *c)
{
    const char *key;
    size_t i;

    for (i = 0; value_map_at(c->defaults, i, &key); i++)
        if (compose_is_reserved(key))
            printf(_("  warning: %s: [defaults] %s is never used: the mailer fills {{%s}} "
                     "itself (see 'mailer help template'); give it another name\n"),
                   c->path, key, key);
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

/* The sender the campaign leaves from, and whether its secrets can be had
 * (none is run): the number of its login's that cannot. A campaign From of
 * another address than its sender's is said: a server such as Microsoft
 * 365 refuses to send as another mailbox. */
static int check_sender(const struct cli *cli, const struct campaign *c, const struct sender *s)
{
    char mine[320], its[320];
    int problems = cli_sender_print(cli, s, "  ", 0, NULL);

    if (*c->from && !sender_address(c->from, mine, sizeof(mine)) &&
        !sender_address(s->from, its, sizeof(its)) && strcasecmp(mine, its))
        printf(_("  warning: %s: from %s is not the address of its sender %s (%s): its server "
                 "may refuse to send as another mailbox\n"),
               c->path, mine, cli_sender_name(s->name), its);
    return problems;
}

/* The report's informe.conf: its problems, and targets that match no list
 * or campaign, said here too (they do not stop a send; `report` refuses). */
static void check_informe(const struct cli *cli, struct ledger *l)
{
    struct report_config cfg;
    struct buf text = BUF_INIT;
    const char *line, *nl, *shown;
    struct err err;

    err_init(&err);
    if (cli_informe_load(cli, NULL, &cfg, &err) ||
        report_config_check(&cfg, l, cli_home(cli), &err)) {
        shown = i18n_lib_show(err.msg.data, &text); /* the English, out of memory */
        fputs(_("  problem in the report's configuration (mailer report will refuse it):\n"),
              stdout);
        for (line = shown; *line; line = *nl ? nl + 1 : nl) {
            nl = line + strcspn(line, "\n");
            printf("    %.*s\n", (int)(nl - line), line); /* data */
        }
    }
    report_config_release(&cfg);
    buf_release(&text);
    err_release(&err);
}

int cmd_check(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"edition", required_argument, NULL, 'e'},
        {"force", no_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    const char *edition = NULL;
    struct checker ck;
    struct audience_spec spec = {0};
    struct audience_stats st = {0};
    struct buf notes = BUF_INIT;
    struct edition e;
    struct sender sender = {0};
    struct campaign c;
    struct ledger *l = NULL;
    struct err err;
    int opt, rc, force = 0, login;

    while ((opt = cli_getopt(argc, argv, "e:", opts)) != -1) {
        if (opt == 'f') {
            force = 1; /* a list over 10 % invalid, as `send --force` would take it */
            continue;
        }
        if (opt != 'e')
            return cli_usage("check", _("CAMPAIGN [--edition E] [--force]"));
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
        campaign_apply_edition(&c, e.name) || cli_sender(cli, &c, &sender, &err) ||
        compose_init(&ck.cp, &c, &e, &sender, 0, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    printf(_("%s: %s (%s), edition %s «%s»\n"), c.id, c.name, cli_value_name(c.kind), e.name,
           e.label);
    if (c.paused)
        printf(_("  paused = yes: 'mailer due' does not send it by its schedule (change it to "
                 "paused = no in %s); 'mailer send' does\n"),
               c.path);
    if (!edition && !strcmp(c.cadence, "weekly"))
        printf(_("  weekly: the default edition is the week that just ended\n"));
    warn_reserved_defaults(&c);
    login = check_sender(cli, &c, &sender);
    l = cli_ledger(cli, &err);
    rc = !l || audience_spec_init(&spec, &c, l);
    spec.list_info = on_list;
    spec.force = force;
    if (rc || (!strncmp(c.audience, "edition:", 8)
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
    } else if (login) {
        printf(_("  not sendable: the command of its sender's password is not there\n"));
        rc = EX_CONFIG;
    } else {
        printf(_("  sendable\n"));
        rc = EX_OK;
    }
    check_informe(cli, l);
out:
    audience_spec_release(&spec);
    compose_release(&ck.cp);
    sender_release(&sender);
    ledger_close(l);
    campaign_release(&c);
    buf_release(&notes);
    err_release(&err);
    return rc;
}
