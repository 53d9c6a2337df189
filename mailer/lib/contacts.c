/* contacts - contact lists (CSV) into an audience: columns, dedupe, filter,
 * suppression. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "address.h"
#include "contacts.h"
#include "csvread.h"
#include "filter.h"
#include "fold.h"

#include "banned.h"

/* ---- dedupe set ------------------------------------------------------
 * Open addressing over 8-byte slots (upper 32 bits of the hash as a tag,
 * lower 32 bits the entry index + 1) so that a million addresses probe a
 * 16 MB table; keys live in 1 MiB arena blocks, entries in one array. */

struct seen {
    const char *key; /* in the arena */
    uint32_t line;
    uint32_t list;
};

struct arena_block {
    struct arena_block *next;
    size_t used, size;
    char data[];
};

struct dedupe {
    uint64_t *slots;
    size_t mask;
    struct seen *ents;
    size_t n, alloc;
    struct arena_block *blocks;
};

/* 8 bytes at a time, multiply and fold; ends with a full mix (the low
 * bits pick the slot, the high ones are the tag). */
static uint64_t hash_key(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

    while (n >= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
        s += 8, n -= 8;
    }
    w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 29;
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 32);
}

static const char *arena_add(struct dedupe *d, const char *s, size_t n)
{
    struct arena_block *b = d->blocks;
    char *p;

    if (!b || b->size - b->used < n + 1) {
        size_t size = 1024 * 1024;
        b = malloc(sizeof(*b) + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        b->next = d->blocks;
        d->blocks = b;
    }
    p = b->data + b->used;
    memcpy(p, s, n);
    p[n] = '\0';
    b->used += n + 1;
    return p;
}

/* A zeroed slot table. Probes land anywhere in it: from 2 MiB on, ask for
 * huge pages so that a million-address table does not miss the TLB on
 * every row (a hint; without it the table works the same, only slower). */
static uint64_t *slots_new(size_t n)
{
    size_t bytes = n * sizeof(uint64_t);
    void *p = NULL;

    if (bytes < (2u << 20))
        return calloc(n, sizeof(uint64_t));
    if (posix_memalign(&p, 2u << 20, bytes))
        return NULL;
    madvise(p, bytes, MADV_HUGEPAGE);
    memset(p, 0, bytes);
    return p;
}

/* Make room for want entries (0: one more than now). */
static int dedupe_grow(struct dedupe *d, size_t want)
{
    size_t nsize = d->slots ? d->mask + 1 : 1024, i, j;
    uint64_t *ns;
    struct seen *ne;

    if (want < d->n + 1)
        want = d->n + 1;
    if (want > UINT32_MAX - 1)
        return -1;
    while (nsize / 4 * 3 < want)
        nsize *= 2;
    if (d->alloc < want) {
        size_t na = d->alloc ? d->alloc : 1024;
        while (na < want)
            na *= 2;
        ne = realloc(d->ents, na * sizeof(*ne));
        if (!ne)
            return -1;
        d->ents = ne;
        d->alloc = na;
    }
    if (d->slots && nsize == d->mask + 1)
        return 0;
    ns = slots_new(nsize);
    if (!ns)
        return -1;
    for (i = 0; i < d->n; i++) {
        uint64_t h = hash_key(d->ents[i].key, strlen(d->ents[i].key));
        for (j = h & (nsize - 1); ns[j]; j = (j + 1) & (nsize - 1))
            ;
        ns[j] = (h & 0xffffffff00000000ULL) | (i + 1);
    }
    free(d->slots);
    d->slots = ns;
    d->mask = nsize - 1;
    return 0;
}

/* Insert key; returns 0 if new, 1 if seen before (*first set, valid until
 * the next insert), -1 on ENOMEM. */
static int dedupe_add(struct dedupe *d, const char *key, uint64_t h, uint32_t list, uint32_t line,
                      const struct seen **first)
{
    size_t n = strlen(key), i;
    uint64_t tag = h & 0xffffffff00000000ULL, slot;
    struct seen *e;

    if (!d->slots || d->n + 1 > d->alloc || (d->n + 1) * 4 > (d->mask + 1) * 3)
        if (dedupe_grow(d, 0))
            return -1;
    for (i = h & d->mask; (slot = d->slots[i]) != 0; i = (i + 1) & d->mask) {
        if ((slot & 0xffffffff00000000ULL) == tag &&
            !strcmp(d->ents[(slot & 0xffffffffULL) - 1].key, key)) {
            *first = &d->ents[(slot & 0xffffffffULL) - 1];
            return 1;
        }
    }
    e = &d->ents[d->n];
    e->key = arena_add(d, key, n);
    if (!e->key)
        return -1;
    e->list = list;
    e->line = line;
    d->slots[i] = tag | (d->n + 1);
    d->n++;
    return 0;
}

/* Hash of key, and a prefetch of its slot: the probe is a cache (and TLB)
 * miss on a large table, so start it before the row's other work. */
static uint64_t dedupe_prefetch(const struct dedupe *d, const char *key)
{
    uint64_t h = hash_key(key, strlen(key));

    if (d->slots)
        __builtin_prefetch(&d->slots[h & d->mask]);
    return h;
}

static void dedupe_release(struct dedupe *d)
{
    struct arena_block *b, *next;

    for (b = d->blocks; b; b = next) {
        next = b->next;
        free(b);
    }
    free(d->slots);
    free(d->ents);
}

/* ---- header mapping -------------------------------------------------- */

static const char *const address_names[] = {
    "email",
    "e_mail",
    "correo",
    "correo_electronico",
    "correo_e",
    "mail",
    "email_address",
    "e_mail_address",
    "mail_address",
    "direccion_de_correo",
    "direccion_de_correo_electronico",
    "direccion_de_email",
    "direccion_email",
    "direccion_electronica",
    "e_mail_1_value",
    "email_1",
};
static const char *const fullname_names[] = {
    "nombre_completo", "nombre_y_apellidos", "nombre_y_apellido", "full_name", "name",
    "display_name",    "nombre_apellido",    "nombre_apellidos",
};
static const char *const first_names[] = {"nombre", "nombres", "first_name", "given_name", "first"};
static const char *const last_names[] = {"apellidos",   "apellido", "last_name",
                                         "family_name", "surname",  "last"};

#define NO_COL ((size_t)-1)

struct list_state {
    size_t ncols;
    char **keys; /* normalized header per column (deduplicated) */
    char **raw;  /* header as written */
    size_t addr_col;
    size_t full_col, first_col, last_col, last2_col; /* NO_COL when absent */
    int has_nombre_col;
    size_t rows, invalid;
    struct value *vars;
};

struct loader {
    const struct audience_spec *spec;
    contacts_fn fn;
    void *ud;
    struct audience_stats *stats;
    struct buf *report;
    struct err *err;
    struct filter *filter;
    struct dedupe seen;
    size_t list_idx;
    const char *file;
    char *list_name;
    struct list_state ls;
    struct buf name, tmp;
    struct address_result ar;
    int stopped; /* fn or verdict returned non-zero */
};

static size_t find_col(const struct list_state *ls, const char *const *names, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++)
        for (j = 0; j < ls->ncols; j++)
            if (!strcmp(ls->keys[j], names[i]))
                return j;
    return NO_COL;
}

static int add_printable(struct buf *b, const char *s, size_t n);

/* The headers as written, quoted and escaped: they are untrusted text
 * going into a one-line message. */
static int list_headers(struct buf *b, const struct list_state *ls)
{
    size_t i;

    for (i = 0; i < ls->ncols; i++)
        if (buf_addstr(b, i ? ", \"" : "\"") || add_printable(b, ls->raw[i], strlen(ls->raw[i])) ||
            buf_addch(b, '"'))
            return -1;
    return 0;
}

/* The column whose header (as written or normalized) is name; NO_COL. */
static size_t named_col(struct loader *L, const char *name)
{
    const struct list_state *ls = &L->ls;
    size_t i;

    if (fold_key(name, strlen(name), &L->tmp))
        return NO_COL;
    for (i = 0; i < ls->ncols; i++)
        if (!strcmp(ls->raw[i], name) || !strcmp(ls->keys[i], L->tmp.data))
            return i;
    return NO_COL;
}

/* Where a list's options would be said, for the advice of a message. */
static const char *conf_of(const struct loader *L)
{
    const struct contacts_list_opts *o =
        L->spec->list_opts ? &L->spec->list_opts[L->list_idx] : NULL;

    return o && o->conf ? o->conf : "contacts/NAME.ini";
}

static int find_address_col(struct loader *L, const struct csvread_record *rec)
{
    struct list_state *ls = &L->ls;
    const struct contacts_list_opts *o =
        L->spec->list_opts ? &L->spec->list_opts[L->list_idx] : NULL;
    size_t i, j, found = 0, cols[2] = {NO_COL, NO_COL};

    buf_reset(&L->tmp);
    if (o && o->address_column) {
        if ((ls->addr_col = named_col(L, o->address_column)) != NO_COL)
            return 0;
        buf_reset(&L->tmp);
        if (list_headers(&L->tmp, ls))
            return err_nomem(L->err);
        return err_set(L->err, ERR_DATA,
                       "%s:%zu: no column \"%s\" (the address column named in %s); headers "
                       "found: %s",
                       L->file, rec->line, o->address_column, conf_of(L), L->tmp.data);
    }
    for (i = 0; i < ls->ncols; i++)
        for (j = 0; j < sizeof(address_names) / sizeof(address_names[0]); j++)
            if (!strcmp(ls->keys[i], address_names[j])) {
                if (found < 2)
                    cols[found] = i;
                found++;
                break;
            }
    if (found == 1) {
        ls->addr_col = cols[0];
        return 0;
    }
    if (list_headers(&L->tmp, ls))
        return err_nomem(L->err);
    if (found == 0)
        return err_set(L->err, ERR_DATA,
                       "%s:%zu: no address column (such as \"email\" or \"correo\"); if it "
                       "has another name, write it in %s (address_column = NAME); headers "
                       "found: %s",
                       L->file, rec->line, conf_of(L), L->tmp.data);
    return err_set(L->err, ERR_DATA,
                   "%s:%zu: %zu columns could hold the addresses (\"%s\", \"%s\"): write "
                   "the one to use in %s (address_column = NAME); headers found: %s",
                   L->file, rec->line, found, ls->raw[cols[0]], ls->raw[cols[1]], conf_of(L),
                   L->tmp.data);
}

/* The list options' name_columns, when they name them: first, last and a
 * second last name, in the order given. */
static int find_name_cols(struct loader *L, const struct csvread_record *rec)
{
    struct list_state *ls = &L->ls;
    const struct contacts_list_opts *o =
        L->spec->list_opts ? &L->spec->list_opts[L->list_idx] : NULL;
    size_t *slot[3] = {&ls->first_col, &ls->last_col, &ls->last2_col}, i;

    ls->full_col = NO_COL;
    for (i = 0; i < 3; i++) {
        *slot[i] = NO_COL;
        if (!o->name_columns[i])
            continue;
        if ((*slot[i] = named_col(L, o->name_columns[i])) != NO_COL)
            continue;
        buf_reset(&L->tmp);
        if (list_headers(&L->tmp, ls))
            return err_nomem(L->err);
        return err_set(L->err, ERR_DATA,
                       "%s:%zu: no column \"%s\" (a name column named in %s); headers found: %s",
                       L->file, rec->line, o->name_columns[i], conf_of(L), L->tmp.data);
    }
    return 0;
}

static void list_state_release(struct list_state *ls)
{
    size_t i;

    for (i = 0; i < ls->ncols; i++) {
        free(ls->keys[i]);
        free(ls->raw[i]);
    }
    free(ls->keys);
    free(ls->raw);
    value_free(ls->vars);
    memset(ls, 0, sizeof(*ls));
}

static int key_taken(const struct list_state *ls, size_t upto, const char *key)
{
    size_t i;

    for (i = 0; i < upto; i++)
        if (!strcmp(ls->keys[i], key))
            return 1;
    return 0;
}

static int list_info(struct loader *L, const struct csvread_record *rec)
{
    const struct list_state *ls = &L->ls;
    struct contacts_list_info info;
    size_t cols[3] = {ls->full_col, NO_COL, NO_COL}, i, k = 0;
    int rc;

    if (ls->full_col == NO_COL) {
        cols[0] = ls->first_col;
        cols[1] = ls->last_col;
        cols[2] = ls->last2_col;
    }
    memset(&info, 0, sizeof(info));
    info.file = L->file;
    info.line = rec->line;
    info.delim = rec->delim;
    info.ncols = ls->ncols;
    info.headers = (const char *const *)ls->raw;
    info.keys = (const char *const *)ls->keys;
    info.address_column = ls->raw[ls->addr_col];
    for (i = 0; i < 3; i++)
        if (cols[i] != NO_COL)
            info.name_columns[k++] = ls->raw[cols[i]];
    rc = L->spec->list_info(L->spec->verdict_ud, &info);
    L->stopped |= rc != 0;
    return rc;
}

static int header(struct loader *L, const struct csvread_record *rec)
{
    struct list_state *ls = &L->ls;
    const char *missing;
    size_t i, n = rec->nfields, k;

    while (n && rec->lens[n - 1] == 0) /* Excel's trailing empty columns */
        n--;
    ls->keys = calloc(n ? n : 1, sizeof(*ls->keys));
    ls->raw = calloc(n ? n : 1, sizeof(*ls->raw));
    ls->vars = value_new_map();
    if (!ls->keys || !ls->raw || !ls->vars)
        return err_nomem(L->err);
    for (i = 0; i < n; i++) {
        if (fold_key(rec->fields[i], rec->lens[i], &L->tmp))
            return err_nomem(L->err);
        if (!L->tmp.len && buf_setf(&L->tmp, "column_%zu", i + 1))
            return err_nomem(L->err);
        for (k = 2; key_taken(ls, i, L->tmp.data); k++) {
            if (fold_key(rec->fields[i], rec->lens[i], &L->tmp) || buf_addf(&L->tmp, "_%zu", k))
                return err_nomem(L->err);
        }
        ls->keys[i] = xstrndup(L->tmp.data, L->tmp.len);
        ls->raw[i] = xstrndup(rec->fields[i], rec->lens[i]);
        ls->ncols = i + 1;
        if (!ls->keys[i] || !ls->raw[i])
            return err_nomem(L->err);
    }
    ls->addr_col = NO_COL;
    if (find_address_col(L, rec))
        return -1;
    if (L->spec->list_opts && L->spec->list_opts[L->list_idx].name_columns[0]) {
        if (find_name_cols(L, rec))
            return -1;
    } else {
        ls->full_col =
            find_col(ls, fullname_names, sizeof(fullname_names) / sizeof(*fullname_names));
        ls->first_col = find_col(ls, first_names, sizeof(first_names) / sizeof(first_names[0]));
        ls->last_col = find_col(ls, last_names, sizeof(last_names) / sizeof(last_names[0]));
        ls->last2_col = NO_COL;
        if (ls->last_col == NO_COL) {
            static const char *const pat[] = {"apellido_paterno"}, *const mat[] = {
                                                                       "apellido_materno"};
            ls->last_col = find_col(ls, pat, 1);
            ls->last2_col = find_col(ls, mat, 1);
        }
    }
    ls->has_nombre_col = key_taken(ls, ls->ncols, "nombre");
    if (L->filter) {
        const char **keys = calloc(ls->ncols + 2, sizeof(*keys));
        if (!keys)
            return err_nomem(L->err);
        for (i = 0; i < ls->ncols; i++)
            keys[i] = ls->keys[i];
        keys[ls->ncols] = "email";
        keys[ls->ncols + 1] = "nombre";
        missing = filter_missing(L->filter, keys, ls->ncols + 2);
        free(keys);
        if (missing) {
            buf_reset(&L->tmp);
            if (list_headers(&L->tmp, ls))
                return err_nomem(L->err);
            return err_set(L->err, ERR_DATA,
                           "%s:%zu: the filter names column \"%s\", which this list does not "
                           "have; headers found: %s",
                           L->file, rec->line, missing, L->tmp.data);
        }
    }
    return L->spec->list_info ? list_info(L, rec) : 0;
}

/* ---- rows ------------------------------------------------------------ */

/* Append s for a one-line report: control characters escaped, cut at 120. */
static int add_printable(struct buf *b, const char *s, size_t n)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < n && i < 120 && !rc; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r')
            rc = buf_addstr(b, "\\r");
        else if (c == '\n')
            rc = buf_addstr(b, "\\n");
        else if (c < 32 || c == 127 || c == '"' || c == '\\')
            rc = c == '"' || c == '\\' ? buf_addf(b, "\\%c", c) : buf_addf(b, "\\x%02x", c);
        else
            rc = buf_addch(b, (char)c);
    }
    if (!rc && n > 120)
        rc = buf_addstr(b, "...");
    return rc;
}

/* Display name: full name column, or first + last; control characters
 * become spaces (a name ends up in a To: header), runs of spaces one. */
static int make_name(struct loader *L, const struct csvread_record *rec)
{
    const struct list_state *ls = &L->ls;
    size_t cols[3] = {ls->full_col, NO_COL, NO_COL}, i, j;
    int space = 0;

    if (ls->full_col == NO_COL || ls->full_col >= rec->nfields || !rec->lens[ls->full_col]) {
        cols[0] = ls->first_col;
        cols[1] = ls->last_col;
        cols[2] = ls->last2_col;
    }
    buf_reset(&L->name);
    for (i = 0; i < 3; i++) {
        if (cols[i] == NO_COL || cols[i] >= rec->nfields)
            continue;
        const char *f = rec->fields[cols[i]];
        size_t n = rec->lens[cols[i]], start;
        space = L->name.len > 0;
        for (j = 0; j < n;) {
            if ((unsigned char)f[j] <= ' ' || f[j] == 127) {
                space = L->name.len > 0;
                j++;
                continue;
            }
            for (start = j; j < n && (unsigned char)f[j] > ' ' && f[j] != 127; j++)
                ;
            if ((space && buf_addch(&L->name, ' ')) || buf_add(&L->name, f + start, j - start))
                return -1;
            space = 0;
        }
    }
    return 0;
}

static int set_vars(struct loader *L, const struct csvread_record *rec)
{
    struct list_state *ls = &L->ls;
    size_t i;

    for (i = 0; i < ls->ncols; i++) {
        const char *s = i < rec->nfields ? rec->fields[i] : "", *old;
        size_t n = i < rec->nfields ? rec->lens[i] : 0, oldlen = 0;
        /* entry i is column i (keys are unique and set in column order on
         * the first row): a value equal to the previous row's (país,
         * ciudad...) is kept, not reallocated */
        const struct value *v = value_map_at(ls->vars, i, NULL);
        if (v && (old = value_text(v, &oldlen)) && oldlen == n && !memcmp(old, s, n))
            continue;
        if (v && !n && value_type(v) == VALUE_NULL)
            continue;
        /* an empty cell is no value: a default fills it, or it is missing */
        if (value_map_set(ls->vars, ls->keys[i], n ? value_new_string(s, n) : value_new_null()))
            return -1;
    }
    if (value_map_set(ls->vars, "email", value_new_cstring(L->ar.normalized)))
        return -1;
    if (!ls->has_nombre_col &&
        value_map_set(ls->vars, "nombre",
                      L->name.len ? value_new_string(L->name.data, L->name.len) : value_new_null()))
        return -1;
    return 0;
}

static int verdict(struct loader *L, enum contacts_verdict_kind kind, const char *input,
                   const char *reason, const struct seen *first, size_t line)
{
    struct contacts_verdict v;
    int rc;

    if (!L->spec->verdict)
        return 0;
    v.kind = kind;
    v.file = L->file;
    v.line = line;
    v.input = input;
    v.address = L->ar.valid ? L->ar.normalized : "";
    v.reason = reason;
    v.hint = L->ar.hint[0] ? L->ar.hint : NULL;
    v.first_file = first ? L->spec->lists[first->list] : NULL;
    v.first_line = first ? first->line : 0;
    L->stopped |= (rc = L->spec->verdict(L->spec->verdict_ud, &v)) != 0;
    return rc;
}

static int report_invalid(struct loader *L, size_t line, const char *in, size_t n,
                          const char *reason)
{
    L->ls.invalid++;
    L->stats->invalid++;
    if (L->report) {
        if (buf_addf(L->report, "%s:%zu: invalid address \"", L->file, line) ||
            add_printable(L->report, in, n) || buf_addf(L->report, "\": %s", reason) ||
            (L->ar.hint[0] && buf_addf(L->report, " (did you mean %s?)", L->ar.hint)) ||
            buf_addch(L->report, '\n'))
            return err_nomem(L->err);
    }
    return verdict(L, CONTACTS_INVALID, in, reason, NULL, line);
}

static int blank_row(const struct csvread_record *rec)
{
    size_t i, j;

    for (i = 0; i < rec->nfields; i++)
        for (j = 0; j < rec->lens[i]; j++)
            if (rec->fields[i][j] != ' ' && rec->fields[i][j] != '\t')
                return 0;
    return 1;
}

static int row(struct loader *L, const struct csvread_record *rec)
{
    struct list_state *ls = &L->ls;
    const struct seen *first = NULL;
    struct seen outside = {NULL, 0, 0};
    const char *in = "", *why = NULL;
    size_t inlen = 0, n = rec->nfields;
    struct contact c;
    uint64_t h;
    int rc;

    if (blank_row(rec))
        return 0;
    ls->rows++;
    L->stats->rows++;
    if (ls->addr_col < rec->nfields) {
        in = rec->fields[ls->addr_col];
        inlen = rec->lens[ls->addr_col];
    }
    while (n > ls->ncols && rec->lens[n - 1] == 0)
        n--;
    if (n > ls->ncols) {
        L->ar.valid = 0;
        L->ar.hint[0] = '\0';
        if (buf_setf(&L->tmp, "row has %zu fields, the header %zu (a stray delimiter?)", n,
                     ls->ncols))
            return err_nomem(L->err);
        return report_invalid(L, rec->line, in, inlen, L->tmp.data);
    }
    if (!address_check(in, inlen, &L->ar))
        return report_invalid(L, rec->line, in, inlen, L->ar.reason);
    if (L->ar.warning && L->report) {
        buf_reset(&L->tmp);
        if (add_printable(&L->tmp, in, inlen) ||
            buf_addf(L->report, "%s:%zu: \"%s\" is taken as %s: %s\n", L->file, rec->line,
                     L->tmp.data, L->ar.normalized, L->ar.warning))
            return err_nomem(L->err);
    }
    h = dedupe_prefetch(&L->seen, L->ar.key);
    /* name and variables before the probe (wasted only on duplicates) */
    if (make_name(L, rec) || ((L->filter || !L->spec->no_vars) && set_vars(L, rec)))
        return err_nomem(L->err);
    if (L->spec->dedupe) {
        rc = L->spec->dedupe(L->spec->dedupe_ud, L->ar.key, (uint32_t)L->list_idx,
                             (uint32_t)rec->line, &outside.list, &outside.line);
        if (rc < 0)
            return err_set(L->err, ERR_IO, "%s:%zu: the set of addresses seen failed", L->file,
                           rec->line);
        first = &outside;
    } else {
        rc = dedupe_add(&L->seen, L->ar.key, h, (uint32_t)L->list_idx, (uint32_t)rec->line, &first);
        if (rc < 0)
            return err_nomem(L->err);
    }
    if (rc) {
        L->stats->duplicates++;
        if (L->report &&
            buf_addf(L->report, "%s:%zu: duplicate %s (first at %s:%u)\n", L->file, rec->line,
                     L->ar.normalized, L->spec->lists[first->list], first->line))
            return err_nomem(L->err);
        return verdict(L, CONTACTS_DUPLICATE, in, NULL, first, rec->line);
    }
    if (L->filter && (rc = filter_match(L->filter, ls->vars)) <= 0) {
        if (rc < 0)
            return err_nomem(L->err);
        L->stats->filtered++;
        return verdict(L, CONTACTS_FILTERED, in, NULL, NULL, rec->line);
    }
    if (L->spec->suppressed) {
        rc = L->spec->suppressed(L->spec->suppressed_ud, L->ar.normalized, &why);
        if (rc < 0)
            return err_set(L->err, ERR_SOFTWARE, "%s:%zu: suppression check failed for %s", L->file,
                           rec->line, L->ar.normalized);
        if (rc) {
            L->stats->suppressed++;
            return verdict(L, CONTACTS_SUPPRESSED, in, why ? why : "suppressed", NULL, rec->line);
        }
    }
    L->stats->accepted++;
    c.address = L->ar.normalized;
    c.name = L->name.data;
    c.list = L->list_name;
    c.file = L->file;
    c.line = rec->line;
    c.vars = L->spec->no_vars ? NULL : ls->vars;
    rc = verdict(L, CONTACTS_OK, in, NULL, NULL, rec->line);
    if (!rc && L->fn)
        rc = L->fn(L->ud, &c);
    L->stopped |= rc != 0; /* the caller's own stop: no more lists */
    return rc;
}

static int on_record(void *ud, const struct csvread_record *rec)
{
    struct loader *L = ud;

    if (rec->index == 0)
        return header(L, rec);
    return row(L, rec);
}

static char *list_name(const char *path)
{
    const char *base = strrchr(path, '/');
    size_t n;

    base = base ? base + 1 : path;
    n = strlen(base);
    if (n > 4 && !strcasecmp(base + n - 4, ".csv"))
        n -= 4;
    return xstrndup(base, n);
}

static int load_list(struct loader *L, size_t i)
{
    const struct contacts_list_opts *o = L->spec->list_opts ? &L->spec->list_opts[i] : NULL;
    struct csvread_opts copts = {0, CSVREAD_AUTO};
    struct stat st;
    int rc;

    L->list_idx = i;
    L->file = L->spec->lists[i];
    free(L->list_name);
    L->list_name = list_name(L->file);
    if (!L->list_name)
        return err_nomem(L->err);
    if (o) {
        copts.delim = o->delim;
        copts.encoding = o->encoding;
    }
    list_state_release(&L->ls);
    /* Size the dedupe set for the rows the file can hold (~1 per 48 bytes),
     * so a large list does not rehash on the way. */
    if (!L->spec->dedupe && !stat(L->file, &st) && st.st_size > 0 &&
        dedupe_grow(&L->seen,
                    L->seen.n + ((size_t)st.st_size / 48 < (4u << 20) ? (size_t)st.st_size / 48
                                                                      : (4u << 20))))
        return err_nomem(L->err);
    rc = csvread_file(L->file, &copts, on_record, L, L->report, L->err);
    if (rc)
        return rc;
    if (!L->ls.keys)
        return err_set(L->err, ERR_DATA, "%s: empty file (no header line)", L->file);
    if (!L->spec->force && L->ls.invalid * 10 > L->ls.rows)
        return err_set(L->err, ERR_DATA,
                       "%s: %zu of %zu rows (%zu %%) have an invalid address: more likely a wrong "
                       "column or encoding than a bad list; fix it or force",
                       L->file, L->ls.invalid, L->ls.rows, L->ls.invalid * 100 / L->ls.rows);
    return 0;
}

int contacts_load(const struct audience_spec *spec, contacts_fn fn, void *ud,
                  struct audience_stats *stats, struct buf *report, struct err *err)
{
    struct audience_stats dummy;
    struct loader L = {.spec = spec,
                       .fn = fn,
                       .ud = ud,
                       .stats = stats ? stats : &dummy,
                       .report = report,
                       .err = err};
    size_t i;
    int rc = 0;

    memset(L.stats, 0, sizeof(*L.stats));
    buf_init(&L.name, 0);
    buf_init(&L.tmp, 0);
    if (spec->filter && spec->filter[0]) {
        L.filter = filter_new(spec->filter, err);
        if (!L.filter) {
            rc = -1;
            goto out;
        }
    }
    /* A list with a problem of its own (no address column, an unknown
     * filter column, too many invalid rows, unreadable) does not stop the
     * others: every list's problems are said, then the load fails. */
    for (i = 0; i < spec->nlists; i++) {
        int one = load_list(&L, i);
        if (!one)
            continue;
        rc = rc ? rc : one;
        if (one != -1 || L.stopped || err->kind == ERR_NOMEM)
            break;
    }
out:
    filter_free(L.filter);
    dedupe_release(&L.seen);
    list_state_release(&L.ls);
    free(L.list_name);
    buf_release(&L.name);
    buf_release(&L.tmp);
    return rc;
}
