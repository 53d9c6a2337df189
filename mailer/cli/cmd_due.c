/* cmd_due - mailer due [--dry-run]: send every scheduled edition whose time
 * has come and that is not sent yet, and continue every mailing (however it
 * was started: by hand or by schedule) with deliveries to send now (pending,
 * or deferred whose retry time has come), oldest first. The one cron line:
 *     * /10 * * * *  cd /srv/mailer && mailer -q due
 * A campaign whose file says paused = yes is not sent by its schedule (a
 * `send --at` and an unfinished mailing still are: a person started them).
 * Each item leaves from its campaign's sender; a sender whose run stopped
 * for its mailbox (its daily limit, an account-wide refusal, its server
 * unreachable) is skipped for the rest of this run, and the other senders'
 * items go on. Holds a global lock; prints nothing when nothing is due. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "array.h"
#include "i18n.h"
#include "clock.h"
#include "lockfile.h"
#include "schedule.h"

#include "banned.h"

struct item {
    time_t at;
    int unfinished; /* a mailing of the ledger to continue */
    char campaign[128];
    char edition[64];
};

struct due {
    struct item *v;
    size_t n, alloc;
    time_t now;
    char **stopped; /* the senders that stopped in this run */
    size_t nstopped, stopped_alloc;
};

/* 1 when sender (a campaign's `sender =`, "" the default) stopped in this run. */
static int sender_stopped(const struct due *d, const char *sender)
{
    size_t i;

    for (i = 0; i < d->nstopped; i++)
        if (!strcmp(d->stopped[i], *sender ? sender : "default"))
            return 1;
    return 0;
}

static int sender_stop(struct due *d, const char *sender)
{
    char **grown;

    if (d->nstopped == d->stopped_alloc) {
        if (!(grown = array_grow(d->stopped, &d->stopped_alloc, 4, sizeof(*grown))))
            return -1;
        d->stopped = grown;
    }
    if (!(d->stopped[d->nstopped] = strdup(*sender ? sender : "default")))
        return -1;
    d->nstopped++;
    return 0;
}

static int add(struct due *d, time_t at, const char *campaign, const char *edition, int unfinished)
{
    size_t i;

    if (!at || at > d->now)
        return 0;
    for (i = 0; i < d->n; i++)
        if (!strcmp(d->v[i].campaign, campaign) && !strcmp(d->v[i].edition, edition))
            return 0;
    if (d->n == d->alloc) {
        struct item *grown = array_grow(d->v, &d->alloc, 16, sizeof(*grown));
        if (!grown)
            return -1;
        d->v = grown;
    }
    d->v[d->n].at = at;
    d->v[d->n].unfinished = unfinished;
    snprintf(d->v[d->n].campaign, sizeof(d->v[0].campaign), "%s", campaign);
    snprintf(d->v[d->n].edition, sizeof(d->v[0].edition), "%s", edition);
    d->n++;
    return 0;
}

/* What a campaign file schedules: its cadence slot, and [edition] send_at;
 * nothing while it says paused = yes (the examples of a new home do, until
 * a person turns them on). */
static int from_campaign(struct due *d, const struct campaign *c, struct err *err)
{
    struct schedule_rule rule;
    struct edition e;
    const char *why;
    size_t i;

    if (c->paused)
        return 0;
    if (schedule_parse(c->cadence, c->schedule, c->send_at, &rule, &why))
        return err_set(err, ERR_DATA, "%s: %s", c->path, why);
    if (add(d, schedule_latest(&rule, c->cadence, c->name, d->now, &e), c->id, e.name, 0))
        return err_nomem(err);
    for (i = 0; i < c->noverrides; i++) {
        const struct campaign_override *o = &c->overrides[i];
        if (!o->send_at)
            continue;
        if (schedule_parse("once", "", o->send_at, &rule, &why))
            return err_set(err, ERR_DATA, _("%s: [edition %s]: %s"), c->path, o->edition, _(why));
        if (add(d, rule.at, c->id, o->edition, 0))
            return err_nomem(err);
    }
    return 0;
}

static int from_ledger(void *ud, const char *campaign, const char *edition, time_t due_at)
{
    return add(ud, due_at, campaign, edition, 0);
}

/* A mailing left unfinished: continued in the order it was created. */
static int from_unfinished(void *ud, const char *campaign, const char *edition, time_t created)
{
    struct due *d = ud;

    return add(d, created && created < d->now ? created : d->now, campaign, edition, 1);
}

static int by_time(const void *a, const void *b)
{
    const struct item *x = a, *y = b;

    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return strcmp(x->campaign, y->campaign);
}

static int collect(struct cli *cli, struct due *d, struct ledger *l, struct err *err)
{
    char **ids = NULL;
    size_t n = 0, i;
    int rc = 0;

    if (campaign_list(cli_home(cli), &ids, &n, err))
        return -1;
    for (i = 0; i < n; i++) {
        struct campaign c;
        if (campaign_load(cli_home(cli), ids[i], &c, err) || from_campaign(d, &c, err))
            rc = -1; /* reported; the other campaigns still go */
        campaign_release(&c);
    }
    campaign_list_free(ids, n);
    if (ledger_schedules_each(l, from_ledger, d, err) < 0 ||
        ledger_mailings_unfinished(l, d->now, from_unfinished, d, err) < 0)
        rc = -1;
    if (d->n) /* qsort wants a real array, even for none */
        qsort(d->v, d->n, sizeof(*d->v), by_time);
    return rc;
}

/* 1 if the mailing is complete already, or a person skipped the edition
 * (`mailer unschedule CAMPAIGN --edition E`). */
static int already_sent(struct ledger *l, const struct item *it, struct err *err)
{
    struct mailing m;
    int rc;

    if (!it->unfinished && (rc = ledger_edition_skipped(l, it->campaign, it->edition, err)))
        return rc;
    rc = ledger_mailing_find(l, it->campaign, it->edition, &m, err);

    if (rc != 0)
        return rc == 1 ? 0 : -1;
    rc = m.state == MAILING_COMPLETE;
    mailing_release(&m);
    return rc;
}

/* A scheduled edition whose content file is missing: said once a day (the
 * ledger remembers the day), not on every cron run; the rest of `due` goes
 * on. -1 when the content is there (send it), else the exit status. */
static int content_missing(struct cli *cli, const struct campaign *c, const struct item *it)
{
    struct edition e;
    struct buf path = BUF_INIT;
    struct ledger *l = NULL;
    struct err err;
    char key[256], day[32], last[32];
    int rc = -1;

    err_init(&err);
    if (campaign_edition(c, it->edition, clock_now(), &e, &err))
        goto out;
    if (campaign_content_path(c, &e, &path)) {
        rc = cli_fail_nomem();
        goto out;
    }
    if (!path.len || access(path.data, F_OK) == 0 || errno != ENOENT)
        goto out;
    clock_iso(clock_now(), day, sizeof(day));
    day[10] = '\0'; /* the day, YYYY-MM-DD */
    snprintf(key, sizeof(key), "reported:missing:%s:%s", it->campaign, it->edition); /* data */
    if (!(l = cli_ledger(cli, &err)) || ledger_note_get(l, key, last, sizeof(last), &err) < 0) {
        rc = cli_fail(&err);
        goto out;
    }
    rc = EX_OK;
    if (!strcmp(last, day))
        goto out; /* said today already */
    if (ledger_note_set(l, key, day, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    fprintf(stderr,
            _("mailer: %s edition %s is due, but its content file %s does not exist; nothing "
              "was sent. Write the file, or skip this edition with 'mailer unschedule %s "
              "--edition %s'. This is said once a day.\n"),
            it->campaign, it->edition, path.data, it->campaign, it->edition);
    rc = EX_NOINPUT;
out:
    ledger_close(l);
    buf_release(&path);
    err_release(&err);
    return rc;
}

static int send_item(struct cli *cli, struct due *d, const struct item *it, int dry_run)
{
    struct send_opts o = {0};
    struct campaign c;
    char when[128];
    int rc, stopped = 0;

    if (dry_run) {
        cli_when(it->at, when, sizeof(when));
        if (it->unfinished)
            printf(_("due: %s %s, to continue (started %s)\n"), it->campaign, it->edition, when);
        else
            printf(_("due: %s %s, since %s\n"), it->campaign, it->edition, when);
        return EX_OK;
    }
    if ((rc = cli_campaign(cli, it->campaign, &c)))
        return rc;
    if (campaign_apply_edition(&c, it->edition)) {
        campaign_release(&c);
        return EX_SOFTWARE;
    }
    if (!it->unfinished && (rc = content_missing(cli, &c, it)) >= 0) {
        campaign_release(&c);
        return rc;
    }
    if (sender_stopped(d, c.sender)) {
        if (!cli->quiet)
            fprintf(stderr,
                    _("mailer: %s %s waits for the next run: its sender %s stopped in this "
                      "one\n"),
                    it->campaign, it->edition, cli_sender_name(c.sender));
        campaign_release(&c);
        return EX_TEMPFAIL;
    }
    o.campaign = &c;
    o.edition = it->edition;
    rc = cli_send_edition(cli, &o, 1, &stopped);
    if (stopped && sender_stop(d, c.sender))
        rc = cli_fail_nomem();
    campaign_release(&c);
    return rc;
}

int cmd_due(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"dry-run", no_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    struct due d = {NULL, 0, 0, clock_now(), NULL, 0, 0};
    struct lockfile lock = {-1};
    struct buf path = BUF_INIT;
    struct ledger *l = NULL;
    struct err err;
    int opt, dry_run = 0, rc = EX_OK, one;
    size_t i;

    while ((opt = cli_getopt(argc, argv, "n", opts)) != -1) {
        if (opt != 'n')
            return cli_usage("due", _("[--dry-run]"));
        dry_run = 1;
    }
    if (optind != argc)
        return cli_usage("due", _("takes no arguments"));
    err_init(&err);
    if (cli_lock_dir(cli, &path) || buf_addstr(&path, "/due.lock")) {
        rc = cli_fail_nomem();
        goto out;
    }
    if (lockfile_take(&lock, path.data, "'mailer due'", &err) || !(l = cli_ledger(cli, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    if (collect(cli, &d, l, &err)) {
        rc = cli_fail(&err);
        err_clear(&err);
    }
    for (i = 0; i < d.n; i++) {
        int sent = already_sent(l, &d.v[i], &err);
        if (sent < 0) {
            rc = cli_fail(&err);
            break;
        }
        if (sent)
            continue;
        ledger_close(l); /* the send opens its own connection */
        l = NULL;
        one = send_item(cli, &d, &d.v[i], dry_run);
        if (one != EX_OK && rc == EX_OK)
            rc = one;
        if (!(l = cli_ledger(cli, &err))) {
            rc = cli_fail(&err);
            break;
        }
    }
out:
    free(d.v);
    for (i = 0; i < d.nstopped; i++)
        free(d.stopped[i]);
    free(d.stopped);
    ledger_close(l);
    lockfile_release(&lock);
    buf_release(&path);
    err_release(&err);
    return rc;
}
