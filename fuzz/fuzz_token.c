/* fuzz_token - what `mailer serve` parses from a request: the path against
 * the base (only BASE/TOKEN with a well-formed token is one), the form body
 * (percent-decoding never overruns, never yields a NUL), the public URL's
 * path. Input: the first byte picks the base, the rest is split at the first
 * NUL into a path and a body. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "token.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    static const char *const bases[] = {"/baja", "", "/iecm/baja"};
    char token[TOKEN_LEN + 1], field[256], path[128];
    const char *s = (const char *)data, *base, *nul;
    size_t plen, blen;

    if (len < 1)
        return 0;
    base = bases[data[0] % 3];
    s++;
    len--;
    nul = memchr(s, '\0', len);
    plen = nul ? (size_t)(nul - s) : len;
    blen = nul ? len - plen - 1 : 0;

    memset(token, 'x', sizeof(token));
    if (token_path_parse(base, s, plen, token) == TOKEN_PATH_TOKEN) {
        /* exactly BASE/TOKEN: the token is well formed and NUL-terminated */
        FUZZ_ASSERT(token[TOKEN_LEN] == '\0');
        FUZZ_ASSERT(token_valid(token, strlen(token)));
        FUZZ_ASSERT(plen == strlen(base) + 1 + TOKEN_LEN);
        FUZZ_ASSERT(!memcmp(s + strlen(base) + 1, token, TOKEN_LEN));
    }
    if (nul) {
        int rc = token_form_field(nul + 1, blen, "List-Unsubscribe", field, sizeof(field));
        FUZZ_ASSERT(rc >= -1 && rc <= 1);
        if (rc == 0)
            FUZZ_ASSERT(strlen(field) < sizeof(field));
        rc = token_form_field(nul + 1, blen, "lista", field, sizeof(field));
        FUZZ_ASSERT(rc >= -1 && rc <= 1);
    }
    /* the public base URL (UNSUBSCRIBE_URL), as a NUL-terminated string */
    if (plen < 512) {
        char url[512];
        memcpy(url, s, plen);
        url[plen] = '\0';
        if (token_url_path(url, path, sizeof(path)) == 0)
            FUZZ_ASSERT(strlen(path) < sizeof(path) && (!path[0] || path[0] == '/'));
    }
    return 0;
}
