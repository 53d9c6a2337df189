/* cmd_status - mailer status [CAMPAIGN [--edition E]] [--format text|json] */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "i18n.h"
#include "clock.h"
#include "send.h"

#include "banned.h"

struct show {
    struct ledger *l;
    const char *edition;
    const char *lock_dir; /* to recover what a stopped run left queued */
    int json, count, nevents;
    struct err *err;
};

/* Who started or changed a mailing (events.h), in its JSON object. */
static int show_event(void *ud, const struct ledger_event *e)
{
    struct show *s = ud;
    char at[32];

    clock_iso(e->at, at, sizeof(at));
    printf("%s{\"at\": \"%s\", \"who\": ", s->nevents++ ? ", " : "", at); /* data */
    cli_json_str(e->who);
    cli_json_member("host", e->host);
    cli_json_member("what", e->what);
    cli_json_member("detail", e->detail);
    putchar('}');
    return 0;
}

static int count_one(void *ud, const struct ledger_history *h)
{
    (void)h;
    ++*(int *)ud;
    return 0;
}

/* A mailing's state in the text output, for people (JSON keeps the ledger's word). */
static const char *state_words(enum mailing_state state)
{
    static const char *const words[] = {
        [MAILING_NEW] = N_("new"),
        [MAILING_SENDING] = N_("sending"),
        [MAILING_COMPLETE] = N_("complete"),
    };

    return _(words[state]);
}

/* "user unknown 2, mailbox full 1" (text) or {"user unknown": 2, ...} (JSON). */
static int show_reason(void *ud, const char *reason, long count)
{
    struct show *s = ud;

    if (s->json) {
        printf("%s", s->nevents++ ? ", " : ""); /* data */
        cli_json_str(reason);
        printf(": %ld", count); /* data */
    } else {
        printf("%s%s %ld", s->nevents++ ? ", " : "", cli_bounce_word(reason), count); /* data */
    }
    return 0;
}

static int show_one(void *ud, const struct mailing *m)
{
    struct show *s = ud;
    struct delivery_counts c;
    char when[32] = "";

    if (s->edition && strcmp(m->edition, s->edition))
        return 0;
    if (m->state == MAILING_SENDING && s->lock_dir) {
        long restored;
        if (send_recover(s->lock_dir, s->l, m, &restored, s->err))
            return -1;
    }
    if (ledger_mailing_counts(s->l, m->id, &c, s->err))
        return -1;
    if (m->started_at)
        clock_iso(m->started_at, when, sizeof(when));
    if (s->json) {
        printf("%s\n  {\"campaign\": ", s->count ? "," : ""); /* data */
        cli_json_str(m->campaign);
        cli_json_member("edition", m->edition);
        cli_json_member("subject", m->subject);
        cli_json_member("sender", m->sender);
        cli_json_member("from", *m->from_address ? m->from_address : NULL);
        printf(", \"state\": \"%s\", \"test\": %s, \"started_at\": %s%s%s," /* data */
               " \"total\": %ld, \"pending\": %ld, \"sent\": %ld, \"deferred\": %ld,"
               " \"failed\": %ld, \"bounced\": %ld, \"uncertain\": %ld, \"skipped\": %ld,"
               " \"events\": [",
               ledger_mailing_state_name(m->state), m->test ? "true" : "false", *when ? "\"" : "",
               *when ? when : "null", *when ? "\"" : "", c.total, c.pending, c.sent, c.deferred,
               c.failed, c.bounced, c.sending, c.skipped);
        s->nevents = 0;
        if (ledger_events_each(s->l, 0, m->campaign, m->edition, show_event, s, s->err) < 0)
            return -1;
        printf("], \"bounce_reasons\": {"); /* data */
        s->nevents = 0;
        if (ledger_bounce_reasons(s->l, m->id, show_reason, s, s->err) < 0)
            return -1;
        printf("}}");
    } else {
        printf(_("%-28s %-34s %-8s total %ld: sent %ld, pending %ld, deferred %ld, failed %ld, "
                 "bounced %ld, uncertain %ld%s\n"),
               m->campaign, m->edition, state_words(m->state), c.total, c.sent, c.pending,
               c.deferred, c.failed, c.bounced, c.sending, m->test ? _(" (test)") : "");
        if (c.skipped)
            printf(ngettext("    %ld not sent: unsubscribed while the mailing ran\n",
                            "    %ld not sent: unsubscribed while the mailing ran\n",
                            (unsigned long)c.skipped),
                   c.skipped);
        if (c.bounced) {
            printf(_("    bounced by reason: "));
            s->nevents = 0;
            if (ledger_bounce_reasons(s->l, m->id, show_reason, s, s->err) < 0)
                return -1;
            putchar('\n');
        }
        /* why it waits: the server's last word (a refused connection, a 4xx) */
        if ((c.deferred || c.sending) && m->state != MAILING_COMPLETE) {
            char reply[512];
            if (ledger_mailing_last_reply(s->l, m->id, reply, sizeof(reply), s->err) == 0)
                printf(_("    last reply from the server: %s\n"), reply);
        }
    }
    s->count++;
    return 0;
}

/* The mailings recorded with `mailer history` (never sent by the mailer),
 * after the others: a section of text, or more objects of the array. */
static int show_recorded(struct show *s)
{
    int n = 0;

    if (s->json)
        return cli_history_print(s->l, NULL, 1, &s->count, s->err);
    if (ledger_history_each(s->l, 0, 0, count_one, &n, s->err) < 0)
        return -1;
    if (!n)
        return 0;
    printf(ngettext("%d mailing recorded with 'mailer history' (sent outside the mailer, never "
                    "sent by it):\n",
                    "%d mailings recorded with 'mailer history' (sent outside the mailer, never "
                    "sent by it):\n",
                    (unsigned long)n),
           n);
    s->count += n;
    n = 0;
    return cli_history_print(s->l, NULL, 0, &n, s->err);
}

int cmd_status(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"edition", required_argument, NULL, 'e'},
        {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    struct show s = {0};
    struct buf lock_dir = BUF_INIT;
    struct err err;
    int opt, rc = EX_OK;

    while ((opt = cli_getopt(argc, argv, "e:f:", opts)) != -1) {
        if (opt == 'e')
            s.edition = optarg;
        else if (opt == 'f') {
            if ((rc = cli_parse_enum("status", "--format", optarg, cli_text_json, &s.json)))
                return rc;
        } else
            return cli_usage("status", _("options: [CAMPAIGN [--edition E]] [--format text|json]"));
    }
    if (argc - optind > 1)
        return cli_usage("status", _("give at most one campaign"));
    err_init(&err);
    s.err = &err;
    s.l = cli_ledger(cli, &err);
    if (!cli_lock_dir(cli, &lock_dir))
        s.lock_dir = lock_dir.data;
    if (s.json)
        printf("[");
    if (!s.l ||
        ledger_mailings_each(s.l, optind < argc ? argv[optind] : NULL, show_one, &s, &err) < 0 ||
        (optind == argc && show_recorded(&s)))
        rc = cli_fail(&err);
    if (s.json)
        printf("\n]\n");
    else if (!rc && !s.count && !cli->quiet)
        fputs(optind < argc ? _("no mailings for this campaign\n") : _("no mailings yet\n"),
              stdout);
    ledger_close(s.l);
    buf_release(&lock_dir);
    err_release(&err);
    return rc;
}
