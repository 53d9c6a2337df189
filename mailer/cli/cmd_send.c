/* cmd_send - mailer send CAMPAIGN: send or resume an edition. */
#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "cli_events.h"
#include "i18n.h"
#include "clock.h"
#include "compose.h"
#include "send.h"

#include "banned.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    if (stop_requested)
        _exit(EX_TEMPFAIL); /* second signal: at once; the ledger is consistent */
    stop_requested = 1;
}

struct ui {
    int tty, verbose, quiet;
    double last_draw;
};

static void progress(void *ud, const struct send_progress *p)
{
    struct ui *ui = ud;
    double rate, now = clock_mono();
    long eta;
    int i, filled;

    if (!ui->tty || (now - ui->last_draw < 0.2 && p->done < p->total))
        return;
    ui->last_draw = now;
    rate = p->elapsed > 0 ? (double)p->done / p->elapsed : 0;
    eta = rate > 0 ? (long)((double)(p->total - p->done) / rate) : 0;
    filled = p->total ? (int)(30 * p->done / p->total) : 30;
    fputs("\r[", stderr);
    for (i = 0; i < 30; i++)
        fputc(i < filled ? '#' : ' ', stderr);
    fprintf(stderr, _("] %ld/%ld  %.1f/s  ETA %ld:%02ld  "), p->done, p->total, rate, eta / 60,
            eta % 60);
    if (p->done >= p->total)
        fputc('\n', stderr);
}

static void delivered(void *ud, const char *address, const struct transport_result *r)
{
    struct ui *ui = ud;
    static const char *const names[] = {N_("sent"),
                                        N_("deferred"),
                                        N_("failed"),
                                        N_("deferred (no reply)"),
                                        N_("auth refused"),
                                        N_("TLS failed"),
                                        N_("uncertain (no reply to the message)"),
                                        N_("not tried")};

    if (ui->verbose)
        fprintf(stderr, "%s%s: %s: %s\n", ui->tty ? "\r" : "", address, _(names[r->outcome]),
                r->reply[0] ? r->reply : _("(no reply)"));
}

static void sender_waiting(void *ud, const char *sender, const char *holder)
{
    const struct ui *ui = ud;

    if (!ui->quiet)
        fprintf(stderr,
                _("mailer: the sender %s is sending in another process (%s); its limits are its "
                  "mailbox's, so this mailing waits for that one to end (Ctrl-C stops the wait; "
                  "nothing is lost)\n"),
                cli_sender_name(sender), *holder ? holder : _("holder unknown"));
}

static void local_time(time_t t, char *out, size_t size)
{
    cli_when(t, out, size);
}

static void print_audience(const struct send_report *r, const struct ui *ui, int quiet)
{
    const struct audience_stats *a = &r->audience;

    if (!r->created || quiet)
        return;
    if (r->audience_notes.len && (ui->tty || ui->verbose)) {
        struct buf text = BUF_INIT;
        fprintf(stderr, "%s\n", i18n_lib_show(r->audience_notes.data, &text));
        buf_release(&text);
    }
    if (ui->tty || ui->verbose || a->invalid)
        fprintf(stderr,
                _("audience: %zu rows, %zu invalid, %zu duplicates, %zu filtered out, "
                  "%zu suppressed: %zu recipients\n"),
                a->rows, a->invalid, a->duplicates, a->filtered, a->suppressed, a->accepted);
}

/* Summary and exit code of a run. */
static int conclude(const struct cli *cli, const struct send_opts *o, const struct send_report *r,
                    const struct ui *ui)
{
    const char *id = o->campaign->id, *server = o->sender->smtp_url;
    const struct delivery_counts *c = &r->counts;
    char when[128];
    int needs_person =
        r->failed || c->deferred || c->sending || r->stopped || r->daily_reached || r->unreachable;

    if (r->status == SEND_ALREADY_DONE) {
        if (cli->verbose)
            printf(_("%s %s: already sent (%ld delivered); nothing to do\n"), id, r->edition.name,
                   c->sent + c->bounced);
        return EX_OK;
    }
    if (r->restored && !cli->quiet && (ui->tty || cli->verbose))
        fprintf(ui->tty ? stdout : stderr,
                ngettext("%s %s: %ld message was still queued when the last run stopped; it "
                         "had not been sent and was pending again\n",
                         "%s %s: %ld messages were still queued when the last run stopped; "
                         "they had not been sent and were pending again\n",
                         (unsigned long)r->restored),
                id, r->edition.name, r->restored);
    if (r->skipped && !cli->quiet && (ui->tty || cli->verbose))
        fprintf(ui->tty ? stdout : stderr,
                ngettext("%s %s: %ld recipient unsubscribed while the mailing ran; not sent\n",
                         "%s %s: %ld recipients unsubscribed while the mailing ran; not sent\n",
                         (unsigned long)r->skipped),
                id, r->edition.name, r->skipped);
    if (!cli->quiet && (ui->tty || cli->verbose || needs_person))
        fprintf(ui->tty ? stdout : stderr,
                _("%s %s: %ld sent in this run; mailing: %ld of %ld delivered, %ld pending, "
                  "%ld deferred, %ld failed, %ld uncertain\n"),
                id, r->edition.name, r->sent, c->sent + c->bounced, c->total, c->pending,
                c->deferred, c->failed, c->sending);
    if (r->unreachable) { /* before "complete": a test send that could not go ends complete */
        fprintf(stderr,
                o->test_to ? _("mailer: the SMTP server %s could not be reached (%s); the test "
                               "was not sent\n")
                           : _("mailer: the SMTP server %s could not be reached (%s); the next run "
                               "continues\n"),
                server, r->cause[0] ? r->cause : _("no reply"));
        return EX_UNAVAILABLE;
    }
    if (r->status == SEND_COMPLETE)
        return EX_OK;
    if (r->daily_reached) {
        local_time(r->resume_at, when, sizeof(when));
        fprintf(stderr, _("mailer: daily limit reached; the next message may go at %s\n"), when);
        return EX_TEMPFAIL;
    }
    if (r->stopped) {
        fprintf(stderr, _("mailer: stopped by a signal; run the same command to continue\n"));
        return EX_TEMPFAIL;
    }
    if (r->uncertain_stop)
        fprintf(stderr, _("mailer: the server gave no reply to several messages in a row once "
                          "they were sent; the run stopped and the rest stay pending\n"));
    if (c->sending && !r->limit_reached)
        fprintf(stderr,
                ngettext("mailer: %ld uncertain delivery (the server may have it: the connection "
                         "ended after the message was sent, or a run was interrupted): check "
                         "it, then 'mailer send %s --edition %s --resend-uncertain'\n",
                         "mailer: %ld uncertain deliveries (the server may have them: the "
                         "connection ended after the message was sent, or a run was "
                         "interrupted): check them, then 'mailer send %s --edition %s "
                         "--resend-uncertain'\n",
                         (unsigned long)c->sending),
                c->sending, id, r->edition.name);
    if (c->deferred && r->cause[0] && !r->sent)
        fprintf(stderr, _("mailer: the SMTP server %s could not be reached: %s\n"), server,
                r->cause);
    if (c->deferred) {
        local_time(c->next_deferred, when, sizeof(when));
        fprintf(stderr,
                ngettext("mailer: %ld deferred delivery; it is due again at %s\n",
                         "mailer: %ld deferred deliveries; the next is due at %s\n",
                         (unsigned long)c->deferred),
                c->deferred, when);
        return EX_TEMPFAIL;
    }
    if (r->limit_reached)
        return EX_OK;
    return c->sending ? EX_TEMPFAIL : EX_OK;
}

/* A dry run writes 000001.eml, 000002.eml...: into a folder that holds an
 * earlier one's messages the two would mix (its 000051.eml... would stay),
 * so that is refused; an empty or new folder is fine. */
static int dry_run_dir_fresh(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    long n = 0;

    if (!d)
        return EX_OK; /* not there yet: the file sink makes it */
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 4 && !strcmp(e->d_name + len - 4, ".eml"))
            n++;
    }
    closedir(d);
    if (!n)
        return EX_OK;
    fprintf(stderr,
            ngettext("mailer: %s already holds %ld message of an earlier dry run; give an empty "
                     "or new folder to --out, so that the two are not mixed\n",
                     "mailer: %s already holds %ld messages of an earlier dry run; give an empty "
                     "or new folder to --out, so that the two are not mixed\n",
                     (unsigned long)n),
            dir, n);
    return EX_USAGE;
}

/* A run that stopped for a reason of its sender's mailbox: its other
 * mailings would stop the same way (cli_send_edition's sender_stopped). */
static int sender_stopped_by(const struct send_report *r)
{
    return r->daily_reached || r->account_stop || r->unreachable || r->uncertain_stop;
}

int cli_send_edition(struct cli *cli, struct send_opts *o, struct due_watch *watch)
{
    struct send_report r;
    struct sender sender = {0};
    struct ui ui = {0};
    struct buf lock_dir = BUF_INIT;
    struct err err;
    int rc;

    if (o->dry_run_dir && (rc = dry_run_dir_fresh(o->dry_run_dir)))
        return rc;
    err_init(&err);
    if (cli_sender(cli, o->campaign, &sender, &err)) {
        rc = cli_fail(&err);
        sender_release(&sender);
        err_release(&err);
        return rc;
    }
    if (!o->dry_run_dir && (rc = cli_need_smtp(cli, &sender))) { /* before the audience is frozen */
        sender_release(&sender);
        err_release(&err);
        return rc;
    }
    send_report_init(&r);
    ui.tty = isatty(STDERR_FILENO) && !cli->quiet;
    ui.verbose = cli->verbose;
    ui.quiet = cli->quiet;
    o->policy.retry_max_age = config_get_long(&cli->config, CFG_RETRY_MAX_AGE);
    o->policy.resend_uncertain_after = config_get_long(&cli->config, CFG_RESEND_UNCERTAIN_AFTER);
    o->sender = &sender;
    o->stop = &stop_requested;
    o->progress = progress;
    o->delivered = delivered;
    o->sender_waiting = sender_waiting;
    o->wait_sender = watch == NULL; /* due sends nothing of a busy sender: its next run does */
    o->ud = &ui;
    o->boundary_seed = getenv("MAILER_TEST_BOUNDARY_SEED");
    o->trace = cli->verbose >= 2; /* -v -v: the SMTP dialogue, AUTH redacted */
    cli_lock_dir(cli, &lock_dir);
    o->lock_dir = lock_dir.data;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (!(o->ledger = cli_ledger(cli, &err)) || send_run(o, &r, &err)) {
        print_audience(&r, &ui, cli->quiet);
        rc = cli_fail(&err);
    } else if (r.sender_busy) { /* due's: the next run goes on */
        print_audience(&r, &ui, cli->quiet);
        if (!cli->quiet)
            fprintf(stderr,
                    _("mailer: %s %s waits for the next run: its sender %s is sending in another "
                      "process (%s)\n"),
                    o->campaign->id, r.edition.name, cli_sender_name(sender.name),
                    *r.busy_holder ? r.busy_holder : _("holder unknown"));
        rc = EX_TEMPFAIL;
    } else if (watch && r.status == SEND_INCOMPLETE && !r.sent && !r.failed && !r.counts.pending &&
               !r.counts.sending && !r.stopped) {
        rc = EX_OK; /* only deferred deliveries not yet due: nothing to say */
    } else {
        print_audience(&r, &ui, cli->quiet);
        if (o->test_to && r.test_row[0] && !cli->quiet)
            printf(_("test send with the data of recipient %ld of the audience: %s\n"),
                   o->test_row > 0 ? o->test_row : 1, r.test_row);
        if (o->dry_run_dir && !cli->quiet)
            printf(ngettext("dry run: %ld message written to %s; nothing recorded as sent\n",
                            "dry run: %ld messages written to %s; nothing recorded as sent\n",
                            (unsigned long)r.sent),
                   r.sent, o->dry_run_dir);
        rc = o->dry_run_dir ? EX_OK : conclude(cli, o, &r, &ui);
    }
    /* A person must act on an account refusal (or the safeguard), a refused
     * login or a configuration or data problem, and on uncertain
     * deliveries; deferrals, the daily limit and an unreachable server are
     * retried by the next run (a mailing stuck for a day is due's to say). */
    if (watch) {
        watch->needs_person = r.account_stop || r.uncertain_stop || r.counts.sending > 0 ||
                              (rc != EX_OK && rc != EX_TEMPFAIL && rc != EX_UNAVAILABLE);
        watch->sender_stopped = !o->dry_run_dir && sender_stopped_by(&r);
        watch->sender_busy = r.sender_busy;
    }
    events_send_run(o->ledger, o, &r, watch != NULL);
    ledger_close(o->ledger);
    o->ledger = NULL;
    o->sender = NULL;
    sender_release(&sender);
    send_report_release(&r);
    buf_release(&lock_dir);
    err_release(&err);
    return rc;
}

/* --at: schedule the edition for `mailer due` instead of sending now. */
static int schedule_at(struct cli *cli, const struct campaign *c, const struct edition *e, time_t t)
{
    struct compose cp;
    struct sender sender = {0};
    struct ledger *l = NULL;
    struct err err;
    char when[128];
    int rc = EX_OK;

    err_init(&err);
    /* Templates and content must be there now, not at 3 a.m. */
    memset(&cp, 0, sizeof(cp));
    if (cli_sender(cli, c, &sender, &err) || compose_init(&cp, c, e, &sender, 0, &err) ||
        !(l = cli_ledger(cli, &err)) || ledger_schedule_add(l, c->id, e->name, t, &err)) {
        rc = cli_fail(&err);
    } else if (!cli->quiet) {
        local_time(t, when, sizeof(when));
        printf(_("%s %s scheduled for %s; 'mailer due' (from cron) sends it\n"), c->id, e->name,
               when);
        if (t <= clock_now())
            printf(_("that time has passed: the next 'mailer due' sends it\n"));
    }
    compose_release(&cp);
    sender_release(&sender);
    ledger_close(l);
    err_release(&err);
    return rc;
}

/* Split "a@x,b@y" into a NULL-terminated array (modifies s). */
/* Split "a,b,c" into out; -1 when there are more than max addresses
 * (an error: a test send never silently drops an address). */
#define TEST_TO_MAX 64

static long split_addresses(char *s, const char **out, size_t max)
{
    size_t n = 0;
    char *p = s, *comma;

    while (p && *p) {
        comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        while (*p == ' ')
            p++;
        if (*p && n == max)
            return -1;
        if (*p)
            out[n++] = p;
        p = comma ? comma + 1 : NULL;
    }
    return (long)n;
}

int cmd_send(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"edition", required_argument, NULL, 'e'},
        {"dry-run", no_argument, NULL, 'n'},
        {"out", required_argument, NULL, 'o'},
        {"limit", required_argument, NULL, 'l'},
        {"test-to", required_argument, NULL, 't'},
        {"row", required_argument, NULL, 'r'},
        {"concurrency", required_argument, NULL, 'c'},
        {"resend-uncertain", no_argument, NULL, 'u'},
        {"force", no_argument, NULL, 'f'},
        {"at", required_argument, NULL, 'a'},
        {NULL, 0, NULL, 0},
    };
    struct send_opts o = {0};
    struct campaign c;
    struct edition edition;
    struct err err;
    const char *test_to[TEST_TO_MAX], *at = NULL;
    time_t at_time = 0;
    long nsplit;
    unsigned num;
    int opt, dry_run = 0, rc;

    while ((opt = cli_getopt(argc, argv, "e:no:l:t:r:c:ufa:", opts)) != -1) {
        switch (opt) {
        case 'e':
            o.edition = optarg;
            break;
        case 'n':
            dry_run = 1;
            break;
        case 'o':
            o.dry_run_dir = optarg;
            break;
        case 'l':
            if ((rc = cli_parse_uint("send", "--limit", optarg, 1, INT_MAX, &num)))
                return rc;
            o.limit = num;
            break;
        case 't':
            nsplit = split_addresses(optarg, test_to, TEST_TO_MAX);
            if (nsplit < 0)
                return cli_usage("send", _("--test-to takes at most %d addresses"), TEST_TO_MAX);
            o.ntest_to = (size_t)nsplit;
            o.test_to = test_to;
            break;
        case 'r':
            if ((rc = cli_parse_uint("send", "--row", optarg, 1, INT_MAX, &num)))
                return rc;
            o.test_row = num;
            break;
        case 'c':
            if ((rc = cli_parse_uint("send", "--concurrency", optarg, 1, 64, &num)))
                return rc;
            o.concurrency = (int)num;
            break;
        case 'u':
            o.resend_uncertain = 1;
            break;
        case 'f':
            o.force = 1;
            break;
        case 'a':
            if ((rc = cli_parse_local_time("send", "--at", optarg, &at_time)))
                return rc;
            at = optarg;
            break;
        default:
            return cli_usage("send", _("unknown option"));
        }
    }
    if (optind + 1 != argc)
        return cli_usage("send", _("give one campaign name"));
    if (dry_run != (o.dry_run_dir != NULL))
        return cli_usage("send", _("--dry-run needs --out DIR (and --out needs --dry-run)"));
    if (o.test_to && !o.ntest_to)
        return cli_usage("send", _("--test-to needs at least one address"));
    if (at && (o.test_to || dry_run))
        return cli_usage("send", _("--at schedules a real send: not with --test-to or --dry-run"));
    if ((rc = cli_campaign(cli, argv[optind], &c)))
        return rc;

    err_init(&err);
    if (campaign_edition(&c, o.edition, clock_now(), &edition, &err) ||
        campaign_apply_edition(&c, edition.name)) {
        rc = cli_fail(&err);
        campaign_release(&c);
        err_release(&err);
        return rc;
    }
    o.edition = edition.name;
    if (at) {
        rc = schedule_at(cli, &c, &edition, at_time);
    } else {
        o.campaign = &c;
        rc = cli_send_edition(cli, &o, NULL);
    }
    campaign_release(&c);
    err_release(&err);
    return rc;
}
