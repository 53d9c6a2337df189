/* cmd_log - mailer log [--since DATE] [--format text|json]: who did what
 * (the ledger's events: mailing runs and manual changes), oldest first. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "events.h"
#include "i18n.h"

#include "banned.h"

struct log_out {
    int json, count;
};

/* The detail of a send or due run (cli_events.c writes it in English, for
 * the record) in the language of the messages; any other detail as kept. */
static void print_detail(const char *what, const char *d)
{
    long sent, deferred, failed;
    size_t ntest;
    int n = 0;

    if (strcmp(what, "send") && strcmp(what, "due")) {
        fputs(d, stdout);
        return;
    }
    for (;;) {
        n = 0;
        if (!strncmp(d, "--force ", 8) || !strncmp(d, "--resend-uncertain ", 19)) {
            n = (int)strcspn(d, " ") + 1;
            fwrite(d, 1, (size_t)n, stdout);
        } else if (sscanf(d, "--test (%zu) %n", &ntest, &n) == 1 && n) {
            printf(_("test (%zu) "), ntest);
        } else if (!strncmp(d, "started; ", 9)) {
            n = 9;
            fputs(_("started; "), stdout);
        } else {
            break;
        }
        d += n;
    }
    n = 0;
    if (sscanf(d, "%ld sent, %ld deferred, %ld failed in this run%n", &sent, &deferred, &failed,
               &n) == 3 &&
        !d[n])
        printf(_("%ld sent, %ld deferred, %ld failed in this run"), sent, deferred, failed);
    else
        fputs(d, stdout);
}

static int show_event(void *ud, const struct ledger_event *e)
{
    struct log_out *o = ud;
    char when[32];
    struct tm tm;

    if (o->json) {
        struct buf json = BUF_INIT;

        if (events_json(&json, e))
            cli_die_nomem();
        printf("%s\n  %s", o->count ? "," : "", json.data); /* data */
        buf_release(&json);
    } else {
        clock_local(e->at, &tm);
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
        printf("%s  %s (%s@%s)  %s%s%s%s%s%s", when, e->who, e->os_user, e->host, /* data */
               e->what, *e->campaign ? " " : "", e->campaign, *e->edition ? " " : "", e->edition,
               *e->detail ? ": " : "");
        print_detail(e->what, e->detail);
        putchar('\n');
    }
    o->count++;
    return 0;
}

int cmd_log(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"since", required_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    struct log_out o = {0, 0};
    struct ledger *l;
    struct err err;
    time_t since = 0;
    int opt, rc = EX_OK;

    while ((opt = cli_getopt(argc, argv, "s:f:", opts)) != -1) {
        if (opt == 's' && (rc = cli_parse_date("log", "--since", optarg, &since)))
            return rc;
        if (opt == 'f' && (rc = cli_parse_enum("log", "--format", optarg, cli_text_json, &o.json)))
            return rc;
        if (opt != 's' && opt != 'f')
            return cli_usage("log", _("[--since YYYY-MM-DD] [--format text|json]"));
    }
    if (optind != argc)
        return cli_usage("log", _("[--since YYYY-MM-DD] [--format text|json]"));
    err_init(&err);
    if (o.json)
        printf("[");
    if (!(l = cli_ledger(cli, &err)) ||
        ledger_events_each(l, since, NULL, NULL, show_event, &o, &err) < 0)
        rc = cli_fail(&err);
    if (o.json)
        printf("\n]\n");
    else if (!rc && !o.count && !cli->quiet)
        fputs(_("nothing recorded yet\n"), stdout);
    ledger_close(l);
    err_release(&err);
    return rc;
}
