/* csvread - CSV bytes into records, the way spreadsheets really write them.
 *
 * RFC 4180 in full (quoted fields with delimiters, doubled quotes and line
 * breaks inside; CRLF, LF or lone CR line ends; a last line without a line
 * end; empty fields), plus what Excel and Google Sheets write: a UTF-8 BOM
 * (stripped), ';' or tab as delimiter (sniffed from the header line unless
 * given; an Excel "sep=;" first line names it and is skipped), Windows-1252 text (bytes that are not valid UTF-8 switch the
 * reader to Windows-1252, converted with iconv, and a warning names the file
 * and the encoding assumed), blank lines (skipped). Quoting is strict: a
 * stray quote is an error with file:line, never a guess.
 *
 * The input is untrusted. Records stream to a callback: memory does not grow
 * with the file, a field longer than CSVREAD_FIELD_MAX bytes or a record of
 * more than CSVREAD_FIELDS_MAX fields is an error naming file:line.
 * Only this module includes libcsv and iconv. Lines without a quote that
 * start a record are split here directly (the same fields libcsv gives, in
 * strict mode without space trimming); everything else goes through libcsv.
 */
#ifndef MAILER_CSVREAD_H
#define MAILER_CSVREAD_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define CSVREAD_FIELD_MAX (64 * 1024)
#define CSVREAD_FIELDS_MAX 4096

enum csvread_encoding {
    CSVREAD_AUTO = 0,     /* UTF-8; switch to Windows-1252 on invalid UTF-8 */
    CSVREAD_UTF8,         /* UTF-8 only: invalid UTF-8 is an error */
    CSVREAD_WINDOWS_1252, /* convert from Windows-1252 */
    CSVREAD_LATIN1,       /* convert from ISO-8859-1 */
};

struct csvread_opts {
    int delim;                      /* ',', ';' or '\t'; 0: sniff from the header line */
    enum csvread_encoding encoding; /* CSVREAD_AUTO unless the list says otherwise */
};

/* One record. Fields are UTF-8, NUL-terminated (they may also hold NULs:
 * use lens), valid only during the callback. */
struct csvread_record {
    const char *file; /* name given to csvread_* */
    size_t line;      /* physical line (1-based) where the record starts */
    size_t index;     /* 0 for the first record (the header), 1, 2, ... */
    size_t nfields;
    const char *const *fields;
    const size_t *lens;
    int delim; /* the delimiter in use */
};

/* Called per record; non-zero stops reading and is returned by csvread_*. */
typedef int (*csvread_fn)(void *ud, const struct csvread_record *rec);

/* Stream the CSV file at path to fn. opts may be NULL (sniff, auto).
 * Warnings ("FILE: not valid UTF-8, read as Windows-1252") are appended to
 * warnings (may be NULL), one line each. Returns 0, fn's non-zero value, or
 * -1 with err set (file:line and what is wrong). */
WARN_UNUSED_RESULT int csvread_file(const char *path, const struct csvread_opts *opts,
                                    csvread_fn fn, void *ud, struct buf *warnings, struct err *err);

/* The same for bytes in memory (untrusted); name is used in messages. */
WARN_UNUSED_RESULT int csvread_mem(const char *name, const char *data, size_t len,
                                   const struct csvread_opts *opts, csvread_fn fn, void *ud,
                                   struct buf *warnings, struct err *err);

/* Parse a delimiter name: ",", ";", "tab", "\t", "comma", "semicolon".
 * Returns the character or -1. */
int csvread_parse_delim(const char *s);
/* Parse an encoding name: "auto", "utf-8", "windows-1252"/"cp1252",
 * "latin1"/"iso-8859-1". Returns -1 when unknown. */
int csvread_parse_encoding(const char *s);

#endif
