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
 * A delivery left in `sending` by a crash is "uncertain". States are the
 * enums below; their names, as stored in the ledger, are in one table in
 * ledger.c.
 */
#ifndef MAILER_LEDGER_H
#define MAILER_LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

struct ledger;

/* A delivery's state. Uncertain is not a state of its own: it is a
 * delivery found `sending` when no run is sending it. */
enum delivery_state {
    DELIVERY_PENDING,  /* to be sent */
    DELIVERY_SENDING,  /* handed to the server (or about to be) */
    DELIVERY_SENT,     /* the server accepted it */
    DELIVERY_DEFERRED, /* a temporary failure: sent again from next_attempt_at */
    DELIVERY_FAILED,   /* refused for good */
    DELIVERY_BOUNCED,  /* accepted, then a bounce came back */
    DELIVERY_SKIPPED,  /* never sent: its address unsubscribed while the mailing ran */
};

/* A mailing's state. */
enum mailing_state {
    MAILING_NEW,      /* its audience is frozen, nothing tried yet */
    MAILING_SENDING,  /* a run started it; deliveries remain */
    MAILING_COMPLETE, /* nothing pending, deferred or uncertain */
};

/* The name of a state as the ledger stores it ("pending", "complete"), for
 * JSON and the like; static strings. */
const char *ledger_delivery_state_name(enum delivery_state s);
const char *ledger_mailing_state_name(enum mailing_state s);

struct mailing {
    int64_t id;
    char *campaign, *edition, *kind, *subject, *report_title, *lists;
    char *from_address; /* the address of its From ("" before migration 10) */
    char *sender;       /* the sender it leaves from (sender.h; "default": .env's) */
    enum mailing_state state;
    int test;                                   /* a test send: never in reports */
    time_t created_at, started_at, finished_at; /* 0 when not yet */
};

struct delivery {
    int64_t id, mailing_id;
    char *address, *list, *name, *vars, *message_id;
    enum delivery_state state;
    int attempts;
    time_t first_attempt_at, next_attempt_at;
    char *token; /* the unsubscribe token (token.h); "" for rows written without one */
};

struct delivery_counts {
    long total, pending, sending, sent, deferred, failed, bounced, skipped;
    time_t next_deferred; /* earliest next attempt of a deferred delivery, 0 if none */
};

/* Open and migrate. A new ledger (and its directory) is created only where
 * no file is; an existing file that is empty or holds no mailer tables is
 * refused (ERR_DATA), never taken for a new ledger. */
struct ledger *ledger_open(const char *path, struct err *err);
/* The ledger's instance id: 16 hex digits, random (getrandom), made when the
 * ledger was created or migrated; in every Message-ID. */
const char *ledger_instance_id(const struct ledger *l);
/* A consistent copy of the ledger into a new file dest (SQLite's online
 * backup: safe while a send runs), checked (integrity, schema) before it is
 * put in place; dest must not exist. The copy gets an instance id of its
 * own (a restored ledger never repeats a Message-ID of the lost one). */
int ledger_backup(struct ledger *l, const char *dest, struct err *err);
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
int ledger_mailing_set_state(struct ledger *l, int64_t id, enum mailing_state state,
                             struct err *err);
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
 * in `sending` come too; with uncertain N >= 2, those uncertain for at least
 * N seconds (RESEND_UNCERTAIN_AFTER). Free with delivery_release_all. */
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
/* A delivery of the mailing still `sending` whose message was never started
 * goes back to `pending`, that attempt uncounted: 0 done, 1 not `sending`
 * (or not this mailing's), -1 error. */
int ledger_delivery_unsend(struct ledger *l, int64_t mailing_id, int64_t id, time_t now,
                           struct err *err);
/* Record an outcome: its state (sent, deferred, failed; pending again or
 * still sending when the run stops), the reply, the next attempt (deferred). */
int ledger_delivery_result(struct ledger *l, int64_t id, enum delivery_state state, int code,
                           const char *enhanced, const char *reply, time_t next_attempt, time_t now,
                           struct err *err);
int ledger_mailing_counts(struct ledger *l, int64_t mailing_id, struct delivery_counts *c,
                          struct err *err);
/* Messages of one sender's mailings accepted by a server (sent or later
 * bounced, test sends too) since a time: its daily limit is counted from
 * this. */
int ledger_sent_since(struct ledger *l, const char *sender, time_t since, long *n, struct err *err);
/* When the oldest of the sender's last `count` accepted messages was
 * accepted (0 when fewer): its daily budget frees up 24 h after it; with
 * count 1, its latest (the rate goes on from there). */
int ledger_nth_latest_sent(struct ledger *l, const char *sender, long count, time_t *at,
                           struct err *err);

/* Suppression list. A suppression has a scope: a list's name, or '*' for
 * everything. ledger_suppressed: 1 when suppressed for everything;
 * ledger_suppressed_for: for everything or for one of lists (names joined
 * by ","). ledger_suppress_add writes scope '*'; ledger_suppress_remove
 * removes every scope. */
int ledger_suppressed(struct ledger *l, const char *address, char *reason, size_t size,
                      struct err *err);
int ledger_suppressed_for(struct ledger *l, const char *address, const char *lists, char *reason,
                          size_t size, struct err *err);
/* Add for scope (NULL or "": '*') unless already there: 0 added, 1 there. */
int ledger_suppress_add_scope(struct ledger *l, const char *address, const char *scope,
                              const char *reason, const char *source, struct err *err);
/* Remove one scope (NULL: every scope): 0 removed, 1 not there. */
int ledger_suppress_remove_scope(struct ledger *l, const char *address, const char *scope,
                                 struct err *err);
/* Remove the suppressions of address written by source since a time. */
int ledger_suppress_undo(struct ledger *l, const char *address, const char *source, time_t since,
                         long *removed, struct err *err);
int ledger_suppress_add(struct ledger *l, const char *address, const char *reason,
                        const char *source, struct err *err);
/* 0 removed, 1 not there. */
int ledger_suppress_remove(struct ledger *l, const char *address, struct err *err);
typedef int (*ledger_suppression_fn)(void *ud, const char *address, const char *reason,
                                     const char *source, time_t created_at);
int ledger_suppress_list(struct ledger *l, ledger_suppression_fn fn, void *ud, struct err *err);
typedef int (*ledger_suppression_scope_fn)(void *ud, const char *address, const char *scope,
                                           const char *reason, const char *source,
                                           time_t created_at);
/* Every suppression with its scope to sfn (or, when sfn is NULL, to fn). */
int ledger_suppress_each(struct ledger *l, ledger_suppression_scope_fn sfn,
                         ledger_suppression_fn fn, void *ud, struct err *err);

/* The delivery an unsubscribe token names, with its mailing. */
struct ledger_token {
    int64_t delivery_id, mailing_id;
    char *address, *list, *lists, *title, *subject, *campaign;
    int test;
};
/* 0 found, 1 no such token, -1 error. */
int ledger_token_find(struct ledger *l, const char *token, struct ledger_token *out,
                      struct err *err);
void ledger_token_release(struct ledger_token *t);

/* ---- events and history (migration 6, issue 18) ----
 * events: who did what, append-only (the ledger refuses UPDATE and DELETE
 * of them). who is the operator (--por, MAILER_OPERATOR, else the OS
 * user); os_user the account that ran the command. Strings of a row are
 * valid only during the callback; at 0 means now. */
struct ledger_event {
    int64_t id;
    time_t at;
    const char *who, *os_user, *host, *what, *campaign, *edition, *detail;
};
int ledger_event_add(struct ledger *l, const struct ledger_event *e, struct err *err);
typedef int (*ledger_event_fn)(void *ud, const struct ledger_event *e);
/* Events at or after since (0: all), of one campaign / edition when given,
 * oldest first. */
int ledger_events_each(struct ledger *l, time_t since, const char *campaign, const char *edition,
                       ledger_event_fn fn, void *ud, struct err *err);
/* A mailing's report title, corrected after the send. */
int ledger_mailing_retitle(struct ledger *l, int64_t id, const char *title, struct err *err);
/* A mailing sent outside the mailer (`mailer history`): never sent, never
 * a delivery; dates are instants (noon in Mexico City of each day), in
 * order; range 1 when the source gave a range (dates[0] to dates[1]: stored
 * as an ISO 8601 interval "A/B"); month "YYYY-MM" when the source gave only
 * the month (dates[0] is then the month's first day); recipients -1 when
 * unknown. */
struct ledger_history {
    int64_t id;
    const char *list, *kind, *title, *month, *date_text, *sender, *source;
    const time_t *dates;
    size_t ndates;
    int range;
    long recipients;
    time_t recorded_at;
};
int ledger_history_add(struct ledger *l, const struct ledger_history *h, int64_t *id,
                       struct err *err);
/* How many recorded mailings are h again: the same list, title, dates and
 * month (what an import of the same table would add a second time). */
int ledger_history_count(struct ledger *l, const struct ledger_history *h, long *n,
                         struct err *err);
typedef int (*ledger_history_fn)(void *ud, const struct ledger_history *h);
/* Recorded mailings whose first date is in [from, to) (0: unbounded). */
int ledger_history_each(struct ledger *l, time_t from, time_t to, ledger_history_fn fn, void *ud,
                        struct err *err);

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
/* mailer retry: the failed deliveries of CAMPAIGN (one edition, or every
 * one when edition is NULL; test sends never), only those with SMTP reply
 * code `code` (0: any) and failed since `since` (0: ever), back to pending
 * (their retry age starts again), in one transaction; a complete mailing
 * that gets pending deliveries is `sending` again. *changed: how many. */
int ledger_retry_failed(struct ledger *l, const char *campaign, const char *edition, int code,
                        time_t since, time_t now, long *changed, struct err *err);
/* A test send that did not finish: its pending, deferred and uncertain
 * deliveries become failed with reply `why`, and the mailing complete. */
int ledger_mailing_fail_rest(struct ledger *l, int64_t mailing_id, const char *why, time_t now,
                             struct err *err);
/* Notes (the ledger_info table): "skip:CAMPAIGN:EDITION" (an edition a
 * person skipped with unschedule), "reported:WHAT" (the day a problem was
 * last told, so that cron says it once a day). Get: 0 and the value in out,
 * 1 when there is none (out ""), -1 on error. */
int ledger_note_get(struct ledger *l, const char *key, char *out, size_t size, struct err *err);
int ledger_note_set(struct ledger *l, const char *key, const char *value, struct err *err);
/* An edition a person skipped (`mailer unschedule CAMPAIGN --edition E`):
 * `due` never sends it. skipped: 1 yes, 0 no, -1 error. */
int ledger_edition_skip(struct ledger *l, const char *campaign, const char *edition,
                        struct err *err);
int ledger_edition_skipped(struct ledger *l, const char *campaign, const char *edition,
                           struct err *err);
/* The server's last reply to a delivery of the mailing that is still
 * deferred or uncertain (why it is waiting), into out: 0, 1 when there is
 * none (out ""), -1 on error. */
int ledger_mailing_last_reply(struct ledger *l, int64_t mailing_id, char *out, size_t size,
                              struct err *err);
int ledger_schedule_remove(struct ledger *l, const char *campaign, const char *edition,
                           long *removed, struct err *err);
typedef int (*ledger_schedule_fn)(void *ud, const char *campaign, const char *edition,
                                  time_t due_at);
/* Every scheduled edition, soonest first. */
int ledger_schedules_each(struct ledger *l, ledger_schedule_fn fn, void *ud, struct err *err);
/* Every real (not test) mailing not complete that has a delivery to send
 * at `now` (pending, or deferred whose time has come), oldest first; fn gets
 * its campaign, edition and creation time. For `mailer due`. */
int ledger_mailings_unfinished(struct ledger *l, time_t now, ledger_schedule_fn fn, void *ud,
                               struct err *err);

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
    const char *from_address; /* "" when not recorded (mailings before migration 10) */
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
 * reason one of bounce.h's names ("user unknown"...); delivery_id 0 when
 * unmatched; empty strings are stored as NULL. */
struct bounce_row {
    int64_t delivery_id;
    const char *kind, *address, *status, *action, *klass, *diagnostic, *message_id, *source_uid;
    const char *reason;
};
int ledger_bounce_add(struct ledger *l, const struct bounce_row *b, struct err *err);
/* A mailing's bounced deliveries by reason (delayed warnings left out),
 * most first: fn(ud, reason, deliveries) per reason ("undefined" for rows
 * recorded without one); fn returns non-zero to stop with -1. Returns how
 * many reasons, or -1. */
typedef int (*ledger_reason_fn)(void *ud, const char *reason, long count);
int ledger_bounce_reasons(struct ledger *l, int64_t mailing_id, ledger_reason_fn fn, void *ud,
                          struct err *err);
/* Failed soft bounces recorded for address since a time. */
int ledger_soft_bounces(struct ledger *l, const char *address, time_t since, long *n,
                        struct err *err);

#endif
