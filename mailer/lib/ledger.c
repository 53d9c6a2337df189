/* ledger - the SQLite record of mailings, deliveries, suppressions, bounces. */
#include "ledger.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "token.h"

#include "banned.h"

/* Migrations, applied in order; never edit one that has shipped. */
static const char *const migrations[] = {
    /* 1: DESIGN §4, plus deliveries.vars (the contact's columns, frozen
     * with the audience) and mailings.test. */
    "CREATE TABLE mailings ("
    "  id INTEGER PRIMARY KEY,"
    "  campaign TEXT NOT NULL, edition TEXT NOT NULL, kind TEXT NOT NULL DEFAULT '',"
    "  subject TEXT NOT NULL DEFAULT '', report_title TEXT NOT NULL DEFAULT '',"
    "  lists TEXT NOT NULL DEFAULT '', test INTEGER NOT NULL DEFAULT 0,"
    "  created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT,"
    "  state TEXT NOT NULL DEFAULT 'new',"
    "  UNIQUE(campaign, edition));"
    "CREATE TABLE deliveries ("
    "  id INTEGER PRIMARY KEY,"
    "  mailing_id INTEGER NOT NULL REFERENCES mailings(id),"
    "  address TEXT NOT NULL, list TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '',"
    "  vars TEXT NOT NULL DEFAULT '{}', message_id TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,"
    "  first_attempt_at TEXT, next_attempt_at TEXT,"
    "  smtp_code INTEGER, enhanced_status TEXT, smtp_reply TEXT,"
    "  updated_at TEXT NOT NULL, sent_at TEXT,"
    "  UNIQUE(mailing_id, address));"
    "CREATE INDEX deliveries_state ON deliveries(mailing_id, state, id);"
    "CREATE INDEX deliveries_sent_at ON deliveries(sent_at) WHERE sent_at IS NOT NULL;"
    "CREATE TABLE suppressions ("
    "  address TEXT PRIMARY KEY, reason TEXT NOT NULL, source TEXT NOT NULL DEFAULT '',"
    "  created_at TEXT NOT NULL);"
    "CREATE TABLE bounces ("
    "  id INTEGER PRIMARY KEY, delivery_id INTEGER REFERENCES deliveries(id),"
    "  address TEXT NOT NULL, status TEXT, action TEXT, class TEXT, diagnostic TEXT,"
    "  received_at TEXT NOT NULL, source_uid TEXT);"
    "CREATE INDEX bounces_delivery ON bounces(delivery_id);",
    /* 2: editions scheduled with send --at. */
    "CREATE TABLE schedules ("
    "  campaign TEXT NOT NULL, edition TEXT NOT NULL, due_at TEXT NOT NULL,"
    "  created_at TEXT NOT NULL, PRIMARY KEY (campaign, edition));",
    /* 3 (report, issue 9): indexes for the quarterly report, so that it reads
     * index ranges per mailing and never scans the deliveries: the first and
     * last accepted delivery of a mailing, a mailing's delivery by lower-cased
     * address (Bajas: suppressions are stored lower-case, deliveries keep the
     * local part as written), unsubscribes by time. */
    "CREATE INDEX deliveries_mailing_sent ON deliveries(mailing_id, sent_at)"
    "  WHERE sent_at IS NOT NULL;"
    "CREATE INDEX deliveries_mailing_laddr ON deliveries(mailing_id, lower(address));"
    "CREATE INDEX suppressions_reason ON suppressions(reason, created_at);",
    /* 4: the bounce mailbox: where reading stopped (IMAP UIDVALIDITY and the
     * last UID handled), what kind of message each bounces row came from and
     * the Message-ID it named, and the class of a bounced delivery. */
    "CREATE TABLE imap_state ("
    "  mailbox TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL, last_uid INTEGER NOT NULL,"
    "  updated_at TEXT NOT NULL);"
    "ALTER TABLE bounces ADD COLUMN kind TEXT NOT NULL DEFAULT 'bounce';"
    "ALTER TABLE bounces ADD COLUMN message_id TEXT;"
    "ALTER TABLE deliveries ADD COLUMN bounce_class TEXT;"
    "CREATE INDEX bounces_address ON bounces(address, received_at);"
    "CREATE INDEX deliveries_message_id ON deliveries(message_id);"
    "CREATE INDEX deliveries_address ON deliveries(address COLLATE NOCASE);",
    /* 5 (bench, issue 6): a mailing's deliveries in id order, so that the
     * send loop reads the next batch as an index range (mailing_id = ?,
     * id > ?) and stops after LIMIT rows; without it the planner took
     * deliveries_mailing_laddr and sorted the whole mailing for every batch
     * (quadratic in the audience). Never changes when a state does. */
    "CREATE INDEX deliveries_mailing ON deliveries(mailing_id); DROP INDEX deliveries_state;",
    /* 6 (issue 18): who did what (events: append-only, every UPDATE or
     * DELETE is refused by a trigger), and mailings sent outside the mailer
     * (history: recorded with `mailer history`, never sent; dates are UTC
     * instants at noon in Mexico City, comma-separated; month is "YYYY-MM"
     * when only the month is known; first_at orders and selects them). */
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL,"
    "  os_user TEXT NOT NULL DEFAULT '', host TEXT NOT NULL DEFAULT '', what TEXT NOT NULL,"
    "  campaign TEXT NOT NULL DEFAULT '', edition TEXT NOT NULL DEFAULT '',"
    "  detail TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX events_at ON events(at);"
    "CREATE INDEX events_mailing ON events(campaign, edition);"
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
    "CREATE TABLE history ("
    "  id INTEGER PRIMARY KEY, list TEXT NOT NULL, kind TEXT NOT NULL DEFAULT '',"
    "  title TEXT NOT NULL, dates TEXT NOT NULL DEFAULT '', month TEXT NOT NULL DEFAULT '',"
    "  first_at TEXT NOT NULL, date_text TEXT NOT NULL DEFAULT '', recipients INTEGER,"
    "  sender TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '',"
    "  recorded_at TEXT NOT NULL);"
    "CREATE INDEX history_first ON history(first_at);",
    /* 7 (issue 16): unsubscribe tokens and suppression scopes. Every delivery
     * gets an opaque random token (token.h; rows of earlier mailings get one
     * now), unique, that the one-click URL carries. A suppression holds for a
     * list (scope = the list's name) or for everything (scope '*', what every
     * existing row becomes); the key becomes (address, scope), so the table
     * is copied row by row into its new shape. */
    "ALTER TABLE deliveries ADD COLUMN token TEXT;"
    "UPDATE deliveries SET token = mailer_token() WHERE token IS NULL;"
    "CREATE UNIQUE INDEX deliveries_token ON deliveries(token);"
    "CREATE TABLE suppressions_scoped ("
    "  address TEXT NOT NULL, scope TEXT NOT NULL DEFAULT '*', reason TEXT NOT NULL,"
    "  source TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, PRIMARY KEY (address, scope));"
    "INSERT INTO suppressions_scoped (address, scope, reason, source, created_at)"
    "  SELECT address, '*', reason, source, created_at FROM suppressions;"
    "DROP TABLE suppressions;"
    "ALTER TABLE suppressions_scoped RENAME TO suppressions;"
    "CREATE INDEX suppressions_reason ON suppressions(reason, created_at);",
    /* 8 (issue 15): facts about the ledger itself: its instance id (random,
     * made once by migrate(), part of every Message-ID so that two ledgers
     * never give the same one) and what a problem was last reported (notify). */
    "CREATE TABLE ledger_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    /* 9 (issue 17): why a recipient bounced, from bounce.h's one list of
     * reasons ("user unknown", "mailbox full", ...; "feedback" for a
     * complaint, NULL for an unsubscribe request); rows of earlier runs
     * keep NULL (read as "undefined"). */
    "ALTER TABLE bounces ADD COLUMN reason TEXT;",
    /* 10 (issue 18, the report): the address a mailing left from (its From),
     * for the report's sentence («mediante el correo de ...»); '' for the
     * mailings sent before it was recorded. */
    "ALTER TABLE mailings ADD COLUMN from_address TEXT NOT NULL DEFAULT '';",
    /* 11 (issue 18, senders): the sender a mailing leaves from (sender.h:
     * "default" is .env's, which every earlier mailing left from), so that
     * the daily limit and the rate are counted per mailbox. */
    "ALTER TABLE mailings ADD COLUMN sender TEXT NOT NULL DEFAULT 'default';",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

enum stmt_id {
    ST_MAILING_FIND,
    ST_MAILINGS_EACH,
    ST_MAILING_CREATE,
    ST_MAILING_STATE,
    ST_DELIVERY_ADD,
    ST_DELIVERIES_DUE,
    ST_DELIVERY_SENDING,
    ST_DELIVERY_RESULT,
    ST_DELIVERY_UNSEND,
    ST_COUNTS,
    ST_SENT_SINCE,
    ST_NTH_LATEST,
    ST_SUPPRESSED,
    ST_SUPPRESS_ADD,
    ST_SUPPRESS_REMOVE,
    ST_SUPPRESS_LIST,
    ST_REPORT,
    ST_DELIVERIES_EACH,
    ST_SCHEDULE_ADD,
    ST_SCHEDULE_REMOVE,
    ST_SCHEDULES_EACH,
    ST_IMAP_STATE_GET,
    ST_IMAP_STATE_SET,
    ST_DELIVERY_BY_MSGID,
    ST_DELIVERY_BY_ADDRESS,
    ST_DELIVERY_BOUNCED,
    ST_BOUNCE_ADD,
    ST_SOFT_BOUNCES,
    ST_REPORT_MAILINGS,
    ST_REPORT_STATES,
    ST_REPORT_BOUNCES,
    ST_REPORT_UNSUBS,
    ST_BEGIN,
    ST_COMMIT,
    ST_SEEN_ADD,
    ST_SEEN_GET,
    ST_SEEN_CLEAR,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_MAILING_FIND] = "SELECT id, campaign, edition, kind, subject, report_title, lists, state,"
                        " test, created_at, started_at, finished_at, from_address, sender"
                        " FROM mailings WHERE campaign = ?1 AND edition = ?2",
    [ST_MAILINGS_EACH] = "SELECT id, campaign, edition, kind, subject, report_title, lists,"
                         " state, test, created_at, started_at, finished_at, from_address,"
                         " sender FROM mailings"
                         " WHERE ?1 IS NULL OR campaign = ?1 ORDER BY created_at DESC, id DESC",
    [ST_MAILING_CREATE] = "INSERT INTO mailings (campaign, edition, kind, subject, report_title,"
                          " lists, test, created_at, state, from_address, sender)"
                          " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,'new',?9,?10)",
    [ST_MAILING_STATE] =
        "UPDATE mailings SET state = ?2,"
        " started_at = CASE WHEN ?2 = 'sending' AND started_at IS NULL THEN ?3 ELSE started_at END,"
        " finished_at = CASE WHEN ?2 = 'complete' THEN ?3 ELSE finished_at END WHERE id = ?1",
    [ST_DELIVERY_ADD] = "INSERT INTO deliveries (mailing_id, address, list, name, vars, message_id,"
                        " updated_at, token) VALUES (?1,?2,?3,?4,?5,?6,?7, mailer_token())"
                        " ON CONFLICT(mailing_id, address) DO NOTHING",
    [ST_DELIVERIES_DUE] =
        "SELECT id, mailing_id, address, list, name, vars, message_id, state, attempts,"
        " first_attempt_at, next_attempt_at, token FROM deliveries INDEXED BY deliveries_mailing"
        " WHERE mailing_id = ?1 AND id > ?3 AND (state = 'pending'"
        "  OR (state = 'deferred' AND next_attempt_at <= ?2)"
        "  OR (state = 'sending' AND (?4 = 1 OR (?4 >= 2 AND updated_at <="
        "   strftime('%Y-%m-%dT%H:%M:%SZ', ?2, '-' || ?4 || ' seconds')))))"
        " ORDER BY id LIMIT ?5",
    [ST_DELIVERY_SENDING] = "UPDATE deliveries SET state = 'sending', attempts = attempts + 1,"
                            " first_attempt_at = coalesce(first_attempt_at, ?2), updated_at = ?2"
                            " WHERE id = ?1",
    [ST_DELIVERY_RESULT] =
        "UPDATE deliveries SET state = ?2, smtp_code = ?3, enhanced_status = ?4,"
        " smtp_reply = ?5, next_attempt_at = ?6, updated_at = ?7,"
        " sent_at = CASE WHEN ?2 = 'sent' THEN ?7 ELSE sent_at END WHERE id = ?1",
    [ST_DELIVERY_UNSEND] =
        "UPDATE deliveries SET state = 'pending', attempts = max(attempts - 1, 0),"
        " first_attempt_at = CASE WHEN attempts <= 1 THEN NULL ELSE first_attempt_at END,"
        " updated_at = ?3 WHERE id = ?1 AND mailing_id = ?2 AND state = 'sending'",
    [ST_COUNTS] = "SELECT count(*), sum(state = 'pending'), sum(state = 'sending'),"
                  " sum(state = 'sent'), sum(state = 'deferred'), sum(state = 'failed'),"
                  " sum(state = 'bounced'),"
                  " min(CASE WHEN state = 'deferred' THEN next_attempt_at END),"
                  " sum(state = 'skipped')"
                  " FROM deliveries WHERE mailing_id = ?1",
    /* a sender's messages (migration 11): its day and its minute */
    [ST_SENT_SINCE] = "SELECT count(*) FROM deliveries d JOIN mailings m ON m.id = d.mailing_id"
                      " WHERE d.sent_at >= ?1 AND m.sender = ?2",
    [ST_NTH_LATEST] = "SELECT d.sent_at FROM deliveries d JOIN mailings m ON m.id = d.mailing_id"
                      " WHERE d.sent_at IS NOT NULL AND m.sender = ?2"
                      " ORDER BY d.sent_at DESC LIMIT 1 OFFSET ?1",
    [ST_SUPPRESSED] = "SELECT reason FROM suppressions WHERE address = ?1 COLLATE NOCASE"
                      " AND (scope = '*' OR instr(',' || ?2 || ',', ',' || scope || ',') > 0)"
                      " ORDER BY scope != '*' LIMIT 1",
    [ST_SUPPRESS_ADD] = "INSERT INTO suppressions (address, reason, source, created_at, scope)"
                        " VALUES (lower(?1), ?2, ?3, ?4, coalesce(?5, '*')) ON CONFLICT(address, "
                        "scope) DO UPDATE SET"
                        " reason = excluded.reason, source = excluded.source",
    [ST_SUPPRESS_REMOVE] = "DELETE FROM suppressions WHERE address = lower(?1)"
                           " AND (?2 IS NULL OR scope = ?2)",
    [ST_SUPPRESS_LIST] = "SELECT address, reason, source, created_at, scope FROM suppressions"
                         " ORDER BY created_at, address, scope",
    [ST_REPORT] = "SELECT m.id, m.campaign, m.edition, m.kind, m.subject, m.report_title, m.lists,"
                  " min(d.sent_at), max(d.sent_at), sum(d.state != 'skipped'),"
                  " sum(d.state IN ('sent', 'bounced')), sum(d.state = 'bounced'),"
                  " sum(d.state = 'failed'),"
                  " (SELECT count(DISTINCT s.address) FROM suppressions s"
                  "   JOIN deliveries d2 ON d2.address = s.address"
                  "   WHERE d2.mailing_id = m.id AND s.reason = 'unsubscribe'"
                  "   AND s.created_at >= min(d.sent_at))"
                  " FROM mailings m JOIN deliveries d ON d.mailing_id = m.id"
                  " WHERE m.test = 0 GROUP BY m.id"
                  " HAVING min(d.sent_at) >= ?1 AND min(d.sent_at) < ?2"
                  " ORDER BY min(d.sent_at), m.id",
};

static const char *const stmt_sql2[] = {
    "SELECT id, mailing_id, address, list, name, vars, message_id, state, attempts,"
    " first_attempt_at, next_attempt_at, token FROM deliveries WHERE mailing_id = ?1 ORDER BY id",
    "INSERT INTO schedules (campaign, edition, due_at, created_at) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT(campaign, edition) DO UPDATE SET due_at = excluded.due_at",
    "DELETE FROM schedules WHERE campaign = ?1 AND (?2 IS NULL OR edition = ?2)",
    "SELECT campaign, edition, due_at FROM schedules ORDER BY due_at, campaign, edition",
    /* The bounce mailbox (ST_IMAP_STATE_GET..). */
    "SELECT uidvalidity, last_uid FROM imap_state WHERE mailbox = ?1",
    "INSERT INTO imap_state (mailbox, uidvalidity, last_uid, updated_at) VALUES (?1,?2,?3,?4)"
    " ON CONFLICT(mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity,"
    " last_uid = excluded.last_uid, updated_at = excluded.updated_at",
    "SELECT id, address FROM deliveries WHERE message_id = ?1 ORDER BY id LIMIT 2",
    "SELECT id, address FROM deliveries WHERE address = ?1 COLLATE NOCASE"
    " AND state IN ('sent', 'bounced', 'sending')"
    " ORDER BY coalesce(sent_at, updated_at) DESC, id DESC LIMIT 1",
    "UPDATE deliveries SET state = 'bounced',"
    " bounce_class = CASE WHEN bounce_class = 'hard' THEN 'hard' ELSE ?2 END, updated_at = ?3"
    " WHERE id = ?1 AND state IN ('sent', 'bounced', 'sending')",
    "INSERT INTO bounces (delivery_id, address, status, action, class, diagnostic, received_at,"
    " source_uid, kind, message_id, reason) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
    "SELECT count(*) FROM bounces WHERE address = ?1 COLLATE NOCASE AND kind = 'bounce'"
    " AND class = 'soft' AND action = 'failed' AND received_at >= ?2",
};

/* The report's statements (ST_REPORT_MAILINGS..), each reading index ranges
 * of one mailing (migration 3). */
static const char *const stmt_sql3[] = {
    "WITH f AS (SELECT m.id AS id, (SELECT min(d.sent_at) FROM deliveries d"
    "   WHERE d.mailing_id = m.id AND d.sent_at IS NOT NULL) AS first"
    "   FROM mailings m WHERE m.test = 0)"
    " SELECT m.id, m.campaign, m.edition, m.kind, m.subject, m.report_title, m.lists, f.first,"
    " (SELECT max(d.sent_at) FROM deliveries d WHERE d.mailing_id = m.id"
    "   AND d.sent_at IS NOT NULL), m.from_address"
    " FROM f JOIN mailings m ON m.id = f.id WHERE f.first >= ?1 AND f.first < ?2"
    " ORDER BY f.first, m.id",
    "SELECT state, count(*) FROM deliveries WHERE mailing_id = ?1 GROUP BY state",
    "SELECT coalesce(sum(h), 0), coalesce(sum(s AND NOT h), 0) FROM (SELECT"
    " EXISTS (SELECT 1 FROM bounces b WHERE b.delivery_id = d.id AND b.class = 'hard') AS h,"
    " EXISTS (SELECT 1 FROM bounces b WHERE b.delivery_id = d.id AND b.class = 'soft') AS s"
    " FROM deliveries d WHERE d.mailing_id = ?1 AND d.state = 'bounced')",
    "SELECT DISTINCT s.address FROM suppressions s WHERE s.reason = 'unsubscribe'"
    " AND s.created_at >= ?2 AND s.created_at < ?3"
    /* a list's «baja» counts for the mailings that went to that list */
    " AND (s.scope = '*' OR instr(',' || (SELECT lists FROM mailings WHERE id = ?1) || ',',"
    "   ',' || s.scope || ',') > 0)"
    /* INDEXED BY: without statistics the planner prefers the covering
     * UNIQUE(mailing_id, address) index and scans the mailing; the unary +
     * drops s.address's affinity so the expression can seek. */
    " AND EXISTS (SELECT 1 FROM deliveries d INDEXED BY deliveries_mailing_laddr"
    "   WHERE d.mailing_id = ?1 AND lower(d.address) = +s.address) ORDER BY s.address",
};

/* Transactions: prepared once, not parsed again for every group. */
static const char *const stmt_sql4[] = {
    "BEGIN IMMEDIATE",
    "COMMIT",
};

_Static_assert(sizeof(stmt_sql2) / sizeof(stmt_sql2[0]) == ST_REPORT_MAILINGS - ST_DELIVERIES_EACH,
               "one SQL text per statement id from ST_DELIVERIES_EACH to ST_REPORT_MAILINGS");
_Static_assert(sizeof(stmt_sql3) / sizeof(stmt_sql3[0]) == ST_BEGIN - ST_REPORT_MAILINGS,
               "one SQL text per statement id from ST_REPORT_MAILINGS to ST_BEGIN");
/* The addresses seen while an audience is frozen: a temporary table, so a
 * list of a million rows is deduplicated in bounded memory (pages beyond
 * temp.cache_size go to a temporary file). */
static const char *const stmt_sql5[] = {
    "INSERT INTO temp.seen (key, list, line) VALUES (?1, ?2, ?3) ON CONFLICT(key) DO NOTHING",
    "SELECT list, line FROM temp.seen WHERE key = ?1",
    "DELETE FROM temp.seen",
};

_Static_assert(sizeof(stmt_sql4) / sizeof(stmt_sql4[0]) == ST_SEEN_ADD - ST_BEGIN,
               "one SQL text per statement id from ST_BEGIN to ST_SEEN_ADD");
_Static_assert(sizeof(stmt_sql5) / sizeof(stmt_sql5[0]) == ST_COUNT - ST_SEEN_ADD,
               "one SQL text per statement id from ST_SEEN_ADD on");

struct ledger {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *stmt[ST_COUNT];
    char instance[17];   /* 16 hex digits (ledger_info 'instance_id') */
    unsigned long inert; /* a memory ledger's (dry run's) last inert token */
};

static int db_fail(struct ledger *l, struct err *err, const char *what)
{
    return err_set(err, ERR_IO, "%s: %s: %s", l->path, what, sqlite3_errmsg(l->db));
}

int ledger_exec(struct ledger *l, const char *sql, struct err *err)
{
    char *msg = NULL;

    if (sqlite3_exec(l->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        err_set(err, ERR_IO, "%s: %s", l->path, msg ? msg : sqlite3_errmsg(l->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int ledger_schema_version(struct ledger *l)
{
    sqlite3_stmt *st = NULL;
    int v = 0;

    if (sqlite3_prepare_v2(l->db, "SELECT max(version) FROM schema_version", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Record schema version v (a bound parameter: no SQL text is ever built). */
static int set_version(struct ledger *l, int v, struct err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (sqlite3_prepare_v2(l->db, "INSERT INTO schema_version VALUES (?1)", -1, &st, NULL) !=
            SQLITE_OK ||
        sqlite3_bind_int(st, 1, v) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
        db_fail(l, err, "recording the schema version");
    else
        rc = 0;
    sqlite3_finalize(st);
    return rc;
}

/* Read the instance id into l->instance: 0 found, 1 none yet. */
static int read_instance(struct ledger *l)
{
    sqlite3_stmt *st = NULL;
    const unsigned char *v;
    int rc = 1;

    l->instance[0] = '\0';
    if (sqlite3_prepare_v2(l->db, "SELECT value FROM ledger_info WHERE key = 'instance_id'", -1,
                           &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && (v = sqlite3_column_text(st, 0)) &&
        strlen((const char *)v) == 16) {
        memcpy(l->instance, v, 17);
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

/* A new instance id: 64 random bits from getrandom(2), recorded once. */
static int make_instance(struct ledger *l, struct err *err)
{
    unsigned char rnd[8];
    sqlite3_stmt *st = NULL;
    size_t i;
    int rc = -1;

    /* a memory ledger holds a dry run, whose messages are never sent: a
     * fixed id keeps a dry run reproducible (the sample golden files) */
    if (!strcmp(l->path, ":memory:"))
        memset(rnd, 0, sizeof(rnd));
    else if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return err_errno(err, ERR_IO, "%s: getrandom for the ledger's instance id", l->path);
    for (i = 0; i < sizeof(rnd); i++)
        snprintf(l->instance + 2 * i, 3, "%02x", rnd[i]);
    if (sqlite3_prepare_v2(l->db,
                           "INSERT INTO ledger_info (key, value) VALUES ('instance_id', ?1)"
                           " ON CONFLICT(key) DO NOTHING",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, l->instance, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_DONE)
        db_fail(l, err, "recording the ledger's instance id");
    else
        rc = 0;
    sqlite3_finalize(st);
    return rc;
}

static int migrate(struct ledger *l, struct err *err)
{
    int v;

    /* Up to date (the common case): read only, so that opening the ledger
     * never waits for a run that holds the write lock. */
    if (ledger_schema_version(l) == NMIGRATIONS && read_instance(l) == 0)
        return 0;
    if (ledger_exec(l, "BEGIN IMMEDIATE", err))
        return -1;
    if (ledger_exec(l, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
                    err)) {
        ledger_rollback(l);
        return -1;
    }
    v = ledger_schema_version(l);
    if (v > NMIGRATIONS) {
        ledger_rollback(l);
        return err_set(err, ERR_CONFIG,
                       "%s: the ledger has schema version %d, newer than this mailer (%d): "
                       "use a newer mailer",
                       l->path, v, NMIGRATIONS);
    }
    for (; v < NMIGRATIONS; v++) {
        if (ledger_exec(l, migrations[v], err) || set_version(l, v + 1, err)) {
            ledger_rollback(l);
            return -1;
        }
    }
    if (read_instance(l) && (make_instance(l, err) || read_instance(l))) {
        ledger_rollback(l);
        return l->instance[0] ? -1 : err_set(err, ERR_IO, "%s: no instance id", l->path);
    }
    return ledger_exec(l, "COMMIT", err);
}

static void sql_token(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    unsigned long *inert = sqlite3_user_data(ctx);
    char t[TOKEN_LEN + 1];

    (void)argc;
    (void)argv;
    if (inert)
        token_inert(t, ++*inert);
    else if (token_new(t)) {
        sqlite3_result_error(ctx, "no random bytes for a token", -1);
        return;
    }
    sqlite3_result_text(ctx, t, TOKEN_LEN, SQLITE_TRANSIENT);
}

/* The SQL functions the migrations and statements use: mailer_token(), a new
 * unsubscribe token (token.h), for ST_DELIVERY_ADD and migration 7; in a
 * memory ledger (a dry run) the inert tokens 1, 2, 3...: they name nothing
 * that the unsubscribe endpoint could find, and a dry run is reproducible. */
static void add_functions(sqlite3 *db, unsigned long *inert)
{
    sqlite3_create_function(db, "mailer_token", 0, SQLITE_UTF8, inert, sql_token, NULL, NULL);
}

const char *ledger_instance_id(const struct ledger *l)
{
    return l->instance;
}

static int make_parent_dir(const char *path)
{
    char *dir = strdup(path), *slash;
    int rc = 0;

    if (!dir)
        return -1;
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir(dir, 0700) && errno != EEXIST)
            rc = -1;
    }
    free(dir);
    return rc;
}

/* 0 when the open database holds the mailer's tables; else the file is
 * refused (it is not a ledger, or not this mailer's). */
static int check_schema(struct ledger *l, struct err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(l->db,
                                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                " AND name IN ('schema_version', 'mailings', 'deliveries')",
                                -1, &st, NULL);
    long n = -1;

    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (n == 3)
        return 0;
    if (n < 0 && rc != SQLITE_NOTADB && rc != SQLITE_CORRUPT)
        return db_fail(l, err, "cannot read the ledger");
    return err_set(err, ERR_DATA,
                   "%s: this file is not a ledger of the mailer (it holds no mailer tables); it "
                   "is not used, so that nothing is sent twice: set MAILER_DB to the ledger, or "
                   "restore the ledger from a backup (docs/05-envio-real.md)",
                   l->path);
}

/* PRAGMA integrity_check: 0 when it says "ok". */
static int ledger_check(struct ledger *l, struct err *err)
{
    sqlite3_stmt *st = NULL;
    const unsigned char *v;
    int ok = 0;

    if (sqlite3_prepare_v2(l->db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && (v = sqlite3_column_text(st, 0)) &&
        !strcmp((const char *)v, "ok"))
        ok = 1;
    sqlite3_finalize(st);
    return ok ? 0 : err_set(err, ERR_IO, "%s: the integrity check failed", l->path);
}

/* A new SQLite file beside path, named path.SUFFIX-PID, opened in t (t->path
 * is its name, in tmp), to be linked into place once whole (side_file_place)
 * and released in any case (side_file_release). The ledger holds names and
 * addresses: readable by its owner only (SQLite gives the -wal and -shm files
 * the database's permissions). */
static int open_side_file(struct ledger *t, struct buf *tmp, const char *path, const char *suffix,
                          struct err *err)
{
    int fd;

    if (buf_addf(tmp, "%s.%s-%ld", path, suffix, (long)getpid()) || !tmp->data)
        return err_nomem(err);
    t->path = tmp->data;
    unlink(tmp->data);
    fd = open(tmp->data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_errno(err, ERR_IO, "%s: cannot create %s", path, tmp->data);
    close(fd);
    if (sqlite3_open_v2(tmp->data, &t->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        return db_fail(t, err, "cannot create the file");
    return 0;
}

/* Close the side file t and link it into place at dest; a file already at
 * dest is an error, unless taken_ok (then it is as good: another run made
 * it first). 0, or -1 with err set ("DEST: WHAT: why"). */
static int side_file_place(struct ledger *t, const char *dest, int taken_ok, const char *what,
                           struct err *err)
{
    if (sqlite3_close(t->db) != SQLITE_OK)
        return db_fail(t, err, what);
    t->db = NULL;
    if (link(t->path, dest) && !(taken_ok && errno == EEXIST))
        return err_errno(err, ERR_IO, "%s: %s", dest, what);
    return 0;
}

/* What open_side_file made, closed and removed (once linked, the file
 * stays under its new name). */
static void side_file_release(struct ledger *t, struct buf *tmp)
{
    if (t->db)
        sqlite3_close(t->db);
    if (tmp->data)
        unlink(tmp->data);
    buf_release(tmp);
}

/* A new ledger at path, made whole elsewhere (schema, instance id) and then
 * linked into place, so that no run ever sees a half-made ledger: when two
 * first runs race, the loser finds the winner's complete ledger. */
static int create_ledger(const char *path, struct err *err)
{
    struct ledger t = {0};
    struct buf tmp = BUF_INIT;
    int rc = -1;

    if (open_side_file(&t, &tmp, path, "new", err))
        goto out;
    add_functions(t.db, NULL);
    if (ledger_exec(&t, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;", err) ||
        migrate(&t, err) || side_file_place(&t, path, 1, "cannot create the ledger", err))
        goto out;
    rc = 0;
out:
    side_file_release(&t, &tmp);
    return rc;
}

/* Where path is: 0 a file that may be a ledger, 1 none (create it), -1 refused. */
static int existing(const char *path, struct err *err)
{
    struct stat st;

    if (stat(path, &st)) {
        if (errno == ENOENT)
            return 1;
        return err_errno(err, ERR_IO, "%s: cannot open the ledger", path);
    }
    if (!S_ISREG(st.st_mode))
        return err_set(err, ERR_DATA, "%s: the ledger is not a regular file", path);
    if (st.st_size == 0)
        return err_set(err, ERR_DATA,
                       "%s: the ledger is empty (0 bytes); it is not taken as a new one, so that "
                       "nothing is sent twice: restore it from a backup (docs/05-envio-real.md), "
                       "or, only if no mailing was ever sent with it, delete the file and the "
                       "next command starts a new ledger",
                       path);
    return 0;
}

struct ledger *ledger_open(const char *path, struct err *err)
{
    struct ledger *l = calloc(1, sizeof(*l));
    int i, memory = !strcmp(path, ":memory:"), where;

    if (!l || !(l->path = strdup(path))) {
        free(l);
        err_nomem(err);
        return NULL;
    }
    if (make_parent_dir(path)) {
        err_errno(err, ERR_IO, "%s: cannot create its directory", path);
        goto fail;
    }
    /* A ledger is created only where there is no file; an empty file or
     * one without the mailer's tables is refused (a truncated ledger taken
     * for a new one would send every mailing again). */
    if (!memory && ((where = existing(path, err)) < 0 || (where == 1 && create_ledger(path, err))))
        goto fail;
    if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE | (memory ? SQLITE_OPEN_CREATE : 0),
                        NULL) != SQLITE_OK) {
        db_fail(l, err, "cannot open the ledger");
        goto fail;
    }
    sqlite3_busy_timeout(l->db, 10000);
    add_functions(l->db, memory ? &l->inert : NULL);
    if ((!memory && check_schema(l, err)) ||
        ledger_exec(l,
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                    " PRAGMA foreign_keys = ON; PRAGMA cache_size = -8192;",
                    err) ||
        migrate(l, err) ||
        ledger_exec(l,
                    "PRAGMA temp_store = FILE; PRAGMA temp.cache_size = -4096;"
                    " CREATE TEMP TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY,"
                    " list INTEGER NOT NULL, line INTEGER NOT NULL) WITHOUT ROWID;",
                    err))
        goto fail;
    for (i = 0; i < ST_COUNT; i++) {
        const char *sql = i < ST_DELIVERIES_EACH   ? stmt_sql[i]
                          : i < ST_REPORT_MAILINGS ? stmt_sql2[i - ST_DELIVERIES_EACH]
                          : i < ST_BEGIN           ? stmt_sql3[i - ST_REPORT_MAILINGS]
                          : i < ST_SEEN_ADD        ? stmt_sql4[i - ST_BEGIN]
                                                   : stmt_sql5[i - ST_SEEN_ADD];
        if (sqlite3_prepare_v3(l->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &l->stmt[i], NULL) !=
            SQLITE_OK) {
            db_fail(l, err, "preparing a statement");
            goto fail;
        }
    }
    return l;
fail:
    ledger_close(l);
    return NULL;
}

int ledger_backup(struct ledger *l, const char *dest, struct err *err)
{
    struct ledger t = {0};
    struct buf tmp = BUF_INIT;
    sqlite3_backup *b;
    struct stat sb;
    int rc = -1, step;

    if (stat(dest, &sb) == 0 || errno != ENOENT)
        return err_set(err, ERR_USAGE, "%s: the file exists; a backup never replaces a file", dest);
    if (open_side_file(&t, &tmp, dest, "part", err))
        goto out;
    /* All pages in one step: one read transaction of the ledger, so the
     * copy is one consistent moment; in WAL mode a running send goes on
     * writing meanwhile. */
    if (!(b = sqlite3_backup_init(t.db, "main", l->db, "main"))) {
        db_fail(&t, err, "cannot start the backup");
        goto out;
    }
    while ((step = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || step == SQLITE_LOCKED)
        sqlite3_sleep(50);
    if (sqlite3_backup_finish(b) != SQLITE_OK || step != SQLITE_DONE) {
        db_fail(&t, err, "the backup failed");
        goto out;
    }
    /* A file of its own: rollback journal, every page on disk, checked; and
     * an instance id of its own, so that mailings made after a restore never
     * repeat a Message-ID the lost ledger gave (frozen deliveries keep theirs). */
    if (ledger_exec(&t, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL;", err) ||
        check_schema(&t, err) || ledger_check(&t, err) ||
        ledger_exec(&t, "DELETE FROM ledger_info WHERE key = 'instance_id'", err) ||
        make_instance(&t, err) || side_file_place(&t, dest, 0, "cannot create the backup", err))
        goto out;
    rc = 0;
out:
    side_file_release(&t, &tmp);
    return rc;
}

void ledger_close(struct ledger *l)
{
    int i;

    if (!l)
        return;
    for (i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(l->stmt[i]);
    sqlite3_close(l->db);
    free(l->path);
    free(l);
}

static sqlite3_stmt *stmt(struct ledger *l, enum stmt_id id);
static int step_done(struct ledger *l, sqlite3_stmt *st, struct err *err, const char *what);

int ledger_begin(struct ledger *l, struct err *err)
{
    return step_done(l, stmt(l, ST_BEGIN), err, "BEGIN IMMEDIATE");
}

int ledger_commit(struct ledger *l, struct err *err)
{
    return step_done(l, stmt(l, ST_COMMIT), err, "COMMIT");
}

void ledger_rollback(struct ledger *l)
{
    if (!sqlite3_get_autocommit(l->db))
        sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Bind helpers: NULL text binds SQL NULL; times of 0 bind NULL. */
static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_time(sqlite3_stmt *st, int i, time_t t)
{
    char iso[32];

    if (!t) {
        sqlite3_bind_null(st, i);
        return;
    }
    clock_iso(t, iso, sizeof(iso));
    sqlite3_bind_text(st, i, iso, -1, SQLITE_TRANSIENT);
}

/* ---- states: the one table of their names, as stored --------------------- */

static const char *const delivery_state_names[] = {
    [DELIVERY_PENDING] = "pending", [DELIVERY_SENDING] = "sending",
    [DELIVERY_SENT] = "sent",       [DELIVERY_DEFERRED] = "deferred",
    [DELIVERY_FAILED] = "failed",   [DELIVERY_BOUNCED] = "bounced",
    [DELIVERY_SKIPPED] = "skipped",
};
static const char *const mailing_state_names[] = {
    [MAILING_NEW] = "new",
    [MAILING_SENDING] = "sending",
    [MAILING_COMPLETE] = "complete",
};
#define NSTATES(names) (sizeof(names) / sizeof(names[0]))

const char *ledger_delivery_state_name(enum delivery_state s)
{
    if ((size_t)s >= NSTATES(delivery_state_names))
        BUG("delivery state %d", (int)s);
    return delivery_state_names[s];
}

const char *ledger_mailing_state_name(enum mailing_state s)
{
    if ((size_t)s >= NSTATES(mailing_state_names))
        BUG("mailing state %d", (int)s);
    return mailing_state_names[s];
}

/* The state named in column i; -1 (err set) for a name not in the table. */
static int col_state(sqlite3_stmt *st, int i, const char *const *names, size_t n, int *out,
                     struct err *err)
{
    const char *s = (const char *)sqlite3_column_text(st, i);

    for (size_t k = 0; s && k < n; k++)
        if (!strcmp(s, names[k]))
            return *out = (int)k, 0;
    return err_set(err, ERR_DATA,
                   "the ledger holds a state it does not know, \"%s\" (was it written by a "
                   "newer mailer?)",
                   s ? s : "");
}

static char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);

    return strdup(s ? (const char *)s : "");
}

static time_t col_time(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    time_t t = 0;

    if (s && clock_parse_iso((const char *)s, &t))
        t = 0;
    return t;
}

static sqlite3_stmt *stmt(struct ledger *l, enum stmt_id id)
{
    sqlite3_reset(l->stmt[id]);
    sqlite3_clear_bindings(l->stmt[id]);
    return l->stmt[id];
}

/* Step a statement that returns no rows. */
static int step_done(struct ledger *l, sqlite3_stmt *st, struct err *err, const char *what)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_fail(l, err, what);
    return 0;
}

/* step_done, then: 0 when the statement changed a row, 1 when it changed none. */
static int step_changed(struct ledger *l, sqlite3_stmt *st, struct err *err, const char *what)
{
    if (step_done(l, st, err, what))
        return -1;
    return sqlite3_changes(l->db) ? 0 : 1;
}

/* Step a statement that returns rows: 1 a row (read it, step again), 0 no
 * more rows, -1 an error (err set). The caller resets st (or finalizes it)
 * when done, so a walk over the rows ends in "return stop ? stop : rc". */
static int step_row(struct ledger *l, sqlite3_stmt *st, struct err *err, const char *what)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : db_fail(l, err, what);
}

/* Step a statement that returns one number (column 0 of its one row) into
 * *n; st is reset. 0, or -1 with err set (*n is then 0). */
static int step_count(struct ledger *l, sqlite3_stmt *st, long *n, struct err *err,
                      const char *what)
{
    int rc = sqlite3_step(st);

    *n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db_fail(l, err, what);
}

void mailing_release(struct mailing *m)
{
    free(m->campaign);
    free(m->edition);
    free(m->kind);
    free(m->subject);
    free(m->report_title);
    free(m->lists);
    free(m->from_address);
    free(m->sender);
    memset(m, 0, sizeof(*m));
}

static int read_mailing(sqlite3_stmt *st, struct mailing *out, struct err *err)
{
    int state;

    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    out->campaign = col_text(st, 1);
    out->edition = col_text(st, 2);
    out->kind = col_text(st, 3);
    out->subject = col_text(st, 4);
    out->report_title = col_text(st, 5);
    out->lists = col_text(st, 6);
    out->test = sqlite3_column_int(st, 8);
    out->created_at = col_time(st, 9);
    out->started_at = col_time(st, 10);
    out->finished_at = col_time(st, 11);
    out->from_address = col_text(st, 12);
    out->sender = col_text(st, 13);
    if (!out->campaign || !out->edition || !out->kind || !out->subject || !out->report_title ||
        !out->lists || !out->from_address || !out->sender) {
        mailing_release(out);
        return err_nomem(err);
    }
    if (col_state(st, 7, mailing_state_names, NSTATES(mailing_state_names), &state, err)) {
        mailing_release(out);
        return -1;
    }
    out->state = (enum mailing_state)state;
    return 0;
}

int ledger_mailing_find(struct ledger *l, const char *campaign, const char *edition,
                        struct mailing *out, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_MAILING_FIND);
    int rc;

    bind_text(st, 1, campaign);
    bind_text(st, 2, edition);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = read_mailing(st, out, err);
    else if (rc == SQLITE_DONE)
        rc = 1;
    else
        rc = db_fail(l, err, "reading a mailing");
    sqlite3_reset(st);
    return rc;
}

int ledger_mailings_each(struct ledger *l, const char *campaign, ledger_mailing_fn fn, void *ud,
                         struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_MAILINGS_EACH);
    struct mailing m;
    int rc, stop = 0;

    bind_text(st, 1, campaign);
    while (!stop && (rc = step_row(l, st, err, "reading mailings")) > 0) {
        if (read_mailing(st, &m, err)) {
            rc = -1;
            break;
        }
        stop = fn(ud, &m);
        mailing_release(&m);
    }
    sqlite3_reset(st);
    return stop ? stop : rc;
}

int ledger_mailing_create(struct ledger *l, struct mailing *m, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_MAILING_CREATE);

    bind_text(st, 1, m->campaign);
    bind_text(st, 2, m->edition);
    bind_text(st, 3, m->kind ? m->kind : "");
    bind_text(st, 4, m->subject ? m->subject : "");
    bind_text(st, 5, m->report_title ? m->report_title : "");
    bind_text(st, 6, m->lists ? m->lists : "");
    sqlite3_bind_int(st, 7, m->test);
    bind_time(st, 8, clock_now());
    bind_text(st, 9, m->from_address ? m->from_address : "");
    bind_text(st, 10, m->sender && *m->sender ? m->sender : "default");
    if (step_done(l, st, err, "creating a mailing"))
        return -1;
    m->id = sqlite3_last_insert_rowid(l->db);
    return 0;
}

int ledger_mailing_set_state(struct ledger *l, int64_t id, enum mailing_state state,
                             struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_MAILING_STATE);

    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, ledger_mailing_state_name(state));
    bind_time(st, 3, clock_now());
    return step_done(l, st, err, "updating a mailing");
}

int ledger_delivery_add(struct ledger *l, int64_t mailing_id, const char *address, const char *list,
                        const char *name, const char *vars, const char *message_id, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_DELIVERY_ADD);

    sqlite3_bind_int64(st, 1, mailing_id);
    bind_text(st, 2, address);
    bind_text(st, 3, list ? list : "");
    bind_text(st, 4, name ? name : "");
    bind_text(st, 5, vars ? vars : "{}");
    bind_text(st, 6, message_id);
    bind_time(st, 7, clock_now());
    return step_changed(l, st, err, "adding a delivery");
}

void delivery_release(struct delivery *d)
{
    free(d->address);
    free(d->list);
    free(d->name);
    free(d->vars);
    free(d->message_id);
    free(d->token);
    memset(d, 0, sizeof(*d));
}

static int read_delivery(sqlite3_stmt *st, struct delivery *d, struct err *err);

int ledger_deliveries_due(struct ledger *l, int64_t mailing_id, time_t now, int64_t after,
                          int uncertain, struct delivery *out, size_t max, size_t *n,
                          struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_DELIVERIES_DUE);
    int rc;

    *n = 0;
    sqlite3_bind_int64(st, 1, mailing_id);
    bind_time(st, 2, now);
    sqlite3_bind_int64(st, 3, after);
    sqlite3_bind_int(st, 4, uncertain);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)max);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (read_delivery(st, &out[(*n)++], err)) {
            sqlite3_reset(st);
            return -1;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_fail(l, err, "reading deliveries");
    return 0;
}

static int read_delivery(sqlite3_stmt *st, struct delivery *d, struct err *err)
{
    int state;

    d->id = sqlite3_column_int64(st, 0);
    d->mailing_id = sqlite3_column_int64(st, 1);
    d->address = col_text(st, 2);
    d->list = col_text(st, 3);
    d->name = col_text(st, 4);
    d->vars = col_text(st, 5);
    d->message_id = col_text(st, 6);
    d->attempts = sqlite3_column_int(st, 8);
    d->first_attempt_at = col_time(st, 9);
    d->next_attempt_at = col_time(st, 10);
    d->token = col_text(st, 11);
    if (!d->address || !d->list || !d->name || !d->vars || !d->message_id || !d->token)
        return err_nomem(err);
    if (col_state(st, 7, delivery_state_names, NSTATES(delivery_state_names), &state, err))
        return -1;
    d->state = (enum delivery_state)state;
    return 0;
}

int ledger_deliveries_each(struct ledger *l, int64_t mailing_id, ledger_delivery_fn fn, void *ud,
                           struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_DELIVERIES_EACH);
    struct delivery d;
    int rc, stop = 0;

    sqlite3_bind_int64(st, 1, mailing_id);
    while (!stop && (rc = step_row(l, st, err, "reading deliveries")) > 0) {
        memset(&d, 0, sizeof(d));
        if (read_delivery(st, &d, err)) {
            delivery_release(&d);
            rc = -1;
            break;
        }
        stop = fn(ud, &d);
        delivery_release(&d);
    }
    sqlite3_reset(st);
    return stop ? stop : rc;
}

int ledger_schedule_add(struct ledger *l, const char *campaign, const char *edition, time_t due_at,
                        struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_SCHEDULE_ADD);

    bind_text(st, 1, campaign);
    bind_text(st, 2, edition);
    bind_time(st, 3, due_at);
    bind_time(st, 4, clock_now());
    return step_done(l, st, err, "scheduling an edition");
}

int ledger_schedule_remove(struct ledger *l, const char *campaign, const char *edition,
                           long *removed, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_SCHEDULE_REMOVE);

    bind_text(st, 1, campaign);
    bind_text(st, 2, edition);
    if (step_done(l, st, err, "unscheduling"))
        return -1;
    *removed = sqlite3_changes(l->db);
    return 0;
}

int ledger_schedules_each(struct ledger *l, ledger_schedule_fn fn, void *ud, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_SCHEDULES_EACH);
    int rc, stop = 0;

    while (!stop && (rc = step_row(l, st, err, "reading schedules")) > 0)
        stop = fn(ud, (const char *)sqlite3_column_text(st, 0),
                  (const char *)sqlite3_column_text(st, 1), col_time(st, 2));
    sqlite3_reset(st);
    return stop ? stop : rc;
}

/* A statement of its own (prepared for the call): `due` runs it once. */
int ledger_mailings_unfinished(struct ledger *l, time_t now, ledger_schedule_fn fn, void *ud,
                               struct err *err)
{
    sqlite3_stmt *st = NULL;
    int rc, stop = 0;

    if (sqlite3_prepare_v2(l->db,
                           "SELECT m.campaign, m.edition, m.created_at FROM mailings m"
                           " WHERE m.test = 0 AND m.state <> 'complete' AND EXISTS (SELECT 1"
                           "  FROM deliveries d WHERE d.mailing_id = m.id AND (d.state = 'pending'"
                           "   OR (d.state = 'deferred' AND d.next_attempt_at <= ?1)))"
                           " ORDER BY m.created_at, m.id",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(l, err, "reading unfinished mailings");
    bind_time(st, 1, now);
    while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW)
        stop = fn(ud, (const char *)sqlite3_column_text(st, 0),
                  (const char *)sqlite3_column_text(st, 1), col_time(st, 2));
    if (!stop && rc != SQLITE_DONE)
        stop = db_fail(l, err, "reading unfinished mailings");
    sqlite3_finalize(st);
    return stop;
}

int ledger_delivery_sending(struct ledger *l, int64_t id, time_t now, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_DELIVERY_SENDING);

    sqlite3_bind_int64(st, 1, id);
    bind_time(st, 2, now);
    return step_done(l, st, err, "recording a delivery attempt");
}

int ledger_delivery_result(struct ledger *l, int64_t id, enum delivery_state state, int code,
                           const char *enhanced, const char *reply, time_t next_attempt, time_t now,
                           struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_DELIVERY_RESULT);

    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, ledger_delivery_state_name(state));
    if (code)
        sqlite3_bind_int(st, 3, code);
    bind_text(st, 4, enhanced && *enhanced ? enhanced : NULL);
    bind_text(st, 5, reply && *reply ? reply : NULL);
    bind_time(st, 6, next_attempt);
    bind_time(st, 7, now);
    return step_done(l, st, err, "recording a delivery result");
}

int ledger_delivery_unsend(struct ledger *l, int64_t mailing_id, int64_t id, time_t now,
                           struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_DELIVERY_UNSEND);

    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, mailing_id);
    bind_time(st, 3, now);
    return step_changed(l, st, err, "putting back a delivery never started");
}

int ledger_mailing_counts(struct ledger *l, int64_t mailing_id, struct delivery_counts *c,
                          struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_COUNTS);
    int rc;

    memset(c, 0, sizeof(*c));
    sqlite3_bind_int64(st, 1, mailing_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        c->total = sqlite3_column_int64(st, 0);
        c->pending = sqlite3_column_int64(st, 1);
        c->sending = sqlite3_column_int64(st, 2);
        c->sent = sqlite3_column_int64(st, 3);
        c->deferred = sqlite3_column_int64(st, 4);
        c->failed = sqlite3_column_int64(st, 5);
        c->bounced = sqlite3_column_int64(st, 6);
        c->next_deferred = col_time(st, 7);
        c->skipped = sqlite3_column_int64(st, 8);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db_fail(l, err, "counting deliveries");
}

int ledger_sent_since(struct ledger *l, const char *sender, time_t since, long *n, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_SENT_SINCE);

    bind_time(st, 1, since ? since : 1);
    bind_text(st, 2, sender);
    return step_count(l, st, n, err, "counting sent messages");
}

int ledger_nth_latest_sent(struct ledger *l, const char *sender, long count, time_t *at,
                           struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_NTH_LATEST);
    int rc;

    *at = 0;
    sqlite3_bind_int64(st, 1, count > 0 ? count - 1 : 0);
    bind_text(st, 2, sender);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *at = col_time(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(l, err, "reading sent messages");
}

int ledger_suppressed(struct ledger *l, const char *address, char *reason, size_t size,
                      struct err *err)
{
    return ledger_suppressed_for(l, address, NULL, reason, size, err);
}

int ledger_suppressed_for(struct ledger *l, const char *address, const char *lists, char *reason,
                          size_t size, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_SUPPRESSED);
    int rc;

    bind_text(st, 1, address);
    bind_text(st, 2, lists);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && reason)
        snprintf(reason, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : db_fail(l, err, "reading the suppression list");
}

/* ---- events and history (migration 6, issue 18) ---- */

/* A rare statement, prepared for one call (the statement table holds the
 * frequent ones): the caller finalizes it; NULL with err set. */
static sqlite3_stmt *prepare_once(struct ledger *l, const char *sql, struct err *err)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK) {
        db_fail(l, err, "preparing a statement");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* step_done for a statement of prepare_once, finalized. */
static int finish_once(struct ledger *l, sqlite3_stmt *st, struct err *err, const char *what)
{
    int rc = step_done(l, st, err, what);

    sqlite3_finalize(st);
    return rc;
}

static const char *col_str(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);

    return s ? (const char *)s : "";
}

int ledger_event_add(struct ledger *l, const struct ledger_event *e, struct err *err)
{
    sqlite3_stmt *st =
        prepare_once(l,
                     "INSERT INTO events (at, who, os_user, host, what, campaign, edition, detail)"
                     " VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
                     err);

    if (!st)
        return -1;
    bind_time(st, 1, e->at ? e->at : clock_now());
    bind_text(st, 2, e->who ? e->who : "");
    bind_text(st, 3, e->os_user ? e->os_user : "");
    bind_text(st, 4, e->host ? e->host : "");
    bind_text(st, 5, e->what);
    bind_text(st, 6, e->campaign ? e->campaign : "");
    bind_text(st, 7, e->edition ? e->edition : "");
    bind_text(st, 8, e->detail ? e->detail : "");
    return finish_once(l, st, err, "recording an event");
}

int ledger_events_each(struct ledger *l, time_t since, const char *campaign, const char *edition,
                       ledger_event_fn fn, void *ud, struct err *err)
{
    sqlite3_stmt *st = prepare_once(
        l,
        "SELECT id, at, who, os_user, host, what, campaign, edition, detail FROM events"
        " WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR campaign = ?2)"
        " AND (?3 IS NULL OR edition = ?3) ORDER BY at, id",
        err);
    struct ledger_event e;
    int rc, stop = 0;

    if (!st)
        return -1;
    bind_time(st, 1, since);
    bind_text(st, 2, campaign);
    bind_text(st, 3, edition);
    while (!stop && (rc = step_row(l, st, err, "reading the events")) > 0) {
        e.id = sqlite3_column_int64(st, 0);
        e.at = col_time(st, 1);
        e.who = col_str(st, 2);
        e.os_user = col_str(st, 3);
        e.host = col_str(st, 4);
        e.what = col_str(st, 5);
        e.campaign = col_str(st, 6);
        e.edition = col_str(st, 7);
        e.detail = col_str(st, 8);
        stop = fn(ud, &e);
    }
    sqlite3_finalize(st);
    return stop ? stop : rc;
}

int ledger_mailing_retitle(struct ledger *l, int64_t id, const char *title, struct err *err)
{
    sqlite3_stmt *st = prepare_once(l, "UPDATE mailings SET report_title = ?2 WHERE id = ?1", err);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, title);
    return finish_once(l, st, err, "changing a mailing's title");
}

/* A recorded mailing's dates as stored: "A,B,C", or "A/B" for a range. */
static int history_dates(const struct ledger_history *h, struct buf *out, struct err *err)
{
    char iso[32];
    size_t i;

    if (!h->ndates || (h->range && h->ndates != 2))
        return err_set(err, ERR_DATA, "a recorded mailing needs a date");
    for (i = 0; i < h->ndates; i++) {
        clock_iso(h->dates[i], iso, sizeof(iso));
        if ((i && buf_addch(out, h->range ? '/' : ',')) || buf_addstr(out, iso))
            return err_nomem(err);
    }
    return 0;
}

int ledger_history_count(struct ledger *l, const struct ledger_history *h, long *n, struct err *err)
{
    struct buf dates = BUF_INIT;
    sqlite3_stmt *st;
    int rc = -1;

    *n = 0;
    if (history_dates(h, &dates, err) ||
        !(st = prepare_once(l,
                            "SELECT count(*) FROM history WHERE list = ?1 AND title = ?2"
                            " AND dates = ?3 AND month = ?4",
                            err)))
        goto out;
    bind_text(st, 1, h->list);
    bind_text(st, 2, h->title);
    bind_text(st, 3, dates.data);
    bind_text(st, 4, h->month ? h->month : "");
    rc = step_count(l, st, n, err, "reading the recorded mailings");
    sqlite3_finalize(st);
out:
    buf_release(&dates);
    return rc;
}

int ledger_history_add(struct ledger *l, const struct ledger_history *h, int64_t *id,
                       struct err *err)
{
    struct buf dates = BUF_INIT;
    sqlite3_stmt *st;
    int rc = -1;

    if (history_dates(h, &dates, err) ||
        !(st = prepare_once(l,
                            "INSERT INTO history (list, kind, title, dates, month, first_at,"
                            " date_text, recipients, sender, source, recorded_at)"
                            " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
                            err)))
        goto out;
    bind_text(st, 1, h->list);
    bind_text(st, 2, h->kind ? h->kind : "");
    bind_text(st, 3, h->title);
    bind_text(st, 4, dates.data);
    bind_text(st, 5, h->month ? h->month : "");
    bind_time(st, 6, h->dates[0]);
    bind_text(st, 7, h->date_text ? h->date_text : "");
    if (h->recipients >= 0)
        sqlite3_bind_int64(st, 8, h->recipients);
    else
        sqlite3_bind_null(st, 8);
    bind_text(st, 9, h->sender ? h->sender : "");
    bind_text(st, 10, h->source ? h->source : "");
    bind_time(st, 11, clock_now());
    rc = finish_once(l, st, err, "recording a mailing");
    if (!rc && id)
        *id = sqlite3_last_insert_rowid(l->db);
out:
    buf_release(&dates);
    return rc;
}

int ledger_history_each(struct ledger *l, time_t from, time_t to, ledger_history_fn fn, void *ud,
                        struct err *err)
{
    sqlite3_stmt *st = prepare_once(
        l,
        "SELECT id, list, kind, title, dates, month, date_text, recipients, sender, source,"
        " recorded_at FROM history WHERE (?1 IS NULL OR first_at >= ?1)"
        " AND (?2 IS NULL OR first_at < ?2) ORDER BY first_at, id",
        err);
    struct ledger_history h;
    time_t *dates = NULL;
    int rc, stop = 0;

    if (!st)
        return -1;
    bind_time(st, 1, from);
    bind_time(st, 2, to);
    while (!stop && (rc = step_row(l, st, err, "reading the recorded mailings")) > 0) {
        const char *p = col_str(st, 4);
        size_t n = 1, i = 0;
        time_t *grown;

        for (const char *q = p; *q; q++)
            n += *q == ',' || *q == '/';
        if (!(grown = realloc(dates, n * sizeof(*dates)))) {
            stop = err_nomem(err);
            break;
        }
        dates = grown;
        while (*p && i < n) {
            char iso[32];
            size_t len = strcspn(p, ",/");
            if (len < sizeof(iso)) {
                memcpy(iso, p, len);
                iso[len] = '\0';
                if (!clock_parse_iso(iso, &dates[i]))
                    i++;
            }
            p += len + (p[len] == ',' || p[len] == '/');
        }
        memset(&h, 0, sizeof(h));
        h.range = strchr(col_str(st, 4), '/') && i == 2;
        h.id = sqlite3_column_int64(st, 0);
        h.list = col_str(st, 1);
        h.kind = col_str(st, 2);
        h.title = col_str(st, 3);
        h.dates = dates;
        h.ndates = i;
        h.month = col_str(st, 5);
        h.date_text = col_str(st, 6);
        h.recipients =
            sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(st, 7);
        h.sender = col_str(st, 8);
        h.source = col_str(st, 9);
        h.recorded_at = col_time(st, 10);
        if (h.ndates)
            stop = fn(ud, &h);
    }
    free(dates);
    sqlite3_finalize(st);
    return stop ? stop : rc;
}

int ledger_suppress_add(struct ledger *l, const char *address, const char *reason,
                        const char *source, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_SUPPRESS_ADD);

    bind_text(st, 1, address);
    bind_text(st, 2, reason);
    bind_text(st, 3, source ? source : "");
    bind_time(st, 4, clock_now());
    return step_done(l, st, err, "adding to the suppression list");
}

int ledger_suppress_remove(struct ledger *l, const char *address, struct err *err)
{
    return ledger_suppress_remove_scope(l, address, NULL, err);
}

int ledger_suppress_remove_scope(struct ledger *l, const char *address, const char *scope,
                                 struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_SUPPRESS_REMOVE);

    bind_text(st, 1, address);
    bind_text(st, 2, scope);
    return step_changed(l, st, err, "removing from the suppression list");
}

int ledger_suppress_list(struct ledger *l, ledger_suppression_fn fn, void *ud, struct err *err)
{
    return ledger_suppress_each(l, NULL, fn, ud, err);
}

int ledger_suppress_each(struct ledger *l, ledger_suppression_scope_fn sfn,
                         ledger_suppression_fn fn, void *ud, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_SUPPRESS_LIST);
    int rc, stop = 0;

    while (!stop && (rc = step_row(l, st, err, "reading the suppression list")) > 0) {
        const char *a = (const char *)sqlite3_column_text(st, 0),
                   *r = (const char *)sqlite3_column_text(st, 1),
                   *src = (const char *)sqlite3_column_text(st, 2),
                   *sc = (const char *)sqlite3_column_text(st, 4);
        stop = sfn ? sfn(ud, a, sc, r, src, col_time(st, 3)) : fn(ud, a, r, src, col_time(st, 3));
    }
    sqlite3_reset(st);
    return stop ? stop : rc;
}

/* ---- the unsubscribe endpoint (issue 16): rare statements, prepared when
 * used (prepare_once) so that the statement table above stays as it is. */

int ledger_token_find(struct ledger *l, const char *token, struct ledger_token *out,
                      struct err *err)
{
    sqlite3_stmt *st = prepare_once(
        l,
        "SELECT d.id, d.mailing_id, d.address, d.list, m.lists, m.report_title, m.subject,"
        " m.campaign, m.test FROM deliveries d JOIN mailings m ON m.id = d.mailing_id"
        " WHERE d.token = ?1",
        err);
    int rc;

    memset(out, 0, sizeof(*out));
    if (!st)
        return -1;
    bind_text(st, 1, token);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->delivery_id = sqlite3_column_int64(st, 0);
        out->mailing_id = sqlite3_column_int64(st, 1);
        out->address = col_text(st, 2);
        out->list = col_text(st, 3);
        out->lists = col_text(st, 4);
        out->title = col_text(st, 5);
        out->subject = col_text(st, 6);
        out->campaign = col_text(st, 7);
        out->test = sqlite3_column_int(st, 8);
        rc = out->address && out->list && out->lists && out->title && out->subject && out->campaign
                 ? 0
                 : err_nomem(err);
    } else if (rc == SQLITE_DONE) {
        rc = 1;
    } else {
        rc = db_fail(l, err, "finding an unsubscribe token");
    }
    sqlite3_finalize(st);
    if (rc)
        ledger_token_release(out);
    return rc;
}

void ledger_token_release(struct ledger_token *t)
{
    free(t->address);
    free(t->list);
    free(t->lists);
    free(t->title);
    free(t->subject);
    free(t->campaign);
    memset(t, 0, sizeof(*t));
}

int ledger_suppress_add_scope(struct ledger *l, const char *address, const char *scope,
                              const char *reason, const char *source, struct err *err)
{
    sqlite3_stmt *st = prepare_once(l,
                                    "INSERT INTO suppressions (address, scope, reason, source,"
                                    " created_at) VALUES (lower(?1), ?2, ?3, ?4, ?5)"
                                    " ON CONFLICT(address, scope) DO NOTHING",
                                    err);
    int rc;

    if (!st)
        return -1;
    bind_text(st, 1, address);
    bind_text(st, 2, scope && *scope ? scope : "*");
    bind_text(st, 3, reason);
    bind_text(st, 4, source ? source : "");
    bind_time(st, 5, clock_now());
    rc = step_changed(l, st, err, "adding to the suppression list");
    sqlite3_finalize(st);
    return rc;
}

int ledger_suppress_undo(struct ledger *l, const char *address, const char *source, time_t since,
                         long *removed, struct err *err)
{
    sqlite3_stmt *st = prepare_once(l,
                                    "DELETE FROM suppressions WHERE address = lower(?1)"
                                    " AND source = ?2 AND created_at >= ?3",
                                    err);
    int rc;

    *removed = 0;
    if (!st)
        return -1;
    bind_text(st, 1, address);
    bind_text(st, 2, source);
    bind_time(st, 3, since);
    if ((rc = finish_once(l, st, err, "undoing an unsubscribe")) == 0)
        *removed = sqlite3_changes(l->db);
    return rc;
}

int ledger_report(struct ledger *l, time_t from, time_t to, ledger_report_fn fn, void *ud,
                  struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_REPORT);
    struct report_row r;
    int rc, stop = 0;

    bind_time(st, 1, from);
    bind_time(st, 2, to);
    while (!stop && (rc = step_row(l, st, err, "reading the report")) > 0) {
        r.mailing_id = sqlite3_column_int64(st, 0);
        r.campaign = (const char *)sqlite3_column_text(st, 1);
        r.edition = (const char *)sqlite3_column_text(st, 2);
        r.kind = (const char *)sqlite3_column_text(st, 3);
        r.subject = (const char *)sqlite3_column_text(st, 4);
        r.report_title = (const char *)sqlite3_column_text(st, 5);
        r.lists = (const char *)sqlite3_column_text(st, 6);
        r.first_sent = col_time(st, 7);
        r.last_sent = col_time(st, 8);
        r.recipients = (long)sqlite3_column_int64(st, 9);
        r.delivered = (long)sqlite3_column_int64(st, 10);
        r.bounced = (long)sqlite3_column_int64(st, 11);
        r.failed = (long)sqlite3_column_int64(st, 12);
        r.unsubscribed = (long)sqlite3_column_int64(st, 13);
        stop = fn(ud, &r);
    }
    sqlite3_reset(st);
    return stop ? stop : rc;
}

/* The report's figures of one mailing: counts by state, bounce classes,
 * unsubscribes from its first accepted delivery to the end of the period. */
static int report_figures(struct ledger *l, struct ledger_report_mailing *r, time_t to,
                          struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_REPORT_STATES);
    int rc;

    sqlite3_bind_int64(st, 1, r->mailing_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long n = (long)sqlite3_column_int64(st, 1);
        int state;
        if (col_state(st, 0, delivery_state_names, NSTATES(delivery_state_names), &state, err)) {
            sqlite3_reset(st);
            return -1;
        }
        r->recipients += n;
        if (state == DELIVERY_SENT)
            r->delivered += n;
        else if (state == DELIVERY_BOUNCED)
            r->delivered += n, r->bounced += n;
        else if (state == DELIVERY_FAILED)
            r->failed += n;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_fail(l, err, "counting a mailing's deliveries");
    if (r->bounced) {
        st = stmt(l, ST_REPORT_BOUNCES);
        sqlite3_bind_int64(st, 1, r->mailing_id);
        if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            r->bounced_hard = (long)sqlite3_column_int64(st, 0);
            r->bounced_soft = (long)sqlite3_column_int64(st, 1);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
            return db_fail(l, err, "counting a mailing's bounces");
    }
    st = stmt(l, ST_REPORT_UNSUBS);
    sqlite3_bind_int64(st, 1, r->mailing_id);
    bind_time(st, 2, r->first_sent);
    bind_time(st, 3, to);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char **grown =
            realloc(r->unsubscribed_addresses, ((size_t)r->unsubscribed + 1) * sizeof(*grown));
        if (!grown || !(grown[r->unsubscribed] = col_text(st, 0))) {
            if (grown)
                r->unsubscribed_addresses = grown;
            sqlite3_reset(st);
            return err_nomem(err);
        }
        r->unsubscribed_addresses = grown;
        r->unsubscribed++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db_fail(l, err, "reading a mailing's unsubscribes");
}

int ledger_report_mailings(struct ledger *l, time_t from, time_t to, ledger_report_mailing_fn fn,
                           void *ud, struct err *err)
{
    sqlite3_stmt *st;
    struct ledger_report_mailing *rows = NULL, *grown;
    size_t n = 0, i;
    int rc, stop = 0;

    /* Collect first: the per-mailing statements run while this one is done. */
    st = stmt(l, ST_REPORT_MAILINGS);
    bind_time(st, 1, from);
    bind_time(st, 2, to);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ledger_report_mailing *r;
        if (!(grown = realloc(rows, (n + 1) * sizeof(*rows))))
            break;
        rows = grown;
        r = memset(&rows[n++], 0, sizeof(*r));
        r->mailing_id = sqlite3_column_int64(st, 0);
        r->campaign = col_text(st, 1);
        r->edition = col_text(st, 2);
        r->kind = col_text(st, 3);
        r->subject = col_text(st, 4);
        r->report_title = col_text(st, 5);
        r->lists = col_text(st, 6);
        r->first_sent = col_time(st, 7);
        r->last_sent = col_time(st, 8);
        r->from_address = col_text(st, 9);
        if (!r->campaign || !r->edition || !r->kind || !r->subject || !r->report_title ||
            !r->lists || !r->from_address)
            break;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        stop = err_nomem(err);
    else if (rc != SQLITE_DONE)
        stop = db_fail(l, err, "reading the report");
    for (i = 0; i < n && !stop; i++)
        if (!(stop = report_figures(l, &rows[i], to, err)))
            stop = fn(ud, &rows[i]);
    for (i = 0; i < n; i++) {
        long k;
        for (k = 0; k < rows[i].unsubscribed; k++)
            free(rows[i].unsubscribed_addresses[k]);
        free(rows[i].unsubscribed_addresses);
        free((char *)rows[i].campaign);
        free((char *)rows[i].edition);
        free((char *)rows[i].kind);
        free((char *)rows[i].subject);
        free((char *)rows[i].report_title);
        free((char *)rows[i].lists);
        free((char *)rows[i].from_address);
    }
    free(rows);
    return stop;
}

/* ---- the bounce mailbox ------------------------------------------------------------ */

int ledger_imap_state(struct ledger *l, const char *mailbox, unsigned long *uidvalidity,
                      unsigned long *last_uid, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_IMAP_STATE_GET);
    int rc;

    *uidvalidity = *last_uid = 0;
    bind_text(st, 1, mailbox);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *uidvalidity = (unsigned long)sqlite3_column_int64(st, 0);
        *last_uid = (unsigned long)sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? 1 : db_fail(l, err, "reading the mailbox position");
}

int ledger_imap_state_set(struct ledger *l, const char *mailbox, unsigned long uidvalidity,
                          unsigned long last_uid, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_IMAP_STATE_SET);

    bind_text(st, 1, mailbox);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)uidvalidity);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)last_uid);
    bind_time(st, 4, clock_now());
    return step_done(l, st, err, "recording the mailbox position");
}

static int match_by_msgid(struct ledger *l, const char *message_id, const char *address,
                          int64_t *id, char *found_addr, size_t size, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_DELIVERY_BY_MSGID);
    int rc, found = 0;

    bind_text(st, 1, message_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *a = (const char *)sqlite3_column_text(st, 1);
        /* One delivery per Message-ID in this mailer; should there be more,
         * the recipient decides. */
        if (!found || (address && a && !sqlite3_stricmp(a, address))) {
            *id = sqlite3_column_int64(st, 0);
            snprintf(found_addr, size, "%s", a ? a : "");
        }
        found++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_fail(l, err, "matching a bounce to its delivery");
    return found ? 0 : 1;
}

int ledger_delivery_match(struct ledger *l, const char *message_id, const char *address,
                          int64_t *id, char *found_addr, size_t size, struct err *err)
{
    sqlite3_stmt *st;
    int rc;

    *id = 0;
    if (size)
        found_addr[0] = '\0';
    if (message_id && *message_id &&
        (rc = match_by_msgid(l, message_id, address, id, found_addr, size, err)) <= 0)
        return rc;
    if (!address || !*address)
        return 1;
    st = stmt(l, ST_DELIVERY_BY_ADDRESS);
    bind_text(st, 1, address);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        snprintf(found_addr, size, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? 1 : db_fail(l, err, "matching a bounce to its delivery");
}

int ledger_delivery_bounced(struct ledger *l, int64_t id, const char *klass, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_DELIVERY_BOUNCED);

    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, klass);
    bind_time(st, 3, clock_now());
    return step_changed(l, st, err, "marking a delivery bounced");
}

int ledger_bounce_add(struct ledger *l, const struct bounce_row *b, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_BOUNCE_ADD);

    if (b->delivery_id)
        sqlite3_bind_int64(st, 1, b->delivery_id);
    bind_text(st, 2, b->address);
    bind_text(st, 3, b->status && *b->status ? b->status : NULL);
    bind_text(st, 4, b->action && *b->action ? b->action : NULL);
    bind_text(st, 5, b->klass);
    bind_text(st, 6, b->diagnostic && *b->diagnostic ? b->diagnostic : NULL);
    bind_time(st, 7, clock_now());
    bind_text(st, 8, b->source_uid);
    bind_text(st, 9, b->kind ? b->kind : "bounce");
    bind_text(st, 10, b->message_id && *b->message_id ? b->message_id : NULL);
    bind_text(st, 11, b->reason && *b->reason ? b->reason : NULL);
    return step_done(l, st, err, "recording a bounce");
}

int ledger_bounce_reasons(struct ledger *l, int64_t mailing_id, ledger_reason_fn fn, void *ud,
                          struct err *err)
{
    sqlite3_stmt *st = prepare_once(
        l,
        "SELECT COALESCE(b.reason, 'undefined'), count(DISTINCT b.delivery_id) FROM bounces b"
        " JOIN deliveries d ON d.id = b.delivery_id WHERE d.mailing_id = ?1"
        " AND b.kind = 'bounce' AND COALESCE(b.action, 'failed') <> 'delayed'"
        " GROUP BY 1 ORDER BY 2 DESC, 1",
        err);
    int rc, n = 0;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, mailing_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        n++;
        if (fn(ud, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1))) {
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(l, err, "counting a mailing's bounces by reason");
    return n;
}

int ledger_soft_bounces(struct ledger *l, const char *address, time_t since, long *n,
                        struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_SOFT_BOUNCES);

    bind_text(st, 1, address);
    bind_time(st, 2, since ? since : 1);
    return step_count(l, st, n, err, "counting soft bounces");
}

/* ---- the addresses seen while an audience is frozen ---------------------------- */

int ledger_seen_add(struct ledger *l, const char *key, uint32_t list, uint32_t line,
                    uint32_t *first_list, uint32_t *first_line, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_SEEN_ADD);
    int rc;

    bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, list);
    sqlite3_bind_int64(st, 3, line);
    if ((rc = step_changed(l, st, err, "recording an address seen")) <= 0)
        return rc;
    st = stmt(l, ST_SEEN_GET);
    bind_text(st, 1, key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *first_list = (uint32_t)sqlite3_column_int64(st, 0);
        *first_line = (uint32_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : db_fail(l, err, "reading an address seen");
}

int ledger_seen_clear(struct ledger *l, struct err *err)
{
    sqlite3_stmt *st = stmt(l, ST_SEEN_CLEAR);

    return step_done(l, st, err, "clearing the addresses seen");
}

/* ---- mailer retry (issue 15): failed deliveries back to pending --------- */

int ledger_retry_failed(struct ledger *l, const char *campaign, const char *edition, int code,
                        time_t since, time_t now, long *changed, struct err *err)
{
    sqlite3_stmt *st;

    *changed = 0;
    if (ledger_exec(l, "BEGIN IMMEDIATE", err))
        return -1;
    /* first_attempt_at starts again, so that RETRY_MAX_AGE counts from now */
    st = prepare_once(l,
                      "UPDATE deliveries SET state = 'pending', next_attempt_at = NULL,"
                      " first_attempt_at = NULL, updated_at = ?5"
                      " WHERE state = 'failed' AND mailing_id IN (SELECT id FROM mailings"
                      "  WHERE campaign = ?1 AND (?2 IS NULL OR edition = ?2) AND test = 0)"
                      " AND (?3 = 0 OR smtp_code = ?3) AND (?4 IS NULL OR updated_at >= ?4)",
                      err);
    if (!st)
        goto fail;
    bind_text(st, 1, campaign);
    bind_text(st, 2, edition);
    sqlite3_bind_int(st, 3, code);
    bind_time(st, 4, since);
    bind_time(st, 5, now);
    if (finish_once(l, st, err, "putting failed deliveries back"))
        goto fail;
    *changed = sqlite3_changes(l->db);
    /* a complete mailing with pending deliveries again is being sent again:
     * `due` and `status` see it so */
    st = prepare_once(l,
                      "UPDATE mailings SET state = 'sending', finished_at = NULL"
                      " WHERE campaign = ?1 AND (?2 IS NULL OR edition = ?2) AND test = 0"
                      " AND EXISTS (SELECT 1 FROM deliveries d WHERE d.mailing_id = mailings.id"
                      "  AND d.state = 'pending')",
                      err);
    if (!st)
        goto fail;
    bind_text(st, 1, campaign);
    bind_text(st, 2, edition);
    if (finish_once(l, st, err, "putting failed deliveries back"))
        goto fail;
    return ledger_exec(l, "COMMIT", err);
fail:
    ledger_rollback(l);
    return -1;
}

int ledger_mailing_fail_rest(struct ledger *l, int64_t mailing_id, const char *why, time_t now,
                             struct err *err)
{
    sqlite3_stmt *st = prepare_once(l,
                                    "UPDATE deliveries SET state = 'failed', smtp_reply = ?2,"
                                    " next_attempt_at = NULL, updated_at = ?3"
                                    " WHERE mailing_id = ?1"
                                    " AND state IN ('pending', 'deferred', 'sending')",
                                    err);

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, mailing_id);
    bind_text(st, 2, why);
    bind_time(st, 3, now);
    if (finish_once(l, st, err, "ending a test send"))
        return -1;
    if (!(st = prepare_once(
              l, "UPDATE mailings SET state = 'complete', finished_at = ?2 WHERE id = ?1", err)))
        return -1;
    sqlite3_bind_int64(st, 1, mailing_id);
    bind_time(st, 2, now);
    return finish_once(l, st, err, "ending a test send");
}

/* ---- notes: small facts the ledger keeps about itself (ledger_info) ------ */

int ledger_note_get(struct ledger *l, const char *key, char *out, size_t size, struct err *err)
{
    sqlite3_stmt *st = prepare_once(l, "SELECT value FROM ledger_info WHERE key = ?1", err);
    int rc;

    if (!st)
        return -1;
    bind_text(st, 1, key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        return 0;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(l, err, "reading a note of the ledger");
    if (size)
        out[0] = '\0';
    return 1;
}

int ledger_note_set(struct ledger *l, const char *key, const char *value, struct err *err)
{
    sqlite3_stmt *st = prepare_once(l,
                                    "INSERT INTO ledger_info (key, value) VALUES (?1, ?2)"
                                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                                    err);

    if (!st)
        return -1;
    bind_text(st, 1, key);
    bind_text(st, 2, value);
    return finish_once(l, st, err, "writing a note of the ledger");
}

static void skip_key(char *key, size_t size, const char *campaign, const char *edition)
{
    snprintf(key, size, "skip:%s:%s", campaign, edition);
}

int ledger_edition_skip(struct ledger *l, const char *campaign, const char *edition,
                        struct err *err)
{
    char key[512];

    skip_key(key, sizeof(key), campaign, edition);
    return ledger_note_set(l, key, "skipped", err);
}

int ledger_edition_skipped(struct ledger *l, const char *campaign, const char *edition,
                           struct err *err)
{
    char key[512], note[16];
    int rc;

    skip_key(key, sizeof(key), campaign, edition);
    rc = ledger_note_get(l, key, note, sizeof(note), err);
    return rc < 0 ? -1 : rc == 0;
}

int ledger_mailing_last_reply(struct ledger *l, int64_t mailing_id, char *out, size_t size,
                              struct err *err)
{
    sqlite3_stmt *st =
        prepare_once(l,
                     "SELECT smtp_reply FROM deliveries WHERE mailing_id = ?1"
                     " AND state IN ('deferred', 'sending') AND smtp_reply IS NOT NULL"
                     " AND smtp_reply <> '' ORDER BY updated_at DESC, id DESC LIMIT 1",
                     err);
    int rc;

    if (size)
        out[0] = '\0';
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, mailing_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && size)
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(l, err, "reading a mailing's last reply");
    return rc == SQLITE_ROW ? 0 : 1;
}
