/* cli_events - the commands' calls into the events. */
#include "cli_events.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "campaign.h"
#include "i18n.h"
#include "value.h"

#include "banned.h"

static void warn_unrecorded(const char *what, const struct err *err)
{
    struct buf text = BUF_INIT;

    fprintf(stderr, _("mailer: warning: '%s' was not recorded in the events: %s\n"), what,
            i18n_lib_show(err->msg.data, &text));
    buf_release(&text);
}

void events_command(struct ledger *l, int rc, const char *what, int argc, char *const *argv)
{
    struct buf detail = BUF_INIT;
    struct err err;
    int i, full = 0;

    if (!l || rc || !what)
        return;
    for (i = 1; i < argc && !full; i++) {
        full = (i > 1 && buf_addch(&detail, ' ')) ||
               (!*argv[i] || strpbrk(argv[i], " \t'\"") ? value_json_quote(&detail, argv[i])
                                                        : buf_addstr(&detail, argv[i]));
    }
    err_init(&err);
    if (full ? err_nomem(&err) : events_record(l, what, NULL, NULL, detail.data, &err))
        warn_unrecorded(what, &err);
    err_release(&err);
    buf_release(&detail);
}

void events_send_run(struct ledger *l, const struct send_opts *o, const struct send_report *r,
                     int from_due)
{
    const char *what = from_due ? "due" : "send";
    struct buf detail = BUF_INIT;
    struct err err;
    int full;

    if (!l || o->dry_run_dir || !o->campaign)
        return;
    if (from_due && !r->created && !r->sent && !r->failed && !o->force && !o->resend_uncertain)
        return; /* a cron run with nothing to do */
    full = (o->force && buf_addstr(&detail, "--force ")) ||
           (o->resend_uncertain && buf_addstr(&detail, "--resend-uncertain ")) ||
           (o->test_to && buf_addf(&detail, "--test (%zu) ", o->ntest_to)) ||
           (r->created && buf_addstr(&detail, "started; ")) ||
           buf_addf(&detail, "%ld sent, %ld deferred, %ld failed in this run", r->sent, r->deferred,
                    r->failed);
    err_init(&err);
    if (full ? err_nomem(&err)
             : events_record(l, what, o->campaign->id,
                             *r->edition.name ? r->edition.name : o->edition, detail.data, &err))
        warn_unrecorded(what, &err);
    err_release(&err);
    buf_release(&detail);
}
