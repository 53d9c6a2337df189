/* array - room in a growable array. */
#include "array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "banned.h"

void *array_grow(void *v, size_t *alloc, size_t first, size_t elem)
{
    size_t n = *alloc ? *alloc * 2 : first;
    void *p;

    if ((*alloc && *alloc > SIZE_MAX / 2) || !n || !elem || n > SIZE_MAX / elem) {
        errno = ENOMEM;
        return NULL;
    }
    p = realloc(v, n * elem);
    if (p)
        *alloc = n;
    return p;
}
