/* base64 - RFC 4648 base64: the one encoder (message bodies in lines,
 * RFC 2047 encoded words) and the digits' values for decoding. */
#ifndef MAILER_BASE64_H
#define MAILER_BASE64_H

#include <stddef.h>

/* How many octets the base64 text of n octets takes (padded, no NUL). */
#define BASE64_LEN(n) (((n) + 2) / 3 * 4)

/* The base64 text of p[0..n), '='-padded, written at w, which has room for
 * BASE64_LEN(n) octets (the caller makes it; nothing else is written, no
 * NUL); returns the end of what it wrote. */
char *base64_put(char *w, const unsigned char *p, size_t n);

/* The value of one base64 digit, or -1 for any other c ('=' included). */
int base64_digit(int c);

#endif
