/* base64 - RFC 4648 base64. */
#include "base64.h"

#include <stdint.h>

#include "banned.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Whole groups first, without a test per group; then the padded tail. */
char *base64_put(char *w, const unsigned char *p, size_t n)
{
    size_t i, whole = n / 3 * 3;
    uint32_t v;

    for (i = 0; i < whole; i += 3, w += 4) {
        v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        w[0] = alphabet[v >> 18];
        w[1] = alphabet[(v >> 12) & 63];
        w[2] = alphabet[(v >> 6) & 63];
        w[3] = alphabet[v & 63];
    }
    if (i < n) {
        v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        w[0] = alphabet[v >> 18];
        w[1] = alphabet[(v >> 12) & 63];
        w[2] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        w[3] = '=';
        w += 4;
    }
    return w;
}

int base64_digit(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    return c == '/' ? 63 : -1;
}
