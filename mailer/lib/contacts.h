/* contacts - contact lists (CSV) into an audience: columns, dedupe, filter,
 * suppression.
 *
 * Lists are untrusted files written by people in Excel. contacts_load()
 * reads every list of an audience, maps its columns (DESIGN §6: header names
 * normalized to snake_case, the address column found among common names, the
 * name from nombre / nombre completo / first+last), validates and normalizes
 * each address (module address), drops duplicates (first occurrence wins),
 * applies the filter and the suppression callback, and hands every accepted
 * contact to fn, in file order. Nothing is kept in memory per contact beyond
 * the dedupe set, so a 1,000,000-row list streams.
 */
#ifndef MAILER_CONTACTS_H
#define MAILER_CONTACTS_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "value.h"

struct contact {
    const char *address; /* normalized envelope address (domain lower-case, IDN as A-label) */
    const char *name;    /* display name, "" when the list has none */
    const char *list;    /* list name: file name without directory and .csv */
    const char *file;    /* path as given */
    size_t line;         /* line where the row starts */
    const struct value *vars; /* map: every column by normalized header, plus email, nombre */
};

/* Return 1 if address is suppressed (set *reason to a static or ledger-owned
 * string valid until the next call), 0 if not, -1 on error. */
typedef int (*contacts_suppressed_fn)(void *ud, const char *address, const char **reason);
/* Called for each accepted contact; the contact is valid only during the
 * call. Non-zero stops loading and is returned by contacts_load(). */
typedef int (*contacts_fn)(void *ud, const struct contact *c);

struct audience_spec {
    const char *const *lists; /* paths of the CSV files */
    size_t nlists;
    const char *filter;       /* NULL or "": everyone; see contacts_filter grammar */
    contacts_suppressed_fn suppressed; /* NULL: nobody is suppressed */
    void *suppressed_ud;
    int force;                /* load even when more than 10 % of a list is invalid */
};

struct audience_stats {
    size_t rows;       /* data rows read */
    size_t invalid;    /* rows with an unusable address */
    size_t duplicates; /* rows whose address came earlier */
    size_t filtered;   /* rows the filter left out */
    size_t suppressed; /* rows on the suppression list */
    size_t accepted;   /* handed to fn */
};

/* Load an audience. Per-row problems (invalid address with reason and
 * "did you mean" hint, duplicate with both locations) are appended to
 * report, one "file:line: ..." line each, and the row is skipped; warnings
 * (charset converted) go there too. A structural problem (unreadable file,
 * no or two address columns, unknown filter column, undecodable text, over
 * 10 % invalid without force) returns -1 with err set: the caller must then
 * discard whatever fn received. */
int contacts_load(const struct audience_spec *spec, contacts_fn fn, void *ud,
                  struct audience_stats *stats, struct buf *report, struct err *err);

#endif
