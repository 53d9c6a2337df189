/* array - room in a growable array: the one doubling rule.
 *
 *     if (t->n == t->alloc) {
 *         struct token *nv = array_grow(t->v, &t->alloc, 64, sizeof(*nv));
 *         if (!nv)
 *             return -1;                     out of memory: t->v untouched
 *         t->v = nv;
 *     }
 *     t->v[t->n++] = ...;
 */
#ifndef MAILER_ARRAY_H
#define MAILER_ARRAY_H

#include <stddef.h>

/* v, an array of *alloc elements of elem bytes (NULL when *alloc is 0),
 * reallocated to twice as many (first, at least 1, when it had none);
 * *alloc updated.
 * NULL when out of memory or when the size would overflow: v is then
 * untouched and still the caller's, and *alloc unchanged. */
void *array_grow(void *v, size_t *alloc, size_t first, size_t elem);

#endif
