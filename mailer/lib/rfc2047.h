/* rfc2047 - encoded words for non-ASCII header text (RFC 2047), written by
 * hand because libetpan encodes no header.
 *
 * Input is UTF-8 from untrusted sources. Encoded words are split only on
 * UTF-8 character boundaries, each at most 75 octets (kept under 60 so folds
 * stay tidy), and the result is folded with CRLF SP so no header line passes
 * 78 columns where it can be avoided. CR, LF and NUL in the input never reach
 * the output raw (they are encoded, so they cannot start a header). Invalid
 * UTF-8 is replaced by U+FFFD.
 */
#ifndef MAILER_RFC2047_H
#define MAILER_RFC2047_H

#include <stddef.h>

#include "buf.h"

/* Unstructured text (Subject): plain ASCII stays as is when it is safe;
 * otherwise encoded words. `column` is where the text starts on its line
 * (strlen("Subject: ")). Appends to out. */
int rfc2047_encode_text(struct buf *out, const char *s, size_t len, size_t column);
/* A display-name phrase (From/To): an atom or quoted-string when ASCII,
 * encoded words otherwise. Appends to out. */
int rfc2047_encode_phrase(struct buf *out, const char *s, size_t len, size_t column);
/* Decode encoded words (for tests and bounce parsing); appends UTF-8. */
int rfc2047_decode(struct buf *out, const char *s, size_t len);

#endif
