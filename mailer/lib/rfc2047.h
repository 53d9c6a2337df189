/* rfc2047 - encoded words for non-ASCII header text (RFC 2047), written by
 * hand because libetpan encodes no header.
 *
 * Input is UTF-8 from untrusted sources. Encoded words are split only on
 * UTF-8 character boundaries, each at most 75 octets (kept under 60 so folds
 * stay tidy), and the result is folded with CRLF SP so no header line passes
 * 78 columns where it can be avoided. CR, LF and NUL in the input never reach
 * the output raw (they are encoded, so they cannot start a header). Invalid
 * UTF-8 is replaced by U+FFFD.
 *
 * Normalisation before encoding (so a decoded header holds no line break or
 * control character either): CR LF, CR, LF and TAB each become one space;
 * NUL, the other C0 controls, DEL and C1 controls become U+FFFD.
 *
 * Q or B: chosen per header value by whichever is shorter (Q for
 * mostly-ASCII Spanish text, B for emoji or non-Latin scripts). Q uses only
 * the characters RFC 2047 section 5(3) allows in a phrase, so the same
 * words are valid in Subject, display names and quoted parameters.
 * All functions return 0, or -1 when out (its cap) cannot take the result.
 */
#ifndef MAILER_RFC2047_H
#define MAILER_RFC2047_H

#include <stddef.h>

#include "buf.h"

/* Longest encoded word this module writes (RFC 2047 allows 75). */
#define RFC2047_WORD_MAX 60

/* Unstructured text (Subject): plain ASCII stays as is when it is safe
 * (printable, single spaces, no "=?"); otherwise encoded words. `column` is
 * where the text starts on its line (strlen("Subject: ")). Appends to out. */
WARN_UNUSED_RESULT int rfc2047_encode_text(struct buf *out, const char *s, size_t len,
                                           size_t column);
/* A display-name phrase (From/To): an atom or quoted-string when ASCII,
 * encoded words otherwise. Appends to out; an empty name appends nothing. */
WARN_UNUSED_RESULT int rfc2047_encode_phrase(struct buf *out, const char *s, size_t len,
                                             size_t column);
/* Encoded words separated by single spaces, never folded: for a MIME
 * parameter value that the caller writes as a quoted string (attachment
 * names). Plain ASCII without '"', '\\' or "=?" is appended as is. */
WARN_UNUSED_RESULT int rfc2047_encode_param(struct buf *out, const char *s, size_t len);
/* Decode encoded words (for tests and bounce parsing); appends UTF-8.
 * Unfolds CRLF WSP, drops whitespace between adjacent encoded words,
 * understands UTF-8, US-ASCII and ISO-8859-1 words; other charsets and
 * malformed words are copied as they are. Invalid UTF-8 becomes U+FFFD. */
WARN_UNUSED_RESULT int rfc2047_decode(struct buf *out, const char *s, size_t len);
/* The normalisation above, on its own: appends clean UTF-8 to out. */
WARN_UNUSED_RESULT int rfc2047_clean(struct buf *out, const char *s, size_t len);

#endif
