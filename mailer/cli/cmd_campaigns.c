/* cmd_campaigns - mailer campaigns list: each campaign, its kind, lists, cadence, editions;
 * mailer campaigns new (cmd_campaigns_new.c). */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "i18n.h"
#include "clock.h"
#include "schedule.h"

#include "banned.h"

struct last {
    struct ledger *l;
    char edition[96];
};

/* How a mailing was started, from the events: "due" (its schedule, or a
 * `send --at`) or "send" (by hand); NULL when the events do not say. */
static int started_by(void *ud, const struct ledger_event *e)
{
    const char **how = ud;

    if (!e->detail || !strstr(e->detail, "started;"))
        return 0;
    *how = !strcmp(e->what, "due") ? _("scheduled") : _("by hand");
    return 1;
}

static int first_real(void *ud, const struct mailing *m)
{
    struct last *last = ud;
    const char *how = NULL;
    struct err err;

    if (m->test)
        return 0;
    err_init(&err);
    ledger_events_each(last->l, 0, m->campaign, m->edition, started_by, &how, &err);
    err_release(&err);
    snprintf(last->edition, sizeof(last->edition), "%s%s%s%s%s", m->edition, how ? " (" : "",
             how ? how : "", how ? ")" : "",
             m->state != MAILING_COMPLETE ? _(" (in progress)") : "");
    return 1;
}

struct soonest {
    const char *campaign;
    time_t at;
    char edition[64];
};

static int scheduled(void *ud, const char *campaign, const char *edition, time_t due_at)
{
    struct soonest *s = ud;

    if (strcmp(campaign, s->campaign) || due_at <= clock_now() || (s->at && s->at <= due_at))
        return 0;
    s->at = due_at;
    snprintf(s->edition, sizeof(s->edition), "%s", edition);
    return 0;
}

/* 1 when the edition went (its mailing is complete) or a person skipped it. */
static int edition_done(struct ledger *l, const char *campaign, const char *edition)
{
    struct mailing m;
    struct err err;
    int done = 1;

    err_init(&err);
    if (ledger_edition_skipped(l, campaign, edition, &err) == 0) {
        int found = ledger_mailing_find(l, campaign, edition, &m, &err);
        if (found == 1)
            done = 0;
        else if (found == 0) {
            done = m.state == MAILING_COMPLETE;
            mailing_release(&m);
        }
    }
    err_release(&err);
    return done;
}

/* The next edition due after now: from the campaign file or `send --at`. */
static void next_edition(struct ledger *l, const struct campaign *c, char *out, size_t size)
{
    struct soonest s = {c->id, 0, ""};
    struct schedule_rule rule;
    struct edition e;
    const char *why;
    char when[32];
    struct tm tm;
    size_t i;
    int scheduled_in_file = !schedule_parse(c->cadence, c->schedule, c->send_at, &rule, &why) &&
                            (*c->schedule || *c->send_at);

    for (i = 0; i < c->noverrides; i++)
        scheduled_in_file |= c->overrides[i].send_at != NULL;
    if (c->paused) {
        /* only a `send --at` goes; the file's schedule waits for a person */
        ledger_schedules_each(l, scheduled, &s, NULL);
        if (!s.at) {
            snprintf(out, size, "%s",
                     scheduled_in_file ? _("- (paused: paused = yes in its file)") : "-");
            return;
        }
    } else if (!schedule_parse(c->cadence, c->schedule, c->send_at, &rule, &why)) {
        /* an edition whose time has come and that did not go (its content
         * is missing, cron is off...) is the next one, marked overdue */
        time_t latest = schedule_latest(&rule, c->cadence, c->name, clock_now(), &e);
        if (latest && !edition_done(l, c->id, e.name)) {
            clock_local(latest, &tm);
            strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
            snprintf(out, size, _("%s at %s (overdue)"), e.name, when);
            return;
        }
        s.at = schedule_next(&rule, c->cadence, c->name, clock_now(), &e);
        snprintf(s.edition, sizeof(s.edition), "%s", e.name);
    }
    for (i = 0; !c->paused && i < c->noverrides; i++) {
        if (c->overrides[i].send_at &&
            !schedule_parse("once", "", c->overrides[i].send_at, &rule, &why))
            scheduled(&s, c->id, c->overrides[i].edition, rule.at);
    }
    if (!c->paused)
        ledger_schedules_each(l, scheduled, &s, NULL);
    if (!s.at) {
        /* a schedule whose editions all went says no more; none at all, by hand */
        snprintf(out, size, "%s", scheduled_in_file ? "-" : _("- (no schedule: sent by hand)"));
        return;
    }
    clock_local(s.at, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
    snprintf(out, size, _("%s at %s"), s.edition, when);
}

/* s and spaces up to width characters (not bytes: the headings are UTF-8), at
 * least one. */
static void pad(const char *s, int width)
{
    int chars = 0;
    const char *p;

    for (p = s; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    fputs(s, stdout);
    if (chars >= width) /* a long value still leaves a space before the next column */
        putchar(' ');
    for (; chars < width; chars++)
        putchar(' ');
}

int cmd_campaigns(int argc, char **argv, struct cli *cli)
{
    struct ledger *l = NULL;
    struct err err;
    char **ids = NULL;
    size_t n = 0, i, j;
    int rc = EX_OK;

    if (argc >= 2 && !strcmp(argv[1], "new"))
        return campaigns_new(argc - 1, argv + 1, cli);
    if (argc != 2 || strcmp(argv[1], "list"))
        return cli_usage("campaigns", _("use 'mailer campaigns list' or 'mailer campaigns new "
                                        "NAME --kind K --list L'"));
    err_init(&err);
    if (campaign_list(cli_home(cli), &ids, &n, &err) || !(l = cli_ledger(cli, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    pad(_("CAMPAIGN"), 31);
    pad(_("KIND"), 14);
    pad(_("EDITION"), 9);
    pad(_("LISTS"), 29);
    pad(_("LAST"), 23);
    printf("%s\n", _("NEXT"));
    for (i = 0; i < n; i++) {
        struct campaign c;
        struct last last = {l, "-"};
        char next[128];
        struct buf lists = BUF_INIT;
        int full = 0;
        err_clear(&err);
        if (campaign_load(cli_home(cli), ids[i], &c, &err)) {
            printf(_("%-30s (has problems: run 'mailer check %s')\n"), ids[i], ids[i]);
            campaign_release(&c);
            continue;
        }
        for (j = 0; j < c.nlists && !full; j++)
            full = buf_addf(&lists, "%s%s", j ? "," : "", c.lists[j]);
        if ((full && err_nomem(&err)) ||
            ledger_mailings_each(l, c.id, first_real, &last, &err) < 0) {
            rc = cli_fail(&err);
            buf_release(&lists);
            campaign_release(&c);
            goto out;
        }
        next_edition(l, &c, next, sizeof(next));
        pad(c.id, 31);
        pad(cli_value_name(c.kind), 14);
        pad(cli_value_name(c.cadence), 9);
        pad(lists.len ? lists.data : c.audience, 29);
        pad(last.edition, 23);
        printf("%s\n", next);
        buf_release(&lists);
        campaign_release(&c);
    }
out:
    campaign_list_free(ids, n);
    ledger_close(l);
    err_release(&err);
    return rc;
}
