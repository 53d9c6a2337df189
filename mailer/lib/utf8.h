/* utf8 - the one UTF-8 validator and decoder.
 *
 * Valid means RFC 3629: no overlong forms, no surrogates (U+D800..U+DFFF),
 * nothing above U+10FFFF. Every input is untrusted bytes; nothing here
 * allocates or fails otherwise. Used by content (Markdown and digests),
 * csvread (the encoding of a list), rfc2047 and message (header and body
 * text), bounce (the charset of a notice).
 */
#ifndef MAILER_UTF8_H
#define MAILER_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length (1..4) of the valid sequence at s[0..len) and its code point in
 * *cp; 0 when it is invalid or cut short by len (len must be > 0). */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Length of the longest valid prefix of s[0..len). cut (may be NULL): set to
 * 1 when what follows that prefix is a sequence cut short by the end of s
 * (more bytes could complete it), else 0. nonascii (may be NULL): set to 1
 * when the prefix holds a multi-byte character (never cleared here). */
size_t utf8_valid_prefix(const char *s, size_t len, int *cut, int *nonascii);
/* 1 when all of s[0..len) is valid UTF-8, else 0. */
int utf8_valid(const char *s, size_t len);
/* How many characters valid UTF-8 text holds (continuation bytes are not
 * counted). */
size_t utf8_chars(const char *s, size_t len);

#endif
