/* report - the quarterly report: what was delivered, to whom, when.
 *
 * Built from the ledger only (what was actually delivered; test sends and
 * dry runs never count). One table per audience (the lists a mailing went
 * to), a row per mailing title: a campaign sent again with the same title
 * (a convocatoria and its reminders) is one row with all its dates. Dates
 * are Spanish long dates in America/Mexico_City.
 */
#ifndef MAILER_REPORT_H
#define MAILER_REPORT_H

#include <time.h>

#include "buf.h"
#include "err.h"
#include "ledger.h"

enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_MD, REPORT_JSON };

struct report_period {
    time_t from, to; /* [from, to) */
    char label[96];  /* "el cuarto trimestre de 2026", "del 1 de enero al 31 de marzo de 2024" */
    char id[32];     /* "2026Q4" or "2024-01-01..2024-03-31" */
};

/* "2026Q4", "2026-T4", "2026T4" (quarters in America/Mexico_City). */
int report_parse_quarter(const char *s, struct report_period *p, struct err *err);
/* Dates "YYYY-MM-DD", inclusive of the `to` day. */
int report_parse_range(const char *from, const char *to, struct report_period *p,
                       struct err *err);

struct report_opts {
    enum report_format format;
    const char *list; /* only mailings to this list, NULL: all */
    char csv_sep;     /* ',' or ';' */
};

/* Write the report for the period into out. */
int report_write(struct ledger *l, const struct report_period *p, const struct report_opts *o,
                 struct buf *out, struct err *err);

#endif
