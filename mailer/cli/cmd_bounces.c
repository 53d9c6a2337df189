/* cmd_bounces - mailer bounces parse FILE.eml... [--format text|json]
 *               mailer bounces fetch [--dry-run]
 *
 * parse: no side effects. Text (for people, in the language of the
 * messages: «rebote», «permanente», «usuario desconocido» under LANG=es):
 * one line per file, tab-separated: file, type, class (or -), recipient,
 * status, original Message-ID, reason. JSON (stable, English): an array
 * of {"file", "type": bounce|complaint|unsubscribe|autoreply|other,
 * "class": hard|soft|null, "recipient", "status", "reason", "action",
 * "diagnostic", "original_message_id", "from", "why", "recipients":
 * [{"recipient", "class", "status", "reason", "action"}...]}, absent values
 * null; reason is one of bounce.h's names ("user unknown", ...); the single-valued
 * fields describe the first recipient.
 * fetch: see mailbox.h; every sender's mailbox (the default's, .env, and
 * each of senders.ini), each once; one run at a time (a lock beside the
 * ledger).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "bounce.h"
#include "cli.h"
#include "i18n.h"
#include "lockfile.h"
#include "mailbox.h"

#include "banned.h"

/* "" -> null in JSON. */
static void json_opt(const char *s)
{
    cli_json_str(s && *s ? s : NULL);
}

static void print_json(const char *file, const struct bounce_result *r, int first)
{
    const struct bounce_rcpt *x = r->nrcpt ? &r->rcpt[0] : NULL;
    size_t i;

    printf("%s\n  {\"file\": ", first ? "" : ","); /* data */
    cli_json_str(file);
    printf(", \"type\": \"%s\", \"class\": ", bounce_type_name(r->type)); /* data */
    cli_json_str(r->type == BOUNCE_BOUNCE && x ? bounce_class_name(x->class) : NULL);
    printf(", \"recipient\": "); /* data */
    json_opt(x ? x->address : NULL);
    printf(", \"status\": "); /* data */
    json_opt(x ? x->status : NULL);
    printf(", \"reason\": "); /* data */
    cli_json_str(x ? bounce_reason_name(x->reason) : NULL);
    printf(", \"action\": "); /* data */
    json_opt(x ? x->action : NULL);
    printf(", \"diagnostic\": "); /* data */
    json_opt(x ? x->diagnostic : NULL);
    printf(", \"original_message_id\": "); /* data */
    json_opt(r->original_message_id);
    printf(", \"from\": "); /* data */
    json_opt(r->from);
    printf(", \"why\": "); /* data */
    cli_json_str(r->why);
    printf(", \"recipients\": ["); /* data */
    for (i = 0; i < r->nrcpt; i++) {
        printf("%s{\"recipient\": ", i ? ", " : ""); /* data */
        cli_json_str(r->rcpt[i].address);
        printf(", \"class\": "); /* data */
        cli_json_str(r->type == BOUNCE_BOUNCE ? bounce_class_name(r->rcpt[i].class) : NULL);
        printf(", \"status\": "); /* data */
        json_opt(r->rcpt[i].status);
        printf(", \"reason\": "); /* data */
        cli_json_str(bounce_reason_name(r->rcpt[i].reason));
        printf(", \"action\": "); /* data */
        json_opt(r->rcpt[i].action);
        printf(", \"command\": "); /* data */
        json_opt(r->rcpt[i].command);
        printf("}");
    }
    printf("]}");
}

/* For people: the kind, class and reason in the language of the messages. */
static void print_text(const char *file, const struct bounce_result *r)
{
    const struct bounce_rcpt *x = r->nrcpt ? &r->rcpt[0] : NULL;
    const char *cls = r->type == BOUNCE_BOUNCE && x ? bounce_class_name(x->class) : NULL;

    printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", file, cli_bounce_word(bounce_type_name(r->type)),
           cls ? cli_bounce_word(cls) : "-", x && *x->address ? x->address : "-",
           x && *x->status ? x->status : "-",
           *r->original_message_id ? r->original_message_id : "-",
           x ? cli_bounce_word(bounce_reason_name(x->reason)) : "-");
}

static int bounces_parse(int argc, char **argv, int json)
{
    struct bounce_result r;
    struct buf data;
    struct err err;
    int i, rc = EX_OK, first = 1;

    buf_init(&data, BOUNCE_MAX_SIZE);
    err_init(&err);
    if (json)
        printf("[");
    for (i = 0; i < argc; i++) {
        buf_reset(&data);
        if (buf_read_file(&data, argv[i])) {
            err_errno(&err, ERR_NOINPUT, _("%s: cannot read"), argv[i]);
            rc = cli_fail(&err);
            err_clear(&err);
            continue;
        }
        if (bounce_parse(data.data, data.len, &r, &err)) {
            err_set(&err, ERR_DATA, _("%s: not classified"), argv[i]);
            rc = cli_fail(&err);
            err_clear(&err);
        } else if (json) {
            print_json(argv[i], &r, first);
            first = 0;
        } else {
            print_text(argv[i], &r);
        }
        bounce_release(&r);
    }
    if (json)
        printf("\n]\n");
    buf_release(&data);
    err_release(&err);
    return rc;
}

/* "3 new messages: 2 bounces (1 hard, 1 soft), ..." in the reader's language. */
static void print_summary(const struct returns_stats *st, int dry_run)
{
    if (dry_run)
        printf(_("(dry run) "));
    printf(ngettext("%ld new message: ", "%ld new messages: ", st->seen), st->seen);
    printf(ngettext("%ld bounce", "%ld bounces", st->bounces), st->bounces);
    printf(_(" (%ld hard, %ld soft), "), st->hard, st->soft);
    printf(ngettext("%ld complaint, ", "%ld complaints, ", st->complaints), st->complaints);
    printf(ngettext("%ld unsubscribe, ", "%ld unsubscribes, ", st->unsubscribes), st->unsubscribes);
    printf(ngettext("%ld autoreply, ", "%ld autoreplies, ", st->autoreplies), st->autoreplies);
    printf(_("%ld for a person; "), st->review);
    printf(ngettext("%ld address suppressed\n", "%ld addresses suppressed\n", st->suppressed),
           st->suppressed);
}

/* The senders whose mailboxes are read: every profile of senders.ini, and
 * the default one (.env) when it is the only one, or sends (its SMTP_URL
 * is set), or has a mailbox: an unused .env of a home that sends only from
 * profiles is no mailbox to read. */
static size_t senders_to_read(const struct cli *cli, const struct sender_profiles *p,
                              const struct sender **out)
{
    const struct sender *d = &p->v[0];
    size_t i, n = 0;

    if (p->n == 1 || *d->imap_url || strcmp(cli->config.origin[CFG_SMTP_URL], "default"))
        out[n++] = d;
    for (i = 1; i < p->n; i++)
        out[n++] = &p->v[i];
    return n;
}

/* Every sender's mailbox, each once (mailbox_accounts). A mailbox missing
 * from the settings (a sender without one, an unsubscribe address without
 * its mailbox) stops the run before anything is read, as it always did; one
 * that cannot be read (its server, its certificate, its login) is said and
 * the others are still read. The exit code is the first problem's. */
static int bounces_fetch(struct cli *cli, int dry_run)
{
    struct returns_stats st = {0};
    struct returns_policy policy = {config_get_long(&cli->config, CFG_BOUNCE_SOFT_LIMIT),
                                    config_get_long(&cli->config, CFG_BOUNCE_SOFT_WINDOW)};
    struct sender_profiles senders = {0};
    const struct sender **use = NULL;
    struct mailbox_account *acc = NULL;
    struct lockfile lk = {-1};
    struct ledger *l = NULL;
    struct buf lock;
    struct err err;
    size_t i, nuse, nacc = 0;
    int rc = EX_OK;

    err_init(&err);
    buf_init(&lock, 0);
    /* One reader of the mailboxes at a time: two would handle a UID twice. */
    if (cli_senders(cli, &senders, &err) || cli_lock_dir(cli, &lock) ||
        buf_addstr(&lock, "/bounces-fetch.lock") ||
        lockfile_take(&lk, lock.data, "bounces fetch", &err) || !(l = cli_ledger(cli, &err))) {
        if (!err.kind)
            err_nomem(&err);
        rc = cli_fail(&err);
        goto out;
    }
    use = calloc(senders.n, sizeof(*use));
    acc = calloc(2 * senders.n, sizeof(*acc));
    if (!use || !acc) {
        rc = cli_fail_nomem();
        goto out;
    }
    nuse = senders_to_read(cli, &senders, use);
    if (mailbox_accounts(use, nuse, acc, &nacc, &err)) {
        rc = cli_fail(&err); /* every sender's problem said; nothing read until fixed */
        goto out;
    }
    for (i = 0; i < nacc; i++) {
        if (cli->verbose)
            printf(_("mailbox %s (sender %s): %s\n"), acc[i].setting,
                   cli_sender_name(acc[i].sender), acc[i].url);
        if (mailbox_fetch_one(&acc[i], l, dry_run, &policy, &st, &err)) {
            if (!err.kind)
                err_nomem(&err);
            if (cli_fail(&err) && rc == EX_OK)
                rc = cli_exit_code(err.kind);
            err_clear(&err);
        }
    }
    /* Like send: silent under cron unless a person is needed. */
    if (nacc && !cli->quiet && (cli->verbose || (st.seen && (isatty(STDOUT_FILENO) || st.review))))
        print_summary(&st, dry_run);
out:
    free(use);
    free(acc);
    sender_profiles_release(&senders);
    ledger_close(l);
    if (lk.fd >= 0)
        lockfile_release(&lk);
    buf_release(&lock);
    err_release(&err);
    return rc;
}

int cmd_bounces(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"dry-run", no_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    const char *usage = "fetch [--dry-run] | parse FILE.eml... [--format text|json]";
    int opt, json = 0, dry_run = 0, rc;

    while ((opt = cli_getopt(argc, argv, "f:n", opts)) != -1) {
        if (opt == 'f') {
            if ((rc = cli_parse_enum("bounces", "--format", optarg, cli_text_json, &json)))
                return rc;
        } else if (opt == 'n')
            dry_run = 1;
        else
            return cli_usage("bounces", "%s", usage);
    }
    if (optind >= argc)
        return cli_usage("bounces", "%s", usage);
    if (!strcmp(argv[optind], "parse")) {
        if (optind + 1 >= argc || dry_run)
            return cli_usage("bounces", "%s", "parse FILE.eml... [--format text|json]");
        return bounces_parse(argc - optind - 1, argv + optind + 1, json);
    }
    if (!strcmp(argv[optind], "fetch")) {
        if (optind + 1 != argc || json)
            return cli_usage("bounces", "%s", "fetch [--dry-run]");
        return bounces_fetch(cli, dry_run);
    }
    return cli_usage("bounces", _("\"%s\": use fetch or parse"), argv[optind]);
}
