/* send - the send loop: audience -> ledger -> render -> submit -> record.
 *
 * send_run() sends (or resumes) one edition of a campaign (DESIGN §3):
 * the first run freezes the audience into the ledger as pending deliveries
 * in one transaction, after checking that no template variable is missing
 * for any contact; every run then streams due deliveries from the ledger,
 * marks each `sending` (committed) before handing it to the transport, and
 * records each outcome as it arrives. A delivery found in `sending` at the
 * start is uncertain (the server may have it) and is re-sent only when
 * resend_uncertain is set, with the same Message-ID; so is one whose whole
 * message went and got no reply (TRANSPORT_UNCERTAIN: it stays `sending`),
 * and policy.resend_uncertain_after (RESEND_UNCERTAIN_AFTER, 0: never)
 * re-sends those by itself once that long has passed.
 *
 * The run takes everything it needs of the settings typed: the sender (the
 * mailbox it leaves from, sender.h) and the policy; it never reads them.
 *
 * One process at a time sends from a sender: its limits are the mailbox's,
 * and the throttle counts them from the ledger when it starts (throttle.h),
 * so a real send holds the sender's lock (lock_dir/sender-NAME.lock) while
 * it sends. Another process sending from it meanwhile waits for it to end
 * (wait_sender: `mailer send`) or sends nothing and says so (sender_busy:
 * `mailer due`, whose next run continues). Test sends and dry runs take no
 * such lock.
 *
 * Outcomes by scope (refusal.h): a recipient or message refusal fails that
 * delivery; an account-wide one stops the run at once, marks nobody failed
 * (the delivery that got it is pending again, the queued ones were never
 * tried) and sets err (ERR_TEMPFAIL for quota and rate, ERR_CONFIG when not
 * allowed) with the reason and the server's whole reply. Safeguard: five
 * recipients in a row refused with the same 5xx stop the run the same way
 * and are pending again, unless force is set.
 */
#ifndef MAILER_SEND_H
#define MAILER_SEND_H

#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "campaign.h"
#include "contacts.h"
#include "err.h"
#include "ledger.h"
#include "sender.h"
#include "transport.h"

struct send_progress {
    long done, total; /* deliveries handled in this run / to handle */
    long sent, deferred, failed;
    double elapsed; /* seconds since the run started sending */
};

/* What a run does with deliveries that wait (run-wide settings, not a
 * mailbox's). */
struct send_policy {
    long retry_max_age;          /* seconds a deferred delivery is retried before it fails */
    long resend_uncertain_after; /* seconds before an uncertain delivery goes again, 0: never */
};

struct send_opts {
    const struct campaign *campaign;
    const char *edition;         /* explicit edition, NULL: from the cadence */
    const struct sender *sender; /* the mailbox it leaves from */
    struct send_policy policy;
    struct ledger *ledger;      /* the ledger (suppressions are read from it too) */
    const char *lock_dir;       /* directory of the mailings' and senders' lock files */
    const char *dry_run_dir;    /* non-NULL: write .eml files there, record nothing */
    const char *const *test_to; /* test send to these addresses, NULL: real send */
    size_t ntest_to;
    long test_row;               /* test send: variables of the Nth contact (1-based; 0 = 1) */
    long limit;                  /* at most this many messages this run; 0: no limit */
    int concurrency;             /* 0: the sender's */
    int resend_uncertain;        /* re-send deliveries left in `sending` by a crash */
    int force;                   /* start even when over 10 % of a list is invalid */
    const char *boundary_seed;   /* golden tests: deterministic MIME boundaries */
    int trace;                   /* SMTP dialogue to stderr (mailer -v -v); AUTH redacted */
    volatile sig_atomic_t *stop; /* set (by a signal) to stop taking new messages */
    const struct transport_ops *backend; /* unit tests: a backend of their own; NULL: smtp */
    void (*progress)(void *ud, const struct send_progress *p);
    void (*delivered)(void *ud, const char *address, const struct transport_result *r);
    /* The sender is sending in another process: wait_sender 1 waits for it to
     * end (said once through sender_waiting), 0 sends nothing (sender_busy). */
    int wait_sender;
    void (*sender_waiting)(void *ud, const char *sender, const char *holder);
    void *ud;
};

enum send_status {
    SEND_COMPLETE,     /* every delivery has its final outcome */
    SEND_ALREADY_DONE, /* the mailing was complete before this run: nothing sent */
    SEND_INCOMPLETE,   /* deferred, uncertain or unsent deliveries remain (see why) */
};

struct send_report {
    enum send_status status;
    struct edition edition;
    int64_t mailing_id;
    int created;                    /* this run froze the audience */
    struct audience_stats audience; /* when created */
    struct buf audience_notes;      /* per-row problems of the audience, "file:line: ..." */
    struct delivery_counts counts;  /* after the run */
    long sent, deferred, failed;    /* outcomes in this run */
    long skipped;                   /* suppressed since the freeze: never sent (DELIVERY_SKIPPED) */
    long restored;      /* queued by a run that stopped, never started: back to pending */
    int stopped;        /* by a signal */
    int sender_busy;    /* its sender was sending in another process: nothing sent */
    int limit_reached;  /* --limit */
    int daily_reached;  /* the sender's daily limit */
    int unreachable;    /* the server could not be reached */
    int account_stop;   /* an account-wide refusal (or the safeguard) stopped the run */
    int uncertain_stop; /* several unknown outcomes in a row stopped the run */
    long uncertain;     /* unknown outcomes in this run (left `sending`) */
    char cause[1024];   /* why the server could not be reached (the last such failure) */
    char test_row[192]; /* a test send: "file:line" of the contact whose data it carries */
    time_t resume_at;   /* daily limit: when the next message may go */
    /* sender_busy: who holds it, "pid N on HOST since TIME: CAMPAIGN EDITION" */
    char busy_holder[512];
};

void send_report_init(struct send_report *r);
void send_report_release(struct send_report *r);
int send_run(const struct send_opts *o, struct send_report *r, struct err *err);

/* After a run that stopped (a crash, a kill): put back to pending what it
 * had queued and never started (handoff.h), unless a run holds the mailing's
 * lock. For `status`, so that its uncertain count is exact. */
int send_recover(const char *lock_dir, struct ledger *l, const struct mailing *m, long *restored,
                 struct err *err);

#endif
