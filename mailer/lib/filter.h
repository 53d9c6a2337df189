/* filter - the filter language on a contact's columns.
 *
 * A campaign (or `mailer contacts --filter`) narrows an audience with a
 * filter. Grammar (keywords case-insensitive):
 *     expr   := term ("or" term)*
 *     term   := factor ("and" factor)*
 *     factor := "(" expr ")" | "not" factor | COLUMN op
 *     op     := ("=" | "==" | "!=" | "<>") VALUE
 *             | ["not"] "in" "(" VALUE ("," VALUE)* ")"
 *     VALUE  := "quoted" | 'quoted' | bare words (up to and/or/,/))
 * COLUMN is folded like a header (fold_key: País -> pais); values compare
 * folded (fold_text: case, accents and surrounding/duplicate spaces
 * ignored). A missing column compares as "". Nesting deeper than 100 is a
 * syntax error. Example: ciudad in (Chicago, Dallas) and pais = "Estados
 * Unidos".
 */
#ifndef MAILER_FILTER_H
#define MAILER_FILTER_H

#include <stddef.h>

#include "err.h"
#include "value.h"

struct filter;

/* Compile text (untrusted); NULL with err set on a syntax error ("filter:
 * WHAT at character N of TEXT") or when out of memory. Free with
 * filter_free(). */
struct filter *filter_new(const char *text, struct err *err);
void filter_free(struct filter *f);
/* 1 if the row whose variables are vars (a map) matches, 0 if not, -1 when
 * out of memory (a row is never left out, or taken, for want of memory). */
int filter_match(const struct filter *f, const struct value *vars);
/* The first column the filter names that is not among keys, or NULL; the
 * string belongs to f. */
const char *filter_missing(const struct filter *f, const char *const *keys, size_t nkeys);

#endif
