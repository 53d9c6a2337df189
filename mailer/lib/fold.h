/* fold - text folded for comparison: lower case, accents dropped, spaces
 * evened out.
 *
 * A list's column headers become template variable names, and the filter
 * compares columns and values, folded: "País", "PAIS" and "pais " name the
 * same thing. The input is untrusted UTF-8; a byte that is not a letter is
 * kept or separates words, never an error. Latin-1 letters lose their
 * accents (precomposed, or decomposed as macOS writes them: U+0300..U+036F
 * dropped); "ß" becomes "ss"; other non-ASCII text stays as it is.
 */
#ifndef MAILER_FOLD_H
#define MAILER_FOLD_H

#include <stddef.h>

#include "buf.h"

/* A header name to a template variable name: lower case, accents dropped,
 * runs of anything other than letters and digits turned into one '_'
 * ("Correo electrónico" -> "correo_electronico"). Replaces out's content;
 * "" when nothing is left. 0, or -1 when out is full. */
WARN_UNUSED_RESULT int fold_key(const char *in, size_t len, struct buf *out);
/* A value as the filter compares it: lower case, accents dropped, runs of
 * white space (NBSP included) one ' ', ends trimmed, other characters kept
 * ("  Estados   Unidos " -> "estados unidos"). Replaces out's content. */
WARN_UNUSED_RESULT int fold_text(const char *in, size_t len, struct buf *out);

#endif
