/* utf8 - the one UTF-8 validator and decoder. */
#include "utf8.h"

#include <string.h>

#include "banned.h"

size_t utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n, i;
    uint32_t c, min;

    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        n = 2, c = p[0] & 0x1F, min = 0x80;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        n = 3, c = p[0] & 0x0F, min = 0x800;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        n = 4, c = p[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

/* 1 when s[0..len), shorter than the sequence its first byte starts, could
 * still become a valid one: every byte present is what it may be. */
static int cut_short(const unsigned char *s, size_t len)
{
    unsigned char buf[4];
    uint32_t cp;
    size_t need = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;

    if (len >= need)
        return 0;
    /* complete it with the smallest continuation bytes the lead allows */
    memcpy(buf, s, len);
    memset(buf + len, 0x80, need - len);
    if (need == 3 && buf[0] == 0xE0 && len == 1)
        buf[1] = 0xA0;
    if (need == 4 && buf[0] == 0xF0 && len == 1)
        buf[1] = 0x90;
    return utf8_decode((const char *)buf, need, &cp) == need;
}

size_t utf8_valid_prefix(const char *s, size_t len, int *cut, int *nonascii)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, n;
    uint32_t cp;
    uint64_t v;

    if (cut)
        *cut = 0;
    while (i < len) {
        if (i + 8 <= len) { /* ASCII runs eight octets at a time */
            memcpy(&v, p + i, 8);
            v &= 0x8080808080808080ULL;
            if (!v) {
                i += 8;
                continue;
            }
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            i += (size_t)__builtin_clzll(v) >> 3; /* to the first octet above 0x7F */
#else
            i += (size_t)__builtin_ctzll(v) >> 3;
#endif
        } else if (p[i] < 0x80) {
            i++;
            continue;
        }
        /* two-octet characters (Spanish accents) without the general path */
        if (p[i] >= 0xC2 && p[i] <= 0xDF && i + 1 < len && (p[i + 1] & 0xC0) == 0x80) {
            n = 2;
        } else if (!(n = utf8_decode(s + i, len - i, &cp))) {
            if (cut)
                *cut = cut_short(p + i, len - i);
            return i;
        }
        if (nonascii)
            *nonascii = 1;
        i += n;
    }
    return len;
}

int utf8_valid(const char *s, size_t len)
{
    return utf8_valid_prefix(s, len, NULL, NULL) == len;
}

size_t utf8_chars(const char *s, size_t len)
{
    size_t i, c = 0;

    for (i = 0; i < len; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}
