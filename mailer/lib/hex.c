/* hex - hexadecimal digits, both ways. */
#include "hex.h"

#include "banned.h"

const char hex_lower[17] = "0123456789abcdef";
const char hex_upper[17] = "0123456789ABCDEF";

int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int hex_byte(const char *p)
{
    int h = hex_digit((unsigned char)p[0]), l;

    if (h < 0)
        return -1;
    l = hex_digit((unsigned char)p[1]);
    return l < 0 ? -1 : h << 4 | l;
}
