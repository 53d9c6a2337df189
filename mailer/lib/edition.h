/* edition - names, labels and periods of editions.
 *
 * An edition is named by its cadence: weekly "2026-W47" (ISO 8601 weeks,
 * correct across year ends and in years of 53 weeks), monthly "2026-11",
 * once "main", or any name given by hand ("recordatorio-1"). Labels are
 * Spanish, for templates and reports: «semana del 16 al 22 de noviembre de
 * 2026», «noviembre de 2026». Periods are in America/Mexico_City.
 */
#ifndef MAILER_EDITION_H
#define MAILER_EDITION_H

#include <time.h>

struct edition {
    char name[64];   /* "2026-11", "2026-W47", "main", "recordatorio-1" */
    char label[160]; /* "noviembre de 2026", "semana del 16 al 22 de noviembre de 2026" */
    time_t start;    /* first instant of the period (0 for named editions) */
    time_t end;      /* first instant after it */
};

/* Fill e from a name; YYYY-MM and YYYY-Www get their Spanish label and
 * period, other names keep their name as label. */
void edition_named(const char *name, struct edition *e);
/* The edition a cadence ("weekly", "monthly", "once") gives at `now`:
 * weekly = the ISO week that just ended, monthly = the current month, once
 * = "main" labelled once_label. */
void edition_for(const char *cadence, const char *once_label, time_t now, struct edition *e);
/* 1 if name can name an edition (no path characters, not hidden, short). */
int edition_name_ok(const char *name);

#endif
