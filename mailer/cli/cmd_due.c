/* cmd_due - mailer due [--dry-run]: send every scheduled edition whose time
 * has come and that is not sent yet, and continue every mailing (however it
 * was started: by hand or by schedule) with deliveries to send now (pending,
 * or deferred whose retry time has come), oldest first. The one cron line:
 *     * /10 * * * *  cd /srv/mailer && mailer -q due
 * A campaign whose file says paused = yes is not sent by its schedule (a
 * `send --at` and an unfinished mailing still are: a person started them).
 * Each item leaves from its campaign's sender; a sender whose run stopped
 * for its mailbox (its daily limit, an account-wide refusal, its server
 * unreachable), or that another process is sending from (a `mailer send`
 * by hand: one process at a time per sender, send.h), is skipped for the
 * rest of this run, and the other senders' items go on. Holds a global
 * lock; prints nothing when nothing is due. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "array.h"
#include "cli.h"
#include "clock.h"
#include "events.h"
#include "i18n.h"
#include "lockfile.h"
#include "notify.h"
#include "schedule.h"

#include "banned.h"

struct item {
    time_t at;
    int unfinished; /* a mailing of the ledger to continue */
    char campaign[128];
    char edition[64];
};

/* A sender that stopped in this run, and whether because another process
 * was sending from it (busy) or for its mailbox (its limit, a refusal...). */
struct stopped {
    char *name;
    int busy;
};

struct due {
    struct item *v;
    size_t n, alloc;
    time_t now;
    struct stopped *stopped; /* the senders that stopped in this run */
    size_t nstopped, stopped_alloc;
};

/* sender (a campaign's `sender =`, "" the default) stopped in this run:
 * its entry, NULL when it did not. */
static const struct stopped *sender_stopped(const struct due *d, const char *sender)
{
    size_t i;

    for (i = 0; i < d->nstopped; i++)
        if (!strcmp(d->stopped[i].name, *sender ? sender : "default"))
            return &d->stopped[i];
    return NULL;
}

static int sender_stop(struct due *d, const char *sender, int busy)
{
    struct stopped *grown;

    if (d->nstopped == d->stopped_alloc) {
        if (!(grown = array_grow(d->stopped, &d->stopped_alloc, 4, sizeof(*grown))))
            return -1;
        d->stopped = grown;
    }
    if (!(d->stopped[d->nstopped].name = strdup(*sender ? sender : "default")))
        return -1;
    d->stopped[d->nstopped++].busy = busy;
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

static int send_item(struct cli *cli, struct due *d, const struct item *it, int dry_run,
                     struct due_watch *watch)
{
    struct send_opts o = {0};
    const struct stopped *st;
    struct campaign c;
    char when[128];
    int rc;

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
    if ((st = sender_stopped(d, c.sender))) {
        if (!cli->quiet && st->busy)
            fprintf(stderr,
                    _("mailer: %s %s waits for the next run: its sender %s is sending in "
                      "another process\n"),
                    it->campaign, it->edition, cli_sender_name(c.sender));
        else if (!cli->quiet)
            fprintf(stderr,
                    _("mailer: %s %s waits for the next run: its sender %s stopped in this "
                      "one\n"),
                    it->campaign, it->edition, cli_sender_name(c.sender));
        campaign_release(&c);
        return EX_TEMPFAIL;
    }
    o.campaign = &c;
    o.edition = it->edition;
    rc = cli_send_edition(cli, &o, watch);
    if ((watch->sender_stopped || watch->sender_busy) &&
        sender_stop(d, c.sender, watch->sender_busy))
        rc = cli_fail_nomem();
    campaign_release(&c);
    return rc;
}

/* ---- the notice to a person (NOTIFY_TO) ----------------------------------- */

#define STUCK_AFTER (24 * 3600) /* an unfinished mailing older than this is said */

/* The problems of this run not yet said today: a paragraph each, and the
 * ledger notes that will remember they were. */
struct notice {
    struct ledger *l;
    char today[32]; /* YYYY-MM-DD in Mexico City */
    struct buf text, keys;
    int n;
    time_t now;
};

/* What an item printed on stderr while it ran, to quote it: the item's
 * stderr goes to a temporary file, read back into a buf (the caller prints
 * it, unless it was told today already). */
struct capture {
    int saved;
    FILE *tmp;
};

static void capture_begin(struct capture *c)
{
    fflush(stderr);
    c->saved = -1;
    if (!(c->tmp = tmpfile()))
        return; /* not quoted, still printed */
    if ((c->saved = dup(STDERR_FILENO)) < 0 || dup2(fileno(c->tmp), STDERR_FILENO) < 0) {
        if (c->saved >= 0)
            close(c->saved);
        c->saved = -1;
        fclose(c->tmp);
        c->tmp = NULL;
    }
}

static void capture_end(struct capture *c, struct buf *out)
{
    char chunk[4096];
    size_t n;

    if (!c->tmp)
        return;
    fflush(stderr);
    dup2(c->saved, STDERR_FILENO);
    close(c->saved);
    rewind(c->tmp);
    while ((n = fread(chunk, 1, sizeof(chunk), c->tmp)) > 0)
        if (buf_add(out, chunk, n))
            cli_die_nomem();
    fclose(c->tmp);
    c->tmp = NULL;
}

/* One problem (key: what it is about; text: what was said, its lines), if
 * not told today already: 1 added, 0 told already. */
static int notice_add(struct notice *nt, const char *key, const char *title, const char *text)
{
    char last[32] = "";
    struct buf note = BUF_INIT;
    struct err err;
    const char *line, *nl;

    err_init(&err);
    if (buf_addf(&note, "notified:%s", key))
        cli_die_nomem();
    if (ledger_note_get(nt->l, note.data, last, sizeof(last), &err) < 0)
        cli_fail(&err); /* said; the problem is still told */
    err_release(&err);
    if (!strcmp(last, nt->today)) {
        buf_release(&note);
        return 0;
    }
    if (buf_addf(&nt->text, "%d. %s\n", ++nt->n, title) || buf_addf(&nt->keys, "%s\n", note.data))
        cli_die_nomem();
    for (line = text; *line; line = *nl ? nl + 1 : nl) {
        nl = line + strcspn(line, "\n");
        if (nl > line && buf_addf(&nt->text, "   %.*s\n", (int)(nl - line), line))
            cli_die_nomem();
    }
    if (buf_addch(&nt->text, '\n'))
        cli_die_nomem();
    buf_release(&note);
    return 1;
}

/* An item's problem into the notice: 1 when it is new today (then what the
 * item said is printed too), 0 when it was told today already (a cron run
 * every ten minutes does not repeat it). */
static int told(struct notice *nt, struct ledger *l, const struct item *it, int rc,
                const struct buf *said)
{
    struct buf key = BUF_INIT, title = BUF_INIT;
    int added;

    nt->l = l;
    if (buf_addf(&key, "%s/%s:%d", it->campaign, it->edition, rc) ||
        buf_addf(&title, "%s %s", it->campaign, it->edition))
        cli_die_nomem();
    added = notice_add(nt, key.data, title.data, said->len ? said->data : _("(nothing was said)"));
    buf_release(&key);
    buf_release(&title);
    return added;
}

/* A mailing unfinished for a day or more (it waits for a server, for a
 * person's --resend-uncertain, for something nobody is looking at). */
static int stuck(void *ud, const struct mailing *m)
{
    struct notice *nt = ud;
    struct delivery_counts c;
    struct buf key = BUF_INIT, title = BUF_INIT, text = BUF_INIT;
    char when[128], reply[512] = "";
    struct err err;
    time_t since = m->started_at ? m->started_at : m->created_at;

    if (m->test || m->state == MAILING_COMPLETE || !since || nt->now - since < STUCK_AFTER)
        return 0;
    err_init(&err);
    if (ledger_mailing_counts(nt->l, m->id, &c, &err) ||
        ledger_mailing_last_reply(nt->l, m->id, reply, sizeof(reply), &err) < 0) {
        err_release(&err);
        return -1;
    }
    err_release(&err);
    if (!c.pending && !c.deferred && !c.sending)
        return 0;
    cli_when(since, when, sizeof(when));
    if (buf_addf(&key, "stuck:%s/%s", m->campaign, m->edition) ||
        buf_addf(&title, _("%s %s: unfinished since %s"), m->campaign, m->edition, when) ||
        buf_addf(&text,
                 _("%ld pending, %ld deferred, %ld uncertain; 'mailer status %s --edition %s' "
                   "says why it waits\n"),
                 c.pending, c.deferred, c.sending, m->campaign, m->edition) ||
        (*reply && buf_addf(&text, _("the server's last reply: %s\n"), reply)))
        cli_die_nomem();
    (void)notice_add(nt, key.data, title.data, text.data);
    buf_release(&key);
    buf_release(&title);
    buf_release(&text);
    return 0;
}

/* A sender that could not carry the notice (NULL: the senders could not be
 * read): a line of failed, said in the language of the messages. */
static void notice_failed(struct buf *failed, const char *sender, const struct err *err)
{
    struct buf why = BUF_INIT;
    const char *text = i18n_lib_show(err->msg.len ? err->msg.data : "", &why);

    if (sender ? buf_addf(failed, _("  sender %s: %s\n"), cli_sender_name(sender), text)
               : buf_addf(failed, "  %s\n", text))
        cli_die_nomem();
    buf_release(&why);
}

/* Mail what this run could not settle to NOTIFY_TO, through the default
 * sender's server, or when that cannot (it has none, or it is the problem)
 * through each sender of senders.ini in turn; when none can, print it whole
 * with each one's answer, for cron's own mail. Either way each problem is
 * remembered as said today. */
static void notice_send(struct cli *cli, struct notice *nt, const char *to)
{
    struct sender_profiles senders = {0};
    struct buf subject = BUF_INIT, body = BUF_INIT, failed = BUF_INIT;
    struct err err;
    char when[128];
    char *key, *nl;
    int mailed = 0;
    size_t i;

    if (!nt->n)
        return;
    cli_when(nt->now, when, sizeof(when));
    if (buf_addf(&subject,
                 ngettext("mailer: %d problem needs a person (%s)",
                          "mailer: %d problems need a person (%s)", (unsigned long)nt->n),
                 nt->n, events_host()) ||
        buf_addf(&body, _("'mailer due' on %s, %s, could not settle this alone:\n\n"),
                 events_host(), when) ||
        buf_add(&body, nt->text.data, nt->text.len) ||
        buf_addstr(&body, _("Each problem is told once a day while it lasts. 'mailer status' shows "
                            "every mailing, 'mailer log' who did what.\n")))
        cli_die_nomem();
    err_init(&err);
    /* by the default sender; when it cannot (it has no server, or its server
     * is the problem), by each sender of senders.ini in turn */
    if (cli_senders(cli, &senders, &err)) /* no sender at all, not even the default */
        notice_failed(&failed, NULL, &err);
    err_clear(&err);
    for (i = 0; i < senders.n && !mailed; i++) {
        if (!*senders.v[i].smtp_url && senders.n > 1)
            continue; /* a default that sends nothing, beside senders that do */
        if (notify_send(&senders.v[i], to, subject.data, body.data, &err) == 0)
            mailed = 1;
        else
            notice_failed(&failed, senders.v[i].name, &err);
        err_clear(&err);
    }
    if (!mailed) {
        fprintf(stderr, _("mailer: the summary for NOTIFY_TO (%s) could not be mailed:\n%s%s"), to,
                failed.len ? failed.data : "", subject.data);
        fprintf(stderr, "\n\n%s", body.data);
    }
    sender_profiles_release(&senders);
    buf_release(&failed);
    /* the keys, a line each, are cut in place */
    for (key = nt->keys.data; (nl = strchr(key, '\n')); key = nl + 1) {
        *nl = '\0';
        if (ledger_note_set(nt->l, key, nt->today, &err))
            cli_fail(&err);
        err_clear(&err);
    }
    if (mailed && cli->verbose)
        fprintf(stderr,
                ngettext("mailer: a summary of %d problem was mailed to %s\n",
                         "mailer: a summary of %d problems was mailed to %s\n",
                         (unsigned long)nt->n),
                nt->n, to);
    err_release(&err);
    buf_release(&subject);
    buf_release(&body);
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
    const char *notify = config_get(&cli->config, CFG_NOTIFY_TO);
    struct notice nt = {NULL, "", BUF_INIT, BUF_INIT, 0, clock_now()};
    struct tm tm;

    while ((opt = cli_getopt(argc, argv, "n", opts)) != -1) {
        if (opt != 'n')
            return cli_usage("due", _("[--dry-run]"));
        dry_run = 1;
    }
    if (optind != argc)
        return cli_usage("due", _("takes no arguments"));
    if (!*notify || dry_run)
        notify = NULL;
    clock_local(nt.now, &tm);
    snprintf(nt.today, sizeof(nt.today), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday);
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
        struct due_watch watch = {0};
        struct capture cap;
        struct buf said = BUF_INIT;
        int quiet = 0, sent = already_sent(l, &d.v[i], &err);
        if (sent < 0) {
            rc = cli_fail(&err);
            break;
        }
        if (sent)
            continue;
        ledger_close(l); /* the send opens its own connection */
        l = NULL;
        if (notify)
            capture_begin(&cap);
        one = send_item(cli, &d, &d.v[i], dry_run, &watch);
        if (notify)
            capture_end(&cap, &said);
        if (one != EX_OK && rc == EX_OK)
            rc = one;
        if (!(l = cli_ledger(cli, &err))) {
            rc = cli_fail(&err);
            buf_release(&said);
            break;
        }
        if (notify && (watch.needs_person || one == EX_NOINPUT))
            quiet = !told(&nt, l, &d.v[i], one, &said);
        if (!quiet)
            fwrite(said.data, 1, said.len, stderr);
        buf_release(&said);
    }
    if (notify && l) { /* never on a dry run (notify is NULL then) */
        nt.l = l;
        if (ledger_mailings_each(l, NULL, stuck, &nt, &err) < 0) {
            rc = cli_fail(&err);
            err_clear(&err);
        }
        notice_send(cli, &nt, notify);
    }
out:
    buf_release(&nt.text);
    buf_release(&nt.keys);
    free(d.v);
    for (i = 0; i < d.nstopped; i++)
        free(d.stopped[i].name);
    free(d.stopped);
    ledger_close(l);
    lockfile_release(&lock);
    buf_release(&path);
    err_release(&err);
    return rc;
}
