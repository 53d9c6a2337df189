/* history - mailings the office sent outside the mailer (before it used it,
 * or from elsewhere), recorded in the ledger for the report: `mailer history
 * add|import`. A recorded mailing is never sent and has no deliveries; the
 * report marks it (report.h).
 *
 * A table is TSV or CSV like the office's own (tests/fixtures/history/):
 * lines starting with # are comments; a header names the columns (No.,
 * Fecha de envío or Mes, Información, and optionally Destinatarios, Tipo,
 * Remitente; accents and case do not matter), or, without one, the
 * columns are [No.,] date, title. Dates are read by dateparse.h. A date
 * without a year takes it from --year, else from the row before it (one
 * more when its month comes before that row's: the table is in order),
 * else from the row after it (one less likewise); each such row is counted
 * in year_from so that the caller can say where the year came from. TSV
 * has no quoting: a quote inside a title is part of it.
 *
 * The file is untrusted: every problem of every row is reported as
 * "file:line: column: what is wrong", and nothing is recorded when there is
 * one. Recording a table is one transaction, with its event (events.h);
 * the rows already recorded by an earlier import of the same table are not
 * recorded again.
 */
#ifndef MAILER_HISTORY_H
#define MAILER_HISTORY_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "dateparse.h"
#include "err.h"
#include "ledger.h"

enum history_year_from { HISTORY_YEAR_WRITTEN, HISTORY_YEAR_OPTION, HISTORY_YEAR_CONTEXT };

struct history_row {
    size_t line; /* of the file (1-based); 0 for `history add` */
    char *date_text, *title, *kind, *sender;
    long recipients; /* -1: unknown */
    struct dateparse date;
    enum history_year_from year_from;
};

struct history_table {
    const char *origin; /* the file as named, or "add" (not owned: outlives t) */
    struct history_row *rows;
    size_t n;
};

void history_table_init(struct history_table *t, const char *origin);
void history_table_release(struct history_table *t);

/* Read the table at path (at most 16 MiB) into t (initialised with the
 * path as origin). year: the year of dates written without one (0: from
 * the rows around them). Warnings (a wrong weekday, a column not used, the
 * charset assumed) are appended to warnings, one "file:line: ..." line
 * each. 0, or -1 with every problem in err (ERR_DATA; ERR_NOINPUT when the
 * file cannot be read); err must hold no error on entry. */
int history_read(const char *path, int year, struct history_table *t, struct buf *warnings,
                 struct err *err);
/* The same for bytes in memory (untrusted; name in messages). */
int history_read_mem(const char *name, const char *data, size_t len, int year,
                     struct history_table *t, struct buf *warnings, struct err *err);

/* One mailing given on the command line (`history add`): its date text
 * (dateparse.h), title, kind, sender (may be NULL), recipients (-1:
 * unknown) appended to t. year as for history_read (no rows around it).
 * Warnings and errors as for history_read. */
int history_add_row(struct history_table *t, const char *date_text, const char *title,
                    const char *kind, const char *sender, long recipients, int year,
                    struct buf *warnings, struct err *err);

/* Record every row of t for list in one transaction, with one event
 * (what "history", detail: the given one and how many were recorded); kind
 * and sender (may be NULL) are those of rows that name none.
 * Rows already recorded (as many times as t holds them) are skipped. */
struct history_result {
    long added, already;
};
int history_record(struct ledger *l, const struct history_table *t, const char *list,
                   const char *kind, const char *sender, const char *detail,
                   struct history_result *res, struct err *err);

/* The instant a recorded day stands for: noon in Mexico City. */
time_t history_day_time(const struct dateparse_day *d);

#endif
