/* hex - hexadecimal digits, both ways: the one place that knows them. */
#ifndef MAILER_HEX_H
#define MAILER_HEX_H

/* The digits of each case, for writing: hex_lower[c >> 4], hex_lower[c & 15]. */
extern const char hex_lower[17];
extern const char hex_upper[17];

/* The value of one hex digit (either case), or -1 for any other c. */
int hex_digit(int c);
/* The octet two hex digits at p spell ("e9" -> 0xE9), or -1; p[1] is read
 * only when p[0] is a digit. */
int hex_byte(const char *p);

#endif
