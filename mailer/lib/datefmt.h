/* datefmt - dates written out in Spanish, as the office writes them.
 *
 * All functions take a UTC instant and write the civil date in
 * America/Mexico_City.
 */
#ifndef MAILER_DATEFMT_H
#define MAILER_DATEFMT_H

#include <time.h>

#include "buf.h"

extern const char *const datefmt_months[12];  /* "enero" ... "diciembre" */
extern const char *const datefmt_weekdays[7]; /* "domingo" ... "sábado" (tm_wday order) */

/* "Jueves 25 de enero de 2024" (capital weekday). */
int datefmt_long(struct buf *out, time_t t);
/* "25 de enero de 2024". */
int datefmt_day(struct buf *out, time_t t);
/* "noviembre de 2026" for a year and month (1-12). */
int datefmt_month(struct buf *out, int year, int month);
/* "Noviembre 2026": a month as the office's tables write it. */
int datefmt_month_row(struct buf *out, int year, int month);
/* Several dates as one phrase: "Viernes 9, martes 20 y jueves 22 de julio
 * de 2021"; month and year are written once per run of dates that share
 * them ("Jueves 30 de enero y viernes 7 de febrero de 2025"). Dates must be
 * in order; several on one day are that day once (two editions of one
 * title sent the same day: "Miércoles 2 de diciembre de 2026"). */
int datefmt_list(struct buf *out, const time_t *t, size_t n);
/* A range of days: "Del viernes 9 al martes 13 de julio de 2021", "Del
 * miércoles 30 de junio al viernes 2 de julio de 2021" (month and year
 * written once when the ends share them). */
int datefmt_range(struct buf *out, time_t from, time_t to);

#endif
