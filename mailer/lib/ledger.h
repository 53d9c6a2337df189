/* ledger - the SQLite record of mailings, deliveries, suppressions, bounces.
 *
 * One file, WAL journal, synchronous=NORMAL (a commit survives a killed
 * process), foreign keys on. Every write is its own committed step unless
 * the caller wraps several in ledger_begin()/ledger_commit(). Schema changes
 * are numbered migrations applied in order at open (schema_version).
 * Times are UTC ISO-8601 text ("2026-11-22T14:05:00Z"). Only this module
 * includes sqlite3.h; every statement is prepared with bound parameters.
 *
 * Delivery states: pending -> sending -> sent | deferred | failed;
 * deferred -> sending again when due; sent -> bounced (bounce module).
 * A delivery left in `sending` by a crash is "uncertain".
 */
#ifndef MAILER_LEDGER_H
#define MAILER_LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

struct ledger;

struct mailing {
    int64_t id;
    char *campaign, *edition, *kind, *subject, *report_title, *lists;
    char *state;                                /* "new", "sending", "complete" */
    int test;                                   /* a test send: never in reports */
    time_t created_at, started_at, finished_at; /* 0 when not yet */
};

struct delivery {
    int64_t id, mailing_id;
    char *address, *list, *name, *vars, *message_id, *state;
    int attempts;
    time_t first_attempt_at, next_attempt_at;
};

struct delivery_counts {
    long total, pending, sending, sent, deferred, failed, bounced;
    time_t next_deferred; /* earliest next attempt of a deferred delivery, 0 if none */
};

/* Open (creating the file and its directory if needed) and migrate. */
struct ledger *ledger_open(const char *path, struct err *err);
void ledger_close(struct ledger *l);
int ledger_schema_version(struct ledger *l);

int ledger_begin(struct ledger *l, struct err *err);
int ledger_commit(struct ledger *l, struct err *err);
void ledger_rollback(struct ledger *l);

/* Find the mailing (campaign, edition): 0 found, 1 not found, -1 error. */
int ledger_mailing_find(struct ledger *l, const char *campaign, const char *edition,
                        struct mailing *out, struct err *err);
/* Create the mailing from m's descriptive fields (id and times ignored);
 * fills m->id. */
int ledger_mailing_create(struct ledger *l, struct mailing *m, struct err *err);
int ledger_mailing_set_state(struct ledger *l, int64_t id, const char *state, struct err *err);
void mailing_release(struct mailing *m);

/* Every mailing (of one campaign when campaign is non-NULL), newest first;
 * the mailing is valid only during the call. */
typedef int (*ledger_mailing_fn)(void *ud, const struct mailing *m);
int ledger_mailings_each(struct ledger *l, const char *campaign, ledger_mailing_fn fn, void *ud,
                         struct err *err);

/* Add a pending delivery; an address already in the mailing is ignored
 * (returns 1). */
int ledger_delivery_add(struct ledger *l, int64_t mailing_id, const char *address, const char *list,
                        const char *name, const char *vars, const char *message_id,
                        struct err *err);
/* Up to max deliveries due now (pending, or deferred whose time has come),
 * with id > after, in id order; *n is how many. With uncertain 1, deliveries
 * in `sending` come too; with N > 1, those in `sending` for N seconds or more
 * (RESEND_UNCERTAIN_AFTER). Free with
 * delivery_release_all. */
int ledger_deliveries_due(struct ledger *l, int64_t mailing_id, time_t now, int64_t after,
                          int uncertain, struct delivery *out, size_t max, size_t *n,
                          struct err *err);
void delivery_release(struct delivery *d);
/* Every delivery of a mailing in id order (a reminder's frozen audience). */
typedef int (*ledger_delivery_fn)(void *ud, const struct delivery *d);
int ledger_deliveries_each(struct ledger *l, int64_t mailing_id, ledger_delivery_fn fn, void *ud,
                           struct err *err);
/* Mark a delivery as being handed to the server now (attempts + 1). */
int ledger_delivery_sending(struct ledger *l, int64_t id, time_t now, struct err *err);
/* Record an outcome: state "sent", "deferred" or "failed". */
/* A delivery of the mailing still `sending` whose message was never started
 * goes back to `pending`, that attempt uncounted: 0 done, 1 not `sending`
 * (or not this mailing's), -1 error. */
int ledger_delivery_unsend(struct ledger *l, int64_t mailing_id, int64_t id, time_t now,
                           struct err *err);
int ledger_delivery_result(struct ledger *l, int64_t id, const char *state, int code,
                           const char *enhanced, const char *reply, time_t next_attempt, time_t now,
                           struct err *err);
/* Failed deliveries of a campaign (of one edition unless NULL; with that
 * SMTP code unless 0; failed since `since` unless 0) back to pending; *n is
 * how many (mailer retry). */
int ledger_deliveries_retry(struct ledger *l, const char *campaign, const char *edition, int code,
                            time_t since, time_t now, long *n, struct err *err);
int ledger_mailing_counts(struct ledger *l, int64_t mailing_id, struct delivery_counts *c,
                          struct err *err);
/* Messages accepted by a server (sent or later bounced, test sends too)
 * since a time: the daily limit is counted from this. */
int ledger_sent_since(struct ledger *l, time_t since, long *n, struct err *err);
/* When the oldest of the last `count` accepted messages was accepted
 * (0 when fewer): the daily budget frees up 24 h after it. */
int ledger_nth_latest_sent(struct ledger *l, long count, time_t *at, struct err *err);

/* Suppression list. */
int ledger_suppressed(struct ledger *l, const char *address, char *reason, size_t size,
                      struct err *err);
int ledger_suppress_add(struct ledger *l, const char *address, const char *reason,
                        const char *source, struct err *err);
/* 0 removed, 1 not there. */
int ledger_suppress_remove(struct ledger *l, const char *address, struct err *err);
typedef int (*ledger_suppression_fn)(void *ud, const char *address, const char *reason,
                                     const char *source, time_t created_at);
int ledger_suppress_list(struct ledger *l, ledger_suppression_fn fn, void *ud, struct err *err);

/* Mailings in a time range for the report: every non-test mailing whose
 * first accepted delivery falls in [from, to). */
struct report_row {
    int64_t mailing_id;
    const char *campaign, *edition, *kind, *subject, *report_title, *lists;
    time_t first_sent, last_sent;
    long recipients, delivered, bounced, failed, unsubscribed;
};
typedef int (*ledger_report_fn)(void *ud, const struct report_row *r);
int ledger_report(struct ledger *l, time_t from, time_t to, ledger_report_fn fn, void *ud,
                  struct err *err);

/* Editions scheduled with `send --at` (replaces an earlier time). */
int ledger_schedule_add(struct ledger *l, const char *campaign, const char *edition, time_t due_at,
                        struct err *err);
/* Remove one edition's schedule, or all of a campaign's when edition is NULL. */
int ledger_schedule_remove(struct ledger *l, const char *campaign, const char *edition,
                           long *removed, struct err *err);
typedef int (*ledger_schedule_fn)(void *ud, const char *campaign, const char *edition,
                                  time_t due_at);
/* Every scheduled edition, soonest first. */
int ledger_schedules_each(struct ledger *l, ledger_schedule_fn fn, void *ud, struct err *err);

/* A set of addresses for freezing a very large audience in bounded memory
 * (a temporary table of this connection): 0 when key is new (recorded with
 * its list index and line), 1 when seen before (where it was first seen is
 * set), -1 on error. ledger_seen_clear() empties it. */
int ledger_seen_add(struct ledger *l, const char *key, uint32_t list, uint32_t line,
                    uint32_t *first_list, uint32_t *first_line, struct err *err);
int ledger_seen_clear(struct ledger *l, struct err *err);

/* Raw SQL for tests and seeding; never with user data. */
int ledger_exec(struct ledger *l, const char *sql, struct err *err);

/* The report, read with indexes only (migration 3): every non-test mailing
 * whose first accepted delivery (sent or later bounced) falls in [from, to),
 * in order of that first delivery. recipients counts every delivery of the
 * mailing; delivered those the server accepted (sent + bounced); bounced
 * those in state 'bounced', of which bounced_hard / bounced_soft have a
 * bounce of that class (a delivery with both counts as hard; the rest are
 * unclassified); failed those refused; unsubscribed the 'unsubscribe'
 * suppressions of its addresses created at or after its first delivery and
 * before `to` (a report made again later gives the same figures), listed in
 * unsubscribed_addresses (lower-case, sorted).
 * Strings are valid only during the call; a non-zero return of fn stops
 * the walk and is returned. */
struct ledger_report_mailing {
    int64_t mailing_id;
    const char *campaign, *edition, *kind, *subject, *report_title, *lists;
    time_t first_sent, last_sent;
    long recipients, delivered, bounced, bounced_hard, bounced_soft, failed, unsubscribed;
    char **unsubscribed_addresses;
};
typedef int (*ledger_report_mailing_fn)(void *ud, const struct ledger_report_mailing *r);
int ledger_report_mailings(struct ledger *l, time_t from, time_t to, ledger_report_mailing_fn fn,
                           void *ud, struct err *err);
/* ---- the bounce mailbox (migration 3) ----
 * Where reading a mailbox stopped: 0 found, 1 never read (both 0), -1 error.
 * `mailbox` names it ("user@host/INBOX"). */
int ledger_imap_state(struct ledger *l, const char *mailbox, unsigned long *uidvalidity,
                      unsigned long *last_uid, struct err *err);
int ledger_imap_state_set(struct ledger *l, const char *mailbox, unsigned long uidvalidity,
                          unsigned long last_uid, struct err *err);
/* The delivery a returned message is about: by the Message-ID we sent
 * (without <>; may be NULL or ""), else the most recent accepted delivery
 * (sent, bounced or uncertain) to address. 0 found (*id, and the delivery's
 * own address in found_addr[size]), 1 none, -1 error. */
int ledger_delivery_match(struct ledger *l, const char *message_id, const char *address,
                          int64_t *id, char *found_addr, size_t size, struct err *err);
/* sent (or uncertain) -> bounced with class "hard"|"soft" (hard is never
 * downgraded). 0 done, 1 the delivery was in no such state. */
int ledger_delivery_bounced(struct ledger *l, int64_t id, const char *klass, struct err *err);
/* One row of `bounces`; kind is "bounce", "complaint" or "unsubscribe";
 * delivery_id 0 when unmatched; empty strings are stored as NULL. */
struct bounce_row {
    int64_t delivery_id;
    const char *kind, *address, *status, *action, *klass, *diagnostic, *message_id, *source_uid;
};
int ledger_bounce_add(struct ledger *l, const struct bounce_row *b, struct err *err);
/* Failed soft bounces recorded for address since a time. */
int ledger_soft_bounces(struct ledger *l, const char *address, time_t since, long *n,
                        struct err *err);

#endif
