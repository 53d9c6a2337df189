/* token - the unsubscribe token of a delivery, and where a URL carries it. */
#include "token.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "hex.h"

#include "banned.h"

int token_new(char *out)
{
    unsigned char raw[TOKEN_BYTES];
    size_t got = 0;
    int i;

    while (got < sizeof(raw)) {
        ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    for (i = 0; i < TOKEN_BYTES; i++) {
        out[2 * i] = hex_lower[raw[i] >> 4];
        out[2 * i + 1] = hex_lower[raw[i] & 15];
    }
    out[TOKEN_LEN] = '\0';
    return 0;
}

void token_inert(char *out, unsigned long n)
{
    int i;

    for (i = TOKEN_LEN - 1; i >= 0; i--, n >>= 4)
        out[i] = i < TOKEN_LEN / 2 ? '0' : hex_lower[n & 15];
    out[TOKEN_LEN] = '\0';
}

int token_is_inert(const char *t)
{
    return !strncmp(t, "0000000000000000", TOKEN_LEN / 2);
}

int token_valid(const char *s, size_t len)
{
    size_t i;

    if (!s || len != TOKEN_LEN)
        return 0;
    for (i = 0; i < len; i++)
        if (!s[i] || !memchr(hex_lower, s[i], 16)) /* lower case only */
            return 0;
    return 1;
}

enum token_path token_path_parse(const char *base, const char *path, size_t len, char *token)
{
    size_t b = strlen(base);

    if (len < b + 1 || memcmp(path, base, b) != 0 || path[b] != '/')
        return TOKEN_PATH_NONE;
    path += b + 1;
    len -= b + 1;
    if (!token_valid(path, len))
        return TOKEN_PATH_NONE;
    memcpy(token, path, TOKEN_LEN);
    token[TOKEN_LEN] = '\0';
    return TOKEN_PATH_TOKEN;
}

int token_url_path(const char *url, char *out, size_t size)
{
    const char *p, *slash;
    size_t n;

    if (!strncmp(url, "https://", 8))
        p = url + 8;
    else if (!strncmp(url, "http://", 7))
        p = url + 7;
    else
        return -1;
    slash = strchr(p, '/');
    if (slash == p)
        return -1;
    if (!slash)
        slash = p + strlen(p);
    n = strlen(slash);
    while (n && slash[n - 1] == '/')
        n--;
    if (n + 1 > size || strcspn(slash, "?#") < n)
        return -1;
    memcpy(out, slash, n);
    out[n] = '\0';
    return 0;
}

/* Decode s[0..len) into out; -1 on a bad escape, a NUL or no room. */
static int form_decode(const char *s, size_t len, char *out, size_t size)
{
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (len - i < 3 || (c = hex_byte(s + i + 1)) < 0)
                return -1;
            i += 2;
        }
        if (c == 0 || o + 1 >= size)
            return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

int token_form_field(const char *body, size_t len, const char *name, char *out, size_t size)
{
    size_t nlen = strlen(name), i = 0;

    if (!size)
        return -1;
    while (i < len) {
        const char *pair = body + i, *amp = memchr(pair, '&', len - i), *eq;
        size_t plen = amp ? (size_t)(amp - pair) : len - i;
        eq = memchr(pair, '=', plen);
        if (eq && (size_t)(eq - pair) == nlen && !memcmp(pair, name, nlen))
            return form_decode(eq + 1, plen - nlen - 1, out, size);
        i += plen + 1;
    }
    return 1;
}
