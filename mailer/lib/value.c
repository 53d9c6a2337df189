/* value - the data templates render: strings, numbers, booleans, lists, maps. */
#include "value.h"

#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "hex.h"

#include "banned.h"

struct entry {
    char *key;
    struct value *v;
};

struct value {
    enum value_type type;
    int b;
    double d;
    char *s; /* string text or number text */
    size_t len;
    struct entry *entries; /* map entries */
    struct value **items;  /* list items */
    size_t n, alloc;
};

static struct value *value_alloc(enum value_type type)
{
    struct value *v = calloc(1, sizeof(*v));

    if (v)
        v->type = type;
    return v;
}

struct value *value_new_null(void)
{
    return value_alloc(VALUE_NULL);
}

struct value *value_new_bool(int b)
{
    struct value *v = value_alloc(VALUE_BOOL);

    if (v)
        v->b = !!b;
    return v;
}

struct value *value_new_string(const char *s, size_t len)
{
    struct value *v = value_alloc(VALUE_STRING);

    if (!v)
        return NULL;
    v->s = xstrndup(s, len);
    if (!v->s) {
        free(v);
        return NULL;
    }
    v->len = len;
    return v;
}

struct value *value_new_cstring(const char *s)
{
    return value_new_string(s, strlen(s));
}

struct value *value_new_number(double d, const char *text)
{
    char tmp[64];
    struct value *v;

    if (!text) {
        if (d == floor(d) && fabs(d) < 1e15)
            snprintf(tmp, sizeof(tmp), "%.0f", d);
        else
            snprintf(tmp, sizeof(tmp), "%.15g", d);
        text = tmp;
    }
    v = value_new_cstring(text);
    if (v) {
        v->type = VALUE_NUMBER;
        v->d = d;
    }
    return v;
}

struct value *value_new_list(void)
{
    return value_alloc(VALUE_LIST);
}

struct value *value_new_map(void)
{
    return value_alloc(VALUE_MAP);
}

void value_free(struct value *v)
{
    size_t i;

    if (!v)
        return;
    for (i = 0; i < v->n; i++) {
        if (v->type == VALUE_MAP) {
            free(v->entries[i].key);
            value_free(v->entries[i].v);
        } else {
            value_free(v->items[i]);
        }
    }
    free(v->entries);
    free(v->items);
    free(v->s);
    free(v);
}

struct value *value_dup(const struct value *v)
{
    struct value *c;
    size_t i;

    switch (v->type) {
    case VALUE_NULL:
        return value_new_null();
    case VALUE_BOOL:
        return value_new_bool(v->b);
    case VALUE_NUMBER:
        return value_new_number(v->d, v->s);
    case VALUE_STRING:
        return value_new_string(v->s, v->len);
    case VALUE_LIST:
        c = value_new_list();
        for (i = 0; c && i < v->n; i++) {
            struct value *item = value_dup(v->items[i]);
            if (!item || value_list_append(c, item)) {
                value_free(c);
                return NULL;
            }
        }
        return c;
    case VALUE_MAP:
        c = value_new_map();
        for (i = 0; c && i < v->n; i++) {
            struct value *item = value_dup(v->entries[i].v);
            if (!item || value_map_set(c, v->entries[i].key, item)) {
                value_free(c);
                return NULL;
            }
        }
        return c;
    }
    return NULL;
}

enum value_type value_type(const struct value *v)
{
    return v ? v->type : VALUE_NULL;
}

int value_truthy(const struct value *v)
{
    if (!v)
        return 0;
    switch (v->type) {
    case VALUE_NULL:
        return 0;
    case VALUE_BOOL:
        return v->b;
    case VALUE_NUMBER:
        return v->d != 0;
    case VALUE_STRING:
        return v->len > 0;
    case VALUE_LIST:
        return v->n > 0;
    case VALUE_MAP:
        return 1;
    }
    return 0;
}

const char *value_text(const struct value *v, size_t *len)
{
    if (!v)
        return NULL;
    switch (v->type) {
    case VALUE_STRING:
    case VALUE_NUMBER:
        if (len)
            *len = v->len;
        return v->s;
    case VALUE_BOOL:
        if (len)
            *len = v->b ? 4 : 5;
        return v->b ? "true" : "false";
    default:
        return NULL;
    }
}

static int value_reserve(struct value *v, size_t elem)
{
    void *p;

    if (v->n < v->alloc)
        return 0;
    p = array_grow(v->type == VALUE_MAP ? (void *)v->entries : (void *)v->items, &v->alloc, 8,
                   elem);
    if (!p)
        return -1;
    if (v->type == VALUE_MAP)
        v->entries = p;
    else
        v->items = p;
    return 0;
}

int value_list_append(struct value *list, struct value *item)
{
    if (!item || list->type != VALUE_LIST || value_reserve(list, sizeof(*list->items))) {
        value_free(item);
        return -1;
    }
    list->items[list->n++] = item;
    return 0;
}

size_t value_list_len(const struct value *list)
{
    return list && list->type == VALUE_LIST ? list->n : 0;
}

const struct value *value_list_at(const struct value *list, size_t i)
{
    return i < value_list_len(list) ? list->items[i] : NULL;
}

static struct entry *map_find(const struct value *map, const char *key, size_t keylen)
{
    size_t i;

    if (!map || map->type != VALUE_MAP)
        return NULL;
    for (i = 0; i < map->n; i++) {
        const char *k = map->entries[i].key;
        if (strncmp(k, key, keylen) == 0 && k[keylen] == '\0')
            return &map->entries[i];
    }
    return NULL;
}

int value_map_set(struct value *map, const char *key, struct value *v)
{
    struct entry *e;
    char *k;

    if (!v || map->type != VALUE_MAP)
        goto fail;
    e = map_find(map, key, strlen(key));
    if (e) {
        value_free(e->v);
        e->v = v;
        return 0;
    }
    k = strdup(key);
    if (!k || value_reserve(map, sizeof(*map->entries))) {
        free(k);
        goto fail;
    }
    map->entries[map->n].key = k;
    map->entries[map->n].v = v;
    map->n++;
    return 0;
fail:
    value_free(v);
    return -1;
}

int value_map_set_string(struct value *map, const char *key, const char *s)
{
    return value_map_set(map, key, value_new_cstring(s));
}

const struct value *value_map_getn(const struct value *map, const char *key, size_t keylen)
{
    struct entry *e = map_find(map, key, keylen);

    return e ? e->v : NULL;
}

const struct value *value_map_get(const struct value *map, const char *key)
{
    return value_map_getn(map, key, strlen(key));
}

size_t value_map_len(const struct value *map)
{
    return map && map->type == VALUE_MAP ? map->n : 0;
}

const struct value *value_map_at(const struct value *map, size_t i, const char **key)
{
    if (i >= value_map_len(map))
        return NULL;
    if (key)
        *key = map->entries[i].key;
    return map->entries[i].v;
}

static struct value *from_json(struct json_object *o)
{
    struct value *v;
    size_t i, n;

    switch (json_object_get_type(o)) {
    case json_type_null:
        return value_new_null();
    case json_type_boolean:
        return value_new_bool(json_object_get_boolean(o));
    case json_type_int:
        return value_new_number((double)json_object_get_int64(o), json_object_get_string(o));
    case json_type_double:
        /* keep the text ("1.10", "1e400"): %.15g of 1e400 is "inf", not JSON */
        return value_new_number(json_object_get_double(o), json_object_get_string(o));
    case json_type_string:
        return value_new_string(json_object_get_string(o), (size_t)json_object_get_string_len(o));
    case json_type_array:
        v = value_new_list();
        n = json_object_array_length(o);
        for (i = 0; v && i < n; i++) {
            if (value_list_append(v, from_json(json_object_array_get_idx(o, i)))) {
                value_free(v);
                return NULL;
            }
        }
        return v;
    case json_type_object:
        v = value_new_map();
        json_object_object_foreach(o, key, child)
        {
            if (v && value_map_set(v, key, from_json(child))) {
                value_free(v);
                return NULL;
            }
        }
        return v;
    }
    return NULL;
}

/* ---- JSON in ----
 * Flat objects of strings ({"k":"v",...}: a delivery's variables in the
 * ledger, read once a message) are read directly, several times faster
 * than through json-c; anything else, or anything this reader is not sure
 * of, goes to json-c, which reads it or says what is wrong. */

static const char *json_ws(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
        s++;
    return s;
}

/* One JSON string at *p (after its opening quote) into out; 0, or -1 when
 * it is not one the direct reader takes. */
static int flat_string(const char **p, const char *end, struct buf *out)
{
    static const char esc[] = "\"\\/bfnrt", val[] = "\"\\/\b\f\n\r\t";
    const char *s = *p, *run, *e;
    int c;

    buf_reset(out);
    while (s < end) {
        for (run = s; s < end && *s != '"' && *s != '\\' && (unsigned char)*s >= 0x20; s++)
            ;
        if (s > run && buf_add(out, run, (size_t)(s - run)))
            return -1;
        if (s == end || (unsigned char)*s < 0x20)
            return -1;
        if (*s == '"') {
            *p = s + 1;
            return 0;
        }
        if (++s == end)
            return -1;
        if (*s == 'u') {
            /* only what value_json_string writes: \u0001..\u007f */
            if (end - s < 5 || s[1] != '0' || s[2] != '0' || (c = hex_byte(s + 3)) <= 0 ||
                c >= 0x80)
                return -1;
            s += 5;
        } else if (*s && (e = strchr(esc, *s))) {
            c = val[e - esc];
            s++;
        } else {
            return -1;
        }
        if (buf_addch(out, c))
            return -1;
    }
    return -1;
}

/* {"k":"v",...} into a map; NULL when the text is anything else. */
static struct value *flat_object(const char *json, size_t len)
{
    const char *s = json, *end = json + len;
    struct buf key = BUF_INIT, val = BUF_INIT;
    struct value *map = value_new_map(), *v;
    int ok = 0;

    s = json_ws(s, end);
    if (!map || s == end || *s++ != '{')
        goto out;
    s = json_ws(s, end);
    if (s < end && *s == '}') {
        ok = json_ws(s + 1, end) == end;
        goto out;
    }
    for (;;) {
        s = json_ws(s, end);
        if (s == end || *s++ != '"' || flat_string(&s, end, &key) || memchr(key.data, 0, key.len))
            goto out;
        s = json_ws(s, end);
        if (s == end || *s++ != ':')
            goto out;
        s = json_ws(s, end);
        if (s == end || *s++ != '"' || flat_string(&s, end, &val))
            goto out;
        if (!(v = value_new_string(val.data, val.len)) || value_map_set(map, key.data, v))
            goto out;
        s = json_ws(s, end);
        if (s < end && *s == ',') {
            s++;
            continue;
        }
        if (s < end && *s == '}') {
            ok = json_ws(s + 1, end) == end;
            break;
        }
        goto out;
    }
out:
    buf_release(&key);
    buf_release(&val);
    if (!ok) {
        value_free(map);
        return NULL;
    }
    return map;
}

struct value *value_from_json(const char *text, size_t len, const char *origin, struct err *err)
{
    struct json_tokener *tok;
    struct json_object *o = NULL;
    struct value *v = flat_object(text, len);
    enum json_tokener_error jerr;
    size_t end;

    if (v)
        return v;
    tok = json_tokener_new();
    if (!tok) {
        err_nomem(err);
        return NULL;
    }
    if (len > INT_MAX) {
        err_set(err, ERR_DATA, "%s: JSON text too large", origin);
        goto out;
    }
    o = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    if (!o && jerr == json_tokener_continue) {
        /* A number at the very end ("2") waits for more: the text ends here. */
        o = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        end = len;
    }
    if (!o || jerr != json_tokener_success || end < len) {
        size_t at = end, line = 1, i;
        for (i = 0; i < at && i < len; i++)
            line += text[i] == '\n';
        err_set(err, ERR_DATA, "%s:%zu: invalid JSON: %s", origin, line,
                jerr == json_tokener_success ? "unexpected data after the value"
                                             : json_tokener_error_desc(jerr));
        goto out;
    }
    v = from_json(o);
    if (!v)
        err_nomem(err);
out:
    json_object_put(o);
    json_tokener_free(tok);
    return v;
}

struct value *value_from_json_file(const char *path, struct err *err)
{
    struct buf b;
    struct value *v;

    buf_init(&b, 64 * 1024 * 1024);
    if (buf_read_file(&b, path)) {
        err_errno(err, ERR_NOINPUT, "%s: cannot read", path);
        buf_release(&b);
        return NULL;
    }
    v = value_from_json(b.data, b.len, path, err);
    buf_release(&b);
    return v;
}

int value_json_string(struct buf *out, const char *s, size_t len)
{
    size_t i = 0, run, was = out->len;
    unsigned char c;
    int rc = buf_addch(out, '"');

    while (!rc && i < len) {
        for (run = i; run < len; run++) { /* a run that needs no escape, copied at once */
            c = (unsigned char)s[run];
            if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f)
                break;
        }
        if (run > i && (rc = buf_add(out, s + i, run - i)))
            break;
        if ((i = run) == len)
            break;
        c = (unsigned char)s[i++];
        if (c == '"' || c == '\\') {
            rc = buf_addch(out, '\\') || buf_addch(out, (char)c);
        } else if (c == '\n') {
            rc = buf_addstr(out, "\\n");
        } else if (c == '\r') {
            rc = buf_addstr(out, "\\r");
        } else if (c == '\t') {
            rc = buf_addstr(out, "\\t");
        } else {
            char esc[7] = {'\\', 'u', '0', '0', hex_lower[c >> 4], hex_lower[c & 15], 0};
            rc = buf_addstr(out, esc);
        }
    }
    if (rc || buf_addch(out, '"')) {
        buf_setlen(out, was); /* none of it, rather than a piece */
        return -1;
    }
    return 0;
}

int value_json_quote(struct buf *out, const char *s)
{
    return s ? value_json_string(out, s, strlen(s)) : buf_addstr(out, "null");
}

static int indent(struct buf *out, int pretty, int depth)
{
    int rc = 0;

    if (!pretty)
        return 0;
    rc = buf_addch(out, '\n');
    while (!rc && depth-- > 0)
        rc = buf_addstr(out, "  ");
    return rc;
}

static int to_json(const struct value *v, struct buf *out, int pretty, int depth)
{
    size_t i;
    int rc = 0;

    switch (value_type(v)) {
    case VALUE_NULL:
        return buf_addstr(out, "null");
    case VALUE_BOOL:
        return buf_addstr(out, v->b ? "true" : "false");
    case VALUE_NUMBER:
        return buf_addstr(out, v->s);
    case VALUE_STRING:
        return value_json_string(out, v->s, v->len);
    case VALUE_LIST:
        rc = buf_addch(out, '[');
        for (i = 0; i < v->n && !rc; i++) {
            rc = (i ? buf_addch(out, ',') : 0) || indent(out, pretty, depth + 1) ||
                 to_json(v->items[i], out, pretty, depth + 1);
        }
        return rc || (v->n ? indent(out, pretty, depth) : 0) || buf_addch(out, ']') ? -1 : 0;
    case VALUE_MAP:
        rc = buf_addch(out, '{');
        for (i = 0; i < v->n && !rc; i++) {
            const char *k = v->entries[i].key;
            rc = (i ? buf_addch(out, ',') : 0) || indent(out, pretty, depth + 1) ||
                 value_json_quote(out, k) || buf_addstr(out, pretty ? ": " : ":") ||
                 to_json(v->entries[i].v, out, pretty, depth + 1);
        }
        return rc || (v->n ? indent(out, pretty, depth) : 0) || buf_addch(out, '}') ? -1 : 0;
    }
    return -1;
}

int value_to_json(const struct value *v, struct buf *out, int pretty)
{
    size_t was = out->len;

    if (to_json(v, out, pretty, 0)) {
        buf_setlen(out, was);
        return -1;
    }
    return 0;
}
