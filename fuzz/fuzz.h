/* fuzz.h - helpers shared by the libFuzzer harnesses (header only). */
#ifndef MAILER_FUZZ_H
#define MAILER_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An invariant the harness checks: a violation is a crash libFuzzer keeps. */
#define FUZZ_ASSERT(c)                                                                             \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #c);              \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Split data at the first NUL: the part before into a fresh NUL-terminated
 * string (*a, caller frees), the rest in *rest / *restlen. */
static inline char *fuzz_cut(const uint8_t **data, size_t *len)
{
    const uint8_t *nul = memchr(*data, 0, *len);
    size_t n = nul ? (size_t)(nul - *data) : *len;
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, *data, n);
    s[n] = 0;
    *data += nul ? n + 1 : n;
    *len -= nul ? n + 1 : n;
    return s;
}

/* Write data to path (mode 0600). */
static inline void fuzz_write(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (len && fwrite(data, 1, len, f) != len)
        abort();
    if (fclose(f))
        abort();
}

/* A private temporary directory, made once per process. */
static inline const char *fuzz_tmpdir(void)
{
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/mailer-fuzz-XXXXXX");
        if (!mkdtemp(dir))
            abort();
    }
    return dir;
}

#endif
