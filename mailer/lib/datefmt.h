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
/* Several dates as one phrase: "Viernes 9, martes 20 y jueves 22 de julio
 * de 2021"; month and year are written once per run of dates that share
 * them ("Jueves 30 de enero y viernes 7 de febrero de 2025"). Dates must be
 * in order. */
int datefmt_list(struct buf *out, const time_t *t, size_t n);

#endif
