/* dateparse - dates as the office writes them in its tables, read back
 * (the inverse of datefmt).
 *
 * Accepted, case and accents ignored («Miércoles», «MIERCOLES»):
 *   «Viernes 9, martes 20 y jueves 22 de julio de 2021»  days with or without
 *       their weekday, joined by «,», «y» or «e»; a month and a year apply
 *       to the days written before them;
 *   «Jueves 30 de enero y viernes 7 de febrero de 2025», «30 de diciembre
 *       de 2025 y 6 de enero de 2026», «30 de diciembre y 6 de enero de
 *       2026» (the year written last applies back, one less across the
 *       turn of a year);
 *   «08 de septiembre», «1° de enero», «22 de julio del 2021»;
 *   ranges: «del 9 al 13 de julio de 2021», «9-13 de julio», «del 30 de
 *       junio al 2 de julio de 2021»;
 *   a month only: «Enero 2024», «enero de 2024», «Enero», «2024-01»;
 *   ISO «2024-01-25» and «25/01/2024» (day first, as in Mexico), alone or
 *       in a list;
 *   month names in full or as «ene», «feb.», ..., «setiembre».
 * The input is untrusted (a cell of a table): any other word, a day a month
 * does not have, a day without a month, is an error naming the text.
 */
#ifndef MAILER_DATEPARSE_H
#define MAILER_DATEPARSE_H

#include <stddef.h>

#include "err.h"

#define DATEPARSE_MAX 64 /* days in one text */

struct dateparse_day {
    int y, m, d; /* civil date, m 1-12 */
    int wday;    /* the weekday written (0 Sunday .. 6 Saturday), -1 when none */
};

struct dateparse {
    struct dateparse_day days[DATEPARSE_MAX]; /* in order, each once */
    size_t n;
    int month_only; /* a month without a day: days[0] is its first day */
    int range;      /* «del 9 al 13»: days[0] and days[1] are the ends */
    int year_given; /* a year was written (else the caller's was used) */
};

/* Read text into out. year is the year of dates written without one (0:
 * none known). 0 on success; 1 when the text has no year and year is 0
 * (nothing else wrong: call again with a year); -1 with err set (ERR_DATA)
 * when the text is not a date as the office writes it. */
int dateparse_spanish(const char *text, int year, struct dateparse *out, struct err *err);

/* The weekday of a civil date: 0 Sunday .. 6 Saturday. */
int dateparse_weekday(int y, int m, int d);
/* Days in month m (1-12) of year y. */
int dateparse_month_days(int y, int m);

#endif
