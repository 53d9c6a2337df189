/* value - the data templates render: strings, numbers, booleans, lists, maps.
 *
 * A value tree owns its children: value_free() frees the whole tree. Maps
 * keep insertion order (so JSON output follows the CSV's columns) and setting
 * an existing key replaces its value. Strings are byte strings (UTF-8 by
 * convention) and may hold NUL bytes. JSON in and out is this module's
 * alone (one writer, one escaper, one reader); it reads through json-c,
 * which only this module includes.
 */
#ifndef MAILER_VALUE_H
#define MAILER_VALUE_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

enum value_type { VALUE_NULL, VALUE_BOOL, VALUE_NUMBER, VALUE_STRING, VALUE_LIST, VALUE_MAP };

struct value;

struct value *value_new_null(void);
struct value *value_new_bool(int b);
/* A number keeps the text it was written with ("1.21", "85"). */
struct value *value_new_number(double d, const char *text);
struct value *value_new_string(const char *s, size_t len);
struct value *value_new_cstring(const char *s);
struct value *value_new_list(void);
struct value *value_new_map(void);
void value_free(struct value *v);
/* Deep copy; NULL when out of memory. */
struct value *value_dup(const struct value *v);

enum value_type value_type(const struct value *v);
/* Falsey: null, false, 0, "", empty list. */
int value_truthy(const struct value *v);
/* The text of a string, number ("1.21") or bool ("true"); NULL for others. */
const char *value_text(const struct value *v, size_t *len);

/* Lists: append takes ownership of item (freed on failure too). */
int value_list_append(struct value *list, struct value *item);
size_t value_list_len(const struct value *list);
const struct value *value_list_at(const struct value *list, size_t i);

/* Maps: set takes ownership of v (freed on failure too); replaces a key. */
int value_map_set(struct value *map, const char *key, struct value *v);
int value_map_set_string(struct value *map, const char *key, const char *s);
const struct value *value_map_get(const struct value *map, const char *key);
const struct value *value_map_getn(const struct value *map, const char *key, size_t keylen);
size_t value_map_len(const struct value *map);
/* The i-th entry in insertion order; key may be NULL. */
const struct value *value_map_at(const struct value *map, size_t i, const char **key);

/* Parse JSON text (untrusted); NULL with err set on bad JSON ("ORIGIN:LINE:
 * invalid JSON: ..."). A flat object of strings ({"k":"v",...}, as a
 * delivery's variables are kept) is read directly; anything else by json-c,
 * with the same result. */
struct value *value_from_json(const char *text, size_t len, const char *origin, struct err *err);
struct value *value_from_json_file(const char *path, struct err *err);
/* Append v as JSON (compact unless pretty) to out. 0, or -1 when out is
 * full (out is then as it was). */
WARN_UNUSED_RESULT int value_to_json(const struct value *v, struct buf *out, int pretty);
/* The one JSON string escaper: s[0..len) as a JSON string onto out (RFC
 * 8259: '"' and '\\' escaped; \n, \r, \t; the other control characters
 * and DEL as \u00xx; the rest, UTF-8 included, as is). 0, or -1 when out is
 * full (out is then as it was). */
WARN_UNUSED_RESULT int value_json_string(struct buf *out, const char *s, size_t len);
/* The same for a C string; NULL as null. */
WARN_UNUSED_RESULT int value_json_quote(struct buf *out, const char *s);

#endif
