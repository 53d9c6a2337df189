/* contacts - contact lists (CSV) into an audience: columns, dedupe, filter,
 * suppression.
 *
 * Lists are untrusted files written by people in Excel. contacts_load()
 * reads every list of an audience, maps its columns (DESIGN §6: header names
 * normalized to snake_case by fold_key, the address column found among
 * common names, the name from nombre / nombre completo / first+last),
 * validates and normalizes each address (module address), drops duplicates
 * (first occurrence wins), applies the filter (module filter) and the
 * suppression callback, and hands every accepted contact to fn, in file
 * order. Nothing is kept in memory per contact beyond the dedupe set, so a
 * 1,000,000-row list streams.
 *
 * Column mapping:
 *  - address column: the one header among email, e-mail, correo, correo
 *    electrónico, mail, dirección de correo (electrónico), email address,
 *    e-mail 1 - value ... (compared after fold_key()); none or two
 *    is an error listing the headers found, unless the list options name it
 *    (address_column in contacts/NAME.ini, listconf.h).
 *  - name (c->name): "nombre completo" / "nombre y apellidos" / "full name" /
 *    "name" when present and not empty, else first (nombre, nombres, first
 *    name) + last (apellido(s), apellido paterno + materno, last name), or
 *    the list options' name_columns, with control characters and runs of
 *    spaces turned into one space.
 *  - vars: every column up to the last non-empty header, by normalized
 *    header (a repeated header gets _2, _3; an empty one column_N), plus
 *    "email" = c->address and "nombre" = c->name unless the list has its own
 *    "nombre" column (then that column's value, as written, stays). An empty
 *    cell (and an empty name) is null, not "": a template reports it missing
 *    unless a lower frame (the campaign's [defaults]) has the name.
 * Rows: an all-empty row (Excel's ";;;;") is skipped silently; a row with
 * more non-empty fields than the header is invalid (a stray delimiter would
 * shift every column); missing trailing fields are "".
 * Order per row: validate, dedupe (case-insensitive whole address), filter,
 * suppression, fn.
 */
#ifndef MAILER_CONTACTS_H
#define MAILER_CONTACTS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "csvread.h"
#include "err.h"
#include "value.h"

struct contact {
    const char *address;      /* normalized envelope address (domain lower-case, IDN as A-label) */
    const char *name;         /* display name, "" when the list has none */
    const char *list;         /* list name: file name without directory and .csv */
    const char *file;         /* path as given */
    size_t line;              /* line where the row starts */
    const struct value *vars; /* map: every column by normalized header, plus email, nombre */
};

/* Return 1 if address is suppressed (set *reason to a static or ledger-owned
 * string valid until the next call), 0 if not, -1 on error. */
typedef int (*contacts_suppressed_fn)(void *ud, const char *address, const char **reason);
/* Called for each accepted contact; the contact is valid only during the
 * call. Non-zero stops loading and is returned by contacts_load(). fn may be
 * NULL (only count). */
typedef int (*contacts_fn)(void *ud, const struct contact *c);

/* Overrides for an odd file (from listconf: contacts/NAME.ini, a campaign's
 * [list NAME], or the command line). */
struct contacts_list_opts {
    int delim;                      /* ',', ';', '\t'; 0: sniff from the header line */
    enum csvread_encoding encoding; /* CSVREAD_AUTO: UTF-8, else Windows-1252 with a warning */
    const char *address_column;     /* header (as written or normalized); NULL: find it */
    const char *name_columns[3];    /* headers whose cells make the name; NULL: find them */
    const char *conf;               /* where the list's options live, for messages; NULL */
};

/* What happened to one data row, for `mailer contacts check`. */
enum contacts_verdict_kind {
    CONTACTS_OK,         /* accepted (handed to fn) */
    CONTACTS_INVALID,    /* unusable address or malformed row: reason, hint */
    CONTACTS_DUPLICATE,  /* address seen before at first_file:first_line */
    CONTACTS_FILTERED,   /* left out by the filter */
    CONTACTS_SUPPRESSED, /* on the suppression list: reason */
};

struct contacts_verdict {
    enum contacts_verdict_kind kind;
    const char *file;
    size_t line;
    const char *input;      /* the address field as written ("" when missing) */
    const char *address;    /* normalized address, "" when invalid */
    const char *reason;     /* INVALID, SUPPRESSED: why; else NULL */
    const char *hint;       /* INVALID or OK: "did you mean" address, NULL when none */
    const char *first_file; /* DUPLICATE: where the address came first */
    size_t first_line;
};
/* Called for every data row (valid only during the call); non-zero stops
 * loading and is returned by contacts_load(). */
typedef int (*contacts_verdict_fn)(void *ud, const struct contacts_verdict *v);

/* How a list's header was read, for people checking a list. */
struct contacts_list_info {
    const char *file;
    size_t line;                 /* line of the header */
    int delim;                   /* delimiter in use */
    size_t ncols;                /* columns kept (trailing empty headers dropped) */
    const char *const *headers;  /* as written */
    const char *const *keys;     /* normalized: the template variable names */
    const char *address_column;  /* header as written */
    const char *name_columns[3]; /* headers the name is made of; NULL-padded */
};
/* Called once per list after its header; non-zero stops loading. */
typedef int (*contacts_list_fn)(void *ud, const struct contacts_list_info *info);

struct audience_spec {
    const char *const *lists; /* paths of the CSV files */
    size_t nlists;
    const char *filter;                /* NULL or "": everyone; else filter.h's language */
    contacts_suppressed_fn suppressed; /* NULL: nobody is suppressed */
    void *suppressed_ud;
    int force; /* load even when more than 10 % of a list is invalid */
    const struct contacts_list_opts *list_opts; /* NULL, or nlists entries */
    contacts_verdict_fn verdict;                /* NULL, or called for every data row */
    void *verdict_ud;                           /* passed to verdict and list_info */
    contacts_list_fn list_info;                 /* NULL, or called after each list's header */
    /* Set when fn needs only address, name, list and line (freezing an
     * audience, counting): c->vars is then NULL and no map is built per row.
     * A filter still sees every column. */
    int no_vars;
    /* An outside set of the addresses seen (the ledger's, for a very large
     * audience: memory stays bounded): returns 0 when key is new and records
     * it with its list index and line, 1 when it was seen (first_list and
     * first_line say where), -1 on error. NULL: an in-memory set. */
    int (*dedupe)(void *ud, const char *key, uint32_t list, uint32_t line, uint32_t *first_list,
                  uint32_t *first_line);
    void *dedupe_ud;
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
 * 10 % invalid without force) returns -1 with err set, after the other
 * lists were read too (err has a line per list with a problem): the caller
 * must then discard whatever fn received. A non-zero return of fn or of
 * the verdict callback stops at once and is returned. */
WARN_UNUSED_RESULT int contacts_load(const struct audience_spec *spec, contacts_fn fn, void *ud,
                                     struct audience_stats *stats, struct buf *report,
                                     struct err *err);

#endif
